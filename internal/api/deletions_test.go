package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// TestRecycleBinOverHTTP deletes a feature, finds it in the recycle bin as
// the reference shows entries, checks who may see and restore it, restores
// it with the same ID and reference number, and restores it no second time.
func TestRecycleBinOverHTTP(t *testing.T) {
	t.Parallel()
	const gregory int64 = 375285024 // given a role in PRJ2 only
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		ctx := context.Background()
		if _, err := s.DB.SetProductRole(ctx, gregory, demo.PRJ2, roadmap.RoleViewer); err != nil {
			t.Fatal(err)
		}
		other, viewer := tokenFor(t, s, gregory), tokenFor(t, s, janeSmith)
		me := s.do(t, "GET", "/api/v1/me", "").tree(t)
		before := s.do(t, "GET", "/api/v1/features/PRJ1-2", "")
		if before.Status != http.StatusOK {
			t.Fatalf("GET feature: %s", before)
		}
		featureID := before.tree(t).get("feature", "id").str()

		if r := s.do(t, "DELETE", "/api/v1/features/PRJ1-2", ""); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %s", r)
		}
		list := s.do(t, "GET", "/api/v1/deletions", "")
		if list.Status != http.StatusOK {
			t.Fatalf("GET deletions: %s", list)
		}
		l := list.tree(t)
		if n := len(l.get("deletions").list); n != 1 || l.get("pagination", "total_records").str() != "1" {
			t.Fatalf("deletions: %s", list)
		}
		d := l.get("deletions").list[0]
		if d.get("status").str() != "deleted" || d.get("record", "type").str() != "Feature" || d.get("record", "name").str() != before.tree(t).get("feature", "name").str() ||
			d.get("deleted_by", "id").str() != me.get("user", "id").str() || d.get("deleted_by", "email").str() == "" || !d.get("id").isString() {
			t.Errorf("entry: %s", d)
		}
		entry := d.get("id").str()
		restore := "/api/v1/deletions/" + entry + "/restore"

		// A user of another product sees nothing and may not restore.
		if r := s.do(t, "GET", "/api/v1/deletions", "", other).tree(t); len(r.get("deletions").list) != 0 {
			t.Errorf("a viewer of PRJ2 sees %s", r)
		}
		notFound := s.do(t, "POST", "/api/v1/deletions/0/restore", "")
		if r := s.do(t, "POST", restore, "", other); r.Status != http.StatusNotFound || string(r.Body) != string(notFound.Body) {
			t.Errorf("restore by a viewer of PRJ2: %s, want the 404 of an entry that does not exist (%s)", r, notFound)
		}
		// A viewer of the product sees it but may not restore it.
		if r := s.do(t, "GET", "/api/v1/deletions", "", viewer).tree(t); len(r.get("deletions").list) != 1 {
			t.Errorf("a viewer of PRJ1 sees %s", r)
		}
		if r := s.do(t, "POST", restore, "", viewer); r.Status != http.StatusForbidden {
			t.Errorf("restore by a viewer of PRJ1: %s, want 403", r)
		}
		if r := s.do(t, "GET", "/api/v1/features/PRJ1-2", ""); r.Status != http.StatusNotFound {
			t.Fatalf("a refused restore restored: %s", r)
		}

		r := s.do(t, "POST", restore, "")
		if r.Status != http.StatusOK {
			t.Fatalf("restore: %s", r)
		}
		got := r.tree(t).get("deletion")
		if got.get("status").str() != "restored" || got.get("id").str() != entry || got.get("not_restored") == nil || len(got.get("not_restored").list) != 0 {
			t.Errorf("restore answered %s", r)
		}
		after := s.do(t, "GET", "/api/v1/features/PRJ1-2", "")
		if after.Status != http.StatusOK || after.tree(t).get("feature", "id").str() != featureID {
			t.Errorf("after the restore, GET feature: %s", after)
		}
		if diff := compare(before.tree(t), after.tree(t), referenceRules(".feature.updated_at")); len(diff) > 0 {
			t.Errorf("the restored feature differs: %v", diff)
		}
		if r := s.do(t, "POST", restore, ""); r.Status != http.StatusNotFound {
			t.Errorf("a second restore: %s, want 404", r)
		}
		if r := s.do(t, "POST", "/api/v1/deletions/x/restore", ""); r.Status != http.StatusNotFound {
			t.Errorf("restore of a malformed ID: %s, want 404", r)
		}
		if r := s.do(t, "GET", "/api/v1/deletions", "").tree(t); len(r.get("deletions").list) != 0 {
			t.Errorf("the bin still lists %s", r)
		}
		// The restore is audited like any write: the feature was created
		// again by the restoring user.
		audits, _, err := s.DB.Audits(ctx, roadmap.AuditFilter{AuditableType: "Feature", AuditableID: mustInt(t, featureID), Page: roadmap.Page{Page: 1, PerPage: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(audits); n == 0 || audits[n-1].Action != roadmap.AuditCreate || audits[n-1].UserID != mustInt(t, me.get("user", "id").str()) {
			t.Errorf("the last audit of the feature is not its restore: %+v", audits)
		}
	})
}

// TestRecycleBinRestoreReportsLostLinksOverHTTP restores a feature whose
// epic was deleted after it: the answer names the link that did not come
// back.
func TestRecycleBinRestoreReportsLostLinksOverHTTP(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		f := s.do(t, "GET", "/api/v1/features/PRJ1-1", "").tree(t)
		epic := f.get("feature", "epic", "id").str()
		if epic == "" {
			t.Fatalf("PRJ1-1 has no epic: %s", f)
		}
		for _, path := range []string{"/api/v1/features/PRJ1-1", "/api/v1/epics/" + epic} {
			if r := s.do(t, "DELETE", path, ""); r.Status != http.StatusNoContent {
				t.Fatalf("DELETE %s: %s", path, r)
			}
		}
		var entry string
		for _, d := range s.do(t, "GET", "/api/v1/deletions", "").tree(t).get("deletions").list {
			if d.get("record", "type").str() == "Feature" {
				entry = d.get("id").str()
			}
		}
		r := s.do(t, "POST", "/api/v1/deletions/"+entry+"/restore", "")
		if r.Status != http.StatusOK {
			t.Fatalf("restore: %s", r)
		}
		found := false
		for _, l := range r.tree(t).get("deletion", "not_restored").list {
			if l.get("part").str() == "features" && l.get("field").str() == "epic_id" && l.get("missing", "type").str() == "Epic" && l.get("missing", "id").str() == epic {
				found = true
			}
		}
		if !found {
			t.Errorf("the answer does not report the epic: %s", r)
		}
		if g := s.do(t, "GET", "/api/v1/features/PRJ1-1", "").tree(t); g.get("feature", "reference_num").str() != "PRJ1-1" || g.get("feature").has("epic") && !g.get("feature", "epic").isNull() {
			t.Errorf("restored feature: %s", g)
		}
	})
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an ID", s)
	}
	return n
}

// TestRecycleBinEachKindOverHTTP deletes a record of each kind through its
// API route, restores it from the recycle bin, and reads it back as it was.
func TestRecycleBinEachKindOverHTTP(t *testing.T) {
	t.Parallel()
	kinds := []struct{ typ, get, del string }{
		{"Feature", "/api/v1/features/PRJ1-3", ""},
		{"Requirement", "/api/v1/requirements/PRJ1-1-2", ""},
		{"Epic", "/api/v1/epics/PRJ1-E-2", ""},
		{"Release", "/api/v1/releases/PRJ1-R-3", "/api/v1/products/PRJ1/releases/PRJ1-R-3"},
		{"Initiative", "/api/v1/initiatives/PRJ1-S-2", "/api/v1/products/PRJ1/initiatives/PRJ1-S-2"},
		{"KeyResult", "/api/v1/key_results/DEMOENT-G-1-KR-2", ""},
		{"ReleasePhase", "/api/v1/release_phases/405824017", ""},
		{"Task", "/api/v1/tasks/491284354", ""},
		{"StrategicImperative", "/api/v1/goals/DEMOENT-G-1", "/api/v1/products/PRJ1/goals/DEMOENT-G-1"},
		{"MasterRelease", "/api/v1/releases/PRJ1-MR-2", ""},
		{"Comment", "", ""},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, k := range kinds {
			if k.typ == "Comment" {
				c := s.do(t, "POST", "/api/v1/features/PRJ1-2/comments", `{"comment":{"body":"<p>Keep me</p>"}}`)
				if c.Status != http.StatusCreated {
					t.Fatalf("POST comment: %s", c)
				}
				k.get = "/api/v1/comments/" + c.tree(t).get("comment", "id").str()
			}
			before := s.do(t, "GET", k.get, "")
			if before.Status != http.StatusOK {
				t.Fatalf("GET %s: %s", k.get, before)
			}
			del := k.del
			if del == "" {
				del = k.get
			}
			if r := s.do(t, "DELETE", del, ""); r.Status != http.StatusNoContent {
				t.Fatalf("DELETE %s: %s", del, r)
			}
			if r := s.do(t, "GET", k.get, ""); r.Status != http.StatusNotFound {
				t.Fatalf("GET %s after the delete: %s", k.get, r)
			}
			l := s.do(t, "GET", "/api/v1/deletions", "").tree(t).get("deletions").list
			if len(l) != 1 || l[0].get("record", "type").str() != k.typ {
				t.Fatalf("after deleting %s the bin lists %v", k.get, l)
			}
			if r := s.do(t, "POST", "/api/v1/deletions/"+l[0].get("id").str()+"/restore", ""); r.Status != http.StatusOK {
				t.Fatalf("restore of %s: %s", k.get, r)
			}
			after := s.do(t, "GET", k.get, "")
			if after.Status != http.StatusOK {
				t.Fatalf("GET %s after the restore: %s", k.get, after)
			}
			rules := compareRules{ignoreKeys: pathSet("updated_at")}
			if diff := compare(before.tree(t), after.tree(t), rules); len(diff) > 0 {
				t.Errorf("%s differs after the restore: %v", k.get, diff)
			}
		}
	})
}
