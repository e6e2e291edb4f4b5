package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// unjournaled are the tables whose rows are not history: the journal and
// the log themselves, secrets, sessions, the migration tool's and the
// search indexes' own tables, the outboxes of history, and counters kept
// apart from their records.
var unjournaled = map[string]bool{
	"change_journal": true, "audits": true, "goose_db_version": true,
	"api_tokens": true, "user_passwords": true, "web_sessions": true,
	"idempotency_keys": true, "deletions": true, "release_counts": true,
}

// unjournaledPrefixes are prefixes of table names that are not history.
var unjournaledPrefixes = []string{"webhook_", "sqlite_"}

// Journaled reports whether the rows of a table are history: every table
// is, except those that hold secrets, sessions, search indexes and history
// itself.
func Journaled(table string) bool {
	if unjournaled[table] || strings.Contains(table, "_fts") {
		return false
	}
	for _, p := range unjournaledPrefixes {
		if strings.HasPrefix(table, p) {
			return false
		}
	}
	return true
}

// Noise reports whether a column's changes alone say nothing of a record:
// bookkeeping times, counters, positions among siblings (which shift when
// another record moves) and the folded forms that searches use.
func Noise(col string) bool {
	switch col {
	case "updated_at", "created_at", "position", "features_top":
		return true
	}
	return strings.HasSuffix(col, "_fold") || strings.HasSuffix(col, "_count") || strings.HasSuffix(col, "_seq")
}

// columns returns the columns of every journaled table of a PostgreSQL
// database, in table order.
func columns(ctx context.Context, db *sql.DB) (map[string][]string, error) {
	// The catalog itself, not information_schema's views of it, which
	// take some 50 times longer to list the same columns.
	q := `SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
		AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.relname, a.attnum`
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if Journaled(t) {
			out[t] = append(out[t], c)
		}
	}
	return out, rows.Err()
}

// EnsurePostgresJournal puts the change journal's triggers on every
// journaled table of a migrated PostgreSQL database that lacks them, so
// that a table added by a later migration has its history without code of
// its own. cols names the journaled tables' columns in their order, as the
// caller read them from the database; nil reads them. A SQLite database
// holds no journal: the store's writer connection reports its changes
// through SQLite's pre-update hook instead.
func EnsurePostgresJournal(ctx context.Context, db *sql.DB, cols map[string][]string) error {
	if cols == nil {
		var err error
		if cols, err = columns(ctx, db); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(cols))
	for n := range cols {
		names = append(names, n)
	}
	sort.Strings(names)
	return ensurePostgresTriggers(ctx, db, names, cols)
}

func ensurePostgresTriggers(ctx context.Context, db *sql.DB, names []string, cols map[string][]string) error {
	missing, err := missingPostgresTriggers(ctx, db, names)
	if err != nil || len(missing) == 0 {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Processes that start together take turns; the one that waited finds
	// the triggers made, and makes none (a trigger made while another
	// process writes takes a lock on the table that may deadlock).
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7340211)"); err != nil {
		return err
	}
	if missing, err = missingPostgresTriggers(ctx, tx, names); err != nil || len(missing) == 0 {
		return err
	}
	for _, n := range missing {
		// An update is journaled when a column that is not noise changed;
		// the trigger's WHEN decides without calling the function, and an
		// UPDATE that sets none of those columns (rows shifted in
		// position) does not fire it at all (see updateOf).
		var changed []string
		for _, col := range cols[n] {
			if !Noise(col) {
				changed = append(changed, fmt.Sprintf("OLD.%q IS DISTINCT FROM NEW.%q", col, col))
			}
		}
		update := "journal_update AFTER UPDATE" + updateOf(cols[n]) + " ON " + fmt.Sprintf("%q", n)
		when := "false"
		if len(changed) > 0 {
			when = strings.Join(changed, " OR ")
		}
		for _, q := range []string{
			fmt.Sprintf(`CREATE OR REPLACE TRIGGER journal AFTER INSERT OR DELETE ON %q FOR EACH ROW EXECUTE FUNCTION journal_row()`, n),
			fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s FOR EACH ROW WHEN (%s) EXECUTE FUNCTION journal_row()`, update, when),
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("journal trigger on %s: %w", n, err)
			}
		}
	}
	return tx.Commit()
}

// updateOf is the column list of an update trigger that fires only for an
// UPDATE whose SET names a column that is not noise: the only way such a
// column changes (no table has a BEFORE trigger), so that an UPDATE of
// noise alone, such as the shift of many rows' positions, fires nothing.
// It is empty for a table of noise alone.
func updateOf(cols []string) string {
	var of []string
	for _, col := range cols {
		if !Noise(col) {
			of = append(of, fmt.Sprintf("%q", col))
		}
	}
	if len(of) == 0 {
		return ""
	}
	return " OF " + strings.Join(of, ", ")
}

// missingPostgresTriggers returns the tables among names that lack the
// journal's triggers.
func missingPostgresTriggers(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, tables []string) ([]string, error) {
	have, err := queryNames(ctx, q, postgresJournaled)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, n := range tables {
		if !slices.Contains(have, n) {
			missing = append(missing, n)
		}
	}
	return missing, nil
}

// postgresJournaled lists the tables that carry the journal's triggers.
const postgresJournaled = `SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	WHERE t.tgname = 'journal_update' AND c.relnamespace = current_schema()::regnamespace`

// queryNames runs a query that answers one text column and returns its values.
func queryNames(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DropSQLiteJournal removes the journal's triggers that a SQLite database
// made before migration 00028 holds, so that migrations may drop or
// rebuild the columns they read; since 00028 SQLite's journal needs none.
func DropSQLiteJournal(ctx context.Context, db *sql.DB) error {
	triggers, err := queryNames(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'journal\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	for _, n := range triggers {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP TRIGGER IF EXISTS %q", n)); err != nil {
			return err
		}
	}
	return nil
}

// DropPostgresJournal removes the journal's triggers from every table of a
// PostgreSQL database, so that writes leave no history: for measuring what
// history costs. A SQLite store leaves no history when opened with
// SQLiteNoJournal.
func DropPostgresJournal(ctx context.Context, db *sql.DB) error {
	tables, err := queryNames(ctx, db, postgresJournaled)
	if err != nil {
		return err
	}
	for _, n := range tables {
		for _, trigger := range []string{"journal", "journal_update"} {
			if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %q", trigger, n)); err != nil {
				return err
			}
		}
	}
	return nil
}
