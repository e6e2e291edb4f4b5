package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// post sends a POST with an Idempotency-Key and the given token.
func (s *configuredServer) post(t testing.TB, path, body, key, token string) *response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", path, err)
		return &response{}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// releasesNamed counts PRJ1's releases with this name.
func (s *configuredServer) releasesNamed(t testing.TB, name string) int {
	t.Helper()
	r := s.do(t, "GET", "/api/v1/products/PRJ1/releases?per_page=200&q="+url.QueryEscape(name), "")
	if r.Status != 200 {
		t.Fatalf("listing releases: %s", r)
	}
	n := 0
	for _, it := range r.json(t)["releases"].([]any) {
		if it.(map[string]any)["name"] == name {
			n++
		}
	}
	return n
}

// TestIdempotencyKeyReplaysTheFirstAnswer retries creates with an
// Idempotency-Key: the retry gets the first answer byte for byte and makes
// no second record; the key with another body is refused (422); keys are
// per user; a failed create's answer is replayed too, and an expired key
// starts afresh.
func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		const path = "/api/v1/products/PRJ1/releases"
		body := `{"release":{"name":"Retried create"}}`
		first := s.post(t, path, body, "key-1", demo.Token)
		if first.Status != 200 {
			t.Fatalf("first create: %s", first)
		}
		again := s.post(t, path, body, "key-1", demo.Token)
		if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
			t.Fatalf("the retry answered %s, want the first answer %s", again, first)
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a replayed answer without Idempotent-Replayed: true")
		}
		if n := s.releasesNamed(t, "Retried create"); n != 1 {
			t.Fatalf("%d releases after a retried create, want 1", n)
		}

		other := s.post(t, path, `{"release":{"name":"Another create"}}`, "key-1", demo.Token)
		if other.Status != 422 || other.json(t)["errors"].(map[string]any)["field"] != "Idempotency-Key" {
			t.Fatalf("the key with another body: %s, want 422 naming Idempotency-Key", other)
		}
		if n := s.releasesNamed(t, "Another create"); n != 0 {
			t.Fatalf("the refused request made %d releases", n)
		}
		if r := s.post(t, "/api/v1/products/PRJ1/goals", body, "key-1", demo.Token); r.Status != 422 {
			t.Fatalf("the key on another route: %s, want 422", r)
		}

		henry := roadmap.NewToken()
		if err := s.DB.CreateToken(context.Background(), demo.Henry, roadmap.HashToken(henry)); err != nil {
			t.Fatal(err)
		}
		if r := s.post(t, path, body, "key-1", henry); r.Status != 200 || bytes.Equal(r.Body, first.Body) {
			t.Fatalf("another user's create with the same key: %s, want a record of its own", r)
		}
		if n := s.releasesNamed(t, "Retried create"); n != 2 {
			t.Fatalf("%d releases after two users' creates, want 2", n)
		}

		bad := `{"release":{"name":"Bad","workflow_status":"No such status"}}`
		r1 := s.post(t, path, bad, "key-bad", demo.Token)
		r2 := s.post(t, path, bad, "key-bad", demo.Token)
		if r1.Status != 422 || r2.Status != 422 || !bytes.Equal(r1.Body, r2.Body) {
			t.Fatalf("a refused create and its retry: %s / %s, want the same 422", r1, r2)
		}

		for _, key := range []string{strings.Repeat("k", 256), "has space", "é"} {
			if r := s.post(t, path, body, key, demo.Token); r.Status != 400 {
				t.Errorf("Idempotency-Key %q: %s, want 400", key, r)
			}
		}

		s.sql(t, "UPDATE idempotency_keys SET expires_at = ? WHERE idem_key = ?", int64(1), "key-1")
		if r := s.post(t, path, `{"release":{"name":"After expiry"}}`, "key-1", demo.Token); r.Status != 200 {
			t.Fatalf("an expired key reused: %s, want a new create", r)
		}
		if n := s.releasesNamed(t, "After expiry"); n != 1 {
			t.Fatalf("%d releases after an expired key was reused, want 1", n)
		}
	})
}

// TestIdempotencyKeyConcurrentDuplicates sends the same create with the same
// key from several clients at once, rounds over: exactly one record is made
// each round, and every client gets either the first answer or 409 (the
// first is still running) with Retry-After.
func TestIdempotencyKeyConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		const clients, rounds = 6, 5
		for round := range rounds {
			name := "Concurrent " + string(rune('A'+round))
			body := `{"release":{"name":"` + name + `"}}`
			key := "concurrent-" + string(rune('A'+round))
			answers := make([]*response, clients)
			var wg sync.WaitGroup
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i] = s.post(t, "/api/v1/products/PRJ1/releases", body, key, demo.Token)
				}()
			}
			wg.Wait()
			var okBody []byte
			for _, a := range answers {
				switch a.Status {
				case 200:
					if okBody != nil && !bytes.Equal(a.Body, okBody) {
						t.Fatalf("round %d: two different 200 answers for one key:\n%s\n%s", round, okBody, a.Body)
					}
					okBody = a.Body
				case 409:
					if a.Header.Get("Retry-After") == "" {
						t.Errorf("round %d: 409 without Retry-After", round)
					}
				default:
					t.Fatalf("round %d: %s, want 200 or 409", round, a)
				}
			}
			if okBody == nil {
				t.Fatalf("round %d: no client got the create's answer", round)
			}
			if n := s.releasesNamed(t, name); n != 1 {
				t.Fatalf("round %d: %d releases made by %d concurrent duplicates, want 1", round, n, clients)
			}
		}
	})
}

// TestIdempotencyKeyAfterADeadFirstRequest plays the two ways a first
// request can end without recording its answer, as when its process dies:
// if its write never committed, a retry past the reservation's lifetime
// runs the request; if it committed, the retry is refused with 409 and
// makes no second record. Expired keys are purged.
func TestIdempotencyKeyAfterADeadFirstRequest(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		const path = "/api/v1/products/PRJ1/releases"
		body := `{"release":{"name":"Orphaned"}}`
		sum := sha256.Sum256([]byte("POST " + path + "?\n" + body))
		hash := hex.EncodeToString(sum[:])
		old := time.Now().Add(-time.Hour).UnixMilli()
		future := time.Now().Add(time.Hour).UnixMilli()
		insert := "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, committed, created_at, expires_at) VALUES (?, ?, ?, 0, ?, ?, ?)"
		s.sql(t, insert, demo.Mary, "dead-uncommitted", hash, false, old, future)
		s.sql(t, insert, demo.Mary, "dead-committed", hash, true, old, future)
		s.sql(t, insert, demo.Mary, "running", hash, false, time.Now().UnixMilli(), future)
		s.sql(t, insert, demo.Henry, "long-expired", hash, false, old, old)

		if r := s.post(t, path, body, "running", demo.Token); r.Status != 409 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("a key whose first request is running: %s, want 409 with Retry-After", r)
		}
		if n := s.count(t, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?", "long-expired"); n != 0 {
			t.Fatalf("an expired key of another user is still stored after a claim: %d rows", n)
		}
		if r := s.post(t, path, body, "dead-committed", demo.Token); r.Status != 409 {
			t.Fatalf("a key whose first request committed and died: %s, want 409", r)
		}
		if n := s.releasesNamed(t, "Orphaned"); n != 0 {
			t.Fatalf("%d releases made for keys that were taken, want 0", n)
		}
		first := s.post(t, path, body, "dead-uncommitted", demo.Token)
		if first.Status != 200 {
			t.Fatalf("a key whose first request died uncommitted: %s, want the request to run", first)
		}
		if again := s.post(t, path, body, "dead-uncommitted", demo.Token); !bytes.Equal(again.Body, first.Body) {
			t.Fatalf("the retry after the takeover: %s, want %s", again, first)
		}
		if n := s.releasesNamed(t, "Orphaned"); n != 1 {
			t.Fatalf("%d releases, want 1", n)
		}
	})
}
