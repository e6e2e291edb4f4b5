package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// openForRetry opens a store on a fresh database of the backend with a
// table of two rows to lock.
func openForRetry(t *testing.T, backend string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, testdb.DSN(t, backend), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE retry_rows (id BIGINT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "INSERT INTO retry_rows (id) VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestDeadlockIsRetried makes two transactions lock two rows in opposite
// orders, each waiting for the other to hold its first row: on PostgreSQL
// one of them is chosen as the deadlock's victim, and inTx must run it
// again so that both succeed. (SQLite's single writer runs them one after
// the other.)
func TestDeadlockIsRetried(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openForRetry(t, backend)
			ctx := context.Background()
			var attempts atomic.Int32
			held := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
			var once [2]sync.Once
			run := func(me int, first, second int64) error {
				return db.inTx(ctx, func(tx *Tx) error {
					attempts.Add(1)
					if err := tx.lockRow(ctx, "retry_rows", first); err != nil {
						return err
					}
					once[me].Do(func() { close(held[me]) })
					select {
					case <-held[1-me]:
					case <-time.After(2 * time.Second):
					}
					return tx.lockRow(ctx, "retry_rows", second)
				})
			}
			var errs [2]error
			var wg sync.WaitGroup
			wg.Go(func() { errs[0] = run(0, 1, 2) })
			wg.Go(func() { errs[1] = run(1, 2, 1) })
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("transaction %d: %v", i, err)
				}
			}
			if backend == "postgres" && attempts.Load() < 3 {
				t.Errorf("%d attempts, want a deadlock and a retry (3 or more)", attempts.Load())
			}
		})
	}
}

// TestRetriesRunOutAsBusy checks that a transaction that keeps failing in
// a way that may be retried is run a bounded number of times and then
// answers that the database is busy (a 503), not an internal error.
func TestRetriesRunOutAsBusy(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openForRetry(t, backend)
			attempts := 0
			err := db.inTx(context.Background(), func(tx *Tx) error {
				attempts++
				return errLockSetChanged
			})
			if roadmap.ErrorCode(err) != roadmap.EUNAVAILABLE {
				t.Errorf("got %v (%s), want the database busy", err, roadmap.ErrorCode(err))
			}
			if attempts < 2 || attempts > 10 {
				t.Errorf("%d attempts, want a few", attempts)
			}
		})
	}
}
