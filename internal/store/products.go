package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// productDetailSelect reads a product for its full representation, with the
// compact form of its release, goal, initiative and key result workflows.
const productDetailSelect = "SELECT " + productCols + `, COALESCE(p.product_line_type, ''),
 p.description_id, COALESCE(p.description_body, ''), COALESCE(p.description_created_at, p.created_at), COALESCE(p.description_updated_at, p.created_at),
 p.epics_enabled,
 COALESCE(rw.id, 0), COALESCE(rw.name, ''), COALESCE(rw.statusable_type, ''), COALESCE(rw.transitions_only, FALSE),
 COALESCE(gw.id, 0), COALESCE(gw.name, ''), COALESCE(gw.statusable_type, ''), COALESCE(gw.transitions_only, FALSE),
 COALESCE(iw.id, 0), COALESCE(iw.name, ''), COALESCE(iw.statusable_type, ''), COALESCE(iw.transitions_only, FALSE),
 COALESCE(kw.id, 0), COALESCE(kw.name, ''), COALESCE(kw.statusable_type, ''), COALESCE(kw.transitions_only, FALSE)
 FROM products p
 LEFT JOIN workflows rw ON rw.id = p.release_workflow_id
 LEFT JOIN workflows gw ON gw.id = p.goal_workflow_id
 LEFT JOIN workflows iw ON iw.id = p.initiative_workflow_id
 LEFT JOIN workflows kw ON kw.id = p.key_result_workflow_id`

func scanProductDetail(sc interface{ Scan(...any) error }) (*roadmap.ProductDetail, error) {
	var d roadmap.ProductDetail
	var created, updated, dc, du int64
	var descID sql.NullInt64
	var wf [4]roadmap.Workflow
	err := sc.Scan(&d.ID, &d.ReferencePrefix, &d.Name, &d.ProductLine, &d.WorkspaceType, &d.ParentID, &created, &updated,
		&d.ProductLineType, &descID, &d.Description.Body, &dc, &du, &d.EpicsEnabled,
		&wf[0].ID, &wf[0].Name, &wf[0].StatusableType, &wf[0].TransitionsOnly,
		&wf[1].ID, &wf[1].Name, &wf[1].StatusableType, &wf[1].TransitionsOnly,
		&wf[2].ID, &wf[2].Name, &wf[2].StatusableType, &wf[2].TransitionsOnly,
		&wf[3].ID, &wf[3].Name, &wf[3].StatusableType, &wf[3].TransitionsOnly)
	if err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	d.Description.ID = descID.Int64
	d.Description.CreatedAt, d.Description.UpdatedAt = fromMS(dc), fromMS(du)
	dst := []**roadmap.Workflow{&d.ReleaseWorkflow, &d.GoalWorkflow, &d.InitiativeWorkflow, &d.KeyResultWorkflow}
	for i := range wf {
		if wf[i].ID != 0 {
			w := wf[i]
			*dst[i] = &w
		}
	}
	return &d, nil
}

// ProductDetail returns a product by numeric ID or reference prefix, loaded
// for its full representation. visibleTo, when not 0, limits the product's
// children to those that user may see.
func (db *DB) ProductDetail(ctx context.Context, key string, visibleTo int64) (*roadmap.ProductDetail, error) {
	d, err := loadProductDetail(ctx, db.reader(), key, visibleTo)
	return d, db.wrap(err)
}

func loadProductDetail(ctx context.Context, c conn, key string, visibleTo int64) (*roadmap.ProductDetail, error) {
	cond, arg := keyClause("p.id", "p.reference_prefix", key)
	d, err := scanProductDetail(c.queryRow(ctx, productDetailSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "product", key)
	}
	if d.ParentID != 0 {
		var parent roadmap.Product
		err := scanProduct(c.queryRow(ctx, "SELECT "+productCols+" FROM products p WHERE p.id = ?", d.ParentID), &parent)
		if err != nil {
			return nil, err
		}
		d.Parent = &parent
	}
	if d.ProductLine {
		q := "SELECT " + productCols + " FROM products p WHERE p.parent_id = ?"
		args := []any{d.ID}
		if visibleTo != 0 {
			q += " AND p.id IN (" + visibleProducts + ")"
			args = append(args, visibleTo, visibleTo)
		}
		rows, err := c.query(ctx, q+" ORDER BY p.id", args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		d.Children = []roadmap.Product{}
		for rows.Next() {
			var p roadmap.Product
			if err := scanProduct(rows, &p); err != nil {
				return nil, err
			}
			d.Children = append(d.Children, p)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Products returns a page of products, by ID, and the total number that match.
func (db *DB) Products(ctx context.Context, f roadmap.ProductFilter) ([]*roadmap.Product, int, error) {
	ps, total, err := listProducts(ctx, db.reader(), f)
	return ps, total, db.wrap(err)
}

func listProducts(ctx context.Context, c conn, f roadmap.ProductFilter) ([]*roadmap.Product, int, error) {
	var where []string
	var args []any
	if f.UpdatedSince != nil {
		where, args = append(where, "p.updated_at > ?"), append(args, ms(*f.UpdatedSince))
	}
	if f.ProductLine != nil {
		where, args = append(where, "p.product_line = ?"), append(args, *f.ProductLine)
	}
	if f.VisibleTo != 0 {
		where, args = append(where, "p.id IN ("+visibleProducts+")"), append(args, f.VisibleTo, f.VisibleTo)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := normalPage(f.Page)
	rows, err := c.query(ctx, "SELECT COUNT(*) OVER (), "+productCols+" FROM products p"+cond+" ORDER BY p.id LIMIT ? OFFSET ?",
		append(args, page.PerPage, page.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*roadmap.Product{}
	total := 0
	for rows.Next() {
		var p roadmap.Product
		if err := scanProduct(countedRow{rows, &total}, &p); err != nil {
			return nil, 0, err
		}
		out = append(out, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if len(out) == 0 && page.Offset() > 0 {
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM products p"+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// normalPage fills in the defaults of a page that was left unset.
func normalPage(p roadmap.Page) roadmap.Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.PerPage < 1 {
		p.PerPage = roadmap.DefaultPerPage
	}
	return p
}

// CreateProduct creates a product or product line with its own release,
// goal, initiative and feature workflows. When owner is true, the creator becomes the new
// product's owner.
func (db *DB) CreateProduct(ctx context.Context, creatorID int64, owner bool, in roadmap.ProductInput) (*roadmap.ProductDetail, error) {
	var out *roadmap.ProductDetail
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if !in.Name.Set || in.Name.Null {
			return roadmap.FieldErrorf("name", "name can't be blank")
		}
		name, err := roadmap.ValidateName("name", in.Name.V)
		if err != nil {
			return err
		}
		if !in.ReferencePrefix.Set || in.ReferencePrefix.Null {
			return roadmap.FieldErrorf("reference_prefix", "reference_prefix can't be blank")
		}
		prefix, err := roadmap.ValidatePrefix("reference_prefix", in.ReferencePrefix.V)
		if err != nil {
			return err
		}
		if err := prefixFree(ctx, c, prefix, 0); err != nil {
			return err
		}
		p := roadmap.ProductDetail{Product: roadmap.Product{
			ID: tx.db.ids.next(tx.now), ReferencePrefix: prefix, Name: name,
			WorkspaceType: roadmap.DefaultWorkspaceType, CreatedAt: tx.now, UpdatedAt: tx.now,
		}, EpicsEnabled: true}
		p.Description = roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now}
		p.ProductLine = in.ProductLine.Set && !in.ProductLine.Null && in.ProductLine.V
		if err := applyProductInput(ctx, c, &p, in); err != nil {
			return err
		}
		if p.ProductLine && p.ProductLineType == "" {
			return roadmap.FieldErrorf("product_line_type", "product_line_type can't be blank for a product line")
		}
		wfs, err := tx.createWorkflows(ctx, roadmap.DefaultProductWorkflows())
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `INSERT INTO products (id, reference_prefix, name, product_line, workspace_type, parent_id,
 release_workflow_id, goal_workflow_id, initiative_workflow_id, feature_workflow_id, release_seq, rollup_seq, created_at, updated_at,
 description_id, description_body, description_created_at, description_updated_at, product_line_type, epics_enabled)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.ReferencePrefix, p.Name, p.ProductLine, p.WorkspaceType, nullID(p.ParentID),
			wfs[0].ID, wfs[1].ID, wfs[2].ID, wfs[3].ID, ms(tx.now), ms(tx.now),
			p.Description.ID, p.Description.Body, ms(p.Description.CreatedAt), ms(p.Description.UpdatedAt), nullStr(p.ProductLineType), p.EpicsEnabled)
		if violatesUnique(err) {
			return roadmap.FieldErrorf("reference_prefix", "reference_prefix %s is already taken", prefix)
		}
		if err != nil {
			return err
		}
		if owner {
			if err := tx.setRole(ctx, creatorID, p.ID, roadmap.RoleOwner); err != nil {
				return err
			}
		}
		out, err = loadProductDetail(ctx, c, strconv.FormatInt(p.ID, 10), 0)
		return err
	})
	return out, err
}

// UpdateProduct changes a product. Its reference prefix may change only while
// it holds no releases, goals or initiatives, whose reference numbers carry
// it; a product never becomes a product line or the reverse.
func (db *DB) UpdateProduct(ctx context.Context, id int64, in roadmap.ProductInput) (*roadmap.ProductDetail, error) {
	var out *roadmap.ProductDetail
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		key := strconv.FormatInt(id, 10)
		var locked int64
		if err := c.queryRow(ctx, "SELECT id FROM products WHERE id = ?"+tx.db.dialect.forUpdate(), id).Scan(&locked); err != nil {
			return scanErr(err, "product", key)
		}
		p, err := scanProductDetail(c.queryRow(ctx, productDetailSelect+" WHERE p.id = ?", id))
		if err != nil {
			return err
		}
		before := *p
		if in.Name.Set {
			if in.Name.Null {
				return roadmap.FieldErrorf("name", "name can't be blank")
			}
			if p.Name, err = roadmap.ValidateName("name", in.Name.V); err != nil {
				return err
			}
		}
		if in.ProductLine.Set && !in.ProductLine.Null && in.ProductLine.V != p.ProductLine {
			return roadmap.FieldErrorf("product_line", "a product can't become a product line, nor a product line a product")
		}
		if in.ReferencePrefix.Set {
			if in.ReferencePrefix.Null {
				return roadmap.FieldErrorf("reference_prefix", "reference_prefix can't be blank")
			}
			prefix, err := roadmap.ValidatePrefix("reference_prefix", in.ReferencePrefix.V)
			if err != nil {
				return err
			}
			if prefix != p.ReferencePrefix {
				if err := prefixChangeable(ctx, c, p.ID); err != nil {
					return err
				}
				if err := prefixFree(ctx, c, prefix, p.ID); err != nil {
					return err
				}
				p.ReferencePrefix = prefix
			}
		}
		if in.Description.Set && p.Description.ID == 0 {
			p.Description = roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now}
		}
		if err := applyProductInput(ctx, c, p, in); err != nil {
			return err
		}
		if in.Description.Set && p.Description.Body != before.Description.Body {
			p.Description.UpdatedAt = tx.now
		}
		if p.ProductLine && p.ProductLineType == "" && in.ProductLineType.Set {
			return roadmap.FieldErrorf("product_line_type", "product_line_type can't be blank for a product line")
		}
		descID := any(nil)
		if p.Description.ID != 0 {
			descID = p.Description.ID
		}
		_, err = c.exec(ctx, `UPDATE products SET reference_prefix = ?, name = ?, workspace_type = ?, parent_id = ?,
 description_id = ?, description_body = ?, description_created_at = ?, description_updated_at = ?,
 product_line_type = ?, epics_enabled = ?, updated_at = ? WHERE id = ?`,
			p.ReferencePrefix, p.Name, p.WorkspaceType, nullID(p.ParentID),
			descID, p.Description.Body, ms(p.Description.CreatedAt), ms(p.Description.UpdatedAt),
			nullStr(p.ProductLineType), p.EpicsEnabled, ms(tx.now), p.ID)
		if violatesUnique(err) {
			return roadmap.FieldErrorf("reference_prefix", "reference_prefix %s is already taken", p.ReferencePrefix)
		}
		if err != nil {
			return err
		}
		out, err = loadProductDetail(ctx, c, key, 0)
		return err
	})
	return out, err
}

// applyProductInput applies the fields that create and update share:
// description, parent, workspace type, product line type and epics.
func applyProductInput(ctx context.Context, c conn, p *roadmap.ProductDetail, in roadmap.ProductInput) error {
	if in.Description.Set {
		body := ""
		if !in.Description.Null {
			body = in.Description.V
		}
		if len(body) > roadmap.MaxDescriptionLength {
			return roadmap.FieldErrorf("description", "description is too long (maximum is %d bytes)", roadmap.MaxDescriptionLength)
		}
		p.Description.Body = body
	}
	if in.ParentID.Set {
		if in.ParentID.Null || strings.TrimSpace(in.ParentID.V) == "" {
			p.ParentID = 0
		} else {
			parent, err := resolveProductLine(ctx, c, p.ID, in.ParentID.V)
			if err != nil {
				return err
			}
			p.ParentID = parent
		}
	}
	if in.WorkspaceType.Set && !in.WorkspaceType.Null {
		t, err := roadmap.ValidateWorkspaceType(in.WorkspaceType.V)
		if err != nil {
			return err
		}
		p.WorkspaceType = t
	}
	if in.ProductLineType.Set {
		t := ""
		if !in.ProductLineType.Null {
			t = strings.TrimSpace(in.ProductLineType.V)
		}
		if t != "" && !p.ProductLine {
			return roadmap.FieldErrorf("product_line_type", "product_line_type is only for product lines")
		}
		if len(t) > roadmap.MaxNameLength {
			return roadmap.FieldErrorf("product_line_type", "product_line_type is too long (maximum is %d characters)", roadmap.MaxNameLength)
		}
		p.ProductLineType = t
	}
	if in.EpicsEnabled.Set && !in.EpicsEnabled.Null {
		p.EpicsEnabled = in.EpicsEnabled.V
	}
	return nil
}

// maxProductDepth bounds walks up the product line hierarchy.
const maxProductDepth = 64

// resolveProductLine finds the product line that ref (a numeric ID or a
// prefix) names, as the parent of product id (0 for a new product): it must
// be a product line and must not be the product itself or under it.
func resolveProductLine(ctx context.Context, c conn, id int64, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	cond, arg := keyClause("p.id", "p.reference_prefix", ref)
	var line roadmap.Product
	err := scanProduct(c.queryRow(ctx, "SELECT "+productCols+" FROM products p WHERE "+cond, arg), &line)
	if isNoRows(err) {
		return 0, roadmap.FieldErrorf("parent_id", "parent_id: no product line %q", ref)
	}
	if err != nil {
		return 0, err
	}
	if !line.ProductLine {
		return 0, roadmap.FieldErrorf("parent_id", "parent_id: %s is a product, not a product line", line.ReferencePrefix)
	}
	cur := line.ID
	for depth := 0; cur != 0 && id != 0; depth++ {
		if cur == id || depth > maxProductDepth {
			return 0, roadmap.FieldErrorf("parent_id", "parent_id: %s is under this product line; a product line can't be under itself", line.ReferencePrefix)
		}
		var next sql.NullInt64
		if err := c.queryRow(ctx, "SELECT parent_id FROM products WHERE id = ?", cur).Scan(&next); err != nil {
			return 0, err
		}
		cur = next.Int64
	}
	return line.ID, nil
}

// prefixFree checks that no product but except uses prefix, in any case.
func prefixFree(ctx context.Context, c conn, prefix string, except int64) error {
	var n int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM products WHERE upper(reference_prefix) = ? AND id <> ?", prefix, except).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return roadmap.FieldErrorf("reference_prefix", "reference_prefix %s is already taken", prefix)
	}
	return nil
}

// prefixChangeable checks that a product holds no records whose reference
// numbers carry its prefix.
func prefixChangeable(ctx context.Context, c conn, id int64) error {
	var n int
	err := c.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM releases WHERE product_id = ?)
 + (SELECT COUNT(*) FROM goals WHERE product_id = ?) + (SELECT COUNT(*) FROM initiatives WHERE product_id = ?)`, id, id, id).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return roadmap.FieldErrorf("reference_prefix", "reference_prefix can't change: the reference numbers of the product's %d records carry it", n)
	}
	return nil
}

// violatesUnique reports whether err is a unique constraint violation, the
// sign that a concurrent write took the same key first.
func violatesUnique(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// countedRow scans a row that starts with COUNT(*) OVER () into n and the
// rest into the destinations given.
type countedRow struct {
	rows *sql.Rows
	n    *int
}

func (c countedRow) Scan(dest ...any) error {
	return c.rows.Scan(append([]any{c.n}, dest...)...)
}
