// Package testdb gives tests a fresh, real database of each backend, with
// the store's migrations applied: a SQLite file in the test's temporary
// directory, and a PostgreSQL database of its own.
//
// The migrations run once per test binary, into a template: a SQLite file
// that each test copies, and a PostgreSQL database that each test clones
// with CREATE DATABASE ... TEMPLATE. EmptyDSN gives a database without
// migrations, for tests of the migrations themselves.
//
// PostgreSQL is used when ROADMAPD_TEST_POSTGRES holds an administrative URL
// (the run fails if that server is unreachable), or else when a server
// answers at the default URL postgres://127.0.0.1:5432/postgres; with
// neither, PostgreSQL tests are skipped with a message saying so.
// A package that uses testdb calls Main from its TestMain, so that the
// run's databases and files are removed when the package's tests end.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/roadmapd/roadmapd/internal/store/migrations"
)

// EnvPostgres names the variable that makes the PostgreSQL half mandatory.
const EnvPostgres = "ROADMAPD_TEST_POSTGRES"

// defaultAdminURL is tried when EnvPostgres is unset.
const defaultAdminURL = "postgres://127.0.0.1:5432/postgres?sslmode=disable"

// Backends are the engines every store and API test runs against.
var Backends = []string{"sqlite", "postgres"}

var pg struct {
	once     sync.Once
	admin    string // administrative URL
	tmplName string // the run's migrated template database
	empty    string // an empty database of the run, base of EmptyDSN schemas
	skipWhy  string
	failWhy  string
	required bool
}

var lite struct {
	once    sync.Once
	dir     string // holds the template file
	image   []byte // the migrated template file's bytes
	failWhy string
}

// inMain is set while Main runs the tests: databases of finished tests are
// then dropped together when they end.
var inMain atomic.Bool

// pending lists the databases of finished tests, dropped when Main ends.
var (
	dropMu  sync.Mutex
	pending []string
)

func setupPostgres() {
	admin, required := os.LookupEnv(EnvPostgres)
	if !required || admin == "" {
		admin, required = defaultAdminURL, false
	}
	pg.admin, pg.required = admin, required
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if required {
			pg.failWhy = fmt.Sprintf("%s is set but PostgreSQL does not answer: %v", EnvPostgres, err)
		} else {
			pg.skipWhy = fmt.Sprintf("PostgreSQL is not reachable at %s (%v); set %s to a reachable server to run the PostgreSQL half", admin, err, EnvPostgres)
		}
		return
	}
	defer db.Close()
	run := "roadmapd_test_" + randomHex(6)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+run); err != nil {
		pg.failWhy = fmt.Sprintf("creating the test database: %v", err)
		return
	}
	pg.empty = run
	// Extensions are per database: install the ones the migrations use once
	// in the shared schema, so that the schemas of EmptyDSN find them.
	if u, err := pgURL(run); err == nil {
		if edb, err := sql.Open("pgx", u); err == nil {
			_, err = edb.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
			edb.Close()
			if err != nil {
				pg.failWhy = fmt.Sprintf("installing pg_trgm: %v", err)
				return
			}
		}
	}
	tmpl := run + "_tmpl"
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+tmpl); err != nil {
		pg.failWhy = fmt.Sprintf("creating the template database: %v", err)
		return
	}
	pg.tmplName = tmpl
	u, err := pgURL(tmpl)
	if err != nil {
		pg.failWhy = err.Error()
		return
	}
	if err := migrate(ctx, "postgres", u); err != nil {
		pg.failWhy = fmt.Sprintf("migrating the template database: %v", err)
	}
}

// pgURL is the administrative URL with the database name replaced.
func pgURL(name string) (string, error) {
	u, err := url.Parse(pg.admin)
	if err != nil {
		return "", fmt.Errorf("%s: %v", pg.admin, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// migrate applies every migration of the backend to the database at dsn
// (for SQLite, a file path) and closes its connections.
func migrate(ctx context.Context, backend, dsn string) error {
	driver, dialect, source := "pgx", goose.DialectPostgres, dsn
	if backend == "sqlite" {
		driver, dialect = "sqlite", goose.DialectSQLite3
		source = "file:" + dsn + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	sub, err := fs.Sub(migrations.FS, backend)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, db, sub)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return err
	}
	if err := migrations.EnsureJournal(ctx, db, backend); err != nil {
		return err
	}
	return db.Close()
}

func setupSQLite() {
	dir, err := os.MkdirTemp("", "roadmapd-testdb-")
	if err != nil {
		lite.failWhy = err.Error()
		return
	}
	lite.dir = dir
	path := filepath.Join(dir, "template.db")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := migrate(ctx, "sqlite", path); err != nil {
		lite.failWhy = fmt.Sprintf("migrating the template file: %v", err)
		return
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			lite.failWhy = "the template file kept its " + suffix + " file after closing"
			return
		}
	}
	if lite.image, err = os.ReadFile(path); err != nil {
		lite.failWhy = err.Error()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// DSN returns the address of a fresh database of the backend for this
// test, with every migration applied and no records, removed when the test
// ends. It skips the test when the backend is PostgreSQL and none is
// reachable (and fails it when one was required).
func DSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		lite.once.Do(setupSQLite)
		if lite.failWhy != "" {
			t.Fatal(lite.failWhy)
		}
		path := t.TempDir() + "/roadmapd.db"
		if err := os.WriteFile(path, lite.image, 0o600); err != nil {
			t.Fatalf("copying the template file: %v", err)
		}
		return path
	case "postgres":
		return clonePostgres(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// EmptyDSN returns the address of a fresh database of the backend for this
// test without any migration applied, removed when the test ends.
func EmptyDSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return t.TempDir() + "/roadmapd.db"
	case "postgres":
		return emptyPostgresSchema(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

func needPostgres(t testing.TB) {
	t.Helper()
	pg.once.Do(setupPostgres)
	if pg.failWhy != "" {
		t.Fatal(pg.failWhy)
	}
	if pg.skipWhy != "" {
		t.Skip(pg.skipWhy)
	}
}

// clonePostgres makes a database for the test from the migrated template.
func clonePostgres(t testing.TB) string {
	t.Helper()
	needPostgres(t)
	name := pg.tmplName + "_" + randomHex(4)
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + pg.tmplName); err != nil {
		t.Fatalf("cloning the template database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	u, err := pgURL(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// emptyPostgresSchema makes an empty schema of its own for the test in the
// run's empty database, and returns a URL whose search_path selects it.
func emptyPostgresSchema(t testing.TB) string {
	t.Helper()
	needPostgres(t)
	schema := "t_" + randomHex(8)
	base, err := pgURL(pg.empty)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// dropDatabase drops a database of the run, at once when no Main runs the
// tests, or else when they have all ended: each drop waits for a
// checkpoint, and drops running at once share one.
func dropDatabase(name string) {
	if inMain.Load() {
		dropMu.Lock()
		pending = append(pending, name)
		dropMu.Unlock()
		return
	}
	dropNow(name)
}

func dropNow(name string) {
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		return
	}
	defer admin.Close()
	admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

// dropPending drops the databases of the run's finished tests, several at
// once, and then the given ones.
func dropPending(last ...string) {
	dropMu.Lock()
	names := pending
	pending = nil
	dropMu.Unlock()
	var wg sync.WaitGroup
	work := make(chan string)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				dropNow(name)
			}
		}()
	}
	for _, name := range names {
		work <- name
	}
	close(work)
	wg.Wait()
	for _, name := range last {
		dropNow(name)
	}
}

// PostgresURL returns the URL of a fresh, empty PostgreSQL database (not a
// schema, and without migrations) for tests that start several processes on
// one database; it is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	needPostgres(t)
	name := pg.empty + "_" + randomHex(4)
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("creating database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	u, err := pgURL(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Main runs the tests of a package and then drops the run's PostgreSQL
// databases and removes its template file. Use it as os.Exit(testdb.Main(m)).
func Main(m *testing.M) int {
	inMain.Store(true)
	code := m.Run()
	inMain.Store(false)
	var last []string
	for _, name := range []string{pg.tmplName, pg.empty} {
		if name != "" {
			last = append(last, name)
		}
	}
	dropPending(last...)
	if lite.dir != "" {
		os.RemoveAll(lite.dir)
	}
	return code
}
