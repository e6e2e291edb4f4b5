-- +goose Up
-- release_count is the number of releases of a product, kept by triggers in
-- every transaction that adds or removes one, so that a list of a product's
-- releases reports its total without counting them. The triggers run once
-- per statement, over the rows it added or removed.
ALTER TABLE products ADD COLUMN release_count BIGINT NOT NULL DEFAULT 0;
UPDATE products SET release_count = (SELECT COUNT(*) FROM releases r WHERE r.product_id = products.id);

-- +goose StatementBegin
CREATE FUNCTION releases_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET release_count = p.release_count + n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM added GROUP BY product_id) n
     WHERE p.id = n.product_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION releases_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET release_count = p.release_count - n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM removed GROUP BY product_id) n
     WHERE p.id = n.product_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER releases_count_insert AFTER INSERT ON releases
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION releases_count_added();
CREATE TRIGGER releases_count_delete AFTER DELETE ON releases
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION releases_count_removed();

-- +goose Down
DROP TRIGGER releases_count_delete ON releases;
DROP TRIGGER releases_count_insert ON releases;
DROP FUNCTION releases_count_removed();
DROP FUNCTION releases_count_added();
ALTER TABLE products DROP COLUMN release_count;
