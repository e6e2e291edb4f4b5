package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// listVaried are the fields of the records GenerateLists copies that the
// copies vary, or do not have: their status history and watchers, which
// are rows of their own, are not copied.
var listVaried = []string{"ID", "ReferenceNum", "Name", "Position", "CreatedAt", "UpdatedAt", "Description",
	"AssignedToID", "AssignedTo", "DefaultAssignee", "StatusTimes", "Watchers"}

// sameBut compares two records as JSON, leaving out the fields of
// listVaried, and describes how they differ ("" when alike).
func sameBut(got, want any) string {
	enc := func(v any) map[string]any {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			panic(err)
		}
		for _, k := range listVaried {
			delete(m, k)
		}
		return m
	}
	g, w := enc(got), enc(want)
	if reflect.DeepEqual(g, w) {
		return ""
	}
	for k := range w {
		if !reflect.DeepEqual(g[k], w[k]) {
			return fmt.Sprintf("%s: got %v, want %v", k, g[k], w[k])
		}
	}
	return fmt.Sprintf("got %v, want %v", g, w)
}

// TestGenerateListsMatchesTheStore checks that a copy of each record that
// GenerateLists makes reads back through the store like the record the
// store wrote, apart from what the generator varies, that the numberings
// go on after the copies, and that the lists of the records count them.
func TestGenerateListsMatchesTheStore(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			acc, err := Generate(ctx, dsn, 5)
			if err != nil {
				t.Fatal(err)
			}
			const n = 40
			la, err := GenerateLists(ctx, dsn, acc, n)
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			key := func(id int64) string { return fmt.Sprint(id) }
			for _, c := range []struct {
				what string
				load func(id int64) (any, error)
				id   int64
			}{
				{"goal", func(id int64) (any, error) { return db.GoalDetail(ctx, key(id)) }, la.Goal},
				{"initiative", func(id int64) (any, error) { return db.InitiativeDetail(ctx, key(id)) }, la.Initiative},
				{"epic", func(id int64) (any, error) { return db.Epic(ctx, key(id)) }, la.Epic},
				{"requirement", func(id int64) (any, error) { return db.Requirement(ctx, key(id)) }, la.Requirement},
				{"to-do", func(id int64) (any, error) { return db.Task(ctx, key(id)) }, la.Task},
				{"comment", func(id int64) (any, error) { return db.Comment(ctx, id) }, la.Comment},
			} {
				tmpl, err := c.load(c.id)
				if err != nil {
					t.Fatalf("the template %s: %v", c.what, err)
				}
				cp, err := c.load(c.id + n/2)
				if err != nil {
					t.Fatalf("a copied %s: %v", c.what, err)
				}
				if d := sameBut(cp, tmpl); d != "" {
					t.Errorf("a copied %s differs from its template beyond the varied fields: %s", c.what, d)
				}
			}
			page := roadmap.Page{Page: 1, PerPage: 1}
			for what, total := range map[string]func() (int, error){
				"requirements": func() (int, error) {
					_, n, err := db.Requirements(ctx, roadmap.RequirementFilter{FeatureID: la.Feature.ID, Page: page})
					return n, err
				},
				"to-dos of the feature": func() (int, error) {
					_, n, err := db.Tasks(ctx, roadmap.TaskFilter{Record: &roadmap.TaskRecord{Type: roadmap.TaskableFeature, ID: la.Feature.ID}, Page: page})
					return n, err
				},
				"comments of the feature": func() (int, error) {
					_, n, err := db.Comments(ctx, roadmap.CommentFilter{On: roadmap.CommentTarget{Type: roadmap.CommentOnFeature, ID: la.Feature.ID}, Page: page})
					return n, err
				},
			} {
				if got, err := total(); err != nil || got != n+1 {
					t.Errorf("%s: total %d (%v), want %d", what, got, err, n+1)
				}
			}
			// The numberings go on after the copies.
			g, err := db.CreateGoal(ctx, Product, la.Feature.CreatedByID, roadmap.GoalInput{Name: roadmap.Some("After")})
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := db.GoalDetail(ctx, key(la.Goal))
			if err != nil {
				t.Fatal(err)
			}
			if want := numberAfter(t, tmpl.ReferenceNum, n); g.ReferenceNum != want {
				t.Errorf("the goal after the copies is %s, want %s", g.ReferenceNum, want)
			}
			r, err := db.CreateRequirement(ctx, la.Feature.ID, la.Feature.CreatedByID, roadmap.RequirementInput{Name: roadmap.Some("After")})
			if err != nil {
				t.Fatal(err)
			}
			req, err := db.Requirement(ctx, key(la.Requirement))
			if err != nil {
				t.Fatal(err)
			}
			if want := numberAfter(t, req.ReferenceNum, n); r.ReferenceNum != want {
				t.Errorf("the requirement after the copies is %s, want %s", r.ReferenceNum, want)
			}
		})
	}
}

// numberAfter returns the reference number n after ref's.
func numberAfter(t *testing.T, ref string, n int) string {
	t.Helper()
	var i int
	for i = len(ref) - 1; i >= 0 && ref[i] >= '0' && ref[i] <= '9'; i-- {
	}
	var num int
	if _, err := fmt.Sscan(ref[i+1:], &num); err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	return fmt.Sprintf("%s%d", ref[:i+1], num+n+1)
}
