-- +goose Up
-- The change journal holds each row only until the transaction that wrote
-- it turns it into audits, before it commits; so the table is unlogged (no
-- write-ahead log for rows that never outlive their transaction; a crash
-- leaves it empty, as it is between transactions), and the rows are kept as
-- json, which row_to_json makes and the store reads as text, instead of
-- jsonb, whose conversion cost every journaled write more.
ALTER TABLE change_journal SET UNLOGGED;
ALTER TABLE change_journal ALTER COLUMN old_row TYPE json, ALTER COLUMN new_row TYPE json;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION journal_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO change_journal (tbl, op, new_row) VALUES (TG_TABLE_NAME, 'create', row_to_json(NEW));
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO change_journal (tbl, op, old_row, new_row) VALUES (TG_TABLE_NAME, 'update', row_to_json(OLD), row_to_json(NEW));
    ELSE
        INSERT INTO change_journal (tbl, op, old_row) VALUES (TG_TABLE_NAME, 'destroy', row_to_json(OLD));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION journal_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO change_journal (tbl, op, new_row) VALUES (TG_TABLE_NAME, 'create', to_jsonb(NEW));
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO change_journal (tbl, op, old_row, new_row) VALUES (TG_TABLE_NAME, 'update', to_jsonb(OLD), to_jsonb(NEW));
    ELSE
        INSERT INTO change_journal (tbl, op, old_row) VALUES (TG_TABLE_NAME, 'destroy', to_jsonb(OLD));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
ALTER TABLE change_journal ALTER COLUMN old_row TYPE jsonb, ALTER COLUMN new_row TYPE jsonb;
ALTER TABLE change_journal SET LOGGED;
