package store

import (
	"context"
	"encoding/hex"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// SetPassword replaces a user's password hash.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash []byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var n int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users WHERE id = ?", userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return roadmap.Errorf(roadmap.ENOTFOUND, "user %d not found", userID)
		}
		if _, err := c.exec(ctx, "DELETE FROM user_passwords WHERE user_id = ?", userID); err != nil {
			return err
		}
		_, err := c.exec(ctx, "INSERT INTO user_passwords (user_id, hash, updated_at) VALUES (?, ?, ?)", userID, string(hash), ms(tx.now))
		return err
	})
}

// PasswordHash returns an enabled user by email with its password hash.
func (db *DB) PasswordHash(ctx context.Context, email string) (*roadmap.User, []byte, error) {
	var u roadmap.User
	var created, updated int64
	var hash string
	err := db.reader().queryRow(ctx, "SELECT u.id, u.name, u.email, u.admin, u.created_at, u.updated_at, p.hash FROM users u JOIN user_passwords p ON p.user_id = u.id WHERE lower(u.email) = lower(?) AND u.enabled = ?", email, true).
		Scan(&u.ID, &u.Name, &u.Email, &u.Admin, &created, &updated, &hash)
	if isNoRows(err) {
		return nil, nil, roadmap.ErrBadCredentials
	}
	if err != nil {
		return nil, nil, db.wrap(err)
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, []byte(hash), nil
}

// CreateSession stores a new session of a user by the hash of its cookie
// value.
func (db *DB) CreateSession(ctx context.Context, userID int64, hash []byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.conn().exec(ctx, "INSERT INTO web_sessions (hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
			hex.EncodeToString(hash), userID, ms(tx.now), ms(tx.now))
		return err
	})
}

// SessionUser returns the enabled user of a live session and records its
// use. The use is written only when the last one recorded is older than
// roadmap.SessionTouchEvery, so most requests cost one read.
func (db *DB) SessionUser(ctx context.Context, hash []byte) (*roadmap.User, error) {
	key := hex.EncodeToString(hash)
	now := db.Now().UTC()
	var u roadmap.User
	var created, updated, seen int64
	err := db.reader().queryRow(ctx, "SELECT "+userCols+", s.last_seen_at FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ? AND u.enabled = ?", key, true).
		Scan(&u.ID, &u.Name, &u.Email, &u.Admin, &created, &updated, &seen)
	if isNoRows(err) {
		return nil, roadmap.Errorf(roadmap.EUNAUTHORIZED, "Sign in to continue")
	}
	if err != nil {
		return nil, db.wrap(err)
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	last := fromMS(seen)
	if now.Sub(last) > roadmap.SessionIdle {
		if err := db.DeleteSession(ctx, hash); err != nil {
			return nil, err
		}
		return nil, roadmap.Errorf(roadmap.EUNAUTHORIZED, "Your session has expired; sign in again")
	}
	if now.Sub(last) > roadmap.SessionTouchEvery {
		err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.conn().exec(ctx, "UPDATE web_sessions SET last_seen_at = ? WHERE hash = ? AND last_seen_at < ?", ms(tx.now), key, ms(tx.now))
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return &u, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.conn().exec(ctx, "DELETE FROM web_sessions WHERE hash = ?", hex.EncodeToString(hash))
		return err
	})
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.conn().exec(ctx, "DELETE FROM web_sessions WHERE user_id = ?", userID)
		return err
	})
}
