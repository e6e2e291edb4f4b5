package api_test

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
)

// configuredServer is a demo server whose API configuration a test sets,
// with the address of its database for direct SQL.
type configuredServer struct {
	*testServer
	dsn     string
	backend string
}

// newConfiguredServer starts an API server with cfg over a new demo
// database of the backend; BaseURL and Logger are filled in when empty.
// The wrappers, when given, wrap the server's handler, the first outermost.
func newConfiguredServer(t testing.TB, backend string, cfg api.Config, wrap ...func(http.Handler) http.Handler) *configuredServer {
	t.Helper()
	dsn := demodb.DSN(t, backend)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if cfg.BaseURL == "" {
		cfg.BaseURL = testBaseURL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := validated(t, api.New(db, cfg))
	for i := len(wrap) - 1; i >= 0; i-- {
		h = wrap[i](h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &configuredServer{testServer: &testServer{URL: srv.URL, DB: db, Client: srv.Client()}, dsn: dsn, backend: backend}
}

// sql runs a statement (with ? placeholders) on the server's database over a
// connection of its own, as another process would.
func (s *configuredServer) sql(t testing.TB, query string, args ...any) {
	t.Helper()
	db := s.rawDB(t)
	defer db.Close()
	if _, err := db.Exec(s.rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// count returns the single integer a query selects.
func (s *configuredServer) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	db := s.rawDB(t)
	defer db.Close()
	var n int
	if err := db.QueryRow(s.rebind(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (s *configuredServer) rawDB(t testing.TB) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+s.dsn+"?_pragma=busy_timeout(10000)"
	if s.backend == "postgres" {
		driver, dsn = "pgx", s.dsn
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func (s *configuredServer) rebind(q string) string {
	if s.backend != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
