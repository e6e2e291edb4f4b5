package store

import (
	"database/sql"
	"testing"

	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestFullXID checks the 64-bit transaction ID that the fan-out makes of a
// running transaction's 32 bits: the ID nearest to the next one, below it
// or (for a transaction that took its ID after the next ID was read) above
// it, across a wraparound of the 32 bits too.
func TestFullXID(t *testing.T) {
	dsn := testdb.EmptyDSN(t, "postgres")
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const epoch = int64(1) << 32
	for _, c := range []struct{ next, low, want int64 }{
		{1000, 990, 990},
		{1000, 1000, 1000},
		{1000, 1005, 1005},
		{3*epoch + 10, epoch - 5, 3*epoch - 5},
		{3*epoch - 5, 7, 3*epoch + 7},
		{3*epoch + 500, 400, 3*epoch + 400},
	} {
		var got int64
		if err := db.QueryRow("SELECT "+fullXID("$1::bigint", "$2::bigint"), c.next, c.low).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("full ID of low bits %d near %d = %d, want %d", c.low, c.next, got, c.want)
		}
	}
}
