// Package testdb gives tests a fresh, real database of each backend:
// a SQLite file in the test's temporary directory, and a PostgreSQL schema of
// its own in a database made for the test run.
//
// PostgreSQL is used when ROADMAPD_TEST_POSTGRES holds an administrative URL
// (the run fails if that server is unreachable), or else when a server
// answers at the default URL postgres://127.0.0.1:5432/postgres; with
// neither, PostgreSQL tests are skipped with a message saying so.
// A package that uses PostgreSQL calls Main from its TestMain, so that the
// run's database is dropped when the package's tests end.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
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
	dbURL    string // the run's database
	dbName   string
	skipWhy  string
	failWhy  string
	required bool
}

func setupPostgres() {
	admin, required := os.LookupEnv(EnvPostgres)
	if !required || admin == "" {
		admin, required = defaultAdminURL, false
	}
	pg.admin, pg.required = admin, required
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
	pg.dbName = "roadmapd_test_" + randomHex(6)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pg.dbName); err != nil {
		pg.failWhy = fmt.Sprintf("creating the test database: %v", err)
		return
	}
	u, err := url.Parse(admin)
	if err != nil {
		pg.failWhy = fmt.Sprintf("%s: %v", admin, err)
		return
	}
	u.Path = "/" + pg.dbName
	pg.dbURL = u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// DSN returns the address of a fresh, empty database of the backend for
// this test, removed when the test ends. It skips the test when the backend
// is PostgreSQL and none is reachable (and fails it when one was required).
func DSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return t.TempDir() + "/roadmapd.db"
	case "postgres":
		return postgresDSN(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

func postgresDSN(t testing.TB) string {
	t.Helper()
	pg.once.Do(setupPostgres)
	if pg.failWhy != "" {
		t.Fatal(pg.failWhy)
	}
	if pg.skipWhy != "" {
		t.Skip(pg.skipWhy)
	}
	schema := "t_" + randomHex(8)
	db, err := sql.Open("pgx", pg.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", pg.dbURL)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, _ := url.Parse(pg.dbURL)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresURL returns the URL of a fresh, empty PostgreSQL database (not a
// schema) for tests that start several processes on one database; it is
// dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	pg.once.Do(setupPostgres)
	if pg.failWhy != "" {
		t.Fatal(pg.failWhy)
	}
	if pg.skipWhy != "" {
		t.Skip(pg.skipWhy)
	}
	name := pg.dbName + "_" + randomHex(4)
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("creating database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", pg.admin)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, _ := url.Parse(pg.admin)
	u.Path = "/" + name
	return u.String()
}

// Main runs the tests of a package and then drops the run's PostgreSQL
// database, if one was made. Use it as os.Exit(testdb.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if pg.dbName != "" {
		if admin, err := sql.Open("pgx", pg.admin); err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + pg.dbName + " WITH (FORCE)")
			admin.Close()
		}
	}
	return code
}
