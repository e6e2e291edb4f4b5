package store

import (
	"context"
	"database/sql"
	"testing"

	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestDataVersionReadsTheWALHeader checks that SQLite's version comes from
// the mapped WAL-index header once the watch has read it, and that the
// header's reading moves with every commit of another connection, across
// checkpoints that reset the WAL, and stays put without one; a watch whose
// connection is gone maps the header again.
func TestDataVersionReadsTheWALHeader(t *testing.T) {
	t.Parallel()
	dsn := testdb.DSN(t, "sqlite")
	db, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	version := func() string {
		t.Helper()
		v, err := db.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	version()
	if _, ok := db.watch.header(); !ok {
		t.Fatal("after a reading, the WAL-index header is not read")
	}
	raw, err := sql.Open("sqlite", "file:"+sqlitePath(db.watch.path))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("CREATE TABLE version_probe (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range 30 {
		if i%5 == 4 {
			// TRUNCATE empties the WAL: the next commit starts it anew,
			// with new salts and frame numbers from 1.
			if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				t.Fatal(err)
			}
		}
		before := version()
		if again := version(); again != before {
			t.Fatalf("two readings with no commit between them: %q, %q", before, again)
		}
		if _, err := raw.Exec("INSERT INTO version_probe (n) VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
		after := version()
		if after == before || seen[after] {
			t.Fatalf("commit %d: version %q after %q (seen before: %v)", i, after, before, seen[after])
		}
		seen[before], seen[after] = true, true
		if after[0] != 'w' {
			t.Fatalf("commit %d: version %q does not come from the header", i, after)
		}
	}

	db.watch.mu.Lock()
	db.watch.closeLocked()
	db.watch.mu.Unlock()
	if _, ok := db.watch.header(); ok {
		t.Fatal("the header is still read after the watch's connection closed")
	}
	before := version()
	if _, err := raw.Exec("INSERT INTO version_probe (n) VALUES (-1)"); err != nil {
		t.Fatal(err)
	}
	if after := version(); after == before {
		t.Fatalf("after the watch reopened, a commit left the version at %q", after)
	}
	if v, ok := db.watch.header(); !ok {
		t.Fatal("the watch did not map the header again")
	} else if v != version() {
		t.Fatalf("the header's reading %q is not DataVersion's", v)
	}
}
