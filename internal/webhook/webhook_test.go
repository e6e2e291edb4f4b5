package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
	"github.com/roadmapd/roadmapd/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// clock is a time source that moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// call is one request a receiver got.
type call struct {
	Delivery    string
	Signature   string
	ContentType string
	Body        []byte
}

// receiver is a local webhook endpoint; answer decides the status of each
// call (nil: 200).
type receiver struct {
	mu     sync.Mutex
	calls  []call
	answer func(n int, w http.ResponseWriter) bool
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.calls = append(rc.calls, call{r.Header.Get(webhook.DeliveryHeader), r.Header.Get(webhook.SignatureHeader), r.Header.Get("Content-Type"), body})
		n, answer := len(rc.calls), rc.answer
		rc.mu.Unlock()
		if answer != nil && answer(n, w) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) got() []call {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]call(nil), rc.calls...)
}

// env is a demo database, a clock shared by the store and the worker, and
// a worker whose audits render as their ID, type and changes.
type env struct {
	db  *store.DB
	clk *clock
	w   *webhook.Worker
	ctx context.Context
}

func newEnv(t *testing.T, backend string) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, demodb.DSN(t, backend), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db.Now = clk.Now
	w := &webhook.Worker{
		Store:   db,
		Render:  renderForTest,
		Timeout: 2 * time.Second,
		Now:     clk.Now,
	}
	return &env{db: db, clk: clk, w: w, ctx: roadmap.WithActor(ctx, demo.Mary)}
}

func renderForTest(a *roadmap.Audit) ([]byte, error) {
	changes := map[string]string{}
	for _, c := range a.Changes {
		changes[c.FieldName] = c.New
	}
	return json.Marshal(map[string]any{"id": strconv.FormatInt(a.ID, 10), "auditable_type": a.AuditableType, "auditable_id": a.AuditableID, "changes": changes})
}

// body is a delivery's body as renderForTest made it.
type body struct {
	Event string `json:"event"`
	Audit struct {
		ID            string            `json:"id"`
		AuditableType string            `json:"auditable_type"`
		AuditableID   int64             `json:"auditable_id"`
		Changes       map[string]string `json:"changes"`
	} `json:"audit"`
}

func decode(t *testing.T, c call) body {
	t.Helper()
	var b body
	if err := json.Unmarshal(c.Body, &b); err != nil {
		t.Fatalf("delivery body %s: %v", c.Body, err)
	}
	return b
}

func (e *env) hook(t *testing.T, url, secret string, types ...string) *roadmap.Webhook {
	t.Helper()
	in := roadmap.WebhookInput{URL: roadmap.Some(url), Secret: roadmap.Some(secret)}
	if types != nil {
		in.RecordTypes = roadmap.Some(types)
	}
	h, err := e.db.CreateWebhook(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (e *env) rename(t *testing.T, key, name string) {
	t.Helper()
	rel, err := e.db.Release(e.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpdateRelease(e.ctx, rel.ID, roadmap.ReleaseInput{Name: roadmap.Some(name)}); err != nil {
		t.Fatal(err)
	}
}

// drain runs the worker until nothing is due.
func (e *env) drain(t *testing.T) {
	t.Helper()
	for i := 0; i < 100; i++ {
		n, err := e.w.RunOnce(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("deliveries still due after 100 rounds")
}

func (e *env) deliveries(t *testing.T, hookID int64) []*roadmap.WebhookDelivery {
	t.Helper()
	ds, _, err := e.db.WebhookDeliveries(e.ctx, roadmap.DeliveryFilter{WebhookID: hookID, Page: roadmap.Page{Page: 1, PerPage: 200}})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, backend))
		})
	}
}

// TestDeliveriesAreSignedAndInOrderPerRecord changes two releases several
// times: each change reaches the receiver once, signed, with its audit's
// ID, and the changes of one release arrive in commit order although the
// worker sends several deliveries at once.
func TestDeliveriesAreSignedAndInOrderPerRecord(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rc := newReceiver(t)
		e.hook(t, rc.srv.URL+"/hook", "s3cret")
		for i := 1; i <= 5; i++ {
			e.rename(t, "PRJ1-R-1", fmt.Sprintf("First %d", i))
			e.rename(t, "PRJ1-R-2", fmt.Sprintf("Second %d", i))
		}
		e.drain(t)
		calls := rc.got()
		if len(calls) != 10 {
			t.Fatalf("%d calls, want 10", len(calls))
		}
		names := map[int64][]string{}
		for _, c := range calls {
			if c.Signature != webhook.Sign("s3cret", c.Body) {
				t.Errorf("signature %q does not sign the body", c.Signature)
			}
			if c.ContentType != "application/json" {
				t.Errorf("Content-Type %q", c.ContentType)
			}
			b := decode(t, c)
			if b.Event != "audit" || b.Audit.ID != c.Delivery || b.Audit.AuditableType != "release" {
				t.Errorf("delivery %q: body %s", c.Delivery, c.Body)
			}
			names[b.Audit.AuditableID] = append(names[b.Audit.AuditableID], b.Audit.Changes["Name"])
		}
		r1, _ := e.db.Release(e.ctx, "PRJ1-R-1")
		r2, _ := e.db.Release(e.ctx, "PRJ1-R-2")
		for prefix, id := range map[string]int64{"First": r1.ID, "Second": r2.ID} {
			want := []string{prefix + " 1", prefix + " 2", prefix + " 3", prefix + " 4", prefix + " 5"}
			if fmt.Sprint(names[id]) != fmt.Sprint(want) {
				t.Errorf("names delivered for %s, in the order received: %v, want %v", prefix, names[id], want)
			}
		}
		// The HMAC of a body with a known key, as a receiver computes it.
		if got := webhook.Sign("key", []byte("The quick brown fox jumps over the lazy dog")); got != "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" {
			t.Errorf("Sign = %s", got)
		}
	})
}

// TestHeldBackBehindAnEarlierDelivery checks the order rule in the store:
// while the first change of a record waits for a retry, its later changes
// are not claimed; another record's are.
func TestHeldBackBehindAnEarlierDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rc := newReceiver(t)
		h := e.hook(t, rc.srv.URL, "")
		e.rename(t, "PRJ1-R-1", "A1")
		e.rename(t, "PRJ1-R-1", "A2")
		e.rename(t, "PRJ1-R-2", "B1")
		claimed, err := e.db.ClaimWebhookDeliveries(e.ctx, e.clk.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) != 2 {
			t.Fatalf("claimed %d deliveries, want 2 (the first of each release)", len(claimed))
		}
		again, err := e.db.ClaimWebhookDeliveries(e.ctx, e.clk.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 0 {
			t.Fatalf("a second claim took %d deliveries while the first are leased", len(again))
		}
		for _, d := range claimed {
			if d.Webhook == nil || d.Webhook.ID != h.ID || d.Status != roadmap.DeliveryDelivering || d.Attempts != 1 {
				t.Fatalf("claimed %+v", d)
			}
		}
		// The first of release 1 fails and waits a minute: its successor
		// stays held back.
		first := claimed[0]
		if err := e.db.FinishWebhookDeliveries(e.ctx, []*roadmap.WebhookDelivery{first}, []roadmap.DeliveryOutcome{roadmap.DeliveryOutcome{StatusCode: 500, Error: "answered 500", RetryAt: e.clk.Now().Add(time.Minute)}}); err != nil {
			t.Fatal(err)
		}
		if err := e.db.FinishWebhookDeliveries(e.ctx, []*roadmap.WebhookDelivery{claimed[1]}, []roadmap.DeliveryOutcome{roadmap.DeliveryOutcome{Delivered: true, StatusCode: 200}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.db.ClaimWebhookDeliveries(e.ctx, e.clk.Now(), 10, time.Minute); len(got) != 0 {
			t.Fatalf("claimed %d deliveries while the first of their record waits for its retry", len(got))
		}
		e.clk.Add(time.Minute)
		got, err := e.db.ClaimWebhookDeliveries(e.ctx, e.clk.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != first.ID || got[0].Attempts != 2 {
			t.Fatalf("after the pause claimed %+v, want the first delivery again", got)
		}
	})
}

// TestRetriesOn500AndTimeout: a 500, then no answer within the timeout,
// then a 2xx; the delivery is retried after growing pauses and ends
// delivered after three attempts, the log showing each failure on the way.
func TestRetriesOn500AndTimeout(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.w.Timeout = 300 * time.Millisecond
		rc := newReceiver(t)
		rc.answer = func(n int, w http.ResponseWriter) bool {
			switch n {
			case 1:
				w.WriteHeader(http.StatusInternalServerError)
				return true
			case 2:
				time.Sleep(time.Second)
			}
			return false
		}
		h := e.hook(t, rc.srv.URL, "k")
		e.rename(t, "PRJ1-R-1", "Retried")

		e.drain(t)
		ds := e.deliveries(t, h.ID)
		if len(ds) != 1 || ds[0].Status != roadmap.DeliveryPending || ds[0].Attempts != 1 || ds[0].LastStatusCode != 500 || ds[0].LastError != "answered 500" {
			t.Fatalf("after a 500: %+v", ds[0])
		}
		pause := ds[0].NextAttemptAt.Sub(e.clk.Now())
		if pause < webhook.FirstRetry/2 || pause > webhook.FirstRetry {
			t.Fatalf("first retry in %v, want within [%v, %v]", pause, webhook.FirstRetry/2, webhook.FirstRetry)
		}
		e.drain(t)
		if len(rc.got()) != 1 {
			t.Fatalf("retried before its time: %d calls", len(rc.got()))
		}

		e.clk.Add(webhook.FirstRetry)
		e.drain(t)
		ds = e.deliveries(t, h.ID)
		if ds[0].Status != roadmap.DeliveryPending || ds[0].Attempts != 2 || ds[0].LastStatusCode != 0 || !strings.Contains(ds[0].LastError, "no answer within 300ms") {
			t.Fatalf("after a timeout: %+v", ds[0])
		}
		pause = ds[0].NextAttemptAt.Sub(e.clk.Now())
		if pause < webhook.FirstRetry || pause > 2*webhook.FirstRetry {
			t.Fatalf("second retry in %v, want within [%v, %v]", pause, webhook.FirstRetry, 2*webhook.FirstRetry)
		}

		e.clk.Add(2 * webhook.FirstRetry)
		e.drain(t)
		ds = e.deliveries(t, h.ID)
		if ds[0].Status != roadmap.DeliveryDelivered || ds[0].Attempts != 3 || ds[0].LastStatusCode != 204 || ds[0].LastError != "" || ds[0].DeliveredAt == nil {
			t.Fatalf("after a 204: %+v", ds[0])
		}
		calls := rc.got()
		if len(calls) != 3 || calls[0].Delivery != calls[2].Delivery || string(calls[0].Body) != string(calls[2].Body) {
			t.Fatalf("the attempts differ: %+v", calls)
		}
	})
}

// TestFailsAfterTheRetryWindow: an endpoint that always answers 500 is
// tried until 24 hours have passed, then the delivery is marked failed,
// and the next change of the same record goes out.
func TestFailsAfterTheRetryWindow(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rc := newReceiver(t)
		rc.answer = func(n int, w http.ResponseWriter) bool {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		h := e.hook(t, rc.srv.URL, "")
		e.rename(t, "PRJ1-R-1", "Doomed")
		e.rename(t, "PRJ1-R-1", "Next")
		start := e.clk.Now()
		for i := 0; i < 200; i++ {
			e.drain(t)
			ds := e.deliveries(t, h.ID)
			if ds[0].Status == roadmap.DeliveryFailed {
				break
			}
			if ds[0].Status != roadmap.DeliveryPending {
				t.Fatalf("round %d: %+v", i, ds[0])
			}
			if !ds[0].NextAttemptAt.After(e.clk.Now()) {
				t.Fatalf("round %d: due again at once: %+v", i, ds[0])
			}
			if ds[0].NextAttemptAt.After(start.Add(roadmap.WebhookRetryWindow)) {
				t.Fatalf("round %d: retry planned after the window: %v", i, ds[0].NextAttemptAt)
			}
			e.clk.Set(ds[0].NextAttemptAt)
		}
		ds := e.deliveries(t, h.ID)
		if ds[0].Status != roadmap.DeliveryFailed || ds[0].LastStatusCode != 502 {
			t.Fatalf("after the window: %+v", ds[0])
		}
		if took := e.clk.Now().Sub(start); took < roadmap.WebhookRetryWindow {
			t.Fatalf("failed after %v, before the window ended", took)
		}
		if ds[0].Attempts < 25 || ds[0].Attempts > 60 {
			t.Fatalf("%d attempts in 24 hours; the backoff is not exponential up to an hour", ds[0].Attempts)
		}
		// The second change was held back meanwhile; it went out once the
		// first failed, with a retry window of its own.
		if ds[1].Status != roadmap.DeliveryPending || ds[1].Attempts != 1 || !ds[1].RetryUntil.Equal(e.clk.Now().Add(roadmap.WebhookRetryWindow)) {
			t.Fatalf("the next change: %+v", ds[1])
		}
		rc.mu.Lock()
		rc.answer = nil
		rc.mu.Unlock()
		e.clk.Add(webhook.FirstRetry)
		e.drain(t)
		if ds = e.deliveries(t, h.ID); ds[1].Status != roadmap.DeliveryDelivered {
			t.Fatalf("the next change after the first failed: %+v", ds[1])
		}
	})
}

// TestRedirectsAreNotFollowed: a 302 is a failed attempt; the target of
// the redirect is never called.
func TestRedirectsAreNotFollowed(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		target := newReceiver(t)
		rc := newReceiver(t)
		rc.answer = func(n int, w http.ResponseWriter) bool {
			w.Header().Set("Location", target.srv.URL)
			w.WriteHeader(http.StatusFound)
			return true
		}
		h := e.hook(t, rc.srv.URL, "")
		e.rename(t, "PRJ1-R-1", "Moved")
		e.drain(t)
		if n := len(target.got()); n != 0 {
			t.Fatalf("the redirect was followed: %d calls", n)
		}
		ds := e.deliveries(t, h.ID)
		if ds[0].Status != roadmap.DeliveryPending || ds[0].LastStatusCode != 302 || !strings.Contains(ds[0].LastError, "redirect") {
			t.Fatalf("after a 302: %+v", ds[0])
		}
	})
}

// TestConnectionErrorsAreRetried: nothing listens at the URL.
func TestConnectionErrorsAreRetried(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		dead := httptest.NewServer(http.NotFoundHandler())
		url := dead.URL
		dead.Close()
		h := e.hook(t, url, "")
		e.rename(t, "PRJ1-R-1", "Nobody home")
		e.drain(t)
		ds := e.deliveries(t, h.ID)
		if ds[0].Status != roadmap.DeliveryPending || ds[0].LastStatusCode != 0 || !strings.HasPrefix(ds[0].LastError, "connection error") {
			t.Fatalf("after a refused connection: %+v", ds[0])
		}
	})
}

// TestRedeliver: a delivered change is sent again, with the same delivery
// ID; one being delivered cannot be.
func TestRedeliver(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rc := newReceiver(t)
		h := e.hook(t, rc.srv.URL, "k")
		e.rename(t, "PRJ1-R-1", "Again")
		e.drain(t)
		ds := e.deliveries(t, h.ID)
		if ds[0].Status != roadmap.DeliveryDelivered {
			t.Fatalf("%+v", ds[0])
		}
		d, err := e.db.RedeliverWebhookDelivery(e.ctx, h.ID, ds[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != roadmap.DeliveryPending {
			t.Fatalf("redelivered: %+v", d)
		}
		e.drain(t)
		calls := rc.got()
		if len(calls) != 2 || calls[0].Delivery != calls[1].Delivery || calls[1].Signature != webhook.Sign("k", calls[1].Body) {
			t.Fatalf("calls: %+v", calls)
		}
		if ds = e.deliveries(t, h.ID); ds[0].Status != roadmap.DeliveryDelivered || ds[0].Attempts != 2 {
			t.Fatalf("after the redelivery: %+v", ds[0])
		}
		if _, err := e.db.RedeliverWebhookDelivery(e.ctx, h.ID+1, ds[0].ID); !roadmap.IsNotFound(err) {
			t.Fatalf("redelivery under another webhook = %v, want not found", err)
		}
		e.rename(t, "PRJ1-R-1", "In flight")
		claimed, err := e.db.ClaimWebhookDeliveries(e.ctx, e.clk.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if _, err := e.db.RedeliverWebhookDelivery(e.ctx, h.ID, claimed[0].ID); roadmap.ErrorCode(err) != roadmap.ECONFLICT {
			t.Fatalf("redelivery of a delivery in flight = %v, want a conflict", err)
		}
	})
}

// TestExpiredLeaseIsClaimedAgain: a process claims a delivery and dies;
// once its lease expires another worker delivers it, and the dead claim's
// late report changes nothing.
func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rc := newReceiver(t)
		h := e.hook(t, rc.srv.URL, "")
		e.rename(t, "PRJ1-R-1", "Orphan")
		lost, err := e.db.ClaimWebhookDeliveries(e.ctx, e.clk.Now(), 10, time.Minute)
		if err != nil || len(lost) != 1 {
			t.Fatalf("claim: %v %v", lost, err)
		}
		e.drain(t)
		if n := len(rc.got()); n != 0 {
			t.Fatalf("delivered while another claim's lease holds: %d calls", n)
		}
		e.clk.Add(time.Minute)
		e.drain(t)
		if n := len(rc.got()); n != 1 {
			t.Fatalf("%d calls after the lease expired, want 1", n)
		}
		if err := e.db.FinishWebhookDeliveries(e.ctx, []*roadmap.WebhookDelivery{lost[0]}, []roadmap.DeliveryOutcome{roadmap.DeliveryOutcome{Error: "late", RetryAt: e.clk.Now().Add(time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		ds := e.deliveries(t, h.ID)
		if ds[0].Status != roadmap.DeliveryDelivered || ds[0].Attempts != 2 || ds[0].LastError != "" {
			t.Fatalf("after the late report of the lost claim: %+v", ds[0])
		}
	})
}

// TestFiltersAndDisabledWebhooks: a webhook gets only the record types it
// names, a disabled one nothing, and a deleted one's deliveries go.
func TestFiltersAndDisabledWebhooks(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rc := newReceiver(t)
		features := e.hook(t, rc.srv.URL, "", "Feature")
		releases := e.hook(t, rc.srv.URL, "", "release", "KeyResult")
		off, err := e.db.CreateWebhook(e.ctx, roadmap.WebhookInput{URL: roadmap.Some(rc.srv.URL), Enabled: roadmap.Some(false)})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(releases.RecordTypes) != "[key_result release]" || fmt.Sprint(features.RecordTypes) != "[feature]" {
			t.Fatalf("record types stored as %v and %v", releases.RecordTypes, features.RecordTypes)
		}
		e.rename(t, "PRJ1-R-1", "Filtered")
		if n := len(e.deliveries(t, features.ID)); n != 0 {
			t.Errorf("a feature webhook got %d deliveries of a release change", n)
		}
		if n := len(e.deliveries(t, releases.ID)); n != 1 {
			t.Errorf("a release webhook got %d deliveries of a release change, want 1", n)
		}
		if n := len(e.deliveries(t, off.ID)); n != 0 {
			t.Errorf("a disabled webhook got %d deliveries", n)
		}
		if err := e.db.DeleteWebhook(e.ctx, releases.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.db.WebhookDeliveries(e.ctx, roadmap.DeliveryFilter{WebhookID: releases.ID, Page: roadmap.Page{Page: 1, PerPage: 10}}); !roadmap.IsNotFound(err) {
			t.Fatalf("deliveries of a deleted webhook = %v", err)
		}
		e.drain(t)
		if n := len(rc.got()); n != 0 {
			t.Fatalf("%d calls for a deleted webhook", n)
		}
	})
}

// TestRunStopsCleanly: Run delivers what is due and returns when its
// context ends, after the call in flight is recorded.
func TestRunStopsCleanly(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		started := make(chan struct{})
		rc := newReceiver(t)
		rc.answer = func(n int, w http.ResponseWriter) bool {
			if n == 1 {
				close(started)
				time.Sleep(300 * time.Millisecond)
			}
			return false
		}
		h := e.hook(t, rc.srv.URL, "")
		e.rename(t, "PRJ1-R-1", "Stop")
		e.w.Poll = 20 * time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.w.Run(ctx); close(done) }()
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("nothing delivered in 10s")
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		if ds := e.deliveries(t, h.ID); ds[0].Status != roadmap.DeliveryDelivered {
			t.Fatalf("the call in flight at shutdown was not recorded: %+v", ds[0])
		}
	})
}

// finishCounter is the store, with a count of the transactions that
// record outcomes and of the outcomes they record, and of the reads of
// audits; the first transaction that records outcomes waits until release
// is closed.
type finishCounter struct {
	*store.DB
	mu       sync.Mutex
	calls    []int
	reads    int
	release  chan struct{}
	released bool
}

func (f *finishCounter) AuditsByID(ctx context.Context, ids []int64) ([]*roadmap.Audit, error) {
	f.mu.Lock()
	f.reads++
	f.mu.Unlock()
	return f.DB.AuditsByID(ctx, ids)
}

func (f *finishCounter) FinishWebhookDeliveries(ctx context.Context, ds []*roadmap.WebhookDelivery, outs []roadmap.DeliveryOutcome) error {
	f.mu.Lock()
	first := !f.released
	f.released = true
	f.mu.Unlock()
	if first {
		<-f.release
	}
	f.mu.Lock()
	f.calls = append(f.calls, len(ds))
	f.mu.Unlock()
	return f.DB.FinishWebhookDeliveries(ctx, ds, outs)
}

// TestOutcomesAreRecordedTogether: the outcomes of calls that end while
// the worker records others are recorded together, in one transaction,
// not one transaction a call, and the audits of the deliveries of one
// claim are read together; each outcome is recorded.
func TestOutcomesAreRecordedTogether(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rc := newReceiver(t)
		h := e.hook(t, rc.srv.URL, "")
		for i := range 8 {
			e.rename(t, fmt.Sprintf("PRJ1-R-%d", i%4+1), fmt.Sprintf("Together %d", i))
		}
		want := len(e.deliveries(t, h.ID))
		fc := &finishCounter{DB: e.db, release: make(chan struct{})}
		e.w.Store = fc
		e.w.Concurrency = 16
		e.w.Poll = 10 * time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.w.Run(ctx); close(done) }()
		// The first outcome's transaction waits while the other calls of
		// the first claim end.
		deadline := time.Now().Add(10 * time.Second)
		for len(rc.got()) < 4 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		close(fc.release)
		for time.Now().Before(deadline) {
			ds := e.deliveries(t, h.ID)
			if !slices.ContainsFunc(ds, func(d *roadmap.WebhookDelivery) bool { return d.Status != roadmap.DeliveryDelivered }) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		fc.mu.Lock()
		calls, reads := append([]int(nil), fc.calls...), fc.reads
		fc.mu.Unlock()
		if reads >= want {
			t.Errorf("%d reads of audits for %d deliveries", reads, want)
		}
		total := 0
		for _, n := range calls {
			total += n
		}
		if total != want || len(calls) >= want || slices.Max(calls) < 2 {
			t.Fatalf("%d outcomes of %d deliveries recorded in transactions of %v", total, want, calls)
		}
		for _, d := range e.deliveries(t, h.ID) {
			if d.Status != roadmap.DeliveryDelivered {
				t.Fatalf("delivery %+v not recorded as delivered", d)
			}
		}
	})
}

// claimCounter is the store, with the limits the worker's claims asked
// for and the deliveries they took.
type claimCounter struct {
	*store.DB
	mu      sync.Mutex
	limits  []int
	claimed []*roadmap.WebhookDelivery
}

func (c *claimCounter) ClaimWebhookDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*roadmap.WebhookDelivery, error) {
	ds, err := c.DB.ClaimWebhookDeliveries(ctx, now, limit, lease)
	c.mu.Lock()
	c.limits = append(c.limits, limit)
	c.claimed = append(c.claimed, ds...)
	c.mu.Unlock()
	return ds, err
}

// TestClaimsAheadAndSendsWhatItClaimed: a claim takes up to twice the
// calls in flight, holding the rest until a call ends; a worker stopped
// while it holds claimed deliveries still sends and records every one.
func TestClaimsAheadAndSendsWhatItClaimed(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		release := make(chan struct{})
		rc := newReceiver(t)
		rc.answer = func(n int, w http.ResponseWriter) bool {
			<-release
			return false
		}
		h := e.hook(t, rc.srv.URL, "")
		for i := range 6 {
			e.rename(t, fmt.Sprintf("PRJ1-R-%d", i%3+1), fmt.Sprintf("Ahead %d", i))
		}
		cc := &claimCounter{DB: e.db}
		e.w.Store = cc
		e.w.Concurrency = 2
		e.w.Poll = 10 * time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.w.Run(ctx); close(done) }()
		// Two calls are held at the receiver, with the third claimed
		// delivery (of three records' first renames) waiting for a slot.
		deadline := time.Now().Add(10 * time.Second)
		for len(rc.got()) < 2 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		cc.mu.Lock()
		first, claimed := cc.limits[0], len(cc.claimed)
		cc.mu.Unlock()
		if first != 4 || claimed != 3 {
			t.Fatalf("the first claim asked for %d and %d deliveries were claimed, want 4 and the 3 due", first, claimed)
		}
		cancel()
		close(release)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		cc.mu.Lock()
		defer cc.mu.Unlock()
		byID := map[int64]*roadmap.WebhookDelivery{}
		for _, d := range e.deliveries(t, h.ID) {
			byID[d.ID] = d
		}
		for _, c := range cc.claimed {
			if d := byID[c.ID]; d == nil || d.Status != roadmap.DeliveryDelivered {
				t.Fatalf("claimed delivery %d left as %+v after the stop", c.ID, d)
			}
		}
	})
}
