package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// BenchmarkFeatureLists measures the feature lists of the API, through the
// handler in process, on accounts of 1,000 and 50,000 features in one
// release: the ratio of the two for each list is the growth of its cost
// with the account's size.
func BenchmarkFeatureLists(b *testing.B) {
	for _, backend := range testdb.Backends {
		for _, n := range []int{1000, 50000} {
			b.Run(fmt.Sprintf("%s/%d", backend, n), func(b *testing.B) {
				ctx := context.Background()
				dsn := testdb.EmptyDSN(b, backend)
				acc, err := Generate(ctx, dsn, 20)
				if err != nil {
					b.Fatal(err)
				}
				fa, err := GenerateFeatures(ctx, dsn, acc, n)
				if err != nil {
					b.Fatal(err)
				}
				db, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				// Without the read cache: each request does the database's work.
				h := api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
				since := url.QueryEscape(time.UnixMilli(fa.RecentSince).UTC().Format(time.RFC3339))
				for _, c := range []struct{ name, path string }{
					{"product_page_1", "/api/v1/products/%d/features?per_page=30"},
					{"product_page_100", "/api/v1/products/%d/features?page=100&per_page=5"},
					{"release_page_1", "/api/v1/releases/%r/features?per_page=30"},
					{"q_rare", "/api/v1/products/%d/features?q=" + RareWord},
					{"updated_since", "/api/v1/products/%d/features?updated_since=%t"},
					{"tag", "/api/v1/products/%d/features?tag=" + RareTag},
					{"assigned_to", "/api/v1/products/%d/features?assigned_to_user=" + fmt.Sprint(demo.Henry)},
					{"account_q_rare", "/api/v1/features?q=" + RareWord},
				} {
					path := strings.NewReplacer("%r", acc.Template.ReferenceNum, "%d", fmt.Sprint(Product), "%t", since).Replace(c.path)
					b.Run(c.name, func(b *testing.B) {
						for b.Loop() {
							req := httptest.NewRequest("GET", path, nil)
							req.Header.Set("Authorization", "Bearer "+demo.Token)
							rec := httptest.NewRecorder()
							h.ServeHTTP(rec, req)
							if rec.Code != 200 {
								b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
							}
						}
					})
				}
			})
		}
	}
}
