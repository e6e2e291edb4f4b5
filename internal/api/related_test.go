package api_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// relatedDoc is one related reference (../shared/spec/related/<name>.md),
// replayed from the golden files in testdata/related/<name>/; skipped.json
// there lists the examples that are not replayed, with the reason.
type relatedDoc struct {
	name string
	// token is the bearer token the reference's examples send; "" for the
	// demo token.
	token string
	// skip gives the reason an example (by golden file name, without
	// .json) is not replayed, or "".
	skip func(ex *referenceExample, file string) string
	// deleteWithBody answers a DELETE whose example documents a body with
	// 200 and that body, as the reference shows, rather than 204.
	deleteWithBody bool
}

// skipByTitle gives the reasons examples are not replayed, by title.
func skipByTitle(reasons map[string]string) func(*referenceExample, string) string {
	return func(ex *referenceExample, _ string) string { return reasons[ex.Title] }
}

// relatedSkipped is one line of skipped.json.
type relatedSkipped struct {
	Example string `json:"example"`
	Title   string `json:"title"`
	Reason  string `json:"reason"`
}

func (d relatedDoc) dir() string { return filepath.Join("testdata", "related", d.name) }

// render returns the golden files of the document by name, skipped.json
// included.
func (d relatedDoc) render() (map[string][]byte, error) {
	path, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "spec", "related", d.name+".md"))
	if err != nil {
		return nil, err
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	examples, err := parseReference(string(doc))
	if err != nil {
		return nil, err
	}
	if d.deleteWithBody {
		for _, ex := range examples {
			if ex.Method == "DELETE" && string(ex.Response) != "null" {
				ex.Status = 200
			}
		}
	}
	all, err := renderGolden(examples)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)
	files := map[string][]byte{}
	skipped := []relatedSkipped{}
	for _, name := range names {
		var ex referenceExample
		if err := json.Unmarshal(all[name], &ex); err != nil {
			return nil, err
		}
		file := strings.TrimSuffix(name, ".json")
		if d.skip == nil {
			files[name] = all[name]
			continue
		}
		if why := d.skip(&ex, file); why != "" {
			skipped = append(skipped, relatedSkipped{Example: file, Title: ex.Title, Reason: why})
			continue
		}
		files[name] = all[name]
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(skipped); err != nil {
		return nil, err
	}
	files["skipped.json"] = buf.Bytes()
	return files, nil
}

// write replaces the document's golden files.
func (d relatedDoc) write(t *testing.T) {
	t.Helper()
	files, err := d.render()
	if err != nil {
		t.Fatalf("-update needs the %s reference: %v", d.name, err)
	}
	if err := os.MkdirAll(d.dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	old, err := filepath.Glob(filepath.Join(d.dir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(d.dir(), name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d golden files to %s", len(files), d.dir())
}

// load reads the document's golden examples in name order.
func (d relatedDoc) load(t *testing.T) []*referenceExample {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(d.dir(), "[0-9]*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("no golden files in %s; run go test ./internal/api -run TestRelated -update", d.dir())
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
		if len(ex.Response) > 0 && string(ex.Response) != "null" {
			if ex.want, err = parseJSON(ex.Response); err != nil {
				t.Fatalf("%s: response: %v", name, err)
			}
		}
		out = append(out, ex)
	}
	return out
}
