package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// stmtCacheSize bounds the statements a stmtCache keeps prepared; lists
// whose IN (...) lists vary in length make a few shapes each.
const stmtCacheSize = 512

// stmtCache runs the reads of a pool through statements prepared once, so
// that SQLite does not parse and plan each query again on every request.
// database/sql prepares a statement again on each connection that runs it.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// stmt returns the prepared statement of query, or nil when it cannot be
// kept (the cache is full or preparing failed: the query then runs as is
// and reports its own error).
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	s := c.m[query]
	c.mu.RUnlock()
	if s != nil {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s = c.m[query]; s != nil || len(c.m) >= stmtCacheSize {
		return s
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.m[query] = s
	return s
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// writeStmts keeps the statements of write transactions prepared on
// SQLite's one write connection. A statement is prepared on the pool, which
// a transaction holds while it runs: so a transaction runs a statement it
// has not seen as is, and asks for it to be prepared once the connection
// is free (by the group commit between two groups, or else in the
// background); later transactions run the prepared one.
// Writes parse and plan once per statement (their triggers included)
// instead of on every request.
type writeStmts struct {
	db     *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	wanted map[string]bool
	// unpreparable holds the statements that failed to prepare outside
	// their transaction (they may need what it creates): they run as
	// they are, and are not asked for again.
	unpreparable map[string]bool
	preparing    bool
	closed       bool
	// done counts the background preparations under way.
	done sync.WaitGroup
}

func newWriteStmts(db *sql.DB) *writeStmts {
	return &writeStmts{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}, unpreparable: map[string]bool{}}
}

// get returns the prepared statement of query, or nil, and asks for it.
func (w *writeStmts) get(query string) *sql.Stmt {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.m[query]; s != nil {
		return s
	}
	if len(w.m)+len(w.wanted)+len(w.unpreparable) < stmtCacheSize && !w.unpreparable[query] {
		w.wanted[query] = true
	}
	return nil
}

// prepareWanted prepares the statements asked for, in the background, when
// the connection is free.
func (w *writeStmts) prepareWanted() {
	w.mu.Lock()
	if w.preparing || w.closed || len(w.wanted) == 0 {
		w.mu.Unlock()
		return
	}
	w.preparing = true
	w.done.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.done.Done()
		w.prepare()
		w.mu.Lock()
		w.preparing = false
		w.mu.Unlock()
	}()
}

// prepareNow prepares the statements asked for, waiting for the
// connection. The group commit calls it between two groups, when the
// connection is free and no write transaction can start: a statement is
// then prepared at its first use instead of whenever a background
// preparer wins the connection from the queue of writers.
func (w *writeStmts) prepareNow() {
	w.mu.Lock()
	n := len(w.wanted)
	w.mu.Unlock()
	if n > 0 {
		w.prepare()
	}
}

// prepare prepares the statements asked for until none is left.
func (w *writeStmts) prepare() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		w.mu.Lock()
		var query string
		for q := range w.wanted {
			query = q
			break
		}
		if query == "" || w.closed {
			w.mu.Unlock()
			return
		}
		delete(w.wanted, query)
		w.mu.Unlock()
		s, err := w.db.PrepareContext(ctx, query)
		w.mu.Lock()
		if err == nil {
			w.m[query] = s
		} else if ctx.Err() == nil {
			w.unpreparable[query] = true
		}
		w.mu.Unlock()
	}
}

// close stops the background preparation, waits for it to let go of the
// connection, and closes the prepared statements: the pool's Close then
// closes the connection itself before it returns.
func (w *writeStmts) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.done.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.m {
		s.Close()
	}
	w.m = map[string]*sql.Stmt{}
}

// txQueryer runs a transaction's statements through the prepared ones,
// each bound to the transaction once (a group commit's transaction runs
// the same statements for each of its members).
type txQueryer struct {
	tx    *sql.Tx
	w     *writeStmts
	mu    sync.Mutex
	bound map[string]*sql.Stmt
}

// in returns the queryer of a transaction on the writer's connection.
func (w *writeStmts) in(tx *sql.Tx) *txQueryer {
	return &txQueryer{tx: tx, w: w, bound: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement of query bound to the transaction,
// or nil when query is not prepared yet.
func (q *txQueryer) stmt(query string) *sql.Stmt {
	q.mu.Lock()
	defer q.mu.Unlock()
	if s := q.bound[query]; s != nil {
		return s
	}
	s := q.w.get(query)
	if s == nil {
		return nil
	}
	// Bound without the caller's context, whose end would make the bound
	// statement fail for the later callers too; each run has its own.
	s = q.tx.StmtContext(context.Background(), s)
	q.bound[query] = s
	return s
}

func (q *txQueryer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := q.stmt(query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q *txQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := q.stmt(query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q *txQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := q.stmt(query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
