package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
)

// TestNotFoundRevealsNothing asks, as a contributor of PRJ1, for records of
// every kind that do not exist and for records of PRJ3 that it may not see,
// by ID and by key, on the record's routes and on the routes under it, and
// checks that all four answer byte for byte alike: status 404, the same
// headers (but Date and X-Request-Id, which
// differ for every request) and the same body.
func TestNotFoundRevealsNothing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		tok := tokenFor(t, s, demo.Henry)
		must := func(method, path, body string) *jsonNode {
			t.Helper()
			resp := s.do(t, method, path, body)
			if resp.Status != http.StatusOK && resp.Status != http.StatusCreated {
				t.Fatalf("%s %s: %s", method, path, resp)
			}
			return resp.tree(t)
		}
		// Records of PRJ3, which the contributor may not see, made by the
		// administrator where the demo has none.
		ini := must("POST", "/api/v1/products/PRJ3/initiatives", `{"initiative":{"name":"Hidden initiative"}}`).get("initiative")
		ru := must("POST", "/api/v1/products/PRJ3/roll_up_releases", `{"roll_up_release":{"name":"Hidden roll-up"}}`).get("roll_up_release")
		kr := must("POST", "/api/v1/goals/242586561/key_results", `{"key_result":{"name":"Hidden key result"}}`).get("key_result")
		req := must("POST", "/api/v1/features/PRJ3-1/requirements", `{"requirement":{"name":"Hidden requirement","description":"x"}}`).get("requirement")
		ph := must("POST", "/api/v1/release_phases", `{"release_phase":{"release_id":"PRJ3-R-1","phase_type":"phase","name":"Hidden phase","start_on":"2019-01-01","end_on":"2019-01-02"}}`).get("release_phase")
		cm := must("POST", "/api/v1/releases/PRJ3-R-1/comments", `{"comment":{"body":"Hidden comment"}}`).get("comment")
		task := must("POST", "/api/v1/tasks", `{"task":{"name":"Hidden to-do","body":"x","taskable_type":"Release","taskable_id":"PRJ3-R-1"}}`).get("task")

		const missingID = "999999999"
		kinds := []struct {
			name string
			// invisible and missing keys; "" where the kind has no key
			hiddenID, hiddenKey, missingKey string
			// paths with %s for the record
			paths []string
			// body of a PUT to the record; "" for no PUT
			put string
		}{
			{"product", fmt.Sprint(demo.PRJ3), "PRJ3", "PRJ99", []string{"/api/v1/products/%s", "/api/v1/products/%s/releases",
				"/api/v1/products/%s/goals", "/api/v1/products/%s/initiatives", "/api/v1/products/%s/features", "/api/v1/products/%s/epics",
				"/api/v1/products/%s/users", "/api/v1/products/%s/roll_up_releases", "/api/v1/products/%s/comments"}, `{"product":{"name":"x"}}`},
			{"release", "342040612", "PRJ3-R-1", "PRJ3-R-999", []string{"/api/v1/releases/%s", "/api/v1/releases/%s/releases",
				"/api/v1/releases/%s/features", "/api/v1/releases/%s/epics", "/api/v1/releases/%s/comments", "/api/v1/releases/%s/release_phases",
				"/api/v1/releases/%s/tasks", "/api/v1/products/PRJ1/releases/%s", "/api/v1/products/PRJ3/releases/%s"}, `{"release":{"name":"x"}}`},
			{"roll-up release", ru.get("id").str(), ru.get("reference_num").str(), "PRJ3-MR-999", []string{"/api/v1/roll_up_releases/%s",
				"/api/v1/roll_up_releases/%s/releases"}, `{"roll_up_release":{"name":"x"}}`},
			{"goal", "242586561", "PRJ3-G-1", "PRJ3-G-999", []string{"/api/v1/goals/%s", "/api/v1/goals/%s/releases", "/api/v1/goals/%s/initiatives",
				"/api/v1/goals/%s/key_results", "/api/v1/goals/%s/features", "/api/v1/goals/%s/epics", "/api/v1/products/PRJ1/goals/%s"}, `{"goal":{"name":"x"}}`},
			{"initiative", ini.get("id").str(), ini.get("reference_num").str(), "PRJ3-S-999", []string{"/api/v1/initiatives/%s",
				"/api/v1/initiatives/%s/releases", "/api/v1/initiatives/%s/goals", "/api/v1/initiatives/%s/features", "/api/v1/initiatives/%s/epics",
				"/api/v1/products/PRJ1/initiatives/%s"}, `{"initiative":{"name":"x"}}`},
			{"key result", kr.get("id").str(), kr.get("reference_num").str(), "PRJ3-G-1-KR-999", []string{"/api/v1/key_results/%s"}, `{"key_result":{"name":"x"}}`},
			{"feature", fmt.Sprint(demo.FeaturePRJ3), "PRJ3-1", "PRJ3-999", []string{"/api/v1/features/%s", "/api/v1/features/%s/requirements",
				"/api/v1/features/%s/tasks"}, `{"feature":{"name":"x"}}`},
			{"requirement", req.get("id").str(), req.get("reference_num").str(), "PRJ3-1-999", []string{"/api/v1/requirements/%s",
				"/api/v1/requirements/%s/tasks"}, `{"requirement":{"name":"x"}}`},
			{"epic", fmt.Sprint(demo.EpicPRJ3), "PRJ3-E-3", "PRJ3-E-999", []string{"/api/v1/epics/%s", "/api/v1/epics/%s/features",
				"/api/v1/epics/%s/tasks"}, `{"epic":{"name":"x"}}`},
			{"release phase", ph.get("id").str(), "", "", []string{"/api/v1/release_phases/%s", "/api/v1/release_phases/%s/tasks"}, `{"release_phase":{"name":"x"}}`},
			{"comment", cm.get("id").str(), "", "", []string{"/api/v1/comments/%s"}, `{"comment":{"body":"x"}}`},
			{"to-do", task.get("id").str(), "", "", []string{"/api/v1/tasks/%s"}, `{"task":{"name":"x"}}`},
			{"user", "37063167", "", "", []string{"/api/v1/users/%s", "/api/v1/users/%s/product_roles", "/api/v1/users/%s/tasks"}, ""},
		}
		answer := func(resp *response) string {
			var hs []string
			for k, vs := range resp.Header {
				if k != "Date" && k != "X-Request-Id" { // different for every request
					hs = append(hs, k+": "+strings.Join(vs, ","))
				}
			}
			sort.Strings(hs)
			return fmt.Sprintf("%d\n%s\n%s", resp.Status, strings.Join(hs, "\n"), resp.Body)
		}
		var first string
		for _, k := range kinds {
			variants := [][2]string{{"missing by ID", missingID}, {"invisible by ID", k.hiddenID}}
			if k.hiddenKey != "" {
				variants = append(variants, [2]string{"missing by key", k.missingKey}, [2]string{"invisible by key", k.hiddenKey})
			}
			type call struct{ method, path, body string }
			var calls []call
			for _, p := range k.paths {
				calls = append(calls, call{"GET", p, ""})
			}
			if k.put != "" {
				calls = append(calls, call{"PUT", k.paths[0], k.put})
				if k.name != "product" { // products are not deleted through the API
					calls = append(calls, call{"DELETE", k.paths[0], ""})
				}
			}
			for _, c := range calls {
				var want, wantFrom string
				for _, v := range variants {
					path := fmt.Sprintf(c.path, v[1])
					resp := s.do(t, c.method, path, c.body, tok)
					got := answer(resp)
					if resp.Status != http.StatusNotFound {
						t.Errorf("%s: %s %s: %s, want 404", k.name, c.method, path, resp)
						continue
					}
					if want == "" {
						want, wantFrom = got, v[0]+" "+path
						continue
					}
					if got != want {
						t.Errorf("%s: %s %s (%s) answers\n%s\nbut %s answers\n%s", k.name, c.method, path, v[0], got, wantFrom, want)
					}
				}
				if first == "" {
					first = want
				} else if want != "" && want != first {
					t.Errorf("%s: %s %s answers\n%s\nunlike the other kinds:\n%s", k.name, c.method, c.path, want, first)
				}
			}
		}
		// The refused writes changed nothing.
		if got := s.do(t, "GET", "/api/v1/releases/PRJ3-R-1", "").tree(t).get("release", "name").str(); got != "Release 3 Project 3" {
			t.Errorf("PRJ3-R-1's name after the refused writes: %q", got)
		}
	})
}
