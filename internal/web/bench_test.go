package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// BenchmarkPages renders a product roadmap of 200 releases and a release
// page of 200 features, and reports each as a ratio to the API's JSON list
// of the same 200 releases, timed in the same loop:
//
//	go test ./internal/web -run '^$' -bench BenchmarkPages -benchtime 50x
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		b.Fatal(err)
	}
	p, err := db.CreateProduct(ctx, demo.Mary, true, roadmap.ProductInput{Name: roadmap.Some("Bench"), ReferencePrefix: roadmap.Some("BENCH")})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var first *roadmap.Release
	for i := 0; i < 200; i++ {
		r, err := db.CreateRelease(ctx, p.ID, demo.Mary, roadmap.ReleaseInput{
			Name:        roadmap.Some(fmt.Sprintf("Release %d", i)),
			StartDate:   roadmap.Some(roadmap.Today(start.AddDate(0, 0, i))),
			ReleaseDate: roadmap.Some(roadmap.Today(start.AddDate(0, 0, i+30))),
		})
		if err != nil {
			b.Fatal(err)
		}
		if first == nil {
			first = r
		}
	}
	for i := 0; i < 200; i++ {
		if _, err := db.CreateFeature(ctx, first.ID, demo.Mary, roadmap.FeatureInput{
			Name: roadmap.Some(fmt.Sprintf("Feature %d", i)), Release: roadmap.Some(strconv.FormatInt(first.ID, 10)),
			InitialEstimateText: roadmap.Some("2d"),
		}); err != nil {
			b.Fatal(err)
		}
	}
	tok := roadmap.NewToken()
	if err := db.CreateSession(ctx, demo.Mary, roadmap.HashToken(tok)); err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	apiH := api.New(db, api.Config{BaseURL: "http://bench", Logger: logger})
	webH := New(db, Config{BaseURL: "http://bench", Logger: logger, Now: func() time.Time { return start.AddDate(0, 3, 0) }})

	get := func(h http.Handler, path string, auth func(*http.Request)) time.Duration {
		r := httptest.NewRequest(http.MethodGet, "http://bench"+path, nil)
		auth(r)
		w := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(t0)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
		return d
	}
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+demo.Token) }
	cookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CookieName, Value: tok}) }
	roadmapPath := "/projects/BENCH?from=2026-01-01&to=2026-12-31"
	releasePath := "/releases/" + first.ReferenceNum

	var apiT, roadmapT, releaseT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		apiT += get(apiH, "/api/v1/products/BENCH/releases?per_page=200", bearer)
		roadmapT += get(webH, roadmapPath, cookie)
		releaseT += get(webH, releasePath, cookie)
	}
	n := float64(b.N)
	b.ReportMetric(float64(apiT.Microseconds())/n, "api-list-µs/op")
	b.ReportMetric(float64(roadmapT.Microseconds())/n, "roadmap-µs/op")
	b.ReportMetric(float64(releaseT.Microseconds())/n, "release-µs/op")
	b.ReportMetric(float64(roadmapT)/float64(apiT), "roadmap/api")
	b.ReportMetric(float64(releaseT)/float64(apiT), "release/api")
}
