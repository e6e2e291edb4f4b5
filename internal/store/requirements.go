package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

const requirementSelect = `SELECT q.id, q.feature_id, q.reference_num, q.name, q.position, q.workflow_status_id,
 COALESCE(q.assigned_to_user_id, 0), q.created_by_id, q.description_id, q.description_body,
 q.description_created_at, q.description_updated_at, q.created_at, q.updated_at,
 f.product_id, f.reference_num, f.name, f.created_at, f.release_id,
 ` + statusCols + `, cu.id, cu.name, cu.email, cu.admin, cu.created_at, cu.updated_at
 FROM requirements q
 JOIN features f ON f.id = q.feature_id
 JOIN workflow_statuses s ON s.id = q.workflow_status_id
 JOIN users cu ON cu.id = q.created_by_id`

func scanRequirement(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.Requirement, error) {
	r := &roadmap.Requirement{}
	var dc, du, created, updated, fc, cc, cu int64
	s, c := &r.WorkflowStatus, &r.CreatedBy
	dest := append(extra, &r.ID, &r.FeatureID, &r.ReferenceNum, &r.Name, &r.Position, &r.WorkflowStatusID,
		&r.AssignedToID, &r.CreatedByID, &r.Description.ID, &r.Description.Body,
		&dc, &du, &created, &updated,
		&r.Feature.ProductID, &r.Feature.ReferenceNum, &r.Feature.Name, &fc, &r.ReleaseID,
		&s.ID, &s.Name, &s.Position, &s.Complete, &s.Color,
		&c.ID, &c.Name, &c.Email, &c.Admin, &cc, &cu)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	r.Feature.ID = r.FeatureID
	r.Description.CreatedAt, r.Description.UpdatedAt = fromMS(dc), fromMS(du)
	r.CreatedAt, r.UpdatedAt, r.Feature.CreatedAt = fromMS(created), fromMS(updated), fromMS(fc)
	c.CreatedAt, c.UpdatedAt = fromMS(cc), fromMS(cu)
	return r, nil
}

// Requirement returns a requirement by numeric ID or reference number.
func (db *DB) Requirement(ctx context.Context, key string) (*roadmap.Requirement, error) {
	r, err := loadRequirement(ctx, db.reader(), key)
	return r, db.wrap(err)
}

func loadRequirement(ctx context.Context, c conn, key string) (*roadmap.Requirement, error) {
	cond, arg := keyClause("q.id", "q.reference_num", key)
	r, err := scanRequirement(c.queryRow(ctx, requirementSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "requirement", key)
	}
	if err := loadRequirementRelations(ctx, c, []*roadmap.Requirement{r}); err != nil {
		return nil, err
	}
	return r, nil
}

func loadRequirementByID(ctx context.Context, c conn, id int64) (*roadmap.Requirement, error) {
	return loadRequirement(ctx, c, strconv.FormatInt(id, 10))
}

// Requirements returns a page of a feature's requirements in ID order and
// the total number that match.
func (db *DB) Requirements(ctx context.Context, f roadmap.RequirementFilter) ([]*roadmap.Requirement, int, error) {
	rs, total, err := listRequirements(ctx, db.reader(), f)
	return rs, total, db.wrap(err)
}

func listRequirements(ctx context.Context, c conn, f roadmap.RequirementFilter) ([]*roadmap.Requirement, int, error) {
	where, args := []string{"q.feature_id = ?"}, []any{f.FeatureID}
	if f.Query != "" {
		w, a := c.nameSearchOf("q", "requirements_name_fts", f.Query)
		where, args = append(where, w...), append(args, a...)
	}
	if f.UpdatedSince != nil {
		where, args = append(where, "q.updated_at > ?"), append(args, ms(*f.UpdatedSince))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var out []*roadmap.Requirement
	l := pagedList{count: "SELECT COUNT(*) FROM requirements q" + cond, countArgs: args, selectFrom: requirementSelect, cond: cond, args: args, id: "q.id",
		filtered: f.Query != "" || f.UpdatedSince != nil}
	if !l.filtered {
		// The feature keeps the count of its requirements.
		l.count, l.countArgs = keptTotal("features", "requirement_count", f.FeatureID, 0)
	}
	total, err := l.run(ctx, c, normalPage(f.Page), func(rows *sql.Rows) error {
		r, err := scanRequirement(rows)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, loadRequirementRelations(ctx, c, out)
}

// listRequirementsOf loads every requirement of the features, in ID order,
// for the features' representations.
func listRequirementsOf(ctx context.Context, c conn, featureIDs []int64) ([]*roadmap.Requirement, error) {
	if len(featureIDs) == 0 {
		return nil, nil
	}
	rows, err := c.query(ctx, requirementSelect+" WHERE q.feature_id IN ("+placeholders(len(featureIDs))+") ORDER BY q.id", int64Args(featureIDs)...)
	if err != nil {
		return nil, err
	}
	var out []*roadmap.Requirement
	for rows.Next() {
		r, err := scanRequirement(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return out, loadRequirementRelations(ctx, c, out)
}

// requirementBatch is the most requirements whose relations one statement
// reads.
const requirementBatch = 1000

// loadRequirementRelations fills what requirements show beyond their row,
// with one query per kind of related record for all of them.
func loadRequirementRelations(ctx context.Context, c conn, rs []*roadmap.Requirement) error {
	// A feature's representation embeds all its requirements: they are
	// loaded a batch at a time, so that the lists of their IDs stay within
	// the engines' limits on arguments.
	for len(rs) > requirementBatch {
		if err := loadRequirementRelations(ctx, c, rs[:requirementBatch]); err != nil {
			return err
		}
		rs = rs[requirementBatch:]
	}
	if len(rs) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(rs))
	byID := make(map[int64]*roadmap.Requirement, len(rs))
	var users []int64
	for _, r := range rs {
		ids = append(ids, r.ID)
		byID[r.ID] = r
		users = featureAppendID(users, r.AssignedToID)
	}
	if err := setCommentCounts(ctx, c, roadmap.CommentOnRequirement, ids, func(id int64, n int) { byID[id].CommentsCount = n }); err != nil {
		return err
	}
	assignees, err := featureUsersByID(ctx, c, users)
	if err != nil {
		return err
	}
	tags, err := workRecordTags(ctx, c, "requirement_tags", "requirement_id", ids)
	if err != nil {
		return err
	}
	fields, err := workCustomFields(ctx, c, "requirement_custom_fields", "requirement_id", ids)
	if err != nil {
		return err
	}
	integ, err := integrationFields(ctx, c, recordRequirement, ids)
	if err != nil {
		return err
	}
	times, err := workRecordStatusTimes(ctx, c, recordRequirement, ids)
	if err != nil {
		return err
	}
	for _, r := range rs {
		r.AssignedTo = nil
		if u, ok := assignees[r.AssignedToID]; ok {
			r.AssignedTo = &u
		}
		r.Tags, r.CustomFields, r.IntegrationFields, r.StatusTimes = tags[r.ID], fields[r.ID], integ[r.ID], times[r.ID]
	}
	return nil
}

// requirementFeature returns the feature of a requirement, unlocked.
func requirementFeature(ctx context.Context, c conn, id int64) (int64, error) {
	var f int64
	err := c.queryRow(ctx, "SELECT feature_id FROM requirements WHERE id = ?", id).Scan(&f)
	return f, scanErr(err, "requirement", strconv.FormatInt(id, 10))
}

// lockRequirement locks a requirement after its feature, the order every
// writer of requirements takes, and returns the feature.
func (tx *Tx) lockRequirement(ctx context.Context, id int64) (int64, error) {
	feature, err := requirementFeature(ctx, tx.conn(), id)
	if err != nil {
		return 0, err
	}
	if err := tx.lockRecord(ctx, "features", feature); err != nil {
		return 0, err
	}
	if err := tx.lockRecord(ctx, "requirements", id); err != nil {
		return 0, err
	}
	// The requirement may have moved while unlocked.
	again, err := requirementFeature(ctx, tx.conn(), id)
	if err != nil {
		return 0, err
	}
	if again != feature {
		return 0, roadmap.Errorf(roadmap.ECONFLICT, "the requirement changed meanwhile; try again")
	}
	return feature, nil
}

// requirementsChanged recomputes the progress of a feature whose
// requirements changed and then, when it changed, what the feature feeds.
func (tx *Tx) requirementsChanged(ctx context.Context, featureID int64) error {
	w, err := tx.recomputeFeatures(ctx, []int64{featureID})
	if err != nil {
		return err
	}
	return tx.recomputeFeatureWork(ctx, w)
}

// CreateRequirement adds a requirement to a feature on behalf of a user.
func (db *DB) CreateRequirement(ctx context.Context, featureID, userID int64, in roadmap.RequirementInput) (*roadmap.Requirement, error) {
	var out *roadmap.Requirement
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var productID int64
		if err := c.queryRow(ctx, "SELECT product_id FROM features WHERE id = ?", featureID).Scan(&productID); err != nil {
			return scanErr(err, "feature", strconv.FormatInt(featureID, 10))
		}
		r := &roadmap.Requirement{
			FeatureID:   featureID,
			CreatedByID: userID,
			Description: roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now},
			CreatedAt:   tx.now,
			UpdatedAt:   tx.now,
		}
		if err := roadmap.ApplyRequirementInput(r, in, true, tx.now); err != nil {
			return err
		}
		if err := resolveRequirementAssignee(ctx, c, r, in); err != nil {
			return err
		}
		if in.WorkflowStatus.Set && (in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "") {
			return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
		}
		status, err := featureStatus(ctx, c, productID, "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		// Taking the number locks the feature.
		if r.ReferenceNum, err = tx.takeNumber(ctx, "features", "requirement_seq", "reference_num", featureID, "requirements", roadmap.RequirementReference); err != nil {
			return err
		}
		if r.Position, err = nextRecordPosition(ctx, c, "requirements", "feature_id", featureID); err != nil {
			return err
		}
		r.ID = tx.db.ids.next(tx.now)
		r.WorkflowStatusID = status.ID
		if err := tx.insertRequirement(ctx, r); err != nil {
			return err
		}
		if err := tx.insertWorkRecordStatus(ctx, recordRequirement, r.ID, *status); err != nil {
			return err
		}
		if err := tx.writeRequirementLinks(ctx, r, in); err != nil {
			return err
		}
		if err := tx.requirementsChanged(ctx, featureID); err != nil {
			return err
		}
		out, err = loadRequirementByID(ctx, c, r.ID)
		return err
	})
	return out, err
}

func resolveRequirementAssignee(ctx context.Context, c conn, r *roadmap.Requirement, in roadmap.RequirementInput) error {
	if !in.AssignedTo.Set {
		return nil
	}
	r.AssignedToID = 0
	if in.AssignedTo.Null || strings.TrimSpace(in.AssignedTo.V) == "" {
		return nil
	}
	u, err := resolveUser(ctx, c, "assigned_to_user", in.AssignedTo.V)
	if err != nil {
		return err
	}
	r.AssignedToID = u.ID
	return nil
}

func (tx *Tx) insertRequirement(ctx context.Context, r *roadmap.Requirement) error {
	_, err := tx.conn().exec(ctx, `INSERT INTO requirements (id, feature_id, reference_num, name, position, workflow_status_id,
 assigned_to_user_id, created_by_id, description_id, description_body, description_created_at, description_updated_at,
 created_at, updated_at, name_fold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.FeatureID, r.ReferenceNum, r.Name, r.Position, r.WorkflowStatusID,
		nullID(r.AssignedToID), r.CreatedByID, r.Description.ID, r.Description.Body, ms(r.Description.CreatedAt), ms(r.Description.UpdatedAt),
		ms(r.CreatedAt), ms(r.UpdatedAt), fold(r.Name))
	return err
}

// writeRequirementLinks writes the tags and custom fields that in gives.
func (tx *Tx) writeRequirementLinks(ctx context.Context, r *roadmap.Requirement, in roadmap.RequirementInput) error {
	if in.Tags.Set {
		if err := tx.setWorkTags(ctx, "requirement_tags", "requirement_id", r.ID, r.Tags); err != nil {
			return err
		}
	}
	return tx.setRecordCustomFields(ctx, "requirement_custom_fields", "requirement_id", r.ID, in.CustomFields.V)
}

// UpdateRequirement changes a requirement.
func (db *DB) UpdateRequirement(ctx context.Context, id int64, in roadmap.RequirementInput) (*roadmap.Requirement, error) {
	var out *roadmap.Requirement
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		featureID, err := tx.lockRequirement(ctx, id)
		if err != nil {
			return err
		}
		r, err := loadRequirementByID(ctx, c, id)
		if err != nil {
			return err
		}
		tx.resetNow(r.UpdatedAt)
		if err := roadmap.ApplyRequirementInput(r, in, false, tx.now); err != nil {
			return err
		}
		if err := resolveRequirementAssignee(ctx, c, r, in); err != nil {
			return err
		}
		if in.WorkflowStatus.Set {
			if in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "" {
				return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
			}
			st, err := featureStatus(ctx, c, r.Feature.ProductID, "workflow_status", in.WorkflowStatus.V)
			if err != nil {
				return err
			}
			if st.ID != r.WorkflowStatusID {
				r.WorkflowStatusID = st.ID
				if err := tx.changeWorkRecordStatus(ctx, recordRequirement, r.ID, *st); err != nil {
					return err
				}
			}
		}
		r.UpdatedAt = tx.now
		if _, err := c.exec(ctx, `UPDATE requirements SET name = ?, name_fold = ?, workflow_status_id = ?, assigned_to_user_id = ?,
 description_body = ?, description_updated_at = ?, updated_at = ? WHERE id = ?`,
			r.Name, fold(r.Name), r.WorkflowStatusID, nullID(r.AssignedToID), r.Description.Body, ms(r.Description.UpdatedAt), ms(r.UpdatedAt), r.ID); err != nil {
			return err
		}
		if err := tx.writeRequirementLinks(ctx, r, in); err != nil {
			return err
		}
		if err := tx.requirementsChanged(ctx, featureID); err != nil {
			return err
		}
		out, err = loadRequirementByID(ctx, c, r.ID)
		return err
	})
	return out, err
}

// deleteRequirementTraces deletes what points at the requirements that
// match cond (on the requirements table) from tables shared by several
// kinds of records: their integration fields, status histories and the
// links of to-dos to them (the to-dos stay).
func (tx *Tx) deleteRequirementTraces(ctx context.Context, cond string, arg any) error {
	c := tx.conn()
	for _, t := range []struct{ table, recordType string }{
		{"integration_fields", recordRequirement},
		{"work_status_times", recordRequirement},
		{"task_records", taskRecordRequirement},
	} {
		if _, err := c.exec(ctx, "DELETE FROM "+t.table+" WHERE record_type = '"+t.recordType+"' AND record_id IN (SELECT id FROM requirements WHERE "+cond+")", arg); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRequirement deletes a requirement, and brings the progress of its
// feature, and its feature's release and epic, up to date.
func (db *DB) DeleteRequirement(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		featureID, err := tx.lockRequirement(ctx, id)
		if err != nil {
			return err
		}
		tx.resetNow(time.Time{})
		if err := tx.deleteRequirement(ctx, id); err != nil {
			return err
		}
		return tx.requirementsChanged(ctx, featureID)
	})
}

func (tx *Tx) deleteRequirement(ctx context.Context, id int64) error {
	if err := tx.deleteRequirementTraces(ctx, "id = ?", id); err != nil {
		return err
	}
	_, err := tx.conn().exec(ctx, "DELETE FROM requirements WHERE id = ?", id)
	return err
}

// ConvertRequirement turns a requirement into a feature at the top of its
// feature's release, on behalf of a user: the new feature takes the
// requirement's name, description, status, assignee, tags, to-dos and the
// custom field values that features define too, and is linked to the old
// feature ("Relates to"). The requirement is deleted.
func (db *DB) ConvertRequirement(ctx context.Context, id, userID int64) (*roadmap.Feature, error) {
	var out *roadmap.Feature
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		feature, err := requirementFeature(ctx, c, id)
		if err != nil {
			return err
		}
		product, err := recordProduct(ctx, c, "features", feature)
		if err != nil {
			return err
		}
		// The product's lock first: the new feature takes a number and a
		// position in the release.
		if err := tx.lockRecord(ctx, "products", product); err != nil {
			return err
		}
		featureID, err := tx.lockRequirement(ctx, id)
		if err != nil {
			return err
		}
		tx.resetNow(time.Time{})
		r, err := loadRequirementByID(ctx, c, id)
		if err != nil {
			return err
		}
		var epic int64
		if err := c.queryRow(ctx, "SELECT COALESCE(epic_id, 0) FROM features WHERE id = ?", featureID).Scan(&epic); err != nil {
			return err
		}
		f := &roadmap.Feature{
			ProductID:        r.Feature.ProductID,
			ReleaseID:        r.ReleaseID,
			Name:             r.Name,
			ProgressSource:   roadmap.ProgressManual,
			Progress:         new(int),
			WorkflowKind:     roadmap.FeatureKinds[0].Key,
			WorkflowStatusID: r.WorkflowStatusID,
			WorkflowStatus:   r.WorkflowStatus,
			StatusChangedOn:  roadmap.Today(tx.now),
			AssignedToID:     r.AssignedToID,
			CreatedByID:      userID,
			Description:      r.Description,
			WorkUnits:        roadmap.CapacityTime,
			Tags:             r.Tags,
			CreatedAt:        tx.now,
			UpdatedAt:        tx.now,
		}
		f.Score = roadmap.FeatureScore(nil)
		if f.ReferenceNum, err = tx.takeNumber(ctx, "products", "feature_seq", "reference_prefix", f.ProductID, "features", roadmap.FeatureReference); err != nil {
			return err
		}
		f.ID = tx.db.ids.next(tx.now)
		if err := tx.topOfRelease(ctx, f); err != nil {
			return err
		}
		if err := tx.insertFeature(ctx, f); err != nil {
			return err
		}
		// The requirement's comments and to-dos become the new feature's.
		if err := tx.moveComments(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnRequirement, ID: r.ID}, roadmap.CommentTarget{Type: roadmap.CommentOnFeature, ID: f.ID}); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE task_records SET record_type = ?, record_id = ? WHERE record_type = ? AND record_id = ?",
			taskRecordFeature, f.ID, taskRecordRequirement, r.ID); err != nil {
			return err
		}
		tx.convert("requirements", r.ID)
		if err := tx.deleteRequirement(ctx, r.ID); err != nil {
			return err
		}
		if err := tx.insertWorkRecordStatus(ctx, recordFeature, f.ID, f.WorkflowStatus); err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "feature_watchers", "feature_id", f.ID, "user_id", []int64{userID, f.AssignedToID}, 0); err != nil {
			return err
		}
		if err := tx.setWorkTags(ctx, "feature_tags", "feature_id", f.ID, f.Tags); err != nil {
			return err
		}
		if err := tx.copyCustomFields(ctx, f.ID, r.CustomFields); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "INSERT INTO feature_links (id, parent_id, child_id, link_type, link_type_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			tx.db.ids.next(tx.now), featureID, f.ID, roadmap.LinkRelatesTo, roadmap.LinkRelatesToID, ms(tx.now)); err != nil {
			return err
		}
		w, err := tx.recomputeFeatures(ctx, []int64{featureID})
		if err != nil {
			return err
		}
		w.add(f)
		if err := tx.recomputeFeatureWork(ctx, w); err != nil {
			return err
		}
		out, err = loadFeatureByID(ctx, c, f.ID)
		return err
	})
	return out, err
}

// copyCustomFields gives a new feature the values of a requirement's custom
// fields whose keys features define with the same kind of value.
func (tx *Tx) copyCustomFields(ctx context.Context, featureID int64, fields []roadmap.CustomField) error {
	if len(fields) == 0 {
		return nil
	}
	c := tx.conn()
	keys := make([]any, 0, len(fields)+1)
	keys = append(keys, fieldableFeature)
	for _, cf := range fields {
		keys = append(keys, cf.Key)
	}
	rows, err := c.query(ctx, "SELECT "+definitionCols+" FROM custom_field_definitions d WHERE d.fieldable_type = ? AND d.key IN ("+placeholders(len(fields))+")", keys...)
	if err != nil {
		return err
	}
	defs := map[string]*roadmap.CustomFieldDefinition{}
	for rows.Next() {
		d, err := scanDefinition(rows)
		if err != nil {
			rows.Close()
			return err
		}
		defs[d.Key] = d
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for i, cf := range fields {
		d, ok := defs[cf.Key]
		if !ok || d.ValueType() != cf.Type {
			continue
		}
		if _, err := c.exec(ctx, "INSERT INTO feature_custom_fields (id, feature_id, key, name, type, value, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			tx.db.ids.next(tx.now), featureID, d.Key, d.Name, d.ValueType(), cf.Value, i, ms(tx.now), ms(tx.now)); err != nil {
			return err
		}
	}
	return nil
}
