package store

import (
	"context"
	"slices"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// TestLinkSetKeepsInvisibleLinks checks, for every link set whose other side
// may belong to another product, that a write on behalf of a user replaces
// only the links it can see: links to records of products it may not see
// stay, while the administrator (VisibleTo 0) replaces the whole set.
func TestLinkSetKeepsInvisibleLinks(t *testing.T) {
	t.Parallel()
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		goal := func(product int64, name string) string {
			t.Helper()
			g, err := db.CreateGoal(ctx, product, demo.Mary, roadmap.GoalInput{Name: roadmap.Some(name)})
			if err != nil {
				t.Fatal(err)
			}
			return g.ReferenceNum
		}
		gA, gB, gHidden := goal(demo.PRJ1, "Visible goal A"), goal(demo.PRJ1, "Visible goal B"), goal(demo.PRJ2, "Hidden goal")
		hidden, err := db.CreateInitiative(ctx, demo.PRJ2, demo.Mary, roadmap.InitiativeInput{Name: roadmap.Some("Hidden initiative")})
		if err != nil {
			t.Fatal(err)
		}
		iHidden := hidden.ReferenceNum
		goalRefs := func(gs []roadmap.Goal) []string {
			var out []string
			for _, g := range gs {
				out = append(out, g.ReferenceNum)
			}
			return out
		}
		initiativeRefs := func(is []roadmap.Initiative) []string {
			var out []string
			for _, i := range is {
				out = append(out, i.ReferenceNum)
			}
			return out
		}
		releaseRefs := func(rs []*roadmap.Release) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.ReferenceNum)
			}
			return out
		}
		release := func(key string) *roadmap.Release {
			t.Helper()
			r, err := db.Release(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		goalDetail := func(key string) *roadmap.GoalDetail {
			t.Helper()
			g, err := db.GoalDetail(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		initiativeDetail := func(key string) *roadmap.InitiativeDetail {
			t.Helper()
			i, err := db.InitiativeDetail(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			return i
		}
		cases := []struct {
			name                 string
			visible, hid, newOne string
			write                func(visibleTo int64, refs []string) error
			read                 func() []string
		}{
			{"release goals", gA, gHidden, gB,
				func(v int64, refs []string) error {
					_, err := db.UpdateRelease(ctx, demo.Release3, roadmap.ReleaseInput{Goals: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string { return goalRefs(release("PRJ1-R-3").Goals) }},
			{"release initiatives", "PRJ1-S-1", iHidden, "PRJ1-S-2",
				func(v int64, refs []string) error {
					_, err := db.UpdateRelease(ctx, demo.Release3, roadmap.ReleaseInput{Initiatives: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string { return initiativeRefs(release("PRJ1-R-3").Initiatives) }},
			{"roll-up goals", gA, gHidden, gB,
				func(v int64, refs []string) error {
					_, err := db.UpdateRollUp(ctx, demo.RollUp1, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Goals: roadmap.Some(refs), VisibleTo: v}, VisibleTo: v})
					return err
				},
				func() []string { return goalRefs(release("PRJ1-MR-1").Goals) }},
			{"goal releases", "PRJ1-R-1", "PRJ2-R-1", "PRJ1-R-2",
				func(v int64, refs []string) error {
					_, err := db.UpdateGoal(ctx, goalDetail(gA).ID, roadmap.GoalInput{Releases: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string { return releaseRefs(goalDetail(gA).Releases) }},
			{"goal initiatives", "PRJ1-S-1", iHidden, "PRJ1-S-2",
				func(v int64, refs []string) error {
					_, err := db.UpdateGoal(ctx, goalDetail(gA).ID, roadmap.GoalInput{Initiatives: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string { return initiativeRefs(goalDetail(gA).Initiatives) }},
			{"initiative releases", "PRJ1-R-1", "PRJ2-R-1", "PRJ1-R-2",
				func(v int64, refs []string) error {
					_, err := db.UpdateInitiative(ctx, initiativeDetail("PRJ1-S-1").ID, roadmap.InitiativeInput{Releases: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string { return releaseRefs(initiativeDetail("PRJ1-S-1").Releases) }},
			{"initiative goals", gA, gHidden, gB,
				func(v int64, refs []string) error {
					_, err := db.UpdateInitiative(ctx, initiativeDetail("PRJ1-S-2").ID, roadmap.InitiativeInput{Goals: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string { return goalRefs(initiativeDetail("PRJ1-S-2").Goals) }},
			{"feature goals", gA, gHidden, gB,
				func(v int64, refs []string) error {
					_, err := db.UpdateFeature(ctx, demo.Feature1, roadmap.FeatureInput{Goals: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string {
					f, err := db.Feature(ctx, "PRJ1-1")
					if err != nil {
						t.Fatal(err)
					}
					return goalRefs(f.Goals)
				}},
			{"epic goals", gA, gHidden, gB,
				func(v int64, refs []string) error {
					_, err := db.UpdateEpic(ctx, demo.Epic1, roadmap.EpicInput{Goals: roadmap.Some(refs), VisibleTo: v})
					return err
				},
				func() []string {
					e, err := db.Epic(ctx, "PRJ1-E-1")
					if err != nil {
						t.Fatal(err)
					}
					return goalRefs(e.Goals)
				}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				step := func(who string, v int64, refs []string, want ...string) {
					t.Helper()
					if err := c.write(v, refs); err != nil {
						t.Fatalf("%s writing %v: %v", who, refs, err)
					}
					got := c.read()
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Errorf("after %s wrote %v: links %v, want %v", who, refs, got, want)
					}
				}
				step("the administrator", 0, []string{c.visible, c.hid}, c.visible, c.hid)
				step("a contributor of PRJ1", ruPRJ1Only, []string{c.newOne}, c.newOne, c.hid)
				step("a contributor of PRJ1", ruPRJ1Only, []string{}, c.hid)
				step("a contributor of PRJ1", ruPRJ1Only, []string{c.visible, c.newOne}, c.visible, c.newOne, c.hid)
				step("the administrator", 0, []string{c.newOne}, c.newOne)
			})
		}
	})
}
