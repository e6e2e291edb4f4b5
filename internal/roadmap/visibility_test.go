package roadmap

import (
	"reflect"
	"sort"
	"testing"
)

// productFree are the record types, embedded in others, that belong to no
// product: the pruner keeps them wherever they appear. A type joins this
// list only when no product's visibility can apply to it.
var productFree = map[reflect.Type]bool{
	reflect.TypeFor[User]():             true,
	reflect.TypeFor[WorkflowStatus]():   true,
	reflect.TypeFor[Workflow]():         true,
	reflect.TypeFor[Note]():             true,
	reflect.TypeFor[IntegrationField](): true, // held by its record
	reflect.TypeFor[CustomField]():      true, // held by its record
	reflect.TypeFor[Tag]():              true,
	reflect.TypeFor[ScoreFact]():        true,
	reflect.TypeFor[EpicTag]():          true,
	reflect.TypeFor[EpicScoreFact]():    true,
	reflect.TypeFor[TimeFrame]():        true,
	reflect.TypeFor[TaskAssignee]():     true,
	reflect.TypeFor[FeatureLink]():      true, // judged by its two ends
}

// TestEveryEmbeddedRecordHasAProduct walks the types of every record the
// API represents and checks that each record type embedded in them (any
// struct with an ID) can be judged by the pruner: it has a ProductID, is a
// product, holds by value a record that does, or is known to belong to no
// product. A new embedded link without a product fails here instead of
// leaking.
func TestEveryEmbeddedRecordHasAProduct(t *testing.T) {
	tops := []reflect.Type{
		reflect.TypeFor[Release](), reflect.TypeFor[RollUp](), reflect.TypeFor[GoalDetail](),
		reflect.TypeFor[InitiativeDetail](), reflect.TypeFor[KeyResult](), reflect.TypeFor[Feature](),
		reflect.TypeFor[Requirement](), reflect.TypeFor[Epic](), reflect.TypeFor[ReleasePhase](),
		reflect.TypeFor[Comment](), reflect.TypeFor[Task](), reflect.TypeFor[ProductDetail](),
		reflect.TypeFor[UserDetail](), reflect.TypeFor[ProductUser](), reflect.TypeFor[Integration](),
	}
	seen := map[reflect.Type]bool{}
	var bad []string
	// A struct embedded anonymously is part of the record that embeds it
	// (its fields are promoted, ProductID included), so it is not judged on
	// its own; the records it holds are.
	var walk func(t reflect.Type, embedded, promoted bool)
	walk = func(t reflect.Type, embedded, promoted bool) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t.PkgPath() != roadmapPkg || seen[t] {
			return
		}
		if _, hasID := t.FieldByName("ID"); embedded && !promoted && hasID && !productFree[t] && !judged(t) {
			bad = append(bad, t.Name())
		}
		if !promoted {
			seen[t] = true
		}
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				walk(f.Type, embedded || !f.Anonymous, f.Anonymous)
			}
		}
	}
	for _, top := range tops {
		walk(top, false, false)
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("embedded record types that belong to no known product, which the pruner cannot judge: %v", bad)
	}
}

// judged reports whether the pruner can tell the product of a record of
// type t: its own, or that of a record it holds by value.
func judged(t reflect.Type) bool {
	if t == productType {
		return true
	}
	if f, ok := t.FieldByName("ProductID"); ok && f.Type.Kind() == reflect.Int64 {
		return true
	}
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == roadmapPkg && judged(f.Type) {
			return true
		}
	}
	return false
}

// TestPrunerDropsInvisibleRecords checks the pruner on one release: the
// goals, initiatives and parent of products the viewer may not see go, the
// release itself and what is visible stay, and a record whose product is
// unknown (0) goes too.
func TestPrunerDropsInvisibleRecords(t *testing.T) {
	rel := &Release{ID: 1, ProductID: 10, Product: Product{ID: 10},
		Goals:       []Goal{{ID: 2, ProductID: 10}, {ID: 3, ProductID: 20}, {ID: 4}},
		Initiatives: []Initiative{{ID: 5, ProductID: 20}},
		Parent:      &ReleaseRef{ID: 6, ProductID: 20},
		Owner:       User{ID: 7},
	}
	other := &Release{ID: 8, ProductID: 20, Product: Product{ID: 20},
		Goals: []Goal{{ID: 9, ProductID: 20}, {ID: 11, ProductID: 10}}}
	p := pruner{sees: map[int64]bool{10: true}}
	p.prune(reflect.ValueOf([]*Release{rel, other}), true)
	if len(rel.Goals) != 1 || rel.Goals[0].ID != 2 {
		t.Errorf("goals: %+v, want goal 2 only", rel.Goals)
	}
	if len(rel.Initiatives) != 0 || rel.Parent != nil {
		t.Errorf("initiatives %+v and parent %+v of an invisible product stay", rel.Initiatives, rel.Parent)
	}
	if rel.Owner.ID != 7 || rel.Product.ID != 10 {
		t.Errorf("the owner or the product went: %+v %+v", rel.Owner, rel.Product)
	}
	// A checked record stays even if its own product were invisible; what
	// it embeds is pruned all the same.
	if other.ID != 8 || len(other.Goals) != 1 || other.Goals[0].ID != 11 {
		t.Errorf("the second release: %+v", other)
	}
}

// benchReleases returns n releases of product 10, each with goals and
// initiatives of products 10 and 20, and a parent of product 20.
func benchReleases(n int) []*Release {
	out := make([]*Release, n)
	for i := range out {
		out[i] = &Release{ID: int64(i + 1), ProductID: 10, Product: Product{ID: 10},
			Goals:       []Goal{{ID: 2, ProductID: 10}, {ID: 3, ProductID: 20}},
			Initiatives: []Initiative{{ID: 4, ProductID: 10}, {ID: 5, ProductID: 20}},
			Parent:      &ReleaseRef{ID: 6, ProductID: 20},
			Watchers:    []User{{ID: 7}, {ID: 8}},
		}
	}
	return out
}

// BenchmarkPruneReleasePage prunes a page of 200 releases; compare it with
// the api package's BenchmarkRenderReleasePage, the cost of rendering the
// same page.
func BenchmarkPruneReleasePage(b *testing.B) {
	sees := map[int64]bool{10: true}
	for b.Loop() {
		b.StopTimer()
		rels := benchReleases(200)
		b.StartTimer()
		Prune(sees, rels)
	}
}
