package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// dialect holds what differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	open(dsn string, opt Options) (write, read *sql.DB, err error)
	migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error
	rebind(query string) string
	// unavailable reports whether err means the database cannot be reached.
	unavailable(err error) bool
	// lockAccount makes a transaction that starts by checking whether the
	// account is empty exclusive across processes.
	lockAccount(ctx context.Context, tx *sql.Tx) error
	// forUpdate is the clause that locks the rows a SELECT reads until the
	// transaction ends.
	forUpdate() string
	// retryable reports whether a transaction that failed with err may be
	// run again (a deadlock or serialization failure).
	retryable(err error) bool
}

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) open(dsn string, opt Options) (*sql.DB, *sql.DB, error) {
	path := strings.TrimPrefix(dsn, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	n := opt.MaxOpenConns
	if n <= 0 {
		n = 4
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return write, read, nil
}

// migrate applies pending migrations. SQLite has no advisory locks; when two
// processes open one new file at once, the one that loses the race fails on
// a migration the other has applied meanwhile, and simply tries again: each
// migration runs in its own transaction, so it then sees it applied.
func (sqliteDialect) migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var p *goose.Provider
		if p, err = goose.NewProvider(goose.DialectSQLite3, db, fsys); err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		if _, err = p.Up(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return fmt.Errorf("migrations: %w", err)
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) unavailable(err error) bool { return false }

// lockAccount needs nothing on SQLite: write transactions begin IMMEDIATE
// and so already exclude each other.
func (sqliteDialect) lockAccount(context.Context, *sql.Tx) error { return nil }

// forUpdate is empty on SQLite, whose single writer excludes other writers.
func (sqliteDialect) forUpdate() string { return "" }

func (sqliteDialect) retryable(error) bool { return false }

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) open(dsn string, opt Options) (*sql.DB, *sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, err
	}
	if opt.MaxOpenConns <= 0 {
		opt.MaxOpenConns = 10
	}
	if opt.MaxIdleConns <= 0 {
		opt.MaxIdleConns = 5
	}
	if opt.ConnMaxLifetime <= 0 {
		opt.ConnMaxLifetime = 30 * time.Minute
	}
	if opt.ConnMaxIdleTime <= 0 {
		opt.ConnMaxIdleTime = 5 * time.Minute
	}
	db.SetMaxOpenConns(opt.MaxOpenConns)
	db.SetMaxIdleConns(opt.MaxIdleConns)
	db.SetConnMaxLifetime(opt.ConnMaxLifetime)
	db.SetConnMaxIdleTime(opt.ConnMaxIdleTime)
	return db, db, nil
}

// migrationLockID is the advisory lock key that serialises migrations of
// several processes starting at once on one database.
const migrationLockID = 7240311950227353171

// migrate applies pending migrations under an advisory lock, so that of
// several processes starting at once one migrates and the others wait. The
// lock is per schema, as migrations are.
func (postgresDialect) migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte(schema))
	lockID := migrationLockID ^ int64(h.Sum64()>>1)
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// accountLockID is the advisory lock key of account-wide initialisation.
const accountLockID = 7240311950227353172

func (postgresDialect) lockAccount(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(accountLockID))
	return err
}

// forUpdate takes FOR NO KEY UPDATE: it excludes other writers of the row but
// not the KEY SHARE locks that foreign key checks of rows pointing at it take,
// so that writers of releases under one roll-up never deadlock on it.
func (postgresDialect) forUpdate() string { return " FOR NO KEY UPDATE" }

func (postgresDialect) retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// rebind turns ? placeholders into $1, $2, ... outside string literals.
func (postgresDialect) rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, inStr := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (postgresDialect) unavailable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// class 08: connection exception; 57P01..57P03: admin shutdown, crash, cannot connect now
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
	}
	return errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection refused")
}
