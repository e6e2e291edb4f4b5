package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// recordTables maps the record types that hold integration fields to their
// tables.
var recordTables = map[string]string{
	roadmap.RecordRelease:    "releases",
	roadmap.RecordInitiative: "initiatives",
	roadmap.RecordFeature:    "features",
	roadmap.RecordEpic:       "epics",
}

const integrationCols = "i.id, i.product_id, i.service_name, i.name, i.created_at"

func scanIntegration(sc interface{ Scan(...any) error }, it *roadmap.Integration) error {
	var created int64
	if err := sc.Scan(&it.ID, &it.ProductID, &it.ServiceName, &it.Name, &created); err != nil {
		return err
	}
	it.CreatedAt = fromMS(created)
	return nil
}

// Integrations returns a page of a product's integrations, by ID, and their
// total.
func (db *DB) Integrations(ctx context.Context, productID int64, page roadmap.Page) ([]roadmap.Integration, int, error) {
	page = strategyPage(page)
	c := db.reader()
	rows, err := c.query(ctx, "SELECT COUNT(*) OVER (), "+integrationCols+" FROM integrations i WHERE i.product_id = ? ORDER BY i.id LIMIT ? OFFSET ?",
		productID, page.PerPage, page.Offset())
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	out := []roadmap.Integration{}
	total := 0
	for rows.Next() {
		var it roadmap.Integration
		if err := scanIntegration(strategyCounted{rows, &total}, &it); err != nil {
			rows.Close()
			return nil, 0, db.wrap(err)
		}
		out = append(out, it)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if len(out) == 0 && page.Offset() > 0 {
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM integrations WHERE product_id = ?", productID).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	return out, total, nil
}

// CreateIntegration adds an integration to a product.
func (db *DB) CreateIntegration(ctx context.Context, productID int64, in roadmap.IntegrationInput) (*roadmap.Integration, error) {
	it, err := roadmap.NewIntegration(in)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lockRecord(ctx, "products", productID); err != nil {
			return err
		}
		it.ID, it.ProductID, it.CreatedAt = tx.db.ids.next(tx.now), productID, tx.now
		_, err := tx.conn().exec(ctx, "INSERT INTO integrations (id, product_id, service_name, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			it.ID, it.ProductID, it.ServiceName, it.Name, ms(tx.now), ms(tx.now))
		return err
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// recordProducts returns the product of a record and that product's
// product line (0 when it has none).
func recordProducts(ctx context.Context, c conn, rec roadmap.RecordRef) (product, line int64, err error) {
	table, ok := recordTables[rec.Type]
	if !ok {
		return 0, 0, roadmap.Errorf(roadmap.ENOTFOUND, "%s %d not found", rec.Type, rec.ID)
	}
	err = c.queryRow(ctx, "SELECT x.product_id, COALESCE(p.parent_id, 0) FROM "+table+" x JOIN products p ON p.id = x.product_id WHERE x.id = ?", rec.ID).
		Scan(&product, &line)
	return product, line, scanErr(err, rec.Type, strconv.FormatInt(rec.ID, 10))
}

// resolveIntegration finds the integration a record's fields go through: by
// ID, or by service name, preferring the record's own product to its
// product line and then the oldest. Integrations of other products are not
// found.
func resolveIntegration(ctx context.Context, c conn, rec roadmap.RecordRef, ref string) (*roadmap.Integration, error) {
	product, line, err := recordProducts(ctx, c, rec)
	if err != nil {
		return nil, err
	}
	ref = strings.TrimSpace(ref)
	var it roadmap.Integration
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		err = scanIntegration(c.queryRow(ctx, "SELECT "+integrationCols+" FROM integrations i WHERE i.id = ? AND i.product_id IN (?, ?)", id, product, line), &it)
	} else {
		err = scanIntegration(c.queryRow(ctx, "SELECT "+integrationCols+" FROM integrations i WHERE i.service_name = ? AND i.product_id IN (?, ?) ORDER BY CASE WHEN i.product_id = ? THEN 0 ELSE 1 END, i.id LIMIT 1",
			strings.ToLower(ref), product, line, product), &it)
	}
	if isNoRows(err) {
		return nil, roadmap.Errorf(roadmap.ENOTFOUND, "integration %s not found for this %s's product", ref, rec.Type)
	}
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// recordFieldsThrough returns a record's integration fields through one
// integration, by name.
func recordFieldsThrough(ctx context.Context, c conn, rec roadmap.RecordRef, integrationID int64) (map[string]roadmap.IntegrationField, error) {
	rows, err := c.query(ctx, "SELECT id, name, value, integration_id, service_name, created_at FROM integration_fields WHERE record_type = ? AND record_id = ? AND integration_id = ? ORDER BY id",
		rec.Type, rec.ID, integrationID)
	if err != nil {
		return nil, err
	}
	out := map[string]roadmap.IntegrationField{}
	for rows.Next() {
		var f roadmap.IntegrationField
		var created int64
		if err := rows.Scan(&f.ID, &f.Name, &f.Value, &f.IntegrationID, &f.ServiceName, &created); err != nil {
			rows.Close()
			return nil, err
		}
		f.CreatedAt = fromMS(created)
		if _, dup := out[f.Name]; !dup {
			out[f.Name] = f
		}
	}
	return out, closeRows(rows)
}

// SetIntegrationFields writes integration fields of a record through one
// integration (by ID or service name): a name the record already has
// through that integration gets the new value, others are added. The
// record's updated_at moves when anything changes. It returns the fields in
// the order given.
func (db *DB) SetIntegrationFields(ctx context.Context, rec roadmap.RecordRef, integration string, fields []roadmap.IntegrationFieldInput) ([]roadmap.IntegrationField, error) {
	if err := roadmap.ValidateIntegrationFields(fields); err != nil {
		return nil, err
	}
	var out []roadmap.IntegrationField
	err := db.inTx(ctx, func(tx *Tx) error {
		table, ok := recordTables[rec.Type]
		if !ok {
			return roadmap.Errorf(roadmap.ENOTFOUND, "%s %d not found", rec.Type, rec.ID)
		}
		if err := tx.lockRecord(ctx, table, rec.ID); err != nil {
			return err
		}
		c := tx.conn()
		it, err := resolveIntegration(ctx, c, rec, integration)
		if err != nil {
			return err
		}
		have, err := recordFieldsThrough(ctx, c, rec, it.ID)
		if err != nil {
			return err
		}
		changed := false
		out = out[:0]
		for _, in := range fields {
			name := strings.TrimSpace(in.Name)
			if f, ok := have[name]; ok {
				if f.Value != in.Value {
					if _, err := c.exec(ctx, "UPDATE integration_fields SET value = ? WHERE id = ?", in.Value, f.ID); err != nil {
						return err
					}
					f.Value, changed = in.Value, true
				}
				out = append(out, f)
				continue
			}
			f := roadmap.IntegrationField{ID: tx.db.ids.next(tx.now), Name: name, Value: in.Value,
				IntegrationID: it.ID, ServiceName: it.ServiceName, CreatedAt: tx.now}
			if _, err := c.exec(ctx, "INSERT INTO integration_fields (id, record_type, record_id, name, value, integration_id, service_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				f.ID, rec.Type, rec.ID, f.Name, f.Value, f.IntegrationID, f.ServiceName, ms(tx.now)); err != nil {
				return err
			}
			out, changed = append(out, f), true
		}
		if changed {
			return tx.touchRecords(ctx, table, []int64{rec.ID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordIntegrationField returns the field of a record with a name,
// through one integration (by ID or service name).
func (db *DB) RecordIntegrationField(ctx context.Context, rec roadmap.RecordRef, integration, name string) (*roadmap.IntegrationField, error) {
	c := db.reader()
	it, err := resolveIntegration(ctx, c, rec, integration)
	if err != nil {
		return nil, db.wrap(err)
	}
	have, err := recordFieldsThrough(ctx, c, rec, it.ID)
	if err != nil {
		return nil, db.wrap(err)
	}
	f, ok := have[strings.TrimSpace(name)]
	if !ok {
		return nil, roadmap.Errorf(roadmap.ENOTFOUND, "integration field %s not found", name)
	}
	return &f, nil
}

// IntegrationFieldOwner returns an integration field with the record that
// holds it and that record's product.
func (db *DB) IntegrationFieldOwner(ctx context.Context, id int64) (*roadmap.IntegrationFieldOwner, error) {
	o, err := integrationFieldOwner(ctx, db.reader(), id)
	return o, db.wrap(err)
}

func integrationFieldOwner(ctx context.Context, c conn, id int64) (*roadmap.IntegrationFieldOwner, error) {
	o := &roadmap.IntegrationFieldOwner{}
	f := &o.Field
	var created int64
	err := c.queryRow(ctx, "SELECT id, name, value, integration_id, service_name, created_at, record_type, record_id FROM integration_fields WHERE id = ?", id).
		Scan(&f.ID, &f.Name, &f.Value, &f.IntegrationID, &f.ServiceName, &created, &o.Record.Type, &o.Record.ID)
	if err != nil {
		return nil, scanErr(err, "integration field", strconv.FormatInt(id, 10))
	}
	f.CreatedAt = fromMS(created)
	if o.ProductID, _, err = recordProducts(ctx, c, o.Record); err != nil {
		if roadmap.IsNotFound(err) {
			return nil, notFound("integration field", strconv.FormatInt(id, 10))
		}
		return nil, err
	}
	return o, nil
}

// DeleteIntegrationField deletes an integration field; the record that
// held it is updated now.
func (db *DB) DeleteIntegrationField(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		o, err := integrationFieldOwner(ctx, c, id)
		if err != nil {
			return err
		}
		table := recordTables[o.Record.Type]
		if err := tx.lockRecord(ctx, table, o.Record.ID); err != nil {
			return err
		}
		res, err := c.exec(ctx, "DELETE FROM integration_fields WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return notFound("integration field", strconv.FormatInt(id, 10))
		}
		return tx.touchRecords(ctx, table, []int64{o.Record.ID})
	})
}

// recordsWithField returns a page of the IDs of records of a type that hold
// an integration field with the filter's name and value, by ID, and their
// total.
func recordsWithField(ctx context.Context, c conn, recordType string, f roadmap.IntegrationFieldFilter) ([]int64, int, error) {
	table := recordTables[recordType]
	cond := " WHERE x.id IN (SELECT record_id FROM integration_fields WHERE value = ? AND record_type = ? AND name = ?)"
	args := []any{f.Value, recordType, f.Name}
	if f.VisibleTo != 0 {
		cond += " AND x.product_id IN (" + visibleProducts + ")"
		args = append(args, f.VisibleTo, f.VisibleTo)
	}
	page := strategyPage(f.Page)
	rows, err := c.query(ctx, "SELECT COUNT(*) OVER (), x.id FROM "+table+" x"+cond+" ORDER BY x.id LIMIT ? OFFSET ?",
		append(args, page.PerPage, page.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&total, &id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 && page.Offset() > 0 {
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+table+" x"+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return ids, total, nil
}

// ReleasesWithIntegrationField returns a page of the releases that hold an
// integration field with a name and value, by ID, and their total.
func (db *DB) ReleasesWithIntegrationField(ctx context.Context, f roadmap.IntegrationFieldFilter) ([]*roadmap.Release, int, error) {
	c := db.reader()
	ids, total, err := recordsWithField(ctx, c, roadmap.RecordRelease, f)
	if err != nil || len(ids) == 0 {
		return nil, total, db.wrap(err)
	}
	rows, err := c.query(ctx, releaseSelect+" WHERE r.id IN ("+placeholders(len(ids))+") ORDER BY r.id", int64Args(ids)...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	var out []*roadmap.Release
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			rows.Close()
			return nil, 0, db.wrap(err)
		}
		out = append(out, r)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if err := loadRelations(ctx, c, out, f.Full); err != nil {
		return nil, 0, db.wrap(err)
	}
	return out, total, nil
}

// InitiativesWithIntegrationField returns a page of the initiatives that
// hold an integration field with a name and value, by ID, and their total.
func (db *DB) InitiativesWithIntegrationField(ctx context.Context, f roadmap.IntegrationFieldFilter) ([]*roadmap.InitiativeDetail, int, error) {
	c := db.reader()
	ids, total, err := recordsWithField(ctx, c, roadmap.RecordInitiative, f)
	if err != nil || len(ids) == 0 {
		return nil, total, db.wrap(err)
	}
	rows, err := c.query(ctx, initiativeSelect+" WHERE i.id IN ("+placeholders(len(ids))+") ORDER BY i.id", int64Args(ids)...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	var out []*roadmap.InitiativeDetail
	for rows.Next() {
		it, err := scanInitiativeDetail(rows)
		if err != nil {
			rows.Close()
			return nil, 0, db.wrap(err)
		}
		out = append(out, it)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if err := loadInitiativeRelations(ctx, c, out); err != nil {
		return nil, 0, db.wrap(err)
	}
	return out, total, nil
}
