-- +goose Up
-- An audit's deliveries are queued by the delivery worker, from the audits
-- committed since it last looked, instead of by a trigger of the audits'
-- insert: a write pays for its audits alone, whatever the endpoints. The
-- audits are the outbox (each exists if and only if its change committed,
-- and SQLite numbers them in commit order); webhook_fanout holds the last
-- audit whose deliveries are queued. A change to the endpoints first
-- queues the deliveries of the audits before it, so that each audit goes
-- to the endpoints that wanted it when it committed, as the trigger
-- decided.
DROP TRIGGER audits_deliveries;
CREATE TABLE webhook_fanout (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    audit_id  INTEGER NOT NULL
);
INSERT INTO webhook_fanout (id, audit_id) VALUES (1, COALESCE((SELECT MAX(id) FROM audits), 0));

-- +goose Down
-- The audits not yet queued are queued before the trigger takes over.
INSERT INTO webhook_deliveries (endpoint_id, audit_id, record_key, status, attempts, next_attempt_at, retry_until, created_at, updated_at)
SELECT e.id, a.id, lower(a.auditable_type) || ':' || a.auditable_id, 'pending', 0,
       a.created_at, a.created_at + 86400000, a.created_at, a.created_at
  FROM audits a JOIN webhook_endpoints e
    ON e.enabled = TRUE
   AND (e.record_types = '' OR instr(',' || e.record_types || ',', ',' || a.auditable_type || ',') > 0)
 WHERE a.id > (SELECT audit_id FROM webhook_fanout)
 ORDER BY a.id, e.id;
DROP TABLE webhook_fanout;
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
