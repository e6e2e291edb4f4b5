package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// mustOpenEpics opens a fresh store of the backend with the demo account
// and its epics, and returns it with its DSN.
func mustOpenEpics(tb testing.TB, backend string) (*store.DB, string) {
	tb.Helper()
	return mustOpenDemoDSN(tb, backend)
}

func mustCreateEpic(tb testing.TB, db *store.DB, releaseID int64, in roadmap.EpicInput) *roadmap.Epic {
	tb.Helper()
	e, err := db.CreateEpic(context.Background(), releaseID, demo.Mary, in)
	if err != nil {
		tb.Fatalf("CreateEpic: %v", err)
	}
	return e
}

// TestEpicNumbersUnderConcurrency creates epics in one product from many
// goroutines at once: each gets its own number, none is lost, and numbers
// of deleted epics are not given again.
func TestEpicNumbersUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenEpics(t, backend)
			const n = 12
			refs := make([]string, n)
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rel := demo.Release1
					if i%2 == 1 {
						rel = demo.Release2
					}
					e, err := db.CreateEpic(context.Background(), rel, demo.Mary, roadmap.EpicInput{Name: roadmap.Some(fmt.Sprintf("Concurrent %d", i))})
					if err != nil {
						errs <- err
						return
					}
					refs[i] = e.ReferenceNum
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("a concurrent create failed: %v", err)
			}
			slices.Sort(refs)
			var want []string
			for i := range n {
				want = append(want, roadmap.EpicReference("PRJ1", int64(251+i)))
			}
			slices.Sort(want)
			if !slices.Equal(refs, want) {
				t.Fatalf("numbers %v, want %v", refs, want)
			}
			// Positions in a release stay distinct: each new epic took the top.
			es, _, err := db.Epics(context.Background(), roadmap.EpicFilter{ReleaseID: demo.Release2, Page: roadmap.Page{Page: 1, PerPage: 200}})
			if err != nil {
				t.Fatal(err)
			}
			var positions []int
			for _, e := range es {
				positions = append(positions, e.Position)
			}
			slices.Sort(positions)
			for i, p := range positions {
				if p != i+1 {
					t.Fatalf("positions in PRJ1-R-2: %v, want 1 to %d", positions, len(positions))
				}
			}
			last, err := db.Epic(context.Background(), roadmap.EpicReference("PRJ1", 250+n))
			if err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteEpic(context.Background(), last.ID); err != nil {
				t.Fatal(err)
			}
			next := mustCreateEpic(t, db, demo.Release1, roadmap.EpicInput{Name: roadmap.Some("After the delete")})
			if want := roadmap.EpicReference("PRJ1", 251+n); next.ReferenceNum != want {
				t.Errorf("after deleting %s the next epic is %s, want %s", last.ReferenceNum, next.ReferenceNum, want)
			}
		})
	}
}

// TestEpicMove moves an epic between releases of its product, and checks
// that a move to another product's release is refused without a change.
func TestEpicMove(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenEpics(t, backend)
			ctx := context.Background()
			e, err := db.UpdateEpic(ctx, demo.Epic3, roadmap.EpicInput{Release: roadmap.Some("PRJ1-R-2")})
			if err != nil {
				t.Fatal(err)
			}
			if e.ReleaseID != demo.Release2 || e.Release == nil || e.Release.ReferenceNum != "PRJ1-R-2" || e.Position != 1 {
				t.Fatalf("after the move: release %d, position %d", e.ReleaseID, e.Position)
			}
			for rel, want := range map[int64][]string{demo.Release1: {"PRJ1-E-2", "PRJ1-E-1"}, demo.Release2: {"PRJ1-E-3"}} {
				es, total, err := db.Epics(ctx, roadmap.EpicFilter{ReleaseID: rel, Page: roadmap.Page{Page: 1, PerPage: 10}})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range es {
					got = append(got, e.ReferenceNum)
				}
				if !slices.Equal(got, want) || total != len(want) {
					t.Errorf("release %d holds %v (%d), want %v", rel, got, total, want)
				}
			}
			before, err := db.Epic(ctx, "PRJ1-E-3")
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.UpdateEpic(ctx, demo.Epic3, roadmap.EpicInput{Release: roadmap.Some("PRJ2-R-1"), Name: roadmap.Some("Renamed")})
			wantInvalid(t, err, "release")
			after, err := db.Epic(ctx, "PRJ1-E-3")
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(after, before); d != "" {
				t.Errorf("a refused move changed the epic: %s", d)
			}
			_, err = db.UpdateEpic(ctx, 12345, roadmap.EpicInput{Name: roadmap.Some("x")})
			wantCode(t, err, roadmap.ENOTFOUND)
		})
	}
}

// TestEpicDelete deletes an epic that has a feature, goals, watchers, tags,
// score facts, custom fields, integration fields, a status history and a
// link: the feature stays without an epic, and no row is left pointing at
// the epic.
func TestEpicDelete(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, dsn := mustOpenEpics(t, backend)
			ctx := context.Background()
			raw := rawDB(t, backend, dsn)
			if _, err := raw.Exec(`INSERT INTO features (id, product_id, release_id, epic_id, reference_num, name, name_fold, progress_source,
 workflow_status_id, created_by_id, description_id, description_body, description_created_at, description_updated_at, created_at, updated_at)
 VALUES (77001, 131414752, 278327321, 999605892, 'PRJ1-9001', 'Feature of epic 1', 'feature of epic 1', 'progress_manual',
 934242751, 16338845, 77002, '', 0, 0, 0, 0)`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UpdateEpic(ctx, demo.Epic1, roadmap.EpicInput{
				WorkflowStatus: roadmap.Some("Designed"), Watchers: roadmap.Some([]string{"689956296"}),
				ScoreFacts: roadmap.Some([]roadmap.EpicScoreFactInput{{Name: "Value", Value: 3}}),
			}); err != nil {
				t.Fatal(err)
			}
			e, err := db.Epic(ctx, "PRJ1-E-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Features) == 0 || len(e.Goals) == 0 || len(e.Tags) == 0 || len(e.CustomFields) == 0 || len(e.IntegrationFields) == 0 ||
				len(e.StatusTimes) == 0 || len(e.Links) == 0 || len(e.ScoreFacts) == 0 || len(e.Watchers) == 0 {
				t.Fatalf("the epic lacks records to delete with it: %+v", e)
			}
			if err := db.DeleteEpic(ctx, demo.Epic1); err != nil {
				t.Fatal(err)
			}
			_, err = db.Epic(ctx, "PRJ1-E-1")
			wantCode(t, err, roadmap.ENOTFOUND)
			wantCode(t, db.DeleteEpic(ctx, demo.Epic1), roadmap.ENOTFOUND)
			id := fmt.Sprint(demo.Epic1)
			for _, q := range []string{
				"SELECT COUNT(*) FROM features WHERE epic_id = " + id,
				"SELECT COUNT(*) FROM epic_goals WHERE epic_id = " + id,
				"SELECT COUNT(*) FROM epic_watchers WHERE epic_id = " + id,
				"SELECT COUNT(*) FROM epic_tags WHERE epic_id = " + id,
				"SELECT COUNT(*) FROM epic_score_facts WHERE epic_id = " + id,
				"SELECT COUNT(*) FROM epic_custom_fields WHERE epic_id = " + id,
				"SELECT COUNT(*) FROM epic_links WHERE parent_id = " + id + " OR child_id = " + id,
				"SELECT COUNT(*) FROM integration_fields WHERE record_type = 'epic' AND record_id = " + id,
				"SELECT COUNT(*) FROM work_status_times WHERE record_type = 'epic' AND record_id = " + id,
			} {
				if n := rawCount(t, raw, q); n != 0 {
					t.Errorf("%s: %d rows left", q, n)
				}
			}
			if n := rawCount(t, raw, "SELECT COUNT(*) FROM features WHERE id = 77001 AND epic_id IS NULL AND release_id = 278327321"); n != 1 {
				t.Errorf("the epic's feature is gone or still attached")
			}
			e2, err := db.Epic(ctx, "PRJ1-E-2")
			if err != nil {
				t.Fatal(err)
			}
			if len(e2.Links) != 0 {
				t.Errorf("PRJ1-E-2 keeps its link to the deleted epic")
			}
		})
	}
}

// TestEpicListQueryCount lists pages of 5 and of 60 epics with everything
// their representation shows: both cost the same number of queries.
func TestEpicListQueryCount(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenEpics(t, backend)
			ctx := context.Background()
			for i := range 60 {
				mustCreateEpic(t, db, demo.Release3, roadmap.EpicInput{
					Name: roadmap.Some(fmt.Sprintf("Many %d", i)), Goals: roadmap.Some([]string{"602095703"}),
					Initiative: roadmap.Some("PRJ1-S-2"), Tags: roadmap.Some([]string{"a", "b"}),
					Watchers:   roadmap.Some([]string{"689956296"}),
					ScoreFacts: roadmap.Some([]roadmap.EpicScoreFactInput{{Name: "Value", Value: i}}),
				})
			}
			count := func(size int, full bool) int64 {
				q0 := db.QueryCount()
				es, _, err := db.Epics(ctx, roadmap.EpicFilter{ReleaseID: demo.Release3, Full: full, Page: roadmap.Page{Page: 1, PerPage: size}})
				if err != nil {
					t.Fatal(err)
				}
				if len(es) != size {
					t.Fatalf("a page of %d holds %d epics", size, len(es))
				}
				if full && (es[0].Release == nil || es[0].Initiative == nil || len(es[0].Tags) != 2 || len(es[0].Goals) != 1) {
					t.Fatalf("the full page lacks what epics show: %+v", es[0])
				}
				return db.QueryCount() - q0
			}
			for _, full := range []bool{false, true} {
				if small, large := count(5, full), count(60, full); small != large {
					t.Errorf("full=%v: a page of 5 costs %d queries, a page of 60 %d", full, small, large)
				}
			}
		})
	}
}
