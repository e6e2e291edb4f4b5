package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/store/migrations"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// historyServer is an API handler over a demo database, with history on or
// with the journal's triggers removed (writes as they were before history).
type historyServer struct {
	h  http.Handler
	db *store.DB
	// hook is the webhook endpoint that wants every change, or 0.
	hook int64
}

func newHistoryServer(b *testing.B, backend string, history, webhook bool) *historyServer {
	ctx := context.Background()
	dsn := testdb.DSN(b, backend)
	db, err := store.Open(ctx, dsn, store.Options{SQLiteNoJournal: !history})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		b.Fatal(err)
	}
	var hook int64
	if webhook {
		// An endpoint that wants every change (no worker runs here:
		// delivery is not the write's; queueing the deliveries is, see
		// queue).
		h, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/roadmap")})
		if err != nil {
			b.Fatal(err)
		}
		hook = h.ID
	}
	if !history && store.IsPostgres(dsn) {
		raw, err := openRaw(dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		if err := migrations.DropPostgresJournal(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
	return &historyServer{h: api.New(db, api.Config{BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler)}), db: db, hook: hook}
}

// queue queues the deliveries of the writes so far, as the delivery
// worker does when it polls: it queues them from the audits, in batches,
// off the write's path.
func (s *historyServer) queue(b *testing.B) {
	if s.hook == 0 {
		return
	}
	if _, _, err := s.db.WebhookDeliveries(context.Background(), roadmap.DeliveryFilter{WebhookID: s.hook, Page: roadmap.Page{Page: 1, PerPage: 1}}); err != nil {
		b.Fatal(err)
	}
}

func (s *historyServer) do(b *testing.B, method, path, body string, want int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

// BenchmarkHistoryWrites measures writes through the API with history on,
// and with history and a webhook that wants every change, against the same
// writes without history, on three databases taking turns write by write
// (so that a swing of the machine's load falls on the three alike), and
// reports each side's writes per second and the ratios (history_ratio,
// webhook_ratio: 1 means it costs nothing). The webhook side's time
// includes queueing the deliveries of every 100 writes, as the delivery
// worker would.
func BenchmarkHistoryWrites(b *testing.B) {
	writes := []struct {
		name string
		do   func(b *testing.B, s *historyServer, i int)
	}{
		{"put_release", func(b *testing.B, s *historyServer, i int) {
			s.do(b, "PUT", "/api/v1/releases/PRJ1-R-1", fmt.Sprintf(`{"release":{"name":"Release %d","theme":"Theme %d"}}`, i, i), 200)
		}},
		{"create_feature", func(b *testing.B, s *historyServer, i int) {
			s.do(b, "POST", "/api/v1/releases/PRJ1-R-2/features", fmt.Sprintf(`{"feature":{"name":"Feature %d","description":"About %d"}}`, i, i), 201)
		}},
	}
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			for _, w := range writes {
				b.Run(w.name, func(b *testing.B) {
					sides := []*historyServer{newHistoryServer(b, backend, false, false), newHistoryServer(b, backend, true, false), newHistoryServer(b, backend, true, true)}
					var spent [3]time.Duration
					var n [3]int
					i := 0
					for b.Loop() {
						side := i % 3
						start := time.Now()
						w.do(b, sides[side], i)
						if n[side]%100 == 99 {
							sides[side].queue(b)
						}
						spent[side] += time.Since(start)
						n[side]++
						i++
					}
					if n[0] == 0 || n[1] == 0 || n[2] == 0 {
						return
					}
					rate := func(k int) float64 { return float64(n[k]) / spent[k].Seconds() }
					b.ReportMetric(rate(0), "before_writes/s")
					b.ReportMetric(rate(1), "history_writes/s")
					b.ReportMetric(rate(2), "webhook_writes/s")
					b.ReportMetric(rate(1)/rate(0), "history_ratio")
					b.ReportMetric(rate(2)/rate(0), "webhook_ratio")
				})
			}
		})
	}
}
