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
		var envs [2]*env
		for i, n := range []int{*small, *large} {
			dsn, drop := newDatabase(backend, *pgAdmin, "scale")
			t0 := time.Now()
			acc, err := bench.Generate(ctx, dsn, n)
			if err != nil {
				log.Fatalf("%s N=%d: %v", backend, n, err)
			}
			log.Printf("%s: generated %d releases in %v", backend, n, time.Since(t0).Round(time.Millisecond))
			envs[i] = open(ctx, dsn, acc)
			if *keep {
				log.Printf("%s N=%d kept at %s", backend, n, dsn)
			} else {
				defer drop()
			}
		}
		res, order := measure(ctx, envs, *iters)
		for _, e := range envs {
			e.db.Close()
		}
		fmt.Printf("\n%s, p50 of %d requests (in process, one client; the two accounts alternate)\n\n", backend, *iters)
		fmt.Printf("| operation | N=%d | N=%d | ratio |\n|---|---|---|---|\n", *small, *large)
		for _, op := range order {
			a, b := res[0][op], res[1][op]
			fmt.Printf("| %s | %v | %v | %.2fx |\n", op, a.Round(time.Microsecond), b.Round(time.Microsecond), float64(b)/float64(a))
		}
	}
}

// env is one generated account, its store and its API.
type env struct {
	dsn string
	acc *bench.Account
	db  *store.DB
	h   http.Handler
}

func open(ctx context.Context, dsn string, acc *bench.Account) *env {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// Without the read cache: each request does the database's work.
	h := api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
	return &env{dsn: dsn, acc: acc, db: db, h: h}
}

// measure times each operation on both accounts, one request on each in
// turn, so that a swing of the machine's load falls on both alike.
func measure(ctx context.Context, envs [2]*env, iters int) ([2]map[string]time.Duration, []string) {
	out := [2]map[string]time.Duration{{}, {}}
	var order []string
	// Start-up: opening the store (migrations and the name_fold check).
	var opens [2][]time.Duration
	for i := 0; i < 10; i++ {
		e := envs[i%2]
		t0 := time.Now()
		db, err := store.Open(ctx, e.dsn, store.Options{})
		if err != nil {
			log.Fatal(err)
		}
		if err := db.Ping(ctx); err != nil {
			log.Fatal(err)
		}
		opens[i%2] = append(opens[i%2], time.Since(t0))
		db.Close()
	}
	for k := range envs {
		out[k]["start-up (open, ping)"] = median(opens[k])
	}
	order = append(order, "start-up (open, ping)")

	type op struct{ name, method, path, body string }
	ops := func(acc *bench.Account) []op {
		since := url.QueryEscape(time.UnixMilli(acc.RecentSince).UTC().Format(time.RFC3339))
		list := fmt.Sprintf("/api/v1/products/%d/releases", bench.Product)
		return []op{
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
	}
	both := [2][]op{ops(envs[0].acc), ops(envs[1].acc)}
	for j := range both[0] {
		var ds [2][]time.Duration
		for i := 0; i < 2*(iters+3); i++ {
			k := i % 2
			o := both[k][j]
			body := o.body
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, i)
			}
			req := httptest.NewRequest(o.method, o.path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+demo.Token)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			t0 := time.Now()
			envs[k].h.ServeHTTP(rec, req)
			d := time.Since(t0)
			if rec.Code >= 300 {
				log.Fatalf("%s %s: %d %s", o.method, o.path, rec.Code, rec.Body.String())
			}
			if i >= 6 {
				ds[k] = append(ds[k], d)
			}
		}
		for k := range envs {
			out[k][both[k][j].name] = median(ds[k])
		}
		order = append(order, both[0][j].name)
	}
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
