package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestFeatureOfManyRequirements loads a feature with more requirements
// than SQLite takes arguments in one statement (32,766): its
// representation embeds them all, and loading them failed.
func TestFeatureOfManyRequirements(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			db := mustSeed(t, mustOpen(t, dsn))
			f, err := db.CreateFeature(ctx, demo.Release1, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Many")})
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.CreateRequirement(ctx, f.ID, demo.Mary, roadmap.RequirementInput{Name: roadmap.Some("One of many")})
			if err != nil {
				t.Fatal(err)
			}
			const n = 33000
			raw := rawDB(t, backend, dsn)
			cols := "feature_id, name, name_fold, position, workflow_status_id, assigned_to_user_id, created_by_id, description_id, description_body, description_created_at, description_updated_at, created_at, updated_at"
			if _, err := raw.Exec(fmt.Sprintf(`WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < %d)
 INSERT INTO requirements (id, reference_num, %s) SELECT t.id + k, t.reference_num || '-' || k, %s FROM requirements t, s WHERE t.id = %d`,
				n, cols, "t."+strings.ReplaceAll(cols, ", ", ", t."), r.ID)); err != nil {
				t.Fatal(err)
			}
			got, err := db.Feature(ctx, f.ReferenceNum)
			if err != nil {
				t.Fatalf("Feature(%s): %v", f.ReferenceNum, err)
			}
			if len(got.Requirements) != n+1 || got.Requirements[n].ID != r.ID+n {
				t.Errorf("the feature embeds %d requirements, want %d", len(got.Requirements), n+1)
			}
			_, total, err := db.Requirements(ctx, roadmap.RequirementFilter{FeatureID: f.ID, Page: roadmap.Page{Page: 1, PerPage: 30}})
			if err != nil || total != n+1 {
				t.Errorf("Requirements: total %d (%v), want %d", total, err, n+1)
			}
		})
	}
}

// TestRequirementSearchFoldsCase searches a feature's requirements by a
// part of their names in any case, also beyond ASCII, short and long.
func TestRequirementSearchFoldsCase(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)
			f, err := db.CreateFeature(ctx, demo.Release1, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Searched")})
			if err != nil {
				t.Fatal(err)
			}
			names := []string{"ÄRGER mit Öl", "Straße bauen", "Plain words", "100% done_"}
			ids := map[string]int64{}
			for _, name := range names {
				r, err := db.CreateRequirement(ctx, f.ID, demo.Mary, roadmap.RequirementInput{Name: roadmap.Some(name)})
				if err != nil {
					t.Fatal(err)
				}
				ids[name] = r.ID
			}
			renamed, err := db.UpdateRequirement(ctx, ids["Plain words"], roadmap.RequirementInput{Name: roadmap.Some("Plain WÖRDS")})
			if err != nil {
				t.Fatal(err)
			}
			for q, want := range map[string][]string{
				"ärger":  {"ÄRGER mit Öl"},
				"öl":     {"ÄRGER mit Öl"},
				"STRASS": nil,
				"STRAßE": {"Straße bauen"},
				"wörds":  {renamed.Name},
				"words":  nil,
				"0% d":   {"100% done_"},
				"e_":     {"100% done_"},
				"%":      {"100% done_"},
				"xyz":    nil,
			} {
				got, total, err := db.Requirements(ctx, roadmap.RequirementFilter{FeatureID: f.ID, Query: q, Page: roadmap.Page{Page: 1, PerPage: 30}})
				if err != nil {
					t.Fatalf("q=%q: %v", q, err)
				}
				var names []string
				for _, r := range got {
					names = append(names, r.Name)
				}
				if total != len(want) || strings.Join(names, "|") != strings.Join(want, "|") {
					t.Errorf("q=%q: %q (total %d), want %q", q, names, total, want)
				}
			}
		})
	}
}
