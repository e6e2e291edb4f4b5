package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// allFeatureFields asks for every key a feature can show, so that a list
// with it shows every stored value of every feature.
const allFeatureFields = "id,name,reference_num,initiative_reference_num,release_reference_num,epic_reference_num," +
	"position,score,created_at,updated_at,start_date,due_date,product_id,progress,progress_source,status_changed_on," +
	"created_by_user,workflow_kind,workflow_status,project,description,integration_fields,url,resource,release," +
	"master_feature,belongs_to_release_phase,epic,assigned_to_user,requirements,initiative,goals,key_results," +
	"score_facts,tags,full_tags,custom_fields,feature_links,workflow_status_times,work_units,initial_estimate," +
	"detailed_estimate,remaining_estimate,work_done,watchers"

// refsOf returns the reference numbers of the records listed under key.
func refsOf(n *jsonNode, key string) []string {
	var out []string
	for _, it := range n.get(key).list {
		out = append(out, it.get("reference_num").str())
	}
	return out
}

// TestFeatureRoutesEnforceRoles runs every feature and requirement route as
// each role, in PRJ1 (where every user below has a role) and in PRJ3 (where
// the contributor, reviewer and viewer have none), and checks the status:
// reads need any role, writes need contributor or owner, the administrator
// may do everything, and a user without a role gets 404 as if the record
// did not exist. A refused write changes nothing.
//
//	route                                          admin  owner  contributor  reviewer  viewer  no role
//	GET    /products/:p/features                   200    200    200          200       200     404
//	GET    /releases/:r/features                   200    200    200          200       200     404
//	GET    /features/:f                            200    200    200          200       200     404
//	GET    /features/:f/requirements               200    200    200          200       200     404
//	GET    /requirements/:q                        200    200    200          200       200     404
//	POST   /releases/:r/features                   200    200    200          403       403     404
//	PUT    /features/:f                            200    200    200          403       403     404
//	POST   /features/:f/requirements               200    200    200          403       403     404
//	PUT    /requirements/:q                        200    200    200          403       403     404
//	POST   /requirements/:q/convert_to_feature     200    200    200          403       403     404
//	DELETE /requirements/:q                        204    204    204          403       403     404
//	DELETE /features/:f                            204    204    204          403       403     404
func TestFeatureRoutesEnforceRoles(t *testing.T) {
	t.Parallel()
	type who struct {
		name string
		user int64
		// role in PRJ1; every user below but Mary and John has none in PRJ3
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
	// In each product: feature f with requirements q1 and q2, and feature
	// other to delete, in release rel; each user gets its own q1, q2 and
	// other.
	routes := func(prefix, rel, f, other, q1, q2 string) []route {
		return []route{
			{"GET", "/api/v1/products/" + prefix + "/features", "", false, 200},
			{"GET", "/api/v1/releases/" + rel + "/features", "", false, 200},
			{"GET", "/api/v1/features/" + f, "", false, 200},
			{"GET", "/api/v1/features/" + f + "/requirements", "", false, 200},
			{"GET", "/api/v1/requirements/" + q1, "", false, 200},
			{"POST", "/api/v1/releases/" + rel + "/features", `{"feature":{"name":"By role"}}`, true, 201},
			{"PUT", "/api/v1/features/" + f, `{"feature":{"name":"Renamed by role","tags":"x"}}`, true, 200},
			{"POST", "/api/v1/features/" + f + "/requirements", `{"requirement":{"name":"By role"}}`, true, 201},
			{"PUT", "/api/v1/requirements/" + q1, `{"requirement":{"name":"Renamed by role"}}`, true, 200},
			{"POST", "/api/v1/requirements/" + q1 + "/convert_to_feature", "", true, 200},
			{"DELETE", "/api/v1/requirements/" + q2, "", true, 204},
			{"DELETE", "/api/v1/features/" + other, "", true, 204},
		}
	}
	products := []struct {
		prefix, rel, f string
		visible        func(who) bool
	}{
		{"PRJ1", "PRJ1-R-1", "PRJ1-1", func(who) bool { return true }},
		{"PRJ3", "PRJ3-R-1", "PRJ3-1", func(w who) bool { return w.user == demo.Mary || w.user == demo.John }},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		for _, p := range products {
			s := newFeaturesServer(t, backend)
			state := "/api/v1/products/" + p.prefix + "/features?per_page=200&fields=" + url.QueryEscape(allFeatureFields)
			for _, u := range users {
				// Records of its own for each user to change and delete.
				other := s.call(t, "POST", "/api/v1/releases/"+p.rel+"/features", `{"feature":{"name":"To delete"}}`, 201).get("feature", "reference_num").str()
				var reqs []string
				for _, name := range []string{"First", "Second"} {
					q := s.call(t, "POST", "/api/v1/features/"+p.f+"/requirements", `{"requirement":{"name":"`+name+`"}}`, 201)
					reqs = append(reqs, q.get("requirement", "reference_num").str())
				}
				tok := tokenFor(t, s, u.user)
				for _, rt := range routes(p.prefix, p.rel, p.f, other, reqs[0], reqs[1]) {
					want := rt.ok
					switch {
					case u.user == demo.Mary:
					case !p.visible(u):
						want = http.StatusNotFound
					case rt.write && !u.role.Allows(roadmap.AccessWrite):
						want = http.StatusForbidden
					}
					var before []byte
					if want >= 400 {
						before = s.do(t, "GET", state, "").Body
					}
					r := s.do(t, rt.method, rt.path, rt.body, tok)
					if r.Status != want {
						t.Errorf("%s %s as %s: %d %s, want %d", rt.method, rt.path, u.name, r.Status, r.Body, want)
						continue
					}
					if want >= 400 {
						if msg := r.tree(t).get("errors", "message"); msg == nil || msg.str() == "" {
							t.Errorf("%s %s as %s: %d without the error shape: %s", rt.method, rt.path, u.name, want, r.Body)
						}
						if after := s.do(t, "GET", state, "").Body; string(after) != string(before) {
							t.Errorf("%s %s as %s was refused with %d but changed the product's features", rt.method, rt.path, u.name, want)
						}
					}
				}
			}
		}
	})
}

// TestFeatureListsShowOnlyVisibleProducts checks that the lists spanning
// products (the account's, a goal's, an initiative's) leave out the
// features of products the caller has no role in.
func TestFeatureListsShowOnlyVisibleProducts(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFeaturesServer(t, backend)
		s.call(t, "PUT", "/api/v1/features/PRJ3-1", `{"feature":{"goals":["602095703"],"initiative":"Initiative 1"}}`, 200)
		henry := tokenFor(t, s, demo.Henry)
		for _, c := range []struct {
			path        string
			all, henrys []string
		}{
			{"/api/v1/features", []string{"PRJ2-1", "PRJ1-4", "PRJ3-1", "PRJ1-3", "PRJ1-2", "PRJ3-2", "PRJ1-5", "PRJ1-1"}, []string{"PRJ1-4", "PRJ1-3", "PRJ1-2", "PRJ1-5", "PRJ1-1"}},
			{"/api/v1/goals/602095703/features", []string{"PRJ3-1", "PRJ1-1"}, []string{"PRJ1-1"}},
			{"/api/v1/initiatives/423077122/features", []string{"PRJ3-1", "PRJ1-1"}, []string{"PRJ1-1"}},
		} {
			for _, v := range []struct {
				token string
				want  []string
			}{{demo.Token, c.all}, {henry, c.henrys}} {
				r := s.do(t, "GET", c.path, "", v.token)
				if r.Status != 200 {
					t.Fatalf("%s: %d %s", c.path, r.Status, r.Body)
				}
				tree := r.tree(t)
				if got := refsOf(tree, "features"); fmt.Sprint(got) != fmt.Sprint(v.want) {
					t.Errorf("%s: got %v, want %v", c.path, got, v.want)
				}
				if n := tree.get("pagination", "total_records").str(); n != fmt.Sprint(len(v.want)) {
					t.Errorf("%s: total_records %s, want %d", c.path, n, len(v.want))
				}
			}
		}
		// Henry may not see PRJ3's features, nor link his to its records.
		for _, p := range []string{"/api/v1/features/PRJ3-1", "/api/v1/features/PRJ3-1/requirements", "/api/v1/releases/PRJ3-R-1/features", "/api/v1/products/PRJ3/features"} {
			if r := s.do(t, "GET", p, "", henry); r.Status != 404 {
				t.Errorf("GET %s as Henry: %d, want 404", p, r.Status)
			}
		}
		if r := s.do(t, "PUT", "/api/v1/features/PRJ1-2", `{"feature":{"release":"PRJ3-R-1"}}`, henry); r.Status != 422 {
			t.Errorf("moving PRJ1-2 to PRJ3-R-1 as Henry: %d %s, want 422", r.Status, r.Body)
		}
	})
}

// TestFeatureListFilters checks the list parameters: q, updated_since, tag,
// assigned_to_user, pagination and fields.
func TestFeatureListFilters(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFeaturesServer(t, backend)
		start := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
		s.call(t, "PUT", "/api/v1/features/PRJ1-3", `{"feature":{"assigned_to_user":"henry.humpty@example.com","tags":["Mobile","Web"]}}`, 200)
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"q=another", []string{"PRJ1-4", "PRJ1-3", "PRJ1-2", "PRJ1-5"}},
			{"q=FOURTH", []string{"PRJ1-4"}},
			{"q=%25", nil},
			{"tag=infrastructure", []string{"PRJ1-1"}},
			{"tag=Mobile", []string{"PRJ1-3"}},
			{"assigned_to_user=henry.humpty@example.com", []string{"PRJ1-3"}},
			{"assigned_to_user=689956296", []string{"PRJ1-3"}},
			{"updated_since=" + url.QueryEscape(start), []string{"PRJ1-3"}},
			{"per_page=2&page=2", []string{"PRJ1-2", "PRJ1-5"}},
			{"per_page=2&page=9", nil},
		} {
			tree := s.call(t, "GET", "/api/v1/products/PRJ1/features?"+c.query, "", 200)
			if got := refsOf(tree, "features"); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("?%s: got %v, want %v", c.query, got, c.want)
			}
		}
		page := s.call(t, "GET", "/api/v1/features?per_page=3&page=2", "", 200).get("pagination")
		if page.String() != `{"total_records":8,"total_pages":3,"current_page":2}` {
			t.Errorf("pagination: %s", page)
		}
		for _, q := range []string{"page=0", "per_page=x", "updated_since=yesterday"} {
			r := s.do(t, "GET", "/api/v1/features?"+q, "")
			if r.Status != 400 || !strings.Contains(r.tree(t).get("errors", "message").str(), strings.Split(q, "=")[0]) {
				t.Errorf("?%s: %s, want 400 naming the parameter", q, r)
			}
		}
		// fields: a plain list keeps only those keys (and id), on lists and
		// single records; *,watchers adds watchers.
		one := s.call(t, "GET", "/api/v1/releases/PRJ1-R-1/features?fields=name,tags&per_page=1", "", 200).get("features").list[0]
		if fmt.Sprint(one.keys) != "[id name tags]" {
			t.Errorf("fields=name,tags: keys %v", one.keys)
		}
		f := s.call(t, "GET", "/api/v1/features/PRJ1-1?fields=*,watchers", "", 200).get("feature")
		if f.keys[len(f.keys)-1] != "watchers" || len(f.get("watchers").list) != 1 {
			t.Errorf("fields=*,watchers: last key %s, watchers %s", f.keys[len(f.keys)-1], f.get("watchers"))
		}
		if f := s.call(t, "GET", "/api/v1/features/1007868956?fields=reference_num", "", 200).get("feature"); f.String() != `{"id":"1007868956","reference_num":"PRJ1-1"}` {
			t.Errorf("by ID with fields=reference_num: %s", f)
		}
	})
}

// TestFeatureBadInput sends malformed, badly typed, invalid, oversized and
// misdirected requests: each gets its status and the error shape, never
// internals, and changes nothing.
func TestFeatureBadInput(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFeaturesServer(t, backend)
		state := func() string {
			return string(s.do(t, "GET", "/api/v1/features?per_page=200&fields="+url.QueryEscape(allFeatureFields), "").Body) +
				string(s.do(t, "GET", "/api/v1/features/PRJ1-1/requirements", "").Body)
		}
		before := state()
		big := `{"feature":{"name":"` + strings.Repeat("x", api.MaxBodyBytes+1) + `"}}`
		for _, c := range []struct {
			method, path, body string
			status             int
		}{
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `[]`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":5}}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","tags":{"a":1}}}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","score_facts":{"name":"Effort"}}}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","initial_estimate":"lots"}}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","progress":"half"}}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","custom_fields":[1]}}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", big, 413},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","progress_source":"progress_from_todos","progress":10}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","workflow_status":"Shipped!"}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","release":"PRJ2-R-1"}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-MR-1/features", `{"feature":{"name":"x"}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","initial_estimate_text":"2 days"}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","start_date":"2019-13-01"}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"x","custom_fields":{"no_such_field":"1"}}}`, 422},
			{"POST", "/api/v1/releases/PRJ9-R-1/features", `{"feature":{"name":"x"}}`, 404},
			{"PUT", "/api/v1/features/PRJ1-1", `{"feature":{"name":"x","epic":"PRJ3-E-3"}}`, 422},
			{"PUT", "/api/v1/features/PRJ1-1", `{"feature":{"name":"x","workflow_status":null}}`, 422},
			{"PUT", "/api/v1/features/PRJ1-1", `{"feature":{"name":"x","release":null}}`, 422},
			{"PUT", "/api/v1/features/PRJ1-1", `{"feature":{"name":"x","goals":"Goal 9"}}`, 422},
			{"PUT", "/api/v1/features/PRJ1-1", `{"feature":{"name":"x","watchers":[1]}}`, 422},
			{"PUT", "/api/v1/features/PRJ1-999", `{"feature":{"name":"x"}}`, 404},
			{"PUT", "/api/v1/features/PRJ1-1%00", `{"feature":{"name":"x"}}`, 404},
			{"DELETE", "/api/v1/features/99", "", 404},
			{"POST", "/api/v1/features/PRJ1-1/requirements", `{"requirement":{"name":"x","workflow_status":"Planning"}}`, 422},
			{"POST", "/api/v1/features/PRJ1-1/requirements", `{"requirement":{"name":["x"]}}`, 400},
			{"POST", "/api/v1/features/PRJ1-1/requirements", `{"requirement":{"name":""}}`, 422},
			{"PUT", "/api/v1/requirements/PRJ1-1-1", `{"requirement":{"name":"x","assigned_to_user":"nobody@example.com"}}`, 422},
			{"PUT", "/api/v1/requirements/PRJ1-1-1", `{"requirement":{"name":"x","custom_fields":{"priority":"P9"}}}`, 422},
			{"GET", "/api/v1/requirements/PRJ1-1-99", "", 404},
			{"POST", "/api/v1/requirements/PRJ1-1-99/convert_to_feature", "", 404},
			{"GET", "/api/v1/epics/PRJ1-E-99/features", "", 404},
		} {
			r := s.do(t, c.method, c.path, c.body)
			if r.Status != c.status {
				t.Errorf("%s %s %.80s: %s, want %d", c.method, c.path, c.body, r, c.status)
				continue
			}
			msg := r.tree(t).get("errors", "message")
			if msg == nil || msg.str() == "" || leakRe.MatchString(string(r.Body)) {
				t.Errorf("%s %s %.80s: error body %s", c.method, c.path, c.body, r.Body)
			}
		}
		if after := state(); after != before {
			t.Errorf("refused requests changed the features")
		}
	})
}

// TestFeatureWritesRecomputeReleases checks over HTTP that the release a
// feature leaves and the one it joins show their new progress at once, and
// that a requirement's status moves its feature's progress and the release
// that follows it.
func TestFeatureWritesRecomputeReleases(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFeaturesServer(t, backend)
		progress := func(rel string) string {
			return s.call(t, "GET", "/api/v1/releases/"+rel, "", 200).get("release", "progress").str()
		}
		s.call(t, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"progress_source":"progress_from_features"}}`, 200)
		s.call(t, "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"progress_source":"progress_from_features"}}`, 200)
		f := s.call(t, "POST", "/api/v1/releases/PRJ1-R-2/features", `{"feature":{"name":"Tracked","progress_source":"progress_from_requirements"}}`, 201).get("feature")
		ref := f.get("reference_num").str()
		s.call(t, "POST", "/api/v1/features/"+ref+"/requirements", `{"requirement":{"name":"A","workflow_status":"Done"}}`, 201)
		s.call(t, "POST", "/api/v1/features/"+ref+"/requirements", `{"requirement":{"name":"B"}}`, 201)
		if got := progress("PRJ1-R-2"); got != "50" {
			t.Errorf("PRJ1-R-2 with a feature half done: progress %s, want 50", got)
		}
		s.call(t, "PUT", "/api/v1/requirements/"+ref+"-2", `{"requirement":{"workflow_status":{"name":"Shipped"}}}`, 200)
		if got := s.call(t, "GET", "/api/v1/features/"+ref, "", 200).get("feature", "progress").str(); got != "100" {
			t.Errorf("feature with both requirements done: progress %s, want 100", got)
		}
		s.call(t, "PUT", "/api/v1/features/"+ref, `{"feature":{"release":"PRJ1-R-3"}}`, 200)
		if a, b := progress("PRJ1-R-2"), progress("PRJ1-R-3"); a != "0" || b != "100" {
			t.Errorf("after the move: PRJ1-R-2 %s, PRJ1-R-3 %s; want 0 and 100", a, b)
		}
		s.call(t, "DELETE", "/api/v1/features/"+ref, "", 204)
		if got := progress("PRJ1-R-3"); got != "0" {
			t.Errorf("after the delete: PRJ1-R-3 %s, want 0", got)
		}
		// Estimates show once set, in their units.
		e := s.call(t, "PUT", "/api/v1/features/PRJ1-2", `{"feature":{"detailed_estimate_text":"1w 2h","work_done_text":"1d"}}`, 200).get("feature")
		for k, want := range map[string]string{"work_units": "time", "detailed_estimate": "2520", "detailed_estimate_text": "1w 2h",
			"original_estimate_text": "1w 2h", "work_done_text": "1d", "feature_only_original_estimate": "2520", "feature_only_work_done": "480"} {
			if got := e.get(k).str(); got != want {
				t.Errorf("%s: %s, want %s", k, got, want)
			}
		}
	})
}
