-- +goose Up
-- The answers to POST requests sent with an Idempotency-Key, per user, so
-- that a retried create returns the first answer instead of making a second
-- record. A row is reserved (status 0) before the request runs; committed is
-- set in the same transaction as the request's write, so that a reservation
-- whose write took effect is never given to a retry; status and body are the
-- answer once it is known. Rows past expires_at are purged.
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT,
    body         BYTEA,
    committed    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
