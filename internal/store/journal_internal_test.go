package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// openDemo opens a store on a fresh database of the backend with the demo
// account.
func openDemo(t *testing.T, backend string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, testdb.DSN(t, backend), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		t.Fatal(err)
	}
	return db
}

// journalRows counts the changes left in the change journal.
func (db *DB) journalRows(t *testing.T) int {
	t.Helper()
	n, err := db.JournalRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (db *DB) countOf(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := db.write.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHistoryOfAWriteOfManyRows writes 3,000 rows in one transaction, more
// than one statement may carry values for (SQLite takes 32,766): each
// gets its audit, in batches, and the journal is empty after.
func TestHistoryOfAWriteOfManyRows(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openDemo(t, backend)
			ctx := roadmap.WithActor(context.Background(), demo.Mary)
			const n = 3000
			err := db.inTx(ctx, func(tx *Tx) error {
				for i := range n {
					if _, err := tx.conn().exec(ctx, "INSERT INTO custom_field_values (id, release_id, key, name, type, value, created_at, updated_at) VALUES (?, ?, ?, 'Field', 'text', 'v', 0, 0)",
						int64(9_000_000+i), demo.Release1, "bulk_"+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := db.countOf(t, "SELECT COUNT(*) FROM audits WHERE auditable_type = 'custom_field_value' AND action = 'create'"); got != n {
				t.Errorf("%d audits of the %d rows", got, n)
			}
			if got := db.journalRows(t); got != 0 {
				t.Errorf("%d rows left in the journal", got)
			}
		})
	}
}

// TestHistoryRollsBackWithItsWrite fails a transaction after it wrote: it
// leaves neither the change nor its audits nor journal rows.
func TestHistoryRollsBackWithItsWrite(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openDemo(t, backend)
			ctx := roadmap.WithActor(context.Background(), demo.Mary)
			refused := errors.New("refused")
			err := db.inTx(ctx, func(tx *Tx) error {
				if _, err := tx.conn().exec(ctx, "UPDATE releases SET name = 'Not kept' WHERE id = ?", demo.Release1); err != nil {
					return err
				}
				return refused
			})
			if !errors.Is(err, refused) {
				t.Fatalf("inTx: %v", err)
			}
			if got := db.countOf(t, "SELECT COUNT(*) FROM audits"); got != 0 {
				t.Errorf("%d audits of a write that rolled back", got)
			}
			if got := db.journalRows(t); got != 0 {
				t.Errorf("%d journal rows of a write that rolled back", got)
			}
			if got := db.countOf(t, "SELECT COUNT(*) FROM releases WHERE name = 'Not kept'"); got != 0 {
				t.Errorf("the change was kept")
			}
			// The same write, committed, leaves its audit.
			if err := db.inTx(ctx, func(tx *Tx) error {
				_, err := tx.conn().exec(ctx, "UPDATE releases SET name = 'Kept' WHERE id = ?", demo.Release1)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if got := db.countOf(t, "SELECT COUNT(*) FROM audits WHERE auditable_type = 'release' AND action = 'update'"); got != 1 {
				t.Errorf("%d audits of the committed write, want 1", got)
			}
		})
	}
}

// TestHistoryNamesManyReferencedRecords writes links to more records than
// one statement reads the names of (auditBatch): each audit shows the
// record it links to by its name, whether the write wrote that record too
// (known by its journal row) or not (read from its table).
func TestHistoryNamesManyReferencedRecords(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openDemo(t, backend)
			quiet := roadmap.WithoutHistory(context.Background())
			ctx := roadmap.WithActor(context.Background(), demo.Mary)
			const old, fresh = auditBatch + 100, 3
			name := func(i int) string { return fmt.Sprintf("Watcher %d", i) }
			addUsers := func(ctx context.Context, tx *Tx, from, to int) error {
				for i := from; i < to; i++ {
					if _, err := tx.conn().exec(ctx, "INSERT INTO users (id, name, email, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
						int64(8_000_000+i), name(i), fmt.Sprintf("w%d@example.com", i)); err != nil {
						return err
					}
				}
				return nil
			}
			if err := db.inTx(quiet, func(tx *Tx) error { return addUsers(quiet, tx, 0, old) }); err != nil {
				t.Fatal(err)
			}
			var stmts int
			db.Trace(func(q string, _ []any) {
				if strings.Contains(q, " FROM users WHERE id IN") {
					stmts++
				}
			})
			err := db.inTx(ctx, func(tx *Tx) error {
				if err := addUsers(ctx, tx, old, old+fresh); err != nil {
					return err
				}
				for i := range old + fresh {
					if _, err := tx.conn().exec(ctx, "INSERT INTO release_watchers (release_id, user_id) VALUES (?, ?)", demo.Release1, int64(8_000_000+i)); err != nil {
						return err
					}
				}
				return nil
			})
			db.Trace(nil)
			if err != nil {
				t.Fatal(err)
			}
			if stmts != 2 {
				t.Errorf("the names of %d users were read in %d statements, want 2", old, stmts)
			}
			audits, _, err := db.Audits(ctx, roadmap.AuditFilter{AuditableType: "release_watcher", Page: roadmap.Page{Page: 1, PerPage: 2 * (old + fresh)}, Cursor: true})
			if err != nil {
				t.Fatal(err)
			}
			shown := map[string]bool{}
			for _, au := range audits {
				for _, ch := range au.Changes {
					if ch.FieldName == "User" {
						shown[ch.New] = true
					}
				}
			}
			for i := range old + fresh {
				if !shown[name(i)] {
					t.Fatalf("no audit shows %q (%d audits, %d names shown)", name(i), len(audits), len(shown))
				}
			}
		})
	}
}
