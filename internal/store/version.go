package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// versionWatch answers DataVersion on SQLite: PRAGMA data_version on a
// connection of its own, which never writes, changes whenever any other
// connection commits to the file, this process's writer or another
// process's. Once that connection has read it, the watch maps the WAL-index
// header (walHeader), which moves with the same commits, and reads that
// instead for as long as the connection stays open.
type versionWatch struct {
	path string
	// hmu guards hdr, which callers read without taking mu.
	hmu sync.RWMutex
	hdr *walHeader
	// mapped is whether the header was mapped (or failed to be) since the
	// connection opened.
	mapped bool
	mu     sync.Mutex
	db     *sql.DB
	conn   *sql.Conn
	dstmt  driver.Stmt
	dest   [1]driver.Value
	// gen counts the connections opened: data_version is comparable only
	// between readings of one connection, so a new one starts a new series.
	gen    int64
	closed bool
}

// DataVersion returns a value that changes whenever a transaction commits
// to the database, from this process or from any other: a reading of the
// same value twice means that nothing committed in between, so what was read
// from the database after the first reading may be answered again. It is
// PRAGMA data_version of a dedicated connection on SQLite, and the current
// snapshot (which names the transactions in progress and the next to come)
// on PostgreSQL, where it also changes with commits to the other databases
// of the cluster.
//
// Callers that arrive together share one reading, taken after the last of
// them arrived: a reading already under way when a caller arrives may miss
// a commit that caller has seen, so that caller waits for the next.
func (db *DB) DataVersion(ctx context.Context) (string, error) {
	if v, ok := db.watch.header(); ok {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return v, nil
	}
	db.versions.once.Do(func() { db.versions.start(db.readVersion) })
	return db.versions.get(ctx)
}

// versionTimeout bounds one shared reading of the version; each caller
// waits no longer than its own deadline.
const versionTimeout = 5 * time.Second

func (db *DB) readVersion() (string, error) {
	if db.dialect.name() == "postgres" {
		ctx, cancel := context.WithTimeout(context.Background(), versionTimeout)
		defer cancel()
		var v string
		if err := db.read.QueryRowContext(ctx, "SELECT pg_current_snapshot()::text").Scan(&v); err != nil {
			return "", db.wrap(err)
		}
		return v, nil
	}
	// The watching connection's busy_timeout bounds the reading: a context
	// that can end would cost the driver a goroutine per reading.
	v, err := db.watch.read(context.Background())
	if err != nil {
		return "", db.wrap(err)
	}
	return v, nil
}

// versionReadings shares readings of the version among the callers waiting
// for one: a reading serves every caller that arrived before it started.
// A caller that finds no reading under way reads itself; the readings for
// callers that wait are taken by one goroutine, for the life of the store,
// so that its stack has grown to what the driver needs once and for all.
type versionReadings struct {
	once    sync.Once
	read    func() (string, error)
	mu      sync.Mutex
	waiting []chan versionResult
	// reading is true while a reading is under way or due for callers
	// waiting.
	reading bool
	wake    chan struct{}
	quit    chan struct{}
	stopped bool
}

type versionResult struct {
	v   string
	err error
}

func (r *versionReadings) start(read func() (string, error)) {
	r.read = read
	r.wake = make(chan struct{}, 1)
	r.quit = make(chan struct{})
	go r.loop()
}

func (r *versionReadings) get(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return "", errors.New("the store is closed")
	}
	if !r.reading {
		// Nobody is reading: this caller reads, at once, in its own
		// goroutine; whoever arrives meanwhile waits for the next reading,
		// which the loop takes.
		r.reading = true
		r.mu.Unlock()
		v, err := r.read()
		r.mu.Lock()
		if len(r.waiting) == 0 {
			r.reading = false
		} else {
			r.signal()
		}
		r.mu.Unlock()
		return v, err
	}
	ch := make(chan versionResult, 1)
	r.waiting = append(r.waiting, ch)
	r.mu.Unlock()
	select {
	case res := <-ch:
		return res.v, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// signal wakes the loop to take the next reading for the callers waiting.
func (r *versionReadings) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// loop takes readings while callers wait for one, each for the callers
// that arrived before it started; reading stays true until none waits.
func (r *versionReadings) loop() {
	for {
		select {
		case <-r.quit:
			return
		case <-r.wake:
		}
		for {
			r.mu.Lock()
			batch := r.waiting
			r.waiting = nil
			if len(batch) == 0 {
				r.reading = false
				r.mu.Unlock()
				break
			}
			r.mu.Unlock()
			v, err := r.read()
			for _, ch := range batch {
				ch <- versionResult{v, err}
			}
		}
	}
}

// stop ends the readings; callers after it get an error.
func (r *versionReadings) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.stopped = true
	if r.quit != nil {
		close(r.quit)
	}
	for _, ch := range r.waiting {
		ch <- versionResult{err: errors.New("the store is closed")}
	}
	r.waiting = nil
}

func (w *versionWatch) read(ctx context.Context) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return "", errors.New("the store is closed")
	}
	if w.conn == nil {
		if err := w.open(ctx); err != nil {
			return "", err
		}
	}
	var v int64
	err := w.conn.Raw(func(dc any) error {
		if w.dstmt == nil {
			st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, "PRAGMA data_version")
			if err != nil {
				return err
			}
			w.dstmt = st
		}
		rows, err := w.dstmt.(driver.StmtQueryContext).QueryContext(ctx, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := rows.Next(w.dest[:]); err != nil {
			return err
		}
		v, _ = w.dest[0].(int64)
		return nil
	})
	if err != nil {
		// The connection may be broken; the next reading opens another
		// and starts a new series.
		w.closeLocked()
		return "", err
	}
	if !w.mapped {
		w.mapped = true
		// An in-memory database has no path, nor a WAL index to read.
		if path := sqlitePath(w.path); path != "" {
			if h, err := openWALHeader(path); err == nil {
				w.hmu.Lock()
				w.hdr = h
				w.hmu.Unlock()
			}
		}
	}
	// The header's readings are another series than data_version's: once
	// it is mapped, every reading comes from it when it can, the first
	// too, so that the series changes only once.
	if hv, ok := w.header(); ok {
		return hv, nil
	}
	var b [40]byte
	out := strconv.AppendInt(b[:0], w.gen, 10)
	out = append(out, '.')
	out = strconv.AppendInt(out, v, 10)
	return string(out), nil
}

// header reads the WAL-index header, when it is mapped and its two copies
// agree.
func (w *versionWatch) header() (string, bool) {
	w.hmu.RLock()
	defer w.hmu.RUnlock()
	if w.hdr == nil {
		return "", false
	}
	return w.hdr.version()
}

func (w *versionWatch) open(ctx context.Context) error {
	if w.db == nil {
		path := sqliteName(w.path)
		db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=query_only(1)", path, versionTimeout.Milliseconds()))
		if err != nil {
			return err
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		w.db = db
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	w.conn = conn
	w.gen++
	return nil
}

func (w *versionWatch) closeLocked() {
	// Without the connection nothing keeps the -shm file from being
	// removed and made anew: the mapping could go stale.
	w.hmu.Lock()
	if w.hdr != nil {
		w.hdr.close()
		w.hdr = nil
	}
	w.hmu.Unlock()
	w.mapped = false
	if w.dstmt != nil {
		w.dstmt.Close()
		w.dstmt = nil
	}
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

func (w *versionWatch) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	w.closeLocked()
	if w.db != nil {
		w.db.Close()
		w.db = nil
	}
}
