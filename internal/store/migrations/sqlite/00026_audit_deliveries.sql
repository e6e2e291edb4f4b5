-- +goose Up
-- An audit's insert queues its deliveries to the enabled webhook endpoints
-- that want it (an empty record_types wants every audit), in the same
-- statement and so in the same transaction as the change it describes:
-- the write runs no statement of its own for them. Deliveries take their
-- IDs in the order of the audits, then of the endpoints; they are due at
-- once and retried for 24 hours (roadmap.WebhookRetryWindow).
-- +goose StatementBegin
CREATE TRIGGER audits_deliveries AFTER INSERT ON audits
BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, audit_id, record_key, status, attempts, next_attempt_at, retry_until, created_at, updated_at)
    SELECT e.id, NEW.id, lower(NEW.auditable_type) || ':' || NEW.auditable_id, 'pending', 0,
           NEW.created_at, NEW.created_at + 86400000, NEW.created_at, NEW.created_at
      FROM webhook_endpoints e
     WHERE e.enabled = TRUE
       AND (e.record_types = '' OR instr(',' || e.record_types || ',', ',' || NEW.auditable_type || ',') > 0)
     ORDER BY e.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audits_deliveries;
