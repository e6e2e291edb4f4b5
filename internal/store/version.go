package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// versionWatch answers DataVersion on SQLite: PRAGMA data_version on a
// connection of its own, which never writes, changes whenever any other
// connection commits to the file, this process's writer or another
// process's.
type versionWatch struct {
	path string
	mu   sync.Mutex
	db   *sql.DB
	conn *sql.Conn
	stmt *sql.Stmt
	// gen counts the connections opened: data_version is comparable only
	// between readings of one connection, so a new one starts a new series.
	gen int64
}

// DataVersion returns a value that changes whenever a transaction commits
// to the database, from this process or from any other: a reading of the
// same value twice means that nothing committed in between, so what was read
// from the database after the first reading may be answered again. It is
// PRAGMA data_version of a dedicated connection on SQLite, and the current
// snapshot (which names the transactions in progress and the next to come)
// on PostgreSQL, where it also changes with commits to the other databases
// of the cluster.
func (db *DB) DataVersion(ctx context.Context) (string, error) {
	if db.dialect.name() == "postgres" {
		var v string
		if err := db.read.QueryRowContext(ctx, "SELECT pg_current_snapshot()::text").Scan(&v); err != nil {
			return "", db.wrap(err)
		}
		return v, nil
	}
	v, err := db.watch.read(ctx)
	if err != nil {
		return "", db.wrap(err)
	}
	return v, nil
}

func (w *versionWatch) read(ctx context.Context) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stmt == nil {
		if err := w.open(ctx); err != nil {
			return "", err
		}
	}
	var v int64
	if err := w.stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		// The connection may be broken; the next reading opens another
		// and starts a new series.
		w.closeLocked()
		return "", err
	}
	var b [40]byte
	out := strconv.AppendInt(b[:0], w.gen, 10)
	out = append(out, '.')
	out = strconv.AppendInt(out, v, 10)
	return string(out), nil
}

func (w *versionWatch) open(ctx context.Context) error {
	if w.db == nil {
		path := strings.TrimPrefix(strings.TrimPrefix(w.path, "sqlite://"), "file:")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
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
	stmt, err := conn.PrepareContext(ctx, "PRAGMA data_version")
	if err != nil {
		conn.Close()
		return err
	}
	w.conn, w.stmt = conn, stmt
	w.gen++
	return nil
}

func (w *versionWatch) closeLocked() {
	if w.stmt != nil {
		w.stmt.Close()
		w.stmt = nil
	}
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

func (w *versionWatch) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closeLocked()
	if w.db != nil {
		w.db.Close()
		w.db = nil
	}
}
