package store_test

import (
	"context"
	"testing"

	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// BenchmarkOpen opens and closes a store on a migrated database of each
// backend, as every test and every start of the server does: migrations
// found applied, the journal's triggers found made, the schema read.
//
//	go test ./internal/store -run '^$' -bench BenchmarkOpen -benchtime 50x
func BenchmarkOpen(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			dsn := testdb.DSN(b, backend)
			ctx := context.Background()
			for b.Loop() {
				db, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
