-- +goose Up
-- A link's deliveries are ordered per link: the record key of a link's
-- audit (a watcher's, known by the user it links) also names the record
-- the link belongs to (the release), so that creates by one user no longer
-- queue each other's deliveries behind one key (the store writes the keys;
-- see recordKeySQL). A release's numbering at commit gives its audits'
-- deliveries new IDs, and finds them by either form of the key (those
-- queued before this version have the shorter one).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION release_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
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
         RETURNING id, lower(auditable_type) || ':' || auditable_id, associated_id INTO moved, rkey, assoc;
        UPDATE webhook_deliveries SET id = DEFAULT, audit_id = moved
         WHERE endpoint_id IN (SELECT e.id FROM webhook_endpoints e) AND record_key IN (rkey, rkey || ':' || assoc)
           AND status IN ('pending', 'delivering') AND audit_id = prior;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION release_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
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
