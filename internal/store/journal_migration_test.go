package store_test

import (
	"context"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
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
