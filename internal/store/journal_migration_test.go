package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestSQLiteJournalMigration opens a SQLite database of version 27, whose
// tables carry journal triggers into change_journal (as the store made them
// then), with a journal row that another program's write left there: the
// store removes the triggers and the table (migration 00028), and its
// writes have their history from the pre-update hook, the leftover row
// not among it.
func TestSQLiteJournalMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.EmptyDSN(t, "sqlite")
	raw := rawDB(t, "sqlite", dsn)
	migrateTo(ctx, t, "sqlite", raw, 27)
	for _, q := range []string{
		`CREATE TRIGGER "journal_releases_update" AFTER UPDATE ON "releases" BEGIN INSERT INTO change_journal (tbl, op, old_row, new_row) VALUES ('releases', 'update', json_object('id', OLD."id"), json_object('id', NEW."id")); END`,
		`CREATE TRIGGER "journal_users_insert" AFTER INSERT ON "users" BEGIN INSERT INTO change_journal (tbl, op, new_row) VALUES ('users', 'create', json_object('id', NEW."id")); END`,
		`INSERT INTO change_journal (tbl, op, new_row) VALUES ('users', 'create', '{"id": 424242}')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db := mustSeed(t, mustOpen(t, dsn))
	if n := rawCount(t, raw, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'change_journal' OR (type = 'trigger' AND name LIKE 'journal%')"); n != 0 {
		t.Errorf("%d of the journal's table and triggers left after the migration", n)
	}
	actx := roadmap.WithActor(ctx, demo.Mary)
	if _, err := db.UpdateRelease(actx, demo.Release1, roadmap.ReleaseInput{Name: roadmap.Some("After the migration")}); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, raw, "SELECT COUNT(*) FROM audits WHERE auditable_type = 'release' AND action = 'update' AND description LIKE '%After the migration%'"); n != 1 {
		t.Errorf("%d audits of the write after the migration, want 1", n)
	}
	if n := rawCount(t, raw, "SELECT COUNT(*) FROM audits WHERE auditable_id = 424242"); n != 0 {
		t.Errorf("the leftover journal row became %d audits", n)
	}
}

// TestSQLiteFanOutMigration: migration 00029 hands the queueing of
// deliveries from the audits' trigger to the worker without queueing an
// audit twice or losing one: the audits the trigger queued stay queued
// once, the next write's audit is queued by the worker, and going back
// down queues those still waiting before the trigger returns.
func TestSQLiteFanOutMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.EmptyDSN(t, "sqlite")
	raw := rawDB(t, "sqlite", dsn)
	p := migrateTo(ctx, t, "sqlite", raw, 28)
	audit := "INSERT INTO audits (action, user_id, created_at, auditable_type, auditable_id, associated_type, associated_id, product_id, auditable_product_id, description, url_path, interesting, changes)" +
		" VALUES ('update', 1, 1700000000000, 'release', ?, 'product', 1, 1, 1, 'updated release', '/releases/1', 1, '[]')"
	if _, err := raw.ExecContext(ctx, "INSERT INTO webhook_endpoints (id, url, created_at, updated_at) VALUES (7, 'https://hooks.example.com/m', 0, 0)"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{901, 902} {
		if _, err := raw.ExecContext(ctx, audit, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := rawCount(t, raw, "SELECT COUNT(*) FROM webhook_deliveries"); n != 2 {
		t.Fatalf("%d deliveries queued by the trigger at version 28, want 2", n)
	}
	db := mustSeed(t, mustOpen(t, dsn))
	if n := rawCount(t, raw, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'audits_deliveries'"); n != 0 {
		t.Fatal("the audits' trigger is left after the migration")
	}
	actx := roadmap.WithActor(ctx, demo.Mary)
	if _, err := db.UpdateRelease(actx, demo.Release1, roadmap.ReleaseInput{Name: roadmap.Some("After the fan-out migration")}); err != nil {
		t.Fatal(err)
	}
	ds, _, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: 7, Page: roadmap.Page{Page: 1, PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	audits := rawCount(t, raw, "SELECT COUNT(*) FROM audits")
	if len(ds) != audits || rawCount(t, raw, "SELECT COUNT(DISTINCT audit_id) FROM webhook_deliveries") != audits {
		t.Fatalf("%d deliveries of %d audits, each once", len(ds), audits)
	}
	// Down again, with an audit still to queue.
	if _, err := raw.ExecContext(ctx, audit, 903); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := p.DownTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, raw, "SELECT COUNT(*) FROM webhook_deliveries d JOIN audits a ON a.id = d.audit_id WHERE a.auditable_id = 903"); n != 1 {
		t.Fatalf("%d deliveries of the audit that waited when the migration went down, want 1", n)
	}
	if _, err := raw.ExecContext(ctx, audit, 904); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, raw, "SELECT COUNT(*) FROM webhook_deliveries d JOIN audits a ON a.id = d.audit_id WHERE a.auditable_id = 904"); n != 1 {
		t.Fatalf("%d deliveries of an audit after the migration went down, want 1 (the trigger's)", n)
	}
}

// TestPostgresNumbersApartMigration takes a PostgreSQL database with the
// demo account and more releases down to version 29, where the product's
// row counts its releases and a trigger numbers them at the commit, and up
// again: the count comes back in both directions, the last position becomes
// position_seq, and a create after each migration gets the next number and
// a position after the product's last, its list's total counting it.
func TestPostgresNumbersApartMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.EmptyDSN(t, "postgres")
	raw := rawDB(t, "postgres", dsn)
	db := mustSeed(t, mustOpen(t, dsn))
	actx := roadmap.WithActor(ctx, demo.Mary)
	create := func(db *store.DB, name string) *roadmap.Release {
		t.Helper()
		r, err := db.CreateRelease(actx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(name)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	total := func(db *store.DB) int {
		t.Helper()
		_, n, err := db.Releases(ctx, roadmap.ReleaseFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	create(db, "Before")
	count := fmt.Sprintf("SELECT COUNT(*) FROM releases WHERE product_id = %d", demo.PRJ1)
	maxPos := fmt.Sprintf("SELECT MAX(position) FROM releases WHERE product_id = %d", demo.PRJ1)
	want := rawCount(t, raw, count)
	if got := total(db); got != want {
		t.Fatalf("total %d, want %d", got, want)
	}
	db.Close()
	p := migrateTo(ctx, t, "postgres", raw, 30)
	if _, err := p.DownTo(ctx, 29); err != nil {
		t.Fatal(err)
	}
	if got := rawCount(t, raw, fmt.Sprintf("SELECT release_count FROM products WHERE id = %d", demo.PRJ1)); got != want {
		t.Errorf("release_count %d after the migration went down, want %d", got, want)
	}
	// A create as roadmapd of version 29 makes one: inserted under a
	// provisional number that its commit replaces.
	var seq int
	if err := raw.QueryRow("SELECT release_seq FROM products WHERE id = $1", demo.PRJ1).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO releases SELECT (jsonb_populate_record(NULL::releases, to_jsonb(r) ||
		jsonb_build_object('id', 990001, 'reference_num', '~990001', 'position', NULL))).* FROM releases r WHERE r.id = $1`, demo.Release1); err != nil {
		t.Fatal(err)
	}
	var ref string
	if err := raw.QueryRow("SELECT reference_num FROM releases WHERE id = 990001").Scan(&ref); err != nil {
		t.Fatal(err)
	}
	if want := roadmap.ReleaseReference("PRJ1", false, int64(seq+1)); ref != want {
		t.Fatalf("at version 29 the commit numbered the release %q, want %q", ref, want)
	}
	if _, err := raw.Exec("DELETE FROM change_journal"); err != nil {
		t.Fatal(err)
	}
	want++
	db = mustOpen(t, dsn)
	defer db.Close()
	if got := total(db); got != want {
		t.Errorf("total %d after the migration, want %d", got, want)
	}
	if got, last := rawCount(t, raw, fmt.Sprintf("SELECT position_seq FROM products WHERE id = %d", demo.PRJ1)), rawCount(t, raw, maxPos); got != last {
		t.Errorf("position_seq %d after the migration, want the last position %d", got, last)
	}
	last := rawCount(t, raw, maxPos)
	r := create(db, "After")
	if want := roadmap.ReleaseReference("PRJ1", false, int64(seq+2)); r.ReferenceNum != want || r.Position == nil || *r.Position != last+1 {
		t.Errorf("create after the migration: %s at %v, want %s at %d", r.ReferenceNum, r.Position, want, last+1)
	}
	if got := total(db); got != want+1 {
		t.Errorf("total %d after a create, want %d", got, want+1)
	}
}

// TestPostgresFanOutMigration takes a PostgreSQL database whose last audit
// waits for its delivery to be queued down to version 30, where each
// audit's insert queued its deliveries, and up again: going down queues
// the waiting audit's delivery, going up queues no audit a second time,
// and the next write's audit gets its delivery from the worker's fan-out.
func TestPostgresFanOutMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.EmptyDSN(t, "postgres")
	raw := rawDB(t, "postgres", dsn)
	db := mustSeed(t, mustOpen(t, dsn))
	hook, err := db.CreateWebhook(ctx, roadmap.WebhookInput{URL: roadmap.Some("https://hooks.example.com/m")})
	if err != nil {
		t.Fatal(err)
	}
	actx := roadmap.WithActor(ctx, demo.Mary)
	rename := func(db *store.DB, name string) int64 {
		t.Helper()
		if _, err := db.UpdateRelease(actx, demo.Release1, roadmap.ReleaseInput{Name: roadmap.Some(name)}); err != nil {
			t.Fatal(err)
		}
		return int64(rawCount(t, raw, "SELECT MAX(id) FROM audits"))
	}
	deliveries := func(audit int64) int {
		return rawCount(t, raw, fmt.Sprintf("SELECT COUNT(*) FROM webhook_deliveries WHERE audit_id = %d", audit))
	}
	waiting := rename(db, "Before going down")
	if n := deliveries(waiting); n != 0 {
		t.Fatalf("%d deliveries of an audit before any fan-out, want 0", n)
	}
	db.Close()
	p := migrateTo(ctx, t, "postgres", raw, 31)
	if _, err := p.DownTo(ctx, 30); err != nil {
		t.Fatal(err)
	}
	if n := deliveries(waiting); n != 1 {
		t.Errorf("%d deliveries of the waiting audit after the migration went down, want 1", n)
	}
	db = mustOpen(t, dsn)
	defer db.Close()
	next := rename(db, "After going up")
	// The test's schema shares its database with other tests, whose
	// running transactions the fan-out waits for.
	for deadline := time.Now().Add(20 * time.Second); deliveries(next) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, _, err := db.WebhookDeliveries(ctx, roadmap.DeliveryFilter{WebhookID: hook.ID, Page: roadmap.Page{Page: 1, PerPage: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := deliveries(waiting); n != 1 {
		t.Errorf("%d deliveries of the audit queued before the migration, want 1", n)
	}
	if n := deliveries(next); n != 1 {
		t.Errorf("%d deliveries of the audit after the migration, want 1", n)
	}
}
