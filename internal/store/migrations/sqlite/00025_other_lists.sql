-- +goose Up
-- What keeps the lists of features, epics, goals, initiatives,
-- requirements, to-dos and comments flat in the size of an account: the
-- totals of their whole lists, kept in the writing transactions by
-- triggers (as feature_count and release_count are), the planned capacity
-- of releases, a product on comments, and the trigrams of the
-- requirements' names. Every kept column ends in _count or _fold, so that
-- history leaves it out.
ALTER TABLE products ADD COLUMN goal_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN initiative_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN epic_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN planned_minute_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN planned_point_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN planned_inexact_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN epic_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE features ADD COLUMN requirement_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE features ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE features ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE epics ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE epics ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE requirements ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE requirements ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE initiatives ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE release_phases ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE release_phases ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
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
    planned_minute_count = (SELECT COALESCE(SUM(CASE WHEN f.work_units = 'time' AND (COALESCE(f.detailed_estimate, f.initial_estimate, 0) = CAST(COALESCE(f.detailed_estimate, f.initial_estimate, 0) AS INTEGER) AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) > -4294967296 AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(f.detailed_estimate, f.initial_estimate, 0) AS INTEGER) ELSE 0 END), 0) FROM features f WHERE f.release_id = releases.id),
    planned_point_count = (SELECT COALESCE(SUM(CASE WHEN f.work_units = 'story_points' AND (COALESCE(f.detailed_estimate, f.initial_estimate, 0) = CAST(COALESCE(f.detailed_estimate, f.initial_estimate, 0) AS INTEGER) AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) > -4294967296 AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(f.detailed_estimate, f.initial_estimate, 0) AS INTEGER) ELSE 0 END), 0) FROM features f WHERE f.release_id = releases.id),
    planned_inexact_count = (SELECT COUNT(*) FROM features f WHERE f.release_id = releases.id AND NOT (COALESCE(f.detailed_estimate, f.initial_estimate, 0) = CAST(COALESCE(f.detailed_estimate, f.initial_estimate, 0) AS INTEGER) AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) > -4294967296 AND COALESCE(f.detailed_estimate, f.initial_estimate, 0) < 4294967296)),
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
-- their trigrams, for q.
UPDATE requirements SET name_fold = lower(name);
CREATE VIRTUAL TABLE requirements_name_fts USING fts5 (name_fold, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
INSERT INTO requirements_name_fts (rowid, name_fold) SELECT id, name_fold FROM requirements;

-- +goose StatementBegin
CREATE TRIGGER requirements_name_fts_insert AFTER INSERT ON requirements BEGIN
    INSERT INTO requirements_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER requirements_name_fts_update AFTER UPDATE OF name_fold ON requirements BEGIN
    DELETE FROM requirements_name_fts WHERE rowid = old.id;
    INSERT INTO requirements_name_fts (rowid, name_fold) VALUES (new.id, new.name_fold);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER requirements_name_fts_delete AFTER DELETE ON requirements BEGIN
    DELETE FROM requirements_name_fts WHERE rowid = old.id;
END;
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
CREATE TRIGGER releases_kept_reset AFTER INSERT ON releases
WHEN new.feature_count <> 0 OR new.epic_count <> 0 OR new.comment_count <> 0 OR new.planned_minute_count <> 0 OR new.planned_point_count <> 0 OR new.planned_inexact_count <> 0 OR new.task_count <> 0 OR EXISTS (SELECT 1 FROM task_records WHERE record_type = 'Release' AND record_id = new.id) BEGIN
    UPDATE releases SET feature_count = 0,
        epic_count = 0,
        comment_count = 0,
        planned_minute_count = 0,
        planned_point_count = 0,
        planned_inexact_count = 0,
        task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Release' AND r.record_id = new.id AND t.kind = 'Task')
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_kept_reset AFTER INSERT ON features
WHEN new.requirement_count <> 0 OR new.comment_count <> 0 OR new.task_count <> 0 OR EXISTS (SELECT 1 FROM task_records WHERE record_type = 'Feature' AND record_id = new.id) BEGIN
    UPDATE features SET requirement_count = 0,
        comment_count = 0,
        task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Feature' AND r.record_id = new.id AND t.kind = 'Task')
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER epics_kept_reset AFTER INSERT ON epics
WHEN new.comment_count <> 0 OR new.task_count <> 0 OR EXISTS (SELECT 1 FROM task_records WHERE record_type = 'Epic' AND record_id = new.id) BEGIN
    UPDATE epics SET comment_count = 0,
        task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Epic' AND r.record_id = new.id AND t.kind = 'Task')
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER requirements_kept_reset AFTER INSERT ON requirements
WHEN new.comment_count <> 0 OR new.task_count <> 0 OR EXISTS (SELECT 1 FROM task_records WHERE record_type = 'Requirement' AND record_id = new.id) BEGIN
    UPDATE requirements SET comment_count = 0,
        task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'Requirement' AND r.record_id = new.id AND t.kind = 'Task')
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER goals_kept_reset AFTER INSERT ON goals
WHEN new.comment_count <> 0 BEGIN
    UPDATE goals SET comment_count = 0
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER initiatives_kept_reset AFTER INSERT ON initiatives
WHEN new.comment_count <> 0 BEGIN
    UPDATE initiatives SET comment_count = 0
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER release_phases_kept_reset AFTER INSERT ON release_phases
WHEN new.comment_count <> 0 OR new.task_count <> 0 OR EXISTS (SELECT 1 FROM task_records WHERE record_type = 'ReleasePhase' AND record_id = new.id) BEGIN
    UPDATE release_phases SET comment_count = 0,
        task_count = (SELECT COUNT(*) FROM task_records r JOIN tasks t ON t.id = r.task_id WHERE r.record_type = 'ReleasePhase' AND r.record_id = new.id AND t.kind = 'Task')
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_kept_reset AFTER INSERT ON tasks
WHEN new.comment_count <> 0 BEGIN
    UPDATE tasks SET comment_count = 0
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- The features' counts, as 00019 keeps them, and the planned sums.
DROP TRIGGER features_count_insert;
DROP TRIGGER features_count_delete;
DROP TRIGGER features_count_move;

-- +goose StatementBegin
CREATE TRIGGER features_count_insert AFTER INSERT ON features BEGIN
    UPDATE products SET feature_count = feature_count + 1 WHERE id = new.product_id;
    UPDATE releases SET feature_count = feature_count + 1,
        planned_minute_count = planned_minute_count + (CASE WHEN new.work_units = 'time' AND (COALESCE(new.detailed_estimate, new.initial_estimate, 0) = CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) > -4294967296 AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_point_count = planned_point_count + (CASE WHEN new.work_units = 'story_points' AND (COALESCE(new.detailed_estimate, new.initial_estimate, 0) = CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) > -4294967296 AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_inexact_count = planned_inexact_count + (CASE WHEN (COALESCE(new.detailed_estimate, new.initial_estimate, 0) = CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) > -4294967296 AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END)
     WHERE id = new.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_count_delete AFTER DELETE ON features BEGIN
    UPDATE products SET feature_count = feature_count - 1 WHERE id = old.product_id;
    UPDATE releases SET feature_count = feature_count - 1,
        planned_minute_count = planned_minute_count - (CASE WHEN old.work_units = 'time' AND (COALESCE(old.detailed_estimate, old.initial_estimate, 0) = CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) > -4294967296 AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_point_count = planned_point_count - (CASE WHEN old.work_units = 'story_points' AND (COALESCE(old.detailed_estimate, old.initial_estimate, 0) = CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) > -4294967296 AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_inexact_count = planned_inexact_count - (CASE WHEN (COALESCE(old.detailed_estimate, old.initial_estimate, 0) = CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) > -4294967296 AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END)
     WHERE id = old.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_count_move AFTER UPDATE OF product_id, release_id, work_units, initial_estimate, detailed_estimate ON features
WHEN old.product_id <> new.product_id OR old.release_id <> new.release_id OR old.work_units IS NOT new.work_units
    OR COALESCE(old.detailed_estimate, old.initial_estimate, 0) IS NOT COALESCE(new.detailed_estimate, new.initial_estimate, 0) BEGIN
    UPDATE products SET feature_count = feature_count - 1 WHERE id = old.product_id AND old.product_id <> new.product_id;
    UPDATE products SET feature_count = feature_count + 1 WHERE id = new.product_id AND old.product_id <> new.product_id;
    UPDATE releases SET feature_count = feature_count - (old.release_id <> new.release_id),
        planned_minute_count = planned_minute_count - (CASE WHEN old.work_units = 'time' AND (COALESCE(old.detailed_estimate, old.initial_estimate, 0) = CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) > -4294967296 AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_point_count = planned_point_count - (CASE WHEN old.work_units = 'story_points' AND (COALESCE(old.detailed_estimate, old.initial_estimate, 0) = CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) > -4294967296 AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_inexact_count = planned_inexact_count - (CASE WHEN (COALESCE(old.detailed_estimate, old.initial_estimate, 0) = CAST(COALESCE(old.detailed_estimate, old.initial_estimate, 0) AS INTEGER) AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) > -4294967296 AND COALESCE(old.detailed_estimate, old.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END)
     WHERE id = old.release_id;
    UPDATE releases SET feature_count = feature_count + (old.release_id <> new.release_id),
        planned_minute_count = planned_minute_count + (CASE WHEN new.work_units = 'time' AND (COALESCE(new.detailed_estimate, new.initial_estimate, 0) = CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) > -4294967296 AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_point_count = planned_point_count + (CASE WHEN new.work_units = 'story_points' AND (COALESCE(new.detailed_estimate, new.initial_estimate, 0) = CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) > -4294967296 AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) < 4294967296) THEN CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) ELSE 0 END),
        planned_inexact_count = planned_inexact_count + (CASE WHEN (COALESCE(new.detailed_estimate, new.initial_estimate, 0) = CAST(COALESCE(new.detailed_estimate, new.initial_estimate, 0) AS INTEGER) AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) > -4294967296 AND COALESCE(new.detailed_estimate, new.initial_estimate, 0) < 4294967296) THEN 0 ELSE 1 END)
     WHERE id = new.release_id;
END;
-- +goose StatementEnd

-- The requirements of a feature.

-- +goose StatementBegin
CREATE TRIGGER requirements_count_insert AFTER INSERT ON requirements BEGIN
    UPDATE features SET requirement_count = requirement_count + 1 WHERE id = new.feature_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER requirements_count_delete AFTER DELETE ON requirements BEGIN
    UPDATE features SET requirement_count = requirement_count - 1 WHERE id = old.feature_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER requirements_count_move AFTER UPDATE OF feature_id ON requirements WHEN old.feature_id <> new.feature_id BEGIN
    UPDATE features SET requirement_count = requirement_count - 1 WHERE id = old.feature_id;
    UPDATE features SET requirement_count = requirement_count + 1 WHERE id = new.feature_id;
END;
-- +goose StatementEnd

-- The goals, initiatives and epics of a product, and the epics of a release.

-- +goose StatementBegin
CREATE TRIGGER goals_count_insert AFTER INSERT ON goals BEGIN
    UPDATE products SET goal_count = goal_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER goals_count_delete AFTER DELETE ON goals BEGIN
    UPDATE products SET goal_count = goal_count - 1 WHERE id = old.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER goals_count_move AFTER UPDATE OF product_id ON goals WHEN old.product_id <> new.product_id BEGIN
    UPDATE products SET goal_count = goal_count - 1 WHERE id = old.product_id;
    UPDATE products SET goal_count = goal_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER initiatives_count_insert AFTER INSERT ON initiatives BEGIN
    UPDATE products SET initiative_count = initiative_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER initiatives_count_delete AFTER DELETE ON initiatives BEGIN
    UPDATE products SET initiative_count = initiative_count - 1 WHERE id = old.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER initiatives_count_move AFTER UPDATE OF product_id ON initiatives WHEN old.product_id <> new.product_id BEGIN
    UPDATE products SET initiative_count = initiative_count - 1 WHERE id = old.product_id;
    UPDATE products SET initiative_count = initiative_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER epics_count_insert AFTER INSERT ON epics BEGIN
    UPDATE products SET epic_count = epic_count + 1 WHERE id = new.product_id;
    UPDATE releases SET epic_count = epic_count + 1 WHERE id = new.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER epics_count_delete AFTER DELETE ON epics BEGIN
    UPDATE products SET epic_count = epic_count - 1 WHERE id = old.product_id;
    UPDATE releases SET epic_count = epic_count - 1 WHERE id = old.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER epics_count_move AFTER UPDATE OF product_id, release_id ON epics WHEN old.product_id <> new.product_id OR old.release_id <> new.release_id BEGIN
    UPDATE products SET epic_count = epic_count - 1 WHERE id = old.product_id AND old.product_id <> new.product_id;
    UPDATE products SET epic_count = epic_count + 1 WHERE id = new.product_id AND old.product_id <> new.product_id;
    UPDATE releases SET epic_count = epic_count - 1 WHERE id = old.release_id AND old.release_id <> new.release_id;
    UPDATE releases SET epic_count = epic_count + 1 WHERE id = new.release_id AND old.release_id <> new.release_id;
END;
-- +goose StatementEnd

-- The to-dos of kind Task of a product and of a record. A to-do's delete
-- uncounts it from its records before their links go with it, since the
-- links' own trigger no longer finds the to-do then.

-- +goose StatementBegin
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks WHEN new.kind = 'Task' BEGIN
    UPDATE products SET task_count = task_count + 1 WHERE id = new.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks WHEN old.kind = 'Task' BEGIN
    UPDATE products SET task_count = task_count - 1 WHERE id = old.product_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_count_move AFTER UPDATE OF product_id, kind ON tasks WHEN old.product_id IS NOT new.product_id OR old.kind <> new.kind BEGIN
    UPDATE products SET task_count = task_count - 1 WHERE id = old.product_id AND old.kind = 'Task';
    UPDATE products SET task_count = task_count + 1 WHERE id = new.product_id AND new.kind = 'Task';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_records_uncount BEFORE DELETE ON tasks WHEN old.kind = 'Task' BEGIN
    UPDATE releases SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = old.id AND record_type = 'Release');
    UPDATE features SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = old.id AND record_type = 'Feature');
    UPDATE epics SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = old.id AND record_type = 'Epic');
    UPDATE requirements SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = old.id AND record_type = 'Requirement');
    UPDATE release_phases SET task_count = task_count - 1 WHERE id IN (SELECT record_id FROM task_records WHERE task_id = old.id AND record_type = 'ReleasePhase');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_records_kind AFTER UPDATE OF kind ON tasks WHEN (old.kind = 'Task') <> (new.kind = 'Task') BEGIN
    UPDATE releases SET task_count = task_count + (CASE WHEN new.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = new.id AND record_type = 'Release');
    UPDATE features SET task_count = task_count + (CASE WHEN new.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = new.id AND record_type = 'Feature');
    UPDATE epics SET task_count = task_count + (CASE WHEN new.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = new.id AND record_type = 'Epic');
    UPDATE requirements SET task_count = task_count + (CASE WHEN new.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = new.id AND record_type = 'Requirement');
    UPDATE release_phases SET task_count = task_count + (CASE WHEN new.kind = 'Task' THEN 1 ELSE -1 END) WHERE id IN (SELECT record_id FROM task_records WHERE task_id = new.id AND record_type = 'ReleasePhase');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER task_records_count_insert AFTER INSERT ON task_records WHEN EXISTS (SELECT 1 FROM tasks WHERE id = new.task_id AND kind = 'Task') BEGIN
    UPDATE releases SET task_count = task_count + 1 WHERE new.record_type = 'Release' AND id = new.record_id;
    UPDATE features SET task_count = task_count + 1 WHERE new.record_type = 'Feature' AND id = new.record_id;
    UPDATE epics SET task_count = task_count + 1 WHERE new.record_type = 'Epic' AND id = new.record_id;
    UPDATE requirements SET task_count = task_count + 1 WHERE new.record_type = 'Requirement' AND id = new.record_id;
    UPDATE release_phases SET task_count = task_count + 1 WHERE new.record_type = 'ReleasePhase' AND id = new.record_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER task_records_count_delete AFTER DELETE ON task_records WHEN EXISTS (SELECT 1 FROM tasks WHERE id = old.task_id AND kind = 'Task') BEGIN
    UPDATE releases SET task_count = task_count - 1 WHERE old.record_type = 'Release' AND id = old.record_id;
    UPDATE features SET task_count = task_count - 1 WHERE old.record_type = 'Feature' AND id = old.record_id;
    UPDATE epics SET task_count = task_count - 1 WHERE old.record_type = 'Epic' AND id = old.record_id;
    UPDATE requirements SET task_count = task_count - 1 WHERE old.record_type = 'Requirement' AND id = old.record_id;
    UPDATE release_phases SET task_count = task_count - 1 WHERE old.record_type = 'ReleasePhase' AND id = old.record_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER task_records_count_move AFTER UPDATE ON task_records WHEN EXISTS (SELECT 1 FROM tasks WHERE id = new.task_id AND kind = 'Task') AND (old.record_type <> new.record_type OR old.record_id <> new.record_id) BEGIN
    UPDATE releases SET task_count = task_count - 1 WHERE old.record_type = 'Release' AND id = old.record_id;
    UPDATE features SET task_count = task_count - 1 WHERE old.record_type = 'Feature' AND id = old.record_id;
    UPDATE epics SET task_count = task_count - 1 WHERE old.record_type = 'Epic' AND id = old.record_id;
    UPDATE requirements SET task_count = task_count - 1 WHERE old.record_type = 'Requirement' AND id = old.record_id;
    UPDATE release_phases SET task_count = task_count - 1 WHERE old.record_type = 'ReleasePhase' AND id = old.record_id;
    UPDATE releases SET task_count = task_count + 1 WHERE new.record_type = 'Release' AND id = new.record_id;
    UPDATE features SET task_count = task_count + 1 WHERE new.record_type = 'Feature' AND id = new.record_id;
    UPDATE epics SET task_count = task_count + 1 WHERE new.record_type = 'Epic' AND id = new.record_id;
    UPDATE requirements SET task_count = task_count + 1 WHERE new.record_type = 'Requirement' AND id = new.record_id;
    UPDATE release_phases SET task_count = task_count + 1 WHERE new.record_type = 'ReleasePhase' AND id = new.record_id;
END;
-- +goose StatementEnd

-- The comments of a record and of a product. An insert counts the comment
-- under the product it came with, then sets its product, which moves the
-- count when they differ.

-- +goose StatementBegin
CREATE TRIGGER comments_count_insert AFTER INSERT ON comments BEGIN
    UPDATE products SET comment_count = comment_count + 1 WHERE id = new.product_fold;
    UPDATE comments SET product_fold = COALESCE(
            (SELECT product_id FROM releases WHERE id = new.release_id),
            (SELECT product_id FROM features WHERE id = new.feature_id),
            (SELECT product_id FROM epics WHERE id = new.epic_id),
            (SELECT f.product_id FROM requirements q JOIN features f ON f.id = q.feature_id WHERE q.id = new.requirement_id),
            (SELECT product_id FROM goals WHERE id = new.goal_id),
            (SELECT product_id FROM initiatives WHERE id = new.initiative_id),
            (SELECT r.product_id FROM release_phases p JOIN releases r ON r.id = p.release_id WHERE p.id = new.release_phase_id),
            (SELECT product_id FROM tasks WHERE id = new.task_id))
     WHERE id = new.id;
    UPDATE releases SET comment_count = comment_count + 1 WHERE id = new.release_id;
    UPDATE features SET comment_count = comment_count + 1 WHERE id = new.feature_id;
    UPDATE epics SET comment_count = comment_count + 1 WHERE id = new.epic_id;
    UPDATE requirements SET comment_count = comment_count + 1 WHERE id = new.requirement_id;
    UPDATE goals SET comment_count = comment_count + 1 WHERE id = new.goal_id;
    UPDATE initiatives SET comment_count = comment_count + 1 WHERE id = new.initiative_id;
    UPDATE release_phases SET comment_count = comment_count + 1 WHERE id = new.release_phase_id;
    UPDATE tasks SET comment_count = comment_count + 1 WHERE id = new.task_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_count_delete AFTER DELETE ON comments BEGIN
    UPDATE products SET comment_count = comment_count - 1 WHERE id = old.product_fold;
    UPDATE releases SET comment_count = comment_count - 1 WHERE id = old.release_id;
    UPDATE features SET comment_count = comment_count - 1 WHERE id = old.feature_id;
    UPDATE epics SET comment_count = comment_count - 1 WHERE id = old.epic_id;
    UPDATE requirements SET comment_count = comment_count - 1 WHERE id = old.requirement_id;
    UPDATE goals SET comment_count = comment_count - 1 WHERE id = old.goal_id;
    UPDATE initiatives SET comment_count = comment_count - 1 WHERE id = old.initiative_id;
    UPDATE release_phases SET comment_count = comment_count - 1 WHERE id = old.release_phase_id;
    UPDATE tasks SET comment_count = comment_count - 1 WHERE id = old.task_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_count_product AFTER UPDATE OF product_fold ON comments WHEN old.product_fold IS NOT new.product_fold BEGIN
    UPDATE products SET comment_count = comment_count - 1 WHERE id = old.product_fold;
    UPDATE products SET comment_count = comment_count + 1 WHERE id = new.product_fold;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_count_move AFTER UPDATE OF release_id, feature_id, epic_id, requirement_id, goal_id, initiative_id, release_phase_id, task_id ON comments BEGIN
    UPDATE releases SET comment_count = comment_count - 1 WHERE id = old.release_id AND old.release_id IS NOT new.release_id;
    UPDATE features SET comment_count = comment_count - 1 WHERE id = old.feature_id AND old.feature_id IS NOT new.feature_id;
    UPDATE epics SET comment_count = comment_count - 1 WHERE id = old.epic_id AND old.epic_id IS NOT new.epic_id;
    UPDATE requirements SET comment_count = comment_count - 1 WHERE id = old.requirement_id AND old.requirement_id IS NOT new.requirement_id;
    UPDATE goals SET comment_count = comment_count - 1 WHERE id = old.goal_id AND old.goal_id IS NOT new.goal_id;
    UPDATE initiatives SET comment_count = comment_count - 1 WHERE id = old.initiative_id AND old.initiative_id IS NOT new.initiative_id;
    UPDATE release_phases SET comment_count = comment_count - 1 WHERE id = old.release_phase_id AND old.release_phase_id IS NOT new.release_phase_id;
    UPDATE tasks SET comment_count = comment_count - 1 WHERE id = old.task_id AND old.task_id IS NOT new.task_id;
    UPDATE releases SET comment_count = comment_count + 1 WHERE id = new.release_id AND old.release_id IS NOT new.release_id;
    UPDATE features SET comment_count = comment_count + 1 WHERE id = new.feature_id AND old.feature_id IS NOT new.feature_id;
    UPDATE epics SET comment_count = comment_count + 1 WHERE id = new.epic_id AND old.epic_id IS NOT new.epic_id;
    UPDATE requirements SET comment_count = comment_count + 1 WHERE id = new.requirement_id AND old.requirement_id IS NOT new.requirement_id;
    UPDATE goals SET comment_count = comment_count + 1 WHERE id = new.goal_id AND old.goal_id IS NOT new.goal_id;
    UPDATE initiatives SET comment_count = comment_count + 1 WHERE id = new.initiative_id AND old.initiative_id IS NOT new.initiative_id;
    UPDATE release_phases SET comment_count = comment_count + 1 WHERE id = new.release_phase_id AND old.release_phase_id IS NOT new.release_phase_id;
    UPDATE tasks SET comment_count = comment_count + 1 WHERE id = new.task_id AND old.task_id IS NOT new.task_id;
    UPDATE comments SET product_fold = COALESCE(
            (SELECT product_id FROM releases WHERE id = new.release_id),
            (SELECT product_id FROM features WHERE id = new.feature_id),
            (SELECT product_id FROM epics WHERE id = new.epic_id),
            (SELECT f.product_id FROM requirements q JOIN features f ON f.id = q.feature_id WHERE q.id = new.requirement_id),
            (SELECT product_id FROM goals WHERE id = new.goal_id),
            (SELECT product_id FROM initiatives WHERE id = new.initiative_id),
            (SELECT r.product_id FROM release_phases p JOIN releases r ON r.id = p.release_id WHERE p.id = new.release_phase_id),
            (SELECT product_id FROM tasks WHERE id = new.task_id))
     WHERE id = new.id;
END;
-- +goose StatementEnd

-- A record that moves to another product takes its comments along.

-- +goose StatementBegin
CREATE TRIGGER releases_comments_product AFTER UPDATE OF product_id ON releases WHEN old.product_id IS NOT new.product_id BEGIN
    UPDATE comments SET product_fold = new.product_id WHERE release_id = new.id;
    UPDATE comments SET product_fold = new.product_id WHERE release_phase_id IN (SELECT id FROM release_phases WHERE release_id = new.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_comments_product AFTER UPDATE OF product_id ON features WHEN old.product_id IS NOT new.product_id BEGIN
    UPDATE comments SET product_fold = new.product_id WHERE feature_id = new.id;
    UPDATE comments SET product_fold = new.product_id WHERE requirement_id IN (SELECT id FROM requirements WHERE feature_id = new.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER epics_comments_product AFTER UPDATE OF product_id ON epics WHEN old.product_id IS NOT new.product_id BEGIN
    UPDATE comments SET product_fold = new.product_id WHERE epic_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER goals_comments_product AFTER UPDATE OF product_id ON goals WHEN old.product_id IS NOT new.product_id BEGIN
    UPDATE comments SET product_fold = new.product_id WHERE goal_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER initiatives_comments_product AFTER UPDATE OF product_id ON initiatives WHEN old.product_id IS NOT new.product_id BEGIN
    UPDATE comments SET product_fold = new.product_id WHERE initiative_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_comments_product AFTER UPDATE OF product_id ON tasks WHEN old.product_id IS NOT new.product_id BEGIN
    UPDATE comments SET product_fold = new.product_id WHERE task_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER requirements_comments_product AFTER UPDATE OF feature_id ON requirements WHEN old.feature_id IS NOT new.feature_id BEGIN
    UPDATE comments SET product_fold = (SELECT product_id FROM features WHERE id = new.feature_id) WHERE requirement_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER release_phases_comments_product AFTER UPDATE OF release_id ON release_phases WHEN old.release_id IS NOT new.release_id BEGIN
    UPDATE comments SET product_fold = (SELECT product_id FROM releases WHERE id = new.release_id) WHERE release_phase_id = new.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER release_phases_comments_product;
DROP TRIGGER requirements_comments_product;
DROP TRIGGER tasks_comments_product;
DROP TRIGGER initiatives_comments_product;
DROP TRIGGER goals_comments_product;
DROP TRIGGER epics_comments_product;
DROP TRIGGER features_comments_product;
DROP TRIGGER releases_comments_product;
DROP TRIGGER comments_count_move;
DROP TRIGGER comments_count_product;
DROP TRIGGER comments_count_delete;
DROP TRIGGER comments_count_insert;
DROP TRIGGER task_records_count_move;
DROP TRIGGER task_records_count_delete;
DROP TRIGGER task_records_count_insert;
DROP TRIGGER tasks_records_kind;
DROP TRIGGER tasks_records_uncount;
DROP TRIGGER tasks_count_move;
DROP TRIGGER tasks_count_delete;
DROP TRIGGER tasks_count_insert;
DROP TRIGGER epics_count_move;
DROP TRIGGER epics_count_delete;
DROP TRIGGER epics_count_insert;
DROP TRIGGER initiatives_count_move;
DROP TRIGGER initiatives_count_delete;
DROP TRIGGER initiatives_count_insert;
DROP TRIGGER goals_count_move;
DROP TRIGGER goals_count_delete;
DROP TRIGGER goals_count_insert;
DROP TRIGGER requirements_count_move;
DROP TRIGGER requirements_count_delete;
DROP TRIGGER requirements_count_insert;
DROP TRIGGER features_count_move;
DROP TRIGGER features_count_delete;
DROP TRIGGER features_count_insert;
DROP TRIGGER tasks_kept_reset;
DROP TRIGGER release_phases_kept_reset;
DROP TRIGGER initiatives_kept_reset;
DROP TRIGGER goals_kept_reset;
DROP TRIGGER requirements_kept_reset;
DROP TRIGGER epics_kept_reset;
DROP TRIGGER features_kept_reset;
DROP TRIGGER releases_kept_reset;
DROP TRIGGER requirements_name_fts_delete;
DROP TRIGGER requirements_name_fts_update;
DROP TRIGGER requirements_name_fts_insert;
DROP TABLE requirements_name_fts;
DROP INDEX comments_product;
DROP INDEX tasks_product_updated;
DROP INDEX initiatives_product_updated;
DROP INDEX requirements_feature_updated;
DROP INDEX task_records_record;
CREATE INDEX task_records_record ON task_records (record_type, record_id);

-- The features' counts as 00019 made them.
-- +goose StatementBegin
CREATE TRIGGER features_count_insert AFTER INSERT ON features BEGIN
    UPDATE products SET feature_count = feature_count + 1 WHERE id = new.product_id;
    UPDATE releases SET feature_count = feature_count + 1 WHERE id = new.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_count_delete AFTER DELETE ON features BEGIN
    UPDATE products SET feature_count = feature_count - 1 WHERE id = old.product_id;
    UPDATE releases SET feature_count = feature_count - 1 WHERE id = old.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER features_count_move AFTER UPDATE OF product_id, release_id ON features
WHEN old.product_id <> new.product_id OR old.release_id <> new.release_id BEGIN
    UPDATE products SET feature_count = feature_count - 1 WHERE id = old.product_id;
    UPDATE products SET feature_count = feature_count + 1 WHERE id = new.product_id;
    UPDATE releases SET feature_count = feature_count - 1 WHERE id = old.release_id;
    UPDATE releases SET feature_count = feature_count + 1 WHERE id = new.release_id;
END;
-- +goose StatementEnd

-- The history's triggers name every column; the store puts them back when
-- it opens the database.
DROP TRIGGER IF EXISTS journal_comments_insert;
DROP TRIGGER IF EXISTS journal_comments_update;
DROP TRIGGER IF EXISTS journal_comments_delete;
DROP TRIGGER IF EXISTS journal_products_insert;
DROP TRIGGER IF EXISTS journal_products_update;
DROP TRIGGER IF EXISTS journal_products_delete;
DROP TRIGGER IF EXISTS journal_releases_insert;
DROP TRIGGER IF EXISTS journal_releases_update;
DROP TRIGGER IF EXISTS journal_releases_delete;
DROP TRIGGER IF EXISTS journal_features_insert;
DROP TRIGGER IF EXISTS journal_features_update;
DROP TRIGGER IF EXISTS journal_features_delete;
DROP TRIGGER IF EXISTS journal_epics_insert;
DROP TRIGGER IF EXISTS journal_epics_update;
DROP TRIGGER IF EXISTS journal_epics_delete;
DROP TRIGGER IF EXISTS journal_requirements_insert;
DROP TRIGGER IF EXISTS journal_requirements_update;
DROP TRIGGER IF EXISTS journal_requirements_delete;
DROP TRIGGER IF EXISTS journal_goals_insert;
DROP TRIGGER IF EXISTS journal_goals_update;
DROP TRIGGER IF EXISTS journal_goals_delete;
DROP TRIGGER IF EXISTS journal_initiatives_insert;
DROP TRIGGER IF EXISTS journal_initiatives_update;
DROP TRIGGER IF EXISTS journal_initiatives_delete;
DROP TRIGGER IF EXISTS journal_release_phases_insert;
DROP TRIGGER IF EXISTS journal_release_phases_update;
DROP TRIGGER IF EXISTS journal_release_phases_delete;
DROP TRIGGER IF EXISTS journal_tasks_insert;
DROP TRIGGER IF EXISTS journal_tasks_update;
DROP TRIGGER IF EXISTS journal_tasks_delete;
ALTER TABLE requirements DROP COLUMN name_fold;
ALTER TABLE comments DROP COLUMN product_fold;
ALTER TABLE tasks DROP COLUMN comment_count;
ALTER TABLE release_phases DROP COLUMN task_count;
ALTER TABLE release_phases DROP COLUMN comment_count;
ALTER TABLE initiatives DROP COLUMN comment_count;
ALTER TABLE goals DROP COLUMN comment_count;
ALTER TABLE requirements DROP COLUMN task_count;
ALTER TABLE requirements DROP COLUMN comment_count;
ALTER TABLE epics DROP COLUMN task_count;
ALTER TABLE epics DROP COLUMN comment_count;
ALTER TABLE features DROP COLUMN task_count;
ALTER TABLE features DROP COLUMN comment_count;
ALTER TABLE features DROP COLUMN requirement_count;
ALTER TABLE releases DROP COLUMN task_count;
ALTER TABLE releases DROP COLUMN comment_count;
ALTER TABLE releases DROP COLUMN epic_count;
ALTER TABLE releases DROP COLUMN planned_inexact_count;
ALTER TABLE releases DROP COLUMN planned_point_count;
ALTER TABLE releases DROP COLUMN planned_minute_count;
ALTER TABLE products DROP COLUMN comment_count;
ALTER TABLE products DROP COLUMN task_count;
ALTER TABLE products DROP COLUMN epic_count;
ALTER TABLE products DROP COLUMN initiative_count;
ALTER TABLE products DROP COLUMN goal_count;
