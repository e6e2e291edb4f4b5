-- +goose Up
-- To-dos as Aha! shows them: a to-do attached to no record belongs to no
-- product, only attached to-dos have a position, a to-do is a task, an
-- approval or a work request, and each assignment has an ID of its own.
-- SQLite cannot relax a NOT NULL column in place, so the three to-do tables
-- are rebuilt: the children are moved aside first, so that dropping the old
-- tables deletes nothing by cascade, and every row is copied.
ALTER TABLE task_records RENAME TO task_records_old;
ALTER TABLE task_assignees RENAME TO task_assignees_old;
ALTER TABLE tasks RENAME TO tasks_old;

CREATE TABLE tasks (
    id             BIGINT PRIMARY KEY,
    product_id     BIGINT REFERENCES products (id),
    kind           TEXT NOT NULL DEFAULT 'Task',
    name           TEXT NOT NULL,
    body           TEXT NOT NULL,
    due_date       TEXT,
    status         TEXT NOT NULL,
    position       INTEGER,
    created_by_id  BIGINT NOT NULL REFERENCES users (id),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
INSERT INTO tasks (id, product_id, name, body, due_date, status, position, created_by_id, created_at, updated_at)
    SELECT id, product_id, name, body, due_date, status, position, created_by_id, created_at, updated_at FROM tasks_old;

CREATE TABLE task_records (
    task_id      BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    record_type  TEXT NOT NULL,
    record_id    BIGINT NOT NULL,
    PRIMARY KEY (task_id, record_type, record_id)
);
INSERT INTO task_records (task_id, record_type, record_id)
    SELECT task_id, record_type, record_id FROM task_records_old;

-- An assignment made before assignments had IDs is known by its user's.
CREATE TABLE task_assignees (
    id           BIGINT NOT NULL,
    task_id      BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (task_id, user_id)
);
INSERT INTO task_assignees (id, task_id, user_id, status, completed_at)
    SELECT user_id, task_id, user_id, status, completed_at FROM task_assignees_old;

DROP TABLE task_records_old;
DROP TABLE task_assignees_old;
DROP TABLE tasks_old;

CREATE INDEX tasks_product ON tasks (product_id, id);
CREATE INDEX task_records_record ON task_records (record_type, record_id);
CREATE INDEX task_assignees_user ON task_assignees (user_id, task_id);

-- +goose Down
-- The earlier layout has no place for to-dos without a product; those are
-- not kept.
ALTER TABLE task_records RENAME TO task_records_new;
ALTER TABLE task_assignees RENAME TO task_assignees_new;
ALTER TABLE tasks RENAME TO tasks_new;

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
INSERT INTO tasks (id, product_id, name, body, due_date, status, position, created_by_id, created_at, updated_at)
    SELECT id, product_id, name, body, due_date, status, COALESCE(position, 0), created_by_id, created_at, updated_at
    FROM tasks_new WHERE product_id IS NOT NULL;

CREATE TABLE task_records (
    task_id      BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    record_type  TEXT NOT NULL,
    record_id    BIGINT NOT NULL,
    PRIMARY KEY (task_id, record_type, record_id)
);
INSERT INTO task_records (task_id, record_type, record_id)
    SELECT task_id, record_type, record_id FROM task_records_new WHERE task_id IN (SELECT id FROM tasks);

CREATE TABLE task_assignees (
    task_id      BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (task_id, user_id)
);
INSERT INTO task_assignees (task_id, user_id, status, completed_at)
    SELECT task_id, user_id, status, completed_at FROM task_assignees_new WHERE task_id IN (SELECT id FROM tasks);

DROP TABLE task_records_new;
DROP TABLE task_assignees_new;
DROP TABLE tasks_new;

CREATE INDEX tasks_product ON tasks (product_id, id);
CREATE INDEX task_records_record ON task_records (record_type, record_id);
