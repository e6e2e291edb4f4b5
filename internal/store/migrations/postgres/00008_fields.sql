-- +goose Up
-- Custom field definitions are account-wide, one set per record type; values
-- stay in the per-record tables (custom_field_values for releases,
-- initiative_custom_fields, key_result_custom_fields), matched by key.
CREATE TABLE custom_field_definitions (
    id              BIGINT PRIMARY KEY,
    fieldable_type  TEXT NOT NULL,
    key             TEXT NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    internal_name   TEXT,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (fieldable_type, key)
);

CREATE TABLE custom_field_options (
    id             BIGINT PRIMARY KEY,
    definition_id  BIGINT NOT NULL REFERENCES custom_field_definitions (id) ON DELETE CASCADE,
    value          TEXT NOT NULL,
    color          INTEGER NOT NULL,
    hidden         BOOLEAN NOT NULL DEFAULT FALSE,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (definition_id, value)
);
CREATE INDEX custom_field_options_definition ON custom_field_options (definition_id, position);

-- Values written before definitions existed keep working: each key in use
-- becomes a definition of its record type (a note, a date or a text field).
INSERT INTO custom_field_definitions (id, fieldable_type, key, name, type, position, created_at, updated_at)
SELECT MIN(id), 'Release', key, MIN(name),
       CASE MIN(type) WHEN 'note' THEN 'CustomFieldDefinitions::NoteField' WHEN 'date' THEN 'CustomFieldDefinitions::DateField' ELSE 'CustomFieldDefinitions::TextField' END,
       0, MIN(created_at), MIN(created_at)
FROM custom_field_values GROUP BY key;
INSERT INTO custom_field_definitions (id, fieldable_type, key, name, type, position, created_at, updated_at)
SELECT MIN(id), 'Initiative', key, MIN(name),
       CASE MIN(type) WHEN 'note' THEN 'CustomFieldDefinitions::NoteField' WHEN 'date' THEN 'CustomFieldDefinitions::DateField' ELSE 'CustomFieldDefinitions::TextField' END,
       0, MIN(created_at), MIN(created_at)
FROM initiative_custom_fields GROUP BY key;
INSERT INTO custom_field_definitions (id, fieldable_type, key, name, type, position, created_at, updated_at)
SELECT MIN(id), 'KeyResult', key, MIN(name),
       CASE MIN(type) WHEN 'note' THEN 'CustomFieldDefinitions::NoteField' WHEN 'date' THEN 'CustomFieldDefinitions::DateField' ELSE 'CustomFieldDefinitions::TextField' END,
       0, MIN(created_at), MIN(created_at)
FROM key_result_custom_fields GROUP BY key;

CREATE INDEX custom_field_values_key ON custom_field_values (key);
CREATE INDEX initiative_custom_fields_key ON initiative_custom_fields (key);
CREATE INDEX key_result_custom_fields_key ON key_result_custom_fields (key);

-- An integration connects a product to an external service; the records of
-- the product and of the products under it (for a product line) carry
-- integration fields through it.
CREATE TABLE integrations (
    id            BIGINT PRIMARY KEY,
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    service_name  TEXT NOT NULL,
    name          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX integrations_product ON integrations (product_id, service_name, id);

CREATE INDEX integration_fields_value ON integration_fields (value, record_type);

-- +goose Down
DROP INDEX integration_fields_value;
DROP TABLE integrations;
DROP INDEX key_result_custom_fields_key;
DROP INDEX initiative_custom_fields_key;
DROP INDEX custom_field_values_key;
DROP TABLE custom_field_options;
DROP TABLE custom_field_definitions;
