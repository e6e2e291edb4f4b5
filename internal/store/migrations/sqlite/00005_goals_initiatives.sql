-- +goose Up
ALTER TABLE products ADD COLUMN goal_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN initiative_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN key_result_workflow_id BIGINT REFERENCES workflows (id);
ALTER TABLE products ADD COLUMN initiative_assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL;

CREATE TABLE time_frames (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

ALTER TABLE goals ADD COLUMN effort INTEGER NOT NULL DEFAULT 50;
ALTER TABLE goals ADD COLUMN value INTEGER NOT NULL DEFAULT 50;
ALTER TABLE goals ADD COLUMN color TEXT NOT NULL DEFAULT '#397e82';
ALTER TABLE goals ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN progress INTEGER;
ALTER TABLE goals ADD COLUMN progress_source TEXT NOT NULL DEFAULT 'progress_manual';
ALTER TABLE goals ADD COLUMN workflow_status_id BIGINT REFERENCES workflow_statuses (id);
ALTER TABLE goals ADD COLUMN parent_id BIGINT REFERENCES goals (id) ON DELETE SET NULL;
ALTER TABLE goals ADD COLUMN time_frame_id BIGINT REFERENCES time_frames (id) ON DELETE SET NULL;
ALTER TABLE goals ADD COLUMN metric_name TEXT NOT NULL DEFAULT '';
ALTER TABLE goals ADD COLUMN metric_description_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN metric_description_body TEXT NOT NULL DEFAULT '';
ALTER TABLE goals ADD COLUMN metric_description_created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN metric_description_updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN created_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE goals ADD COLUMN key_result_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX goals_product ON goals (product_id, id);
CREATE INDEX goals_parent ON goals (parent_id);

ALTER TABLE initiatives ADD COLUMN effort INTEGER NOT NULL DEFAULT 50;
ALTER TABLE initiatives ADD COLUMN value INTEGER NOT NULL DEFAULT 50;
ALTER TABLE initiatives ADD COLUMN presented BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE initiatives ADD COLUMN color TEXT NOT NULL DEFAULT '#397e82';
ALTER TABLE initiatives ADD COLUMN start_date TEXT;
ALTER TABLE initiatives ADD COLUMN end_date TEXT;
ALTER TABLE initiatives ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE initiatives ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE initiatives ADD COLUMN progress INTEGER;
ALTER TABLE initiatives ADD COLUMN progress_source TEXT NOT NULL DEFAULT 'progress_manual';
ALTER TABLE initiatives ADD COLUMN duration_source TEXT NOT NULL DEFAULT 'duration_manual';
ALTER TABLE initiatives ADD COLUMN workflow_status_id BIGINT REFERENCES workflow_statuses (id);
ALTER TABLE initiatives ADD COLUMN assigned_to_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE initiatives ADD COLUMN default_assignee BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE initiatives ADD COLUMN time_frame_id BIGINT REFERENCES time_frames (id) ON DELETE SET NULL;
ALTER TABLE initiatives ADD COLUMN parent_id BIGINT REFERENCES initiatives (id) ON DELETE SET NULL;
ALTER TABLE initiatives ADD COLUMN created_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE initiatives ADD COLUMN name_fold TEXT;
CREATE INDEX initiatives_product ON initiatives (product_id, id);
CREATE INDEX initiatives_parent ON initiatives (parent_id);
CREATE INDEX initiatives_updated ON initiatives (updated_at);

CREATE TABLE goal_initiatives (
    goal_id        BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    initiative_id  BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    PRIMARY KEY (goal_id, initiative_id)
);
CREATE INDEX goal_initiatives_initiative ON goal_initiatives (initiative_id);

CREATE TABLE goal_watchers (
    goal_id  BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (goal_id, user_id)
);

CREATE TABLE initiative_watchers (
    initiative_id  BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (initiative_id, user_id)
);

CREATE TABLE goal_status_times (
    id           BIGINT PRIMARY KEY,
    goal_id      BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    status_id    BIGINT NOT NULL,
    status_name  TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX goal_status_times_goal ON goal_status_times (goal_id, started_at);

CREATE TABLE initiative_status_times (
    id             BIGINT PRIMARY KEY,
    initiative_id  BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    status_id      BIGINT NOT NULL,
    status_name    TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    ended_at       BIGINT
);
CREATE INDEX initiative_status_times_initiative ON initiative_status_times (initiative_id, started_at);

CREATE TABLE initiative_custom_fields (
    id             BIGINT PRIMARY KEY,
    initiative_id  BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    value          TEXT NOT NULL,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (initiative_id, key)
);

CREATE TABLE key_results (
    id                      BIGINT PRIMARY KEY,
    goal_id                 BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    reference_num           TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    position                INTEGER NOT NULL,
    progress                INTEGER,
    target_metric           TEXT,
    starting_metric         TEXT,
    current_metric          TEXT,
    description_id          BIGINT NOT NULL,
    description_body        TEXT NOT NULL,
    description_created_at  BIGINT NOT NULL,
    description_updated_at  BIGINT NOT NULL,
    workflow_status_id      BIGINT REFERENCES workflow_statuses (id),
    assigned_to_user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    default_assignee        BOOLEAN NOT NULL DEFAULT FALSE,
    created_by_id           BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX key_results_goal ON key_results (goal_id, id);

CREATE TABLE key_result_watchers (
    key_result_id  BIGINT NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (key_result_id, user_id)
);

CREATE TABLE key_result_custom_fields (
    id             BIGINT PRIMARY KEY,
    key_result_id  BIGINT NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    value          TEXT NOT NULL,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (key_result_id, key)
);

-- +goose Down
DROP TABLE key_result_custom_fields;
DROP TABLE key_result_watchers;
DROP TABLE key_results;
DROP TABLE initiative_custom_fields;
DROP TABLE initiative_status_times;
DROP TABLE goal_status_times;
DROP TABLE initiative_watchers;
DROP TABLE goal_watchers;
DROP TABLE goal_initiatives;
DROP INDEX initiatives_updated;
DROP INDEX initiatives_parent;
DROP INDEX initiatives_product;
ALTER TABLE initiatives DROP COLUMN name_fold;
ALTER TABLE initiatives DROP COLUMN created_by_id;
ALTER TABLE initiatives DROP COLUMN parent_id;
ALTER TABLE initiatives DROP COLUMN time_frame_id;
ALTER TABLE initiatives DROP COLUMN default_assignee;
ALTER TABLE initiatives DROP COLUMN assigned_to_user_id;
ALTER TABLE initiatives DROP COLUMN workflow_status_id;
ALTER TABLE initiatives DROP COLUMN duration_source;
ALTER TABLE initiatives DROP COLUMN progress_source;
ALTER TABLE initiatives DROP COLUMN progress;
ALTER TABLE initiatives DROP COLUMN score;
ALTER TABLE initiatives DROP COLUMN position;
ALTER TABLE initiatives DROP COLUMN end_date;
ALTER TABLE initiatives DROP COLUMN start_date;
ALTER TABLE initiatives DROP COLUMN color;
ALTER TABLE initiatives DROP COLUMN presented;
ALTER TABLE initiatives DROP COLUMN value;
ALTER TABLE initiatives DROP COLUMN effort;
DROP INDEX goals_parent;
DROP INDEX goals_product;
ALTER TABLE goals DROP COLUMN key_result_seq;
ALTER TABLE goals DROP COLUMN created_by_id;
ALTER TABLE goals DROP COLUMN metric_description_updated_at;
ALTER TABLE goals DROP COLUMN metric_description_created_at;
ALTER TABLE goals DROP COLUMN metric_description_body;
ALTER TABLE goals DROP COLUMN metric_description_id;
ALTER TABLE goals DROP COLUMN metric_name;
ALTER TABLE goals DROP COLUMN time_frame_id;
ALTER TABLE goals DROP COLUMN parent_id;
ALTER TABLE goals DROP COLUMN workflow_status_id;
ALTER TABLE goals DROP COLUMN progress_source;
ALTER TABLE goals DROP COLUMN progress;
ALTER TABLE goals DROP COLUMN position;
ALTER TABLE goals DROP COLUMN color;
ALTER TABLE goals DROP COLUMN value;
ALTER TABLE goals DROP COLUMN effort;
DROP TABLE time_frames;
ALTER TABLE products DROP COLUMN initiative_assignee_id;
ALTER TABLE products DROP COLUMN key_result_workflow_id;
ALTER TABLE products DROP COLUMN initiative_seq;
ALTER TABLE products DROP COLUMN goal_seq;
