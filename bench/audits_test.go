package bench

import (
	"context"
	"flag"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// janeSmith is a demo user with a role in PRJ1 only.
const janeSmith int64 = 435166761

var auditsLarge = flag.Int("audits", 100000, "audits in the large log of BenchmarkAuditScan")

// auditQueries are the reads of the log that TestNoScanOfAudits checks and
// BenchmarkAuditScan measures; after is a cursor into the log.
func auditQueries(after int64) []struct {
	name string
	f    roadmap.AuditFilter
} {
	page := roadmap.Page{Page: 1, PerPage: 100}
	return []struct {
		name string
		f    roadmap.AuditFilter
	}{
		{"cursor_admin", roadmap.AuditFilter{AfterID: after, Page: page}},
		{"cursor_viewer", roadmap.AuditFilter{AfterID: after, VisibleTo: janeSmith, Page: page}},
		{"record", roadmap.AuditFilter{AuditableID: 1000000 + after, AuditableType: "Release", Page: page}},
		{"associated", roadmap.AuditFilter{AssociatedID: 131414752, AssociatedType: "product", AfterID: after, Page: page}},
		{"user", roadmap.AuditFilter{UserID: 1020675218, AfterID: after, Page: page}},
		{"created_since", roadmap.AuditFilter{CreatedSince: time.UnixMilli(1700000000000 + after), AfterID: after, Page: page}},
	}
}

// TestNoScanOfAudits reads the log as the API does, by cursor, record,
// primary record, actor and time, as an administrator and as a viewer of
// one product, and asks the database for the plan of every statement that
// reads audits: none may scan the table.
func TestNoScanOfAudits(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			if err := GenerateAudits(ctx, dsn, 3000); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var mu sync.Mutex
			var stmts []tracedStmt
			db.Trace(func(q string, args []any) {
				mu.Lock()
				stmts = append(stmts, tracedStmt{query: q, args: args})
				mu.Unlock()
			})
			for _, q := range auditQueries(1500) {
				got, _, err := db.Audits(ctx, q.f)
				if err != nil {
					t.Fatalf("%s: %v", q.name, err)
				}
				if len(got) == 0 {
					t.Fatalf("%s: no audits", q.name)
				}
			}
			db.Trace(nil)
			c := planConn(ctx, t, dsn, backend)
			aliases := func(q string) []string {
				if strings.Contains(q, "FROM audits a") {
					return []string{"a"}
				}
				return nil
			}
			checked := checkPlans(ctx, t, c, backend, "audits", stmts, aliases, auditScanOf)
			if checked < len(auditQueries(0)) {
				t.Errorf("checked %d statements, want at least one per read (%d)", checked, len(auditQueries(0)))
			}
		})
	}
}

// auditScanOf returns the plan line that scans the audits, or "".
func auditScanOf(backend, _ string, plan, aliases []string) string {
	for _, line := range plan {
		l := strings.TrimSpace(line)
		if backend == "postgres" && strings.Contains(l, "Seq Scan on audits") {
			return l
		}
		for _, a := range aliases {
			if backend == "sqlite" && (l == "SCAN "+a || strings.HasPrefix(l, "SCAN "+a+" ")) {
				return l
			}
		}
	}
	return ""
}

// BenchmarkAuditScan reads pages of 100 audits at random cursors from a log
// of 1,000 audits and from one of -audits (100,000 by default), in
// interleaved rounds, and reports the time per page of each and the ratio
// (large_over_small: 1 means the page costs the same however long the log).
func BenchmarkAuditScan(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			sizes := []int{1000, *auditsLarge}
			dbs := make([]*store.DB, 2)
			for i, n := range sizes {
				dsn := testdb.EmptyDSN(b, backend)
				if err := GenerateAudits(ctx, dsn, n); err != nil {
					b.Fatal(err)
				}
				db, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			// The seeded account has no history: the log's IDs run from 1.
			for i, q := range auditQueries(0) {
				b.Run(q.name, func(b *testing.B) {
					var spent [2]time.Duration
					var n [2]int
					k := 0
					for b.Loop() {
						side := (k / 10) % 2
						k++
						f := auditQueries(1 + rand.Int64N(int64(sizes[side])-200))[i].f
						start := time.Now()
						got, _, err := dbs[side].Audits(ctx, f)
						spent[side] += time.Since(start)
						n[side]++
						if err != nil || len(got) == 0 {
							b.Fatalf("%s: %d audits, %v", q.name, len(got), err)
						}
					}
					if n[0] > 0 && n[1] > 0 {
						small := float64(spent[0].Nanoseconds()) / float64(n[0])
						large := float64(spent[1].Nanoseconds()) / float64(n[1])
						b.ReportMetric(small, "small_ns/page")
						b.ReportMetric(large, "large_ns/page")
						b.ReportMetric(large/small, "large_over_small")
					}
				})
			}
		})
	}
}
