-- +goose Up
ALTER TABLE products ADD COLUMN goal_workflow_id BIGINT REFERENCES workflows (id);
ALTER TABLE products ADD COLUMN initiative_workflow_id BIGINT REFERENCES workflows (id);

-- +goose Down
ALTER TABLE products DROP COLUMN initiative_workflow_id;
ALTER TABLE products DROP COLUMN goal_workflow_id;
