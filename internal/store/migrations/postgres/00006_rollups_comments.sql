-- +goose Up
-- The products, besides its own, whose releases a roll-up release collects.
CREATE TABLE release_projects (
    release_id  BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (release_id, product_id)
);
CREATE INDEX release_projects_product ON release_projects (product_id);

CREATE INDEX comments_user ON comments (user_id);

-- +goose Down
DROP INDEX comments_user;
DROP TABLE release_projects;
