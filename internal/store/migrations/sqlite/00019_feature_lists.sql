-- +goose Up
-- Indexes that keep the costs of feature lists flat in the size of an
-- account: updated_since within a product, a release and the whole account,
-- assigned_to within a product, the tag filter (which compares names in
-- lower case), and the trigrams of name_fold for q.
CREATE INDEX features_product_updated ON features (product_id, updated_at);
CREATE INDEX features_release_updated ON features (release_id, updated_at);
CREATE INDEX features_updated ON features (updated_at);
CREATE INDEX features_product_assignee ON features (product_id, assigned_to_user_id, id);
CREATE INDEX feature_tags_name_fold ON feature_tags (lower(name), feature_id);

-- features_name_fts indexes the trigrams of name_fold, so that a search by
-- a part of a name reads the matching rows only. Its rowid is the feature's
-- id; triggers keep it in step with the table.
CREATE VIRTUAL TABLE features_name_fts USING fts5 (name_fold, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
INSERT INTO features_name_fts (rowid, name_fold) SELECT id, name_fold FROM features;

-- +goose StatementBegin
CREATE TRIGGER features_name_fts_insert AFTER INSERT ON features BEGIN
    INSERT INTO features_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_name_fts_update AFTER UPDATE OF name_fold ON features BEGIN
    DELETE FROM features_name_fts WHERE rowid = old.id;
    INSERT INTO features_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_name_fts_delete AFTER DELETE ON features BEGIN
    DELETE FROM features_name_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd


-- feature_count is the number of features of a product and of a release,
-- kept by triggers in every transaction that adds, moves or removes one, so
-- that their whole feature lists report a total without counting. A
-- feature's create and move already write its product's row (the feature
-- numbering) under the product's lock.
ALTER TABLE products ADD COLUMN feature_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN feature_count BIGINT NOT NULL DEFAULT 0;
UPDATE products SET feature_count = (SELECT COUNT(*) FROM features f WHERE f.product_id = products.id);
UPDATE releases SET feature_count = (SELECT COUNT(*) FROM features f WHERE f.release_id = releases.id);

-- +goose StatementBegin
CREATE TRIGGER features_count_insert AFTER INSERT ON features BEGIN
    UPDATE products SET feature_count = feature_count + 1 WHERE id = new.product_id;
    UPDATE releases SET feature_count = feature_count + 1 WHERE id = new.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_count_delete AFTER DELETE ON features BEGIN
    UPDATE products SET feature_count = feature_count - 1 WHERE id = old.product_id;
    UPDATE releases SET feature_count = feature_count - 1 WHERE id = old.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_count_move AFTER UPDATE OF product_id, release_id ON features
WHEN old.product_id <> new.product_id OR old.release_id <> new.release_id BEGIN
    UPDATE products SET feature_count = feature_count - 1 WHERE id = old.product_id;
    UPDATE products SET feature_count = feature_count + 1 WHERE id = new.product_id;
    UPDATE releases SET feature_count = feature_count - 1 WHERE id = old.release_id;
    UPDATE releases SET feature_count = feature_count + 1 WHERE id = new.release_id;
END;
-- +goose StatementEnd


-- The same for the epic lists: the filters' indexes and the trigrams of
-- name_fold.
CREATE INDEX epics_product_updated ON epics (product_id, updated_at);
CREATE INDEX epics_release_updated ON epics (release_id, updated_at);
CREATE INDEX epics_updated ON epics (updated_at);
CREATE INDEX epics_product_assignee ON epics (product_id, assigned_to_user_id, id);
CREATE INDEX epic_tags_name_fold ON epic_tags (lower(name), epic_id);
CREATE VIRTUAL TABLE epics_name_fts USING fts5 (name_fold, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
INSERT INTO epics_name_fts (rowid, name_fold) SELECT id, name_fold FROM epics;

-- +goose StatementBegin
CREATE TRIGGER epics_name_fts_insert AFTER INSERT ON epics BEGIN
    INSERT INTO epics_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER epics_name_fts_update AFTER UPDATE OF name_fold ON epics BEGIN
    DELETE FROM epics_name_fts WHERE rowid = old.id;
    INSERT INTO epics_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER epics_name_fts_delete AFTER DELETE ON epics BEGIN
    DELETE FROM epics_name_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER epics_name_fts_delete;
DROP TRIGGER epics_name_fts_update;
DROP TRIGGER epics_name_fts_insert;
DROP TABLE epics_name_fts;
DROP INDEX epic_tags_name_fold;
DROP INDEX epics_product_assignee;
DROP INDEX epics_updated;
DROP INDEX epics_release_updated;
DROP INDEX epics_product_updated;
DROP TRIGGER features_count_move;
DROP TRIGGER features_count_delete;
DROP TRIGGER features_count_insert;
ALTER TABLE releases DROP COLUMN feature_count;
ALTER TABLE products DROP COLUMN feature_count;
DROP TRIGGER features_name_fts_delete;
DROP TRIGGER features_name_fts_update;
DROP TRIGGER features_name_fts_insert;
DROP TABLE features_name_fts;
DROP INDEX feature_tags_name_fold;
DROP INDEX features_product_assignee;
DROP INDEX features_updated;
DROP INDEX features_release_updated;
DROP INDEX features_product_updated;
