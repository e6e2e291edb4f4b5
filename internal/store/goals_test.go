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

// glOpenDemo opens a fresh store of the backend with the demo account and
// its goals, initiatives and key results in full.
func glOpenDemo(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testdb.DSN(tb, backend), store.Options{})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		tb.Fatalf("Seed: %v", err)
	}
	return db
}

func glSome[T any](v T) roadmap.Opt[T] { return roadmap.Some(v) }

// TestSeedStrategyOnce checks that the demo's goal details load with the
// demo account, once: a second load changes nothing.
func TestSeedStrategyOnce(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := glOpenDemo(t, backend)
			loaded, err := db.Seed(context.Background(), demo.Account())
			if err != nil || loaded {
				t.Fatalf("second Seed: loaded %v, %v; want false, nil", loaded, err)
			}
			ks, total, err := db.KeyResults(context.Background(), demo.Goal1, roadmap.Page{Page: 1, PerPage: 10})
			if err != nil || total != 2 || len(ks) != 2 {
				t.Fatalf("Goal 1's key results: %d of %d, %v; want 2", len(ks), total, err)
			}
		})
	}
}

// TestStrategyListsQueryCount checks that a page of goals or initiatives
// costs the same number of statements however many records it holds, and
// however many related records they have.
func TestStrategyListsQueryCount(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := glOpenDemo(t, backend)
			count := func(fn func() error) int64 {
				before := db.QueryCount()
				if err := fn(); err != nil {
					t.Fatal(err)
				}
				return db.QueryCount() - before
			}
			goals := func() error {
				_, _, err := db.Goals(ctx, roadmap.GoalFilter{ProductID: demo.PRJ2, Page: roadmap.Page{Page: 1, PerPage: 200}})
				return err
			}
			inits := func() error {
				_, _, err := db.Initiatives(ctx, roadmap.InitiativeFilter{ProductID: demo.PRJ2, Page: roadmap.Page{Page: 1, PerPage: 200}})
				return err
			}
			// Records with everything to load: computed progress and dates,
			// links, parents, watchers, key results, custom fields.
			parent, err := db.CreateInitiative(ctx, demo.PRJ2, demo.Mary, roadmap.InitiativeInput{Name: glSome("Parent")})
			if err != nil {
				t.Fatal(err)
			}
			add := func(n int) {
				for i := 0; i < n; i++ {
					g, err := db.CreateGoal(ctx, demo.PRJ2, demo.Mary, roadmap.GoalInput{Name: glSome(fmt.Sprint("Extra ", i)),
						ProgressSource: glSome(roadmap.ProgressFromInitiatives), Initiatives: glSome([]string{"PRJ1-S-1", fmt.Sprint(parent.ID)}),
						Releases: glSome([]string{"PRJ1-R-1"}), Watchers: glSome([]string{"689956296"}), ParentID: glSome("PL1-G-1")})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := db.CreateKeyResult(ctx, g.ID, demo.Mary, roadmap.KeyResultInput{Name: glSome("KR")}); err != nil {
						t.Fatal(err)
					}
					_, err = db.CreateInitiative(ctx, demo.PRJ2, demo.Mary, roadmap.InitiativeInput{Name: glSome(fmt.Sprint("Extra ", i)),
						ProgressSource: glSome(roadmap.ProgressFromChildren), DurationSource: glSome(roadmap.DurationFromReleases),
						ParentID: glSome(fmt.Sprint(parent.ID)), Releases: glSome([]string{"PRJ1-R-2"}), Goals: glSome([]string{"DEMOENT-G-1"}),
						CustomFields: glSome([]roadmap.CustomFieldEntry{{Key: "initiative_priority", Value: "P1"}})})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			add(2)
			fewGoals, fewInits := count(goals), count(inits)
			add(10)
			if many := count(goals); many != fewGoals {
				t.Errorf("a page of 2 goals costs %d statements, a page of 12 costs %d", fewGoals, many)
			}
			if many := count(inits); many != fewInits {
				t.Errorf("a page of 3 initiatives costs %d statements, a page of 13 costs %d", fewInits, many)
			}
		})
	}
}

// TestStrategyConcurrentNumbers checks that concurrent creates in one
// product, or under one goal, get distinct numbers with no gaps.
func TestStrategyConcurrentNumbers(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := glOpenDemo(t, backend)
			const n = 16
			refs := make([][3]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					g, err := db.CreateGoal(ctx, demo.PRJ2, demo.Mary, roadmap.GoalInput{Name: glSome("G")})
					if err != nil {
						errs[i] = err
						return
					}
					it, err := db.CreateInitiative(ctx, demo.PRJ1, demo.Mary, roadmap.InitiativeInput{Name: glSome("I")})
					if err != nil {
						errs[i] = err
						return
					}
					k, err := db.CreateKeyResult(ctx, demo.Goal2, demo.Mary, roadmap.KeyResultInput{Name: glSome("K")})
					if err != nil {
						errs[i] = err
						return
					}
					refs[i] = [3]string{g.ReferenceNum, it.ReferenceNum, k.ReferenceNum}
				}(i)
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			for j, format := range []string{"PRJ2-G-%d", "PRJ1-S-%d", "DEMOENT-G-2-KR-%d"} {
				var got, want []string
				for i := 0; i < n; i++ {
					got = append(got, refs[i][j])
					first := 1
					if j == 1 {
						first = demo.PRJ1InitiativeCounter + 1
					}
					want = append(want, fmt.Sprintf(format, first+i))
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("concurrent creates: %v, want %v", got, want)
				}
			}
		})
	}
}

// TestDeleteGoalKeepsReleases checks that deleting a goal deletes its key
// results and links but no release, and that an unknown goal is ENOTFOUND.
func TestDeleteGoalKeepsReleases(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := glOpenDemo(t, backend)
			if err := db.DeleteGoal(ctx, demo.Goal1); err != nil {
				t.Fatal(err)
			}
			if _, err := db.KeyResult(ctx, "DEMOENT-G-1-KR-1"); !roadmap.IsNotFound(err) {
				t.Errorf("the goal's key result after the delete: %v, want not found", err)
			}
			r, err := db.Release(ctx, "PRJ1-R-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Goals) != 0 {
				t.Errorf("PRJ1-R-1 still has %d goals", len(r.Goals))
			}
			if err := db.DeleteGoal(ctx, demo.Goal1); !roadmap.IsNotFound(err) {
				t.Errorf("deleting it again: %v, want not found", err)
			}
			it, err := db.InitiativeDetail(ctx, "PRJ1-S-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(it.Goals) != 0 || len(it.Releases) != 2 {
				t.Errorf("PRJ1-S-1 after the delete: %d goals, %d releases; want 0 and 2", len(it.Goals), len(it.Releases))
			}
		})
	}
}
