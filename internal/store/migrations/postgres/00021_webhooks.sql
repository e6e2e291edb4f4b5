-- +goose Up
-- Activity webhooks: the endpoints an administrator registers, and the
-- transactional outbox of deliveries. A delivery is written in the
-- transaction of the change its audit describes, so it exists if and only
-- if the change committed.
--
-- record_types is the endpoint's filter as a comma-separated list of
-- auditable types; empty lets every audit through. The secret signs the
-- deliveries and so is kept as given.
CREATE TABLE webhook_endpoints (
    id            BIGINT PRIMARY KEY,
    url           TEXT NOT NULL,
    secret        TEXT NOT NULL DEFAULT '',
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    record_types  TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (id) WHERE enabled;

-- id comes from a sequence, so that it follows commit order for the changes
-- of one record: a transaction that changes a record holds its row lock, so
-- the next change of that record takes its delivery IDs after the first
-- one committed. record_key names the record (auditable type and ID); a
-- delivery waits while an earlier one of its record to its endpoint is
-- pending or delivering.
--
-- status is pending, delivering, delivered or failed. next_attempt_at is
-- when the delivery is due: for a pending one its next attempt, for one
-- being delivered the expiry of its lease (lease_expires_at), after which
-- any process may claim it again. retry_until ends the retries: 24 hours
-- after the first attempt, or after a redelivery.
CREATE TABLE webhook_deliveries (
    id                BIGSERIAL PRIMARY KEY,
    endpoint_id       BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    audit_id          BIGINT NOT NULL,
    record_key        TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending',
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT NOT NULL,
    lease_expires_at  BIGINT,
    retry_until       BIGINT NOT NULL,
    last_status_code  INTEGER,
    last_error        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    delivered_at      BIGINT
);
-- Claims read the due deliveries only, and check the earlier deliveries of
-- a record among the unfinished ones only.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_record ON webhook_deliveries (endpoint_id, record_key, id) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
