package store

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// A roll-up release is a row of releases with master_release set. Releases
// of its own product may always sit under it; release_projects lists the
// other products whose releases it collects.

// RollUp returns a roll-up release by numeric ID or reference number, loaded
// for its full representation, with the collected products that the user
// visibleTo may see (all of them for 0).
func (db *DB) RollUp(ctx context.Context, key string, visibleTo int64) (*roadmap.RollUp, error) {
	ru, err := loadRollUp(ctx, db.reader(), key, visibleTo)
	return ru, db.wrap(err)
}

func loadRollUp(ctx context.Context, c conn, key string, visibleTo int64) (*roadmap.RollUp, error) {
	cond, arg := keyClause("r.id", "r.reference_num", key)
	r, err := scanRelease(c.queryRow(ctx, releaseSelect+" WHERE r.master_release = ? AND "+cond, true, arg))
	if err != nil {
		return nil, scanErr(err, "roll-up release", key)
	}
	ru := &roadmap.RollUp{Release: *r}
	if err := loadRollUpRelations(ctx, c, []*roadmap.RollUp{ru}, true, visibleTo); err != nil {
		return nil, err
	}
	return ru, nil
}

// RollUps returns a page of a product's roll-up releases and the total
// number there are.
func (db *DB) RollUps(ctx context.Context, f roadmap.RollUpFilter) ([]*roadmap.RollUp, int, error) {
	c := db.reader()
	page := rollUpPage(f.Page)
	where := " WHERE r.product_id = ? AND r.master_release = ?"
	args := []any{f.ProductID, true}
	q := strings.Replace(releaseSelect, "SELECT ", "SELECT COUNT(*) OVER (), ", 1) + where + " ORDER BY r.id LIMIT ? OFFSET ?"
	rows, err := c.query(ctx, q, append(args, page.PerPage, page.Offset())...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	defer rows.Close()
	var out []*roadmap.RollUp
	total := 0
	for rows.Next() {
		r, err := scanReleaseCounted(rows, &total)
		if err != nil {
			return nil, 0, db.wrap(err)
		}
		out = append(out, &roadmap.RollUp{Release: *r})
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if len(out) == 0 && page.Offset() > 0 {
		// A page past the end has no row to carry the count.
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM releases r"+where, args...).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	if err := loadRollUpRelations(ctx, c, out, f.Full, f.VisibleTo); err != nil {
		return nil, 0, db.wrap(err)
	}
	return out, total, nil
}

// rollUpPage fills in the defaults of a page.
func rollUpPage(p roadmap.Page) roadmap.Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.PerPage < 1 {
		p.PerPage = roadmap.DefaultPerPage
	}
	return p
}

// loadRollUpRelations loads the release relations and the collected
// products of a page of roll-ups, with one query per kind.
func loadRollUpRelations(ctx context.Context, c conn, rus []*roadmap.RollUp, full bool, visibleTo int64) error {
	if len(rus) == 0 {
		return nil
	}
	rels := make([]*roadmap.Release, len(rus))
	byID := make(map[int64]*roadmap.RollUp, len(rus))
	ids := make([]int64, len(rus))
	for i, ru := range rus {
		rels[i] = &ru.Release
		byID[ru.ID] = ru
		ids[i] = ru.ID
	}
	if err := loadRelations(ctx, c, rels, full); err != nil {
		return err
	}
	q := "SELECT rp.release_id, " + productCols + " FROM release_projects rp JOIN products p ON p.id = rp.product_id WHERE rp.release_id IN (" + placeholders(len(ids)) + ")"
	args := int64Args(ids)
	if visibleTo != 0 {
		q += " AND rp.product_id IN (" + visibleProducts + ")"
		args = append(args, visibleTo, visibleTo)
	}
	rows, err := c.query(ctx, q+" ORDER BY rp.release_id, p.id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var rid int64
		var p roadmap.Product
		if err := scanProduct(prefixed{rows, &rid}, &p); err != nil {
			rows.Close()
			return err
		}
		byID[rid].Projects = append(byID[rid].Projects, p)
	}
	return closeRows(rows)
}

// CreateRollUp creates a roll-up release in a product on behalf of a user.
func (db *DB) CreateRollUp(ctx context.Context, productID, userID int64, in roadmap.RollUpInput) (*roadmap.RollUp, error) {
	var out *roadmap.RollUp
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		r := &roadmap.Release{
			ProductID:      productID,
			MasterRelease:  true,
			ProgressSource: roadmap.DefaultProgressSource,
			Progress:       new(int),
			DurationSource: roadmap.DurationManual,
			OwnerID:        userID,
			CreatedByID:    userID,
			Theme:          roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now},
			CreatedAt:      tx.now,
			UpdatedAt:      tx.now,
		}
		if err := roadmap.ApplyReleaseInput(r, in.ReleaseInput, true, tx.now); err != nil {
			return err
		}
		roadmap.DefaultRollUpStart(r, in.ReleaseInput, tx.now)
		links, err := resolveLinks(ctx, c, r, in.ReleaseInput)
		if err != nil {
			return err
		}
		status, err := releaseStatus(ctx, c, productID, "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		var projects []int64
		if in.Projects.Set {
			if projects, err = checkProjects(ctx, c, productID, in.Projects.V); err != nil {
				return err
			}
		}
		if err := tx.numberRelease(ctx, r); err != nil {
			return err
		}
		r.ID = tx.db.ids.next(tx.now)
		roadmap.ApplyStatus(r, *status, tx.now)
		if err := tx.insertRelease(ctx, r); err != nil {
			return err
		}
		tx.create(r.ID)
		if err := tx.insertStatusTime(ctx, r.ID, r.StatusTimes[len(r.StatusTimes)-1]); err != nil {
			return err
		}
		watchers := []int64{r.CreatedByID, r.OwnerID}
		if links.watchers != nil {
			watchers = append(watchers, links.watchers...)
		}
		if err := tx.setLinks(ctx, r.ID, links.goals, links.initiatives, watchers, in.ReleaseInput.VisibleTo); err != nil {
			return err
		}
		if err := tx.insertProjects(ctx, r.ID, projects); err != nil {
			return err
		}
		if err := tx.recomputeRollUps(ctx, r.ParentID); err != nil {
			return err
		}
		out, err = loadRollUp(ctx, c, strconv.FormatInt(r.ID, 10), 0)
		return err
	})
	return out, err
}

// UpdateRollUp changes a roll-up release. Releases of products that leave
// its set are detached from it.
func (db *DB) UpdateRollUp(ctx context.Context, id int64, in roadmap.RollUpInput) (*roadmap.RollUp, error) {
	var out *roadmap.RollUp
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var projects []int64
		check := func(r *roadmap.Release) error {
			if !r.MasterRelease {
				return notFound("roll-up release", strconv.FormatInt(id, 10))
			}
			if !in.Projects.Set {
				return nil
			}
			var err error
			projects, err = checkProjects(ctx, c, r.ProductID, in.Projects.V)
			return err
		}
		then := func(r *roadmap.Release) error {
			if !in.Projects.Set {
				return nil
			}
			return tx.replaceProjects(ctx, r.ID, projects, in.VisibleTo)
		}
		r, err := tx.changeRelease(ctx, id, in.ReleaseInput, check, then)
		if err != nil {
			return err
		}
		out, err = loadRollUp(ctx, c, strconv.FormatInt(r.ID, 10), in.VisibleTo)
		return err
	})
	return out, err
}

// checkProjects checks that the products a roll-up of product own is to
// collect exist, and returns them without duplicates and without own, whose
// releases a roll-up always accepts.
func checkProjects(ctx context.Context, c conn, own int64, ids []int64) ([]int64, error) {
	out := []int64{}
	for _, id := range ids {
		if id != own && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT id FROM products WHERE id IN ("+placeholders(len(out))+")", int64Args(out)...)
	if err != nil {
		return nil, err
	}
	found := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		found[id] = true
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	for _, id := range out {
		if !found[id] {
			return nil, roadmap.FieldErrorf("project_ids", "project_ids: no product %d", id)
		}
	}
	return out, nil
}

func (tx *Tx) insertProjects(ctx context.Context, releaseID int64, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.conn().exec(ctx, "INSERT INTO release_projects (release_id, product_id) VALUES (?, ?)", releaseID, id); err != nil {
			return err
		}
	}
	return nil
}

// replaceProjects replaces the products a roll-up collects with ids, except
// for those the user visibleTo may not see (when not 0), which stay. The
// releases of products that leave the set are detached from the roll-up.
func (tx *Tx) replaceProjects(ctx context.Context, rollUpID int64, ids []int64, visibleTo int64) error {
	c := tx.conn()
	vis, visArgs := visibleProductClause("product_id", visibleTo)
	if _, err := c.exec(ctx, "DELETE FROM release_projects WHERE release_id = ?"+vis, append([]any{rollUpID}, visArgs...)...); err != nil {
		return err
	}
	var kept []int64
	rows, err := c.query(ctx, "SELECT product_id FROM release_projects WHERE release_id = ?", rollUpID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		kept = append(kept, id)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	var add []int64
	for _, id := range ids {
		if !slices.Contains(kept, id) {
			add = append(add, id)
		}
	}
	if err := tx.insertProjects(ctx, rollUpID, add); err != nil {
		return err
	}
	_, err = c.exec(ctx, `UPDATE releases SET parent_id = NULL, updated_at = ? WHERE parent_id = ?
 AND product_id <> (SELECT product_id FROM releases WHERE id = ?)
 AND product_id NOT IN (SELECT product_id FROM release_projects WHERE release_id = ?)`,
		ms(tx.now), rollUpID, rollUpID, rollUpID)
	return err
}

// rollUpAccepts reports whether releases of a product may sit under a
// roll-up release: those of the roll-up's own product, and of the products
// it collects. It reports false when rollUpID is not a roll-up release.
func rollUpAccepts(ctx context.Context, c conn, rollUpID, productID int64) (bool, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM releases r WHERE r.id = ? AND r.master_release = ?
 AND (r.product_id = ? OR EXISTS (SELECT 1 FROM release_projects rp WHERE rp.release_id = r.id AND rp.product_id = ?))`,
		rollUpID, true, productID, productID).Scan(&n)
	if err != nil {
		return false, err
	}
	return n > 0, nil
}
