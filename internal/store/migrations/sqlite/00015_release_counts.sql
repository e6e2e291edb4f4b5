-- +goose Up
-- release_count is the number of releases of a product, kept by triggers in
-- every transaction that adds or removes one, so that a list of a product's
-- releases reports its total without counting them.
ALTER TABLE products ADD COLUMN release_count BIGINT NOT NULL DEFAULT 0;
UPDATE products SET release_count = (SELECT COUNT(*) FROM releases r WHERE r.product_id = products.id);

-- +goose StatementBegin
CREATE TRIGGER releases_count_insert AFTER INSERT ON releases BEGIN
    UPDATE products SET release_count = release_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER releases_count_delete AFTER DELETE ON releases BEGIN
    UPDATE products SET release_count = release_count - 1 WHERE id = old.product_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER releases_count_delete;
DROP TRIGGER releases_count_insert;
ALTER TABLE products DROP COLUMN release_count;
