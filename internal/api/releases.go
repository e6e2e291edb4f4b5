package api

import (
	"net/http"
	"strconv"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// fieldsOf returns the fields selection of a request: the query parameter,
// or a top-level "fields" key of the body.
func fieldsOf(r *http.Request, b *body) selection {
	if b != nil && b.fields != "" {
		return parseFields(b.fields)
	}
	return parseFields(r.URL.Query().Get("fields"))
}

func (s *Server) writeRelease(w http.ResponseWriter, r *http.Request, rel *roadmap.Release, sel selection) error {
	if err := onlyVisible(r, rel); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"release", sel.apply(s.releaseFields(rel))}})
}

// releaseFilter reads the list parameters shared by every release list.
func releaseFilter(r *http.Request) (roadmap.ReleaseFilter, error) {
	var f roadmap.ReleaseFilter
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return f, err
	}
	f.Query = r.URL.Query().Get("q")
	if !validText(f.Query) {
		return f, fieldMalformed("q", "q must be UTF-8 text without NUL characters")
	}
	if f.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return f, err
	}
	if f.ParkingLot, err = queryBool(r, "parking_lot"); err != nil {
		return f, err
	}
	ex, err := queryBool(r, "exclude_shipped")
	if err != nil {
		return f, err
	}
	f.ExcludeShipped = ex != nil && *ex
	return f, nil
}

// listReleases answers a page of releases selected by scope.
func (s *Server) listReleases(w http.ResponseWriter, r *http.Request, scope func(*roadmap.ReleaseFilter)) error {
	f, err := releaseFilter(r)
	if err != nil {
		return err
	}
	scope(&f)
	sel := fieldsOf(r, nil)
	f.Full = sel.needsFull()
	rels, total, err := s.store.Releases(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(rels))
	if err := onlyVisible(r, rels); err != nil {
		return err
	}
	for _, rel := range rels {
		items = append(items, sel.apply(listFields(s.releaseFields(rel))))
	}
	pages := (total + f.Page.PerPage - 1) / f.Page.PerPage
	return writeJSON(w, http.StatusOK, object{
		{"releases", items},
		{"pagination", object{
			{"total_records", total},
			{"total_pages", pages},
			{"current_page", f.Page.Page},
		}},
	})
}

func (s *Server) listProductReleases(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.store.Product(r.Context(), r.PathValue("product_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, p.ID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listReleases(w, r, func(f *roadmap.ReleaseFilter) { f.ProductID = p.ID })
}

func (s *Server) listGoalReleases(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	g, err := s.store.Goal(r.Context(), r.PathValue("goal_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, g.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listReleases(w, r, func(f *roadmap.ReleaseFilter) { f.GoalID, f.VisibleTo = g.ID, visibleTo(u) })
}

func (s *Server) listInitiativeReleases(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	in, err := s.store.Initiative(r.Context(), r.PathValue("initiative_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, in.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listReleases(w, r, func(f *roadmap.ReleaseFilter) { f.InitiativeID, f.VisibleTo = in.ID, visibleTo(u) })
}

func (s *Server) listRollUpReleases(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listReleases(w, r, func(f *roadmap.ReleaseFilter) { f.ParentID, f.VisibleTo = rel.ID, visibleTo(u) })
}

func (s *Server) createRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.store.Product(r.Context(), r.PathValue("product_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, p.ID, roadmap.AccessWrite); err != nil {
		return err
	}
	b, err := readBody(w, r, "release", true)
	if err != nil {
		return err
	}
	in, err := releaseInput(b.record)
	if err != nil {
		return err
	}
	in.VisibleTo = visibleTo(u)
	rel, err := s.store.CreateRelease(r.Context(), p.ID, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeRelease(w, r, rel, fieldsOf(r, b))
}

// release finds a release by ID or key and checks the caller's access to
// its product.
func (s *Server) release(r *http.Request, u *roadmap.User, key string, a roadmap.Access) (*roadmap.Release, error) {
	rel, err := s.store.Release(r.Context(), key)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, rel.ProductID, a); err != nil {
		return nil, err
	}
	return rel, nil
}

// productRelease finds a release by ID or key within the product of the
// path, and checks the caller's access to it.
func (s *Server) productRelease(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.Release, error) {
	p, err := s.store.Product(r.Context(), r.PathValue("product_id"))
	if err != nil {
		return nil, err
	}
	rel, err := s.store.Release(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if rel.ProductID != p.ID {
		return nil, roadmap.Errorf(roadmap.ENOTFOUND, "release %s not found in product %s", r.PathValue("id"), p.ReferencePrefix)
	}
	if err := s.authorize(r.Context(), u, rel.ProductID, a); err != nil {
		return nil, err
	}
	return rel, nil
}

func (s *Server) getRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeRelease(w, r, rel, fieldsOf(r, nil))
}

func (s *Server) getProductRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.productRelease(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeRelease(w, r, rel, fieldsOf(r, nil))
}

// releaseID finds the release a key names and checks the caller's access
// to it, without loading the release: a write loads it under its lock.
func (s *Server) releaseID(r *http.Request, u *roadmap.User, key string, a roadmap.Access) (int64, error) {
	id, productID, err := s.store.ReleaseProduct(r.Context(), key)
	if err != nil {
		return 0, err
	}
	if err := s.authorize(r.Context(), u, productID, a); err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, u *roadmap.User, id int64) error {
	b, err := readBody(w, r, "release", true)
	if err != nil {
		return err
	}
	in, err := releaseInput(b.record)
	if err != nil {
		return err
	}
	in.VisibleTo = visibleTo(u)
	updated, err := s.store.UpdateRelease(r.Context(), id, in)
	if err != nil {
		return err
	}
	return s.writeRelease(w, r, updated, fieldsOf(r, b))
}

func (s *Server) updateRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	id, err := s.releaseID(r, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.update(w, r, u, id)
}

func (s *Server) updateProductRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.productRelease(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.update(w, r, u, rel.ID)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, rel *roadmap.Release) error {
	if err := s.store.DeleteRelease(r.Context(), rel.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.delete(w, r, rel)
}

func (s *Server) deleteProductRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.productRelease(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.delete(w, r, rel)
}

func (s *Server) duplicateRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "release", false)
	if err != nil {
		return err
	}
	cp, err := s.store.DuplicateRelease(r.Context(), rel.ID, u.ID)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, b)
	if sel.star && len(sel.asked) == 0 {
		sel = parseFields("id,name")
	}
	return s.writeRelease(w, r, cp, sel)
}

var _ = strconv.Itoa
