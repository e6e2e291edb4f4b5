package api

import (
	"context"
	"net/http"
	"sync"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// A user sees only the products where it holds a role, and the records in
// them. Handlers check the record a request names (authorize) and lists
// filter in the database (VisibleTo); what those records embed (a release's
// goals, initiatives and parent, a goal's releases and parents, a feature's
// key results, links to records of other products, ...) is pruned by
// onlyVisible, which every representation's records go through before it is
// built: roadmap.Prune drops every embedded record that belongs to a product
// the viewer may not see. New embedded links need nothing more than a
// ProductID to be covered.

// viewer is the user a request is answered for. The products it may see are
// loaded once per request, with one query, on first use; the account
// administrator sees everything and needs none.
type viewer struct {
	user *roadmap.User
	load func() ([]int64, error)

	once sync.Once
	sees map[int64]bool
	err  error
}

type viewerKey struct{}

// withViewer returns ctx carrying the viewer u.
func (s *Server) withViewer(ctx context.Context, u *roadmap.User) context.Context {
	v := &viewer{user: u}
	v.load = func() ([]int64, error) { return s.store.VisibleProductIDs(ctx, u.ID) }
	return context.WithValue(ctx, viewerKey{}, v)
}

// visibleProducts returns the set of products the viewer may see.
func (v *viewer) visibleProducts() (map[int64]bool, error) {
	v.once.Do(func() {
		ids, err := v.load()
		if err != nil {
			v.err = err
			return
		}
		v.sees = make(map[int64]bool, len(ids))
		for _, id := range ids {
			v.sees[id] = true
		}
	})
	return v.sees, v.err
}

// onlyVisible prunes, in place, every embedded record of each of recs (a
// pointer to a record, or a slice of records or of pointers to them) that
// the request's viewer may not see. The records themselves are kept: the
// caller has already checked them. It must be called on everything a
// representation is built from.
func onlyVisible(r *http.Request, recs ...any) error {
	v, _ := r.Context().Value(viewerKey{}).(*viewer)
	if v == nil {
		return roadmap.Errorf(roadmap.EINTERNAL, "no viewer for the request")
	}
	if v.user.Admin {
		return nil
	}
	sees, err := v.visibleProducts()
	if err != nil {
		return err
	}
	roadmap.Prune(sees, recs...)
	return nil
}
