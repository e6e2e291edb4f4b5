-- +goose Up
-- change_journal receives, from triggers on every table that holds records,
-- each row a transaction inserts, updates or deletes, with the row's columns
-- as JSON. The transaction turns its journal rows into audits and deletes
-- them before it commits, so the table is empty between transactions.
CREATE TABLE change_journal (
    seq     INTEGER PRIMARY KEY,
    tbl     TEXT NOT NULL,
    op      TEXT NOT NULL,
    old_row TEXT,
    new_row TEXT
);

-- audits is the change log: one row per record a write created, updated
-- or destroyed. Its IDs grow in commit order.
CREATE TABLE audits (
    id              INTEGER PRIMARY KEY,
    action          TEXT NOT NULL,
    user_id         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    auditable_type  TEXT NOT NULL,
    auditable_id    BIGINT NOT NULL,
    associated_type TEXT NOT NULL,
    associated_id   BIGINT NOT NULL,
    product_id      BIGINT NOT NULL,
    auditable_product_id BIGINT NOT NULL,
    description     TEXT NOT NULL,
    url_path        TEXT NOT NULL,
    interesting     BOOLEAN NOT NULL,
    changes         TEXT NOT NULL
);
CREATE INDEX audits_auditable ON audits (auditable_id, auditable_type, id);
CREATE INDEX audits_associated ON audits (associated_id, associated_type, id);
CREATE INDEX audits_user ON audits (user_id, id);
CREATE INDEX audits_product ON audits (product_id, id);
CREATE INDEX audits_created ON audits (created_at, id);

-- +goose Down
-- The store's journal triggers on the tables that exist at this version
-- (tables added later take theirs with them when they are dropped).
DROP TRIGGER IF EXISTS journal_comments_insert;
DROP TRIGGER IF EXISTS journal_comments_update;
DROP TRIGGER IF EXISTS journal_comments_delete;
DROP TRIGGER IF EXISTS journal_custom_field_definitions_insert;
DROP TRIGGER IF EXISTS journal_custom_field_definitions_update;
DROP TRIGGER IF EXISTS journal_custom_field_definitions_delete;
DROP TRIGGER IF EXISTS journal_custom_field_options_insert;
DROP TRIGGER IF EXISTS journal_custom_field_options_update;
DROP TRIGGER IF EXISTS journal_custom_field_options_delete;
DROP TRIGGER IF EXISTS journal_custom_field_values_insert;
DROP TRIGGER IF EXISTS journal_custom_field_values_update;
DROP TRIGGER IF EXISTS journal_custom_field_values_delete;
DROP TRIGGER IF EXISTS journal_epic_custom_fields_insert;
DROP TRIGGER IF EXISTS journal_epic_custom_fields_update;
DROP TRIGGER IF EXISTS journal_epic_custom_fields_delete;
DROP TRIGGER IF EXISTS journal_epic_goals_insert;
DROP TRIGGER IF EXISTS journal_epic_goals_update;
DROP TRIGGER IF EXISTS journal_epic_goals_delete;
DROP TRIGGER IF EXISTS journal_epic_links_insert;
DROP TRIGGER IF EXISTS journal_epic_links_update;
DROP TRIGGER IF EXISTS journal_epic_links_delete;
DROP TRIGGER IF EXISTS journal_epic_score_facts_insert;
DROP TRIGGER IF EXISTS journal_epic_score_facts_update;
DROP TRIGGER IF EXISTS journal_epic_score_facts_delete;
DROP TRIGGER IF EXISTS journal_epic_tags_insert;
DROP TRIGGER IF EXISTS journal_epic_tags_update;
DROP TRIGGER IF EXISTS journal_epic_tags_delete;
DROP TRIGGER IF EXISTS journal_epic_watchers_insert;
DROP TRIGGER IF EXISTS journal_epic_watchers_update;
DROP TRIGGER IF EXISTS journal_epic_watchers_delete;
DROP TRIGGER IF EXISTS journal_epics_insert;
DROP TRIGGER IF EXISTS journal_epics_update;
DROP TRIGGER IF EXISTS journal_epics_delete;
DROP TRIGGER IF EXISTS journal_feature_custom_fields_insert;
DROP TRIGGER IF EXISTS journal_feature_custom_fields_update;
DROP TRIGGER IF EXISTS journal_feature_custom_fields_delete;
DROP TRIGGER IF EXISTS journal_feature_goals_insert;
DROP TRIGGER IF EXISTS journal_feature_goals_update;
DROP TRIGGER IF EXISTS journal_feature_goals_delete;
DROP TRIGGER IF EXISTS journal_feature_key_results_insert;
DROP TRIGGER IF EXISTS journal_feature_key_results_update;
DROP TRIGGER IF EXISTS journal_feature_key_results_delete;
DROP TRIGGER IF EXISTS journal_feature_links_insert;
DROP TRIGGER IF EXISTS journal_feature_links_update;
DROP TRIGGER IF EXISTS journal_feature_links_delete;
DROP TRIGGER IF EXISTS journal_feature_score_facts_insert;
DROP TRIGGER IF EXISTS journal_feature_score_facts_update;
DROP TRIGGER IF EXISTS journal_feature_score_facts_delete;
DROP TRIGGER IF EXISTS journal_feature_tags_insert;
DROP TRIGGER IF EXISTS journal_feature_tags_update;
DROP TRIGGER IF EXISTS journal_feature_tags_delete;
DROP TRIGGER IF EXISTS journal_feature_watchers_insert;
DROP TRIGGER IF EXISTS journal_feature_watchers_update;
DROP TRIGGER IF EXISTS journal_feature_watchers_delete;
DROP TRIGGER IF EXISTS journal_features_insert;
DROP TRIGGER IF EXISTS journal_features_update;
DROP TRIGGER IF EXISTS journal_features_delete;
DROP TRIGGER IF EXISTS journal_goal_initiatives_insert;
DROP TRIGGER IF EXISTS journal_goal_initiatives_update;
DROP TRIGGER IF EXISTS journal_goal_initiatives_delete;
DROP TRIGGER IF EXISTS journal_goal_status_times_insert;
DROP TRIGGER IF EXISTS journal_goal_status_times_update;
DROP TRIGGER IF EXISTS journal_goal_status_times_delete;
DROP TRIGGER IF EXISTS journal_goal_watchers_insert;
DROP TRIGGER IF EXISTS journal_goal_watchers_update;
DROP TRIGGER IF EXISTS journal_goal_watchers_delete;
DROP TRIGGER IF EXISTS journal_goals_insert;
DROP TRIGGER IF EXISTS journal_goals_update;
DROP TRIGGER IF EXISTS journal_goals_delete;
DROP TRIGGER IF EXISTS journal_initiative_custom_fields_insert;
DROP TRIGGER IF EXISTS journal_initiative_custom_fields_update;
DROP TRIGGER IF EXISTS journal_initiative_custom_fields_delete;
DROP TRIGGER IF EXISTS journal_initiative_status_times_insert;
DROP TRIGGER IF EXISTS journal_initiative_status_times_update;
DROP TRIGGER IF EXISTS journal_initiative_status_times_delete;
DROP TRIGGER IF EXISTS journal_initiative_watchers_insert;
DROP TRIGGER IF EXISTS journal_initiative_watchers_update;
DROP TRIGGER IF EXISTS journal_initiative_watchers_delete;
DROP TRIGGER IF EXISTS journal_initiatives_insert;
DROP TRIGGER IF EXISTS journal_initiatives_update;
DROP TRIGGER IF EXISTS journal_initiatives_delete;
DROP TRIGGER IF EXISTS journal_integration_fields_insert;
DROP TRIGGER IF EXISTS journal_integration_fields_update;
DROP TRIGGER IF EXISTS journal_integration_fields_delete;
DROP TRIGGER IF EXISTS journal_integrations_insert;
DROP TRIGGER IF EXISTS journal_integrations_update;
DROP TRIGGER IF EXISTS journal_integrations_delete;
DROP TRIGGER IF EXISTS journal_key_result_custom_fields_insert;
DROP TRIGGER IF EXISTS journal_key_result_custom_fields_update;
DROP TRIGGER IF EXISTS journal_key_result_custom_fields_delete;
DROP TRIGGER IF EXISTS journal_key_result_watchers_insert;
DROP TRIGGER IF EXISTS journal_key_result_watchers_update;
DROP TRIGGER IF EXISTS journal_key_result_watchers_delete;
DROP TRIGGER IF EXISTS journal_key_results_insert;
DROP TRIGGER IF EXISTS journal_key_results_update;
DROP TRIGGER IF EXISTS journal_key_results_delete;
DROP TRIGGER IF EXISTS journal_product_roles_insert;
DROP TRIGGER IF EXISTS journal_product_roles_update;
DROP TRIGGER IF EXISTS journal_product_roles_delete;
DROP TRIGGER IF EXISTS journal_products_insert;
DROP TRIGGER IF EXISTS journal_products_update;
DROP TRIGGER IF EXISTS journal_products_delete;
DROP TRIGGER IF EXISTS journal_release_goals_insert;
DROP TRIGGER IF EXISTS journal_release_goals_update;
DROP TRIGGER IF EXISTS journal_release_goals_delete;
DROP TRIGGER IF EXISTS journal_release_initiatives_insert;
DROP TRIGGER IF EXISTS journal_release_initiatives_update;
DROP TRIGGER IF EXISTS journal_release_initiatives_delete;
DROP TRIGGER IF EXISTS journal_release_phases_insert;
DROP TRIGGER IF EXISTS journal_release_phases_update;
DROP TRIGGER IF EXISTS journal_release_phases_delete;
DROP TRIGGER IF EXISTS journal_release_projects_insert;
DROP TRIGGER IF EXISTS journal_release_projects_update;
DROP TRIGGER IF EXISTS journal_release_projects_delete;
DROP TRIGGER IF EXISTS journal_release_status_times_insert;
DROP TRIGGER IF EXISTS journal_release_status_times_update;
DROP TRIGGER IF EXISTS journal_release_status_times_delete;
DROP TRIGGER IF EXISTS journal_release_watchers_insert;
DROP TRIGGER IF EXISTS journal_release_watchers_update;
DROP TRIGGER IF EXISTS journal_release_watchers_delete;
DROP TRIGGER IF EXISTS journal_releases_insert;
DROP TRIGGER IF EXISTS journal_releases_update;
DROP TRIGGER IF EXISTS journal_releases_delete;
DROP TRIGGER IF EXISTS journal_requirement_custom_fields_insert;
DROP TRIGGER IF EXISTS journal_requirement_custom_fields_update;
DROP TRIGGER IF EXISTS journal_requirement_custom_fields_delete;
DROP TRIGGER IF EXISTS journal_requirement_tags_insert;
DROP TRIGGER IF EXISTS journal_requirement_tags_update;
DROP TRIGGER IF EXISTS journal_requirement_tags_delete;
DROP TRIGGER IF EXISTS journal_requirements_insert;
DROP TRIGGER IF EXISTS journal_requirements_update;
DROP TRIGGER IF EXISTS journal_requirements_delete;
DROP TRIGGER IF EXISTS journal_task_assignees_insert;
DROP TRIGGER IF EXISTS journal_task_assignees_update;
DROP TRIGGER IF EXISTS journal_task_assignees_delete;
DROP TRIGGER IF EXISTS journal_task_records_insert;
DROP TRIGGER IF EXISTS journal_task_records_update;
DROP TRIGGER IF EXISTS journal_task_records_delete;
DROP TRIGGER IF EXISTS journal_tasks_insert;
DROP TRIGGER IF EXISTS journal_tasks_update;
DROP TRIGGER IF EXISTS journal_tasks_delete;
DROP TRIGGER IF EXISTS journal_time_frames_insert;
DROP TRIGGER IF EXISTS journal_time_frames_update;
DROP TRIGGER IF EXISTS journal_time_frames_delete;
DROP TRIGGER IF EXISTS journal_users_insert;
DROP TRIGGER IF EXISTS journal_users_update;
DROP TRIGGER IF EXISTS journal_users_delete;
DROP TRIGGER IF EXISTS journal_work_status_times_insert;
DROP TRIGGER IF EXISTS journal_work_status_times_update;
DROP TRIGGER IF EXISTS journal_work_status_times_delete;
DROP TRIGGER IF EXISTS journal_workflow_statuses_insert;
DROP TRIGGER IF EXISTS journal_workflow_statuses_update;
DROP TRIGGER IF EXISTS journal_workflow_statuses_delete;
DROP TRIGGER IF EXISTS journal_workflows_insert;
DROP TRIGGER IF EXISTS journal_workflows_update;
DROP TRIGGER IF EXISTS journal_workflows_delete;
DROP TABLE audits;
DROP TABLE change_journal;
