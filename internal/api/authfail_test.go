package api_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
)

// getAs sends a GET with a token and an optional X-Forwarded-For.
func (s *configuredServer) getAs(t testing.TB, path, token, forwardedFor string) *response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// TestFailedAuthenticationsAreThrottled guesses tokens from one address: the
// first failures answer 401, the next 429 with Retry-After in the error
// shape, and so does the right token from that address; X-Forwarded-For
// changes nothing unless the server trusts it.
func TestFailedAuthenticationsAreThrottled(t *testing.T) {
	t.Parallel()
	const limit = 5
	t.Run("by connection address", func(t *testing.T) {
		t.Parallel()
		s := newConfiguredServer(t, "sqlite", api.Config{AuthFailLimit: limit})
		for i := range limit {
			if r := s.getAs(t, "/api/v1/me", "wrong-"+strconv.Itoa(i), "10.0.0."+strconv.Itoa(i)); r.Status != 401 {
				t.Fatalf("failure %d: %s, want 401", i+1, r)
			}
		}
		for _, tok := range []string{"wrong", demo.Token} {
			r := s.getAs(t, "/api/v1/releases/PRJ1-R-1", tok, "10.9.9.9")
			if r.Status != 429 {
				t.Fatalf("token %.8s after %d failures: %s, want 429", tok, limit, r)
			}
			secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || secs < 1 || secs > 60 {
				t.Fatalf("Retry-After %q, want 1-60 seconds", r.Header.Get("Retry-After"))
			}
			if msg, _ := r.json(t)["errors"].(map[string]any)["message"].(string); msg == "" {
				t.Fatalf("429 not in the error shape: %s", r)
			}
		}
		if r := s.getAs(t, "/healthz", "", ""); r.Status != 200 {
			t.Fatalf("/healthz while throttled: %s", r)
		}
	})
	t.Run("by X-Forwarded-For when trusted", func(t *testing.T) {
		t.Parallel()
		s := newConfiguredServer(t, "sqlite", api.Config{AuthFailLimit: limit, TrustForwardedFor: true})
		for range limit + 1 {
			s.getAs(t, "/api/v1/me", "wrong", "198.51.100.1, 203.0.113.7")
		}
		if r := s.getAs(t, "/api/v1/me", demo.Token, "203.0.113.7"); r.Status != 429 {
			t.Fatalf("the right token from the throttled address: %s, want 429", r)
		}
		if r := s.getAs(t, "/api/v1/me", demo.Token, "203.0.113.8"); r.Status != 200 {
			t.Fatalf("the right token from another address: %s, want 200", r)
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		s := newConfiguredServer(t, "sqlite", api.Config{AuthFailLimit: -1})
		for i := range 3 * api.DefaultAuthFailLimit {
			if r := s.getAs(t, "/api/v1/me", "wrong", ""); r.Status != 401 {
				t.Fatalf("failure %d with no limit: %s, want 401", i+1, r)
			}
		}
	})
}
