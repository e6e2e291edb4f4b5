package bench

import (
	"context"
	"encoding/json"
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

// listPlanRequests are the lists of goals, initiatives, requirements,
// to-dos and comments whose statements TestNoScanOfLists checks, with the
// table whose reads are explained; %d is the product, %f the feature that
// holds the generated requirements and comments, %t a recent time.
var listPlanRequests = []struct{ table, path string }{
	{"goals", "/api/v1/goals?per_page=30"},
	{"goals", "/api/v1/products/%d/goals?per_page=30"},
	{"goals", "/api/v1/products/%d/goals?page=100&per_page=5"},
	{"initiatives", "/api/v1/initiatives?per_page=30"},
	{"initiatives", "/api/v1/initiatives?q=" + RareWord},
	{"initiatives", "/api/v1/products/%d/initiatives?per_page=30"},
	{"initiatives", "/api/v1/products/%d/initiatives?page=100&per_page=5"},
	{"initiatives", "/api/v1/products/%d/initiatives?q=" + strings.ToUpper(RareWord)},
	{"initiatives", "/api/v1/products/%d/initiatives?updated_since=%t"},
	{"initiatives", "/api/v1/products/%d/initiatives?assigned_to_user=henry.humpty%40example.com"},
	{"requirements", "/api/v1/features/%f/requirements?per_page=30"},
	{"requirements", "/api/v1/features/%f/requirements?page=100&per_page=5"},
	{"requirements", "/api/v1/features/%f/requirements?updated_since=%t"},
	{"tasks", "/api/v1/products/%d/tasks?per_page=30"},
	{"tasks", "/api/v1/products/%d/tasks?page=100&per_page=5"},
	{"tasks", "/api/v1/products/%d/tasks?updated_since=%t"},
	{"comments", "/api/v1/features/%f/comments?per_page=30"},
	{"comments", "/api/v1/features/%f/comments?page=100&per_page=5"},
}

// listCopies is how many copies of each record TestNoScanOfLists makes;
// Few of them match each selective filter.
const listCopies = 2000

// TestNoScanOfLists generates a few thousand goals, initiatives, to-dos,
// and requirements and comments of one feature (one record of each made
// through the API, copied by one INSERT ... SELECT), runs their lists, and
// asks the database for the plan of every statement that reads the list's
// table, with the rules of TestNoScanOfFeatures: no scan of the table but a
// walk in id order up to a LIMIT without condition, no read of a whole
// scope without LIMIT on SQLite, no Seq Scan on PostgreSQL with sequential
// scans disabled. The filtered lists must report the copies made to match.
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
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			h := api.New(db, api.Config{BaseURL: "http://plan.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
			post := func(path, body string) map[string]any {
				req := httptest.NewRequest("POST", path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+demo.Token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code >= 300 {
					t.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
				}
				var out map[string]map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
					t.Fatal(err)
				}
				for _, v := range out {
					return v
				}
				return nil
			}
			prj := fmt.Sprint(Product)
			goal := post("/api/v1/products/"+prj+"/goals", `{"goal":{"name":"Template goal"}}`)
			initiative := post("/api/v1/products/"+prj+"/initiatives", `{"initiative":{"name":"Template initiative"}}`)
			feature := post("/api/v1/releases/"+acc.Template.ReferenceNum+"/features", `{"feature":{"name":"Template feature"}}`)
			fkey := feature["reference_num"].(string)
			requirement := post("/api/v1/features/"+fkey+"/requirements", `{"requirement":{"name":"Template requirement"}}`)
			task := post("/api/v1/tasks", `{"task":{"name":"Template to-do","body":"Do it","taskable_type":"Feature","taskable_id":"`+feature["id"].(string)+`"}}`)
			comment := post("/api/v1/features/"+fkey+"/comments", `{"comment":{"body":"Template comment"}}`)
			updated, err := time.Parse(time.RFC3339, initiative["updated_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			since := url.QueryEscape(updated.Add(-time.Hour).UTC().Format(time.RFC3339))
			pathOf := strings.NewReplacer("%d", prj, "%f", fkey, "%t", since).Replace
			// before holds what the selective lists count before the copies.
			before := map[string]int{}
			for _, p := range listPlanRequests {
				if strings.Contains(p.path, "q=") || strings.Contains(p.path, "assigned_to_user=") {
					before[p.path] = totalOf(t, h, pathOf(p.path))
				}
			}
			db.Close()

			step := listCopies / Few
			const month = int64(30 * 24 * 3600 * 1000)
			old := fmt.Sprintf("CASE WHEN (k + 3) %% %d = 0 THEN t.updated_at ELSE t.updated_at - %d + k END", step, month)
			copies := []struct {
				table, id string
				vary      map[string]string
			}{
				{"goals", goal["id"].(string), map[string]string{"reference_num": "t.reference_num || '-' || k", "updated_at": old}},
				{"initiatives", initiative["id"].(string), map[string]string{"reference_num": "t.reference_num || '-' || k", "updated_at": old,
					"name_fold":           fmt.Sprintf("'bulk initiative ' || k || CASE WHEN k %% %d = 0 THEN ' %s' ELSE '' END", step, RareWord),
					"assigned_to_user_id": fmt.Sprintf("CASE WHEN (k + 1) %% %d = 0 THEN %d ELSE NULL END", step, demo.Henry)}},
				{"requirements", requirement["id"].(string), map[string]string{"reference_num": "t.reference_num || '-' || k", "updated_at": old}},
				{"tasks", task["id"].(string), map[string]string{"updated_at": old}},
				{"comments", comment["id"].(string), map[string]string{"updated_at": old}},
			}
			raw, err := openRaw(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			series := fmt.Sprintf("WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < %d) ", listCopies)
			for _, cp := range copies {
				cols, err := tableColumns(ctx, raw, cp.table)
				if err != nil {
					t.Fatal(err)
				}
				var exprs []string
				for _, c := range cols {
					switch e, ok := cp.vary[c]; {
					case ok:
						exprs = append(exprs, e)
					case c == "id":
						exprs = append(exprs, "t.id + k")
					default:
						exprs = append(exprs, "t."+c)
					}
				}
				if _, err := raw.ExecContext(ctx, series+fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s t, s WHERE t.id = %s",
					cp.table, strings.Join(cols, ", "), strings.Join(exprs, ", "), cp.table, cp.id)); err != nil {
					t.Fatalf("copying %s: %v", cp.table, err)
				}
				if backend == "postgres" {
					if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE "+cp.table); err != nil {
						t.Fatal(err)
					}
				}
			}

			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := emptyJournal(ctx, tx); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			db, err = store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			h = api.New(db, api.Config{BaseURL: "http://plan.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
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
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+demo.Token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code >= 300 {
					t.Fatalf("%s: %d %s", from, rec.Code, rec.Body)
				}
				if n, ok := before[p.path]; ok {
					// Few copies match, besides what matched before.
					if got := totalOf(t, h, path); got != n+Few {
						t.Errorf("%s: total_records %d, want %d", from, got, n+Few)
					}
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

// listScanOf returns the plan line that scans table under one of aliases,
// or "". A statement without any condition reads what an administrator's
// whole list holds (its count, or its page in id order up to a LIMIT), and
// may walk the table; any other may not.
func listScanOf(backend, table, query string, plan, aliases []string) string {
	walk := !strings.Contains(strings.ToUpper(query), " WHERE ")
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
