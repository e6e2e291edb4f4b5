package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Comments belong to a release: deleting the release deletes them (the
// foreign key cascades).

const commentSelect = `SELECT c.id, c.body, c.created_at, c.updated_at, ` + userCols + `,
 r.id, r.product_id, r.reference_num, r.name, r.master_release, r.created_at
 FROM comments c
 JOIN users u ON u.id = c.user_id
 JOIN releases r ON r.id = c.release_id`

func scanComment(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.Comment, error) {
	cm := &roadmap.Comment{}
	var created, updated, uc, uu, rc int64
	u, rel := &cm.User, &cm.Release
	dest := append([]any{&cm.ID, &cm.Body, &created, &updated,
		&u.ID, &u.Name, &u.Email, &u.Admin, &uc, &uu,
		&rel.ID, &cm.ProductID, &rel.ReferenceNum, &rel.Name, &rel.MasterRelease, &rc}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	cm.CreatedAt, cm.UpdatedAt = fromMS(created), fromMS(updated)
	u.CreatedAt, u.UpdatedAt = fromMS(uc), fromMS(uu)
	rel.CreatedAt, rel.ProductID = fromMS(rc), cm.ProductID
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
	switch {
	case f.ReleaseID != 0:
		where, args = " WHERE c.release_id = ?", []any{f.ReleaseID}
	case f.ProductID != 0:
		where, args = " WHERE r.product_id = ?", []any{f.ProductID}
	default:
		return nil, 0, roadmap.Errorf(roadmap.EINTERNAL, "a comment list needs a scope")
	}
	page := rollUpPage(f.Page)
	q := strings.Replace(commentSelect, "SELECT ", "SELECT COUNT(*) OVER (), ", 1) + where + " ORDER BY c.id LIMIT ? OFFSET ?"
	rows, err := c.query(ctx, q, append(args, page.PerPage, page.Offset())...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	defer rows.Close()
	var out []*roadmap.Comment
	total := 0
	for rows.Next() {
		cm, err := scanComment(countFirst{rows, &total})
		if err != nil {
			return nil, 0, db.wrap(err)
		}
		out = append(out, cm)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if len(out) == 0 && page.Offset() > 0 {
		// A page past the end has no row to carry the count.
		cq := "SELECT COUNT(*) FROM comments c JOIN releases r ON r.id = c.release_id" + where
		if err := c.queryRow(ctx, cq, args...).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	return out, total, nil
}

// CreateComment adds a comment by a user to a release.
func (db *DB) CreateComment(ctx context.Context, releaseID, userID int64, body string) (*roadmap.Comment, error) {
	if err := roadmap.ValidateCommentBody(body); err != nil {
		return nil, err
	}
	var out *roadmap.Comment
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		// The lock keeps a concurrent delete of the release from leaving the
		// comment without one.
		if err := tx.lockRelease(ctx, releaseID); err != nil {
			return err
		}
		tx.resetNow(time.Time{})
		id := tx.db.ids.next(tx.now)
		if _, err := c.exec(ctx, "INSERT INTO comments (id, release_id, user_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			id, releaseID, userID, body, ms(tx.now), ms(tx.now)); err != nil {
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
