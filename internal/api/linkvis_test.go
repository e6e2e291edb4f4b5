package api_test

import (
	"slices"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// TestLinkRewriteKeepsInvisibleLinks checks over HTTP that a contributor of
// PRJ1 who rewrites a link set replaces only the part it can see: links to
// records of PRJ2, which it may not see, stay, and the administrator still
// reads them.
func TestLinkRewriteKeepsInvisibleLinks(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		contributor := glUser(t, s, "prj1.contributor@example.com", demo.PRJ1, roadmap.RoleContributor)
		hidden := glCall(t, s, "POST", "/api/v1/products/PRJ2/initiatives", `{"initiative":{"name":"Hidden initiative"}}`, 201).
			get("initiative", "reference_num").str()
		goal := glCall(t, s, "POST", "/api/v1/products/PRJ1/goals", `{"goal":{"name":"Visible goal"}}`, 201).
			get("goal", "reference_num").str()
		sorted := func(refs []string) []string { slices.Sort(refs); return refs }
		checks := []struct {
			name, path, wrap, key, read string
			visible, invisible, newOne  string
		}{
			{"release initiatives", "/api/v1/releases/PRJ1-R-1", "release", "initiatives", "/api/v1/releases/PRJ1-R-1?fields=initiatives",
				"PRJ1-S-1", hidden, "PRJ1-S-2"},
			{"goal releases", "/api/v1/goals/" + goal, "goal", "releases", "/api/v1/goals/" + goal,
				"PRJ1-R-1", "PRJ2-R-1", "PRJ1-R-2"},
		}
		for _, c := range checks {
			t.Run(c.name, func(t *testing.T) {
				links := func(token ...string) []string {
					return sorted(glRefs(glCall(t, s, "GET", c.read, "", 200, token...).get(c.wrap, c.key), "reference_num"))
				}
				put := func(refs string, token ...string) {
					glCall(t, s, "PUT", c.path, `{"`+c.wrap+`":{"`+c.key+`":`+refs+`}}`, 200, token...)
				}
				put(`["` + c.visible + `","` + c.invisible + `"]`)
				if got := links(); !slices.Equal(got, sorted([]string{c.visible, c.invisible})) {
					t.Fatalf("after the administrator's write: %v", got)
				}
				put(`["`+c.newOne+`"]`, contributor)
				if got := links(contributor); !slices.Equal(got, []string{c.newOne}) {
					t.Errorf("the contributor sees %v, want [%s]", got, c.newOne)
				}
				if got, want := links(), sorted([]string{c.newOne, c.invisible}); !slices.Equal(got, want) {
					t.Errorf("after the contributor wrote [%s]: the administrator reads %v, want %v", c.newOne, got, want)
				}
				put(`[]`, contributor)
				if got := links(); !slices.Equal(got, []string{c.invisible}) {
					t.Errorf("after the contributor wrote []: the administrator reads %v, want [%s]", got, c.invisible)
				}
				put(`[]`)
				if got := links(); len(got) != 0 {
					t.Errorf("after the administrator wrote []: %v, want none", got)
				}
			})
		}
	})
}
