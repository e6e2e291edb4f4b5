package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

const productCols = "p.id, p.reference_prefix, p.name, p.product_line, p.workspace_type, COALESCE(p.parent_id, 0), p.created_at, p.updated_at"

func scanProduct(sc interface{ Scan(...any) error }, p *roadmap.Product) error {
	var created, updated int64
	if err := sc.Scan(&p.ID, &p.ReferencePrefix, &p.Name, &p.ProductLine, &p.WorkspaceType, &p.ParentID, &created, &updated); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return nil
}

// keyClause returns the WHERE condition and argument that find a record by
// numeric ID or by its key column.
func keyClause(idCol, keyCol, key string) (string, any) {
	if id, err := strconv.ParseInt(key, 10, 64); err == nil {
		return idCol + " = ?", id
	}
	return keyCol + " = ?", key
}

// Product returns a product by numeric ID or reference prefix.
func (db *DB) Product(ctx context.Context, key string) (*roadmap.Product, error) {
	cond, arg := keyClause("p.id", "p.reference_prefix", key)
	var p roadmap.Product
	if err := scanProduct(db.reader().queryRow(ctx, "SELECT "+productCols+" FROM products p WHERE "+cond, arg), &p); err != nil {
		return nil, db.wrap(scanErr(err, "product", key))
	}
	return &p, nil
}

const goalCols = "g.id, g.product_id, g.reference_num, g.name, g.description_id, g.description_body, g.description_created_at, g.description_updated_at, g.created_at"

func scanGoal(sc interface{ Scan(...any) error }, g *roadmap.Goal, extra ...any) error {
	var dc, du, c int64
	dest := append([]any{&g.ID, &g.ProductID, &g.ReferenceNum, &g.Name, &g.Description.ID, &g.Description.Body, &dc, &du, &c}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	g.Description.CreatedAt, g.Description.UpdatedAt, g.CreatedAt = fromMS(dc), fromMS(du), fromMS(c)
	return nil
}

// Goal returns a goal by numeric ID or reference number.
func (db *DB) Goal(ctx context.Context, key string) (*roadmap.Goal, error) {
	cond, arg := keyClause("g.id", "g.reference_num", key)
	var g roadmap.Goal
	if err := scanGoal(db.reader().queryRow(ctx, "SELECT "+goalCols+" FROM goals g WHERE "+cond, arg), &g); err != nil {
		return nil, db.wrap(scanErr(err, "goal", key))
	}
	return &g, nil
}

const initiativeCols = "i.id, i.product_id, i.reference_num, i.name, i.description_id, i.description_body, i.description_created_at, i.description_updated_at, i.created_at"

func scanInitiative(sc interface{ Scan(...any) error }, in *roadmap.Initiative, extra ...any) error {
	var dc, du, c int64
	dest := append([]any{&in.ID, &in.ProductID, &in.ReferenceNum, &in.Name, &in.Description.ID, &in.Description.Body, &dc, &du, &c}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	in.Description.CreatedAt, in.Description.UpdatedAt, in.CreatedAt = fromMS(dc), fromMS(du), fromMS(c)
	return nil
}

// Initiative returns an initiative by numeric ID or reference number.
func (db *DB) Initiative(ctx context.Context, key string) (*roadmap.Initiative, error) {
	cond, arg := keyClause("i.id", "i.reference_num", key)
	var in roadmap.Initiative
	if err := scanInitiative(db.reader().queryRow(ctx, "SELECT "+initiativeCols+" FROM initiatives i WHERE "+cond, arg), &in); err != nil {
		return nil, db.wrap(scanErr(err, "initiative", key))
	}
	return &in, nil
}

// resolveByIDOrName resolves a list of references (numeric IDs or names) to
// record IDs in table, in the order given, without duplicates. An unknown
// reference, or one to a record of a product that visibleTo (when not 0)
// may not see, is an EINVALID error naming field.
func resolveByIDOrName(ctx context.Context, c conn, table, field string, refs []string, visibleTo int64) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	visible, vargs := "", []any{}
	if visibleTo != 0 {
		visible, vargs = " AND product_id IN ("+visibleProducts+")", []any{visibleTo, visibleTo}
	}
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		var id int64
		var err error
		if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			err = c.queryRow(ctx, "SELECT id FROM "+table+" WHERE id = ?"+visible, append([]any{n}, vargs...)...).Scan(&id)
		} else {
			err = c.queryRow(ctx, "SELECT id FROM "+table+" WHERE (name = ? OR reference_num = ?)"+visible+" ORDER BY id LIMIT 1", append([]any{ref, ref}, vargs...)...).Scan(&id)
		}
		if isNoRows(err) {
			return nil, roadmap.FieldErrorf(field, "%s: no %s %q", field, singular(table), ref)
		}
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

func singular(table string) string {
	switch table {
	case "goals":
		return "goal"
	case "initiatives":
		return "initiative"
	}
	return strings.TrimSuffix(table, "s")
}

const statusCols = "s.id, s.name, s.position, s.complete, s.color"

func scanStatus(sc interface{ Scan(...any) error }, s *roadmap.WorkflowStatus) error {
	return sc.Scan(&s.ID, &s.Name, &s.Position, &s.Complete, &s.Color)
}

// releaseStatus resolves a workflow status of the product's release
// workflow by name (case-insensitive) or ID; ref "" gives the first status.
func releaseStatus(ctx context.Context, c conn, productID int64, field, ref string) (*roadmap.WorkflowStatus, error) {
	base := "SELECT " + statusCols + " FROM workflow_statuses s JOIN products p ON p.release_workflow_id = s.workflow_id WHERE p.id = ?"
	var s roadmap.WorkflowStatus
	var err error
	ref = strings.TrimSpace(ref)
	switch n, perr := strconv.ParseInt(ref, 10, 64); {
	case ref == "":
		err = scanStatus(c.queryRow(ctx, base+" ORDER BY s.position, s.id LIMIT 1", productID), &s)
		if isNoRows(err) {
			return nil, roadmap.Errorf(roadmap.EINVALID, "the product has no release workflow")
		}
	case perr == nil:
		err = scanStatus(c.queryRow(ctx, base+" AND s.id = ?", productID, n), &s)
	default:
		err = scanStatus(c.queryRow(ctx, base+" AND lower(s.name) = lower(?) ORDER BY s.position LIMIT 1", productID, ref), &s)
	}
	if isNoRows(err) {
		return nil, roadmap.FieldErrorf(field, "%s %q is not a status of this product's release workflow", field, ref)
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}
