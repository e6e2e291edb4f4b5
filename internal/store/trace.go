package store

// TraceFunc receives a statement the store runs, rebound for the database's
// dialect, with its arguments.
type TraceFunc func(query string, args []any)

// Trace makes the store pass every statement it runs to fn, until Trace is
// called again with nil. Tests and tools use it to check query plans.
func (db *DB) Trace(fn TraceFunc) {
	if fn == nil {
		db.trace.Store(nil)
		return
	}
	db.trace.Store(&fn)
}

// count counts a statement and passes it to the trace function, if any.
func (c conn) count(query string, args []any) {
	c.n.Add(1)
	if c.tr == nil {
		return
	}
	if fn := c.tr.Load(); fn != nil {
		(*fn)(c.d.rebind(query), args)
	}
}
