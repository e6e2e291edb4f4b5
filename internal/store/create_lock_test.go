package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestCreateLocksCounterLast checks that on PostgreSQL a create runs no
// statement on its product's counter row: its commit numbers the release
// (a deferred trigger), so that the row is locked only while the
// transaction commits and concurrent creates in one product wait for each
// other only that long. The answer and the audits carry the release's own
// reference number, of the product's format for releases and roll-ups,
// with no second audit of the numbering; each audit has its delivery, and
// the journal is left empty.
func TestCreateLocksCounterLast(t *testing.T) {
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
	var seq, rollupSeq int64
	if err := raw.QueryRow("SELECT release_seq, rollup_seq FROM products WHERE id = $1", demo.PRJ1).Scan(&seq, &rollupSeq); err != nil {
		t.Fatal(err)
	}
	var stmts []string
	var mu sync.Mutex
	db.Trace(func(q string, _ []any) {
		mu.Lock()
		stmts = append(stmts, q)
		mu.Unlock()
	})
	r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{
		Name:     roadmap.Some("Late lock"),
		Theme:    roadmap.Some("<p>Why</p>"),
		Watchers: roadmap.Some([]string{fmt.Sprint(demo.Henry)}),
	})
	db.Trace(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range stmts {
		if strings.HasPrefix(q, "UPDATE products") {
			t.Errorf("the create updated its product's row itself: %s", q)
		}
	}
	if want := roadmap.ReleaseReference("PRJ1", false, seq+1); r.ReferenceNum != want || r.Position == nil {
		t.Errorf("answer has reference %q, position %v; want %q and a position", r.ReferenceNum, r.Position, want)
	}
	if got, err := db.Release(ctx, r.ReferenceNum); err != nil || *got.Position != *r.Position {
		t.Errorf("read after the create: %v, %v", got, err)
	}
	// A roll-up inserted under a provisional number takes the roll-ups'
	// counter (the store numbers roll-ups as it makes them).
	copyID := r.ID + 1
	rawTx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rawTx.Exec(`INSERT INTO releases SELECT (jsonb_populate_record(NULL::releases, to_jsonb(r) ||
		jsonb_build_object('id', $2::bigint, 'reference_num', '~' || $2, 'master_release', true, 'position', NULL))).* FROM releases r WHERE r.id = $1`, r.ID, copyID); err != nil {
		t.Fatal(err)
	}
	if _, err := rawTx.Exec("DELETE FROM change_journal WHERE tx = txid_current()"); err != nil {
		t.Fatal(err)
	}
	if err := rawTx.Commit(); err != nil {
		t.Fatal(err)
	}
	var rollUpRef string
	if err := raw.QueryRow("SELECT reference_num FROM releases WHERE id = $1", copyID).Scan(&rollUpRef); err != nil {
		t.Fatal(err)
	}
	if want := roadmap.ReleaseReference("PRJ1", true, rollupSeq+1); rollUpRef != want {
		t.Errorf("roll-up numbered %q, want %q", rollUpRef, want)
	}
	audits, _, err := db.Audits(ctx, roadmap.AuditFilter{AfterID: after, Page: roadmap.Page{Page: 1, PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var ofRelease, deliveries int
	for _, au := range audits {
		if strings.Contains(au.Description, "~") || strings.Contains(au.URLPath, "~") {
			t.Errorf("audit %q %q names the provisional reference", au.Description, au.URLPath)
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
	if len(audits) < 3 {
		t.Errorf("%d audits of the create (release, theme, watchers), want at least 3", len(audits))
	}
	hooks, _, err := db.Webhooks(ctx, roadmap.Page{Page: 1, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: hooks[0].ID, Page: roadmap.Page{Page: 1, PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.AuditID == audits[deliveries].ID && (i == 0 || d.ID > ds[i-1].ID) {
			deliveries++
		}
	}
	if deliveries != len(audits) || len(ds) != len(audits) {
		t.Errorf("%d deliveries, %d of them of the create's %d audits in order", len(ds), deliveries, len(audits))
	}
	if n, err := db.JournalRows(ctx); err != nil || n != 0 {
		t.Errorf("%d rows left in the change journal (%v)", n, err)
	}
}

// TestConcurrentCreatesCountAndNumber creates releases in one product from
// many goroutines and checks that the numbers are gapless and unique, the
// positions distinct, no provisional reference number is left, the
// product's count of releases (the list's total) is exact, each create has
// one audit, the change journal is empty, and the creates' audits and
// webhook deliveries take their IDs in commit order (the order of the
// numbers), those of the links to the watcher they share included.
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
				"SELECT r.reference_num FROM audits a JOIN releases r ON r.id = a.auditable_id WHERE a.auditable_type = 'release' ORDER BY a.id",
				"SELECT r.reference_num FROM audits a JOIN releases r ON r.id = a.associated_id WHERE a.auditable_type = 'release_watcher' ORDER BY a.id",
				"SELECT r.reference_num FROM webhook_deliveries d JOIN audits a ON a.id = d.audit_id JOIN releases r ON r.id = a.associated_id WHERE a.auditable_type = 'release_watcher' ORDER BY d.id",
			} {
				rows, err := raw.Query(q)
				if err != nil {
					t.Fatal(err)
				}
				var nums []int
				for rows.Next() {
					var ref string
					if err := rows.Scan(&ref); err != nil {
						t.Fatal(err)
					}
					n, _ := strconv.Atoi(ref[strings.LastIndex(ref, "-")+1:])
					nums = append(nums, n)
				}
				rows.Close()
				if len(nums) != workers*each || !slices.IsSorted(nums) {
					t.Errorf("%s: numbers %v, want %d in order", q, nums, workers*each)
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
