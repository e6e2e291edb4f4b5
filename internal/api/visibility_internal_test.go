package api

import (
	"testing"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// benchReleases returns n releases of product 10, each with goals and
// initiatives of products 10 and 20, and a parent of product 20.
func benchReleases(n int) []*roadmap.Release {
	out := make([]*roadmap.Release, n)
	for i := range out {
		out[i] = &roadmap.Release{ID: int64(i + 1), ProductID: 10, Product: roadmap.Product{ID: 10},
			Goals:       []roadmap.Goal{{ID: 2, ProductID: 10}, {ID: 3, ProductID: 20}},
			Initiatives: []roadmap.Initiative{{ID: 4, ProductID: 10}, {ID: 5, ProductID: 20}},
			Parent:      &roadmap.ReleaseRef{ID: 6, ProductID: 20},
			Watchers:    []roadmap.User{{ID: 7}, {ID: 8}},
		}
	}
	return out
}

// BenchmarkRenderReleasePage renders and encodes a page of 200 releases in
// their full representation, the baseline for the roadmap package's
// BenchmarkPruneReleasePage on the same page.
func BenchmarkRenderReleasePage(b *testing.B) {
	s := New(nil, Config{BaseURL: "http://company.aha.io"})
	sel := parseFields("")
	for b.Loop() {
		b.StopTimer()
		rels := benchReleases(200)
		b.StartTimer()
		items := make([]object, 0, len(rels))
		for _, rel := range rels {
			items = append(items, sel.apply(s.releaseFields(rel)))
		}
		if _, err := marshal(object{{"releases", items}}); err != nil {
			b.Fatal(err)
		}
	}
}
