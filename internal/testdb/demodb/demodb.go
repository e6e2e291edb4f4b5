// Package demodb gives tests a fresh database of each backend loaded with
// the demo account, or with another seed: the seed is loaded once per test
// binary into a template (see testdb.Template), and each test gets a copy.
//
// A copy holds the same rows as a store opened on testdb.DSN and seeded in
// the test, with the same IDs, reference numbers, positions and counters;
// only the times that the store stamps on seeded rows (an API token's
// creation, say) are those of the template's seeding, earlier in the run.
package demodb

import (
	"context"
	"errors"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// demoTemplate is the demo account's template.
var demoTemplate = NewTemplate("demo", demo.Account, nil)

// DSN returns the address of a fresh database of the backend holding the
// demo account and nothing else, removed when the test ends. It skips or
// fails the test as testdb.DSN does.
func DSN(t testing.TB, backend string) string {
	t.Helper()
	return demoTemplate.DSN(t, backend)
}

// NewTemplate returns a template (see testdb.NewTemplate) holding the
// records of seed(), which store.Seed loads into the empty migrated
// database, and then whatever then (when not nil) writes through the same
// store. name tells the package's templates apart.
func NewTemplate(name string, seed func() *roadmap.Seed, then func(ctx context.Context, db *store.DB) error) *testdb.Template {
	return testdb.NewTemplate(name, func(ctx context.Context, backend, dsn string) error {
		return Seed(ctx, dsn, seed(), then)
	})
}

// Seed opens the store at dsn, loads s into it, which must be empty, runs
// then (when not nil) on it, and closes it.
func Seed(ctx context.Context, dsn string, s *roadmap.Seed, then func(ctx context.Context, db *store.DB) error) error {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	loaded, err := db.Seed(ctx, s)
	if err == nil && !loaded {
		err = errors.New("seeding: the new database is not empty")
	}
	if err == nil && then != nil {
		err = then(ctx, db)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}
