// Package store implements roadmap.Store on database/sql for SQLite
// (modernc.org/sqlite) and PostgreSQL (pgx). Both run the same queries,
// written with ? placeholders and rebound for PostgreSQL; the few dialect
// differences live in dialect.go. Migrations are embedded per dialect and
// applied by Open.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

//go:embed migrations
var migrations embed.FS

// DB is a roadmap.Store on SQLite or PostgreSQL.
type DB struct {
	dialect dialect
	// write runs every transaction that writes; on SQLite it holds one
	// connection so that writers queue instead of failing with SQLITE_BUSY.
	write *sql.DB
	// read serves reads; on PostgreSQL it is the same pool as write.
	read *sql.DB
	// numbers gives new releases their numbers on PostgreSQL, each in a
	// transaction of its own, on connections apart from write's, so that a
	// write transaction waiting for its number never waits for a
	// connection that another write transaction holds (see numberApart);
	// nil on SQLite.
	numbers *sql.DB
	// readQ runs the reads: on SQLite through prepared statements kept for
	// the pool's life, on PostgreSQL through the pool (pgx keeps each
	// connection's statements prepared itself).
	readQ queryer
	ids   *idGen
	// writeQ keeps the statements of write transactions prepared, on
	// SQLite (pgx keeps each connection's statements prepared itself).
	writeQ *writeStmts
	// group runs SQLite's write transactions in groups that share a
	// commit (see groupcommit.go); nil on PostgreSQL.
	group *groupCommit
	// schema describes the journaled tables, for history.
	schema schemaInfo
	// linkTypes lists, comma-separated, the auditable types of links
	// (journaled tables without an id of their own), whose deliveries are
	// ordered per link (see recordKeySQL).
	linkTypes string
	// queries counts the statements run, so tests can check that a list
	// costs a fixed number of queries whatever its length.
	queries atomic.Int64
	// trace, when set, receives every statement run (see Trace).
	trace atomic.Pointer[TraceFunc]
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// idempotencyPurged is when expired Idempotency-Keys were last purged,
	// in Unix milliseconds.
	idempotencyPurged atomic.Int64
	// binSchema is the tables, keys and foreign keys of the database, read
	// once, for the recycle bin.
	binSchema atomic.Pointer[binSchema]
	// releaseWriters queues this process's writers of one release on
	// PostgreSQL.
	releaseWriters keyLocks
	// lite is SQLite's change journal (nil on PostgreSQL, and with
	// Options.SQLiteNoJournal).
	lite *liteJournal
	// watch reads SQLite's data_version for DataVersion.
	watch versionWatch
	// versions shares readings of DataVersion among concurrent callers.
	versions versionReadings
}

var _ roadmap.Store = (*DB)(nil)

// Options tunes the connection pools and the bounds on waiting.
type Options struct {
	MaxOpenConns    int           // PostgreSQL pool size (0: 10)
	MaxIdleConns    int           // idle connections kept (0: 5)
	ConnMaxLifetime time.Duration // 0: 30 minutes
	ConnMaxIdleTime time.Duration // 0: 5 minutes
	// StatementTimeout bounds one statement on the server side, as a
	// backstop to the caller's context: PostgreSQL's statement_timeout and
	// idle_in_transaction_session_timeout, SQLite's busy_timeout (0: 15s).
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening a PostgreSQL connection (0: 5s).
	ConnectTimeout time.Duration
	// SQLiteSynchronous is SQLite's synchronous setting, "full" (the
	// default: a commit survives power loss) or "normal" (faster; the last
	// commits may be lost on an OS crash or power loss, never corrupted).
	SQLiteSynchronous string
	// SQLiteNoGroupCommit runs every SQLite write transaction alone, with
	// a commit (and an fsync) of its own, instead of letting the writers
	// of the same moment share one; benchmarks set it to measure what
	// group commit gains.
	SQLiteNoGroupCommit bool
	// SQLiteNoJournal opens SQLite without the change journal, so that
	// writes leave no history: benchmarks set it to measure what history
	// costs.
	SQLiteNoJournal bool
}

// defaultStatementTimeout is Options.StatementTimeout when unset.
const defaultStatementTimeout = 15 * time.Second

// defaultConnectTimeout is Options.ConnectTimeout when unset.
const defaultConnectTimeout = 5 * time.Second

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn (a SQLite file path, or a
// postgres:// URL), applies pending migrations and returns the store.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	var d dialect = sqliteDialect{}
	if IsPostgres(dsn) {
		d = postgresDialect{}
	} else if err := checkSQLitePath(dsn); err != nil {
		return nil, err
	}
	db := &DB{dialect: d, ids: newIDGen(), Now: time.Now}
	if d.name() == "sqlite" && !opt.SQLiteNoJournal {
		db.lite = &liteJournal{}
	}
	write, read, err := d.open(dsn, opt, db.lite)
	if err != nil {
		return nil, err
	}
	db.write, db.read, db.readQ = write, read, read
	db.watch.path = dsn
	if d.name() == "postgres" {
		numbers := opt
		numbers.MaxOpenConns, numbers.MaxIdleConns = numberConns, numberConns
		if db.numbers, _, err = d.open(dsn, numbers, nil); err != nil {
			db.Close()
			return nil, err
		}
	}
	if d.name() == "sqlite" {
		db.readQ = newStmtCache(read)
		db.writeQ = newWriteStmts(write)
		if !opt.SQLiteNoGroupCommit {
			db.group = newGroupCommit(db)
		}
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.ensureJournal(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if err := db.backfillFold(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect.name())
	if err != nil {
		return err
	}
	if db.migrated(ctx, sub) {
		return nil
	}
	return db.dialect.migrate(ctx, db.write, sub)
}

// migrated reports whether the database has every migration of fsys
// applied, read with one statement on the writer's connection, so that
// opening an up-to-date database skips the migration tool (a connection
// and several statements of its own, and on PostgreSQL a lock). Any doubt
// (no version table, an unreadable name) leaves the decision to the tool.
func (db *DB) migrated(ctx context.Context, fsys fs.FS) bool {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return false
	}
	want := map[int64]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, err := goose.NumericComponent(e.Name())
		if err != nil {
			return false
		}
		want[v] = true
	}
	if len(want) == 0 {
		return false
	}
	// A version's latest row says whether it is applied.
	rows, err := db.write.QueryContext(ctx, "SELECT version_id, is_applied FROM goose_db_version ORDER BY id")
	if err != nil {
		return false
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		var ok bool
		if err := rows.Scan(&v, &ok); err != nil {
			return false
		}
		applied[v] = ok
	}
	if rows.Err() != nil {
		return false
	}
	for v := range want {
		if !applied[v] {
			return false
		}
	}
	return true
}

// Close closes the database.
func (db *DB) Close() error {
	db.versions.stop()
	db.watch.close()
	if db.writeQ != nil {
		db.writeQ.close()
	}
	err := db.write.Close()
	if db.numbers != nil {
		if e := db.numbers.Close(); err == nil {
			err = e
		}
	}
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return db.wrap(err)
	}
	return nil
}

// Tx is a write transaction with its start time: everything written in it
// carries the same "now". On SQLite several Tx may share one database
// transaction, each in a savepoint of its own (see groupcommit.go):
// everything a Tx holds belongs to its own write alone.
type Tx struct {
	// tx runs the transaction's statements: a *sql.Tx on SQLite, the
	// connection that began the transaction on PostgreSQL.
	tx queryer
	// q runs the statements on SQLite, through the prepared ones; nil on
	// PostgreSQL. Members of one group commit share it with their
	// transaction.
	q   *txQueryer
	db  *DB
	now time.Time
	// converted are the records the transaction turns into others, which
	// the recycle bin does not keep (see converted).
	converted map[string]bool
	// final is a statement left to run with the COMMIT, in the same round
	// trip, on PostgreSQL (see commitWith): the audits' insert of a write
	// that destroyed nothing (see recordHistory).
	final *finalStmt
	// created are the records the transaction inserted that have no links
	// but those it set itself, and linked the link tables it set them in
	// (see setLinkSet): those it need not read.
	created map[int64]bool
	linked  map[string]bool
	// undo are what the transaction did apart from itself, to be undone
	// when it fails before its commit (see numberApart).
	undo []func(context.Context)
}

// finalStmt is a statement, rebound for PostgreSQL, and its arguments.
type finalStmt struct {
	query string
	args  []any
}

// inTx runs fn in a write transaction and commits it when fn returns nil.
// A transaction that fails on a deadlock or serialization conflict is run
// again, a few times, from the start, after a short random pause; when
// every attempt fails so, the error says the database is busy (a 503 with
// Retry-After in the API), never an internal error.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	const attempts = 8
	var err error
	for i := 0; i < attempts; i++ {
		if err = db.tryTx(ctx, fn); err == nil || !db.retryable(err) {
			break
		}
		if i == attempts-1 {
			return &roadmap.Error{Code: roadmap.EUNAVAILABLE, Message: "The database is busy with conflicting changes; try again shortly"}
		}
		// A short, growing and random pause, so that the writers that
		// collided do not collide again in step.
		pause := time.Duration(1+rand.IntN(5<<i)) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
	return db.wrap(err)
}

// retryable reports whether a transaction that failed with err may run
// again from the start: a deadlock, a serialization failure, or a lock set
// that kept changing while it was taken.
func (db *DB) retryable(err error) bool {
	var re *retryError
	return db.dialect.retryable(err) || errors.As(err, &re)
}

// tryTx runs fn in one transaction. On SQLite the transaction joins the
// group commit, which runs it (with run) in a savepoint of a transaction
// shared with the writers of the same moment.
func (db *DB) tryTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.group != nil {
		return db.group.run(ctx, fn)
	}
	if db.dialect.name() == "postgres" {
		return db.tryPostgresTx(ctx, fn)
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{tx: sqlTx, db: db, now: db.Now().UTC().Truncate(time.Millisecond)}
	if db.writeQ != nil {
		tx.q = db.writeQ.in(sqlTx)
	}
	if err := tx.run(ctx, fn); err != nil {
		sqlTx.Rollback()
		return err
	}
	err = sqlTx.Commit()
	if db.writeQ != nil {
		db.writeQ.prepareWanted()
	}
	return err
}

// tryPostgresTx runs fn in one transaction on a connection of the pool,
// begun and ended by statements of the store's own rather than by
// database/sql, so that the transaction's last statement can travel with
// its COMMIT (see commitWith).
func (db *DB) tryPostgresTx(ctx context.Context, fn func(tx *Tx) error) error {
	c, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "BEGIN"); err != nil {
		discardConn(c)
		return err
	}
	tx := &Tx{tx: c, db: db, now: db.Now().UTC().Truncate(time.Millisecond)}
	if err := tx.run(ctx, fn); err != nil {
		endConn(c)
		tx.undoApart(ctx)
		return err
	}
	if err := tx.commitWith(ctx, c); err != nil {
		endConn(c)
		return err
	}
	return c.Close()
}

// create notes that the transaction inserted the record id, which no link
// can point from yet (see setLinkSet).
func (tx *Tx) create(id int64) {
	if tx.created == nil {
		tx.created = map[int64]bool{}
	}
	tx.created[id] = true
}

// undoApart undoes what the failed transaction did apart from itself, in
// the reverse order, even when the caller's deadline has passed, within a
// deadline of its own. An undo that fails leaves what it would have undone
// (a number then stays unused).
func (tx *Tx) undoApart(ctx context.Context) {
	if len(tx.undo) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i](ctx)
	}
}

// commitWith commits the transaction on c, in one round trip with the
// statement left for the commit, if any (the audits' insert of a write
// that destroyed nothing): the two are sent as one pipeline of the driver
// (the statement prepared and kept like any other), and PostgreSQL runs
// the COMMIT only when the statement succeeded. The caller's deadline
// bounds the wait, as it bounds every statement of the transaction.
func (tx *Tx) commitWith(ctx context.Context, c *sql.Conn) error {
	if tx.final == nil {
		_, err := c.ExecContext(ctx, "COMMIT")
		return err
	}
	return c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("commit: unexpected driver connection %T", dc)
		}
		b := &pgx.Batch{}
		b.Queue(tx.final.query, tx.final.args...)
		b.Queue("COMMIT")
		return sc.Conn().SendBatch(ctx, b).Close()
	})
}

// endConn rolls back the transaction on c and gives c back to the pool,
// or discards it when the rollback fails (its state is then unknown).
func endConn(c *sql.Conn) {
	if _, err := c.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		discardConn(c)
		return
	}
	c.Close()
}

// discardConn closes c's connection instead of giving it back to the pool.
func discardConn(c *sql.Conn) {
	c.Raw(func(any) error { return driver.ErrBadConn })
	c.Close()
}

// run does the work of one write transaction before its commit: fn, then
// the history of what fn changed and the Idempotency-Key's mark, in the
// same transaction.
func (tx *Tx) run(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if tx.db.lite != nil {
		// SQLite's journal holds this transaction's changes alone; those
		// of one that failed were undone with it.
		tx.db.lite.reset()
		defer func() {
			if err != nil {
				tx.db.lite.reset()
			}
		}()
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.recordHistory(ctx); err != nil {
		return err
	}
	if err := tx.markIdempotencyCommitted(ctx); err != nil {
		return err
	}
	// A caller whose deadline has passed has answered (or will answer) that
	// the write failed: it must not take effect.
	return ctx.Err()
}

// resetNow takes the transaction's time again, after it has waited for the
// locks of the rows it changes, so that what it writes is never dated before
// the change it waited for; the time is never earlier than notBefore.
func (tx *Tx) resetNow(notBefore time.Time) {
	tx.now = tx.db.Now().UTC().Truncate(time.Millisecond)
	if tx.now.Before(notBefore) {
		tx.now = notBefore
	}
}

// fold returns the form of a name that searches compare: lower case.
func fold(s string) string { return strings.ToLower(s) }

// backfillFold fills name_fold of releases written before the column existed.
func (db *DB) backfillFold(ctx context.Context) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		rows, err := c.query(ctx, "SELECT id, name FROM releases WHERE name_fold IS NULL")
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			names[id] = name
		}
		if err := closeRows(rows); err != nil {
			return err
		}
		for id, name := range names {
			if _, err := c.exec(ctx, "UPDATE releases SET name_fold = ? WHERE id = ?", fold(name), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// wrap turns database errors that mean "unavailable" into EUNAVAILABLE and
// leaves domain errors as they are.
func (db *DB) wrap(err error) error {
	if err == nil {
		return nil
	}
	var e *roadmap.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if db.dialect.unavailable(err) {
		return &roadmap.Error{Code: roadmap.EUNAVAILABLE, Message: "The database is unavailable; try again shortly"}
	}
	return err
}

// Unavailable reports whether err means that the database could not be
// reached or did not answer: a dropped or refused connection, a timeout,
// a busy database. Callers answer such errors "try again later".
func (db *DB) Unavailable(err error) bool {
	var e *roadmap.Error
	if errors.As(err, &e) {
		return e.Code == roadmap.EUNAVAILABLE
	}
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || db.dialect.unavailable(err)
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs queries on a connection, a pool or a transaction, rebinding
// them for the dialect and counting them.
type conn struct {
	qr queryer
	d  dialect
	n  *atomic.Int64
	tr *atomic.Pointer[TraceFunc]
	// lite is the journal of a SQLite write transaction's statements.
	lite *liteJournal
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.count(query, args)
	mark := c.mark()
	res, err := c.qr.ExecContext(ctx, c.d.rebind(query), args...)
	c.undo(mark, err)
	return res, err
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.count(query, args)
	mark := c.mark()
	rows, err := c.qr.QueryContext(ctx, c.d.rebind(query), args...)
	c.undo(mark, err)
	return rows, err
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	c.count(query, args)
	mark := c.mark()
	row := c.qr.QueryRowContext(ctx, c.d.rebind(query), args...)
	c.undo(mark, row.Err())
	return row
}

// mark is where the journal of a SQLite write transaction stands before a
// statement.
func (c conn) mark() int {
	if c.lite == nil {
		return 0
	}
	return c.lite.len()
}

// undo forgets the journal's changes of a statement that failed: SQLite
// undid them. A SQLite statement makes all its changes in its first step,
// which the driver takes before it returns the statement's rows.
func (c conn) undo(mark int, err error) {
	if c.lite != nil && err != nil {
		c.lite.truncate(mark)
	}
}

func (tx *Tx) conn() conn {
	var qr queryer = tx.tx
	if tx.q != nil {
		qr = tx.q
	}
	return conn{qr: qr, d: tx.db.dialect, n: &tx.db.queries, tr: &tx.db.trace, lite: tx.db.lite}
}
func (db *DB) reader() conn { return conn{qr: db.readQ, d: db.dialect, n: &db.queries, tr: &db.trace} }

// QueryCount returns the number of statements the store has run, so that
// tests can check that a list costs a fixed number of queries.
func (db *DB) QueryCount() int64 { return db.queries.Load() }

// ms converts a time to the stored form: milliseconds since the epoch.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts a stored timestamp back to UTC time.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullStr stores "" as NULL.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// placeholders returns "?,?,...": n of them.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func notFound(what, key string) error {
	return roadmap.Errorf(roadmap.ENOTFOUND, "%s %s not found", what, key)
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }

func scanErr(err error, what, key string) error {
	if err == nil {
		return nil
	}
	if isNoRows(err) {
		return notFound(what, key)
	}
	return fmt.Errorf("%s %s: %w", what, key, err)
}
