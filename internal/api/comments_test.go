package api_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
)

// commentedKind is a record of one kind that takes comments, in PRJ1: how
// to reach it (made, for goals, whose demo records sit in the product
// line), its root key and Aha!'s type name, and where its comment's
// commentable points.
type commentedKind struct {
	name string
	// record returns the record's API path (/api/v1/features/PRJ1-1).
	record   func(t *testing.T, s *testServer) string
	root     string
	typ      string
	url      func(path string, rec *jsonNode) string
	counts   bool // the record shows comments_count
	products bool // the commentable shows product_id
}

func commentedKinds() []commentedKind {
	fixed := func(p string) func(*testing.T, *testServer) string {
		return func(*testing.T, *testServer) string { return p }
	}
	byKey := func(segment string) func(string, *jsonNode) string {
		return func(_ string, rec *jsonNode) string {
			return testBaseURL + "/" + segment + "/" + rec.get("reference_num").str()
		}
	}
	byID := func(segment string) func(string, *jsonNode) string {
		return func(_ string, rec *jsonNode) string { return testBaseURL + "/" + segment + "/" + rec.get("id").str() }
	}
	return []commentedKind{
		{"release", fixed("/api/v1/releases/PRJ1-R-2"), "release", "Release", byKey("releases"), true, true},
		{"feature", fixed("/api/v1/features/PRJ1-1"), "feature", "Feature", byKey("features"), true, true},
		{"epic", fixed("/api/v1/epics/PRJ1-E-1"), "epic", "Epic", byKey("epics"), true, true},
		{"requirement", fixed("/api/v1/requirements/PRJ1-1-1"), "requirement", "Requirement", byKey("requirements"), true, true},
		{"goal", func(t *testing.T, s *testServer) string {
			g := ruCall(t, s, "", "POST", "/api/v1/products/PRJ1/goals", `{"goal":{"name":"Commented"}}`, 201)
			return "/api/v1/goals/" + g.get("goal", "reference_num").str()
		}, "goal", "StrategicImperative", byKey("strategic_imperatives"), true, true},
		{"initiative", fixed("/api/v1/initiatives/PRJ1-S-1"), "initiative", "Initiative", byKey("initiatives"), true, true},
		{"release phase", fixed(fmt.Sprintf("/api/v1/release_phases/%d", demo.PhaseAlpha)), "release_phase", "ReleasePhase", byID("release_phases"), false, false},
		{"to-do", fixed(fmt.Sprintf("/api/v1/tasks/%d", demo.TaskFeature)), "task", "Task", byID("tasks"), true, true},
	}
}

// TestCommentsOnEveryRecord comments on a record of each kind over HTTP, on
// both engines: create (201), list, get, update and delete, through the
// record's routes and /comments/:id; the record's comments_count follows;
// the product's list holds the comment; viewers and reviewers may read but
// not write (403), other contributors may not change another's comment
// (403), users without a role see nothing (404); a refused write changes
// nothing; deleting the record deletes its comments.
func TestCommentsOnEveryRecord(t *testing.T) {
	t.Parallel()
	for _, k := range commentedKinds() {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			eachBackend(t, func(t *testing.T, backend string) {
				s := ruServer(t, backend)
				path := k.record(t, s)
				rec := ruCall(t, s, "", "GET", path, "", 200).get(k.root)
				count := func() int {
					n, err := strconv.Atoi(ruCall(t, s, "", "GET", path, "", 200).get(k.root, "comments_count").str())
					if err != nil {
						t.Fatalf("comments_count of %s: %v", path, err)
					}
					return n
				}
				before := 0
				if k.counts {
					before = count()
				}
				list := path + "/comments?per_page=200"
				listed := func() []string {
					var ids []string
					for _, c := range ruCall(t, s, "", "GET", list, "", 200).get("comments").list {
						ids = append(ids, c.get("id").str())
					}
					return ids
				}
				already := len(listed())

				c := ruCall(t, s, ruContributor.token, "POST", path+"/comments", `{"comment":{"body":"<p>On it</p>"}}`, 201).get("comment")
				cid := c.get("id").str()
				on := c.get("commentable")
				if on.get("type").str() != k.typ || on.get("id").str() != rec.get("id").str() ||
					on.get("url").str() != k.url(path, rec) || on.get("resource").str() != testBaseURL+path {
					t.Errorf("commentable %s, want a %s at %s", on, k.typ, path)
				}
				if on.has("product_id") != k.products || (k.products && on.get("product_id").str() != strconv.FormatInt(demo.PRJ1, 10)) {
					t.Errorf("commentable %s: product_id shown %v, want %v (PRJ1)", on, on.has("product_id"), k.products)
				}
				if c.get("body").str() != "<p>On it</p>" || c.get("user", "id").str() != strconv.FormatInt(demo.Henry, 10) {
					t.Errorf("created %s", c)
				}
				reportDiffs(t, "GET /comments/:id differs from the create", compare(c, ruCall(t, s, "", "GET", "/api/v1/comments/"+cid, "", 200).get("comment"), compareRules{}))
				if ids := listed(); len(ids) != already+1 || ids[len(ids)-1] != cid {
					t.Errorf("comments on %s: %v, want %d ending with %s", path, ids, already+1, cid)
				}
				if k.counts {
					if n := count(); n != before+1 {
						t.Errorf("comments_count after the create: %d, want %d", n, before+1)
					}
				}
				inProduct := false
				for _, pc := range ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/comments?per_page=200", "", 200).get("comments").list {
					inProduct = inProduct || pc.get("id").str() == cid
				}
				if !inProduct {
					t.Errorf("GET /api/v1/products/PRJ1/comments lacks the comment on %s", path)
				}

				// Who may do what.
				one := "/api/v1/comments/" + cid
				for _, r := range []struct {
					u              ruUser
					method, target string
					body           string
					want           int
				}{
					{ruViewer, "GET", list, "", 200},
					{ruViewer, "GET", one, "", 200},
					{ruReviewer, "GET", one, "", 200},
					{ruViewer, "POST", path + "/comments", `{"comment":{"body":"No"}}`, 403},
					{ruReviewer, "POST", path + "/comments", `{"comment":{"body":"No"}}`, 403},
					{ruViewer, "PUT", one, `{"comment":{"body":"No"}}`, 403},
					{ruViewer, "DELETE", one, "", 403},
					{ruContributor2, "PUT", one, `{"comment":{"body":"No"}}`, 403},
					{ruContributor2, "DELETE", one, "", 403},
					{ruNone, "GET", list, "", 404},
					{ruNone, "GET", one, "", 404},
					{ruNone, "POST", path + "/comments", `{"comment":{"body":"No"}}`, 404},
					{ruNone, "PUT", one, `{"comment":{"body":"No"}}`, 404},
					{ruNone, "DELETE", one, "", 404},
					{ruContributor, "POST", path + "/comments", `{"comment":{"body":"  "}}`, 422},
					{ruContributor, "POST", path + "/comments", `{"comment":{"body":5}}`, 400},
				} {
					got := s.do(t, r.method, r.target, r.body, r.u.token)
					if got.Status != r.want {
						t.Errorf("%s %s as %s: %s, want %d", r.method, r.target, r.u.name, got, r.want)
					}
					if got.Status >= 400 {
						ruCheckError(t, got)
					}
				}
				if ids := listed(); len(ids) != already+1 {
					t.Errorf("after the refused writes, %d comments on %s, want %d", len(ids), path, already+1)
				}
				if body := ruCall(t, s, "", "GET", one, "", 200).get("comment", "body").str(); body != "<p>On it</p>" {
					t.Errorf("after the refused writes, the body is %q", body)
				}

				u := ruCall(t, s, ruContributor.token, "PUT", one, `{"comment":{"body":"Edited"}}`, 200).get("comment")
				if u.get("body").str() != "Edited" || u.get("commentable", "id").str() != rec.get("id").str() {
					t.Errorf("updated %s", u)
				}
				ruCall(t, s, ruOwner.token, "DELETE", one, "", 204)
				ruCall(t, s, "", "GET", one, "", 404)
				if k.counts {
					if n := count(); n != before {
						t.Errorf("comments_count after the delete: %d, want %d", n, before)
					}
				}

				// Deleting the record deletes its comments.
				if k.root == "release" {
					return // a release with features is not deleted; the store's tests cover it
				}
				left := ruCall(t, s, ruContributor.token, "POST", path+"/comments", `{"comment":{"body":"Left behind"}}`, 201).get("comment", "id").str()
				ruCall(t, s, "", "DELETE", path, "", 204)
				ruCall(t, s, "", "GET", "/api/v1/comments/"+left, "", 404)
				for _, pc := range ruCall(t, s, "", "GET", "/api/v1/products/PRJ1/comments?per_page=200", "", 200).get("comments").list {
					if pc.get("id").str() == left {
						t.Errorf("the product's comments still hold %s after %s was deleted", left, path)
					}
				}
			})
		})
	}
}

// TestCommentsOnAToDoOnNoProduct checks the comments of a to-do attached to
// no record: its creator and assignees, and the administrator, comment on
// it and read its comments; anyone else finds neither it nor them.
func TestCommentsOnAToDoOnNoProduct(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := ruServer(t, backend)
		task := ruCall(t, s, ruContributor.token, "POST", "/api/v1/tasks", `{"task":{"name":"Loose","body":""}}`, 200).get("task", "id").str()
		path := "/api/v1/tasks/" + task + "/comments"
		c := ruCall(t, s, ruContributor.token, "POST", path, `{"comment":{"body":"Mine"}}`, 201).get("comment")
		if on := c.get("commentable"); on.get("type").str() != "Task" || on.get("id").str() != task || on.has("product_id") {
			t.Errorf("commentable %s, want the to-do without a product", on)
		}
		one := "/api/v1/comments/" + c.get("id").str()
		ruCall(t, s, "", "GET", one, "", 200)
		ruCall(t, s, "", "GET", path, "", 200)
		for _, u := range []ruUser{ruOwner, ruContributor2, ruViewer, ruNone} {
			for _, r := range []struct{ method, path, body string }{
				{"GET", path, ""}, {"GET", one, ""}, {"POST", path, `{"comment":{"body":"No"}}`},
				{"PUT", one, `{"comment":{"body":"No"}}`}, {"DELETE", one, ""},
			} {
				if got := s.do(t, r.method, r.path, r.body, u.token); got.Status != 404 {
					t.Errorf("%s %s as %s: %s, want 404", r.method, r.path, u.name, got)
				}
			}
		}
		ruCall(t, s, ruContributor.token, "PUT", one, `{"comment":{"body":"Still mine"}}`, 200)
		ruCall(t, s, ruContributor.token, "DELETE", one, "", 204)
	})
}
