package store

import (
	"context"
	"testing"

	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestSQLiteSynchronousSetting checks that the writer runs with FULL unless
// NORMAL is asked for, and that other values are refused.
func TestSQLiteSynchronousSetting(t *testing.T) {
	t.Parallel()
	for mode, want := range map[string]int{"": 2, "full": 2, "FULL": 2, "normal": 1} {
		db, err := Open(context.Background(), testdb.DSN(t, "sqlite"), Options{SQLiteSynchronous: mode})
		if err != nil {
			t.Fatalf("%q: %v", mode, err)
		}
		var got int
		if err := db.write.QueryRow("PRAGMA synchronous").Scan(&got); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if got != want {
			t.Errorf("SQLiteSynchronous %q: PRAGMA synchronous = %d, want %d", mode, got, want)
		}
	}
	if _, err := Open(context.Background(), testdb.DSN(t, "sqlite"), Options{SQLiteSynchronous: "off"}); err == nil {
		t.Fatal("synchronous=off was accepted")
	}
}

// TestNoCommitAfterTheDeadline runs a write transaction whose context ends
// after its statements ran and before it commits: it reports the context's
// error and leaves nothing behind, on both engines.
func TestNoCommitAfterTheDeadline(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, err := Open(context.Background(), testdb.DSN(t, backend), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			u, err := db.CreateAdmin(context.Background(), "Ann Admin", "ann@example.com")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			err = db.inTx(ctx, func(tx *Tx) error {
				if _, err := tx.conn().exec(ctx, "UPDATE users SET name = ? WHERE id = ?", "Changed", u.ID); err != nil {
					return err
				}
				cancel()
				return nil
			})
			if err == nil {
				t.Fatal("a transaction whose context ended before COMMIT reported success")
			}
			var name string
			if err := db.read.QueryRow(db.dialect.rebind("SELECT name FROM users WHERE id = ?"), u.ID).Scan(&name); err != nil {
				t.Fatal(err)
			}
			if name != "Ann Admin" {
				t.Fatalf("the write took effect: name %q", name)
			}
		})
	}
}
