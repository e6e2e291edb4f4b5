// Command load measures roadmapd over HTTP on loopback against a static
// server in the same run: a server that returns the bytes of the same
// answers from memory is the limit, and each roadmapd figure is reported
// as a ratio of it. It also measures creates at -c clients and PUTs of one
// hot release against PUTs spread over many.
//
// With -history it also serves a database whose writes leave no history
// and one with a webhook that wants every change, delivered while the load
// runs by a worker in the process to a receiver in the process, and
// measures their creates and spread PUTs alternately with the first's,
// instead of the creates and the hot-row PUT alone (the target of history
// and webhooks: at least 0.8 of the writes without).
//
// With -compare-group-commit it also serves a second SQLite database whose
// store runs every write transaction alone (Options.SQLiteNoGroupCommit),
// and measures its creates and spread PUTs alternately with the first's.
//
//	go run ./bench/cmd/load -port 18400 -c 32 -d 5s [-pg postgres://...] [-only REGEXP] [-cpuprofile PATH] [-compare-group-commit] [-history]
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/roadmapd/roadmapd/bench"
	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
)

func main() {
	port := flag.Int("port", 18400, "first of the loopback ports used")
	clients := flag.Int("c", 32, "concurrent clients")
	dur := flag.Duration("d", 5*time.Second, "duration of each measurement")
	n := flag.Int("n", 1000, "generated releases")
	pgAdmin := flag.String("pg", "", "administrative PostgreSQL URL (empty: SQLite only)")
	only := flag.String("only", "", "run only the measurements whose names match this regular expression (a GET's static baseline runs with it)")
	rounds := flag.Int("rounds", 4, "rounds of each measurement, alternated with the measurement it is compared with; -d is the total of a measurement's rounds")
	conns := flag.Int("db-conns", 0, "connections of the server's pool: PostgreSQL's, or SQLite's readers (0: the server's defaults, 10 and 4, as roadmapd serve runs)")
	synchronous := flag.String("sqlite-synchronous", "full", "SQLite's synchronous setting for the server: full or normal")
	gz := flag.Bool("gzip", false, "ask for compressed answers, as Go's client does by default (the static server then sends the same answers compressed once); without it the clients ask for none, as wrk does")
	jsonServer := flag.String("json-server", "", "path of a json-server executable (0.17): GET one release is also measured against it, serving the same release from a JSON file")
	openRate := map[string]*float64{
		"sqlite":   flag.Float64("open-sqlite", 0, "also send creates in an open loop at this rate (per second) on SQLite, and report their latency from when each was due (0: not)"),
		"postgres": flag.Float64("open-pg", 0, "the same on PostgreSQL"),
	}
	history := flag.Bool("history", false, "measure creates and spread PUTs on a database without history and on one with a webhook and its worker too, alternately with the first's (instead of creates and the hot-row PUT alone)")
	calls := flag.Int("webhook-concurrency", 0, "with -history, the delivery worker's calls in flight (0: its default, as roadmapd serve runs it)")
	compareGC := flag.Bool("compare-group-commit", false, "on SQLite, also measure creates and spread PUTs on a second database with group commit off, alternately with the first's")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of each measurement but the static ones to this path, suffixed with the engine and the measurement's name")
	flag.Parse()
	client.Transport.(*http.Transport).DisableCompression = !*gz
	sel, err := regexp.Compile(*only)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	backends := []string{"sqlite"}
	if *pgAdmin != "" {
		backends = append(backends, "postgres")
	}
	p := *port
	for _, backend := range backends {
		dsn, drop := newDatabase(backend, *pgAdmin, "load")
		acc, err := bench.Generate(ctx, dsn, *n)
		if err != nil {
			log.Fatal(err)
		}
		db, err := store.Open(ctx, dsn, store.Options{MaxOpenConns: *conns, MaxIdleConns: *conns, SQLiteSynchronous: *synchronous})
		if err != nil {
			log.Fatal(err)
		}
		h := api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler)})
		base := serve(p, h)
		p++
		// off serves the second database of -compare-group-commit; empty
		// without it.
		var off string
		var offDB *store.DB
		dropOff := func() {}
		if *compareGC && backend == "sqlite" {
			var offDSN string
			offDSN, dropOff = newDatabase(backend, *pgAdmin, "load-nogc")
			if _, err := bench.Generate(ctx, offDSN, *n); err != nil {
				log.Fatal(err)
			}
			offDB, err = store.Open(ctx, offDSN, store.Options{MaxOpenConns: *conns, MaxIdleConns: *conns, SQLiteSynchronous: *synchronous, SQLiteNoGroupCommit: true})
			if err != nil {
				log.Fatal(err)
			}
			off = serve(p, api.New(offDB, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler)}))
			p++
		}
		one := base + "/api/v1/releases/" + acc.Sample
		page := fmt.Sprintf("%s/api/v1/products/%d/releases?per_page=30", base, bench.Product)
		oneBody, pageBody := get(one), get(page)
		oneSent, pageSent := oneBody, pageBody
		if *gz {
			oneSent, pageSent = gzipped(oneBody), gzipped(pageBody)
		}
		static := serve(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			if *gz {
				w.Header().Set("Content-Encoding", "gzip")
			}
			if r.URL.Path == "/page" {
				w.Write(pageSent)
				return
			}
			w.Write(oneSent)
		}))
		p++
		idle := rss()
		fmt.Printf("\n%s, %d clients, %v each, %d releases in the product\n\n", backend, *clients, *dur, *n)
		fmt.Printf("| measurement | req/s | p50 | p99 | ratio |\n|---|---|---|---|---|\n")
		// measure runs the measurements named (with their requests)
		// alternately, -rounds times each, so that a swing of the machine's
		// load falls on all of them alike; a measurement not selected by
		// -only is left out and its result is empty.
		measure := func(names []string, mks ...func(client, i int) *http.Request) []result {
			out := make([]sample, len(names))
			rounds := *rounds
			if *cpuprofile != "" {
				rounds = 1
			}
			for range rounds {
				for k, name := range names {
					if !strings.HasPrefix(name, "static") && !sel.MatchString(name) {
						continue
					}
					stop := func() {}
					if *cpuprofile != "" && !strings.HasPrefix(name, "static") {
						stop = profile(fmt.Sprintf("%s.%s.%s", *cpuprofile, backend, strings.ReplaceAll(name, " ", "_")))
					}
					out[k].add(run(*clients, *dur/time.Duration(rounds), mks[k]))
					stop()
				}
			}
			res := make([]result, len(out))
			for k := range out {
				res[k] = out[k].result()
			}
			return res
		}
		row := func(name string, r result, ref float64) {
			if r.rate == 0 {
				return
			}
			ratio := "-"
			if ref > 0 {
				ratio = fmt.Sprintf("%.2fx", r.rate/ref)
			}
			fmt.Printf("| %s | %.0f | %v | %v | %s |\n", name, r.rate, r.p50, r.p99, ratio)
		}
		if sel.MatchString("GET one release") {
			names := []string{"static one", "GET one release"}
			mks := []func(int, int) *http.Request{
				func(int, int) *http.Request { return req("GET", static+"/one", "") },
				func(int, int) *http.Request { return req("GET", one, "") },
			}
			if *jsonServer != "" {
				js, stop := startJSONServer(*jsonServer, p, oneBody)
				p++
				defer stop()
				names = append(names, "static json-server")
				mks = append(mks, func(int, int) *http.Request { return req("GET", js, "") })
			}
			r := measure(names, mks...)
			row(fmt.Sprintf("static bytes of one release (%d B)", len(oneBody)), r[0], 0)
			row("GET one release", r[1], r[0].rate)
			if len(r) > 2 {
				row("json-server GET of the same release", r[2], r[0].rate)
				row("GET one release / json-server", r[1], r[2].rate)
			}
		}
		if sel.MatchString("GET a page of 30") {
			r := measure([]string{"static page", "GET a page of 30"},
				func(int, int) *http.Request { return req("GET", static+"/page", "") },
				func(int, int) *http.Request { return req("GET", page, "") })
			row(fmt.Sprintf("static bytes of a page of 30 (%d B)", len(pageBody)), r[0], 0)
			row("GET a page of 30", r[1], r[0].rate)
		}
		createOn := func(base string) func(c, i int) *http.Request {
			return func(c, i int) *http.Request {
				return req("POST", fmt.Sprintf("%s/api/v1/products/%d/releases", base, bench.Product), fmt.Sprintf(`{"release":{"name":"Load %d-%d"}}`, c, i))
			}
		}
		spreadOn := func(base string) func(c, i int) *http.Request {
			return func(c, i int) *http.Request {
				key := fmt.Sprintf("PRJ1-R-%d", 10+(c*97+i)%(*n-20))
				return req("PUT", base+"/api/v1/releases/"+key, fmt.Sprintf(`{"release":{"name":"Spread %d"}}`, i))
			}
		}
		hot := func(c, i int) *http.Request {
			return req("PUT", one, fmt.Sprintf(`{"release":{"name":"Hot %d-%d"}}`, c, i))
		}
		commits0, txs0 := db.GroupCommits()
		if *history {
			hs := newHistorySides(ctx, backend, *pgAdmin, *n, *conns, *synchronous, p, *calls)
			p += 3
			for _, m := range []struct {
				name string
				mk   func(string) func(c, i int) *http.Request
			}{{"POST create", createOn}, {"PUT spread", spreadOn}} {
				if !sel.MatchString(m.name) {
					continue
				}
				r := hs.measure(ctx, *clients, *dur, *rounds, m.mk(hs.plain), m.mk(base), m.mk(hs.hooked))
				row(m.name+" without history", r[0], 0)
				row(m.name+" / without history", r[1], r[0].rate)
				row(m.name+" with a webhook, while it delivers / without history", r[2], r[0].rate)
				row(m.name+" with a webhook, until all is delivered / without history", r[3], r[0].rate)
			}
			hs.stop()
		} else if off == "" {
			create := measure([]string{"POST create"}, createOn(base))
			row("POST create", create[0], 0)
			puts := measure([]string{"PUT spread over releases", "PUT one hot release"}, spreadOn(base), hot)
			row("PUT spread over releases", puts[0], 0)
			row("PUT one hot release", puts[1], puts[0].rate)
		} else {
			create := measure([]string{"POST create group commit off", "POST create"}, createOn(off), createOn(base))
			row("POST create, group commit off", create[0], 0)
			row("POST create / group commit off", create[1], create[0].rate)
			puts := measure([]string{"PUT spread group commit off", "PUT spread over releases", "PUT one hot release"}, spreadOn(off), spreadOn(base), hot)
			row("PUT spread, group commit off", puts[0], 0)
			row("PUT spread over releases / group commit off", puts[1], puts[0].rate)
			row("PUT one hot release / spread", puts[2], puts[1].rate)
		}
		if rate := *openRate[backend]; rate > 0 && sel.MatchString("POST create") {
			open := runOpen(rate, *dur, func(c, i int) *http.Request {
				return req("POST", fmt.Sprintf("%s/api/v1/products/%d/releases", base, bench.Product), fmt.Sprintf(`{"release":{"name":"Open %d"}}`, i))
			}).result()
			row(fmt.Sprintf("POST create, open loop at %.0f/s", rate), open, 0)
		}
		if commits, txs := db.GroupCommits(); commits > commits0 {
			fmt.Printf("\nGroup commit: %d commits held %d write transactions (%.1f each)\n", commits-commits0, txs-txs0, float64(txs-txs0)/float64(commits-commits0))
		}
		fmt.Printf("\nRSS of the process (server and load generator): idle %d MiB, after the load %d MiB (%.2fx)\n", idle>>20, rss()>>20, float64(rss())/float64(idle))
		db.Close()
		drop()
		if offDB != nil {
			offDB.Close()
		}
		dropOff()
	}
}

type result struct {
	rate     float64
	p50, p99 time.Duration
}

// sample is what one or more runs of a measurement counted.
type sample struct {
	ok      int64
	elapsed time.Duration
	lat     []time.Duration
}

func (s *sample) add(o sample) {
	s.ok += o.ok
	s.elapsed += o.elapsed
	s.lat = append(s.lat, o.lat...)
}

// result is the rate of successful answers and their latency quantiles.
func (s sample) result() result {
	if s.elapsed == 0 {
		return result{}
	}
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	r := result{rate: float64(s.ok) / s.elapsed.Seconds()}
	if len(s.lat) > 0 {
		r.p50 = s.lat[len(s.lat)/2].Round(10 * time.Microsecond)
		r.p99 = s.lat[len(s.lat)*99/100].Round(10 * time.Microsecond)
	}
	return r
}

// profile starts a CPU profile into path and returns the function that
// ends it.
func profile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// startJSONServer runs json-server at bin on port, serving the release of
// body (a release's answer) from a JSON file, and returns the URL of that
// release and the function that stops it.
func startJSONServer(bin string, port int, body []byte) (string, func()) {
	var doc struct {
		Release map[string]any `json:"release"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "load-json-server")
	if err != nil {
		log.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{"releases": []any{doc.Release}})
	file := filepath.Join(dir, "db.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(bin, "--quiet", "--port", strconv.Itoa(port), file)
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	u := fmt.Sprintf("http://127.0.0.1:%d/releases/%v", port, doc.Release["id"])
	for i := 0; ; i++ {
		resp, err := client.Do(req("GET", u, ""))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 100 {
			log.Fatalf("json-server did not answer %s", u)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return u, func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
}

// gzipped compresses b at gzip's fastest level, as roadmapd does.
func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}

func req(method, u, body string) *http.Request {
	r, _ := http.NewRequest(method, u, bytes.NewBufferString(body))
	r.Header.Set("Authorization", "Bearer "+demo.Token)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// run sends requests from c clients in a closed loop for d and returns
// what it counted.
func run(c int, d time.Duration, mk func(client, i int) *http.Request) sample {
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for k := 0; k < c; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				resp, err := client.Do(mk(k, i))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 300 {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(k)
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		log.Printf("%d requests failed", f)
	}
	return sample{ok: ok.Load(), elapsed: time.Since(start), lat: lat}
}

func get(u string) []byte {
	resp, err := client.Do(req("GET", u, ""))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		log.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return b
}

func serve(port int, h http.Handler) string {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String()
}

// rss returns the resident set size of this process in bytes.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res int64
	fmt.Sscan(string(b), &size, &res)
	return res * int64(os.Getpagesize())
}

// newDatabase makes an empty database for the run, or ends the program.
func newDatabase(backend, admin, prefix string) (string, func()) {
	dsn, drop, err := bench.NewDatabase(backend, admin, prefix)
	if err != nil {
		log.Fatal(err)
	}
	return dsn, drop
}
