-- +goose Up
-- The recycle bin: one entry per deleted record, holding every row that went
-- with it (as JSON, in the order they were deleted) and the changes that
-- detached what stays, so that a restore can put them back as they were.
-- product_id is the product whose members may see and restore the entry
-- (NULL for a to-do of no product). Entries are purged after the retention
-- period; restored ones stay until then with status 'restored'.
CREATE TABLE deletions (
    id              BIGINT PRIMARY KEY,
    record_type     TEXT NOT NULL,
    record_id       BIGINT NOT NULL,
    reference_num   TEXT,
    name            TEXT NOT NULL,
    product_id      BIGINT,
    deleted_by_id   BIGINT,
    deleted_at      BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'deleted',
    restored_by_id  BIGINT,
    restored_at     BIGINT,
    payload         TEXT NOT NULL
);
CREATE INDEX deletions_status ON deletions (status, id);
CREATE INDEX deletions_product ON deletions (product_id, status, id);
CREATE INDEX deletions_deleted_at ON deletions (deleted_at);

-- +goose Down
DROP TABLE deletions;
