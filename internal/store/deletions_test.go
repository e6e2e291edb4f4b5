package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// binSkipped are the tables whose rows a delete and a restore are expected
// to change: history, the recycle bin itself and bookkeeping.
func binSkipped(table string) bool {
	switch table {
	case "audits", "change_journal", "deletions", "goose_db_version", "idempotency_keys", "web_sessions", "api_tokens", "user_passwords":
		return true
	}
	return strings.HasPrefix(table, "webhook") || strings.HasPrefix(table, "sqlite_") || strings.Contains(table, "_fts")
}

// binDump reads every row of every table of the plan, each as text with
// its columns but updated_at (which deletes and restores touch), sorted.
func binDump(tb testing.TB, raw *sql.DB, backend string) map[string][]string {
	tb.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if backend == "postgres" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := raw.Query(q)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if !binSkipped(n) {
			tables = append(tables, n)
		}
	}
	rows.Close()
	out := map[string][]string{}
	for _, t := range tables {
		q := `SELECT * FROM "` + t + `"`
		if t == "release_counts" {
			// A count kept in stripes says its total; which stripe a
			// write counted in depends on its connection.
			q = "SELECT product_id, SUM(n) AS n FROM release_counts GROUP BY product_id"
		}
		rows, err := raw.Query(q)
		if err != nil {
			tb.Fatalf("dumping %s: %v", t, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			var b strings.Builder
			for i, c := range cols {
				if c == "updated_at" {
					continue
				}
				v := vals[i]
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v ", c, v)
			}
			out[t] = append(out[t], b.String())
		}
		rows.Close()
		slices.Sort(out[t])
	}
	return out
}

// dumpDiff describes how two dumps differ, "" when alike.
func dumpDiff(got, want map[string][]string) string {
	var b strings.Builder
	for t, w := range want {
		g := got[t]
		for _, r := range w {
			if !slices.Contains(g, r) {
				fmt.Fprintf(&b, "%s: missing %s\n", t, r)
			}
		}
		for _, r := range g {
			if !slices.Contains(w, r) {
				fmt.Fprintf(&b, "%s: extra   %s\n", t, r)
			}
		}
	}
	for t, g := range got {
		if _, ok := want[t]; !ok && len(g) > 0 {
			fmt.Fprintf(&b, "%s: %d rows in a table that was empty\n", t, len(g))
		}
	}
	return b.String()
}

// binOpen opens a demo store with its raw database.
func binOpen(tb testing.TB, backend string) (*store.DB, *sql.DB) {
	tb.Helper()
	db, dsn := mustOpenDemoDSN(tb, backend)
	return db, rawDB(tb, backend, dsn)
}

// binOnly returns the only entry of the recycle bin that the user sees.
func binOnly(tb testing.TB, db *store.DB, visibleTo int64) *roadmap.Deletion {
	tb.Helper()
	ds, total, err := db.Deletions(context.Background(), roadmap.DeletionFilter{VisibleTo: visibleTo, Page: roadmap.Page{Page: 1, PerPage: 30}})
	if err != nil {
		tb.Fatalf("Deletions: %v", err)
	}
	if total != 1 || len(ds) != 1 {
		tb.Fatalf("Deletions: %d entries (total %d), want 1: %+v", len(ds), total, ds)
	}
	return ds[0]
}

func binMust(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// TestRecycleBinRoundTrip deletes a record of each kind the recycle bin
// keeps, finds it in the bin, restores it and checks that every row of the
// plan is back as it was (same IDs, reference numbers, parts and links,
// and the computed values of the records around it), updated_at aside.
func TestRecycleBinRoundTrip(t *testing.T) {
	t.Parallel()
	type kase struct {
		name string
		// setup prepares the plan and returns the ID of the record to delete.
		setup func(t *testing.T, db *store.DB) int64
		del   func(ctx context.Context, db *store.DB, id int64) error
		typ   string
		// check, when set, runs after the delete and again after the
		// restore, with restored false and then true.
		check func(t *testing.T, db *store.DB, restored bool)
	}
	ctx := context.Background()
	cases := []kase{
		{
			name: "feature",
			setup: func(t *testing.T, db *store.DB) int64 {
				mustUpdate(t, db, demo.Release1, roadmap.ReleaseInput{ProgressSource: roadmap.Some(roadmap.ProgressFromFeatures)})
				f := mustFeature(t, db, "PRJ1-1")
				mustUpdateFeature(t, db, f.ID, roadmap.FeatureInput{Progress: roadmap.Some(60)})
				if got := progressOf(t, db, "PRJ1-R-1"); got != 12 {
					t.Fatalf("release progress before the delete = %d, want 12", got)
				}
				return f.ID
			},
			del: func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteFeature(ctx, id) },
			typ: "Feature",
			check: func(t *testing.T, db *store.DB, restored bool) {
				want := 0
				if restored {
					want = 12
				}
				if got := progressOf(t, db, "PRJ1-R-1"); got != want {
					t.Errorf("release progress = %d, want %d", got, want)
				}
			},
		},
		{
			name:  "requirement",
			setup: func(t *testing.T, db *store.DB) int64 { return mustReq(t, db, "PRJ1-1-1") },
			del:   func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteRequirement(ctx, id) },
			typ:   "Requirement",
		},
		{
			name: "epic",
			setup: func(t *testing.T, db *store.DB) int64 {
				e, err := db.Epic(ctx, "PRJ1-E-1")
				binMust(t, err)
				return e.ID
			},
			del: func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteEpic(ctx, id) },
			typ: "Epic",
			check: func(t *testing.T, db *store.DB, restored bool) {
				if got := mustFeature(t, db, "PRJ1-1").EpicID != 0; got != restored {
					t.Errorf("feature PRJ1-1 in an epic: %v, want %v", got, restored)
				}
			},
		},
		{
			name: "release",
			setup: func(t *testing.T, db *store.DB) int64 {
				r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{
					Name: roadmap.Some("Doomed"), Goals: list(id(demo.Goal1)), Initiatives: list(id(demo.Initiative1)),
					ParentID: roadmap.Some(id(demo.RollUp1)), StartDate: roadmap.Some("2025-01-01"), ReleaseDate: roadmap.Some("2025-03-01"),
				})
				_, err := db.CreateReleasePhase(ctx, r.ID, roadmap.PhaseInput{Name: roadmap.Some("Build"), Kind: roadmap.Some("phase"), StartOn: roadmap.Some("2025-01-02"), EndOn: roadmap.Some("2025-01-20")})
				binMust(t, err)
				_, err = db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: r.ID}, demo.Mary, "<p>Keep this</p>")
				binMust(t, err)
				return r.ID
			},
			del: func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteRelease(ctx, id) },
			typ: "Release",
		},
		{
			name:  "roll-up",
			setup: func(t *testing.T, db *store.DB) int64 { return demo.RollUp2 },
			del:   func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteRelease(ctx, id) },
			typ:   "MasterRelease",
			check: func(t *testing.T, db *store.DB, restored bool) {
				if got := mustRelease(t, db, id(demo.SubRelease1)).Parent != nil; got != restored {
					t.Errorf("sub-release under its roll-up: %v, want %v", got, restored)
				}
			},
		},
		{
			name:  "goal",
			setup: func(t *testing.T, db *store.DB) int64 { return demo.Goal1 },
			del:   func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteGoal(ctx, id) },
			typ:   "StrategicImperative",
		},
		{
			name: "goal with sub-goals",
			setup: func(t *testing.T, db *store.DB) int64 {
				g, err := db.Goal(ctx, "PL1-G-1")
				binMust(t, err)
				return g.ID
			},
			del: func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteGoal(ctx, id) },
			typ: "StrategicImperative",
		},
		{
			name:  "initiative",
			setup: func(t *testing.T, db *store.DB) int64 { return demo.Initiative1 },
			del:   func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteInitiative(ctx, id) },
			typ:   "Initiative",
		},
		{
			name: "key result",
			setup: func(t *testing.T, db *store.DB) int64 {
				k, err := db.KeyResult(ctx, "DEMOENT-G-1-KR-1")
				binMust(t, err)
				return k.ID
			},
			del: func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteKeyResult(ctx, id) },
			typ: "KeyResult",
		},
		{
			name: "release phase",
			setup: func(t *testing.T, db *store.DB) int64 {
				mustUpdate(t, db, demo.Release1, roadmap.ReleaseInput{DurationSource: roadmap.Some(roadmap.DurationFromPhasesAndFeatures)})
				ps, _, err := db.ReleasePhases(ctx, roadmap.PhaseFilter{ReleaseID: demo.Release1, Page: roadmap.Page{Page: 1, PerPage: 30}})
				binMust(t, err)
				for _, p := range ps {
					if p.Name == "Alpha" {
						return p.ID
					}
				}
				t.Fatal("no phase Alpha")
				return 0
			},
			del: func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteReleasePhase(ctx, id) },
			typ: "ReleasePhase",
		},
		{
			name:  "to-do",
			setup: func(t *testing.T, db *store.DB) int64 { return 270131066 },
			del:   func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteTask(ctx, id) },
			typ:   "Task",
		},
		{
			name: "comment",
			setup: func(t *testing.T, db *store.DB) int64 {
				c, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnFeature, ID: mustFeature(t, db, "PRJ1-2").ID}, demo.Henry, "<p>Ship <b>it</b> &amp; smile</p>")
				binMust(t, err)
				return c.ID
			},
			del: func(ctx context.Context, db *store.DB, id int64) error { return db.DeleteComment(ctx, id) },
			typ: "Comment",
		},
	}
	for _, backend := range testdb.Backends {
		for _, c := range cases {
			t.Run(backend+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				db, raw := binOpen(t, backend)
				recID := c.setup(t, db)
				before := binDump(t, raw, backend)
				ctx := roadmap.WithActor(ctx, demo.Mary)
				if err := c.del(ctx, db, recID); err != nil {
					t.Fatalf("delete: %v", err)
				}
				if dumpDiff(binDump(t, raw, backend), before) == "" {
					t.Fatal("the delete changed nothing")
				}
				if c.check != nil {
					c.check(t, db, false)
				}
				d := binOnly(t, db, 0)
				if d.RecordType != c.typ || d.RecordID != recID || d.Status != roadmap.DeletionDeleted || d.Name == "" {
					t.Errorf("entry = %+v, want a %s %d", d, c.typ, recID)
				}
				if d.DeletedBy == nil || d.DeletedBy.ID != demo.Mary || d.DeletedBy.Email == "" {
					t.Errorf("deleted by %+v, want Mary", d.DeletedBy)
				}
				got, err := db.RestoreDeletion(ctx, d.ID, demo.Mary)
				if err != nil {
					t.Fatalf("RestoreDeletion: %v", err)
				}
				if got.Status != roadmap.DeletionRestored || len(got.NotRestored) != 0 {
					t.Errorf("restore answered %+v, want restored with nothing left out", got)
				}
				if diff := dumpDiff(binDump(t, raw, backend), before); diff != "" {
					t.Errorf("after the restore the plan differs from before the delete:\n%s", diff)
				}
				if c.check != nil {
					c.check(t, db, true)
				}
				if _, err := db.RestoreDeletion(ctx, d.ID, demo.Mary); err == nil {
					t.Error("a second restore succeeded")
				} else {
					wantCode(t, err, roadmap.ENOTFOUND)
				}
				if ds, _, _ := db.Deletions(ctx, roadmap.DeletionFilter{Page: roadmap.Page{Page: 1, PerPage: 30}}); len(ds) != 0 {
					t.Errorf("the bin still lists %+v", ds)
				}
			})
		}
	}
}

func mustReq(tb testing.TB, db *store.DB, key string) int64 {
	tb.Helper()
	r, err := db.Requirement(context.Background(), key)
	if err != nil {
		tb.Fatalf("Requirement(%s): %v", key, err)
	}
	return r.ID
}

// TestRecycleBinNameOfComment shows a comment by the start of its text.
func TestRecycleBinCommentName(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := binOpen(t, backend)
			ctx := context.Background()
			c, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnFeature, ID: mustFeature(t, db, "PRJ1-2").ID}, demo.Henry, "<p>Ship <b>it</b> &amp; smile</p>")
			binMust(t, err)
			binMust(t, db.DeleteComment(ctx, c.ID))
			if d := binOnly(t, db, 0); d.Name != "Ship it & smile" || d.ProductID != demo.PRJ1 || d.DeletedBy != nil {
				t.Errorf("entry = %+v, want the comment's text, product PRJ1 and no user", d)
			}
		})
	}
}

// binEntry returns the entry of the record among those the bin lists.
func binEntry(tb testing.TB, db *store.DB, recordID int64) *roadmap.Deletion {
	tb.Helper()
	ds, _, err := db.Deletions(context.Background(), roadmap.DeletionFilter{Page: roadmap.Page{Page: 1, PerPage: 200}})
	if err != nil {
		tb.Fatalf("Deletions: %v", err)
	}
	for _, d := range ds {
		if d.RecordID == recordID {
			return d
		}
	}
	tb.Fatalf("no entry for record %d in %+v", recordID, ds)
	return nil
}

// TestRecycleBinRestoreAfterLinkedRecordIsGone restores a feature whose
// epic and goal were deleted after it: the feature comes back with its
// requirements, without the epic and the goal, and the answer says so.
func TestRecycleBinRestoreAfterLinkedRecordIsGone(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := binOpen(t, backend)
			ctx := context.Background()
			f := mustFeature(t, db, "PRJ1-1")
			if f.EpicID == 0 || len(f.Goals) == 0 {
				t.Fatalf("feature PRJ1-1 has epic %d and goals %+v; the test needs both", f.EpicID, f.Goals)
			}
			goal := f.Goals[0].ID
			reqs, _, err := db.Requirements(ctx, roadmap.RequirementFilter{FeatureID: f.ID, Page: roadmap.Page{Page: 1, PerPage: 30}})
			binMust(t, err)
			binMust(t, db.DeleteFeature(ctx, f.ID))
			binMust(t, db.DeleteEpic(ctx, f.EpicID))
			binMust(t, db.DeleteGoal(ctx, goal))
			d, err := db.RestoreDeletion(ctx, binEntry(t, db, f.ID).ID, demo.Mary)
			if err != nil {
				t.Fatalf("RestoreDeletion: %v", err)
			}
			want := []roadmap.DeletionLoss{
				{Part: "features", Field: "epic_id", MissingType: "Epic", MissingID: f.EpicID},
				{Part: "feature_goals", MissingType: "StrategicImperative", MissingID: goal},
			}
			for _, w := range want {
				if !slices.Contains(d.NotRestored, w) {
					t.Errorf("not restored = %+v, want it to hold %+v", d.NotRestored, w)
				}
			}
			got := mustFeature(t, db, "PRJ1-1")
			if got.ID != f.ID || got.EpicID != 0 || len(got.Goals) != 0 {
				t.Errorf("restored feature %d with epic %d and goals %+v, want %d without them", got.ID, got.EpicID, got.Goals, f.ID)
			}
			back, _, err := db.Requirements(ctx, roadmap.RequirementFilter{FeatureID: f.ID, Page: roadmap.Page{Page: 1, PerPage: 30}})
			binMust(t, err)
			if len(back) != len(reqs) || len(reqs) == 0 {
				t.Errorf("%d requirements back, want %d", len(back), len(reqs))
			}
		})
	}
}

// TestRecycleBinRestoreNeedsContainer refuses to restore a phase whose
// release was deleted after it, until the release is restored.
func TestRecycleBinRestoreNeedsContainer(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := binOpen(t, backend)
			ctx := context.Background()
			r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Short lived")})
			p, err := db.CreateReleasePhase(ctx, r.ID, roadmap.PhaseInput{Name: roadmap.Some("Only phase"), Kind: roadmap.Some("phase"), StartOn: roadmap.Some("2025-01-02"), EndOn: roadmap.Some("2025-01-20")})
			binMust(t, err)
			binMust(t, db.DeleteReleasePhase(ctx, p.ID))
			binMust(t, db.DeleteRelease(ctx, r.ID))
			phaseEntry, releaseEntry := binEntry(t, db, p.ID), binEntry(t, db, r.ID)
			_, err = db.RestoreDeletion(ctx, phaseEntry.ID, demo.Mary)
			wantCode(t, err, roadmap.EINVALID)
			if binEntry(t, db, p.ID).Status != roadmap.DeletionDeleted {
				t.Error("a refused restore changed the entry")
			}
			if _, err := db.RestoreDeletion(ctx, releaseEntry.ID, demo.Mary); err != nil {
				t.Fatalf("restoring the release: %v", err)
			}
			if _, err := db.RestoreDeletion(ctx, phaseEntry.ID, demo.Mary); err != nil {
				t.Fatalf("restoring the phase after its release: %v", err)
			}
			if got := phPhase(t, db, p.ID); got.ReleaseID != r.ID || got.Name != "Only phase" {
				t.Errorf("restored phase %+v", got)
			}
		})
	}
}

// TestRecycleBinVisibility lists an entry only to users who may see its
// product.
func TestRecycleBinVisibility(t *testing.T) {
	t.Parallel()
	const gregory int64 = 375285024
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := binOpen(t, backend)
			ctx := context.Background()
			if _, err := db.SetProductRole(ctx, gregory, demo.PRJ2, roadmap.RoleViewer); err != nil {
				t.Fatal(err)
			}
			binMust(t, db.DeleteFeature(roadmap.WithActor(ctx, demo.Mary), mustFeature(t, db, "PRJ1-2").ID))
			if ds, total, err := db.Deletions(ctx, roadmap.DeletionFilter{VisibleTo: gregory, Page: roadmap.Page{Page: 1, PerPage: 30}}); err != nil || total != 0 || len(ds) != 0 {
				t.Errorf("a viewer of PRJ2 sees %+v (total %d, %v)", ds, total, err)
			}
			if d := binOnly(t, db, demo.Henry); d.ProductID != demo.PRJ1 {
				t.Errorf("a contributor of PRJ1 sees %+v", d)
			}
			// A to-do of no product: its deleter and the administrator see
			// it, a contributor of PRJ1 does not.
			const noProductTask = 654705094
			binMust(t, db.DeleteTask(roadmap.WithActor(ctx, gregory), noProductTask))
			if d := binOnly(t, db, gregory); d.RecordID != noProductTask || d.ProductID != 0 {
				t.Errorf("the deleter of a to-do of no product sees %+v", d)
			}
			if d := binOnly(t, db, demo.Henry); d.RecordType != "Feature" {
				t.Errorf("a contributor of PRJ1 sees %+v, want only the feature", d)
			}
			if ds, total, _ := db.Deletions(ctx, roadmap.DeletionFilter{Page: roadmap.Page{Page: 2, PerPage: 1}}); total != 2 || len(ds) != 1 || ds[0].RecordID != noProductTask {
				t.Errorf("the second page of one entry holds %+v of %d, want the to-do of 2", ds, total)
			}
		})
	}
}

// TestRecycleBinPurge removes entries older than the retention period for
// good, and keeps the younger ones.
func TestRecycleBinPurge(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := binOpen(t, backend)
			clk := useClock(db, t0)
			ctx := context.Background()
			old := mustFeature(t, db, "PRJ1-2")
			binMust(t, db.DeleteFeature(ctx, old.ID))
			oldEntry := binOnly(t, db, 0)
			clk.mu.Lock()
			clk.t = clk.t.Add(3 * 24 * time.Hour)
			clk.mu.Unlock()
			young := mustFeature(t, db, "PRJ1-3")
			binMust(t, db.DeleteFeature(ctx, young.ID))
			clk.mu.Lock()
			clk.t = clk.t.Add(5 * 24 * time.Hour)
			clk.mu.Unlock()
			n, err := db.PurgeDeletions(ctx, roadmap.DefaultRecycleBinDays*24*time.Hour)
			if err != nil || n != 1 {
				t.Fatalf("PurgeDeletions removed %d (%v), want 1", n, err)
			}
			d := binOnly(t, db, 0)
			if d.RecordID != young.ID {
				t.Errorf("kept %+v, want the entry of %s", d, young.ReferenceNum)
			}
			_, err = db.RestoreDeletion(ctx, oldEntry.ID, demo.Mary)
			wantCode(t, err, roadmap.ENOTFOUND)
			if n, err := db.PurgeDeletions(ctx, roadmap.DefaultRecycleBinDays*24*time.Hour); err != nil || n != 0 {
				t.Errorf("a second purge removed %d (%v)", n, err)
			}
		})
	}
}

// TestRecycleBinCommentNeedsItsRecord refuses to restore a comment whose
// record was deleted after it, and restores it once the record is back.
func TestRecycleBinCommentNeedsItsRecord(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := binOpen(t, backend)
			ctx := context.Background()
			f := mustFeature(t, db, "PRJ1-2")
			c, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnFeature, ID: f.ID}, demo.Henry, "<p>First</p>")
			binMust(t, err)
			binMust(t, db.DeleteComment(ctx, c.ID))
			binMust(t, db.DeleteFeature(ctx, f.ID))
			_, err = db.RestoreDeletion(ctx, binEntry(t, db, c.ID).ID, demo.Mary)
			wantCode(t, err, roadmap.EINVALID)
			if _, err := db.RestoreDeletion(ctx, binEntry(t, db, f.ID).ID, demo.Mary); err != nil {
				t.Fatalf("restoring the feature: %v", err)
			}
			if _, err := db.RestoreDeletion(ctx, binEntry(t, db, c.ID).ID, demo.Mary); err != nil {
				t.Fatalf("restoring the comment after its feature: %v", err)
			}
			if got, err := db.Comment(ctx, c.ID); err != nil || got.Body != "<p>First</p>" {
				t.Errorf("restored comment %+v, %v", got, err)
			}
		})
	}
}

// TestRecycleBinKeepsNoConvertedRequirement: converting a requirement to a
// feature removes the requirement, but deletes nothing.
func TestRecycleBinKeepsNoConvertedRequirement(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := binOpen(t, backend)
			ctx := context.Background()
			req := mustReq(t, db, "PRJ1-1-1")
			// Parts that go with the requirement into the feature.
			if _, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnRequirement, ID: req}, demo.Henry, "<p>Moves along</p>"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UpdateRequirement(ctx, req, roadmap.RequirementInput{Tags: roadmap.Some([]string{"moving"})}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ConvertRequirement(ctx, req, demo.Mary); err != nil {
				t.Fatal(err)
			}
			if ds, total, err := db.Deletions(ctx, roadmap.DeletionFilter{Page: roadmap.Page{Page: 1, PerPage: 30}}); err != nil || total != 0 {
				t.Errorf("the bin holds %+v (%v) after a conversion", ds, err)
			}
			binMust(t, db.DeleteRequirement(ctx, mustReq(t, db, "PRJ1-1-2")))
			if d := binOnly(t, db, 0); d.RecordType != "Requirement" || d.ReferenceNum != "PRJ1-1-2" {
				t.Errorf("entry %+v, want requirement PRJ1-1-2", d)
			}
		})
	}
}
