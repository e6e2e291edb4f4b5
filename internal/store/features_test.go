package store_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// Demo records the feature tests name.
const (
	release2 = "PRJ1-R-2"
	release3 = "PRJ1-R-3"
	epic2    = "PRJ1-E-2"
	epic3    = "PRJ1-E-3"
)

// mustOpenFeatures opens a fresh store of the backend with the demo account
// and its custom fields, release phases, features and epics, and returns it
// with its DSN.
func mustOpenFeatures(tb testing.TB, backend string) (*store.DB, string) {
	tb.Helper()
	return mustOpenDemoDSN(tb, backend)
}

func mustFeature(tb testing.TB, db *store.DB, key string) *roadmap.Feature {
	tb.Helper()
	f, err := db.Feature(context.Background(), key)
	if err != nil {
		tb.Fatalf("Feature(%q): %v", key, err)
	}
	return f
}

func mustCreateFeature(tb testing.TB, db *store.DB, release string, in roadmap.FeatureInput) *roadmap.Feature {
	tb.Helper()
	f, err := db.CreateFeature(context.Background(), mustRelease(tb, db, release).ID, demo.Mary, in)
	if err != nil {
		tb.Fatalf("CreateFeature(%s, %+v): %v", release, in, err)
	}
	return f
}

func mustUpdateFeature(tb testing.TB, db *store.DB, id int64, in roadmap.FeatureInput) *roadmap.Feature {
	tb.Helper()
	f, err := db.UpdateFeature(context.Background(), id, in)
	if err != nil {
		tb.Fatalf("UpdateFeature(%d, %+v): %v", id, in, err)
	}
	return f
}

// progressOf returns the progress a release shows, -1 for none.
func progressOf(tb testing.TB, db *store.DB, key string) int {
	tb.Helper()
	if p := mustRelease(tb, db, key).Progress; p != nil {
		return *p
	}
	return -1
}

// epicProgress returns the progress an epic shows, -1 for none.
func epicProgress(tb testing.TB, db *store.DB, key string) int {
	tb.Helper()
	e, err := db.Epic(context.Background(), key)
	if err != nil {
		tb.Fatalf("Epic(%q): %v", key, err)
	}
	if e.Progress == nil {
		return -1
	}
	return *e.Progress
}

// computeFromFeatures makes releases compute their progress from the share
// of their features complete.
func computeFromFeatures(tb testing.TB, db *store.DB, keys ...string) {
	tb.Helper()
	for _, k := range keys {
		mustUpdate(tb, db, mustRelease(tb, db, k).ID, roadmap.ReleaseInput{ProgressSource: roadmap.Some(roadmap.ProgressFromFeaturesCompleted)})
	}
}

// TestFeatureNumbersUnderConcurrency creates 20 features in one product at
// once, and 10 requirements of one feature: every one gets its own number,
// with no gaps, each new feature goes on top of its release, and numbers
// are not reused after a delete.
func TestFeatureNumbersUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			rel := mustRelease(t, db, release2)
			const n = 20
			var wg sync.WaitGroup
			refs := make([]string, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					f, err := db.CreateFeature(ctx, rel.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some(fmt.Sprintf("Concurrent %02d", i))})
					if err == nil {
						refs[i] = f.ReferenceNum
					}
					errs[i] = err
				})
			}
			const m = 10
			reqRefs := make([]string, m)
			reqErrs := make([]error, m)
			for i := range m {
				wg.Go(func() {
					r, err := db.CreateRequirement(ctx, demo.Feature1, demo.Henry, roadmap.RequirementInput{Name: roadmap.Some(fmt.Sprintf("Requirement %02d", i))})
					if err == nil {
						reqRefs[i] = r.ReferenceNum
					}
					reqErrs[i] = err
				})
			}
			wg.Wait()
			for _, err := range append(errs, reqErrs...) {
				if err != nil {
					t.Fatalf("concurrent create: %v", err)
				}
			}
			var want, wantReqs []string
			for i := range n {
				want = append(want, fmt.Sprintf("PRJ1-%d", 251+i))
			}
			for i := range m {
				wantReqs = append(wantReqs, fmt.Sprintf("PRJ1-1-%d", 4+i))
			}
			byNumber := func(s []string) []string {
				out := slices.Clone(s)
				sort.Slice(out, func(a, b int) bool {
					return len(out[a]) < len(out[b]) || len(out[a]) == len(out[b]) && out[a] < out[b]
				})
				return out
			}
			if d := diff(byNumber(refs), want); d != "" {
				t.Errorf("feature numbers:\n%s", d)
			}
			if d := diff(byNumber(reqRefs), wantReqs); d != "" {
				t.Errorf("requirement numbers:\n%s", d)
			}
			fs, total, err := db.Features(ctx, roadmap.FeatureFilter{ReleaseID: rel.ID, Page: roadmap.Page{Page: 1, PerPage: 100}})
			if err != nil || total != n {
				t.Fatalf("Features: %d, %v; want %d", total, err, n)
			}
			var positions []int
			for _, f := range fs {
				positions = append(positions, f.Position)
			}
			slices.Sort(positions)
			for i, p := range positions {
				if p != i+1 {
					t.Fatalf("positions in %s: %v, want 1 to %d", release2, positions, n)
				}
			}

			last := mustFeature(t, db, want[n-1])
			if err := db.DeleteFeature(ctx, last.ID); err != nil {
				t.Fatal(err)
			}
			lastReq, err := db.Requirement(ctx, wantReqs[m-1])
			if err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteRequirement(ctx, lastReq.ID); err != nil {
				t.Fatal(err)
			}
			if f := mustCreateFeature(t, db, release2, roadmap.FeatureInput{Name: roadmap.Some("After the delete")}); f.ReferenceNum != fmt.Sprintf("PRJ1-%d", 251+n) {
				t.Errorf("the feature after a delete is %s, want PRJ1-%d", f.ReferenceNum, 251+n)
			}
			r, err := db.CreateRequirement(ctx, demo.Feature1, demo.Mary, roadmap.RequirementInput{Name: roadmap.Some("After the delete")})
			if err != nil {
				t.Fatal(err)
			}
			if r.ReferenceNum != fmt.Sprintf("PRJ1-1-%d", 4+m) {
				t.Errorf("the requirement after a delete is %s, want PRJ1-1-%d", r.ReferenceNum, 4+m)
			}
		})
	}
}

// TestMoveFeatureBetweenReleases moves a complete feature from one release
// and epic to others: both releases and both epics compute their progress
// again in the same write, the feature goes on top of its new release and
// leaves its release phase behind, and the dates of a release that takes
// them from its features follow. A move to another product's release, or
// to a roll-up, is refused and changes nothing.
func TestMoveFeatureBetweenReleases(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			computeFromFeatures(t, db, release2, release3)
			for _, e := range []string{epic2, epic3} {
				ep, err := db.Epic(ctx, e)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.UpdateEpic(ctx, ep.ID, roadmap.EpicInput{ProgressSource: roadmap.Some(roadmap.ProgressFromFeaturesCompleted)}); err != nil {
					t.Fatal(err)
				}
			}
			r3 := mustRelease(t, db, release3)
			mustUpdate(t, db, r3.ID, roadmap.ReleaseInput{DurationSource: roadmap.Some(roadmap.DurationFromPhasesAndFeatures)})

			open := mustCreateFeature(t, db, release2, roadmap.FeatureInput{Name: roadmap.Some("Open"), Epic: roadmap.Some(epic2)})
			done := mustCreateFeature(t, db, release2, roadmap.FeatureInput{Name: roadmap.Some("Done"), Epic: roadmap.Some(epic2),
				WorkflowStatus: roadmap.Some("Done"), StartDate: roadmap.Some("2026-03-02"), DueDate: roadmap.Some("2026-04-30")})
			if got := progressOf(t, db, release2); got != 50 {
				t.Errorf("%s progress with one of two features done: %d, want 50", release2, got)
			}
			if got := epicProgress(t, db, epic2); got != 50 {
				t.Errorf("%s progress with one of two features done: %d, want 50", epic2, got)
			}
			open = mustFeature(t, db, open.ReferenceNum)
			if open.Position != 2 || done.Position != 1 {
				t.Errorf("positions: open %d, done %d; want 2 and 1 (new features go on top)", open.Position, done.Position)
			}

			moved := mustUpdateFeature(t, db, done.ID, roadmap.FeatureInput{Release: roadmap.Some(release3), Epic: roadmap.Some(epic3)})
			if moved.ReleaseID != r3.ID || moved.Epic == nil || moved.Epic.ReferenceNum != epic3 || moved.Position != 1 {
				t.Errorf("moved feature: release %d, epic %+v, position %d", moved.ReleaseID, moved.Epic, moved.Position)
			}
			for _, c := range []struct {
				key  string
				got  int
				want int
			}{
				{release2, progressOf(t, db, release2), 0},
				{release3, progressOf(t, db, release3), 100},
				{epic2, epicProgress(t, db, epic2), 0},
				{epic3, epicProgress(t, db, epic3), 100},
			} {
				if c.got != c.want {
					t.Errorf("%s progress after the move: %d, want %d", c.key, c.got, c.want)
				}
			}
			if r := mustRelease(t, db, release3); r.StartDate != "2026-03-02" || r.ReleaseDate != "2026-04-30" {
				t.Errorf("%s dates after the move: %s to %s, want 2026-03-02 to 2026-04-30", release3, r.StartDate, r.ReleaseDate)
			}

			// Feature 1 leaves PRJ1-R-1 and its phase Alpha.
			f1 := mustUpdateFeature(t, db, demo.Feature1, roadmap.FeatureInput{Release: roadmap.Some(release2)})
			if f1.ReleasePhase != nil || f1.Epic == nil {
				t.Errorf("Feature 1 after a move: phase %+v, epic %+v; want no phase and its epic", f1.ReleasePhase, f1.Epic)
			}
			for _, req := range f1.Requirements {
				if req.ReleaseID != f1.ReleaseID {
					t.Errorf("%s is in release %d after its feature moved to %d", req.ReferenceNum, req.ReleaseID, f1.ReleaseID)
				}
			}

			before := mustFeature(t, db, "PRJ1-1")
			for _, c := range []struct {
				release string
			}{{"PRJ2-R-1"}, {"PRJ1-MR-1"}, {"PRJ9-R-1"}} {
				_, err := db.UpdateFeature(ctx, demo.Feature1, roadmap.FeatureInput{Name: roadmap.Some("Renamed"), Release: roadmap.Some(c.release)})
				wantInvalid(t, err, "release")
			}
			if d := diff(mustFeature(t, db, "PRJ1-1"), before); d != "" {
				t.Errorf("a refused move changed the feature:\n%s", d)
			}
		})
	}
}

// TestDeleteFeature deletes a feature with requirements, integration
// fields, status history and a link: all of it goes, the feature it linked
// to stays, and its release computes its progress again.
func TestDeleteFeature(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, dsn := mustOpenFeatures(t, backend)
			ctx := context.Background()
			computeFromFeatures(t, db, "PRJ1-R-1")
			done := mustCreateFeature(t, db, "PRJ1-R-1", roadmap.FeatureInput{Name: roadmap.Some("Done"), WorkflowStatus: roadmap.Some("Shipped")})
			if got := progressOf(t, db, "PRJ1-R-1"); got != 17 {
				t.Fatalf("PRJ1-R-1 progress with one of six features done: %d, want 17", got)
			}
			if err := db.DeleteFeature(ctx, done.ID); err != nil {
				t.Fatal(err)
			}
			if got := progressOf(t, db, "PRJ1-R-1"); got != 0 {
				t.Errorf("PRJ1-R-1 progress after the done feature's delete: %d, want 0", got)
			}

			if err := db.DeleteFeature(ctx, demo.Feature1); err != nil {
				t.Fatal(err)
			}
			_, err := db.Feature(ctx, "PRJ1-1")
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.Requirement(ctx, "PRJ1-1-1")
			wantCode(t, err, roadmap.ENOTFOUND)
			raw := rawDB(t, backend, dsn)
			for q, want := range map[string]int{
				"SELECT COUNT(*) FROM requirements WHERE feature_id = 1007868956":                                                                  0,
				"SELECT COUNT(*) FROM integration_fields WHERE record_type IN ('feature', 'requirement') AND record_id IN (1007868956, 483368544)": 0,
				"SELECT COUNT(*) FROM feature_links":                 0,
				"SELECT COUNT(*) FROM features WHERE id = 622562724": 1,
			} {
				if got := rawCount(t, raw, q); got != want {
					t.Errorf("%s: %d, want %d", q, got, want)
				}
			}
			err = db.DeleteFeature(ctx, demo.Feature1)
			wantCode(t, err, roadmap.ENOTFOUND)
		})
	}
}

// TestRequirementsDriveFeatureProgress follows a feature that computes its
// progress from its requirements, and the release that computes its own
// from its features' progress, through requirement creates, status changes
// and deletes.
func TestRequirementsDriveFeatureProgress(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			rel := mustRelease(t, db, release2)
			mustUpdate(t, db, rel.ID, roadmap.ReleaseInput{ProgressSource: roadmap.Some(roadmap.ProgressFromFeatures)})
			f := mustCreateFeature(t, db, release2, roadmap.FeatureInput{Name: roadmap.Some("By requirements"),
				ProgressSource: roadmap.Some(roadmap.ProgressFromRequirements)})
			check := func(when string, want int) {
				t.Helper()
				if got := mustFeature(t, db, f.ReferenceNum).Progress; got == nil || *got != want {
					t.Errorf("feature progress %s: %v, want %d", when, got, want)
				}
				if got := progressOf(t, db, release2); got != want {
					t.Errorf("%s progress %s: %d, want %d", release2, when, got, want)
				}
			}
			check("without requirements", 0)
			var reqs []*roadmap.Requirement
			for _, st := range []string{"Done", "New", "New"} {
				r, err := db.CreateRequirement(ctx, f.ID, demo.Mary, roadmap.RequirementInput{Name: roadmap.Some("Req " + st), WorkflowStatus: roadmap.Some(st)})
				if err != nil {
					t.Fatal(err)
				}
				reqs = append(reqs, r)
			}
			check("with one of three requirements done", 33)
			if _, err := db.UpdateRequirement(ctx, reqs[1].ID, roadmap.RequirementInput{WorkflowStatus: roadmap.Some("Shipped")}); err != nil {
				t.Fatal(err)
			}
			check("with two of three done", 67)
			if err := db.DeleteRequirement(ctx, reqs[2].ID); err != nil {
				t.Fatal(err)
			}
			check("with both left done", 100)
			conv, err := db.ConvertRequirement(ctx, reqs[0].ID, demo.Henry)
			if err != nil {
				t.Fatal(err)
			}
			if conv.ReleaseID != rel.ID || conv.CreatedByID != demo.Henry || len(conv.Links) != 1 || conv.Links[0].Parent.ID != f.ID {
				t.Errorf("converted requirement: release %d, creator %d, links %+v", conv.ReleaseID, conv.CreatedByID, conv.Links)
			}
			// Two features now: the converted one (progress 0) and f (100).
			if got := progressOf(t, db, release2); got != 50 {
				t.Errorf("%s progress after the convert: %d, want 50", release2, got)
			}
			_, err = db.UpdateFeature(ctx, f.ID, roadmap.FeatureInput{Progress: roadmap.Some(10)})
			wantInvalid(t, err, "progress")
		})
	}
}

// TestFeatureValidationChangesNothing sends updates that fail on one field
// among valid ones: the feature stays as it was.
func TestFeatureValidationChangesNothing(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			before := mustFeature(t, db, "PRJ1-1")
			name := roadmap.Some("Renamed")
			for _, c := range []struct {
				field string
				in    roadmap.FeatureInput
			}{
				{"workflow_status", roadmap.FeatureInput{Name: name, WorkflowStatus: roadmap.Some("Planning")}},
				{"workflow_kind", roadmap.FeatureInput{Name: name, WorkflowKind: roadmap.Some("epic")}},
				{"epic", roadmap.FeatureInput{Name: name, Epic: roadmap.Some("PRJ2-E-1")}},
				{"initiative", roadmap.FeatureInput{Name: name, Initiative: roadmap.Some("No such initiative")}},
				{"release_phase", roadmap.FeatureInput{Name: name, ReleasePhase: roadmap.Some("Omega")}},
				{"goals", roadmap.FeatureInput{Name: name, Goals: list("Goal 1", "No such goal")}},
				{"assigned_to_user", roadmap.FeatureInput{Name: name, AssignedTo: roadmap.Some("nobody@example.com")}},
				{"progress", roadmap.FeatureInput{Name: name, ProgressSource: roadmap.Some(roadmap.ProgressFromTodos), Progress: roadmap.Some(5)}},
				{"progress_source", roadmap.FeatureInput{Name: name, ProgressSource: roadmap.Some(roadmap.ProgressFromFeatures)}},
				{"start_date", roadmap.FeatureInput{Name: name, StartDate: roadmap.Some("2019-02-01")}},
				{"due_date", roadmap.FeatureInput{Name: name, DueDate: roadmap.Some("2019-02-30")}},
				{"remaining_estimate_text", roadmap.FeatureInput{Name: name, InitialEstimateText: roadmap.Some("2d"), RemainingEstimateText: roadmap.Some("3p")}},
				{"custom_fields", roadmap.FeatureInput{Name: name, CustomFields: roadmap.Some([]roadmap.CustomFieldEntry{{Key: "priority", Value: "P9"}})}},
				{"score_facts", roadmap.FeatureInput{Name: name, ScoreFacts: roadmap.Some([]roadmap.ScoreFactInput{{Name: "Effort", Value: 1}, {Name: "effort", Value: 2}})}},
				{"name", roadmap.FeatureInput{Name: roadmap.Some("  ")}},
			} {
				_, err := db.UpdateFeature(ctx, demo.Feature1, c.in)
				wantInvalid(t, err, c.field)
			}
			if d := diff(mustFeature(t, db, "PRJ1-1"), before); d != "" {
				t.Errorf("refused updates changed the feature:\n%s", d)
			}
		})
	}
}

// TestFeatureEstimatesAndScore sets estimates as text and as numbers, and
// score facts: estimates keep their units, the progress from the remaining
// estimate follows them, and the score adds up the facts, with 1 for each
// scorecard metric that has none.
func TestFeatureEstimatesAndScore(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			f := mustCreateFeature(t, db, release2, roadmap.FeatureInput{Name: roadmap.Some("Estimated"),
				InitialEstimateText: roadmap.Some("2d 1h"), RemainingEstimate: roadmap.Some(255.0),
				ProgressSource: roadmap.Some(roadmap.ProgressFromRemainingEstimate),
				ScoreFacts:     roadmap.Some([]roadmap.ScoreFactInput{{Name: "Benefit", Value: 7}, {Name: "Reach", Value: 4}})})
			if f.WorkUnits != roadmap.CapacityTime || *f.InitialEstimate != 1020 || *f.RemainingEstimate != 255 {
				t.Errorf("estimates: %s %v %v", f.WorkUnits, *f.InitialEstimate, *f.RemainingEstimate)
			}
			if f.Progress == nil || *f.Progress != 75 {
				t.Errorf("progress from the remaining estimate: %v, want 75", f.Progress)
			}
			if f.Score != 12 {
				t.Errorf("score of Benefit 7, Reach 4 and no Effort: %d, want 12", f.Score)
			}
			var names []string
			for _, sf := range f.ScoreFacts {
				names = append(names, sf.Name)
			}
			if strings.Join(names, ",") != "Benefit,Reach" {
				t.Errorf("score facts in order: %v, want [Benefit Reach]", names)
			}
			p := mustUpdateFeature(t, db, f.ID, roadmap.FeatureInput{DetailedEstimateText: roadmap.Some("8p"), InitialEstimateText: roadmap.Some("4p"), RemainingEstimateText: roadmap.Some("2p")})
			if p.WorkUnits != roadmap.CapacityStoryPoints || *p.Progress != 75 {
				t.Errorf("in story points: units %s, progress %v, want story_points and 75", p.WorkUnits, *p.Progress)
			}
			_, err := db.UpdateFeature(context.Background(), f.ID, roadmap.FeatureInput{RemainingEstimateText: roadmap.Some("1h")})
			wantInvalid(t, err, "remaining_estimate_text")
		})
	}
}

// TestFeatureListQueryCount lists a page of 5 and a page of 40 features in
// the full representation: both cost the same number of queries.
func TestFeatureListQueryCount(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			for i := range 40 {
				f := mustCreateFeature(t, db, "PRJ2-R-1", roadmap.FeatureInput{Name: roadmap.Some(fmt.Sprintf("Listed %02d", i)),
					Goals: list("Goal 1", "Goal 2"), Watchers: list(id(demo.Henry)), Tags: list("a", "b"),
					Initiative: roadmap.Some("Initiative 1"), ScoreFacts: roadmap.Some([]roadmap.ScoreFactInput{{Name: "Effort", Value: 2}})})
				if _, err := db.CreateRequirement(ctx, f.ID, demo.Mary, roadmap.RequirementInput{Name: roadmap.Some("Req"), Tags: list("c")}); err != nil {
					t.Fatal(err)
				}
			}
			cost := func(perPage int) int64 {
				q0 := db.QueryCount()
				fs, _, err := db.Features(ctx, roadmap.FeatureFilter{ProductID: demo.PRJ2, Page: roadmap.Page{Page: 1, PerPage: perPage}, Full: true})
				if err != nil {
					t.Fatal(err)
				}
				last := fs[len(fs)-1]
				if len(fs) != perPage || len(last.Requirements) != 1 || len(last.Goals) != 2 || last.Release == nil || last.Initiative == nil {
					t.Fatalf("a page of %d: %d features, the last with %d requirements and %d goals", perPage, len(fs), len(last.Requirements), len(last.Goals))
				}
				return db.QueryCount() - q0
			}
			small, large := cost(5), cost(40)
			if small != large {
				t.Errorf("a page of 5 features costs %d queries, a page of 40 costs %d", small, large)
			}
		})
	}
}

// TestFeaturePositionsFollowTheWrites: creates, moves and deletes in
// three releases leave every feature at the position it had when each
// newcomer moved the features of its release down one (a delete and a move
// out move nobody), while a create or a move writes no row of the other
// features.
func TestFeaturePositionsFollowTheWrites(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			releases := []string{"PRJ1-R-1", release2, release3}
			// pos and in are the model: each feature's position and release.
			pos := map[int64]int{}
			in := map[int64]string{}
			for _, r := range releases {
				fs, _, err := db.Features(ctx, roadmap.FeatureFilter{ReleaseID: mustRelease(t, db, r).ID, Page: roadmap.Page{Page: 1, PerPage: 200}})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range fs {
					pos[f.ID], in[f.ID] = f.Position, r
				}
			}
			onTop := func(id int64, r string) {
				for other, or := range in {
					if or == r {
						pos[other]++
					}
				}
				pos[id], in[id] = 1, r
			}
			inRelease := func(r string) []int64 {
				var ids []int64
				for id, ir := range in {
					if ir == r {
						ids = append(ids, id)
					}
				}
				slices.Sort(ids)
				return ids
			}
			var shifts int
			db.Trace(func(q string, _ []any) {
				if strings.Contains(q, "UPDATE features SET position") {
					shifts++
				}
			})
			defer db.Trace(nil)
			for i := 0; i < 24; i++ {
				r := releases[i%3]
				switch {
				case i%4 == 3:
					// Move a feature of the next release to the one after.
					ids := inRelease(releases[(i+1)%3])
					if len(ids) == 0 {
						continue
					}
					to := releases[(i+2)%3]
					mustUpdateFeature(t, db, ids[len(ids)/2], roadmap.FeatureInput{Release: roadmap.Some(to)})
					onTop(ids[len(ids)/2], to)
				case i%5 == 4:
					ids := inRelease(r)
					if len(ids) == 0 {
						continue
					}
					if err := db.DeleteFeature(ctx, ids[len(ids)/2]); err != nil {
						t.Fatal(err)
					}
					delete(pos, ids[len(ids)/2])
					delete(in, ids[len(ids)/2])
				default:
					f := mustCreateFeature(t, db, r, roadmap.FeatureInput{Name: roadmap.Some(fmt.Sprintf("Positioned %d", i))})
					if f.Position != 1 {
						t.Fatalf("step %d: a new feature at position %d, want 1", i, f.Position)
					}
					onTop(f.ID, r)
				}
				for id, want := range pos {
					f := mustFeature(t, db, fmt.Sprint(id))
					if f.Position != want || f.Release == nil || f.Release.ReferenceNum != in[id] {
						t.Fatalf("step %d: feature %s at position %d of %v, want %d of %s", i, f.ReferenceNum, f.Position, f.Release, want, in[id])
					}
				}
			}
			if shifts != 0 {
				t.Fatalf("%d statements rewrote the positions of other features", shifts)
			}
		})
	}
}

// TestReleaseRecomputeReadsWhatItsSourcesNeed checks that a feature's
// create brings its release's progress up to date from the work that the
// release's progress source counts alone: a release computing from its
// features' statuses (the default) reads no epics, phases or to-dos, on
// both engines, and its progress moves with the feature's status.
func TestReleaseRecomputeReadsWhatItsSourcesNeed(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)
			ctx := roadmap.WithActor(context.Background(), demo.Mary)
			rel, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Counted from features")})
			if err != nil {
				t.Fatal(err)
			}
			if rel.ProgressSource != roadmap.ProgressFromFeaturesCompleted {
				t.Fatalf("a new release's progress source is %q", rel.ProgressSource)
			}
			var mu sync.Mutex
			var read []string
			db.Trace(func(q string, _ []any) {
				mu.Lock()
				defer mu.Unlock()
				for _, other := range []string{"FROM epics e JOIN workflow_statuses", "FROM release_phases p WHERE p.release_id", "JOIN task_records tr"} {
					if strings.Contains(q, other) {
						read = append(read, q)
					}
				}
			})
			_, err = db.CreateFeature(ctx, rel.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Done at once"), WorkflowStatus: roadmap.Some("Shipped")})
			db.Trace(nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range read {
				t.Errorf("the recompute read work its source does not count: %.120s", q)
			}
			got, err := db.Release(ctx, rel.ReferenceNum)
			if err != nil {
				t.Fatal(err)
			}
			if got.Progress == nil || *got.Progress != 100 {
				t.Errorf("progress %v after its one feature shipped, want 100", got.Progress)
			}
		})
	}
}
