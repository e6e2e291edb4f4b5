package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// valueTable is where the custom field values of one record type live.
type valueTable struct {
	table, ownerCol string
}

// valueTables maps the record types that hold custom field values to their
// value tables.
var valueTables = map[string]valueTable{
	roadmap.FieldableRelease:    {"custom_field_values", "release_id"},
	roadmap.FieldableInitiative: {"initiative_custom_fields", "initiative_id"},
	roadmap.FieldableKeyResult:  {"key_result_custom_fields", "key_result_id"},
	roadmap.FieldableFeature:    {"feature_custom_fields", "feature_id"},
	roadmap.FieldableEpic:       {"epic_custom_fields", "epic_id"},
	"Requirement":               {"requirement_custom_fields", "requirement_id"},
}

// fieldableOf returns the record type whose values live in table.
func fieldableOf(table string) string {
	for t, vt := range valueTables {
		if vt.table == table {
			return t
		}
	}
	return ""
}

const definitionCols = "d.id, d.fieldable_type, d.key, d.name, d.type, d.internal_name, d.position, d.created_at, d.updated_at"

func scanDefinition(sc interface{ Scan(...any) error }) (*roadmap.CustomFieldDefinition, error) {
	d := &roadmap.CustomFieldDefinition{}
	var internal sql.NullString
	var created, updated int64
	if err := sc.Scan(&d.ID, &d.FieldableType, &d.Key, &d.Name, &d.Type, &internal, &d.Position, &created, &updated); err != nil {
		return nil, err
	}
	d.InternalName = nullableStr(internal)
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return d, nil
}

const optionCols = "o.id, o.definition_id, o.value, o.color, o.hidden, o.position"

func scanOption(sc interface{ Scan(...any) error }) (roadmap.CustomFieldOption, error) {
	var o roadmap.CustomFieldOption
	err := sc.Scan(&o.ID, &o.DefinitionID, &o.Value, &o.Color, &o.Hidden, &o.Position)
	return o, err
}

// CustomFieldDefinitions returns every custom field definition of the
// account, by ID, without their options.
func (db *DB) CustomFieldDefinitions(ctx context.Context) ([]roadmap.CustomFieldDefinition, error) {
	rows, err := db.reader().query(ctx, "SELECT "+definitionCols+" FROM custom_field_definitions d ORDER BY d.id")
	if err != nil {
		return nil, db.wrap(err)
	}
	out := []roadmap.CustomFieldDefinition{}
	for rows.Next() {
		d, err := scanDefinition(rows)
		if err != nil {
			rows.Close()
			return nil, db.wrap(err)
		}
		out = append(out, *d)
	}
	return out, db.wrap(closeRows(rows))
}

// CustomFieldDefinition returns a definition by ID, with all its options.
func (db *DB) CustomFieldDefinition(ctx context.Context, id int64) (*roadmap.CustomFieldDefinition, error) {
	d, err := loadDefinition(ctx, db.reader(), id, "")
	return d, db.wrap(err)
}

// loadDefinition reads a definition with its options; lock is appended to
// the definition's SELECT (forUpdate, or "").
func loadDefinition(ctx context.Context, c conn, id int64, lock string) (*roadmap.CustomFieldDefinition, error) {
	d, err := scanDefinition(c.queryRow(ctx, "SELECT "+definitionCols+" FROM custom_field_definitions d WHERE d.id = ?"+lock, id))
	if err != nil {
		return nil, scanErr(err, "custom field definition", strconv.FormatInt(id, 10))
	}
	opts, err := definitionOptions(ctx, c, []int64{id})
	if err != nil {
		return nil, err
	}
	d.Options = opts[id]
	return d, nil
}

// definitionOptions returns the options of definitions, in their order.
func definitionOptions(ctx context.Context, c conn, ids []int64) (map[int64][]roadmap.CustomFieldOption, error) {
	out := map[int64][]roadmap.CustomFieldOption{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+optionCols+" FROM custom_field_options o WHERE o.definition_id IN ("+placeholders(len(ids))+") ORDER BY o.definition_id, o.position, o.id", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		o, err := scanOption(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out[o.DefinitionID] = append(out[o.DefinitionID], o)
	}
	return out, closeRows(rows)
}

// CreateCustomFieldDefinition creates a definition and its options. Keys
// are unique per record type.
func (db *DB) CreateCustomFieldDefinition(ctx context.Context, in roadmap.CustomFieldDefinitionInput) (*roadmap.CustomFieldDefinition, error) {
	d, err := roadmap.NewCustomFieldDefinition(in)
	if err != nil {
		return nil, err
	}
	var out *roadmap.CustomFieldDefinition
	err = db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.db.dialect.lockAccount(ctx, tx.tx); err != nil {
			return err
		}
		var taken int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM custom_field_definitions WHERE fieldable_type = ? AND key = ?", d.FieldableType, d.Key).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return roadmap.FieldErrorf("key", "key %q is already used by a custom field of %s records", d.Key, d.FieldableType)
		}
		if err := c.queryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM custom_field_definitions WHERE fieldable_type = ?", d.FieldableType).Scan(&d.Position); err != nil {
			return err
		}
		d.ID = tx.db.ids.next(tx.now)
		d.CreatedAt, d.UpdatedAt = tx.now, tx.now
		for i := range d.Options {
			d.Options[i].ID = tx.db.ids.next(tx.now)
			d.Options[i].DefinitionID = d.ID
		}
		if err := tx.insertDefinition(ctx, d); err != nil {
			return err
		}
		out, err = loadDefinition(ctx, c, d.ID, "")
		return err
	})
	return out, err
}

func (tx *Tx) insertDefinition(ctx context.Context, d *roadmap.CustomFieldDefinition) error {
	c := tx.conn()
	if _, err := c.exec(ctx, "INSERT INTO custom_field_definitions (id, fieldable_type, key, name, type, internal_name, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		d.ID, d.FieldableType, d.Key, d.Name, d.Type, nullableStrArg(d.InternalName), d.Position, ms(d.CreatedAt), ms(d.UpdatedAt)); err != nil {
		return err
	}
	for _, o := range d.Options {
		if _, err := c.exec(ctx, "INSERT INTO custom_field_options (id, definition_id, value, color, hidden, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			o.ID, d.ID, o.Value, o.Color, o.Hidden, o.Position, ms(d.CreatedAt), ms(d.UpdatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// choiceDefinition locks a definition for a change of its options and
// checks that it has options.
func (tx *Tx) choiceDefinition(ctx context.Context, id int64) (*roadmap.CustomFieldDefinition, error) {
	d, err := loadDefinition(ctx, tx.conn(), id, tx.db.dialect.forUpdate())
	if err != nil {
		return nil, err
	}
	if !d.HasOptions() {
		return nil, roadmap.Errorf(roadmap.EINVALID, "custom field %s is a %s, which has no options", d.Key, d.Type)
	}
	return d, nil
}

func optionOf(d *roadmap.CustomFieldDefinition, id int64) (*roadmap.CustomFieldOption, error) {
	for i := range d.Options {
		if d.Options[i].ID == id {
			o := d.Options[i]
			return &o, nil
		}
	}
	return nil, roadmap.Errorf(roadmap.ENOTFOUND, "custom field option %d not found in custom field %d", id, d.ID)
}

func checkOptionValueFree(d *roadmap.CustomFieldDefinition, o *roadmap.CustomFieldOption) error {
	for _, other := range d.Options {
		if other.ID != o.ID && other.Value == o.Value {
			return roadmap.FieldErrorf("value", "custom field %s already has an option %q", d.Key, o.Value)
		}
	}
	return nil
}

// CreateCustomFieldOption adds an option to a choice definition, after its
// other options.
func (db *DB) CreateCustomFieldOption(ctx context.Context, definitionID int64, in roadmap.CustomFieldOptionInput) (*roadmap.CustomFieldOption, error) {
	var out *roadmap.CustomFieldOption
	err := db.inTx(ctx, func(tx *Tx) error {
		d, err := tx.choiceDefinition(ctx, definitionID)
		if err != nil {
			return err
		}
		o := &roadmap.CustomFieldOption{DefinitionID: d.ID, Color: roadmap.DefaultOptionColor}
		if err := roadmap.ApplyOptionInput(o, in, true); err != nil {
			return err
		}
		if err := checkOptionValueFree(d, o); err != nil {
			return err
		}
		o.ID = tx.db.ids.next(tx.now)
		for _, other := range d.Options {
			o.Position = max(o.Position, other.Position)
		}
		o.Position++
		if _, err := tx.conn().exec(ctx, "INSERT INTO custom_field_options (id, definition_id, value, color, hidden, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			o.ID, d.ID, o.Value, o.Color, o.Hidden, o.Position, ms(tx.now), ms(tx.now)); err != nil {
			return err
		}
		out = o
		return nil
	})
	return out, err
}

// UpdateCustomFieldOption changes an option. Renaming it renames the values
// that hold it, so that they keep holding it.
func (db *DB) UpdateCustomFieldOption(ctx context.Context, definitionID, id int64, in roadmap.CustomFieldOptionInput) (*roadmap.CustomFieldOption, error) {
	var out *roadmap.CustomFieldOption
	err := db.inTx(ctx, func(tx *Tx) error {
		d, err := tx.choiceDefinition(ctx, definitionID)
		if err != nil {
			return err
		}
		o, err := optionOf(d, id)
		if err != nil {
			return err
		}
		old := o.Value
		if err := roadmap.ApplyOptionInput(o, in, false); err != nil {
			return err
		}
		if err := checkOptionValueFree(d, o); err != nil {
			return err
		}
		if _, err := tx.conn().exec(ctx, "UPDATE custom_field_options SET value = ?, color = ?, hidden = ?, updated_at = ? WHERE id = ?",
			o.Value, o.Color, o.Hidden, ms(tx.now), o.ID); err != nil {
			return err
		}
		if o.Value != old {
			if err := tx.renameOptionValues(ctx, d, old, o.Value); err != nil {
				return err
			}
		}
		out = o
		return nil
	})
	return out, err
}

// DeleteCustomFieldOption deletes an option and returns it as it was. An
// option that values hold is refused: hiding it keeps those values and
// takes it out of new choices.
func (db *DB) DeleteCustomFieldOption(ctx context.Context, definitionID, id int64) (*roadmap.CustomFieldOption, error) {
	var out *roadmap.CustomFieldOption
	err := db.inTx(ctx, func(tx *Tx) error {
		d, err := tx.choiceDefinition(ctx, definitionID)
		if err != nil {
			return err
		}
		o, err := optionOf(d, id)
		if err != nil {
			return err
		}
		n, err := tx.optionUses(ctx, d, o.Value)
		if err != nil {
			return err
		}
		if n > 0 {
			records := "records hold"
			if n == 1 {
				records = "record holds"
			}
			return roadmap.Errorf(roadmap.EINVALID, "option %q of custom field %s cannot be deleted: %d %s it; hide it instead (hidden: true)", o.Value, d.Key, n, records)
		}
		if _, err := tx.conn().exec(ctx, "DELETE FROM custom_field_options WHERE id = ?", o.ID); err != nil {
			return err
		}
		out = o
		return nil
	})
	return out, err
}

// optionValueRows returns the ID and value of every value of definition d,
// for lists, whose items are only known once read.
func (tx *Tx) optionValueRows(ctx context.Context, vt valueTable, key string) (map[int64]string, error) {
	rows, err := tx.conn().query(ctx, "SELECT id, value FROM "+vt.table+" WHERE key = ?", key)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = v
	}
	return out, closeRows(rows)
}

// optionUses counts the values of d that hold the option value.
func (tx *Tx) optionUses(ctx context.Context, d *roadmap.CustomFieldDefinition, value string) (int, error) {
	vt, ok := valueTables[d.FieldableType]
	if !ok {
		return 0, nil
	}
	if !d.Multiple() {
		var n int
		err := tx.conn().queryRow(ctx, "SELECT COUNT(*) FROM "+vt.table+" WHERE key = ? AND value = ?", d.Key, value).Scan(&n)
		return n, err
	}
	vals, err := tx.optionValueRows(ctx, vt, d.Key)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range vals {
		if items, ok := roadmap.ListValue(v); ok && slices.Contains(items, value) {
			n++
		}
	}
	return n, nil
}

// renameOptionValues rewrites the values of d that hold the option from to
// hold to instead.
func (tx *Tx) renameOptionValues(ctx context.Context, d *roadmap.CustomFieldDefinition, from, to string) error {
	vt, ok := valueTables[d.FieldableType]
	if !ok {
		return nil
	}
	c := tx.conn()
	if !d.Multiple() {
		_, err := c.exec(ctx, "UPDATE "+vt.table+" SET value = ?, updated_at = ? WHERE key = ? AND value = ?", to, ms(tx.now), d.Key, from)
		return err
	}
	vals, err := tx.optionValueRows(ctx, vt, d.Key)
	if err != nil {
		return err
	}
	for id, v := range vals {
		items, ok := roadmap.ListValue(v)
		if !ok || !slices.Contains(items, from) {
			continue
		}
		for i := range items {
			if items[i] == from {
				items[i] = to
			}
		}
		b, _ := json.Marshal(items)
		if _, err := c.exec(ctx, "UPDATE "+vt.table+" SET value = ?, updated_at = ? WHERE id = ?", string(b), ms(tx.now), id); err != nil {
			return err
		}
	}
	return nil
}

// setRecordCustomFields writes custom field values of one record, checked
// against the definitions of its record type: an unknown key, or a value of
// the wrong kind, fails the write. An empty value (or null) clears the
// field. Fields not given stay. Values of editable choices add their new
// options to the definition.
func (tx *Tx) setRecordCustomFields(ctx context.Context, table, ownerCol string, owner int64, entries []roadmap.CustomFieldEntry) error {
	if err := roadmap.ValidateCustomFields(entries); err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	fieldable := fieldableOf(table)
	c := tx.conn()
	keys := make([]string, 0, len(entries))
	for _, e := range entries {
		keys = append(keys, strings.TrimSpace(e.Key))
	}
	slices.Sort(keys)
	args := []any{fieldable}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := c.query(ctx, "SELECT "+definitionCols+" FROM custom_field_definitions d WHERE d.fieldable_type = ? AND d.key IN ("+placeholders(len(keys))+") ORDER BY d.id"+tx.db.dialect.forUpdate(), args...)
	if err != nil {
		return err
	}
	defs := map[string]*roadmap.CustomFieldDefinition{}
	var choiceIDs []int64
	for rows.Next() {
		d, err := scanDefinition(rows)
		if err != nil {
			rows.Close()
			return err
		}
		defs[d.Key] = d
		if d.HasOptions() {
			choiceIDs = append(choiceIDs, d.ID)
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for _, e := range entries {
		if defs[strings.TrimSpace(e.Key)] == nil {
			return roadmap.FieldErrorf("custom_fields", "custom_fields: %s is not a custom field of %s records", strings.TrimSpace(e.Key), fieldable)
		}
	}
	opts, err := definitionOptions(ctx, c, choiceIDs)
	if err != nil {
		return err
	}
	for _, d := range defs {
		d.Options = opts[d.ID]
	}

	existing, err := recordCustomFields(ctx, c, table, ownerCol, []int64{owner})
	if err != nil {
		return err
	}
	byKey := map[string]roadmap.CustomField{}
	for _, cf := range existing[owner] {
		byKey[cf.Key] = cf
	}
	next := 0
	var maxPos sql.NullInt64
	if err := c.queryRow(ctx, "SELECT MAX(position) FROM "+table+" WHERE "+ownerCol+" = ?", owner).Scan(&maxPos); err != nil {
		return err
	}
	if maxPos.Valid {
		next = int(maxPos.Int64) + 1
	}
	for _, e := range entries {
		d := defs[strings.TrimSpace(e.Key)]
		cf, had := byKey[d.Key]
		if strings.TrimSpace(e.Value) == "" {
			if had {
				if _, err := c.exec(ctx, "DELETE FROM "+table+" WHERE id = ?", cf.ID); err != nil {
					return err
				}
			}
			continue
		}
		v, err := roadmap.CheckCustomFieldValue(d, e.Value, cf.Value)
		if err != nil {
			return err
		}
		for _, opt := range v.NewOptions {
			if err := tx.addEditableOption(ctx, d, opt); err != nil {
				return err
			}
		}
		if had {
			if cf.Value == v.Value && cf.Name == d.Name && cf.Type == d.ValueType() {
				continue
			}
			if _, err := c.exec(ctx, "UPDATE "+table+" SET value = ?, name = ?, type = ?, updated_at = ? WHERE id = ?", v.Value, d.Name, d.ValueType(), ms(tx.now), cf.ID); err != nil {
				return err
			}
			continue
		}
		if _, err := c.exec(ctx, "INSERT INTO "+table+" (id, "+ownerCol+", key, name, type, value, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			tx.db.ids.next(tx.now), owner, d.Key, d.Name, d.ValueType(), v.Value, next, ms(tx.now), ms(tx.now)); err != nil {
			return err
		}
		next++
	}
	return nil
}

// addEditableOption adds a value written to an editable choice field to the
// field's options, after the others.
func (tx *Tx) addEditableOption(ctx context.Context, d *roadmap.CustomFieldDefinition, value string) error {
	pos := 0
	for _, o := range d.Options {
		pos = max(pos, o.Position)
		if o.Value == value {
			return nil
		}
	}
	o := roadmap.CustomFieldOption{ID: tx.db.ids.next(tx.now), DefinitionID: d.ID, Value: value, Color: roadmap.DefaultOptionColor, Position: pos + 1}
	if _, err := tx.conn().exec(ctx, "INSERT INTO custom_field_options (id, definition_id, value, color, hidden, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (definition_id, value) DO NOTHING",
		o.ID, o.DefinitionID, o.Value, o.Color, o.Hidden, o.Position, ms(tx.now), ms(tx.now)); err != nil {
		return err
	}
	d.Options = append(d.Options, o)
	return nil
}

// SeedFields loads custom field definitions (with their options) and
// integrations with fixed IDs; those whose IDs exist already are kept as
// they are. Seed loads them with the rest of an account; this loads them
// into an account that has the rest.
func (db *DB) SeedFields(ctx context.Context, s *roadmap.FieldSeed) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.seedFields(ctx, s) })
}

func (tx *Tx) seedFields(ctx context.Context, s *roadmap.FieldSeed) error {
	if s == nil {
		return nil
	}
	c := tx.conn()
	for _, d := range s.Definitions {
		if _, err := c.exec(ctx, "INSERT INTO custom_field_definitions (id, fieldable_type, key, name, type, internal_name, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			d.ID, d.FieldableType, d.Key, d.Name, d.Type, nullableStrArg(d.InternalName), d.Position, ms(d.CreatedAt), ms(d.UpdatedAt)); err != nil {
			return err
		}
		// The definition may be kept under another ID (its key was taken):
		// its options then stay as they are too.
		var kept int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM custom_field_definitions WHERE id = ?", d.ID).Scan(&kept); err != nil {
			return err
		}
		if kept == 0 {
			continue
		}
		for _, o := range d.Options {
			if _, err := c.exec(ctx, "INSERT INTO custom_field_options (id, definition_id, value, color, hidden, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
				o.ID, d.ID, o.Value, o.Color, o.Hidden, o.Position, ms(d.CreatedAt), ms(d.UpdatedAt)); err != nil {
				return err
			}
		}
	}
	for _, it := range s.Integrations {
		if _, err := c.exec(ctx, "INSERT INTO integrations (id, product_id, service_name, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			it.ID, it.ProductID, it.ServiceName, it.Name, ms(it.CreatedAt), ms(it.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}
