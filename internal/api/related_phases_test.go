package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The examples of the release phases and to-dos references, replayed from
// golden files the way TestReference replays the Releases API's:
// `go test ./internal/api -run TestRelatedPhases -update` rewrites
// testdata/related/release_phases and testdata/related/to-dos from
// ../../../shared/spec/related/*.md. Examples out of scope are not written;
// skipped.json lists them with the reason. Where an example shows what the
// demo account cannot show, phCases says what differs and why.

var phDocs = []relatedDoc{
	{name: "release_phases", skip: func(*referenceExample, string) string { return "" }},
	{name: "to-dos", skip: func(ex *referenceExample, _ string) string {
		if strings.HasPrefix(ex.Path, "/api/v1/ideas/") {
			return "ideas are out of scope"
		}
		return ""
	}},
}

// Adjustments shared by several examples.
var (
	// phNewTask are the values of a new to-do that only the server knows.
	phNewTask = []string{".task.id", ".task.created_at", ".task.updated_at", ".task.url", ".task.resource",
		".task.assigned_to_users[].id"}
	// phMary is an assignee no-reply@aha.io, who is Mary Humpty in the demo
	// account (the reference shows Henry Humpty with that email).
	phMary = func(at string) map[string]string {
		return map[string]string{at + ".user.id": `"1020675218"`, at + ".user.name": `"Mary Humpty"`}
	}
	phMaryWhy = "no-reply@aha.io is Mary Humpty in the demo account; the reference shows it for Henry Humpty too"
	// phNewPhase are the values of a new release phase that only the server
	// knows.
	phNewPhase = []string{".release_phase.id", ".release_phase.created_at", ".release_phase.updated_at",
		".release_phase.description.id", ".release_phase.description.created_at", ".release_phase.description.updated_at"}
	phUpdatedPhase = []string{".release_phase.updated_at"}
	phUpdatedTask  = []string{".task.updated_at"}
)

var phCases = map[string]glCase{
	"release_phases/03-list-release-phases-in-the-account": {
		fix: map[string]string{
			".release_phases[2].description.id": `"6776757454432882880"`,
			".release_phases[3].description.id": `"6776757454435380800"`,
		},
		why: "the reference prints new IDs for the empty descriptions of Beta [2] and Gamma in each example; the demo keeps those of the first",
	},
	"release_phases/04-create-a-release-phase":     {ignore: phNewPhase},
	"release_phases/05-create-a-release-milestone": {ignore: phNewPhase},
	"release_phases/06-update-a-release-phase": {
		ignore: append([]string{".release_phase.description.updated_at"}, phUpdatedPhase...),
	},
	"release_phases/07-update-a-release-phase-s-progress-source": {ignore: phUpdatedPhase},
	"release_phases/08-update-a-release-phase-s-progress":        {ignore: phUpdatedPhase},

	"to-dos/01-create-a-task":                                {ignore: phNewTask, fix: phMary(".task.assigned_to_users[0]"), why: phMaryWhy},
	"to-dos/02-create-a-to-do-without-an-associated-record":  {ignore: phNewTask, fix: phMary(".task.assigned_to_users[0]"), why: phMaryWhy},
	"to-dos/03-create-a-to-do-with-a-due-date":               {ignore: phNewTask, fix: phMary(".task.assigned_to_users[0]"), why: phMaryWhy},
	"to-dos/04-create-a-to-do-associated-with-a-feature":     {ignore: phNewTask},
	"to-dos/05-create-an-approval-associated-with-a-feature": {ignore: phNewTask},
	"to-dos/06-create-a-to-do-with-multiple-assignees": {
		ignore: phNewTask, fix: phMary(".task.assigned_to_users[1]"),
		why: phMaryWhy + "; assignees are in user ID order, so Mary (1020675218) comes after Sally Sane (349538572) as Henry does",
	},
	"to-dos/08-get-tasks-updated-after-a-certain-time": {
		setup: func(t *testing.T, s *testServer) string {
			since := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
			for _, id := range []string{"270131066", "486361616", "491284354", "644916258", "654705094", "664116853",
				"742756265", "785584324", "896534432", "937465541", "1041191038"} {
				glCall(t, s, "PUT", "/api/v1/tasks/"+id, `{"task":{}}`, 200)
			}
			return "/api/v1/tasks?updated_since=" + url.QueryEscape(since)
		},
		why: "every demo record was last updated at 2019-01-01T00:00:00Z (Get a specific to-do shows it for one of the listed to-dos), " +
			"so the to-dos the reference lists as updated after 18:39:35 that day are updated first, and listed as updated since a second before that",
	},
	"to-dos/18-update-a-to-do": {ignore: phUpdatedTask},
	"to-dos/19-update-a-to-do-s-status": {
		ignore: append([]string{".task.assigned_to_users[].completed_date"}, phUpdatedTask...),
	},
	"to-dos/21-update-an-approval-s-status": {
		ignore: append([]string{".task.assigned_to_users[].completed_date"}, phUpdatedTask...),
	},
}

// newPhasesServer starts a demo server whose account holds the demo's
// release phases and to-dos, and the epics, features and requirements that
// the to-dos are on. Phases are loaded first: features belong to them.
func newPhasesServer(t testing.TB, backend string) *testServer {
	t.Helper()
	return newDemoServer(t, backend)
}

// TestRelatedPhases replays the in-scope examples of the release phases and
// to-dos references on demo servers: each write on a fresh one, the reads
// on one per backend that they share.
func TestRelatedPhases(t *testing.T) {
	t.Parallel()
	if *updateReference {
		for _, d := range phDocs {
			d.write(t)
		}
	}
	var examples []*referenceExample
	var files []string
	for _, d := range phDocs {
		for _, ex := range d.load(t) {
			examples, files = append(examples, ex), append(files, d.name+"/"+ex.file)
		}
	}
	eachBackend(t, func(t *testing.T, backend string) {
		shared := newPhasesServer(t, backend)
		for i, ex := range examples {
			c := phCases[files[i]]
			t.Run(files[i], func(t *testing.T) {
				t.Parallel()
				s := shared
				if ex.Method != "GET" || c.setup != nil {
					s = newPhasesServer(t, backend)
				}
				phReplay(t, s, ex, c)
			})
		}
	})
}

// TestRelatedPhasesGoldenFiles checks that the golden files are those that
// -update writes from the references, when they are present, and that
// every adjustment names an example.
func TestRelatedPhasesGoldenFiles(t *testing.T) {
	t.Parallel()
	examples := map[string]bool{}
	for _, d := range phDocs {
		files, err := d.render()
		if errors.Is(err, fs.ErrNotExist) {
			t.Logf("the %s reference is not present", d.name)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range files {
			examples[d.name+"/"+strings.TrimSuffix(name, ".json")] = true
			got, err := os.ReadFile(filepath.Join(d.dir(), name))
			if err != nil {
				t.Errorf("%s/%s: %v (run go test ./internal/api -run TestRelatedPhases -update)", d.name, name, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from the reference (run go test ./internal/api -run TestRelatedPhases -update)", d.name, name)
			}
		}
		have, err := filepath.Glob(filepath.Join(d.dir(), "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range have {
			if _, ok := files[filepath.Base(f)]; !ok {
				t.Errorf("%s: not an example of the reference (run go test ./internal/api -run TestRelatedPhases -update)", f)
			}
		}
	}
	if len(examples) == 0 {
		return
	}
	for name := range phCases {
		if !examples[name] {
			t.Errorf("phCases adjusts %s, which is not an example", name)
		}
	}
}

// phSelf is the path of a record in an answer: a release phase or a to-do.
func phSelf(root, id string) string {
	if root == "release_phase" {
		return "/api/v1/release_phases/" + url.PathEscape(id)
	}
	return "/api/v1/tasks/" + url.PathEscape(id)
}

func phReplay(t *testing.T, s *testServer, ex *referenceExample, c glCase) {
	if ex.Method == "DELETE" {
		phCheckDelete(t, s, ex)
		return
	}
	path := ex.Path
	if c.setup != nil {
		path = c.setup(t, s)
	}
	w := window{start: time.Now()}
	got := s.do(t, ex.Method, path, ex.Body)
	w.end = time.Now()
	if got.Status != ex.Status {
		t.Fatalf("%s %s: %s, want status %d", ex.Method, path, got, ex.Status)
	}
	checkJSONContentType(t, got)
	tree := got.tree(t)
	rules := referenceRules(c.ignore...)
	rules.optional = pathSet(c.optional...)
	reportDiffs(t, "differs from the reference", compare(glWant(t, ex, c), tree, rules))

	root := glRoot(ex)
	if root != "release_phase" && root != "task" {
		return
	}
	rec := tree.get(root)
	if rec == nil {
		t.Fatalf("no %s in the answer", root)
	}
	at := "." + root
	switch ex.Method {
	case "POST":
		id := rec.get("id")
		checkNewID(t, at+".id", id)
		w.checkStamp(t, at+".created_at", rec.get("created_at"))
		w.checkStamp(t, at+".updated_at", rec.get("updated_at"))
		if d := rec.get("description"); d != nil {
			checkNewID(t, at+".description.id", d.get("id"))
			w.checkStamp(t, at+".description.created_at", d.get("created_at"))
		}
		if root == "task" {
			for i, a := range rec.get("assigned_to_users").list {
				checkNewID(t, fmt.Sprintf("%s.assigned_to_users[%d].id", at, i), a.get("id"))
			}
			for _, k := range []string{"url", "resource"} {
				if u := rec.get(k).str(); !strings.HasSuffix(u, "/tasks/"+id.str()) {
					t.Errorf("%s.%s: %s does not name the new to-do %s", at, k, u, id.str())
				}
			}
		}
	case "PUT":
		w.checkStamp(t, at+".updated_at", rec.get("updated_at"))
		// Parts completed by this update are dated now.
		if root == "task" && pathSet(c.ignore...)[at+".assigned_to_users[].completed_date"] {
			for i, a := range rec.get("assigned_to_users").list {
				if d := a.get("completed_date"); d != nil {
					w.checkStamp(t, fmt.Sprintf("%s.assigned_to_users[%d].completed_date", at, i), d)
				}
			}
		}
	}
	if ex.Method == "POST" || ex.Method == "PUT" {
		after := getJSON(t, s, phSelf(root, rec.get("id").str()))
		reportDiffs(t, "GET after the write differs from the write's answer", compare(tree, after, compareRules{}))
	}
}

// phCheckDelete replays a delete and checks that the record is gone from
// its own route and from the lists, and that what pointed at it stays.
func phCheckDelete(t *testing.T, s *testServer, ex *referenceExample) {
	t.Helper()
	key := ex.Path[strings.LastIndex(ex.Path, "/")+1:]
	r := s.do(t, ex.Method, ex.Path, ex.Body)
	if r.Status != ex.Status || len(r.Body) != 0 {
		t.Fatalf("%s %s: %s, want %d with no body", ex.Method, ex.Path, r, ex.Status)
	}
	if after := s.do(t, "GET", ex.Path, ""); after.Status != 404 {
		t.Errorf("GET %s after the delete: %s, want 404", ex.Path, after)
	} else if n, err := parseJSON(after.Body); err != nil || !n.get("errors", "message").isString() {
		t.Errorf("GET %s after the delete: %s, want {\"errors\": {\"message\": ...}}", ex.Path, after)
	}
	lists := []string{"/api/v1/tasks"}
	if strings.Contains(ex.Path, "/release_phases/") {
		lists = []string{"/api/v1/release_phases", "/api/v1/releases/PRJ1-R-1/release_phases"}
		// Feature 1 of the phase stays, in no phase.
		if f := s.do(t, "GET", "/api/v1/features/PRJ1-1", ""); f.Status != 200 {
			t.Errorf("PRJ1-1 after its phase was deleted: %s, want 200", f)
		} else if strings.Contains(string(f.Body), `"`+key+`"`) {
			t.Errorf("PRJ1-1 still names its deleted phase %s", key)
		}
	}
	for _, p := range lists {
		for _, it := range getJSON(t, s, p).kv[strings.TrimPrefix(p[strings.LastIndex(p, "/"):], "/")].list {
			if it.get("id").str() == key {
				t.Errorf("GET %s still lists the deleted record %s", p, key)
			}
		}
	}
}
