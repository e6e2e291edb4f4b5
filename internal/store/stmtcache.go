package store

import (
	"context"
	"database/sql"
	"sync"
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

// writeStmts keeps the statements of the SQLite writer prepared on its one
// connection, which write transactions then reuse (sql.Tx.StmtContext runs
// a statement prepared on the transaction's connection without preparing
// it again). A statement cannot be prepared on the pool while a
// transaction holds its only connection, so a statement met for the first
// time inside one runs as is, and is prepared in the background once the
// connection is free.
type writeStmts struct {
	db      *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

func newWriteStmts(db *sql.DB) *writeStmts {
	return &writeStmts{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// stmt returns the prepared statement of query, or nil after it has
// started preparing it for the next time.
func (w *writeStmts) stmt(query string) *sql.Stmt {
	w.mu.RLock()
	s := w.m[query]
	w.mu.RUnlock()
	if s != nil {
		return s
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if s = w.m[query]; s != nil || w.pending[query] || len(w.m)+len(w.pending) >= stmtCacheSize {
		return s
	}
	w.pending[query] = true
	go w.prepare(query)
	return nil
}

func (w *writeStmts) prepare(query string) {
	ctx, cancel := context.WithTimeout(context.Background(), defaultStatementTimeout)
	defer cancel()
	s, err := w.db.PrepareContext(ctx, query)
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.pending, query)
	if err == nil {
		w.m[query] = s
	}
}

// txStmts runs the statements of a write transaction through writeStmts.
type txStmts struct {
	tx *sql.Tx
	w  *writeStmts
}

func (t txStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.w.stmt(query); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t txStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.w.stmt(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t txStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.w.stmt(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
