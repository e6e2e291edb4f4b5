package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
)

// secondProcess serves the API over another store opened on the database of
// s, as a second roadmapd process sharing it would.
func secondProcess(t *testing.T, s *configuredServer, cfg api.Config) *testServer {
	t.Helper()
	db, err := store.Open(context.Background(), s.dsn, store.Options{})
	if err != nil {
		t.Fatalf("opening the store again: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	cfg.BaseURL = testBaseURL
	cfg.Logger = slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(validated(t, api.New(db, cfg)))
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL, DB: db, Client: srv.Client()}
}

// TestReadCacheSeesEveryCommit reads through one process while another
// process, and a connection that bypasses roadmapd altogether, change what
// it reads: every read after a change shows it, though the reader answers
// repeated reads from its cache.
func TestReadCacheSeesEveryCommit(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		writer := newConfiguredServer(t, backend, api.Config{})
		reader := secondProcess(t, writer, api.Config{})
		name := func() string {
			t.Helper()
			resp := reader.do(t, "GET", "/api/v1/releases/PRJ1-R-1", "")
			if resp.Status != http.StatusOK {
				t.Fatalf("GET: %s", resp)
			}
			return resp.tree(t).get("release", "name").str()
		}
		for i := 0; i < 10; i++ {
			before := name()
			if again := name(); again != before {
				t.Fatalf("two reads with no change between them: %q, then %q", before, again)
			}
			want := fmt.Sprintf("Renamed %d", i)
			if resp := writer.do(t, "PUT", "/api/v1/releases/PRJ1-R-1", fmt.Sprintf(`{"release":{"name":%q}}`, want)); resp.Status != http.StatusOK {
				t.Fatalf("PUT: %s", resp)
			}
			if got := name(); got != want {
				t.Fatalf("after the other process renamed the release to %q, a read answers %q", want, got)
			}
		}
		writer.sql(t, "UPDATE releases SET name = ? WHERE reference_num = ?", "Changed underneath", "PRJ1-R-1")
		if got := name(); got != "Changed underneath" {
			t.Fatalf("after a change by another connection, a read answers %q", got)
		}

		// A token revoked elsewhere stops working at once; so does a user
		// disabled elsewhere.
		tok := tokenFor(t, writer.testServer, demo.Henry)
		for range 2 {
			if resp := reader.do(t, "GET", "/api/v1/releases/PRJ1-R-1", "", tok); resp.Status != http.StatusOK {
				t.Fatalf("GET with a new token: %s", resp)
			}
		}
		writer.sql(t, "DELETE FROM api_tokens WHERE user_id = ?", demo.Henry)
		if resp := reader.do(t, "GET", "/api/v1/releases/PRJ1-R-1", "", tok); resp.Status != http.StatusUnauthorized {
			t.Fatalf("GET with a token revoked by another connection: %s, want 401", resp)
		}
		tok = tokenFor(t, writer.testServer, demo.Henry)
		if resp := reader.do(t, "GET", "/api/v1/products/PRJ1/releases", "", tok); resp.Status != http.StatusOK {
			t.Fatalf("GET with a new token: %s", resp)
		}
		writer.sql(t, "UPDATE users SET enabled = ? WHERE id = ?", false, demo.Henry)
		if resp := reader.do(t, "GET", "/api/v1/products/PRJ1/releases", "", tok); resp.Status != http.StatusUnauthorized {
			t.Fatalf("GET as a user disabled by another connection: %s, want 401", resp)
		}
	})
}

// TestReadCacheKeepsUsersApart reads one URL as users who may see different
// things, alternately: each gets the answer for what they may see.
func TestReadCacheKeepsUsersApart(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		henry := tokenFor(t, s.testServer, demo.Henry)
		for range 3 {
			if resp := s.do(t, "GET", "/api/v1/products/PRJ2/releases", ""); resp.Status != http.StatusOK {
				t.Fatalf("the administrator's GET of PRJ2's releases: %s", resp)
			}
			if resp := s.do(t, "GET", "/api/v1/products/PRJ2/releases", "", henry); resp.Status != http.StatusNotFound {
				t.Fatalf("GET of PRJ2's releases by a user without a role in it: %s, want 404", resp)
			}
		}
		admin := s.do(t, "GET", "/api/v1/products", "").tree(t).get("pagination", "total_records").str()
		for range 2 {
			mine := s.do(t, "GET", "/api/v1/products", "", henry).tree(t).get("pagination", "total_records").str()
			if mine == admin || mine == "0" {
				t.Fatalf("the products for a user who may see only PRJ1: total_records %s; the administrator's: %s", mine, admin)
			}
			if again := s.do(t, "GET", "/api/v1/products", "").tree(t).get("pagination", "total_records").str(); again != admin {
				t.Fatalf("the administrator's products: total_records %s, then %s", admin, again)
			}
		}
	})
}

// TestReadCacheAnswersAsTheHandler compares the answers of a server with the
// read cache, repeated, with those of one without it: the same body, ETag
// and compressed body, the same 304 for a matching If-None-Match, and
// fresh rate-limit headers on every answer.
func TestReadCacheAnswersAsTheHandler(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		// A bucket that refills one request a minute: at 1,000 a minute,
		// two reads 60 ms apart (a slow moment of a busy machine) could
		// show the same count, the second read's token given back.
		limits := []api.RateLimit{{Requests: 1000, Per: 1000 * time.Minute}}
		cached := newConfiguredServer(t, backend, api.Config{RateLimits: limits})
		plain := secondProcess(t, cached, api.Config{RateLimits: limits, ReadCacheBytes: -1})
		get := func(s *testServer, path string, header ...string) (*http.Response, []byte) {
			t.Helper()
			req, _ := http.NewRequest("GET", s.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+demo.Token)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, b
		}
		for _, path := range []string{"/api/v1/releases/PRJ1-R-1", "/api/v1/products/PRJ1/releases?per_page=2&page=2", "/api/v1/products/PRJ1/features"} {
			want, wantBody := get(plain, path)
			remaining := ""
			for i := 0; i < 3; i++ {
				got, body := get(cached.testServer, path)
				if got.StatusCode != http.StatusOK || !bytes.Equal(body, wantBody) {
					t.Fatalf("GET %s, read %d: %d %s\nwant %s", path, i, got.StatusCode, body, wantBody)
				}
				for _, h := range []string{"ETag", "Content-Type", "Content-Length", "Vary"} {
					if got.Header.Get(h) != want.Header.Get(h) {
						t.Errorf("GET %s, read %d: %s %q, want %q", path, i, h, got.Header.Get(h), want.Header.Get(h))
					}
				}
				if r := got.Header.Get("X-Ratelimit-Remaining"); r == "" || r == remaining {
					t.Errorf("GET %s, read %d: X-Ratelimit-Remaining %q after %q", path, i, r, remaining)
				} else {
					remaining = r
				}
				if got.Header.Get("X-Request-Id") == "" {
					t.Errorf("GET %s, read %d: no X-Request-Id", path, i)
				}

				zwant, zbody := get(plain, path, "Accept-Encoding", "gzip")
				zgot, zb := get(cached.testServer, path, "Accept-Encoding", "gzip")
				if zgot.Header.Get("Content-Encoding") != zwant.Header.Get("Content-Encoding") || zgot.Header.Get("ETag") != zwant.Header.Get("ETag") {
					t.Errorf("GET %s with gzip, read %d: Content-Encoding %q, ETag %q; want %q, %q", path, i,
						zgot.Header.Get("Content-Encoding"), zgot.Header.Get("ETag"), zwant.Header.Get("Content-Encoding"), zwant.Header.Get("ETag"))
				}
				if zgot.Header.Get("Content-Encoding") == "gzip" {
					if gunzip(t, zb) != gunzip(t, zbody) {
						t.Errorf("GET %s with gzip, read %d: another body", path, i)
					}
				}

				nm, nb := get(cached.testServer, path, "If-None-Match", want.Header.Get("ETag"))
				if nm.StatusCode != http.StatusNotModified || len(nb) != 0 {
					t.Errorf("GET %s with its ETag, read %d: %d %q, want 304", path, i, nm.StatusCode, nb)
				}
			}
		}
	})
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestReadCacheSavesTheStatements checks, on SQLite (whose version no other
// test moves), that a repeated GET runs no statement but the reading of
// the version, and that a cache too small to hold the answer runs the
// handler's statements every time.
func TestReadCacheSavesTheStatements(t *testing.T) {
	for _, tc := range []struct {
		bytes int64
		again bool
	}{{0, false}, {1, true}} {
		s := newConfiguredServer(t, "sqlite", api.Config{ReadCacheBytes: tc.bytes})
		var n atomic.Int64
		s.DB.Trace(func(string, []any) { n.Add(1) })
		for i := 0; i < 3; i++ {
			n.Store(0)
			if resp := s.do(t, "GET", "/api/v1/releases/PRJ1-R-1", ""); resp.Status != http.StatusOK {
				t.Fatalf("GET: %s", resp)
			}
			ran := n.Load()
			switch {
			case i == 0 && ran == 0:
				t.Errorf("cache of %d bytes: the first GET ran no statement", tc.bytes)
			case i > 0 && tc.again && ran == 0:
				t.Errorf("cache of %d bytes: GET %d ran no statement, though the answer cannot be held", tc.bytes, i+1)
			case i > 0 && !tc.again && ran != 0:
				t.Errorf("cache of %d bytes: GET %d ran %d statements, though nothing changed", tc.bytes, i+1, ran)
			}
		}
		s.DB.Trace(nil)
		if resp := s.do(t, "GET", "/api/v1/releases/PRJ1-R-1", "", "not-a-token"); resp.Status != http.StatusUnauthorized || !strings.Contains(string(resp.Body), "errors") {
			t.Errorf("GET with a bad token: %s", resp)
		}
	}
}
