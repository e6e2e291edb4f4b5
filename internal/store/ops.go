package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// DBStats returns the statistics of the store's connection pools by name:
// "write" and "read" on SQLite, "main" on PostgreSQL, whose one pool serves
// both.
func (db *DB) DBStats() map[string]sql.DBStats {
	if db.read == db.write {
		return map[string]sql.DBStats{"main": db.write.Stats()}
	}
	return map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
}

// Unavailable reports whether err, returned by Open for dsn, means that the
// database server could not be reached (and so a later attempt may succeed).
func Unavailable(dsn string, err error) bool {
	if err == nil || !IsPostgres(dsn) {
		return false
	}
	// The server answered, and refused: a wrong password or database name
	// is not cured by waiting.
	var pe *pgconn.PgError
	if errors.As(err, &pe) && !strings.HasPrefix(pe.Code, "08") && !strings.HasPrefix(pe.Code, "57P") {
		return false
	}
	return postgresDialect{}.unavailable(err)
}

// sqliteName returns the name of a SQLite dsn without its scheme: the
// file's path, or :memory:, with any query.
func sqliteName(dsn string) string {
	return strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
}

// sqlitePath returns the file path of a SQLite dsn, or "" for an in-memory
// database.
func sqlitePath(dsn string) string {
	path := sqliteName(dsn)
	if path == ":memory:" || strings.Contains(dsn, "mode=memory") {
		return ""
	}
	return path
}

// checkSQLitePath explains, naming the path and the reason, why the SQLite
// file of dsn cannot be opened for reading and writing (or created), so that
// the error is not the driver's terse "unable to open database file".
func checkSQLitePath(dsn string) error {
	path := sqlitePath(dsn)
	if path == "" {
		return nil
	}
	fail := func(why string) error {
		return fmt.Errorf("cannot open the SQLite database %s: %s", path, why)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("the directory " + dir + " does not exist")
	case errors.Is(err, fs.ErrPermission):
		return fail("permission denied on the directory " + dir)
	case err != nil:
		return fail(err.Error())
	case !st.IsDir():
		return fail(dir + " is not a directory")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fail("it is a directory")
	} else if errors.Is(err, fs.ErrPermission) {
		return fail("permission denied on the directory " + dir)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fail("permission denied (it must be readable and writable, and its directory writable)")
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fail(pe.Err.Error())
		}
		return fail(err.Error())
	}
	return f.Close()
}

// Backup writes a consistent copy of the SQLite database at src, which a
// server may be writing meanwhile, to the new file dst with VACUUM INTO. The
// copy is a complete database that Open takes as it is. Backup refuses a dst
// that exists, a src that does not, and PostgreSQL (whose tool is pg_dump).
func Backup(ctx context.Context, src, dst string) error {
	if IsPostgres(src) {
		return errors.New("backup copies SQLite databases; for PostgreSQL use pg_dump")
	}
	path := sqlitePath(src)
	if path == "" {
		return errors.New("backup needs a SQLite file, not an in-memory database")
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no database at %s", path)
		}
		return fmt.Errorf("cannot read the database %s: %w", path, err)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s already exists; backup does not overwrite a file", dst)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot write %s: %w", dst, err)
	}
	if st, err := os.Stat(filepath.Dir(dst)); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: the directory %s does not exist", dst, filepath.Dir(dst))
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'goose_db_version'").Scan(&tables); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if tables == 0 {
		return fmt.Errorf("%s is not a roadmapd database", path)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		os.Remove(dst)
		return fmt.Errorf("copying %s to %s: %w", path, dst, err)
	}
	return nil
}

// JournalRows counts the changes in the change journal. Every write
// transaction empties it before it commits, so between transactions it
// holds none: a change left there would end up in the next write's
// history. On SQLite the journal is the writer connection's own.
func (db *DB) JournalRows(ctx context.Context) (int, error) {
	if db.dialect.name() == "sqlite" {
		if db.lite == nil {
			return 0, nil
		}
		return db.lite.len(), nil
	}
	var n int
	err := db.write.QueryRowContext(ctx, "SELECT COUNT(*) FROM change_journal").Scan(&n)
	return n, err
}
