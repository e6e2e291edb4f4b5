package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// phOpen opens a fresh store of the backend with the demo account and its
// release phases and to-dos.
func phOpen(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	return mustOpenDemo(tb, backend)
}

func phSome[T any](v T) roadmap.Opt[T] { return roadmap.Some(v) }

func phNames(ps []*roadmap.ReleasePhase) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func phPhase(tb testing.TB, db *store.DB, id int64) *roadmap.ReleasePhase {
	tb.Helper()
	p, err := db.ReleasePhase(context.Background(), strconv.FormatInt(id, 10))
	if err != nil {
		tb.Fatalf("ReleasePhase(%d): %v", id, err)
	}
	return p
}

func phUpdate(tb testing.TB, db *store.DB, id int64, in roadmap.PhaseInput) *roadmap.ReleasePhase {
	tb.Helper()
	p, err := db.UpdateReleasePhase(context.Background(), id, in)
	if err != nil {
		tb.Fatalf("UpdateReleasePhase(%d): %v", id, err)
	}
	return p
}

// phProgress returns a release's progress, -1 for none.
func phProgress(tb testing.TB, db *store.DB, key string) int {
	tb.Helper()
	r := mustRelease(tb, db, key)
	if r.Progress == nil {
		return -1
	}
	return *r.Progress
}

func phWantProgress(tb testing.TB, db *store.DB, key string, want int) {
	tb.Helper()
	if got := phProgress(tb, db, key); got != want {
		tb.Fatalf("%s: progress %d, want %d", key, got, want)
	}
}

func phRecord(tb testing.TB, db *store.DB, typ, key string) *roadmap.TaskRecord {
	tb.Helper()
	rec, err := db.TaskRecord(context.Background(), typ, key)
	if err != nil {
		tb.Fatalf("TaskRecord(%s, %s): %v", typ, key, err)
	}
	return rec
}

func phTask(tb testing.TB, db *store.DB, rec *roadmap.TaskRecord, name string, assignees ...string) *roadmap.Task {
	tb.Helper()
	in := roadmap.TaskInput{Name: phSome(name), Body: phSome("")}
	if len(assignees) > 0 {
		in.Assignees = phSome(assignees)
	}
	t, err := db.CreateTask(context.Background(), demo.Mary, rec, in)
	if err != nil {
		tb.Fatalf("CreateTask(%s): %v", name, err)
	}
	return t
}

func phSetStatus(tb testing.TB, db *store.DB, id int64, status string) *roadmap.Task {
	tb.Helper()
	t, err := db.UpdateTask(context.Background(), id, false, nil, roadmap.TaskInput{Status: phSome(status)})
	if err != nil {
		tb.Fatalf("UpdateTask(%d, status %s): %v", id, status, err)
	}
	return t
}

// TestPhaseLists checks the demo's phases as lists show them: a release's
// in date order, one kind, the account's of the products a user may see,
// and pages.
func TestPhaseLists(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := phOpen(t, backend)
			page := roadmap.Page{Page: 1, PerPage: 30}
			phUpdate(t, db, demo.PhaseAlpha, roadmap.PhaseInput{StartOn: phSome("2018-12-01")})
			phUpdate(t, db, demo.PhaseBeta, roadmap.PhaseInput{StartOn: phSome("2019-02-01")})
			ps, total, err := db.ReleasePhases(ctx, roadmap.PhaseFilter{ReleaseID: demo.Release1, Page: page})
			if err != nil || total != 4 {
				t.Fatalf("phases of PRJ1-R-1: %d, %v; want 4", total, err)
			}
			if got, want := phNames(ps), []string{"Alpha", "Beta [2]", "Gamma", "Beta"}; !slices.Equal(got, want) {
				t.Errorf("phases of PRJ1-R-1 in date order: %v, want %v", got, want)
			}
			ps, total, err = db.ReleasePhases(ctx, roadmap.PhaseFilter{ReleaseID: demo.Release1, Kind: roadmap.PhaseKindMilestone, Page: page})
			if err != nil || total != 3 || slices.Contains(phNames(ps), "Alpha") {
				t.Errorf("milestones of PRJ1-R-1: %v (%d), %v; want the 3 milestones", phNames(ps), total, err)
			}
			ps, total, err = db.ReleasePhases(ctx, roadmap.PhaseFilter{VisibleTo: demo.Henry, Page: page})
			if err != nil || total != 4 || !slices.Equal(phNames(ps), []string{"Alpha", "Beta", "Beta [2]", "Gamma"}) {
				t.Errorf("phases Henry (contributor in PRJ1) sees: %v (%d), %v; want the 4 in ID order", phNames(ps), total, err)
			}
			pu, err := db.AddProductUser(ctx, demo.PRJ2, roadmap.NewProductUser{FirstName: "P", LastName: "Two", Email: "p2@example.com", Role: roadmap.RoleOwner})
			if err != nil {
				t.Fatal(err)
			}
			if ps, total, err := db.ReleasePhases(ctx, roadmap.PhaseFilter{VisibleTo: pu.User.ID, Page: page}); err != nil || total != 0 || len(ps) != 0 {
				t.Errorf("phases an owner of PRJ2 only sees: %v (%d), %v; want none", phNames(ps), total, err)
			}
			ps, total, err = db.ReleasePhases(ctx, roadmap.PhaseFilter{Page: roadmap.Page{Page: 2, PerPage: 3}})
			if err != nil || total != 4 || len(ps) != 1 {
				t.Errorf("page 2 of 3: %d of %d, %v; want 1 of 4", len(ps), total, err)
			}
			ps, total, err = db.ReleasePhases(ctx, roadmap.PhaseFilter{Page: roadmap.Page{Page: 9, PerPage: 3}})
			if err != nil || total != 4 || len(ps) != 0 {
				t.Errorf("a page past the end: %d of %d, %v; want 0 of 4", len(ps), total, err)
			}
			for _, key := range []string{"PRJ1-R-1", "0", "1", "x"} {
				if _, err := db.ReleasePhase(ctx, key); roadmap.ErrorCode(err) != roadmap.ENOTFOUND {
					t.Errorf("ReleasePhase(%q): %v, want not found", key, err)
				}
			}
		})
	}
}

// TestPhaseWritesRecomputeRelease checks that every change of a phase that
// a release computes from (progress, dates, kind, a new phase, a delete)
// moves the release's progress and dates in the same write.
func TestPhaseWritesRecomputeRelease(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := phOpen(t, backend)
			mustUpdate(t, db, demo.Release1, roadmap.ReleaseInput{ProgressSource: phSome(roadmap.ProgressFromReleasePhases),
				DurationSource: phSome(roadmap.DurationFromPhasesAndFeatures)})
			phWantProgress(t, db, "PRJ1-R-1", 0)

			phUpdate(t, db, demo.PhaseAlpha, roadmap.PhaseInput{Progress: phSome(40)})
			phWantProgress(t, db, "PRJ1-R-1", 40)

			delta, err := db.CreateReleasePhase(ctx, demo.Release1, roadmap.PhaseInput{Name: phSome("Delta"), Kind: phSome(roadmap.PhaseKindPhase),
				ProgressSource: phSome(roadmap.ProgressManual), Progress: phSome(81), StartOn: phSome("2019-02-01"), EndOn: phSome("2019-03-15")})
			if err != nil {
				t.Fatal(err)
			}
			if delta.Position != 5 || delta.ReleaseID != demo.Release1 || delta.ProductID != demo.PRJ1 {
				t.Errorf("Delta: position %d, release %d, product %d; want 5, PRJ1-R-1, PRJ1", delta.Position, delta.ReleaseID, delta.ProductID)
			}
			phWantProgress(t, db, "PRJ1-R-1", 61)
			if r := mustRelease(t, db, "PRJ1-R-1"); r.StartDate != "2019-01-01" || r.ReleaseDate != "2019-03-15" {
				t.Errorf("PRJ1-R-1 after Delta: %s to %s, want 2019-01-01 to 2019-03-15", r.StartDate, r.ReleaseDate)
			}

			gamma := phUpdate(t, db, demo.PhaseGamma, roadmap.PhaseInput{StartOn: phSome("2019-04-02")})
			if gamma.EndOn != "2019-04-02" {
				t.Errorf("Gamma moved to 2019-04-02 ends on %s: a milestone is one day", gamma.EndOn)
			}
			if r := mustRelease(t, db, "PRJ1-R-1"); r.ReleaseDate != "2019-04-02" {
				t.Errorf("PRJ1-R-1 after Gamma moved: release_date %s, want 2019-04-02", r.ReleaseDate)
			}

			delta = phUpdate(t, db, delta.ID, roadmap.PhaseInput{Kind: phSome(roadmap.PhaseKindMilestone)})
			if delta.StartOn != "2019-02-01" || delta.EndOn != "2019-02-01" {
				t.Errorf("Delta as a milestone: %s to %s, want one day, 2019-02-01", delta.StartOn, delta.EndOn)
			}
			phWantProgress(t, db, "PRJ1-R-1", 40)

			if err := db.DeleteReleasePhase(ctx, demo.PhaseAlpha); err != nil {
				t.Fatal(err)
			}
			phWantProgress(t, db, "PRJ1-R-1", 0)
			if _, err := db.ReleasePhase(ctx, strconv.FormatInt(demo.PhaseAlpha, 10)); roadmap.ErrorCode(err) != roadmap.ENOTFOUND {
				t.Errorf("Alpha after its delete: %v, want not found", err)
			}
			if err := db.DeleteReleasePhase(ctx, demo.PhaseAlpha); roadmap.ErrorCode(err) != roadmap.ENOTFOUND {
				t.Errorf("deleting Alpha twice: %v, want not found", err)
			}
		})
	}
}

// TestPhaseInputRules checks the rules of a phase's fields; a refused write
// changes nothing.
func TestPhaseInputRules(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := phOpen(t, backend)
			phase := func(in roadmap.PhaseInput) roadmap.PhaseInput {
				in.Name, in.Kind = phSome("P"), phSome(roadmap.PhaseKindPhase)
				return in
			}
			refused := []struct {
				name  string
				in    roadmap.PhaseInput
				field string
			}{
				{"no kind", roadmap.PhaseInput{Name: phSome("P")}, "phase_type"},
				{"unknown kind", roadmap.PhaseInput{Name: phSome("P"), Kind: phSome("stage")}, "phase_type"},
				{"no name", roadmap.PhaseInput{Kind: phSome(roadmap.PhaseKindPhase)}, "name"},
				{"blank name", roadmap.PhaseInput{Name: phSome("  "), Kind: phSome(roadmap.PhaseKindPhase)}, "name"},
				{"bad date", phase(roadmap.PhaseInput{StartOn: phSome("2019-02-30")}), "start_on"},
				{"end before start", phase(roadmap.PhaseInput{StartOn: phSome("2019-02-02"), EndOn: phSome("2019-02-01")}), "end_on"},
				{"milestone of two days", roadmap.PhaseInput{Name: phSome("M"), Kind: phSome(roadmap.PhaseKindMilestone), StartOn: phSome("2019-02-01"), EndOn: phSome("2019-02-03")}, "end_on"},
				{"progress computed from to-dos", phase(roadmap.PhaseInput{Progress: phSome(10)}), "progress"},
				{"progress out of range", phase(roadmap.PhaseInput{ProgressSource: phSome(roadmap.ProgressManual), Progress: phSome(101)}), "progress"},
				{"release progress source", phase(roadmap.PhaseInput{ProgressSource: phSome(roadmap.ProgressFromReleasePhases)}), "progress_source"},
				{"release duration source", phase(roadmap.PhaseInput{DurationSource: phSome(roadmap.DurationFromPhasesAndFeatures)}), "duration_source"},
				{"computed dates", phase(roadmap.PhaseInput{DurationSource: phSome(roadmap.DurationFromPhaseFeatures), StartOn: phSome("2019-01-01")}), "start_on"},
			}
			for _, c := range refused {
				_, err := db.CreateReleasePhase(ctx, demo.Release1, c.in)
				if err == nil {
					t.Errorf("%s: created, want refused", c.name)
					continue
				}
				wantInvalid(t, err, c.field)
			}
			_, err := db.CreateReleasePhase(ctx, 1, phase(roadmap.PhaseInput{}))
			wantInvalid(t, err, "release_id")
			if _, total, _ := db.ReleasePhases(ctx, roadmap.PhaseFilter{Page: roadmap.Page{Page: 1, PerPage: 30}}); total != 4 {
				t.Errorf("%d phases after refused creates, want the demo's 4", total)
			}

			before := phPhase(t, db, demo.PhaseAlpha)
			for _, in := range []roadmap.PhaseInput{
				{Name: phSome("Renamed"), EndOn: phSome("2018-12-31")},
				{Name: phSome("Renamed"), Kind: phSome("")},
				{Name: phSome("Renamed"), ProgressSource: phSome(roadmap.ProgressFromTodos), Progress: phSome(5)},
			} {
				if _, err := db.UpdateReleasePhase(ctx, demo.PhaseAlpha, in); roadmap.ErrorCode(err) != roadmap.EINVALID {
					t.Errorf("update %+v: %v, want invalid", in, err)
				}
			}
			if after := phPhase(t, db, demo.PhaseAlpha); fmt.Sprint(*after) != fmt.Sprint(*before) {
				t.Errorf("Alpha changed by refused updates:\n got %+v\nwant %+v", *after, *before)
			}

			// A milestone is made of its start; a manual source keeps the
			// progress the phase showed.
			m, err := db.CreateReleasePhase(ctx, demo.Release2, roadmap.PhaseInput{Name: phSome("M"), Kind: phSome(roadmap.PhaseKindMilestone), EndOn: phSome("2019-05-05")})
			if err != nil {
				t.Fatal(err)
			}
			if m.StartOn != "2019-05-05" || m.EndOn != "2019-05-05" || m.ProgressSource != roadmap.ProgressManual || m.Progress == nil || *m.Progress != 0 {
				t.Errorf("new milestone: %s to %s, %s %v; want 2019-05-05 both, progress_manual 0", m.StartOn, m.EndOn, m.ProgressSource, m.Progress)
			}
			p, err := db.CreateReleasePhase(ctx, demo.Release2, roadmap.PhaseInput{Name: phSome("P"), Kind: phSome(roadmap.PhaseKindPhase)})
			if err != nil {
				t.Fatal(err)
			}
			if p.ProgressSource != roadmap.ProgressFromTodos || p.Progress == nil || *p.Progress != 0 || p.StartOn != "" {
				t.Errorf("new phase: %s %v from %q; want progress_from_todos 0, no dates", p.ProgressSource, p.Progress, p.StartOn)
			}
		})
	}
}

// TestTodosDriveProgress checks that completing, re-opening, adding,
// moving and deleting to-dos moves the progress of the releases and phases
// they are on, in the same write.
func TestTodosDriveProgress(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := phOpen(t, backend)
			for _, key := range []string{"PRJ1-R-2", "PRJ1-R-3"} {
				r := mustRelease(t, db, key)
				mustUpdate(t, db, r.ID, roadmap.ReleaseInput{ProgressSource: phSome(roadmap.ProgressFromTodos)})
			}
			r2, r3 := phRecord(t, db, roadmap.TaskableRelease, "PRJ1-R-2"), phRecord(t, db, roadmap.TaskableRelease, "PRJ1-R-3")
			a, b := phTask(t, db, r2, "A"), phTask(t, db, r2, "B")
			if a.Position == nil || *a.Position != 1 || b.Position == nil || *b.Position != 2 || a.ProductID != demo.PRJ1 {
				t.Errorf("to-dos on PRJ1-R-2: positions %v, %v, product %d; want 1, 2 in PRJ1", a.Position, b.Position, a.ProductID)
			}
			phWantProgress(t, db, "PRJ1-R-2", 0)
			phSetStatus(t, db, a.ID, "complete")
			phWantProgress(t, db, "PRJ1-R-2", 50)
			c := phTask(t, db, r2, "C")
			phWantProgress(t, db, "PRJ1-R-2", 33)
			phSetStatus(t, db, a.ID, "pending")
			phWantProgress(t, db, "PRJ1-R-2", 0)
			phSetStatus(t, db, a.ID, "completed")
			if err := db.DeleteTask(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			phWantProgress(t, db, "PRJ1-R-2", 50)

			moved, err := db.UpdateTask(ctx, a.ID, true, r3, roadmap.TaskInput{})
			if err != nil {
				t.Fatal(err)
			}
			if moved.Record == nil || moved.Record.ID != r3.ID || *moved.Position != 1 {
				t.Errorf("moved to-do: on %+v at %v, want PRJ1-R-3 at 1", moved.Record, moved.Position)
			}
			phWantProgress(t, db, "PRJ1-R-2", 0)
			phWantProgress(t, db, "PRJ1-R-3", 100)
			detached, err := db.UpdateTask(ctx, a.ID, true, nil, roadmap.TaskInput{})
			if err != nil {
				t.Fatal(err)
			}
			if detached.Record != nil || detached.ProductID != 0 || detached.Position != nil {
				t.Errorf("detached to-do: on %+v, product %d, position %v; want none", detached.Record, detached.ProductID, detached.Position)
			}
			phWantProgress(t, db, "PRJ1-R-3", 0)

			// A phase's progress from its to-dos, and the release's from its phases.
			mustUpdate(t, db, demo.Release1, roadmap.ReleaseInput{ProgressSource: phSome(roadmap.ProgressFromReleasePhases)})
			phUpdate(t, db, demo.PhaseAlpha, roadmap.PhaseInput{ProgressSource: phSome(roadmap.ProgressFromTodos)})
			alpha := phRecord(t, db, roadmap.TaskableReleasePhase, strconv.FormatInt(demo.PhaseAlpha, 10))
			x, y := phTask(t, db, alpha, "X"), phTask(t, db, alpha, "Y")
			phSetStatus(t, db, x.ID, "complete")
			if p := phPhase(t, db, demo.PhaseAlpha); p.Progress == nil || *p.Progress != 50 {
				t.Errorf("Alpha with one of two to-dos done: progress %v, want 50", p.Progress)
			}
			phWantProgress(t, db, "PRJ1-R-1", 50)
			if err := db.DeleteTask(ctx, y.ID); err != nil {
				t.Fatal(err)
			}
			phWantProgress(t, db, "PRJ1-R-1", 100)

			// Deleting the phase detaches its to-do, which stays in the product.
			if err := db.DeleteReleasePhase(ctx, demo.PhaseAlpha); err != nil {
				t.Fatal(err)
			}
			left, err := db.Task(ctx, strconv.FormatInt(x.ID, 10))
			if err != nil {
				t.Fatalf("the to-do of a deleted phase: %v", err)
			}
			if left.ProductID != demo.PRJ1 || left.Record == nil || left.Record.Type != roadmap.TaskableProject {
				t.Errorf("the to-do of a deleted phase: product %d, on %+v; want PRJ1 itself", left.ProductID, left.Record)
			}
			ts, _, err := db.Tasks(ctx, roadmap.TaskFilter{Record: alpha, Page: roadmap.Page{Page: 1, PerPage: 30}})
			if err != nil || len(ts) != 0 {
				t.Errorf("to-dos still on the deleted phase: %d, %v", len(ts), err)
			}
		})
	}
}

// TestTaskAssignees checks assignments: by email or ID, each user once, in
// user order; completing a to-do completes every part, re-opening re-opens
// them; a new assignee of a done to-do is done; a refused change changes
// nothing.
func TestTaskAssignees(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := phOpen(t, backend)
			users := func(tk *roadmap.Task) string {
				var s []string
				for _, a := range tk.Assignees {
					done := ""
					if a.CompletedAt != nil {
						done = "@"
					}
					s = append(s, fmt.Sprintf("%d:%s%s", a.User.ID, a.Status, done))
				}
				return fmt.Sprint(s)
			}
			tk := phTask(t, db, nil, "Review", "henry.humpty@example.com", strconv.FormatInt(demo.John, 10), "HENRY.humpty@example.com")
			if got, want := users(tk), fmt.Sprintf("[%d:pending %d:pending]", demo.John, demo.Henry); got != want {
				t.Errorf("assignees: %s, want %s", got, want)
			}
			if tk.ProductID != 0 || tk.Record != nil || tk.Position != nil || tk.CreatedBy.ID != demo.Mary {
				t.Errorf("a to-do on its own: product %d, record %+v, position %v, by %d", tk.ProductID, tk.Record, tk.Position, tk.CreatedBy.ID)
			}
			henry := tk.Assignees[1].ID
			tk = phSetStatus(t, db, tk.ID, "complete")
			if got, want := users(tk), fmt.Sprintf("[%d:complete@ %d:complete@]", demo.John, demo.Henry); got != want || tk.Status != roadmap.TaskComplete {
				t.Errorf("completed: %s %s, want complete, %s", tk.Status, got, want)
			}
			tk, err := db.UpdateTask(ctx, tk.ID, false, nil, roadmap.TaskInput{Assignees: phSome([]string{"no-reply@aha.io", "henry.humpty@example.com"})})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := users(tk), fmt.Sprintf("[%d:complete@ %d:complete@]", demo.Henry, demo.Mary); got != want || tk.Assignees[0].ID != henry {
				t.Errorf("reassigned: %s (Henry's assignment %d), want %s (Henry's %d kept)", got, tk.Assignees[0].ID, want, henry)
			}
			tk = phSetStatus(t, db, tk.ID, "pending")
			if got, want := users(tk), fmt.Sprintf("[%d:pending %d:pending]", demo.Henry, demo.Mary); got != want {
				t.Errorf("re-opened: %s, want %s", got, want)
			}
			for _, in := range []roadmap.TaskInput{
				{Name: phSome("X"), Assignees: phSome([]string{"nobody@example.com"})},
				{Name: phSome("X"), Status: phSome("approved")},
				{Name: phSome("X"), Status: phSome("partially_complete")},
				{Name: phSome("X"), Kind: phSome("Chore")},
				{Name: phSome("X"), DueDate: phSome("tomorrow")},
				{Name: phSome("")},
			} {
				if _, err := db.UpdateTask(ctx, tk.ID, false, nil, in); roadmap.ErrorCode(err) != roadmap.EINVALID {
					t.Errorf("update %+v: %v, want invalid", in, err)
				}
			}
			after, err := db.Task(ctx, strconv.FormatInt(tk.ID, 10))
			if err != nil {
				t.Fatal(err)
			}
			if after.Name != "Review" || users(after) != users(tk) || !after.UpdatedAt.Equal(tk.UpdatedAt) {
				t.Errorf("refused updates changed the to-do: %q %s", after.Name, users(after))
			}
			approval, err := db.UpdateTask(ctx, tk.ID, false, nil, roadmap.TaskInput{Kind: phSome(roadmap.TaskKindApproval), Status: phSome("approved")})
			if err != nil || approval.Status != roadmap.TaskComplete {
				t.Errorf("approving an approval: %v, want complete", err)
			}
		})
	}
}

// TestTaskListsQueryCount checks that a page of to-dos in full costs the
// same number of statements however many to-dos, assignees and records it
// holds.
func TestTaskListsQueryCount(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := phOpen(t, backend)
			list := func() int64 {
				before := db.QueryCount()
				ts, _, err := db.Tasks(ctx, roadmap.TaskFilter{Full: true, Page: roadmap.Page{Page: 1, PerPage: 200}})
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range ts {
					if tk.CreatedAt.After(t0) && tk.ProductID != 0 && (tk.Record == nil || len(tk.Assignees) != 2) {
						t.Errorf("to-do %s of product %d shows record %+v and %d assignees", tk.Name, tk.ProductID, tk.Record, len(tk.Assignees))
					}
				}
				return db.QueryCount() - before
			}
			recs := []*roadmap.TaskRecord{nil, phRecord(t, db, roadmap.TaskableRelease, "PRJ1-R-2"), phRecord(t, db, roadmap.TaskableProject, "PRJ2"),
				phRecord(t, db, roadmap.TaskableReleasePhase, strconv.FormatInt(demo.PhaseBeta, 10)), phRecord(t, db, roadmap.TaskableRelease, "PRJ1-MR-1")}
			add := func(n int) {
				for i := 0; i < n; i++ {
					phTask(t, db, recs[i%len(recs)], fmt.Sprint("T", i), "no-reply@aha.io", "john.smith@example.com")
				}
			}
			add(len(recs))
			few := list()
			add(3 * len(recs))
			if many := list(); many != few {
				t.Errorf("a page of to-dos costs %d statements, with 15 more %d", few, many)
			}
		})
	}
}

// TestConcurrentTodoCompletion checks that to-dos of one release completed
// at once all count in its progress.
func TestConcurrentTodoCompletion(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := phOpen(t, backend)
			mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{ProgressSource: phSome(roadmap.ProgressFromTodos)})
			r2 := phRecord(t, db, roadmap.TaskableRelease, "PRJ1-R-2")
			var ids []int64
			for i := 0; i < 6; i++ {
				ids = append(ids, phTask(t, db, r2, fmt.Sprint("T", i)).ID)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(ids))
			for i, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = db.UpdateTask(context.Background(), id, false, nil, roadmap.TaskInput{Status: phSome("complete")})
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			phWantProgress(t, db, "PRJ1-R-2", 100)
		})
	}
}
