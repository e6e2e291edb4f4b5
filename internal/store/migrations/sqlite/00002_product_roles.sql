-- +goose Up
CREATE TABLE product_roles (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    role        INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX product_roles_product ON product_roles (product_id);

-- +goose Down
DROP TABLE product_roles;
