// Package bench builds large accounts and measures roadmapd on them: a
// scale generator that fills one product with N releases, and the
// measurements that compare costs across account sizes and against a
// server of static bytes.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// Product is the demo product that Generate fills.
const Product = demo.PRJ1

// Few is how many generated releases match each selective filter: the
// name word RareWord, exclude_shipped, parking_lot=true and a recent
// updated_since. It stays the same whatever N, so that those lists have few
// matches at every size.
const Few = 5

// RareWord is the word in the names of Few generated releases.
const RareWord = "quokka"

// Account describes a generated account.
type Account struct {
	// N is the number of generated releases.
	N int
	// Template is the release created through the store that every
	// generated release copies.
	Template *roadmap.Release
	// Sample is the reference number of a generated release in the middle.
	Sample string
	// RecentSince is a time after which only the template and Few
	// generated releases were updated (milliseconds since the epoch).
	RecentSince int64
}

// Generate seeds the demo account into the empty store at dsn, creates one
// release in Product through the store's write path, and copies it n times
// with one INSERT ... SELECT, varying what a list orders, filters and
// searches by. Of the copies, all but a few are shipped, are not in the
// parking lot and were updated a month before the template; the product's
// release numbering is advanced past them, so that later creates go on
// from there.
func Generate(ctx context.Context, dsn string, n int) (*Account, error) {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		return nil, err
	}
	tmpl, err := db.CreateRelease(ctx, Product, demo.Mary, roadmap.ReleaseInput{
		Name:      roadmap.Some("Template release"),
		StartDate: roadmap.Some("2026-01-05"), ReleaseDate: roadmap.Some("2026-03-30"),
	})
	if err != nil {
		return nil, fmt.Errorf("creating the template release: %w", err)
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	raw, err := openRaw(dsn)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	cols, err := tableColumns(ctx, raw, "releases")
	if err != nil {
		return nil, err
	}
	var complete int64
	if err := raw.QueryRowContext(ctx, fmt.Sprintf(`SELECT s.id FROM workflow_statuses s JOIN products p ON p.release_workflow_id = s.workflow_id
 WHERE p.id = %d AND s.complete = TRUE ORDER BY s.position LIMIT 1`, Product)).Scan(&complete); err != nil {
		return nil, fmt.Errorf("finding a shipped status: %w", err)
	}
	var seq int64
	var prefix string
	if err := raw.QueryRowContext(ctx, fmt.Sprintf("SELECT release_seq, reference_prefix FROM products WHERE id = %d", Product)).Scan(&seq, &prefix); err != nil {
		return nil, err
	}
	step := n / Few
	if step < 1 {
		step = 1
	}
	const month = int64(30 * 24 * 3600 * 1000)
	vary := map[string]string{
		"id":                 "t.id + k",
		"reference_num":      fmt.Sprintf("'%s-R-' || (%d + k)", prefix, seq),
		"name":               fmt.Sprintf("'Bulk release ' || k || CASE WHEN k %% %d = 0 THEN ' %s' ELSE '' END", step, RareWord),
		"name_fold":          fmt.Sprintf("'bulk release ' || k || CASE WHEN k %% %d = 0 THEN ' %s' ELSE '' END", step, RareWord),
		"position":           "t.position + k",
		"workflow_status_id": fmt.Sprintf("CASE WHEN (k + 1) %% %d = 0 THEN t.workflow_status_id ELSE %d END", step, complete),
		"parking_lot":        fmt.Sprintf("(k + 2) %% %d = 0", step),
		"updated_at":         fmt.Sprintf("CASE WHEN (k + 3) %% %d = 0 THEN t.updated_at ELSE t.updated_at - %d + k END", step, month),
		"created_at":         fmt.Sprintf("t.created_at - %d + k", month),
		"theme_id":           "t.theme_id + k",
	}
	var exprs []string
	for _, c := range cols {
		if e, ok := vary[c]; ok {
			exprs = append(exprs, e)
		} else {
			exprs = append(exprs, "t."+c)
		}
	}
	q := series(n) + fmt.Sprintf("INSERT INTO releases (%s) SELECT %s FROM releases t, s WHERE t.id = %d",
		strings.Join(cols, ", "), strings.Join(exprs, ", "), tmpl.ID)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return nil, fmt.Errorf("copying the template release: %w", err)
	}
	// The template's watchers watch every copy.
	if _, err := tx.ExecContext(ctx, series(n)+fmt.Sprintf("INSERT INTO release_watchers (release_id, user_id) SELECT w.release_id + k, w.user_id FROM release_watchers w, s WHERE w.release_id = %d", tmpl.ID)); err != nil {
		return nil, fmt.Errorf("copying the template's watchers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE products SET release_seq = release_seq + %d WHERE id = %d", n, Product)); err != nil {
		return nil, err
	}
	if err := finishCopies(ctx, raw, tx, dsn, "releases"); err != nil {
		return nil, err
	}
	return &Account{
		N: n, Template: tmpl,
		Sample:      roadmap.ReleaseReference(prefix, false, seq+int64(n/2)+1),
		RecentSince: tmpl.UpdatedAt.UnixMilli() - 3600*1000,
	}, nil
}

// openRaw opens the database at dsn without the store.
func openRaw(dsn string) (*sql.DB, error) {
	if store.IsPostgres(dsn) {
		return sql.Open("pgx", dsn)
	}
	return sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
}
