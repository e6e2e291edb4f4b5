-- +goose Up
-- Indexes that keep the costs of release lists and writes flat in the size
-- of a product: the next position of a create, updated_since within a
-- product, the statuses and parking lot filters, and the rows whose
-- name_fold Open fills.
CREATE INDEX releases_product_position ON releases (product_id, position);
CREATE INDEX releases_product_updated ON releases (product_id, updated_at);
CREATE INDEX releases_product_status ON releases (product_id, workflow_status_id, id);
CREATE INDEX releases_product_parking ON releases (product_id, parking_lot, id);
CREATE INDEX releases_fold_missing ON releases (id) WHERE name_fold IS NULL;

-- releases_name_fts indexes the trigrams of name_fold, so that a search by
-- a part of a name reads the matching rows only. Its rowid is the release's
-- id; triggers keep it in step with the table.
CREATE VIRTUAL TABLE releases_name_fts USING fts5 (name_fold, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
INSERT INTO releases_name_fts (rowid, name_fold) SELECT id, name_fold FROM releases WHERE name_fold IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER releases_name_fts_insert AFTER INSERT ON releases WHEN new.name_fold IS NOT NULL BEGIN
    INSERT INTO releases_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER releases_name_fts_update AFTER UPDATE OF name_fold ON releases BEGIN
    DELETE FROM releases_name_fts WHERE rowid = old.id;
    INSERT INTO releases_name_fts (rowid, name_fold) SELECT new.id, new.name_fold WHERE new.name_fold IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER releases_name_fts_delete AFTER DELETE ON releases BEGIN
    DELETE FROM releases_name_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER releases_name_fts_delete;
DROP TRIGGER releases_name_fts_update;
DROP TRIGGER releases_name_fts_insert;
DROP TABLE releases_name_fts;
DROP INDEX releases_fold_missing;
DROP INDEX releases_product_parking;
DROP INDEX releases_product_status;
DROP INDEX releases_product_updated;
DROP INDEX releases_product_position;
