package api_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The examples of the custom fields, custom field options and integration
// fields references, replayed from golden files the way TestReference
// replays the Releases API's: `go test ./internal/api -run TestRelatedFields
// -update` rewrites testdata/related/{custom_fields_list,
// custom_field_options,integration_fields} from
// ../../../shared/spec/related/*.md. Examples that are out of scope are not
// written; skipped.json in each folder lists them with the reason. The
// release routes that match the out-of-scope feature routes are tested in
// fields_test.go.

// newFieldsServer starts a demo server whose account also holds the demo's
// custom field definitions and integrations.
func newFieldsServer(t testing.TB, backend string) *testServer {
	t.Helper()
	return newDemoServer(t, backend)
}

// rfOutOfScope are the kinds of records whose integration fields are not
// part of these references' scope here.
var rfOutOfScope = map[string]string{
	"features":          "features are out of scope of the integration fields tests; the release routes are tested in fields_test.go",
	"epics":             "epics are out of scope of the integration fields tests; the release routes are tested in fields_test.go",
	"requirements":      "requirements are out of scope",
	"idea_endorsements": "idea votes are out of scope",
	"integrations":      "its records are features, epics and initiatives of feature data; roadmapd lists records by value per kind (releases, initiatives)",
}

var rfDocs = []relatedDoc{
	{name: "custom_fields_list", deleteWithBody: true, skip: func(*referenceExample, string) string { return "" }},
	{name: "custom_field_options", deleteWithBody: true, skip: func(*referenceExample, string) string { return "" }},
	{name: "integration_fields", deleteWithBody: true, skip: func(ex *referenceExample, file string) string {
		first := strings.SplitN(strings.TrimPrefix(ex.Path, "/api/v1/"), "/", 2)[0]
		if why, ok := rfOutOfScope[first]; ok {
			return why
		}
		if strings.HasSuffix(file, "-delete-an-integration-field") {
			return "its field 728894778 is on the feature PRJ1-1 (out of scope); deleting a release's field is tested in fields_test.go"
		}
		return ""
	}},
}

// TestRelatedFields replays the in-scope examples of the custom fields,
// custom field options and integration fields references on fresh demo
// servers.
func TestRelatedFields(t *testing.T) {
	t.Parallel()
	if *updateReference {
		for _, d := range rfDocs {
			d.write(t)
		}
	}
	for _, d := range rfDocs {
		for _, ex := range d.load(t) {
			t.Run(d.name+"/"+ex.file, func(t *testing.T) {
				t.Parallel()
				eachBackend(t, func(t *testing.T, backend string) {
					rfReplay(t, newFieldsServer(t, backend), ex)
				})
			})
		}
	}
}

// TestRelatedFieldsGoldenFiles checks that the golden files are those that
// -update writes from the references, when they are present.
func TestRelatedFieldsGoldenFiles(t *testing.T) {
	t.Parallel()
	for _, d := range rfDocs {
		files, err := d.render()
		if errors.Is(err, fs.ErrNotExist) {
			t.Logf("the %s reference is not present", d.name)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range files {
			got, err := os.ReadFile(filepath.Join(d.dir(), name))
			if err != nil {
				t.Errorf("%s/%s: %v (run go test -run TestRelatedFields -update)", d.name, name, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from the reference (run go test -run TestRelatedFields -update)", d.name, name)
			}
		}
		have, err := filepath.Glob(filepath.Join(d.dir(), "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range have {
			if _, ok := files[filepath.Base(f)]; !ok {
				t.Errorf("%s: not an example of the reference (run go test -run TestRelatedFields -update)", f)
			}
		}
	}
}

const optionsPath = "/api/v1/custom_field_definitions/581360680/custom_field_options"

// rfOptionValues returns the values of the feature priority's options, by
// ID, as the options route lists them.
func rfOptionValues(t *testing.T, s *testServer) []string {
	t.Helper()
	out := []string{}
	for _, o := range getJSON(t, s, optionsPath).get("custom_field_options").list {
		out = append(out, o.get("value").str())
	}
	return out
}

func rfReplay(t *testing.T, s *testServer, ex *referenceExample) {
	got, _ := ruSend(t, s, ex)
	tree := got.tree(t)
	switch {
	case ex.Method == "GET" && ex.Path == "/api/v1/custom_field_definitions":
		// The demo defines more fields than the example's one (the
		// releases', initiatives' and key results' of the other
		// references): the example's must be among them, as shown.
		defs := tree.get("custom_field_definitions")
		if defs == nil || !defs.arr {
			t.Fatalf("custom_field_definitions: %s, want an array", defs)
		}
		for _, want := range ex.want.get("custom_field_definitions").list {
			var match *jsonNode
			for _, d := range defs.list {
				if d.get("id").str() == want.get("id").str() {
					match = d
				}
			}
			if match == nil {
				t.Errorf("definition %s is not listed: %s", want.get("id"), defs)
				continue
			}
			reportDiffs(t, "definition "+want.get("id").str()+" differs from the reference", compare(want, match, referenceRules()))
		}
		if n := len(defs.list); n != demoDefinitions() {
			t.Errorf("%d definitions listed, want the demo's %d", n, demoDefinitions())
		}
	case ex.Method == "POST":
		reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules(".id")))
		checkNewID(t, ".id", tree.get("id"))
		if vals := rfOptionValues(t, s); !slices.Contains(vals, "New option") || len(vals) != 6 {
			t.Errorf("options after the create: %v, want P1 to P5 and New option", vals)
		}
	case ex.Method == "PUT":
		reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules()))
		if vals := rfOptionValues(t, s); !slices.Contains(vals, "New option2") || slices.Contains(vals, "P1") {
			t.Errorf("options after the update: %v, want New option2 in place of P1", vals)
		}
	case ex.Method == "DELETE":
		reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules()))
		if vals := rfOptionValues(t, s); slices.Contains(vals, "P1") || len(vals) != 4 {
			t.Errorf("options after the delete: %v, want P2 to P5", vals)
		}
	default:
		reportDiffs(t, "differs from the reference", compare(ex.want, tree, referenceRules()))
	}
}
