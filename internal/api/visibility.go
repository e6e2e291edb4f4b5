package api

import (
	"context"
	"net/http"
	"reflect"
	"sync"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// A user sees only the products where it holds a role, and the records in
// them. Handlers check the record a request names (authorize) and lists
// filter in the database (VisibleTo); what those records embed (a release's
// goals, initiatives and parent, a goal's releases and parents, a feature's
// key results, links to records of other products, ...) is pruned here, in
// one place, before any representation is built: every embedded record that
// belongs to a product the viewer may not see is dropped from its list, or
// set to nil when it stands alone. A record "belongs to a product" when its
// type has a ProductID field, or is a roadmap.Product (keyed by its ID); a
// record whose product is unknown (ProductID 0) counts as invisible, so that
// a loader that forgets to fill it hides rather than leaks. New embedded
// links need nothing more than a ProductID to be covered.

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
	p := pruner{sees: sees}
	for _, rec := range recs {
		p.prune(reflect.ValueOf(rec), true)
	}
	return nil
}

var (
	roadmapPkg  = reflect.TypeFor[roadmap.Product]().PkgPath()
	productType = reflect.TypeFor[roadmap.Product]()
)

// pruner walks records of the roadmap package.
type pruner struct{ sees map[int64]bool }

// prune removes what x embeds that is not visible. top says that x is (or
// holds) the records the caller checked, which stay whatever their product.
func (p pruner) prune(x reflect.Value, top bool) {
	switch x.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !x.IsNil() {
			p.prune(x.Elem(), top)
		}
	case reflect.Slice:
		if top {
			for i := 0; i < x.Len(); i++ {
				p.prune(x.Index(i), true)
			}
			return
		}
		p.filter(x)
	case reflect.Struct:
		if x.Type().PkgPath() != roadmapPkg {
			return
		}
		for i := 0; i < x.NumField(); i++ {
			if !x.Type().Field(i).IsExported() {
				continue
			}
			f := x.Field(i)
			switch f.Kind() {
			case reflect.Pointer:
				if f.IsNil() {
					continue
				}
				if !p.visible(f.Elem()) {
					f.SetZero()
					continue
				}
				p.prune(f.Elem(), false)
			case reflect.Slice:
				p.filter(f)
			case reflect.Struct:
				p.prune(f, false)
			}
		}
	}
}

// filter drops the invisible items of the slice x, keeping the order, and
// prunes those that stay.
func (p pruner) filter(x reflect.Value) {
	if x.IsNil() {
		return
	}
	kept := reflect.MakeSlice(x.Type(), 0, x.Len())
	for i := 0; i < x.Len(); i++ {
		it := x.Index(i)
		if p.visible(it) {
			p.prune(it, false)
			kept = reflect.Append(kept, it)
		}
	}
	if kept.Len() != x.Len() && x.CanSet() {
		x.Set(kept)
	}
}

// visible reports whether x, a record or a pointer to one, may be seen: its
// own product and those of the records it holds by value (the two ends of
// a link, the product of a release) must all be visible. Values that are
// not records of the roadmap package are always visible.
func (p pruner) visible(x reflect.Value) bool {
	for x.Kind() == reflect.Pointer || x.Kind() == reflect.Interface {
		if x.IsNil() {
			return true
		}
		x = x.Elem()
	}
	if x.Kind() != reflect.Struct || x.Type().PkgPath() != roadmapPkg {
		return true
	}
	if id, ok := productOf(x); ok && !p.sees[id] {
		return false
	}
	for i := 0; i < x.NumField(); i++ {
		f := x.Field(i)
		if f.Kind() == reflect.Struct && x.Type().Field(i).IsExported() && !p.visible(f) {
			return false
		}
	}
	return true
}

// productOf returns the product a record belongs to, and false for values
// that belong to no product (users, notes, statuses, ...).
func productOf(x reflect.Value) (int64, bool) {
	if x.Type() == productType {
		return x.FieldByName("ID").Int(), true
	}
	if sf, ok := x.Type().FieldByName("ProductID"); ok && sf.Type.Kind() == reflect.Int64 {
		return x.FieldByIndex(sf.Index).Int(), true
	}
	return 0, false
}
