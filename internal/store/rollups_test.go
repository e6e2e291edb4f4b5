package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// ruPRJ1Only is a user of these tests who contributes to PRJ1 and may see
// nothing else.
const ruPRJ1Only int64 = 7100000101

// ruPL1 is the demo's product line PL1.
const ruPL1 int64 = 610602692

// ruStart is the time the tests' clock starts at.
var ruStart = time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)

// ruOpen opens a new database of the backend, loaded with the demo account
// and ruPRJ1Only, with a clock that advances a second per reading.
func ruOpen(t *testing.T, backend string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, ruTemplate.DSN(t, backend), Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	// The clock reads on from where seeding the template left it.
	ruTicks.Lock()
	now := ruStart.Add(time.Duration(ruTicks.n[backend]) * time.Second)
	ruTicks.Unlock()
	db.Now = func() time.Time { now = now.Add(time.Second); return now }
	return db
}

// ruTemplate holds the demo account and ruPRJ1Only, seeded on a clock that
// starts at ruStart and advances a second per reading.
var ruTemplate = testdb.NewTemplate("rollups", func(ctx context.Context, backend, dsn string) error {
	db, err := Open(ctx, dsn, Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	now := ruStart
	db.Now = func() time.Time { now = now.Add(time.Second); return now }
	seed := demo.Account()
	seed.Users = append(seed.Users, roadmap.User{ID: ruPRJ1Only, Name: "Only PRJ1", Email: "only.prj1@example.com"})
	seed.Roles = append(seed.Roles, roadmap.SeedRole{UserID: ruPRJ1Only, ProductID: demo.PRJ1, Role: roadmap.RoleContributor})
	loaded, err := db.Seed(ctx, seed)
	if err == nil && !loaded {
		err = errors.New("seeding: the new database is not empty")
	}
	ruTicks.Lock()
	ruTicks.n[backend] = int(now.Sub(ruStart) / time.Second)
	ruTicks.Unlock()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
})

// ruTicks counts, per backend, the readings of the clock that seeding
// ruTemplate took.
var ruTicks = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

func ruEachBackend(t *testing.T, fn func(t *testing.T, db *DB)) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, ruOpen(t, backend))
		})
	}
}

func ruWantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if roadmap.ErrorCode(err) != code {
		t.Fatalf("error %v (code %s), want code %s", err, roadmap.ErrorCode(err), code)
	}
	if field != "" {
		if e, _ := err.(*roadmap.Error); e == nil || e.Field != field {
			t.Errorf("error %v: want field %s", err, field)
		}
	}
}

func ruProjectIDs(ru *roadmap.RollUp) []int64 {
	out := []int64{}
	for _, p := range ru.Projects {
		out = append(out, p.ID)
	}
	return out
}

func TestCreateRollUp(t *testing.T) {
	t.Parallel()
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ru, err := db.CreateRollUp(ctx, demo.PRJ1, demo.Mary, roadmap.RollUpInput{
			ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("R"), ReleaseDate: roadmap.Some("2024-12-01")},
			Projects:     roadmap.Some([]int64{demo.PRJ3, demo.PRJ1, demo.PRJ2, demo.PRJ3}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if ru.ReferenceNum != "PRJ1-MR-3" || !ru.MasterRelease || ru.ProductID != demo.PRJ1 {
			t.Errorf("created %s master %v in %d", ru.ReferenceNum, ru.MasterRelease, ru.ProductID)
		}
		// The release date is before today: the roll-up starts on it.
		if ru.StartDate != "2024-12-01" || ru.ReleaseDate != "2024-12-01" {
			t.Errorf("dates %s..%s, want 2024-12-01..2024-12-01", ru.StartDate, ru.ReleaseDate)
		}
		if got := ruProjectIDs(ru); !slices.Equal(got, []int64{demo.PRJ2, demo.PRJ3}) {
			t.Errorf("projects %v, want PRJ2, PRJ3 (no duplicates, not its own product)", got)
		}
		if len(ru.StatusTimes) != 1 || len(ru.Watchers) != 1 || ru.Watchers[0].ID != demo.Mary {
			t.Errorf("status times %v, watchers %v", ru.StatusTimes, ru.Watchers)
		}

		plain, err := db.CreateRollUp(ctx, demo.PRJ1, demo.Mary, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("Plain")}})
		if err != nil {
			t.Fatal(err)
		}
		if plain.ReferenceNum != "PRJ1-MR-4" || plain.StartDate != plain.CreatedAt.Format(time.DateOnly) || plain.ReleaseDate != "2025-02-28" || len(plain.Projects) != 0 {
			t.Errorf("plain roll-up %s %s..%s projects %v", plain.ReferenceNum, plain.StartDate, plain.ReleaseDate, plain.Projects)
		}
		noStart, err := db.CreateRollUp(ctx, demo.PRJ1, demo.Mary, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("No start"), StartDate: roadmap.Opt[string]{Set: true, Null: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if noStart.StartDate != "" {
			t.Errorf("start_date: null gave %q, want none", noStart.StartDate)
		}
		parked, err := db.CreateRollUp(ctx, ruPL1, demo.Mary, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("Parked"), ParkingLot: roadmap.Some(true)}})
		if err != nil {
			t.Fatal(err)
		}
		if parked.ReferenceNum != "PL1-MR-1" || parked.StartDate != "" || parked.ReleaseDate != "" {
			t.Errorf("parked roll-up %s %q..%q", parked.ReferenceNum, parked.StartDate, parked.ReleaseDate)
		}

		// A failed create writes nothing and uses no number.
		before, total, err := db.RollUps(ctx, roadmap.RollUpFilter{ProductID: demo.PRJ1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateRollUp(ctx, demo.PRJ1, demo.Mary, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("Bad")}, Projects: roadmap.Some([]int64{demo.PRJ2, 42})})
		ruWantCode(t, err, roadmap.EINVALID, "project_ids")
		_, err = db.CreateRollUp(ctx, demo.PRJ1, demo.Mary, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("Bad"), ParentID: roadmap.Some("PRJ1-R-1")}})
		ruWantCode(t, err, roadmap.EINVALID, "parent_id")
		after, total2, err := db.RollUps(ctx, roadmap.RollUpFilter{ProductID: demo.PRJ1})
		if err != nil {
			t.Fatal(err)
		}
		if total2 != total || len(after) != len(before) {
			t.Errorf("roll-ups after failed creates: %d, want %d", total2, total)
		}
		next, err := db.CreateRollUp(ctx, demo.PRJ1, demo.Mary, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("Next")}})
		if err != nil {
			t.Fatal(err)
		}
		if next.ReferenceNum != "PRJ1-MR-6" {
			t.Errorf("next number %s, want PRJ1-MR-6", next.ReferenceNum)
		}
	})
}

func TestRollUpLookups(t *testing.T) {
	t.Parallel()
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, key := range []string{"PRJ1-MR-2", strconv.FormatInt(demo.RollUp2, 10)} {
			ru, err := db.RollUp(ctx, key, 0)
			if err != nil || ru.ID != demo.RollUp2 || ru.Name != "Roll-up Release 2" {
				t.Errorf("RollUp(%s): %+v %v", key, ru, err)
			}
		}
		for _, key := range []string{"PRJ1-R-1", strconv.FormatInt(demo.Release1, 10), "PRJ1-MR-9", "x"} {
			_, err := db.RollUp(ctx, key, 0)
			ruWantCode(t, err, roadmap.ENOTFOUND, "")
		}
		_, err := db.UpdateRollUp(ctx, demo.Release1, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("No")}})
		ruWantCode(t, err, roadmap.ENOTFOUND, "")
		if r, _ := db.Release(ctx, "PRJ1-R-1"); r.Name != "Release 1" {
			t.Errorf("UpdateRollUp changed a release that is not a roll-up: %q", r.Name)
		}

		pl1, total, err := db.RollUps(ctx, roadmap.RollUpFilter{ProductID: ruPL1})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(pl1) != 2 || pl1[0].ReferenceNum != "PL1-R-3" || pl1[1].ReferenceNum != "PL1-R-2" {
			t.Errorf("roll-ups of PL1: %d %v", total, pl1)
		}
		page, total, err := db.RollUps(ctx, roadmap.RollUpFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 3, PerPage: 1}})
		if err != nil || len(page) != 0 || total != 2 {
			t.Errorf("a page past the end: %v %d %v", page, total, err)
		}
	})
}

// TestRollUpsQueryCount checks that a list of roll-ups costs the same number
// of queries whatever its length.
func TestRollUpsQueryCount(t *testing.T) {
	t.Parallel()
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cost := func(full bool) int64 {
			before := db.QueryCount()
			if _, _, err := db.RollUps(ctx, roadmap.RollUpFilter{ProductID: demo.PRJ1, Full: full, VisibleTo: demo.Henry, Page: roadmap.Page{Page: 1, PerPage: 200}}); err != nil {
				t.Fatal(err)
			}
			return db.QueryCount() - before
		}
		small, smallFull := cost(false), cost(true)
		_, seeded, err := db.Comments(ctx, roadmap.CommentFilter{ProductID: demo.PRJ1})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 12; i++ {
			if _, err := db.CreateRollUp(ctx, demo.PRJ1, demo.Mary, roadmap.RollUpInput{
				ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("R" + strconv.Itoa(i)), Goals: roadmap.Some([]string{"Goal 1"})},
				Projects:     roadmap.Some([]int64{demo.PRJ2, demo.PRJ3}),
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: demo.Release1}, demo.Mary, "c"+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
		if big, bigFull := cost(false), cost(true); big != small || bigFull != smallFull {
			t.Errorf("queries for 2 and 14 roll-ups: %d and %d (full %d and %d), want the same", small, big, smallFull, bigFull)
		}
		before := db.QueryCount()
		cs, total, err := db.Comments(ctx, roadmap.CommentFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: 200}})
		if err != nil || len(cs) != seeded+12 || total != seeded+12 {
			t.Fatalf("comments of PRJ1: %d of %d, %v; want %d", len(cs), total, err, seeded+12)
		}
		if n := db.QueryCount() - before; n != 2 {
			t.Errorf("a list of %d comments took %d queries, want 2 (its count and its page)", len(cs), n)
		}
	})
}

func TestUpdateRollUpProjects(t *testing.T) {
	t.Parallel()
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		set := func(visibleTo int64, ids ...int64) *roadmap.RollUp {
			t.Helper()
			ru, err := db.UpdateRollUp(ctx, demo.RollUp1, roadmap.RollUpInput{Projects: roadmap.Some(ids), VisibleTo: visibleTo})
			if err != nil {
				t.Fatal(err)
			}
			return ru
		}
		ru := set(0, demo.PRJ2, demo.PRJ3, demo.PRJ4)
		if got := ruProjectIDs(ru); !slices.Equal(got, []int64{demo.PRJ2, demo.PRJ3, demo.PRJ4}) {
			t.Fatalf("projects %v", got)
		}
		for _, key := range []string{"PRJ2-R-1", "PRJ3-R-1", "PRJ1-R-3"} {
			if _, err := db.UpdateRelease(ctx, mustID(t, db, key), roadmap.ReleaseInput{ParentID: roadmap.Some("PRJ1-MR-1")}); err != nil {
				t.Fatal(err)
			}
		}
		// A user who sees PRJ1 only sees none of the set and, replacing it,
		// leaves the products it can't see in place.
		seen, err := db.RollUp(ctx, "PRJ1-MR-1", ruPRJ1Only)
		if err != nil || len(seen.Projects) != 0 {
			t.Fatalf("projects as ruPRJ1Only sees them: %v %v", seen.Projects, err)
		}
		if got := ruProjectIDs(set(ruPRJ1Only)); len(got) != 0 {
			t.Errorf("projects as ruPRJ1Only sees them after its update: %v, want none", got)
		}
		all, err := db.RollUp(ctx, "PRJ1-MR-1", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := ruProjectIDs(all); !slices.Equal(got, []int64{demo.PRJ2, demo.PRJ3, demo.PRJ4}) {
			t.Errorf("projects after ruPRJ1Only's update: %v, want all kept", got)
		}
		// Products that leave the set take their releases out of the roll-up.
		if got := ruProjectIDs(set(0, demo.PRJ3)); !slices.Equal(got, []int64{demo.PRJ3}) {
			t.Errorf("projects %v, want PRJ3", got)
		}
		under, _, err := db.Releases(ctx, roadmap.ReleaseFilter{ParentID: demo.RollUp1})
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, r := range under {
			refs = append(refs, r.ReferenceNum)
		}
		if !slices.Equal(refs, []string{"PRJ3-R-1", "PRJ1-R-3"}) {
			t.Errorf("releases under PRJ1-MR-1: %v, want PRJ3-R-1 PRJ1-R-3", refs)
		}
		if r, _ := db.Release(ctx, "PRJ2-R-1"); r.ParentID != 0 {
			t.Errorf("PRJ2-R-1 still under %d", r.ParentID)
		}
		// A failed update changes neither the set nor the roll-up.
		_, err = db.UpdateRollUp(ctx, demo.RollUp1, roadmap.RollUpInput{ReleaseInput: roadmap.ReleaseInput{Name: roadmap.Some("Changed")}, Projects: roadmap.Some([]int64{99})})
		ruWantCode(t, err, roadmap.EINVALID, "project_ids")
		if ru, _ := db.RollUp(ctx, "PRJ1-MR-1", 0); ru.Name != "Roll-up Release 1" || !slices.Equal(ruProjectIDs(ru), []int64{demo.PRJ3}) {
			t.Errorf("after a failed update: %q %v", ru.Name, ruProjectIDs(ru))
		}
	})
}

func mustID(t *testing.T, db *DB, key string) int64 {
	t.Helper()
	r, err := db.Release(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestRollUpAccepts(t *testing.T) {
	t.Parallel()
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.UpdateRollUp(ctx, demo.RollUp1, roadmap.RollUpInput{Projects: roadmap.Some([]int64{demo.PRJ2})}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			rollUp, product int64
			want            bool
		}{
			{demo.RollUp1, demo.PRJ1, true},
			{demo.RollUp1, demo.PRJ2, true},
			{demo.RollUp1, demo.PRJ3, false},
			{demo.RollUp2, demo.PRJ1, true},
			{demo.RollUp2, demo.PRJ2, false},
			{demo.Release1, demo.PRJ1, false},
			{12345, demo.PRJ1, false},
		} {
			got, err := rollUpAccepts(ctx, db.reader(), c.rollUp, c.product)
			if err != nil || got != c.want {
				t.Errorf("rollUpAccepts(%d, %d) = %v, %v; want %v", c.rollUp, c.product, got, err, c.want)
			}
		}
	})
}

func TestCommentsStore(t *testing.T) {
	t.Parallel()
	onRollUp1 := roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: demo.RollUp1}
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c, err := db.CreateComment(ctx, onRollUp1, demo.Henry, "<p>Hi</p>")
		if err != nil {
			t.Fatal(err)
		}
		if c.Body != "<p>Hi</p>" || c.User.ID != demo.Henry || c.On.ReferenceNum != "PRJ1-MR-1" || !c.On.Master || c.On.ProductID != demo.PRJ1 || c.On.Type != roadmap.CommentOnRelease || c.On.ID != demo.RollUp1 || !c.CreatedAt.Equal(c.UpdatedAt) {
			t.Errorf("created %+v", c)
		}
		if r, _ := db.Release(ctx, "PRJ1-MR-1"); r.CommentsCount != 1 {
			t.Errorf("comments_count %d, want 1", r.CommentsCount)
		}
		for _, body := range []string{"", "  \n", string(make([]byte, roadmap.MaxCommentLength+1))} {
			_, err := db.CreateComment(ctx, onRollUp1, demo.Henry, body)
			ruWantCode(t, err, roadmap.EINVALID, "body")
		}
		_, err = db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: 42}, demo.Henry, "x")
		ruWantCode(t, err, roadmap.ENOTFOUND, "")

		u, err := db.UpdateComment(ctx, c.ID, "Edited")
		if err != nil || u.Body != "Edited" || !u.CreatedAt.Equal(c.CreatedAt) || !u.UpdatedAt.After(c.UpdatedAt) {
			t.Errorf("updated %+v %v", u, err)
		}
		_, err = db.UpdateComment(ctx, 42, "x")
		ruWantCode(t, err, roadmap.ENOTFOUND, "")
		_, err = db.UpdateComment(ctx, c.ID, " ")
		ruWantCode(t, err, roadmap.EINVALID, "body")

		list, total, err := db.Comments(ctx, roadmap.CommentFilter{On: onRollUp1})
		if err != nil || total != 1 || len(list) != 1 || list[0].Body != "Edited" {
			t.Errorf("comments on PRJ1-MR-1: %v %d %v", list, total, err)
		}
		if err := db.DeleteComment(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		ruWantCode(t, db.DeleteComment(ctx, c.ID), roadmap.ENOTFOUND, "")
		_, err = db.Comment(ctx, c.ID)
		ruWantCode(t, err, roadmap.ENOTFOUND, "")
		if r, _ := db.Release(ctx, "PRJ1-MR-1"); r.CommentsCount != 0 {
			t.Errorf("comments_count after the delete %d, want 0", r.CommentsCount)
		}

		// Deleting a release deletes its comments.
		clearReleaseWork(t, db, demo.Release1)
		if err := db.DeleteRelease(ctx, demo.Release1); err != nil {
			t.Fatal(err)
		}
		_, err = db.Comment(ctx, 517326331)
		ruWantCode(t, err, roadmap.ENOTFOUND, "")
		_, _, err = db.Comments(ctx, roadmap.CommentFilter{})
		if roadmap.ErrorCode(err) != roadmap.EINTERNAL {
			t.Errorf("a list without a scope: %v", err)
		}
	})
}
