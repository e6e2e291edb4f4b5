package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// BenchmarkReleasesPage lists pages of 20 and of 200 releases, each with
// goals, initiatives, watchers and a status history, in the full
// representation. With a fixed number of queries per page, the time per
// release of the large page is no worse than the small one's: compare the
// ns/release figures of the two sizes in one run.
func BenchmarkReleasesPage(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			db := mustOpenDemo(b, backend)
			seedMany(b, db, demo.PRJ2, roadmap.MaxPerPage)
			ctx := context.Background()
			for _, size := range []int{20, roadmap.MaxPerPage} {
				b.Run(fmt.Sprintf("per_page=%d", size), func(b *testing.B) {
					f := roadmap.ReleaseFilter{ProductID: demo.PRJ2, Page: roadmap.Page{Page: 1, PerPage: size}, Full: true}
					q0 := db.QueryCount()
					for b.Loop() {
						if _, _, err := db.Releases(ctx, f); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/release")
					b.ReportMetric(float64(db.QueryCount()-q0)/float64(b.N), "queries/op")
				})
			}
		})
	}
}
