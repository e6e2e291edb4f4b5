package api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// glUser makes a user with a role in a product, with an API token, and
// returns the token.
func glUser(t testing.TB, s *testServer, email string, productID int64, role roadmap.Role) string {
	t.Helper()
	ctx := context.Background()
	pu, err := s.DB.AddProductUser(ctx, productID, roadmap.NewProductUser{FirstName: "Test", LastName: email, Email: email, Role: role})
	if err != nil {
		t.Fatalf("adding %s: %v", email, err)
	}
	return glToken(t, s, pu.User.ID)
}

// glToken gives a user a new API token.
func glToken(t testing.TB, s *testServer, userID int64) string {
	t.Helper()
	tok := roadmap.NewToken()
	if err := s.DB.CreateToken(context.Background(), userID, roadmap.HashToken(tok)); err != nil {
		t.Fatalf("token for %d: %v", userID, err)
	}
	return tok
}

// glRefs returns the given key of each item of a list.
func glRefs(list *jsonNode, key string) []string {
	out := []string{}
	if list != nil {
		for _, it := range list.list {
			out = append(out, it.get(key).str())
		}
	}
	return out
}

// glErr checks an error answer: its status, the contract's body, and that
// its message or field mentions what it should.
func glErr(t testing.TB, r *response, status int, mention string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s, want status %d", r, status)
	}
	n, err := parseJSON(r.Body)
	if err != nil || !n.get("errors", "message").isString() {
		t.Fatalf("%s: want {\"errors\": {\"message\": ...}}", r)
	}
	text := n.get("errors", "message").str() + " " + n.get("errors", "field").str()
	if mention != "" && !strings.Contains(text, mention) {
		t.Errorf("error %q does not mention %q", text, mention)
	}
	for _, leak := range []string{"SELECT", "sql", "pq:", "SQLSTATE", "goroutine"} {
		if strings.Contains(text, leak) {
			t.Errorf("error %q shows internals (%s)", text, leak)
		}
	}
}

// TestGoalWriteRoles checks who may write goals, initiatives and key results
// of PRJ1: the account administrator, its owners (John, through the product
// line) and contributors (Henry) may; a viewer gets 403; a user without a
// role in PRJ1 gets 404, as if the record did not exist. A refused write
// changes nothing.
//
//	route                                     admin owner contributor viewer none
//	POST   /products/PRJ1/goals                200   200   200         403    404
//	PUT    /products/PRJ1/goals/:id            200   200   200         403    404
//	PUT    /goals/:id                          200   200   200         403    404
//	DELETE /products/PRJ1/goals/:id            204   204   204         403    404
//	DELETE /goals/:id                          204   204   204         403    404
//	POST   /products/PRJ1/initiatives          200   200   200         403    404
//	PUT    /products/PRJ1/initiatives/:id      200   200   200         403    404
//	PUT    /initiatives/:id                    200   200   200         403    404
//	DELETE /products/PRJ1/initiatives/:id      204   204   204         403    404
//	DELETE /initiatives/:id                    204   204   204         403    404
//	POST   /goals/:goal_id/key_results         200   200   200         403    404
//	PUT    /key_results/:id                    200   200   200         403    404
//	DELETE /key_results/:id                    204   204   204         403    404
func TestGoalWriteRoles(t *testing.T) {
	t.Parallel()
	type route struct {
		method string
		// path makes a record for the attempt, as the administrator, and
		// returns the path to send.
		path func(t *testing.T, s *testServer) string
		body string
	}
	newGoal := func(t *testing.T, s *testServer) string {
		return glCall(t, s, "POST", "/api/v1/products/PRJ1/goals", `{"goal":{"name":"Target goal"}}`, 201).get("goal", "id").str()
	}
	newInitiative := func(t *testing.T, s *testServer) string {
		return glCall(t, s, "POST", "/api/v1/products/PRJ1/initiatives", `{"initiative":{"name":"Target initiative"}}`, 201).get("initiative", "id").str()
	}
	newKR := func(t *testing.T, s *testServer) string {
		return glCall(t, s, "POST", "/api/v1/goals/DEMOENT-G-2/key_results", `{"key_result":{"name":"Target KR"}}`, 200).get("key_result", "id").str()
	}
	fixed := func(p string) func(*testing.T, *testServer) string {
		return func(*testing.T, *testServer) string { return p }
	}
	routes := []route{
		{"POST", fixed("/api/v1/products/PRJ1/goals"), `{"goal":{"name":"New goal"}}`},
		{"PUT", func(t *testing.T, s *testServer) string { return "/api/v1/products/PRJ1/goals/" + newGoal(t, s) }, `{"goal":{"name":"Renamed"}}`},
		{"PUT", func(t *testing.T, s *testServer) string { return "/api/v1/goals/" + newGoal(t, s) }, `{"goal":{"progress":40}}`},
		{"DELETE", func(t *testing.T, s *testServer) string { return "/api/v1/products/PRJ1/goals/" + newGoal(t, s) }, ""},
		{"DELETE", func(t *testing.T, s *testServer) string { return "/api/v1/goals/" + newGoal(t, s) }, ""},
		{"POST", fixed("/api/v1/products/PRJ1/initiatives"), `{"initiative":{"name":"New initiative"}}`},
		{"PUT", func(t *testing.T, s *testServer) string {
			return "/api/v1/products/PRJ1/initiatives/" + newInitiative(t, s)
		}, `{"initiative":{"name":"Renamed"}}`},
		{"PUT", func(t *testing.T, s *testServer) string { return "/api/v1/initiatives/" + newInitiative(t, s) }, `{"initiative":{"progress":10}}`},
		{"DELETE", func(t *testing.T, s *testServer) string {
			return "/api/v1/products/PRJ1/initiatives/" + newInitiative(t, s)
		}, ""},
		{"DELETE", func(t *testing.T, s *testServer) string { return "/api/v1/initiatives/" + newInitiative(t, s) }, ""},
		{"POST", fixed("/api/v1/goals/DEMOENT-G-2/key_results"), `{"key_result":{"name":"New KR"}}`},
		{"PUT", func(t *testing.T, s *testServer) string { return "/api/v1/key_results/" + newKR(t, s) }, `{"key_result":{"current_metric":"50%"}}`},
		{"DELETE", func(t *testing.T, s *testServer) string { return "/api/v1/key_results/" + newKR(t, s) }, ""},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		roles := []struct {
			name  string
			token string
			ok    bool
			deny  int
		}{
			{"admin", demo.Token, true, 0},
			{"owner", glToken(t, s, demo.John), true, 0},
			{"contributor", glToken(t, s, demo.Henry), true, 0},
			{"viewer", glUser(t, s, "viewer@example.com", demo.PRJ1, roadmap.RoleViewer), false, 403},
			{"none", glUser(t, s, "outsider@example.com", demo.PRJ2, roadmap.RoleContributor), false, 404},
		}
		for _, rt := range routes {
			for _, role := range roles {
				path := rt.path(t, s)
				before := s.do(t, "GET", glReadBack(path), "")
				r := s.do(t, rt.method, path, rt.body, role.token)
				want := map[string]int{"POST": 201, "PUT": 200, "DELETE": 204}[rt.method]
				if strings.HasSuffix(path, "/key_results") {
					want = 200
				}
				if !role.ok {
					want = role.deny
				}
				if r.Status != want {
					t.Errorf("%s %s as %s: %s, want %d", rt.method, path, role.name, r, want)
					continue
				}
				if !role.ok {
					glErr(t, r, want, "")
					after := s.do(t, "GET", glReadBack(path), "")
					if after.Status != before.Status || string(after.Body) != string(before.Body) {
						t.Errorf("%s %s as %s was refused but changed the record", rt.method, path, role.name)
					}
				}
			}
		}
	})
}

// glReadBack is the path that reads what a write path changes.
func glReadBack(path string) string {
	path = strings.Replace(path, "/products/PRJ1/", "/", 1)
	if strings.HasSuffix(path, "/key_results") {
		return strings.TrimSuffix(path, "/key_results")
	}
	return path
}

// TestGoalReadRoles checks that reads follow the same roles: a viewer reads
// PRJ1's records, a user without a role in PRJ1 gets 404 for them and never
// sees them in the account's lists.
func TestGoalReadRoles(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		viewer := glUser(t, s, "viewer@example.com", demo.PRJ1, roadmap.RoleViewer)
		outsider := glUser(t, s, "outsider@example.com", demo.PRJ2, roadmap.RoleContributor)
		paths := []string{
			"/api/v1/goals/DEMOENT-G-1", "/api/v1/products/PRJ1/goals", "/api/v1/products/PRJ1/goals/DEMOENT-G-1",
			"/api/v1/initiatives/PRJ1-S-1", "/api/v1/products/PRJ1/initiatives", "/api/v1/products/PRJ1/initiatives/PRJ1-S-1",
			"/api/v1/goals/DEMOENT-G-1/initiatives", "/api/v1/initiatives/PRJ1-S-1/goals",
			"/api/v1/goals/DEMOENT-G-1/key_results", "/api/v1/key_results/DEMOENT-G-1-KR-1",
		}
		for _, p := range paths {
			glCall(t, s, "GET", p, "", 200, viewer)
			glErr(t, s.do(t, "GET", p, "", outsider), 404, "")
		}
		goals := glCall(t, s, "GET", "/api/v1/goals", "", 200, viewer).get("goals")
		for _, g := range goals.list {
			if g.get("product_id").str() != fmt.Sprint(demo.PRJ1) {
				t.Errorf("the PRJ1 viewer sees goal %s of product %s", g.get("reference_num").str(), g.get("product_id").str())
			}
		}
		if n := len(goals.list); n != 5 {
			t.Errorf("the PRJ1 viewer sees %d goals, want PRJ1's 5", n)
		}
		for _, list := range []string{"/api/v1/goals", "/api/v1/initiatives"} {
			n := glCall(t, s, "GET", list, "", 200, outsider)
			if total := n.get("pagination", "total_records").str(); total != "0" {
				t.Errorf("GET %s as a user of PRJ2 only: %s records, want 0", list, total)
			}
		}
	})
}

// TestGoalReleaseLinks checks that the links between goals or initiatives and
// releases read the same from both sides, whichever side writes them.
func TestGoalReleaseLinks(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		releaseGoals := func(ref string) []string {
			return glRefs(glCall(t, s, "GET", "/api/v1/releases/"+ref, "", 200).get("release", "goals"), "id")
		}
		releaseInitiatives := func(ref string) []string {
			return glRefs(glCall(t, s, "GET", "/api/v1/releases/"+ref+"?fields=initiatives", "", 200).get("release", "initiatives"), "id")
		}
		goal3 := "712130641"

		// The goal sets its releases: the releases show it.
		g := glCall(t, s, "PUT", "/api/v1/products/PRJ1/goals/DEMOENT-G-3", `{"goal":{"releases":["PRJ1-R-2","1050186040"]}}`, 200).get("goal")
		if got := glRefs(g.get("releases"), "reference_num"); !slices.Equal(got, []string{"PRJ1-R-2", "PRJ1-R-3"}) {
			t.Errorf("DEMOENT-G-3's releases: %v, want [PRJ1-R-2 PRJ1-R-3]", got)
		}
		for _, ref := range []string{"PRJ1-R-2", "PRJ1-R-3"} {
			if !slices.Contains(releaseGoals(ref), goal3) {
				t.Errorf("%s does not list DEMOENT-G-3 after the goal linked it", ref)
			}
		}
		wantReleaseList(t, s, "/api/v1/goals/DEMOENT-G-3/releases", "PRJ1-R-2", "PRJ1-R-3")

		// The release changes its goals: the goal shows it.
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"goals":[]}}`, 200)
		g = glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-3", "", 200).get("goal")
		if got := glRefs(g.get("releases"), "reference_num"); !slices.Equal(got, []string{"PRJ1-R-2"}) {
			t.Errorf("DEMOENT-G-3's releases after PRJ1-R-3 dropped it: %v, want [PRJ1-R-2]", got)
		}
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-4", `{"release":{"goals":"Goal 1,DEMOENT-G-3"}}`, 200)
		g = glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-3", "", 200).get("goal")
		if got := glRefs(g.get("releases"), "reference_num"); !slices.Equal(got, []string{"PRJ1-R-2", "PRJ1-R-4"}) {
			t.Errorf("DEMOENT-G-3's releases after PRJ1-R-4 took it: %v, want [PRJ1-R-2 PRJ1-R-4]", got)
		}

		// [] clears; the releases stay and no longer list the goal.
		glCall(t, s, "PUT", "/api/v1/goals/DEMOENT-G-3", `{"goal":{"releases":[]}}`, 200)
		for _, ref := range []string{"PRJ1-R-2", "PRJ1-R-4"} {
			if slices.Contains(releaseGoals(ref), goal3) {
				t.Errorf("%s still lists DEMOENT-G-3 after the goal cleared its releases", ref)
			}
		}

		// Initiatives: the same from both sides, and links to goals.
		it := glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-3", `{"initiative":{"releases":"PRJ1-R-3","goals":["DEMOENT-G-2"]}}`, 200).get("initiative")
		if got := glRefs(it.get("releases"), "reference_num"); !slices.Equal(got, []string{"PRJ1-R-3"}) {
			t.Errorf("PRJ1-S-3's releases: %v, want [PRJ1-R-3]", got)
		}
		if !slices.Contains(releaseInitiatives("PRJ1-R-3"), fmt.Sprint(demo.Initiative3)) {
			t.Errorf("PRJ1-R-3 does not list PRJ1-S-3 after the initiative linked it")
		}
		wantReleaseList(t, s, "/api/v1/initiatives/PRJ1-S-3/releases", "PRJ1-R-3")
		if got := glRefs(glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-2", "", 200).get("goal", "initiatives"), "reference_num"); !slices.Equal(got, []string{"PRJ1-S-3"}) {
			t.Errorf("DEMOENT-G-2's initiatives: %v, want [PRJ1-S-3]", got)
		}
		goalsOf := glRefs(glCall(t, s, "GET", "/api/v1/initiatives/PRJ1-S-3/goals", "", 200).get("goals"), "reference_num")
		if !slices.Equal(goalsOf, []string{"DEMOENT-G-2"}) {
			t.Errorf("goals of PRJ1-S-3: %v, want [DEMOENT-G-2]", goalsOf)
		}
		glCall(t, s, "PUT", "/api/v1/goals/DEMOENT-G-2", `{"goal":{"initiatives":[]}}`, 200)
		if got := glRefs(glCall(t, s, "GET", "/api/v1/initiatives/PRJ1-S-3", "", 200).get("initiative", "goals"), "id"); len(got) != 0 {
			t.Errorf("PRJ1-S-3's goals after DEMOENT-G-2 cleared its initiatives: %v, want none", got)
		}
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"initiatives":[]}}`, 200)
		it = glCall(t, s, "GET", "/api/v1/initiatives/PRJ1-S-3", "", 200).get("initiative")
		if it.has("releases") {
			t.Errorf("PRJ1-S-3 shows releases after PRJ1-R-3 dropped it: %s", it.get("releases"))
		}

		// Unknown records are refused, and so are records the user may not see.
		before := glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-3", "", 200)
		glErr(t, s.do(t, "PUT", "/api/v1/goals/DEMOENT-G-3", `{"goal":{"name":"Changed","releases":["PRJ1-R-99"]}}`), 422, "releases")
		henry := glToken(t, s, demo.Henry)
		glErr(t, s.do(t, "PUT", "/api/v1/goals/DEMOENT-G-3", `{"goal":{"releases":["PRJ2-R-1"]}}`, henry), 422, "releases")
		if after := glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-3", "", 200); after.String() != before.String() {
			t.Errorf("a refused update changed the goal")
		}
	})
}

// wantReleaseList checks that a release list holds exactly these reference numbers.
func wantReleaseList(t testing.TB, s *testServer, path string, want ...string) {
	t.Helper()
	got := glRefs(glCall(t, s, "GET", path, "", 200).get("releases"), "reference_num")
	if !slices.Equal(got, want) {
		t.Errorf("GET %s: %v, want %v", path, got, want)
	}
}

// TestGoalDeleteDetaches checks what deleting a goal or an initiative does
// to the records around it: its releases stay without the link, its key
// results go with the goal, goals and initiatives under it are detached.
func TestGoalDeleteDetaches(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		line := glCall(t, s, "POST", "/api/v1/products/PL1/goals", `{"goal":{"name":"Line goal","releases":["PRJ1-R-1","PRJ1-R-2"]}}`, 201).get("goal")
		lineID := line.get("id").str()
		child := glCall(t, s, "POST", "/api/v1/products/PRJ1/goals", `{"goal":{"name":"Child","parent_id":"`+lineID+`"}}`, 201).get("goal")
		if got := child.get("parent", "id").str(); got != lineID {
			t.Fatalf("the child's parent: %s, want %s", got, lineID)
		}
		kr := glCall(t, s, "POST", "/api/v1/goals/"+lineID+"/key_results", `{"key_result":{"name":"KR"}}`, 200).get("key_result")

		r := s.do(t, "DELETE", "/api/v1/goals/"+lineID, "")
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("DELETE: %s, want 204 with no body", r)
		}
		glErr(t, s.do(t, "GET", "/api/v1/goals/"+lineID, ""), 404, "")
		glErr(t, s.do(t, "GET", "/api/v1/goals/"+lineID+"/releases", ""), 404, "")
		glErr(t, s.do(t, "GET", "/api/v1/goals/"+lineID+"/key_results", ""), 404, "")
		glErr(t, s.do(t, "GET", "/api/v1/key_results/"+kr.get("id").str(), ""), 404, "")
		for _, ref := range []string{"PRJ1-R-1", "PRJ1-R-2"} {
			rel := glCall(t, s, "GET", "/api/v1/releases/"+ref, "", 200).get("release")
			if slices.Contains(glRefs(rel.get("goals"), "id"), lineID) {
				t.Errorf("%s still lists the deleted goal", ref)
			}
		}
		c := glCall(t, s, "GET", "/api/v1/goals/"+child.get("id").str(), "", 200).get("goal")
		if c.has("parent") || c.has("parents") {
			t.Errorf("the child still shows its deleted parent: %s", c)
		}

		glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-2", `{"initiative":{"parent_id":"PRJ1-S-1"}}`, 200)
		if r := s.do(t, "DELETE", "/api/v1/products/PRJ1/initiatives/PRJ1-S-1", ""); r.Status != 204 {
			t.Fatalf("DELETE PRJ1-S-1: %s", r)
		}
		glErr(t, s.do(t, "GET", "/api/v1/initiatives/PRJ1-S-1/releases", ""), 404, "")
		glErr(t, s.do(t, "GET", "/api/v1/initiatives/PRJ1-S-1/goals", ""), 404, "")
		for _, ref := range []string{"PRJ1-R-1", "PRJ1-R-2"} {
			if rel := glCall(t, s, "GET", "/api/v1/releases/"+ref, "", 200).get("release"); rel.has("initiatives") {
				t.Errorf("%s still shows initiatives after its only one was deleted: %s", ref, rel.get("initiatives"))
			}
		}
		if it := glCall(t, s, "GET", "/api/v1/initiatives/PRJ1-S-2", "", 200).get("initiative"); it.has("parent") {
			t.Errorf("PRJ1-S-2 still shows its deleted parent")
		}
		if g := glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-1", "", 200).get("goal"); len(g.get("initiatives").list) != 0 {
			t.Errorf("DEMOENT-G-1 still lists the deleted initiative")
		}
		glErr(t, s.do(t, "DELETE", "/api/v1/initiatives/PRJ1-S-1", ""), 404, "")
		glErr(t, s.do(t, "DELETE", "/api/v1/products/PRJ2/initiatives/PRJ1-S-2", ""), 404, "")
	})
}

// TestGoalProgress checks progress and its sources: progress may be set only
// with the manual source; computed sources take the mean of their inputs,
// and 0 without any; switching back to manual keeps the computed value.
func TestGoalProgress(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		progress := func(path, root string) string {
			return glCall(t, s, "GET", path, "", 200).get(root, "progress").str()
		}
		for _, src := range []string{"progress_from_releases", "progress_from_initiatives", "progress_from_descendants",
			"progress_from_key_results", "progress_from_features", "progress_from_features_completed", "progress_from_epics"} {
			g := glCall(t, s, "PUT", "/api/v1/goals/DEMOENT-G-3", `{"goal":{"progress_source":"`+src+`"}}`, 200).get("goal")
			if got := g.get("progress").str(); got != "0" {
				t.Errorf("%s with no inputs: progress %s, want 0", src, got)
			}
		}
		before := glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-3", "", 200).String()
		glErr(t, s.do(t, "PUT", "/api/v1/goals/DEMOENT-G-3", `{"goal":{"name":"Changed","progress":30}}`), 422, "progress")
		if after := glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-3", "", 200).String(); after != before {
			t.Errorf("a refused progress changed the goal")
		}
		glErr(t, s.do(t, "PUT", "/api/v1/goals/DEMOENT-G-3", `{"goal":{"progress_source":"progress_from_todos"}}`), 422, "progress_source")

		// From releases: the mean of their progress, following their changes.
		for ref, p := range map[string]string{"PRJ1-R-1": "30", "PRJ1-R-2": "61"} {
			glCall(t, s, "PUT", "/api/v1/releases/"+ref, `{"release":{"progress_source":"progress_manual","progress":`+p+`}}`, 200)
		}
		glCall(t, s, "PUT", "/api/v1/goals/DEMOENT-G-3", `{"goal":{"progress_source":"progress_from_releases","releases":["PRJ1-R-1","PRJ1-R-2"]}}`, 200)
		if got := progress("/api/v1/goals/DEMOENT-G-3", "goal"); got != "46" {
			t.Errorf("progress from releases at 30 and 61: %s, want 46", got)
		}
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"progress":91}}`, 200)
		if got := progress("/api/v1/goals/DEMOENT-G-3", "goal"); got != "61" {
			t.Errorf("progress from releases at 30 and 91: %s, want 61", got)
		}

		// From initiatives, each by its own source; from children.
		glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-3", `{"initiative":{"progress":20}}`, 200)
		glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-4", `{"initiative":{"parent_id":"PRJ1-S-5","progress":80}}`, 200)
		glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-5", `{"initiative":{"progress_source":"progress_from_children"}}`, 200)
		if got := progress("/api/v1/initiatives/PRJ1-S-5", "initiative"); got != "80" {
			t.Errorf("PRJ1-S-5 from its child at 80: %s, want 80", got)
		}
		glCall(t, s, "PUT", "/api/v1/goals/DEMOENT-G-4", `{"goal":{"progress_source":"progress_from_initiatives","initiatives":"PRJ1-S-3,PRJ1-S-5"}}`, 200)
		if got := progress("/api/v1/goals/DEMOENT-G-4", "goal"); got != "50" {
			t.Errorf("DEMOENT-G-4 from initiatives at 20 and 80: %s, want 50", got)
		}

		// From descendants: child goals under a product line goal.
		glCall(t, s, "PUT", "/api/v1/goals/PRJ3-G-1", `{"goal":{"progress_source":"progress_manual","progress":10}}`, 200)
		glCall(t, s, "PUT", "/api/v1/goals/PRJ4-G-1", `{"goal":{"progress_source":"progress_manual","progress":40}}`, 200)
		glCall(t, s, "PUT", "/api/v1/goals/PRJ5-G-1", `{"goal":{"progress_source":"progress_manual","progress":70}}`, 200)
		glCall(t, s, "PUT", "/api/v1/goals/PL1-G-1", `{"goal":{"progress_source":"progress_from_descendants"}}`, 200)
		if got := progress("/api/v1/goals/PL1-G-1", "goal"); got != "40" {
			t.Errorf("PL1-G-1 from children at 10, 40 and 70: %s, want 40", got)
		}

		// Back to manual: the computed value stays, and may then be set.
		g := glCall(t, s, "PUT", "/api/v1/goals/PL1-G-1", `{"goal":{"progress_source":"progress_manual"}}`, 200).get("goal")
		if got := g.get("progress").str(); got != "40" {
			t.Errorf("PL1-G-1 back to manual: progress %s, want the computed 40", got)
		}
		glCall(t, s, "PUT", "/api/v1/goals/PL1-G-1", `{"goal":{"progress":99}}`, 200)
		glErr(t, s.do(t, "PUT", "/api/v1/goals/PL1-G-1", `{"goal":{"progress":101}}`), 422, "progress")

		// Initiative dates from releases: the releases' earliest start and
		// latest release date; given dates are refused.
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"start_date":"2024-02-01","release_date":"2024-03-01"}}`, 200)
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"start_date":"2024-01-15","release_date":"2024-02-20"}}`, 200)
		it := glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"duration_source":"duration_from_releases"}}`, 200).get("initiative")
		if got := it.get("start_date").str() + " " + it.get("end_date").str(); got != "2024-01-15 2024-03-01" {
			t.Errorf("PRJ1-S-1 dates from its releases: %s, want 2024-01-15 2024-03-01", got)
		}
		glErr(t, s.do(t, "PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"start_date":"2024-01-01"}}`), 422, "start_date")
		it = glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"duration_source":"duration_manual"}}`, 200).get("initiative")
		if got := it.get("start_date").str() + " " + it.get("end_date").str(); got != "2024-01-15 2024-03-01" {
			t.Errorf("PRJ1-S-1 dates back to manual: %s, want the computed 2024-01-15 2024-03-01", got)
		}
		glCall(t, s, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"start_date":"2023-01-01"}}`, 200)
		if got := glCall(t, s, "GET", "/api/v1/initiatives/PRJ1-S-1", "", 200).get("initiative", "start_date").str(); got != "2024-01-15" {
			t.Errorf("PRJ1-S-1 with manual dates followed its release: %s", got)
		}
	})
}

// TestGoalReferenceNumbers checks the reference numbers of new records: they
// continue after the demo's, are never reused after a delete, and stay
// unique under concurrent creates.
func TestGoalReferenceNumbers(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		create := func(path, root, body string) string {
			status := 201
			if root == "key_result" {
				status = 200
			}
			return glCall(t, s, "POST", path, body, status).get(root, "reference_num").str()
		}
		steps := []struct{ path, root, body, want string }{
			{"/api/v1/products/PRJ1/goals", "goal", `{"goal":{"name":"A"}}`, "PRJ1-G-1"},
			{"/api/v1/products/PRJ3/goals", "goal", `{"goal":{"name":"B"}}`, "PRJ3-G-3"},
			{"/api/v1/products/DEMOENT/goals", "goal", `{"goal":{"name":"C"}}`, "DEMOENT-G-6"},
			{"/api/v1/products/PRJ1/initiatives", "initiative", `{"initiative":{"name":"D"}}`, "PRJ1-S-251"},
			{"/api/v1/products/PRJ2/initiatives", "initiative", `{"initiative":{"name":"E"}}`, "PRJ2-S-1"},
			{"/api/v1/goals/DEMOENT-G-1/key_results", "key_result", `{"key_result":{"name":"F"}}`, "DEMOENT-G-1-KR-4"},
			{"/api/v1/goals/DEMOENT-G-2/key_results", "key_result", `{"key_result":{"name":"G"}}`, "DEMOENT-G-2-KR-1"},
		}
		for _, st := range steps {
			if got := create(st.path, st.root, st.body); got != st.want {
				t.Errorf("POST %s: %s, want %s", st.path, got, st.want)
			}
		}
		glCall(t, s, "DELETE", "/api/v1/initiatives/PRJ1-S-251", "", 204)
		if got := create("/api/v1/products/PRJ1/initiatives", "initiative", `{"initiative":{"name":"H"}}`); got != "PRJ1-S-252" {
			t.Errorf("after deleting PRJ1-S-251 the next is %s, want PRJ1-S-252", got)
		}

		const n = 12
		refs := make([][3]string, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for j, c := range []struct {
					path, root, body string
					status           int
				}{
					{"/api/v1/products/PRJ4/goals", "goal", `{"goal":{"name":"Concurrent"}}`, 201},
					{"/api/v1/products/PRJ4/initiatives", "initiative", `{"initiative":{"name":"Concurrent"}}`, 201},
					{"/api/v1/goals/PRJ4-G-1/key_results", "key_result", `{"key_result":{"name":"Concurrent"}}`, 200},
				} {
					r := s.do(t, "POST", c.path, c.body)
					if r.Status != c.status {
						t.Errorf("concurrent POST %s: %s", c.path, r)
						return
					}
					n, err := parseJSON(r.Body)
					if err != nil {
						t.Errorf("concurrent POST %s: %v", c.path, err)
						return
					}
					refs[i][j] = n.get(c.root, "reference_num").str()
				}
			}(i)
		}
		wg.Wait()
		for j, prefix := range []string{"PRJ4-G-", "PRJ4-S-", "PRJ4-G-1-KR-"} {
			var got, want []string
			for i := 0; i < n; i++ {
				got = append(got, refs[i][j])
				first := 1
				if j == 0 {
					first = 2
				}
				want = append(want, fmt.Sprintf("%s%d", prefix, first+i))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("concurrent creates numbered %v, want %v", got, want)
			}
		}
	})
}

// TestGoalInputs checks the shapes of inputs the references show and the
// errors of bad ones: each error names the field, and changes nothing.
func TestGoalInputs(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		g := glCall(t, s, "POST", "/api/v1/products/PRJ1/goals?fields=*,watchers",
			`{"goal":{"name":"Shaped","success_metric_name":"Users","success_metric_description":"Weekly","workflow_status":"412273758","time_frame":"2017","watchers":[689956296],"initiatives":"Initiative 2","effort":"20"}}`, 201).get("goal")
		checks := map[string]string{
			"success_metric.name": "Users", "success_metric.description.body": "Weekly",
			"success_metric.workflow_status.name": "Not Started", "time_frame.name": "2017", "effort": "20", "value": "50",
		}
		for path, want := range checks {
			if got := g.get(strings.Split(path, ".")...).str(); got != want {
				t.Errorf("%s: %s, want %s", path, got, want)
			}
		}
		if got := glRefs(g.get("watchers"), "id"); !slices.Equal(got, []string{fmt.Sprint(demo.Henry), fmt.Sprint(demo.Mary)}) {
			t.Errorf("watchers: %v, want Henry and the creator Mary", got)
		}
		if got := glRefs(g.get("initiatives"), "reference_num"); !slices.Equal(got, []string{"PRJ1-S-2"}) {
			t.Errorf("initiatives: %v, want [PRJ1-S-2]", got)
		}
		id := g.get("id").str()
		g = glCall(t, s, "PUT", "/api/v1/goals/"+id, `{"goal":{"workflow_status":"on track","time_frame":null}}`, 200).get("goal")
		if g.has("time_frame") || g.get("success_metric", "workflow_status", "name").str() != "On Track" {
			t.Errorf("after the update: %s", g)
		}
		if n := len(g.get("success_metric", "workflow_status_times").list); n != 2 {
			t.Errorf("status history: %d entries, want 2", n)
		}
		it := glCall(t, s, "POST", "/api/v1/products/PRJ2/initiatives", `{"initiative":{"name":"Unassigned","assigned_to_user":"john.smith@example.com","status":"On Track","custom_fields":{"priority":"P1"}}}`, 201).get("initiative")
		if it.get("status").str() != "on_track" || it.get("assigned_to_user", "id").str() != fmt.Sprint(demo.John) || it.get("assigned_to_user", "default_assignee").str() != "false" {
			t.Errorf("initiative: %s", it)
		}
		if cf := it.get("custom_fields"); cf == nil || len(cf.list) != 1 || cf.list[0].get("name").str() != "Priority" || cf.list[0].get("value").str() != "P1" {
			t.Errorf("custom fields: %s", cf)
		}

		before := map[string]string{}
		for _, p := range []string{"/api/v1/goals/" + id, "/api/v1/initiatives/PRJ1-S-1", "/api/v1/key_results/DEMOENT-G-1-KR-1"} {
			before[p] = glCall(t, s, "GET", p, "", 200).String()
		}
		bad := []struct {
			method, path, body string
			status             int
			mention            string
		}{
			{"PUT", "/api/v1/goals/" + id, `{"goal":`, 400, "JSON"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":["x"]}}`, 400, "name"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"effort":"lots"}}`, 400, "effort"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"success_metric":"x"}}`, 400, "success_metric"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":""}}`, 422, "name"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":"x","effort":0}}`, 422, "effort"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":"x","workflow_status":"Shipped"}}`, 422, "workflow_status"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":"x","time_frame":"1999"}}`, 422, "time_frame"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":"x","initiatives":["PRJ1-S-999"]}}`, 422, "initiatives"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":"x","watchers":["nobody@example.com"]}}`, 422, "watchers"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":"x","parent_id":"DEMOENT-G-2"}}`, 422, "parent_id"},
			{"PUT", "/api/v1/goals/" + id, `{"goal":{"name":"x","parent_id":"` + id + `"}}`, 422, "parent_id"},
			{"PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"start_date":"2024-02-30"}}`, 422, "start_date"},
			{"PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"start_date":"2024-03-01","end_date":"2024-02-01"}}`, 422, "start_date"},
			{"PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"name":"x","custom_fields":[{"key":"initiative_custom_date","value":"soon"}]}}`, 422, "custom_fields"},
			{"PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"custom_fields":[{"value":"x"}]}}`, 400, "custom_fields"},
			{"PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"duration_source":"duration_from_moon"}}`, 422, "duration_source"},
			{"PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"name":"x","parent_id":"PRJ1-S-1"}}`, 422, "parent_id"},
			{"PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"assigned_to_user":"ghost@example.com"}}`, 422, "assigned_to_user"},
			{"PUT", "/api/v1/key_results/DEMOENT-G-1-KR-1", `{"key_result":{"name":"x","workflow_status":"Achieved forever"}}`, 422, "workflow_status"},
			{"PUT", "/api/v1/key_results/DEMOENT-G-1-KR-1", `{"key_result":{"current_metric":{"a":1}}}`, 400, "current_metric"},
			{"POST", "/api/v1/goals/DEMOENT-G-1/key_results", `{"key_result":{}}`, 422, "name"},
			{"POST", "/api/v1/products/PRJ1/goals", `{}`, 400, "goal"},
			{"GET", "/api/v1/goals?page=0", ``, 400, "page"},
			{"GET", "/api/v1/initiatives?per_page=x", ``, 400, "per_page"},
			{"GET", "/api/v1/initiatives?only_active=maybe", ``, 400, "only_active"},
			{"GET", "/api/v1/initiatives?assigned_to_user=ghost@example.com", ``, 422, "assigned_to_user"},
			{"GET", "/api/v1/goals/999", ``, 404, ""},
			{"GET", "/api/v1/products/PRJ2/goals/DEMOENT-G-1", ``, 404, ""},
			{"PUT", "/api/v1/products/PRJ2/initiatives/PRJ1-S-1", `{"initiative":{"name":"x"}}`, 404, ""},
		}
		for _, b := range bad {
			glErr(t, s.do(t, b.method, b.path, b.body), b.status, b.mention)
		}
		big := `{"goal":{"description":"` + strings.Repeat("x", 1<<20) + `"}}`
		glErr(t, s.do(t, "PUT", "/api/v1/goals/"+id, big), 413, "")
		for p, want := range before {
			if got := glCall(t, s, "GET", p, "", 200).String(); got != want {
				t.Errorf("refused requests changed %s", p)
			}
		}
	})
}

// TestGoalListsAndFields checks pagination, filters and fields on the lists.
func TestGoalListsAndFields(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newGoalsServer(t, backend)
		n := glCall(t, s, "GET", "/api/v1/goals?per_page=4&page=3", "", 200)
		if got := glRefs(n.get("goals"), "reference_num"); !slices.Equal(got, []string{"PRJ4-G-1", "DEMOENT-G-2"}) {
			t.Errorf("page 3 of 4: %v", got)
		}
		if p := n.get("pagination").String(); p != `{"total_records":10,"total_pages":3,"current_page":3}` {
			t.Errorf("pagination: %s", p)
		}
		n = glCall(t, s, "GET", "/api/v1/goals?per_page=4&page=9", "", 200)
		if len(n.get("goals").list) != 0 || n.get("pagination", "total_records").str() != "10" {
			t.Errorf("a page past the end: %s", n)
		}
		n = glCall(t, s, "GET", "/api/v1/products/PRJ1/goals?fields=name,reference_num", "", 200)
		for _, g := range n.get("goals").list {
			if strings.Join(g.keys, ",") != "id,name,reference_num" {
				t.Errorf("fields=name,reference_num gives keys %v", g.keys)
			}
		}
		g := glCall(t, s, "GET", "/api/v1/goals/DEMOENT-G-1?fields=*,watchers", "", 200).get("goal")
		if !g.has("watchers") || !g.has("success_metric") {
			t.Errorf("fields=*,watchers: keys %v", g.keys)
		}
		k := glCall(t, s, "PUT", "/api/v1/key_results/DEMOENT-G-1-KR-2", `{"fields":"name,watchers","key_result":{"watchers":"689956296"}}`, 200).get("key_result")
		if strings.Join(k.keys, ",") != "id,name,watchers" || !slices.Equal(glRefs(k.get("watchers"), "id"), []string{"689956296"}) {
			t.Errorf("a body's fields on a key result: %s", k)
		}

		filters := map[string][]string{
			"/api/v1/initiatives?q=INITIATIVE%201":                        {"PRJ1-S-1", "PL1-S-1"},
			"/api/v1/products/PRJ1/initiatives?assigned_to_user=16338845": {"PRJ1-S-2", "PRJ1-S-1"},
			"/api/v1/initiatives?assigned_to_user=john.smith@example.com": {"PRJ1-S-2", "PRJ1-S-1"},
			"/api/v1/goals/DEMOENT-G-1/initiatives?q=nothing":             {},
		}
		for path, want := range filters {
			if got := glRefs(glCall(t, s, "GET", path, "", 200).get("initiatives"), "reference_num"); !slices.Equal(got, want) {
				t.Errorf("GET %s: %v, want %v", path, got, want)
			}
		}
		all := glRefs(glCall(t, s, "GET", "/api/v1/initiatives?only_active=true", "", 200).get("initiatives"), "reference_num")
		if slices.Contains(all, "PRJ1-S-11") || len(all) != 6 {
			t.Errorf("only_active: %v, want the 6 initiatives not done", all)
		}
		glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-3", `{"initiative":{"name":"Fresh"}}`, 200)
		since := url.QueryEscape("2020-01-01T00:00:00Z")
		if got := glRefs(glCall(t, s, "GET", "/api/v1/initiatives?updated_since="+since, "", 200).get("initiatives"), "reference_num"); !slices.Equal(got, []string{"PRJ1-S-3"}) {
			t.Errorf("updated_since: %v, want [PRJ1-S-3]", got)
		}
	})
}
