-- +goose Up
-- name_fold is the name in lower case, as Go folds it, so that searches by
-- name ignore case for every letter on both engines alike. Open fills it for
-- rows written before this column existed.
ALTER TABLE releases ADD COLUMN name_fold TEXT;

-- +goose Down
ALTER TABLE releases DROP COLUMN name_fold;
