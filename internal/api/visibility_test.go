package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
)

// ownerOfPRJ1 is a user the cross-product account adds, whose only role
// is owner of PRJ1 (the demo's owners of PRJ1 are administrators).
const ownerOfPRJ1 int64 = 648100777

// crossServer is a demo server whose account links records of PRJ1 to
// records of every other product, and the values that name them.
type crossServer struct {
	*testServer
	api *api.Server
	// values are, per path segment before a path parameter (releases,
	// goals, ...), the keys of PRJ1 records to put there.
	values map[string][]string
	// hidden are the IDs and reference numbers of the records of the
	// products that a user with a role in PRJ1 only may not see.
	hidden map[string]string
}

// crossTemplate holds the records of crossSeed.
var crossTemplate = demodb.NewTemplate("cross", crossSeed, nil)

// crossSeed is the demo account plus links across products (a feature link
// and an epic link from PRJ1 to PRJ3) and an owner of PRJ1.
func crossSeed() *roadmap.Seed {
	seed := demo.Account()
	seed.Features.Links = append(seed.Features.Links, roadmap.SeedFeatureLink{ID: 648100299, ParentID: demo.Feature1,
		ChildID: demo.FeaturePRJ3, LinkType: roadmap.LinkRelatesTo, LinkTypeID: roadmap.LinkRelatesToID, CreatedAt: time.Unix(1546300800, 0)})
	seed.Features.Links = append(seed.Features.Links, roadmap.SeedFeatureLink{ID: 648100298, ParentID: demo.FeaturePRJ3b,
		ChildID: demo.Feature2, LinkType: roadmap.LinkDependsOn, LinkTypeID: roadmap.LinkDependsOnID, CreatedAt: time.Unix(1546300800, 0)})
	seed.Epics.Links = append(seed.Epics.Links, roadmap.SeedEpicLink{ID: 510338299, ParentID: demo.Epic1, ChildID: demo.EpicPRJ3,
		LinkType: "Relates to", LinkTypeID: 10, CreatedAt: time.Unix(1546300800, 0)})
	seed.Users = append(seed.Users, roadmap.User{ID: ownerOfPRJ1, Name: "Olive Owner", Email: "olive.owner@example.com",
		CreatedAt: time.Unix(1546300800, 0), UpdatedAt: time.Unix(1546300800, 0)})
	seed.Roles = append(seed.Roles, roadmap.SeedRole{UserID: ownerOfPRJ1, ProductID: demo.PRJ1, Role: roadmap.RoleOwner})
	return seed
}

// newCrossServer seeds the demo account plus links across products (a
// feature link and an epic link from PRJ1 to PRJ3), then, as the
// administrator, links PRJ3-R-1 to goal DEMOENT-G-1 and initiative PRJ1-S-1,
// creates a PRJ3 initiative linked to PRJ1-R-1, a PRJ1 goal under a goal of
// the product line PL1 linked to PRJ3 records, a PRJ3 roll-up above PRJ1-R-2 and a
// PRJ3 release under PRJ1's roll-up, and points PRJ1 features and epics at
// PRJ3 and DEMOENT records.
func newCrossServer(t *testing.T, backend string) *crossServer {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, crossTemplate.DSN(t, backend), store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	h := api.New(db, api.Config{BaseURL: testBaseURL, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	s := &crossServer{testServer: &testServer{URL: srv.URL, DB: db, Client: srv.Client()}, api: h}

	must := func(method, path, body string) *jsonNode {
		t.Helper()
		resp := s.do(t, method, path, body)
		if resp.Status != http.StatusOK && resp.Status != http.StatusCreated {
			t.Fatalf("%s %s: %s", method, path, resp)
		}
		return resp.tree(t)
	}
	must("PUT", "/api/v1/releases/PRJ3-R-1", `{"release":{"goals":["602095703"],"initiatives":["423077122"]}}`)
	cross := must("POST", "/api/v1/products/PRJ3/initiatives", `{"initiative":{"name":"Cross initiative","releases":["PRJ1-R-1"],"goals":["602095703"]}}`)
	crossID := cross.get("initiative", "id").str()
	child := must("POST", "/api/v1/products/PRJ1/goals",
		fmt.Sprintf(`{"goal":{"name":"Child goal","parent_id":"%d","releases":["PRJ1-R-1","PRJ3-R-1"],"initiatives":["%s","PRJ1-S-1"]}}`, demo.ProductLineGoal1, crossID))
	childID := child.get("goal", "id").str()
	must("PUT", "/api/v1/releases/PRJ1-R-1", fmt.Sprintf(`{"release":{"goals":["%d","%s","%d","242586561"]}}`, demo.Goal1, childID, demo.ProductLineGoal1))
	kr := must("POST", "/api/v1/goals/"+childID+"/key_results", `{"key_result":{"name":"Child key result"}}`)
	must("PUT", "/api/v1/initiatives/PRJ1-S-1", fmt.Sprintf(`{"initiative":{"goals":["602095703","%s"],"parent_id":"%s"}}`, childID, crossID))
	rollUp := must("POST", "/api/v1/products/PRJ3/roll_up_releases", `{"roll_up_release":{"name":"PRJ3 roll-up","project_ids":["PRJ1"]}}`)
	must("PUT", "/api/v1/releases/PRJ1-R-2", fmt.Sprintf(`{"release":{"parent_id":"%s"}}`, rollUp.get("roll_up_release", "id").str()))
	must("PUT", "/api/v1/roll_up_releases/PRJ1-MR-1", `{"roll_up_release":{"project_ids":["PRJ3","PRJ2"]}}`)
	must("PUT", "/api/v1/releases/PRJ3-R-1", `{"release":{"parent_id":"PRJ1-MR-1"}}`)
	must("PUT", "/api/v1/features/PRJ1-2", fmt.Sprintf(`{"feature":{"goals":["602095703","%s"],"initiative":"%s"}}`, childID, crossID))
	must("PUT", "/api/v1/epics/PRJ1-E-2", fmt.Sprintf(`{"epic":{"goals":["%d"],"initiative":"%s"}}`, demo.ProductLineGoal1, crossID))
	must("POST", "/api/v1/releases/PRJ3-R-1/comments", `{"comment":{"body":"A comment in PRJ3"}}`)
	task := must("POST", "/api/v1/tasks", fmt.Sprintf(`{"task":{"name":"A PRJ1 to-do","body":"Do it","taskable_type":"Release","taskable_id":"PRJ1-R-1","assigned_to_users":["%d","%d","%d","%d"]}}`,
		demo.Henry, jeremySmith, janeSmith, ownerOfPRJ1))
	must("POST", "/api/v1/tasks", fmt.Sprintf(`{"task":{"name":"A PRJ3 to-do","body":"Do it","taskable_type":"Release","taskable_id":"PRJ3-R-1","assigned_to_users":["%d","%d","%d","%d"]}}`,
		demo.Henry, jeremySmith, janeSmith, ownerOfPRJ1))

	comments := must("GET", "/api/v1/releases/PRJ1-R-1/comments", "")
	var commentIDs []string
	for _, c := range comments.get("comments").list {
		commentIDs = append(commentIDs, c.get("id").str())
	}
	prj1 := must("GET", "/api/v1/products/PRJ1", "")
	hook := must("POST", "/api/v1/webhooks", `{"webhook":{"url":"http://127.0.0.1:9/hook"}}`)
	s.values = map[string][]string{
		"products":                 {"PRJ1"},
		"releases":                 {"PRJ1-R-1", "PRJ1-R-2", "PRJ1-MR-1", "PRJ1-MR-2"},
		"roll_up_releases":         {"PRJ1-MR-1"},
		"goals":                    {childID, fmt.Sprint(demo.Goal1)},
		"initiatives":              {"PRJ1-S-1"},
		"key_results":              {kr.get("key_result", "id").str()},
		"features":                 {"PRJ1-1", "PRJ1-2"},
		"epics":                    {"PRJ1-E-1", "PRJ1-E-2"},
		"requirements":             {fmt.Sprint(demo.Requirement1)},
		"release_phases":           {"20526005"},
		"comments":                 commentIDs,
		"tasks":                    {task.get("task", "id").str()},
		"workflows":                {prj1.get("product", "release_workflow", "id").str()},
		"custom_field_definitions": {fmt.Sprint(demo.FeatureDateCF)},
		"integrations":             {"204584239"},
		"fields":                   {"id"},
		"value":                    {"777"},
		"users":                    {fmt.Sprint(demo.Henry), fmt.Sprint(demo.John)},
		"webhooks":                 {hook.get("webhook", "id").str()},
	}

	// Every record of every product but PRJ1, as the administrator lists them.
	s.hidden = map[string]string{}
	hide := func(what string, n *jsonNode) {
		for _, k := range []string{"id", "reference_num", "reference_prefix"} {
			if v := n.get(k); v != nil && !v.isNull() && v.str() != "" {
				s.hidden[v.str()] = what
			}
		}
	}
	products := must("GET", "/api/v1/products?per_page=200", "")
	for _, p := range products.get("products").list {
		prefix := p.get("reference_prefix").str()
		if prefix == "PRJ1" {
			continue
		}
		hide("product "+prefix, p)
		for _, kind := range []string{"releases", "goals", "initiatives", "features", "epics", "roll_up_releases", "comments", "tasks"} {
			list := must("GET", "/api/v1/products/"+prefix+"/"+kind+"?per_page=200", "")
			for _, rec := range list.get(kind).list {
				hide(kind+" of "+prefix, rec)
				switch kind {
				case "goals":
					for _, k := range must("GET", "/api/v1/goals/"+rec.get("id").str()+"/key_results?per_page=200", "").get("key_results").list {
						hide("key result of "+prefix, k)
					}
				case "releases":
					for _, ph := range must("GET", "/api/v1/releases/"+rec.get("id").str()+"/release_phases?per_page=200", "").get("release_phases").list {
						hide("release phase of "+prefix, ph)
					}
				case "features":
					for _, q := range must("GET", "/api/v1/features/"+rec.get("id").str()+"/requirements?per_page=200", "").get("requirements").list {
						hide("requirement of "+prefix, q)
					}
				}
			}
		}
	}
	if _, ok := s.hidden[crossID]; !ok {
		t.Fatalf("the PRJ3 initiative %s is not among the hidden records", crossID)
	}
	return s
}

// allKeys asks for every key any representation shows on request, besides
// the default ones.
const allKeys = "*,watchers,parent,parents,children,initiatives,goals,key_results,features,releases,epics,epic," +
	"release,release_phase,initiative,requirements,integration_fields,custom_fields,project,projects,links," +
	"feature_links,epic_links,product_roles,workflow_status_times,assigned_to_user,record,tasks,belongs_to_release_phase," +
	"master_feature,created_by_user,user_roles"

// routePaths turns a GET pattern into the paths to request, one per
// combination of values; it reports the parameters it has no value for.
func (s *crossServer) routePaths(pattern string) ([]string, []string) {
	segs := strings.Split(strings.TrimPrefix(pattern, "GET "), "/")
	paths := []string{""}
	var missing []string
	for i, seg := range segs {
		if i == 0 {
			continue
		}
		vals := []string{seg}
		if strings.HasPrefix(seg, "{") {
			vals = s.values[segs[i-1]]
			if len(vals) == 0 {
				missing = append(missing, segs[i-1]+"/"+seg)
				vals = []string{"none"}
			}
		}
		var next []string
		for _, p := range paths {
			for _, v := range vals {
				next = append(next, p+"/"+v)
			}
		}
		paths = next
	}
	return paths, missing
}

// leaks returns the hidden IDs and reference numbers that body holds, each
// bounded by characters that cannot continue an ID or key.
func leaks(body []byte, hidden map[string]string) []string {
	var out []string
	tokens := regexp.MustCompile(`[A-Za-z0-9_-]+`).FindAll(body, -1)
	seen := map[string]bool{}
	for _, tok := range tokens {
		if what, ok := hidden[string(tok)]; ok && !seen[string(tok)] {
			seen[string(tok)] = true
			out = append(out, fmt.Sprintf("%s (%s)", tok, what))
		}
	}
	sort.Strings(out)
	return out
}

// TestEmbeddedRecordsOfInvisibleProducts requests every GET route of the
// API, with every key shown, as a viewer, a reviewer, a contributor and an
// owner of PRJ1 only, over an account where every link crosses products,
// and checks that no ID or reference number of a record of another product
// appears anywhere in any answer. The administrator sees the links, so the
// account does cross products.
func TestEmbeddedRecordsOfInvisibleProducts(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newCrossServer(t, backend)
		users := []struct {
			name string
			id   int64
		}{
			{"viewer", janeSmith}, {"reviewer", jeremySmith}, {"contributor", demo.Henry}, {"owner", ownerOfPRJ1},
		}
		var routes []string
		for _, p := range api.RoutePatterns(s.api) {
			if strings.HasPrefix(p, "GET ") {
				routes = append(routes, p)
			}
		}
		if len(routes) < 50 {
			t.Fatalf("only %d GET routes in the route table", len(routes))
		}
		// Admin control: the links cross products where it matters.
		adminLeaks := 0
		for _, route := range routes {
			paths, missing := s.routePaths(route)
			if len(missing) > 0 {
				t.Errorf("%s: no PRJ1 record to request for %v; add one to the test's values", route, missing)
				continue
			}
			for _, path := range paths {
				resp := s.do(t, "GET", path+"?per_page=200&fields="+allKeys, "")
				if resp.Status >= 500 {
					t.Errorf("administrator GET %s: %s", path, resp)
				}
				if len(leaks(resp.Body, s.hidden)) > 0 {
					adminLeaks++
				}
			}
		}
		for _, want := range []string{"/api/v1/releases/PRJ1-R-1", "/api/v1/initiatives/PRJ1-S-1", "/api/v1/goals/" + s.values["goals"][0],
			"/api/v1/features/PRJ1-1", "/api/v1/features/PRJ1-2", "/api/v1/epics/PRJ1-E-1", "/api/v1/releases/PRJ1-R-2"} {
			if l := leaks(s.do(t, "GET", want+"?fields="+allKeys, "").Body, s.hidden); len(l) == 0 {
				t.Errorf("administrator GET %s shows no record of another product; the account does not cross products there", want)
			}
		}
		if adminLeaks < 20 {
			t.Errorf("only %d answers to the administrator show records of other products", adminLeaks)
		}

		for _, u := range users {
			tok := tokenFor(t, s.testServer, u.id)
			t.Run(u.name, func(t *testing.T) {
				t.Parallel()
				ok := 0
				for _, route := range routes {
					paths, _ := s.routePaths(route)
					for _, path := range paths {
						for _, q := range []string{"", "?per_page=200&fields=" + allKeys} {
							resp := s.do(t, "GET", path+q, "", tok)
							if resp.Status >= 500 {
								t.Errorf("GET %s%s: %s", path, q, resp)
							}
							if resp.Status == http.StatusOK {
								ok++
							}
							if l := leaks(resp.Body, s.hidden); len(l) > 0 {
								t.Errorf("GET %s%s shows records of products the %s may not see: %v", path, q, u.name, l)
							}
						}
					}
				}
				if ok < 100 {
					t.Errorf("only %d answers were 200", ok)
				}
			})
		}
	})
}

// TestEmbeddedVisibilityKeepsWhatIsVisible checks that pruning keeps the
// embedded records of the viewer's own products and does not change list
// totals: PRJ1-R-1 keeps PRJ1-S-1, the PRJ1 goal keeps PRJ1-R-1, and the
// contributor's release list counts the same as the administrator's.
func TestEmbeddedVisibilityKeepsWhatIsVisible(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newCrossServer(t, backend)
		tok := tokenFor(t, s.testServer, demo.Henry)
		rel := s.do(t, "GET", "/api/v1/releases/PRJ1-R-1", "", tok).tree(t)
		var inits []string
		for _, in := range rel.get("release", "initiatives").list {
			inits = append(inits, in.get("reference_num").str())
		}
		if strings.Join(inits, ",") != "PRJ1-S-1" {
			t.Errorf("PRJ1-R-1's initiatives for the contributor: %v, want [PRJ1-S-1]", inits)
		}
		var goals []string
		for _, g := range rel.get("release", "goals").list {
			goals = append(goals, g.get("id").str())
		}
		if want := fmt.Sprintf("%d,%s", demo.Goal1, s.values["goals"][0]); strings.Join(goals, ",") != want {
			t.Errorf("PRJ1-R-1's goals for the contributor: %v, want the two of PRJ1 (%s)", goals, want)
		}
		goal := s.do(t, "GET", "/api/v1/goals/"+s.values["goals"][0], "", tok).tree(t)
		var rels []string
		for _, r := range goal.get("goal", "releases").list {
			rels = append(rels, r.get("reference_num").str())
		}
		if strings.Join(rels, ",") != "PRJ1-R-1" {
			t.Errorf("the PRJ1 goal's releases for the contributor: %v, want [PRJ1-R-1]", rels)
		}
		if goal.get("goal").has("parent") {
			t.Errorf("the PRJ1 goal shows its PL1 parent to the contributor: %s", goal.get("goal", "parent"))
		}
		for _, path := range []string{"/api/v1/products/PRJ1/releases", "/api/v1/releases/PRJ1-MR-1/releases", "/api/v1/products/PRJ1/features"} {
			admin := s.do(t, "GET", path, "").tree(t).get("pagination", "total_records").str()
			mine := s.do(t, "GET", path, "", tok).tree(t).get("pagination", "total_records").str()
			want := admin
			if path == "/api/v1/releases/PRJ1-MR-1/releases" {
				// The roll-up holds PRJ3-R-1, which the contributor may not see.
				var n json.Number = json.Number(admin)
				v, _ := n.Int64()
				want = fmt.Sprint(v - 1)
			}
			if mine != want {
				t.Errorf("GET %s: total_records %s for the contributor, want %s", path, mine, want)
			}
		}
	})
}

// TestEmbeddedVisibilityQueries checks that pruning costs the same number of
// queries for a page of 5 releases as for a page of 50: the viewer's products
// are loaded once per request, not once per embedded record.
func TestEmbeddedVisibilityQueries(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newCrossServer(t, backend)
		tok := tokenFor(t, s.testServer, demo.Henry)
		for i := 0; i < 50; i++ {
			resp := s.do(t, "POST", "/api/v1/products/PRJ1/releases", fmt.Sprintf(`{"release":{"name":"Listed %d","goals":["602095703","%s"],"initiatives":["PRJ1-S-1"]}}`, i, s.values["goals"][0]))
			if resp.Status != http.StatusOK {
				t.Fatalf("creating release %d: %s", i, resp)
			}
		}
		// The statements of the token's lookup are left out: the read
		// cache may hold the token's user for one request and not another.
		count := func(perPage int, tok string) int64 {
			var n atomic.Int64
			s.DB.Trace(func(query string, _ []any) {
				if !strings.Contains(query, "FROM api_tokens") {
					n.Add(1)
				}
			})
			defer s.DB.Trace(nil)
			resp := s.do(t, "GET", fmt.Sprintf("/api/v1/products/PRJ1/releases?per_page=%d&fields=*,goals,initiatives", perPage), "", tok)
			if resp.Status != http.StatusOK {
				t.Fatalf("listing: %s", resp)
			}
			return n.Load()
		}
		small, large := count(5, tok), count(50, tok)
		t.Logf("queries for a page of 5 releases: %d, of 50: %d; for the administrator, who needs no pruning: %d and %d",
			small, large, count(5, demo.Token), count(50, demo.Token))
		if small != large {
			t.Errorf("a page of 5 releases took %d queries, a page of 50 took %d", small, large)
		}
	})
}
