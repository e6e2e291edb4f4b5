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

-- +goose Down
DROP INDEX features_name_trgm;
DROP INDEX feature_tags_name_fold;
DROP INDEX features_product_assignee;
DROP INDEX features_updated;
DROP INDEX features_release_updated;
DROP INDEX features_product_updated;
