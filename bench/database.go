package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/roadmapd/roadmapd/internal/store"
)

// NewDatabase makes an empty database of backend ("sqlite" or "postgres")
// for a benchmark run and returns its DSN and a function that removes it.
// A SQLite database is a file in a new temporary folder; a PostgreSQL one
// is created on the server that the administrative URL admin names. Both
// are named after prefix.
func NewDatabase(backend, admin, prefix string) (string, func(), error) {
	if backend == "sqlite" {
		dir, err := os.MkdirTemp("", "roadmapd-"+prefix+"-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "roadmapd.db"), func() { os.RemoveAll(dir) }, nil
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("administrative URL: %w", err)
	}
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("roadmapd_%s_%d", prefix, time.Now().UnixNano())
	if _, err := adb.Exec("CREATE DATABASE " + name); err != nil {
		adb.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		adb.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		adb.Close()
	}, nil
}

// series is the common table expression s(k) of the numbers 1 to n, over
// which a generator's INSERT ... SELECT makes its copies.
func series(n int) string {
	return fmt.Sprintf("WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < %d) ", n)
}

// finishCopies ends a generator's transaction: on PostgreSQL it empties
// the change journal that the triggers filled for the copied rows (the
// copies are no history, and the journal is otherwise drained only by the
// store's transactions, which would then read every copy; SQLite's journal
// is the store's writer connection's own and sees no copy), commits, and
// on PostgreSQL vacuums and analyzes tables, as autovacuum does soon after
// a bulk load on a live server. On SQLite it merges each table's name
// index (FTS5) into one segment, as the incremental merges of the writes
// that follow a bulk load do over their first thousands: a measurement
// right after the load would otherwise measure that catch-up (creates at
// 1,000,000 releases, 32 goroutines in process: 1,711/s in the first 5 s,
// 3,091/s in the next, 3,171/s at 1,000).
func finishCopies(ctx context.Context, raw *sql.DB, tx *sql.Tx, dsn string, tables ...string) error {
	if !store.IsPostgres(dsn) {
		if err := tx.Commit(); err != nil {
			return err
		}
		for _, t := range tables {
			var n int
			if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", t+"_name_fts").Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			if _, err := raw.ExecContext(ctx, fmt.Sprintf("INSERT INTO %[1]s_name_fts (%[1]s_name_fts) VALUES ('optimize')", t)); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM change_journal"); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE "+t); err != nil {
			return err
		}
	}
	return nil
}
