package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Demo users with each role in PRJ1, besides the administrator (Mary) and
// the owner of the product line (John).
const (
	jeremySmith int64 = 601067208 // reviewer in PRJ1
	janeSmith   int64 = 435166761 // viewer in PRJ1
)

// tokenFor gives a demo user a new API token.
func tokenFor(t *testing.T, s *testServer, userID int64) string {
	t.Helper()
	tok := roadmap.NewToken()
	if err := s.DB.CreateToken(context.Background(), userID, roadmap.HashToken(tok)); err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestReleaseRoutesEnforceRoles runs every release route as each role, in
// PRJ1 (where every user below has a role) and in PRJ2 (where the
// contributor, reviewer and viewer have none), and checks the status: reads
// need any role, writes need contributor or owner, the administrator may do
// everything, and a user without a role gets 404 as if the release did not
// exist. A refused write changes nothing.
func TestReleaseRoutesEnforceRoles(t *testing.T) {
	t.Parallel()
	type who struct {
		name string
		user int64
		// role in PRJ1; every user below but Mary and John has none in PRJ2
		role roadmap.Role
	}
	users := []who{
		{"administrator", demo.Mary, roadmap.RoleOwner},
		{"line owner", demo.John, roadmap.RoleOwner},
		{"contributor", demo.Henry, roadmap.RoleContributor},
		{"reviewer", jeremySmith, roadmap.RoleReviewer},
		{"viewer", janeSmith, roadmap.RoleViewer},
	}
	type route struct {
		method, path, body string
		write              bool
		ok                 int
	}
	routes := func(prefix, rel, other string) []route {
		return []route{
			{"GET", "/api/v1/products/" + prefix + "/releases", "", false, 200},
			{"GET", "/api/v1/products/" + prefix + "/releases/" + rel, "", false, 200},
			{"GET", "/api/v1/releases/" + rel, "", false, 200},
			{"GET", "/api/v1/releases/" + rel + "?fields=*,watchers", "", false, 200},
			{"POST", "/api/v1/products/" + prefix + "/releases", `{"release":{"name":"By role"}}`, true, 200},
			{"PUT", "/api/v1/products/" + prefix + "/releases/" + rel, `{"release":{"name":"Renamed by role"}}`, true, 200},
			{"PUT", "/api/v1/releases/" + rel, `{"release":{"theme":"Changed by role"}}`, true, 200},
			{"POST", "/api/v1/releases/" + rel + "/duplicate", "", true, 200},
			{"DELETE", "/api/v1/products/" + prefix + "/releases/" + other, "", true, 204},
			{"DELETE", "/api/v1/releases/" + rel, "", true, 204},
		}
	}
	products := []struct {
		prefix  string
		visible func(who) bool
	}{
		{"PRJ1", func(who) bool { return true }},
		{"PRJ2", func(w who) bool { return w.user == demo.Mary || w.user == demo.John }},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		for _, u := range users {
			for _, p := range products {
				t.Run(fmt.Sprintf("%s in %s", u.name, p.prefix), func(t *testing.T) {
					s := newDemoServer(t, backend)
					tok := tokenFor(t, s, u.user)
					// Releases without work, so that they can be deleted.
					rel := s.create(t, p.prefix, `"name":"Target"`).get("reference_num").str()
					other := s.create(t, p.prefix, `"name":"Doomed"`).get("reference_num").str()
					for _, rt := range routes(p.prefix, rel, other) {
						want := rt.ok
						switch {
						case u.user == demo.Mary:
						case !p.visible(u):
							want = http.StatusNotFound
						case rt.write && !u.role.Allows(roadmap.AccessWrite):
							want = http.StatusForbidden
						}
						before := s.do(t, "GET", "/api/v1/products/"+p.prefix+"/releases?fields=*,watchers,theme&per_page=200", "").Body
						r := s.do(t, rt.method, rt.path, rt.body, tok)
						if r.Status != want {
							t.Errorf("%s %s as %s: %d %s, want %d", rt.method, rt.path, u.name, r.Status, r.Body, want)
							continue
						}
						if want >= 400 {
							if msg := r.tree(t).get("errors", "message"); msg == nil || msg.str() == "" {
								t.Errorf("%s %s as %s: %d without the error shape: %s", rt.method, rt.path, u.name, want, r.Body)
							}
							if after := s.do(t, "GET", "/api/v1/products/"+p.prefix+"/releases?fields=*,watchers,theme&per_page=200", "").Body; string(after) != string(before) {
								t.Errorf("%s %s as %s was refused with %d but changed the product's releases", rt.method, rt.path, u.name, want)
							}
						}
					}
				})
			}
		}
	})
}

// TestListsShowOnlyVisibleProducts checks that lists spanning products (a
// goal's, an initiative's, a roll-up's) leave out the releases of products
// the caller has no role in.
func TestListsShowOnlyVisibleProducts(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		// PRJ1-MR-1 collects PRJ2, and PRJ1-S-1 gets a PRJ2 release.
		s.call(t, "PUT", "/api/v1/roll_up_releases/PRJ1-MR-1", `{"roll_up_release":{"project_ids":["PRJ2"]}}`, 200)
		s.call(t, "PUT", "/api/v1/releases/PRJ2-R-1", `{"release":{"parent_id":"PRJ1-MR-1","initiatives":["PRJ1-S-1"]}}`, 200)
		s.call(t, "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"parent_id":"PRJ1-MR-1"}}`, 200)
		henry := tokenFor(t, s, demo.Henry)
		for _, c := range []struct {
			path        string
			all, henrys []string
		}{
			{"/api/v1/releases/PRJ1-MR-1/releases", []string{"PRJ2-R-1", "PRJ1-R-3"}, []string{"PRJ1-R-3"}},
			{"/api/v1/initiatives/PRJ1-S-1/releases", []string{"PRJ1-R-2", "PRJ1-R-1", "PRJ2-R-1"}, []string{"PRJ1-R-2", "PRJ1-R-1"}},
		} {
			for _, v := range []struct {
				token string
				want  []string
			}{{demo.Token, c.all}, {henry, c.henrys}} {
				r := s.do(t, "GET", c.path, "", v.token)
				if r.Status != 200 {
					t.Fatalf("%s: %d %s", c.path, r.Status, r.Body)
				}
				var got []string
				list := r.tree(t).get("releases")
				for _, it := range list.list {
					got = append(got, it.get("reference_num").str())
				}
				if fmt.Sprint(sortedStrings(got)) != fmt.Sprint(sortedStrings(v.want)) {
					t.Errorf("%s: got %v, want %v", c.path, got, v.want)
				}
				if n := r.tree(t).get("pagination", "total_records").str(); n != fmt.Sprint(len(v.want)) {
					t.Errorf("%s: total_records %s, want %d", c.path, n, len(v.want))
				}
			}
		}
	})
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
