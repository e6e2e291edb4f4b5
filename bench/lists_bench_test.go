package bench

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

var listsLarge = flag.Int("lists", 50000, "records of each kind in the large account of BenchmarkLists")

// listBenchRequests are the lists BenchmarkLists measures: %r is the
// template release, %d the product, %f the feature that holds the
// generated requirements, comments and to-dos, %t a recent time.
var listBenchRequests = []struct{ name, path string }{
	{"release_features_page_1", "/api/v1/releases/%r/features?per_page=30"},
	{"product_features_page_1", "/api/v1/products/%d/features?per_page=30"},
	{"product_epics_page_1", "/api/v1/products/%d/epics?per_page=30"},
	{"release_epics_page_1", "/api/v1/releases/%r/epics?per_page=30"},
	{"account_epics_page_1", "/api/v1/epics?per_page=30"},
	{"product_epics_q_rare", "/api/v1/products/%d/epics?q=" + RareWord},
	{"account_goals_page_1", "/api/v1/goals?per_page=30"},
	{"product_goals_page_1", "/api/v1/products/%d/goals?per_page=30"},
	{"product_goals_page_100", "/api/v1/products/%d/goals?page=100&per_page=5"},
	{"account_initiatives_page_1", "/api/v1/initiatives?per_page=30"},
	{"product_initiatives_page_1", "/api/v1/products/%d/initiatives?per_page=30"},
	{"product_initiatives_q_rare", "/api/v1/products/%d/initiatives?q=" + RareWord},
	{"requirements_page_1", "/api/v1/features/%f/requirements?per_page=30"},
	{"requirements_page_100", "/api/v1/features/%f/requirements?page=100&per_page=5"},
	{"requirements_q_rare", "/api/v1/features/%f/requirements?q=" + RareWord},
	{"requirements_updated_since", "/api/v1/features/%f/requirements?updated_since=%t"},
	{"product_todos_page_1", "/api/v1/products/%d/tasks?per_page=30"},
	{"feature_todos_page_1", "/api/v1/features/%f/tasks?per_page=30"},
	{"feature_comments_page_1", "/api/v1/features/%f/comments?per_page=30"},
	{"feature_comments_page_100", "/api/v1/features/%f/comments?page=100&per_page=5"},
	{"product_comments_page_1", "/api/v1/products/%d/comments?per_page=30"},
	{"product_comments_page_100", "/api/v1/products/%d/comments?page=100&per_page=5"},
}

// listBenchAccount is one account of BenchmarkLists: its API handler and
// the paths of the requests.
type listBenchAccount struct {
	h     http.Handler
	paths []string
}

// newListBenchAccount generates an account with n features in the
// template release and n copies of each record of GenerateLists.
func newListBenchAccount(b *testing.B, backend string, n int) *listBenchAccount {
	ctx := context.Background()
	dsn := testdb.EmptyDSN(b, backend)
	acc, err := Generate(ctx, dsn, 20)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := GenerateFeatures(ctx, dsn, acc, n); err != nil {
		b.Fatal(err)
	}
	la, err := GenerateLists(ctx, dsn, acc, n)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	a := &listBenchAccount{
		// Without the read cache: each request does the database's work.
		h: api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), ReadCacheBytes: -1}),
	}
	since := url.QueryEscape(time.UnixMilli(la.RecentSince).UTC().Format(time.RFC3339))
	r := strings.NewReplacer("%r", acc.Template.ReferenceNum, "%d", fmt.Sprint(Product), "%f", la.Feature.ReferenceNum, "%t", since)
	for _, c := range listBenchRequests {
		a.paths = append(a.paths, r.Replace(c.path))
	}
	return a
}

// get answers one request of the account and fails on anything but 200.
func (a *listBenchAccount) get(b *testing.B, i int) time.Duration {
	req := httptest.NewRequest("GET", a.paths[i], nil)
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	rec := httptest.NewRecorder()
	start := time.Now()
	a.h.ServeHTTP(rec, req)
	d := time.Since(start)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", a.paths[i], rec.Code, rec.Body)
	}
	return d
}

// median returns the middle of ds in microseconds.
func median(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return float64(m.Nanoseconds()) / 1e3
}

// BenchmarkLists measures the lists of features, epics, goals,
// initiatives, requirements, to-dos and comments through the API handler
// in process, on an account with 1,000 of each record in one scope (the
// template release, the product, one feature) and one with -lists of each
// (50,000 by default). The requests alternate between the two accounts, so
// that a swing of the machine's load falls on both, and each list reports
// the median time of a request on each and large_over_small, their ratio:
// 1 means the list costs the same however many records its scope holds.
func BenchmarkLists(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			accounts := []*listBenchAccount{newListBenchAccount(b, backend, 1000), newListBenchAccount(b, backend, *listsLarge)}
			for i, c := range listBenchRequests {
				b.Run(c.name, func(b *testing.B) {
					// The first answers of a statement prepare it: not measured.
					for _, a := range accounts {
						a.get(b, i)
						a.get(b, i)
					}
					var spent [2][]time.Duration
					k := 0
					for b.Loop() {
						side := k % 2
						k++
						spent[side] = append(spent[side], accounts[side].get(b, i))
					}
					if len(spent[0]) > 0 && len(spent[1]) > 0 {
						small, large := median(spent[0]), median(spent[1])
						b.ReportMetric(small, "small_us/req")
						b.ReportMetric(large, "large_us/req")
						b.ReportMetric(large/small, "large_over_small")
					}
				})
			}
		})
	}
}
