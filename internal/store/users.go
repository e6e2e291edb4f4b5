package store

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

const userCols = "u.id, u.name, u.email, u.admin, u.created_at, u.updated_at"

func scanUser(sc interface{ Scan(...any) error }, u *roadmap.User) error {
	var created, updated int64
	if err := sc.Scan(&u.ID, &u.Name, &u.Email, &u.Admin, &created, &updated); err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return nil
}

// UserByTokenHash returns the enabled user that owns the API token with this
// hash. A disabled user's tokens are refused whenever they were made.
func (db *DB) UserByTokenHash(ctx context.Context, hash []byte) (*roadmap.User, error) {
	var u roadmap.User
	err := scanUser(db.reader().queryRow(ctx, "SELECT "+userCols+" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND u.enabled = ?", hex.EncodeToString(hash), true), &u)
	if isNoRows(err) {
		return nil, roadmap.Errorf(roadmap.EUNAUTHORIZED, "Invalid API token")
	}
	if err != nil {
		return nil, db.wrap(err)
	}
	return &u, nil
}

// UserByEmail returns the user with this email.
func (db *DB) UserByEmail(ctx context.Context, email string) (*roadmap.User, error) {
	var u roadmap.User
	err := scanUser(db.reader().queryRow(ctx, "SELECT "+userCols+" FROM users u WHERE lower(u.email) = lower(?)", email), &u)
	if err != nil {
		return nil, db.wrap(scanErr(err, "user", email))
	}
	return &u, nil
}

// Empty reports whether the account holds no users.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return false, db.wrap(err)
	}
	return n == 0, nil
}

// CreateAdmin creates the account administrator in an empty account.
func (db *DB) CreateAdmin(ctx context.Context, name, email string) (*roadmap.User, error) {
	name, err := roadmap.ValidateName("name", name)
	if err != nil {
		return nil, err
	}
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\n") {
		return nil, roadmap.FieldErrorf("email", "email %q is not an email address", email)
	}
	var u roadmap.User
	err = db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.db.dialect.lockAccount(ctx, tx.tx); err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return roadmap.Errorf(roadmap.ECONFLICT, "the database already has users; use `roadmapd token create --user EMAIL` for a token")
		}
		u = roadmap.User{ID: tx.db.ids.next(tx.now), Name: name, Email: email, Admin: true, CreatedAt: tx.now, UpdatedAt: tx.now}
		_, err := c.exec(ctx, "INSERT INTO users (id, name, email, admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			u.ID, u.Name, u.Email, true, ms(tx.now), ms(tx.now))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateToken stores the hash of a new API token for a user. A disabled
// user gets none (EINVALID): its tokens would be refused anyway.
func (db *DB) CreateToken(ctx context.Context, userID int64, hash []byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var enabled bool
		if err := c.queryRow(ctx, "SELECT enabled FROM users WHERE id = ?"+tx.db.dialect.forUpdate(), userID).Scan(&enabled); err != nil {
			return scanErr(err, "user", strconv.FormatInt(userID, 10))
		}
		if !enabled {
			return roadmap.Errorf(roadmap.EINVALID, "the user is disabled; enable it (PUT /api/v1/users/:id with {\"user\":{\"enabled\":true}}) before creating a token")
		}
		_, err := c.exec(ctx, "INSERT INTO api_tokens (hash, user_id, created_at) VALUES (?, ?, ?)", hex.EncodeToString(hash), userID, ms(tx.now))
		return err
	})
}

// resolveUser finds a user by numeric ID or email, for an input field.
func resolveUser(ctx context.Context, c conn, field, ref string) (*roadmap.User, error) {
	ref = strings.TrimSpace(ref)
	var u roadmap.User
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		err = scanUser(c.queryRow(ctx, "SELECT "+userCols+" FROM users u WHERE u.id = ?", id), &u)
	} else {
		err = scanUser(c.queryRow(ctx, "SELECT "+userCols+" FROM users u WHERE lower(u.email) = lower(?)", ref), &u)
	}
	if isNoRows(err) {
		return nil, roadmap.FieldErrorf(field, "%s: no user %q", field, ref)
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}
