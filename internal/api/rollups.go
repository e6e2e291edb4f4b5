package api

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// rollUpRoutes are the routes of roll-up releases.
func (s *Server) rollUpRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/roll_up_releases/{id}":                   s.getRollUp,
		"PUT /api/v1/roll_up_releases/{id}":                   s.updateRollUp,
		"DELETE /api/v1/roll_up_releases/{id}":                s.deleteRollUp,
		"GET /api/v1/products/{product_id}/roll_up_releases":  s.listRollUps,
		"POST /api/v1/products/{product_id}/roll_up_releases": s.createRollUp,
	}
}

// rollUpKeys are the keys a roll-up release shows by default, in the
// reference's order: the compact form of a release.
var rollUpKeys = []string{"id", "reference_num", "name", "start_date", "release_date", "created_at", "url", "resource"}

var rollUpKeySet = func() map[string]bool {
	m := map[string]bool{"projects": true}
	for _, k := range rollUpKeys {
		m[k] = true
	}
	return m
}()

// rollUpFields returns every key a roll-up release can show: the compact
// keys by default, then, on request, every key of the full release
// representation and projects, the products it collects besides its own.
func (s *Server) rollUpFields(ru *roadmap.RollUp) []field {
	all := s.releaseFields(&ru.Release)
	byKey := make(map[string]field, len(all))
	for _, f := range all {
		byKey[f.k] = f
	}
	out := make([]field, 0, len(all)+1)
	for _, k := range rollUpKeys {
		if f, ok := byKey[k]; ok {
			f.dflt = true
			out = append(out, f)
		}
	}
	for _, f := range all {
		if !rollUpKeySet[f.k] {
			f.dflt = false
			out = append(out, f)
		}
	}
	projects := make([]object, 0, len(ru.Projects))
	for _, p := range ru.Projects {
		projects = append(projects, s.projectRep(p))
	}
	return append(out, field{kv{"projects", projects}, false})
}

// rollUpNeedsFull reports whether a list with this selection shows keys
// that only a fully loaded release has.
func rollUpNeedsFull(sel selection) bool {
	for k := range sel.asked {
		if !rollUpKeySet[k] {
			return true
		}
	}
	return false
}

func (s *Server) writeRollUp(w http.ResponseWriter, r *http.Request, ru *roadmap.RollUp, sel selection) error {
	if err := onlyVisible(r, ru); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"roll_up_release", sel.apply(s.rollUpFields(ru))}})
}

// rollUp finds the roll-up release of the path and checks that u has access a
// in its product.
func (s *Server) rollUp(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.RollUp, error) {
	ru, err := s.store.RollUp(r.Context(), r.PathValue("id"), visibleTo(u))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, ru.ProductID, a); err != nil {
		return nil, err
	}
	return ru, nil
}

// ruProduct finds the product of the path and checks that u has access a
// in it.
func (s *Server) ruProduct(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.Product, error) {
	p, err := s.store.Product(r.Context(), r.PathValue("product_id"))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, p.ID, a); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) getRollUp(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ru, err := s.rollUp(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeRollUp(w, r, ru, fieldsOf(r, nil))
}

func (s *Server) listRollUps(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.ruProduct(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	rus, total, err := s.store.RollUps(r.Context(), roadmap.RollUpFilter{
		ProductID: p.ID, Page: page, Full: rollUpNeedsFull(sel), VisibleTo: visibleTo(u)})
	if err != nil {
		return err
	}
	items := make([]object, 0, len(rus))
	if err := onlyVisible(r, rus); err != nil {
		return err
	}
	for _, ru := range rus {
		items = append(items, sel.apply(s.rollUpFields(ru)))
	}
	return writeJSON(w, http.StatusOK, object{{"roll_up_releases", items}, {"pagination", ruPagination(page, total)}})
}

// ruPagination is the pagination object of a list answer.
func ruPagination(page roadmap.Page, total int) object {
	return object{
		{"total_records", total},
		{"total_pages", (total + page.PerPage - 1) / page.PerPage},
		{"current_page", page.Page},
	}
}

// rollUpInput decodes the fields of a roll-up release body: those of a
// release, and project_ids, the products whose releases it collects.
func rollUpInput(rec map[string]json.RawMessage) (roadmap.RollUpInput, []string, error) {
	in, err := releaseInput(rec)
	if err != nil {
		return roadmap.RollUpInput{}, nil, err
	}
	d := &fieldDecoder{rec: rec}
	projects := d.list("project_ids")
	if d.err != nil {
		return roadmap.RollUpInput{}, nil, d.err
	}
	out := roadmap.RollUpInput{ReleaseInput: in}
	if projects.Set {
		out.Projects = roadmap.Some([]int64{})
	}
	return out, projects.V, nil
}

// resolveProjects finds the products that project_ids names, by ID or
// reference prefix. An unknown product, or one u may not see, is a
// validation error. Adding a product to a roll-up needs write access to it:
// one u may see but not change is forbidden, unless it is in already, the
// set the roll-up has.
func (s *Server) resolveProjects(r *http.Request, u *roadmap.User, refs []string, already []roadmap.Product) ([]int64, error) {
	ids := []int64{}
	for _, ref := range refs {
		p, err := s.store.Product(r.Context(), ref)
		if err == nil {
			access := roadmap.AccessWrite
			if slices.ContainsFunc(already, func(a roadmap.Product) bool { return a.ID == p.ID }) {
				access = roadmap.AccessRead
			}
			err = s.authorize(r.Context(), u, p.ID, access)
		}
		switch roadmap.ErrorCode(err) {
		case roadmap.ENOTFOUND:
			return nil, roadmap.FieldErrorf("project_ids", "project_ids: no product %q", ref)
		case roadmap.EFORBIDDEN:
			return nil, roadmap.Errorf(roadmap.EFORBIDDEN, "project_ids: your role in product %s does not allow adding it to a roll-up release", p.ReferencePrefix)
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, p.ID) {
			ids = append(ids, p.ID)
		}
	}
	return ids, nil
}

func (s *Server) createRollUp(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.ruProduct(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "roll_up_release", true)
	if err != nil {
		return err
	}
	in, refs, err := rollUpInput(b.record)
	if err != nil {
		return err
	}
	in.ReleaseInput.VisibleTo = visibleTo(u)
	if in.Projects.Set {
		if in.Projects.V, err = s.resolveProjects(r, u, refs, nil); err != nil {
			return err
		}
	}
	ru, err := s.store.CreateRollUp(r.Context(), p.ID, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeRollUp(w, r, ru, fieldsOf(r, b))
}

func (s *Server) updateRollUp(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ru, err := s.rollUp(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "roll_up_release", true)
	if err != nil {
		return err
	}
	in, refs, err := rollUpInput(b.record)
	if err != nil {
		return err
	}
	in.ReleaseInput.VisibleTo = visibleTo(u)
	if in.Projects.Set {
		// Adding a product needs write access to it; so does removing one,
		// since its releases leave the roll-up. Products u may not see are
		// not in ru.Projects and stay.
		if in.Projects.V, err = s.resolveProjects(r, u, refs, ru.Projects); err != nil {
			return err
		}
		for _, p := range ru.Projects {
			if slices.Contains(in.Projects.V, p.ID) {
				continue
			}
			err := s.authorize(r.Context(), u, p.ID, roadmap.AccessWrite)
			if roadmap.ErrorCode(err) == roadmap.EFORBIDDEN {
				return roadmap.Errorf(roadmap.EFORBIDDEN, "project_ids: your role in product %s does not allow removing it from the roll-up release", p.ReferencePrefix)
			}
			if err != nil {
				return err
			}
		}
	}
	in.VisibleTo = visibleTo(u)
	updated, err := s.store.UpdateRollUp(r.Context(), ru.ID, in)
	if err != nil {
		return err
	}
	return s.writeRollUp(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deleteRollUp(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ru, err := s.rollUp(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteRelease(r.Context(), ru.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
