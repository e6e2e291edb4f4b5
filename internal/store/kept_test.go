package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// keptCountChecks are queries that count the rows whose kept counts,
// sums or products (migrations 00019 and 00025) differ from what the rows
// they keep count give: each must answer 0.
var keptCountChecks = func() map[string]string {
	e := "COALESCE(f.detailed_estimate, f.initial_estimate, 0)"
	exact := "(" + e + " = CAST(" + e + " AS BIGINT) AND " + e + " > -4294967296 AND " + e + " < 4294967296)"
	m := map[string]string{
		"products.goal_count":        "SELECT COUNT(*) FROM products p WHERE goal_count <> (SELECT COUNT(*) FROM goals WHERE product_id = p.id)",
		"products.initiative_count":  "SELECT COUNT(*) FROM products p WHERE initiative_count <> (SELECT COUNT(*) FROM initiatives WHERE product_id = p.id)",
		"products.epic_count":        "SELECT COUNT(*) FROM products p WHERE epic_count <> (SELECT COUNT(*) FROM epics WHERE product_id = p.id)",
		"products.feature_count":     "SELECT COUNT(*) FROM products p WHERE feature_count <> (SELECT COUNT(*) FROM features WHERE product_id = p.id)",
		"products.task_count":        "SELECT COUNT(*) FROM products p WHERE task_count <> (SELECT COUNT(*) FROM tasks WHERE product_id = p.id AND kind = 'Task')",
		"products.comment_count":     "SELECT COUNT(*) FROM products p WHERE comment_count <> (SELECT COUNT(*) FROM comments WHERE product_fold = p.id)",
		"releases.feature_count":     "SELECT COUNT(*) FROM releases r WHERE feature_count <> (SELECT COUNT(*) FROM features WHERE release_id = r.id)",
		"releases.epic_count":        "SELECT COUNT(*) FROM releases r WHERE epic_count <> (SELECT COUNT(*) FROM epics WHERE release_id = r.id)",
		"features.requirement_count": "SELECT COUNT(*) FROM features f WHERE requirement_count <> (SELECT COUNT(*) FROM requirements WHERE feature_id = f.id)",
		"releases.planned_minute_count": "SELECT COUNT(*) FROM releases r WHERE planned_minute_count <> (SELECT COALESCE(SUM(CASE WHEN f.work_units = 'time' AND " + exact +
			" THEN " + e + " ELSE 0 END), 0) FROM features f WHERE f.release_id = r.id)",
		"releases.planned_point_count": "SELECT COUNT(*) FROM releases r WHERE planned_point_count <> (SELECT COALESCE(SUM(CASE WHEN f.work_units = 'story_points' AND " + exact +
			" THEN " + e + " ELSE 0 END), 0) FROM features f WHERE f.release_id = r.id)",
		"releases.planned_inexact_count": "SELECT COUNT(*) FROM releases r WHERE planned_inexact_count <> (SELECT COUNT(*) FROM features f WHERE f.release_id = r.id AND NOT " + exact + ")",
		"comments.product_fold": `SELECT COUNT(*) FROM comments c WHERE product_fold IS DISTINCT FROM COALESCE(
 (SELECT product_id FROM releases WHERE id = c.release_id), (SELECT product_id FROM features WHERE id = c.feature_id),
 (SELECT product_id FROM epics WHERE id = c.epic_id), (SELECT f.product_id FROM requirements q JOIN features f ON f.id = q.feature_id WHERE q.id = c.requirement_id),
 (SELECT product_id FROM goals WHERE id = c.goal_id), (SELECT product_id FROM initiatives WHERE id = c.initiative_id),
 (SELECT r.product_id FROM release_phases p JOIN releases r ON r.id = p.release_id WHERE p.id = c.release_phase_id),
 (SELECT product_id FROM tasks WHERE id = c.task_id))`,
	}
	for col, table := range map[string]string{"release_id": "releases", "feature_id": "features", "epic_id": "epics", "requirement_id": "requirements",
		"goal_id": "goals", "initiative_id": "initiatives", "release_phase_id": "release_phases", "task_id": "tasks"} {
		m[table+".comment_count"] = "SELECT COUNT(*) FROM " + table + " x WHERE comment_count <> (SELECT COUNT(*) FROM comments WHERE " + col + " = x.id)"
	}
	for typ, table := range map[string]string{"Release": "releases", "Feature": "features", "Epic": "epics", "Requirement": "requirements", "ReleasePhase": "release_phases"} {
		m[table+".task_count"] = "SELECT COUNT(*) FROM " + table + " x WHERE task_count <> (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = '" +
			typ + "' AND r.record_id = x.id AND t.kind = 'Task')"
	}
	return m
}()

// checkKept fails the test for every kept count that differs from a count
// of its rows.
func checkKept(t *testing.T, raw *sql.DB, backend, when string) {
	t.Helper()
	for name, q := range keptCountChecks {
		if backend == "sqlite" {
			q = strings.ReplaceAll(q, "IS DISTINCT FROM", "IS NOT")
		}
		var n int
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n != 0 {
			t.Errorf("%s: %s is wrong in %d rows", when, name, n)
		}
	}
}

// TestKeptCountsFollowTheWrites runs the writes that add, move, change,
// delete and restore the records whose counts and sums the database keeps
// (goals, initiatives, epics, features and their estimates, requirements,
// to-dos, comments, releases and their phases), and checks after the demo
// seed and after each step that every kept count equals a count of the
// rows, and that the lists and representations that read them answer as
// a count would.
func TestKeptCountsFollowTheWrites(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := roadmap.WithActor(context.Background(), demo.Mary)
			dsn := testdb.DSN(t, backend)
			db := mustSeed(t, mustOpen(t, dsn))
			raw := rawDB(t, backend, dsn)
			checkKept(t, raw, backend, "after the seed")
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			step := func(name string, fn func()) {
				t.Helper()
				fn()
				checkKept(t, raw, backend, "after "+name)
			}
			rel := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Counted"), CapacityUnits: roadmap.Some(roadmap.CapacityTime), TotalCapacityText: roadmap.Some("2w")})
			other := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Other")})
			var f1, f2 *roadmap.Feature
			step("creating features with estimates", func() {
				var err error
				f1, err = db.CreateFeature(ctx, rel.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("One"), DetailedEstimateText: roadmap.Some("1d 2h")})
				must(err)
				f2, err = db.CreateFeature(ctx, rel.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Two"), InitialEstimate: roadmap.Some(90.0)})
				must(err)
				_, err = db.CreateFeature(ctx, rel.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Points"), DetailedEstimateText: roadmap.Some("3p")})
				must(err)
			})
			planned := func(want float64) {
				t.Helper()
				r, err := db.Release(ctx, rel.ReferenceNum)
				must(err)
				if r.PlannedCapacity != want {
					t.Errorf("planned capacity %v, want %v", r.PlannedCapacity, want)
				}
			}
			planned(8*60 + 2*60 + 90)
			step("changing and moving estimates", func() {
				_, err := db.UpdateFeature(ctx, f2.ID, roadmap.FeatureInput{DetailedEstimate: roadmap.Some(30.5)})
				must(err)
			})
			planned(8*60 + 2*60 + 30.5)
			step("moving a feature to another release", func() {
				_, err := db.UpdateFeature(ctx, f1.ID, roadmap.FeatureInput{Release: roadmap.Some(other.ReferenceNum)})
				must(err)
			})
			planned(30.5)
			step("making an estimate whole again", func() {
				_, err := db.UpdateFeature(ctx, f2.ID, roadmap.FeatureInput{DetailedEstimate: roadmap.Some(45.0)})
				must(err)
			})
			planned(45)

			targets := []roadmap.CommentTarget{
				{Type: roadmap.CommentOnRelease, ID: rel.ID}, {Type: roadmap.CommentOnFeature, ID: f1.ID},
				{Type: roadmap.CommentOnGoal, ID: demo.Goal1}, {Type: roadmap.CommentOnInitiative, ID: demo.Initiative1},
			}
			req, err := db.CreateRequirement(ctx, f2.ID, demo.Mary, roadmap.RequirementInput{Name: roadmap.Some("Needed")})
			must(err)
			targets = append(targets, roadmap.CommentTarget{Type: roadmap.CommentOnRequirement, ID: req.ID})
			phase, err := db.CreateReleasePhase(ctx, rel.ID, roadmap.PhaseInput{Name: roadmap.Some("Build"), Kind: roadmap.Some("phase"), StartOn: roadmap.Some("2025-01-02"), EndOn: roadmap.Some("2025-01-20")})
			must(err)
			targets = append(targets, roadmap.CommentTarget{Type: roadmap.CommentOnReleasePhase, ID: phase.ID})
			epic, err := db.CreateEpic(ctx, rel.ID, demo.Mary, roadmap.EpicInput{Name: roadmap.Some("Big")})
			must(err)
			targets = append(targets, roadmap.CommentTarget{Type: roadmap.CommentOnEpic, ID: epic.ID})
			task, err := db.CreateTask(ctx, demo.Mary, &roadmap.TaskRecord{Type: roadmap.TaskableFeature, ID: f1.ID}, roadmap.TaskInput{Name: roadmap.Some("Do"), Body: roadmap.Some("it")})
			must(err)
			targets = append(targets, roadmap.CommentTarget{Type: roadmap.CommentOnTask, ID: task.ID})
			var comments []*roadmap.Comment
			step("commenting on every kind of record", func() {
				for _, on := range targets {
					c, err := db.CreateComment(ctx, on, demo.Henry, "<p>Counted</p>")
					must(err)
					comments = append(comments, c)
				}
			})
			step("editing and deleting a comment", func() {
				_, err := db.UpdateComment(ctx, comments[0].ID, "<p>Edited</p>")
				must(err)
				must(db.DeleteComment(ctx, comments[1].ID))
			})
			step("writing to-dos", func() {
				_, err := db.CreateTask(ctx, demo.Mary, &roadmap.TaskRecord{Type: roadmap.TaskableRelease, ID: rel.ID}, roadmap.TaskInput{Name: roadmap.Some("On the release"), Body: roadmap.Some("")})
				must(err)
				_, err = db.CreateTask(ctx, demo.Mary, &roadmap.TaskRecord{Type: roadmap.TaskableRequirement, ID: req.ID}, roadmap.TaskInput{Name: roadmap.Some("Approve"), Body: roadmap.Some(""), Kind: roadmap.Some(roadmap.TaskKindApproval)})
				must(err)
				_, err = db.CreateTask(ctx, demo.Mary, nil, roadmap.TaskInput{Name: roadmap.Some("Mine"), Body: roadmap.Some("")})
				must(err)
				_, err = db.UpdateTask(ctx, task.ID, false, nil, roadmap.TaskInput{Kind: roadmap.Some(roadmap.TaskKindApproval)})
				must(err)
				_, err = db.UpdateTask(ctx, task.ID, false, nil, roadmap.TaskInput{Kind: roadmap.Some(roadmap.TaskKindTask)})
				must(err)
				_, err = db.UpdateTask(ctx, task.ID, true, &roadmap.TaskRecord{Type: roadmap.TaskableEpic, ID: epic.ID}, roadmap.TaskInput{})
				must(err)
			})
			step("moving an epic and making goals and initiatives", func() {
				_, err := db.UpdateEpic(ctx, epic.ID, roadmap.EpicInput{Release: roadmap.Some(other.ReferenceNum)})
				must(err)
				g, err := db.CreateGoal(ctx, demo.PRJ1, demo.Mary, roadmap.GoalInput{Name: roadmap.Some("Counted goal")})
				must(err)
				i, err := db.CreateInitiative(ctx, demo.PRJ1, demo.Mary, roadmap.InitiativeInput{Name: roadmap.Some("Counted initiative")})
				must(err)
				must(db.DeleteGoal(ctx, g.ID))
				must(db.DeleteInitiative(ctx, i.ID))
			})
			step("converting a requirement to a feature", func() {
				_, err := db.ConvertRequirement(ctx, req.ID, demo.Mary)
				must(err)
			})
			var deleted []int64
			step("deleting records with comments and to-dos", func() {
				must(db.DeleteFeature(ctx, f1.ID))
				must(db.DeleteEpic(ctx, epic.ID))
				must(db.DeleteTask(ctx, task.ID))
				must(db.DeleteReleasePhase(ctx, phase.ID))
				ds, _, err := db.Deletions(ctx, roadmap.DeletionFilter{Page: roadmap.Page{Page: 1, PerPage: 30}})
				must(err)
				for _, d := range ds {
					deleted = append(deleted, d.ID)
				}
			})
			step("restoring them", func() {
				for i := len(deleted) - 1; i >= 0; i-- {
					_, err := db.RestoreDeletion(ctx, deleted[i], demo.Mary)
					must(err)
				}
			})
			step("duplicating a release", func() {
				_, err := db.DuplicateRelease(ctx, rel.ID, demo.Mary)
				must(err)
			})

			// The lists answer what a count of their rows gives.
			for name, l := range map[string]func() (int, error){
				"product comments": func() (int, error) {
					_, n, err := db.Comments(ctx, roadmap.CommentFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: 1}})
					return n, err
				},
				"product to-dos": func() (int, error) {
					_, n, err := db.Tasks(ctx, roadmap.TaskFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: 1}})
					return n, err
				},
				"account to-dos": func() (int, error) {
					_, n, err := db.Tasks(ctx, roadmap.TaskFilter{Page: roadmap.Page{Page: 1, PerPage: 1}})
					return n, err
				},
				"account goals": func() (int, error) {
					_, n, err := db.Goals(ctx, roadmap.GoalFilter{Page: roadmap.Page{Page: 1, PerPage: 1}})
					return n, err
				},
				"account epics of a viewer": func() (int, error) {
					_, n, err := db.Epics(ctx, roadmap.EpicFilter{VisibleTo: janeSmith, Page: roadmap.Page{Page: 1, PerPage: 1}})
					return n, err
				},
			} {
				got, err := l()
				must(err)
				want := map[string]string{
					"product comments":          fmt.Sprintf("SELECT COUNT(*) FROM comments WHERE product_fold = %d", demo.PRJ1),
					"product to-dos":            fmt.Sprintf("SELECT COUNT(*) FROM tasks WHERE product_id = %d AND kind = 'Task'", demo.PRJ1),
					"account to-dos":            "SELECT COUNT(*) FROM tasks WHERE kind = 'Task'",
					"account goals":             "SELECT COUNT(*) FROM goals",
					"account epics of a viewer": fmt.Sprintf("SELECT COUNT(*) FROM epics WHERE product_id IN (SELECT product_id FROM product_roles WHERE user_id = %d)", janeSmith),
				}[name]
				if n := rawCount(t, raw, want); got != n {
					t.Errorf("%s: total %d, want %d", name, got, n)
				}
			}
		})
	}
}

// janeSmith is the demo's viewer of PRJ1 alone.
const janeSmith int64 = 435166761
