-- +goose Up
-- What features and requirements show beyond their rows of 00009: the
-- release phase a feature belongs to, whether a feature was assigned by
-- default, each product's default assignee of new features, and the tags,
-- score facts, custom field values, key results and links of features and
-- the tags and custom field values of requirements.
ALTER TABLE features ADD COLUMN release_phase_id BIGINT REFERENCES release_phases (id) ON DELETE SET NULL;
ALTER TABLE features ADD COLUMN default_assignee BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE products ADD COLUMN feature_assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL;

CREATE INDEX features_release_phase ON features (release_phase_id);
CREATE INDEX features_assignee ON features (assigned_to_user_id);
CREATE INDEX requirements_assignee ON requirements (assigned_to_user_id);

CREATE TABLE feature_tags (
    id          BIGINT PRIMARY KEY,
    feature_id  BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    color       TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (feature_id, name)
);
CREATE INDEX feature_tags_name ON feature_tags (name);

CREATE TABLE requirement_tags (
    id              BIGINT PRIMARY KEY,
    requirement_id  BIGINT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    color           TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (requirement_id, name)
);

CREATE TABLE feature_score_facts (
    id          BIGINT PRIMARY KEY,
    feature_id  BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    value       INTEGER NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feature_score_facts_feature ON feature_score_facts (feature_id, position);

CREATE TABLE feature_custom_fields (
    id          BIGINT PRIMARY KEY,
    feature_id  BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (feature_id, key)
);
CREATE INDEX feature_custom_fields_key ON feature_custom_fields (key);

CREATE TABLE requirement_custom_fields (
    id              BIGINT PRIMARY KEY,
    requirement_id  BIGINT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    value           TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (requirement_id, key)
);
CREATE INDEX requirement_custom_fields_key ON requirement_custom_fields (key);

CREATE TABLE feature_key_results (
    feature_id     BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    key_result_id  BIGINT NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    PRIMARY KEY (feature_id, key_result_id)
);
CREATE INDEX feature_key_results_key_result ON feature_key_results (key_result_id);

-- A link between two features ("Depends on", "Relates to", ...): both show it.
CREATE TABLE feature_links (
    id            BIGINT PRIMARY KEY,
    parent_id     BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    child_id      BIGINT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    link_type     TEXT NOT NULL,
    link_type_id  INTEGER NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX feature_links_parent ON feature_links (parent_id);
CREATE INDEX feature_links_child ON feature_links (child_id);

-- +goose Down
DROP TABLE feature_links;
DROP TABLE feature_key_results;
DROP TABLE requirement_custom_fields;
DROP TABLE feature_custom_fields;
DROP TABLE feature_score_facts;
DROP TABLE requirement_tags;
DROP TABLE feature_tags;
DROP INDEX requirements_assignee;
DROP INDEX features_assignee;
DROP INDEX features_release_phase;
ALTER TABLE products DROP COLUMN feature_assignee_id;
ALTER TABLE features DROP COLUMN default_assignee;
ALTER TABLE features DROP COLUMN release_phase_id;
