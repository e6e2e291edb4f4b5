package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/roadmapd/roadmapd/internal/api/openapi"
)

// specValidator checks answers against the OpenAPI description. strict is
// the description as written; relaxed is the same with no required keys in
// records (but id), for requests that choose their keys with fields.
type specValidator struct {
	doc             *openapi3.T
	strict, relaxed routers.Router
}

var loadValidator = sync.OnceValues(func() (*specValidator, error) {
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	load := func() (*openapi3.T, error) {
		doc, err := openapi3.NewLoader().LoadFromData(openapi.JSON())
		if err != nil {
			return nil, fmt.Errorf("loading the description: %w", err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			return nil, fmt.Errorf("the description is not valid OpenAPI: %w", err)
		}
		// kin-openapi validates a 3.1 document's values by compiling each
		// response schema into a JSON Schema 2020-12 validator, every time,
		// and then, for schemas with references and no keyword new in
		// 2020-12 (all of ours), drops it and validates with its own
		// validator after all. Going to that validator directly gives the
		// same verdicts without the compilation, which would otherwise make
		// up most of the API suite's time.
		doc.OpenAPI = "3.0.3"
		return doc, nil
	}
	doc, err := load()
	if err != nil {
		return nil, err
	}
	strict, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	loose, err := load()
	if err != nil {
		return nil, err
	}
	seen := map[*openapi3.Schema]bool{}
	for _, s := range loose.Components.Schemas {
		relax(s, seen)
	}
	relaxed, err := gorillamux.NewRouter(loose)
	if err != nil {
		return nil, err
	}
	return &specValidator{doc: doc, strict: strict, relaxed: relaxed}, nil
})

// relax drops every required key but id from the schemas under s.
func relax(s *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if s == nil || s.Value == nil || seen[s.Value] {
		return
	}
	v := s.Value
	seen[v] = true
	var req []string
	for _, k := range v.Required {
		if k == "id" {
			req = append(req, k)
		}
	}
	v.Required = req
	for _, p := range v.Properties {
		relax(p, seen)
	}
	relax(v.Items, seen)
	relax(v.AdditionalProperties.Schema, seen)
	for _, x := range v.OneOf {
		relax(x, seen)
	}
	for _, x := range v.AllOf {
		relax(x, seen)
	}
}

// choosesFields tells whether a request picks its keys with fields, in the
// query or as a top-level key of its body.
func choosesFields(query url.Values, body []byte) bool {
	if query.Has("fields") {
		return true
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) == nil {
		_, ok := top["fields"]
		return ok
	}
	return false
}

// check validates one answer against the operation the description gives
// for the request: its status must be described, and its headers and body
// must match that status's response. A request that matches no described
// operation must have been answered 400 (a malformed query), 404 or 405,
// with the error shape.
func (v *specValidator) check(method, target string, reqBody []byte, status int, header http.Header, body []byte) error {
	if strings.EqualFold(header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("the gzip body does not open: %w", err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			return fmt.Errorf("the gzip body does not read: %w", err)
		}
	}
	if method == http.MethodHead {
		// A HEAD is answered as its GET, without the body.
		req := httptest.NewRequest(http.MethodGet, target, nil)
		route, _, err := v.strict.FindRoute(req)
		if err != nil {
			return fmt.Errorf("a HEAD to a route without a GET: %w", err)
		}
		if route.Operation.Responses.Value(strconv.Itoa(status)) == nil {
			return fmt.Errorf("status %d is not described for GET", status)
		}
		return nil
	}
	req := httptest.NewRequest(method, target, nil)
	router := v.strict
	if choosesFields(req.URL.Query(), reqBody) {
		router = v.relaxed
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if !errors.Is(err, routers.ErrPathNotFound) && !errors.Is(err, routers.ErrMethodNotAllowed) {
			return fmt.Errorf("finding the operation: %w", err)
		}
		if status != http.StatusBadRequest && status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("no operation in the description, yet answered %d", status)
		}
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			return fmt.Errorf("the %d answer is not JSON: %w", status, err)
		}
		return v.doc.Components.Schemas["Error"].Value.VisitJSON(doc, openapi3.EnableJSONSchema2020())
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}

// validated wraps the API so that every answer a test receives is checked
// against the OpenAPI description; a mismatch fails the test. The wrapper
// passes the request and the answer through as they come (it copies what
// goes by, and lets http.ResponseController reach the connection), so the
// server behaves as without it. Benchmarks get the server alone, so that
// they measure it without the copies.
func validated(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	if _, bench := t.(*testing.B); bench {
		return h
	}
	v, err := loadValidator()
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody bytes.Buffer
		if r.Body != nil {
			r.Body = teeBody{Reader: io.TeeReader(r.Body, &limitedBuffer{buf: &reqBody, max: 2 << 20}), Closer: r.Body}
		}
		cw := &captureWriter{ResponseWriter: w}
		h.ServeHTTP(cw, r)
		if r.Context().Err() != nil {
			// The client is gone: no one receives this answer.
			return
		}
		status := cw.status
		if status == 0 {
			status = http.StatusOK
		}
		if err := v.check(r.Method, r.URL.RequestURI(), reqBody.Bytes(), status, w.Header(), cw.body.Bytes()); err != nil {
			t.Errorf("%s %s answered %d, which the OpenAPI description does not allow: %v\nbody: %.600s", r.Method, r.URL.RequestURI(), status, err, cw.body.String())
		}
	})
}

// teeBody is a request body that copies what the handler reads.
type teeBody struct {
	io.Reader
	io.Closer
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// captureWriter passes an answer through and keeps its status and body.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *captureWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// golden is one recorded exchange of testdata.
type golden struct {
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Body     string          `json:"body"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
}

func goldenFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"testdata/reference/*.json", "testdata/related/*/*.json"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if filepath.Base(f) != "skipped.json" {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no golden files found")
	}
	return files
}

func readGolden(t *testing.T, file string) golden {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return g
}

func (g golden) check(v *specValidator) error {
	h := http.Header{}
	var body []byte
	if len(g.Response) > 0 && string(g.Response) != "null" {
		h.Set("Content-Type", "application/json; charset=utf-8")
		body = g.Response
	}
	return v.check(g.Method, g.Path, []byte(g.Body), g.Status, h, body)
}

// TestOpenAPIGoldenResponses checks every answer of the references' golden
// files against the description of its operation and status.
func TestOpenAPIGoldenResponses(t *testing.T) {
	t.Parallel()
	v, err := loadValidator()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range goldenFiles(t) {
		if err := readGolden(t, f).check(v); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestOpenAPICatchesMismatches shows that the description is strict enough
// to catch a renamed key, a missing key, a value of the wrong type, an
// undescribed status and an error in the wrong shape.
func TestOpenAPICatchesMismatches(t *testing.T) {
	t.Parallel()
	v, err := loadValidator()
	if err != nil {
		t.Fatal(err)
	}
	g := readGolden(t, "testdata/reference/01-create-a-release.json")
	if err := g.check(v); err != nil {
		t.Fatalf("the golden answer itself fails: %v", err)
	}
	edit := func(name string, change func(rel map[string]any), status int) {
		t.Helper()
		var resp map[string]any
		if err := json.Unmarshal(g.Response, &resp); err != nil {
			t.Fatal(err)
		}
		change(resp["release"].(map[string]any))
		b, _ := json.Marshal(resp)
		bad := g
		bad.Response, bad.Status = b, status
		if err := bad.check(v); err == nil {
			t.Errorf("%s: the validator accepts it", name)
		}
	}
	edit("a renamed key", func(rel map[string]any) {
		rel["reference_number"] = rel["reference_num"]
		delete(rel, "reference_num")
	}, 200)
	edit("a missing key", func(rel map[string]any) { delete(rel, "released") }, 200)
	edit("a boolean as a string", func(rel map[string]any) { rel["released"] = "false" }, 200)
	edit("an ID as a number", func(rel map[string]any) { rel["id"] = 6776757454440696808 }, 200)
	edit("a nested key of the wrong type", func(rel map[string]any) {
		rel["owner"].(map[string]any)["email"] = 7
	}, 200)
	edit("an undescribed status", func(map[string]any) {}, http.StatusAccepted)

	// A compressed answer is checked as the client reads it.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(g.Response)
	zw.Close()
	gz := http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}
	if err := v.check(g.Method, g.Path, []byte(g.Body), g.Status, gz, zb.Bytes()); err != nil {
		t.Errorf("the gzip-compressed golden answer fails: %v", err)
	}

	h := http.Header{"Content-Type": {"application/json"}}
	if err := v.check("GET", "/api/v1/releases/PRJ1-R-1", nil, 404, h, []byte(`{"error":"Not found"}`)); err == nil {
		t.Error("an error without the errors envelope is accepted")
	}
	if err := v.check("GET", "/api/v1/releases/PRJ1-R-1", nil, 404, h, []byte(`{"errors":{"message":"Not found"}}`)); err != nil {
		t.Errorf("the contract's error is refused: %v", err)
	}
	if err := v.check("GET", "/api/v1/nothing", nil, 200, h, []byte(`{}`)); err == nil {
		t.Error("a 200 on a route the description lacks is accepted")
	}
	// With fields, a record carries only the keys asked for.
	short := []byte(`{"release":{"id":"1","name":"R"}}`)
	if err := v.check("GET", "/api/v1/releases/PRJ1-R-1?fields=name", nil, 200, h, short); err != nil {
		t.Errorf("a record of the keys asked for with fields is refused: %v", err)
	}
	if err := v.check("GET", "/api/v1/releases/PRJ1-R-1", nil, 200, h, short); err == nil {
		t.Error("a record without its default keys is accepted when fields is not given")
	}
}

// TestOpenAPIServed checks that the description and its page are served
// without a token, and that the page lists every operation.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t, "sqlite")
	r := s.do(t, "GET", "/api/v1/openapi.json", "", "-")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %s", r)
	}
	if !bytes.Equal(r.Body, openapi.JSON()) {
		t.Error("the served description differs from the embedded one")
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	page := s.do(t, "GET", "/api/docs", "", "-")
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /api/docs: %d %s", page.Status, page.Header.Get("Content-Type"))
	}
	html := string(page.Body)
	if strings.Contains(html, "<script") || strings.Contains(html, "https://") {
		t.Error("the page loads a script or an external resource")
	}
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			n++
			want := fmt.Sprintf(`<span class="method">%s</span> <span class="path">%s</span>`, strings.ToUpper(method), path)
			if !strings.Contains(html, want) {
				t.Errorf("the page lacks %s %s", strings.ToUpper(method), path)
			}
		}
	}
	if n < 100 {
		t.Errorf("the description has %d operations; the API serves more", n)
	}
}
