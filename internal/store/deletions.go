package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// The recycle bin keeps what a delete took away, so that it can be put back.
// It works from the change journal alone: every row a transaction destroyed,
// and every row it updated, with its columns before the change. A destroyed
// row of a kind of record the bin keeps (binTypes) that does not belong to
// another destroyed record of such a kind is a deleted record of its own
// and gets an entry; every other destroyed row belongs to the record it refers to,
// through the schema's foreign keys (and the polymorphic references of
// polymorphicRefs), and every update that cleared a reference to a destroyed
// row is the detaching of something that stays. A restore inserts the rows
// again, referred tables first, and sets the cleared references back.

// binTypes maps the tables of the records the recycle bin keeps to the
// record types it shows.
var binTypes = map[string]string{
	"releases":       "Release",
	"features":       "Feature",
	"requirements":   "Requirement",
	"epics":          "Epic",
	"goals":          "StrategicImperative",
	"initiatives":    "Initiative",
	"key_results":    "KeyResult",
	"release_phases": "ReleasePhase",
	"tasks":          "Task",
	"comments":       "Comment",
}

// recordTypes names the other records a restore may report as missing.
var recordTypes = map[string]string{
	"users":             "User",
	"products":          "Project",
	"workflow_statuses": "WorkflowStatus",
	"time_frames":       "TimeFrame",
}

// typeOfTable returns the record type of a table's rows.
func typeOfTable(table string) string {
	if t, ok := binTypes[table]; ok {
		return t
	}
	if t, ok := recordTypes[table]; ok {
		return t
	}
	return table
}

// binPayload is what an entry keeps to restore its record.
type binPayload struct {
	// Rows are the destroyed rows, the record's first, as they were before
	// the transaction that deleted them.
	Rows []binRow `json:"rows"`
	// Links are the references to the destroyed rows that the delete
	// cleared in rows that stay.
	Links []binLink `json:"links,omitempty"`
}

type binRow struct {
	Table string         `json:"table"`
	Row   map[string]any `json:"row"`
}

type binLink struct {
	Table  string         `json:"table"`
	Key    map[string]any `json:"key"`
	Column string         `json:"column"`
	Value  any            `json:"value"`
}

// journalRow follows one row through the changes of a transaction.
type journalRow struct {
	table string
	key   string
	// before is the row as it was when the transaction started; nil for a
	// row the transaction created.
	before    map[string]any
	created   bool
	destroyed bool
	seq       int64
}

// convert marks a record that the transaction turns into another one (a
// requirement converted to a feature, which takes over its parts): its
// removal is no deletion, and the recycle bin does not keep it.
func (tx *Tx) convert(table string, id int64) {
	if tx.converted == nil {
		tx.converted = map[string]bool{}
	}
	tx.converted[table+"="+strconv.FormatInt(id, 10)] = true
}

// recordDeletions puts the records that the transaction destroyed in the
// recycle bin.
func (tx *Tx) recordDeletions(ctx context.Context, changes []change, audits []*roadmap.Audit) error {
	if !slices.ContainsFunc(changes, func(ch change) bool { return ch.Op == roadmap.AuditDestroy && binTypes[ch.Table] != "" }) {
		return nil
	}
	s, err := tx.schemaOf(ctx)
	if err != nil {
		return err
	}
	rows := map[string]*journalRow{}
	var order []string
	var updates []change
	for _, ch := range changes {
		row := ch.Old
		if row == nil {
			row = ch.New
		}
		k := s.rowKey(ch.Table, row)
		r := rows[k]
		if r == nil {
			r = &journalRow{table: ch.Table, key: k, before: ch.Old, created: ch.Op == roadmap.AuditCreate, seq: ch.Seq}
			rows[k] = r
			order = append(order, k)
		}
		switch ch.Op {
		case roadmap.AuditDestroy:
			r.destroyed = true
		case roadmap.AuditCreate:
			r.destroyed = false
		case roadmap.AuditUpdate:
			updates = append(updates, ch)
		}
	}
	// The rows that existed before the transaction and not after it, found
	// by table, referred column and value.
	gone := map[string]*journalRow{}
	goneKey := func(table, col string, v int64) string { return table + "." + col + "=" + strconv.FormatInt(v, 10) }
	var destroyed []*journalRow
	for _, k := range order {
		r := rows[k]
		if !r.destroyed || r.created || r.before == nil {
			continue
		}
		destroyed = append(destroyed, r)
		if v, ok := jsonInt(r.before["id"]); ok {
			gone[goneKey(r.table, "id", v)] = r
		}
	}
	refersTo := func(row map[string]any, fk binFK) *journalRow {
		target, v, ok := fk.target(row)
		if !ok {
			return nil
		}
		return gone[goneKey(target, fk.refCol, v)]
	}
	// owner is the destroyed row that a destroyed row belongs to.
	owner := func(r *journalRow) *journalRow {
		t := s.tables[r.table]
		if t == nil {
			return nil
		}
		for _, fk := range t.fks {
			if o := refersTo(r.before, fk); o != nil && o != r {
				return o
			}
		}
		return nil
	}
	// root is the topmost destroyed record that a row belongs to.
	root := func(r *journalRow) *journalRow {
		var top *journalRow
		seen := map[*journalRow]bool{}
		for cur := r; cur != nil && !seen[cur]; cur = owner(cur) {
			seen[cur] = true
			if binTypes[cur.table] != "" {
				top = cur
			}
		}
		return top
	}
	var roots []*journalRow
	for _, r := range destroyed {
		if binTypes[r.table] != "" && root(r) == r {
			if id, ok := jsonInt(r.before["id"]); ok && tx.converted[r.table+"="+strconv.FormatInt(id, 10)] {
				continue
			}
			roots = append(roots, r)
		}
	}
	if len(roots) == 0 {
		return nil
	}
	payloads := map[*journalRow]*binPayload{}
	for _, r := range roots {
		payloads[r] = &binPayload{Rows: []binRow{{Table: r.table, Row: r.before}}}
	}
	for _, r := range destroyed {
		top := root(r)
		if top == r {
			continue
		}
		if top == nil {
			if len(roots) != 1 {
				continue
			}
			top = roots[0]
		}
		// A converted record's parts went with it into the new record.
		if p := payloads[top]; p != nil {
			p.Rows = append(p.Rows, binRow{Table: r.table, Row: r.before})
		}
	}
	// The references that the transaction cleared in rows that stay.
	linked := map[string]bool{}
	for _, ch := range updates {
		k := s.rowKey(ch.Table, ch.Old)
		if r := rows[k]; r == nil || r.created || r.destroyed {
			continue
		}
		t := s.tables[ch.Table]
		if t == nil {
			continue
		}
		for _, fk := range t.fks {
			if fk.typeCol != "" || fmt.Sprint(ch.Old[fk.col]) == fmt.Sprint(ch.New[fk.col]) || linked[k+"."+fk.col] {
				continue
			}
			target := refersTo(ch.Old, fk)
			if target == nil {
				continue
			}
			top := root(target)
			if payloads[top] == nil {
				continue
			}
			linked[k+"."+fk.col] = true
			key := map[string]any{}
			for _, col := range t.pk {
				key[col] = ch.Old[col]
			}
			p := payloads[top]
			p.Links = append(p.Links, binLink{Table: ch.Table, Key: key, Column: fk.col, Value: ch.Old[fk.col]})
		}
	}
	actor := roadmap.ActorFrom(ctx)
	if actor == 0 {
		for _, a := range audits {
			if a.UserID != 0 {
				actor = a.UserID
				break
			}
		}
	}
	for _, r := range roots {
		if err := tx.writeDeletion(ctx, s, r, payloads[r], actor, gone, goneKey); err != nil {
			return err
		}
	}
	return nil
}

// writeDeletion writes the recycle-bin entry of a deleted record.
func (tx *Tx) writeDeletion(ctx context.Context, s *binSchema, r *journalRow, p *binPayload, actor int64, gone map[string]*journalRow, goneKey func(string, string, int64) string) error {
	row := r.before
	recordID, _ := jsonInt(row["id"])
	typ := binTypes[r.table]
	if r.table == "releases" && jsonBool(row["master_release"]) {
		typ = roadmap.TaskableMasterRelease
	}
	ref, _ := row["reference_num"].(string)
	product, err := tx.productOfRow(ctx, s, r.table, row, gone, goneKey, 0)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.conn().exec(ctx, "INSERT INTO deletions (id, record_type, record_id, reference_num, name, product_id, deleted_by_id, deleted_at, status, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tx.db.ids.next(tx.now), typ, recordID, nullStr(ref), recordName(r.table, row), nullID(product), nullID(actor), ms(tx.now), roadmap.DeletionDeleted, string(raw))
	return err
}

// productOfRow returns the product a row belongs to: its own product_id, or
// that of the record it belongs to, followed through its foreign keys to
// records the recycle bin keeps (which may be destroyed in the same
// transaction, or still exist); 0 when none is found.
func (tx *Tx) productOfRow(ctx context.Context, s *binSchema, table string, row map[string]any, gone map[string]*journalRow, goneKey func(string, string, int64) string, depth int) (int64, error) {
	if row == nil || depth > 6 {
		return 0, nil
	}
	if p, ok := jsonInt(row["product_id"]); ok {
		return p, nil
	}
	if _, has := row["product_id"]; has {
		return 0, nil
	}
	t := s.tables[table]
	if t == nil {
		return 0, nil
	}
	for _, fk := range t.fks {
		target, v, ok := fk.target(row)
		if !ok {
			continue
		}
		if target == "products" {
			return v, nil
		}
		if binTypes[target] == "" {
			continue
		}
		var next map[string]any
		if g := gone[goneKey(target, fk.refCol, v)]; g != nil {
			next = g.before
		} else {
			var err error
			if next, err = tx.loadRow(ctx, s, target, fk.refCol, v); err != nil {
				return 0, err
			}
		}
		if next != nil {
			return tx.productOfRow(ctx, s, target, next, gone, goneKey, depth+1)
		}
	}
	return 0, nil
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// recordName is the name an entry shows: the record's name, or for a
// comment the start of its text.
func recordName(table string, row map[string]any) string {
	if n, ok := row["name"].(string); ok && n != "" {
		return n
	}
	body, _ := row["body"].(string)
	text := strings.Join(strings.Fields(html.UnescapeString(htmlTag.ReplaceAllString(body, " "))), " ")
	const most = 80
	if utf8.RuneCountInString(text) > most {
		text = string([]rune(text)[:most-1]) + "…"
	}
	if text == "" {
		if ref, ok := row["reference_num"].(string); ok {
			return ref
		}
		return typeOfTable(table)
	}
	return text
}

// jsonBool reads a boolean column of a decoded row: true or false on
// PostgreSQL, 1 or 0 on SQLite.
func jsonBool(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case json.Number:
		return b.String() != "0"
	}
	return false
}

const deletionCols = "d.id, d.status, d.record_type, d.record_id, COALESCE(d.reference_num, ''), d.name, COALESCE(d.product_id, 0), COALESCE(d.deleted_by_id, 0), d.deleted_at, u.name, u.email"

const deletionFrom = " FROM deletions d LEFT JOIN users u ON u.id = d.deleted_by_id"

func scanDeletion(sc interface{ Scan(...any) error }) (*roadmap.Deletion, error) {
	var d roadmap.Deletion
	var at int64
	var name, email *string
	if err := sc.Scan(&d.ID, &d.Status, &d.RecordType, &d.RecordID, &d.ReferenceNum, &d.Name, &d.ProductID, &d.DeletedByID, &at, &name, &email); err != nil {
		return nil, err
	}
	d.DeletedAt = fromMS(at)
	if d.DeletedByID != 0 && name != nil {
		d.DeletedBy = &roadmap.User{ID: d.DeletedByID, Name: *name}
		if email != nil {
			d.DeletedBy.Email = *email
		}
	}
	return &d, nil
}

// Deletions returns a page of the recycle bin's entries that can be
// restored, in ID order, and the number that match.
func (db *DB) Deletions(ctx context.Context, f roadmap.DeletionFilter) ([]*roadmap.Deletion, int, error) {
	c := db.reader()
	where := " WHERE d.status = ?"
	args := []any{roadmap.DeletionDeleted}
	if f.VisibleTo != 0 {
		where += " AND (d.product_id IN (" + visibleProducts + ") OR (d.product_id IS NULL AND d.deleted_by_id = ?))"
		args = append(args, f.VisibleTo, f.VisibleTo, f.VisibleTo)
	}
	page := strategyPage(f.Page)
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM deletions d"+where, args...).Scan(&total); err != nil {
		return nil, 0, db.wrap(err)
	}
	var out []*roadmap.Deletion
	if total > page.Offset() {
		rows, err := c.query(ctx, "SELECT "+deletionCols+deletionFrom+where+" ORDER BY d.id LIMIT ? OFFSET ?", append(args, page.PerPage, page.Offset())...)
		if err != nil {
			return nil, 0, db.wrap(err)
		}
		for rows.Next() {
			d, err := scanDeletion(rows)
			if err != nil {
				rows.Close()
				return nil, 0, db.wrap(err)
			}
			out = append(out, d)
		}
		if err := closeRows(rows); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	return out, total, nil
}

// Deletion returns a recycle-bin entry that can be restored.
func (db *DB) Deletion(ctx context.Context, id int64) (*roadmap.Deletion, error) {
	d, err := scanDeletion(db.reader().queryRow(ctx, "SELECT "+deletionCols+deletionFrom+" WHERE d.id = ? AND d.status = ?", id, roadmap.DeletionDeleted))
	if err != nil {
		return nil, db.wrap(scanErr(err, "deletion", strconv.FormatInt(id, 10)))
	}
	return d, nil
}

// PurgeDeletions removes for good the entries deleted longer than retention
// before now.
func (db *DB) PurgeDeletions(ctx context.Context, retention time.Duration) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.conn().exec(ctx, "DELETE FROM deletions WHERE deleted_at < ?", ms(tx.now.Add(-retention)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// RestoreDeletion puts a deleted record back, with the same ID and
// reference number, its parts and its links to records that still exist,
// and recomputes what depends on it; the entry is marked restored. Parts
// and links whose records are gone are left out and listed in the answer;
// a record whose container is gone (a phase whose release was deleted
// after it) is not restored: the container must be restored first.
func (db *DB) RestoreDeletion(ctx context.Context, id, userID int64) (*roadmap.Deletion, error) {
	var out *roadmap.Deletion
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var raw string
		err := c.queryRow(ctx, "SELECT payload FROM deletions WHERE id = ? AND status = ?"+tx.db.dialect.forUpdate(), id, roadmap.DeletionDeleted).Scan(&raw)
		if err != nil {
			return scanErr(err, "deletion", strconv.FormatInt(id, 10))
		}
		d, err := scanDeletion(c.queryRow(ctx, "SELECT "+deletionCols+deletionFrom+" WHERE d.id = ?", id))
		if err != nil {
			return err
		}
		var p binPayload
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("deletion %d: %w", id, err)
		}
		s, err := tx.schemaOf(ctx)
		if err != nil {
			return err
		}
		losses, touched, err := tx.restoreRows(ctx, s, &p)
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE deletions SET status = ?, restored_by_id = ?, restored_at = ? WHERE id = ?", roadmap.DeletionRestored, nullID(userID), ms(tx.now), id); err != nil {
			return err
		}
		if err := tx.recomputeRestored(ctx, s, touched); err != nil {
			return err
		}
		d.Status = roadmap.DeletionRestored
		d.NotRestored = losses
		out = d
		return nil
	})
	return out, err
}

// restorer puts the rows of one entry back.
type restorer struct {
	tx     *Tx
	s      *binSchema
	exists map[string]bool
	// skipped are the rows of the entry left out, by table and ID.
	skipped map[string]bool
	losses  []roadmap.DeletionLoss
	touched []binRow
}

// present reports whether a row of table with col = v exists.
func (r *restorer) present(ctx context.Context, table, col string, v int64) (bool, error) {
	k := table + "." + col + "=" + strconv.FormatInt(v, 10)
	if r.exists[k] {
		return true, nil
	}
	if r.s.tables[table] == nil {
		return false, nil
	}
	var one int
	err := r.tx.conn().queryRow(ctx, "SELECT 1 FROM "+quoteIdent(table)+" WHERE "+quoteIdent(col)+" = ? LIMIT 1", v).Scan(&one)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.exists[k] = true
	return true, nil
}

func (r *restorer) lose(part, field, missingTable string, missingID int64) {
	l := roadmap.DeletionLoss{Part: part, Field: field, MissingID: missingID}
	if missingTable != "" {
		l.MissingType = typeOfTable(missingTable)
	}
	r.losses = append(r.losses, l)
}

// restoreRows inserts the rows of an entry, referred tables first, leaving
// out those whose required references are gone and clearing optional
// references that are gone, then sets back the references that the delete
// cleared in rows that stay. It returns what was left out and the rows it
// wrote.
func (tx *Tx) restoreRows(ctx context.Context, s *binSchema, p *binPayload) ([]roadmap.DeletionLoss, []binRow, error) {
	r := &restorer{tx: tx, s: s, exists: map[string]bool{}, skipped: map[string]bool{}}
	if len(p.Rows) == 0 {
		return nil, nil, nil
	}
	first := p.Rows[0]
	rest := slices.Clone(p.Rows[1:])
	slices.SortStableFunc(rest, func(a, b binRow) int { return s.rank[a.Table] - s.rank[b.Table] })
	for i, br := range append([]binRow{first}, rest...) {
		isRecord := i == 0
		t := s.tables[br.Table]
		if t == nil {
			if isRecord {
				return nil, nil, roadmap.Errorf(roadmap.EINVALID, "This kind of record can no longer be restored")
			}
			r.lose(br.Table, "", "", 0)
			continue
		}
		row := br.Row
		skip := false
		for _, fk := range t.fks {
			target, v, ok := fk.target(row)
			if !ok {
				continue
			}
			if target == br.Table && fk.col == fk.refCol {
				continue
			}
			if r.skipped[target+"="+strconv.FormatInt(v, 10)] {
				skip = true
				r.lose(br.Table, "", target, v)
				break
			}
			found, err := r.present(ctx, target, fk.refCol, v)
			if err != nil {
				return nil, nil, err
			}
			if found {
				continue
			}
			if !t.required(fk) {
				row[fk.col] = nil
				r.lose(br.Table, fk.col, target, v)
				continue
			}
			if isRecord {
				return nil, nil, roadmap.Errorf(roadmap.EINVALID, "The %s %d that this %s belongs to no longer exists: restore it first", typeOfTable(target), v, typeOfTable(br.Table))
			}
			skip = true
			r.lose(br.Table, "", target, v)
			break
		}
		if !skip {
			err := tx.savepoint(ctx, func() error { return tx.insertRow(ctx, s, br.Table, row) })
			if errors.Is(err, errSavepointRolledBack) {
				if isRecord {
					return nil, nil, roadmap.Errorf(roadmap.EINVALID, "This %s cannot be restored: it conflicts with the records that exist now", typeOfTable(br.Table))
				}
				skip, err = true, nil
				r.lose(br.Table, "", "", 0)
			}
			if err != nil {
				return nil, nil, err
			}
		}
		if skip {
			if v, ok := jsonInt(row["id"]); ok {
				r.skipped[br.Table+"="+strconv.FormatInt(v, 10)] = true
			}
			continue
		}
		r.touched = append(r.touched, br)
	}
	for _, l := range p.Links {
		if err := r.relink(ctx, l); err != nil {
			return nil, nil, err
		}
	}
	return r.losses, r.touched, nil
}

// relink sets back a reference that the delete cleared in a row that
// stays, unless the row has gone or refers elsewhere meanwhile.
func (r *restorer) relink(ctx context.Context, l binLink) error {
	t := r.s.tables[l.Table]
	if t == nil || !slices.Contains(t.cols, l.Column) || len(t.pk) == 0 {
		return nil
	}
	var fk binFK
	for _, f := range t.fks {
		if f.col == l.Column {
			fk = f
		}
	}
	if fk.col == "" {
		return nil
	}
	v, ok := jsonInt(l.Value)
	if !ok {
		return nil
	}
	if found, err := r.present(ctx, fk.refTable, fk.refCol, v); err != nil || !found {
		return err
	}
	var conds []string
	var args []any
	for _, col := range t.pk {
		conds = append(conds, quoteIdent(col)+" = ?")
		args = append(args, keyArg(l.Key[col]))
	}
	set := quoteIdent(l.Column) + " = ?"
	setArgs := []any{v}
	if slices.Contains(t.cols, "updated_at") {
		set += ", updated_at = ?"
		setArgs = append(setArgs, ms(r.tx.now))
	}
	c := r.tx.conn()
	var current *int64
	err := c.queryRow(ctx, "SELECT "+quoteIdent(l.Column)+" FROM "+quoteIdent(l.Table)+" WHERE "+strings.Join(conds, " AND "), args...).Scan(&current)
	if isNoRows(err) {
		id, _ := jsonInt(l.Key["id"])
		r.lose(l.Table, l.Column, l.Table, id)
		return nil
	}
	if err != nil || current != nil {
		return err
	}
	err = r.tx.savepoint(ctx, func() error {
		_, err := c.exec(ctx, "UPDATE "+quoteIdent(l.Table)+" SET "+set+" WHERE "+strings.Join(conds, " AND ")+" AND "+quoteIdent(l.Column)+" IS NULL", append(setArgs, args...)...)
		return err
	})
	if errors.Is(err, errSavepointRolledBack) {
		id, _ := jsonInt(l.Key["id"])
		r.lose(l.Table, l.Column, "", id)
		return nil
	}
	if err != nil {
		return err
	}
	row := map[string]any{}
	for k, v := range l.Key {
		row[k] = v
	}
	row[l.Column] = l.Value
	r.touched = append(r.touched, binRow{Table: l.Table, Row: row})
	return nil
}

// keyArg turns a decoded key value into a query argument.
func keyArg(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
		return n.String()
	}
	return v
}

// errSavepointRolledBack reports that the work of a savepoint failed and
// was undone, leaving the transaction as it was before it.
var errSavepointRolledBack = errors.New("savepoint rolled back")

// savepoint runs fn inside a savepoint; when fn fails on a constraint of
// the database, its work is undone and errSavepointRolledBack is returned,
// so that the transaction goes on. Any other error ends the transaction.
func (tx *Tx) savepoint(ctx context.Context, fn func() error) error {
	c := tx.conn()
	if _, err := c.exec(ctx, "SAVEPOINT restore_row"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if !isConstraint(err) {
			return err
		}
		if _, rerr := c.exec(ctx, "ROLLBACK TO SAVEPOINT restore_row"); rerr != nil {
			return err
		}
		if _, rerr := c.exec(ctx, "RELEASE SAVEPOINT restore_row"); rerr != nil {
			return rerr
		}
		return errSavepointRolledBack
	}
	_, err := c.exec(ctx, "RELEASE SAVEPOINT restore_row")
	return err
}

// isConstraint reports whether err is a violated constraint of the
// database (a key, a foreign key, a check), on either engine.
func isConstraint(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "23")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
	}
	return false
}

// recomputeRestored brings up to date what the restored rows feed: the
// progress and dates of the features, requirements' features, epics,
// phases and releases they are or belong to (and the roll-ups above them),
// and what the to-dos attached again compute.
func (tx *Tx) recomputeRestored(ctx context.Context, s *binSchema, touched []binRow) error {
	ids := map[string][]int64{}
	var todos []roadmap.TaskRecord
	for _, br := range touched {
		if id, ok := jsonInt(br.Row["id"]); ok {
			ids[br.Table] = append(ids[br.Table], id)
		}
		if t := s.tables[br.Table]; t != nil {
			for _, fk := range t.fks {
				if target, v, ok := fk.target(br.Row); ok {
					ids[target] = append(ids[target], v)
				}
			}
		}
		if br.Table == "task_records" {
			if v, ok := jsonInt(br.Row["record_id"]); ok {
				typ, _ := br.Row["record_type"].(string)
				todos = append(todos, roadmap.TaskRecord{Type: typ, ID: v})
			}
		}
	}
	w, err := tx.recomputeFeatures(ctx, ids["features"])
	if err != nil {
		return err
	}
	w.merge(featureWork{epics: ids["epics"], releases: ids["releases"], phases: ids["release_phases"]})
	if err := tx.recomputeTodoWork(ctx, todos); err != nil {
		return err
	}
	return tx.recomputeFeatureWork(ctx, w)
}
