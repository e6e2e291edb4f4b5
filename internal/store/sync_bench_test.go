package store_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// BenchmarkSQLiteSynchronous creates releases, one transaction each, on
// SQLite with synchronous=FULL (the default: every commit is on disk before
// it is acknowledged) and with NORMAL (WAL commits reach the disk at
// checkpoints). Compare the ns/op of the two in one run for the cost of
// durability against power loss.
func BenchmarkSQLiteSynchronous(b *testing.B) {
	for _, mode := range []string{"full", "normal"} {
		b.Run(mode, func(b *testing.B) {
			db, err := store.Open(context.Background(), testdb.DSN(b, "sqlite"), store.Options{SQLiteSynchronous: mode})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if _, err := db.Seed(context.Background(), demo.Account()); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				if _, err := db.CreateRelease(ctx, demo.PRJ2, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("Bench %d", i))}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGroupCommit creates releases from 32 goroutines on SQLite with
// synchronous=FULL, with the group commit (concurrent write transactions
// share a commit) and without it (Options.SQLiteNoGroupCommit: a commit,
// and an fsync, each), in three rounds that alternate the two on their
// own databases. Compare the ns/op of on and off; cpu-us/op is the
// process's CPU time per create (less swayed than ns/op by other work on
// the machine), tx/commit how many write transactions shared a commit.
func BenchmarkGroupCommit(b *testing.B) {
	const clients, rounds = 32, 3
	ctx := context.Background()
	open := func(off bool) *store.DB {
		db, err := store.Open(ctx, testdb.DSN(b, "sqlite"), store.Options{SQLiteNoGroupCommit: off})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Seed(ctx, demo.Account()); err != nil {
			b.Fatal(err)
		}
		return db
	}
	dbs := map[string]*store.DB{"on": open(false), "off": open(true)}
	var n atomic.Int64
	for range rounds {
		for _, mode := range []string{"on", "off"} {
			db := dbs[mode]
			b.Run(mode, func(b *testing.B) {
				commits0, txs0 := db.GroupCommits()
				cpu0 := cpuTime()
				b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						name := fmt.Sprintf("Bench %d", n.Add(1))
						if _, err := db.CreateRelease(ctx, demo.PRJ2, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(name)}); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-us/op")
				if commits, txs := db.GroupCommits(); commits > commits0 {
					b.ReportMetric(float64(txs-txs0)/float64(commits-commits0), "tx/commit")
				}
			})
		}
	}
}

// cpuTime returns the CPU time the process has used, in user and system
// mode.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
