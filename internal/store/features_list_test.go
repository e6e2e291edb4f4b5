package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestFeatureListFilters lists features by every filter of the feature
// lists: each finds exactly the features that match, in id order, with the
// number of them as the total on every page, past the end too. Searches
// ignore case for every letter, treat % and _ as letters, find a renamed
// feature by its new name only and a deleted one no more.
func TestFeatureListFilters(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			names := []string{"Überfluss Widget", "ÜBERFLUSS gadget", "Ωmega wheel", "100% done", "100x done", "Plain thing"}
			var made []*roadmap.Feature
			for i, n := range names {
				in := roadmap.FeatureInput{Name: roadmap.Some(n)}
				if i%2 == 0 {
					in.Tags, in.AssignedTo = list("Listed-Tag"), roadmap.Some(id(demo.Henry))
				}
				made = append(made, mustCreateFeature(t, db, "PRJ2-R-1", in))
			}
			since := made[0].UpdatedAt.Add(-time.Millisecond)
			ids := func(idx ...int) []int64 {
				var out []int64
				for _, i := range idx {
					out = append(out, made[i].ID)
				}
				return out
			}
			check := func(name string, f roadmap.FeatureFilter, want []int64) {
				t.Helper()
				for _, per := range []int{1, 2, 30} {
					var got []int64
					for page := 1; page <= len(want)/per+2; page++ {
						f.Page = roadmap.Page{Page: page, PerPage: per}
						fs, total, err := db.Features(ctx, f)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if total != len(want) {
							t.Errorf("%s, page %d of %d: total %d, want %d", name, page, per, total, len(want))
						}
						for _, ft := range fs {
							got = append(got, ft.ID)
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s, pages of %d: %v, want %v", name, per, got, want)
					}
				}
			}
			scoped := func(f roadmap.FeatureFilter) roadmap.FeatureFilter {
				f.ProductID = demo.PRJ2
				f.UpdatedSince = &since
				return f
			}
			check("q überfluss", scoped(roadmap.FeatureFilter{Query: "überFLUSS"}), ids(0, 1))
			check("q ωme", scoped(roadmap.FeatureFilter{Query: "ΩME"}), ids(2))
			check("q üb (short)", scoped(roadmap.FeatureFilter{Query: "üB"}), ids(0, 1))
			check("q 100%", scoped(roadmap.FeatureFilter{Query: "100%"}), ids(3))
			check("q 0_", scoped(roadmap.FeatureFilter{Query: "0_"}), nil)
			check("q none", scoped(roadmap.FeatureFilter{Query: "nowhere"}), nil)
			check("tag", scoped(roadmap.FeatureFilter{Tag: "listed-TAG"}), ids(0, 2, 4))
			check("assigned_to id", scoped(roadmap.FeatureFilter{AssignedTo: id(demo.Henry)}), ids(0, 2, 4))
			check("assigned_to email", scoped(roadmap.FeatureFilter{AssignedTo: "HENRY.humpty@example.com"}), ids(0, 2, 4))
			check("updated_since", scoped(roadmap.FeatureFilter{}), ids(0, 1, 2, 3, 4, 5))
			check("q and tag", scoped(roadmap.FeatureFilter{Query: "done", Tag: "Listed-Tag"}), ids(4))
			check("release, q", roadmap.FeatureFilter{ReleaseID: made[0].ReleaseID, Query: "widget"}, ids(0))
			check("visible, q", roadmap.FeatureFilter{VisibleTo: demo.Mary, Query: "gadget"}, ids(1))
			check("visible, updated_since", roadmap.FeatureFilter{VisibleTo: demo.Mary, UpdatedSince: &since}, ids(0, 1, 2, 3, 4, 5))

			mustUpdateFeature(t, db, made[0].ID, roadmap.FeatureInput{Name: roadmap.Some("Renamed sprocket")})
			check("q old name", scoped(roadmap.FeatureFilter{Query: "widget"}), nil)
			check("q new name", scoped(roadmap.FeatureFilter{Query: "SPROCKET"}), ids(0))
			if err := db.DeleteFeature(ctx, made[1].ID); err != nil {
				t.Fatal(err)
			}
			check("q deleted", scoped(roadmap.FeatureFilter{Query: "gadget"}), nil)
		})
	}
}

// TestFeatureListTotals checks that the whole lists of a product and of a
// release report every feature they hold, on every page.
func TestFeatureListTotals(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			rel := mustRelease(t, db, "PRJ2-R-1")
			_, before, err := db.Features(ctx, roadmap.FeatureFilter{ReleaseID: rel.ID})
			if err != nil {
				t.Fatal(err)
			}
			_, productBefore, err := db.Features(ctx, roadmap.FeatureFilter{ProductID: demo.PRJ2})
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				mustCreateFeature(t, db, "PRJ2-R-1", roadmap.FeatureInput{Name: roadmap.Some("Counted")})
			}
			for page := 1; page <= 3; page++ {
				fs, total, err := db.Features(ctx, roadmap.FeatureFilter{ReleaseID: rel.ID, Page: roadmap.Page{Page: page, PerPage: 2}})
				if err != nil {
					t.Fatal(err)
				}
				if total != before+3 {
					t.Errorf("release list page %d: total %d, want %d", page, total, before+3)
				}
				if want := min(2, max(0, before+3-(page-1)*2)); len(fs) != want {
					t.Errorf("release list page %d: %d features, want %d", page, len(fs), want)
				}
				_, total, err = db.Features(ctx, roadmap.FeatureFilter{ProductID: demo.PRJ2, Page: roadmap.Page{Page: page, PerPage: 2}})
				if err != nil {
					t.Fatal(err)
				}
				if total != productBefore+3 {
					t.Errorf("product list page %d: total %d, want %d", page, total, productBefore+3)
				}
			}
		})
	}
}

// TestFeatureCountsKept checks the totals of the whole lists of products
// and releases after creates, moves between releases, deletes and
// concurrent creates: each equals the number of features the list holds.
func TestFeatureCountsKept(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			r1, r2 := mustRelease(t, db, "PRJ2-R-1"), mustRelease(t, db, "PRJ2-R-2")
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rel := r1
					if i%2 == 1 {
						rel = r2
					}
					if _, err := db.CreateFeature(ctx, rel.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Concurrent")}); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			moved := mustCreateFeature(t, db, "PRJ2-R-1", roadmap.FeatureInput{Name: roadmap.Some("Moved")})
			mustUpdateFeature(t, db, moved.ID, roadmap.FeatureInput{Release: roadmap.Some("PRJ2-R-2")})
			gone := mustCreateFeature(t, db, "PRJ2-R-2", roadmap.FeatureInput{Name: roadmap.Some("Gone")})
			if err := db.DeleteFeature(ctx, gone.ID); err != nil {
				t.Fatal(err)
			}
			for _, f := range []roadmap.FeatureFilter{{ProductID: demo.PRJ2}, {ReleaseID: r1.ID}, {ReleaseID: r2.ID}, {ProductID: demo.PRJ1}, {}, {VisibleTo: demo.Mary}, {VisibleTo: demo.Henry}, {ProductID: demo.PRJ1, VisibleTo: demo.Henry}} {
				// Pages of 1 read every feature; the same filter with an
				// updated_since long ago counts them.
				var n int
				for page := 1; ; page++ {
					f.Page = roadmap.Page{Page: page, PerPage: 1}
					fs, total, err := db.Features(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					counted := f
					epoch := time.Unix(0, 0)
					counted.UpdatedSince = &epoch
					_, want, err := db.Features(ctx, counted)
					if err != nil {
						t.Fatal(err)
					}
					if total != want {
						t.Errorf("%+v: total %d, the features counted %d", f, total, want)
					}
					if len(fs) == 0 {
						break
					}
					n++
				}
				_, total, _ := db.Features(ctx, f)
				if n != total || n == 0 {
					t.Errorf("%+v: %d features listed, total %d", f, n, total)
				}
			}
			// A user who may not see the product counts none of its features.
			for _, f := range []roadmap.FeatureFilter{{ProductID: demo.PRJ2, VisibleTo: demo.Henry}, {ReleaseID: r1.ID, VisibleTo: demo.Henry}} {
				fs, total, err := db.Features(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if total != 0 || len(fs) != 0 {
					t.Errorf("%+v: %d features, total %d, want none", f, len(fs), total)
				}
			}
		})
	}
}

// TestEpicListFilters lists epics by name, tag and updated_since: each finds
// exactly the epics that match, with their number as the total on every
// page; searches ignore case for every letter and follow renames and
// deletes.
func TestEpicListFilters(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, _ := mustOpenFeatures(t, backend)
			ctx := context.Background()
			rel := mustRelease(t, db, "PRJ2-R-1")
			var made []int64
			for i, n := range []string{"Überfluss epic", "ÜBERFLUSS saga", "Ωmega epic", "Plain saga"} {
				in := roadmap.EpicInput{Name: roadmap.Some(n)}
				if i%2 == 0 {
					in.Tags = list("Epic-Tag")
				}
				e, err := db.CreateEpic(ctx, rel.ID, demo.Mary, in)
				if err != nil {
					t.Fatal(err)
				}
				made = append(made, e.ID)
			}
			check := func(name string, f roadmap.EpicFilter, want ...int) {
				t.Helper()
				f.ProductID = demo.PRJ2
				var got []int64
				for page := 1; page <= len(want)+1; page++ {
					f.Page = roadmap.Page{Page: page, PerPage: 1}
					es, total, err := db.Epics(ctx, f)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if total != len(want) {
						t.Errorf("%s, page %d: total %d, want %d", name, page, total, len(want))
					}
					for _, e := range es {
						got = append(got, e.ID)
					}
				}
				var ids []int64
				for _, i := range want {
					ids = append(ids, made[i])
				}
				if !slices.Equal(got, ids) {
					t.Errorf("%s: %v, want %v", name, got, ids)
				}
			}
			check("q überfluss", roadmap.EpicFilter{Query: "überFLUSS"}, 0, 1)
			check("q ωme", roadmap.EpicFilter{Query: "ΩME"}, 2)
			check("q üb", roadmap.EpicFilter{Query: "Üb"}, 0, 1)
			check("q and tag", roadmap.EpicFilter{Query: "epic", Tag: "epic-tag"}, 0, 2)
			if _, err := db.UpdateEpic(ctx, made[0], roadmap.EpicInput{Name: roadmap.Some("Renamed chronicle")}); err != nil {
				t.Fatal(err)
			}
			check("q old name", roadmap.EpicFilter{Query: "überfluss"}, 1)
			check("q new name", roadmap.EpicFilter{Query: "CHRONICLE"}, 0)
			if err := db.DeleteEpic(ctx, made[2]); err != nil {
				t.Fatal(err)
			}
			check("q deleted", roadmap.EpicFilter{Query: "ωmega"})
		})
	}
}
