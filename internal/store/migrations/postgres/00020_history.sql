-- +goose Up
-- change_journal receives, from triggers on every table that holds records,
-- each row a transaction inserts, updates or deletes, with the row's columns
-- as JSON. The transaction turns its journal rows into audits and deletes
-- them before it commits, so the table is empty between transactions; tx
-- tells the rows of concurrent transactions apart.
CREATE TABLE change_journal (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx      BIGINT NOT NULL DEFAULT txid_current(),
    tbl     TEXT NOT NULL,
    op      TEXT NOT NULL,
    old_row JSONB,
    new_row JSONB
);
CREATE INDEX change_journal_tx ON change_journal (tx);

-- journal_row is the trigger function of every journaled table. Its
-- arguments name the columns whose changes alone do not make an update
-- worth recording (updated_at, counters, search forms).
-- +goose StatementBegin
CREATE FUNCTION journal_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO change_journal (tbl, op, new_row) VALUES (TG_TABLE_NAME, 'create', to_jsonb(NEW));
    ELSIF TG_OP = 'UPDATE' THEN
        IF (to_jsonb(OLD) - TG_ARGV) IS DISTINCT FROM (to_jsonb(NEW) - TG_ARGV) THEN
            INSERT INTO change_journal (tbl, op, old_row, new_row) VALUES (TG_TABLE_NAME, 'update', to_jsonb(OLD), to_jsonb(NEW));
        END IF;
    ELSE
        INSERT INTO change_journal (tbl, op, old_row) VALUES (TG_TABLE_NAME, 'destroy', to_jsonb(OLD));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- audits is the change log: one row per record a write created, updated
-- or destroyed. Its IDs grow in commit order.
CREATE TABLE audits (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action          TEXT NOT NULL,
    user_id         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    auditable_type  TEXT NOT NULL,
    auditable_id    BIGINT NOT NULL,
    associated_type TEXT NOT NULL,
    associated_id   BIGINT NOT NULL,
    product_id      BIGINT NOT NULL,
    auditable_product_id BIGINT NOT NULL,
    description     TEXT NOT NULL,
    url_path        TEXT NOT NULL,
    interesting     BOOLEAN NOT NULL,
    changes         TEXT NOT NULL
);
CREATE INDEX audits_auditable ON audits (auditable_id, auditable_type, id);
CREATE INDEX audits_associated ON audits (associated_id, associated_type, id);
CREATE INDEX audits_user ON audits (user_id, id);
CREATE INDEX audits_product ON audits (product_id, id);
CREATE INDEX audits_created ON audits (created_at, id);

-- +goose Down
DROP TABLE audits;
DROP FUNCTION journal_row() CASCADE;
DROP TABLE change_journal;
