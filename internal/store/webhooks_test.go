package store_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// whEach runs fn on a fresh demo database of each backend, with its DSN.
func whEach(t *testing.T, fn func(t *testing.T, backend, dsn string, db *store.DB)) {
	t.Helper()
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db, dsn := mustOpenDemoDSN(t, backend)
			fn(t, backend, dsn, db)
		})
	}
}

// webhookStatements counts the statements on webhook tables that fn runs.
func webhookStatements(db *store.DB, fn func()) int {
	var mu sync.Mutex
	n := 0
	db.Trace(func(q string, _ []any) {
		if strings.Contains(q, "webhook_") {
			mu.Lock()
			n++
			mu.Unlock()
		}
	})
	defer db.Trace(nil)
	fn()
	return n
}

func whRename(t *testing.T, db *store.DB, key, name string) {
	t.Helper()
	rel := mustRelease(t, db, key)
	if _, err := db.UpdateRelease(roadmap.WithActor(context.Background(), demo.Mary), rel.ID, roadmap.ReleaseInput{Name: roadmap.Some(name)}); err != nil {
		t.Fatal(err)
	}
}

// whCreate registers a webhook that wants the record types (nil: every
// type), enabled or not, and returns its ID.
func whCreate(t *testing.T, db *store.DB, types []string, enabled bool) int64 {
	t.Helper()
	in := roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/x"), Enabled: roadmap.Some(enabled)}
	if types != nil {
		in.RecordTypes = roadmap.Some(types)
	}
	h, err := db.CreateWebhook(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return h.ID
}

func whDeliveries(t *testing.T, db *store.DB, hookID int64) []*roadmap.WebhookDelivery {
	t.Helper()
	ds, total, err := db.WebhookDeliveries(context.Background(), roadmap.DeliveryFilter{WebhookID: hookID, Page: roadmap.Page{Page: 1, PerPage: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(ds) {
		t.Fatalf("total %d for %d deliveries", total, len(ds))
	}
	return ds
}

// TestWebhookOutboxIsWrittenWithTheChange: a write costs no statement on
// webhook tables, with webhooks or without (the worker queues the
// deliveries from the audits); a webhook registered through another
// handle on the database (another process) gets the next change at once;
// each audit of a committed write gets one delivery, and a write that fails
// leaves none.
func TestWebhookOutboxIsWrittenWithTheChange(t *testing.T) {
	whEach(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		ctx := context.Background()
		without, with := 0, 0
		if n := webhookStatements(db, func() { whRename(t, db, "PRJ1-R-1", "No hooks") }); n != without {
			t.Fatalf("a write without webhooks ran %d statements on webhook tables, want %d", n, without)
		}
		other := mustOpen(t, dsn)
		h, err := other.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/roadmapd")})
		if err != nil {
			t.Fatal(err)
		}
		if !h.Enabled || h.Secret != "" || len(h.RecordTypes) != 0 {
			t.Fatalf("created %+v", h)
		}
		if n := webhookStatements(db, func() { whRename(t, db, "PRJ1-R-1", "One hook") }); n != with {
			t.Fatalf("a write with a webhook ran %d statements on webhook tables, want %d", n, with)
		}
		ds := whDeliveries(t, db, h.ID)
		if len(ds) != 1 {
			t.Fatalf("%d deliveries after one change, want 1", len(ds))
		}
		audits, _, err := db.Audits(ctx, roadmap.AuditFilter{AfterID: 0, Page: roadmap.Page{Page: 1, PerPage: 200}})
		if err != nil {
			t.Fatal(err)
		}
		last := audits[len(audits)-1]
		rel := mustRelease(t, db, "PRJ1-R-1")
		if d := ds[0]; d.AuditID != last.ID || d.RecordKey != "release:"+strconv.FormatInt(rel.ID, 10) || d.Status != roadmap.DeliveryPending || d.Attempts != 0 {
			t.Fatalf("delivery %+v for audit %+v", d, last)
		}
		// A failed write leaves no delivery.
		if _, err := db.UpdateRelease(ctx, rel.ID, roadmap.ReleaseInput{WorkflowStatus: roadmap.Some("No such status")}); err == nil {
			t.Fatal("an unknown status was accepted")
		}
		if n := len(whDeliveries(t, db, h.ID)); n != 1 {
			t.Fatalf("%d deliveries after a failed write, want 1", n)
		}
		// A write of several records: one delivery per audit, in audit
		// order.
		dup, err := db.DuplicateRelease(ctx, rel.ID, demo.Mary)
		if err != nil {
			t.Fatal(err)
		}
		after, _, err := db.Audits(ctx, roadmap.AuditFilter{AfterID: last.ID, Page: roadmap.Page{Page: 1, PerPage: 200}})
		if err != nil {
			t.Fatal(err)
		}
		ds = whDeliveries(t, db, h.ID)[1:]
		if len(after) < 2 || len(ds) != len(after) {
			t.Fatalf("duplicating %s left %d audits and %d deliveries", dup.ReferenceNum, len(after), len(ds))
		}
		for i := range ds {
			if ds[i].AuditID != after[i].ID || (i > 0 && ds[i].ID <= ds[i-1].ID) {
				t.Fatalf("delivery %d is of audit %d, want %d, in order", i, ds[i].AuditID, after[i].ID)
			}
		}
	})
}

// TestWebhookValidation: bad URLs, secrets and record types are refused
// and change nothing; an update changes only what it sets.
func TestWebhookValidation(t *testing.T) {
	whEach(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		ctx := context.Background()
		for _, url := range []string{"", "hooks.example.com/x", "ftp://example.com/x", "/relative", "http://", "https://example.com/x#frag", "http://exa mple.com/", "javascript:alert(1)", "https://" + strings.Repeat("a", 2100) + ".com/"} {
			_, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some(url)})
			wantInvalid(t, err, "url")
		}
		_, err := db.CreateWebhook(ctx, roadmap.WebhookInput{})
		wantInvalid(t, err, "url")
		_, err = db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://example.com/h"), Secret: roadmap.Some(strings.Repeat("s", 257))})
		wantInvalid(t, err, "secret")
		_, err = db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://example.com/h"), RecordTypes: roadmap.Some([]string{"feature", "drop table"})})
		wantInvalid(t, err, "record_types")
		if hooks, total, err := db.Webhooks(ctx, roadmap.Page{Page: 1, PerPage: 30}); err != nil || total != 0 || len(hooks) != 0 {
			t.Fatalf("after refused creates: %d webhooks, %v", total, err)
		}
		h, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some(" https://example.com/h?x=1 "), Secret: roadmap.Some("k"), RecordTypes: roadmap.Some([]string{"Release", "release", "KeyResult"})})
		if err != nil {
			t.Fatal(err)
		}
		if h.URL != "https://example.com/h?x=1" || h.Secret != "k" || strings.Join(h.RecordTypes, ",") != "key_result,release" {
			t.Fatalf("created %+v", h)
		}
		u, err := db.UpdateWebhook(ctx, h.ID, roadmap.WebhookInput{Enabled: roadmap.Some(false)})
		if err != nil {
			t.Fatal(err)
		}
		if u.Enabled || u.URL != h.URL || u.Secret != "k" || len(u.RecordTypes) != 2 {
			t.Fatalf("updated %+v", u)
		}
		_, err = db.UpdateWebhook(ctx, h.ID, roadmap.WebhookInput{URL: roadmap.Some("gopher://x")})
		wantInvalid(t, err, "url")
		u, err = db.UpdateWebhook(ctx, h.ID, roadmap.WebhookInput{Secret: roadmap.Opt[string]{Set: true, Null: true}, RecordTypes: roadmap.Some([]string{})})
		if err != nil {
			t.Fatal(err)
		}
		if u.Secret != "" || len(u.RecordTypes) != 0 || u.URL != h.URL {
			t.Fatalf("after clearing the secret and the filter: %+v", u)
		}
		if _, err := db.UpdateWebhook(ctx, h.ID+1, roadmap.WebhookInput{Enabled: roadmap.Some(true)}); !roadmap.IsNotFound(err) {
			t.Fatalf("update of an unknown webhook = %v", err)
		}
		if err := db.DeleteWebhook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteWebhook(ctx, h.ID); !roadmap.IsNotFound(err) {
			t.Fatalf("second delete = %v", err)
		}
	})
}

// TestConcurrentClaimsTakeDifferentDeliveries: claimers on separate
// handles (processes) never take the same delivery while its lease holds,
// and together take every due one.
func TestConcurrentClaimsTakeDifferentDeliveries(t *testing.T) {
	whEach(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		ctx := roadmap.WithActor(context.Background(), demo.Mary)
		h, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://example.com/h"), RecordTypes: roadmap.Some([]string{"release"})})
		if err != nil {
			t.Fatal(err)
		}
		const n = 60
		for i := 0; i < n; i++ {
			if _, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Claimed " + strconv.Itoa(i))}); err != nil {
				t.Fatal(err)
			}
		}
		// A create may leave more than one audit of its release; the first
		// of each release is due, the others wait for it.
		if got := len(whDeliveries(t, db, h.ID)); got < n {
			t.Fatalf("%d deliveries for %d new releases", got, n)
		}
		now := time.Now()
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for c := 0; c < 4; c++ {
			handle := mustOpen(t, dsn)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ds, err := handle.ClaimWebhookDeliveries(context.Background(), now, 5, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("claimed %d distinct deliveries, want the first of each of the %d releases", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Fatalf("delivery %d claimed %d times", id, k)
			}
		}
	})
}

// TestClaimReadsOnlyUnfinishedDeliveries: with many delivered rows and a
// few due ones, the claim's search for due deliveries goes through the
// index of unfinished deliveries, not over the table.
func TestClaimReadsOnlyUnfinishedDeliveries(t *testing.T) {
	whEach(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		ctx := context.Background()
		h, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://example.com/h")})
		if err != nil {
			t.Fatal(err)
		}
		raw := rawDB(t, backend, dsn)
		fill := "INSERT INTO webhook_deliveries (endpoint_id, audit_id, record_key, status, attempts, next_attempt_at, retry_until, created_at, updated_at) " +
			"SELECT $1, n, 'release:' || n, 'delivered', 1, 0, 0, 0, 0 FROM generate_series(1, 20000) AS g(n)"
		if backend == "sqlite" {
			fill = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000) " +
				"INSERT INTO webhook_deliveries (endpoint_id, audit_id, record_key, status, attempts, next_attempt_at, retry_until, created_at, updated_at) " +
				"SELECT ?, n, 'release:' || n, 'delivered', 1, 0, 0, 0, 0 FROM g"
		}
		if _, err := raw.Exec(fill, h.ID); err != nil {
			t.Fatal(err)
		}
		whRename(t, db, "PRJ1-R-1", "Due")
		// A read of the deliveries queues the rename's (on SQLite the
		// claim would queue it itself, without the read traced below).
		if _, _, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: h.ID, Page: roadmap.Page{Page: 1, PerPage: 1}}); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec("ANALYZE"); err != nil {
			t.Fatal(err)
		}
		var query string
		var args []any
		db.Trace(func(q string, a []any) {
			if query == "" && strings.HasPrefix(q, "SELECT d.id FROM webhook_deliveries d") {
				query, args = q, a
			}
		})
		claimed, err := db.ClaimWebhookDeliveries(ctx, time.Now(), 10, time.Minute)
		db.Trace(nil)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		explain := "EXPLAIN "
		if backend == "sqlite" {
			explain = "EXPLAIN QUERY PLAN "
		}
		rows, err := raw.Query(explain+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var plan []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
		}
		text := strings.Join(plan, "\n")
		if strings.Contains(text, "Seq Scan on webhook_deliveries") || regexp.MustCompile(`SCAN [dp]\b`).MatchString(text) || !strings.Contains(text, "webhook_deliveries_due") {
			t.Fatalf("the claim scans the deliveries:\n%s", text)
		}
		t.Logf("plan of the claim's search:\n%s", text)
	})
}

// TestWebhookFiltersChooseTheDeliveries: a write queues a delivery of each
// of its audits to every enabled endpoint whose record types let the
// audit's type through (an empty filter lets every type through), and to
// no other, whether the endpoint changed since the last write or not.
func TestWebhookFiltersChooseTheDeliveries(t *testing.T) {
	whEach(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		ctx := roadmap.WithActor(context.Background(), demo.Mary)
		hook := func(types []string, enabled bool) int64 { return whCreate(t, db, types, enabled) }
		all := hook(nil, true)
		features := hook([]string{"feature"}, true)
		releases := hook([]string{"key_result", "release"}, true)
		off := hook(nil, false)
		// A filter of a type whose name contains another's must not let
		// the other through ("release" is in "release_phase").
		results := hook([]string{"release_phase"}, true)
		count := func() map[int64]int {
			n := map[int64]int{}
			for _, id := range []int64{all, features, releases, off, results} {
				n[id] = len(whDeliveries(t, db, id))
			}
			return n
		}
		want := func(step string, got map[int64]int, w map[int64]int) {
			t.Helper()
			for _, id := range []int64{all, features, releases, off, results} {
				if got[id] != w[id] {
					t.Fatalf("%s: deliveries per endpoint %v, want %v (all %d, features %d, releases %d, off %d, results %d)", step, got, w, all, features, releases, off, results)
				}
			}
		}
		whRename(t, db, "PRJ1-R-1", "Filtered")
		want("a release's rename", count(), map[int64]int{all: 1, releases: 1})
		f := mustFeature(t, db, "PRJ1-1")
		mustUpdateFeature(t, db, f.ID, roadmap.FeatureInput{Name: roadmap.Some("Filtered feature")})
		want("a feature's rename", count(), map[int64]int{all: 2, releases: 1, features: 1})
		if _, err := db.UpdateWebhook(ctx, features, roadmap.WebhookInput{Enabled: roadmap.Some(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateWebhook(ctx, off, roadmap.WebhookInput{Enabled: roadmap.Some(true), RecordTypes: roadmap.Some([]string{"release"})}); err != nil {
			t.Fatal(err)
		}
		mustUpdateFeature(t, db, f.ID, roadmap.FeatureInput{Name: roadmap.Some("Filtered again")})
		whRename(t, db, "PRJ1-R-1", "Filtered again")
		want("after the endpoints changed", count(), map[int64]int{all: 4, releases: 2, features: 1, off: 1})
		for _, d := range whDeliveries(t, db, off) {
			if !strings.HasPrefix(d.RecordKey, "release:") || d.Status != roadmap.DeliveryPending || d.Attempts != 0 {
				t.Fatalf("delivery %+v", d)
			}
		}
	})
}

// TestFailedAuditInsertCommitsNothing: on PostgreSQL the audits' insert
// travels with the COMMIT; when it fails, the write takes no effect, its
// caller gets the error, and the connection serves the next writes.
func TestFailedAuditInsertCommitsNothing(t *testing.T) {
	t.Parallel()
	db, dsn := mustOpenDemoDSN(t, "postgres")
	ctx := context.Background()
	raw := rawDB(t, "postgres", dsn)
	for _, q := range []string{
		`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poisoned audit'; END $$`,
		`CREATE TRIGGER refuse_poison BEFORE INSERT ON audits FOR EACH ROW WHEN (NEW.description LIKE '%Poison%') EXECUTE FUNCTION refuse_poison()`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before := mustRelease(t, db, "PRJ1-R-1")
	var audits0 int
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM audits").Scan(&audits0); err != nil {
		t.Fatal(err)
	}
	// More attempts than the pool has connections: a connection left in
	// the failed transaction would fail a later write.
	for i := 0; i < 15; i++ {
		_, err := db.UpdateRelease(roadmap.WithActor(ctx, demo.Mary), before.ID, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("Poison %d", i))})
		if err == nil {
			t.Fatal("a write whose audit could not be inserted succeeded")
		}
		whRename(t, db, "PRJ1-R-2", fmt.Sprintf("Healthy %d", i))
	}
	if got := mustRelease(t, db, "PRJ1-R-1"); got.Name != before.Name {
		t.Fatalf("the refused write committed: name %q, want %q", got.Name, before.Name)
	}
	if got := mustRelease(t, db, "PRJ1-R-2"); got.Name != "Healthy 14" {
		t.Fatalf("PRJ1-R-2 is named %q after the healthy writes", got.Name)
	}
	var audits1, poisoned int
	if err := raw.QueryRowContext(ctx, "SELECT count(*), count(*) FILTER (WHERE description LIKE '%Poison%') FROM audits").Scan(&audits1, &poisoned); err != nil {
		t.Fatal(err)
	}
	if poisoned != 0 || audits1 != audits0+15 {
		t.Fatalf("%d audits after 15 healthy writes over %d, %d of them poisoned", audits1, audits0, poisoned)
	}
}

// TestDeliveriesGoToTheEndpointsOfTheirCommit: each change is delivered to
// the endpoints that were enabled and wanted it when it committed, however
// late its deliveries are queued: endpoints created, disabled, refiltered,
// enabled and deleted between writes, with no read of the deliveries in
// between, each get the changes of their own time, in order.
func TestDeliveriesGoToTheEndpointsOfTheirCommit(t *testing.T) {
	whEach(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		ctx := roadmap.WithActor(context.Background(), demo.Mary)
		create := func(types []string) int64 { return whCreate(t, db, types, true) }
		update := func(id int64, in roadmap.WebhookInput) {
			if _, err := db.UpdateWebhook(ctx, id, in); err != nil {
				t.Fatal(err)
			}
		}
		whRename(t, db, "PRJ1-R-1", "Before any")
		x := create(nil)
		whRename(t, db, "PRJ1-R-1", "X")
		y := create([]string{"release"})
		whRename(t, db, "PRJ1-R-1", "X Y")
		update(x, roadmap.WebhookInput{Enabled: roadmap.Some(false)})
		whRename(t, db, "PRJ1-R-1", "Y")
		update(y, roadmap.WebhookInput{RecordTypes: roadmap.Some([]string{"feature"})})
		whRename(t, db, "PRJ1-R-1", "None")
		update(x, roadmap.WebhookInput{Enabled: roadmap.Some(true)})
		z := create(nil)
		whRename(t, db, "PRJ1-R-1", "X Z")
		if err := db.DeleteWebhook(ctx, z); err != nil {
			t.Fatal(err)
		}
		whRename(t, db, "PRJ1-R-1", "X again")
		names := func(id int64) []string {
			var out []string
			ds := whDeliveries(t, db, id)
			var ids []int64
			for _, d := range ds {
				ids = append(ids, d.AuditID)
			}
			audits, err := db.AuditsByID(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range audits {
				if a.ID != ds[i].AuditID || (i > 0 && ds[i].ID <= ds[i-1].ID) {
					t.Fatalf("delivery %d is of audit %d, read back %d", ds[i].ID, ds[i].AuditID, a.ID)
				}
				for _, ch := range a.Changes {
					if ch.FieldName == "Name" {
						out = append(out, ch.New)
					}
				}
			}
			return out
		}
		if got, want := fmt.Sprint(names(x)), "[X X Y X Z X again]"; got != want {
			t.Errorf("endpoint X got the renames %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(names(y)), "[X Y Y]"; got != want {
			t.Errorf("endpoint Y got the renames %s, want %s", got, want)
		}
		if _, _, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: z, Page: roadmap.Page{Page: 1, PerPage: 10}}); !roadmap.IsNotFound(err) {
			t.Fatalf("deliveries of a deleted endpoint: %v", err)
		}
	})
}

// TestSQLiteQueuesDeliveriesInBatches: on SQLite a claim first queues the
// deliveries of every audit waiting for them, a batch of 1,000 to a
// transaction, so that the worker keeps up with the writes even when its
// endpoints want few of the audits; the deliveries follow the audits'
// order.
func TestSQLiteQueuesDeliveriesInBatches(t *testing.T) {
	t.Parallel()
	db, dsn := mustOpenDemoDSN(t, "sqlite")
	ctx := context.Background()
	h, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/b")})
	if err != nil {
		t.Fatal(err)
	}
	goals, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/g"), RecordTypes: roadmap.Some([]string{"goal"})})
	if err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, "sqlite", dsn)
	// Audits that another writer committed: 2,500 of 2,500 releases, then
	// one of a goal.
	audit := "INSERT INTO audits (action, user_id, created_at, auditable_type, auditable_id, associated_type, associated_id, product_id, auditable_product_id, description, url_path, interesting, changes) "
	if _, err := raw.Exec("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2500) " + audit +
		"SELECT 'update', 1, 1700000000000, 'release', n, 'product', 1, 1, 1, 'updated release', '/releases/' || n, 1, '[]' FROM g"); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(audit + "VALUES ('update', 1, 1700000000000, 'goal', 1, 'product', 1, 1, 1, 'updated goal', '/strategic_imperatives/1', 1, '[]')"); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, raw, "SELECT count(*) FROM webhook_deliveries"); n != 0 {
		t.Fatalf("%d deliveries queued before any claim", n)
	}
	var batches int
	db.Trace(func(q string, _ []any) {
		if strings.HasPrefix(q, "UPDATE webhook_fanout") {
			batches++
		}
	})
	claimed, err := db.ClaimWebhookDeliveries(ctx, time.Now(), 5, time.Minute)
	db.Trace(nil)
	if err != nil || len(claimed) != 5 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	if batches != 3 {
		t.Errorf("the claim queued 2,501 audits in %d batches, want 3", batches)
	}
	if n := rawCount(t, raw, "SELECT count(*) FROM webhook_deliveries"); n != 2502 {
		t.Fatalf("%d deliveries queued by the claim, want 2,502", n)
	}
	if ds := whDeliveries(t, db, goals.ID); len(ds) != 1 || !strings.HasPrefix(ds[0].RecordKey, "goal:") {
		t.Fatalf("deliveries to the goals' endpoint: %+v", ds)
	}
	ds, total, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: h.ID, Page: roadmap.Page{Page: 1, PerPage: 200}})
	if err != nil || total != 2501 {
		t.Fatalf("%d deliveries listed, %v", total, err)
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].AuditID <= ds[i-1].AuditID || ds[i].ID <= ds[i-1].ID {
			t.Fatalf("deliveries out of audit order: %+v after %+v", ds[i], ds[i-1])
		}
	}
	if ds[0].RecordKey != "release:1" || ds[0].Status != roadmap.DeliveryDelivering || ds[5].Status != roadmap.DeliveryPending {
		t.Fatalf("first deliveries %+v, %+v", ds[0], ds[5])
	}
}

// TestSQLiteFailedAuditInsertCommitsNothing: on SQLite the audits' insert
// cannot abort halfway (OR FAIL), so the rows it wrote before a failure
// stay in the statement; the write still fails and leaves nothing, its
// feature and first audit included, while the writers that shared its
// group commit commit with their history.
func TestSQLiteFailedAuditInsertCommitsNothing(t *testing.T) {
	t.Parallel()
	db, dsn := mustOpenDemoDSN(t, "sqlite")
	ctx := roadmap.WithActor(context.Background(), demo.Mary)
	raw := rawDB(t, "sqlite", dsn)
	// The watchers' audits come after the feature's: RAISE(FAIL) keeps the
	// feature's audit that the statement inserted first.
	if _, err := raw.ExecContext(ctx, `CREATE TRIGGER refuse_poison BEFORE INSERT ON audits
		WHEN NEW.auditable_type = 'feature_watcher' AND NEW.description LIKE '%Poison%'
		BEGIN SELECT RAISE(FAIL, 'poisoned audit'); END`); err != nil {
		t.Fatal(err)
	}
	audits0 := rawCount(t, raw, "SELECT COALESCE(MAX(id), 0) FROM audits")
	rel := mustRelease(t, db, "PRJ1-R-2")
	var wg sync.WaitGroup
	errs := make([]error, 9)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				_, errs[i] = db.CreateFeature(ctx, rel.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Poison feature")})
				return
			}
			_, errs[i] = db.UpdateRelease(ctx, demo.Release1, roadmap.ReleaseInput{Theme: roadmap.Some(fmt.Sprintf("Healthy %d", i))})
		}()
	}
	wg.Wait()
	if errs[0] == nil {
		t.Fatal("a write whose audits could not be inserted succeeded")
	}
	for _, err := range errs[1:] {
		if err != nil {
			t.Fatalf("a healthy write beside it failed: %v", err)
		}
	}
	if n := rawCount(t, raw, "SELECT count(*) FROM features WHERE name LIKE 'Poison%'"); n != 0 {
		t.Fatalf("the refused create committed %d features", n)
	}
	if n := rawCount(t, raw, "SELECT count(*) FROM audits WHERE description LIKE '%Poison%'"); n != 0 {
		t.Fatalf("%d audits of the refused create committed", n)
	}
	if n := rawCount(t, raw, "SELECT count(*) FROM audits WHERE id > "+strconv.Itoa(audits0)+" AND auditable_type = 'note' AND changes LIKE '%Healthy%'"); n != 8 {
		t.Fatalf("%d audits of the 8 healthy writes", n)
	}
	mustCreateFeature(t, db, "PRJ1-R-2", roadmap.FeatureInput{Name: roadmap.Some("Healthy feature")})
}

// TestLinkDeliveriesAreOrderedPerLink: the deliveries of a link's changes
// (a watcher, known by its user) wait for the earlier changes of the same
// link alone: two releases created by one user, who watches both, have
// every delivery due at once (the changes of one record still go one
// after the other: see TestHeldBackBehindAnEarlierDelivery in
// internal/webhook).
func TestLinkDeliveriesAreOrderedPerLink(t *testing.T) {
	whEach(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		ctx := roadmap.WithActor(context.Background(), demo.Mary)
		if _, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/l"), RecordTypes: roadmap.Some([]string{"release_watcher"})}); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for i := range 2 {
			r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("Watched %d", i))})
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, "release_watcher:"+strconv.FormatInt(demo.Mary, 10)+":"+strconv.FormatInt(r.ID, 10))
		}
		claimed, err := db.ClaimWebhookDeliveries(context.Background(), time.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range claimed {
			got = append(got, d.RecordKey)
		}
		if fmt.Sprint(got) != fmt.Sprint(keys) {
			t.Fatalf("claimed the deliveries of %v at once, want both watchers' %v", got, keys)
		}
	})
}

// TestPostgresFanOutWaitsForRunningTransactions checks that on PostgreSQL
// the deliveries of a committed write wait while a transaction of the
// database that began writing before it still runs, and that the audit
// which that transaction commits afterwards, with a lower transaction ID
// but a higher audit ID, is queued too: none is passed over. Each audit
// gets one delivery, in the order of the audits.
func TestPostgresFanOutWaitsForRunningTransactions(t *testing.T) {
	t.Parallel()
	db, dsn := mustOpenDemoDSN(t, "postgres")
	raw := rawDB(t, "postgres", dsn)
	hook := whCreate(t, db, nil, true)
	older, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer older.Rollback()
	if _, err := older.Exec("SELECT pg_current_xact_id()"); err != nil {
		t.Fatal(err)
	}
	whRename(t, db, "PRJ1-R-1", "While another transaction runs")
	if ds := whDeliveries(t, db, hook); len(ds) != 0 {
		t.Fatalf("%d deliveries queued while an older transaction runs, want none yet", len(ds))
	}
	if _, err := older.Exec(`INSERT INTO audits (action, user_id, created_at, auditable_type, auditable_id, associated_type, associated_id, product_id, auditable_product_id, description, url_path, interesting, changes)
		SELECT 'update', user_id, created_at, auditable_type, auditable_id, associated_type, associated_id, product_id, auditable_product_id, 'the older write', url_path, interesting, changes
		FROM audits ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := older.Commit(); err != nil {
		t.Fatal(err)
	}
	ds := whDeliveries(t, db, hook)
	audits, _, err := db.Audits(context.Background(), roadmap.AuditFilter{Page: roadmap.Page{Page: 1, PerPage: 200}})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, a := range audits {
		if a.Description == "the older write" || strings.Contains(a.Description, "While another transaction runs") {
			want = append(want, a.ID)
		}
	}
	slices.Sort(want)
	var got []int64
	for _, d := range ds {
		got = append(got, d.AuditID)
	}
	if len(want) != 2 || !slices.Equal(got, want) {
		t.Errorf("deliveries of audits %v, want one of each of %v, in order", got, want)
	}
}
