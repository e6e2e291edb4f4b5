-- +goose Up
-- The PostgreSQL migration of this number changes the journal's trigger
-- function, has the store make its update triggers again, and numbers a
-- new release in the commit of its creating transaction. SQLite numbers a
-- new release before inserting it, and the store makes its journal's
-- triggers again whenever their text changes (migrations.EnsureJournal):
-- nothing changes here.
SELECT 1;

-- +goose Down
SELECT 1;
