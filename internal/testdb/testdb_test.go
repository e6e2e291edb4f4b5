package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if name := os.Getenv("TESTDB_DROP_AND_EXIT"); name != "" {
		dropAndExit(name)
	}
	os.Exit(Main(m))
}

// dropAndExit is the process of TestDropsEndAfterTheProcess: it drops the
// database and exits as soon as the server runs the drop.
func dropAndExit(name string) {
	pg.admin = os.Getenv(EnvPostgres)
	dropGrace = 0
	dropAll([]string{name})
	os.Exit(0)
}

// TestDropsEndAfterTheProcess runs a process that drops a database and
// exits without waiting for the drop to end: the database goes all the
// same.
func TestDropsEndAfterTheProcess(t *testing.T) {
	needPostgres(t)
	name := pg.tmplName + "_gone"
	admin, err := sql.Open("pgx", pg.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropNow(name) })
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TESTDB_DROP_AND_EXIT="+name, EnvPostgres+"="+pg.admin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the dropping process: %v\n%s", err, out)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		if err := admin.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is still there 2 minutes after the process that dropped it exited", name)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// contents digests every row of every table of the public schema and the
// state of every sequence of the database at dsn.
func contents(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	names := func(kind string) []string {
		rows, err := db.Query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = $1", kind)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		sort.Strings(out)
		return out
	}
	var b strings.Builder
	for _, table := range names("r") {
		var n int
		var digest sql.NullString
		q := fmt.Sprintf(`SELECT count(*), md5(string_agg(r::text, ',' ORDER BY r::text)) FROM public.%q r`, table)
		if err := db.QueryRow(q).Scan(&n, &digest); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %d rows %s\n", table, n, digest.String)
	}
	for _, seq := range names("S") {
		var last int64
		var called bool
		if err := db.QueryRow(fmt.Sprintf("SELECT last_value, is_called FROM public.%q", seq)).Scan(&last, &called); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "sequence %s: %d %v\n", seq, last, called)
	}
	return b.String()
}

// dbName is the database that dsn names.
func dbName(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func execAll(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// writes changes rows (through the tables' triggers) and draws from the
// sequences, as a test would.
var writes = []string{
	"INSERT INTO users (id, name, email, created_at, updated_at) VALUES (7, 'Seven', 'seven@example.com', 1, 1)",
	"UPDATE users SET name = 'Sept' WHERE id = 7",
	"INSERT INTO users (id, name, email, created_at, updated_at) VALUES (8, 'Eight', 'eight@example.com', 1, 1)",
	"DELETE FROM users WHERE id = 8",
	"SELECT nextval(oid) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'",
	// A row of the template changed, its table's count unchanged (a table
	// that only lost rows: TestTemplateCopies).
	"UPDATE goose_db_version SET tstamp = tstamp + interval '1 second' WHERE id = (SELECT min(id) FROM goose_db_version)",
}

// TestPostgresDatabaseIsHandedOnAsNew writes to a test's PostgreSQL
// database and leaves a session open on it: the next test that asks for
// one, if it gets the same database, finds every table and sequence as in
// a fresh clone of the template.
func TestPostgresDatabaseIsHandedOnAsNew(t *testing.T) {
	var fresh, used, name string
	t.Run("fresh", func(t *testing.T) {
		dsn := DSN(t, "postgres")
		fresh = contents(t, dsn)
	})
	t.Run("write", func(t *testing.T) {
		dsn := DSN(t, "postgres")
		name = dbName(t, dsn)
		execAll(t, dsn, writes...)
		if contents(t, dsn) == fresh {
			t.Fatal("the writes changed nothing")
		}
		left, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := left.Ping(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("next", func(t *testing.T) {
		dsn := DSN(t, "postgres")
		if !pg.super {
			t.Skip("the administrative role is not a superuser: every test gets a clone of its own")
		}
		if got := dbName(t, dsn); got != name {
			t.Fatalf("got database %s, want %s used again", got, name)
		}
		used = contents(t, dsn)
		if used != fresh {
			t.Fatalf("the database handed on differs from a fresh one:\n%s\nwant:\n%s", used, fresh)
		}
	})
}

// TestPostgresDatabaseWithChangedSchemaIsDropped changes the schema of a
// test's database: the next test gets another database.
func TestPostgresDatabaseWithChangedSchemaIsDropped(t *testing.T) {
	for _, change := range []string{
		"ALTER TABLE users ADD COLUMN nickname TEXT",
		"CREATE INDEX users_name ON users (name)",
		"DROP TRIGGER journal ON users",
		"CREATE TABLE extra (id BIGINT)",
		"CREATE SCHEMA extra",
		"ALTER TABLE users ALTER COLUMN name DROP NOT NULL",
		"CREATE TYPE mood AS ENUM ('ok')",
		"ALTER TABLE users DISABLE TRIGGER journal",
		"ALTER SEQUENCE webhook_deliveries_id_seq INCREMENT BY 10",
		"ALTER DATABASE %s SET work_mem = '8MB'",
	} {
		t.Run(change, func(t *testing.T) {
			var name string
			t.Run("change", func(t *testing.T) {
				dsn := DSN(t, "postgres")
				name = dbName(t, dsn)
				if strings.Contains(change, "%s") {
					change = fmt.Sprintf(change, name)
				}
				execAll(t, dsn, change)
			})
			t.Run("next", func(t *testing.T) {
				dsn := DSN(t, "postgres")
				if got := dbName(t, dsn); got == name {
					t.Fatalf("got database %s again after %q", got, change)
				}
			})
		})
	}
}

// TestTemplateCopies prepares a template with rows of its own: each copy,
// on both backends, holds them, and a copy handed on holds them as new.
func TestTemplateCopies(t *testing.T) {
	tp := NewTemplate("users", func(ctx context.Context, backend, dsn string) error {
		driver, source := "pgx", dsn
		if backend == "sqlite" {
			driver, source = "sqlite", "file:"+dsn
		}
		db, err := sql.Open(driver, source)
		if err != nil {
			return err
		}
		defer db.Close()
		for i := 1; i <= 3; i++ {
			if _, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO users (id, name, email, created_at, updated_at) VALUES (%d, 'User %d', 'user%d@example.com', 1, 1)", i, i, i)); err != nil {
				return err
			}
		}
		return db.Close()
	})
	count := func(t *testing.T, backend, dsn string) int {
		t.Helper()
		driver, source := "pgx", dsn
		if backend == "sqlite" {
			driver, source = "sqlite", "file:"+dsn
		}
		db, err := sql.Open(driver, source)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("DELETE FROM users WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, backend := range Backends {
		for round := 0; round < 3; round++ {
			t.Run(fmt.Sprintf("%s/%d", backend, round), func(t *testing.T) {
				if n := count(t, backend, tp.DSN(t, backend)); n != 3 {
					t.Fatalf("the copy holds %d users, want 3", n)
				}
			})
		}
	}
}
