package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"
)

// A PostgreSQL database costs more to drop than to clone: DROP DATABASE
// waits for a checkpoint, which writes out and syncs the files of every
// database of the server that changed since the last one, and on a busy
// server takes seconds. So when the administrative role is a superuser,
// the databases of finished tests are not dropped but put back into the
// state of their template and handed to the next tests: every template
// carries, in its schema testdb_pristine, a copy of its rows and sequences
// and a function that restores the tables a test wrote to (with triggers
// and foreign keys off, as session_replication_role = replica has them,
// which takes a superuser). A database whose schema a test changed (any
// DDL command that committed, which an event trigger records, or a setting
// of the database) is not handed on. The pools are dropped when Main
// ends. Without a superuser, each test gets a clone of its own, dropped
// when Main ends.

// snapshotSQL copies the rows and sequences of the public schema into
// pristineSchema (replacing the copy that a template cloned from another
// holds), defines the function that restores them, and starts recording
// the changes of the schema.
const snapshotSQL = `
DROP EVENT TRIGGER IF EXISTS testdb_pristine_ddl;
DROP SCHEMA IF EXISTS testdb_pristine CASCADE;
CREATE SCHEMA testdb_pristine;

-- reset_tables is written here, one static block per table and a setval
-- per sequence, so that a session that resets the database again runs the
-- plans it made the first time (PL/pgSQL keeps them) instead of planning
-- two dynamic statements per table at every reset.
DO $d$
DECLARE
	r record;
	cols text;
	n bigint;
	lv bigint;
	called boolean;
	body text := '';
BEGIN
	FOR r IN SELECT c.oid, c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY c.relname LOOP
		SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
		FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
		EXECUTE format('SELECT count(*) FROM public.%I', r.relname) INTO n;
		IF n > 0 THEN
			EXECUTE format('CREATE TABLE testdb_pristine.%I AS SELECT %s FROM public.%I', r.relname, cols, r.relname);
		END IF;
		body := body || format(E'IF EXISTS (SELECT 1 FROM public.%1$I WHERE xmin::text::bigint > since) OR (SELECT count(*) FROM public.%1$I) <> %2$s THEN\n\tDELETE FROM public.%1$I;\n', r.relname, n);
		IF n > 0 THEN
			body := body || format(E'\tINSERT INTO public.%1$I (%2$s) OVERRIDING SYSTEM VALUE SELECT %2$s FROM testdb_pristine.%1$I;\n', r.relname, cols);
		END IF;
		body := body || E'END IF;\n';
	END LOOP;
	FOR r IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' ORDER BY c.relname LOOP
		EXECUTE format('SELECT last_value, is_called FROM public.%I', r.relname) INTO lv, called;
		body := body || format(E'PERFORM setval(%L::regclass, %s, %L);\n', 'public.' || quote_ident(r.relname), lv, called);
	END LOOP;
	EXECUTE format('CREATE FUNCTION testdb_pristine.reset_tables(since bigint) RETURNS void LANGUAGE plpgsql AS %L', E'BEGIN\n' || body || 'END');
END
$d$;

-- _state.xid is the last transaction whose rows are the template's: the
-- snapshot's, then each reset's. A table whose rows a test inserted or
-- updated holds a row version of a later transaction (xmin), and one whose
-- rows it deleted (and no more) holds fewer rows than the template: reset
-- rewrites those tables alone. Transaction IDs are compared within one
-- epoch, which a test run does not leave.
CREATE TABLE testdb_pristine._state (xid bigint NOT NULL);
INSERT INTO testdb_pristine._state VALUES (txid_current() % 4294967296);

CREATE FUNCTION testdb_pristine.reset() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	since bigint;
BEGIN
	PERFORM set_config('session_replication_role', 'replica', true);
	PERFORM set_config('synchronous_commit', 'off', true);
	SELECT xid INTO since FROM testdb_pristine._state;
	-- The tables and sequences of the template (one made since is a change
	-- of the schema, and such a database is not handed on).
	PERFORM testdb_pristine.reset_tables(since);
	UPDATE testdb_pristine._state SET xid = txid_current() % 4294967296;
END
$f$;

-- The schema's changes: every DDL command that ends, in a transaction
-- that commits, leaves a row in _ddl (an event trigger sees every command
-- on the database's own objects). Settings of the database are not such
-- objects: _settings keeps them for comparison.
CREATE TABLE testdb_pristine._ddl (tag text NOT NULL);
CREATE FUNCTION testdb_pristine.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $f$
BEGIN
	INSERT INTO testdb_pristine._ddl VALUES (tg_tag);
END
$f$;
CREATE FUNCTION testdb_pristine.settings() RETURNS text LANGUAGE sql STABLE AS $f$
	SELECT coalesce(string_agg(array_to_string(s.setconfig, ','), ';' ORDER BY s.setrole), '')
	FROM pg_db_role_setting s JOIN pg_database db ON db.oid = s.setdatabase
	WHERE db.datname = current_database()
$f$;
CREATE TABLE testdb_pristine._settings AS SELECT testdb_pristine.settings() AS value;
CREATE EVENT TRIGGER testdb_pristine_ddl ON ddl_command_end EXECUTE FUNCTION testdb_pristine.note_ddl();
`

// pgTemplate is a template database of the run and the pool of its copies
// that are in its state and free.
type pgTemplate struct {
	name string
	mu   sync.Mutex
	free []string
}

// templates lists the run's template databases and their pools.
var templates struct {
	mu  sync.Mutex
	all []*pgTemplate
}

// newPGTemplate records the template database name of the run, whose
// copies are pooled; Main drops it (unless it is the migrated template,
// which Main drops last) and its pool.
func newPGTemplate(name string) *pgTemplate {
	p := &pgTemplate{name: name}
	templates.mu.Lock()
	templates.all = append(templates.all, p)
	templates.mu.Unlock()
	return p
}

// pooled returns the databases of the pools and the templates of the
// prepared ones, and empties the pools.
func pooled() []string {
	closeWarm()
	templates.mu.Lock()
	defer templates.mu.Unlock()
	var names []string
	for _, p := range templates.all {
		p.mu.Lock()
		names = append(names, p.free...)
		p.free = nil
		p.mu.Unlock()
		if p.name != pg.tmplName {
			names = append(names, p.name)
		}
	}
	return names
}

// snapshot readies the template database at url for pooled copies.
func snapshot(ctx context.Context, url string) error {
	if !pg.super {
		return nil
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, snapshotSQL); err != nil {
		return fmt.Errorf("copying the template's rows: %v", err)
	}
	return db.Close()
}

// dsn returns the address of a database in the template's state for the
// test: a free one of the pool, or else a new clone.
func (p *pgTemplate) dsn(t testing.TB) string {
	t.Helper()
	var name string
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		name, p.free = p.free[n-1], p.free[:n-1]
	}
	p.mu.Unlock()
	if name == "" {
		name = pg.tmplName + "_" + randomHex(4)
		admin, err := sql.Open("pgx", pg.admin)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + p.name); err != nil {
			t.Fatalf("cloning the template database: %v", err)
		}
	}
	t.Cleanup(func() { p.release(t, name) })
	u, err := pgURL(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// release hands the test's database on to the next tests, in the
// template's state, or else drops it.
func (p *pgTemplate) release(t testing.TB, name string) {
	if !pg.super || !inMain.Load() {
		dropDatabase(name)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := restore(ctx, name); err != nil {
		if !t.Failed() {
			t.Logf("testdb: %s is not used again: %v", name, err)
		}
		dropDatabase(name)
		return
	}
	p.mu.Lock()
	p.free = append(p.free, name)
	p.mu.Unlock()
}

// errSchemaChanged says that a test changed its database's schema.
var errSchemaChanged = fmt.Errorf("the test changed its schema")

// warmSessions keeps the sessions that restored pooled databases open, at
// most maxWarm of them, for the next restore of the same database: a new
// session pays for loading the descriptions of every table it touches (the
// reset touches them all), some 30 ms, which is most of a restore.
var warmSessions struct {
	mu    sync.Mutex
	conns map[string]*sql.DB
}

// maxWarm bounds the sessions kept, well below the server's connections.
const maxWarm = 8

// takeWarm returns the session kept for the database, or nil.
func takeWarm(name string) *sql.DB {
	warmSessions.mu.Lock()
	defer warmSessions.mu.Unlock()
	db := warmSessions.conns[name]
	delete(warmSessions.conns, name)
	return db
}

// keepWarm keeps the session for the database's next restore, or closes
// it when enough are kept.
func keepWarm(name string, db *sql.DB) {
	warmSessions.mu.Lock()
	defer warmSessions.mu.Unlock()
	if warmSessions.conns == nil {
		warmSessions.conns = map[string]*sql.DB{}
	}
	if len(warmSessions.conns) >= maxWarm {
		db.Close()
		return
	}
	warmSessions.conns[name] = db
}

// closeWarm closes every session kept.
func closeWarm() {
	warmSessions.mu.Lock()
	defer warmSessions.mu.Unlock()
	for name, db := range warmSessions.conns {
		db.Close()
		delete(warmSessions.conns, name)
	}
}

// restore ends the other sessions of the database and puts back the rows
// and sequences of its template, unless its schema changed.
func restore(ctx context.Context, name string) (err error) {
	db := takeWarm(name)
	if db == nil {
		u, err := pgURL(name)
		if err != nil {
			return err
		}
		if db, err = sql.Open("pgx", u); err != nil {
			return err
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	defer func() {
		if err != nil {
			db.Close()
			return
		}
		keepWarm(name, db)
	}()
	// A session left open by the test (a connection of a pool that is
	// still closing, say) must not write after the rows are restored.
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`); err != nil {
		return err
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&left); err != nil {
		return err
	}
	if left > 0 {
		return fmt.Errorf("%d of its sessions did not end", left)
	}
	var same bool
	if err := db.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM testdb_pristine._ddl)
		AND value = testdb_pristine.settings() FROM testdb_pristine._settings`).Scan(&same); err != nil {
		return err
	}
	if !same {
		return errSchemaChanged
	}
	if _, err := db.ExecContext(ctx, "SELECT testdb_pristine.reset()"); err != nil {
		return err
	}
	return nil
}
