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

-- initiatives_name_fts indexes the trigrams of name_fold, so that a search
-- by a part of a name reads the matching rows only. Its rowid is the
-- initiative's id; triggers keep it in step with the table.
CREATE VIRTUAL TABLE initiatives_name_fts USING fts5 (name_fold, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
INSERT INTO initiatives_name_fts (rowid, name_fold) SELECT id, name_fold FROM initiatives;

-- +goose StatementBegin
CREATE TRIGGER initiatives_name_fts_insert AFTER INSERT ON initiatives BEGIN
    INSERT INTO initiatives_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER initiatives_name_fts_update AFTER UPDATE OF name_fold ON initiatives BEGIN
    DELETE FROM initiatives_name_fts WHERE rowid = old.id;
    INSERT INTO initiatives_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER initiatives_name_fts_delete AFTER DELETE ON initiatives BEGIN
    DELETE FROM initiatives_name_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER initiatives_name_fts_delete;
DROP TRIGGER initiatives_name_fts_update;
DROP TRIGGER initiatives_name_fts_insert;
DROP TABLE initiatives_name_fts;
DROP INDEX tasks_kind;
DROP INDEX tasks_updated;
DROP INDEX initiatives_assignee;
DROP INDEX initiatives_product_assignee;
