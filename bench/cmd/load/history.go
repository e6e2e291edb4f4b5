package main

import (
	"context"
	"database/sql"
	"log"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/roadmapd/roadmapd/bench"
	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/store/migrations"
	"github.com/roadmapd/roadmapd/internal/webhook"
)

// historySides are the two databases that -history measures the server's
// database against: one whose writes leave no history (as before history
// was built), and one with a webhook that wants every change, whose
// deliveries a worker in this process sends to a receiver in this process
// while the load runs, as roadmapd serve does.
type historySides struct {
	plain, hooked     string
	plainDB, hookedDB *store.DB
	stop              func()
	mu                sync.Mutex
	received          map[string]bool
	// before is the number of audits the webhook's database held when the
	// webhook was made, which are not delivered.
	before int
}

// newHistorySides generates the two databases of n releases and serves
// them, from port on (it takes three ports); the webhook's worker makes
// calls in flight at once (0: its default, as roadmapd serve runs it).
func newHistorySides(ctx context.Context, backend, admin string, n, conns int, synchronous string, port, calls int) *historySides {
	s := &historySides{received: map[string]bool{}}
	var drops []func()
	open := func(prefix string, opt store.Options) (string, *store.DB) {
		dsn, drop := newDatabase(backend, admin, prefix)
		drops = append(drops, drop)
		if _, err := bench.Generate(ctx, dsn, n); err != nil {
			log.Fatal(err)
		}
		opt.MaxOpenConns, opt.MaxIdleConns, opt.SQLiteSynchronous = conns, conns, synchronous
		db, err := store.Open(ctx, dsn, opt)
		if err != nil {
			log.Fatal(err)
		}
		return dsn, db
	}
	plainDSN, plainDB := open("load_plain", store.Options{SQLiteNoJournal: true})
	if backend == "postgres" {
		raw, err := sql.Open("pgx", plainDSN)
		if err != nil {
			log.Fatal(err)
		}
		if err := migrations.DropPostgresJournal(ctx, raw); err != nil {
			log.Fatal(err)
		}
		raw.Close()
	}
	_, hookedDB := open("load_hook", store.Options{})
	s.plainDB, s.hookedDB = plainDB, hookedDB
	logger := slog.New(slog.DiscardHandler)
	s.plain = serve(port, api.New(plainDB, api.Config{BaseURL: "http://bench.example", Logger: logger}))
	receiver := serve(port+1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.received[r.Header.Get(webhook.DeliveryHeader)] = true
		s.mu.Unlock()
	}))
	_, before, err := hookedDB.Audits(ctx, roadmap.AuditFilter{Page: roadmap.Page{Page: 1, PerPage: 1}})
	if err != nil {
		log.Fatal(err)
	}
	s.before = before
	if _, err := hookedDB.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some(receiver + "/hook")}); err != nil {
		log.Fatal(err)
	}
	hookedAPI := api.New(hookedDB, api.Config{BaseURL: "http://bench.example", Logger: logger})
	s.hooked = serve(port+2, hookedAPI)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&webhook.Worker{Store: hookedDB, Render: hookedAPI.AuditJSON, Concurrency: calls}).Run(wctx)
	}()
	s.stop = func() {
		cancel()
		<-done
		plainDB.Close()
		hookedDB.Close()
		for _, drop := range drops {
			drop()
		}
	}
	return s
}

// measure runs the writes of mks on the three databases (without history,
// the server's, with a webhook), rounds times each, alternately, and
// returns their results and a fourth: the webhook's writes with the time
// the receiver then took to have every audit written. Each round on the
// webhook's database waits for that, so that the delivery worker's work
// falls on the writes that made it, not on the next measurement's; the
// third result is the rate while the worker delivers beside the writes.
func (s *historySides) measure(ctx context.Context, clients int, d time.Duration, rounds int, mks ...func(c, i int) *http.Request) []result {
	out := make([]sample, len(mks)+1)
	for range rounds {
		for k, mk := range mks {
			r := run(clients, d/time.Duration(rounds), mk)
			out[k].add(r)
			if k == 2 {
				r.elapsed += s.caughtUp(ctx, time.Minute)
				out[3].add(r)
			}
		}
	}
	res := make([]result, len(out))
	for k := range out {
		res[k] = out[k].result()
	}
	return res
}

// caughtUp waits, for at most limit, until the receiver has had every
// audit of the webhook's database written since it was made, and returns
// how long that took.
func (s *historySides) caughtUp(ctx context.Context, limit time.Duration) time.Duration {
	_, total, err := s.hookedDB.Audits(ctx, roadmap.AuditFilter{Page: roadmap.Page{Page: 1, PerPage: 1}})
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	for {
		s.mu.Lock()
		got := len(s.received)
		s.mu.Unlock()
		if got >= total-s.before {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			log.Fatalf("the receiver had %d of %d audits %v after the writes", got, total-s.before, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
