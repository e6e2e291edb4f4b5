-- +goose Up
-- What epics show beyond their row of 00009: their own initial and detailed
-- estimates (the original estimate is the detailed one, else the initial
-- one), whether they were assigned by default, each product's default
-- assignee of new epics, and the tags, score facts, custom field values and
-- links of epics.
ALTER TABLE epics ADD COLUMN initial_estimate DOUBLE PRECISION;
ALTER TABLE epics ADD COLUMN detailed_estimate DOUBLE PRECISION;
ALTER TABLE epics ADD COLUMN default_assignee BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE products ADD COLUMN epic_assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL;

CREATE INDEX epics_initiative ON epics (initiative_id);
CREATE INDEX epics_assignee ON epics (assigned_to_user_id);

CREATE TABLE epic_tags (
    id        BIGINT PRIMARY KEY,
    epic_id   BIGINT NOT NULL REFERENCES epics (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    color     TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (epic_id, name)
);
CREATE INDEX epic_tags_name ON epic_tags (name);

CREATE TABLE epic_score_facts (
    id        BIGINT PRIMARY KEY,
    epic_id   BIGINT NOT NULL REFERENCES epics (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    value     INTEGER NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX epic_score_facts_epic ON epic_score_facts (epic_id, position);

CREATE TABLE epic_custom_fields (
    id          BIGINT PRIMARY KEY,
    epic_id     BIGINT NOT NULL REFERENCES epics (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (epic_id, key)
);
CREATE INDEX epic_custom_fields_key ON epic_custom_fields (key);

-- A link between two epics ("Depends on", ...): both show it.
CREATE TABLE epic_links (
    id            BIGINT PRIMARY KEY,
    parent_id     BIGINT NOT NULL REFERENCES epics (id) ON DELETE CASCADE,
    child_id      BIGINT NOT NULL REFERENCES epics (id) ON DELETE CASCADE,
    link_type     TEXT NOT NULL,
    link_type_id  INTEGER NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX epic_links_parent ON epic_links (parent_id);
CREATE INDEX epic_links_child ON epic_links (child_id);

-- +goose Down
DROP TABLE epic_links;
DROP TABLE epic_custom_fields;
DROP TABLE epic_score_facts;
DROP TABLE epic_tags;
DROP INDEX epics_assignee;
DROP INDEX epics_initiative;
ALTER TABLE products DROP COLUMN epic_assignee_id;
ALTER TABLE epics DROP COLUMN default_assignee;
ALTER TABLE epics DROP COLUMN detailed_estimate;
ALTER TABLE epics DROP COLUMN initial_estimate;
