-- +goose Up
-- The work inside releases: epics, features, requirements, release phases
-- and milestones, and to-dos. A release's computed progress and dates come
-- from these rows (see internal/store/compute.go).
ALTER TABLE products ADD COLUMN feature_workflow_id BIGINT REFERENCES workflows (id);
ALTER TABLE products ADD COLUMN epic_workflow_id BIGINT REFERENCES workflows (id);
ALTER TABLE products ADD COLUMN requirement_workflow_id BIGINT REFERENCES workflows (id);
ALTER TABLE products ADD COLUMN feature_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN epic_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE epics (
    id                      BIGINT PRIMARY KEY,
    product_id              BIGINT NOT NULL REFERENCES products (id),
    release_id              BIGINT NOT NULL REFERENCES releases (id),
    reference_num           TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    name_fold               TEXT NOT NULL,
    position                INTEGER NOT NULL DEFAULT 0,
    score                   INTEGER NOT NULL DEFAULT 0,
    start_date              TEXT,
    due_date                TEXT,
    progress                INTEGER,
    progress_source         TEXT NOT NULL,
    duration_source         TEXT NOT NULL,
    status_changed_on       TEXT,
    workflow_status_id      BIGINT NOT NULL REFERENCES workflow_statuses (id),
    initiative_id           BIGINT REFERENCES initiatives (id) ON DELETE SET NULL,
    assigned_to_user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_id           BIGINT NOT NULL REFERENCES users (id),
    description_id          BIGINT NOT NULL,
    description_body        TEXT NOT NULL,
    description_created_at  BIGINT NOT NULL,
    description_updated_at  BIGINT NOT NULL,
    work_units              TEXT NOT NULL DEFAULT 'time',
    original_estimate       DOUBLE PRECISION,
    remaining_estimate      DOUBLE PRECISION,
    work_done               DOUBLE PRECISION,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX epics_release ON epics (release_id, id);
CREATE INDEX epics_product ON epics (product_id, id);

CREATE TABLE features (
    id                      BIGINT PRIMARY KEY,
    product_id              BIGINT NOT NULL REFERENCES products (id),
    release_id              BIGINT NOT NULL REFERENCES releases (id),
    epic_id                 BIGINT REFERENCES epics (id) ON DELETE SET NULL,
    initiative_id           BIGINT REFERENCES initiatives (id) ON DELETE SET NULL,
    reference_num           TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    name_fold               TEXT NOT NULL,
    position                INTEGER NOT NULL DEFAULT 0,
    score                   INTEGER NOT NULL DEFAULT 0,
    start_date              TEXT,
    due_date                TEXT,
    progress                INTEGER,
    progress_source         TEXT NOT NULL,
    status_changed_on       TEXT,
    workflow_kind           TEXT NOT NULL DEFAULT 'new',
    workflow_status_id      BIGINT NOT NULL REFERENCES workflow_statuses (id),
    assigned_to_user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_id           BIGINT NOT NULL REFERENCES users (id),
    description_id          BIGINT NOT NULL,
    description_body        TEXT NOT NULL,
    description_created_at  BIGINT NOT NULL,
    description_updated_at  BIGINT NOT NULL,
    -- Estimates, in minutes (work_units 'time') or points ('story_points').
    -- The original estimate is the detailed estimate, or the initial one
    -- when there is no detailed estimate.
    work_units              TEXT NOT NULL DEFAULT 'time',
    initial_estimate        DOUBLE PRECISION,
    detailed_estimate       DOUBLE PRECISION,
    remaining_estimate      DOUBLE PRECISION,
    work_done               DOUBLE PRECISION,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX features_release ON features (release_id, id);
CREATE INDEX features_product ON features (product_id, id);
CREATE INDEX features_epic ON features (epic_id);
CREATE INDEX features_initiative ON features (initiative_id);

CREATE TABLE feature_goals (
    feature_id  BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    goal_id     BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    PRIMARY KEY (feature_id, goal_id)
);
CREATE INDEX feature_goals_goal ON feature_goals (goal_id);

CREATE TABLE epic_goals (
    epic_id  BIGINT NOT NULL REFERENCES epics (id) ON DELETE CASCADE,
    goal_id  BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    PRIMARY KEY (epic_id, goal_id)
);
CREATE INDEX epic_goals_goal ON epic_goals (goal_id);

CREATE TABLE feature_watchers (
    feature_id  BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (feature_id, user_id)
);

CREATE TABLE epic_watchers (
    epic_id  BIGINT NOT NULL REFERENCES epics (id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (epic_id, user_id)
);

CREATE TABLE requirements (
    id                      BIGINT PRIMARY KEY,
    feature_id              BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    reference_num           TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    position                INTEGER NOT NULL DEFAULT 0,
    workflow_status_id      BIGINT NOT NULL REFERENCES workflow_statuses (id),
    assigned_to_user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_id           BIGINT NOT NULL REFERENCES users (id),
    description_id          BIGINT NOT NULL,
    description_body        TEXT NOT NULL,
    description_created_at  BIGINT NOT NULL,
    description_updated_at  BIGINT NOT NULL,
    original_estimate       DOUBLE PRECISION,
    remaining_estimate      DOUBLE PRECISION,
    work_done               DOUBLE PRECISION,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX requirements_feature ON requirements (feature_id, id);
ALTER TABLE features ADD COLUMN requirement_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE work_status_times (
    id           BIGINT PRIMARY KEY,
    record_type  TEXT NOT NULL,
    record_id    BIGINT NOT NULL,
    status_id    BIGINT NOT NULL,
    status_name  TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX work_status_times_record ON work_status_times (record_type, record_id, started_at);

CREATE TABLE release_phases (
    id                      BIGINT PRIMARY KEY,
    release_id              BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    name                    TEXT NOT NULL,
    kind                    TEXT NOT NULL,
    start_on                TEXT,
    end_on                  TEXT,
    position                INTEGER NOT NULL DEFAULT 0,
    progress                INTEGER,
    progress_source         TEXT NOT NULL,
    duration_source         TEXT NOT NULL,
    description_id          BIGINT NOT NULL,
    description_body        TEXT NOT NULL,
    description_created_at  BIGINT NOT NULL,
    description_updated_at  BIGINT NOT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX release_phases_release ON release_phases (release_id, start_on, id);

CREATE TABLE tasks (
    id             BIGINT PRIMARY KEY,
    product_id     BIGINT NOT NULL REFERENCES products (id),
    name           TEXT NOT NULL,
    body           TEXT NOT NULL,
    due_date       TEXT,
    status         TEXT NOT NULL,
    position       INTEGER NOT NULL DEFAULT 0,
    created_by_id  BIGINT NOT NULL REFERENCES users (id),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX tasks_product ON tasks (product_id, id);

-- The records a to-do is attached to (releases, features, epics,
-- requirements, release phases).
CREATE TABLE task_records (
    task_id      BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    record_type  TEXT NOT NULL,
    record_id    BIGINT NOT NULL,
    PRIMARY KEY (task_id, record_type, record_id)
);
CREATE INDEX task_records_record ON task_records (record_type, record_id);

CREATE TABLE task_assignees (
    task_id      BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (task_id, user_id)
);

-- +goose Down
DROP TABLE task_assignees;
DROP TABLE task_records;
DROP TABLE tasks;
DROP TABLE release_phases;
DROP TABLE work_status_times;
DROP TABLE requirements;
DROP TABLE epic_watchers;
DROP TABLE feature_watchers;
DROP TABLE epic_goals;
DROP TABLE feature_goals;
DROP TABLE features;
DROP TABLE epics;
ALTER TABLE products DROP COLUMN epic_seq;
ALTER TABLE products DROP COLUMN feature_seq;
ALTER TABLE products DROP COLUMN requirement_workflow_id;
ALTER TABLE products DROP COLUMN epic_workflow_id;
ALTER TABLE products DROP COLUMN feature_workflow_id;
