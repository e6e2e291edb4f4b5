package store

import (
	"context"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// idempotencyPurgeEvery is how often a process deletes expired
// Idempotency-Keys: at most once this often, with one indexed DELETE.
const idempotencyPurgeEvery = time.Minute

// ClaimIdempotencyKey asks for a user's Idempotency-Key for the request
// with requestHash. A key seen for the first time, or expired, is reserved
// for the caller, for ttl. A reservation older than staleAfter whose write
// never committed (its process died) is taken over. Otherwise the claim
// says whether the key belongs to the same request and what the first one
// answered. The reservation is committed before the request runs, so a
// concurrent duplicate finds it.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, userID int64, key, requestHash string, ttl, staleAfter time.Duration) (roadmap.IdempotencyClaim, error) {
	var claim roadmap.IdempotencyClaim
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		now := ms(tx.now)
		if last := tx.db.idempotencyPurged.Load(); now-last >= idempotencyPurgeEvery.Milliseconds() && tx.db.idempotencyPurged.CompareAndSwap(last, now) {
			if _, err := c.exec(ctx, "DELETE FROM idempotency_keys WHERE expires_at < ?", now); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND expires_at < ?", userID, key, now); err != nil {
			return err
		}
		res, err := c.exec(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at, expires_at)
 VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, idem_key) DO NOTHING`, userID, key, requestHash, now, now+ttl.Milliseconds())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			claim = roadmap.IdempotencyClaim{Reserved: true, SameRequest: true}
			return nil
		}
		var hash string
		var contentType *string
		var created int64
		err = c.queryRow(ctx, "SELECT request_hash, status, content_type, body, committed, created_at FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"+tx.db.dialect.forUpdate(),
			userID, key).Scan(&hash, &claim.Status, &contentType, &claim.Body, &claim.Committed, &created)
		if err != nil {
			return err
		}
		if contentType != nil {
			claim.ContentType = *contentType
		}
		claim.SameRequest = hash == requestHash
		claim.Stale = claim.Status == 0 && created < now-staleAfter.Milliseconds()
		if claim.SameRequest && claim.Stale && !claim.Committed {
			if _, err := c.exec(ctx, "UPDATE idempotency_keys SET created_at = ? WHERE user_id = ? AND idem_key = ?", now, userID, key); err != nil {
				return err
			}
			claim.Reserved = true
		}
		return nil
	})
	return claim, err
}

// RecordIdempotentAnswer stores the answer of the request that holds a
// user's Idempotency-Key, for its retries.
func (db *DB) RecordIdempotentAnswer(ctx context.Context, userID int64, key string, status int, contentType string, body []byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.conn().exec(ctx, "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE user_id = ? AND idem_key = ?",
			status, contentType, body, userID, key)
		return err
	})
}

// ReleaseIdempotencyKey gives up a reservation whose request failed without
// an answer worth repeating, so that a retry runs the request again. A
// reservation whose write committed is kept: running it again would write
// twice.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.conn().exec(ctx, "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND status = 0 AND committed = ?", userID, key, false)
		return err
	})
}

// markIdempotencyCommitted marks the Idempotency-Key that ctx carries as
// committed, inside the transaction about to commit.
func (tx *Tx) markIdempotencyCommitted(ctx context.Context) error {
	userID, key, ok := roadmap.IdempotencyKeyFrom(ctx)
	if !ok {
		return nil
	}
	_, err := tx.conn().exec(ctx, "UPDATE idempotency_keys SET committed = ? WHERE user_id = ? AND idem_key = ?", true, userID, key)
	return err
}
