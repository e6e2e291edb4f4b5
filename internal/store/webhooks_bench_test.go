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

// BenchmarkWritesWithWebhooks renames a release, one transaction each,
// without webhooks and with one and with five enabled webhooks that take
// every audit: compare the ns/op of the three in one run for what queuing
// the deliveries costs a write.
func BenchmarkWritesWithWebhooks(b *testing.B) {
	for _, backend := range testdb.Backends {
		for _, hooks := range []int{0, 1, 5} {
			b.Run(fmt.Sprintf("%s/webhooks=%d", backend, hooks), func(b *testing.B) {
				ctx := roadmap.WithActor(context.Background(), demo.Mary)
				db, err := store.Open(ctx, testdb.DSN(b, backend), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				if _, err := db.Seed(ctx, demo.Account()); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < hooks; i++ {
					if _, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some(fmt.Sprintf("https://hooks.example.com/%d", i))}); err != nil {
						b.Fatal(err)
					}
				}
				rel, err := db.Release(ctx, "PRJ1-R-1")
				if err != nil {
					b.Fatal(err)
				}
				i := 0
				for b.Loop() {
					i++
					if _, err := db.UpdateRelease(ctx, rel.ID, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("Bench %d", i))}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
