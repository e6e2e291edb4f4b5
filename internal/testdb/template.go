package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Template is a migrated database that a function of the test package fills
// once per test binary and backend (with the demo account, say), and of
// which every test gets a copy of its own, as DSN gives copies of the
// migrated one: the records are written once per run instead of once per
// test.
type Template struct {
	name    string
	prepare func(ctx context.Context, backend, dsn string) error

	lite struct {
		once    sync.Once
		image   []byte
		failWhy string
	}
	pg struct {
		once    sync.Once
		tmpl    *pgTemplate
		failWhy string
	}
}

var templateName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,15}$`)

// NewTemplate returns a template that prepare fills. prepare is called at
// most once per backend, by the first test that asks for a copy, with the
// address of a fresh migrated database as DSN returns it; it must have
// closed every connection to that database when it returns. name, a few
// lower-case letters, digits or underscores, tells the templates of a
// package apart.
func NewTemplate(name string, prepare func(ctx context.Context, backend, dsn string) error) *Template {
	if !templateName.MatchString(name) {
		panic(fmt.Sprintf("testdb: template name %q is not a few lower-case letters, digits or underscores", name))
	}
	return &Template{name: name, prepare: prepare}
}

// prepareTimeout bounds a template's preparation.
const prepareTimeout = 2 * time.Minute

// DSN returns the address of a fresh copy of the template for this test,
// removed when the test ends; it skips or fails the test as DSN does, and
// fails it when the template could not be prepared.
func (tp *Template) DSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		tp.lite.once.Do(tp.setupSQLite)
		if tp.lite.failWhy != "" {
			t.Fatal(tp.lite.failWhy)
		}
		path := t.TempDir() + "/roadmapd.db"
		if err := os.WriteFile(path, tp.lite.image, 0o600); err != nil {
			t.Fatalf("copying the template file: %v", err)
		}
		return path
	case "postgres":
		needPostgres(t)
		tp.pg.once.Do(tp.setupPostgres)
		if tp.pg.failWhy != "" {
			t.Fatal(tp.pg.failWhy)
		}
		return tp.pg.tmpl.dsn(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

func (tp *Template) setupSQLite() {
	lite.once.Do(setupSQLite)
	if lite.failWhy != "" {
		tp.lite.failWhy = lite.failWhy
		return
	}
	path := filepath.Join(lite.dir, tp.name+".db")
	if err := os.WriteFile(path, lite.image, 0o600); err != nil {
		tp.lite.failWhy = err.Error()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
	defer cancel()
	if err := tp.prepare(ctx, "sqlite", path); err != nil {
		tp.lite.failWhy = fmt.Sprintf("preparing the template %q: %v", tp.name, err)
		return
	}
	if err := checkpointSQLite(ctx, path); err != nil {
		tp.lite.failWhy = fmt.Sprintf("preparing the template %q: %v", tp.name, err)
		return
	}
	image, err := os.ReadFile(path)
	if err != nil {
		tp.lite.failWhy = err.Error()
		return
	}
	tp.lite.image = image
}

// checkpointSQLite moves everything the write-ahead log of the SQLite file
// at path holds into the file itself, so that a copy of the file alone
// holds it all: the store's last connections may still be closing when its
// Close returns, and the log is only merged and removed by the last.
func checkpointSQLite(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var busy, logged, moved int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved); err != nil {
		return fmt.Errorf("checkpointing: %v", err)
	}
	if busy != 0 || logged != moved {
		return fmt.Errorf("checkpointing: a connection is still busy (%d of %d pages moved)", moved, logged)
	}
	return db.Close()
}

func (tp *Template) setupPostgres() {
	name := pg.tmplName + "_" + tp.name
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		tp.pg.failWhy = err.Error()
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+pg.tmplName); err != nil {
		tp.pg.failWhy = fmt.Sprintf("creating the template %q: %v", tp.name, err)
		return
	}
	tmpl := newPGTemplate(name)
	u, err := pgURL(name)
	if err != nil {
		tp.pg.failWhy = err.Error()
		return
	}
	if err := tp.prepare(ctx, "postgres", u); err != nil {
		tp.pg.failWhy = fmt.Sprintf("preparing the template %q: %v", tp.name, err)
		return
	}
	if err := snapshot(ctx, u); err != nil {
		tp.pg.failWhy = fmt.Sprintf("the template %q: %v", tp.name, err)
		return
	}
	tp.pg.tmpl = tmpl
}
