package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	schema "github.com/roadmapd/roadmapd/internal/store/migrations"
	"hash/fnv"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds what differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	// open opens the writer's and the readers' pools. On SQLite the
	// writer's connections report their changes to journal.
	open(dsn string, opt Options, journal *liteJournal) (write, read *sql.DB, err error)
	migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error
	rebind(query string) string
	// unavailable reports whether err means the database cannot be reached.
	unavailable(err error) bool
	// lockAccount makes a transaction that starts by checking whether the
	// account is empty exclusive across processes.
	lockAccount(ctx context.Context, tx queryer) error
	// forUpdate is the clause that locks the rows a SELECT reads until the
	// transaction ends.
	forUpdate() string
	// retryable reports whether a transaction that failed with err may be
	// run again (a deadlock or serialization failure).
	retryable(err error) bool
}

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) open(dsn string, opt Options, journal *liteJournal) (*sql.DB, *sql.DB, error) {
	path := sqliteName(dsn)
	sync, err := sqliteSynchronous(opt.SQLiteSynchronous)
	if err != nil {
		return nil, nil, err
	}
	busy := opt.StatementTimeout
	if busy <= 0 {
		busy = defaultStatementTimeout
	}
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(%s)", busy.Milliseconds(), sync)
	// The writer keeps its temporary files in memory: the group commit
	// runs each write transaction in a savepoint, whose sub-journal (the
	// pages it changes, as they were) would otherwise spill to a file and
	// cost a write system call per page.
	//
	// The writer's connections come from a driver of the store's own,
	// which hooks each one as it opens (a connection that database/sql
	// opens again after losing one too): its changes go to the journal.
	drv := &sqlite.Driver{}
	if journal != nil {
		drv.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
			h, ok := c.(interface {
				RegisterPreUpdateHook(sqlite.PreUpdateHookFn)
			})
			if !ok {
				return errors.New("the SQLite driver has no pre-update hook")
			}
			h.RegisterPreUpdateHook(journal.hook)
			return nil
		})
	}
	write := sql.OpenDB(sqliteConnector{drv: drv, dsn: "file:" + path + "?" + pragmas + "&_pragma=temp_store(MEMORY)&_txlock=immediate"})
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

// sqliteConnector opens connections with a driver of the store's own.
type sqliteConnector struct {
	drv *sqlite.Driver
	dsn string
}

// Connect opens a connection.
func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }

// Driver returns the connector's driver.
func (c sqliteConnector) Driver() driver.Driver { return c.drv }

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
		// A migration may drop or rebuild a column that the journal's
		// triggers read; they are put back after (ensureJournal).
		var pending bool
		if pending, err = p.HasPending(ctx); err == nil && pending {
			err = schema.DropSQLiteJournal(ctx, db)
		}
		if err != nil {
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

// sqliteSynchronous validates the synchronous setting; FULL is the default,
// so that an acknowledged commit survives an OS crash or power loss.
func sqliteSynchronous(s string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "FULL":
		return "FULL", nil
	case "NORMAL":
		return "NORMAL", nil
	}
	return "", fmt.Errorf("SQLite synchronous must be full or normal, not %q", s)
}

func (sqliteDialect) rebind(q string) string { return q }

// unavailable reports a database that is busy past busy_timeout, or whose
// file cannot be read or written.
func (sqliteDialect) unavailable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_INTERRUPT:
		return true
	}
	return false
}

// lockAccount needs nothing on SQLite: write transactions begin IMMEDIATE
// and so already exclude each other.
func (sqliteDialect) lockAccount(context.Context, queryer) error { return nil }

// forUpdate is empty on SQLite, whose single writer excludes other writers.
func (sqliteDialect) forUpdate() string { return "" }

func (sqliteDialect) retryable(error) bool { return false }

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

// open bounds every wait on the server: connecting (connect_timeout), a
// statement (statement_timeout) and a transaction left open by a client
// that went silent (idle_in_transaction_session_timeout), unless the URL
// sets them itself.
func (postgresDialect) open(dsn string, opt Options, _ *liteJournal) (*sql.DB, *sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, err
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = opt.ConnectTimeout
		if cfg.ConnectTimeout <= 0 {
			cfg.ConnectTimeout = defaultConnectTimeout
		}
	}
	stmt := opt.StatementTimeout
	if stmt <= 0 {
		stmt = defaultStatementTimeout
	}
	for _, p := range []string{"statement_timeout", "idle_in_transaction_session_timeout"} {
		if _, ok := cfg.RuntimeParams[p]; !ok {
			cfg.RuntimeParams[p] = strconv.FormatInt(stmt.Milliseconds(), 10)
		}
	}
	db := stdlib.OpenDB(*cfg)
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

func (postgresDialect) lockAccount(ctx context.Context, tx queryer) error {
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
		// class 08: connection exception; 57P01..57P03: admin shutdown,
		// crash, cannot connect now; 57014: statement_timeout; 25P03:
		// idle_in_transaction_session_timeout
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "57014" || pe.Code == "25P03"
	}
	if pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	return errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection refused")
}
