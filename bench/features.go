package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// RareTag is the tag of Few generated features.
const RareTag = "quokka-tag"

// FeatureAccount describes the features GenerateFeatures added to an
// account.
type FeatureAccount struct {
	// N is the number of generated features.
	N int
	// Template is the feature created through the store that every
	// generated feature copies.
	Template *roadmap.Feature
	// Sample is the reference number of a generated feature in the middle.
	Sample string
	// RecentSince is a time after which only the template and Few
	// generated features were updated (milliseconds since the epoch).
	RecentSince int64
}

// GenerateFeatures creates one feature in the template release of acc
// through the store's write path, and copies it n times into the same
// release with one INSERT ... SELECT (the triggers of the features table
// keep its search index and counts), varying what the feature lists order,
// filter and search by. Few copies have RareWord in their names, Few the
// tag RareTag, Few are assigned to demo.Henry (the others to nobody) and
// Few were updated with the template; the others a month before. The
// product's feature numbering is advanced past the copies.
func GenerateFeatures(ctx context.Context, dsn string, acc *Account, n int) (*FeatureAccount, error) {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tmpl, err := db.CreateFeature(ctx, acc.Template.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Template feature")})
	if err != nil {
		return nil, fmt.Errorf("creating the template feature: %w", err)
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	raw, err := openRaw(dsn)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	cols, err := tableColumns(ctx, raw, "features")
	if err != nil {
		return nil, err
	}
	var seq int64
	var prefix string
	if err := raw.QueryRowContext(ctx, fmt.Sprintf("SELECT feature_seq, reference_prefix FROM products WHERE id = %d", Product)).Scan(&seq, &prefix); err != nil {
		return nil, err
	}
	step := max(n/Few, 1)
	const month = int64(30 * 24 * 3600 * 1000)
	vary := map[string]string{
		"id":                  "t.id + k",
		"reference_num":       fmt.Sprintf("'%s-' || (%d + k)", prefix, seq),
		"name":                fmt.Sprintf("'Bulk feature ' || k || CASE WHEN k %% %d = 0 THEN ' %s' ELSE '' END", step, RareWord),
		"name_fold":           fmt.Sprintf("'bulk feature ' || k || CASE WHEN k %% %d = 0 THEN ' %s' ELSE '' END", step, RareWord),
		"position":            "t.position + k",
		"assigned_to_user_id": fmt.Sprintf("CASE WHEN (k + 1) %% %d = 0 THEN %d ELSE NULL END", step, demo.Henry),
		"default_assignee":    "FALSE",
		"updated_at":          fmt.Sprintf("CASE WHEN (k + 3) %% %d = 0 THEN t.updated_at ELSE t.updated_at - %d + k END", step, month),
		"created_at":          fmt.Sprintf("t.created_at - %d + k", month),
		"description_id":      "t.description_id + k",
	}
	var exprs []string
	for _, c := range cols {
		if e, ok := vary[c]; ok {
			exprs = append(exprs, e)
		} else {
			exprs = append(exprs, "t."+c)
		}
	}
	over := series(n)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, over+fmt.Sprintf("INSERT INTO features (%s) SELECT %s FROM features t, s WHERE t.id = %d",
		strings.Join(cols, ", "), strings.Join(exprs, ", "), tmpl.ID)); err != nil {
		return nil, fmt.Errorf("copying the template feature: %w", err)
	}
	if _, err := tx.ExecContext(ctx, over+fmt.Sprintf(`INSERT INTO feature_tags (id, feature_id, name, color, position)
 SELECT %d + k, %d + k, '%s', '#999999', 0 FROM s WHERE (k + 2) %% %d = 0`, tmpl.ID, tmpl.ID, RareTag, step)); err != nil {
		return nil, fmt.Errorf("tagging features: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE products SET feature_seq = feature_seq + %d WHERE id = %d", n, Product)); err != nil {
		return nil, err
	}
	if err := finishCopies(ctx, raw, tx, dsn, "features", "feature_tags"); err != nil {
		return nil, err
	}
	return &FeatureAccount{
		N: n, Template: tmpl,
		Sample:      roadmap.FeatureReference(prefix, seq+int64(n/2)+1),
		RecentSince: tmpl.UpdatedAt.UnixMilli() - 3600*1000,
	}, nil
}

// tableColumns lists the columns of a table, as the migrations made it.
func tableColumns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	q := "SELECT name FROM pragma_table_info(?) ORDER BY cid"
	if _, err := db.ExecContext(ctx, "SELECT version()"); err == nil {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
	}
	rows, err := db.QueryContext(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}
