// Package testdb gives tests a fresh, real database of each backend, with
// the store's migrations applied: a SQLite file in the test's temporary
// directory, and a PostgreSQL database of its own.
//
// The migrations run once per test binary, into a template: a SQLite file
// that each test copies, and a PostgreSQL database that tests clone with
// CREATE DATABASE ... TEMPLATE. A Template is such a template filled once
// per test binary by the test package (with the demo account, say; see
// package demodb). EmptyDSN gives a database without migrations, for tests
// of the migrations themselves.
//
// A PostgreSQL database costs more to drop than to make (see pool.go): when
// the administrative role is a superuser, the database of a finished test
// is put back into its template's state and handed to a later test, unless
// the test changed its schema; the databases are dropped, all at once,
// when the package's tests end, and Main waits for the drops only until
// the server runs them (see dropAll).
//
// PostgreSQL is used when ROADMAPD_TEST_POSTGRES holds an administrative URL
// (the run fails if that server is unreachable), or else when a server
// answers at the default URL postgres://127.0.0.1:5432/postgres; with
// neither, PostgreSQL tests are skipped with a message saying so.
// A package that uses testdb calls Main from its TestMain, so that the
// run's databases and files are removed when the package's tests end, and
// so that more of its parallel tests run at once (see Parallel).
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
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
	super    bool        // the administrative role is a superuser: see pool.go
	base     *pgTemplate // the migrated template and its pool
}

var lite struct {
	once    sync.Once
	dir     string // holds the template file
	image   []byte // the migrated template file's bytes
	failWhy string
}

// inMain is set while Main runs the tests: databases of finished tests are
// then used again or dropped together when they end.
var inMain atomic.Bool

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
	if err := db.QueryRowContext(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&pg.super); err != nil {
		pg.failWhy = fmt.Sprintf("reading the administrative role: %v", err)
		return
	}
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
		return
	}
	if err := snapshot(ctx, u); err != nil {
		pg.failWhy = fmt.Sprintf("the template database: %v", err)
		return
	}
	pg.base = newPGTemplate(tmpl)
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
	if backend == "postgres" {
		if err := migrations.EnsurePostgresJournal(ctx, db, nil); err != nil {
			return err
		}
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

// clonePostgres gives the test a database in the migrated template's state.
func clonePostgres(t testing.TB) string {
	t.Helper()
	needPostgres(t)
	return pg.base.dsn(t)
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
	if !inMain.Load() {
		dropNow(name)
		return
	}
	drops.mu.Lock()
	drops.pending = append(drops.pending, name)
	drops.mu.Unlock()
}

// drops holds the databases of the run that Main drops when it ends.
var drops struct {
	mu      sync.Mutex
	pending []string
}

// dropWorkers bounds the connections that drop databases at once: enough
// that the drops at the end of a package's tests share one checkpoint.
const dropWorkers = 32

// dropGrace is how long Main waits for its drops to end once the server
// runs them all.
var dropGrace = time.Second

// dropAll drops the named databases, several at once. It returns when they
// are dropped, or when the server has been running every drop still under
// way for dropGrace: a drop waits for a checkpoint, which on a busy server
// takes seconds, and the server ends a statement whose client has gone
// (client_connection_check_interval is off on these connections), so the
// package's tests need not wait for it.
func dropAll(names []string) {
	if len(names) == 0 {
		return
	}
	// admin is not closed while drops run: its Close would wait for them.
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		return
	}
	var (
		mu       sync.Mutex
		pids     []int64
		finished int
	)
	work := make(chan string)
	for i := 0; i < min(dropWorkers, len(names)); i++ {
		go func() {
			for name := range work {
				pid := dropOn(admin, name, func(pid int64) {
					mu.Lock()
					pids = append(pids, pid)
					mu.Unlock()
				})
				mu.Lock()
				finished++
				if pid != 0 {
					pids = slices.DeleteFunc(pids, func(p int64) bool { return p == pid })
				}
				mu.Unlock()
			}
		}()
	}
	go func() {
		for _, name := range names {
			work <- name
		}
		close(work)
	}()
	// Wait until every drop has ended or runs on the server.
	var grace time.Time
	for {
		mu.Lock()
		done, running := finished, slices.Clone(pids)
		mu.Unlock()
		if done == len(names) {
			admin.Close()
			return
		}
		if grace.IsZero() && done+len(running) == len(names) {
			var active int
			err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity
				WHERE pid = ANY($1) AND state = 'active' AND query LIKE 'DROP DATABASE%'`, running).Scan(&active)
			if err == nil && active == len(running) {
				grace = time.Now().Add(dropGrace)
			}
		}
		if !grace.IsZero() && time.Now().After(grace) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dropOn drops the database over a connection of admin of its own, and
// calls running with the connection's server process once the statement
// is about to be sent; it returns that process (0 when it had none).
func dropOn(admin *sql.DB, name string, running func(pid int64)) int64 {
	ctx := context.Background()
	for wait := 100 * time.Millisecond; ; wait *= 2 {
		conn, err := admin.Conn(ctx)
		if err == nil {
			// Before PostgreSQL 14 the setting does not exist, nor do the
			// checks it turns off.
			conn.ExecContext(ctx, "SET client_connection_check_interval = 0")
			var pid int64
			if err = conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err == nil {
				running(pid)
				_, err = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			}
			conn.Close()
			if err == nil || pid != 0 {
				return pid
			}
		}
		if wait > 5*time.Second {
			return 0
		}
		time.Sleep(wait)
	}
}

// dropNow drops the database, trying again for a while when the server
// refuses (it may have no connection to spare).
func dropNow(name string) {
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		return
	}
	defer admin.Close()
	for wait := 100 * time.Millisecond; ; wait *= 2 {
		_, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		if err == nil || wait > 5*time.Second {
			return
		}
		time.Sleep(wait)
	}
}

// PostgresURL returns the URL of a fresh, empty PostgreSQL database (not a
// schema, and without migrations) for tests that start several processes on
// one database; it is dropped when the test ends (when Main runs the tests,
// with the run's other databases when they have all ended).
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
//
// Unless -test.parallel is given, Main lets as many as Parallel tests run
// at once, rather than GOMAXPROCS: tests of databases mostly wait on them.
// Unless GOGC is set, it collects garbage when the heap has grown by
// gcPercent rather than 100 percent: the tests' requests allocate much and
// briefly, and collecting a quarter as often saved 15% of the processor
// time of internal/api's tests.
func Main(m *testing.M) int {
	setParallel()
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(gcPercent)
	}
	inMain.Store(true)
	code := m.Run()
	inMain.Store(false)
	var last []string
	for _, name := range []string{pg.tmplName, pg.empty} {
		if name != "" {
			last = append(last, name)
		}
	}
	drops.mu.Lock()
	names := append(drops.pending, pooled()...)
	drops.pending = nil
	drops.mu.Unlock()
	dropAll(append(names, last...))
	if lite.dir != "" {
		os.RemoveAll(lite.dir)
	}
	return code
}

// gcPercent is the garbage collector's target (see runtime/debug) that Main
// sets unless GOGC is set.
const gcPercent = 400

// Parallel is how many parallel tests Main runs at once by default: four
// per processor, and at least eight.
func Parallel() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// setParallel sets -test.parallel to Parallel unless the command line set it.
func setParallel() {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(Parallel()))
	}
}
