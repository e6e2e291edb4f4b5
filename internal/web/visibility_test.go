package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
)

// TestPagesHideRecordsOfInvisibleProducts links PRJ1-R-1 to an initiative
// of PRJ3, puts it under a PRJ3 roll-up and gives PRJ1-1 a PRJ3 goal (as the
// administrator, through the API), then checks that the viewer of PRJ1 sees
// none of them on the release and feature pages, while the administrator
// does.
func TestPagesHideRecordsOfInvisibleProducts(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		api := func(method, path, body string) {
			t.Helper()
			r := httptest.NewRequest(method, "http://company.aha.io"+path, strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+demo.Token)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if w.Code != http.StatusOK && w.Code != http.StatusCreated {
				t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
			}
		}
		api("POST", "/api/v1/products/PRJ3/initiatives", `{"initiative":{"name":"Hidden initiative","releases":["PRJ1-R-1"]}}`)
		api("POST", "/api/v1/products/PRJ3/roll_up_releases", `{"roll_up_release":{"name":"Hidden roll-up","project_ids":["PRJ1"]}}`)
		api("PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"parent_id":"PRJ3-MR-1","goals":["242586561","602095703"]}}`)
		api("PUT", "/api/v1/features/PRJ1-1", `{"feature":{"goals":["242586561"]}}`)
		hidden := []string{"Hidden initiative", "PRJ3-S-", "Hidden roll-up", "PRJ3-MR-1", "PRJ3-G-1"}

		admin := e.session(demo.Mary)
		e.must(e.get(admin, "/releases/PRJ1-R-1"), http.StatusOK, "Hidden initiative", "Hidden roll-up", "PRJ3-G-1")
		e.must(e.get(admin, "/features/PRJ1-1"), http.StatusOK, "PRJ3-G-1")

		viewer := e.session(jane)
		rel := e.get(viewer, "/releases/PRJ1-R-1")
		e.must(rel, http.StatusOK, "DEMOENT-G-1")
		e.mustNot(rel, hidden...)
		f := e.get(viewer, "/features/PRJ1-1")
		e.must(f, http.StatusOK)
		e.mustNot(f, hidden...)
	})
}
