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
// and a function that restores them (with triggers and foreign keys off,
// as session_replication_role = replica has them, which takes a
// superuser). A database whose schema a test changed (a table, column,
// index, constraint, trigger, function, view, rule, policy, type,
// sequence, schema, extension or setting added, dropped or altered) is not
// handed on. The pools are dropped when Main
// ends. Without a superuser, each test gets a clone of its own, dropped
// when Main ends.

// snapshotSQL copies the rows and sequences of the public schema into
// pristineSchema (replacing the copy that a template cloned from another
// holds) and defines the functions that restore them and that
// fingerprint the database's schema.
const snapshotSQL = `
DROP SCHEMA IF EXISTS testdb_pristine CASCADE;
CREATE SCHEMA testdb_pristine;

CREATE FUNCTION testdb_pristine.fingerprint() RETURNS text LANGUAGE sql STABLE AS $f$
SELECT md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
	SELECT 'namespace ' || n.nspname FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\_%temp%'
	UNION ALL
	SELECT 'extension ' || e.extname || ' ' || e.extversion FROM pg_extension e
	UNION ALL
	SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || c.relpersistence::text
		|| ' ' || c.relrowsecurity::text || ' ' || coalesce(array_to_string(c.reloptions, ','), '')
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'testdb_pristine') AND n.nspname NOT LIKE 'pg\_%temp%'
	UNION ALL
	SELECT 'column ' || a.attrelid::regclass::text || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
		|| ' ' || a.attnotnull::text || ' ' || a.attidentity::text || a.attgenerated::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE a.attnum > 0 AND NOT a.attisdropped
		AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'testdb_pristine') AND n.nspname NOT LIKE 'pg\_%temp%'
	UNION ALL
	SELECT 'index ' || pg_get_indexdef(i.indexrelid)
	FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'testdb_pristine')
	UNION ALL
	SELECT 'constraint ' || co.conrelid::regclass::text || '.' || co.conname || ' ' || pg_get_constraintdef(co.oid)
	FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'testdb_pristine')
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(tg.oid) || ' ' || tg.tgenabled::text
	FROM pg_trigger tg WHERE NOT tg.tgisinternal
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(coalesce(p.prosrc, ''))
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'testdb_pristine')
	UNION ALL
	SELECT 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text
		|| ' ' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
	FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'testdb_pristine') AND n.nspname NOT LIKE 'pg\_%temp%'
	UNION ALL
	SELECT 'sequence ' || sq.seqrelid::regclass::text || ' ' || sq.seqtypid::regtype::text || ' ' || sq.seqstart || ' ' || sq.seqincrement
		|| ' ' || sq.seqmin || ' ' || sq.seqmax || ' ' || sq.seqcache || ' ' || sq.seqcycle::text
	FROM pg_sequence sq JOIN pg_class c ON c.oid = sq.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname NOT IN ('testdb_pristine') AND n.nspname NOT LIKE 'pg\_%temp%'
	UNION ALL
	SELECT 'policy ' || po.polrelid::regclass::text || '.' || po.polname || ' ' || coalesce(pg_get_expr(po.polqual, po.polrelid), '')
	FROM pg_policy po
	UNION ALL
	SELECT 'rule ' || ru.ev_class::regclass::text || '.' || ru.rulename || ' ' || ru.ev_enabled::text
	FROM pg_rewrite ru JOIN pg_class c ON c.oid = ru.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'testdb_pristine')
	UNION ALL
	SELECT 'view ' || schemaname || '.' || viewname || ' ' || md5(definition)
	FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
	UNION ALL
	SELECT 'setting ' || array_to_string(s.setconfig, ',')
	FROM pg_db_role_setting s JOIN pg_database db ON db.oid = s.setdatabase WHERE db.datname = current_database()
) f(x)
$f$;

CREATE TABLE testdb_pristine._tables (name text PRIMARY KEY, columns text NOT NULL, has_rows boolean NOT NULL);
CREATE TABLE testdb_pristine._sequences (name text PRIMARY KEY, last_value bigint NOT NULL, is_called boolean NOT NULL);

DO $d$
DECLARE
	r record;
	cols text;
	n bigint;
	lv bigint;
	called boolean;
BEGIN
	FOR r IN SELECT c.oid, c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' LOOP
		SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
		FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
		EXECUTE format('SELECT count(*) FROM public.%I', r.relname) INTO n;
		IF n > 0 THEN
			EXECUTE format('CREATE TABLE testdb_pristine.%I AS SELECT %s FROM public.%I', r.relname, cols, r.relname);
		END IF;
		INSERT INTO testdb_pristine._tables VALUES (r.relname, cols, n > 0);
	END LOOP;
	FOR r IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' LOOP
		EXECUTE format('SELECT last_value, is_called FROM public.%I', r.relname) INTO lv, called;
		INSERT INTO testdb_pristine._sequences VALUES (r.relname, lv, called);
	END LOOP;
END
$d$;

CREATE FUNCTION testdb_pristine.reset() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	r record;
BEGIN
	PERFORM set_config('session_replication_role', 'replica', true);
	PERFORM set_config('synchronous_commit', 'off', true);
	FOR r IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' LOOP
		EXECUTE format('DELETE FROM public.%I', r.relname);
	END LOOP;
	FOR r IN SELECT name, columns FROM testdb_pristine._tables WHERE has_rows LOOP
		EXECUTE format('INSERT INTO public.%I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM testdb_pristine.%I', r.name, r.columns, r.columns, r.name);
	END LOOP;
	FOR r IN SELECT name, last_value, is_called FROM testdb_pristine._sequences LOOP
		PERFORM setval(format('public.%I', r.name)::regclass, r.last_value, r.is_called);
	END LOOP;
END
$f$;

CREATE TABLE testdb_pristine._fingerprint AS SELECT testdb_pristine.fingerprint() AS value;
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

// restore ends the other sessions of the database and puts back the rows
// and sequences of its template, unless its schema changed.
func restore(ctx context.Context, name string) error {
	u, err := pgURL(name)
	if err != nil {
		return err
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
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
	if err := db.QueryRowContext(ctx, "SELECT testdb_pristine.fingerprint() = value FROM testdb_pristine._fingerprint").Scan(&same); err != nil {
		return err
	}
	if !same {
		return errSchemaChanged
	}
	if _, err := db.ExecContext(ctx, "SELECT testdb_pristine.reset()"); err != nil {
		return err
	}
	return db.Close()
}
