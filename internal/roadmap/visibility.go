package roadmap

import "reflect"

// Prune removes, in place, every record embedded in each of recs (a pointer
// to a record, or a slice of records or of pointers to them) that belongs to
// a product not in sees: dropped from its list, or set to nil when it stands
// alone. The records of recs themselves stay: the caller has checked them.
//
// A record belongs to a product when its type has a ProductID field, or is
// a Product (keyed by its ID); a record that holds such a record by value
// (the two ends of a link, a release's product) is visible only when they
// all are. A record whose product is unknown (ProductID 0) counts as
// invisible, so that a loader that forgets to fill it hides rather than
// shows. Values of other types (users, notes, statuses) always stay.
func Prune(sees map[int64]bool, recs ...any) {
	p := pruner{sees: sees}
	for _, rec := range recs {
		p.prune(reflect.ValueOf(rec), true)
	}
}

var (
	roadmapPkg  = reflect.TypeFor[Product]().PkgPath()
	productType = reflect.TypeFor[Product]()
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
