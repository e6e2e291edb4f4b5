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

-- features_name_trgm indexes the trigrams of name_fold (pg_trgm), so that a
-- search by a part of a name reads the matching rows only. The operator
-- class is named in the schema the extension lives in.
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema TEXT;
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX features_name_trgm ON features USING gin (name_fold %I.gin_trgm_ops)', ext_schema);
END
$$;
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

-- The triggers of inserts and deletes run once per statement, over the rows
-- it added or removed; a move runs per moved row.
-- +goose StatementBegin
CREATE FUNCTION features_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET feature_count = p.feature_count + n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM added GROUP BY product_id) n
     WHERE p.id = n.product_id;
    UPDATE releases r SET feature_count = r.feature_count + n.c
      FROM (SELECT release_id, COUNT(*) AS c FROM added GROUP BY release_id) n
     WHERE r.id = n.release_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION features_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET feature_count = p.feature_count - n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM removed GROUP BY product_id) n
     WHERE p.id = n.product_id;
    UPDATE releases r SET feature_count = r.feature_count - n.c
      FROM (SELECT release_id, COUNT(*) AS c FROM removed GROUP BY release_id) n
     WHERE r.id = n.release_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION features_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.product_id <> NEW.product_id THEN
        UPDATE products SET feature_count = feature_count - 1 WHERE id = OLD.product_id;
        UPDATE products SET feature_count = feature_count + 1 WHERE id = NEW.product_id;
    END IF;
    IF OLD.release_id <> NEW.release_id THEN
        UPDATE releases SET feature_count = feature_count - 1 WHERE id = OLD.release_id;
        UPDATE releases SET feature_count = feature_count + 1 WHERE id = NEW.release_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER features_count_insert AFTER INSERT ON features
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION features_count_added();
CREATE TRIGGER features_count_delete AFTER DELETE ON features
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION features_count_removed();
CREATE TRIGGER features_count_move AFTER UPDATE OF product_id, release_id ON features
    FOR EACH ROW WHEN (OLD.product_id <> NEW.product_id OR OLD.release_id <> NEW.release_id)
    EXECUTE FUNCTION features_count_moved();


-- The same for the epic lists: the filters' indexes and the trigrams of
-- name_fold.
CREATE INDEX epics_product_updated ON epics (product_id, updated_at);
CREATE INDEX epics_release_updated ON epics (release_id, updated_at);
CREATE INDEX epics_updated ON epics (updated_at);
CREATE INDEX epics_product_assignee ON epics (product_id, assigned_to_user_id, id);
CREATE INDEX epic_tags_name_fold ON epic_tags (lower(name), epic_id);
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema TEXT;
BEGIN
    SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX epics_name_trgm ON epics USING gin (name_fold %I.gin_trgm_ops)', ext_schema);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX epics_name_trgm;
DROP INDEX epic_tags_name_fold;
DROP INDEX epics_product_assignee;
DROP INDEX epics_updated;
DROP INDEX epics_release_updated;
DROP INDEX epics_product_updated;
DROP TRIGGER features_count_move ON features;
DROP TRIGGER features_count_delete ON features;
DROP TRIGGER features_count_insert ON features;
DROP FUNCTION features_count_moved();
DROP FUNCTION features_count_removed();
DROP FUNCTION features_count_added();
ALTER TABLE releases DROP COLUMN feature_count;
ALTER TABLE products DROP COLUMN feature_count;
DROP INDEX features_name_trgm;
DROP INDEX feature_tags_name_fold;
DROP INDEX features_product_assignee;
DROP INDEX features_updated;
DROP INDEX features_release_updated;
DROP INDEX features_product_updated;
