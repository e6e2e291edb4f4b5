package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
)

// qLists are the lists that search names with q, and the key of the list in
// their answer.
var qLists = []struct{ path, key string }{
	{"/api/v1/products/PRJ1/releases", "releases"},
	{"/api/v1/features", "features"},
	{"/api/v1/epics", "epics"},
	{"/api/v1/initiatives", "initiatives"},
	{"/api/v1/features/{feature}/requirements", "requirements"},
}

// TestQueryParametersAreChecked sends every list that takes q, and the user
// list's email, values that used to answer 500: a q longer than SQLite's
// LIKE pattern limit, thousands of %, invalid UTF-8 and NUL. Each answers
// 400 naming the parameter, in the error shape.
func TestQueryParametersAreChecked(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		feature := createdID(t, s.do(t, "POST", "/api/v1/releases/PRJ1-R-1/features", `{"feature":{"name":"Searched"}}`), "feature")
		bad := map[string]string{
			"50,000 characters":        strings.Repeat("a", 50000),
			"25,000 percent signs":     strings.Repeat("%", 25000),
			"501 characters":           strings.Repeat("é", 501),
			"invalid UTF-8":            "\xff",
			"a NUL character":          "a\x00b",
			"50,000 escaped wildcards": strings.Repeat("_", 50000),
		}
		for _, l := range qLists {
			path := strings.ReplaceAll(l.path, "{feature}", feature)
			for what, q := range bad {
				r := s.do(t, "GET", path+"?q="+url.QueryEscape(q), "")
				if r.Status != 400 || r.json(t)["errors"].(map[string]any)["field"] != "q" {
					t.Errorf("GET %s with q of %s: %s, want 400 naming q", l.path, what, r)
				}
			}
			if r := s.do(t, "GET", path+"?q="+strings.Repeat("a", api.MaxQueryValueLen), ""); r.Status != 200 {
				t.Errorf("GET %s with q of %d characters: %s, want 200", l.path, api.MaxQueryValueLen, r)
			}
		}
		for _, raw := range []string{"email=%ff", "email=a%00b", "email=" + strings.Repeat("a", 600) + "@example.com"} {
			r := s.do(t, "GET", "/api/v1/users?"+raw, "")
			if r.Status != 400 || r.json(t)["errors"].(map[string]any)["field"] != "email" {
				t.Errorf("GET /api/v1/users?%.40s: %s, want 400 naming email", raw, r)
			}
		}
		for _, raw := range []string{"q=%zz", "%ff=1", "fields=" + strings.Repeat("a", api.MaxFieldsParamLen+1)} {
			for _, path := range []string{"/api/v1/products/PRJ1/releases", "/api/v1/no_such_route"} {
				r := s.do(t, "GET", path+"?"+raw, "")
				if msg, _ := r.json(t)["errors"].(map[string]any)["message"].(string); r.Status != 400 || msg == "Not found" {
					t.Errorf("GET %s?%.40s: %s, want 400 saying what is wrong", path, raw, r)
				}
			}
		}
	})
}

// TestWildcardsMatchLiterally searches each list for names holding % and _:
// they match those characters only, not any text.
func TestWildcardsMatchLiterally(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		feature := createdID(t, s.do(t, "POST", "/api/v1/releases/PRJ1-R-1/features", `{"feature":{"name":"Holder"}}`), "feature")
		create := map[string]func(name string) *response{
			"releases": func(n string) *response {
				return s.do(t, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"`+n+`"}}`)
			},
			"features": func(n string) *response {
				return s.do(t, "POST", "/api/v1/releases/PRJ1-R-1/features", `{"feature":{"name":"`+n+`"}}`)
			},
			"epics": func(n string) *response {
				return s.do(t, "POST", "/api/v1/releases/PRJ1-R-1/epics", `{"epic":{"name":"`+n+`"}}`)
			},
			"initiatives": func(n string) *response {
				return s.do(t, "POST", "/api/v1/products/PRJ1/initiatives", `{"initiative":{"name":"`+n+`"}}`)
			},
			"requirements": func(n string) *response {
				return s.do(t, "POST", "/api/v1/features/"+feature+"/requirements", `{"requirement":{"name":"`+n+`"}}`)
			},
		}
		names := []string{`Lit 100% done`, `Lit 100 done`, `Lit a_b`, `Lit axb`, `Lit back\\slash`, `Lit backslash`}
		for _, l := range qLists {
			for _, n := range names {
				if r := create[l.key](n); r.Status != 200 && r.Status != 201 {
					t.Fatalf("creating %s %q: %s", l.key, n, r)
				}
			}
			path := strings.ReplaceAll(l.path, "{feature}", feature)
			for q, want := range map[string]string{"100%": "Lit 100% done", "a_b": "Lit a_b", `k\s`: `Lit back\slash`, "%": "Lit 100% done", "_": "Lit a_b"} {
				r := s.do(t, "GET", path+"?per_page=200&q="+url.QueryEscape(q), "")
				if r.Status != 200 {
					t.Fatalf("GET %s?q=%s: %s", l.path, q, r)
				}
				var got []string
				for _, it := range r.json(t)[l.key].([]any) {
					got = append(got, it.(map[string]any)["name"].(string))
				}
				if len(got) != 1 || got[0] != want {
					t.Errorf("GET %s?q=%s lists %q, want only %q", l.path, q, got, want)
				}
			}
		}
	})
}

// createdID returns the id of the record a create answered with.
func createdID(t *testing.T, r *response, key string) string {
	t.Helper()
	if r.Status != 200 && r.Status != 201 {
		t.Fatalf("creating a %s: %s", key, r)
	}
	rec, _ := r.json(t)[key].(map[string]any)
	id, _ := rec["id"].(string)
	if id == "" {
		t.Fatalf("creating a %s: no id in %s", key, r)
	}
	return id
}
