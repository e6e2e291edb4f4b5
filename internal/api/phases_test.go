package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// phRoles are the callers of the role tables: the account administrator,
// an owner of PRJ1 (John, through the product line), a contributor (Henry),
// a viewer of PRJ1, and a user with a role in PRJ2 only.
func phRoles(t *testing.T, s *testServer) (names []string, tokens map[string]string) {
	t.Helper()
	return []string{"admin", "owner", "contributor", "viewer", "none"}, map[string]string{
		"admin":       demo.Token,
		"owner":       glToken(t, s, demo.John),
		"contributor": glToken(t, s, demo.Henry),
		"viewer":      glUser(t, s, "viewer@example.com", demo.PRJ1, roadmap.RoleViewer),
		"none":        glUser(t, s, "outsider@example.com", demo.PRJ2, roadmap.RoleContributor),
	}
}

// TestPhaseAndTaskRoles checks who may read and write the release phases
// and to-dos of PRJ1, and the to-dos on no product. Each write targets a
// record made for it by the administrator; a refused write changes nothing.
//
//	route                                      admin owner contributor viewer none
//	GET    /releases/PRJ1-R-1/release_phases    200   200   200         200    404
//	GET    /release_phases/:id                  200   200   200         200    404
//	POST   /release_phases (on PRJ1-R-1)        200   200   200         403    422
//	PUT    /release_phases/:id                  200   200   200         403    404
//	DELETE /release_phases/:id                  204   204   204         403    404
//	GET    /tasks/:id (of PRJ1)                 200   200   200         200    404
//	GET    /products/PRJ1/tasks                 200   200   200         200    404
//	GET    /releases/PRJ1-R-1/tasks             200   200   200         200    404
//	GET    /features/PRJ1-1/tasks               200   200   200         200    404
//	GET    /epics/PRJ1-E-1/tasks                200   200   200         200    404
//	GET    /requirements/PRJ1-1-1/tasks         200   200   200         200    404
//	GET    /release_phases/:id/tasks            200   200   200         200    404
//	POST   /tasks (on PRJ1-R-2)                 200   200   200         403    422
//	PUT    /tasks/:id (of PRJ1)                 200   200   200         403    404
//	DELETE /tasks/:id (of PRJ1)                 204   204   204         403    404
//	POST   /tasks (on no record)                200   200   200         200    200
//	GET    /tasks/1041191038 (Henry assigned)   200   404   200         404    404
//	PUT    /tasks/1041191038                    200   404   200         404    404
//
// A release or record named in a body that the caller may not see is as
// unknown as one that does not exist (422), never revealed by a 404 or 403.
func TestPhaseAndTaskRoles(t *testing.T) {
	t.Parallel()
	type route struct {
		method string
		path   func(t *testing.T, s *testServer) string
		body   string
		want   map[string]int
	}
	read := map[string]int{"admin": 200, "owner": 200, "contributor": 200, "viewer": 200, "none": 404}
	write := map[string]int{"admin": 200, "owner": 200, "contributor": 200, "viewer": 403, "none": 404}
	create := map[string]int{"admin": 200, "owner": 200, "contributor": 200, "viewer": 403, "none": 422}
	del := map[string]int{"admin": 204, "owner": 204, "contributor": 204, "viewer": 403, "none": 404}
	own := map[string]int{"admin": 200, "owner": 404, "contributor": 200, "viewer": 404, "none": 404}
	anyone := map[string]int{"admin": 200, "owner": 200, "contributor": 200, "viewer": 200, "none": 200}
	fixed := func(p string) func(*testing.T, *testServer) string {
		return func(*testing.T, *testServer) string { return p }
	}
	newPhase := func(t *testing.T, s *testServer) string {
		return "/api/v1/release_phases/" + glCall(t, s, "POST", "/api/v1/release_phases",
			`{"release_phase":{"name":"Target","phase_type":"phase","release_id":"PRJ1-R-1"}}`, 200).get("release_phase", "id").str()
	}
	newTask := func(t *testing.T, s *testServer) string {
		return "/api/v1/tasks/" + glCall(t, s, "POST", "/api/v1/tasks",
			`{"task":{"name":"Target","body":"","taskable_type":"Release","taskable_id":"PRJ1-R-2"}}`, 200).get("task", "id").str()
	}
	routes := []route{
		{"GET", fixed("/api/v1/releases/PRJ1-R-1/release_phases"), "", read},
		{"GET", fixed("/api/v1/release_phases/20526005"), "", read},
		{"POST", fixed("/api/v1/release_phases"), `{"release_phase":{"name":"New","phase_type":"milestone","release_id":278327321,"start_on":"2019-03-01"}}`, create},
		{"PUT", newPhase, `{"release_phase":{"name":"Renamed","progress_source":"progress_manual","progress":30}}`, write},
		{"DELETE", newPhase, "", del},
		{"GET", fixed("/api/v1/tasks/491284354"), "", read},
		{"GET", fixed("/api/v1/products/PRJ1/tasks"), "", read},
		{"GET", fixed("/api/v1/releases/PRJ1-R-1/tasks"), "", read},
		{"GET", fixed("/api/v1/features/PRJ1-1/tasks"), "", read},
		{"GET", fixed("/api/v1/epics/PRJ1-E-1/tasks"), "", read},
		{"GET", fixed("/api/v1/requirements/PRJ1-1-1/tasks"), "", read},
		{"GET", fixed("/api/v1/release_phases/20526005/tasks"), "", read},
		{"POST", fixed("/api/v1/tasks"), `{"task":{"name":"New","body":"b","taskable_type":"Release","taskable_id":"PRJ1-R-2"}}`, create},
		{"PUT", newTask, `{"task":{"status":"complete"}}`, write},
		{"DELETE", newTask, "", del},
		{"POST", fixed("/api/v1/tasks"), `{"task":{"name":"Mine","body":"b"}}`, anyone},
		{"GET", fixed("/api/v1/tasks/1041191038"), "", own},
		{"PUT", fixed("/api/v1/tasks/1041191038"), `{"task":{"body":"Seen"}}`, own},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		s := newPhasesServer(t, backend)
		names, tokens := phRoles(t, s)
		for _, rt := range routes {
			for _, role := range names {
				path := rt.path(t, s)
				readBack := path
				if rt.method == "POST" {
					readBack = strings.Replace(path, "/api/v1/release_phases", "/api/v1/releases/PRJ1-R-1/release_phases", 1)
				}
				before := s.do(t, "GET", readBack, "")
				r := s.do(t, rt.method, path, rt.body, tokens[role])
				want := rt.want[role]
				if r.Status != want {
					t.Errorf("%s %s as %s: %s, want %d", rt.method, path, role, r, want)
					continue
				}
				if want >= 400 {
					glErr(t, r, want, "")
					if want == 422 && !strings.Contains(string(r.Body), "no ") {
						t.Errorf("%s %s as %s: %s, want the record named as unknown", rt.method, path, role, r)
					}
					after := s.do(t, "GET", readBack, "")
					if rt.method != "GET" && (after.Status != before.Status || string(after.Body) != string(before.Body)) {
						t.Errorf("%s %s as %s was refused but changed what GET %s shows", rt.method, path, role, readBack)
					}
				}
			}
		}
	})
}

// TestPhaseAndTaskListVisibility checks that lists show only what the caller
// may see: phases and to-dos of its products, and to-dos on no product that
// it made or is assigned to.
func TestPhaseAndTaskListVisibility(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newPhasesServer(t, backend)
		names, tokens := phRoles(t, s)
		ids := func(path, role string) []string {
			n := glCall(t, s, "GET", path, "", 200, tokens[role])
			key := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "?")[0]
			key = key[strings.LastIndex(key, "/")+1:]
			return glRefs(n.get(key), "id")
		}
		prj1 := []string{"270131066", "486361616", "491284354", "644916258", "742756265", "748715293", "785584324", "896534432", "937465541"}
		want := map[string][]string{
			"admin":       {"270131066", "486361616", "491284354", "644916258", "654705094", "664116853", "742756265", "748715293", "785584324", "896534432", "937465541", "1041191038"},
			"owner":       prj1,
			"contributor": append(slices.Clone(prj1), "1041191038"),
			"viewer":      prj1,
			"none":        {},
		}
		for _, role := range names {
			if got := ids("/api/v1/tasks?per_page=200", role); !slices.Equal(got, want[role]) {
				t.Errorf("GET /tasks as %s: %v, want %v", role, got, want[role])
			}
			phases := ids("/api/v1/release_phases", role)
			if n := map[bool]int{true: 0, false: 4}[role == "none"]; len(phases) != n {
				t.Errorf("GET /release_phases as %s: %v, want %d phases", role, phases, n)
			}
		}
		if got := ids("/api/v1/tasks?type=Approval", "admin"); !slices.Equal(got, []string{"568474467"}) {
			t.Errorf("approvals the administrator sees: %v, want the approval of PRJ3", got)
		}
		if got := ids("/api/v1/tasks?type=Approval", "contributor"); len(got) != 0 {
			t.Errorf("approvals Henry (no role in PRJ3) sees: %v, want none", got)
		}
		henry := fmt.Sprintf("/api/v1/users/%d/tasks", demo.Henry)
		if got := ids(henry, "admin"); !slices.Equal(got, []string{"742756265", "1041191038"}) {
			t.Errorf("GET %s: %v, want Henry's two to-dos", henry, got)
		}
		if got := ids(henry, "owner"); !slices.Equal(got, []string{"742756265"}) {
			t.Errorf("GET %s as John: %v, want the one of PRJ1 (the other is on no product)", henry, got)
		}
		glErr(t, s.do(t, "GET", "/api/v1/users/424242/tasks", ""), 404, "")
		glErr(t, s.do(t, "GET", "/api/v1/users/henry/tasks", ""), 404, "")
	})
}

// TestPhaseAndTaskBadInput checks the answers to malformed (400) and
// invalid (422) requests, and that a failed request changes nothing.
func TestPhaseAndTaskBadInput(t *testing.T) {
	t.Parallel()
	phase := func(fields string) string {
		return `{"release_phase":{"name":"P","phase_type":"phase","release_id":"PRJ1-R-1"` + fields + `}}`
	}
	task := func(fields string) string { return `{"task":{"name":"T","body":"b"` + fields + `}}` }
	cases := []struct {
		method, path, body string
		status             int
		mention            string
	}{
		{"POST", "/api/v1/release_phases", `{"release_phase":`, 400, "JSON"},
		{"POST", "/api/v1/release_phases", `{"release_phase":"Alpha"}`, 400, "release_phase"},
		{"POST", "/api/v1/release_phases", `{"name":"no wrapper"}`, 400, "release_phase"},
		{"POST", "/api/v1/release_phases", phase(`,"name":5`), 400, "name"},
		{"POST", "/api/v1/release_phases", phase(`,"progress":"most"`), 400, "progress"},
		{"POST", "/api/v1/release_phases", phase(`,"start_on":20190101`), 400, "start_on"},
		{"POST", "/api/v1/release_phases", `{"release_phase":{"name":"P","phase_type":"phase"}}`, 422, "release_id"},
		{"POST", "/api/v1/release_phases", phase(`,"release_id":"PRJ1-R-99"`), 422, "release_id"},
		{"POST", "/api/v1/release_phases", phase(`,"phase_type":"stage"`), 422, "phase_type"},
		{"POST", "/api/v1/release_phases", phase(`,"start_on":"2019-13-01"`), 422, "start_on"},
		{"POST", "/api/v1/release_phases", phase(`,"start_on":"2019-02-02","end_on":"2019-02-01"`), 422, "end_on"},
		{"POST", "/api/v1/release_phases", phase(`,"progress":20`), 422, "progress"},
		{"POST", "/api/v1/release_phases", phase(`,"progress_source":"progress_from_epics"`), 422, "progress_source"},
		{"POST", "/api/v1/release_phases", phase(`,"duration_source":"duration_from_features","end_on":"2019-01-02"`), 422, "end_on"},
		{"PUT", "/api/v1/release_phases/20526005", `{"release_phase":{"end_on":"2018-01-01"}}`, 422, "end_on"},
		{"PUT", "/api/v1/release_phases/20526005", `{"release_phase":{"phase_type":null}}`, 422, "phase_type"},
		{"PUT", "/api/v1/release_phases/PRJ1-R-1", `{"release_phase":{"name":"X"}}`, 404, ""},
		{"GET", "/api/v1/releases/PRJ1-R-1/release_phases?type=stage", "", 400, "type"},
		{"GET", "/api/v1/release_phases?per_page=0", "", 400, "per_page"},
		{"GET", "/api/v1/releases/PRJ1-R-99/release_phases", "", 404, ""},
		{"POST", "/api/v1/tasks", `{"task":{"body":"b"}}`, 422, "name"},
		{"POST", "/api/v1/tasks", `{"task":{"name":"T"}}`, 422, "body"},
		{"POST", "/api/v1/tasks", task(`,"taskable_type":"Ideas::Idea","taskable_id":"PRJ1-I-1"`), 422, "taskable_type"},
		{"POST", "/api/v1/tasks", task(`,"taskable_type":"Widget","taskable_id":"1"`), 422, "taskable_type"},
		{"POST", "/api/v1/tasks", task(`,"taskable_type":"Feature"`), 422, "taskable"},
		{"POST", "/api/v1/tasks", task(`,"taskable_id":"PRJ1-1"`), 422, "taskable"},
		{"POST", "/api/v1/tasks", task(`,"taskable_type":"Feature","taskable_id":"PRJ1-999"`), 422, "taskable_id"},
		{"POST", "/api/v1/tasks", task(`,"taskable_type":"ReleasePhase","taskable_id":"Alpha"`), 422, "taskable_id"},
		{"POST", "/api/v1/tasks", task(`,"assigned_to_users":[{"name":"Henry"}]`), 400, "assigned_to_users"},
		{"POST", "/api/v1/tasks", task(`,"assigned_to_users":[{"email":"nobody@example.com"}]`), 422, "assigned_to_users"},
		{"POST", "/api/v1/tasks", task(`,"due_date":"soon"`), 422, "due_date"},
		{"POST", "/api/v1/tasks", task(`,"status":"started"`), 422, "status"},
		{"POST", "/api/v1/tasks", task(`,"type":"Chore"`), 422, "type"},
		{"POST", "/api/v1/tasks", task(`,"body":["b"]`), 400, "body"},
		{"PUT", "/api/v1/tasks/491284354", `{"task":{"status":"approved"}}`, 422, "status"},
		{"PUT", "/api/v1/tasks/491284354", `{"task":{"taskable_type":"Epic","taskable_id":"PRJ9-E-1"}}`, 422, "taskable_id"},
		{"PUT", "/api/v1/tasks/abc", `{"task":{"name":"X"}}`, 404, ""},
		{"GET", "/api/v1/tasks?type=Chore", "", 400, "type"},
		{"GET", "/api/v1/tasks?updated_since=yesterday", "", 400, "updated_since"},
		{"GET", "/api/v1/features/PRJ1-999/tasks", "", 404, ""},
		{"GET", "/api/v1/release_phases/PRJ1-R-1/tasks", "", 404, ""},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		s := newPhasesServer(t, backend)
		state := func() string {
			return string(s.do(t, "GET", "/api/v1/tasks?per_page=200&fields=*,body,position,product_id,assigned_to_users,taskable", "").Body) +
				string(s.do(t, "GET", "/api/v1/release_phases?per_page=200", "").Body) +
				string(s.do(t, "GET", "/api/v1/releases/PRJ1-R-1", "").Body)
		}
		before := state()
		for _, c := range cases {
			glErr(t, s.do(t, c.method, c.path, c.body), c.status, c.mention)
		}
		if state() != before {
			t.Errorf("refused requests changed phases, to-dos or PRJ1-R-1")
		}
	})
}

// TestPhaseAndTaskFieldsAndPages checks fields (query and body) and
// pagination on phases and to-dos.
func TestPhaseAndTaskFieldsAndPages(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newPhasesServer(t, backend)
		p := glCall(t, s, "GET", "/api/v1/release_phases/20526005?fields=name,type", "", 200).get("release_phase")
		if got := strings.Join(p.keys, ","); got != "id,name,type" {
			t.Errorf("a phase with fields=name,type shows %s", got)
		}
		p = glCall(t, s, "POST", "/api/v1/release_phases", `{"fields":"release_id","release_phase":{"name":"F","phase_type":"phase","release_id":"PRJ1-R-1"}}`, 200).get("release_phase")
		if got := strings.Join(p.keys, ","); got != "id,release_id" || p.get("release_id").str() != "278327321" {
			t.Errorf("a created phase with fields in the body shows %s: %s", got, p)
		}
		list := glCall(t, s, "GET", "/api/v1/tasks?fields=name,taskable&per_page=200", "", 200).get("tasks")
		for _, it := range list.list {
			if keys := strings.Join(it.keys, ","); keys != "id,name,taskable" && keys != "id,name" {
				t.Errorf("a to-do of a list with fields=name,taskable shows %v", it.keys)
			}
			if it.get("id").str() == "748715293" && it.get("taskable", "reference_num").str() != "PRJ1-1" {
				t.Errorf("748715293 in a list with its taskable: %s, want on PRJ1-1", it)
			}
		}
		tk := glCall(t, s, "GET", "/api/v1/tasks/491284354?fields=*,type", "", 200).get("task")
		if tk.get("type").str() != "Task" || tk.get("taskable", "type").str() != "Project" || tk.get("taskable", "reference_prefix").str() != "PRJ1" {
			t.Errorf("a to-do of PRJ1 on no record, with its type: %s", tk)
		}
		page := glCall(t, s, "GET", "/api/v1/tasks?per_page=5&page=3", "", 200)
		if got, want := page.get("pagination").String(), `{"total_records":12,"total_pages":3,"current_page":3}`; got != want || len(page.get("tasks").list) != 2 {
			t.Errorf("page 3 of 5 to-dos: %s with %d items, want %s with 2", got, len(page.get("tasks").list), want)
		}
		page = glCall(t, s, "GET", "/api/v1/releases/PRJ1-R-1/release_phases?type=milestone&per_page=2&page=2", "", 200)
		if got := glRefs(page.get("release_phases"), "name"); !slices.Equal(got, []string{"Gamma"}) || page.get("pagination", "total_records").str() != "3" {
			t.Errorf("page 2 of 2 milestones: %v of %s, want [Gamma] of 3", got, page.get("pagination", "total_records"))
		}
	})
}

// TestTaskAndPhaseWorkOverHTTP checks over HTTP that a release's computed
// progress follows its to-dos and phases in the same request, and that
// moving a to-do moves the progress of both records.
func TestTaskAndPhaseWorkOverHTTP(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newPhasesServer(t, backend)
		progress := func(ref string) string {
			return glCall(t, s, "GET", "/api/v1/releases/"+ref, "", 200).get("release", "progress").str()
		}
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"progress_source":"progress_from_todos"}}`, 200)
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"progress_source":"progress_from_todos"}}`, 200)
		a := glCall(t, s, "POST", "/api/v1/tasks", `{"task":{"name":"A","body":"","taskable_type":"Release","taskable_id":"PRJ1-R-2"}}`, 200).get("task")
		if a.get("taskable", "reference_num").str() != "PRJ1-R-2" || a.get("position").str() != "1" || a.get("product_id").str() != "131414752" {
			t.Errorf("a to-do on PRJ1-R-2: %s", a)
		}
		glCall(t, s, "POST", "/api/v1/tasks", `{"task":{"name":"B","body":"","taskable_type":"Release","taskable_id":"161456549"}}`, 200)
		id := a.get("id").str()
		glCall(t, s, "PUT", "/api/v1/tasks/"+id, `{"task":{"status":"complete"}}`, 200)
		if got := progress("PRJ1-R-2"); got != "50" {
			t.Errorf("PRJ1-R-2 with one of two to-dos done: progress %s, want 50", got)
		}
		if got := glRefs(glCall(t, s, "GET", "/api/v1/releases/PRJ1-R-2/tasks", "", 200).get("tasks"), "status"); !slices.Equal(got, []string{"completed", "pending"}) {
			t.Errorf("PRJ1-R-2's to-dos: %v, want [completed pending]", got)
		}
		glCall(t, s, "PUT", "/api/v1/tasks/"+id, `{"task":{"taskable_type":"Release","taskable_id":"PRJ1-R-3"}}`, 200)
		if r2, r3 := progress("PRJ1-R-2"), progress("PRJ1-R-3"); r2 != "0" || r3 != "100" {
			t.Errorf("after the done to-do moved to PRJ1-R-3: %s and %s, want 0 and 100", r2, r3)
		}
		glCall(t, s, "DELETE", "/api/v1/tasks/"+id, "", 204)
		if got := progress("PRJ1-R-3"); got != "0" {
			t.Errorf("PRJ1-R-3 after its only to-do was deleted: %s, want 0", got)
		}

		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"progress_source":"progress_from_release_phases","duration_source":"duration_from_release_phases_features"}}`, 200)
		glCall(t, s, "PUT", "/api/v1/release_phases/20526005", `{"release_phase":{"progress":70,"end_on":"2019-06-30"}}`, 200)
		rel := glCall(t, s, "GET", "/api/v1/releases/PRJ1-R-1", "", 200).get("release")
		if rel.get("progress").str() != "70" || rel.get("release_date").str() != "2019-06-30" {
			t.Errorf("PRJ1-R-1 from its phases: progress %s, release_date %s; want 70, 2019-06-30", rel.get("progress"), rel.get("release_date"))
		}
		glCall(t, s, "PUT", "/api/v1/release_phases/20526005", `{"release_phase":{"progress_source":"progress_from_todos"}}`, 200)
		x := glCall(t, s, "POST", "/api/v1/tasks", `{"task":{"name":"X","body":"","taskable_type":"ReleasePhase","taskable_id":20526005}}`, 200).get("task")
		if x.get("taskable").String() != `{"type":"ReleasePhase","id":"20526005","name":"Alpha","url":"http://company.aha.io/release_phases/20526005","resource":"http://company.aha.io/api/v1/release_phases/20526005"}` {
			t.Errorf("a to-do on Alpha: taskable %s", x.get("taskable"))
		}
		glCall(t, s, "PUT", "/api/v1/tasks/"+x.get("id").str(), `{"task":{"status":"completed"}}`, 200)
		if got := glCall(t, s, "GET", "/api/v1/release_phases/20526005", "", 200).get("release_phase", "progress").str(); got != "100" {
			t.Errorf("Alpha with its only to-do done: progress %s, want 100", got)
		}
		if got := progress("PRJ1-R-1"); got != "100" {
			t.Errorf("PRJ1-R-1 from Alpha: progress %s, want 100", got)
		}
		glCall(t, s, "DELETE", "/api/v1/release_phases/20526005", "", 204)
		if got := progress("PRJ1-R-1"); got != "0" {
			t.Errorf("PRJ1-R-1 without phases: progress %s, want 0", got)
		}
		left := glCall(t, s, "GET", "/api/v1/tasks/"+x.get("id").str(), "", 200).get("task")
		if left.get("taskable", "type").str() != "Project" || left.get("product_id").str() != "131414752" {
			t.Errorf("the to-do of the deleted phase: %s, want it kept in PRJ1", left)
		}
	})
}
