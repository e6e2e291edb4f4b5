package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// epicRefs returns the reference numbers of a list answer's epics.
func epicRefs(n *jsonNode) []string {
	var out []string
	for _, it := range n.get("epics").list {
		out = append(out, it.get("reference_num").str())
	}
	return out
}

// TestEpicRoutesEnforceRoles runs every epic route as each role, in PRJ1
// (where every user below has a role) and in PRJ2 (where the contributor,
// reviewer and viewer have none), and checks the status: reads need any
// role, writes need contributor or owner, the administrator may do
// everything, and a user without a role gets 404 as if the epic did not
// exist. A refused write changes nothing.
func TestEpicRoutesEnforceRoles(t *testing.T) {
	t.Parallel()
	type who struct {
		name string
		user int64
		role roadmap.Role // in PRJ1
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
	routes := func(prefix, rel, epic, other string) []route {
		return []route{
			{"GET", "/api/v1/products/" + prefix + "/epics", "", false, 200},
			{"GET", "/api/v1/releases/" + rel + "/epics", "", false, 200},
			{"GET", "/api/v1/epics/" + epic, "", false, 200},
			{"GET", "/api/v1/epics/" + epic + "?fields=*,watchers", "", false, 200},
			{"POST", "/api/v1/releases/" + rel + "/epics", `{"epic":{"name":"By role"}}`, true, 201},
			{"POST", "/api/v1/products/" + prefix + "/epics", `{"epic":{"name":"By role, default release"}}`, true, 201},
			{"PUT", "/api/v1/epics/" + epic, `{"epic":{"name":"Renamed by role"}}`, true, 200},
			{"DELETE", "/api/v1/epics/" + other, "", true, 204},
		}
	}
	products := []struct {
		prefix, rel, epic, other string
		visible                  func(who) bool
	}{
		{"PRJ1", "PRJ1-R-1", "PRJ1-E-2", "PRJ1-E-3", func(who) bool { return true }},
		{"PRJ2", "PRJ2-R-1", "PRJ2-E-1", "PRJ2-E-1", func(w who) bool { return w.user == demo.Mary || w.user == demo.John }},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		for _, u := range users {
			for _, p := range products {
				t.Run(fmt.Sprintf("%s in %s", u.name, p.prefix), func(t *testing.T) {
					t.Parallel()
					s := newEpicsServer(t, backend)
					tok := tokenFor(t, s, u.user)
					snapshot := func() string {
						return string(s.do(t, "GET", "/api/v1/products/"+p.prefix+"/epics?fields=*,watchers&per_page=200", "").Body)
					}
					for _, rt := range routes(p.prefix, p.rel, p.epic, p.other) {
						want := rt.ok
						switch {
						case u.user == demo.Mary:
						case !p.visible(u):
							want = http.StatusNotFound
						case rt.write && !u.role.Allows(roadmap.AccessWrite):
							want = http.StatusForbidden
						}
						before := snapshot()
						r := s.do(t, rt.method, rt.path, rt.body, tok)
						if r.Status != want {
							t.Errorf("%s %s as %s: %d %s, want %d", rt.method, rt.path, u.name, r.Status, r.Body, want)
							continue
						}
						if want >= 400 {
							if msg := r.tree(t).get("errors", "message"); msg == nil || msg.str() == "" {
								t.Errorf("%s %s as %s: %d without the error shape: %s", rt.method, rt.path, u.name, want, r.Body)
							}
							if after := snapshot(); after != before {
								t.Errorf("%s %s as %s was refused with %d but changed the product's epics", rt.method, rt.path, u.name, want)
							}
						}
					}
				})
			}
		}
	})
}

// TestEpicListsShowOnlyVisibleProducts checks that lists spanning products
// leave out the epics of products the caller has no role in.
func TestEpicListsShowOnlyVisibleProducts(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newEpicsServer(t, backend)
		henry := tokenFor(t, s, demo.Henry)
		for _, c := range []struct {
			path, token string
			want        []string
		}{
			{"/api/v1/epics", demo.Token, []string{"PRJ3-E-3", "PRJ1-E-3", "PRJ2-E-1", "PRJ1-E-2", "PRJ1-E-1"}},
			{"/api/v1/epics", henry, []string{"PRJ1-E-3", "PRJ1-E-2", "PRJ1-E-1"}},
			{"/api/v1/initiatives/PRJ1-S-1/epics", henry, []string{"PRJ1-E-3", "PRJ1-E-2", "PRJ1-E-1"}},
			{"/api/v1/initiatives/PRJ1-S-1/epics", demo.Token, []string{"PRJ3-E-3", "PRJ1-E-3", "PRJ1-E-2", "PRJ1-E-1"}},
		} {
			r := s.do(t, "GET", c.path, "", c.token)
			if r.Status != 200 {
				t.Fatalf("GET %s: %s", c.path, r)
			}
			tree := r.tree(t)
			if got := epicRefs(tree); !slices.Equal(got, c.want) {
				t.Errorf("GET %s: %v, want %v", c.path, got, c.want)
			}
			if n := tree.get("pagination", "total_records").str(); n != fmt.Sprint(len(c.want)) {
				t.Errorf("GET %s: total_records %s, want %d", c.path, n, len(c.want))
			}
		}
		if r := s.do(t, "GET", "/api/v1/epics/PRJ2-E-1", "", henry); r.Status != 404 {
			t.Errorf("Henry reads PRJ2-E-1: %s, want 404", r)
		}
	})
}

// TestEpicCreateAndUpdate writes an epic with every kind of field and reads
// it back.
func TestEpicCreateAndUpdate(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newEpicsServer(t, backend)
		e := s.call(t, "POST", "/api/v1/releases/PRJ1-R-2/epics", `{"epic":{"name":"  Full epic ","description":"<p>d</p>",
			"workflow_status":"In progress","assigned_to_user":"john.smith@example.com","initiative":"Initiative 2",
			"goals":["602095703"],"watchers":"689956296","tags":"b, a, b","initial_estimate_text":"1d 2h","remaining_estimate":90,
			"start_date":"2019-02-01","due_date":"2019-03-01","score_facts":[{"name":"Value","value":7}],
			"custom_fields":{"priority":"P1"}},"fields":"*,watchers"}`, 201).get("epic")
		for k, want := range map[string]string{
			"name": "Full epic", "reference_num": "PRJ1-E-251", "position": "1", "score": "7",
			"initiative_reference_num": "PRJ1-S-2", "start_date": "2019-02-01", "due_date": "2019-03-01",
			"progress": "0", "epic_only_original_estimate": "600", "epic_only_remaining_estimate": "90",
			"master_feature_only_original_estimate": "600",
		} {
			if got := e.get(k).str(); got != want {
				t.Errorf("%s: %s, want %s", k, got, want)
			}
		}
		for path, want := range map[string]string{
			"workflow_status.name": "In progress", "assigned_to_user.name": "John Smith", "assigned_to_user.default_assignee": "false",
			"release.reference_num": "PRJ1-R-2", "initiative.name": "Initiative 2", "description.body": "<p>d</p>",
			"custom_fields": `[{"id":"`, "tags": `["b","a"]`, "full_tags": `[{"id":"`,
		} {
			got := e.get(strings.Split(path, ".")...).str()
			if !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s, want %s", path, got, want)
			}
		}
		var watchers []string
		for _, w := range e.get("watchers").list {
			watchers = append(watchers, w.get("id").str())
		}
		if want := []string{"16338845", "689956296", "1020675218"}; !slices.Equal(watchers, want) {
			t.Errorf("watchers %v, want creator, assignee and the one given: %v", watchers, want)
		}
		if n := e.get("workflow_status_times").list; len(n) != 1 || n[0].get("status_name").str() != "In progress" {
			t.Errorf("workflow_status_times: %s, want one span of In progress", e.get("workflow_status_times"))
		}
		// The others of PRJ1-R-2 move down; a second epic takes the top.
		second := s.call(t, "POST", "/api/v1/releases/PRJ1-R-2/epics", `{"epic":{"name":"Second"}}`, 201).get("epic")
		if second.get("reference_num").str() != "PRJ1-E-252" || second.get("position").str() != "1" {
			t.Errorf("second epic: %s %s, want PRJ1-E-252 at position 1", second.get("reference_num"), second.get("position"))
		}
		if pos := s.call(t, "GET", "/api/v1/epics/PRJ1-E-251", "", 200).get("epic", "position").str(); pos != "2" {
			t.Errorf("the first epic's position after the second: %s, want 2", pos)
		}

		// Updates: status history, clearing, story points, manual progress.
		u := s.call(t, "PUT", "/api/v1/epics/PRJ1-E-251", `{"epic":{"workflow_status":"962984386","assigned_to_user":null,
			"initiative":null,"goals":[],"tags":[],"detailed_estimate_text":"5p","initial_estimate":null,"remaining_estimate":null,
			"progress":40,"score_facts":[]}}`, 200).get("epic")
		for k, want := range map[string]string{
			"assigned_to_user": "null", "initiative_reference_num": "null", "goals": "[]", "tags": "[]", "progress": "40",
			"epic_only_original_estimate": "5", "epic_only_remaining_estimate": "5", "score": "0", "score_facts": "[]",
		} {
			if got := u.get(k).str(); got != want {
				t.Errorf("after the update %s: %s, want %s", k, got, want)
			}
		}
		if u.has("initiative") {
			t.Errorf("an epic without an initiative shows the initiative key")
		}
		times := u.get("workflow_status_times").list
		if len(times) != 2 || times[0].get("ended_at").isNull() || !times[1].get("ended_at").isNull() || times[1].get("status_name").str() != "Designed" {
			t.Errorf("workflow_status_times after a change: %s", u.get("workflow_status_times"))
		}

		// A computed source takes over the progress; dates follow features.
		u = s.call(t, "PUT", "/api/v1/epics/PRJ1-E-251", `{"epic":{"progress_source":"progress_from_features","duration_source":"duration_from_features"}}`, 200).get("epic")
		if u.get("progress_source").str() != "progress_from_features" || u.get("duration_source").str() != "duration_from_features" {
			t.Errorf("sources: %s %s", u.get("progress_source"), u.get("duration_source"))
		}
		// Moving to another release of the product: it takes the top there.
		u = s.call(t, "PUT", "/api/v1/epics/PRJ1-E-251", `{"epic":{"release":"PRJ1-R-3"}}`, 200).get("epic")
		if u.get("release", "reference_num").str() != "PRJ1-R-3" || u.get("position").str() != "1" {
			t.Errorf("after the move: release %s position %s", u.get("release", "reference_num"), u.get("position"))
		}
		if got := epicRefs(s.call(t, "GET", "/api/v1/releases/PRJ1-R-2/epics", "", 200)); !slices.Equal(got, []string{"PRJ1-E-252"}) {
			t.Errorf("PRJ1-R-2 after the move: %v", got)
		}
		if got := epicRefs(s.call(t, "GET", "/api/v1/releases/PRJ1-R-3/epics", "", 200)); !slices.Equal(got, []string{"PRJ1-E-251"}) {
			t.Errorf("PRJ1-R-3 after the move: %v", got)
		}

		// A product's epics go to its default release: the first unshipped
		// one, else its parking lot.
		for prefix, want := range map[string]string{"PRJ1": "PRJ1-R-1", "PRJ4": "PRJ4-R-1"} {
			got := s.call(t, "POST", "/api/v1/products/"+prefix+"/epics", `{"epic":{"name":"Defaulted"}}`, 201).get("epic", "release", "reference_num").str()
			if got != want {
				t.Errorf("a new epic of %s went to %s, want %s", prefix, got, want)
			}
		}
		s.call(t, "PUT", "/api/v1/releases/PRJ4-R-1", `{"release":{"workflow_status":"Shipped"}}`, 200)
		if got := s.call(t, "POST", "/api/v1/products/PRJ4/epics", `{"epic":{"name":"Parked"}}`, 201).get("epic", "release", "reference_num").str(); got != "PRJ4-R-4" {
			t.Errorf("with every release shipped, a new epic of PRJ4 went to %s, want the parking lot PRJ4-R-4", got)
		}
		if got := s.call(t, "POST", "/api/v1/products/PRJ1/epics", `{"epic":{"name":"Chosen","release":"PRJ1-R-3"}}`, 201).get("epic", "release", "reference_num").str(); got != "PRJ1-R-3" {
			t.Errorf("a new epic given release PRJ1-R-3 went to %s", got)
		}
		s.call(t, "POST", "/api/v1/products", `{"product":{"name":"Empty","reference_prefix":"EMPTY"}}`, 200)
		r := s.do(t, "POST", "/api/v1/products/EMPTY/epics", `{"epic":{"name":"Nowhere"}}`)
		if r.Status != 422 {
			t.Errorf("an epic in a product without releases: %s, want 422", r)
		}
	})
}

// TestEpicBadInput checks that malformed bodies answer 400, invalid ones
// 422, unknown records 404, and that none of them changes anything.
func TestEpicBadInput(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newEpicsServer(t, backend)
		s.call(t, "PUT", "/api/v1/epics/PRJ1-E-2", `{"epic":{"duration_source":"duration_from_features","progress_source":"progress_from_todos"}}`, 200)
		cases := []struct {
			method, path, body string
			status             int
			field              string
		}{
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{}}`, 422, "name"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"   "}}`, 422, "name"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","progress":10,"progress_source":"progress_from_features"}}`, 422, "progress"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","workflow_status":"Nope"}}`, 422, "workflow_status"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","goals":"Goal 9"}}`, 422, "goals"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","detailed_estimate_text":"2h","remaining_estimate_text":"3p"}}`, 422, "remaining_estimate_text"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","initial_estimate_text":"lots"}}`, 422, "initial_estimate_text"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","created_by":"nobody@example.com"}}`, 422, "created_by"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","custom_fields":{"unknown":"1"}}}`, 422, "custom_fields"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","custom_fields":{"priority":"P9"}}}`, 422, "custom_fields"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","score_facts":[{"name":"A","value":-1}]}}`, 422, "score_facts"},
			{"POST", "/api/v1/products/PRJ1/epics", `{"epic":{"name":"x","release":"PRJ2-R-1"}}`, 422, "release"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":7}}`, 400, "name"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","tags":{"a":1}}}`, 400, "tags"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","score_facts":"high"}}`, 400, "score_facts"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"x","initial_estimate":"a lot"}}`, 400, "initial_estimate"},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":`, 400, ""},
			{"POST", "/api/v1/releases/PRJ1-R-1/epics", ``, 400, ""},
			{"POST", "/api/v1/releases/PRJ9-R-1/epics", `{"epic":{"name":"x"}}`, 404, ""},
			{"PUT", "/api/v1/epics/PRJ1-E-2", `{"epic":{"progress":20}}`, 422, "progress"},
			{"PUT", "/api/v1/epics/PRJ1-E-2", `{"epic":{"start_date":"2019-05-01"}}`, 422, "start_date"},
			{"PUT", "/api/v1/epics/PRJ1-E-2", `{"epic":{"duration_source":"duration_from_release_phases_features"}}`, 422, "duration_source"},
			{"PUT", "/api/v1/epics/PRJ1-E-2", `{"epic":{"progress_source":"progress_from_epics"}}`, 422, "progress_source"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"start_date":"2019-05-01","due_date":"2019-04-01"}}`, 422, "start_date"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"due_date":"2019-02-30"}}`, 422, "due_date"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"progress":101}}`, 422, "progress"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"release":"PRJ2-R-1"}}`, 422, "release"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"release":null}}`, 422, "release"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"initiative":"No such initiative"}}`, 422, "initiative"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"watchers":[999]}}`, 422, "watchers"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"created_by":"689956296"}}`, 422, "created_by"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"name":"x","tags":"t"},"fields":{"a":1}}`, 400, "fields"},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `[1]`, 400, ""},
			{"PUT", "/api/v1/epics/PRJ1-E-1", `{"epic":{"name":"` + strings.Repeat("x", 1<<20) + `"}}`, 413, ""},
			{"PUT", "/api/v1/epics/PRJ1-E-99", `{"epic":{"name":"x"}}`, 404, ""},
			{"DELETE", "/api/v1/epics/PRJ1-E-99", ``, 404, ""},
			{"GET", "/api/v1/epics?per_page=x", ``, 400, "per_page"},
			{"GET", "/api/v1/epics?updated_since=yesterday", ``, 400, "updated_since"},
			{"GET", "/api/v1/epics?assigned_to_user=nobody@example.com", ``, 422, "assigned_to_user"},
			{"GET", "/api/v1/goals/1/epics", ``, 404, ""},
			{"GET", "/api/v1/initiatives/PRJ1-S-9/epics", ``, 404, ""},
		}
		snapshot := func() string {
			return string(s.do(t, "GET", "/api/v1/epics?fields=*,watchers&per_page=200", "").Body)
		}
		before := snapshot()
		for _, c := range cases {
			r := s.do(t, c.method, c.path, c.body)
			if r.Status != c.status {
				t.Errorf("%s %s %.80s: %s, want %d", c.method, c.path, c.body, r, c.status)
				continue
			}
			tree := r.tree(t)
			if msg := tree.get("errors", "message"); msg == nil || msg.str() == "" {
				t.Errorf("%s %s: no error message: %s", c.method, c.path, r)
			}
			if c.field != "" && tree.get("errors", "field").str() != c.field {
				t.Errorf("%s %s %.80s: field %s, want %s", c.method, c.path, c.body, tree.get("errors", "field"), c.field)
			}
			if strings.Contains(strings.ToLower(string(r.Body)), "sql") {
				t.Errorf("%s %s: the error mentions SQL: %s", c.method, c.path, r)
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("refused requests changed the epics")
		}
	})
}

// TestEpicLists checks the filters, pagination and fields of epic lists.
func TestEpicLists(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newEpicsServer(t, backend)
		s.call(t, "PUT", "/api/v1/epics/PRJ1-E-3", `{"epic":{"tags":["Infrastructure","Later"],"assigned_to_user":"689956296"}}`, 200)
		for path, want := range map[string][]string{
			"/api/v1/epics?q=EPIC":                                    {"PRJ3-E-3", "PRJ2-E-1", "PRJ1-E-2", "PRJ1-E-1"},
			"/api/v1/epics?q=100%25":                                  nil,
			"/api/v1/epics?tag=infrastructure":                        {"PRJ1-E-3", "PRJ1-E-1"},
			"/api/v1/products/PRJ1/epics?tag=Later":                   {"PRJ1-E-3"},
			"/api/v1/epics?assigned_to_user=henry.humpty@example.com": {"PRJ1-E-3"},
			"/api/v1/epics?assigned_to_user=689956296":                {"PRJ1-E-3"},
			"/api/v1/epics?updated_since=2019-01-02T00:00:00Z":        {"PRJ1-E-3"},
			"/api/v1/goals/602095703/epics":                           {"PRJ1-E-1"},
			"/api/v1/epics?per_page=2&page=2":                         {"PRJ2-E-1", "PRJ1-E-2"},
			"/api/v1/epics?per_page=2&page=9":                         nil,
		} {
			tree := s.call(t, "GET", path, "", 200)
			if got := epicRefs(tree); !slices.Equal(got, want) {
				t.Errorf("GET %s: %v, want %v", path, got, want)
			}
		}
		p := s.call(t, "GET", "/api/v1/epics?per_page=2&page=9", "", 200).get("pagination")
		if p.get("total_records").str() != "5" || p.get("total_pages").str() != "3" || p.get("current_page").str() != "9" {
			t.Errorf("pagination past the end: %s", p)
		}
		item := s.call(t, "GET", "/api/v1/releases/PRJ1-R-1/epics?fields=name,tags,release", "", 200).get("epics").list[0]
		if got := strings.Join(item.keys, ","); got != "id,name,release,tags" {
			t.Errorf("fields=name,tags,release: keys %s", got)
		}
		if item.get("release", "reference_num").str() != "PRJ1-R-1" || item.get("tags").str() != `["Infrastructure","Later"]` {
			t.Errorf("fields=name,tags,release: %s", item)
		}
		single := s.call(t, "GET", "/api/v1/epics/999605892?fields=name,watchers", "", 200).get("epic")
		if got := strings.Join(single.keys, ","); got != "id,name,watchers" {
			t.Errorf("a single epic with fields=name,watchers: keys %s", got)
		}
	})
}

// TestEpicDeleteKeepsItsFeatures deletes an epic and checks that it is gone
// from its release and its links, and that nothing else goes with it.
func TestEpicDeleteKeepsItsFeatures(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newEpicsServer(t, backend)
		r := s.do(t, "DELETE", "/api/v1/epics/PRJ1-E-2", "")
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("DELETE: %s, want 204 with no body", r)
		}
		if r := s.do(t, "DELETE", "/api/v1/epics/PRJ1-E-2", ""); r.Status != 404 {
			t.Errorf("a second DELETE: %s, want 404", r)
		}
		if got := epicRefs(s.call(t, "GET", "/api/v1/releases/PRJ1-R-1/epics", "", 200)); !slices.Equal(got, []string{"PRJ1-E-3", "PRJ1-E-1"}) {
			t.Errorf("PRJ1-R-1 after the delete: %v", got)
		}
		e1 := s.call(t, "GET", "/api/v1/epics/PRJ1-E-1", "", 200).get("epic")
		if n := len(e1.get("epic_links").list); n != 0 {
			t.Errorf("PRJ1-E-1 keeps %d links to the deleted epic", n)
		}
		// The numbers of deleted epics are not used again.
		tmp := s.call(t, "POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"Temporary"}}`, 201).get("epic", "reference_num").str()
		s.call(t, "DELETE", "/api/v1/epics/"+tmp, "", 204)
		if got := s.call(t, "POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"After"}}`, 201).get("epic", "reference_num").str(); tmp != "PRJ1-E-251" || got != "PRJ1-E-252" {
			t.Errorf("epics created around a delete: %s then %s, want PRJ1-E-251 then PRJ1-E-252", tmp, got)
		}
	})
}
