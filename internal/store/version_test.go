package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestDataVersionMovesWithEveryCommit reads the version before and after
// each write, the store's own and another connection's, while other
// goroutines keep readings of it under way: a reading after a commit never
// gives the value of before it, though a reading that started before the
// commit may still be in flight when the later caller arrives.
func TestDataVersionMovesWithEveryCommit(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			dsn := testdb.DSN(t, backend)
			db := mustSeed(t, mustOpen(t, dsn))
			raw := rawDB(t, backend, dsn)
			ctx := context.Background()
			version := func() string {
				t.Helper()
				v, err := db.DataVersion(ctx)
				if err != nil {
					t.Fatalf("DataVersion: %v", err)
				}
				return v
			}

			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := db.DataVersion(ctx); err != nil {
							t.Errorf("DataVersion: %v", err)
							return
						}
					}
				}()
			}
			defer func() { close(stop); wg.Wait() }()

			for i := 0; i < 40; i++ {
				before := version()
				if i%2 == 0 {
					name := fmt.Sprintf("Version %d", i)
					if _, err := db.UpdateRelease(ctx, demo.Release1, roadmap.ReleaseInput{Name: roadmap.Some(name)}); err != nil {
						t.Fatalf("UpdateRelease: %v", err)
					}
				} else {
					q := "UPDATE releases SET name = ? WHERE id = ?"
					if backend == "postgres" {
						q = "UPDATE releases SET name = $1 WHERE id = $2"
					}
					if _, err := raw.Exec(q, fmt.Sprintf("Raw %d", i), demo.Release1); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				if after := version(); after == before {
					t.Fatalf("write %d: the version after the commit is the one before it, %q", i, after)
				}
			}
			if backend == "sqlite" {
				// No other client commits to this file.
				if a, b := version(), version(); a != b {
					t.Fatalf("two readings with no commit between them: %q, %q", a, b)
				}
			}
		})
	}
}

// TestDataVersionHonoursTheDeadline checks that a caller whose context is
// done gets its error, and that readings go on for the next callers.
func TestDataVersionHonoursTheDeadline(t *testing.T) {
	db := mustOpenDB(t, "sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.DataVersion(ctx); err == nil {
		t.Fatal("DataVersion with a canceled context: no error")
	}
	if _, err := db.DataVersion(context.Background()); err != nil {
		t.Fatalf("DataVersion after a canceled caller: %v", err)
	}
}
