package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// BenchmarkRead serves GET of one release and of a page of 30 releases in
// process, on an account of 1,000 generated releases; run it with
// -cpuprofile to see where a read spends its time.
func BenchmarkRead(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			dsn := testdb.EmptyDSN(b, backend)
			acc, err := Generate(ctx, dsn, 1000)
			if err != nil {
				b.Fatal(err)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			// Without the read cache each request does the database's
			// work; with it, repeated requests are answered from memory;
			// the static handler writes the same bytes, as a baseline.
			h := api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
			cached := api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler)})
			for _, c := range []struct{ name, path string }{
				{"one_release", "/api/v1/releases/" + acc.Sample},
				{"page_of_30", fmt.Sprintf("/api/v1/products/%d/releases?per_page=30", Product)},
			} {
				serve := func(b *testing.B, h http.Handler) []byte {
					req := httptest.NewRequest("GET", c.path, nil)
					req.Header.Set("Authorization", "Bearer "+demo.Token)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("%s: %d %s", c.path, rec.Code, rec.Body)
					}
					return rec.Body.Bytes()
				}
				b.Run(c.name+"/database", func(b *testing.B) {
					q0 := db.QueryCount()
					for b.Loop() {
						serve(b, h)
					}
					b.ReportMetric(float64(db.QueryCount()-q0)/float64(b.N), "queries/op")
				})
				b.Run(c.name+"/cached", func(b *testing.B) {
					q0 := db.QueryCount()
					for b.Loop() {
						serve(b, cached)
					}
					b.ReportMetric(float64(db.QueryCount()-q0)/float64(b.N), "queries/op")
				})
				body := serve(b, h)
				static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
					w.Write(body)
				})
				b.Run(c.name+"/static", func(b *testing.B) {
					for b.Loop() {
						serve(b, static)
					}
				})
			}
		})
	}
}
