package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

const keyResultSelect = `SELECT k.id, k.goal_id, g.product_id, k.reference_num, k.name, k.position, k.progress,
 k.target_metric, k.starting_metric, k.current_metric, k.description_id, k.description_body,
 k.description_created_at, k.description_updated_at, COALESCE(k.assigned_to_user_id, 0), k.default_assignee,
 k.created_at, k.updated_at, s.id, s.name, s.position, s.complete, s.color,
 ` + "au.id, au.name, au.email, au.admin, au.created_at, au.updated_at" + `
 FROM key_results k
 JOIN goals g ON g.id = k.goal_id
 LEFT JOIN workflow_statuses s ON s.id = k.workflow_status_id
 LEFT JOIN users au ON au.id = k.assigned_to_user_id`

func scanKeyResult(sc interface{ Scan(...any) error }) (*roadmap.KeyResult, error) {
	k := &roadmap.KeyResult{}
	var progress sql.NullInt64
	var target, starting, current sql.NullString
	var dc, du, created, updated int64
	var sid, spos sql.NullInt64
	var sname, scolor sql.NullString
	var scomplete sql.NullBool
	var au joinedUser
	dest := []any{&k.ID, &k.GoalID, &k.ProductID, &k.ReferenceNum, &k.Name, &k.Position, &progress,
		&target, &starting, &current, &k.Description.ID, &k.Description.Body,
		&dc, &du, &k.AssignedToID, &k.DefaultAssignee,
		&created, &updated, &sid, &sname, &spos, &scomplete, &scolor}
	if err := sc.Scan(append(dest, au.dest()...)...); err != nil {
		return nil, err
	}
	k.Progress = nullableInt(progress)
	k.TargetMetric, k.StartingMetric, k.CurrentMetric = nullableStr(target), nullableStr(starting), nullableStr(current)
	k.Description.CreatedAt, k.Description.UpdatedAt = fromMS(dc), fromMS(du)
	k.CreatedAt, k.UpdatedAt = fromMS(created), fromMS(updated)
	k.WorkflowStatus = scanOptStatus(sid, sname, spos, scomplete, scolor)
	k.AssignedTo = au.user()
	return k, nil
}

// keyResultsOf loads the key results of goals, by goal ID, in ID order,
// without their custom fields and watchers.
func keyResultsOf(ctx context.Context, c conn, goalIDs []int64) (map[int64][]*roadmap.KeyResult, error) {
	out := map[int64][]*roadmap.KeyResult{}
	if len(goalIDs) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, keyResultSelect+" WHERE k.goal_id IN ("+placeholders(len(goalIDs))+") ORDER BY k.goal_id, k.id", int64Args(goalIDs)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		k, err := scanKeyResult(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out[k.GoalID] = append(out[k.GoalID], k)
	}
	return out, closeRows(rows)
}

// loadKeyResultRelations fills the custom fields and watchers of key
// results, with one query per kind for all of them.
func loadKeyResultRelations(ctx context.Context, c conn, ks []*roadmap.KeyResult) error {
	if len(ks) == 0 {
		return nil
	}
	ids := make([]int64, len(ks))
	for i, k := range ks {
		ids[i] = k.ID
	}
	custom, err := recordCustomFields(ctx, c, "key_result_custom_fields", "key_result_id", ids)
	if err != nil {
		return err
	}
	watchers, err := recordWatchers(ctx, c, "key_result_watchers", "key_result_id", ids)
	if err != nil {
		return err
	}
	for _, k := range ks {
		k.CustomFields, k.Watchers = custom[k.ID], watchers[k.ID]
	}
	return nil
}

// KeyResult returns a key result by numeric ID or reference number.
func (db *DB) KeyResult(ctx context.Context, key string) (*roadmap.KeyResult, error) {
	k, err := loadKeyResult(ctx, db.reader(), key)
	return k, db.wrap(err)
}

func loadKeyResult(ctx context.Context, c conn, key string) (*roadmap.KeyResult, error) {
	cond, arg := keyClause("k.id", "k.reference_num", strings.TrimSpace(key))
	k, err := scanKeyResult(c.queryRow(ctx, keyResultSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "key result", key)
	}
	if err := loadKeyResultRelations(ctx, c, []*roadmap.KeyResult{k}); err != nil {
		return nil, err
	}
	return k, nil
}

// KeyResults returns a page of a goal's key results in ID order and the total
// number there are.
func (db *DB) KeyResults(ctx context.Context, goalID int64, page roadmap.Page) ([]*roadmap.KeyResult, int, error) {
	c := db.reader()
	page = strategyPage(page)
	q := strings.Replace(keyResultSelect, "SELECT ", "SELECT COUNT(*) OVER (), ", 1) + " WHERE k.goal_id = ? ORDER BY k.id LIMIT ? OFFSET ?"
	rows, err := c.query(ctx, q, goalID, page.PerPage, page.Offset())
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	var out []*roadmap.KeyResult
	total := 0
	for rows.Next() {
		k, err := scanKeyResult(strategyCounted{rows, &total})
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, k)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if len(out) == 0 && page.Offset() > 0 {
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM key_results WHERE goal_id = ?", goalID).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	if err := loadKeyResultRelations(ctx, c, out); err != nil {
		return nil, 0, db.wrap(err)
	}
	return out, total, nil
}

// CreateKeyResult adds a key result to a goal on behalf of a user; the user
// and the assignee watch it. Its reference number continues the goal's.
func (db *DB) CreateKeyResult(ctx context.Context, goalID, userID int64, in roadmap.KeyResultInput) (*roadmap.KeyResult, error) {
	var out *roadmap.KeyResult
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		productID, err := recordProduct(ctx, c, "goals", goalID)
		if err != nil {
			return err
		}
		k := &roadmap.KeyResult{
			GoalID:      goalID,
			ProductID:   productID,
			Progress:    new(int),
			Description: roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now},
			CreatedAt:   tx.now,
			UpdatedAt:   tx.now,
		}
		if err := roadmap.ApplyKeyResultInput(k, in, true, tx.now); err != nil {
			return err
		}
		if err := resolveKeyResultAssignee(ctx, c, k, in); err != nil {
			return err
		}
		watchers, err := resolveUserRefs(ctx, c, "watchers", in.Watchers.V)
		if err != nil {
			return err
		}
		status, err := kindStatus(ctx, c, productID, "key_result", "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		if k.ReferenceNum, err = tx.takeNumber(ctx, "goals", "key_result_seq", "reference_num", goalID, "key_results", roadmap.KeyResultReference); err != nil {
			return err
		}
		if k.Position, err = nextRecordPosition(ctx, c, "key_results", "goal_id", goalID); err != nil {
			return err
		}
		k.ID = tx.db.ids.next(tx.now)
		var statusID any
		if status != nil {
			statusID = status.ID
		}
		_, err = c.exec(ctx, `INSERT INTO key_results (id, goal_id, reference_num, name, position, progress, target_metric,
 starting_metric, current_metric, description_id, description_body, description_created_at, description_updated_at,
 workflow_status_id, assigned_to_user_id, default_assignee, created_by_id, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, goalID, k.ReferenceNum, k.Name, k.Position, k.Progress, nullableStrArg(k.TargetMetric),
			nullableStrArg(k.StartingMetric), nullableStrArg(k.CurrentMetric), k.Description.ID, k.Description.Body, ms(k.Description.CreatedAt), ms(k.Description.UpdatedAt),
			statusID, nullID(k.AssignedToID), k.DefaultAssignee, userID, ms(tx.now), ms(tx.now))
		if err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "key_result_watchers", "key_result_id", k.ID, "user_id", append([]int64{userID, k.AssignedToID}, watchers...), 0); err != nil {
			return err
		}
		if in.CustomFields.Set {
			if err := tx.setRecordCustomFields(ctx, "key_result_custom_fields", "key_result_id", k.ID, in.CustomFields.V); err != nil {
				return err
			}
		}
		if err := tx.touchRecords(ctx, "goals", []int64{goalID}); err != nil {
			return err
		}
		out, err = loadKeyResult(ctx, c, strconv.FormatInt(k.ID, 10))
		return err
	})
	return out, err
}

func resolveKeyResultAssignee(ctx context.Context, c conn, k *roadmap.KeyResult, in roadmap.KeyResultInput) error {
	if !in.AssignedTo.Set {
		return nil
	}
	k.AssignedToID, k.DefaultAssignee = 0, false
	if in.AssignedTo.Null || strings.TrimSpace(in.AssignedTo.V) == "" {
		return nil
	}
	u, err := resolveUser(ctx, c, "assigned_to_user", in.AssignedTo.V)
	if err != nil {
		return err
	}
	k.AssignedToID = u.ID
	return nil
}

// UpdateKeyResult changes a key result.
func (db *DB) UpdateKeyResult(ctx context.Context, id int64, in roadmap.KeyResultInput) (*roadmap.KeyResult, error) {
	var out *roadmap.KeyResult
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRecord(ctx, "key_results", id); err != nil {
			return err
		}
		key := strconv.FormatInt(id, 10)
		k, err := loadKeyResult(ctx, c, key)
		if err != nil {
			return err
		}
		if err := roadmap.ApplyKeyResultInput(k, in, false, tx.now); err != nil {
			return err
		}
		if err := resolveKeyResultAssignee(ctx, c, k, in); err != nil {
			return err
		}
		var watchers []int64
		if in.Watchers.Set {
			if watchers, err = resolveUserRefs(ctx, c, "watchers", in.Watchers.V); err != nil {
				return err
			}
		}
		statusID := int64(0)
		if k.WorkflowStatus != nil {
			statusID = k.WorkflowStatus.ID
		}
		if in.WorkflowStatus.Set {
			if in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "" {
				return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
			}
			st, err := kindStatus(ctx, c, k.ProductID, "key_result", "workflow_status", in.WorkflowStatus.V)
			if err != nil {
				return err
			}
			if st != nil {
				statusID = st.ID
			}
		}
		_, err = c.exec(ctx, `UPDATE key_results SET name = ?, target_metric = ?, starting_metric = ?, current_metric = ?,
 description_body = ?, description_updated_at = ?, workflow_status_id = ?, assigned_to_user_id = ?,
 default_assignee = ?, updated_at = ? WHERE id = ?`,
			k.Name, nullableStrArg(k.TargetMetric), nullableStrArg(k.StartingMetric), nullableStrArg(k.CurrentMetric),
			k.Description.Body, ms(k.Description.UpdatedAt), nullID(statusID), nullID(k.AssignedToID),
			k.DefaultAssignee, ms(tx.now), k.ID)
		if err != nil {
			return err
		}
		if in.Watchers.Set {
			if err := tx.setLinkSet(ctx, "key_result_watchers", "key_result_id", k.ID, "user_id", watchers, 0); err != nil {
				return err
			}
		}
		if in.CustomFields.Set {
			if err := tx.setRecordCustomFields(ctx, "key_result_custom_fields", "key_result_id", k.ID, in.CustomFields.V); err != nil {
				return err
			}
		}
		out, err = loadKeyResult(ctx, c, key)
		return err
	})
	return out, err
}

// DeleteKeyResult deletes a key result with its watchers and custom fields;
// its goal is touched.
func (db *DB) DeleteKeyResult(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRecord(ctx, "key_results", id); err != nil {
			return err
		}
		var goalID int64
		if err := c.queryRow(ctx, "SELECT goal_id FROM key_results WHERE id = ?", id).Scan(&goalID); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM key_results WHERE id = ?", id); err != nil {
			return err
		}
		return tx.touchRecords(ctx, "goals", []int64{goalID})
	})
}
