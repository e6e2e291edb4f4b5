-- +goose Up
CREATE TABLE users (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    admin       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    hash        TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE workflows (
    id                BIGINT PRIMARY KEY,
    name              TEXT NOT NULL,
    statusable_type   TEXT NOT NULL,
    transitions_only  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE products (
    id               BIGINT PRIMARY KEY,
    reference_prefix TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    product_line     BOOLEAN NOT NULL DEFAULT FALSE,
    workspace_type   TEXT NOT NULL,
    parent_id        BIGINT REFERENCES products (id),
    release_workflow_id BIGINT REFERENCES workflows (id),
    release_seq      BIGINT NOT NULL DEFAULT 0,
    rollup_seq       BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE workflow_statuses (
    id           BIGINT PRIMARY KEY,
    workflow_id  BIGINT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    position     INTEGER NOT NULL,
    complete     BOOLEAN NOT NULL DEFAULT FALSE,
    color        TEXT NOT NULL
);
CREATE INDEX workflow_statuses_workflow ON workflow_statuses (workflow_id, position);

CREATE TABLE goals (
    id                      BIGINT PRIMARY KEY,
    product_id              BIGINT NOT NULL REFERENCES products (id),
    reference_num           TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    description_id          BIGINT NOT NULL,
    description_body        TEXT NOT NULL,
    description_created_at  BIGINT NOT NULL,
    description_updated_at  BIGINT NOT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);

CREATE TABLE initiatives (
    id                      BIGINT PRIMARY KEY,
    product_id              BIGINT NOT NULL REFERENCES products (id),
    reference_num           TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    description_id          BIGINT NOT NULL,
    description_body        TEXT NOT NULL,
    description_created_at  BIGINT NOT NULL,
    description_updated_at  BIGINT NOT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);

CREATE TABLE releases (
    id                        BIGINT PRIMARY KEY,
    product_id                BIGINT NOT NULL REFERENCES products (id),
    reference_num             TEXT NOT NULL UNIQUE,
    name                      TEXT NOT NULL,
    start_date                TEXT,
    end_date                  TEXT,
    development_started_on    TEXT,
    release_date              TEXT,
    external_release_date     TEXT,
    external_date_resolution  TEXT NOT NULL,
    released_on               TEXT,
    parking_lot               BOOLEAN NOT NULL DEFAULT FALSE,
    master_release            BOOLEAN NOT NULL DEFAULT FALSE,
    position                  INTEGER,
    progress                  INTEGER,
    progress_source           TEXT NOT NULL,
    duration_source           TEXT NOT NULL,
    status_changed_on         TEXT,
    capacity_units            TEXT,
    total_capacity            DOUBLE PRECISION,
    theme_id                  BIGINT NOT NULL,
    theme_body                TEXT NOT NULL,
    theme_created_at          BIGINT NOT NULL,
    theme_updated_at          BIGINT NOT NULL,
    workflow_status_id        BIGINT NOT NULL REFERENCES workflow_statuses (id),
    owner_id                  BIGINT NOT NULL REFERENCES users (id),
    created_by_id             BIGINT NOT NULL REFERENCES users (id),
    parent_id                 BIGINT REFERENCES releases (id) ON DELETE SET NULL,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);
CREATE INDEX releases_product ON releases (product_id, id);
CREATE INDEX releases_parent ON releases (parent_id);
CREATE INDEX releases_updated ON releases (updated_at);

CREATE TABLE release_goals (
    release_id  BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    goal_id     BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    PRIMARY KEY (release_id, goal_id)
);
CREATE INDEX release_goals_goal ON release_goals (goal_id);

CREATE TABLE release_initiatives (
    release_id     BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    initiative_id  BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    PRIMARY KEY (release_id, initiative_id)
);
CREATE INDEX release_initiatives_initiative ON release_initiatives (initiative_id);

CREATE TABLE release_watchers (
    release_id  BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (release_id, user_id)
);

CREATE TABLE release_status_times (
    id           BIGINT PRIMARY KEY,
    release_id   BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    status_id    BIGINT NOT NULL,
    status_name  TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX release_status_times_release ON release_status_times (release_id, started_at);

CREATE TABLE integration_fields (
    id              BIGINT PRIMARY KEY,
    record_type     TEXT NOT NULL,
    record_id       BIGINT NOT NULL,
    name            TEXT NOT NULL,
    value           TEXT NOT NULL,
    integration_id  BIGINT NOT NULL,
    service_name    TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX integration_fields_record ON integration_fields (record_type, record_id);

CREATE TABLE custom_field_values (
    id          BIGINT PRIMARY KEY,
    release_id  BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (release_id, key)
);

CREATE TABLE comments (
    id          BIGINT PRIMARY KEY,
    release_id  BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX comments_release ON comments (release_id);

-- +goose Down
DROP TABLE comments;
DROP TABLE custom_field_values;
DROP TABLE integration_fields;
DROP TABLE release_status_times;
DROP TABLE release_watchers;
DROP TABLE release_initiatives;
DROP TABLE release_goals;
DROP TABLE releases;
DROP TABLE initiatives;
DROP TABLE goals;
DROP TABLE workflow_statuses;
DROP TABLE products;
DROP TABLE workflows;
DROP TABLE api_tokens;
DROP TABLE users;
