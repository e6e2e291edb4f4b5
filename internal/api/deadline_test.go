package api_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
)

// TestRequestDeadlineAnswers503 makes the database stop answering a
// request, by holding from another connection the locks that a create
// needs: the request answers 503 with Retry-After in the error shape once
// its deadline passes, not when the lock is let go; the create did not take
// effect, and once the lock is gone a retry with the same Idempotency-Key
// creates the record, once.
func TestRequestDeadlineAnswers503(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		const timeout = time.Second
		s := newConfiguredServer(t, backend, api.Config{RequestTimeout: timeout})
		raw := s.rawDB(t)
		defer raw.Close()
		ctx := context.Background()
		conn, err := raw.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if backend == "postgres" {
			_, err = conn.ExecContext(ctx, "BEGIN")
			if err == nil {
				_, err = conn.ExecContext(ctx, "SELECT id FROM products WHERE id = $1 FOR UPDATE", demo.PRJ1)
			}
		} else {
			_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		}
		if err != nil {
			t.Fatalf("taking the lock: %v", err)
		}
		locked := true
		defer func() {
			if locked {
				conn.ExecContext(ctx, "ROLLBACK")
			}
		}()

		start := time.Now()
		const body = `{"release":{"name":"Past its deadline"}}`
		r := s.post(t, "/api/v1/products/PRJ1/releases", body, "deadline-1", demo.Token)
		elapsed := time.Since(start)
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("a create the database does not answer: %s (Retry-After %q), want 503 with Retry-After", r, r.Header.Get("Retry-After"))
		}
		if msg, _ := r.json(t)["errors"].(map[string]any)["message"].(string); msg == "" {
			t.Fatalf("503 not in the error shape: %s", r)
		}
		// The lock is held for good: an answer at all means the deadline
		// ended the wait, and it must not have waited out a 10 s busy or
		// statement timeout instead.
		if elapsed > 8*timeout {
			t.Fatalf("the 503 came after %v, with a request deadline of %v", elapsed, timeout)
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		locked = false

		list := s.do(t, "GET", "/api/v1/products/PRJ1/releases?q="+url.QueryEscape("Past its deadline"), "")
		if list.Status != 200 {
			t.Fatalf("listing after the lock: %s", list)
		}
		if n := len(list.json(t)["releases"].([]any)); n != 0 {
			t.Fatalf("the create that answered 503 took effect: %d releases named so", n)
		}
		// The 503 was not remembered for the key: the retry creates the
		// record, once.
		if r := s.post(t, "/api/v1/products/PRJ1/releases", body, "deadline-1", demo.Token); r.Status != 200 {
			t.Fatalf("the retry after the lock is gone: %s", r)
		}
		if n := s.releasesNamed(t, "Past its deadline"); n != 1 {
			t.Fatalf("%d releases after the retry, want 1", n)
		}
	})
}
