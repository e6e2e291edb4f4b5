// Command scale builds two accounts, of -small and -large releases in one
// product, on SQLite and PostgreSQL, and prints the median time of each
// list, read, write and start-up at both sizes with their ratio.
//
//	go run ./bench/cmd/scale -small 1000 -large 100000 -pg postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/roadmapd/roadmapd/bench"
	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
)

func main() {
	small := flag.Int("small", 1000, "releases of the small account")
	large := flag.Int("large", 100000, "releases of the large account")
	pgAdmin := flag.String("pg", "", "administrative PostgreSQL URL (empty: SQLite only)")
	iters := flag.Int("n", 30, "timed requests per operation")
	keep := flag.Bool("keep", false, "keep the databases and print their DSNs, to inspect their plans")
	flag.Parse()
	ctx := context.Background()
	backends := []string{"sqlite"}
	if *pgAdmin != "" {
		backends = append(backends, "postgres")
	}
	for _, backend := range backends {
		var res [2]map[string]time.Duration
		var order []string
		for i, n := range []int{*small, *large} {
			dsn, drop := newDatabase(backend, *pgAdmin, "scale")
			t0 := time.Now()
			acc, err := bench.Generate(ctx, dsn, n)
			if err != nil {
				log.Fatalf("%s N=%d: %v", backend, n, err)
			}
			log.Printf("%s: generated %d releases in %v", backend, n, time.Since(t0).Round(time.Millisecond))
			res[i], order = measure(ctx, dsn, acc, *iters)
			if *keep {
				log.Printf("%s N=%d kept at %s", backend, n, dsn)
			} else {
				drop()
			}
		}
		fmt.Printf("\n%s, p50 of %d requests (in process, one client)\n\n", backend, *iters)
		fmt.Printf("| operation | N=%d | N=%d | ratio |\n|---|---|---|---|\n", *small, *large)
		for _, op := range order {
			a, b := res[0][op], res[1][op]
			fmt.Printf("| %s | %v | %v | %.2fx |\n", op, a.Round(time.Microsecond), b.Round(time.Microsecond), float64(b)/float64(a))
		}
	}
}

func measure(ctx context.Context, dsn string, acc *bench.Account, iters int) (map[string]time.Duration, []string) {
	out := map[string]time.Duration{}
	var order []string
	// Start-up: opening the store (migrations and the name_fold check).
	var opens []time.Duration
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			log.Fatal(err)
		}
		if err := db.Ping(ctx); err != nil {
			log.Fatal(err)
		}
		opens = append(opens, time.Since(t0))
		db.Close()
	}
	out["start-up (open, ping)"] = median(opens)
	order = append(order, "start-up (open, ping)")

	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	// Without the read cache: each request does the database's work.
	h := api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
	since := url.QueryEscape(time.UnixMilli(acc.RecentSince).UTC().Format(time.RFC3339))
	list := fmt.Sprintf("/api/v1/products/%d/releases", bench.Product)
	ops := []struct{ name, method, path, body string }{
		{"GET by key", "GET", "/api/v1/releases/" + acc.Sample, ""},
		{"PUT", "PUT", "/api/v1/releases/" + acc.Sample, `{"release":{"name":"Renamed %d"}}`},
		{"create", "POST", list, `{"release":{"name":"Created %d"}}`},
		{"list page 1 (30)", "GET", list + "?per_page=30", ""},
		{"list page 100 (5)", "GET", list + "?page=100&per_page=5", ""},
		{"exclude_shipped", "GET", list + "?exclude_shipped=true", ""},
		{"parking_lot", "GET", list + "?parking_lot=true", ""},
		{"q rare word", "GET", list + "?q=" + bench.RareWord, ""},
		{"updated_since recent", "GET", list + "?updated_since=" + since, ""},
	}
	for _, op := range ops {
		var ds []time.Duration
		for i := 0; i < iters+3; i++ {
			body := op.body
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, i)
			}
			req := httptest.NewRequest(op.method, op.path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+demo.Token)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(rec, req)
			d := time.Since(t0)
			if rec.Code >= 300 {
				log.Fatalf("%s %s: %d %s", op.method, op.path, rec.Code, rec.Body.String())
			}
			if i >= 3 {
				ds = append(ds, d)
			}
		}
		out[op.name] = median(ds)
		order = append(order, op.name)
	}
	_ = http.MethodGet
	return out, order
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// newDatabase makes an empty database for the run, or ends the program.
func newDatabase(backend, admin, prefix string) (string, func()) {
	dsn, drop, err := bench.NewDatabase(backend, admin, prefix)
	if err != nil {
		log.Fatal(err)
	}
	return dsn, drop
}
