package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Webhook endpoints and the outbox of their deliveries. The audits are the
// outbox: each exists if and only if its change committed. The delivery
// worker queues their deliveries from the audits committed since it last
// looked (fanOut), so that a write pays for its audits alone: on SQLite,
// which numbers audits in commit order, after the last audit queued; on
// PostgreSQL, from the audits of the transactions that ended below the
// oldest one of the database still running (migration 00031). The worker
// claims due deliveries under a lease and records each attempt.

const webhookCols = "id, url, secret, enabled, record_types, created_at, updated_at"

const deliveryCols = "id, endpoint_id, audit_id, record_key, status, attempts, next_attempt_at, lease_expires_at, retry_until, last_status_code, last_error, created_at, updated_at, delivered_at"

// unfinished is the SQL list of the statuses of deliveries still to send.
const unfinished = "('" + roadmap.DeliveryPending + "', '" + roadmap.DeliveryDelivering + "')"

// recordKeySQL is a delivery's record_key, made of its audit a: the
// record's type and ID, by which the deliveries of one record to one
// endpoint go in commit order. A link's audit is known by the record it
// links to (a watcher's by the user), so its key also names the record the
// link belongs to: the watcher of one release is another record than the
// same user watching another release, and creates by one user do not wait
// for each other's deliveries. Its argument is DB.linkTypes; find is the
// dialect's instr or strpos.
func recordKeySQL(find string) string {
	return "lower(a.auditable_type) || ':' || a.auditable_id || CASE WHEN " + find + "(',' || CAST(? AS TEXT) || ',', ',' || a.auditable_type || ',') > 0 THEN ':' || a.associated_id ELSE '' END"
}

// deliveriesSQL is the statement that queues the deliveries of the audits
// that where selects to the enabled webhook endpoints that want them (an
// endpoint with no record types wants every audit, one with some wants the
// audits of those auditable types), in the order of the audits, then of
// the endpoints: due at the audit's time and retried for
// roadmap.WebhookRetryWindow. Its arguments are DB.linkTypes, the window in
// milliseconds, then those of where; find is the dialect's instr or
// strpos.
func deliveriesSQL(find, where string) string {
	return "INSERT INTO webhook_deliveries (endpoint_id, audit_id, record_key, status, attempts, next_attempt_at, retry_until, created_at, updated_at)" +
		" SELECT e.id, a.id, " + recordKeySQL(find) + ", '" + roadmap.DeliveryPending + "', 0, a.created_at, a.created_at + CAST(? AS BIGINT), a.created_at, a.created_at" +
		" FROM audits a JOIN webhook_endpoints e ON e.enabled = TRUE AND (e.record_types = '' OR " + find + "(',' || e.record_types || ',', ',' || a.auditable_type || ',') > 0)" +
		where + " ORDER BY a.id, e.id"
}

// fanOutBatch is the most audits whose deliveries one fan-out statement
// queues.
const fanOutBatch = 1000

// fanOutByID queues, on SQLite, the deliveries of the audits with IDs in
// (?, ?].
var fanOutByID = deliveriesSQL("instr", " WHERE a.id > ? AND a.id <= ?")

// fanOutByXID queues, on PostgreSQL, the deliveries of the audits written
// by transactions with IDs in [?, ?).
var fanOutByXID = deliveriesSQL("strpos", " WHERE a.xid >= ? AND a.xid < ?")

// fanOutLag reads whether audits wait for their deliveries to be queued to
// an enabled endpoint: a read, so that a poll with nothing to queue does
// not write. On PostgreSQL it also finds the audits of transactions that
// ended above the oldest one still running, which wait for it.
func (db *DB) fanOutLag(ctx context.Context) (bool, error) {
	after := "id > (SELECT audit_id FROM webhook_fanout)"
	if db.dialect.name() == "postgres" {
		after = "xid >= (SELECT xid FROM webhook_fanout)"
	}
	var lag bool
	err := db.reader().queryRow(ctx, "SELECT EXISTS (SELECT 1 FROM audits WHERE "+after+")"+
		" AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled = TRUE)").Scan(&lag)
	return lag, db.wrap(err)
}

// fanOut queues the deliveries of the audits committed since the last
// fan-out (see webhook_fanout, migrations 00029 and 00031): of one batch
// of them, reporting whether more wait, or of all when all is set, as a
// change to the endpoints needs, so that each audit goes to the endpoints
// that wanted it when it committed (on PostgreSQL, those of a transaction
// still running go to the endpoints of when they are queued). SQLite has
// one writer, so no audit commits while this transaction runs, and none
// with a lower ID after it.
func (tx *Tx) fanOut(ctx context.Context, all bool) (more bool, err error) {
	if tx.db.dialect.name() == "postgres" {
		return false, tx.fanOutEnded(ctx)
	}
	c := tx.conn()
	for {
		var from, last int64
		var upto sql.NullInt64
		var hooks bool
		if err := c.queryRow(ctx, "SELECT f.audit_id, EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled = TRUE),"+
			" (SELECT MAX(id) FROM (SELECT id FROM audits WHERE id > f.audit_id ORDER BY id LIMIT ?)), COALESCE((SELECT MAX(id) FROM audits), 0) FROM webhook_fanout f", fanOutBatch).Scan(&from, &hooks, &upto, &last); err != nil {
			return false, err
		}
		if !upto.Valid {
			return false, nil
		}
		if !hooks {
			// No endpoint wants any of them: the cursor moves past all.
			upto.Int64 = last
		} else if _, err := c.exec(ctx, fanOutByID, tx.db.linkTypes, roadmap.WebhookRetryWindow.Milliseconds(), from, upto.Int64); err != nil {
			return false, err
		}
		if _, err := c.exec(ctx, "UPDATE webhook_fanout SET audit_id = ?", upto.Int64); err != nil {
			return false, err
		}
		if more = upto.Int64 < last; !all || !more {
			return more, nil
		}
	}
}

// fullXID is the SQL expression of the full (64-bit) transaction ID whose
// low 32 bits are those of the expression low, the ID nearest to the full
// ID next: a running transaction's ID is less than 2^31 IDs from the next
// one, either side.
func fullXID(next, low string) string {
	return next + " + (((" + low + " - " + next + ") % 4294967296 + 6442450944) % 4294967296 - 2147483648)"
}

// fanOutEnded is fanOut on PostgreSQL. It queues the deliveries of the
// audits of the transactions with IDs from the horizon (webhook_fanout) up
// to the oldest transaction of the database still running, or the next
// transaction ID when none runs, and moves the horizon there: every
// transaction below it has ended, so its audits are committed or gone. The
// horizon's row is locked first, so that fan-outs of several processes
// take turns; one that waited for another finds the horizon moved and
// never moves it back. The next transaction ID is read before the running
// transactions, in an earlier statement: a transaction that takes an ID
// below it is already running when they are read.
// pg_stat_activity gives a running transaction's ID in 32 bits (see
// fullXID); one that took its ID after the next ID was read counts as the
// next ID.
func (tx *Tx) fanOutEnded(ctx context.Context) error {
	c := tx.conn()
	var from, next, upto int64
	var hooks bool
	// The next transaction ID comes from the statement's snapshot, taken
	// before it waits for the horizon's row.
	if err := c.queryRow(ctx, "SELECT f.xid, EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled = TRUE), pg_snapshot_xmax(pg_current_snapshot())::text::bigint"+
		" FROM webhook_fanout f FOR UPDATE").Scan(&from, &hooks, &next); err != nil {
		return err
	}
	if err := c.queryRow(ctx, "SELECT LEAST(?, COALESCE(MIN("+fullXID("?", "backend_xid::text::bigint")+"), ?))"+
		" FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL", next, next, next, next).Scan(&upto); err != nil {
		return err
	}
	if upto <= from {
		return nil
	}
	if hooks {
		if _, err := c.exec(ctx, fanOutByXID, tx.db.linkTypes, roadmap.WebhookRetryWindow.Milliseconds(), from, upto); err != nil {
			return err
		}
	}
	_, err := c.exec(ctx, "UPDATE webhook_fanout SET xid = ?", upto)
	return err
}

// fanOutNow queues the deliveries of every audit that waits for them, a
// batch to a transaction, so that the writes of the moment
// wait for one batch at most: before a claim, so that the worker keeps up
// with the writes whatever share of the audits its endpoints want, and
// before a read of the deliveries, so that it shows those of every
// committed change.
func (db *DB) fanOutNow(ctx context.Context) error {
	lag, err := db.fanOutLag(ctx)
	if err != nil || !lag {
		return err
	}
	for more := true; more; {
		if err := db.inTx(ctx, func(tx *Tx) error {
			var err error
			more, err = tx.fanOut(ctx, false)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// splitTypes reads the stored record-type filter.
func splitTypes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func scanWebhook(sc interface{ Scan(...any) error }) (*roadmap.Webhook, error) {
	var w roadmap.Webhook
	var types string
	var created, updated int64
	if err := sc.Scan(&w.ID, &w.URL, &w.Secret, &w.Enabled, &types, &created, &updated); err != nil {
		return nil, err
	}
	w.RecordTypes = splitTypes(types)
	w.CreatedAt, w.UpdatedAt = fromMS(created), fromMS(updated)
	return &w, nil
}

// Webhooks returns a page of webhooks by ID and the number there are.
func (db *DB) Webhooks(ctx context.Context, page roadmap.Page) ([]*roadmap.Webhook, int, error) {
	c := db.reader()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM webhook_endpoints").Scan(&total); err != nil {
		return nil, 0, db.wrap(err)
	}
	rows, err := c.query(ctx, "SELECT "+webhookCols+" FROM webhook_endpoints ORDER BY id LIMIT ? OFFSET ?", page.PerPage, page.Offset())
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	out := []*roadmap.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, w)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	return out, total, nil
}

// Webhook returns a webhook by ID.
func (db *DB) Webhook(ctx context.Context, id int64) (*roadmap.Webhook, error) {
	w, err := scanWebhook(db.reader().queryRow(ctx, "SELECT "+webhookCols+" FROM webhook_endpoints WHERE id = ?", id))
	if err != nil {
		return nil, db.wrap(scanErr(err, "webhook", strconv.FormatInt(id, 10)))
	}
	return w, nil
}

// CreateWebhook registers an endpoint, enabled unless the input says not.
func (db *DB) CreateWebhook(ctx context.Context, in roadmap.WebhookInput) (*roadmap.Webhook, error) {
	if err := roadmap.ValidateWebhook(&in, true); err != nil {
		return nil, err
	}
	var id int64
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.fanOut(ctx, true); err != nil {
			return err
		}
		id = tx.db.ids.next(tx.now)
		enabled := !in.Enabled.Set || in.Enabled.V
		_, err := tx.conn().exec(ctx, "INSERT INTO webhook_endpoints (id, url, secret, enabled, record_types, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, in.URL.V, in.Secret.V, enabled, strings.Join(in.RecordTypes.V, ","), ms(tx.now), ms(tx.now))
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.webhookAfterWrite(ctx, id)
}

// webhookAfterWrite reads a webhook just written, from the writer: on
// SQLite a reader may not see the commit yet.
func (db *DB) webhookAfterWrite(ctx context.Context, id int64) (*roadmap.Webhook, error) {
	c := conn{qr: db.write, d: db.dialect, n: &db.queries, tr: &db.trace}
	w, err := scanWebhook(c.queryRow(ctx, "SELECT "+webhookCols+" FROM webhook_endpoints WHERE id = ?", id))
	if err != nil {
		return nil, db.wrap(scanErr(err, "webhook", strconv.FormatInt(id, 10)))
	}
	return w, nil
}

// UpdateWebhook changes the fields of a webhook that the input sets.
func (db *DB) UpdateWebhook(ctx context.Context, id int64, in roadmap.WebhookInput) (*roadmap.Webhook, error) {
	if err := roadmap.ValidateWebhook(&in, false); err != nil {
		return nil, err
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		w, err := scanWebhook(c.queryRow(ctx, "SELECT "+webhookCols+" FROM webhook_endpoints WHERE id = ?"+tx.db.dialect.forUpdate(), id))
		if err != nil {
			return scanErr(err, "webhook", strconv.FormatInt(id, 10))
		}
		if _, err := tx.fanOut(ctx, true); err != nil {
			return err
		}
		if in.URL.Set {
			w.URL = in.URL.V
		}
		if in.Secret.Set {
			w.Secret = in.Secret.V
		}
		if in.Enabled.Set {
			w.Enabled = in.Enabled.V
		}
		if in.RecordTypes.Set {
			w.RecordTypes = in.RecordTypes.V
		}
		_, err = c.exec(ctx, "UPDATE webhook_endpoints SET url = ?, secret = ?, enabled = ?, record_types = ?, updated_at = ? WHERE id = ?",
			w.URL, w.Secret, w.Enabled, strings.Join(w.RecordTypes, ","), ms(tx.now), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.webhookAfterWrite(ctx, id)
}

// DeleteWebhook deletes a webhook; its deliveries go with it.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.fanOut(ctx, true); err != nil {
			return err
		}
		res, err := tx.conn().exec(ctx, "DELETE FROM webhook_endpoints WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = notFound("webhook", strconv.FormatInt(id, 10))
			}
			return err
		}
		return nil
	})
}

func scanDelivery(sc interface{ Scan(...any) error }) (*roadmap.WebhookDelivery, error) {
	var d roadmap.WebhookDelivery
	var next, until, created, updated int64
	var lease, delivered sql.NullInt64
	var code sql.NullInt64
	var lastErr sql.NullString
	if err := sc.Scan(&d.ID, &d.WebhookID, &d.AuditID, &d.RecordKey, &d.Status, &d.Attempts, &next, &lease, &until, &code, &lastErr, &created, &updated, &delivered); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.RetryUntil = fromMS(next), fromMS(until)
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	if lease.Valid {
		t := fromMS(lease.Int64)
		d.LeaseExpiresAt = &t
	}
	if delivered.Valid {
		t := fromMS(delivered.Int64)
		d.DeliveredAt = &t
	}
	d.LastStatusCode = int(code.Int64)
	d.LastError = lastErr.String
	return &d, nil
}

func scanDeliveries(rows *sql.Rows) ([]*roadmap.WebhookDelivery, error) {
	out := []*roadmap.WebhookDelivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	return out, closeRows(rows)
}

// WebhookDeliveries returns a page of a webhook's deliveries by ID.
func (db *DB) WebhookDeliveries(ctx context.Context, f roadmap.DeliveryFilter) ([]*roadmap.WebhookDelivery, int, error) {
	if _, err := db.Webhook(ctx, f.WebhookID); err != nil {
		return nil, 0, err
	}
	if err := db.fanOutNow(ctx); err != nil {
		return nil, 0, err
	}
	where, args := "endpoint_id = ?", []any{f.WebhookID}
	if f.Status != "" {
		where += " AND status = ?"
		args = append(args, f.Status)
	}
	c := db.reader()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM webhook_deliveries WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, db.wrap(err)
	}
	rows, err := c.query(ctx, "SELECT "+deliveryCols+" FROM webhook_deliveries WHERE "+where+" ORDER BY id LIMIT ? OFFSET ?", append(args, f.Page.PerPage, f.Page.Offset())...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	out, err := scanDeliveries(rows)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	return out, total, nil
}

// RedeliverWebhookDelivery makes a delivery pending again, due now, with a
// new retry window.
func (db *DB) RedeliverWebhookDelivery(ctx context.Context, webhookID, deliveryID int64) (*roadmap.WebhookDelivery, error) {
	var d *roadmap.WebhookDelivery
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var err error
		d, err = scanDelivery(c.queryRow(ctx, "SELECT "+deliveryCols+" FROM webhook_deliveries WHERE id = ? AND endpoint_id = ?"+tx.db.dialect.forUpdate(), deliveryID, webhookID))
		if err != nil {
			return scanErr(err, "webhook delivery", strconv.FormatInt(deliveryID, 10))
		}
		if d.Status == roadmap.DeliveryDelivering && d.LeaseExpiresAt != nil && d.LeaseExpiresAt.After(tx.now) {
			return roadmap.Errorf(roadmap.ECONFLICT, "The delivery is being sent; try again when it is done")
		}
		d.Status, d.NextAttemptAt, d.RetryUntil, d.LeaseExpiresAt, d.UpdatedAt = roadmap.DeliveryPending, tx.now, tx.now.Add(roadmap.WebhookRetryWindow), nil, tx.now
		_, err = c.exec(ctx, "UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, retry_until = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
			d.Status, ms(d.NextAttemptAt), ms(d.RetryUntil), ms(tx.now), d.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ClaimWebhookDeliveries leases up to limit due deliveries of enabled
// webhooks. A delivery is due when its next attempt (or, being delivered,
// its lease's expiry) has come, and is held back while an earlier delivery
// of the same record to the same endpoint is unfinished. On PostgreSQL the
// rows are locked with SKIP LOCKED, so that concurrent claimers take
// different deliveries without waiting for each other; SQLite runs one
// write transaction at a time.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*roadmap.WebhookDelivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	now = now.UTC()
	due := "SELECT d.id FROM webhook_deliveries d WHERE d.status IN " + unfinished + " AND d.next_attempt_at <= ?" +
		" AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.record_key = d.record_key AND p.status IN " + unfinished + " AND p.id < d.id)" +
		" AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled = ?)" +
		" ORDER BY d.next_attempt_at, d.id LIMIT ?"
	// The deliveries of the audits committed since the last claim are
	// queued first.
	if err := db.fanOutNow(ctx); err != nil {
		return nil, err
	}
	// Most polls find nothing due: a read says so without taking the
	// writer.
	var first int64
	err := db.reader().queryRow(ctx, due, ms(now), true, 1).Scan(&first)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, db.wrap(err)
	}
	if db.dialect.name() == "postgres" {
		due += " FOR UPDATE OF d SKIP LOCKED"
	}
	var out []*roadmap.WebhookDelivery
	err = db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		expires := ms(now.Add(lease))
		// A delivery's retry window starts at its first attempt, so that
		// one held back behind a failing one keeps its own.
		rows, err := c.query(ctx, "UPDATE webhook_deliveries SET status = '"+roadmap.DeliveryDelivering+"', attempts = attempts + 1, lease_expires_at = ?, next_attempt_at = ?, retry_until = CASE WHEN attempts = 0 THEN ? ELSE retry_until END, updated_at = ? WHERE id IN ("+due+") RETURNING "+deliveryCols,
			expires, expires, ms(now.Add(roadmap.WebhookRetryWindow)), ms(now), ms(now), true, limit)
		if err != nil {
			return err
		}
		if out, err = scanDeliveries(rows); err != nil || len(out) == 0 {
			return err
		}
		ids := map[int64]bool{}
		for _, d := range out {
			ids[d.WebhookID] = true
		}
		list := make([]int64, 0, len(ids))
		for id := range ids {
			list = append(list, id)
		}
		hrows, err := c.query(ctx, "SELECT "+webhookCols+" FROM webhook_endpoints WHERE id IN ("+placeholders(len(list))+")", int64Args(list)...)
		if err != nil {
			return err
		}
		hooks := map[int64]*roadmap.Webhook{}
		for hrows.Next() {
			w, err := scanWebhook(hrows)
			if err != nil {
				hrows.Close()
				return err
			}
			hooks[w.ID] = w
		}
		if err := closeRows(hrows); err != nil {
			return err
		}
		for _, d := range out {
			d.Webhook = hooks[d.WebhookID]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives no order.
	slices.SortFunc(out, func(a, b *roadmap.WebhookDelivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FinishWebhookDeliveries records the outcomes of attempts, outs[i] that
// of ds[i], in one transaction, each on a delivery that is still leased to
// its claim (the same number of attempts): delivered, due again at
// RetryAt, or failed.
func (db *DB) FinishWebhookDeliveries(ctx context.Context, ds []*roadmap.WebhookDelivery, outs []roadmap.DeliveryOutcome) error {
	if len(ds) != len(outs) {
		return fmt.Errorf("%d outcomes for %d deliveries", len(outs), len(ds))
	}
	if len(ds) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		now := ms(tx.now)
		for i, d := range ds {
			if err := tx.finishDelivery(ctx, d, outs[i], now); err != nil {
				return err
			}
		}
		return nil
	})
}

// finishDelivery records one attempt's outcome, at now.
func (tx *Tx) finishDelivery(ctx context.Context, d *roadmap.WebhookDelivery, out roadmap.DeliveryOutcome, now int64) error {
	var code any
	if out.StatusCode != 0 {
		code = out.StatusCode
	}
	lastErr := out.Error
	if len(lastErr) > 1000 {
		lastErr = lastErr[:1000]
	}
	var err error
	switch {
	case out.Delivered:
		_, err = tx.conn().exec(ctx, "UPDATE webhook_deliveries SET status = ?, lease_expires_at = NULL, last_status_code = ?, last_error = NULL, delivered_at = ?, updated_at = ? WHERE id = ? AND status = ? AND attempts = ?",
			roadmap.DeliveryDelivered, code, now, now, d.ID, roadmap.DeliveryDelivering, d.Attempts)
	case out.RetryAt.IsZero():
		_, err = tx.conn().exec(ctx, "UPDATE webhook_deliveries SET status = ?, lease_expires_at = NULL, last_status_code = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = ? AND attempts = ?",
			roadmap.DeliveryFailed, code, nullStr(lastErr), now, d.ID, roadmap.DeliveryDelivering, d.Attempts)
	default:
		_, err = tx.conn().exec(ctx, "UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, lease_expires_at = NULL, last_status_code = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = ? AND attempts = ?",
			roadmap.DeliveryPending, ms(out.RetryAt), code, nullStr(lastErr), now, d.ID, roadmap.DeliveryDelivering, d.Attempts)
	}
	return err
}
