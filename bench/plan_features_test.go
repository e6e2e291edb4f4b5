package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// featurePlanRequests are the feature lists whose statements
// TestNoScanOfFeatures checks; %f is a generated feature's reference
// number, %r the release that holds the generated features, %d the product
// and %t a recent time.
var featurePlanRequests = []string{
	"/api/v1/features/%f",
	"/api/v1/features?per_page=30",
	"/api/v1/features?q=" + RareWord,
	"/api/v1/features?updated_since=%t",
	"/api/v1/features?tag=" + RareTag,
	"/api/v1/products/%d/features?per_page=30",
	"/api/v1/products/%d/features?page=100&per_page=5",
	"/api/v1/products/%d/features?q=" + RareWord,
	"/api/v1/products/%d/features?q=" + strings.ToUpper(RareWord) + "&updated_since=%t",
	"/api/v1/products/%d/features?updated_since=%t",
	"/api/v1/products/%d/features?tag=" + strings.ToUpper(RareTag),
	"/api/v1/products/%d/features?assigned_to_user=henry.humpty%40example.com",
	"/api/v1/releases/%r/features?per_page=30",
	"/api/v1/releases/%r/features?page=100&per_page=5",
	"/api/v1/releases/%r/features?q=" + RareWord,
	"/api/v1/releases/%r/features?updated_since=%t",
	"/api/v1/releases/%r/features?assigned_to_user=" + fmt.Sprint(demo.Henry),
}

// TestNoScanOfFeatures runs the feature lists of the API on an account of
// a few thousand features in one release, and asks the database for the
// plan of every statement that reads features: none may scan the table,
// except to walk it in id order up to a LIMIT without any condition (the
// first pages of an administrator's whole list), nor, on SQLite, read every
// feature of a product or a release in a statement without LIMIT. On
// PostgreSQL sequential scans are disabled for the plans, so that a Seq
// Scan in a plan means that no index serves the statement. The lists must
// report the numbers of features the generator made match.
func TestNoScanOfFeatures(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			acc, err := Generate(ctx, dsn, 50)
			if err != nil {
				t.Fatal(err)
			}
			fa, err := GenerateFeatures(ctx, dsn, acc, 3000)
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
			h := api.New(db, api.Config{BaseURL: "http://plan.example", Logger: slog.New(slog.DiscardHandler), ReadCacheBytes: -1})
			since := url.QueryEscape(time.UnixMilli(fa.RecentSince).UTC().Format(time.RFC3339))
			for _, p := range featurePlanRequests {
				path := strings.NewReplacer("%f", fa.Sample, "%r", acc.Template.ReferenceNum, "%d", fmt.Sprint(Product), "%t", since).Replace(p)
				mu.Lock()
				from = "GET " + path
				mu.Unlock()
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+demo.Token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code >= 300 {
					t.Fatalf("%s: %d %s", from, rec.Code, rec.Body)
				}
				total := regexp.MustCompile(`"total_records":(\d+)`).FindStringSubmatch(rec.Body.String())
				if strings.Contains(p, "q="+RareWord) || strings.Contains(p, "tag=") {
					// Few copies match, and none of the demo's features.
					if total == nil || total[1] != fmt.Sprint(Few) {
						t.Errorf("%s: total_records %v, want %d", from, total, Few)
					}
				}
				if strings.HasPrefix(p, "/api/v1/releases/%r/features?per_page") && (total == nil || total[1] != fmt.Sprint(fa.N+1)) {
					t.Errorf("%s: total_records %v, want %d", from, total, fa.N+1)
				}
			}
			db.Trace(nil)
			c := planConn(ctx, t, dsn, backend)
			aliases := func(q string) []string {
				if slices.ContainsFunc(knownFeatureReads, func(k string) bool { return strings.Contains(q, k) }) {
					return nil
				}
				return tableAliases("features", q)
			}
			checked := checkPlans(ctx, t, c, backend, "features", stmts, aliases, featureScanOf)
			if checked < len(featurePlanRequests) {
				t.Errorf("checked the plans of %d statements, want at least one per request (%d)", checked, len(featurePlanRequests))
			}
		})
	}
}

// knownFeatureReads are statements that read every feature of a release
// and are not feature lists: the planned capacity of the full
// representation of a release, which the release features list loads to
// check access, sums the estimates of the features of the releases whose
// kept sums are not exact (a fractional estimate; one branch of the
// statement that reads what that representation embeds). The generated
// release has none, and the branch reads no feature of it.
var knownFeatureReads = []string{"CAST(SUM(COALESCE(detailed_estimate, initial_estimate, 0)) AS DOUBLE PRECISION)"}

// tracedStmt is a statement the store ran, with the request that ran it.
type tracedStmt struct {
	query string
	args  []any
	from  string
}

// tableAliases returns the names under which a statement reads table, or
// nil when it reads none.
func tableAliases(table, q string) []string {
	re := regexp.MustCompile(`(?i)\b` + table + `\b(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?`)
	var out []string
	for _, m := range re.FindAllStringSubmatchIndex(q, -1) {
		if m[0] > 0 && (q[m[0]-1] == '.' || q[m[0]-1] == '_') {
			continue
		}
		out = append(out, table)
		if m[2] >= 0 {
			if a := strings.ToLower(q[m[2]:m[3]]); !notAlias[a] {
				out = append(out, a)
			}
		}
	}
	if strings.HasPrefix(strings.TrimSpace(strings.ToUpper(q)), "INSERT INTO "+strings.ToUpper(table)+" ") && !strings.Contains(strings.ToUpper(q), "SELECT") {
		return nil
	}
	return out
}

// featureScanOf returns the plan line that scans features under one of
// aliases, or "".
func featureScanOf(backend, query string, plan, aliases []string) string {
	upper := strings.ToUpper(query)
	limited := strings.Contains(upper, " LIMIT ")
	walk := limited && unfiltered(upper)
	for _, line := range plan {
		l := strings.TrimSpace(line)
		if backend == "postgres" {
			if strings.Contains(l, "Seq Scan on features ") || strings.HasSuffix(l, "Seq Scan on features") {
				return l
			}
			continue
		}
		for _, a := range aliases {
			if !walk && (l == "SCAN "+a || strings.HasPrefix(l, "SCAN "+a+" ")) {
				return l
			}
			if strings.HasPrefix(l, "SEARCH "+a+" ") && (strings.HasSuffix(l, "(product_id=?)") || strings.HasSuffix(l, "(release_id=?)")) && !limited {
				return l
			}
		}
	}
	return ""
}

// unfiltered reports whether the statement s (in upper case) has no
// condition of its own: a WHERE of a subquery in its select list (such as
// the shown position of a feature) does not count.
func unfiltered(s string) bool {
	var b strings.Builder
	depth := 0
	for i, r := range s {
		if depth == 0 && strings.HasPrefix(s[i:], " FROM ") {
			b.WriteString(s[i:])
			break
		}
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return !strings.Contains(b.String(), " WHERE ")
}
