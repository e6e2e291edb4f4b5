// Package webhook delivers audits to the webhook endpoints registered in
// the store: it claims due deliveries under a lease, POSTs each one signed
// with its endpoint's secret, and records the outcome, retrying with
// exponential backoff and jitter until roadmap.WebhookRetryWindow has
// passed. Any number of processes may run a worker on one database; a
// delivery whose process died is claimed again when its lease expires.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Headers of a delivery.
const (
	// SignatureHeader carries sha256=<hex HMAC-SHA256 of the body>, keyed
	// with the endpoint's secret.
	SignatureHeader = "X-Roadmapd-Signature"
	// DeliveryHeader carries the audit's ID, the same on every attempt and
	// redelivery, so that a receiver can drop duplicates.
	DeliveryHeader = "X-Roadmapd-Delivery"
)

// Defaults of a Worker's settings.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultConcurrency = 8
	DefaultPoll        = time.Second
	// FirstRetry is the pause after a first failed attempt; each further
	// failure doubles it, up to MaxRetry.
	FirstRetry = 10 * time.Second
	MaxRetry   = time.Hour
)

// Store is what the worker needs of the store.
type Store interface {
	ClaimWebhookDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*roadmap.WebhookDelivery, error)
	FinishWebhookDeliveries(ctx context.Context, ds []*roadmap.WebhookDelivery, outs []roadmap.DeliveryOutcome) error
	AuditsByID(ctx context.Context, ids []int64) ([]*roadmap.Audit, error)
}

// RenderFunc renders an audit in the representation of GET /api/v1/audits.
type RenderFunc func(*roadmap.Audit) ([]byte, error)

// Worker sends the deliveries of the outbox.
type Worker struct {
	// Store holds the outbox.
	Store Store
	// Render renders the audit of a delivery.
	Render RenderFunc
	// Timeout bounds one call to an endpoint (0: DefaultTimeout).
	Timeout time.Duration
	// Concurrency bounds the calls in flight (0: DefaultConcurrency).
	Concurrency int
	// Poll is the pause between looks for due deliveries when none was due
	// (0: DefaultPoll).
	Poll time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Client sends the calls; nil builds one that never follows redirects.
	// A Client given here should not follow them either.
	Client *http.Client
	// Logger receives a record of failed attempts; nil discards them.
	Logger *slog.Logger
}

func (w *Worker) timeout() time.Duration {
	if w.Timeout > 0 {
		return w.Timeout
	}
	return DefaultTimeout
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// lease is how long a claimed delivery is held: longer than a call may
// take, with room to record its outcome. A process that dies holding it
// delays the delivery by at most this much.
func (w *Worker) lease() time.Duration { return 2*w.timeout() + 5*time.Second }

// NewClient returns an HTTP client that never follows a redirect: a 3xx
// answer is the answer, and counts as a failure.
func NewClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Run delivers until ctx is done, then sends what it had claimed, waits
// for the calls in flight to end (each within its timeout) and returns.
func (w *Worker) Run(ctx context.Context) {
	if w.Client == nil {
		w.Client = NewClient()
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n := w.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	poll := w.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	slots := make(chan struct{}, n)
	// done wakes the loop when a call's outcome is recorded: a slot is
	// free, and the next delivery of the same record may have become due.
	done := make(chan struct{}, 1)
	// Calls outlive a cancelled ctx, so that an attempt under way is
	// recorded instead of left to its lease.
	callCtx := context.WithoutCancel(ctx)
	// The outcomes of the calls that ended meanwhile are recorded together,
	// in one transaction, and then free their slots.
	ended := make(chan attempted, n)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		for a := range ended {
			batch := []attempted{a}
		more:
			for len(batch) < n {
				select {
				case a, ok := <-ended:
					if !ok {
						break more
					}
					batch = append(batch, a)
				default:
					break more
				}
			}
			w.finish(callCtx, batch)
			for range batch {
				<-slots
			}
			select {
			case done <- struct{}{}:
			default:
			}
		}
	}()
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		close(ended)
		<-recorded
	}()
	// queue holds deliveries claimed ahead of a free slot, at most n, so
	// that one claim serves up to twice the calls in flight; each starts
	// within one call's time, well inside its lease.
	var queue []attempted
	start := func() {
		for len(queue) > 0 && len(slots) < n {
			q := queue[0]
			queue = queue[1:]
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ended <- attempted{d: q.d, out: w.outcome(callCtx, q.d, q.audit)}
			}()
		}
	}
	for {
		if ctx.Err() != nil {
			// No more claims; what was claimed is still sent.
			if start(); len(queue) == 0 {
				return
			}
			<-done
			continue
		}
		room := 2*n - len(slots) - len(queue)
		var claimed []*roadmap.WebhookDelivery
		if room > 0 && len(queue) < n {
			var err error
			claimed, err = w.Store.ClaimWebhookDeliveries(ctx, w.now(), room, w.lease())
			if err != nil && ctx.Err() == nil {
				w.Logger.Warn("claiming webhook deliveries", "err", err)
			}
			audits := w.audits(ctx, claimed)
			for _, d := range claimed {
				queue = append(queue, attempted{d: d, audit: audits[d.AuditID]})
			}
		}
		start()
		if room > 0 && len(claimed) == room {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
		case <-done:
		case <-time.After(jitter(poll)):
		}
	}
}

// jitter spreads a pause over [d/2, d), so that processes polling one
// database do not poll in step.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}

// RunOnce claims the deliveries due now (up to the concurrency) and
// delivers them, returning when all are done: a step for tests and tools.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if w.Client == nil {
		w.Client = NewClient()
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n := w.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	claimed, err := w.Store.ClaimWebhookDeliveries(ctx, w.now(), n, w.lease())
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, d := range claimed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.deliver(ctx, d)
		}()
	}
	wg.Wait()
	return len(claimed), nil
}

// attempted is a claimed delivery, its audit once read (nil: read when it
// is sent), and the outcome of its attempt.
type attempted struct {
	d     *roadmap.WebhookDelivery
	audit *roadmap.Audit
	out   roadmap.DeliveryOutcome
}

// deliver makes one attempt at a claimed delivery and records its outcome.
func (w *Worker) deliver(ctx context.Context, d *roadmap.WebhookDelivery) {
	w.finish(ctx, []attempted{{d: d, out: w.outcome(ctx, d, nil)}})
}

// audits reads the audits of claimed deliveries in one read, by ID; when
// the read fails, each attempt reads its own.
func (w *Worker) audits(ctx context.Context, claimed []*roadmap.WebhookDelivery) map[int64]*roadmap.Audit {
	if len(claimed) == 0 {
		return nil
	}
	ids := make([]int64, len(claimed))
	for i, d := range claimed {
		ids[i] = d.AuditID
	}
	list, err := w.Store.AuditsByID(ctx, ids)
	if err != nil {
		return nil
	}
	out := make(map[int64]*roadmap.Audit, len(list))
	for _, a := range list {
		out[a.ID] = a
	}
	return out
}

// outcome makes one attempt at a claimed delivery, of audit when it has
// been read, and returns its outcome, with when to try again after a
// failure.
func (w *Worker) outcome(ctx context.Context, d *roadmap.WebhookDelivery, audit *roadmap.Audit) roadmap.DeliveryOutcome {
	out := w.attempt(ctx, d, audit)
	if !out.Delivered {
		out.RetryAt = w.retryAt(d)
		w.Logger.Info("webhook delivery failed", "webhook_id", d.WebhookID, "delivery_id", d.ID, "audit_id", d.AuditID, "attempt", d.Attempts, "err", out.Error, "retry_at", out.RetryAt)
	}
	return out
}

// finish records the outcomes of attempts, in one transaction.
func (w *Worker) finish(ctx context.Context, batch []attempted) {
	ds := make([]*roadmap.WebhookDelivery, len(batch))
	outs := make([]roadmap.DeliveryOutcome, len(batch))
	for i, a := range batch {
		ds[i], outs[i] = a.d, a.out
	}
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := w.Store.FinishWebhookDeliveries(fctx, ds, outs); err != nil {
		// The leases run out and the deliveries are sent again.
		w.Logger.Warn("recording webhook deliveries", "deliveries", len(ds), "err", err)
	}
}

// retryAt is when a delivery that just failed is tried again: a pause
// that doubles with each attempt, up to MaxRetry, with jitter; the last
// attempt is made at the end of the retry window, and after it the
// delivery fails (the zero time).
func (w *Worker) retryAt(d *roadmap.WebhookDelivery) time.Time {
	now := w.now()
	if !now.Before(d.RetryUntil) {
		return time.Time{}
	}
	pause := FirstRetry
	for i := 1; i < d.Attempts && pause < MaxRetry; i++ {
		pause *= 2
	}
	pause = min(pause, MaxRetry)
	pause = pause/2 + rand.N(pause/2+1)
	next := now.Add(pause)
	if next.After(d.RetryUntil) {
		next = d.RetryUntil
	}
	return next
}

// Body returns the body of a delivery of an audit rendered as audit.
func Body(audit []byte) []byte {
	b := make([]byte, 0, len(audit)+30)
	b = append(b, `{"event":"audit","audit":`...)
	b = append(b, audit...)
	return append(b, '}')
}

// Sign returns the X-Roadmapd-Signature value of a body: sha256= and the
// hex HMAC-SHA256 of the body keyed with the secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// attempt POSTs a delivery of audit once, reading the audit first when it
// is nil.
func (w *Worker) attempt(ctx context.Context, d *roadmap.WebhookDelivery, audit *roadmap.Audit) roadmap.DeliveryOutcome {
	if d.Webhook == nil {
		return roadmap.DeliveryOutcome{Error: "the webhook no longer exists"}
	}
	if audit == nil {
		audits, err := w.Store.AuditsByID(ctx, []int64{d.AuditID})
		if err != nil {
			return roadmap.DeliveryOutcome{Error: "reading the audit failed"}
		}
		if len(audits) == 0 {
			return roadmap.DeliveryOutcome{Error: "the audit does not exist"}
		}
		audit = audits[0]
	}
	rendered, err := w.Render(audit)
	if err != nil {
		return roadmap.DeliveryOutcome{Error: "rendering the audit failed"}
	}
	body := Body(rendered)
	cctx, cancel := context.WithTimeout(ctx, w.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, d.Webhook.URL, bytes.NewReader(body))
	if err != nil {
		return roadmap.DeliveryOutcome{Error: "the URL cannot be requested"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "roadmapd-webhook")
	req.Header.Set(DeliveryHeader, strconv.FormatInt(d.AuditID, 10))
	if d.Webhook.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(d.Webhook.Secret, body))
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		return roadmap.DeliveryOutcome{Error: callError(err, w.timeout())}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	out := roadmap.DeliveryOutcome{StatusCode: resp.StatusCode}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		out.Delivered = true
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		out.Error = fmt.Sprintf("answered %d, a redirect, which is not followed", resp.StatusCode)
	default:
		out.Error = fmt.Sprintf("answered %d", resp.StatusCode)
	}
	return out
}

// callError describes a call that got no answer.
func callError(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.Is(err, context.Canceled):
		return "the call was cancelled"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return "connection error: " + oe.Err.Error()
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return "connection error: " + de.Error()
	}
	return "connection error"
}
