package api_test

import (
	"testing"
)

// The examples of the audits reference, replayed from golden files the
// way TestReference replays the Releases API's: `go test ./internal/api
// -run TestRelatedAudits -update` rewrites testdata/related/audits_retrieve
// from ../../../shared/spec/related/audits_retrieve.md. Each example shows
// the history that renaming and redescribing PRJ1-1 leaves, so each first
// makes that change; auCases says what differs from the reference and why.

var auDocs = []relatedDoc{{name: "audits_retrieve", skip: func(*referenceExample, string) string { return "" }}}

// auChange renames Feature 1 and changes its description, as the
// reference's history shows.
func auChange(t *testing.T, s *testServer) {
	ruCall(t, s, "", "PUT", "/api/v1/features/PRJ1-1", `{"feature":{"name":"Changed feature name","description":"Changed description"}}`, 200)
}

// auMary is the actor of audit i: the demo token is Mary Humpty's, whose
// email the reference shows for George Gently.
func auMary(i string) map[string]string {
	at := ".audits[" + i + "]"
	return map[string]string{
		at + ".auditable_url": `"http://company.aha.io/features/PRJ1-1"`,
		at + ".user.id":       `"1020675218"`, at + ".user.name": `"Mary Humpty"`,
		at + ".contributors[0].user.id": `"1020675218"`, at + ".contributors[0].user.name": `"Mary Humpty"`,
	}
}

func auMerge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

const auWhy = "the reference's audits alone show the account at https://company.aha.io:8338, its other examples at the base URL the tests use; the demo token is Mary Humpty's (no-reply@aha.io, George Gently in the reference); audit IDs and times are the server's"

var auCases = map[string]glCase{
	"audits_retrieve/01-retrieve-record-history": {
		fix:    auMerge(auMary("0"), auMary("1")),
		ignore: []string{".audits[].id", ".audits[].created_at"}, why: auWhy,
	},
	"audits_retrieve/02-retrieve-the-history-of-only-the-description-of-a-record": {
		fix:    auMary("0"),
		ignore: []string{".audits[].id", ".audits[].created_at"}, why: auWhy,
	},
}

// TestRelatedAudits replays the examples of the audits reference on both
// engines, each on a server of its own after the change it shows (auChange).
func TestRelatedAudits(t *testing.T) {
	t.Parallel()
	if *updateReference {
		for _, d := range auDocs {
			d.write(t)
		}
	}
	var examples []*referenceExample
	var files []string
	for _, d := range auDocs {
		for _, ex := range d.load(t) {
			examples, files = append(examples, ex), append(files, d.name+"/"+ex.file)
		}
	}
	if len(examples) == 0 {
		t.Fatal("no examples of the audits reference")
	}
	eachBackend(t, func(t *testing.T, backend string) {
		for i, ex := range examples {
			c, ok := auCases[files[i]]
			if !ok {
				t.Fatalf("%s has no case", files[i])
			}
			t.Run(files[i], func(t *testing.T) {
				t.Parallel()
				s := newDemoServer(t, backend)
				auChange(t, s)
				glReplay(t, s, ex, c)
			})
		}
	})
}
