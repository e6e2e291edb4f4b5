package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateReference = flag.Bool("update", false, "rewrite testdata/reference from the Releases API reference before testing")

// referenceDir holds one golden file per example of the Releases API
// reference, written by TestReference with -update.
const referenceDir = "testdata/reference"

// fiscalYearStart is the fiscal year start month of the test servers (the
// default, January).
const fiscalYearStart = 1

// referenceSpecPath is where the reference lives next to a checkout of this
// module, relative to this package's directory.
func referenceSpecPath() (string, error) {
	return filepath.Abs(filepath.Join("..", "..", "..", "shared", "spec", "releases-api.md"))
}

// referenceExample is one request and documented answer of the reference, as
// stored in a golden file.
type referenceExample struct {
	Title  string `json:"title"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Body   string `json:"body"`
	Status int    `json:"status"`
	// Response is the documented body as written, so that its key order
	// survives; null when the reference documents none.
	Response json.RawMessage `json:"response"`

	file string
	want *jsonNode
}

var (
	refSectionRe = regexp.MustCompile("\\*\\*(GET|POST|PUT|DELETE)\\*\\* `([^`]+)`")
	refCurlRe    = regexp.MustCompile(`"https://company\.aha\.io([^"]+)"`)
	refBodyRe    = regexp.MustCompile(`-d '(.*?)'`)
	refRespRe    = regexp.MustCompile("(?s)```json\n(.*?)```")
	slugRe       = regexp.MustCompile(`[^a-z0-9]+`)
	// createdRe matches the create routes that answer 201 Created, as
	// Aha! answers them (../shared/docs/contract.md): features, epics,
	// requirements, goals, initiatives and comments; every other create
	// answers 200.
	createdRe = regexp.MustCompile(`^/api/v1/(releases/[^/]+/(features|epics)|products/[^/]+/(epics|goals|initiatives)|features/[^/]+/requirements|[a-z_]+/[^/]+/comments)$`)
)

// parseReference reads the examples of the reference: per "## " section its
// title, the method, the path and body of its curl request, and the first
// JSON block as the response.
func parseReference(doc string) ([]*referenceExample, error) {
	var out []*referenceExample
	for _, sec := range strings.Split(doc, "\n## ")[1:] {
		title := strings.TrimSpace(strings.SplitN(sec, "\n", 2)[0])
		m := refSectionRe.FindStringSubmatch(sec)
		u := refCurlRe.FindStringSubmatch(sec)
		if m == nil || u == nil {
			return nil, fmt.Errorf("section %q: no method or no curl request", title)
		}
		ex := &referenceExample{Title: title, Method: m[1], Path: u[1], Status: 200, Response: json.RawMessage("null")}
		if ex.Method == "DELETE" {
			ex.Status = 204
		}
		if ex.Method == "POST" && createdRe.MatchString(strings.SplitN(ex.Path, "?", 2)[0]) {
			ex.Status = 201
		}
		if b := refBodyRe.FindStringSubmatch(sec); b != nil {
			ex.Body = b[1]
		}
		if r := refRespRe.FindStringSubmatch(sec); r != nil {
			if _, err := parseJSON([]byte(r[1])); err != nil {
				return nil, fmt.Errorf("section %q: response: %v", title, err)
			}
			ex.Response = json.RawMessage(bytes.TrimSpace([]byte(r[1])))
		}
		if ex.Body != "" && !json.Valid([]byte(ex.Body)) {
			return nil, fmt.Errorf("section %q: the request body is not JSON", title)
		}
		out = append(out, ex)
	}
	if len(out) == 0 {
		return nil, errors.New("no examples found")
	}
	return out, nil
}

func slug(s string) string {
	return strings.Trim(slugRe.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// renderGolden returns the golden files for examples by file name: NN-slug.json,
// numbered in the reference's order, with the path's first segment added to
// the slug of a title seen before.
func renderGolden(examples []*referenceExample) (map[string][]byte, error) {
	files := map[string][]byte{}
	seen := map[string]bool{}
	for i, ex := range examples {
		s := slug(ex.Title)
		if seen[s] {
			first := strings.SplitN(strings.TrimPrefix(ex.Path, "/api/v1/"), "/", 2)[0]
			s += "-" + slug(first)
		}
		seen[s] = true
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ex); err != nil {
			return nil, fmt.Errorf("%s: %v", ex.Title, err)
		}
		files[fmt.Sprintf("%02d-%s.json", i+1, s)] = buf.Bytes()
	}
	return files, nil
}

func readReferenceSpec(t *testing.T) (map[string][]byte, error) {
	t.Helper()
	path, err := referenceSpecPath()
	if err != nil {
		return nil, err
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	examples, err := parseReference(string(doc))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return renderGolden(examples)
}

// writeGolden replaces the golden files with those of the reference.
func writeGolden(t *testing.T) {
	t.Helper()
	files, err := readReferenceSpec(t)
	if err != nil {
		t.Fatalf("-update needs the Releases API reference: %v", err)
	}
	if err := os.MkdirAll(referenceDir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, err := filepath.Glob(filepath.Join(referenceDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(referenceDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d golden files to %s", len(files), referenceDir)
}

// loadGolden reads the golden files in name order.
func loadGolden(t *testing.T) []*referenceExample {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(referenceDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("no golden files in %s; run go test -run TestReference -update", referenceDir)
	}
	var out []*referenceExample
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		ex := &referenceExample{file: strings.TrimSuffix(filepath.Base(name), ".json")}
		if err := json.Unmarshal(data, ex); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ex.Method == "" || !strings.HasPrefix(ex.Path, "/") || ex.Status == 0 {
			t.Fatalf("%s: method, path or status missing", name)
		}
		if len(ex.Response) > 0 && string(ex.Response) != "null" {
			if ex.want, err = parseJSON(ex.Response); err != nil {
				t.Fatalf("%s: response: %v", name, err)
			}
		}
		out = append(out, ex)
	}
	return out
}

// TestReference replays every example of the Releases API reference on a
// fresh demo server and compares the answer with the documented one.
func TestReference(t *testing.T) {
	t.Parallel()
	if *updateReference {
		writeGolden(t)
	}
	examples := loadGolden(t)
	byRoute := map[string]*referenceExample{}
	for _, ex := range examples {
		byRoute[ex.Method+" "+ex.Path] = ex
	}
	for _, ex := range examples {
		t.Run(ex.file, func(t *testing.T) {
			t.Parallel()
			eachBackend(t, func(t *testing.T, backend string) {
				replayExample(t, newDemoServer(t, backend), ex, byRoute)
			})
		})
	}
}

// TestReferenceGoldenFiles checks that the golden files are those that -update
// writes from the reference, when the reference is present.
func TestReferenceGoldenFiles(t *testing.T) {
	t.Parallel()
	files, err := readReferenceSpec(t)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("the Releases API reference is not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(referenceDir, name))
		if err != nil {
			t.Errorf("%s: %v (run go test -run TestReference -update)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the reference (run go test -run TestReference -update)", name)
		}
	}
	have, err := filepath.Glob(filepath.Join(referenceDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range have {
		if _, ok := files[filepath.Base(f)]; !ok {
			t.Errorf("%s: not an example of the reference (run go test -run TestReference -update)", f)
		}
	}
}

// window is the time span of a request, for checking values of "now".
type window struct{ start, end time.Time }

// days returns the UTC dates (YYYY-MM-DD) the window touches at its ends.
func (w window) days() []string {
	a := w.start.UTC().Format(time.DateOnly)
	b := w.end.UTC().Format(time.DateOnly)
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

var (
	stampRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	dateRe  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	digitRe = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// checkStamp checks that n is a millisecond UTC timestamp within a minute of
// the window.
func (w window) checkStamp(t *testing.T, path string, n *jsonNode) {
	t.Helper()
	s := n.str()
	if !n.isString() || !stampRe.MatchString(s) {
		t.Errorf("%s: %s is not a millisecond UTC timestamp", path, n)
		return
	}
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Errorf("%s: %s: %v", path, s, err)
		return
	}
	if ts.Before(w.start.Add(-time.Minute)) || ts.After(w.end.Add(time.Minute)) {
		t.Errorf("%s: %s is not within a minute of now (%s)", path, s, w.end.UTC().Format(time.RFC3339))
	}
}

// checkToday checks that n is today's UTC date.
func (w window) checkToday(t *testing.T, path string, n *jsonNode) {
	t.Helper()
	for _, d := range w.days() {
		if n.isString() && n.str() == d {
			return
		}
	}
	t.Errorf("%s: %s, want today %v", path, n, w.days())
}

func checkNewID(t *testing.T, path string, n *jsonNode) {
	t.Helper()
	if !n.isString() || !digitRe.MatchString(n.str()) {
		t.Errorf("%s: %s is not an ID (a string of digits)", path, n)
	}
}

// lastDayOfNextMonth is the default release date of a release created at now.
func lastDayOfNextMonth(now time.Time) string {
	now = now.UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 2, -1).Format(time.DateOnly)
}

// describeDate renders a date at a resolution as the contract defines it.
func describeDate(d time.Time, resolution string, fyStart int) (string, bool) {
	offset := (int(d.Month()) - fyStart + 12) % 12
	fy := d.Year()
	if fyStart > 1 && int(d.Month()) >= fyStart {
		fy++
	}
	fyName := fmt.Sprintf("FY%02d", fy%100)
	switch resolution {
	case "exact", "sync":
		return d.Format("Jan 2, 2006"), true
	case "week":
		monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		return "Week of " + monday.Format("Jan 2, 2006"), true
	case "month":
		return d.Month().String() + " " + fyName, true
	case "quarter":
		return fmt.Sprintf("Q%d %s", offset/3+1, fyName), true
	case "half":
		return fmt.Sprintf("H%d %s", offset/6+1, fyName), true
	case "year":
		return fyName, true
	}
	return "", false
}

var descriptionRes = map[string]*regexp.Regexp{
	"exact":   regexp.MustCompile(`^[A-Z][a-z]{2} \d{1,2}, \d{4}$`),
	"sync":    regexp.MustCompile(`^[A-Z][a-z]{2} \d{1,2}, \d{4}$`),
	"week":    regexp.MustCompile(`^Week of [A-Z][a-z]{2} \d{1,2}, \d{4}$`),
	"month":   regexp.MustCompile(`^(January|February|March|April|May|June|July|August|September|October|November|December) FY\d\d$`),
	"quarter": regexp.MustCompile(`^Q[1-4] FY\d\d$`),
	"half":    regexp.MustCompile(`^H[12] FY\d\d$`),
	"year":    regexp.MustCompile(`^FY\d\d$`),
}

// checkDescription checks external_release_date_description against the
// external date and its resolution, when the release has one.
func checkDescription(t *testing.T, rel *jsonNode) {
	t.Helper()
	if !rel.has("external_release_date_description") {
		return
	}
	res := rel.get("external_date_resolution").str()
	desc := rel.get("external_release_date_description")
	date := rel.get("external_release_date")
	if date == nil || date.isNull() {
		if !desc.isNull() {
			t.Errorf(".release.external_release_date_description: %s without an external_release_date", desc)
		}
		return
	}
	d, err := time.Parse(time.DateOnly, date.str())
	if err != nil {
		t.Errorf(".release.external_release_date: %s is not a date", date)
		return
	}
	want, ok := describeDate(d, res, fiscalYearStart)
	if !ok {
		t.Errorf(".release.external_date_resolution: unknown resolution %q", res)
		return
	}
	switch {
	case !desc.isString() || !descriptionRes[res].MatchString(desc.str()):
		t.Errorf(".release.external_release_date_description: %s does not fit resolution %q (want %q)", desc, res, want)
	case desc.str() != want:
		t.Errorf(".release.external_release_date_description: %q, want %q for %s at resolution %q", desc.str(), want, date.str(), res)
	}
}

// checkReleasedOn checks that released_on is a date exactly when the release
// is shipped.
func checkReleasedOn(t *testing.T, rel *jsonNode) {
	t.Helper()
	on := rel.get("released_on")
	if on == nil {
		return
	}
	released := rel.get("released")
	switch {
	case released.str() == "true" && !(on.isString() && dateRe.MatchString(on.str())):
		t.Errorf(".release.released_on: %s for a shipped release, want its date", on)
	case released.str() == "false" && !on.isNull():
		t.Errorf(".release.released_on: %s for a release that is not shipped, want null", on)
	}
}

func checkJSONContentType(t *testing.T, r *response) {
	t.Helper()
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %q, want application/json; charset=utf-8", ct)
	}
}

func reportDiffs(t *testing.T, what string, diffs []string) {
	t.Helper()
	if len(diffs) > 0 {
		t.Errorf("%s:\n\t%s", what, strings.Join(diffs, "\n\t"))
	}
}

// getJSON sends a GET that must answer 200 with JSON, and returns the tree.
func getJSON(t *testing.T, s *testServer, path string) *jsonNode {
	t.Helper()
	r := s.do(t, "GET", path, "")
	if r.Status != 200 {
		t.Fatalf("GET %s: %s, want 200", path, r)
	}
	checkJSONContentType(t, r)
	return r.tree(t)
}

// bodyFields returns the top-level fields key of a request body, if any.
func bodyFields(body string) string {
	var b struct {
		Fields string `json:"fields"`
	}
	_ = json.Unmarshal([]byte(body), &b)
	return b.Fields
}

var singleReleaseRe = regexp.MustCompile(`^/api/v1/releases/[^/]+$`)

func replayExample(t *testing.T, s *testServer, ex *referenceExample, golden map[string]*referenceExample) {
	w := window{start: time.Now()}
	got := s.do(t, ex.Method, ex.Path, ex.Body)
	w.end = time.Now()
	if got.Status != ex.Status {
		t.Fatalf("%s %s: %s, want status %d", ex.Method, ex.Path, got, ex.Status)
	}
	if ex.Method == "DELETE" {
		checkDeleted(t, s, ex, got)
		return
	}
	if ex.want == nil {
		t.Fatalf("the golden file documents no response")
	}
	checkJSONContentType(t, got)
	tree := got.tree(t)
	rel := tree.get("release")
	switch {
	case ex.Method == "POST" && strings.HasPrefix(ex.Title, "Create"):
		checkCreate(t, s, ex, tree, w)
	case ex.Method == "POST" && strings.HasSuffix(ex.Path, "/duplicate"):
		checkDuplicate(t, s, ex, tree)
	case ex.Method == "PUT":
		reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules(
			".release.updated_at", ".release.external_release_date_description", ".release.released_on")))
		if n := rel.get("updated_at"); n != nil {
			w.checkStamp(t, ".release.updated_at", n)
		}
		checkDescription(t, rel)
		checkReleasedOn(t, rel)
		id := ex.Path[strings.LastIndex(ex.Path, "/")+1:]
		after := getJSON(t, s, "/api/v1/releases/"+id)
		reportDiffs(t, "GET after the update differs from the update's answer", compare(tree, after, compareRules{}))
	case ex.Method == "GET" && singleReleaseRe.MatchString(ex.Path):
		reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules(
			".release.external_release_date_description", ".release.released_on")))
		checkDescription(t, rel)
		checkReleasedOn(t, rel)
	case ex.Method == "GET" && strings.HasPrefix(ex.Path, "/api/v1/roll_up_releases/"):
		// The reference's example lists the whole account, an artefact of its
		// example data: the route must answer as /releases/:id/releases does.
		otherPath := strings.Replace(ex.Path, "/roll_up_releases/", "/releases/", 1)
		other := getJSON(t, s, otherPath)
		reportDiffs(t, "differs from GET "+otherPath, compare(other, tree, compareRules{}))
		og := golden[ex.Method+" "+otherPath]
		if og == nil || og.want == nil {
			t.Fatalf("no golden file for GET %s", otherPath)
		}
		reportDiffs(t, "GET "+otherPath+" differs from the reference", compare(og.want, other, referenceRules()))
	default:
		reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules()))
	}
}

func checkCreate(t *testing.T, s *testServer, ex *referenceExample, tree *jsonNode, w window) {
	t.Helper()
	reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules(
		".release.id", ".release.created_at", ".release.updated_at",
		".release.release_date", ".release.external_release_date",
		".release.external_release_date_description", ".release.status_changed_on",
		".release.theme.id", ".release.theme.created_at", ".release.theme.updated_at",
		".release.workflow_status_times[].started_at")))
	rel := tree.get("release")
	if n := rel.get("id"); n != nil {
		checkNewID(t, ".release.id", n)
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if n := rel.get(k); n != nil {
			w.checkStamp(t, ".release."+k, n)
		}
	}
	if theme := rel.get("theme"); theme != nil && theme.obj {
		if n := theme.get("id"); n != nil {
			checkNewID(t, ".release.theme.id", n)
		}
		for _, k := range []string{"created_at", "updated_at"} {
			if n := theme.get(k); n != nil {
				w.checkStamp(t, ".release.theme."+k, n)
			}
		}
	}
	if times := rel.get("workflow_status_times"); times != nil && times.arr {
		for i, st := range times.list {
			if n := st.get("started_at"); n != nil {
				w.checkStamp(t, fmt.Sprintf(".release.workflow_status_times[%d].started_at", i), n)
			}
		}
	}
	if n := rel.get("status_changed_on"); n != nil {
		w.checkToday(t, ".release.status_changed_on", n)
	}
	if rd := rel.get("release_date"); rd != nil {
		a, b := lastDayOfNextMonth(w.start), lastDayOfNextMonth(w.end)
		if d := rd.str(); !rd.isString() || (d != a && d != b) {
			t.Errorf(".release.release_date: %s, want the last day of next month (%s)", rd, b)
		}
		if erd := rel.get("external_release_date"); erd != nil && erd.str() != rd.str() {
			t.Errorf(".release.external_release_date: %s, want the release_date %s", erd, rd)
		}
	}
	checkDescription(t, rel)

	path := "/api/v1/releases/PRJ1-R-5"
	if f := bodyFields(ex.Body); f != "" {
		path += "?fields=" + url.QueryEscape(f)
	}
	after := getJSON(t, s, path)
	reportDiffs(t, "GET "+path+" differs from the create's answer", compare(tree, after, compareRules{}))
}

func checkDuplicate(t *testing.T, s *testServer, ex *referenceExample, tree *jsonNode) {
	t.Helper()
	reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules(".release.id")))
	copyID := tree.get("release", "id")
	if copyID == nil {
		return
	}
	checkNewID(t, ".release.id", copyID)
	source := strings.TrimSuffix(ex.Path, "/duplicate")
	orig := getJSON(t, s, source)
	if copyID.str() == orig.get("release", "id").str() {
		t.Errorf(".release.id: %s is the source's ID", copyID)
	}
	c := getJSON(t, s, "/api/v1/releases/"+url.PathEscape(copyID.str()))
	if got := c.get("release", "reference_num"); got.str() != "PRJ1-R-5" {
		t.Errorf("the copy's reference_num: %s, want \"PRJ1-R-5\"", got)
	}
	wantName := ex.want.get("release", "name").str()
	if got := c.get("release", "name"); got.str() != wantName {
		t.Errorf("the copy's name: %s, want %q", got, wantName)
	}
}

func checkDeleted(t *testing.T, s *testServer, ex *referenceExample, got *response) {
	t.Helper()
	if len(got.Body) != 0 {
		t.Errorf("DELETE answered a body, want none: %s", got)
	}
	id := ex.Path[strings.LastIndex(ex.Path, "/")+1:]
	after := s.do(t, "GET", "/api/v1/releases/"+id, "")
	if after.Status != 404 {
		t.Fatalf("GET after DELETE: %s, want 404", after)
	}
	n, err := parseJSON(after.Body)
	if err != nil || !n.get("errors", "message").isString() {
		t.Errorf("GET after DELETE: body %s, want {\"errors\": {\"message\": ...}}", after)
	}
}
