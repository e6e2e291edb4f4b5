package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for reading snapshots
	_ "modernc.org/sqlite"             // the "sqlite" driver, for reading snapshots

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
)

// progressOf reads a release's progress.
func progressOf(t *testing.T, s *testServer, ref string) string {
	t.Helper()
	return s.release(t, ref, "").get("progress").str()
}

func wantProgress(t *testing.T, s *testServer, step, ref, want string) {
	t.Helper()
	if got := progressOf(t, s, ref); got != want {
		t.Errorf("%s: %s progress %s, want %s", step, ref, got, want)
	}
}

// feature creates a feature in a release and returns its reference.
func feature(t *testing.T, s *testServer, release, fields string) string {
	t.Helper()
	return s.call(t, "POST", "/api/v1/releases/"+release+"/features", `{"feature":{`+fields+`}}`, 201).get("feature").get("reference_num").str()
}

// TestProgressFollowsFeatures changes each input of the feature-based
// sources through the API and reads the release's progress after each
// change: a feature's progress, status, estimates, release and existence.
func TestProgressFollowsFeatures(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		a := s.create(t, "PRJ2", `"name":"A","progress_source":"progress_from_features"`).get("reference_num").str()
		b := s.create(t, "PRJ2", `"name":"B","progress_source":"progress_from_features"`).get("reference_num").str()
		wantProgress(t, s, "no features", a, "0")

		f1 := feature(t, s, a, `"name":"F1","progress_source":"progress_manual","progress":40`)
		f2 := feature(t, s, a, `"name":"F2","progress_source":"progress_manual","progress":80`)
		wantProgress(t, s, "two features", a, "60")
		s.call(t, "PUT", "/api/v1/features/"+f2, `{"feature":{"progress":21}}`, 200)
		wantProgress(t, s, "a feature's progress changed", a, "31") // 30.5 rounds up
		s.call(t, "PUT", "/api/v1/features/"+f2, `{"feature":{"release":"`+b+`"}}`, 200)
		wantProgress(t, s, "a feature moved out", a, "40")
		wantProgress(t, s, "a feature moved in", b, "21")
		s.call(t, "DELETE", "/api/v1/features/"+f1, "", 204)
		wantProgress(t, s, "the last feature deleted", a, "0")

		// The share of features complete.
		s.update(t, "PRJ2", b, `"progress_source":"progress_from_features_completed"`)
		wantProgress(t, s, "none complete", b, "0")
		feature(t, s, b, `"name":"F3","workflow_status":"Done"`)
		feature(t, s, b, `"name":"F4","workflow_status":"New"`)
		wantProgress(t, s, "one of three complete", b, "33")
		s.call(t, "PUT", "/api/v1/features/"+f2, `{"feature":{"workflow_status":"Shipped"}}`, 200)
		wantProgress(t, s, "two of three complete", b, "67")

		// Remaining estimates, summed: (10h - 2h + 6h - 6h) / 16h.
		c := s.create(t, "PRJ2", `"name":"C","progress_source":"progress_from_remaining_estimate"`).get("reference_num").str()
		e1 := feature(t, s, c, `"name":"E1","detailed_estimate_text":"10h","remaining_estimate_text":"2h"`)
		feature(t, s, c, `"name":"E2","initial_estimate_text":"6h","remaining_estimate_text":"6h"`)
		wantProgress(t, s, "estimates", c, "50")
		s.call(t, "PUT", "/api/v1/features/"+e1, `{"feature":{"remaining_estimate_text":"0min"}}`, 200)
		wantProgress(t, s, "re-estimated", c, "63") // 10h of 16h

		// Switching back to manual keeps the value; manual progress may be set.
		s.update(t, "PRJ2", c, `"progress_source":"progress_manual"`)
		wantProgress(t, s, "manual keeps the computed value", c, "63")
		s.update(t, "PRJ2", c, `"progress":5`)
		wantProgress(t, s, "manual progress", c, "5")
	})
}

// TestProgressFromEpicsPhasesAndTodos covers the sources that read epics,
// release phases and to-dos.
func TestProgressFromEpicsPhasesAndTodos(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		r := s.create(t, "PRJ2", `"name":"Work","progress_source":"progress_from_epics"`).get("reference_num").str()
		e1 := s.call(t, "POST", "/api/v1/releases/"+r+"/epics", `{"epic":{"name":"E1","progress_source":"progress_manual","progress":50}}`, 201).get("epic").get("reference_num").str()
		s.call(t, "POST", "/api/v1/releases/"+r+"/epics", `{"epic":{"name":"E2","progress_source":"progress_manual","progress":100}}`, 201)
		wantProgress(t, s, "two epics", r, "75")
		s.call(t, "PUT", "/api/v1/epics/"+e1, `{"epic":{"progress":0}}`, 200)
		wantProgress(t, s, "an epic's progress changed", r, "50")

		id := s.release(t, r, "").get("id").str()
		s.update(t, "PRJ2", r, `"progress_source":"progress_from_release_phases"`)
		p1 := s.call(t, "POST", "/api/v1/release_phases", `{"release_phase":{"name":"P1","phase_type":"phase","release_id":`+id+`,"start_on":"2025-01-01","end_on":"2025-01-31","progress_source":"progress_manual","progress":30}}`, 200).get("release_phase").get("id").str()
		s.call(t, "POST", "/api/v1/release_phases", `{"release_phase":{"name":"P2","phase_type":"phase","release_id":`+id+`,"start_on":"2025-02-01","end_on":"2025-02-28","progress_source":"progress_manual","progress":60}}`, 200)
		wantProgress(t, s, "two phases", r, "45")
		s.call(t, "DELETE", "/api/v1/release_phases/"+p1, "", 204)
		wantProgress(t, s, "a phase deleted", r, "60")

		s.update(t, "PRJ2", r, `"progress_source":"progress_from_todos"`)
		task := func(name string) string {
			return s.call(t, "POST", "/api/v1/tasks", `{"task":{"name":"`+name+`","body":"","taskable_type":"Release","taskable_id":"`+id+`"}}`, 200).get("task").get("id").str()
		}
		t1, t2 := task("T1"), task("T2")
		task("T3")
		wantProgress(t, s, "no to-do done", r, "0")
		s.call(t, "PUT", "/api/v1/tasks/"+t1, `{"task":{"status":"complete"}}`, 200)
		wantProgress(t, s, "one of three done", r, "33")
		s.call(t, "PUT", "/api/v1/tasks/"+t2, `{"task":{"status":"complete"}}`, 200)
		wantProgress(t, s, "two of three done", r, "67")
		s.call(t, "DELETE", "/api/v1/tasks/"+t2, "", 204)
		wantProgress(t, s, "a done to-do deleted", r, "50")
	})
}

// TestDurationFromPhasesAndFeatures checks that a release's dates span its
// phases and features, and that a roll-up's dates follow its sub-releases.
func TestDurationFromPhasesAndFeatures(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		rel := s.create(t, "PRJ2", `"name":"Dated","start_date":"2024-06-01","release_date":"2024-06-30"`)
		r, id := rel.get("reference_num").str(), rel.get("id").str()
		s.update(t, "PRJ2", r, `"duration_source":"duration_from_release_phases_features"`)
		dates := func() string {
			got := s.release(t, r, "")
			return got.get("start_date").str() + ".." + got.get("release_date").str()
		}
		if got := dates(); got != "2024-06-01..2024-06-30" {
			t.Errorf("with no phases or features the dates stay as given: %s", got)
		}
		s.call(t, "POST", "/api/v1/release_phases", `{"release_phase":{"name":"P","phase_type":"phase","release_id":`+id+`,"start_on":"2025-02-01","end_on":"2025-02-28"}}`, 200)
		if got := dates(); got != "2025-02-01..2025-02-28" {
			t.Errorf("a phase: %s", got)
		}
		f := feature(t, s, r, `"name":"Late","start_date":"2025-01-15","due_date":"2025-03-10"`)
		if got := dates(); got != "2025-01-15..2025-03-10" {
			t.Errorf("a feature beyond the phase: %s", got)
		}
		s.call(t, "PUT", "/api/v1/features/"+f, `{"feature":{"due_date":"2025-02-10"}}`, 200)
		if got := dates(); got != "2025-01-15..2025-02-28" {
			t.Errorf("the feature re-dated: %s", got)
		}
		checkError(t, s.do(t, "PUT", "/api/v1/releases/"+r, `{"release":{"release_date":"2025-12-31"}}`), 422, "release_date")
	})
}

// TestDeletingAReleaseWithWork checks that a release holding features or
// epics is not deleted (they would be lost), that the refusal changes
// nothing, and that once its work is gone it is deleted with its phases.
func TestDeletingAReleaseWithWork(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		rel := s.create(t, "PRJ2", `"name":"Busy"`)
		r, id := rel.get("reference_num").str(), rel.get("id").str()
		f := feature(t, s, r, `"name":"Work"`)
		phase := s.call(t, "POST", "/api/v1/release_phases", `{"release_phase":{"name":"P","phase_type":"milestone","release_id":`+id+`,"start_on":"2025-02-01"}}`, 200).get("release_phase").get("id").str()
		before := s.do(t, "GET", "/api/v1/releases/"+r+"?fields=*,watchers", "").Body
		checkError(t, s.do(t, "DELETE", "/api/v1/releases/"+r, ""), 422, "feature")
		if after := s.do(t, "GET", "/api/v1/releases/"+r+"?fields=*,watchers", "").Body; string(after) != string(before) {
			t.Errorf("a refused delete changed the release")
		}
		s.call(t, "GET", "/api/v1/features/"+f, "", 200)
		s.call(t, "PUT", "/api/v1/features/"+f, `{"feature":{"release":"PRJ2-R-1"}}`, 200)
		s.call(t, "DELETE", "/api/v1/releases/"+r, "", 204)
		s.call(t, "GET", "/api/v1/features/"+f, "", 200)
		checkError(t, s.do(t, "GET", "/api/v1/release_phases/"+phase, ""), 404, "")
	})
}

// TestPlannedCapacity checks that a release with capacity shows the sum of
// its features' estimates in its capacity units against it.
func TestPlannedCapacity(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		r := s.create(t, "PRJ2", `"name":"Planned","capacity_units":"time","total_capacity_text":"2d"`).get("reference_num").str()
		feature(t, s, r, `"name":"A","detailed_estimate_text":"1d 2h"`)
		feature(t, s, r, `"name":"B","initial_estimate_text":"3h"`)
		got := s.release(t, r, "")
		if p, txt := got.get("planned_capacity").str(), got.get("planned_capacity_text").str(); p != "780" || txt != "1d 5h" {
			t.Errorf("planned %s %q, want 780 minutes, \"1d 5h\"", p, txt)
		}
		if got.get("total_capacity_text").str() != "2d" {
			t.Errorf("total capacity %s", got.get("total_capacity_text"))
		}
	})
}

// TestProgressNeverStaleUnderConcurrentMoves moves features between two
// releases, changes their statuses and moves the releases between two
// roll-ups, from several writers at once, while readers take consistent snapshots of the database: in every
// snapshot, each release's stored progress is the share of its features
// complete, and each roll-up's the share of its sub-releases' features.
func TestProgressNeverStaleUnderConcurrentMoves(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			dsn := demodb.DSN(t, backend)
			s := newServerOn(t, openStore(t, dsn))
			var ids [2]string
			var refs [2]string
			for i, name := range []string{"Left", "Right"} {
				rel := s.create(t, "PRJ2", `"name":"`+name+`","progress_source":"progress_from_features_completed"`)
				refs[i], ids[i] = rel.get("reference_num").str(), rel.get("id").str()
			}
			var rollUps [2]string
			var rollUpRefs [2]string
			for i, name := range []string{"Up left", "Up right"} {
				ru := s.call(t, "POST", "/api/v1/products/PRJ2/roll_up_releases", `{"roll_up_release":{"name":"`+name+`","progress_source":"progress_from_features_completed"}}`, 200).get("roll_up_release")
				rollUpRefs[i], rollUps[i] = ru.get("reference_num").str(), ru.get("id").str()
				s.call(t, "PUT", "/api/v1/releases/"+refs[i], `{"release":{"parent_id":"`+rollUpRefs[i]+`"}}`, 200)
			}
			var features []string
			for i := 0; i < 12; i++ {
				status := "New"
				if i%3 == 0 {
					status = "Done"
				}
				features = append(features, feature(t, s, refs[i%2], fmt.Sprintf(`"name":"F%d","workflow_status":"%s"`, i, status)))
			}

			reader := openRaw(t, backend, dsn)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var moves, checks atomic.Int64
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for w := 0; w < 4; w++ {
				wg.Go(func() {
					for i := 0; i < 15; i++ {
						f := features[(w*7+i)%len(features)]
						r := s.do(t, "PUT", "/api/v1/features/"+f, fmt.Sprintf(`{"feature":{"release":"%s"}}`, refs[(w+i)%2]))
						if r.Status != 200 {
							t.Errorf("moving %s: %d %s", f, r.Status, r.Body)
							return
						}
						moves.Add(1)
					}
				})
			}
			for w := 0; w < 2; w++ {
				wg.Go(func() {
					for i := 0; i < 15; i++ {
						f := features[(w*5+i*3)%len(features)]
						status := []string{"Done", "New"}[i%2]
						r := s.do(t, "PUT", "/api/v1/features/"+f, `{"feature":{"workflow_status":"`+status+`"}}`)
						if r.Status != 200 {
							t.Errorf("changing the status of %s: %d %s", f, r.Status, r.Body)
							return
						}
						moves.Add(1)
					}
				})
			}
			for w := 0; w < 2; w++ {
				wg.Go(func() {
					for i := 0; i < 15; i++ {
						r := s.do(t, "PUT", "/api/v1/releases/"+refs[w], fmt.Sprintf(`{"release":{"parent_id":"%s"}}`, rollUpRefs[(w+i+1)%2]))
						if r.Status != 200 {
							t.Errorf("moving %s: %d %s", refs[w], r.Status, r.Body)
							return
						}
						moves.Add(1)
					}
				})
			}
			var readers sync.WaitGroup
			for rd := 0; rd < 2; rd++ {
				readers.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						if err := checkSnapshot(ctx, reader, backend, ids, rollUps); err != nil {
							t.Error(err)
							return
						}
						checks.Add(1)
					}
				})
			}
			wg.Wait()
			close(stop)
			readers.Wait()
			if err := checkSnapshot(ctx, reader, backend, ids, rollUps); err != nil {
				t.Error(err)
			}
			if moves.Load() != 120 || checks.Load() == 0 {
				t.Errorf("%d writes and %d snapshot checks, want 120 and some", moves.Load(), checks.Load())
			}
		})
	}
}

// checkSnapshot reads, in one read transaction, each release's and each
// roll-up's progress and the statuses of the features it counts, and
// compares them.
func checkSnapshot(ctx context.Context, db *sql.DB, backend string, ids, rollUps [2]string) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, id := range append(ids[:], rollUps[:]...) {
		var progress int
		if err := tx.QueryRowContext(ctx, rebind(backend, "SELECT progress FROM releases WHERE id = ?"), id).Scan(&progress); err != nil {
			return err
		}
		scope, args := "f.release_id = ?", []any{id}
		if i >= len(ids) {
			scope, args = "(f.release_id = ? OR f.release_id IN (SELECT id FROM releases WHERE parent_id = ?))", []any{id, id}
		}
		rows, err := tx.QueryContext(ctx, rebind(backend, "SELECT s.complete FROM features f JOIN workflow_statuses s ON s.id = f.workflow_status_id WHERE "+scope), args...)
		if err != nil {
			return err
		}
		var items []roadmap.WorkItem
		for rows.Next() {
			var complete bool
			if err := rows.Scan(&complete); err != nil {
				rows.Close()
				return err
			}
			items = append(items, roadmap.WorkItem{Complete: complete})
		}
		rows.Close()
		if want := roadmap.CompletedShare(items); progress != want {
			return fmt.Errorf("release %s: stored progress %d, but %d features in the same snapshot give %d", id, progress, len(items), want)
		}
	}
	return nil
}

// openRaw opens the database at dsn with database/sql, for tests that read
// what the store wrote in a transaction of their own.
func openRaw(t *testing.T, backend, dsn string) *sql.DB {
	t.Helper()
	driver, source := "pgx", dsn
	if backend == "sqlite" {
		driver, source = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rebind writes ? placeholders as $n for PostgreSQL.
func rebind(backend, q string) string {
	if backend != "postgres" {
		return q
	}
	n := 0
	var b strings.Builder
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TestDuplicateCopiesThePlan checks that a duplicate copies the release's
// phases and features (with new reference numbers) and computes its own
// progress from them, leaving the original's plan as it was.
func TestDuplicateCopiesThePlan(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		rel := s.create(t, "PRJ2", `"name":"Original","progress_source":"progress_from_features_completed"`)
		r, id := rel.get("reference_num").str(), rel.get("id").str()
		s.call(t, "POST", "/api/v1/release_phases", `{"release_phase":{"name":"Build","phase_type":"phase","release_id":`+id+`,"start_on":"2025-03-01","end_on":"2025-03-31"}}`, 200)
		f1 := feature(t, s, r, `"name":"Done one","workflow_status":"Done","goals":["DEMOENT-G-1"],"detailed_estimate_text":"1d"`)
		f2 := feature(t, s, r, `"name":"Open one"`)
		wantProgress(t, s, "the original", r, "50")

		copyID := s.call(t, "POST", "/api/v1/releases/"+r+"/duplicate", "", 200).get("release").get("id").str()
		cp := s.release(t, copyID, "").get("reference_num").str()
		wantProgress(t, s, "the copy", cp, "50")
		features := s.call(t, "GET", "/api/v1/releases/"+cp+"/features", "", 200).get("features")
		var names []string
		for _, f := range features.list {
			if ref := f.get("reference_num").str(); ref == f1 || ref == f2 {
				t.Errorf("the copy holds the original feature %s rather than a copy", ref)
			}
			names = append(names, f.get("name").str())
		}
		if fmt.Sprint(sortedStrings(names)) != "[Done one Open one]" {
			t.Errorf("the copy's features: %v", names)
		}
		phases := s.call(t, "GET", "/api/v1/releases/"+copyID+"/release_phases", "", 200).get("release_phases")
		if len(phases.list) != 1 || phases.list[0].get("name").str() != "Build" {
			t.Errorf("the copy's phases: %s", phases)
		}
		if n := len(s.call(t, "GET", "/api/v1/releases/"+r+"/features", "", 200).get("features").list); n != 2 {
			t.Errorf("the original holds %d features after the duplicate, want 2", n)
		}
	})
}
