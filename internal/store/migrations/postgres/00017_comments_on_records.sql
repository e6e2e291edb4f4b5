-- +goose Up
-- Comments on every record that takes them: one column per kind of record,
-- exactly one of them set, each a foreign key that deletes the comments
-- with their record (and with the records that go with it: a release's
-- phases, a feature's requirements).
ALTER TABLE comments ALTER COLUMN release_id DROP NOT NULL;
ALTER TABLE comments
    ADD COLUMN feature_id        BIGINT REFERENCES features (id) ON DELETE CASCADE,
    ADD COLUMN epic_id           BIGINT REFERENCES epics (id) ON DELETE CASCADE,
    ADD COLUMN requirement_id    BIGINT REFERENCES requirements (id) ON DELETE CASCADE,
    ADD COLUMN goal_id           BIGINT REFERENCES goals (id) ON DELETE CASCADE,
    ADD COLUMN initiative_id     BIGINT REFERENCES initiatives (id) ON DELETE CASCADE,
    ADD COLUMN release_phase_id  BIGINT REFERENCES release_phases (id) ON DELETE CASCADE,
    ADD COLUMN task_id           BIGINT REFERENCES tasks (id) ON DELETE CASCADE,
    ADD CONSTRAINT comments_one_record CHECK (num_nonnulls(release_id, feature_id, epic_id,
        requirement_id, goal_id, initiative_id, release_phase_id, task_id) = 1);

DROP INDEX comments_release;
CREATE INDEX comments_release ON comments (release_id, id);
CREATE INDEX comments_feature ON comments (feature_id, id);
CREATE INDEX comments_epic ON comments (epic_id, id);
CREATE INDEX comments_requirement ON comments (requirement_id, id);
CREATE INDEX comments_goal ON comments (goal_id, id);
CREATE INDEX comments_initiative ON comments (initiative_id, id);
CREATE INDEX comments_release_phase ON comments (release_phase_id, id);
CREATE INDEX comments_task ON comments (task_id, id);

-- +goose Down
-- The earlier layout holds comments on releases only; the others are not
-- kept.
DELETE FROM comments WHERE release_id IS NULL;
DROP INDEX comments_feature;
DROP INDEX comments_epic;
DROP INDEX comments_requirement;
DROP INDEX comments_goal;
DROP INDEX comments_initiative;
DROP INDEX comments_release_phase;
DROP INDEX comments_task;
ALTER TABLE comments
    DROP CONSTRAINT comments_one_record,
    DROP COLUMN feature_id,
    DROP COLUMN epic_id,
    DROP COLUMN requirement_id,
    DROP COLUMN goal_id,
    DROP COLUMN initiative_id,
    DROP COLUMN release_phase_id,
    DROP COLUMN task_id;
ALTER TABLE comments ALTER COLUMN release_id SET NOT NULL;
DROP INDEX comments_release;
CREATE INDEX comments_release ON comments (release_id);
