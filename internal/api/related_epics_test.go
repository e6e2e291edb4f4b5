package api_test

import (
	"bytes"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The examples of the epics reference, replayed from golden files the way
// TestReference replays the Releases API's: `go test ./internal/api -run
// TestRelatedEpics -update` rewrites testdata/related/epics from
// ../../../shared/spec/related/epics.md. Every example is in scope; where
// an example shows what the demo account cannot show, epCases says what
// differs and why.

const epDoc = "epics"

// epCase is how an example is replayed: the adjustments of glCase, and
// adjustments that depend on the server (features belong to another part
// of the account, which may hold the demo's feature PRJ1-1 or not).
type epCase struct {
	glCase
	dynamic func(t *testing.T, s *testServer) map[string]string
}

// Adjustments shared by several examples.
var (
	// epNew are the values of a new epic that only the server knows.
	epNew = []string{".epic.id", ".epic.created_at", ".epic.updated_at", ".epic.status_changed_on",
		".epic.description.id", ".epic.description.created_at", ".epic.description.updated_at",
		".epic.workflow_status_times[].started_at", ".epic.score"}
	epNewWhy = "scores come from score facts: a new epic without any scores 0"
	// epEpic1 adjusts Epic 1 as it is answered: it lists PRJ1-1 only where
	// the account holds that feature.
	epEpic1 = func(t *testing.T, s *testServer) map[string]string {
		fix := map[string]string{}
		if r := s.do(t, "GET", "/api/v1/features/PRJ1-1", ""); r.Status != 200 {
			fix[".epic.features"] = `[]`
		}
		return fix
	}
	epEpic1Why = "PRJ1-1 is listed only when the account holds the feature"
	epUpdated  = []string{".epic.updated_at"}
	// epTags are the tags as they are answered: in the order given, with
	// IDs and colors of their own.
	epTags = map[string]string{".epic.full_tags": `[{"id":"1","name":"tag2","color":"#52d3e0"},{"id":"2","name":"tag3","color":"#bb52e0"}]`}
)

var epCases = map[string]epCase{
	"epics/06-get-a-specific-epic":          {glCase: glCase{why: epEpic1Why}, dynamic: epEpic1},
	"epics/08-create-an-epic":               {glCase: glCase{ignore: epNew, why: epNewWhy}},
	"epics/09-create-an-epic-with-watchers": {glCase: glCase{ignore: epNew, why: epNewWhy}},
	"epics/10-create-an-epic-with-goals":    {glCase: glCase{ignore: epNew, why: epNewWhy}},
	"epics/11-create-an-epic-on-behalf-of-a-user": {
		glCase: glCase{
			ignore: epNew,
			fix:    map[string]string{".epic.created_by_user.id": `"1020675218"`, ".epic.created_by_user.name": `"Mary Humpty"`},
			why:    "created_by no-reply@aha.io is Mary Humpty in the demo account (the reference shows a Jeremy Smith, who is not in it); " + epNewWhy,
		},
	},
	"epics/12-create-an-epic-in-the-default-release": {glCase: glCase{ignore: epNew, why: "PRJ1's default release is PRJ1-R-1, its first unshipped release by date and number; " + epNewWhy}},
	"epics/13-update-an-epic": {
		glCase:  glCase{ignore: append([]string{".epic.description.updated_at"}, epUpdated...), why: epEpic1Why},
		dynamic: epEpic1,
	},
	"epics/14-update-an-epic-s-custom-fields": {
		glCase:  glCase{ignore: append([]string{".epic.custom_fields[].updatedAt"}, epUpdated...), why: epEpic1Why},
		dynamic: epEpic1,
	},
	"epics/15-update-an-epic-s-tags-with-comma-separated-values": {
		glCase: glCase{fix: epTags, ignore: append([]string{".epic.full_tags[].id", ".epic.full_tags[].color"}, epUpdated...),
			why: "full tags are listed in the order given (the reference lists them by their random IDs); tag colors are drawn from the tag's name, not from Aha!'s palette; " + epEpic1Why},
		dynamic: epEpic1,
	},
	"epics/16-update-an-epic-s-tags-with-an-array": {
		glCase: glCase{fix: epTags, ignore: append([]string{".epic.full_tags[].id", ".epic.full_tags[].color"}, epUpdated...),
			why: "tag colors are drawn from the tag's name, not from Aha!'s palette; " + epEpic1Why},
		dynamic: epEpic1,
	},
	"epics/17-update-an-epic-s-watchers":        {glCase: glCase{ignore: epUpdated, why: epEpic1Why}, dynamic: epEpic1},
	"epics/18-update-an-epic-s-goals":           {glCase: glCase{ignore: epUpdated, why: epEpic1Why}, dynamic: epEpic1},
	"epics/19-update-an-epic-s-score":           {glCase: glCase{ignore: append([]string{".epic.score_facts[].id"}, epUpdated...), why: epEpic1Why}, dynamic: epEpic1},
	"epics/20-update-an-epic-s-progress-source": {glCase: glCase{ignore: epUpdated, why: epEpic1Why}, dynamic: epEpic1},
	"epics/21-update-an-epic-s-progress":        {glCase: glCase{ignore: epUpdated, why: epEpic1Why}, dynamic: epEpic1},
}

// newEpicsServer starts a demo server whose account holds the demo's epics.
func newEpicsServer(t testing.TB, backend string) *testServer {
	t.Helper()
	return newDemoServer(t, backend)
}

// TestRelatedEpics replays the examples of the epics reference on fresh
// demo servers.
func TestRelatedEpics(t *testing.T) {
	t.Parallel()
	if *updateReference {
		glWrite(t, epDoc)
	}
	for _, ex := range glLoad(t, epDoc) {
		t.Run(ex.file, func(t *testing.T) {
			t.Parallel()
			eachBackend(t, func(t *testing.T, backend string) {
				epReplay(t, newEpicsServer(t, backend), ex, epCases[ex.file])
			})
		})
	}
}

// TestRelatedEpicsGoldenFiles checks that the golden files are those that
// -update writes from the reference, when it is present, and that every
// adjustment names an example.
func TestRelatedEpicsGoldenFiles(t *testing.T) {
	t.Parallel()
	files, err := glRender(epDoc)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("the epics reference is not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string]bool{}
	for name, want := range files {
		examples[epDoc+"/"+strings.TrimSuffix(name, ".json")] = true
		got, err := os.ReadFile(filepath.Join(glDir(epDoc), name))
		if err != nil {
			t.Errorf("%s: %v (run go test -run TestRelatedEpics -update)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the reference (run go test -run TestRelatedEpics -update)", name)
		}
	}
	have, err := filepath.Glob(filepath.Join(glDir(epDoc), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range have {
		if _, ok := files[filepath.Base(f)]; !ok {
			t.Errorf("%s: not an example of the reference (run go test -run TestRelatedEpics -update)", f)
		}
	}
	for name := range epCases {
		if !examples[name] {
			t.Errorf("epCases adjusts %s, which is not an example", name)
		}
	}
}

func epReplay(t *testing.T, s *testServer, ex *referenceExample, c epCase) {
	if ex.Method == "DELETE" {
		epCheckDelete(t, s, ex)
		return
	}
	gc := c.glCase
	if c.dynamic != nil {
		gc.fix = glMerge(gc.fix, c.dynamic(t, s))
	}
	w := window{start: time.Now()}
	got := s.do(t, ex.Method, ex.Path, ex.Body)
	w.end = time.Now()
	if got.Status != ex.Status {
		t.Fatalf("%s %s: %s, want status %d", ex.Method, ex.Path, got, ex.Status)
	}
	checkJSONContentType(t, got)
	tree := got.tree(t)
	rules := referenceRules(gc.ignore...)
	rules.optional = pathSet(gc.optional...)
	reportDiffs(t, "differs from the reference", compare(glWant(t, ex, gc), tree, rules))

	rec := tree.get("epic")
	if rec == nil {
		return
	}
	switch ex.Method {
	case "POST":
		checkNewID(t, ".epic.id", rec.get("id"))
		w.checkStamp(t, ".epic.created_at", rec.get("created_at"))
		w.checkStamp(t, ".epic.updated_at", rec.get("updated_at"))
		w.checkToday(t, ".epic.status_changed_on", rec.get("status_changed_on"))
		checkNewID(t, ".epic.description.id", rec.get("description", "id"))
		for _, st := range rec.get("workflow_status_times").list {
			w.checkStamp(t, ".epic.workflow_status_times[].started_at", st.get("started_at"))
		}
	case "PUT":
		w.checkStamp(t, ".epic.updated_at", rec.get("updated_at"))
	}
	if ex.Method == "POST" || ex.Method == "PUT" {
		p := "/api/v1/epics/" + url.PathEscape(rec.get("id").str())
		if f := bodyFields(ex.Body); f != "" {
			p += "?fields=" + url.QueryEscape(f)
		}
		after := getJSON(t, s, p)
		reportDiffs(t, "GET after the write differs from the write's answer", compare(tree, after, compareRules{}))
	}
}

// epCheckDelete replays the delete of PRJ1-E-1 and checks that it is gone
// from every list and link, and that its feature stays, without an epic.
func epCheckDelete(t *testing.T, s *testServer, ex *referenceExample) {
	t.Helper()
	feature := s.do(t, "GET", "/api/v1/features/PRJ1-1", "").Status == 200
	r := s.do(t, ex.Method, ex.Path, ex.Body)
	if r.Status != ex.Status || len(r.Body) != 0 {
		t.Fatalf("%s %s: %s, want %d with no body", ex.Method, ex.Path, r, ex.Status)
	}
	for _, p := range []string{"/api/v1/epics/PRJ1-E-1", "/api/v1/epics/999605892"} {
		if after := s.do(t, "GET", p, ""); after.Status != 404 {
			t.Errorf("GET %s after the delete: %s, want 404", p, after)
		}
	}
	for _, p := range []string{"/api/v1/epics", "/api/v1/releases/PRJ1-R-1/epics", "/api/v1/goals/602095703/epics", "/api/v1/initiatives/423077122/epics"} {
		for _, it := range getJSON(t, s, p).get("epics").list {
			if it.get("id").str() == "999605892" {
				t.Errorf("GET %s lists the deleted epic", p)
			}
		}
	}
	e2 := getJSON(t, s, "/api/v1/epics/PRJ1-E-2").get("epic")
	if n := len(e2.get("epic_links").list); n != 0 {
		t.Errorf("PRJ1-E-2 keeps %d links after the epic it was linked to was deleted", n)
	}
	if feature {
		f := getJSON(t, s, "/api/v1/features/PRJ1-1").get("feature")
		if e := f.get("epic"); e != nil && !e.isNull() {
			t.Errorf("PRJ1-1 still names an epic after its epic was deleted: %s", e)
		}
	}
}
