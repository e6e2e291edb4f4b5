package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// NewDatabase makes an empty database of backend ("sqlite" or "postgres")
// for a benchmark run and returns its DSN and a function that removes it.
// A SQLite database is a file in a new temporary folder; a PostgreSQL one
// is created on the server that the administrative URL admin names. Both
// are named after prefix.
func NewDatabase(backend, admin, prefix string) (string, func(), error) {
	if backend == "sqlite" {
		dir, err := os.MkdirTemp("", "roadmapd-"+prefix+"-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "roadmapd.db"), func() { os.RemoveAll(dir) }, nil
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("administrative URL: %w", err)
	}
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("roadmapd_%s_%d", prefix, time.Now().UnixNano())
	if _, err := adb.Exec("CREATE DATABASE " + name); err != nil {
		adb.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		adb.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		adb.Close()
	}, nil
}

// emptyJournal empties the change journal that the triggers filled for the
// rows a generator copied in its own transaction: the copies are no
// history, and the journal is otherwise drained only by the store's
// transactions, which would then read every copy.
func emptyJournal(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM change_journal")
	return err
}
