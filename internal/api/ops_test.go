package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
)

// logSink collects JSON log records while a server writes them.
type logSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// records returns the records logged so far.
func (s *logSink) records(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// opsServer is a demo server built with cfg, logging JSON into its sink.
type opsServer struct {
	*testServer
	dsn  string
	logs *logSink
	api  *api.Server
}

func newOpsServer(t testing.TB, backend string, cfg api.Config) *opsServer {
	t.Helper()
	dsn := demodb.DSN(t, backend)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &logSink{}
	cfg.BaseURL = testBaseURL
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	h := api.New(db, cfg)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	// The raw transport, so that tests see compressed bodies as sent.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	return &opsServer{testServer: &testServer{URL: srv.URL, DB: db, Client: client}, dsn: dsn, logs: logs, api: h}
}

// send sends a request with the given headers and reads the whole answer.
func (s *opsServer) send(t testing.TB, method, path, body string, headers ...string) *response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func mustLimits(t *testing.T, spec string) []api.RateLimit {
	t.Helper()
	l, err := api.ParseRateLimits(spec)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseRateLimits(t *testing.T) {
	t.Parallel()
	got, err := api.ParseRateLimits(api.DefaultRateLimits)
	if err != nil || len(got) != 2 || got[0] != (api.RateLimit{Requests: 300, Per: time.Minute}) || got[1] != (api.RateLimit{Requests: 20, Per: time.Second}) {
		t.Fatalf("default: %v %v", got, err)
	}
	for _, off := range []string{"off", "OFF", ""} {
		if l, err := api.ParseRateLimits(off); err != nil || l != nil {
			t.Errorf("%q: %v %v, want no limit", off, l, err)
		}
	}
	if l, err := api.ParseRateLimits("10/30s, 1000/h"); err != nil || len(l) != 2 || l[0].Per != 30*time.Second || l[1].Per != time.Hour {
		t.Errorf("10/30s,1000/h: %v %v", l, err)
	}
	for _, bad := range []string{"300", "0/m", "-1/s", "x/s", "5/fortnight", "5/-1s", "300/m,"} {
		if _, err := api.ParseRateLimits(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRateLimitPerUser runs a user over its limit: every answer carries the
// X-Ratelimit headers, the refusal is a 429 in the error shape with
// Retry-After, another user is not affected, and the refusal is counted.
func TestRateLimitPerUser(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t, "sqlite", api.Config{RateLimits: mustLimits(t, "100/m,5/h")})
	for i := 0; i < 5; i++ {
		r := s.send(t, "GET", "/api/v1/releases/PRJ1-R-1", "")
		if r.Status != 200 {
			t.Fatalf("request %d: %d %s", i+1, r.Status, r.Body)
		}
		if got := r.Header.Get("X-Ratelimit-Limit"); got != "5" {
			t.Errorf("request %d: X-Ratelimit-Limit %q, want 5 (the window closest to running out)", i+1, got)
		}
		if got := r.Header.Get("X-Ratelimit-Remaining"); got != strconv.Itoa(4-i) {
			t.Errorf("request %d: X-Ratelimit-Remaining %q, want %d", i+1, got, 4-i)
		}
		reset, err := strconv.ParseInt(r.Header.Get("X-Ratelimit-Reset"), 10, 64)
		if now := time.Now().Unix(); err != nil || reset < now || reset > now+3601 {
			t.Errorf("request %d: X-Ratelimit-Reset %q, want a Unix time within the hour", i+1, r.Header.Get("X-Ratelimit-Reset"))
		}
	}
	for _, path := range []string{"/api/v1/releases/PRJ1-R-1", "/api/v1/products/PRJ1/releases"} {
		r := s.send(t, "GET", path, "")
		if r.Status != 429 {
			t.Fatalf("%s over the limit: %d %s, want 429", path, r.Status, r.Body)
		}
		msg := r.json(t)["errors"].(map[string]any)["message"].(string)
		if !strings.Contains(msg, "Rate limit") {
			t.Errorf("429 message %q", msg)
		}
		ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || ra < 700 || ra > 720 {
			t.Errorf("Retry-After %q, want about 720 s (one request of 5 an hour)", r.Header.Get("Retry-After"))
		}
		if r.Header.Get("X-Ratelimit-Remaining") != "0" || r.Header.Get("X-Ratelimit-Limit") != "5" {
			t.Errorf("429 headers: %v", r.Header)
		}
	}
	// Refused requests wrote nothing: a write over the limit is not made.
	if r := s.send(t, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"Over the limit"}}`); r.Status != 429 {
		t.Fatalf("create over the limit: %d", r.Status)
	}
	// The limit is the user's, whichever of its tokens it sends.
	if r := s.send(t, "GET", "/api/v1/me", "", "Authorization", "Bearer "+demo.UsersToken); r.Status != 429 {
		t.Fatalf("Mary's other token: %d, want 429", r.Status)
	}
	john := roadmap.NewToken()
	if err := s.DB.CreateToken(context.Background(), demo.John, roadmap.HashToken(john)); err != nil {
		t.Fatal(err)
	}
	r := s.send(t, "GET", "/api/v1/products/PRJ1/releases?q=over", "", "Authorization", "Bearer "+john)
	if r.Status != 200 || !bytes.Contains(r.Body, []byte(`"total_records":0`)) {
		t.Fatalf("another user is limited too, or the refused create was made: %d %s", r.Status, r.Body)
	}
	if r.Header.Get("X-Ratelimit-Remaining") != "4" {
		t.Errorf("the other user's remaining: %q, want 4", r.Header.Get("X-Ratelimit-Remaining"))
	}
	if r := s.send(t, "GET", "/healthz", ""); r.Status != 200 {
		t.Errorf("/healthz is limited: %d", r.Status)
	}
	m := s.send(t, "GET", "/metrics", "")
	if !regexp.MustCompile(`(?m)^roadmapd_rate_limited_total 4$`).Match(m.Body) {
		t.Errorf("metrics do not count 4 refusals:\n%s", grepLines(m.Body, "rate_limited"))
	}
}

// TestRateLimitRefills checks that a refused user gets in again once
// Retry-After has passed.
func TestRateLimitRefills(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t, "sqlite", api.Config{RateLimits: mustLimits(t, "2/s")})
	for i := 0; i < 2; i++ {
		if r := s.send(t, "GET", "/api/v1/me", ""); r.Status != 200 {
			t.Fatalf("%d: %d", i, r.Status)
		}
	}
	r := s.send(t, "GET", "/api/v1/me", "")
	if r.Status != 429 || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("third request in a second: %d Retry-After %q, want 429 and 1", r.Status, r.Header.Get("Retry-After"))
	}
	time.Sleep(1100 * time.Millisecond)
	if r := s.send(t, "GET", "/api/v1/me", ""); r.Status != 200 {
		t.Fatalf("after Retry-After: %d %s", r.Status, r.Body)
	}
}

// TestNoRateLimitWhenOff checks that a server without limits sends no
// X-Ratelimit headers and refuses nothing.
func TestNoRateLimitWhenOff(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t, "sqlite", api.Config{})
	for i := 0; i < 30; i++ {
		r := s.send(t, "GET", "/api/v1/me", "")
		if r.Status != 200 || r.Header.Get("X-Ratelimit-Limit") != "" {
			t.Fatalf("request %d: %d %v", i, r.Status, r.Header)
		}
	}
}

func grepLines(body []byte, substr string) string {
	var out []string
	for _, l := range strings.Split(string(body), "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// metricValue returns the value of the sample whose line starts with
// prefix (a name and its labels), or -1 when there is none.
func metricValue(t *testing.T, body []byte, prefix string) float64 {
	t.Helper()
	for _, l := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(l, prefix+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return v
		}
	}
	return -1
}

// TestMetrics reads /metrics after a few requests: they are counted by route
// pattern (never the raw path), method and status, timed, and the store's
// pools are reported.
func TestMetrics(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newOpsServer(t, backend, api.Config{})
		for i := 0; i < 2; i++ {
			s.send(t, "GET", "/api/v1/releases/PRJ1-R-1", "")
		}
		s.send(t, "GET", "/api/v1/releases/PRJ1-R-999", "")
		s.send(t, "HEAD", "/api/v1/releases/PRJ1-R-2", "")
		s.send(t, "GET", "/no/such/route", "")
		s.send(t, "BREW", "/api/v1/releases/PRJ1-R-1", "")
		s.send(t, "FROB", "/api/v1/releases/PRJ1-R-1", "")
		m := s.send(t, "GET", "/metrics", "", "Authorization", "")
		if m.Status != 200 {
			t.Fatalf("/metrics: %d", m.Status)
		}
		want := map[string]float64{
			`roadmapd_http_requests_total{method="GET",route="/api/v1/releases/{id}",status="200"}`:               2,
			`roadmapd_http_requests_total{method="GET",route="/api/v1/releases/{id}",status="404"}`:               1,
			`roadmapd_http_requests_total{method="HEAD",route="/api/v1/releases/{id}",status="200"}`:              1,
			`roadmapd_http_requests_total{method="GET",route="unmatched",status="404"}`:                           1,
			`roadmapd_http_requests_total{method="other",route="unmatched",status="405"}`:                         2,
			`roadmapd_http_request_duration_seconds_count{method="GET",route="/api/v1/releases/{id}"}`:            3,
			`roadmapd_http_request_duration_seconds_bucket{method="GET",route="/api/v1/releases/{id}",le="+Inf"}`: 3,
		}
		pools := map[string]float64{"write": 1, "read": 4}
		if backend == "postgres" {
			pools = map[string]float64{"main": 10}
		}
		for pool, max := range pools {
			want[fmt.Sprintf(`roadmapd_db_max_open_connections{pool="%s"}`, pool)] = max
		}
		for prefix, v := range want {
			if got := metricValue(t, m.Body, prefix); got != v {
				t.Errorf("%s = %v, want %v", prefix, got, v)
			}
		}
		for _, pool := range []string{"write", "read", "main"} {
			_, expected := pools[pool]
			if got := metricValue(t, m.Body, fmt.Sprintf(`roadmapd_db_open_connections{pool="%s"}`, pool)); (got >= 0) != expected {
				t.Errorf("open connections of pool %q: %v", pool, got)
			}
		}
		for _, raw := range []string{"PRJ1-R-1", "PRJ1-R-999", "/no/such/route", "BREW", "FROB"} {
			if bytes.Contains(m.Body, []byte(raw)) {
				t.Errorf("the metrics hold the raw path %q", raw)
			}
		}
	})
}

// TestMetricsElsewhere checks that with MetricsElsewhere the API does not
// serve /metrics, and its Metrics handler does.
func TestMetricsElsewhere(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t, "sqlite", api.Config{MetricsElsewhere: true})
	s.send(t, "GET", "/api/v1/me", "")
	if r := s.send(t, "GET", "/metrics", ""); r.Status != 404 || !bytes.Contains(r.Body, []byte(`{"errors":{"message":`)) {
		t.Fatalf("/metrics on the API: %d %s, want a JSON 404", r.Status, r.Body)
	}
	ms := httptest.NewServer(s.api.Metrics())
	defer ms.Close()
	resp, err := http.Get(ms.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := metricValue(t, body, `roadmapd_http_requests_total{method="GET",route="/api/v1/me",status="200"}`); got != 1 {
		t.Fatalf("the metrics handler counts %v requests of /api/v1/me, want 1", got)
	}
}

// TestRequestLog checks the one log record of each request: its request ID
// (the client's when sane, else a new one, and echoed in X-Request-Id), the
// user, the route pattern, method, status, bytes and duration.
func TestRequestLog(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t, "sqlite", api.Config{})
	r := s.send(t, "GET", "/api/v1/releases/PRJ1-R-1", "", "X-Request-Id", "trace-42.abc")
	if r.Header.Get("X-Request-Id") != "trace-42.abc" {
		t.Fatalf("X-Request-Id %q, want the client's", r.Header.Get("X-Request-Id"))
	}
	ids := map[string]bool{}
	for _, bad := range []string{strings.Repeat("a", 129), "has space", "caf\u00e9", "tab\there"} {
		r := s.send(t, "GET", "/healthz", "", "X-Request-Id", bad)
		got := r.Header.Get("X-Request-Id")
		if got == "" || got == bad || len(got) > 128 || ids[got] {
			t.Errorf("X-Request-Id %q for the client's %q: want a new one", got, bad)
		}
		ids[got] = true
	}
	s.send(t, "GET", "/api/v1/releases/PRJ1-R-1", "", "Authorization", "Bearer wrong", "X-Request-Id", "unauthenticated-1")

	var found, unauth int
	for _, rec := range s.logs.records(t) {
		switch rec["request_id"] {
		case "trace-42.abc":
			found++
			if rec["msg"] != "request" || rec["level"] != "INFO" || rec["method"] != "GET" ||
				rec["route"] != "/api/v1/releases/{id}" || rec["path"] != "/api/v1/releases/PRJ1-R-1" ||
				rec["status"] != float64(200) || rec["user_id"] != float64(1020675218) {
				t.Errorf("request record %v", rec)
			}
			if b, _ := rec["bytes"].(float64); int(b) != len(r.Body) {
				t.Errorf("bytes %v, want %d", rec["bytes"], len(r.Body))
			}
			if d, _ := rec["duration"].(float64); d <= 0 {
				t.Errorf("duration %v", rec["duration"])
			}
		case "unauthenticated-1":
			unauth++
			if _, ok := rec["user_id"]; ok || rec["status"] != float64(401) {
				t.Errorf("unauthenticated record %v", rec)
			}
		}
	}
	if found != 1 || unauth != 1 {
		t.Fatalf("%d and %d records of the two requests, want one each:\n%v", found, unauth, s.logs.records(t))
	}
}

// TestAbandonedRequestIsNotAnError has a client give up on a request that
// waits for a lock: the request is logged once, at info, as abandoned, and
// no internal error is logged.
func TestAbandonedRequestIsNotAnError(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newOpsServer(t, backend, api.Config{})
		driver := "sqlite"
		lockSQL := []string{"BEGIN IMMEDIATE"}
		if backend == "postgres" {
			driver = "pgx"
			lockSQL = []string{"BEGIN", "LOCK TABLE releases IN ACCESS EXCLUSIVE MODE"}
		}
		other, err := sql.Open(driver, s.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		conn, err := other.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range lockSQL {
			if _, err := conn.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		defer conn.ExecContext(context.Background(), "ROLLBACK")

		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/api/v1/products/PRJ1/releases", strings.NewReader(`{"release":{"name":"Abandoned"}}`))
		req.Header.Set("Authorization", "Bearer "+demo.Token)
		req.Header.Set("X-Request-Id", "gone-1")
		if resp, err := s.Client.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("the request was answered %d while the table was locked", resp.StatusCode)
		}
		var rec map[string]any
		deadline := time.Now().Add(15 * time.Second)
		for rec == nil && time.Now().Before(deadline) {
			for _, r := range s.logs.records(t) {
				if r["request_id"] == "gone-1" {
					rec = r
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		if rec == nil {
			t.Fatal("the abandoned request was not logged")
		}
		if rec["level"] != "INFO" || rec["msg"] != "request abandoned by the client" || rec["status"] != float64(499) {
			t.Errorf("abandoned request logged as %v", rec)
		}
		for _, r := range s.logs.records(t) {
			if r["level"] == "ERROR" || r["msg"] == "internal error" {
				t.Errorf("logged %v", r)
			}
		}
	})
}

// TestGzipAndETag checks compression of bodies above 1 KiB for clients that
// accept gzip, strong ETags on GET answers with 304 for If-None-Match, and
// that HEAD and error answers stay as they were.
func TestGzipAndETag(t *testing.T) {
	t.Parallel()
	s := newOpsServer(t, "sqlite", api.Config{})
	const list = "/api/v1/products/PRJ1/releases"
	plain := s.send(t, "GET", list, "")
	if plain.Status != 200 || len(plain.Body) < 1024 || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity answer: %d, %d bytes, encoding %q", plain.Status, len(plain.Body), plain.Header.Get("Content-Encoding"))
	}
	if plain.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("Vary %q", plain.Header.Get("Vary"))
	}
	gz := s.send(t, "GET", list, "", "Accept-Encoding", "gzip")
	if gz.Header.Get("Content-Encoding") != "gzip" || gz.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip answer headers: %v", gz.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain.Body) {
		t.Fatalf("the gzip body does not decompress to the identity body (%v)", err)
	}
	if len(gz.Body) >= len(plain.Body) {
		t.Errorf("gzip %d bytes, identity %d", len(gz.Body), len(plain.Body))
	}
	if got := s.send(t, "GET", list, "", "Accept-Encoding", "gzip;q=0"); got.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got a compressed answer")
	}
	small := s.send(t, "GET", "/healthz", "", "Accept-Encoding", "gzip")
	if small.Header.Get("Content-Encoding") != "" || string(small.Body) != `{"status":"ok"}` {
		t.Errorf("a small body was compressed: %v %q", small.Header, small.Body)
	}

	etag := plain.Header.Get("ETag")
	if !regexp.MustCompile(`^"[A-Za-z0-9_-]+"$`).MatchString(etag) {
		t.Fatalf("ETag %q, want a strong tag", etag)
	}
	if gz.Header.Get("ETag") == etag || gz.Header.Get("ETag") == "" {
		t.Errorf("the gzip answer's ETag %q should differ from the identity one %q", gz.Header.Get("ETag"), etag)
	}
	if again := s.send(t, "GET", list, ""); again.Header.Get("ETag") != etag {
		t.Errorf("the same answer got another ETag: %q, %q", again.Header.Get("ETag"), etag)
	}
	for _, inm := range []string{etag, gz.Header.Get("ETag"), `"other", ` + etag, "W/" + etag, "*"} {
		nm := s.send(t, "GET", list, "", "If-None-Match", inm)
		if nm.Status != 304 || len(nm.Body) != 0 || nm.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d, %d bytes, ETag %q; want 304 without a body", inm, nm.Status, len(nm.Body), nm.Header.Get("ETag"))
		}
	}
	head := s.send(t, "HEAD", list, "")
	if head.Status != 200 || len(head.Body) != 0 || head.Header.Get("ETag") != etag || head.Header.Get("Content-Length") != strconv.Itoa(len(plain.Body)) {
		t.Errorf("HEAD: %d, %d bytes, ETag %q, Content-Length %q", head.Status, len(head.Body), head.Header.Get("ETag"), head.Header.Get("Content-Length"))
	}
	if nm := s.send(t, "HEAD", list, "", "If-None-Match", etag); nm.Status != 304 {
		t.Errorf("HEAD with If-None-Match: %d", nm.Status)
	}

	// A change gives a new tag, and the old one no longer matches.
	if r := s.send(t, "PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"name":"Renamed"}}`, "Content-Type", "application/json"); r.Status != 200 || r.Header.Get("ETag") != "" {
		t.Fatalf("PUT: %d, ETag %q (writes carry none)", r.Status, r.Header.Get("ETag"))
	}
	changed := s.send(t, "GET", list, "", "If-None-Match", etag)
	if changed.Status != 200 || changed.Header.Get("ETag") == etag || !bytes.Contains(changed.Body, []byte("Renamed")) {
		t.Errorf("after a change: %d, ETag %q", changed.Status, changed.Header.Get("ETag"))
	}

	// Errors keep their JSON body and get no ETag, whatever If-None-Match says.
	miss := s.send(t, "GET", "/api/v1/releases/PRJ1-R-999", "", "If-None-Match", "*", "Accept-Encoding", "gzip")
	if miss.Status != 404 || miss.Header.Get("ETag") != "" || !bytes.HasPrefix(miss.Body, []byte(`{"errors":{"message":`)) {
		t.Errorf("404: %d %v %s", miss.Status, miss.Header, miss.Body)
	}
	unauth := s.send(t, "GET", list, "", "Authorization", "", "If-None-Match", etag)
	if unauth.Status != 401 || unauth.Header.Get("ETag") != "" {
		t.Errorf("401 with If-None-Match: %d %v", unauth.Status, unauth.Header)
	}
}
