-- +goose Up
-- An audit's deliveries are queued by the delivery worker, from the audits
-- of the transactions that ended since it last looked, instead of by the
-- audits' insert: a write pays for its audits alone, whatever the
-- endpoints. The audits are the outbox (each exists if and only if its
-- change committed). Their IDs do not follow commit order on PostgreSQL,
-- so each audit records the ID of the transaction that wrote it (xid), and
-- webhook_fanout holds the horizon below which every transaction of the
-- database has ended and its audits' deliveries are queued: the worker
-- queues those from the horizon up to the oldest transaction of the
-- database still running, in the order of their IDs, and moves the horizon
-- there (see the store's fanOutEnded). Two changes of one record are
-- ordered by its row lock: the later one's audit has the higher ID, and,
-- its transaction having waited for the earlier one's to end, is never
-- queued before it. Audits written before this version have no xid: their
-- deliveries were queued with them.
ALTER TABLE audits ADD COLUMN xid BIGINT;
ALTER TABLE audits ALTER COLUMN xid SET DEFAULT pg_current_xact_id()::text::bigint;
CREATE INDEX audits_xid ON audits (xid);
CREATE TABLE webhook_fanout (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    xid  BIGINT NOT NULL
);
INSERT INTO webhook_fanout (id, xid) VALUES (1, pg_snapshot_xmax(pg_current_snapshot())::text::bigint);

-- +goose Down
-- The audits not yet queued are queued before their inserts queue them
-- again.
INSERT INTO webhook_deliveries (endpoint_id, audit_id, record_key, status, attempts, next_attempt_at, retry_until, created_at, updated_at)
SELECT e.id, a.id, lower(a.auditable_type) || ':' || a.auditable_id, 'pending', 0,
       a.created_at, a.created_at + 86400000, a.created_at, a.created_at
  FROM audits a JOIN webhook_endpoints e
    ON e.enabled = TRUE
   AND (e.record_types = '' OR strpos(',' || e.record_types || ',', ',' || a.auditable_type || ',') > 0)
 WHERE a.xid >= (SELECT xid FROM webhook_fanout)
 ORDER BY a.id, e.id;
DROP TABLE webhook_fanout;
DROP INDEX audits_xid;
ALTER TABLE audits DROP COLUMN xid;
