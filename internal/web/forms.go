package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// optText reads a text field of a form: absent is unset, blank is null
// for fields that may be cleared.
func optText(v url.Values, key string, nullable bool) roadmap.Opt[string] {
	xs, ok := v[key]
	if !ok {
		return roadmap.Opt[string]{}
	}
	s := strings.TrimSpace(xs[0])
	if s == "" && nullable {
		return roadmap.Opt[string]{Set: true, Null: true}
	}
	return roadmap.Some(s)
}

// releaseForm reads the fields of the release form into the same input the
// API decodes from JSON, so the store applies the same rules to both.
func releaseForm(v url.Values) roadmap.ReleaseInput {
	in := roadmap.ReleaseInput{
		Name:                 optText(v, "name", false),
		StartDate:            optText(v, "start_date", true),
		ReleaseDate:          optText(v, "release_date", true),
		DevelopmentStartedOn: optText(v, "development_started_on", true),
		ExternalReleaseDate:  optText(v, "external_release_date", true),
		WorkflowStatus:       optText(v, "workflow_status", false),
		ParentID:             optText(v, "parent_id", true),
		Theme:                optText(v, "theme", false),
		TotalCapacityText:    optText(v, "total_capacity_text", false),
		CapacityUnits:        optText(v, "capacity_units", false),
	}
	if in.WorkflowStatus.Set && in.WorkflowStatus.V == "" {
		in.WorkflowStatus = roadmap.Opt[string]{}
	}
	// Capacity is left as it is unless the form gives it.
	for _, o := range []*roadmap.Opt[string]{&in.TotalCapacityText, &in.CapacityUnits} {
		if o.Set && o.V == "" {
			*o = roadmap.Opt[string]{}
		}
	}
	if v.Has("parking_lot_field") {
		in.ParkingLot = roadmap.Some(v.Get("parking_lot") != "")
	}
	return in
}

// newReleaseData is what the create and edit forms show.
type newReleaseData struct {
	Product  *roadmap.Product
	Release  *roadmap.Release
	Statuses []roadmap.WorkflowStatus
	RollUps  []*roadmap.Release
	// Values are what the form's fields hold before anything is sent.
	Values map[string]string
}

func (s *Server) releaseFormData(r *http.Request, p *roadmap.Product, rel *roadmap.Release) (newReleaseData, error) {
	ctx := r.Context()
	d := newReleaseData{Product: p, Release: rel, Values: map[string]string{}}
	var err error
	if d.Statuses, err = s.releaseStatuses(ctx, p.ID); err != nil {
		return d, err
	}
	if rel != nil {
		d.Values = map[string]string{
			"name": rel.Name, "start_date": rel.StartDate, "development_started_on": rel.DevelopmentStartedOn,
			"release_date": rel.ReleaseDate, "external_release_date": rel.ExternalReleaseDate,
			"workflow_status": strconv.FormatInt(rel.WorkflowStatusID, 10), "capacity_units": rel.CapacityUnits,
			"theme": rel.Theme.Body, "parking_lot": strconv.FormatBool(rel.ParkingLot),
		}
		if rel.ParentID != 0 {
			d.Values["parent_id"] = strconv.FormatInt(rel.ParentID, 10)
		}
	}
	rels, err := allPages(func(pg roadmap.Page) ([]*roadmap.Release, int, error) {
		return s.store.Releases(ctx, roadmap.ReleaseFilter{ProductID: p.ID, Page: pg})
	})
	if err != nil {
		return d, err
	}
	for _, x := range rels {
		if x.MasterRelease && (rel == nil || x.ID != rel.ID) {
			d.RollUps = append(d.RollUps, x)
		}
	}
	return d, nil
}

func (s *Server) newReleasePage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r.Context(), u, r.PathValue("product"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	d, err := s.releaseFormData(r, p, nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "release_form", &page{User: u, Title: "New release in " + p.Name, Data: d})
	return nil
}

func (s *Server) createRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r.Context(), u, r.PathValue("product"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	in := releaseForm(r.PostForm)
	in.VisibleTo = visibleTo(u)
	rel, err := s.store.CreateRelease(r.Context(), p.ID, u.ID, in)
	if err != nil {
		form := newForm("release", r)
		if !formError(form, err) {
			return err
		}
		d, derr := s.releaseFormData(r, p, nil)
		if derr != nil {
			return derr
		}
		s.render(w, r, roadmap.HTTPStatus(roadmap.ErrorCode(err)), "release_form", &page{User: u, Title: "New release in " + p.Name, Form: form, Data: d})
		return nil
	}
	http.Redirect(w, r, releasePath(rel.ReferenceNum, rel.MasterRelease), http.StatusSeeOther)
	return nil
}

func (s *Server) editReleasePage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r.Context(), u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	d, err := s.releaseFormData(r, &rel.Product, rel)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "release_form", &page{User: u, Title: "Edit " + rel.ReferenceNum, Data: d})
	return nil
}

func (s *Server) updateRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r.Context(), u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	in := releaseForm(r.PostForm)
	in.VisibleTo = visibleTo(u)
	updated, err := s.store.UpdateRelease(r.Context(), rel.ID, in)
	if err != nil {
		form := newForm("release", r)
		if !formError(form, err) {
			return err
		}
		d, derr := s.releaseFormData(r, &rel.Product, rel)
		if derr != nil {
			return derr
		}
		s.render(w, r, roadmap.HTTPStatus(roadmap.ErrorCode(err)), "release_form", &page{User: u, Title: "Edit " + rel.ReferenceNum, Form: form, Data: d})
		return nil
	}
	http.Redirect(w, r, releasePath(updated.ReferenceNum, updated.MasterRelease), http.StatusSeeOther)
	return nil
}

// formFailed shows the release page again with a form's error, or
// returns the error when no form shows it.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, u *roadmap.User, name string, err error) error {
	form := newForm(name, r)
	if !formError(form, err) {
		return err
	}
	return s.showRelease(w, r, u, roadmap.HTTPStatus(roadmap.ErrorCode(err)), form, "")
}

func (s *Server) shipRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	rel, err := s.release(ctx, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	sts, err := s.releaseStatuses(ctx, rel.ProductID)
	if err != nil {
		return err
	}
	var shipped *roadmap.WorkflowStatus
	for i := range sts {
		if sts[i].Complete {
			shipped = &sts[i]
			break
		}
	}
	if shipped == nil {
		return s.formFailed(w, r, u, "ship", roadmap.FieldErrorf("workflow_status", "the release workflow has no complete status"))
	}
	if _, err := s.store.UpdateRelease(ctx, rel.ID, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some(strconv.FormatInt(shipped.ID, 10)), VisibleTo: visibleTo(u)}); err != nil {
		return s.formFailed(w, r, u, "ship", err)
	}
	http.Redirect(w, r, releasePath(rel.ReferenceNum, rel.MasterRelease), http.StatusSeeOther)
	return nil
}

// wantsJSON reports whether the request comes from the page's script,
// which takes the API's JSON answer rather than a page.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func (s *Server) redateRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	rel, err := s.release(ctx, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		if wantsJSON(r) {
			return writeJSONError(w, err)
		}
		return err
	}
	v := r.PostForm
	in := roadmap.ReleaseInput{VisibleTo: visibleTo(u)}
	for _, k := range []string{"start_date", "development_started_on", "release_date", "external_release_date"} {
		if !v.Has(k) {
			continue
		}
		o := optText(v, k, k != "release_date")
		switch k {
		case "start_date":
			in.StartDate = o
		case "development_started_on":
			in.DevelopmentStartedOn = o
		case "release_date":
			in.ReleaseDate = o
		case "external_release_date":
			in.ExternalReleaseDate = o
		}
	}
	updated, err := s.store.UpdateRelease(ctx, rel.ID, in)
	if wantsJSON(r) {
		if err != nil {
			return writeJSONError(w, err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		return json.NewEncoder(w).Encode(map[string]any{"release": map[string]any{
			"reference_num": updated.ReferenceNum, "start_date": updated.StartDate,
			"development_started_on": updated.DevelopmentStartedOn, "release_date": updated.ReleaseDate,
		}})
	}
	if err != nil {
		return s.formFailed(w, r, u, "dates", err)
	}
	http.Redirect(w, r, releasePath(rel.ReferenceNum, rel.MasterRelease), http.StatusSeeOther)
	return nil
}

// writeJSONError answers the page's script in the API's error shape.
func writeJSONError(w http.ResponseWriter, err error) error {
	status := roadmap.HTTPStatus(roadmap.ErrorCode(err))
	if status == http.StatusInternalServerError {
		return err
	}
	if status == http.StatusNotFound {
		// A missing record and one the user may not see answer alike.
		err = roadmap.Errorf(roadmap.ENOTFOUND, "Not found")
	}
	body := map[string]any{"message": roadmap.ErrorMessage(err)}
	if e, ok := err.(*roadmap.Error); ok && e.Field != "" {
		body["field"] = e.Field
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(map[string]any{"errors": body})
}

func (s *Server) duplicateRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r.Context(), u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	cp, err := s.store.DuplicateRelease(r.Context(), rel.ID, u.ID)
	if err != nil {
		return s.formFailed(w, r, u, "duplicate", err)
	}
	http.Redirect(w, r, releasePath(cp.ReferenceNum, cp.MasterRelease), http.StatusSeeOther)
	return nil
}

func (s *Server) deleteReleasePage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r.Context(), u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "delete", &page{User: u, Title: "Delete " + rel.ReferenceNum, Data: rel})
	return nil
}

func (s *Server) deleteRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r.Context(), u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteRelease(r.Context(), rel.ID); err != nil {
		form := newForm("delete", r)
		if !formError(form, err) {
			return err
		}
		s.render(w, r, roadmap.HTTPStatus(roadmap.ErrorCode(err)), "delete", &page{User: u, Title: "Delete " + rel.ReferenceNum, Form: form, Data: rel})
		return nil
	}
	http.Redirect(w, r, "/projects/"+url.PathEscape(rel.Product.ReferencePrefix), http.StatusSeeOther)
	return nil
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r.Context(), u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	c, err := s.store.CreateComment(r.Context(), roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: rel.ID}, u.ID, r.PostForm.Get("body"))
	if err != nil {
		return s.formFailed(w, r, u, "comment", err)
	}
	http.Redirect(w, r, releasePath(rel.ReferenceNum, rel.MasterRelease)+"#comment-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) moveFeature(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	rel, err := s.release(ctx, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	f, err := s.store.Feature(ctx, r.PostForm.Get("feature"))
	if err != nil || f.ReleaseID != rel.ID {
		return s.formFailed(w, r, u, "move", roadmap.FieldErrorf("feature", "feature %q is not in release %s", r.PostForm.Get("feature"), rel.ReferenceNum))
	}
	if err := s.authorize(ctx, u, f.ProductID, roadmap.AccessWrite); err != nil {
		return err
	}
	target := strings.TrimSpace(r.PostForm.Get("release"))
	if target == "" {
		return s.formFailed(w, r, u, "move", roadmap.FieldErrorf("release", "release can't be blank"))
	}
	if _, err := s.store.UpdateFeature(ctx, f.ID, roadmap.FeatureInput{Release: roadmap.Some(target)}); err != nil {
		return s.formFailed(w, r, u, "move", err)
	}
	http.Redirect(w, r, releasePath(rel.ReferenceNum, rel.MasterRelease)+"#features", http.StatusSeeOther)
	return nil
}

// usersData is what the product's users page shows.
type usersData struct {
	Product   *roadmap.Product
	Users     []roadmap.ProductUser
	CanManage bool
	Roles     []roleOption
}

type roleOption struct{ Value, Label string }

var roleOptions = []roleOption{{"product_owner", "Owner"}, {"contributor", "Contributor"}, {"reviewer", "Reviewer"}, {"viewer", "Viewer"}, {"none", "None"}}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, u *roadmap.User, p *roadmap.Product, status int, form *formState, notice string) error {
	users, err := allPages(func(pg roadmap.Page) ([]roadmap.ProductUser, int, error) {
		return s.store.ProductUsers(r.Context(), p.ID, pg)
	})
	if err != nil {
		return err
	}
	d := usersData{Product: p, Users: users, CanManage: s.can(r.Context(), u, p.ID, roadmap.AccessManage), Roles: roleOptions}
	s.render(w, r, status, "users", &page{User: u, Title: "People in " + p.Name, Form: form, Notice: notice, Data: d})
	return nil
}

func (s *Server) productUsersPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r.Context(), u, r.PathValue("product"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.showUsers(w, r, u, p, http.StatusOK, nil, "")
}

func (s *Server) addProductUser(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r.Context(), u, r.PathValue("product"), roadmap.AccessManage)
	if err != nil {
		return err
	}
	v := r.PostForm
	form := newForm("user", r)
	name := strings.TrimSpace(v.Get("role"))
	role, ok := roadmap.ParseRole(name)
	if !ok {
		formError(form, roadmap.FieldErrorf("role", "role %q is not valid: use one of product_owner, contributor, reviewer, viewer, none", name))
		return s.showUsers(w, r, u, p, http.StatusUnprocessableEntity, form, "")
	}
	pu, err := s.store.AddProductUser(r.Context(), p.ID, roadmap.NewProductUser{
		FirstName: strings.TrimSpace(v.Get("first_name")), LastName: strings.TrimSpace(v.Get("last_name")),
		Email: strings.TrimSpace(v.Get("email")), Role: role,
	})
	if err != nil {
		if !formError(form, err) {
			return err
		}
		return s.showUsers(w, r, u, p, roadmap.HTTPStatus(roadmap.ErrorCode(err)), form, "")
	}
	return s.showUsers(w, r, u, p, http.StatusOK, nil, pu.User.Email+" is now "+pu.Role.Description()+" in "+p.Name+".")
}
