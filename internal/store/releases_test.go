package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

func TestCreateReleaseDefaults(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)

			r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("  New release  ")})
			checks := []struct {
				what      string
				got, want any
			}{
				{"reference_num", r.ReferenceNum, "PRJ1-R-5"},
				{"name", r.Name, "New release"},
				{"product", r.ProductID, demo.PRJ1},
				{"product prefix", r.Product.ReferencePrefix, "PRJ1"},
				{"progress_source", r.ProgressSource, roadmap.ProgressFromFeaturesCompleted},
				{"duration_source", r.DurationSource, roadmap.DurationManual},
				{"external_date_resolution", r.ExternalDateResolution, roadmap.ResolutionSync},
				{"release_date", r.ReleaseDate, roadmap.DefaultReleaseDate(t0).Format("2006-01-02")},
				{"release_date literal", r.ReleaseDate, defaultReleaseDate},
				{"external_release_date", r.ExternalReleaseDate, defaultReleaseDate},
				{"start_date", r.StartDate, ""},
				{"end_date", r.EndDate, ""},
				{"development_started_on", r.DevelopmentStartedOn, ""},
				{"parking_lot", r.ParkingLot, false},
				{"master_release", r.MasterRelease, false},
				{"workflow_status", r.WorkflowStatusID, demo.StatusNew},
				{"workflow_status name", r.WorkflowStatus.Name, "New"},
				{"released", r.Released(), false},
				{"released_on", r.ReleasedOn, ""},
				{"status_changed_on", r.StatusChangedOn, today},
				{"owner", r.OwnerID, demo.Mary},
				{"owner email", r.Owner.Email, "no-reply@aha.io"},
				{"creator", r.CreatedByID, demo.Mary},
				{"watchers", watcherIDs(r), []int64{demo.Mary}},
				{"goals", goalIDs(r), []int64{}},
				{"initiatives", initiativeIDs(r), []int64{}},
				{"parent", r.ParentID, int64(0)},
				{"parent ref", r.Parent == nil, true},
				{"capacity units", r.CapacityUnits, ""},
				{"capacity", r.TotalCapacity == nil, true},
				{"integration fields", len(r.IntegrationFields), 0},
				{"custom fields", len(r.CustomFields), 0},
				{"comments", r.CommentsCount, 0},
				{"created_at = updated_at", r.CreatedAt.Equal(r.UpdatedAt), true},
				{"created_at today", r.CreatedAt.Format("2006-01-02"), today},
				{"theme id", r.Theme.ID != 0 && r.Theme.ID != r.ID, true},
				{"theme body", r.Theme.Body, ""},
			}
			for _, c := range checks {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
				}
			}
			if r.Progress == nil || *r.Progress != 0 {
				t.Errorf("progress = %v, want 0", r.Progress)
			}
			if r.Position == nil || *r.Position != 1 {
				t.Errorf("position = %v, want 1 (the demo releases have none)", r.Position)
			}
			if len(r.StatusTimes) != 1 {
				t.Fatalf("status history = %+v, want one entry", r.StatusTimes)
			}
			st := r.StatusTimes[0]
			if st.StatusID != demo.StatusNew || st.StatusName != "New" || !st.StartedAt.Equal(r.CreatedAt) || st.EndedAt != nil {
				t.Errorf("status history entry = %+v, want New from the creation time, open", st)
			}
			if d := diff(mustRelease(t, db, "PRJ1-R-5"), r); d != "" {
				t.Errorf("Release(PRJ1-R-5) differs from what CreateRelease returned:\n%s", d)
			}
			if d := diff(mustRelease(t, db, id(r.ID)), r); d != "" {
				t.Errorf("Release(id) differs from what CreateRelease returned:\n%s", d)
			}

			r2 := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{
				Name:              roadmap.Some("Second"),
				Owner:             roadmap.Some("john.smith@example.com"),
				ProgressSource:    roadmap.Some(roadmap.ProgressManual),
				Progress:          roadmap.Some(40),
				CapacityUnits:     roadmap.Some(roadmap.CapacityTime),
				TotalCapacityText: roadmap.Some("2d 1h"),
				StartDate:         roadmap.Some("2025-03-01"),
				ReleaseDate:       roadmap.Some("2025-03-31"),
				Theme:             roadmap.Some("<p>Theme</p>"),
			})
			if r2.ReferenceNum != "PRJ1-R-6" || r2.Position == nil || *r2.Position != 2 {
				t.Errorf("second release = %s at position %v, want PRJ1-R-6 at 2", r2.ReferenceNum, r2.Position)
			}
			if got := watcherIDs(r2); !reflect.DeepEqual(got, []int64{demo.John, demo.Mary}) {
				t.Errorf("watchers = %v, want the owner John and the creator Mary", got)
			}
			if r2.OwnerID != demo.John || r2.CreatedByID != demo.Mary {
				t.Errorf("owner %d creator %d, want John and Mary", r2.OwnerID, r2.CreatedByID)
			}
			if r2.Progress == nil || *r2.Progress != 40 {
				t.Errorf("manual progress = %v, want 40", r2.Progress)
			}
			if r2.TotalCapacity == nil || *r2.TotalCapacity != 1020 || r2.CapacityUnits != roadmap.CapacityTime {
				t.Errorf("capacity = %v %s, want 1020 minutes", r2.TotalCapacity, r2.CapacityUnits)
			}
			if r2.StartDate != "2025-03-01" || r2.ReleaseDate != "2025-03-31" || r2.ExternalReleaseDate != "2025-03-31" {
				t.Errorf("dates = %s..%s external %s", r2.StartDate, r2.ReleaseDate, r2.ExternalReleaseDate)
			}
			if r2.Theme.Body != "<p>Theme</p>" {
				t.Errorf("theme = %q", r2.Theme.Body)
			}

			r3 := mustCreate(t, db, demo.PRJ2, demo.Henry, roadmap.ReleaseInput{Name: roadmap.Some("Elsewhere")})
			if r3.ReferenceNum != "PRJ2-R-3" || r3.Position == nil || *r3.Position != 1 {
				t.Errorf("release in PRJ2 = %s at position %v, want PRJ2-R-3 at 1", r3.ReferenceNum, r3.Position)
			}
		})
	}
}

func TestCreateReleaseReferences(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			for _, owner := range []string{"henry.humpty@example.com", "HENRY.Humpty@Example.com", id(demo.Henry), " " + id(demo.Henry) + " "} {
				r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Owned"), Owner: roadmap.Some(owner)})
				if r.OwnerID != demo.Henry || r.Owner.Name != "Henry Humpty" {
					t.Errorf("owner %q resolved to %d", owner, r.OwnerID)
				}
				if got := watcherIDs(r); !reflect.DeepEqual(got, []int64{demo.Henry, demo.Mary}) {
					t.Errorf("owner %q: watchers = %v, want Henry and Mary", owner, got)
				}
			}

			r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{
				Name:           roadmap.Some("Linked"),
				Initiatives:    list("Initiative 2", id(demo.Initiative1), "PRJ1-S-2"),
				Goals:          list(id(demo.Goal2), "Goal 1"),
				Watchers:       list("john.smith@example.com", id(demo.Henry), ""),
				WorkflowStatus: roadmap.Some("in DEVELOPMENT"),
			})
			if got, want := initiativeIDs(r), []int64{demo.Initiative2, demo.Initiative1}; !reflect.DeepEqual(got, want) {
				t.Errorf("initiatives = %v, want %v", got, want)
			}
			if got, want := goalIDs(r), []int64{demo.Goal1, demo.Goal2}; !reflect.DeepEqual(got, want) {
				t.Errorf("goals = %v, want %v", got, want)
			}
			if got, want := watcherIDs(r), []int64{demo.John, demo.Henry, demo.Mary}; !reflect.DeepEqual(got, want) {
				t.Errorf("watchers = %v, want %v", got, want)
			}
			if r.WorkflowStatusID != demo.StatusInDev || r.WorkflowStatus.Name != "In development" {
				t.Errorf("status = %d %q, want In development", r.WorkflowStatusID, r.WorkflowStatus.Name)
			}
			if len(r.StatusTimes) != 1 || r.StatusTimes[0].StatusID != demo.StatusInDev || r.StatusTimes[0].EndedAt != nil {
				t.Errorf("status history = %+v, want one open In development entry", r.StatusTimes)
			}
			for _, f := range []roadmap.ReleaseFilter{{GoalID: demo.Goal2}, {InitiativeID: demo.Initiative2}} {
				f.Page = roadmap.Page{Page: 1, PerPage: 50}
				rels, total := mustList(t, db, f)
				if total != 1 || len(rels) != 1 || rels[0].ID != r.ID {
					t.Errorf("Releases(%+v) = %v (total %d), want only %s", f, refNums(rels), total, r.ReferenceNum)
				}
			}

			byID := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("By status ID"), WorkflowStatus: roadmap.Some(id(demo.StatusPlanning))})
			if byID.WorkflowStatusID != demo.StatusPlanning {
				t.Errorf("status by ID = %d, want Planning", byID.WorkflowStatusID)
			}
			shipped := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Shipped at once"), WorkflowStatus: roadmap.Some("shipped")})
			if !shipped.Released() || shipped.ReleasedOn != today {
				t.Errorf("created shipped: released %v on %q, want true on %s", shipped.Released(), shipped.ReleasedOn, today)
			}

			// The parent must be a roll-up release, named by ID or reference.
			for _, ref := range []string{"PRJ1-MR-1", id(demo.RollUp1)} {
				c := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Child"), ParentID: roadmap.Some(ref)})
				if c.ParentID != demo.RollUp1 || c.Parent == nil || c.Parent.ReferenceNum != "PRJ1-MR-1" || !c.Parent.MasterRelease {
					t.Errorf("parent %q: got %d %+v", ref, c.ParentID, c.Parent)
				}
			}
			before := snapshot(t, db)
			for _, ref := range []string{"PRJ1-R-1", id(demo.Release2), "PRJ1-MR-99", "0"} {
				_, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Bad child"), ParentID: roadmap.Some(ref)})
				wantInvalid(t, err, "parent_id")
			}
			if d := diff(snapshot(t, db), before); d != "" {
				t.Errorf("refused creates changed the releases:\n%s", d)
			}
		})
	}
}

func TestRollUpParentCycles(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			mr1 := mustUpdate(t, db, demo.RollUp1, roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-MR-2")})
			if mr1.ParentID != demo.RollUp2 {
				t.Fatalf("PRJ1-MR-1 parent = %d, want PRJ1-MR-2", mr1.ParentID)
			}
			before := snapshot(t, db)
			_, err := db.UpdateRelease(ctx, demo.RollUp2, roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-MR-1")})
			wantInvalid(t, err, "parent_id")
			_, err = db.UpdateRelease(ctx, demo.RollUp2, roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-MR-2")})
			wantInvalid(t, err, "parent_id")
			_, err = db.UpdateRelease(ctx, demo.RollUp1, roadmap.ReleaseInput{ParentID: roadmap.Some(id(demo.RollUp1))})
			wantInvalid(t, err, "parent_id")
			_, err = db.UpdateRelease(ctx, demo.Release1, roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-R-2")})
			wantInvalid(t, err, "parent_id")
			_, err = db.UpdateRelease(ctx, demo.SubRelease1, roadmap.ReleaseInput{Name: roadmap.Some("Renamed"), ParentID: roadmap.Some("PRJ1-R-4")})
			wantInvalid(t, err, "parent_id")
			if d := diff(snapshot(t, db), before); d != "" {
				t.Fatalf("refused parent changes changed the releases:\n%s", d)
			}

			// A longer cycle: MR-1 under MR-2 under MR-3, then MR-3 under MR-1.
			mr3, err := db.DuplicateRelease(ctx, demo.RollUp2, demo.Mary)
			if err != nil {
				t.Fatalf("DuplicateRelease(PRJ1-MR-2): %v", err)
			}
			if mr3.ReferenceNum != "PRJ1-MR-3" {
				t.Fatalf("duplicate of PRJ1-MR-2 = %s, want PRJ1-MR-3", mr3.ReferenceNum)
			}
			mustUpdate(t, db, demo.RollUp2, roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-MR-3")})
			before = snapshot(t, db)
			_, err = db.UpdateRelease(ctx, mr3.ID, roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-MR-1")})
			wantInvalid(t, err, "parent_id")
			if d := diff(snapshot(t, db), before); d != "" {
				t.Fatalf("a refused cycle changed the releases:\n%s", d)
			}

			cleared := mustUpdate(t, db, demo.RollUp1, roadmap.ReleaseInput{ParentID: null()})
			if cleared.ParentID != 0 || cleared.Parent != nil {
				t.Errorf("parent after null = %d %+v, want none", cleared.ParentID, cleared.Parent)
			}
			// With MR-1 out of the chain, MR-3 may now go under it.
			if r := mustUpdate(t, db, mr3.ID, roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-MR-1")}); r.ParentID != demo.RollUp1 {
				t.Errorf("PRJ1-MR-3 parent = %d, want PRJ1-MR-1", r.ParentID)
			}
		})
	}
}

func TestReleaseValidationChangesNothing(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("n", roadmap.MaxNameLength+1)
	cases := []struct {
		name   string
		create roadmap.ReleaseInput
		update *roadmap.ReleaseInput
		field  string
	}{
		{"unknown owner email", roadmap.ReleaseInput{Owner: roadmap.Some("nobody@example.com")}, nil, "owner"},
		{"unknown owner ID", roadmap.ReleaseInput{Owner: roadmap.Some("12345")}, nil, "owner"},
		{"blank owner", roadmap.ReleaseInput{Owner: roadmap.Some(" ")}, nil, "owner"},
		{"unknown goal name", roadmap.ReleaseInput{Goals: list("Goal 1", "Goal 9")}, nil, "goals"},
		{"unknown goal ID", roadmap.ReleaseInput{Goals: list("999")}, nil, "goals"},
		{"unknown initiative", roadmap.ReleaseInput{Initiatives: list("Initiative 9")}, nil, "initiatives"},
		{"unknown initiative ID", roadmap.ReleaseInput{Initiatives: list(id(demo.Initiative1), "17")}, nil, "initiatives"},
		{"unknown watcher", roadmap.ReleaseInput{Watchers: list("john.smith@example.com", "ghost@example.com")}, nil, "watchers"},
		{"unknown status", roadmap.ReleaseInput{Goals: list("Goal 2"), WorkflowStatus: roadmap.Some("Done")}, nil, "workflow_status"},
		{"status ID of no workflow", roadmap.ReleaseInput{WorkflowStatus: roadmap.Some("42")}, nil, "workflow_status"},
		{"impossible release date", roadmap.ReleaseInput{ReleaseDate: roadmap.Some("2025-02-30")}, nil, "release_date"},
		{"impossible start date", roadmap.ReleaseInput{StartDate: roadmap.Some("2025-13-01")}, nil, "start_date"},
		{"malformed date", roadmap.ReleaseInput{DevelopmentStartedOn: roadmap.Some("2025-1-5")}, nil, "development_started_on"},
		{"empty name", roadmap.ReleaseInput{Name: roadmap.Some("")}, nil, "name"},
		{"blank name", roadmap.ReleaseInput{Name: roadmap.Some(" \t ")}, nil, "name"},
		{"null name", roadmap.ReleaseInput{Name: null()}, nil, "name"},
		{"256-character name", roadmap.ReleaseInput{Name: roadmap.Some(long)}, nil, "name"},
		{"progress with a computed source", roadmap.ReleaseInput{Progress: roadmap.Some(50)},
			&roadmap.ReleaseInput{ProgressSource: roadmap.Some(roadmap.ProgressFromFeatures), Progress: roadmap.Some(50)}, "progress"},
		{"progress out of range", roadmap.ReleaseInput{ProgressSource: roadmap.Some(roadmap.ProgressManual), Progress: roadmap.Some(101)}, nil, "progress"},
		{"unknown progress source", roadmap.ReleaseInput{ProgressSource: roadmap.Some("progress_from_vibes")}, nil, "progress_source"},
		{"story points in time units", roadmap.ReleaseInput{CapacityUnits: roadmap.Some(roadmap.CapacityTime), TotalCapacityText: roadmap.Some("4p")}, nil, "total_capacity_text"},
		{"unknown capacity units", roadmap.ReleaseInput{CapacityUnits: roadmap.Some("parsecs")}, nil, "capacity_units"},
		{"sub-release duration on a release", roadmap.ReleaseInput{DurationSource: roadmap.Some(roadmap.DurationFromSubReleases)}, nil, "duration_source"},
		{"start after release", roadmap.ReleaseInput{StartDate: roadmap.Some("2025-05-02"), ReleaseDate: roadmap.Some("2025-05-01")},
			&roadmap.ReleaseInput{StartDate: roadmap.Some("2019-01-02")}, "start_date"},
		{"unknown resolution", roadmap.ReleaseInput{ExternalDateResolution: roadmap.Some("fortnight")}, nil, "external_date_resolution"},
		{"parent not a roll-up", roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-R-3")}, nil, "parent_id"},
	}
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			for _, c := range cases {
				create := c.create
				if !create.Name.Set {
					create.Name = roadmap.Some("Valid name")
				}
				before := snapshot(t, db)
				_, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, create)
				if err == nil {
					t.Fatalf("%s: CreateRelease succeeded", c.name)
				}
				wantInvalid(t, err, c.field)
				if d := diff(snapshot(t, db), before); d != "" {
					t.Fatalf("%s: a refused create changed the releases:\n%s", c.name, d)
				}

				update := c.create
				if c.update != nil {
					update = *c.update
				}
				_, err = db.UpdateRelease(ctx, demo.Release2, update)
				if err == nil {
					t.Fatalf("%s: UpdateRelease succeeded", c.name)
				}
				wantInvalid(t, err, c.field)
				if d := diff(snapshot(t, db), before); d != "" {
					t.Fatalf("%s: a refused update changed the releases:\n%s", c.name, d)
				}
			}

			_, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{})
			wantInvalid(t, err, "name")
			_, err = db.UpdateRelease(ctx, demo.RollUp1, roadmap.ReleaseInput{DurationSource: roadmap.Some(roadmap.DurationFromSubReleases), ReleaseDate: roadmap.Some("2025-01-31")})
			wantInvalid(t, err, "release_date")

			// No refused create consumed a reference number or a position.
			name255 := strings.Repeat("n", roadmap.MaxNameLength)
			r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(name255)})
			if r.ReferenceNum != "PRJ1-R-5" {
				t.Errorf("the first successful create got %s, want PRJ1-R-5", r.ReferenceNum)
			}
			if r.Name != name255 {
				t.Errorf("a 255-character name was stored as %d characters", len(r.Name))
			}
			if r.Position == nil || *r.Position != 1 {
				t.Errorf("position = %v, want 1", r.Position)
			}
			_, err = db.UpdateRelease(ctx, 12345, roadmap.ReleaseInput{Name: roadmap.Some("x")})
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.CreateRelease(ctx, 12345, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("x")})
			if err == nil {
				t.Error("CreateRelease in an unknown product succeeded")
			}
			if r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Next")}); r.ReferenceNum != "PRJ1-R-6" {
				t.Errorf("the second successful create got %s, want PRJ1-R-6", r.ReferenceNum)
			}
		})
	}
}

func TestUpdateReleaseLists(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)

			r := mustUpdate(t, db, demo.Release1, roadmap.ReleaseInput{Name: roadmap.Some("Release one")})
			if r.Name != "Release one" {
				t.Errorf("name = %q", r.Name)
			}
			if !reflect.DeepEqual(goalIDs(r), []int64{demo.Goal1}) || !reflect.DeepEqual(initiativeIDs(r), []int64{demo.Initiative1}) || !reflect.DeepEqual(watcherIDs(r), []int64{demo.John}) {
				t.Errorf("unset lists changed: goals %v initiatives %v watchers %v", goalIDs(r), initiativeIDs(r), watcherIDs(r))
			}
			if len(r.CustomFields) != 2 || r.CommentsCount != 1 || len(r.IntegrationFields) != 1 || r.Theme.Body != "Theme of the release" {
				t.Errorf("an update of the name lost other records: %d custom fields, %d comments, %d integration fields, theme %q",
					len(r.CustomFields), r.CommentsCount, len(r.IntegrationFields), r.Theme.Body)
			}

			r = mustUpdate(t, db, demo.Release1, roadmap.ReleaseInput{
				Goals:       list("Goal 2"),
				Initiatives: list("Initiative 2", id(demo.Initiative1)),
				Watchers:    list("henry.humpty@example.com", "no-reply@aha.io"),
			})
			if got, want := goalIDs(r), []int64{demo.Goal2}; !reflect.DeepEqual(got, want) {
				t.Errorf("goals = %v, want %v", got, want)
			}
			if got, want := initiativeIDs(r), []int64{demo.Initiative2, demo.Initiative1}; !reflect.DeepEqual(got, want) {
				t.Errorf("initiatives = %v, want %v", got, want)
			}
			if got, want := watcherIDs(r), []int64{demo.Henry, demo.Mary}; !reflect.DeepEqual(got, want) {
				t.Errorf("watchers = %v, want %v (a list replaces)", got, want)
			}
			if rels, total := mustList(t, db, roadmap.ReleaseFilter{GoalID: demo.Goal1}); total != 0 {
				t.Errorf("goal 1 still lists %v", refNums(rels))
			}

			r = mustUpdate(t, db, demo.Release1, roadmap.ReleaseInput{Goals: list(), Initiatives: list(), Watchers: list()})
			if len(r.Goals)+len(r.Initiatives)+len(r.Watchers) != 0 {
				t.Errorf("[] did not clear: goals %v initiatives %v watchers %v", goalIDs(r), initiativeIDs(r), watcherIDs(r))
			}
			for _, f := range []roadmap.ReleaseFilter{{GoalID: demo.Goal2}, {InitiativeID: demo.Initiative2}} {
				if rels, total := mustList(t, db, f); total != 0 {
					t.Errorf("Releases(%+v) after clearing = %v", f, refNums(rels))
				}
			}
			if rels, _ := mustList(t, db, roadmap.ReleaseFilter{InitiativeID: demo.Initiative1}); !reflect.DeepEqual(refNums(rels), []string{"PRJ1-R-2"}) {
				t.Errorf("initiative 1 lists %v, want only PRJ1-R-2", refNums(rels))
			}
			if d := diff(mustRelease(t, db, "PRJ1-R-1"), r); d != "" {
				t.Errorf("Release after the update differs from what UpdateRelease returned:\n%s", d)
			}
		})
	}
}

func TestUpdateReleaseFields(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)

			before := mustRelease(t, db, "PRJ1-R-3")
			r := mustUpdate(t, db, demo.Release3, roadmap.ReleaseInput{
				Owner:                  roadmap.Some(id(demo.Henry)),
				Theme:                  roadmap.Some("New theme"),
				ReleaseDate:            roadmap.Some("2025-06-30"),
				ExternalDateResolution: roadmap.Some(roadmap.ResolutionQuarter),
				ExternalReleaseDate:    roadmap.Some("2025-06-15"),
				ProgressSource:         roadmap.Some(roadmap.ProgressFromTodos),
				CapacityUnits:          roadmap.Some(roadmap.CapacityStoryPoints),
				TotalCapacityText:      roadmap.Some("13p"),
			})
			if r.OwnerID != demo.Henry || r.Theme.Body != "New theme" || r.Theme.ID != before.Theme.ID {
				t.Errorf("owner %d theme %d %q", r.OwnerID, r.Theme.ID, r.Theme.Body)
			}
			if r.ReleaseDate != "2025-06-30" || r.ExternalReleaseDate != "2025-06-15" || r.ExternalDateResolution != roadmap.ResolutionQuarter || r.StartDate != "2019-01-01" {
				t.Errorf("dates %s..%s external %s (%s)", r.StartDate, r.ReleaseDate, r.ExternalReleaseDate, r.ExternalDateResolution)
			}
			if r.ProgressSource != roadmap.ProgressFromTodos || r.Progress == nil || *r.Progress != 0 {
				t.Errorf("progress %v from %s", r.Progress, r.ProgressSource)
			}
			if r.TotalCapacity == nil || *r.TotalCapacity != 13 || r.CapacityUnits != roadmap.CapacityStoryPoints {
				t.Errorf("capacity %v %s", r.TotalCapacity, r.CapacityUnits)
			}
			if !r.UpdatedAt.After(before.UpdatedAt) || !r.CreatedAt.Equal(before.CreatedAt) {
				t.Errorf("updated_at %v (was %v), created_at %v (was %v)", r.UpdatedAt, before.UpdatedAt, r.CreatedAt, before.CreatedAt)
			}
			if len(r.IntegrationFields) != 1 || r.IntegrationFields[0].ID != 453734818 {
				t.Errorf("integration fields = %+v", r.IntegrationFields)
			}

			// sync keeps the external date equal to the release date.
			r = mustUpdate(t, db, demo.Release3, roadmap.ReleaseInput{ExternalDateResolution: roadmap.Some(roadmap.ResolutionSync)})
			if r.ExternalReleaseDate != "2025-06-30" {
				t.Errorf("external date after sync = %s, want 2025-06-30", r.ExternalReleaseDate)
			}
			r = mustUpdate(t, db, demo.Release3, roadmap.ReleaseInput{ReleaseDate: roadmap.Some("2025-07-31")})
			if r.ExternalReleaseDate != "2025-07-31" {
				t.Errorf("external date after moving a synced release date = %s, want 2025-07-31", r.ExternalReleaseDate)
			}
			prev := r.UpdatedAt
			r = mustUpdate(t, db, demo.Release3, roadmap.ReleaseInput{})
			if !r.UpdatedAt.After(prev) {
				t.Errorf("updated_at did not move: %v then %v", prev, r.UpdatedAt)
			}
		})
	}
}

func TestUpdateReleaseStatus(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)

			checkHistory := func(r *roadmap.Release, want ...int64) {
				t.Helper()
				var got []int64
				open := 0
				for i, st := range r.StatusTimes {
					got = append(got, st.StatusID)
					if st.EndedAt == nil {
						open++
						if i != len(r.StatusTimes)-1 {
							t.Errorf("status history entry %d is open but not the last: %+v", i, r.StatusTimes)
						}
						continue
					}
					if i+1 < len(r.StatusTimes) && !st.EndedAt.Equal(r.StatusTimes[i+1].StartedAt) {
						t.Errorf("entry %d ends at %v but the next starts at %v", i, st.EndedAt, r.StatusTimes[i+1].StartedAt)
					}
				}
				if !reflect.DeepEqual(got, want) || open != 1 {
					t.Fatalf("status history = %+v, want statuses %v with the last one open", r.StatusTimes, want)
				}
				last := r.StatusTimes[len(r.StatusTimes)-1]
				if last.StatusID != r.WorkflowStatusID || last.StatusName != r.WorkflowStatus.Name || !last.StartedAt.Equal(r.UpdatedAt) {
					t.Errorf("last entry %+v does not match status %d %q updated at %v", last, r.WorkflowStatusID, r.WorkflowStatus.Name, r.UpdatedAt)
				}
			}

			r := mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some("Planning")})
			checkHistory(r, demo.StatusPlanning)
			if r.StatusChangedOn != today {
				t.Errorf("status_changed_on = %q, want %s", r.StatusChangedOn, today)
			}

			r = mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some(id(demo.StatusInDev))})
			checkHistory(r, demo.StatusPlanning, demo.StatusInDev)

			r = mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some("Shipped")})
			checkHistory(r, demo.StatusPlanning, demo.StatusInDev, demo.StatusShipped)
			if !r.Released() || r.ReleasedOn != today {
				t.Errorf("shipped: released %v on %q, want true on %s", r.Released(), r.ReleasedOn, today)
			}
			if rels, _ := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ1, ExcludeShipped: true}); slices.Contains(refNums(rels), "PRJ1-R-2") {
				t.Errorf("exclude_shipped lists the shipped PRJ1-R-2: %v", refNums(rels))
			}

			// A day later: the same status again changes nothing; a new one
			// moves status_changed_on.
			useClock(db, t0.AddDate(0, 0, 1))
			r = mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some("SHIPPED")})
			entries := len(r.StatusTimes)
			if entries != 3 || r.StatusChangedOn != today || r.ReleasedOn != today {
				t.Errorf("setting the same status: %d history entries, changed on %q, released on %q; want 3, %s, %s",
					entries, r.StatusChangedOn, r.ReleasedOn, today, today)
			}

			r = mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some("New")})
			checkHistory(r, demo.StatusPlanning, demo.StatusInDev, demo.StatusShipped, demo.StatusNew)
			if r.Released() || r.ReleasedOn != "" {
				t.Errorf("back to New: released %v on %q, want not shipped", r.Released(), r.ReleasedOn)
			}
			if r.StatusChangedOn != "2025-01-16" {
				t.Errorf("status_changed_on = %q, want 2025-01-16", r.StatusChangedOn)
			}
			if d := diff(mustRelease(t, db, "PRJ1-R-2"), r); d != "" {
				t.Errorf("Release differs from what UpdateRelease returned:\n%s", d)
			}

			_, err := db.UpdateRelease(context.Background(), demo.Release2, roadmap.ReleaseInput{WorkflowStatus: null()})
			wantInvalid(t, err, "workflow_status")
		})
	}
}

func TestUpdateReleaseParkingLot(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			r := mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{ParkingLot: roadmap.Some(true)})
			if !r.ParkingLot || r.StartDate != "2019-01-01" || r.ReleaseDate != "2019-01-01" || r.ExternalReleaseDate != "2019-01-01" {
				t.Errorf("parked PRJ1-R-2: parking lot %v, dates %q..%q external %q; the store keeps the dates",
					r.ParkingLot, r.StartDate, r.ReleaseDate, r.ExternalReleaseDate)
			}
			r = mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{ParkingLot: roadmap.Some(false)})
			if r.ParkingLot || r.ReleaseDate != "2019-01-01" {
				t.Errorf("unparked PRJ1-R-2: parking lot %v release date %q, want its own date back", r.ParkingLot, r.ReleaseDate)
			}

			p := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Someday"), ParkingLot: roadmap.Some(true)})
			if !p.ParkingLot || p.ReleaseDate != "" || p.ExternalReleaseDate != "" || p.StartDate != "" {
				t.Errorf("new parking-lot release: parking lot %v dates %q..%q external %q, want no dates",
					p.ParkingLot, p.StartDate, p.ReleaseDate, p.ExternalReleaseDate)
			}
			_, err := db.UpdateRelease(ctx, p.ID, roadmap.ReleaseInput{ParkingLot: roadmap.Some(false), ReleaseDate: roadmap.Some("")})
			wantInvalid(t, err, "release_date")

			u := mustUpdate(t, db, p.ID, roadmap.ReleaseInput{ParkingLot: roadmap.Some(false)})
			want := roadmap.DefaultReleaseDate(u.UpdatedAt).Format("2006-01-02")
			if u.ParkingLot || u.ReleaseDate != want || u.ExternalReleaseDate != want {
				t.Errorf("unparked a release without a date: parking lot %v release %q external %q, want %s",
					u.ParkingLot, u.ReleaseDate, u.ExternalReleaseDate, want)
			}

			d := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Dated but parked"), ParkingLot: roadmap.Some(true), ReleaseDate: roadmap.Some("2025-09-30")})
			if d.ReleaseDate != "2025-09-30" {
				t.Errorf("parked release with a date keeps %q, want 2025-09-30", d.ReleaseDate)
			}
			if u := mustUpdate(t, db, d.ID, roadmap.ReleaseInput{ParkingLot: roadmap.Some(false)}); u.ReleaseDate != "2025-09-30" {
				t.Errorf("unparked release date = %q, want its own 2025-09-30", u.ReleaseDate)
			}

			rels, total := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ1, ParkingLot: new(true)})
			if total != 0 {
				t.Errorf("PRJ1 parking lot lists %v, want none left", refNums(rels))
			}
		})
	}
}

func TestRollUpDuration(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			wantDates := func(step, start, release string) *roadmap.Release {
				t.Helper()
				mr := mustRelease(t, db, "PRJ1-MR-2")
				if mr.StartDate != start || mr.ReleaseDate != release || mr.ExternalReleaseDate != release {
					t.Fatalf("%s: PRJ1-MR-2 = %s..%s external %s, want %s..%s external %s",
						step, mr.StartDate, mr.ReleaseDate, mr.ExternalReleaseDate, start, release, release)
				}
				return mr
			}

			mr := mustUpdate(t, db, demo.RollUp2, roadmap.ReleaseInput{
				DurationSource:         roadmap.Some(roadmap.DurationFromSubReleases),
				ExternalDateResolution: roadmap.Some(roadmap.ResolutionSync),
			})
			if mr.DurationSource != roadmap.DurationFromSubReleases {
				t.Fatalf("duration source = %s", mr.DurationSource)
			}
			wantDates("from PRJ1-R-4", "2019-01-01", "2019-01-01")

			mustUpdate(t, db, demo.SubRelease1, roadmap.ReleaseInput{StartDate: roadmap.Some("2025-03-03"), ReleaseDate: roadmap.Some("2025-04-30")})
			prev := wantDates("moving PRJ1-R-4", "2025-03-03", "2025-04-30")
			if !prev.UpdatedAt.After(mr.UpdatedAt) {
				t.Errorf("the roll-up's updated_at did not move with its dates")
			}

			a := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Child A"), ParentID: roadmap.Some("PRJ1-MR-2"),
				StartDate: roadmap.Some("2025-02-03"), ReleaseDate: roadmap.Some("2025-06-30")})
			wantDates("adding child A", "2025-02-03", "2025-06-30")

			if _, err := db.UpdateRollUp(ctx, demo.RollUp2, roadmap.RollUpInput{Projects: roadmap.Some([]int64{demo.PRJ2})}); err != nil {
				t.Fatalf("letting PRJ1-MR-2 collect PRJ2: %v", err)
			}
			b := mustCreate(t, db, demo.PRJ2, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Child B"), ParentID: roadmap.Some(id(demo.RollUp2)),
				ReleaseDate: roadmap.Some("2025-01-20")})
			wantDates("adding child B without a start date", "2025-01-20", "2025-06-30")

			mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Parked child"), ParentID: roadmap.Some("PRJ1-MR-2"),
				ParkingLot: roadmap.Some(true), StartDate: roadmap.Some("2024-01-01"), ReleaseDate: roadmap.Some("2026-12-31")})
			wantDates("adding a parking-lot child", "2025-01-20", "2025-06-30")

			mustUpdate(t, db, a.ID, roadmap.ReleaseInput{ParentID: null()})
			wantDates("moving child A out", "2025-01-20", "2025-04-30")

			mustUpdate(t, db, b.ID, roadmap.ReleaseInput{ReleaseDate: roadmap.Some("2025-05-15")})
			wantDates("moving child B", "2025-03-03", "2025-05-15")

			if err := db.DeleteRelease(ctx, b.ID); err != nil {
				t.Fatalf("DeleteRelease(child B): %v", err)
			}
			wantDates("deleting child B", "2025-03-03", "2025-04-30")

			before := snapshot(t, db)
			_, err := db.UpdateRelease(ctx, demo.RollUp2, roadmap.ReleaseInput{ReleaseDate: roadmap.Some("2025-12-31")})
			wantInvalid(t, err, "release_date")
			_, err = db.UpdateRelease(ctx, demo.RollUp2, roadmap.ReleaseInput{StartDate: roadmap.Some("2025-01-01")})
			wantInvalid(t, err, "start_date")
			if d := diff(snapshot(t, db), before); d != "" {
				t.Fatalf("refused date changes changed the releases:\n%s", d)
			}

			// Nested: MR-1 computes from its own children and MR-2 from MR-1.
			mustUpdate(t, db, demo.RollUp1, roadmap.ReleaseInput{DurationSource: roadmap.Some(roadmap.DurationFromSubReleases), ParentID: roadmap.Some("PRJ1-MR-2")})
			wantDates("adding roll-up PRJ1-MR-1", "2019-01-01", "2025-04-30")
			mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Grandchild"), ParentID: roadmap.Some("PRJ1-MR-1"),
				StartDate: roadmap.Some("2025-07-01"), ReleaseDate: roadmap.Some("2025-08-29")})
			if mr1 := mustRelease(t, db, "PRJ1-MR-1"); mr1.StartDate != "2025-07-01" || mr1.ReleaseDate != "2025-08-29" {
				t.Fatalf("PRJ1-MR-1 = %s..%s, want 2025-07-01..2025-08-29", mr1.StartDate, mr1.ReleaseDate)
			}
			wantDates("adding a grandchild", "2025-03-03", "2025-08-29")

			if err := db.DeleteRelease(ctx, demo.SubRelease1); err != nil {
				t.Fatalf("DeleteRelease(PRJ1-R-4): %v", err)
			}
			wantDates("deleting PRJ1-R-4", "2025-07-01", "2025-08-29")

			// Without releases under it, a roll-up keeps its last dates.
			mustUpdate(t, db, demo.RollUp1, roadmap.ReleaseInput{ParentID: null()})
			wantDates("moving the last child out", "2025-07-01", "2025-08-29")

			// Back to manual, the dates may be set again.
			r := mustUpdate(t, db, demo.RollUp2, roadmap.ReleaseInput{DurationSource: roadmap.Some(roadmap.DurationManual), ReleaseDate: roadmap.Some("2025-12-31")})
			if r.ReleaseDate != "2025-12-31" {
				t.Errorf("manual release date = %s", r.ReleaseDate)
			}
		})
	}
}

func TestDuplicateRelease(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, dsn := mustOpenDemoDSN(t, backend)

			src := mustRelease(t, db, "PRJ1-R-1")
			dup, err := db.DuplicateRelease(ctx, demo.Release1, demo.Henry)
			if err != nil {
				t.Fatalf("DuplicateRelease: %v", err)
			}
			if dup.Name != "[Copy] Release 1" || dup.ReferenceNum != "PRJ1-R-5" || dup.ID == src.ID || dup.ProductID != demo.PRJ1 {
				t.Errorf("duplicate = %d %s %q", dup.ID, dup.ReferenceNum, dup.Name)
			}
			same := []struct {
				what      string
				got, want any
			}{
				{"start_date", dup.StartDate, src.StartDate},
				{"end_date", dup.EndDate, src.EndDate},
				{"release_date", dup.ReleaseDate, src.ReleaseDate},
				{"external_release_date", dup.ExternalReleaseDate, src.ExternalReleaseDate},
				{"external_date_resolution", dup.ExternalDateResolution, src.ExternalDateResolution},
				{"development_started_on", dup.DevelopmentStartedOn, src.DevelopmentStartedOn},
				{"parking_lot", dup.ParkingLot, src.ParkingLot},
				{"progress_source", dup.ProgressSource, src.ProgressSource},
				{"duration_source", dup.DurationSource, src.DurationSource},
				{"status", dup.WorkflowStatusID, src.WorkflowStatusID},
				{"owner", dup.OwnerID, src.OwnerID},
				{"parent", dup.ParentID, src.ParentID},
				{"goals", goalIDs(dup), []int64{demo.Goal1}},
				{"initiatives", initiativeIDs(dup), []int64{demo.Initiative1}},
				{"watchers", watcherIDs(dup), []int64{demo.John, demo.Henry}},
				{"creator", dup.CreatedByID, demo.Henry},
				{"theme body", dup.Theme.Body, "Theme of the release"},
				{"new theme ID", dup.Theme.ID != src.Theme.ID && dup.Theme.ID != 0, true},
				{"integration fields", len(dup.IntegrationFields), 0},
				{"comments", dup.CommentsCount, 0},
				{"status_changed_on", dup.StatusChangedOn, today},
				{"created_at today", dup.CreatedAt.Format("2006-01-02"), today},
			}
			for _, c := range same {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("duplicate %s = %#v, want %#v", c.what, c.got, c.want)
				}
			}
			if !reflect.DeepEqual(dup.Progress, src.Progress) {
				t.Errorf("duplicate progress = %v, want %v", dup.Progress, src.Progress)
			}
			if len(dup.CustomFields) != len(src.CustomFields) {
				t.Fatalf("duplicate custom fields = %+v, want copies of %+v", dup.CustomFields, src.CustomFields)
			}
			for i, cf := range dup.CustomFields {
				o := src.CustomFields[i]
				if cf.ID == o.ID || cf.Key != o.Key || cf.Name != o.Name || cf.Type != o.Type || cf.Value != o.Value {
					t.Errorf("custom field %d = %+v, want a copy of %+v with a new ID", i, cf, o)
				}
			}
			if len(dup.StatusTimes) != 1 || dup.StatusTimes[0].StatusID != src.WorkflowStatusID || dup.StatusTimes[0].EndedAt != nil || !dup.StatusTimes[0].StartedAt.Equal(dup.CreatedAt) {
				t.Errorf("duplicate status history = %+v, want one fresh open entry", dup.StatusTimes)
			}
			if d := diff(mustRelease(t, db, "PRJ1-R-1"), src); d != "" {
				t.Errorf("duplicating changed the original:\n%s", d)
			}
			if d := diff(mustRelease(t, db, dup.ReferenceNum), dup); d != "" {
				t.Errorf("Release differs from what DuplicateRelease returned:\n%s", d)
			}
			raw := rawDB(t, backend, dsn)
			if n := rawCount(t, raw, fmt.Sprintf("SELECT COUNT(*) FROM comments WHERE release_id = %d", dup.ID)); n != 0 {
				t.Errorf("the duplicate has %d comments stored", n)
			}
			if n := rawCount(t, raw, fmt.Sprintf("SELECT COUNT(*) FROM integration_fields WHERE record_id = %d", dup.ID)); n != 0 {
				t.Errorf("the duplicate has %d integration fields stored", n)
			}

			// Under a roll-up, shipped, parked, roll-ups themselves.
			sub, err := db.DuplicateRelease(ctx, demo.SubRelease1, demo.John)
			if err != nil {
				t.Fatal(err)
			}
			if sub.ReferenceNum != "PRJ1-R-6" || sub.ParentID != demo.RollUp2 || sub.Name != "[Copy] Sub release 1" {
				t.Errorf("duplicate of PRJ1-R-4 = %s %q under %d", sub.ReferenceNum, sub.Name, sub.ParentID)
			}
			if got := watcherIDs(sub); !reflect.DeepEqual(got, []int64{demo.John}) {
				t.Errorf("duplicate by a watcher has watchers %v, want John once", got)
			}
			if rels, _ := mustList(t, db, roadmap.ReleaseFilter{ParentID: demo.RollUp2}); !reflect.DeepEqual(refNums(rels), []string{"PRJ1-R-4", "PRJ1-R-6"}) {
				t.Errorf("under PRJ1-MR-2: %v", refNums(rels))
			}
			shipped, err := db.DuplicateRelease(ctx, 800484072, demo.Mary)
			if err != nil {
				t.Fatal(err)
			}
			if shipped.ReferenceNum != "PRJ4-R-5" || !shipped.Released() || shipped.WorkflowStatusID != demo.StatusShipped || len(shipped.StatusTimes) != 1 || shipped.StatusTimes[0].StatusID != demo.StatusShipped {
				t.Errorf("duplicate of a shipped release = %s released %v status %d history %+v", shipped.ReferenceNum, shipped.Released(), shipped.WorkflowStatusID, shipped.StatusTimes)
			}
			parked, err := db.DuplicateRelease(ctx, 637342960, demo.Mary)
			if err != nil {
				t.Fatal(err)
			}
			if parked.ReferenceNum != "PRJ2-R-3" || !parked.ParkingLot || parked.ReleaseDate != "" {
				t.Errorf("duplicate of a parked release = %s parking lot %v release date %q", parked.ReferenceNum, parked.ParkingLot, parked.ReleaseDate)
			}
			mr, err := db.DuplicateRelease(ctx, demo.RollUp1, demo.Mary)
			if err != nil {
				t.Fatal(err)
			}
			if mr.ReferenceNum != "PRJ1-MR-3" || !mr.MasterRelease {
				t.Errorf("duplicate of a roll-up = %s roll-up %v", mr.ReferenceNum, mr.MasterRelease)
			}

			long := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(strings.Repeat("é", roadmap.MaxNameLength))})
			longDup, err := db.DuplicateRelease(ctx, long.ID, demo.Mary)
			if err != nil {
				t.Fatalf("duplicating a release with a 255-character name: %v", err)
			}
			if n := len([]rune(longDup.Name)); n != roadmap.MaxNameLength || !strings.HasPrefix(longDup.Name, "[Copy] é") {
				t.Errorf("duplicate name has %d characters (%.20q...), want %d starting with [Copy]", n, longDup.Name, roadmap.MaxNameLength)
			}

			_, err = db.DuplicateRelease(ctx, 12345, demo.Mary)
			wantCode(t, err, roadmap.ENOTFOUND)
			if r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("After duplicates")}); r.ReferenceNum != "PRJ1-R-9" {
				t.Errorf("create after duplicates got %s, want PRJ1-R-9", r.ReferenceNum)
			}
		})
	}
}

func TestDeleteRelease(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, dsn := mustOpenDemoDSN(t, backend)
			raw := rawDB(t, backend, dsn)

			withoutIDs := func(rels []*roadmap.Release, ids ...int64) []*roadmap.Release {
				return slices.DeleteFunc(slices.Clone(rels), func(r *roadmap.Release) bool { return slices.Contains(ids, r.ID) })
			}

			before := snapshot(t, db)
			if err := db.DeleteRelease(ctx, demo.Release3); err != nil {
				t.Fatalf("DeleteRelease(PRJ1-R-3): %v", err)
			}
			for _, key := range []string{"PRJ1-R-3", id(demo.Release3)} {
				_, err := db.Release(ctx, key)
				wantCode(t, err, roadmap.ENOTFOUND)
			}
			wantCode(t, db.DeleteRelease(ctx, demo.Release3), roadmap.ENOTFOUND)
			if d := diff(snapshot(t, db), withoutIDs(before, demo.Release3)); d != "" {
				t.Errorf("deleting PRJ1-R-3 changed other releases:\n%s", d)
			}
			if n := rawCount(t, raw, fmt.Sprintf("SELECT COUNT(*) FROM integration_fields WHERE record_type = 'release' AND record_id = %d", demo.Release3)); n != 0 {
				t.Errorf("%d integration fields of the deleted release remain", n)
			}
			if r1 := mustRelease(t, db, "PRJ1-R-1"); len(r1.IntegrationFields) != 1 {
				t.Errorf("PRJ1-R-1 lost its integration field: %+v", r1.IntegrationFields)
			}

			// Numbers are never reused, also the highest one.
			r5 := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Five")})
			if r5.ReferenceNum != "PRJ1-R-5" {
				t.Fatalf("create after a delete got %s, want PRJ1-R-5", r5.ReferenceNum)
			}
			if err := db.DeleteRelease(ctx, r5.ID); err != nil {
				t.Fatal(err)
			}
			if r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Six")}); r.ReferenceNum != "PRJ1-R-6" {
				t.Errorf("create after deleting the newest release got %s, want PRJ1-R-6", r.ReferenceNum)
			}

			// Deleting a roll-up detaches the releases under it.
			if err := db.DeleteRelease(ctx, demo.RollUp2); err != nil {
				t.Fatalf("DeleteRelease(PRJ1-MR-2): %v", err)
			}
			sub := mustRelease(t, db, "PRJ1-R-4")
			if sub.ParentID != 0 || sub.Parent != nil {
				t.Errorf("PRJ1-R-4 after its roll-up was deleted: parent %d %+v, want none", sub.ParentID, sub.Parent)
			}
			if rels, total := mustList(t, db, roadmap.ReleaseFilter{ParentID: demo.RollUp2}); total != 0 {
				t.Errorf("the deleted roll-up still lists %v", refNums(rels))
			}
			if dup, err := db.DuplicateRelease(ctx, demo.RollUp1, demo.Mary); err != nil || dup.ReferenceNum != "PRJ1-MR-3" {
				t.Errorf("roll-up duplicate after deleting PRJ1-MR-2 = %v, %v; want PRJ1-MR-3", dup, err)
			}

			// Deleting a linked release removes it from goal and initiative lists.
			clearWork(t, db, demo.Release1)
			if err := db.DeleteRelease(ctx, demo.Release1); err != nil {
				t.Fatalf("DeleteRelease(PRJ1-R-1): %v", err)
			}
			if rels, total := mustList(t, db, roadmap.ReleaseFilter{GoalID: demo.Goal1}); total != 0 {
				t.Errorf("goal 1 still lists %v", refNums(rels))
			}
			if rels, total := mustList(t, db, roadmap.ReleaseFilter{InitiativeID: demo.Initiative1}); total != 1 || !reflect.DeepEqual(refNums(rels), []string{"PRJ1-R-2"}) {
				t.Errorf("initiative 1 lists %v (total %d), want only PRJ1-R-2", refNums(rels), total)
			}
			for _, q := range []string{
				"SELECT COUNT(*) FROM comments WHERE release_id = %d",
				"SELECT COUNT(*) FROM custom_field_values WHERE release_id = %d",
				"SELECT COUNT(*) FROM release_watchers WHERE release_id = %d",
				"SELECT COUNT(*) FROM integration_fields WHERE record_type = 'release' AND record_id = %d",
			} {
				if n := rawCount(t, raw, fmt.Sprintf(q, demo.Release1)); n != 0 {
					t.Errorf("%s: %d rows of the deleted release remain", fmt.Sprintf(q, demo.Release1), n)
				}
			}
			if in, err := db.Initiative(ctx, id(demo.Initiative1)); err != nil || in.Name != "Initiative 1" {
				t.Errorf("the initiative of a deleted release: %+v, %v", in, err)
			}
			if rels, _ := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ1}); !reflect.DeepEqual(refNums(rels), []string{"PRJ1-R-2", "PRJ1-MR-1", "PRJ1-R-4", "PRJ1-R-6", "PRJ1-MR-3"}) {
				t.Errorf("PRJ1 after the deletes lists %v", refNums(rels))
			}
		})
	}
}

func TestReleasesFilters(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)

			cases := []struct {
				name string
				f    roadmap.ReleaseFilter
				want []string
			}{
				{"product", roadmap.ReleaseFilter{ProductID: demo.PRJ1}, []string{"PRJ1-MR-2", "PRJ1-R-2", "PRJ1-R-1", "PRJ1-MR-1", "PRJ1-R-4", "PRJ1-R-3"}},
				{"goal", roadmap.ReleaseFilter{GoalID: demo.Goal1}, []string{"PRJ1-R-1"}},
				{"goal without releases", roadmap.ReleaseFilter{GoalID: demo.Goal2}, []string{}},
				{"initiative", roadmap.ReleaseFilter{InitiativeID: demo.Initiative1}, []string{"PRJ1-R-2", "PRJ1-R-1"}},
				{"parent", roadmap.ReleaseFilter{ParentID: demo.RollUp2}, []string{"PRJ1-R-4"}},
				{"empty roll-up", roadmap.ReleaseFilter{ParentID: demo.RollUp1}, []string{}},
				{"query across products", roadmap.ReleaseFilter{Query: "ReLeAsE 3"}, []string{"PRJ3-R-1", "PRJ1-R-3"}},
				{"query in a product", roadmap.ReleaseFilter{ProductID: demo.PRJ1, Query: "release 3"}, []string{"PRJ1-R-3"}},
				{"query substring", roadmap.ReleaseFilter{ProductID: demo.PRJ1, Query: "ROLL-UP"}, []string{"PRJ1-MR-2", "PRJ1-MR-1"}},
				{"query in a goal", roadmap.ReleaseFilter{GoalID: demo.Goal1, Query: "release 2"}, []string{}},
				{"parking lot", roadmap.ReleaseFilter{ParkingLot: new(true)}, []string{"PRJ4-R-4", "PRJ2-R-2", "PRJ3-R-4"}},
				{"not parking lot", roadmap.ReleaseFilter{ProductID: demo.PRJ4, ParkingLot: new(false)}, []string{"PRJ4-R-3", "PRJ4-R-2", "PRJ4-R-1"}},
				{"exclude shipped", roadmap.ReleaseFilter{ProductID: demo.PRJ4, ExcludeShipped: true}, []string{"PRJ4-R-4", "PRJ4-R-1"}},
				{"all of PRJ4", roadmap.ReleaseFilter{ProductID: demo.PRJ4}, []string{"PRJ4-R-4", "PRJ4-R-3", "PRJ4-R-2", "PRJ4-R-1"}},
				{"not parked, not shipped", roadmap.ReleaseFilter{ProductID: demo.PRJ4, ParkingLot: new(false), ExcludeShipped: true}, []string{"PRJ4-R-1"}},
				{"query, not shipped", roadmap.ReleaseFilter{Query: "old", ExcludeShipped: true}, []string{}},
				{"query, shipped included", roadmap.ReleaseFilter{Query: "old"}, []string{"PRJ4-R-3", "PRJ4-R-2"}},
				{"updated since the demo", roadmap.ReleaseFilter{UpdatedSince: new(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))}, []string{}},
				{"updated since before the demo", roadmap.ReleaseFilter{ProductID: demo.PRJ2, UpdatedSince: new(time.Date(2018, 12, 31, 23, 59, 59, 999e6, time.UTC))}, []string{"PRJ2-R-2", "PRJ2-R-1"}},
			}
			check := func() {
				t.Helper()
				for _, c := range cases {
					f := c.f
					f.Page = roadmap.Page{Page: 1, PerPage: 100}
					rels, total := mustList(t, db, f)
					if got := refNums(rels); !reflect.DeepEqual(got, c.want) || total != len(c.want) {
						t.Errorf("%s: Releases = %v (total %d), want %v", c.name, got, total, c.want)
					}
					for i := 1; i < len(rels); i++ {
						if rels[i-1].ID >= rels[i].ID {
							t.Errorf("%s: not in ascending ID order: %v", c.name, refNums(rels))
						}
					}
				}
			}
			check()

			// UpdatedSince is strictly after.
			r2 := mustUpdate(t, db, demo.Release2, roadmap.ReleaseInput{Name: roadmap.Some("Release 2 renamed")})
			x := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Fresh")})
			for _, c := range []struct {
				since time.Time
				f     roadmap.ReleaseFilter
				want  []string
			}{
				{r2.UpdatedAt, roadmap.ReleaseFilter{}, []string{"PRJ1-R-5"}},
				{r2.UpdatedAt.Add(-time.Millisecond), roadmap.ReleaseFilter{}, []string{"PRJ1-R-2", "PRJ1-R-5"}},
				{x.UpdatedAt, roadmap.ReleaseFilter{}, []string{}},
				{r2.UpdatedAt.Add(-time.Millisecond), roadmap.ReleaseFilter{ProductID: demo.PRJ4}, []string{}},
				{r2.UpdatedAt.Add(-time.Millisecond), roadmap.ReleaseFilter{InitiativeID: demo.Initiative1}, []string{"PRJ1-R-2"}},
				{r2.UpdatedAt.Add(-time.Millisecond), roadmap.ReleaseFilter{Query: "fresh"}, []string{"PRJ1-R-5"}},
			} {
				f := c.f
				f.UpdatedSince = &c.since
				rels, total := mustList(t, db, f)
				if got := refNums(rels); !reflect.DeepEqual(got, c.want) || total != len(c.want) {
					t.Errorf("updated since %v with %+v = %v (total %d), want %v", c.since, c.f, got, total, c.want)
				}
			}

			// Query characters are literal: % and _ are no wildcards.
			for _, name := range []string{"50% done", "500 done", "a_b", "axb", `back\slash`, "backslash"} {
				mustCreate(t, db, demo.PRJ3, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(name)})
			}
			for _, c := range []struct {
				q    string
				want []string
			}{
				{"50%", []string{"50% done"}},
				{"%", []string{"50% done"}},
				{"0% D", []string{"50% done"}},
				{"a_b", []string{"a_b"}},
				{"_", []string{"a_b"}},
				{`\`, []string{`back\slash`}},
				{`k\s`, []string{`back\slash`}},
				{"'", []string{}},
				{"done", []string{"50% done", "500 done"}},
			} {
				rels, total := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ3, Query: c.q})
				var got []string
				for _, r := range rels {
					got = append(got, r.Name)
				}
				if !reflect.DeepEqual(append([]string{}, got...), c.want) || total != len(c.want) {
					t.Errorf("query %q = %q (total %d), want %q", c.q, got, total, c.want)
				}
			}

			// The list representation loads integration fields only; Full loads the rest.
			short, _ := mustList(t, db, roadmap.ReleaseFilter{GoalID: demo.Goal1})
			full, _ := mustList(t, db, roadmap.ReleaseFilter{GoalID: demo.Goal1, Full: true})
			if len(short) != 1 || len(full) != 1 {
				t.Fatalf("goal 1 lists %d and %d releases", len(short), len(full))
			}
			if len(short[0].IntegrationFields) != 1 || short[0].Owner.ID != demo.John || short[0].Product.ReferencePrefix != "PRJ1" {
				t.Errorf("list representation: integration fields %+v owner %d product %q", short[0].IntegrationFields, short[0].Owner.ID, short[0].Product.ReferencePrefix)
			}
			if d := diff(full[0], mustRelease(t, db, "PRJ1-R-1")); d != "" {
				t.Errorf("a Full list entry differs from Release:\n%s", d)
			}
			sub, _ := mustList(t, db, roadmap.ReleaseFilter{ParentID: demo.RollUp2})
			if len(sub) != 1 || sub[0].Parent == nil || sub[0].Parent.ID != demo.RollUp2 {
				t.Errorf("list entry of PRJ1-R-4 lacks its parent: %+v", sub)
			}
		})
	}
}

func TestReleasesPagination(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)
			for i := range 9 {
				mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("Extra %d", i+1))})
			}
			all, total := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}})
			if total != 15 || len(all) != 15 {
				t.Fatalf("PRJ1 has %d releases (total %d), want 15", len(all), total)
			}
			for i := 1; i < len(all); i++ {
				if all[i-1].ID >= all[i].ID {
					t.Fatalf("not in ascending ID order: %v", refNums(all))
				}
			}

			for _, perPage := range []int{1, 4, 7, 15, 16, roadmap.MaxPerPage} {
				var got []*roadmap.Release
				pages := (15 + perPage - 1) / perPage
				for page := 1; page <= pages+1; page++ {
					rels, total := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: page, PerPage: perPage}})
					if total != 15 {
						t.Errorf("per page %d, page %d: total %d, want 15", perPage, page, total)
					}
					want := min(perPage, 15-(page-1)*perPage)
					if page > pages {
						want = 0
					}
					if len(rels) != want {
						t.Errorf("per page %d, page %d: %d rows, want %d", perPage, page, len(rels), want)
					}
					got = append(got, rels...)
				}
				if d := diff(refNums(got), refNums(all)); d != "" {
					t.Errorf("per page %d: the pages together differ from the whole list:\n%s", perPage, d)
				}
			}

			for _, c := range []struct {
				name      string
				f         roadmap.ReleaseFilter
				rows, tot int
			}{
				{"far past the end", roadmap.ReleaseFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 100, PerPage: 30}}, 0, 15},
				{"past the end of a query", roadmap.ReleaseFilter{ProductID: demo.PRJ1, Query: "extra", Page: roadmap.Page{Page: 3, PerPage: 5}}, 0, 9},
				{"last page of a query", roadmap.ReleaseFilter{ProductID: demo.PRJ1, Query: "extra", Page: roadmap.Page{Page: 2, PerPage: 5}}, 4, 9},
				{"past the end, not shipped", roadmap.ReleaseFilter{ProductID: demo.PRJ4, ExcludeShipped: true, Page: roadmap.Page{Page: 2, PerPage: 2}}, 0, 2},
				{"past the end, parking lot", roadmap.ReleaseFilter{ParkingLot: new(true), Page: roadmap.Page{Page: 2, PerPage: 3}}, 0, 3},
				{"past the end of a goal", roadmap.ReleaseFilter{GoalID: demo.Goal1, Page: roadmap.Page{Page: 2, PerPage: 1}}, 0, 1},
				{"past the end of nothing", roadmap.ReleaseFilter{GoalID: demo.Goal2, Page: roadmap.Page{Page: 2, PerPage: 1}}, 0, 0},
				{"past the end since", roadmap.ReleaseFilter{UpdatedSince: new(t0), Page: roadmap.Page{Page: 4, PerPage: 3}}, 0, 9},
				{"defaults", roadmap.ReleaseFilter{ProductID: demo.PRJ1}, 15, 15},
				{"default page size", roadmap.ReleaseFilter{Page: roadmap.Page{Page: 1}}, len(demo.Account().Releases) + 9, len(demo.Account().Releases) + 9},
			} {
				rels, total := mustList(t, db, c.f)
				if len(rels) != c.rows || total != c.tot {
					t.Errorf("%s: %d rows, total %d; want %d rows, total %d", c.name, len(rels), total, c.rows, c.tot)
				}
			}
		})
	}
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			const creates, duplicates = 50, 10
			var (
				mu    sync.Mutex
				refs  []string
				mrs   []string
				pos   []int
				errs  []error
				wg    sync.WaitGroup
				start = make(chan struct{})
			)
			record := func(r *roadmap.Release, err error, into *[]string) {
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				*into = append(*into, r.ReferenceNum)
				if r.Position != nil {
					pos = append(pos, *r.Position)
				}
			}
			for i := range creates {
				wg.Go(func() {
					<-start
					r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("Concurrent %d", i))})
					record(r, err, &refs)
				})
			}
			for range duplicates {
				wg.Go(func() {
					<-start
					r, err := db.DuplicateRelease(ctx, demo.RollUp1, demo.John)
					record(r, err, &mrs)
				})
			}
			close(start)
			wg.Wait()
			if len(errs) > 0 {
				t.Fatalf("%d concurrent writes failed, the first: %v", len(errs), errs[0])
			}

			var want, wantMR []string
			for n := 5; n < 5+creates; n++ {
				want = append(want, fmt.Sprintf("PRJ1-R-%d", n))
			}
			for n := 3; n < 3+duplicates; n++ {
				wantMR = append(wantMR, fmt.Sprintf("PRJ1-MR-%d", n))
			}
			sortRefs := func(s []string) {
				slices.SortFunc(s, func(a, b string) int {
					var x, y int
					fmt.Sscanf(a[strings.LastIndex(a, "-")+1:], "%d", &x)
					fmt.Sscanf(b[strings.LastIndex(b, "-")+1:], "%d", &y)
					return x - y
				})
			}
			sortRefs(refs)
			sortRefs(mrs)
			if d := diff(refs, want); d != "" {
				t.Errorf("concurrent creates got reference numbers that are not PRJ1-R-5..PRJ1-R-54:\n%s", d)
			}
			if d := diff(mrs, wantMR); d != "" {
				t.Errorf("concurrent roll-up duplicates got reference numbers that are not PRJ1-MR-3..PRJ1-MR-12:\n%s", d)
			}
			slices.Sort(pos)
			if len(slices.Compact(slices.Clone(pos))) != len(pos) {
				t.Errorf("concurrent creates share positions: %v", pos)
			}

			for _, ref := range append(want, wantMR...) {
				mustRelease(t, db, ref)
			}
			rels, total := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}})
			if total != 6+creates+duplicates || len(rels) != total {
				t.Errorf("PRJ1 lists %d releases (total %d), want %d", len(rels), total, 6+creates+duplicates)
			}
			if r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("After the rush")}); r.ReferenceNum != fmt.Sprintf("PRJ1-R-%d", 5+creates) {
				t.Errorf("create after the concurrent ones got %s, want PRJ1-R-%d", r.ReferenceNum, 5+creates)
			}
		})
	}
}

func TestReleasesQueryCount(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			const n = 200
			seedMany(t, db, demo.PRJ2, n)

			count := func(f roadmap.ReleaseFilter) (int64, []*roadmap.Release) {
				t.Helper()
				before := db.QueryCount()
				rels, total, err := db.Releases(ctx, f)
				after := db.QueryCount()
				if err != nil {
					t.Fatalf("Releases(%+v): %v", f, err)
				}
				if total != n+2 {
					t.Fatalf("Releases(%+v) total = %d, want %d", f, total, n+2)
				}
				return int64(after - before), rels
			}
			for _, full := range []bool{true, false} {
				big, rels := count(roadmap.ReleaseFilter{ProductID: demo.PRJ2, Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}, Full: full})
				small, few := count(roadmap.ReleaseFilter{ProductID: demo.PRJ2, Page: roadmap.Page{Page: 2, PerPage: 5}, Full: full})
				if len(rels) != roadmap.MaxPerPage || len(few) != 5 {
					t.Fatalf("full=%v: pages of %d and %d releases, want %d and 5", full, len(rels), len(few), roadmap.MaxPerPage)
				}
				if big > 12 {
					t.Errorf("full=%v: a page of %d releases took %d queries, want at most 12", full, len(rels), big)
				}
				if big != small {
					t.Errorf("full=%v: a page of %d releases took %d queries but a page of 5 took %d; the count must not grow with the page", full, len(rels), big, small)
				}
				if full {
					for _, r := range rels[2:] {
						if len(r.Goals) != 2 || len(r.Initiatives) != 2 || len(r.Watchers) != 3 || len(r.StatusTimes) != 2 || len(r.Initiatives[1].IntegrationFields) != 2 {
							t.Fatalf("%s loaded %d goals, %d initiatives, %d watchers, %d status times; want 2, 2, 3, 2 with the initiative's integration fields",
								r.ReferenceNum, len(r.Goals), len(r.Initiatives), len(r.Watchers), len(r.StatusTimes))
						}
					}
				} else if rels[0].Goals != nil {
					t.Errorf("the list representation loaded goals")
				}
			}

			before := db.QueryCount()
			mustRelease(t, db, "PRJ2-R-100")
			if q := db.QueryCount() - before; q > 12 {
				t.Errorf("Release took %d queries, want at most 12", q)
			}
		})
	}
}

// seedMany creates n releases in a product, each with two goals, two
// initiatives, three watchers and a status change, using a few writers at
// once.
func seedMany(tb testing.TB, db *store.DB, productID int64, n int) {
	tb.Helper()
	ctx := context.Background()
	jobs := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				r, err := db.CreateRelease(ctx, productID, demo.Mary, roadmap.ReleaseInput{
					Name:        roadmap.Some(fmt.Sprintf("Bulk %03d", i)),
					Owner:       roadmap.Some(id(demo.John)),
					Goals:       list(id(demo.Goal1), id(demo.Goal2)),
					Initiatives: list(id(demo.Initiative1), id(demo.Initiative2)),
					Watchers:    list(id(demo.Henry)),
				})
				if err == nil {
					_, err = db.UpdateRelease(ctx, r.ID, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some("Planning")})
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatalf("seeding %d releases: %v", n, err)
	}
}

func TestReleasesQueryNonASCII(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := mustOpenDemo(t, backend)
			for _, name := range []string{"Écran Été", "Über Release", "ecran ete"} {
				mustCreate(t, db, demo.PRJ3, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(name)})
			}
			for _, c := range []struct {
				q    string
				want []string
			}{
				{"Été", []string{"Écran Été"}},
				{"écran", []string{"Écran Été"}},
				{"ÉCRAN", []string{"Écran Été"}},
				{"über", []string{"Über Release"}},
				{"ÜBER", []string{"Über Release"}},
				{"ecran", []string{"ecran ete"}},
			} {
				rels, total := mustList(t, db, roadmap.ReleaseFilter{ProductID: demo.PRJ3, Query: c.q})
				got := []string{}
				for _, r := range rels {
					got = append(got, r.Name)
				}
				if !reflect.DeepEqual(got, c.want) || total != len(c.want) {
					t.Errorf("query %q = %q (total %d), want %q", c.q, got, total, c.want)
				}
			}
		})
	}
}

func TestConcurrentWritesUnderOneRollUp(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)
			mustUpdate(t, db, demo.RollUp2, roadmap.ReleaseInput{DurationSource: roadmap.Some(roadmap.DurationFromSubReleases)})
			if _, err := db.UpdateRollUp(ctx, demo.RollUp2, roadmap.RollUpInput{Projects: roadmap.Some([]int64{demo.PRJ2, demo.PRJ3, demo.PRJ4})}); err != nil {
				t.Fatalf("letting PRJ1-MR-2 collect PRJ2-4: %v", err)
			}

			products := []int64{demo.PRJ1, demo.PRJ2, demo.PRJ3, demo.PRJ4}
			moved := []int64{1000426269, 342040612, 918502240} // PRJ2-R-1, PRJ3-R-1, PRJ4-R-1
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				errs  []error
				start = make(chan struct{})
			)
			fail := func(err error) {
				mu.Lock()
				defer mu.Unlock()
				errs = append(errs, err)
			}
			for i := range 8 {
				wg.Go(func() {
					<-start
					_, err := db.CreateRelease(ctx, products[i%len(products)], demo.Mary, roadmap.ReleaseInput{
						Name:        roadmap.Some(fmt.Sprintf("Child %d", i)),
						ParentID:    roadmap.Some("PRJ1-MR-2"),
						StartDate:   roadmap.Some(fmt.Sprintf("2025-03-%02d", i+10)),
						ReleaseDate: roadmap.Some(fmt.Sprintf("2025-05-%02d", i+10)),
					})
					if err != nil {
						fail(err)
					}
				})
			}
			for _, rid := range moved {
				wg.Go(func() {
					<-start
					if _, err := db.UpdateRelease(ctx, rid, roadmap.ReleaseInput{ParentID: roadmap.Some(id(demo.RollUp2)), ReleaseDate: roadmap.Some("2025-06-30")}); err != nil {
						fail(err)
					}
				})
			}
			close(start)
			wg.Wait()
			if len(errs) > 0 {
				t.Fatalf("%d of %d concurrent writes under PRJ1-MR-2 failed; the first: %v", len(errs), 8+len(moved), errs[0])
			}
			children, total := mustList(t, db, roadmap.ReleaseFilter{ParentID: demo.RollUp2, Page: roadmap.Page{Page: 1, PerPage: 50}})
			if total != 1+8+len(moved) {
				t.Fatalf("PRJ1-MR-2 has %d releases under it, want %d", total, 1+8+len(moved))
			}
			var start1, end string
			for _, c := range children {
				s := c.StartDate
				if s == "" {
					s = c.ReleaseDate
				}
				if start1 == "" || s < start1 {
					start1 = s
				}
				end = max(end, c.ReleaseDate)
			}
			if mr := mustRelease(t, db, "PRJ1-MR-2"); mr.StartDate != start1 || mr.ReleaseDate != end {
				t.Errorf("PRJ1-MR-2 = %s..%s after concurrent writes, want %s..%s from the releases under it", mr.StartDate, mr.ReleaseDate, start1, end)
			}
		})
	}
}

func TestConcurrentStatusUpdates(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			statuses := []string{"Planning", "In development", "Shipped", "New"}
			var wg sync.WaitGroup
			errs := make([]error, 12)
			start := make(chan struct{})
			for i := range errs {
				wg.Go(func() {
					<-start
					_, errs[i] = db.UpdateRelease(ctx, demo.Release2, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some(statuses[i%len(statuses)])})
				})
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("concurrent status update: %v", err)
				}
			}

			r := mustRelease(t, db, "PRJ1-R-2")
			hist := r.StatusTimes
			if len(hist) < 2 {
				t.Fatalf("status history = %+v, want an entry per change", hist)
			}
			for i, st := range hist {
				last := i == len(hist)-1
				if last != (st.EndedAt == nil) {
					t.Errorf("entry %d of %d (%s) open = %v; only the last entry may be open", i, len(hist), st.StatusName, st.EndedAt == nil)
					continue
				}
				if last {
					break
				}
				if st.EndedAt.Before(st.StartedAt) {
					t.Errorf("entry %d (%s) ends at %v before it starts at %v", i, st.StatusName, st.EndedAt, st.StartedAt)
				}
				if !st.EndedAt.Equal(hist[i+1].StartedAt) {
					t.Errorf("entry %d ends at %v but the next starts at %v", i, st.EndedAt, hist[i+1].StartedAt)
				}
				if st.StatusID == hist[i+1].StatusID {
					t.Errorf("entries %d and %d both record %s", i, i+1, st.StatusName)
				}
			}
			last := hist[len(hist)-1]
			if last.StatusID != r.WorkflowStatusID {
				t.Errorf("the history ends in %s but the release is %s", last.StatusName, r.WorkflowStatus.Name)
			}
			if r.UpdatedAt.Before(last.StartedAt) {
				t.Errorf("updated_at %v is before the last status change at %v", r.UpdatedAt, last.StartedAt)
			}
		})
	}
}
