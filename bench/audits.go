package bench

import (
	"context"
	"fmt"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
)

// GenerateAudits seeds the demo account into the empty database at dsn and
// adds n audits with one INSERT ... SELECT: updates of releases, spread
// evenly over PRJ1 to PRJ4, a millisecond apart, the same shape the store
// writes.
func GenerateAudits(ctx context.Context, dsn string, n int) error {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		db.Close()
		return err
	}
	db.Close()
	raw, err := openRaw(dsn)
	if err != nil {
		return err
	}
	defer raw.Close()
	cols := fmt.Sprintf(`'update', %d, 1700000000000 + i, 'release', 1000000 + i, 'product',
		CASE i %% 4 WHEN 0 THEN %[2]d WHEN 1 THEN %[3]d WHEN 2 THEN %[4]d ELSE %[5]d END,
		CASE i %% 4 WHEN 0 THEN %[2]d WHEN 1 THEN %[3]d WHEN 2 THEN %[4]d ELSE %[5]d END,
		0, 'updated release R-' || i, '/releases/R-' || i, TRUE, '[{"f":"Name","o":"Old","n":"New"}]'`,
		demo.Mary, demo.PRJ1, demo.PRJ2, demo.PRJ3, demo.PRJ4)
	insert := `INSERT INTO audits (action, user_id, created_at, auditable_type, auditable_id, associated_type, associated_id,
		product_id, auditable_product_id, description, url_path, interesting, changes) `
	var q string
	if store.IsPostgres(dsn) {
		q = insert + "SELECT " + cols + " FROM generate_series(1, $1) AS g(i)"
	} else {
		q = "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) " + insert + "SELECT " + cols + " FROM s"
	}
	if _, err := raw.ExecContext(ctx, q, n); err != nil {
		return fmt.Errorf("generating audits: %w", err)
	}
	if store.IsPostgres(dsn) {
		_, err = raw.ExecContext(ctx, "ANALYZE audits")
	} else {
		_, err = raw.ExecContext(ctx, "ANALYZE")
	}
	return err
}
