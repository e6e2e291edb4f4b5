package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
)

// testBaseURL is the base URL the test servers print in url and resource, the
// one the reference's examples show.
const testBaseURL = "http://company.aha.io"

// testServer is an API server over its own freshly seeded demo database.
type testServer struct {
	// URL is the server's root, without a trailing slash.
	URL string
	// DB is the store the server runs on, for tests that inspect or prepare
	// records directly.
	DB *store.DB
	// Client sends the requests of do.
	Client *http.Client
}

// response is an HTTP answer read in full.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// TestMain drops the test run's PostgreSQL database when the tests end.
func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// eachBackend runs fn as a parallel subtest per database backend.
func eachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, backend)
		})
	}
}

// newDemoServer starts an API server over a new database of the backend
// ("sqlite" or "postgres"), loaded with the demo account, and stops both
// when the test ends. Every call gets its own database, so tests using it
// may run in parallel.
func newDemoServer(t testing.TB, backend string) *testServer {
	t.Helper()
	return newServerOn(t, openStore(t, demodb.DSN(t, backend)))
}

// newDemoServerAt is newDemoServer on the empty database at dsn.
func newDemoServerAt(t testing.TB, dsn string) *testServer {
	t.Helper()
	db := openStore(t, dsn)
	loaded, err := db.Seed(context.Background(), demo.Account())
	if err != nil {
		t.Fatalf("seeding the demo account: %v", err)
	}
	if !loaded {
		t.Fatalf("seeding the demo account: the new database is not empty")
	}
	return newServerOn(t, db)
}

// openStore opens the store at dsn and closes it when the test ends.
func openStore(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	return db
}

// newServerOn starts an API server over db, stopped when the test ends.
func newServerOn(t testing.TB, db *store.DB) *testServer {
	t.Helper()
	h := api.New(db, api.Config{
		BaseURL: testBaseURL,
		Logger:  slog.New(slog.DiscardHandler),
		// Tests send many bad tokens from one address on purpose; the
		// throttle has tests of its own.
		AuthFailLimit: -1,
	})
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL, DB: db, Client: srv.Client()}
}

// do sends a request to the server and reads the whole answer. It sends the
// demo account's bearer token, or token[0] when given ("-" sends no
// Authorization header), and JSON Content-Type and Accept headers. An empty
// body sends none. Transport errors end the test.
func (s *testServer) do(t testing.TB, method, path, body string, token ...string) *response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	tok := demo.Token
	if len(token) > 0 {
		tok = token[0]
	}
	if tok != "-" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// json decodes the body as a JSON object, numbers as json.Number, and ends the
// test when it is not one.
func (r *response) json(t testing.TB) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("the body is not a JSON object (%v): %s", err, r)
	}
	if m == nil {
		t.Fatalf("the body is not a JSON object: %s", r)
	}
	return m
}

// tree parses the body into an order-keeping JSON tree and ends the test when
// it is not JSON.
func (r *response) tree(t testing.TB) *jsonNode {
	t.Helper()
	n, err := parseJSON(r.Body)
	if err != nil {
		t.Fatalf("the body is not JSON (%v): %s", err, r)
	}
	return n
}

// String shows the status and the start of the body, for failure messages.
func (r *response) String() string {
	b := string(r.Body)
	if len(b) > 600 {
		b = b[:600] + "..."
	}
	return fmt.Sprintf("%d %s", r.Status, b)
}

// jsonNode is a parsed JSON value that keeps the order of object keys, so
// that key order can be compared. Exactly one of obj and arr is set for
// objects and arrays; scalars hold a string, json.Number, bool or nil in val.
type jsonNode struct {
	obj  bool
	arr  bool
	keys []string
	kv   map[string]*jsonNode
	list []*jsonNode
	val  any
}

// parseJSON parses one JSON value, numbers as json.Number. Of a key repeated
// in an object, the last value counts and the first position.
func parseJSON(data []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseJSONNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return n, nil
}

func parseJSONNode(dec *json.Decoder) (*jsonNode, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := t.(json.Delim)
	if !ok {
		return &jsonNode{val: t}, nil
	}
	switch d {
	case '{':
		n := &jsonNode{obj: true, kv: map[string]*jsonNode{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, ok := kt.(string)
			if !ok {
				return nil, fmt.Errorf("object key %v is not a string", kt)
			}
			c, err := parseJSONNode(dec)
			if err != nil {
				return nil, err
			}
			if _, dup := n.kv[k]; !dup {
				n.keys = append(n.keys, k)
			}
			n.kv[k] = c
		}
		_, err := dec.Token()
		return n, err
	case '[':
		n := &jsonNode{arr: true}
		for dec.More() {
			c, err := parseJSONNode(dec)
			if err != nil {
				return nil, err
			}
			n.list = append(n.list, c)
		}
		_, err := dec.Token()
		return n, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

// get follows object keys from n and returns nil when one is missing or a
// step is not an object.
func (n *jsonNode) get(path ...string) *jsonNode {
	cur := n
	for _, p := range path {
		if cur == nil || !cur.obj {
			return nil
		}
		cur = cur.kv[p]
	}
	return cur
}

// has reports whether the object n holds key k.
func (n *jsonNode) has(k string) bool {
	if n == nil || !n.obj {
		return false
	}
	_, ok := n.kv[k]
	return ok
}

// str renders a scalar as text: a string as itself, a number as written,
// null as "null"; objects and arrays as JSON, and an absent node as "".
func (n *jsonNode) str() string {
	if n == nil {
		return ""
	}
	if n.obj || n.arr {
		return n.String()
	}
	switch v := n.val.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return "null"
	}
	return fmt.Sprint(n.val)
}

// isString reports whether n is a JSON string.
func (n *jsonNode) isString() bool {
	if n == nil {
		return false
	}
	_, ok := n.val.(string)
	return ok
}

// isNull reports whether n is a JSON null (not an absent key).
func (n *jsonNode) isNull() bool { return n != nil && !n.obj && !n.arr && n.val == nil }

// String renders n as compact JSON in its own key order, cut after 300
// characters, for failure messages.
func (n *jsonNode) String() string {
	if n == nil {
		return "<absent>"
	}
	var b strings.Builder
	n.write(&b)
	s := b.String()
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

func (n *jsonNode) write(b *strings.Builder) {
	switch {
	case n.obj:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kj, _ := json.Marshal(k)
			b.Write(kj)
			b.WriteByte(':')
			n.kv[k].write(b)
		}
		b.WriteByte('}')
	case n.arr:
		b.WriteByte('[')
		for i, c := range n.list {
			if i > 0 {
				b.WriteByte(',')
			}
			c.write(b)
		}
		b.WriteByte(']')
	default:
		j, _ := json.Marshal(n.val)
		b.Write(j)
	}
}

// compareRules says which values compare and which keys may be missing.
// Paths are written from the root as in ".release.theme.id", with array
// indexes written as "[]" (".release.workflow_status_times[].started_at").
type compareRules struct {
	// ignore lists paths whose values are not compared; the key must still be
	// present.
	ignore map[string]bool
	// ignoreKeys lists key names whose values are not compared wherever they
	// occur; the key must still be present.
	ignoreKeys map[string]bool
	// optional lists paths whose keys may be absent from got.
	optional map[string]bool
}

// referenceRules are the rules for comparing an answer with the reference:
// the given paths and every key named email (the demo account's emails differ
// from the reference's by design) are present but not compared.
func referenceRules(ignore ...string) compareRules {
	return compareRules{ignore: pathSet(ignore...), ignoreKeys: pathSet("email")}
}

func pathSet(paths ...string) map[string]bool {
	m := make(map[string]bool, len(paths))
	for _, p := range paths {
		m[p] = true
	}
	return m
}

var indexRe = regexp.MustCompile(`\[\d+\]`)

// genericPath writes path's array indexes as "[]".
func genericPath(path string) string { return indexRe.ReplaceAllString(path, "[]") }

func (r compareRules) skip(path string) bool {
	p := genericPath(path)
	if r.ignore[p] {
		return true
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 && r.ignoreKeys[p[i+1:]] {
		return true
	}
	return false
}

// compare reports the differences between want and got: missing and extra
// keys, the order of the keys both hold, array lengths, and values, under
// rules. Numbers compare by value, and a value at a key named id compares
// equal whether written as a number or as a string of the same digits.
func compare(want, got *jsonNode, rules compareRules) []string {
	var out []string
	compareAt(want, got, "", rules, &out)
	return out
}

func compareAt(want, got *jsonNode, path string, r compareRules, out *[]string) {
	at := path
	if at == "" {
		at = "(root)"
	}
	if r.skip(path) {
		if got == nil {
			*out = append(*out, fmt.Sprintf("%s: missing", at))
		}
		return
	}
	if got == nil {
		*out = append(*out, fmt.Sprintf("%s: missing, want %s", at, want))
		return
	}
	switch {
	case want.obj:
		if !got.obj {
			*out = append(*out, fmt.Sprintf("%s: got %s, want an object", at, got))
			return
		}
		var missing, extra, wantCommon, gotCommon []string
		for _, k := range want.keys {
			if _, ok := got.kv[k]; ok {
				wantCommon = append(wantCommon, k)
			} else if !r.optional[genericPath(path+"."+k)] {
				missing = append(missing, k)
			}
		}
		for _, k := range got.keys {
			if _, ok := want.kv[k]; ok {
				gotCommon = append(gotCommon, k)
			} else {
				extra = append(extra, k)
			}
		}
		if len(missing) > 0 {
			*out = append(*out, fmt.Sprintf("%s: missing keys %v", at, missing))
		}
		if len(extra) > 0 {
			*out = append(*out, fmt.Sprintf("%s: extra keys %v", at, extra))
		}
		if strings.Join(wantCommon, ",") != strings.Join(gotCommon, ",") {
			*out = append(*out, fmt.Sprintf("%s: key order %v, want %v", at, gotCommon, wantCommon))
		}
		for _, k := range want.keys {
			if g, ok := got.kv[k]; ok {
				compareAt(want.kv[k], g, path+"."+k, r, out)
			}
		}
	case want.arr:
		if !got.arr {
			*out = append(*out, fmt.Sprintf("%s: got %s, want an array", at, got))
			return
		}
		if len(want.list) != len(got.list) {
			*out = append(*out, fmt.Sprintf("%s: %d items, want %d: got %s, want %s", at, len(got.list), len(want.list), got, want))
			return
		}
		for i := range want.list {
			compareAt(want.list[i], got.list[i], fmt.Sprintf("%s[%d]", path, i), r, out)
		}
	default:
		if got.obj || got.arr || !scalarEqual(want, got, path) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", at, got, want))
		}
	}
}

func scalarEqual(want, got *jsonNode, path string) bool {
	if want.val == got.val {
		return true
	}
	wn, wnum := want.val.(json.Number)
	gn, gnum := got.val.(json.Number)
	if wnum && gnum {
		wf, err1 := wn.Float64()
		gf, err2 := gn.Float64()
		return err1 == nil && err2 == nil && wf == gf
	}
	// IDs: the reference prints a few as numbers, most as strings.
	if strings.HasSuffix(path, ".id") && (wnum || gnum) && want.val != nil && got.val != nil {
		return want.str() == got.str()
	}
	return false
}
