package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// listPlanRequests are the lists of goals, initiatives, epics,
// requirements, to-dos and comments whose statements TestNoScanOfLists
// checks, with the table whose reads are explained and, in count, a query
// of what the list's total must be; %d is the product, %r the template
// release, %f the feature that holds the generated requirements, comments
// and to-dos, %t a recent time (in count: %D, %R and %F are their IDs).
var listPlanRequests = []struct{ table, path, count string }{
	{"goals", "/api/v1/goals?per_page=30", "SELECT COUNT(*) FROM goals"},
	{"goals", "/api/v1/products/%d/goals?per_page=30", "SELECT COUNT(*) FROM goals WHERE product_id = %D"},
	{"goals", "/api/v1/products/%d/goals?page=100&per_page=5", ""},
	{"initiatives", "/api/v1/initiatives?per_page=30", "SELECT COUNT(*) FROM initiatives"},
	{"initiatives", "/api/v1/initiatives?q=" + RareWord, "SELECT COUNT(*) FROM initiatives WHERE name_fold LIKE '%" + RareWord + "%'"},
	{"initiatives", "/api/v1/products/%d/initiatives?per_page=30", "SELECT COUNT(*) FROM initiatives WHERE product_id = %D"},
	{"initiatives", "/api/v1/products/%d/initiatives?page=100&per_page=5", ""},
	{"initiatives", "/api/v1/products/%d/initiatives?q=" + strings.ToUpper(RareWord), "SELECT COUNT(*) FROM initiatives WHERE product_id = %D AND name_fold LIKE '%" + RareWord + "%'"},
	{"initiatives", "/api/v1/products/%d/initiatives?updated_since=%t", ""},
	{"initiatives", "/api/v1/products/%d/initiatives?assigned_to_user=henry.humpty%40example.com", fmt.Sprintf("SELECT COUNT(*) FROM initiatives WHERE product_id = %%D AND assigned_to_user_id = %d", demo.Henry)},
	{"epics", "/api/v1/epics?per_page=30", "SELECT COUNT(*) FROM epics"},
	{"epics", "/api/v1/products/%d/epics?per_page=30", "SELECT COUNT(*) FROM epics WHERE product_id = %D"},
	{"epics", "/api/v1/products/%d/epics?q=" + RareWord, "SELECT COUNT(*) FROM epics WHERE product_id = %D AND name_fold LIKE '%" + RareWord + "%'"},
	{"epics", "/api/v1/releases/%r/epics?per_page=30", "SELECT COUNT(*) FROM epics WHERE release_id = %R"},
	{"epics", "/api/v1/releases/%r/epics?updated_since=%t", ""},
	{"requirements", "/api/v1/features/%f/requirements?per_page=30", "SELECT COUNT(*) FROM requirements WHERE feature_id = %F"},
	{"requirements", "/api/v1/features/%f/requirements?page=100&per_page=5", ""},
	{"requirements", "/api/v1/features/%f/requirements?updated_since=%t", ""},
	{"requirements", "/api/v1/features/%f/requirements?q=" + strings.ToUpper(RareWord), "SELECT COUNT(*) FROM requirements WHERE feature_id = %F AND name_fold LIKE '%" + RareWord + "%'"},
	{"tasks", "/api/v1/tasks?per_page=30", "SELECT COUNT(*) FROM tasks WHERE kind = 'Task'"},
	{"tasks", "/api/v1/products/%d/tasks?per_page=30", "SELECT COUNT(*) FROM tasks WHERE product_id = %D AND kind = 'Task'"},
	{"tasks", "/api/v1/products/%d/tasks?page=100&per_page=5", ""},
	{"tasks", "/api/v1/products/%d/tasks?updated_since=%t", ""},
	{"tasks", "/api/v1/features/%f/tasks?per_page=30", "SELECT COUNT(*) FROM task_records WHERE record_type = 'Feature' AND record_id = %F"},
	{"tasks", "/api/v1/features/%f/tasks?page=100&per_page=5", ""},
	{"comments", "/api/v1/features/%f/comments?per_page=30", "SELECT COUNT(*) FROM comments WHERE feature_id = %F"},
	{"comments", "/api/v1/features/%f/comments?page=100&per_page=5", ""},
	{"comments", "/api/v1/products/%d/comments?per_page=30", "SELECT COUNT(*) FROM comments WHERE product_fold = %D"},
	{"comments", "/api/v1/products/%d/comments?page=100&per_page=5", ""},
}

// listCopies is how many copies of each record TestNoScanOfLists makes;
// Few of them match each selective filter.
const listCopies = 2000

// TestNoScanOfLists generates a few thousand goals, initiatives, epics,
// and requirements, to-dos and comments of one feature (GenerateLists),
// runs their lists, and asks the database for the plan of every statement
// that reads the list's table, with the rules of TestNoScanOfFeatures: no
// scan of the table but a walk in id order up to a LIMIT without
// condition, no read of a whole scope without LIMIT on SQLite (the totals
// of whole lists are kept), no Seq Scan on PostgreSQL with sequential
// scans disabled. The lists must report the totals that counts of their
// rows give, the searches at least the copies made to match.
func TestNoScanOfLists(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			acc, err := Generate(ctx, dsn, 50)
			if err != nil {
				t.Fatal(err)
			}
			la, err := GenerateLists(ctx, dsn, acc, listCopies)
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			raw, err := openRaw(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			h := api.New(db, api.Config{BaseURL: "http://plan.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
			since := url.QueryEscape(time.UnixMilli(la.RecentSince).UTC().Format(time.RFC3339))
			pathOf := strings.NewReplacer("%d", fmt.Sprint(Product), "%r", acc.Template.ReferenceNum, "%f", la.Feature.ReferenceNum, "%t", since).Replace
			countOf := strings.NewReplacer("%D", fmt.Sprint(Product), "%R", fmt.Sprint(acc.Template.ID), "%F", fmt.Sprint(la.Feature.ID)).Replace
			var mu sync.Mutex
			var stmts []tracedStmt
			from := ""
			db.Trace(func(q string, args []any) {
				mu.Lock()
				stmts = append(stmts, tracedStmt{q, args, from})
				mu.Unlock()
			})
			tables := map[string]string{}
			for _, p := range listPlanRequests {
				path := pathOf(p.path)
				mu.Lock()
				from = "GET " + path
				tables[from] = p.table
				mu.Unlock()
				got := totalOf(t, h, path)
				if p.count == "" {
					continue
				}
				var want int
				if err := raw.QueryRowContext(ctx, countOf(p.count)).Scan(&want); err != nil {
					t.Fatalf("%s: %v", countOf(p.count), err)
				}
				if got != want || (strings.Contains(p.path, "q=") && got < Few) {
					t.Errorf("%s: total_records %d, want %d", from, got, want)
				}
			}
			db.Trace(nil)
			c := planConn(ctx, t, dsn, backend)
			checked := map[string]bool{}
			seen := map[string]bool{}
			for _, s := range stmts {
				table := tables[s.from]
				aliases := tableAliases(table, s.query)
				if len(aliases) == 0 || seen[s.query] {
					continue
				}
				seen[s.query] = true
				plan, err := explain(ctx, c, backend, s.query, s.args)
				if err != nil {
					t.Errorf("%s: explaining %s: %v", s.from, s.query, err)
					continue
				}
				checked[s.from] = true
				if bad := listScanOf(backend, table, s.query, plan, aliases); bad != "" {
					t.Errorf("%s runs a statement that scans %s (%s):\n%s\nplan:\n%s", s.from, table, bad, s.query, strings.Join(plan, "\n"))
				}
			}
			t.Logf("explained %d statements of %d requests", len(seen), len(tables))
			for from := range tables {
				if !checked[from] && !slices.ContainsFunc(stmts, func(s tracedStmt) bool { return s.from == from && seen[s.query] }) {
					t.Errorf("%s: no statement reading %s was explained", from, tables[from])
				}
			}
		})
	}
}

// scopeSearches are the ends of SQLite plan lines that search a whole
// scope of a list (a product's, a release's, a feature's, a record's
// records) by its index alone.
var scopeSearches = []string{"(product_id=?)", "(release_id=?)", "(feature_id=?)", "(product_fold=?)", "(record_type=? AND record_id=?)"}

// listScanOf returns the plan line that scans table under one of aliases,
// or "". A statement without any condition reads what an administrator's
// whole list holds (its page in id order up to a LIMIT), and may walk the
// table; any other may not, nor, on SQLite, search a whole scope without
// LIMIT.
func listScanOf(backend, table, query string, plan, aliases []string) string {
	upper := strings.ToUpper(query)
	walk := unfiltered(upper)
	// A statement without LIMIT that searches a whole scope reads every
	// record of it; the product-less to-dos of the account's list are no
	// scope.
	whole := !strings.Contains(upper, " LIMIT ") && !strings.Contains(upper, "PRODUCT_ID IS NULL")
	for _, line := range plan {
		l := strings.TrimSpace(line)
		if backend == "postgres" {
			if strings.Contains(l, "Seq Scan on "+table+" ") || strings.HasSuffix(l, "Seq Scan on "+table) {
				return l
			}
			continue
		}
		for _, a := range aliases {
			if !walk && (l == "SCAN "+a || strings.HasPrefix(l, "SCAN "+a+" ")) {
				return l
			}
			if whole && strings.HasPrefix(l, "SEARCH "+a+" ") && slices.ContainsFunc(scopeSearches, func(s string) bool { return strings.HasSuffix(l, s) }) {
				return l
			}
		}
	}
	return ""
}

// totalOf answers GET path through h and returns its total_records.
func totalOf(t *testing.T, h http.Handler, path string) int {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	m := regexp.MustCompile(`"total_records":(\d+)`).FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || m == nil {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
