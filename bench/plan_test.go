package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// planRequests are the requests whose statements TestNoScanOfReleases
// checks; %s is a generated release's reference number and %d the product.
var planRequests = []struct{ method, path, body string }{
	{"GET", "/api/v1/releases/%s", ""},
	{"PUT", "/api/v1/releases/%s", `{"release":{"name":"Renamed"}}`},
	{"POST", "/api/v1/products/%d/releases", `{"release":{"name":"Created"}}`},
	{"GET", "/api/v1/products/%d/releases?per_page=30", ""},
	{"GET", "/api/v1/products/%d/releases?page=100&per_page=5", ""},
	{"GET", "/api/v1/products/%d/releases?exclude_shipped=true", ""},
	{"GET", "/api/v1/products/%d/releases?parking_lot=true", ""},
	{"GET", "/api/v1/products/%d/releases?q=" + RareWord, ""},
	{"GET", "/api/v1/products/%d/releases?updated_since=%t", ""},
}

// startupStatements are run by Open, before a trace can be set.
var startupStatements = []string{"SELECT id, name FROM releases WHERE name_fold IS NULL"}

// TestNoScanOfReleases runs the release reads, writes and lists of the API
// on a generated account, and asks the database for the plan of every
// statement that reads releases: none may scan the table (nor a whole index
// of it). On PostgreSQL sequential scans are disabled for the plans, so that
// a Seq Scan in a plan means that no index serves the statement.
// Searches shorter than three characters, which no trigram index serves,
// are not among the requests.
func TestNoScanOfReleases(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			acc, err := Generate(ctx, dsn, 2000)
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var mu sync.Mutex
			var stmts []tracedStmt
			from := ""
			db.Trace(func(q string, args []any) {
				mu.Lock()
				stmts = append(stmts, tracedStmt{q, args, from})
				mu.Unlock()
			})
			for _, q := range startupStatements {
				stmts = append(stmts, tracedStmt{query: q, from: "Open"})
			}
			h := api.New(db, api.Config{BaseURL: "http://plan.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
			since := url.QueryEscape(time.UnixMilli(acc.RecentSince).UTC().Format(time.RFC3339))
			for _, r := range planRequests {
				path := r.path
				path = strings.Replace(path, "%s", acc.Sample, 1)
				path = strings.Replace(path, "%d", fmt.Sprint(Product), 1)
				path = strings.Replace(path, "%t", since, 1)
				mu.Lock()
				from = r.method + " " + path
				mu.Unlock()
				req := httptest.NewRequest(r.method, path, strings.NewReader(r.body))
				req.Header.Set("Authorization", "Bearer "+demo.Token)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code >= 300 {
					t.Fatalf("%s: %d %s", from, rec.Code, rec.Body)
				}
			}
			db.Trace(nil)
			c := planConn(ctx, t, dsn, backend)
			checked := checkPlans(ctx, t, c, backend, "releases", stmts, releaseAliases, scanOf)
			if checked < len(planRequests) {
				t.Errorf("checked the plans of %d statements, want at least one per request (%d)", checked, len(planRequests))
			}
		})
	}
}

var releasesRef = regexp.MustCompile(`(?i)\breleases\b(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?`)

// notAlias are the words that may follow a table name without being its
// alias.
var notAlias = map[string]bool{"where": true, "join": true, "on": true, "set": true, "left": true, "inner": true,
	"order": true, "group": true, "limit": true, "values": true, "using": true, "returning": true, "union": true}

// releaseAliases returns the names under which a statement reads the
// releases table, or nil when it reads none.
func releaseAliases(q string) []string {
	var out []string
	for _, m := range releasesRef.FindAllStringSubmatchIndex(q, -1) {
		// Skip releases_... names and columns such as r.releases.
		if m[0] > 0 && (q[m[0]-1] == '.' || q[m[0]-1] == '_') {
			continue
		}
		out = append(out, "releases")
		if m[2] >= 0 {
			if a := strings.ToLower(q[m[2]:m[3]]); !notAlias[a] {
				out = append(out, a)
			}
		}
	}
	if strings.HasPrefix(strings.TrimSpace(strings.ToUpper(q)), "INSERT INTO RELEASES ") && !strings.Contains(strings.ToUpper(q), "SELECT") {
		return nil
	}
	return out
}

// checkPlans explains each distinct statement that reads table under the
// names aliases gives (none: the statement is not checked), and reports
// every one whose plan scan finds scanning it; it returns how many it
// explained.
func checkPlans(ctx context.Context, t *testing.T, c *sql.Conn, backend, table string, stmts []tracedStmt,
	aliases func(query string) []string, scan func(backend, query string, plan, aliases []string) string) int {
	t.Helper()
	checked := 0
	seen := map[string]bool{}
	for _, s := range stmts {
		as := aliases(s.query)
		if len(as) == 0 || seen[s.query] {
			continue
		}
		seen[s.query] = true
		plan, err := explain(ctx, c, backend, s.query, s.args)
		if err != nil {
			t.Errorf("%s: explaining %s: %v", s.from, s.query, err)
			continue
		}
		checked++
		if bad := scan(backend, s.query, plan, as); bad != "" {
			t.Errorf("%s runs a statement that scans %s (%s):\n%s\nplan:\n%s", s.from, table, bad, s.query, strings.Join(plan, "\n"))
		}
	}
	return checked
}

func explain(ctx context.Context, c *sql.Conn, backend, q string, args []any) ([]string, error) {
	prefix := "EXPLAIN QUERY PLAN "
	if backend == "postgres" {
		prefix = "EXPLAIN "
	}
	rows, err := c.QueryContext(ctx, prefix+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
	}
	return plan, rows.Err()
}

// partialIndexes are indexes of releases that hold only the few rows a
// statement looks for, so that reading them whole is no scan.
var partialIndexes = []string{"releases_fold_missing"}

// scanOf returns the plan line that scans releases under one of aliases,
// or "". On SQLite, a search of a product's releases by product alone in a
// statement without LIMIT reads every release of the product, and counts
// as a scan too.
func scanOf(backend, query string, plan, aliases []string) string {
	limited := strings.Contains(strings.ToUpper(query), " LIMIT ")
	for _, line := range plan {
		l := strings.TrimSpace(line)
		if backend == "postgres" {
			if strings.Contains(l, "Seq Scan on releases ") || strings.HasSuffix(l, "Seq Scan on releases") {
				return l
			}
			continue
		}
		partial := false
		for _, ix := range partialIndexes {
			partial = partial || strings.HasSuffix(l, "USING INDEX "+ix)
		}
		for _, a := range aliases {
			if !partial && (l == "SCAN "+a || strings.HasPrefix(l, "SCAN "+a+" ")) {
				return l
			}
			if strings.HasPrefix(l, "SEARCH "+a+" ") && strings.HasSuffix(l, "(product_id=?)") && !limited {
				return l
			}
		}
	}
	return ""
}

// planConn opens a connection of its own to the database at dsn for
// explaining statements, closed when the test ends. On PostgreSQL it turns
// sequential scans off, so that a plan shows one only where no index serves.
func planConn(ctx context.Context, t *testing.T, dsn, backend string) *sql.Conn {
	t.Helper()
	raw, err := openRaw(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	c, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if backend == "postgres" {
		if _, err := c.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
