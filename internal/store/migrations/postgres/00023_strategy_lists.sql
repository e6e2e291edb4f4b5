-- +goose Up
-- Indexes that keep the costs of the lists of initiatives and to-dos flat
-- in the size of an account: assigned_to and updated_since, and the
-- trigrams of the initiatives' name_fold for q. Each list counts its
-- matches from its own table through these and the scopes' indexes.
CREATE INDEX initiatives_product_assignee ON initiatives (product_id, assigned_to_user_id, id);
CREATE INDEX initiatives_assignee ON initiatives (assigned_to_user_id, id);
CREATE INDEX tasks_updated ON tasks (updated_at);
CREATE INDEX tasks_kind ON tasks (kind, id);

-- Every initiative has a name_fold (those the demo seeded had none).
UPDATE initiatives SET name_fold = lower(name) WHERE name_fold IS NULL;

-- initiatives_name_trgm indexes the trigrams of name_fold (pg_trgm), so
-- that a search by a part of a name reads the matching rows only.
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema TEXT;
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX initiatives_name_trgm ON initiatives USING gin (name_fold %I.gin_trgm_ops)', ext_schema);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX initiatives_name_trgm;
DROP INDEX tasks_kind;
DROP INDEX tasks_updated;
DROP INDEX initiatives_assignee;
DROP INDEX initiatives_product_assignee;
