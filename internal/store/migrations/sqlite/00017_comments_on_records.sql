-- +goose Up
-- Comments on every record that takes them: one column per kind of record,
-- exactly one of them set, each a foreign key that deletes the comments
-- with their record (and with the records that go with it: a release's
-- phases, a feature's requirements). SQLite cannot relax a NOT NULL
-- column in place, so the table is rebuilt and every row copied.
ALTER TABLE comments RENAME TO comments_old;
DROP INDEX comments_release;
DROP INDEX comments_user;

CREATE TABLE comments (
    id                BIGINT PRIMARY KEY,
    release_id        BIGINT REFERENCES releases (id) ON DELETE CASCADE,
    feature_id        BIGINT REFERENCES features (id) ON DELETE CASCADE,
    epic_id           BIGINT REFERENCES epics (id) ON DELETE CASCADE,
    requirement_id    BIGINT REFERENCES requirements (id) ON DELETE CASCADE,
    goal_id           BIGINT REFERENCES goals (id) ON DELETE CASCADE,
    initiative_id     BIGINT REFERENCES initiatives (id) ON DELETE CASCADE,
    release_phase_id  BIGINT REFERENCES release_phases (id) ON DELETE CASCADE,
    task_id           BIGINT REFERENCES tasks (id) ON DELETE CASCADE,
    user_id           BIGINT NOT NULL REFERENCES users (id),
    body              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK ((release_id IS NOT NULL) + (feature_id IS NOT NULL) + (epic_id IS NOT NULL)
        + (requirement_id IS NOT NULL) + (goal_id IS NOT NULL) + (initiative_id IS NOT NULL)
        + (release_phase_id IS NOT NULL) + (task_id IS NOT NULL) = 1)
);
INSERT INTO comments (id, release_id, user_id, body, created_at, updated_at)
    SELECT id, release_id, user_id, body, created_at, updated_at FROM comments_old;
DROP TABLE comments_old;

CREATE INDEX comments_release ON comments (release_id, id);
CREATE INDEX comments_feature ON comments (feature_id, id);
CREATE INDEX comments_epic ON comments (epic_id, id);
CREATE INDEX comments_requirement ON comments (requirement_id, id);
CREATE INDEX comments_goal ON comments (goal_id, id);
CREATE INDEX comments_initiative ON comments (initiative_id, id);
CREATE INDEX comments_release_phase ON comments (release_phase_id, id);
CREATE INDEX comments_task ON comments (task_id, id);
CREATE INDEX comments_user ON comments (user_id);

-- +goose Down
-- The earlier layout holds comments on releases only; the others are not
-- kept.
ALTER TABLE comments RENAME TO comments_new;
DROP INDEX comments_release;
DROP INDEX comments_feature;
DROP INDEX comments_epic;
DROP INDEX comments_requirement;
DROP INDEX comments_goal;
DROP INDEX comments_initiative;
DROP INDEX comments_release_phase;
DROP INDEX comments_task;
DROP INDEX comments_user;
CREATE TABLE comments (
    id          BIGINT PRIMARY KEY,
    release_id  BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
INSERT INTO comments (id, release_id, user_id, body, created_at, updated_at)
    SELECT id, release_id, user_id, body, created_at, updated_at FROM comments_new WHERE release_id IS NOT NULL;
DROP TABLE comments_new;
CREATE INDEX comments_release ON comments (release_id);
CREATE INDEX comments_user ON comments (user_id);
