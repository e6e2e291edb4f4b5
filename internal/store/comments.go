package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Comments are on one record each: a comments row sets exactly one of its
// record columns, a foreign key that deletes the comment with the record.
// commentKinds describes, per kind of record, the column, the record's
// table, and how to find the record's product and key; every comment query
// is built from it, so that all kinds share one mechanism.

// commentKind is one kind of commented record.
type commentKind struct {
	typ   string // roadmap.CommentOn*
	col   string // the column of comments that points at the record
	table string // the record's table
	// product and ref select the product ID and the key of the record
	// whose ID is x; ref is "" for records known by ID alone.
	product, ref string
	// master tells that the records may be roll-ups (releases).
	master bool
}

var commentKinds = []commentKind{
	{typ: roadmap.CommentOnRelease, col: "release_id", table: "releases",
		product: "SELECT product_id FROM releases WHERE id = x", ref: "SELECT reference_num FROM releases WHERE id = x", master: true},
	{typ: roadmap.CommentOnFeature, col: "feature_id", table: "features",
		product: "SELECT product_id FROM features WHERE id = x", ref: "SELECT reference_num FROM features WHERE id = x"},
	{typ: roadmap.CommentOnEpic, col: "epic_id", table: "epics",
		product: "SELECT product_id FROM epics WHERE id = x", ref: "SELECT reference_num FROM epics WHERE id = x"},
	{typ: roadmap.CommentOnRequirement, col: "requirement_id", table: "requirements",
		product: "SELECT f.product_id FROM requirements q JOIN features f ON f.id = q.feature_id WHERE q.id = x", ref: "SELECT reference_num FROM requirements WHERE id = x"},
	{typ: roadmap.CommentOnGoal, col: "goal_id", table: "goals",
		product: "SELECT product_id FROM goals WHERE id = x", ref: "SELECT reference_num FROM goals WHERE id = x"},
	{typ: roadmap.CommentOnInitiative, col: "initiative_id", table: "initiatives",
		product: "SELECT product_id FROM initiatives WHERE id = x", ref: "SELECT reference_num FROM initiatives WHERE id = x"},
	{typ: roadmap.CommentOnReleasePhase, col: "release_phase_id", table: "release_phases",
		product: "SELECT r.product_id FROM release_phases p JOIN releases r ON r.id = p.release_id WHERE p.id = x"},
	{typ: roadmap.CommentOnTask, col: "task_id", table: "tasks",
		product: "SELECT product_id FROM tasks WHERE id = x"},
}

// of returns a select of k with x the given expression.
func (k commentKind) of(sel, x string) string { return strings.Replace(sel, " = x", " = "+x, 1) }

// commentKindOf returns the kind of records typ names.
func commentKindOf(typ string) (commentKind, error) {
	for _, k := range commentKinds {
		if k.typ == typ {
			return k, nil
		}
	}
	return commentKind{}, roadmap.Errorf(roadmap.EINTERNAL, "comments on %q are not kept", typ)
}

// commentSelect is built from commentKinds: the kind of record is the
// first record column set, and the record's key and roll-up flag come from
// a subquery of its kind's (never a join of every kind, which costs
// PostgreSQL's planner more than the page); its product is the comment's
// product_fold, which the triggers of migration 00025 keep.
var commentSelect = func() string {
	var typ, rid, ref []string
	master := "FALSE"
	for _, k := range commentKinds {
		when := "WHEN c." + k.col + " IS NOT NULL THEN "
		typ = append(typ, when+"'"+k.typ+"'")
		rid = append(rid, "c."+k.col)
		if k.ref != "" {
			ref = append(ref, when+"("+k.of(k.ref, "c."+k.col)+")")
		}
		if k.master {
			master = "COALESCE((" + k.of("SELECT master_release FROM releases WHERE id = x", "c."+k.col) + "), FALSE)"
		}
	}
	return "SELECT c.id, c.body, c.created_at, c.updated_at, " + userCols + ",\n CASE " + strings.Join(typ, " ") + " END, " +
		"COALESCE(" + strings.Join(rid, ", ") + "), COALESCE(c.product_fold, 0), COALESCE(CASE " + strings.Join(ref, " ") + " END, ''), " +
		master + " FROM comments c JOIN users u ON u.id = c.user_id"
}()

func scanComment(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.Comment, error) {
	cm := &roadmap.Comment{}
	var created, updated, uc, uu int64
	u, on := &cm.User, &cm.On
	dest := append([]any{&cm.ID, &cm.Body, &created, &updated,
		&u.ID, &u.Name, &u.Email, &u.Admin, &uc, &uu,
		&on.Type, &on.ID, &on.ProductID, &on.ReferenceNum, &on.Master}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	cm.CreatedAt, cm.UpdatedAt = fromMS(created), fromMS(updated)
	u.CreatedAt, u.UpdatedAt = fromMS(uc), fromMS(uu)
	return cm, nil
}

func loadComment(ctx context.Context, c conn, id int64) (*roadmap.Comment, error) {
	cm, err := scanComment(c.queryRow(ctx, commentSelect+" WHERE c.id = ?", id))
	if err != nil {
		return nil, scanErr(err, "comment", strconv.FormatInt(id, 10))
	}
	return cm, nil
}

// Comment returns a comment by ID.
func (db *DB) Comment(ctx context.Context, id int64) (*roadmap.Comment, error) {
	cm, err := loadComment(ctx, db.reader(), id)
	return cm, db.wrap(err)
}

// Comments returns a page of comments, in ID order, and the total number
// that match.
func (db *DB) Comments(ctx context.Context, f roadmap.CommentFilter) ([]*roadmap.Comment, int, error) {
	c := db.reader()
	var where string
	var args []any
	var l pagedList
	switch {
	case f.On.ID != 0:
		k, err := commentKindOf(f.On.Type)
		if err != nil {
			return nil, 0, err
		}
		// The record's total is the count its row keeps.
		where, args = " WHERE c."+k.col+" = ?", []any{f.On.ID}
		l.count, l.countArgs = keptTotal(k.table, "comment_count", f.On.ID, 0)
	case f.ProductID != 0:
		// product_fold is the product of the comment's record, kept by
		// the triggers of migration 00025, and so is the product's total.
		where, args = " WHERE c.product_fold = ?", []any{f.ProductID}
		l.count, l.countArgs = keptTotal("products", "comment_count", f.ProductID, 0)
	default:
		return nil, 0, roadmap.Errorf(roadmap.EINTERNAL, "a comment list needs a scope")
	}
	var out []*roadmap.Comment
	l.selectFrom, l.cond, l.args, l.id = commentSelect, where, args, "c.id"
	total, err := l.run(ctx, c, rollUpPage(f.Page), func(rows *sql.Rows) error {
		cm, err := scanComment(rows)
		out = append(out, cm)
		return err
	})
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	return out, total, nil
}

// CreateComment adds a comment by a user to a record.
func (db *DB) CreateComment(ctx context.Context, on roadmap.CommentTarget, userID int64, body string) (*roadmap.Comment, error) {
	if err := roadmap.ValidateCommentBody(body); err != nil {
		return nil, err
	}
	k, err := commentKindOf(on.Type)
	if err != nil {
		return nil, err
	}
	var out *roadmap.Comment
	err = db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		// The insert counts the comment in its product's row: that row is
		// locked first, as the writers of the product's records lock it
		// before the records they count in.
		var product sql.NullInt64
		if err := c.queryRow(ctx, "SELECT ("+k.of(k.product, "?")+")", on.ID).Scan(&product); err != nil {
			return err
		}
		if product.Valid {
			if err := tx.lockRow(ctx, "products", product.Int64); err != nil && !isNoRows(err) {
				return err
			}
		}
		// The lock keeps a concurrent delete of the record from racing
		// the insert, which would otherwise fail on the foreign key.
		if err := tx.lockRecord(ctx, k.table, on.ID); err != nil {
			return err
		}
		tx.resetNow(time.Time{})
		id := tx.db.ids.next(tx.now)
		if _, err := c.exec(ctx, "INSERT INTO comments (id, "+k.col+", user_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			id, on.ID, userID, body, ms(tx.now), ms(tx.now)); err != nil {
			return err
		}
		var err error
		out, err = loadComment(ctx, c, id)
		return err
	})
	return out, err
}

// UpdateComment changes the body of a comment.
func (db *DB) UpdateComment(ctx context.Context, id int64, body string) (*roadmap.Comment, error) {
	if err := roadmap.ValidateCommentBody(body); err != nil {
		return nil, err
	}
	var out *roadmap.Comment
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		res, err := c.exec(ctx, "UPDATE comments SET body = ?, updated_at = ? WHERE id = ?", body, ms(tx.now), id)
		if err := affectedOne(res, err, "comment", id); err != nil {
			return err
		}
		out, err = loadComment(ctx, c, id)
		return err
	})
	return out, err
}

// DeleteComment deletes a comment.
func (db *DB) DeleteComment(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.conn().exec(ctx, "DELETE FROM comments WHERE id = ?", id)
		return affectedOne(res, err, "comment", id)
	})
}

// commentCounts returns how many comments each of the records of a kind
// has, by ID, in one query; records without comments are left out.
func commentCounts(ctx context.Context, c conn, typ string, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	k, err := commentKindOf(typ)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// Each record keeps the count of its comments (migration 00025).
	rows, err := c.query(ctx, "SELECT id, comment_count FROM "+k.table+" WHERE id IN ("+placeholders(len(ids))+") AND comment_count > 0", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, closeRows(rows)
}

// moveComments moves the comments of one record to another, as when a
// requirement becomes a feature.
func (tx *Tx) moveComments(ctx context.Context, from, to roadmap.CommentTarget) error {
	fk, err := commentKindOf(from.Type)
	if err != nil {
		return err
	}
	tk, err := commentKindOf(to.Type)
	if err != nil {
		return err
	}
	q := "UPDATE comments SET " + fk.col + " = NULL, " + tk.col + " = ? WHERE " + fk.col + " = ?"
	if fk.col == tk.col {
		q = "UPDATE comments SET " + tk.col + " = ? WHERE " + fk.col + " = ?"
	}
	_, err = tx.conn().exec(ctx, q, to.ID, from.ID)
	return err
}

// affectedOne turns a write that touched no row into ENOTFOUND.
func affectedOne(res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what, strconv.FormatInt(id, 10))
	}
	return nil
}

// setCommentCounts sets the number of comments on each of the records
// of a kind that has any, in one query.
func setCommentCounts(ctx context.Context, c conn, typ string, ids []int64, set func(id int64, n int)) error {
	counts, err := commentCounts(ctx, c, typ, ids)
	if err != nil {
		return err
	}
	for id, n := range counts {
		set(id, n)
	}
	return nil
}
