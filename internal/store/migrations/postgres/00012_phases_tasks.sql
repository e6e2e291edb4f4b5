-- +goose Up
-- To-dos as Aha! shows them: a to-do attached to no record belongs to no
-- product, only attached to-dos have a position, a to-do is a task, an
-- approval or a work request, and each assignment has an ID of its own (an
-- assignment made before assignments had IDs is known by its user's).
ALTER TABLE tasks ALTER COLUMN product_id DROP NOT NULL;
ALTER TABLE tasks ALTER COLUMN position DROP NOT NULL;
ALTER TABLE tasks ALTER COLUMN position DROP DEFAULT;
ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'Task';

ALTER TABLE task_assignees ADD COLUMN id BIGINT;
UPDATE task_assignees SET id = user_id;
ALTER TABLE task_assignees ALTER COLUMN id SET NOT NULL;
CREATE INDEX task_assignees_user ON task_assignees (user_id, task_id);

-- +goose Down
-- The earlier layout has no place for to-dos without a product; those are
-- not kept.
DROP INDEX task_assignees_user;
ALTER TABLE task_assignees DROP COLUMN id;
ALTER TABLE tasks DROP COLUMN kind;
UPDATE tasks SET position = 0 WHERE position IS NULL;
ALTER TABLE tasks ALTER COLUMN position SET DEFAULT 0;
ALTER TABLE tasks ALTER COLUMN position SET NOT NULL;
DELETE FROM tasks WHERE product_id IS NULL;
ALTER TABLE tasks ALTER COLUMN product_id SET NOT NULL;
