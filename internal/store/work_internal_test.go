package store

import (
	"context"
	"testing"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// clearReleaseWork deletes the epics and features of a release, which a release
// must be rid of before it can be deleted.
func clearReleaseWork(tb testing.TB, db *DB, releaseID int64) {
	tb.Helper()
	ctx := context.Background()
	features, _, err := db.Features(ctx, roadmap.FeatureFilter{ReleaseID: releaseID, Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}})
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range features {
		if err := db.DeleteFeature(ctx, f.ID); err != nil {
			tb.Fatal(err)
		}
	}
	epics, _, err := db.Epics(ctx, roadmap.EpicFilter{ReleaseID: releaseID, Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}})
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range epics {
		if err := db.DeleteEpic(ctx, e.ID); err != nil {
			tb.Fatal(err)
		}
	}
}
