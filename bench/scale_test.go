package bench

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// TestGenerateMatchesTheStore checks that the generated releases read back
// through the store like the release the store wrote, apart from what the
// generator varies, and that the selective filters match Few of them.
func TestGenerateMatchesTheStore(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			const n = 50
			acc, err := Generate(ctx, dsn, n)
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			before, _, err := db.Releases(ctx, roadmap.ReleaseFilter{ProductID: Product, Page: roadmap.Page{Page: 1, PerPage: 1}})
			if err != nil || len(before) == 0 {
				t.Fatalf("Releases: %v", err)
			}
			_, total, err := db.Releases(ctx, roadmap.ReleaseFilter{ProductID: Product})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.Release(ctx, acc.Sample)
			if err != nil {
				t.Fatalf("Release(%s): %v", acc.Sample, err)
			}
			tmpl, err := db.Release(ctx, acc.Template.ReferenceNum)
			if err != nil {
				t.Fatal(err)
			}
			// Everything but the varied fields equals the template's.
			g, w := *got, *tmpl
			for _, r := range []*roadmap.Release{&g, &w} {
				r.ID, r.ReferenceNum, r.Name, r.Position = 0, "", "", nil
				r.WorkflowStatus, r.WorkflowStatusID, r.ParkingLot = roadmap.WorkflowStatus{}, 0, false
				r.CreatedAt, r.UpdatedAt, r.Theme.ID = time.Time{}, time.Time{}, 0
				r.StatusTimes = nil
			}
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			if string(gj) != string(wj) {
				t.Errorf("a generated release differs from the template beyond the varied fields:\n got %s\nwant %s", gj, wj)
			}
			if got.WorkflowStatus.Complete != true {
				t.Errorf("%s is in status %q, want a shipped one", got.ReferenceNum, got.WorkflowStatus.Name)
			}
			yes := true
			since := time.UnixMilli(acc.RecentSince)
			for name, f := range map[string]roadmap.ReleaseFilter{
				"q":             {Query: "QUOKKA"},
				"parking_lot":   {ParkingLot: &yes},
				"updated_since": {UpdatedSince: &since},
			} {
				f.ProductID = Product
				rels, total, err := db.Releases(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				bulk := 0
				for _, r := range rels {
					if r.ID > acc.Template.ID {
						bulk++
					}
				}
				if bulk != Few || total < Few || total > Few+5 {
					t.Errorf("%s: %d generated releases of %d, want %d", name, bulk, total, Few)
				}
			}
			// The numbering goes on after the generated releases.
			next, err := db.CreateRelease(ctx, Product, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("After")})
			if err != nil {
				t.Fatalf("creating after the generated releases: %v", err)
			}
			if *next.Position != *tmpl.Position+n+1 {
				t.Errorf("position after generation = %d, want %d", *next.Position, *tmpl.Position+n+1)
			}
			_, after, err := db.Releases(ctx, roadmap.ReleaseFilter{ProductID: Product})
			if err != nil || after != total+1 {
				t.Errorf("total after one create = %d (%v), want %d", after, err, total+1)
			}
			if err := db.DeleteRelease(ctx, next.ID); err != nil {
				t.Fatal(err)
			}
			if _, after, err = db.Releases(ctx, roadmap.ReleaseFilter{ProductID: Product}); err != nil || after != total {
				t.Errorf("total after deleting it = %d (%v), want %d", after, err, total)
			}
		})
	}
}
