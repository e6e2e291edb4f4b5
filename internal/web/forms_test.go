package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// count returns the number of releases in a product.
func (e *env) count(product string) int {
	e.t.Helper()
	p, err := e.db.Product(context.Background(), product)
	if err != nil {
		e.t.Fatal(err)
	}
	_, n, err := e.db.Releases(context.Background(), roadmap.ReleaseFilter{ProductID: p.ID, Page: roadmap.Page{Page: 1, PerPage: 1}})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestCreateRelease(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		form := e.get(c, "/projects/APP/releases/new")
		e.must(form, http.StatusOK, `<label for="name">Name</label>`, `<label for="release_date">Release date</label>`, `<label for="parent_id">Roll-up</label>`, "Autumn launch", `<label for="parking_lot">`)

		n := e.count("APP")
		bad := url.Values{"name": {"Backwards"}, "start_date": {day(40)}, "release_date": {day(10)}, "parking_lot_field": {"1"}}
		r := e.post(c, "/projects/APP/releases", bad)
		e.must(r, http.StatusUnprocessableEntity, `id="err-start_date"`, "start_date "+day(40)+" is after release_date "+day(10), `value="Backwards"`)
		e.must(e.post(c, "/projects/APP/releases", url.Values{"name": {" "}, "release_date": {day(10)}}), http.StatusUnprocessableEntity, `id="err-name"`)
		e.must(e.post(c, "/projects/APP/releases", url.Values{"name": {"X"}, "release_date": {"2026-02-30"}}), http.StatusUnprocessableEntity, `id="err-release_date"`)
		e.must(e.post(c, "/projects/APP/releases", url.Values{"name": {"X"}, "release_date": {day(3)}, "parent_id": {"PRJ1-R-1"}}), http.StatusUnprocessableEntity, `id="err-parent_id"`)
		if e.count("APP") != n {
			t.Fatal("a refused form created a release")
		}

		rollup := e.release("APP-MR-1")
		r = e.post(c, "/projects/APP/releases", url.Values{
			"name": {"Summer launch"}, "start_date": {day(5)}, "release_date": {day(60)}, "workflow_status": {"Planning"},
			"parent_id": {itoa(rollup.ID)}, "parking_lot_field": {"1"}, "theme": {"<p>Sun</p>"},
		})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		rel := e.release(strings.TrimPrefix(r.Header.Get("Location"), "/releases/"))
		if rel.Name != "Summer launch" || rel.StartDate != day(5) || rel.ReleaseDate != day(60) || rel.WorkflowStatus.Name != "Planning" || rel.ParentID != rollup.ID || rel.Theme.Body != "<p>Sun</p>" || rel.ParkingLot {
			t.Fatalf("created %+v", rel)
		}
		r = e.post(c, "/projects/APP/releases", url.Values{"name": {"Someday"}, "parking_lot_field": {"1"}, "parking_lot": {"true"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("parking lot: %d %s", r.Status, r.Body)
		}
		if pl := e.release(strings.TrimPrefix(r.Header.Get("Location"), "/releases/")); !pl.ParkingLot {
			t.Fatal("not in the parking lot")
		}
		// The API sees the release at once.
		api := e.send(http.MethodGet, "", "/api/v1/releases/"+rel.ReferenceNum, nil, map[string]string{"Authorization": "Bearer " + demo.Token})
		e.must(api, http.StatusOK, `"name":"Summer launch"`, `"release_date":"`+day(60)+`"`)
	})
}

func TestEditShipAndRedate(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		e.must(e.get(c, "/releases/APP-R-4/edit"), http.StatusOK, `value="Onboarding refresh"`, `value="`+day(46)+`"`)
		r := e.post(c, "/releases/APP-R-4", url.Values{"name": {"Onboarding 2"}, "start_date": {day(-4)}, "release_date": {day(50)}, "parent_id": {""}, "parking_lot_field": {"1"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		rel := e.release("APP-R-4")
		if rel.Name != "Onboarding 2" || rel.ReleaseDate != day(50) || rel.ParentID != 0 {
			t.Fatalf("edited %+v", rel)
		}
		e.must(e.post(c, "/releases/APP-R-4", url.Values{"release_date": {"soon"}}), http.StatusUnprocessableEntity, `id="err-release_date"`)

		// Ship: the first complete status.
		e.must(e.get(c, "/releases/APP-R-4"), http.StatusOK, `id="ship"`)
		if r := e.post(c, "/releases/APP-R-4/ship", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("ship: %d", r.Status)
		}
		if rel := e.release("APP-R-4"); !rel.Released() || rel.WorkflowStatus.Name != "Shipped" {
			t.Fatalf("not shipped: %s", rel.WorkflowStatus.Name)
		}
		e.mustNot(e.get(c, "/releases/APP-R-4"), `id="ship"`)

		// New dates through the form, errors next to the field.
		if r := e.post(c, "/releases/APP-R-5/dates", url.Values{"start_date": {day(31)}, "release_date": {day(90)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("dates: %d %s", r.Status, r.Body)
		}
		if rel := e.release("APP-R-5"); rel.StartDate != day(31) || rel.ReleaseDate != day(90) {
			t.Fatalf("dates %s %s", rel.StartDate, rel.ReleaseDate)
		}
		r = e.post(c, "/releases/APP-R-5/dates", url.Values{"release_date": {day(1)}})
		e.must(r, http.StatusUnprocessableEntity, `id="err-d-start_date"`, "is after release_date")
		// The script's request gets the API's shapes.
		r = e.send(http.MethodPost, c, "/releases/APP-R-5/dates", url.Values{"release_date": {day(95)}}, map[string]string{"Accept": "application/json", "Sec-Fetch-Site": "same-origin"})
		var ok struct {
			Release struct {
				ReleaseDate string `json:"release_date"`
			} `json:"release"`
		}
		if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &ok) != nil || ok.Release.ReleaseDate != day(95) {
			t.Fatalf("JSON dates: %d %s", r.Status, r.Body)
		}
		r = e.send(http.MethodPost, c, "/releases/APP-R-5/dates", url.Values{"release_date": {day(1)}}, map[string]string{"Accept": "application/json", "Sec-Fetch-Site": "same-origin"})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"field":"start_date"`) {
			t.Fatalf("JSON error: %d %s", r.Status, r.Body)
		}
		if e.release("APP-R-5").ReleaseDate != day(95) {
			t.Fatal("a refused change changed the release")
		}
	})
}

func TestMoveFeatureCommentDuplicateDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		page := e.get(c, "/releases/APP-R-3")
		e.must(page, http.StatusOK, "Wallet payments", `<label for="m-feature">Feature</label>`, "In progress", "4w")
		fs, _, err := e.db.Features(context.Background(), roadmap.FeatureFilter{ReleaseID: e.release("APP-R-3").ID, Page: roadmap.Page{Page: 1, PerPage: 50}})
		if err != nil || len(fs) == 0 {
			t.Fatal(err)
		}
		f := fs[0]
		if r := e.post(c, "/releases/APP-R-3/features/move", url.Values{"feature": {f.ReferenceNum}, "release": {"APP-R-5"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
		moved, err := e.db.Feature(context.Background(), f.ReferenceNum)
		if err != nil || moved.ReleaseID != e.release("APP-R-5").ID {
			t.Fatalf("not moved: %v", err)
		}
		e.must(e.post(c, "/releases/APP-R-5/features/move", url.Values{"feature": {f.ReferenceNum}, "release": {"PRJ1-R-1"}}), http.StatusUnprocessableEntity, "release")
		e.must(e.post(c, "/releases/APP-R-3/features/move", url.Values{"feature": {f.ReferenceNum}, "release": {"APP-R-6"}}), http.StatusUnprocessableEntity, "is not in release APP-R-3")

		r := e.post(c, "/releases/APP-R-3/comments", url.Values{"body": {"<p>Looks good</p><img src=x onerror=alert(1)>"}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "#comment-") {
			t.Fatalf("comment: %d %s", r.Status, r.Body)
		}
		page = e.get(c, "/releases/APP-R-3")
		e.must(page, http.StatusOK, "<p>Looks good</p>")
		e.mustNot(page, "onerror")
		e.must(e.post(c, "/releases/APP-R-3/comments", url.Values{"body": {"  "}}), http.StatusUnprocessableEntity)

		n := e.count("APP")
		r = e.post(c, "/releases/APP-R-3/duplicate", url.Values{})
		if r.Status != http.StatusSeeOther || e.count("APP") != n+1 {
			t.Fatalf("duplicate: %d", r.Status)
		}
		dup := e.release(strings.TrimPrefix(r.Header.Get("Location"), "/releases/"))
		if !strings.HasSuffix(dup.Name, "Payments v2") || dup.ID == e.release("APP-R-3").ID {
			t.Fatalf("duplicate %+v", dup)
		}

		e.must(e.get(c, "/releases/APP-R-3/delete"), http.StatusOK, "Delete APP-R-3 Payments v2?", "Delete the release")
		e.must(e.post(c, "/releases/APP-R-3/delete", url.Values{}), http.StatusUnprocessableEntity, "features")
		e.release("APP-R-3")
		r = e.post(c, "/releases/APP-R-8/delete", url.Values{})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/projects/APP" {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if _, err := e.db.Release(context.Background(), "APP-R-8"); !roadmap.IsNotFound(err) {
			t.Fatalf("deleted release: %v", err)
		}
	})
}

func TestThemeIsSanitized(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		theme := `<p>Plan</p><script>document.title="pwned"</script><img src="x" onerror="alert(1)"><a href="javascript:alert(1)">x</a>`
		if _, err := e.db.UpdateRelease(context.Background(), e.release("APP-R-6").ID, roadmap.ReleaseInput{Theme: roadmap.Some(theme)}); err != nil {
			t.Fatal(err)
		}
		r := e.get(c, "/releases/APP-R-6")
		e.must(r, http.StatusOK, "<p>Plan</p>")
		e.mustNot(r, "<script>document", "onerror", "javascript:")
	})
}

func TestAddProductUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		owner := e.session(demo.John) // owns the showcase line and its products
		r := e.post(owner, "/projects/APP/users", url.Values{"email": {"henry.humpty@example.com"}, "role": {"contributor"}})
		e.must(r, http.StatusUnprocessableEntity, `first_name can&#39;t be blank`)
		r = e.post(owner, "/projects/APP/users", url.Values{"email": {"henry.humpty@example.com"}, "first_name": {"Henry"}, "last_name": {"Humpty"}, "role": {"contributor"}})
		e.must(r, http.StatusOK, "henry.humpty@example.com is now Contributor in Mobile app.")
		role, err := e.db.ProductRole(context.Background(), demo.Henry, e.release("APP-R-1").ProductID)
		if err != nil || role != roadmap.RoleContributor {
			t.Fatalf("role %v %v", role, err)
		}
		e.must(e.post(owner, "/projects/APP/users", url.Values{"email": {"henry.humpty@example.com"}, "first_name": {"Henry"}, "last_name": {"Humpty"}, "role": {"boss"}}), http.StatusUnprocessableEntity, "role &#34;boss&#34; is not valid")
		// Henry now contributes to APP: he sees its roadmap and edit
		// controls, but may not manage its people.
		h := e.session(demo.Henry)
		e.must(e.get(h, "/projects/APP"), http.StatusOK, "New release")
		e.mustNot(e.get(h, "/projects/APP/users"), `id="user-form"`)
		if r := e.post(h, "/projects/APP/users", url.Values{"email": {"jane.smith@example.com"}, "role": {"viewer"}}); r.Status != http.StatusForbidden {
			t.Fatalf("contributor adding a user: %d", r.Status)
		}
	})
}
