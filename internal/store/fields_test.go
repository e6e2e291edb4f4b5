package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// mustOpenFields opens a fresh demo store that also holds the demo's custom
// field definitions and integrations.
func mustOpenFields(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	return mustOpenDemo(tb, backend)
}

// cfDefinition creates a release custom field definition.
func cfDefinition(tb testing.TB, db *store.DB, key, typ string, options ...string) *roadmap.CustomFieldDefinition {
	tb.Helper()
	in := roadmap.CustomFieldDefinitionInput{Key: roadmap.Some(key), Name: roadmap.Some("Field " + key),
		Type: roadmap.Some(typ), FieldableType: roadmap.Some(roadmap.FieldableRelease)}
	if len(options) > 0 {
		var opts []roadmap.CustomFieldOptionInput
		for _, o := range options {
			opts = append(opts, roadmap.CustomFieldOptionInput{Value: roadmap.Some(o)})
		}
		in.Options = roadmap.Some(opts)
	}
	d, err := db.CreateCustomFieldDefinition(context.Background(), in)
	if err != nil {
		tb.Fatalf("defining %s: %v", key, err)
	}
	return d
}

// setValues writes custom fields of a release.
func setValues(db *store.DB, releaseID int64, kv ...string) (*roadmap.Release, error) {
	var entries []roadmap.CustomFieldEntry
	for i := 0; i+1 < len(kv); i += 2 {
		entries = append(entries, roadmap.CustomFieldEntry{Key: kv[i], Value: kv[i+1]})
	}
	return db.UpdateRelease(context.Background(), releaseID, roadmap.ReleaseInput{CustomFields: roadmap.Some(entries)})
}

func valueOf(r *roadmap.Release, key string) (roadmap.CustomField, bool) {
	for _, cf := range r.CustomFields {
		if cf.Key == key {
			return cf, true
		}
	}
	return roadmap.CustomField{}, false
}

// TestSeedFieldsOnce checks that seeding the demo's fields twice changes
// nothing the second time, and that a definition whose key is taken under
// another ID is kept as it is, without its options.
func TestSeedFieldsOnce(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenFields(t, backend)
			before, err := db.CustomFieldDefinitions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SeedFields(ctx, demo.Fields()); err != nil {
				t.Fatalf("second SeedFields: %v", err)
			}
			clash := &roadmap.FieldSeed{Definitions: []roadmap.CustomFieldDefinition{{ID: 42, FieldableType: "Feature", Key: "priority",
				Name: "Other", Type: roadmap.FieldSelect, Options: []roadmap.CustomFieldOption{{ID: 43, Value: "Z", Color: 1}}}}}
			if err := db.SeedFields(ctx, clash); err != nil {
				t.Fatalf("SeedFields with a taken key: %v", err)
			}
			after, err := db.CustomFieldDefinitions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(before, after, func(a, b roadmap.CustomFieldDefinition) bool { return a.ID == b.ID && a.Name == b.Name }) {
				t.Errorf("definitions changed: %v, then %v", before, after)
			}
			d, err := db.CustomFieldDefinition(ctx, demo.FeaturePriority)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Options) != 5 || d.Options[0].Value != "P1" || d.Options[4].Value != "P5" {
				t.Errorf("priority options: %+v, want P1 to P5", d.Options)
			}
			its, total, err := db.Integrations(ctx, demo.PRJ1, roadmap.Page{Page: 1, PerPage: 30})
			if err != nil || total != 2 || len(its) != 2 {
				t.Errorf("PRJ1's integrations: %v (%d), %v", its, total, err)
			}
		})
	}
}

// TestCustomFieldValueRules checks values against their definitions in the
// store: unknown keys, kinds, lists, editable choices that add options, and
// renames and deletes of options held by list values.
func TestCustomFieldValueRules(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenFields(t, backend)
			tags := cfDefinition(t, db, "tags", roadmap.FieldTags, "a")
			multi := cfDefinition(t, db, "areas", roadmap.FieldSelectMultiple, "ui", "api")
			cfDefinition(t, db, "budget", roadmap.FieldNumber)

			_, err := setValues(db, demo.Release2, "missing", "x")
			wantInvalid(t, err, "custom_fields")
			for _, c := range [][2]string{{"tags", "a"}, {"tags", `{"a":1}`}, {"areas", `["ui","db"]`}, {"budget", "0x10"}, {"budget", "1_000"}, {"budget", "NaN"}} {
				if _, err := setValues(db, demo.Release2, c[0], c[1]); err == nil {
					t.Errorf("%s = %s was accepted", c[0], c[1])
				} else {
					wantInvalid(t, err, "custom_fields")
				}
			}
			r, err := setValues(db, demo.Release2, "tags", `["b","a"," b "]`, "areas", `["api"]`, "budget", "-1e3")
			if err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string]string{"tags": `["b","a"]`, "areas": `["api"]`, "budget": "-1000"} {
				if cf, ok := valueOf(r, key); !ok || cf.Value != want {
					t.Errorf("%s = %+v, want %s", key, cf, want)
				}
			}
			if cf, _ := valueOf(r, "tags"); cf.Type != "array" || cf.Name != "Field tags" {
				t.Errorf("tags value %+v, want type array named Field tags", cf)
			}
			d, err := db.CustomFieldDefinition(ctx, tags.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Options) != 2 || d.Options[1].Value != "b" || d.Options[1].Position != 2 {
				t.Errorf("tags options after writing b: %+v, want a then b", d.Options)
			}
			if _, err := setValues(db, demo.Release3, "tags", `["b"]`); err != nil {
				t.Fatal(err)
			}

			// Renaming b renames it inside both lists; deleting it is refused
			// while they hold it.
			if _, err := db.UpdateCustomFieldOption(ctx, tags.ID, d.Options[1].ID, roadmap.CustomFieldOptionInput{Value: roadmap.Some("beta")}); err != nil {
				t.Fatal(err)
			}
			for id, want := range map[int64]string{demo.Release2: `["beta","a"]`, demo.Release3: `["beta"]`} {
				r, err := db.Release(ctx, fmt.Sprint(id))
				if err != nil {
					t.Fatal(err)
				}
				if cf, _ := valueOf(r, "tags"); cf.Value != want {
					t.Errorf("release %d tags after the rename: %q, want %s", id, cf.Value, want)
				}
			}
			_, err = db.DeleteCustomFieldOption(ctx, tags.ID, d.Options[1].ID)
			e := wantCode(t, err, roadmap.EINVALID)
			if want := "2 records hold it"; !strings.Contains(e.Message, want) {
				t.Errorf("delete refused with %q, want it to say %q", e.Message, want)
			}
			if _, err := db.DeleteCustomFieldOption(ctx, tags.ID, d.Options[0].ID); err == nil {
				t.Errorf("deleting a, which PRJ1-R-2 holds, was accepted")
			}
			if _, err := db.DeleteCustomFieldOption(ctx, multi.ID, multi.Options[0].ID); err != nil {
				t.Errorf("deleting ui, which no value holds: %v", err)
			}
			_, err = db.DeleteCustomFieldOption(ctx, multi.ID, multi.Options[0].ID)
			wantCode(t, err, roadmap.ENOTFOUND)
			_, err = db.CreateCustomFieldOption(ctx, demo.ReleaseTextField, roadmap.CustomFieldOptionInput{Value: roadmap.Some("x")})
			wantCode(t, err, roadmap.EINVALID)
		})
	}
}

// TestIntegrationFieldsConcurrent checks that concurrent writes of one field
// name on one record leave one field, holding one of the values written.
func TestIntegrationFieldsConcurrent(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenFields(t, backend)
			rec := roadmap.RecordRef{Type: roadmap.RecordRelease, ID: demo.Release2}
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, errs[i] = db.SetIntegrationFields(ctx, rec, "jira", []roadmap.IntegrationFieldInput{{Name: "key", Value: fmt.Sprint("JRA-", i)}})
				}(i)
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
			}
			r, err := db.Release(ctx, fmt.Sprint(demo.Release2))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.IntegrationFields) != 1 || r.IntegrationFields[0].IntegrationID != demo.JiraPRJ1 {
				t.Fatalf("integration fields after %d concurrent writes: %+v, want one through %d", n, r.IntegrationFields, demo.JiraPRJ1)
			}
		})
	}
}

// TestRecordsWithFieldQueryCount checks that a page of releases found by an
// integration field value costs the same number of statements whatever its
// length.
func TestRecordsWithFieldQueryCount(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenFields(t, backend)
			mark := func(ids ...int64) {
				for _, id := range ids {
					if _, err := db.SetIntegrationFields(ctx, roadmap.RecordRef{Type: roadmap.RecordRelease, ID: id}, "jira", []roadmap.IntegrationFieldInput{{Name: "epic", Value: "E-1"}}); err != nil {
						t.Fatal(err)
					}
				}
			}
			count := func(full bool) (int64, int) {
				before := db.QueryCount()
				rels, total, err := db.ReleasesWithIntegrationField(ctx, roadmap.IntegrationFieldFilter{Name: "epic", Value: "E-1", Full: full, Page: roadmap.Page{Page: 1, PerPage: 30}})
				if err != nil || total != len(rels) {
					t.Fatalf("releases with epic E-1: %d of %d, %v", len(rels), total, err)
				}
				return db.QueryCount() - before, total
			}
			mark(demo.Release1)
			few, _ := count(true)
			mark(demo.Release2, demo.Release3, demo.SubRelease1, demo.RollUp1)
			many, total := count(true)
			if few != many || total != 5 {
				t.Errorf("a page of 1 costs %d statements, a page of %d costs %d", few, total, many)
			}
		})
	}
}

// TestFieldsMigrationKeepsValues checks that values written before custom
// field definitions existed get definitions when the store opens, so that
// they can still be written.
func TestFieldsMigrationKeepsValues(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			raw := rawDB(t, backend, dsn)
			migrateTo(ctx, t, backend, raw, 7)
			for _, q := range []string{
				"INSERT INTO users (id, name, email, created_at, updated_at) VALUES (1, 'U', 'u@example.com', 0, 0)",
				"INSERT INTO workflows (id, name, statusable_type) VALUES (2, 'W', 'Release')",
				"INSERT INTO workflow_statuses (id, workflow_id, name, position, color) VALUES (3, 2, 'New', 1, '#fff')",
				"INSERT INTO products (id, reference_prefix, name, workspace_type, release_workflow_id, created_at, updated_at) VALUES (4, 'P', 'P', 'product_workspace', 2, 0, 0)",
				"INSERT INTO releases (id, product_id, reference_num, name, external_date_resolution, progress_source, duration_source, theme_id, theme_body, theme_created_at, theme_updated_at, workflow_status_id, owner_id, created_by_id, created_at, updated_at) VALUES (5, 4, 'P-R-1', 'R', 'exact', 'progress_manual', 'duration_manual', 6, '', 0, 0, 3, 1, 1, 0, 0)",
				"INSERT INTO custom_field_values (id, release_id, key, name, type, value, created_at, updated_at) VALUES (7, 5, 'due', 'Due', 'date', '2019-01-01', 0, 0)",
				"INSERT INTO custom_field_values (id, release_id, key, name, type, value, created_at, updated_at) VALUES (8, 5, 'owner_note', 'Owner note', 'note', '<p>x</p>', 0, 0)",
			} {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db := mustOpen(t, dsn)
			defs, err := db.CustomFieldDefinitions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range defs {
				got[d.FieldableType+"."+d.Key+" "+d.Name] = d.Type
			}
			want := map[string]string{"Release.due Due": roadmap.FieldDate, "Release.owner_note Owner note": roadmap.FieldNote}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("definitions after the migration: %v, want %v", got, want)
			}
			if _, err := setValues(db, 5, "due", "2020-01-01"); err != nil {
				t.Errorf("writing a value of a migrated field: %v", err)
			}
			_, err = setValues(db, 5, "due", "soon")
			wantInvalid(t, err, "custom_fields")
		})
	}
}

// migrateTo applies the migrations of backend to raw up to version, as a
// database written by an older roadmapd would be, and returns the provider
// for migrating it further up or back down.
func migrateTo(ctx context.Context, t *testing.T, backend string, raw *sql.DB, version int64) *goose.Provider {
	t.Helper()
	dialect := goose.DialectPostgres
	if backend == "sqlite" {
		dialect = goose.DialectSQLite3
	}
	p, err := goose.NewProvider(dialect, raw, os.DirFS("migrations/"+backend))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatalf("migrating to %d: %v", version, err)
	}
	return p
}
