package store_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver for raw checks
	_ "modernc.org/sqlite"             // registers the "sqlite" driver for raw checks

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// t0 is the time the test clock starts at; today and defaultReleaseDate
// follow from it.
var t0 = time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)

const (
	today              = "2025-01-15"
	defaultReleaseDate = "2025-02-28"
)

// clock is a fake time source: every reading is one second after the
// previous one, so that each write transaction has its own "now".
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now advances the clock by a second and returns it.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// useClock makes db read its time from a new fake clock that starts at start.
func useClock(db *store.DB, start time.Time) *clock {
	c := &clock{t: start}
	db.Now = c.Now
	return c
}

// mustOpen opens the store at dsn and closes it when the test ends.
func mustOpen(tb testing.TB, dsn string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		tb.Fatalf("store.Open(%q): %v", dsn, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("closing the store: %v", err)
		}
	})
	useClock(db, t0)
	return db
}

// mustOpenDB opens a fresh, empty store of the backend.
func mustOpenDB(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	return mustOpen(tb, testdb.DSN(tb, backend))
}

// mustOpenDemo opens a fresh store of the backend loaded with the demo account.
func mustOpenDemo(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	db, _ := mustOpenDemoDSN(tb, backend)
	return db
}

// mustOpenDemoDSN is mustOpenDemo that also returns the database's address.
func mustOpenDemoDSN(tb testing.TB, backend string) (*store.DB, string) {
	tb.Helper()
	dsn := demoTemplate.DSN(tb, backend)
	db := mustOpen(tb, dsn)
	// The clock reads on from where seeding the account left it.
	demoTicks.Lock()
	n := demoTicks.n[backend]
	demoTicks.Unlock()
	for i := 0; i < n; i++ {
		db.Now()
	}
	return db, dsn
}

// demoTemplate holds the demo account as mustSeed loads it into a store
// that mustOpen opened: on a clock that starts at t0.
var demoTemplate = testdb.NewTemplate("demo", func(ctx context.Context, backend, dsn string) error {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	c := useClock(db, t0)
	loaded, err := db.Seed(ctx, demo.Account())
	if err == nil && !loaded {
		err = errors.New("Seed reported false on an empty database")
	}
	demoTicks.Lock()
	demoTicks.n[backend] = int(c.t.Sub(t0) / time.Second)
	demoTicks.Unlock()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
})

// demoTicks counts, per backend, the readings of the clock that seeding
// demoTemplate took.
var demoTicks = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

// mustSeed loads the demo account into db, which must be empty.
func mustSeed(tb testing.TB, db *store.DB) *store.DB {
	tb.Helper()
	loaded, err := db.Seed(context.Background(), demo.Account())
	if err != nil {
		tb.Fatalf("Seed: %v", err)
	}
	if !loaded {
		tb.Fatal("Seed reported false on an empty database")
	}
	return db
}

// rawDB opens the database behind dsn directly, bypassing the store, for
// checks on what is stored.
func rawDB(tb testing.TB, backend, dsn string) *sql.DB {
	tb.Helper()
	driver, source := "pgx", dsn
	if backend == "sqlite" {
		driver, source = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		tb.Fatalf("opening %s directly: %v", backend, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// rawCount runs a COUNT query directly on the database.
func rawCount(tb testing.TB, db *sql.DB, query string) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// wantCode fails the test unless err is a *roadmap.Error with the code.
func wantCode(tb testing.TB, err error, code string) *roadmap.Error {
	tb.Helper()
	var e *roadmap.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v (%T), want a *roadmap.Error with code %s", err, err, code)
	}
	if e.Code != code {
		tb.Fatalf("error code = %q (%v), want %q", e.Code, e, code)
	}
	return e
}

// wantInvalid fails the test unless err is an EINVALID *roadmap.Error about field.
func wantInvalid(tb testing.TB, err error, field string) {
	tb.Helper()
	e := wantCode(tb, err, roadmap.EINVALID)
	if e.Field != field {
		tb.Fatalf("error field = %q (%v), want %q", e.Field, e, field)
	}
	if e.Message == "" {
		tb.Fatalf("EINVALID error about %s has no message", field)
	}
}

// mustRelease loads a release by ID or reference number.
func mustRelease(tb testing.TB, db *store.DB, key string) *roadmap.Release {
	tb.Helper()
	r, err := db.Release(context.Background(), key)
	if err != nil {
		tb.Fatalf("Release(%q): %v", key, err)
	}
	return r
}

// mustCreate creates a release in a product as a user.
func mustCreate(tb testing.TB, db *store.DB, productID, userID int64, in roadmap.ReleaseInput) *roadmap.Release {
	tb.Helper()
	r, err := db.CreateRelease(context.Background(), productID, userID, in)
	if err != nil {
		tb.Fatalf("CreateRelease(%d, %d, %+v): %v", productID, userID, in, err)
	}
	return r
}

// mustUpdate updates a release.
func mustUpdate(tb testing.TB, db *store.DB, id int64, in roadmap.ReleaseInput) *roadmap.Release {
	tb.Helper()
	r, err := db.UpdateRelease(context.Background(), id, in)
	if err != nil {
		tb.Fatalf("UpdateRelease(%d, %+v): %v", id, in, err)
	}
	return r
}

// mustList returns the releases that f selects and their total.
func mustList(tb testing.TB, db *store.DB, f roadmap.ReleaseFilter) ([]*roadmap.Release, int) {
	tb.Helper()
	rels, total, err := db.Releases(context.Background(), f)
	if err != nil {
		tb.Fatalf("Releases(%+v): %v", f, err)
	}
	return rels, total
}

// snapshot returns every release of the account, fully loaded.
func snapshot(tb testing.TB, db *store.DB) []*roadmap.Release {
	tb.Helper()
	rels, total := mustList(tb, db, roadmap.ReleaseFilter{Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}, Full: true})
	if total > roadmap.MaxPerPage {
		tb.Fatalf("snapshot: %d releases do not fit one page", total)
	}
	return rels
}

// refNums returns the reference numbers of rels, in order.
func refNums(rels []*roadmap.Release) []string {
	out := []string{}
	for _, r := range rels {
		out = append(out, r.ReferenceNum)
	}
	return out
}

func goalIDs(r *roadmap.Release) []int64 {
	out := []int64{}
	for _, g := range r.Goals {
		out = append(out, g.ID)
	}
	return out
}

func initiativeIDs(r *roadmap.Release) []int64 {
	out := []int64{}
	for _, i := range r.Initiatives {
		out = append(out, i.ID)
	}
	return out
}

func watcherIDs(r *roadmap.Release) []int64 {
	out := []int64{}
	for _, u := range r.Watchers {
		out = append(out, u.ID)
	}
	return out
}

// list returns a set reference-list input.
func list(refs ...string) roadmap.Opt[[]string] {
	return roadmap.Some(append([]string{}, refs...))
}

// null returns a string input given as JSON null.
func null() roadmap.Opt[string] { return roadmap.Opt[string]{Set: true, Null: true} }

func id(n int64) string { return strconv.FormatInt(n, 10) }

// diff returns "" when got and want are deeply equal, and otherwise the lines
// of their JSON forms that differ.
func diff(got, want any) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	var b strings.Builder
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var a, c string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			c = wl[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n  got:  %s\n  want: %s\n", i+1, a, c)
			if b.Len() > 4000 {
				b.WriteString("  ...\n")
				break
			}
		}
	}
	if b.Len() == 0 {
		return fmt.Sprintf("values differ but render alike:\n%s", g)
	}
	return b.String()
}

func TestOpenMigratesAndReopens(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)

			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatalf("first Open: %v", err)
			}
			useClock(db, t0)
			if empty, err := db.Empty(ctx); err != nil || !empty {
				t.Fatalf("Empty on a new database = %v, %v; want true, nil", empty, err)
			}
			if err := db.Ping(ctx); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			mustSeed(t, db)
			created := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Before reopening")})
			before := snapshot(t, db)
			if err := db.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if backend == "sqlite" {
				st, err := os.Stat(dsn)
				if err != nil {
					t.Fatalf("the SQLite file is gone after Close: %v", err)
				}
				if st.Size() == 0 {
					t.Fatal("the SQLite file is empty after Close")
				}
			}

			db2 := mustOpen(t, dsn)
			if empty, err := db2.Empty(ctx); err != nil || empty {
				t.Fatalf("Empty after reopening = %v, %v; want false, nil", empty, err)
			}
			if d := diff(snapshot(t, db2), before); d != "" {
				t.Fatalf("releases after reopening differ:\n%s", d)
			}
			if r := mustRelease(t, db2, created.ReferenceNum); r.Name != "Before reopening" {
				t.Fatalf("release %s after reopening is named %q", created.ReferenceNum, r.Name)
			}

			// A second store on the same database while the first is open
			// finds the migrations applied and sees the same records.
			db3 := mustOpen(t, dsn)
			next := mustCreate(t, db3, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("After reopening")})
			if next.ReferenceNum != "PRJ1-R-6" {
				t.Fatalf("create after reopening got %s, want PRJ1-R-6", next.ReferenceNum)
			}
			if r := mustRelease(t, db2, "PRJ1-R-6"); r.ID != next.ID {
				t.Fatalf("the other store reads PRJ1-R-6 as %d, want %d", r.ID, next.ID)
			}
		})
	}
}

func TestSeedDemoAccountOnce(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			before := snapshot(t, db)
			if got, want := len(before), len(demo.Account().Releases); got != want {
				t.Fatalf("the demo account has %d releases, want %d", got, want)
			}
			loaded, err := db.Seed(ctx, demo.Account())
			if err != nil {
				t.Fatalf("second Seed: %v", err)
			}
			if loaded {
				t.Fatal("second Seed reported true; want false on a loaded database")
			}
			if d := diff(snapshot(t, db), before); d != "" {
				t.Fatalf("second Seed changed the releases:\n%s", d)
			}

			r1 := mustRelease(t, db, "PRJ1-R-1")
			if r1.ID != demo.Release1 || r1.Name != "Release 1" || r1.Theme.Body != "Theme of the release" || r1.Theme.ID != 522610666 {
				t.Errorf("PRJ1-R-1 = %d %q theme %d %q", r1.ID, r1.Name, r1.Theme.ID, r1.Theme.Body)
			}
			if got := goalIDs(r1); !reflect.DeepEqual(got, []int64{demo.Goal1}) {
				t.Errorf("PRJ1-R-1 goals = %v", got)
			}
			if got := initiativeIDs(r1); !reflect.DeepEqual(got, []int64{demo.Initiative1}) {
				t.Errorf("PRJ1-R-1 initiatives = %v", got)
			} else if n := len(r1.Initiatives[0].IntegrationFields); n != 2 {
				t.Errorf("initiative 1 has %d integration fields, want 2", n)
			}
			if len(r1.IntegrationFields) != 1 || r1.IntegrationFields[0].ID != 68217473 || r1.IntegrationFields[0].Value != "777" {
				t.Errorf("PRJ1-R-1 integration fields = %+v", r1.IntegrationFields)
			}
			if len(r1.CustomFields) != 2 || r1.CustomFields[0].Key != "note" || r1.CustomFields[1].Key != "text_field" {
				t.Errorf("PRJ1-R-1 custom fields = %+v", r1.CustomFields)
			}
			if r1.CommentsCount != 1 {
				t.Errorf("PRJ1-R-1 has %d comments, want 1", r1.CommentsCount)
			}
			if got := watcherIDs(r1); !reflect.DeepEqual(got, []int64{demo.John}) {
				t.Errorf("PRJ1-R-1 watchers = %v, want John only", got)
			}
			if len(r1.StatusTimes) != 0 {
				t.Errorf("PRJ1-R-1 has status history %+v, want none", r1.StatusTimes)
			}
			sub := mustRelease(t, db, "PRJ1-R-4")
			if sub.ParentID != demo.RollUp2 || sub.Parent == nil || sub.Parent.ReferenceNum != "PRJ1-MR-2" || !sub.Parent.MasterRelease {
				t.Errorf("PRJ1-R-4 parent = %d %+v, want PRJ1-MR-2", sub.ParentID, sub.Parent)
			}
			if shipped := mustRelease(t, db, "PRJ4-R-2"); !shipped.Released() || shipped.ReleasedOn != "2019-01-01" {
				t.Errorf("PRJ4-R-2 released = %v on %q, want shipped on 2019-01-01", shipped.Released(), shipped.ReleasedOn)
			}

			// Numbering continues after the highest number used, per product
			// and per kind.
			for _, c := range []struct {
				product int64
				want    string
			}{
				{demo.PRJ1, "PRJ1-R-5"},
				{demo.PRJ2, "PRJ2-R-3"},
				{demo.PRJ3, "PRJ3-R-5"},
				{demo.PRJ4, "PRJ4-R-5"},
				{demo.PRJ1, "PRJ1-R-6"},
			} {
				r := mustCreate(t, db, c.product, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Next")})
				if r.ReferenceNum != c.want {
					t.Errorf("create in %d got %s, want %s", c.product, r.ReferenceNum, c.want)
				}
			}
			dup, err := db.DuplicateRelease(ctx, demo.RollUp1, demo.Mary)
			if err != nil {
				t.Fatalf("DuplicateRelease(PRJ1-MR-1): %v", err)
			}
			if dup.ReferenceNum != "PRJ1-MR-3" || !dup.MasterRelease {
				t.Errorf("duplicate of PRJ1-MR-1 = %s (roll-up %v), want roll-up PRJ1-MR-3", dup.ReferenceNum, dup.MasterRelease)
			}
			if r := mustCreate(t, db, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("After a roll-up")}); r.ReferenceNum != "PRJ1-R-7" {
				t.Errorf("create after a roll-up duplicate got %s, want PRJ1-R-7", r.ReferenceNum)
			}
		})
	}
}

func TestSeedConcurrently(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDB(t, backend)

			var wg sync.WaitGroup
			loaded := make([]bool, 4)
			errs := make([]error, len(loaded))
			start := make(chan struct{})
			for i := range loaded {
				wg.Go(func() {
					<-start
					loaded[i], errs[i] = db.Seed(ctx, demo.Account())
				})
			}
			close(start)
			wg.Wait()
			n := 0
			for i := range loaded {
				if errs[i] != nil {
					t.Fatalf("concurrent Seed: %v", errs[i])
				}
				if loaded[i] {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d concurrent Seed calls loaded the account, want exactly 1", n)
			}
			if rels, want := snapshot(t, db), len(demo.Account().Releases); len(rels) != want {
				t.Fatalf("%d releases after concurrent seeding, want %d", len(rels), want)
			}
		})
	}
}

func TestOpenConcurrently(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)

			dbs := make([]*store.DB, 3)
			errs := make([]error, len(dbs))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range dbs {
				wg.Go(func() {
					<-start
					dbs[i], errs[i] = store.Open(ctx, dsn, store.Options{})
				})
			}
			close(start)
			wg.Wait()
			for i, db := range dbs {
				if db != nil {
					t.Cleanup(func() { db.Close() })
				}
				if errs[i] != nil {
					t.Errorf("concurrent Open %d: %v", i, errs[i])
				}
			}
			if t.Failed() {
				return
			}
			mustSeed(t, dbs[0])
			for i, db := range dbs {
				if r, err := db.Release(ctx, "PRJ1-R-1"); err != nil || r.ID != demo.Release1 {
					t.Errorf("store %d reads PRJ1-R-1 as %v, %v", i, r, err)
				}
			}
		})
	}
}

func TestSeedRefusedOnceUsersExist(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDB(t, backend)
			if _, err := db.CreateAdmin(ctx, "Ada Admin", "ada@example.com"); err != nil {
				t.Fatalf("CreateAdmin: %v", err)
			}
			loaded, err := db.Seed(ctx, demo.Account())
			if err != nil || loaded {
				t.Fatalf("Seed on a database with users = %v, %v; want false, nil", loaded, err)
			}
			if rels := snapshot(t, db); len(rels) != 0 {
				t.Fatalf("Seed refused but %d releases appeared", len(rels))
			}
			if _, err := db.Product(ctx, "PRJ1"); !roadmap.IsNotFound(err) {
				t.Fatalf("Product(PRJ1) after a refused Seed: %v, want not found", err)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDemo(t, backend)

			for _, key := range []string{"PRJ1", id(demo.PRJ1)} {
				p, err := db.Product(ctx, key)
				if err != nil {
					t.Fatalf("Product(%q): %v", key, err)
				}
				if p.ID != demo.PRJ1 || p.ReferencePrefix != "PRJ1" || p.Name != "Project 1" || p.ParentID != demo.ProductLine {
					t.Errorf("Product(%q) = %+v", key, p)
				}
			}
			for _, key := range []string{"DEMOENT-G-2", id(demo.Goal2)} {
				g, err := db.Goal(ctx, key)
				if err != nil {
					t.Fatalf("Goal(%q): %v", key, err)
				}
				if g.ID != demo.Goal2 || g.Name != "Goal 2" || g.Description.Body != "Description of goal 2" {
					t.Errorf("Goal(%q) = %+v", key, g)
				}
			}
			for _, key := range []string{"PRJ1-S-2", id(demo.Initiative2)} {
				in, err := db.Initiative(ctx, key)
				if err != nil {
					t.Fatalf("Initiative(%q): %v", key, err)
				}
				if in.ID != demo.Initiative2 || in.Name != "Initiative 2" {
					t.Errorf("Initiative(%q) = %+v", key, in)
				}
			}
			u, err := db.UserByEmail(ctx, "John.Smith@Example.com")
			if err != nil || u.ID != demo.John {
				t.Errorf("UserByEmail(John.Smith@Example.com) = %+v, %v; want John", u, err)
			}
			for _, key := range []string{"PRJ1-R-1", id(demo.Release1)} {
				if r := mustRelease(t, db, key); r.ID != demo.Release1 || r.ReferenceNum != "PRJ1-R-1" {
					t.Errorf("Release(%q) = %d %s", key, r.ID, r.ReferenceNum)
				}
			}

			_, err = db.Product(ctx, "NOPE")
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.Goal(ctx, "DEMOENT-G-9")
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.Initiative(ctx, "1")
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.UserByEmail(ctx, "nobody@example.com")
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.Release(ctx, "PRJ1-R-99")
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.Release(ctx, "99")
			wantCode(t, err, roadmap.ENOTFOUND)
		})
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			db := mustOpen(t, dsn)

			_, err := db.CreateAdmin(ctx, "Ada Admin", "not an email")
			wantInvalid(t, err, "email")
			_, err = db.CreateAdmin(ctx, "  ", "ada@example.com")
			wantInvalid(t, err, "name")
			if empty, err := db.Empty(ctx); err != nil || !empty {
				t.Fatalf("Empty after refused CreateAdmin calls = %v, %v; want true", empty, err)
			}

			admin, err := db.CreateAdmin(ctx, "Ada Admin", "ada@example.com")
			if err != nil {
				t.Fatalf("CreateAdmin on an empty database: %v", err)
			}
			if admin.ID == 0 || !admin.Admin || admin.Name != "Ada Admin" || admin.Email != "ada@example.com" {
				t.Fatalf("CreateAdmin = %+v", admin)
			}
			if empty, err := db.Empty(ctx); err != nil || empty {
				t.Fatalf("Empty after CreateAdmin = %v, %v; want false", empty, err)
			}
			_, err = db.CreateAdmin(ctx, "Bob Admin", "bob@example.com")
			wantCode(t, err, roadmap.ECONFLICT)
			_, err = db.UserByEmail(ctx, "bob@example.com")
			wantCode(t, err, roadmap.ENOTFOUND)

			token := roadmap.NewToken()
			if err := db.CreateToken(ctx, admin.ID, roadmap.HashToken(token)); err != nil {
				t.Fatalf("CreateToken: %v", err)
			}
			u, err := db.UserByTokenHash(ctx, roadmap.HashToken(token))
			if err != nil {
				t.Fatalf("UserByTokenHash: %v", err)
			}
			if u.ID != admin.ID || u.Email != admin.Email || u.Name != admin.Name || !u.Admin || !u.CreatedAt.Equal(admin.CreatedAt) {
				t.Errorf("UserByTokenHash = %+v, want %+v", u, admin)
			}
			_, err = db.UserByTokenHash(ctx, roadmap.HashToken(roadmap.NewToken()))
			wantCode(t, err, roadmap.EUNAUTHORIZED)
			_, err = db.UserByTokenHash(ctx, []byte(token))
			wantCode(t, err, roadmap.EUNAUTHORIZED)

			raw := rawDB(t, backend, dsn)
			rows, err := raw.Query("SELECT hash FROM api_tokens")
			if err != nil {
				t.Fatalf("reading api_tokens: %v", err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var stored string
				if err := rows.Scan(&stored); err != nil {
					t.Fatal(err)
				}
				n++
				if strings.Contains(strings.ToLower(stored), token) {
					t.Errorf("api_tokens holds the plaintext token: %q", stored)
				}
				if stored != hex.EncodeToString(roadmap.HashToken(token)) {
					t.Errorf("api_tokens holds %q, want the token's SHA-256 in hex", stored)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("api_tokens has %d rows, want 1", n)
			}
		})
	}
}

func TestDemoToken(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, dsn := mustOpenDemoDSN(t, backend)

			u, err := db.UserByTokenHash(ctx, roadmap.HashToken(demo.Token))
			if err != nil {
				t.Fatalf("UserByTokenHash(demo token): %v", err)
			}
			if u.ID != demo.Mary || u.Email != "no-reply@aha.io" {
				t.Errorf("the demo token belongs to %+v, want Mary Humpty", u)
			}
			_, err = db.CreateAdmin(ctx, "Ada Admin", "ada@example.com")
			wantCode(t, err, roadmap.ECONFLICT)

			raw := rawDB(t, backend, dsn)
			if n := rawCount(t, raw, "SELECT COUNT(*) FROM api_tokens WHERE hash LIKE '%"+demo.Token+"%'"); n != 0 {
				t.Errorf("api_tokens holds the demo token in plaintext (%d rows)", n)
			}
		})
	}
}

func TestCreateAdminConcurrently(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDB(t, backend)

			const n = 8
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					_, errs[i] = db.CreateAdmin(ctx, "Admin", fmt.Sprintf("admin%d@example.com", i))
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
					continue
				}
				wantCode(t, err, roadmap.ECONFLICT)
			}
			if ok != 1 {
				t.Fatalf("%d concurrent CreateAdmin calls succeeded, want exactly 1", ok)
			}
		})
	}
}
