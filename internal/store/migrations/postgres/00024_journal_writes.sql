-- +goose Up
-- journal_row no longer compares a row's columns before and after an
-- update as JSON: every update trigger of the journal has a WHEN that
-- passes only an update of a column that is not noise (the store makes the
-- triggers, see migrations.EnsureJournal), and the comparison converted the
-- row to JSON twice more in every journaled update.
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

-- The journal's update triggers are made again by the store when it opens
-- the database (migrations.EnsureJournal): each fires only for an UPDATE
-- that sets a column that is not noise (UPDATE OF), so that shifting the
-- positions of many rows fires none, and no longer passes the noise columns
-- to journal_row; on the tables with a reference number, its WHEN leaves
-- out the update that numbers a release created under a provisional
-- reference number (its commit numbers it: see release_numbered below).
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        WHERE g.tgname = 'journal_update' AND c.relnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP TRIGGER journal_update ON %I', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- A release is inserted under a provisional reference number ("~" and its
-- ID) and numbered by the commit of its creating transaction, by the
-- deferred trigger release_numbered, so that its product's counter row is
-- locked only while the transaction commits: concurrent creates in one
-- product wait for each other that long, not for round trips to the
-- store. The trigger takes the product's next number (release_seq, or
-- rollup_seq for a roll-up) and counts the release in release_count in one
-- update of the product's row; positions the release after the product's
-- last, in a statement of its own so that it sees the release numbered by
-- the transaction it waited for; and writes the number into the audits the
-- transaction wrote of the release and its parts, which named the
-- provisional one: their description (verb, type, reference, name), path,
-- and the create's change of the reference number, stored as the store
-- writes it ({"f":"Reference num","n":...}); those audits and their
-- deliveries take their IDs then, in commit order. The journal leaves the
-- numbering out (see migrations.EnsureJournal): its history is the
-- create's. A release deleted in its creating transaction is not counted.
-- +goose StatementBegin
CREATE FUNCTION release_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    provisional text := NEW.reference_num;
    product bigint;
    rollup boolean;
    n bigint;
    prefix text;
    ref text;
    prior bigint;
    moved bigint;
    rkey text;
BEGIN
    SELECT r.product_id, r.master_release INTO product, rollup FROM releases r
     WHERE r.id = NEW.id AND r.reference_num = provisional;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF rollup THEN
        UPDATE products SET rollup_seq = rollup_seq + 1, release_count = release_count + 1
         WHERE id = product RETURNING rollup_seq, reference_prefix INTO n, prefix;
        ref := prefix || '-MR-' || n;
    ELSE
        UPDATE products SET release_seq = release_seq + 1, release_count = release_count + 1
         WHERE id = product RETURNING release_seq, reference_prefix INTO n, prefix;
        ref := prefix || '-R-' || n;
    END IF;
    UPDATE releases SET reference_num = ref,
           position = COALESCE((SELECT p.position FROM releases p WHERE p.product_id = product AND p.position IS NOT NULL
                                 ORDER BY p.position DESC LIMIT 1), 0) + 1
     WHERE id = NEW.id;
    -- The audits of the release and its parts take new IDs, and their
    -- deliveries too, now that the counter row is locked: the creates of a
    -- product commit one after the other, so their audits' and deliveries'
    -- IDs follow commit order (a link's audit is of the record it links
    -- to, such as the watcher, whose changes the creates share).
    FOR prior IN SELECT a.id FROM audits a
        WHERE ((a.auditable_id = NEW.id AND a.auditable_type = 'release') OR (a.associated_id = NEW.id AND a.associated_type = 'release'))
          AND a.url_path = '/releases/' || provisional
        ORDER BY a.id
    LOOP
        UPDATE audits SET id = DEFAULT,
               description = CASE WHEN strpos(description, provisional) > 0
                                  THEN overlay(description PLACING ref FROM strpos(description, provisional) FOR length(provisional))
                                  ELSE description END,
               url_path = '/releases/' || ref,
               changes = CASE WHEN auditable_type = 'release' AND auditable_id = NEW.id
                              THEN replace(changes, '{"f":"Reference num","n":' || to_json(provisional)::text || '}',
                                                    '{"f":"Reference num","n":' || to_json(ref)::text || '}')
                              ELSE changes END
         WHERE id = prior
         RETURNING id, lower(auditable_type) || ':' || auditable_id INTO moved, rkey;
        UPDATE webhook_deliveries SET id = DEFAULT, audit_id = moved
         WHERE endpoint_id IN (SELECT e.id FROM webhook_endpoints e) AND record_key = rkey
           AND status IN ('pending', 'delivering') AND audit_id = prior;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER releases_number AFTER INSERT ON releases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.reference_num LIKE '~%') EXECUTE FUNCTION release_numbered();

-- +goose Down
DROP TRIGGER releases_number ON releases;
DROP FUNCTION release_numbered();
-- The journal's update triggers are made again as the store of that
-- version makes them.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        WHERE g.tgname = 'journal_update' AND c.relnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP TRIGGER journal_update ON %I', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION journal_row() RETURNS trigger LANGUAGE plpgsql AS $$
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
