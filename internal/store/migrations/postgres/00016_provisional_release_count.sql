-- +goose Up
-- A new release is inserted under a provisional reference number, starting
-- with "~", and numbered at the end of its creating transaction by the update
-- of its product's counter row, which also counts it in release_count. The
-- insert trigger leaves such rows out, so that the insert does not update
-- (and lock) the product's row early.

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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION releases_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET release_count = p.release_count + n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM added GROUP BY product_id) n
     WHERE p.id = n.product_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
