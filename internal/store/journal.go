package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	schema "github.com/roadmapd/roadmapd/internal/store/migrations"
)

// change is one row that a transaction inserted, updated or deleted, as the
// database's triggers recorded it in the change journal.
type change struct {
	// Seq orders the changes of one transaction.
	Seq int64
	// Table is the table of the row.
	Table string
	// Op is roadmap.AuditCreate, AuditUpdate or AuditDestroy.
	Op string
	// Old and New are the row's columns before and after the change, as
	// decoded JSON (numbers as json.Number); Old is nil for a create, New
	// for a destroy.
	Old, New map[string]any
}

// row returns the row as the change left it, or as it was for a destroy.
func (c *change) row() map[string]any {
	if c.New != nil {
		return c.New
	}
	return c.Old
}

// noteGroups are the column prefixes of the notes a record embeds: a note
// is stored as <prefix>_id, <prefix>_body and its times, and its history
// is that of a record of its own.
var noteGroups = []string{"description", "theme", "metric_description"}

// computed are columns that the server derives from other records; a change
// of these alone is recorded but not interesting.
var computed = map[string]bool{"progress": true}

// tableInfo is what history needs to know of a table.
type tableInfo struct {
	name   string
	cols   []string
	bools  map[string]bool
	has    map[string]bool
	fks    []foreignKey
	refCol string
	// fieldCols are the columns whose changes are changes of the record's
	// fields: all but its ID, noise and the columns of its notes.
	fieldCols []string
}

// fieldColumns lists the columns of t whose changes are changes of the
// record's fields (see tableInfo.fieldCols).
func (t *tableInfo) fieldColumns() []string {
	inNote := func(col string) bool {
		for _, g := range noteGroups {
			if strings.HasPrefix(col, g+"_") && t.has[g+"_body"] && (col == g+"_id" || col == g+"_body" || col == g+"_created_at" || col == g+"_updated_at") {
				return true
			}
		}
		return false
	}
	var out []string
	for _, col := range t.cols {
		if !schema.Noise(col) && !inNote(col) && col != "id" {
			out = append(out, col)
		}
	}
	return out
}

// foreignKey is a column that references another table's id; for a
// polymorphic reference, typeCol names the column that says which table
// (and table is empty).
type foreignKey struct{ col, table, typeCol string }

// schemaInfo describes the journaled tables.
type schemaInfo map[string]*tableInfo

// loadSchema describes the journaled tables from the database's own
// schema (the one the recycle bin reads too).
func (db *DB) loadSchema(ctx context.Context) (schemaInfo, error) {
	bin, err := readSchema(ctx, conn{qr: db.write, d: db.dialect, n: &db.queries, tr: &db.trace}, db.dialect.name())
	if err != nil {
		return nil, err
	}
	db.binSchema.Store(bin)
	s := schemaInfo{}
	for name, bt := range bin.tables {
		if !schema.Journaled(name) {
			continue
		}
		t := &tableInfo{name: name, cols: bt.cols, bools: bt.bools, has: map[string]bool{}}
		for _, col := range bt.cols {
			t.has[col] = true
		}
		for _, fk := range bt.fks {
			t.fks = append(t.fks, foreignKey{col: fk.col, table: fk.refTable, typeCol: fk.typeCol})
		}
		switch {
		case t.has["reference_num"]:
			t.refCol = "reference_num"
		case t.has["reference_prefix"]:
			t.refCol = "reference_prefix"
		}
		t.fieldCols = t.fieldColumns()
		s[name] = t
	}
	return s, nil
}

// ensureJournal readies the change journal for every journaled table (on
// PostgreSQL its triggers, on SQLite the columns that the writer
// connection's pre-update hook reads) and loads the schema that history
// reads.
func (db *DB) ensureJournal(ctx context.Context) error {
	s, err := db.loadSchema(ctx)
	if err != nil {
		return err
	}
	if db.dialect.name() == "postgres" {
		cols := make(map[string][]string, len(s))
		for name, t := range s {
			cols[name] = t.cols
		}
		if err := schema.EnsurePostgresJournal(ctx, db.write, cols); err != nil {
			return err
		}
	}
	db.schema = s
	db.linkTypes = linkTypesOf(s)
	if db.lite != nil {
		db.lite.use(s)
	}
	return nil
}

// linkTypesOf lists, comma-separated and sorted, the auditable types of
// the tables of s that have no id of their own: links, whose audits are
// known by the record they link to.
func linkTypesOf(s schemaInfo) string {
	var types []string
	for name, t := range s {
		if !t.has["id"] {
			types = append(types, auditType(name))
		}
	}
	slices.Sort(types)
	return strings.Join(types, ",")
}

// recordHistory turns the rows the transaction changed into audits and
// puts destroyed records in the recycle bin, in the transaction itself, so
// that history exists if and only if the change committed. The delivery
// worker queues their webhook deliveries from the committed audits
// (fanOut).
func (tx *Tx) recordHistory(ctx context.Context) error {
	changes, err := tx.drainJournal(ctx)
	if err != nil || len(changes) == 0 {
		return err
	}
	if roadmap.HistoryOff(ctx) {
		return nil
	}
	audits, err := tx.makeAudits(ctx, changes)
	if err != nil {
		return err
	}
	destroyed := slices.ContainsFunc(changes, func(ch change) bool { return ch.Op == roadmap.AuditDestroy })
	if tx.db.dialect.name() == "postgres" && !destroyed && len(audits) > 0 && len(audits) <= auditBatch {
		// The audits of a write that destroyed nothing (whose IDs the
		// recycle bin does not need) go with the COMMIT, saving a round
		// trip; they get no IDs here.
		q, args, err := tx.auditInsert(audits)
		if err != nil {
			return err
		}
		c := tx.conn()
		c.count(q, args)
		tx.final = &finalStmt{query: c.d.rebind(q), args: args}
	} else if err := tx.insertAudits(ctx, audits); err != nil {
		return err
	}
	return tx.recordDeletions(ctx, changes, audits)
}

// drainJournal reads and empties the transaction's change journal: on
// SQLite the changes the writer connection reported (liteJournal), on
// PostgreSQL the rows of change_journal that the transaction's triggers
// wrote.
func (tx *Tx) drainJournal(ctx context.Context) ([]change, error) {
	if tx.db.dialect.name() == "sqlite" {
		if tx.db.lite == nil {
			return nil, nil
		}
		return tx.db.lite.take()
	}
	rows, err := tx.conn().query(ctx, "DELETE FROM change_journal WHERE tx = txid_current() RETURNING seq, tbl, op, old_row, new_row")
	if err != nil {
		return nil, err
	}
	var out []change
	for rows.Next() {
		var c change
		var oldRow, newRow []byte
		if err := rows.Scan(&c.Seq, &c.Table, &c.Op, &oldRow, &newRow); err != nil {
			rows.Close()
			return nil, err
		}
		if c.Old, err = decodeRow(oldRow); err == nil {
			c.New, err = decodeRow(newRow)
		}
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// auditType is the auditable type of a table's records: its singular name.
func auditType(table string) string {
	switch {
	case strings.HasSuffix(table, "ies"):
		return strings.TrimSuffix(table, "ies") + "y"
	case strings.HasSuffix(table, "uses"):
		return strings.TrimSuffix(table, "es")
	}
	return strings.TrimSuffix(table, "s")
}

// isForeignKey reports whether a column references another table.
func (t *tableInfo) isForeignKey(col string) bool {
	for _, fk := range t.fks {
		if fk.col == col {
			return true
		}
	}
	return false
}

// fieldName is the name a change gives a column: start_date is "Start
// date", workflow_status_id is "Workflow status".
func (t *tableInfo) fieldName(col string) string {
	if t.isForeignKey(col) {
		col = strings.TrimSuffix(col, "_id")
	}
	col = strings.ReplaceAll(col, "_", " ")
	if col == "" {
		return col
	}
	return strings.ToUpper(col[:1]) + col[1:]
}

// text renders a column's JSON value as the text a change shows.
func (t *tableInfo) text(col string, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		if t.bools[col] {
			return strconv.FormatBool(v.String() != "0")
		}
		return v.String()
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func int64Of(v any) int64 {
	switch v := v.(type) {
	case json.Number:
		n, _ := v.Int64()
		return n
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// recordInfo is what an audit says of a primary record.
type recordInfo struct {
	table, ref, name string
	id, productID    int64
	found            bool
}

// auditor builds the audits of one transaction.
type auditor struct {
	tx      *Tx
	schema  schemaInfo
	changes []change
	records map[string]*recordInfo
	meta    map[*roadmap.Audit]auditMeta
	// ops holds the records the transaction created or destroyed, by
	// table and ID (see opOf).
	ops map[string]string
	// lastAt holds the index in changes of each record's last change, by
	// table and ID (see last).
	lastAt map[tableID]int
}

// tableID names a record: its table and ID.
type tableID struct {
	table string
	id    int64
}

// last returns the last change the transaction made to a record, or nil.
func (a *auditor) last(table string, id int64) *change {
	if a.lastAt == nil {
		a.lastAt = make(map[tableID]int, len(a.changes))
		for i := range a.changes {
			c := &a.changes[i]
			if v, ok := c.row()["id"]; ok {
				a.lastAt[tableID{c.Table, int64Of(v)}] = i
			}
		}
	}
	if i, ok := a.lastAt[tableID{table, id}]; ok {
		return &a.changes[i]
	}
	return nil
}

// auditMeta is what the auditor keeps of an audit while it builds it: the
// table of the row, and for a link, the column of the record it links to.
type auditMeta struct{ table, linkCol string }

// info returns the reference, name and product of a record, as the
// transaction left it (or as it was, when it destroyed it).
func (a *auditor) info(ctx context.Context, table string, id int64) (*recordInfo, error) {
	key := table + ":" + strconv.FormatInt(id, 10)
	if r, ok := a.records[key]; ok {
		return r, nil
	}
	r := &recordInfo{table: table, id: id}
	a.records[key] = r
	t := a.schema[table]
	if t == nil || id == 0 {
		return r, nil
	}
	var row map[string]any
	if c := a.last(table, id); c != nil {
		row = c.row()
	}
	if row == nil {
		cols := []string{"id"}
		for _, col := range []string{t.refCol, "name", "product_id"} {
			if col != "" && t.has[col] {
				cols = append(cols, col)
			}
		}
		vals := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		err := a.tx.conn().queryRow(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+" WHERE id = ?", id).Scan(dest...)
		if isNoRows(err) {
			return r, nil
		}
		if err != nil {
			return nil, err
		}
		row = map[string]any{}
		for i, col := range cols {
			if vals[i].Valid {
				row[col] = vals[i].String
			}
		}
	}
	r.found = true
	if t.refCol != "" {
		r.ref = t.text(t.refCol, row[t.refCol])
	}
	r.name = t.text("name", row["name"])
	if table == "products" {
		r.productID = id
	} else if t.has["product_id"] {
		r.productID = int64Of(row["product_id"])
	} else if pt, pid := a.parent(t, row); pt != "" {
		p, err := a.info(ctx, pt, pid)
		if err != nil {
			return nil, err
		}
		r.productID = p.productID
	}
	return r, nil
}

// primaryTables are the tables of records that have a history of their
// own without a reference number.
var primaryTables = map[string]bool{"tasks": true, "release_phases": true, "products": true, "users": true, "workflows": true, "custom_field_definitions": true, "integrations": true, "time_frames": true}

// isPrimary reports whether a table's records are primary records: records
// with a reference, or of primaryTables. Others (links, fields, watchers,
// comments) belong to the record they are associated with.
func (t *tableInfo) isPrimary() bool {
	return t.refCol != "" || primaryTables[t.name]
}

// primaryType reports whether audits of the type are of primary records.
func (db *DB) primaryType(typ string) bool {
	for _, t := range db.schema {
		if auditType(t.name) == typ {
			return t.isPrimary()
		}
	}
	return false
}

// secondaryTypes are the auditable types of records that belong to a
// primary record, notes included.
func (db *DB) secondaryTypes() []any {
	out := []any{"note"}
	for _, t := range db.schema {
		if !t.isPrimary() {
			out = append(out, auditType(t.name))
		}
	}
	return out
}

// quiet reports whether a table's rows are journaled (so that the recycle
// bin can put them back) but not audited: the times records spent in each
// status, which follow from the audited status changes.
func quiet(table string) bool { return strings.HasSuffix(table, "_status_times") }

// hasParent reports whether a table's records may belong to a record of
// parentPreference (a key result to its goal), whose product is theirs.
func (a *auditor) hasParent(t *tableInfo) bool {
	for _, fk := range t.fks {
		if fk.typeCol != "" || (fk.table != t.name && slices.Contains(parentPreference, fk.table)) {
			return true
		}
	}
	return false
}

// opOf returns whether the transaction created or destroyed a record, or
// else AuditUpdate.
func (a *auditor) opOf(table string, id int64) string {
	if a.ops == nil {
		a.ops = map[string]string{}
		for i := range a.changes {
			if c := &a.changes[i]; c.Op != roadmap.AuditUpdate {
				a.ops[c.Table+":"+strconv.FormatInt(int64Of(c.row()["id"]), 10)] = c.Op
			}
		}
	}
	if op, ok := a.ops[table+":"+strconv.FormatInt(id, 10)]; ok {
		return op
	}
	return roadmap.AuditUpdate
}

// parentPreference orders the tables a record may belong to, most specific
// first.
var parentPreference = []string{"requirements", "features", "releases", "epics", "key_results", "release_phases", "goals", "initiatives", "tasks", "comments", "custom_field_definitions", "products", "users"}

// parent returns the record a row belongs to: a polymorphic record_type and
// record_id pair, else the first of its foreign keys (other than to its own
// table, to workflows or to users, unless there is no other) that is set,
// in parentPreference order.
func (a *auditor) parent(t *tableInfo, row map[string]any) (string, int64) {
	for _, fk := range t.fks {
		if fk.typeCol == "" {
			continue
		}
		table := polymorphicTables[t.text(fk.typeCol, row[fk.typeCol])]
		if id := int64Of(row[fk.col]); id != 0 && a.schema[table] != nil {
			return table, id
		}
	}
	for _, want := range parentPreference {
		for _, fk := range t.fks {
			if fk.table == want && fk.table != t.name {
				if id := int64Of(row[fk.col]); id != 0 {
					return fk.table, id
				}
			}
		}
	}
	return "", 0
}

// makeAudits makes the audits of the changes, for recordHistory to write.
// An audit is made per changed record, and one per embedded note whose body
// changed; an update that changed only bookkeeping columns leaves none.
func (tx *Tx) makeAudits(ctx context.Context, changes []change) ([]*roadmap.Audit, error) {
	changes = coalesce(changes)
	a := &auditor{tx: tx, schema: tx.db.schema, changes: changes, records: map[string]*recordInfo{}, meta: map[*roadmap.Audit]auditMeta{}}
	actor := roadmap.ActorFrom(ctx)
	var audits []*roadmap.Audit
	for i := range changes {
		c := &changes[i]
		t := a.schema[c.Table]
		if t == nil || quiet(c.Table) {
			continue
		}
		row := c.row()
		fields, notes := t.diff(c)
		if c.Op == roadmap.AuditUpdate && len(fields) == 0 && len(notes) == 0 {
			continue
		}
		id := int64Of(row["id"])
		pt, pid := a.parent(t, row)
		linkCol := ""
		if !t.has["id"] {
			// A link is known by the record it links to.
			for _, fk := range t.fks {
				if fk.table != pt {
					id, linkCol = int64Of(row[fk.col]), fk.col
					break
				}
			}
		}
		// The primary record is the record itself when it has a
		// reference, else the record it belongs to.
		primary := &recordInfo{}
		var err error
		if t.isPrimary() || pt == "" {
			if primary, err = a.info(ctx, c.Table, id); err != nil {
				return nil, err
			}
		} else if primary, err = a.info(ctx, pt, pid); err != nil {
			return nil, err
		}
		verb := map[string]string{roadmap.AuditCreate: "created", roadmap.AuditUpdate: "updated", roadmap.AuditDestroy: "deleted"}[c.Op]
		if primary.table != c.Table {
			// A part's change is a change of its record, unless the
			// record itself came or went in the same write.
			verb = "updated"
			if op := a.opOf(primary.table, primary.id); op != roadmap.AuditUpdate {
				verb = map[string]string{roadmap.AuditCreate: "created", roadmap.AuditDestroy: "deleted"}[op]
			}
		}
		desc := strings.Join(slices.DeleteFunc([]string{verb, auditType(primary.table), primary.ref, primary.name}, func(s string) bool { return s == "" }), " ")
		urlPath := ""
		if primary.table != "" {
			key := primary.ref
			if key == "" {
				key = strconv.FormatInt(primary.id, 10)
			}
			urlPath = "/" + primary.table + "/" + key
		}
		base := roadmap.Audit{
			UserID: actor, CreatedAt: tx.now, ProductID: primary.productID,
			Description: desc, URLPath: urlPath,
		}
		for _, n := range notes {
			au := base
			// A note comes and goes with its record.
			au.Action, au.AuditableType, au.AuditableID = c.Op, "note", n.id
			au.AssociatedType, au.AssociatedID = auditType(c.Table), int64Of(row["id"])
			au.Changes = []roadmap.AuditChange{n.change}
			au.Interesting = true
			audits = append(audits, &au)
			a.meta[&au] = auditMeta{table: c.Table}
		}
		if len(fields) > 0 || c.Op != roadmap.AuditUpdate {
			au := base
			au.Action, au.AuditableType, au.AuditableID = c.Op, auditType(c.Table), id
			if pt != "" {
				au.AssociatedType, au.AssociatedID = auditType(pt), pid
			}
			au.Changes = fields
			au.Interesting = slices.ContainsFunc(fields, func(f roadmap.AuditChange) bool { return !f.Computed })
			audits = append(audits, &au)
			a.meta[&au] = auditMeta{table: c.Table, linkCol: linkCol}
		}
	}
	if len(audits) == 0 {
		return nil, nil
	}
	if err := a.resolveReferences(ctx, audits); err != nil {
		return nil, err
	}
	return audits, nil
}

// coalesce merges the changes that one transaction made to a row: updates
// after its create or its first update become part of that change, from the
// row's first state to its last, so that a record written in several
// statements (such as a record inserted, then updated, by one write)
// has one audit, not one per statement.
func coalesce(changes []change) []change {
	out := make([]change, 0, len(changes))
	at := map[string]int{}
	for _, c := range changes {
		id, ok := c.row()["id"]
		if !ok {
			out = append(out, c)
			continue
		}
		key := c.Table + ":" + fmt.Sprint(id)
		if i, seen := at[key]; seen && c.Op == roadmap.AuditUpdate && out[i].Op != roadmap.AuditDestroy {
			out[i].New = c.New
			continue
		}
		at[key] = len(out)
		out = append(out, c)
	}
	return out
}

// ref is what a change shows of a record it names: its label and product.
type ref struct {
	label   string
	product int64
	// read is whether the record was read from its table.
	read bool
}

// resolveReferences shows the fields that reference other records by the
// records' names, and notes the products of those records, so that a reader
// who may not see them is not shown them; a link is seen only by who may
// see the record it links to. A record the transaction wrote is known by
// its last row in the journal; the others are read in one statement (a
// branch per table).
func (a *auditor) resolveReferences(ctx context.Context, audits []*roadmap.Audit) error {
	refTable := func(au *roadmap.Audit, col string) string {
		t := a.schema[a.meta[au].table]
		if t == nil {
			return ""
		}
		for _, fk := range t.fks {
			if fk.col == col {
				return fk.table
			}
		}
		return ""
	}
	found := map[tableID]ref{}
	// read lists the records to read, by table; a record is listed once.
	read := map[string][]int64{}
	var derived []tableID
	want := func(table string, id int64) {
		k := tableID{table, id}
		if _, ok := found[k]; ok {
			return
		}
		t := a.schema[table]
		label := t.label()
		if label == "" && !t.has["product_id"] {
			// Nothing to show of such a record.
			return
		}
		c := a.last(table, id)
		if c == nil || c.Op == roadmap.AuditDestroy {
			// Records the transaction deleted are known by their last rows
			// when they are not found.
			found[k] = ref{}
			read[table] = append(read[table], id)
			return
		}
		row := c.New
		r := ref{label: t.text(label, row[label]), product: int64Of(row["product_id"])}
		if table == "products" {
			r.product = id
		}
		found[k] = r
		if !t.has["product_id"] && table != "products" && a.hasParent(t) {
			derived = append(derived, k)
		}
	}
	for _, au := range audits {
		for _, ch := range au.Changes {
			rt := refTable(au, ch.Column)
			if rt == "" || a.schema[rt] == nil {
				continue
			}
			for _, v := range []string{ch.Old, ch.New} {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil && id != 0 {
					want(rt, id)
				}
			}
		}
	}
	if err := a.readRefs(ctx, read, found); err != nil {
		return err
	}
	for k, ids := range read {
		t := a.schema[k]
		for _, id := range ids {
			key := tableID{k, id}
			r, ok := found[key]
			if !ok {
				continue
			}
			if r.read {
				if !t.has["product_id"] && k != "products" && a.hasParent(t) {
					derived = append(derived, key)
				}
				continue
			}
			delete(found, key)
			if c := a.firstDestroy(k, id); c != nil {
				found[key] = ref{label: t.text("name", c.Old["name"]), product: int64Of(c.Old["product_id"])}
			}
		}
	}
	for _, k := range derived {
		// A record of no product of its own (a key result, a phase) is of
		// its parent's.
		info, err := a.info(ctx, k.table, k.id)
		if err != nil {
			return err
		}
		r := found[k]
		r.product = info.productID
		found[k] = r
	}
	for _, au := range audits {
		for i := range au.Changes {
			ch := &au.Changes[i]
			rt := refTable(au, ch.Column)
			if rt == "" {
				continue
			}
			for _, v := range []*string{&ch.Old, &ch.New} {
				id, err := strconv.ParseInt(*v, 10, 64)
				if err != nil || id == 0 {
					continue
				}
				r, ok := found[tableID{rt, id}]
				if !ok {
					continue
				}
				if r.label != "" {
					*v = r.label
				}
				if r.product != 0 && r.product != au.ProductID {
					ch.Products = append(ch.Products, r.product)
				}
			}
			if a.meta[au].linkCol == ch.Column && len(ch.Products) > 0 {
				au.AuditableProductID = ch.Products[len(ch.Products)-1]
			}
		}
	}
	return nil
}

// firstDestroy returns the first change of the transaction that destroyed
// a record, or nil.
func (a *auditor) firstDestroy(table string, id int64) *change {
	for i := range a.changes {
		if c := &a.changes[i]; c.Op == roadmap.AuditDestroy && c.Table == table && int64Of(c.Old["id"]) == id {
			return c
		}
	}
	return nil
}

// label is the column that names a table's records in a change that
// references one: its name, else its reference; "" when it has neither.
func (t *tableInfo) label() string {
	for _, c := range []string{"name", t.refCol} {
		if c != "" && t.has[c] {
			return c
		}
	}
	return ""
}

// readRefs reads the label and product of the records listed in read, by
// table, into found, marked read; records not found are left as they are.
// The records are read in one statement, a branch per table, auditBatch
// records at most to a statement.
func (a *auditor) readRefs(ctx context.Context, read map[string][]int64, found map[tableID]ref) error {
	tables := make([]string, 0, len(read))
	for table := range read {
		tables = append(tables, table)
	}
	// One order of the branches, so that the statements of one kind of
	// write have one text.
	slices.Sort(tables)
	var q strings.Builder
	var args []any
	var branches []string
	flush := func() error {
		if len(branches) == 0 {
			return nil
		}
		q.Reset()
		for i, b := range branches {
			if i > 0 {
				q.WriteString(" UNION ALL ")
			}
			q.WriteString(b)
		}
		rows, err := a.tx.conn().query(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer func() { branches, args = branches[:0], args[:0] }()
		for rows.Next() {
			var k, id int64
			var label sql.NullString
			var product sql.NullInt64
			if err := rows.Scan(&k, &id, &label, &product); err != nil {
				rows.Close()
				return err
			}
			table := tables[k]
			r := ref{label: label.String, product: product.Int64, read: true}
			if table == "products" {
				r.product = id
			}
			found[tableID{table, id}] = r
		}
		return closeRows(rows)
	}
	n := 0
	for i, table := range tables {
		t := a.schema[table]
		label, product := "CAST(NULL AS TEXT)", "CAST(NULL AS BIGINT)"
		if l := t.label(); l != "" {
			label = l
		}
		if t.has["product_id"] {
			product = "product_id"
		}
		ids := read[table]
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), auditBatch-n)]
			ids = ids[len(chunk):]
			branches = append(branches, "SELECT "+strconv.Itoa(i)+", id, "+label+", "+product+" FROM "+table+" WHERE id IN ("+placeholders(len(chunk))+")")
			for _, id := range chunk {
				args = append(args, id)
			}
			if n += len(chunk); n == auditBatch {
				if err := flush(); err != nil {
					return err
				}
				n = 0
			}
		}
	}
	return flush()
}

// noteChange is the change of an embedded note.
type noteChange struct {
	id     int64
	change roadmap.AuditChange
}

// diff returns the changes of a row's fields and of its embedded notes.
// A create lists the fields it set, a destroy the fields the record had.
func (t *tableInfo) diff(c *change) ([]roadmap.AuditChange, []noteChange) {
	var fields []roadmap.AuditChange
	var notes []noteChange
	for _, col := range t.fieldCols {
		oldV, newV := t.text(col, c.Old[col]), t.text(col, c.New[col])
		if oldV == newV {
			continue
		}
		fields = append(fields, roadmap.AuditChange{FieldName: t.fieldName(col), Old: oldV, New: newV, Computed: computed[col], Column: col})
	}
	for _, g := range noteGroups {
		body := g + "_body"
		if !t.has[body] {
			continue
		}
		oldV, newV := t.text(body, c.Old[body]), t.text(body, c.New[body])
		if oldV == newV {
			continue
		}
		id := int64Of(c.row()[g+"_id"])
		notes = append(notes, noteChange{id: id, change: roadmap.AuditChange{FieldName: t.fieldName(g), Old: oldV, New: newV, HTML: true}})
	}
	return fields, notes
}

// storedChange is an audit change as the audits table keeps it.
type storedChange struct {
	Field    string  `json:"f"`
	Old      string  `json:"o,omitempty"`
	New      string  `json:"n,omitempty"`
	HTML     bool    `json:"h,omitempty"`
	Computed bool    `json:"c,omitempty"`
	Products []int64 `json:"p,omitempty"`
}

// auditBatch is the most audits one INSERT writes: SQLite takes at most
// 32,766 values in a statement.
const auditBatch = 500

// insertAudits writes audits, auditBatch to a statement, and gives them
// their IDs.
func (tx *Tx) insertAudits(ctx context.Context, audits []*roadmap.Audit) error {
	if len(audits) == 0 {
		return nil
	}
	for len(audits) > auditBatch {
		if err := tx.insertAuditBatch(ctx, audits[:auditBatch]); err != nil {
			return err
		}
		audits = audits[auditBatch:]
	}
	return tx.insertAuditBatch(ctx, audits)
}

// insertAuditBatch writes audits in one statement and gives them their IDs.
func (tx *Tx) insertAuditBatch(ctx context.Context, audits []*roadmap.Audit) error {
	q, args, err := tx.auditInsert(audits)
	if err != nil {
		return err
	}
	rows, err := tx.conn().query(ctx, q, args...)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if len(ids) != len(audits) {
		return fmt.Errorf("audits: %d IDs for %d rows", len(ids), len(audits))
	}
	// Both engines number the rows of one INSERT in the order given.
	slices.Sort(ids)
	for i, au := range audits {
		au.ID = ids[i]
	}
	return nil
}

// auditInsert is the statement that inserts audits and returns their IDs,
// with its arguments.
func (tx *Tx) auditInsert(audits []*roadmap.Audit) (string, []any, error) {
	var q strings.Builder
	if tx.db.dialect.name() == "sqlite" {
		// OR FAIL: a statement that cannot abort halfway opens no
		// statement journal of its own, so that SQLite does not save the
		// pages it writes a second time, nor make full-text indexes flush
		// their pending rows early (at the statement's savepoint instead
		// of at the commit). A failure still fails the write: the store
		// rolls back its transaction, or its group commit member.
		q.WriteString("INSERT OR FAIL INTO audits (action,")
	} else {
		q.WriteString("INSERT INTO audits (action,")
	}
	q.WriteString(" user_id, created_at, auditable_type, auditable_id, associated_type, associated_id, product_id, auditable_product_id, description, url_path, interesting, changes) VALUES ")
	args := make([]any, 0, 13*len(audits))
	for i, au := range audits {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		sc := make([]storedChange, len(au.Changes))
		for j, ch := range au.Changes {
			sc[j] = storedChange{ch.FieldName, ch.Old, ch.New, ch.HTML, ch.Computed, ch.Products}
		}
		b, err := json.Marshal(sc)
		if err != nil {
			return "", nil, err
		}
		args = append(args, au.Action, au.UserID, ms(au.CreatedAt), au.AuditableType, au.AuditableID, au.AssociatedType, au.AssociatedID, au.ProductID, au.AuditableProductID, au.Description, au.URLPath, au.Interesting, string(b))
	}
	q.WriteString(" RETURNING id")
	return q.String(), args, nil
}

const auditCols = "a.id, a.action, a.user_id, a.created_at, a.auditable_type, a.auditable_id, a.associated_type, a.associated_id, a.product_id, a.auditable_product_id, a.description, a.url_path, a.interesting, a.changes"

func scanAudit(sc interface{ Scan(...any) error }) (*roadmap.Audit, error) {
	var au roadmap.Audit
	var created int64
	var changes string
	if err := sc.Scan(&au.ID, &au.Action, &au.UserID, &created, &au.AuditableType, &au.AuditableID, &au.AssociatedType, &au.AssociatedID, &au.ProductID, &au.AuditableProductID, &au.Description, &au.URLPath, &au.Interesting, &changes); err != nil {
		return nil, err
	}
	au.CreatedAt = fromMS(created)
	var sc2 []storedChange
	if err := json.Unmarshal([]byte(changes), &sc2); err != nil {
		return nil, err
	}
	au.Changes = make([]roadmap.AuditChange, len(sc2))
	for i, c := range sc2 {
		au.Changes[i] = roadmap.AuditChange{FieldName: c.Field, Old: c.Old, New: c.New, HTML: c.HTML, Computed: c.Computed, Products: c.Products}
	}
	return &au, nil
}

// Audits returns a page of audits, oldest first, and the number that
// match; with an AfterID cursor the number is not counted (-1), so that
// every page of a scan costs the same.
func (db *DB) Audits(ctx context.Context, f roadmap.AuditFilter) ([]*roadmap.Audit, int, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	switch typ := roadmap.AuditType(f.AuditableType); {
	case f.AuditableID != 0 && typ != "" && db.primaryType(typ):
		// A record's history holds that of its secondary records: its
		// notes, fields and links.
		secondary := db.secondaryTypes()
		add("((a.auditable_id = ? AND a.auditable_type = ?) OR (a.associated_id = ? AND a.associated_type = ? AND a.auditable_type IN ("+placeholders(len(secondary))+")))",
			append([]any{f.AuditableID, typ, f.AuditableID, typ}, secondary...)...)
	case f.AuditableID != 0:
		add("a.auditable_id = ?", f.AuditableID)
		if typ != "" {
			add("a.auditable_type = ?", typ)
		}
	case typ != "":
		add("a.auditable_type = ?", typ)
	}
	if f.AssociatedID != 0 {
		add("a.associated_id = ?", f.AssociatedID)
	}
	if f.AssociatedType != "" {
		add("a.associated_type = ?", roadmap.AuditType(f.AssociatedType))
	}
	if f.Action != "" {
		add("a.action = ?", f.Action)
	}
	if !f.CreatedSince.IsZero() {
		add("a.created_at >= ?", ms(f.CreatedSince))
	}
	if !f.CreatedBefore.IsZero() {
		add("a.created_at < ?", ms(f.CreatedBefore))
	}
	if f.AfterID != 0 {
		add("a.id > ?", f.AfterID)
	}
	if f.UserID != 0 {
		add("a.user_id = ?", f.UserID)
	}
	r := db.reader()
	// A reader who is not an administrator sees the audits of the products
	// they may see: each product's audits are read through its own index,
	// a page at most of each, so that a page costs the same however long
	// the log.
	var sees map[int64]bool
	parts := []string{"1 = 1"}
	var partArgs [][]any
	if f.VisibleTo != 0 {
		ids, err := db.VisibleProductIDs(ctx, f.VisibleTo)
		if err != nil {
			return nil, 0, err
		}
		if len(ids) == 0 {
			return nil, 0, nil
		}
		sees = map[int64]bool{}
		in := make([]any, len(ids))
		for i, id := range ids {
			sees[id] = true
			in[i] = id
		}
		add("(a.auditable_product_id = 0 OR a.auditable_product_id IN ("+placeholders(len(in))+"))", in...)
		if len(ids) <= 64 {
			parts, partArgs = nil, nil
			for _, id := range ids {
				parts = append(parts, "a.product_id = ?")
				partArgs = append(partArgs, []any{id})
			}
		} else {
			parts, partArgs = []string{"a.product_id IN (" + placeholders(len(in)) + ")"}, [][]any{in}
		}
	}
	if partArgs == nil {
		partArgs = [][]any{nil}
	}
	cond := ""
	if len(where) > 0 {
		cond = " AND " + strings.Join(where, " AND ")
	}
	page := f.Page
	offset := 0
	cursor := f.Cursor || f.AfterID != 0
	if !cursor {
		offset = (page.Page - 1) * page.PerPage
	}
	total := -1
	var q strings.Builder
	var qargs, cargs []any
	for i, part := range parts {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&q, "SELECT * FROM (SELECT %s FROM audits a WHERE %s%s ORDER BY a.id LIMIT ?) p%d", auditCols, part, cond, i)
		qargs = append(append(append(qargs, partArgs[i]...), args...), offset+page.PerPage)
		cargs = append(cargs, partArgs[i]...)
	}
	if !cursor {
		countCond := strings.Join(parts, " OR ")
		if len(parts) > 1 {
			countCond = "a.product_id IN (" + placeholders(len(parts)) + ")"
		}
		if err := r.queryRow(ctx, "SELECT COUNT(*) FROM audits a WHERE "+countCond+cond, append(cargs, args...)...).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	q.WriteString(" ORDER BY 1 LIMIT ? OFFSET ?")
	rows, err := r.query(ctx, q.String(), append(qargs, page.PerPage, offset)...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	var out []*roadmap.Audit
	for rows.Next() {
		au, err := scanAudit(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, au)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if sees != nil {
		hideChanges(sees, out)
	}
	return out, total, db.loadAuditUsers(ctx, out)
}

// AuditsByID returns the audits with these IDs, in ID order, with their
// users.
func (db *DB) AuditsByID(ctx context.Context, ids []int64) ([]*roadmap.Audit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.reader().query(ctx, "SELECT "+auditCols+" FROM audits a WHERE a.id IN ("+placeholders(len(ids))+") ORDER BY a.id", args...)
	if err != nil {
		return nil, db.wrap(err)
	}
	var out []*roadmap.Audit
	for rows.Next() {
		au, err := scanAudit(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, au)
	}
	if err := closeRows(rows); err != nil {
		return nil, db.wrap(err)
	}
	return out, db.loadAuditUsers(ctx, out)
}

// hideChanges leaves out of audits the changes that show records of
// products the reader may not see.
func hideChanges(sees map[int64]bool, audits []*roadmap.Audit) {
	for _, au := range audits {
		kept := au.Changes[:0]
		for _, ch := range au.Changes {
			if !slices.ContainsFunc(ch.Products, func(p int64) bool { return !sees[p] }) {
				kept = append(kept, ch)
			}
		}
		au.Changes = kept
	}
}

// loadAuditUsers fills the actors of audits, in one query.
func (db *DB) loadAuditUsers(ctx context.Context, audits []*roadmap.Audit) error {
	var ids []any
	seen := map[int64]bool{}
	for _, au := range audits {
		if au.UserID != 0 && !seen[au.UserID] {
			seen[au.UserID] = true
			ids = append(ids, au.UserID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := db.reader().query(ctx, "SELECT id, name, email, created_at, updated_at FROM users WHERE id IN ("+placeholders(len(ids))+")", ids...)
	if err != nil {
		return db.wrap(err)
	}
	users := map[int64]*roadmap.User{}
	for rows.Next() {
		var u roadmap.User
		var c, up int64
		if err := rows.Scan(&u.ID, &u.Name, &u.Email, &c, &up); err != nil {
			rows.Close()
			return err
		}
		u.CreatedAt, u.UpdatedAt = fromMS(c), fromMS(up)
		users[u.ID] = &u
	}
	if err := closeRows(rows); err != nil {
		return db.wrap(err)
	}
	for _, au := range audits {
		au.User = users[au.UserID]
	}
	return nil
}
