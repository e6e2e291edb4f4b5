package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// pauseAt makes db's statements that start with prefix wait, the first
// time one runs, until the returned release is called; paused is closed
// when that statement is reached.
func pauseAt(db interface{ Trace(store.TraceFunc) }, prefix string) (paused <-chan struct{}, release func()) {
	reached, resume := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	db.Trace(func(q string, _ []any) {
		if strings.HasPrefix(q, prefix) && first.CompareAndSwap(false, true) {
			close(reached)
			<-resume
		}
	})
	var done sync.Once
	return reached, func() { done.Do(func() { close(resume) }) }
}

// TestCreateNumbersApart checks that on PostgreSQL a create takes its
// product's next number and position in a transaction of its own, before
// it writes the release: while the create is held just after, its product's
// counter has moved on for everyone and its row is not locked, and another
// create in the product runs to its end and gets the next number. The held
// create then finishes with its own number, in its answer, its row and its
// audit (one for the release, with a delivery for each of the create's
// audits), and leaves the journal empty.
func TestCreateNumbersApart(t *testing.T) {
	dsn := testdb.DSN(t, "postgres")
	db := mustSeed(t, mustOpen(t, dsn))
	raw := rawDB(t, "postgres", dsn)
	ctx := roadmap.WithActor(context.Background(), demo.Mary)
	if _, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/roadmapd")}); err != nil {
		t.Fatal(err)
	}
	var after int64
	if err := raw.QueryRow("SELECT COALESCE(MAX(id), 0) FROM audits").Scan(&after); err != nil {
		t.Fatal(err)
	}
	var seq int64
	if err := raw.QueryRow("SELECT release_seq FROM products WHERE id = $1", demo.PRJ1).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	paused, release := pauseAt(db, "INSERT INTO releases")
	defer release()
	type result struct {
		r   *roadmap.Release
		err error
	}
	held := make(chan result, 1)
	go func() {
		r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{
			Name:     roadmap.Some("Held"),
			Theme:    roadmap.Some("<p>Why</p>"),
			Watchers: roadmap.Some([]string{fmt.Sprint(demo.Henry)}),
		})
		held <- result{r, err}
	}()
	select {
	case <-paused:
	case res := <-held:
		t.Fatalf("the create ended before it wrote its release: %v", res.err)
	}
	var now int64
	if err := raw.QueryRow("SELECT release_seq FROM products WHERE id = $1", demo.PRJ1).Scan(&now); err != nil {
		t.Fatal(err)
	}
	if now != seq+1 {
		t.Errorf("while the create is held, the product's counter is %d, want %d (taken and committed)", now, seq+1)
	}
	lock, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec("SELECT 1 FROM products WHERE id = $1 FOR NO KEY UPDATE NOWAIT", demo.PRJ1); err != nil {
		t.Errorf("while the create is held, its product's row is locked: %v", err)
	}
	lock.Rollback()
	next, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Next")})
	if err != nil {
		t.Fatal(err)
	}
	release()
	res := <-held
	db.Trace(nil)
	if res.err != nil {
		t.Fatal(res.err)
	}
	r := res.r
	if want := roadmap.ReleaseReference("PRJ1", false, seq+1); r.ReferenceNum != want || r.Position == nil {
		t.Errorf("held create has reference %q, position %v; want %q and a position", r.ReferenceNum, r.Position, want)
	}
	if want := roadmap.ReleaseReference("PRJ1", false, seq+2); next.ReferenceNum != want || next.Position == nil || r.Position == nil || *next.Position <= *r.Position {
		t.Errorf("next create has reference %q, position %v; want %q after position %v", next.ReferenceNum, next.Position, want, r.Position)
	}
	if got, err := db.Release(ctx, r.ReferenceNum); err != nil || got.ID != r.ID || *got.Position != *r.Position {
		t.Errorf("read after the create: %v, %v", got, err)
	}
	audits, _, err := db.Audits(ctx, roadmap.AuditFilter{AfterID: after, Page: roadmap.Page{Page: 1, PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var ofRelease int
	for _, au := range audits {
		if strings.Contains(au.Description, "~") || strings.Contains(au.URLPath, "~") {
			t.Errorf("audit %q %q names a provisional reference", au.Description, au.URLPath)
		}
		if au.AuditableType != "release" || au.AuditableID != r.ID {
			continue
		}
		ofRelease++
		if au.Action != roadmap.AuditCreate || au.URLPath != "/releases/"+r.ReferenceNum || !strings.Contains(au.Description, r.ReferenceNum) {
			t.Errorf("audit of the release: %s %q %q", au.Action, au.Description, au.URLPath)
		}
		var ref string
		for _, ch := range au.Changes {
			if ch.FieldName == "Reference num" {
				ref = ch.New
			}
		}
		if ref != r.ReferenceNum {
			t.Errorf("the create's audit sets the reference to %q, want %q", ref, r.ReferenceNum)
		}
	}
	if ofRelease != 1 {
		t.Errorf("%d audits of the release, want 1 (its create)", ofRelease)
	}
	if len(audits) < 4 {
		t.Errorf("%d audits of the two creates (releases, theme, watchers), want at least 4", len(audits))
	}
	hooks, _, err := db.Webhooks(ctx, roadmap.Page{Page: 1, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: hooks[0].ID, Page: roadmap.Page{Page: 1, PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	delivered := map[int64]int{}
	for _, d := range ds {
		delivered[d.AuditID]++
	}
	for _, au := range audits {
		if delivered[au.ID] != 1 {
			t.Errorf("audit %d (%s) has %d deliveries, want 1", au.ID, au.Description, delivered[au.ID])
		}
	}
	if len(ds) != len(audits) {
		t.Errorf("%d deliveries of %d audits", len(ds), len(audits))
	}
	if n, err := db.JournalRows(ctx); err != nil || n != 0 {
		t.Errorf("%d rows left in the change journal (%v)", n, err)
	}
}

// TestFailedCreateGivesItsNumberBack checks that a create that fails after
// it took its number (a custom field that its product does not have) leaves
// the counter as it found it, on both engines, so that the next create
// takes that number; and that on PostgreSQL, where the number is taken in a
// transaction of its own, a failed create whose number another create
// followed leaves a gap instead: a number is never given twice.
func TestFailedCreateGivesItsNumberBack(t *testing.T) {
	bad := roadmap.ReleaseInput{
		Name:         roadmap.Some("Bad"),
		CustomFields: roadmap.Some([]roadmap.CustomFieldEntry{{Key: "no_such_field", Value: "x"}}),
	}
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			dsn := testdb.DSN(t, backend)
			db := mustSeed(t, mustOpen(t, dsn))
			raw := rawDB(t, backend, dsn)
			ctx := roadmap.WithActor(context.Background(), demo.Mary)
			counter := func() (seq, pos int64) {
				t.Helper()
				seq = int64(rawCount(t, raw, fmt.Sprintf("SELECT release_seq FROM products WHERE id = %d", demo.PRJ1)))
				if backend == "postgres" {
					pos = int64(rawCount(t, raw, fmt.Sprintf("SELECT position_seq FROM products WHERE id = %d", demo.PRJ1)))
				}
				return seq, pos
			}
			seq, pos := counter()
			_, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, bad)
			wantCode(t, err, roadmap.EINVALID)
			if s, p := counter(); s != seq || p != pos {
				t.Errorf("after the failed create the counters are %d, %d; want %d, %d", s, p, seq, pos)
			}
			r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Good")})
			if err != nil {
				t.Fatal(err)
			}
			if want := roadmap.ReleaseReference("PRJ1", false, seq+1); r.ReferenceNum != want {
				t.Errorf("the create after the failed one is %s, want %s", r.ReferenceNum, want)
			}
			if backend != "postgres" {
				return
			}
			// A failing create held at its first write after it took
			// its number, while another create takes the next one.
			paused, release := pauseAt(db, "INSERT INTO releases")
			defer release()
			failed := make(chan error, 1)
			go func() {
				_, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, bad)
				failed <- err
			}()
			select {
			case <-paused:
			case err := <-failed:
				t.Fatalf("the create ended before it wrote its release: %v", err)
			}
			between, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Between")})
			release()
			wantCode(t, <-failed, roadmap.EINVALID)
			db.Trace(nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := roadmap.ReleaseReference("PRJ1", false, seq+3); between.ReferenceNum != want {
				t.Errorf("the create after the held one is %s, want %s", between.ReferenceNum, want)
			}
			last, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Last")})
			if err != nil {
				t.Fatal(err)
			}
			if want := roadmap.ReleaseReference("PRJ1", false, seq+4); last.ReferenceNum != want {
				t.Errorf("the create after a failed one that another followed is %s, want %s (the failed one's number %s is not given again)",
					last.ReferenceNum, want, roadmap.ReleaseReference("PRJ1", false, seq+2))
			}
		})
	}
}

// TestConcurrentCreatesCountAndNumber creates releases in one product from
// many goroutines and checks that the numbers are gapless and unique, the
// positions distinct, no provisional reference number is left, the
// product's count of releases (the list's total) is exact, each create has
// one audit and one of its link to the watcher they share, each with its
// delivery, and the change journal is empty.
func TestConcurrentCreatesCountAndNumber(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			dsn := testdb.DSN(t, backend)
			db := mustSeed(t, mustOpen(t, dsn))
			ctx := context.Background()
			hook, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/roadmapd")})
			if err != nil {
				t.Fatal(err)
			}
			f := roadmap.ReleaseFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}}
			_, before, err := db.Releases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			const workers, each = 8, 5
			var mu sync.Mutex
			refs := map[string]bool{}
			positions := map[int]bool{}
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each; i++ {
						r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("C %d %d", w, i))})
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						refs[r.ReferenceNum] = true
						positions[*r.Position] = true
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(refs) != workers*each || len(positions) != workers*each {
				t.Fatalf("%d distinct references and %d distinct positions for %d creates", len(refs), len(positions), workers*each)
			}
			list, after, err := db.Releases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if after != before+workers*each {
				t.Errorf("total %d after %d creates, was %d", after, workers*each, before)
			}
			for _, r := range list {
				if strings.HasPrefix(r.ReferenceNum, "~") {
					t.Errorf("provisional reference %q left", r.ReferenceNum)
				}
			}
			// The numbers of the new releases follow each other.
			var nums []int
			for ref := range refs {
				n, err := strconv.Atoi(ref[strings.LastIndex(ref, "-")+1:])
				if err != nil {
					t.Fatalf("reference %q: %v", ref, err)
				}
				nums = append(nums, n)
			}
			slices.Sort(nums)
			if nums[len(nums)-1]-nums[0] != len(nums)-1 {
				t.Errorf("numbers %v have gaps", nums)
			}
			// A read of the deliveries queues those still to queue (on
			// SQLite the worker would).
			if _, _, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: hook.ID, Page: roadmap.Page{Page: 1, PerPage: 1}}); err != nil {
				t.Fatal(err)
			}
			raw := rawDB(t, backend, dsn)
			if n, err := db.JournalRows(ctx); err != nil || n != 0 {
				t.Errorf("%d rows left in the change journal (%v)", n, err)
			}
			if n := rawCount(t, raw, "SELECT COUNT(*) FROM audits WHERE auditable_type = 'release' AND description LIKE 'created release %'"); n != workers*each {
				t.Errorf("%d audits of release creates, want %d", n, workers*each)
			}
			if n := rawCount(t, raw, "SELECT COUNT(*) FROM audits WHERE url_path LIKE '%~%' OR description LIKE '%~%'"); n != 0 {
				t.Errorf("%d audits name a provisional reference", n)
			}
			for _, q := range []string{
				"SELECT COUNT(DISTINCT a.auditable_id) FROM audits a JOIN releases r ON r.id = a.auditable_id WHERE a.auditable_type = 'release' AND a.action = 'create'",
				"SELECT COUNT(DISTINCT a.associated_id) FROM audits a JOIN releases r ON r.id = a.associated_id WHERE a.auditable_type = 'release_watcher' AND a.action = 'create'",
				"SELECT COUNT(DISTINCT d.audit_id) FROM webhook_deliveries d JOIN audits a ON a.id = d.audit_id JOIN releases r ON r.id = a.associated_id WHERE a.auditable_type = 'release_watcher'",
			} {
				if n := rawCount(t, raw, q); n != workers*each {
					t.Errorf("%s: %d, want %d", q, n, workers*each)
				}
			}
		})
	}
}

// TestRenameKeepsComputedValues checks that a change of a release's name
// alone does not compute its progress and dates again (it reads nothing they
// are computed from), and that they stay what a feature's writer computed.
func TestRenameKeepsComputedValues(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db := mustOpenDemo(t, backend)
			ctx := context.Background()
			r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Computed"), ProgressSource: roadmap.Some(roadmap.ProgressFromFeatures)})
			if err != nil {
				t.Fatal(err)
			}
			var stmts []string
			db.Trace(func(q string, _ []any) { stmts = append(stmts, q) })
			got, err := db.UpdateRelease(ctx, r.ID, roadmap.ReleaseInput{Name: roadmap.Some("Renamed")})
			db.Trace(nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range stmts {
				if strings.Contains(q, "FROM release_phases") || strings.Contains(q, "FROM tasks") {
					t.Errorf("a rename computed the release again: %s", q)
				}
			}
			if got.Name != "Renamed" || *got.Progress != *r.Progress {
				t.Errorf("after the rename: name %q progress %d, want %q %d", got.Name, *got.Progress, "Renamed", *r.Progress)
			}
		})
	}
}

// TestRenameAnswersWhatAReadLoads checks that a change of only a release's
// name and theme, which reads the release once under its lock and not again
// after the write, answers the release exactly as a read after it loads it,
// links, custom fields, history and roll-up included.
func TestRenameAnswersWhatAReadLoads(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db := mustOpenDemo(t, backend)
			ctx := context.Background()
			rollUp, err := db.Release(ctx, "PRJ1-MR-1")
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Before"),
				Goals: roadmap.Some([]string{"602095703"}), Theme: roadmap.Some("<p>old</p>"),
				ParentID: roadmap.Some(strconv.FormatInt(rollUp.ID, 10))})
			if err != nil {
				t.Fatal(err)
			}
			var selects int
			db.Trace(func(q string, _ []any) {
				if strings.Contains(q, "FROM releases r") {
					selects++
				}
			})
			got, err := db.UpdateRelease(ctx, r.ID, roadmap.ReleaseInput{Name: roadmap.Some("After"), Theme: roadmap.Some("<p>new</p>")})
			db.Trace(nil)
			if err != nil {
				t.Fatal(err)
			}
			if selects != 1 {
				t.Errorf("the rename loaded the release %d times, want once", selects)
			}
			want, err := db.Release(ctx, r.ReferenceNum)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("the rename answers other than a read after it:\nread   %+v\nanswer %+v", want, got)
			}
			if got.Name != "After" || got.Theme.Body != "<p>new</p>" || len(got.Goals) != 1 || got.Parent == nil {
				t.Errorf("after the rename: %q %q, %d goals, parent %v", got.Name, got.Theme.Body, len(got.Goals), got.Parent)
			}
		})
	}
}
