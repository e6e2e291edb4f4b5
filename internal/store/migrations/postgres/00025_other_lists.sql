-- +goose Up
-- What keeps the lists of features, epics, goals, initiatives,
-- requirements, to-dos and comments flat in the size of an account: the
-- totals of their whole lists, kept in the writing transactions by
-- triggers (as feature_count and release_count are), the planned capacity
-- of releases, a product on comments, and the trigrams of the
-- requirements' names. Every kept column ends in _count or _fold, so that
-- history leaves it out.
ALTER TABLE products ADD COLUMN goal_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN initiative_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN epic_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN planned_minute_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN planned_point_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN planned_inexact_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN epic_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE features ADD COLUMN requirement_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE epics ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE requirements ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE initiatives ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE release_phases ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0, ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN product_fold BIGINT;
ALTER TABLE requirements ADD COLUMN name_fold TEXT;

-- The planned capacity of a release is the sum of its features' original
-- estimates (the detailed one, else the initial one) in the release's
-- units. The sums of the whole numbers of minutes and of points are kept,
-- exactly, as integers; planned_inexact_count counts the features whose
-- estimate is not a whole number below 2^32, for which the sum is read
-- from the features as before, so that the answer is the same to the bit.
UPDATE releases SET
    planned_minute_count = (SELECT COALESCE(SUM(CASE WHEN f.work_units = 'time' AND (trunc(COALESCE(f.detailed_estimate, f.initial_estimate, 0)) = COALESCE(f.detailed_estimate, f.initial_estimate, 0) AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) > -4294967296 AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(f.detailed_estimate, f.initial_estimate, 0) AS BIGINT) ELSE 0 END), 0) FROM features f WHERE f.release_id = releases.id),
    planned_point_count = (SELECT COALESCE(SUM(CASE WHEN f.work_units = 'story_points' AND (trunc(COALESCE(f.detailed_estimate, f.initial_estimate, 0)) = COALESCE(f.detailed_estimate, f.initial_estimate, 0) AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) > -4294967296 AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(f.detailed_estimate, f.initial_estimate, 0) AS BIGINT) ELSE 0 END), 0) FROM features f WHERE f.release_id = releases.id),
    planned_inexact_count = (SELECT COUNT(*) FROM features f WHERE f.release_id = releases.id AND NOT (trunc(COALESCE(f.detailed_estimate, f.initial_estimate, 0)) = COALESCE(f.detailed_estimate, f.initial_estimate, 0) AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) > -4294967296 AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) < 4294967296)),
    epic_count = (SELECT COUNT(*) FROM epics e WHERE e.release_id = releases.id);
UPDATE products SET
    goal_count = (SELECT COUNT(*) FROM goals g WHERE g.product_id = products.id),
    initiative_count = (SELECT COUNT(*) FROM initiatives i WHERE i.product_id = products.id),
    epic_count = (SELECT COUNT(*) FROM epics e WHERE e.product_id = products.id),
    task_count = (SELECT COUNT(*) FROM tasks t WHERE t.product_id = products.id AND t.kind = 'Task');
UPDATE features SET requirement_count = (SELECT COUNT(*) FROM requirements q WHERE q.feature_id = features.id);

-- A comment's product_fold is the product of its record (the release's
-- for a release phase, the feature's for a requirement), kept by triggers
-- when the comment is written or its record moves, so that a product's
-- comments are found through (product_fold, id).
UPDATE comments SET product_fold = COALESCE(
    (SELECT product_id FROM releases WHERE id = comments.release_id),
    (SELECT product_id FROM features WHERE id = comments.feature_id),
    (SELECT product_id FROM epics WHERE id = comments.epic_id),
    (SELECT f.product_id FROM requirements q JOIN features f ON f.id = q.feature_id WHERE q.id = comments.requirement_id),
    (SELECT product_id FROM goals WHERE id = comments.goal_id),
    (SELECT product_id FROM initiatives WHERE id = comments.initiative_id),
    (SELECT r.product_id FROM release_phases p JOIN releases r ON r.id = p.release_id WHERE p.id = comments.release_phase_id),
    (SELECT product_id FROM tasks WHERE id = comments.task_id));
CREATE INDEX comments_product ON comments (product_fold, id);
UPDATE products SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.product_fold = products.id);
UPDATE releases SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.release_id = releases.id);
UPDATE features SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.feature_id = features.id);
UPDATE epics SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.epic_id = epics.id);
UPDATE requirements SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.requirement_id = requirements.id);
UPDATE goals SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.goal_id = goals.id);
UPDATE initiatives SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.initiative_id = initiatives.id);
UPDATE release_phases SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.release_phase_id = release_phases.id);
UPDATE tasks SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.task_id = tasks.id);

-- task_count is the number of to-dos of kind Task of a product, and of
-- those attached to a record.
UPDATE releases SET task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Release' AND r.record_id = releases.id AND t.kind = 'Task');
UPDATE features SET task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Feature' AND r.record_id = features.id AND t.kind = 'Task');
UPDATE epics SET task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Epic' AND r.record_id = epics.id AND t.kind = 'Task');
UPDATE requirements SET task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Requirement' AND r.record_id = requirements.id AND t.kind = 'Task');
UPDATE release_phases SET task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'ReleasePhase' AND r.record_id = release_phases.id AND t.kind = 'Task');

-- Requirements' names folded as the store folds them (lower case), and
-- their trigrams (pg_trgm), for q.
UPDATE requirements SET name_fold = lower(name);
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema TEXT;
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX requirements_name_trgm ON requirements USING gin (name_fold %I.gin_trgm_ops)', ext_schema);
END
$$;
-- +goose StatementEnd

-- A feature's requirements, and a product's initiatives and to-dos, by
-- update time; a record's to-dos in to-do order (the lists join their
-- links and walk them up to the page).
CREATE INDEX requirements_feature_updated ON requirements (feature_id, updated_at);
CREATE INDEX initiatives_product_updated ON initiatives (product_id, updated_at);
CREATE INDEX tasks_product_updated ON tasks (product_id, updated_at);
DROP INDEX task_records_record;
CREATE INDEX task_records_record ON task_records (record_type, record_id, task_id);

-- A record inserted again by a restore from the recycle bin comes back
-- with the counts it had when it was deleted, while the rows they count
-- come back after it and count themselves: the counts a record keeps of
-- its parts start at 0 whatever an insert gives them, since no part can
-- exist before its record, except the to-dos, whose links name their
-- record without a foreign key (the demo's are seeded before their
-- records): a record's task_count starts at the number of its links.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION releases_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.feature_count := 0;
    NEW.epic_count := 0;
    NEW.comment_count := 0;
    NEW.planned_minute_count := 0;
    NEW.planned_point_count := 0;
    NEW.planned_inexact_count := 0;
    NEW.task_count := (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Release' AND r.record_id = NEW.id AND t.kind = 'Task');
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER releases_kept_reset BEFORE INSERT ON releases FOR EACH ROW EXECUTE FUNCTION releases_kept_reset();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.requirement_count := 0;
    NEW.comment_count := 0;
    NEW.task_count := (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Feature' AND r.record_id = NEW.id AND t.kind = 'Task');
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER features_kept_reset BEFORE INSERT ON features FOR EACH ROW EXECUTE FUNCTION features_kept_reset();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION epics_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.comment_count := 0;
    NEW.task_count := (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Epic' AND r.record_id = NEW.id AND t.kind = 'Task');
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER epics_kept_reset BEFORE INSERT ON epics FOR EACH ROW EXECUTE FUNCTION epics_kept_reset();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION requirements_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.comment_count := 0;
    NEW.task_count := (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Requirement' AND r.record_id = NEW.id AND t.kind = 'Task');
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER requirements_kept_reset BEFORE INSERT ON requirements FOR EACH ROW EXECUTE FUNCTION requirements_kept_reset();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION goals_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.comment_count := 0;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER goals_kept_reset BEFORE INSERT ON goals FOR EACH ROW WHEN (NEW.comment_count <> 0) EXECUTE FUNCTION goals_kept_reset();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.comment_count := 0;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER initiatives_kept_reset BEFORE INSERT ON initiatives FOR EACH ROW WHEN (NEW.comment_count <> 0) EXECUTE FUNCTION initiatives_kept_reset();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION release_phases_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.comment_count := 0;
    NEW.task_count := (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'ReleasePhase' AND r.record_id = NEW.id AND t.kind = 'Task');
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER release_phases_kept_reset BEFORE INSERT ON release_phases FOR EACH ROW EXECUTE FUNCTION release_phases_kept_reset();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_kept_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.comment_count := 0;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_kept_reset BEFORE INSERT ON tasks FOR EACH ROW WHEN (NEW.comment_count <> 0) EXECUTE FUNCTION tasks_kept_reset();

-- The features' counts, as 00019 keeps them, and the planned sums.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET feature_count = p.feature_count + n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM added GROUP BY product_id) n
     WHERE p.id = n.product_id;
    UPDATE releases r SET feature_count = r.feature_count + n.c,
           planned_minute_count = r.planned_minute_count + n.m,
           planned_point_count = r.planned_point_count + n.p,
           planned_inexact_count = r.planned_inexact_count + n.x
      FROM (SELECT release_id, COUNT(*) AS c, SUM(CASE WHEN a.work_units = 'time' AND (trunc(COALESCE(a.detailed_estimate, a.initial_estimate, 0)) = COALESCE(a.detailed_estimate, a.initial_estimate, 0) AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) > -4294967296 AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(a.detailed_estimate, a.initial_estimate, 0) AS BIGINT) ELSE 0 END) AS m,
                   SUM(CASE WHEN a.work_units = 'story_points' AND (trunc(COALESCE(a.detailed_estimate, a.initial_estimate, 0)) = COALESCE(a.detailed_estimate, a.initial_estimate, 0) AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) > -4294967296 AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(a.detailed_estimate, a.initial_estimate, 0) AS BIGINT) ELSE 0 END) AS p,
                   SUM(CASE WHEN (trunc(COALESCE(a.detailed_estimate, a.initial_estimate, 0)) = COALESCE(a.detailed_estimate, a.initial_estimate, 0) AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) > -4294967296 AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END) AS x
              FROM added a GROUP BY release_id) n
     WHERE r.id = n.release_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET feature_count = p.feature_count - n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM removed GROUP BY product_id) n
     WHERE p.id = n.product_id;
    UPDATE releases r SET feature_count = r.feature_count - n.c,
           planned_minute_count = r.planned_minute_count - n.m,
           planned_point_count = r.planned_point_count - n.p,
           planned_inexact_count = r.planned_inexact_count - n.x
      FROM (SELECT release_id, COUNT(*) AS c, SUM(CASE WHEN a.work_units = 'time' AND (trunc(COALESCE(a.detailed_estimate, a.initial_estimate, 0)) = COALESCE(a.detailed_estimate, a.initial_estimate, 0) AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) > -4294967296 AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(a.detailed_estimate, a.initial_estimate, 0) AS BIGINT) ELSE 0 END) AS m,
                   SUM(CASE WHEN a.work_units = 'story_points' AND (trunc(COALESCE(a.detailed_estimate, a.initial_estimate, 0)) = COALESCE(a.detailed_estimate, a.initial_estimate, 0) AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) > -4294967296 AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(a.detailed_estimate, a.initial_estimate, 0) AS BIGINT) ELSE 0 END) AS p,
                   SUM(CASE WHEN (trunc(COALESCE(a.detailed_estimate, a.initial_estimate, 0)) = COALESCE(a.detailed_estimate, a.initial_estimate, 0) AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) > -4294967296 AND COALESCE(a.detailed_estimate, a.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END) AS x
              FROM removed a GROUP BY release_id) n
     WHERE r.id = n.release_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.product_id <> NEW.product_id THEN
        UPDATE products SET feature_count = feature_count - 1 WHERE id = OLD.product_id;
        UPDATE products SET feature_count = feature_count + 1 WHERE id = NEW.product_id;
    END IF;
    UPDATE releases SET feature_count = feature_count - (CASE WHEN OLD.release_id <> NEW.release_id THEN 1 ELSE 0 END),
           planned_minute_count = planned_minute_count - (CASE WHEN OLD.work_units = 'time' AND (trunc(COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0)) = COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) AND COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) > -4294967296 AND COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) AS BIGINT) ELSE 0 END),
           planned_point_count = planned_point_count - (CASE WHEN OLD.work_units = 'story_points' AND (trunc(COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0)) = COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) AND COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) > -4294967296 AND COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) AS BIGINT) ELSE 0 END),
           planned_inexact_count = planned_inexact_count - (CASE WHEN (trunc(COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0)) = COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) AND COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) > -4294967296 AND COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END)
     WHERE id = OLD.release_id;
    UPDATE releases SET feature_count = feature_count + (CASE WHEN OLD.release_id <> NEW.release_id THEN 1 ELSE 0 END),
           planned_minute_count = planned_minute_count + (CASE WHEN NEW.work_units = 'time' AND (trunc(COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0)) = COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) AND COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) > -4294967296 AND COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) AS BIGINT) ELSE 0 END),
           planned_point_count = planned_point_count + (CASE WHEN NEW.work_units = 'story_points' AND (trunc(COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0)) = COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) AND COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) > -4294967296 AND COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) AS BIGINT) ELSE 0 END),
           planned_inexact_count = planned_inexact_count + (CASE WHEN (trunc(COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0)) = COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) AND COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) > -4294967296 AND COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END)
     WHERE id = NEW.release_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER features_count_move ON features;
CREATE TRIGGER features_count_move AFTER UPDATE OF product_id, release_id, work_units, initial_estimate, detailed_estimate ON features
    FOR EACH ROW WHEN (OLD.product_id <> NEW.product_id OR OLD.release_id <> NEW.release_id OR OLD.work_units IS DISTINCT FROM NEW.work_units
        OR COALESCE(OLD.detailed_estimate, OLD.initial_estimate, 0) IS DISTINCT FROM COALESCE(NEW.detailed_estimate, NEW.initial_estimate, 0))
    EXECUTE FUNCTION features_count_moved();

-- The requirements of a feature. Inserts and deletes are counted once per
-- statement, over the rows it added or removed; a move per moved row.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION requirements_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE features t SET requirement_count = t.requirement_count + n.c
      FROM (SELECT feature_id AS id, COUNT(*) AS c FROM added WHERE feature_id IS NOT NULL GROUP BY feature_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION requirements_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE features t SET requirement_count = t.requirement_count - n.c
      FROM (SELECT feature_id AS id, COUNT(*) AS c FROM removed WHERE feature_id IS NOT NULL GROUP BY feature_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER requirements_count_insert AFTER INSERT ON requirements
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION requirements_count_added();
CREATE TRIGGER requirements_count_delete AFTER DELETE ON requirements
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION requirements_count_removed();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION requirements_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE features SET requirement_count = requirement_count - 1 WHERE id = OLD.feature_id;
    UPDATE features SET requirement_count = requirement_count + 1 WHERE id = NEW.feature_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER requirements_count_move AFTER UPDATE OF feature_id ON requirements
    FOR EACH ROW WHEN (OLD.feature_id <> NEW.feature_id) EXECUTE FUNCTION requirements_count_moved();

-- The goals, initiatives and epics of a product, and the epics of a release.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION goals_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET goal_count = t.goal_count + n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM added WHERE product_id IS NOT NULL GROUP BY product_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION goals_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET goal_count = t.goal_count - n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM removed WHERE product_id IS NOT NULL GROUP BY product_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER goals_count_insert AFTER INSERT ON goals
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION goals_count_added();
CREATE TRIGGER goals_count_delete AFTER DELETE ON goals
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION goals_count_removed();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION goals_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products SET goal_count = goal_count - 1 WHERE id = OLD.product_id;
    UPDATE products SET goal_count = goal_count + 1 WHERE id = NEW.product_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER goals_count_move AFTER UPDATE OF product_id ON goals
    FOR EACH ROW WHEN (OLD.product_id <> NEW.product_id) EXECUTE FUNCTION goals_count_moved();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET initiative_count = t.initiative_count + n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM added WHERE product_id IS NOT NULL GROUP BY product_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET initiative_count = t.initiative_count - n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM removed WHERE product_id IS NOT NULL GROUP BY product_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER initiatives_count_insert AFTER INSERT ON initiatives
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION initiatives_count_added();
CREATE TRIGGER initiatives_count_delete AFTER DELETE ON initiatives
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION initiatives_count_removed();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products SET initiative_count = initiative_count - 1 WHERE id = OLD.product_id;
    UPDATE products SET initiative_count = initiative_count + 1 WHERE id = NEW.product_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER initiatives_count_move AFTER UPDATE OF product_id ON initiatives
    FOR EACH ROW WHEN (OLD.product_id <> NEW.product_id) EXECUTE FUNCTION initiatives_count_moved();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION epics_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET epic_count = t.epic_count + n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM added WHERE product_id IS NOT NULL GROUP BY product_id) n
     WHERE t.id = n.id;
    UPDATE releases t SET epic_count = t.epic_count + n.c
      FROM (SELECT release_id AS id, COUNT(*) AS c FROM added WHERE release_id IS NOT NULL GROUP BY release_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION epics_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET epic_count = t.epic_count - n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM removed WHERE product_id IS NOT NULL GROUP BY product_id) n
     WHERE t.id = n.id;
    UPDATE releases t SET epic_count = t.epic_count - n.c
      FROM (SELECT release_id AS id, COUNT(*) AS c FROM removed WHERE release_id IS NOT NULL GROUP BY release_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER epics_count_insert AFTER INSERT ON epics
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION epics_count_added();
CREATE TRIGGER epics_count_delete AFTER DELETE ON epics
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION epics_count_removed();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION epics_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.product_id <> NEW.product_id THEN
        UPDATE products SET epic_count = epic_count - 1 WHERE id = OLD.product_id;
        UPDATE products SET epic_count = epic_count + 1 WHERE id = NEW.product_id;
    END IF;
    IF OLD.release_id <> NEW.release_id THEN
        UPDATE releases SET epic_count = epic_count - 1 WHERE id = OLD.release_id;
        UPDATE releases SET epic_count = epic_count + 1 WHERE id = NEW.release_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER epics_count_move AFTER UPDATE OF product_id, release_id ON epics
    FOR EACH ROW WHEN (OLD.product_id <> NEW.product_id OR OLD.release_id <> NEW.release_id) EXECUTE FUNCTION epics_count_moved();

-- The to-dos of kind Task of a product and of a record. A to-do's delete
-- uncounts it from its records before their links go with it, since the
-- links' own trigger no longer finds the to-do then.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET task_count = t.task_count + n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM added WHERE product_id IS NOT NULL AND kind = 'Task' GROUP BY product_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET task_count = t.task_count - n.c
      FROM (SELECT product_id AS id, COUNT(*) AS c FROM removed WHERE product_id IS NOT NULL AND kind = 'Task' GROUP BY product_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_added();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_removed();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind = 'Task' THEN
        UPDATE products SET task_count = task_count - 1 WHERE id = OLD.product_id;
    END IF;
    IF NEW.kind = 'Task' THEN
        UPDATE products SET task_count = task_count + 1 WHERE id = NEW.product_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_count_move AFTER UPDATE OF product_id, kind ON tasks
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id OR OLD.kind <> NEW.kind) EXECUTE FUNCTION tasks_count_moved();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_records_uncount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE releases SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = OLD.id AND record_type = 'Release');
    UPDATE features SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = OLD.id AND record_type = 'Feature');
    UPDATE epics SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = OLD.id AND record_type = 'Epic');
    UPDATE requirements SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = OLD.id AND record_type = 'Requirement');
    UPDATE release_phases SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = OLD.id AND record_type = 'ReleasePhase');
    RETURN OLD;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_records_uncount BEFORE DELETE ON tasks
    FOR EACH ROW WHEN (OLD.kind = 'Task') EXECUTE FUNCTION tasks_records_uncount();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_records_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE releases SET task_count = task_count + (CASE WHEN NEW.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = NEW.id AND record_type = 'Release');
    UPDATE features SET task_count = task_count + (CASE WHEN NEW.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = NEW.id AND record_type = 'Feature');
    UPDATE epics SET task_count = task_count + (CASE WHEN NEW.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = NEW.id AND record_type = 'Epic');
    UPDATE requirements SET task_count = task_count + (CASE WHEN NEW.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = NEW.id AND record_type = 'Requirement');
    UPDATE release_phases SET task_count = task_count + (CASE WHEN NEW.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = NEW.id AND record_type = 'ReleasePhase');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_records_kind AFTER UPDATE OF kind ON tasks
    FOR EACH ROW WHEN ((OLD.kind = 'Task') <> (NEW.kind = 'Task')) EXECUTE FUNCTION tasks_records_kind();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION task_records_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE releases t SET task_count = t.task_count + n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM added r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Release' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE features t SET task_count = t.task_count + n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM added r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Feature' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE epics t SET task_count = t.task_count + n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM added r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Epic' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE requirements t SET task_count = t.task_count + n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM added r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Requirement' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE release_phases t SET task_count = t.task_count + n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM added r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'ReleasePhase' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION task_records_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE releases t SET task_count = t.task_count - n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM removed r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Release' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE features t SET task_count = t.task_count - n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM removed r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Feature' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE epics t SET task_count = t.task_count - n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM removed r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Epic' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE requirements t SET task_count = t.task_count - n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM removed r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'Requirement' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    UPDATE release_phases t SET task_count = t.task_count - n.c
      FROM (SELECT r.record_id AS id, COUNT(*) AS c FROM removed r JOIN tasks k ON k.id = r.task_id WHERE r.record_id IS NOT NULL AND r.record_type = 'ReleasePhase' AND k.kind = 'Task' GROUP BY r.record_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER task_records_count_insert AFTER INSERT ON task_records
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION task_records_count_added();
CREATE TRIGGER task_records_count_delete AFTER DELETE ON task_records
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION task_records_count_removed();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION task_records_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tasks WHERE id = NEW.task_id AND kind = 'Task') THEN
        UPDATE releases SET task_count = task_count - 1 WHERE OLD.record_type = 'Release' AND id = OLD.record_id;
        UPDATE features SET task_count = task_count - 1 WHERE OLD.record_type = 'Feature' AND id = OLD.record_id;
        UPDATE epics SET task_count = task_count - 1 WHERE OLD.record_type = 'Epic' AND id = OLD.record_id;
        UPDATE requirements SET task_count = task_count - 1 WHERE OLD.record_type = 'Requirement' AND id = OLD.record_id;
        UPDATE release_phases SET task_count = task_count - 1 WHERE OLD.record_type = 'ReleasePhase' AND id = OLD.record_id;
        UPDATE releases SET task_count = task_count + 1 WHERE NEW.record_type = 'Release' AND id = NEW.record_id;
        UPDATE features SET task_count = task_count + 1 WHERE NEW.record_type = 'Feature' AND id = NEW.record_id;
        UPDATE epics SET task_count = task_count + 1 WHERE NEW.record_type = 'Epic' AND id = NEW.record_id;
        UPDATE requirements SET task_count = task_count + 1 WHERE NEW.record_type = 'Requirement' AND id = NEW.record_id;
        UPDATE release_phases SET task_count = task_count + 1 WHERE NEW.record_type = 'ReleasePhase' AND id = NEW.record_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER task_records_count_move AFTER UPDATE ON task_records
    FOR EACH ROW WHEN (OLD.record_type <> NEW.record_type OR OLD.record_id <> NEW.record_id) EXECUTE FUNCTION task_records_count_moved();

-- The comments of a record and of a product: the product is set before
-- the row is written, and counted with the record after each statement.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION comments_product_fold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.product_fold := COALESCE(
        (SELECT product_id FROM releases WHERE id = NEW.release_id),
        (SELECT product_id FROM features WHERE id = NEW.feature_id),
        (SELECT product_id FROM epics WHERE id = NEW.epic_id),
        (SELECT f.product_id FROM requirements q JOIN features f ON f.id = q.feature_id WHERE q.id = NEW.requirement_id),
        (SELECT product_id FROM goals WHERE id = NEW.goal_id),
        (SELECT product_id FROM initiatives WHERE id = NEW.initiative_id),
        (SELECT r.product_id FROM release_phases p JOIN releases r ON r.id = p.release_id WHERE p.id = NEW.release_phase_id),
        (SELECT product_id FROM tasks WHERE id = NEW.task_id));
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER comments_product_fold BEFORE INSERT OR UPDATE OF release_id, feature_id, epic_id, requirement_id, goal_id, initiative_id, release_phase_id, task_id ON comments
    FOR EACH ROW EXECUTE FUNCTION comments_product_fold();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION comments_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET comment_count = t.comment_count + n.c
      FROM (SELECT product_fold AS id, COUNT(*) AS c FROM added WHERE product_fold IS NOT NULL GROUP BY product_fold) n
     WHERE t.id = n.id;
    UPDATE releases t SET comment_count = t.comment_count + n.c
      FROM (SELECT release_id AS id, COUNT(*) AS c FROM added WHERE release_id IS NOT NULL GROUP BY release_id) n
     WHERE t.id = n.id;
    UPDATE features t SET comment_count = t.comment_count + n.c
      FROM (SELECT feature_id AS id, COUNT(*) AS c FROM added WHERE feature_id IS NOT NULL GROUP BY feature_id) n
     WHERE t.id = n.id;
    UPDATE epics t SET comment_count = t.comment_count + n.c
      FROM (SELECT epic_id AS id, COUNT(*) AS c FROM added WHERE epic_id IS NOT NULL GROUP BY epic_id) n
     WHERE t.id = n.id;
    UPDATE requirements t SET comment_count = t.comment_count + n.c
      FROM (SELECT requirement_id AS id, COUNT(*) AS c FROM added WHERE requirement_id IS NOT NULL GROUP BY requirement_id) n
     WHERE t.id = n.id;
    UPDATE goals t SET comment_count = t.comment_count + n.c
      FROM (SELECT goal_id AS id, COUNT(*) AS c FROM added WHERE goal_id IS NOT NULL GROUP BY goal_id) n
     WHERE t.id = n.id;
    UPDATE initiatives t SET comment_count = t.comment_count + n.c
      FROM (SELECT initiative_id AS id, COUNT(*) AS c FROM added WHERE initiative_id IS NOT NULL GROUP BY initiative_id) n
     WHERE t.id = n.id;
    UPDATE release_phases t SET comment_count = t.comment_count + n.c
      FROM (SELECT release_phase_id AS id, COUNT(*) AS c FROM added WHERE release_phase_id IS NOT NULL GROUP BY release_phase_id) n
     WHERE t.id = n.id;
    UPDATE tasks t SET comment_count = t.comment_count + n.c
      FROM (SELECT task_id AS id, COUNT(*) AS c FROM added WHERE task_id IS NOT NULL GROUP BY task_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION comments_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products t SET comment_count = t.comment_count - n.c
      FROM (SELECT product_fold AS id, COUNT(*) AS c FROM removed WHERE product_fold IS NOT NULL GROUP BY product_fold) n
     WHERE t.id = n.id;
    UPDATE releases t SET comment_count = t.comment_count - n.c
      FROM (SELECT release_id AS id, COUNT(*) AS c FROM removed WHERE release_id IS NOT NULL GROUP BY release_id) n
     WHERE t.id = n.id;
    UPDATE features t SET comment_count = t.comment_count - n.c
      FROM (SELECT feature_id AS id, COUNT(*) AS c FROM removed WHERE feature_id IS NOT NULL GROUP BY feature_id) n
     WHERE t.id = n.id;
    UPDATE epics t SET comment_count = t.comment_count - n.c
      FROM (SELECT epic_id AS id, COUNT(*) AS c FROM removed WHERE epic_id IS NOT NULL GROUP BY epic_id) n
     WHERE t.id = n.id;
    UPDATE requirements t SET comment_count = t.comment_count - n.c
      FROM (SELECT requirement_id AS id, COUNT(*) AS c FROM removed WHERE requirement_id IS NOT NULL GROUP BY requirement_id) n
     WHERE t.id = n.id;
    UPDATE goals t SET comment_count = t.comment_count - n.c
      FROM (SELECT goal_id AS id, COUNT(*) AS c FROM removed WHERE goal_id IS NOT NULL GROUP BY goal_id) n
     WHERE t.id = n.id;
    UPDATE initiatives t SET comment_count = t.comment_count - n.c
      FROM (SELECT initiative_id AS id, COUNT(*) AS c FROM removed WHERE initiative_id IS NOT NULL GROUP BY initiative_id) n
     WHERE t.id = n.id;
    UPDATE release_phases t SET comment_count = t.comment_count - n.c
      FROM (SELECT release_phase_id AS id, COUNT(*) AS c FROM removed WHERE release_phase_id IS NOT NULL GROUP BY release_phase_id) n
     WHERE t.id = n.id;
    UPDATE tasks t SET comment_count = t.comment_count - n.c
      FROM (SELECT task_id AS id, COUNT(*) AS c FROM removed WHERE task_id IS NOT NULL GROUP BY task_id) n
     WHERE t.id = n.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER comments_count_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION comments_count_added();
CREATE TRIGGER comments_count_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION comments_count_removed();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION comments_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.product_fold IS DISTINCT FROM NEW.product_fold THEN
        UPDATE products SET comment_count = comment_count - 1 WHERE id = OLD.product_fold;
        UPDATE products SET comment_count = comment_count + 1 WHERE id = NEW.product_fold;
    END IF;
    IF OLD.release_id IS DISTINCT FROM NEW.release_id THEN
        UPDATE releases SET comment_count = comment_count - 1 WHERE id = OLD.release_id;
        UPDATE releases SET comment_count = comment_count + 1 WHERE id = NEW.release_id;
    END IF;
    IF OLD.feature_id IS DISTINCT FROM NEW.feature_id THEN
        UPDATE features SET comment_count = comment_count - 1 WHERE id = OLD.feature_id;
        UPDATE features SET comment_count = comment_count + 1 WHERE id = NEW.feature_id;
    END IF;
    IF OLD.epic_id IS DISTINCT FROM NEW.epic_id THEN
        UPDATE epics SET comment_count = comment_count - 1 WHERE id = OLD.epic_id;
        UPDATE epics SET comment_count = comment_count + 1 WHERE id = NEW.epic_id;
    END IF;
    IF OLD.requirement_id IS DISTINCT FROM NEW.requirement_id THEN
        UPDATE requirements SET comment_count = comment_count - 1 WHERE id = OLD.requirement_id;
        UPDATE requirements SET comment_count = comment_count + 1 WHERE id = NEW.requirement_id;
    END IF;
    IF OLD.goal_id IS DISTINCT FROM NEW.goal_id THEN
        UPDATE goals SET comment_count = comment_count - 1 WHERE id = OLD.goal_id;
        UPDATE goals SET comment_count = comment_count + 1 WHERE id = NEW.goal_id;
    END IF;
    IF OLD.initiative_id IS DISTINCT FROM NEW.initiative_id THEN
        UPDATE initiatives SET comment_count = comment_count - 1 WHERE id = OLD.initiative_id;
        UPDATE initiatives SET comment_count = comment_count + 1 WHERE id = NEW.initiative_id;
    END IF;
    IF OLD.release_phase_id IS DISTINCT FROM NEW.release_phase_id THEN
        UPDATE release_phases SET comment_count = comment_count - 1 WHERE id = OLD.release_phase_id;
        UPDATE release_phases SET comment_count = comment_count + 1 WHERE id = NEW.release_phase_id;
    END IF;
    IF OLD.task_id IS DISTINCT FROM NEW.task_id THEN
        UPDATE tasks SET comment_count = comment_count - 1 WHERE id = OLD.task_id;
        UPDATE tasks SET comment_count = comment_count + 1 WHERE id = NEW.task_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER comments_count_move AFTER UPDATE ON comments
    FOR EACH ROW WHEN (OLD.product_fold IS DISTINCT FROM NEW.product_fold OR OLD.release_id IS DISTINCT FROM NEW.release_id OR OLD.feature_id IS DISTINCT FROM NEW.feature_id OR OLD.epic_id IS DISTINCT FROM NEW.epic_id OR OLD.requirement_id IS DISTINCT FROM NEW.requirement_id OR OLD.goal_id IS DISTINCT FROM NEW.goal_id OR OLD.initiative_id IS DISTINCT FROM NEW.initiative_id OR OLD.release_phase_id IS DISTINCT FROM NEW.release_phase_id OR OLD.task_id IS DISTINCT FROM NEW.task_id)
    EXECUTE FUNCTION comments_count_moved();

-- A record that moves to another product takes its comments along.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION releases_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = NEW.product_id WHERE release_id = NEW.id;
    UPDATE comments SET product_fold = NEW.product_id WHERE release_phase_id IN (SELECT id FROM release_phases WHERE release_id = NEW.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER releases_comments_product AFTER UPDATE OF product_id ON releases
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id) EXECUTE FUNCTION releases_comments_product();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = NEW.product_id WHERE feature_id = NEW.id;
    UPDATE comments SET product_fold = NEW.product_id WHERE requirement_id IN (SELECT id FROM requirements WHERE feature_id = NEW.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER features_comments_product AFTER UPDATE OF product_id ON features
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id) EXECUTE FUNCTION features_comments_product();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION epics_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = NEW.product_id WHERE epic_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER epics_comments_product AFTER UPDATE OF product_id ON epics
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id) EXECUTE FUNCTION epics_comments_product();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION goals_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = NEW.product_id WHERE goal_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER goals_comments_product AFTER UPDATE OF product_id ON goals
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id) EXECUTE FUNCTION goals_comments_product();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiatives_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = NEW.product_id WHERE initiative_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER initiatives_comments_product AFTER UPDATE OF product_id ON initiatives
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id) EXECUTE FUNCTION initiatives_comments_product();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = NEW.product_id WHERE task_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_comments_product AFTER UPDATE OF product_id ON tasks
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id) EXECUTE FUNCTION tasks_comments_product();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION requirements_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = (SELECT product_id FROM features WHERE id = NEW.feature_id) WHERE requirement_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER requirements_comments_product AFTER UPDATE OF feature_id ON requirements
    FOR EACH ROW WHEN (OLD.feature_id IS DISTINCT FROM NEW.feature_id) EXECUTE FUNCTION requirements_comments_product();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION release_phases_comments_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET product_fold = (SELECT product_id FROM releases WHERE id = NEW.release_id) WHERE release_phase_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER release_phases_comments_product AFTER UPDATE OF release_id ON release_phases
    FOR EACH ROW WHEN (OLD.release_id IS DISTINCT FROM NEW.release_id) EXECUTE FUNCTION release_phases_comments_product();

-- +goose Down
DROP TRIGGER release_phases_comments_product ON release_phases;
DROP TRIGGER requirements_comments_product ON requirements;
DROP TRIGGER tasks_comments_product ON tasks;
DROP TRIGGER initiatives_comments_product ON initiatives;
DROP TRIGGER goals_comments_product ON goals;
DROP TRIGGER epics_comments_product ON epics;
DROP TRIGGER features_comments_product ON features;
DROP TRIGGER releases_comments_product ON releases;
DROP TRIGGER comments_count_move ON comments;
DROP TRIGGER comments_count_delete ON comments;
DROP TRIGGER comments_count_insert ON comments;
DROP TRIGGER comments_product_fold ON comments;
DROP TRIGGER task_records_count_move ON task_records;
DROP TRIGGER task_records_count_delete ON task_records;
DROP TRIGGER task_records_count_insert ON task_records;
DROP TRIGGER tasks_records_kind ON tasks;
DROP TRIGGER tasks_records_uncount ON tasks;
DROP TRIGGER tasks_count_move ON tasks;
DROP TRIGGER tasks_count_delete ON tasks;
DROP TRIGGER tasks_count_insert ON tasks;
DROP TRIGGER epics_count_move ON epics;
DROP TRIGGER epics_count_delete ON epics;
DROP TRIGGER epics_count_insert ON epics;
DROP TRIGGER initiatives_count_move ON initiatives;
DROP TRIGGER initiatives_count_delete ON initiatives;
DROP TRIGGER initiatives_count_insert ON initiatives;
DROP TRIGGER goals_count_move ON goals;
DROP TRIGGER goals_count_delete ON goals;
DROP TRIGGER goals_count_insert ON goals;
DROP TRIGGER requirements_count_move ON requirements;
DROP TRIGGER requirements_count_delete ON requirements;
DROP TRIGGER requirements_count_insert ON requirements;
DROP TRIGGER tasks_kept_reset ON tasks;
DROP TRIGGER release_phases_kept_reset ON release_phases;
DROP TRIGGER initiatives_kept_reset ON initiatives;
DROP TRIGGER goals_kept_reset ON goals;
DROP TRIGGER requirements_kept_reset ON requirements;
DROP TRIGGER epics_kept_reset ON epics;
DROP TRIGGER features_kept_reset ON features;
DROP TRIGGER releases_kept_reset ON releases;
DROP FUNCTION release_phases_comments_product();
DROP FUNCTION requirements_comments_product();
DROP FUNCTION tasks_comments_product();
DROP FUNCTION initiatives_comments_product();
DROP FUNCTION goals_comments_product();
DROP FUNCTION epics_comments_product();
DROP FUNCTION features_comments_product();
DROP FUNCTION releases_comments_product();
DROP FUNCTION comments_count_moved();
DROP FUNCTION comments_count_removed();
DROP FUNCTION comments_count_added();
DROP FUNCTION comments_product_fold();
DROP FUNCTION task_records_count_moved();
DROP FUNCTION task_records_count_removed();
DROP FUNCTION task_records_count_added();
DROP FUNCTION tasks_records_kind();
DROP FUNCTION tasks_records_uncount();
DROP FUNCTION tasks_count_moved();
DROP FUNCTION tasks_count_removed();
DROP FUNCTION tasks_count_added();
DROP FUNCTION epics_count_moved();
DROP FUNCTION epics_count_removed();
DROP FUNCTION epics_count_added();
DROP FUNCTION initiatives_count_moved();
DROP FUNCTION initiatives_count_removed();
DROP FUNCTION initiatives_count_added();
DROP FUNCTION goals_count_moved();
DROP FUNCTION goals_count_removed();
DROP FUNCTION goals_count_added();
DROP FUNCTION requirements_count_moved();
DROP FUNCTION requirements_count_removed();
DROP FUNCTION requirements_count_added();
DROP FUNCTION tasks_kept_reset();
DROP FUNCTION release_phases_kept_reset();
DROP FUNCTION initiatives_kept_reset();
DROP FUNCTION goals_kept_reset();
DROP FUNCTION requirements_kept_reset();
DROP FUNCTION epics_kept_reset();
DROP FUNCTION features_kept_reset();
DROP FUNCTION releases_kept_reset();
DROP INDEX requirements_name_trgm;
DROP INDEX comments_product;
DROP INDEX tasks_product_updated;
DROP INDEX initiatives_product_updated;
DROP INDEX requirements_feature_updated;
DROP INDEX task_records_record;
CREATE INDEX task_records_record ON task_records (record_type, record_id);

-- The features' counts as 00019 made them.
DROP TRIGGER features_count_move ON features;
CREATE TRIGGER features_count_move AFTER UPDATE OF product_id, release_id ON features
    FOR EACH ROW WHEN (OLD.product_id <> NEW.product_id OR OLD.release_id <> NEW.release_id)
    EXECUTE FUNCTION features_count_moved();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET feature_count = p.feature_count + n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM added GROUP BY product_id) n
     WHERE p.id = n.product_id;
    UPDATE releases r SET feature_count = r.feature_count + n.c
      FROM (SELECT release_id, COUNT(*) AS c FROM added GROUP BY release_id) n
     WHERE r.id = n.release_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET feature_count = p.feature_count - n.c
      FROM (SELECT product_id, COUNT(*) AS c FROM removed GROUP BY product_id) n
     WHERE p.id = n.product_id;
    UPDATE releases r SET feature_count = r.feature_count - n.c
      FROM (SELECT release_id, COUNT(*) AS c FROM removed GROUP BY release_id) n
     WHERE r.id = n.release_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION features_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.product_id <> NEW.product_id THEN
        UPDATE products SET feature_count = feature_count - 1 WHERE id = OLD.product_id;
        UPDATE products SET feature_count = feature_count + 1 WHERE id = NEW.product_id;
    END IF;
    IF OLD.release_id <> NEW.release_id THEN
        UPDATE releases SET feature_count = feature_count - 1 WHERE id = OLD.release_id;
        UPDATE releases SET feature_count = feature_count + 1 WHERE id = NEW.release_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
ALTER TABLE requirements DROP COLUMN name_fold;
ALTER TABLE comments DROP COLUMN product_fold;
ALTER TABLE tasks DROP COLUMN comment_count;
ALTER TABLE release_phases DROP COLUMN task_count, DROP COLUMN comment_count;
ALTER TABLE initiatives DROP COLUMN comment_count;
ALTER TABLE goals DROP COLUMN comment_count;
ALTER TABLE requirements DROP COLUMN task_count, DROP COLUMN comment_count;
ALTER TABLE epics DROP COLUMN task_count, DROP COLUMN comment_count;
ALTER TABLE features DROP COLUMN task_count, DROP COLUMN comment_count, DROP COLUMN requirement_count;
ALTER TABLE releases DROP COLUMN task_count, DROP COLUMN comment_count, DROP COLUMN epic_count, DROP COLUMN planned_inexact_count, DROP COLUMN planned_point_count, DROP COLUMN planned_minute_count;
ALTER TABLE products DROP COLUMN comment_count, DROP COLUMN task_count, DROP COLUMN epic_count, DROP COLUMN initiative_count, DROP COLUMN goal_count;
