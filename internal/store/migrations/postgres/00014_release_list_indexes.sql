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

-- releases_name_trgm indexes the trigrams of name_fold (pg_trgm), so that a
-- search by a part of a name reads the matching rows only. The operator
-- class is named in the schema the extension lives in.
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema TEXT;
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX releases_name_trgm ON releases USING gin (name_fold %I.gin_trgm_ops)', ext_schema);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX releases_name_trgm;
DROP INDEX releases_fold_missing;
DROP INDEX releases_product_parking;
DROP INDEX releases_product_status;
DROP INDEX releases_product_updated;
DROP INDEX releases_product_position;
