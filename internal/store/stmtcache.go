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
// is free, in the background; later transactions run the prepared one.
// Writes parse and plan once per statement (their triggers included)
// instead of on every request.
type writeStmts struct {
	db        *sql.DB
	mu        sync.Mutex
	m         map[string]*sql.Stmt
	wanted    map[string]bool
	preparing bool
	closed    bool
	done      sync.WaitGroup // the background preparation
}

func newWriteStmts(db *sql.DB) *writeStmts {
	return &writeStmts{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// get returns the prepared statement of query, or nil, and asks for it.
func (w *writeStmts) get(query string) *sql.Stmt {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.m[query]; s != nil {
		return s
	}
	if len(w.m)+len(w.wanted) < stmtCacheSize {
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
				w.preparing = false
				w.mu.Unlock()
				return
			}
			delete(w.wanted, query)
			w.mu.Unlock()
			s, err := w.db.PrepareContext(ctx, query)
			w.mu.Lock()
			if err == nil {
				w.m[query] = s
			}
			w.mu.Unlock()
		}
	}()
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

// txQueryer runs a transaction's statements through the prepared ones.
type txQueryer struct {
	tx *sql.Tx
	w  *writeStmts
}

func (q txQueryer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := q.w.get(query); s != nil {
		return q.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q txQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := q.w.get(query); s != nil {
		return q.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q txQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := q.w.get(query); s != nil {
		return q.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
