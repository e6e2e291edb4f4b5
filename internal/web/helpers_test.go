package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// Demo users the tests act as.
const (
	jane       int64 = 435166761 // viewer in PRJ1
	noProjects int64 = 375285024 // Gregory McSmith: no role anywhere
)

// testToday is the day the tests' showcase is dated from.
var testToday = time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

// env is a web UI and the API over a fresh demo database with the showcase.
type env struct {
	t   *testing.T
	db  *store.DB
	web *Server
	h   http.Handler
	mu  sync.Mutex
	now time.Time
}

// eachBackend runs fn as a parallel subtest per database backend.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, backend, "http://company.aha.io"))
		})
	}
}

// showcaseTemplate holds the demo account and the showcase (dated from
// testToday), written a millisecond before testToday: so the IDs that the
// showcase's records got, made of their time and a random part, are all
// below those of the records that the tests make, as when one store made
// both.
var showcaseTemplate = testdb.NewTemplate("showcase", func(ctx context.Context, backend, dsn string) error {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	db.Now = func() time.Time { return testToday.Add(-time.Millisecond) }
	loaded, err := db.Seed(ctx, demo.Account())
	if err == nil && !loaded {
		err = errors.New("seeding: the new database is not empty")
	}
	if err == nil {
		err = demo.Showcase(ctx, db, testToday)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
})

func newEnv(t *testing.T, backend, base string) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, showcaseTemplate.DSN(t, backend), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db, now: testToday}
	db.Now = e.clock
	logger := slog.New(slog.DiscardHandler)
	e.web = New(db, Config{BaseURL: base, Logger: logger, Now: e.clock})
	e.web.limiter.sleep = func(context.Context, time.Duration) {}
	mux := http.NewServeMux()
	apiH := api.New(db, api.Config{BaseURL: base, Logger: logger})
	mux.Handle("/api/v1/", apiH)
	mux.Handle("/", e.web)
	e.h = mux
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// advance moves the clock of the store and the UI.
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// password gives a user a password.
func (e *env) password(userID int64, pw string) {
	e.t.Helper()
	h, err := roadmap.HashPassword(pw)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.SetPassword(context.Background(), userID, h); err != nil {
		e.t.Fatal(err)
	}
}

// session starts a session of a user and returns its cookie value.
func (e *env) session(userID int64) string {
	e.t.Helper()
	tok := roadmap.NewToken()
	if err := e.db.CreateSession(context.Background(), userID, roadmap.HashToken(tok)); err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// resp is an answer read in full.
type resp struct {
	Status int
	Header http.Header
	Body   string
}

// get requests a page with a session cookie ("" sends none).
func (e *env) get(cookie, path string) resp {
	return e.send(http.MethodGet, cookie, path, nil, nil)
}

// post sends a same-origin form as a browser does.
func (e *env) post(cookie, path string, form url.Values) resp {
	return e.send(http.MethodPost, cookie, path, form, map[string]string{"Sec-Fetch-Site": "same-origin"})
}

func (e *env) send(method, cookie, path string, form url.Values, headers map[string]string) resp {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, "http://company.aha.io"+path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return resp{Status: w.Code, Header: w.Header(), Body: w.Body.String()}
}

// release reads a release through the store.
func (e *env) release(key string) *roadmap.Release {
	e.t.Helper()
	r, err := e.db.Release(context.Background(), key)
	if err != nil {
		e.t.Fatalf("Release(%s): %v", key, err)
	}
	return r
}

// must fails the test unless the answer has the status and holds each text.
func (e *env) must(r resp, status int, texts ...string) {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d; body:\n%.3000s", r.Status, status, r.Body)
	}
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			e.t.Errorf("answer lacks %q; body:\n%.3000s", s, r.Body)
		}
	}
}

// mustNot fails the test when the answer holds any of the texts.
func (e *env) mustNot(r resp, texts ...string) {
	e.t.Helper()
	for _, s := range texts {
		if strings.Contains(r.Body, s) {
			e.t.Errorf("answer holds %q", s)
		}
	}
}

// day is a date relative to testToday.
func day(n int) string { return roadmap.Today(testToday.AddDate(0, 0, n)) }

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }
