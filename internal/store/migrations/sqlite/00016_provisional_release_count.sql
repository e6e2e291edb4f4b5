-- +goose Up
-- A new release is inserted under a provisional reference number, starting
-- with "~", and numbered at the end of its creating transaction by the update
-- of its product's counter row, which also counts it in release_count. The
-- insert trigger leaves such rows out.
DROP TRIGGER releases_count_insert;

-- +goose StatementBegin
CREATE TRIGGER releases_count_insert AFTER INSERT ON releases
WHEN new.reference_num NOT LIKE '~%' BEGIN
    UPDATE products SET release_count = release_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER releases_count_insert;

-- +goose StatementBegin
CREATE TRIGGER releases_count_insert AFTER INSERT ON releases BEGIN
    UPDATE products SET release_count = release_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd
