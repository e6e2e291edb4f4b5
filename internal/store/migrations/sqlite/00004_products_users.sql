-- +goose Up
ALTER TABLE products ADD COLUMN description_id BIGINT;
ALTER TABLE products ADD COLUMN description_body TEXT;
ALTER TABLE products ADD COLUMN description_created_at BIGINT;
ALTER TABLE products ADD COLUMN description_updated_at BIGINT;
ALTER TABLE products ADD COLUMN product_line_type TEXT;
ALTER TABLE products ADD COLUMN epics_enabled BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX products_parent ON products (parent_id);

ALTER TABLE users ADD COLUMN first_name TEXT;
ALTER TABLE users ADD COLUMN last_name TEXT;
ALTER TABLE users ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN administer_billing BOOLEAN;
ALTER TABLE users ADD COLUMN administer_configuration BOOLEAN;

-- +goose Down
ALTER TABLE users DROP COLUMN administer_configuration;
ALTER TABLE users DROP COLUMN administer_billing;
ALTER TABLE users DROP COLUMN enabled;
ALTER TABLE users DROP COLUMN last_name;
ALTER TABLE users DROP COLUMN first_name;

DROP INDEX products_parent;
ALTER TABLE products DROP COLUMN epics_enabled;
ALTER TABLE products DROP COLUMN product_line_type;
ALTER TABLE products DROP COLUMN description_updated_at;
ALTER TABLE products DROP COLUMN description_created_at;
ALTER TABLE products DROP COLUMN description_body;
ALTER TABLE products DROP COLUMN description_id;
