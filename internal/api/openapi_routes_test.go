package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api/openapi"
)

// routePattern is a ServeMux pattern as the route tables write them.
var routePattern = regexp.MustCompile(`^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (/\S*)$`)

// sourceRoutes returns every route pattern written in the package's
// non-test sources: the keys of the route tables and the patterns handed
// to the mux directly (those built at run time are in Server.patterns).
func sourceRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var routes []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && routePattern.MatchString(s) {
				routes = append(routes, s)
			}
			return true
		})
	}
	slices.Sort(routes)
	return slices.Compact(routes)
}

// describedRoutes returns the operations of the OpenAPI description as mux
// patterns.
func describedRoutes(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	var routes []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				routes = append(routes, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(routes)
	return routes
}

// TestOpenAPIDescribesEveryRoute fails on a route the server serves that
// the OpenAPI description lacks, and on a described operation that the
// server does not route to a handler of that very pattern.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	served := sourceRoutes(t)
	described := describedRoutes(t)
	if len(served) < 100 {
		t.Fatalf("found only %d route patterns in the sources", len(served))
	}
	s := New(nil, Config{})
	// The route tables also build patterns (comments on each kind of
	// record); the server keeps every pattern it registered.
	served = append(served, s.patterns...)
	slices.Sort(served)
	served = slices.Compact(served)
	for _, r := range served {
		if !slices.Contains(described, r) {
			t.Errorf("the route %q is served but the OpenAPI description lacks it", r)
		}
	}
	params := regexp.MustCompile(`\{[^}]+\}`)
	for _, r := range described {
		method, path, _ := strings.Cut(r, " ")
		req := httptest.NewRequest(method, params.ReplaceAllString(path, "x1"), nil)
		if _, pattern := s.mux.Handler(req); pattern != r {
			t.Errorf("the description has %q, but the server routes such a request to %q", r, pattern)
		}
	}
}
