package store_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestCloseLetsGoOfTheFile closes a SQLite store right after a write of
// many statements, which it prepares in the background for the next
// writes: when Close returns, no connection of the store is left, so the
// last one has merged the write-ahead log into the file and removed it,
// and another process writes at once, without waiting for a lock.
func TestCloseLetsGoOfTheFile(t *testing.T) {
	t.Parallel()
	for round := 0; round < 5; round++ {
		path := testdb.DSN(t, "sqlite")
		db, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Seed(context.Background(), demo.Account()); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			t.Fatalf("round %d: the write-ahead log is still there after Close", round)
		}
		raw, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = raw.Exec("UPDATE users SET name = name")
		raw.Close()
		if err != nil {
			t.Fatalf("round %d: writing right after Close: %v", round, err)
		}
	}
}
