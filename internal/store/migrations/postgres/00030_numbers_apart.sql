-- +goose Up
-- A new release or roll-up takes its number and position from its
-- product's counters in a transaction of its own, once its creating
-- transaction has checked what it was given (see the store's
-- numberRelease): the counter row stays locked for that one statement,
-- not until the creating transaction commits, and the creates of a product
-- no longer wait for each other's commits. No release is inserted under a
-- provisional number any more, and nothing numbers one at the commit.
-- position_seq is the last position the counters gave; a new release goes
-- after it and after every release of the product that has a position.
--
-- The count of a product's releases is kept in stripes, one per server
-- connection (its process ID modulo 16), so that concurrent creates in one
-- product update different rows; the total is their sum.
ALTER TABLE products ADD COLUMN position_seq BIGINT NOT NULL DEFAULT 0;
UPDATE products p SET position_seq = COALESCE((SELECT MAX(r.position) FROM releases r WHERE r.product_id = p.id), 0);

CREATE TABLE release_counts (
    product_id BIGINT NOT NULL,
    stripe INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (product_id, stripe)
);
INSERT INTO release_counts (product_id, stripe, n) SELECT id, 0, release_count FROM products;
ALTER TABLE products DROP COLUMN release_count;

DROP TRIGGER releases_number ON releases;
DROP FUNCTION release_numbered();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION releases_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO release_counts AS c (product_id, stripe, n)
    SELECT product_id, pg_backend_pid() % 16, COUNT(*) FROM added GROUP BY product_id
    ON CONFLICT (product_id, stripe) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION releases_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO release_counts AS c (product_id, stripe, n)
    SELECT product_id, pg_backend_pid() % 16, -COUNT(*) FROM removed GROUP BY product_id
    ON CONFLICT (product_id, stripe) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The journal's update triggers of tables with reference numbers left out
-- the update that numbered a release at its commit; the store makes them
-- again without that condition.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
              WHERE g.tgname = 'journal_update' AND c.relnamespace = current_schema()::regnamespace
                AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'reference_num' AND NOT a.attisdropped)
    LOOP
        EXECUTE format('DROP TRIGGER journal_update ON %I', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE products ADD COLUMN release_count BIGINT NOT NULL DEFAULT 0;
UPDATE products p SET release_count = COALESCE((SELECT SUM(c.n) FROM release_counts c WHERE c.product_id = p.id), 0);
DROP TABLE release_counts;
ALTER TABLE products DROP COLUMN position_seq;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION releases_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET release_count = p.release_count + n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM added
             WHERE reference_num NOT LIKE '~%' GROUP BY product_id) n
     WHERE p.id = n.product_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION releases_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET release_count = p.release_count - n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM removed GROUP BY product_id) n
     WHERE p.id = n.product_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

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
    assoc bigint;
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
         RETURNING id, lower(auditable_type) || ':' || auditable_id, associated_id INTO moved, rkey, assoc;
        UPDATE webhook_deliveries SET id = DEFAULT, audit_id = moved
         WHERE endpoint_id IN (SELECT e.id FROM webhook_endpoints e) AND record_key IN (rkey, rkey || ':' || assoc)
           AND status IN ('pending', 'delivering') AND audit_id = prior;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER releases_number AFTER INSERT ON releases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.reference_num LIKE '~%') EXECUTE FUNCTION release_numbered();

-- The journal's update triggers are made again as the store of that
-- version makes them.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
              WHERE g.tgname = 'journal_update' AND c.relnamespace = current_schema()::regnamespace
                AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'reference_num' AND NOT a.attisdropped)
    LOOP
        EXECUTE format('DROP TRIGGER journal_update ON %I', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

