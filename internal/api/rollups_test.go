package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
)

// ruUser is a user of the role tests, with the API token the test server
// knows for it.
type ruUser struct {
	name  string
	id    int64
	token string
}

// The users of the role tests: the demo's administrator (Mary), owner of
// every PRJ product (John, through the product line) and contributor in PRJ1
// (Henry), and users added for these tests with one role each in PRJ1.
var (
	ruAdmin        = ruUser{"admin", demo.Mary, demo.Token}
	ruOwner        = ruUser{"owner", demo.John, strings.Repeat("0a", 32)}
	ruContributor  = ruUser{"contributor", demo.Henry, strings.Repeat("0b", 32)}
	ruContributor2 = ruUser{"other contributor", 7100000001, strings.Repeat("0c", 32)}
	ruReviewer     = ruUser{"reviewer", 7100000002, strings.Repeat("0d", 32)}
	ruViewer       = ruUser{"viewer", 7100000003, strings.Repeat("0e", 32)}
	ruNone         = ruUser{"no role", 7100000004, strings.Repeat("0f", 32)}
	ruUsers        = []ruUser{ruAdmin, ruOwner, ruContributor, ruContributor2, ruReviewer, ruViewer, ruNone}

	ruHenryID = strconv.FormatInt(demo.Henry, 10)
	ruJohnID  = strconv.FormatInt(demo.John, 10)
)

// ruTemplate holds the records of ruSeed.
var ruTemplate = demodb.NewTemplate("rollups", ruSeed, nil)

// ruSeed is the demo account with the role tests' users, their roles in
// PRJ1 and their tokens.
func ruSeed() *roadmap.Seed {
	seed := demo.Account()
	extra := []struct {
		u     ruUser
		roles []roadmap.SeedRole
	}{
		{ruContributor2, []roadmap.SeedRole{{ProductID: demo.PRJ1, Role: roadmap.RoleContributor}}},
		{ruReviewer, []roadmap.SeedRole{{ProductID: demo.PRJ1, Role: roadmap.RoleReviewer}, {ProductID: demo.PRJ3, Role: roadmap.RoleContributor}}},
		{ruViewer, []roadmap.SeedRole{{ProductID: demo.PRJ1, Role: roadmap.RoleViewer}}},
		{ruNone, nil},
	}
	for _, e := range extra {
		seed.Users = append(seed.Users, roadmap.User{ID: e.u.id, Name: "Test " + e.u.name,
			Email: fmt.Sprintf("user%d@example.com", e.u.id), CreatedAt: seed.Users[0].CreatedAt, UpdatedAt: seed.Users[0].UpdatedAt})
		for _, r := range e.roles {
			r.UserID = e.u.id
			seed.Roles = append(seed.Roles, r)
		}
	}
	for _, u := range ruUsers[1:] {
		seed.Tokens = append(seed.Tokens, roadmap.SeedToken{UserID: u.id, Hash: roadmap.HashToken(u.token)})
	}
	return seed
}

// ruServer starts an API server over a new database of the backend loaded
// with the demo account, the role tests' users, their roles in PRJ1 and
// their tokens. The reviewer of PRJ1 also contributes to PRJ3.
func ruServer(t testing.TB, backend string) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, ruTemplate.DSN(t, backend), store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(validated(t, api.New(db, api.Config{BaseURL: testBaseURL, Logger: slog.New(slog.DiscardHandler)})))
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL, DB: db, Client: srv.Client()}
}

// ruCall sends a request as user (the administrator when token is empty)
// that must be answered with status, and returns the parsed body, or nil
// when there is none.
func ruCall(t testing.TB, s *testServer, token, method, path, body string, status int) *jsonNode {
	t.Helper()
	if token == "" {
		token = demo.Token
	}
	r := s.do(t, method, path, body, token)
	if r.Status != status {
		t.Fatalf("%s %s: %s, want status %d", method, path, r, status)
	}
	if len(r.Body) == 0 {
		return nil
	}
	if r.Status >= 400 {
		ruCheckError(t, r)
	}
	return r.tree(t)
}

// ruCheckError checks that an error answer is {"errors":{"message":...}}
// and reveals nothing of the server's insides.
func ruCheckError(t testing.TB, r *response) {
	t.Helper()
	n, err := parseJSON(r.Body)
	if err != nil || !n.get("errors", "message").isString() {
		t.Errorf("error answer %s, want {\"errors\":{\"message\":...}}", r)
		return
	}
	if msg := strings.ToLower(string(r.Body)); strings.Contains(msg, "sql") || strings.Contains(msg, "panic") || strings.Contains(msg, ".go:") {
		t.Errorf("error answer shows internals: %s", r)
	}
}

// ruKeys returns the keys of an object in order.
func ruKeys(n *jsonNode) string { return strings.Join(n.keys, ",") }

// ruRefs returns the reference numbers of the items at key of a list answer.
func ruRefs(list *jsonNode, key string) []string {
	out := []string{}
	for _, it := range list.get(key).list {
		out = append(out, it.get("reference_num").str())
	}
	return out
}

// ruProjects returns the reference prefixes of the products a roll-up
// collects, as the given user sees them.
func ruProjects(t testing.TB, s *testServer, token, key string) []string {
	t.Helper()
	ru := ruCall(t, s, token, "GET", "/api/v1/roll_up_releases/"+key+"?fields=projects", "", 200).get("roll_up_release")
	out := []string{}
	for _, p := range ru.get("projects").list {
		out = append(out, p.get("reference_prefix").str())
	}
	return out
}

func TestRollUpReads(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		const compact = "id,reference_num,name,start_date,release_date,created_at,url,resource"

		byKey := ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/PRJ1-MR-2", "", 200)
		byID := ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/141021264", "", 200)
		reportDiffs(t, "by ID and by key", compare(byKey, byID, compareRules{}))
		if got := ruKeys(byKey.get("roll_up_release")); got != compact {
			t.Errorf("keys %s, want %s", got, compact)
		}
		// A release that is not a roll-up is no roll-up release.
		ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/PRJ1-R-1", "", 404)
		ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/999", "", 404)

		// fields: a plain list, or more keys of the release.
		plain := ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/PRJ1-MR-2?fields=name,master_release", "", 200).get("roll_up_release")
		if got := ruKeys(plain); got != "id,name,master_release" || plain.get("master_release").str() != "true" {
			t.Errorf("fields=name,master_release: %s", plain)
		}
		more := ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/PRJ1-MR-2?fields="+url.QueryEscape("*,theme,projects,comments_count"), "", 200).get("roll_up_release")
		if got := ruKeys(more); got != compact+",theme,comments_count,projects" {
			t.Errorf("fields=*,theme,projects,comments_count: keys %s", got)
		}
		if more.get("projects").String() != "[]" {
			t.Errorf("projects of PRJ1-MR-2: %s, want []", more.get("projects"))
		}

		list := ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/roll_up_releases", "", 200)
		if got := ruRefs(list, "roll_up_releases"); !slices.Equal(got, []string{"PRJ1-MR-2", "PRJ1-MR-1"}) {
			t.Errorf("roll-ups of PRJ1: %v, want in ID order PRJ1-MR-2, PRJ1-MR-1", got)
		}
		if got := ruKeys(list); got != "roll_up_releases,pagination" {
			t.Errorf("list keys %s", got)
		}
		reportDiffs(t, "list item and single record", compare(byKey.get("roll_up_release"), list.get("roll_up_releases").list[0], compareRules{}))
		page := ruCall(t, s, "", "GET", "/api/v1/products/131414752/roll_up_releases?per_page=1&page=2", "", 200)
		if got := ruRefs(page, "roll_up_releases"); !slices.Equal(got, []string{"PRJ1-MR-1"}) || page.get("pagination").String() != `{"total_records":2,"total_pages":2,"current_page":2}` {
			t.Errorf("page 2 of 1: %v %s", got, page.get("pagination"))
		}
		past := ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/roll_up_releases?page=5", "", 200)
		if past.get("roll_up_releases").String() != "[]" || past.get("pagination", "total_records").str() != "2" {
			t.Errorf("a page past the end: %s", past)
		}
		listed := ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/roll_up_releases?fields=name,theme", "", 200).get("roll_up_releases").list[0]
		if ruKeys(listed) != "id,name,theme" || listed.get("theme", "id").str() == "" {
			t.Errorf("list with fields=name,theme: %s", listed)
		}
		if got := ruRefs(ruCall(t, s, "", "GET", "/api/v1/products/PRJ2/roll_up_releases", "", 200), "roll_up_releases"); len(got) != 0 {
			t.Errorf("roll-ups of PRJ2: %v, want none", got)
		}
		for _, bad := range []string{"page=0", "per_page=x", "page=-1"} {
			r := ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/roll_up_releases?"+bad, "", 400)
			if name := strings.SplitN(bad, "=", 2)[0]; !strings.Contains(r.get("errors", "message").str(), name) {
				t.Errorf("%s: message %s does not name the parameter", bad, r.get("errors", "message"))
			}
		}
		ruCall(t, s, "", "GET", "/api/v1/products/NOPE/roll_up_releases", "", 404)
		ruCall(t, s, "-", "GET", "/api/v1/roll_up_releases/PRJ1-MR-1", "", 401)
	})
}

func TestRollUpWrites(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		created := ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/roll_up_releases",
			`{"roll_up_release":{"name":" Big one ","theme":"<p>Theme</p>","start_date":"2030-01-02","release_date":"2030-03-04","owner":"john.smith@example.com"},"fields":"*,theme,owner,master_release,project"}`, 200).get("roll_up_release")
		want := map[string]string{"reference_num": "PRJ1-MR-3", "name": "Big one", "start_date": "2030-01-02", "release_date": "2030-03-04",
			"master_release": "true", "url": testBaseURL + "/master_releases/PRJ1-MR-3"}
		for k, v := range want {
			if created.get(k).str() != v {
				t.Errorf("created %s: %s, want %q", k, created.get(k), v)
			}
		}
		if created.get("theme", "body").str() != "<p>Theme</p>" || created.get("owner", "id").str() != ruJohnID || created.get("project", "reference_prefix").str() != "PRJ1" {
			t.Errorf("created theme, owner, project: %s", created)
		}
		// A roll-up is a release too: the release routes show it, under its own counter.
		rel := ruCall(t, s, "", "GET", "/api/v1/releases/PRJ1-MR-3", "", 200).get("release")
		if rel.get("master_release").str() != "true" || rel.get("workflow_status", "name").str() != "New" {
			t.Errorf("GET /releases/PRJ1-MR-3: %s", rel)
		}
		if next := ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"Plain"}}`, 200); next.get("release", "reference_num").str() != "PRJ1-R-5" {
			t.Errorf("the next release after a roll-up: %s, want PRJ1-R-5", next.get("release", "reference_num"))
		}

		// Updates, by key or ID, with the release's rules.
		upd := ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/"+created.get("id").str(),
			`{"roll_up_release":{"name":"Renamed","duration_source":"duration_from_sub_releases"},"fields":"name,duration_source"}`, 200).get("roll_up_release")
		if ruKeys(upd) != "id,name,duration_source" || upd.get("name").str() != "Renamed" || upd.get("duration_source").str() != "duration_from_sub_releases" {
			t.Errorf("update with fields: %s", upd)
		}
		// Its dates now follow the releases under it.
		ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"Child","parent_id":"PRJ1-MR-3","start_date":"2031-05-01","release_date":"2031-06-30"}}`, 200)
		after := ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/PRJ1-MR-3", "", 200).get("roll_up_release")
		if after.get("start_date").str() != "2031-05-01" || after.get("release_date").str() != "2031-06-30" {
			t.Errorf("dates from sub-releases: %s", after)
		}
		under := ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/PRJ1-MR-3/releases", "", 200)
		if got := ruRefs(under, "releases"); !slices.Equal(got, []string{"PRJ1-R-6"}) {
			t.Errorf("releases under PRJ1-MR-3: %v", got)
		}

		// Failed requests change nothing.
		before := ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/roll_up_releases?fields=*,theme,projects,updated_at", "", 200)
		for _, c := range []struct {
			method, path, body string
			status             int
			field              string
		}{
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"theme":"no name"}}`, 422, "name"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"   "}}`, 422, "name"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":5}}`, 400, "name"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","project_ids":{"a":1}}}`, 400, "project_ids"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","project_ids":["NOPE"]}}`, 422, "project_ids"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","project_ids":["PRJ\u00002"]}}`, 422, "project_ids"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","project_ids":["0"]}}`, 422, "project_ids"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","project_ids":["99999999999999999999"]}}`, 422, "project_ids"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","start_date":"2030-05-01","release_date":"2030-04-01"}}`, 422, "start_date"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","parent_id":"PRJ1-R-1"}}`, 422, "parent_id"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"X","status":"Nope"}}`, 422, "workflow_status"},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"release":{"name":"X"}}`, 400, ""},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":`, 400, ""},
			{"POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"` + strings.Repeat("x", 1<<20) + `"}}`, 413, ""},
			{"PUT", "/api/v1/roll_up_releases/PRJ1-MR-1", `{"roll_up_release":{"name":""}}`, 422, "name"},
			{"PUT", "/api/v1/roll_up_releases/PRJ1-MR-1", `{"roll_up_release":{"parent_id":"PRJ1-MR-1"}}`, 422, "parent_id"},
			{"PUT", "/api/v1/roll_up_releases/PRJ1-MR-1", `{"roll_up_release":{"project_ids":["PRJ2","NOPE"]}}`, 422, "project_ids"},
			{"PUT", "/api/v1/roll_up_releases/PRJ1-MR-3", `{"roll_up_release":{"release_date":"2032-01-01"}}`, 422, "release_date"},
			{"PUT", "/api/v1/roll_up_releases/PRJ1-R-1", `{"roll_up_release":{"name":"Not a roll-up"}}`, 404, ""},
			{"PUT", "/api/v1/roll_up_releases/PRJ1-MR-1", ``, 400, ""},
		} {
			r := ruCall(t, s, "", c.method, c.path, c.body, c.status)
			if c.field != "" && r.get("errors", "field").str() != c.field {
				t.Errorf("%s %s %.60s: field %s, want %s", c.method, c.path, c.body, r.get("errors", "field"), c.field)
			}
		}
		reportDiffs(t, "roll-ups after failed requests", compare(before, ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/roll_up_releases?fields=*,theme,projects,updated_at", "", 200), compareRules{}))
		if got := ruCall(t, s, "", "GET", "/api/v1/releases/PRJ1-R-1", "", 200).get("release", "name").str(); got != "Release 1" {
			t.Errorf("PRJ1-R-1 after a roll-up PUT on it: name %q", got)
		}
		if next := ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"Next"}}`, 200); next.get("roll_up_release", "reference_num").str() != "PRJ1-MR-4" {
			t.Errorf("the number after failed creates: %s, want PRJ1-MR-4", next.get("roll_up_release", "reference_num"))
		}
	})
}

func TestRollUpProjects(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := ruServer(t, backend)
		// The set drops duplicates and the roll-up's own product, whose
		// releases it always takes.
		ru := ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/roll_up_releases",
			`{"roll_up_release":{"name":"Across","project_ids":"PRJ3, 517761884,PRJ1,PRJ2"}}`, 200).get("roll_up_release")
		key := ru.get("reference_num").str()
		if got := ruProjects(t, s, "", key); !slices.Equal(got, []string{"PRJ2", "PRJ3"}) {
			t.Fatalf("projects: %v, want PRJ2 PRJ3", got)
		}
		ruCall(t, s, "", "PUT", "/api/v1/products/PRJ2/releases/PRJ2-R-1", `{"release":{"parent_id":"`+key+`"}}`, 200)
		ruCall(t, s, "", "PUT", "/api/v1/products/PRJ3/releases/PRJ3-R-1", `{"release":{"parent_id":"`+key+`"}}`, 200)
		ruCall(t, s, "", "PUT", "/api/v1/products/PRJ1/releases/PRJ1-R-2", `{"release":{"parent_id":"`+key+`"}}`, 200)

		// Replacing the set detaches the releases of the products that leave it.
		ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"project_ids":["PRJ3"]}}`, 200)
		if got := ruProjects(t, s, "", key); !slices.Equal(got, []string{"PRJ3"}) {
			t.Errorf("projects after the update: %v, want PRJ3", got)
		}
		under := ruCall(t, s, "", "GET", "/api/v1/releases/"+key+"/releases", "", 200)
		if got := ruRefs(under, "releases"); !slices.Equal(got, []string{"PRJ1-R-2", "PRJ3-R-1"}) {
			t.Errorf("releases under %s: %v, want PRJ1-R-2 PRJ3-R-1", key, got)
		}
		if ruCall(t, s, "", "GET", "/api/v1/releases/PRJ2-R-1", "", 200).get("release").has("parent") {
			t.Errorf("PRJ2-R-1 is still under %s after PRJ2 left its set", key)
		}
		// A PUT without project_ids leaves the set alone; [] empties it.
		ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"name":"Same set"}}`, 200)
		if got := ruProjects(t, s, "", key); !slices.Equal(got, []string{"PRJ3"}) {
			t.Errorf("projects after a PUT without project_ids: %v, want PRJ3", got)
		}
		ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"project_ids":[]}}`, 200)
		if got := ruProjects(t, s, "", key); len(got) != 0 {
			t.Errorf("projects after []: %v, want none", got)
		}

		// Henry contributes to PRJ1 only: he can't name PRJ2 (he may not see
		// it), sees only the products he may see, and his changes to the set
		// leave the others in place.
		ruCall(t, s, ruContributor.token, "POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"Henry's","project_ids":["PRJ2"]}}`, 422)
		ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"project_ids":["PRJ2","PRJ4"]}}`, 200)
		if got := ruProjects(t, s, ruContributor.token, key); len(got) != 0 {
			t.Errorf("projects as Henry sees them: %v, want none", got)
		}
		ruCall(t, s, ruContributor.token, "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"project_ids":[]}}`, 200)
		renamed := ruCall(t, s, ruContributor.token, "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"name":"Renamed by Henry"},"fields":"projects"}`, 200)
		if got := renamed.get("roll_up_release", "projects").String(); got != "[]" {
			t.Errorf("projects in Henry's update answer: %s, want none he may not see", got)
		}
		if got := ruProjects(t, s, "", key); !slices.Equal(got, []string{"PRJ2", "PRJ4"}) {
			t.Errorf("projects after Henry's update: %v, want PRJ2 PRJ4 kept", got)
		}
		// The reviewer of PRJ1 may not add PRJ1 roll-ups at all.
		ruCall(t, s, ruReviewer.token, "POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"No"}}`, 403)
	})
}

func TestRollUpProjectsNeedWriteAccess(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := ruServer(t, backend)
		// The reviewer of PRJ1 contributes to PRJ3: it may make roll-ups
		// there, but not collect PRJ1 (it may only read it) nor PRJ2 (it
		// may not see it).
		r := ruCall(t, s, ruReviewer.token, "POST", "/api/v1/products/PRJ3/roll_up_releases", `{"roll_up_release":{"name":"R","project_ids":["PRJ1"]}}`, 403)
		if !strings.Contains(r.get("errors", "message").str(), "PRJ1") {
			t.Errorf("message %s does not name PRJ1", r.get("errors", "message"))
		}
		r = ruCall(t, s, ruReviewer.token, "POST", "/api/v1/products/PRJ3/roll_up_releases", `{"roll_up_release":{"name":"R","project_ids":["PRJ2"]}}`, 422)
		if r.get("errors", "field").str() != "project_ids" {
			t.Errorf("field %s, want project_ids", r.get("errors", "field"))
		}
		ruCall(t, s, ruReviewer.token, "POST", "/api/v1/products/PRJ3/roll_up_releases", `{"roll_up_release":{"name":"R","project_ids":["PRJ3"]}}`, 200)
		if got := ruRefs(ruCall(t, s, "", "GET", "/api/v1/products/PRJ3/roll_up_releases", "", 200), "roll_up_releases"); !slices.Equal(got, []string{"PRJ3-MR-1"}) {
			t.Errorf("roll-ups of PRJ3: %v, want only PRJ3-MR-1 (refused creates leave nothing)", got)
		}

		// Removing PRJ1 from a roll-up that collects it needs write access to
		// PRJ1 too, since its releases leave the roll-up; keeping it does not.
		ru := ruCall(t, s, "", "POST", "/api/v1/products/PRJ3/roll_up_releases", `{"roll_up_release":{"name":"Shared","project_ids":["PRJ1"]}}`, 200)
		key := ru.get("roll_up_release", "reference_num").str()
		ruCall(t, s, ruReviewer.token, "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"project_ids":[]}}`, 403)
		ruCall(t, s, ruReviewer.token, "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"name":"Kept","project_ids":["PRJ1"]}}`, 200)
		if got := ruProjects(t, s, ruReviewer.token, key); !slices.Equal(got, []string{"PRJ1"}) {
			t.Errorf("projects: %v, want PRJ1", got)
		}
		// The owner of PRJ1 may remove it.
		ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/"+key, `{"roll_up_release":{"project_ids":[]}}`, 200)
	})
}

func TestRollUpParentMustCollectProduct(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		put := `{"release":{"parent_id":"PRJ1-MR-1"}}`
		r := ruCall(t, s, "", "PUT", "/api/v1/products/PRJ2/releases/PRJ2-R-1", put, 422)
		if r.get("errors", "field").str() != "parent_id" {
			t.Errorf("field %s, want parent_id", r.get("errors", "field"))
		}
		if ruCall(t, s, "", "GET", "/api/v1/releases/PRJ2-R-1", "", 200).get("release").has("parent") {
			t.Errorf("PRJ2-R-1 went under PRJ1-MR-1, which does not collect PRJ2")
		}
		// Releases of the roll-up's own product need nothing more.
		ruCall(t, s, "", "PUT", "/api/v1/products/PRJ1/releases/PRJ1-R-3", put, 200)
		ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/PRJ1-MR-1", `{"roll_up_release":{"project_ids":["PRJ2"]}}`, 200)
		got := ruCall(t, s, "", "PUT", "/api/v1/products/PRJ2/releases/PRJ2-R-1", put, 200)
		if got.get("release", "parent", "reference_num").str() != "PRJ1-MR-1" {
			t.Errorf("PRJ2-R-1's parent: %s", got.get("release", "parent"))
		}
	})
}

func TestRollUpDelete(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		ruCall(t, s, "", "PUT", "/api/v1/roll_up_releases/PRJ1-MR-2", `{"roll_up_release":{"project_ids":["PRJ2"]}}`, 200)
		ruCall(t, s, "", "PUT", "/api/v1/products/PRJ2/releases/PRJ2-R-1", `{"release":{"parent_id":"PRJ1-MR-2"}}`, 200)
		// Not a roll-up: not deleted through this route.
		ruCall(t, s, "", "DELETE", "/api/v1/roll_up_releases/PRJ1-R-1", "", 404)
		ruCall(t, s, "", "GET", "/api/v1/releases/PRJ1-R-1", "", 200)

		r := s.do(t, "DELETE", "/api/v1/roll_up_releases/PRJ1-MR-2", "")
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("DELETE: %s, want 204 without a body", r)
		}
		ruCall(t, s, "", "GET", "/api/v1/roll_up_releases/PRJ1-MR-2", "", 404)
		ruCall(t, s, "", "DELETE", "/api/v1/roll_up_releases/PRJ1-MR-2", "", 404)
		// The releases under it stay, detached.
		for _, ref := range []string{"PRJ1-R-4", "PRJ2-R-1"} {
			if rel := ruCall(t, s, "", "GET", "/api/v1/releases/"+ref, "", 200).get("release"); rel.has("parent") {
				t.Errorf("%s after its roll-up's delete: parent %s, want none", ref, rel.get("parent"))
			}
		}
		if got := ruRefs(ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/roll_up_releases", "", 200), "roll_up_releases"); !slices.Equal(got, []string{"PRJ1-MR-1"}) {
			t.Errorf("roll-ups of PRJ1 after the delete: %v", got)
		}
		// Numbers are not reused.
		if next := ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/roll_up_releases", `{"roll_up_release":{"name":"After"}}`, 200); next.get("roll_up_release", "reference_num").str() != "PRJ1-MR-3" {
			t.Errorf("the next roll-up: %s, want PRJ1-MR-3", next.get("roll_up_release", "reference_num"))
		}
	})
}

func TestComments(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := ruServer(t, backend)
		count := func(ref string) string {
			return ruCall(t, s, "", "GET", "/api/v1/releases/"+ref, "", 200).get("release", "comments_count").str()
		}
		const keys = "id,body,created_at,updated_at,user,attachments,url,resource,commentable"
		c := ruCall(t, s, ruContributor.token, "POST", "/api/v1/releases/PRJ1-MR-1/comments", `{"comment":{"body":"<p>On the roll-up</p>"}}`, 201).get("comment")
		cid := c.get("id").str()
		if ruKeys(c) != keys || c.get("user", "id").str() != ruHenryID || c.get("body").str() != "<p>On the roll-up</p>" {
			t.Errorf("created comment: %s", c)
		}
		if got := c.get("commentable").String(); got != `{"type":"Release","id":"292454904","product_id":"131414752","url":"`+testBaseURL+`/master_releases/PRJ1-MR-1","resource":"`+testBaseURL+`/api/v1/releases/PRJ1-MR-1"}` {
			t.Errorf("commentable: %s", got)
		}
		if count("PRJ1-MR-1") != "1" {
			t.Errorf("comments_count of PRJ1-MR-1: %s, want 1", count("PRJ1-MR-1"))
		}
		second := ruCall(t, s, "", "POST", "/api/v1/releases/278327321/comments", `{"comment":{"body":"Second"},"fields":"body"}`, 201).get("comment")
		if ruKeys(second) != "id,body" {
			t.Errorf("create with fields=body: %s", second)
		}
		if count("PRJ1-R-1") != "2" {
			t.Errorf("comments_count of PRJ1-R-1: %s, want 2", count("PRJ1-R-1"))
		}
		ruCall(t, s, "", "POST", "/api/v1/releases/PRJ2-R-1/comments", `{"comment":{"body":"Elsewhere"}}`, 201)

		onRelease := ruCall(t, s, "", "GET", "/api/v1/releases/PRJ1-R-1/comments", "", 200)
		if got := ruIDs(onRelease.get("comments")); !slices.Equal(got, []string{"517326331", second.get("id").str()}) {
			t.Errorf("comments on PRJ1-R-1: %v", got)
		}
		// The product's list holds the comments on all its records, in ID
		// order: those of the demo account (on PRJ1-1, PRJ1-E-1, PRJ1-1-1,
		// PRJ1-S-1, DEMOENT-G-1, whose product the reference gives as PRJ1,
		// and the to-do of PRJ1-1) and those on its releases.
		want := []string{"55160124", "133461614", "465979716", "517326331", "781701978", "821249787", "971503243", cid, second.get("id").str()}
		inProduct := ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/comments", "", 200)
		if got := ruIDs(inProduct.get("comments")); !slices.Equal(got, want) {
			t.Errorf("comments in PRJ1: %v, want %v", got, want)
		}
		// The last page of two-comment pages holds the newest comment alone.
		last := (len(want) + 1) / 2
		paged := ruCall(t, s, "", "GET", fmt.Sprintf("/api/v1/products/PRJ1/comments?per_page=2&page=%d&fields=body", last), "", 200)
		if got := paged.get("comments").String(); got != `[{"id":"`+second.get("id").str()+`","body":"Second"}]` ||
			paged.get("pagination").String() != fmt.Sprintf(`{"total_records":%d,"total_pages":%d,"current_page":%d}`, len(want), last, last) {
			t.Errorf("page %d of %d with fields=body: %s %s", last, last, got, paged.get("pagination"))
		}
		one := ruCall(t, s, "", "GET", "/api/v1/comments/"+cid, "", 200)
		reportDiffs(t, "GET of the created comment", compare(ruWrapComment(c), one, compareRules{}))

		upd := ruCall(t, s, ruContributor.token, "PUT", "/api/v1/comments/"+cid, `{"comment":{"body":"Edited"}}`, 200).get("comment")
		if upd.get("body").str() != "Edited" || upd.get("created_at").str() != c.get("created_at").str() {
			t.Errorf("updated comment: %s", upd)
		}
		reportDiffs(t, "GET after the update", compare(ruWrapComment(upd), ruCall(t, s, "", "GET", "/api/v1/comments/"+cid, "", 200), compareRules{}))

		for _, bad := range []struct {
			method, path, body string
			status             int
		}{
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `{"comment":{"body":"  "}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `{"comment":{}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `{"comment":{"body":null}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `{"comment":{"body":["x"]}}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `{"comment":{"body":"a\u0000b"}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `{"comment":{"body":"` + strings.Repeat("x", 100001) + `"}}`, 422},
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `{"body":"x"}`, 400},
			{"POST", "/api/v1/releases/PRJ1-R-1/comments", `[1]`, 400},
			{"POST", "/api/v1/releases/PRJ9-R-1/comments", `{"comment":{"body":"x"}}`, 404},
			{"PUT", "/api/v1/comments/" + cid, `{"comment":{"body":""}}`, 422},
			{"PUT", "/api/v1/comments/" + cid, `{"comment":{"body":1}}`, 400},
			{"GET", "/api/v1/comments/abc", ``, 404},
			{"GET", "/api/v1/comments/99999", ``, 404},
			{"PUT", "/api/v1/comments/99999", `{"comment":{"body":"x"}}`, 404},
			{"DELETE", "/api/v1/comments/99999", ``, 404},
			{"GET", "/api/v1/releases/PRJ1-R-1/comments?per_page=0", ``, 400},
			{"GET", "/api/v1/products/NOPE/comments", ``, 404},
		} {
			ruCall(t, s, "", bad.method, bad.path, bad.body, bad.status)
		}
		if count("PRJ1-R-1") != "2" || ruCall(t, s, "", "GET", "/api/v1/comments/"+cid, "", 200).get("comment", "body").str() != "Edited" {
			t.Errorf("failed requests changed comments")
		}

		r := s.do(t, "DELETE", "/api/v1/comments/"+cid, "", ruContributor.token)
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("DELETE: %s, want 204 without a body", r)
		}
		ruCall(t, s, "", "GET", "/api/v1/comments/"+cid, "", 404)
		if count("PRJ1-MR-1") != "0" {
			t.Errorf("comments_count of PRJ1-MR-1 after the delete: %s, want 0", count("PRJ1-MR-1"))
		}

		// A release's comments go with it.
		clearWork(t, s, "PRJ1-R-1")
		ruCall(t, s, "", "DELETE", "/api/v1/releases/PRJ1-R-1", "", 204)
		ruCall(t, s, "", "GET", "/api/v1/comments/517326331", "", 404)
		ruCall(t, s, "", "GET", "/api/v1/comments/"+second.get("id").str(), "", 404)
		ruCall(t, s, "", "GET", "/api/v1/releases/PRJ1-R-1/comments", "", 404)
		// Those on PRJ1-R-1's features, requirements and epics went with
		// them; those on the to-do (detached, kept), Initiative 1 and Goal 1
		// stay.
		if got := ruIDs(ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/comments", "", 200).get("comments")); !slices.Equal(got, []string{"55160124", "133461614", "821249787"}) {
			t.Errorf("comments in PRJ1 after PRJ1-R-1's delete: %v", got)
		}
	})
}

// ruWrapComment wraps a comment as a single-record answer.
func ruWrapComment(c *jsonNode) *jsonNode {
	return &jsonNode{obj: true, keys: []string{"comment"}, kv: map[string]*jsonNode{"comment": c}}
}

// TestRollUpRoles checks every write route of roll-ups and comments, and a
// read of each, for every role: the table is role × route × status.
func TestRollUpRoles(t *testing.T) {
	t.Parallel()
	const (
		ok   = 200
		made = 201
		gone = 204
		no   = 403
		nf   = 404
	)
	type row struct {
		route string
		// target prepares the record the request acts on, as the
		// administrator (or its author), and returns the request's path.
		target func(t *testing.T, s *testServer) string
		body   string
		// want is the status per user, in the order of ruUsers: admin,
		// owner, contributor, other contributor, reviewer, viewer, no role.
		want [7]int
	}
	fixed := func(path string) func(*testing.T, *testServer) string {
		return func(*testing.T, *testServer) string { return path }
	}
	n := 0
	newRollUp := func(t *testing.T, s *testServer) string {
		n++
		ru := ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/roll_up_releases", fmt.Sprintf(`{"roll_up_release":{"name":"Target %d"}}`, n), 200)
		return "/api/v1/roll_up_releases/" + ru.get("roll_up_release", "reference_num").str()
	}
	henrysComment := func(t *testing.T, s *testServer) string {
		c := ruCall(t, s, ruContributor.token, "POST", "/api/v1/releases/PRJ1-R-2/comments", `{"comment":{"body":"By Henry"}}`, 201)
		return "/api/v1/comments/" + c.get("comment", "id").str()
	}
	rows := []row{
		{"GET /api/v1/roll_up_releases/:id", fixed("/api/v1/roll_up_releases/PRJ1-MR-1"), "", [7]int{ok, ok, ok, ok, ok, ok, nf}},
		{"GET /api/v1/products/:product_id/roll_up_releases", fixed("/api/v1/products/PRJ1/roll_up_releases"), "", [7]int{ok, ok, ok, ok, ok, ok, nf}},
		{"POST /api/v1/products/:product_id/roll_up_releases", fixed("/api/v1/products/PRJ1/roll_up_releases"), `{"roll_up_release":{"name":"By role"}}`, [7]int{ok, ok, ok, ok, no, no, nf}},
		{"PUT /api/v1/roll_up_releases/:id", newRollUp, `{"roll_up_release":{"name":"Renamed by role"}}`, [7]int{ok, ok, ok, ok, no, no, nf}},
		{"DELETE /api/v1/roll_up_releases/:id", newRollUp, "", [7]int{gone, gone, gone, gone, no, no, nf}},
		{"GET /api/v1/releases/:release_id/comments", fixed("/api/v1/releases/PRJ1-R-1/comments"), "", [7]int{ok, ok, ok, ok, ok, ok, nf}},
		{"GET /api/v1/products/:product_id/comments", fixed("/api/v1/products/PRJ1/comments"), "", [7]int{ok, ok, ok, ok, ok, ok, nf}},
		{"GET /api/v1/comments/:id", fixed("/api/v1/comments/517326331"), "", [7]int{ok, ok, ok, ok, ok, ok, nf}},
		{"POST /api/v1/releases/:release_id/comments", fixed("/api/v1/releases/PRJ1-R-1/comments"), `{"comment":{"body":"By role"}}`, [7]int{made, made, made, made, no, no, nf}},
		// Henry is the author: the other contributor may not touch his comment.
		{"PUT /api/v1/comments/:id (Henry's)", henrysComment, `{"comment":{"body":"Changed by role"}}`, [7]int{ok, ok, ok, no, no, no, nf}},
		{"DELETE /api/v1/comments/:id (Henry's)", henrysComment, "", [7]int{gone, gone, gone, no, no, no, nf}},
		// John's comment: its author is the owner; the contributors may not touch it.
		{"PUT /api/v1/comments/:id (John's)", fixed("/api/v1/comments/517326331"), `{"comment":{"body":"Changed by role"}}`, [7]int{ok, ok, no, no, no, no, nf}},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		s := ruServer(t, backend)
		for _, r := range rows {
			method := strings.SplitN(r.route, " ", 2)[0]
			for i, u := range ruUsers {
				path := r.target(t, s)
				read := path
				if method == "POST" {
					read = ""
				}
				var before *jsonNode
				if read != "" {
					before = ruCall(t, s, "", "GET", read, "", 200)
				}
				got := s.do(t, method, path, r.body, u.token)
				if got.Status != r.want[i] {
					t.Errorf("%s as %s: %s, want %d", r.route, u.name, got, r.want[i])
					continue
				}
				if got.Status >= 400 {
					ruCheckError(t, got)
					if before != nil {
						reportDiffs(t, r.route+" refused to "+u.name+" changed the record", compare(before, ruCall(t, s, "", "GET", read, "", 200), compareRules{}))
					}
				}
			}
		}
		// Nothing a refused POST tried was written.
		for _, list := range []string{"/api/v1/products/PRJ1/roll_up_releases?per_page=200", "/api/v1/releases/PRJ1-R-1/comments?per_page=200"} {
			items := ruCall(t, s, "", "GET", list, "", 200)
			key := "roll_up_releases"
			if strings.Contains(list, "comments") {
				key = "comments"
			}
			created := 0
			for _, it := range items.get(key).list {
				if it.get("name").str() == "By role" || it.get("body").str() == "By role" {
					created++
				}
			}
			if created != 4 {
				t.Errorf("%s: %d records made by the POST of the table, want 4 (admin, owner, contributors)", list, created)
			}
		}
	})
}
