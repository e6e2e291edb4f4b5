package store_test

import (
	"context"
	"fmt"
	"testing"

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
