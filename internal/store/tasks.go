package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// A to-do is attached to at most one record through task_records, by Aha!'s
// record type name (Release, Feature, Epic, Requirement, ReleasePhase). A
// to-do on a product has the product and no record; a to-do on its own has
// neither.

var taskSelect = `SELECT t.id, COALESCE(t.product_id, 0), t.kind, t.name, t.body, t.due_date, t.status, t.position,
 t.created_by_id, t.created_at, t.updated_at, ` + userColsOf("cu") + `
 FROM tasks t JOIN users cu ON cu.id = t.created_by_id`

func scanTask(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.Task, error) {
	t := &roadmap.Task{}
	var due sql.NullString
	var pos sql.NullInt64
	var created, updated, uc, uu int64
	cu := &t.CreatedBy
	dest := append([]any{&t.ID, &t.ProductID, &t.Kind, &t.Name, &t.Body, &due, &t.Status, &pos,
		&t.CreatedByID, &created, &updated, &cu.ID, &cu.Name, &cu.Email, &cu.Admin, &uc, &uu}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	t.DueDate = due.String
	if pos.Valid {
		v := int(pos.Int64)
		t.Position = &v
	}
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	cu.CreatedAt, cu.UpdatedAt = fromMS(uc), fromMS(uu)
	return t, nil
}

// taskCountTables are the tables of the records to-dos attach to by type,
// whose rows keep the count of their to-dos of kind Task (task_count,
// migration 00025).
var taskCountTables = map[string]string{
	roadmap.TaskableRelease:      "releases",
	roadmap.TaskableFeature:      "features",
	roadmap.TaskableEpic:         "epics",
	roadmap.TaskableRequirement:  "requirements",
	roadmap.TaskableReleasePhase: "release_phases",
}

// taskRecordKind says how to read the records of one type that to-dos
// attach to: a SELECT of id, product_id, reference, name and whether it is a
// roll-up, from a table aliased x, and the columns of its ID and key ("" for
// records with numeric IDs only).
type taskRecordKind struct {
	from, idCol, keyCol string
}

var taskRecordKinds = map[string]taskRecordKind{
	roadmap.TaskableRelease:      {"SELECT x.id, x.product_id, x.reference_num, x.name, x.master_release FROM releases x", "x.id", "x.reference_num"},
	roadmap.TaskableFeature:      {"SELECT x.id, x.product_id, x.reference_num, x.name, FALSE FROM features x", "x.id", "x.reference_num"},
	roadmap.TaskableEpic:         {"SELECT x.id, x.product_id, x.reference_num, x.name, FALSE FROM epics x", "x.id", "x.reference_num"},
	roadmap.TaskableRequirement:  {"SELECT x.id, f.product_id, x.reference_num, x.name, FALSE FROM requirements x JOIN features f ON f.id = x.feature_id", "x.id", "x.reference_num"},
	roadmap.TaskableReleasePhase: {"SELECT x.id, r.product_id, '', x.name, FALSE FROM release_phases x JOIN releases r ON r.id = x.release_id", "x.id", ""},
	roadmap.TaskableProject:      {"SELECT x.id, x.id, x.reference_prefix, x.name, FALSE FROM products x", "x.id", "x.reference_prefix"},
}

func scanTaskRecord(sc interface{ Scan(...any) error }, typ string) (*roadmap.TaskRecord, error) {
	rec := &roadmap.TaskRecord{Type: typ}
	if err := sc.Scan(&rec.ID, &rec.ProductID, &rec.ReferenceNum, &rec.Name, &rec.Master); err != nil {
		return nil, err
	}
	return rec, nil
}

// resolveTaskRecord finds a record that to-dos attach to by type and
// numeric ID or key.
func resolveTaskRecord(ctx context.Context, c conn, typ, key string) (*roadmap.TaskRecord, error) {
	k, ok := taskRecordKinds[typ]
	if !ok {
		return nil, roadmap.FieldErrorf("taskable_type", "taskable_type %q is not valid", typ)
	}
	key = strings.TrimSpace(key)
	what := strings.ToLower(typ)
	if typ == roadmap.TaskableReleasePhase {
		what = "release phase"
	}
	if k.keyCol == "" {
		if _, err := strconv.ParseInt(key, 10, 64); err != nil {
			return nil, notFound(what, key)
		}
	}
	cond, arg := keyClause(k.idCol, k.keyCol, key)
	rec, err := scanTaskRecord(c.queryRow(ctx, k.from+" WHERE "+cond, arg), typ)
	if err != nil {
		return nil, scanErr(err, what, key)
	}
	return rec, nil
}

// TaskRecord finds the record of a type (Release, Feature, Epic,
// Requirement, ReleasePhase or Project) that to-dos attach to, by numeric ID
// or key.
func (db *DB) TaskRecord(ctx context.Context, typ, key string) (*roadmap.TaskRecord, error) {
	rec, err := resolveTaskRecord(ctx, db.reader(), typ, key)
	return rec, db.wrap(err)
}

// todosDone says, per to-do attached to a record, whether it is done.
func todosDone(ctx context.Context, c conn, typ string, id int64) ([]bool, error) {
	rows, err := c.query(ctx, "SELECT t.status FROM tasks t JOIN task_records tr ON tr.task_id = t.id WHERE tr.record_type = ? AND tr.record_id = ? ORDER BY t.id", typ, id)
	if err != nil {
		return nil, err
	}
	var out []bool
	for rows.Next() {
		var status string
		if err := rows.Scan(&status); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, status == roadmap.TaskComplete)
	}
	return out, closeRows(rows)
}

// Task returns a to-do by numeric ID, loaded for its full representation.
func (db *DB) Task(ctx context.Context, key string) (*roadmap.Task, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(key), 10, 64)
	if err != nil || id <= 0 {
		return nil, notFound("task", key)
	}
	t, err := loadTask(ctx, db.reader(), id)
	return t, db.wrap(err)
}

func loadTask(ctx context.Context, c conn, id int64) (*roadmap.Task, error) {
	t, err := scanTask(c.queryRow(ctx, taskSelect+" WHERE t.id = ?", id))
	if err != nil {
		return nil, scanErr(err, "task", strconv.FormatInt(id, 10))
	}
	if err := loadTaskRelations(ctx, c, []*roadmap.Task{t}); err != nil {
		return nil, err
	}
	return t, nil
}

// Tasks returns a page of to-dos in ID order and the total that match.
func (db *DB) Tasks(ctx context.Context, f roadmap.TaskFilter) ([]*roadmap.Task, int, error) {
	ts, total, err := listTasks(ctx, db.reader(), f)
	return ts, total, db.wrap(err)
}

func listTasks(ctx context.Context, c conn, f roadmap.TaskFilter) ([]*roadmap.Task, int, error) {
	kind := f.Kind
	if kind == "" {
		kind = roadmap.TaskKindTask
	}
	where, args := []string{"t.kind = ?"}, []any{kind}
	// A record's or a user's to-dos are read from the index of their links
	// in to-do order, first (SQLite takes the left side of a CROSS JOIN
	// first), so that a page reads its rows only.
	from, sel, id := " FROM tasks t", taskSelect, "t.id"
	switch {
	case f.ProductID != 0:
		where, args = append(where, "t.product_id = ?"), append(args, f.ProductID)
	case f.Record != nil:
		from, id = " FROM task_records tr CROSS JOIN tasks t", "tr.task_id"
		where, args = append(where, "tr.task_id = t.id", "tr.record_type = ?", "tr.record_id = ?"), append(args, f.Record.Type, f.Record.ID)
	case f.AssigneeID != 0:
		from, id = " FROM task_assignees ta CROSS JOIN tasks t", "ta.task_id"
		where, args = append(where, "ta.task_id = t.id", "ta.user_id = ?"), append(args, f.AssigneeID)
	}
	if from != " FROM tasks t" {
		sel = strings.Replace(taskSelect, " FROM tasks t", from, 1)
	}
	if f.UpdatedSince != nil {
		where, args = append(where, "t.updated_at > ?"), append(args, ms(*f.UpdatedSince))
	}
	if f.VisibleTo != 0 {
		where = append(where, "(t.product_id IN ("+visibleProducts+") OR (t.product_id IS NULL AND (t.created_by_id = ? OR t.id IN (SELECT task_id FROM task_assignees WHERE user_id = ?))))")
		args = append(args, f.VisibleTo, f.VisibleTo, f.VisibleTo, f.VisibleTo)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var out []*roadmap.Task
	l := pagedList{count: "SELECT COUNT(*)" + from + cond, countArgs: args, selectFrom: sel, cond: cond, args: args, id: id,
		filtered: f.UpdatedSince != nil}
	// The whole list of tasks of a product or a record takes its total
	// from the count that the product or record keeps; the account's adds
	// the to-dos without a product, counted through their index.
	if kind == roadmap.TaskKindTask && f.UpdatedSince == nil {
		switch {
		case f.ProductID != 0:
			l.count, l.countArgs = keptTotal("products", "task_count", f.ProductID, f.VisibleTo)
		case f.Record != nil:
			if table, ok := taskCountTables[f.Record.Type]; ok && f.VisibleTo == 0 {
				l.count, l.countArgs = keptTotal(table, "task_count", f.Record.ID, 0)
			}
		case f.AssigneeID == 0:
			q, a := accountTotal("task_count", f.VisibleTo)
			own, ownArgs := "", []any{kind}
			if f.VisibleTo != 0 {
				own, ownArgs = " AND (t.created_by_id = ? OR t.id IN (SELECT task_id FROM task_assignees WHERE user_id = ?))", append(ownArgs, f.VisibleTo, f.VisibleTo)
			}
			l.count = "SELECT (" + q + ") + (SELECT COUNT(*) FROM tasks t WHERE t.product_id IS NULL AND t.kind = ?" + own + ")"
			l.countArgs = append(a, ownArgs...)
		}
	}
	total, err := l.run(ctx, c, normalPage(f.Page), func(rows *sql.Rows) error {
		t, err := scanTask(rows)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if f.Full {
		if err := loadTaskRelations(ctx, c, out); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// loadTaskRelations fills the assignees and the record of each to-do, with
// one query for the assignees, one for the attachments and one per type of
// record attached: never a query per to-do.
func loadTaskRelations(ctx context.Context, c conn, ts []*roadmap.Task) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[int64]*roadmap.Task, len(ts))
	ids := make([]int64, len(ts))
	for i, t := range ts {
		byID[t.ID] = t
		ids[i] = t.ID
	}
	if err := setCommentCounts(ctx, c, roadmap.CommentOnTask, ids, func(id int64, n int) { byID[id].CommentsCount = n }); err != nil {
		return err
	}
	in := "(" + placeholders(len(ids)) + ")"
	rows, err := c.query(ctx, "SELECT a.task_id, a.id, a.status, a.completed_at, "+userCols+" FROM task_assignees a JOIN users u ON u.id = a.user_id WHERE a.task_id IN "+in+" ORDER BY a.task_id, u.id", int64Args(ids)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var tid int64
		var completed sql.NullInt64
		var a roadmap.TaskAssignee
		if err := scanUser(assigneeRow{rows, []any{&tid, &a.ID, &a.Status, &completed}}, &a.User); err != nil {
			rows.Close()
			return err
		}
		if completed.Valid {
			at := fromMS(completed.Int64)
			a.CompletedAt = &at
		}
		byID[tid].Assignees = append(byID[tid].Assignees, a)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	attached, err := taskAttachments(ctx, c, ids)
	if err != nil {
		return err
	}
	want := map[string][]int64{}
	for _, t := range ts {
		if recs := attached[t.ID]; len(recs) > 0 {
			want[recs[0].Type] = append(want[recs[0].Type], recs[0].ID)
		} else if t.ProductID != 0 {
			want[roadmap.TaskableProject] = append(want[roadmap.TaskableProject], t.ProductID)
		}
	}
	found := map[string]map[int64]*roadmap.TaskRecord{}
	for typ, rids := range want {
		k, ok := taskRecordKinds[typ]
		if !ok {
			continue
		}
		rids = sortedIDs(rids)
		rows, err := c.query(ctx, k.from+" WHERE "+k.idCol+" IN ("+placeholders(len(rids))+")", int64Args(rids)...)
		if err != nil {
			return err
		}
		found[typ] = map[int64]*roadmap.TaskRecord{}
		for rows.Next() {
			rec, err := scanTaskRecord(rows, typ)
			if err != nil {
				rows.Close()
				return err
			}
			found[typ][rec.ID] = rec
		}
		if err := closeRows(rows); err != nil {
			return err
		}
	}
	for _, t := range ts {
		if recs := attached[t.ID]; len(recs) > 0 {
			t.Record = found[recs[0].Type][recs[0].ID]
		} else if t.ProductID != 0 {
			t.Record = found[roadmap.TaskableProject][t.ProductID]
		}
	}
	return nil
}

// assigneeRow scans a row whose first columns go to lead, then a user.
type assigneeRow struct {
	rows *sql.Rows
	lead []any
}

func (r assigneeRow) Scan(dest ...any) error { return r.rows.Scan(append(r.lead, dest...)...) }

// taskAttachments returns the records each to-do is attached to, by type
// and ID only.
func taskAttachments(ctx context.Context, c conn, ids []int64) (map[int64][]roadmap.TaskRecord, error) {
	rows, err := c.query(ctx, "SELECT task_id, record_type, record_id FROM task_records WHERE task_id IN ("+placeholders(len(ids))+") ORDER BY task_id, record_type, record_id", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	out := map[int64][]roadmap.TaskRecord{}
	for rows.Next() {
		var tid int64
		var rec roadmap.TaskRecord
		if err := rows.Scan(&tid, &rec.Type, &rec.ID); err != nil {
			rows.Close()
			return nil, err
		}
		out[tid] = append(out[tid], rec)
	}
	return out, closeRows(rows)
}

// CreateTask creates a to-do on behalf of a user, attached to rec (nil for
// none), and brings the progress that its record computes from to-dos up
// to date.
func (db *DB) CreateTask(ctx context.Context, userID int64, rec *roadmap.TaskRecord, in roadmap.TaskInput) (*roadmap.Task, error) {
	var out *roadmap.Task
	err := db.inTx(ctx, func(tx *Tx) error {
		t := &roadmap.Task{CreatedByID: userID, CreatedAt: tx.now, UpdatedAt: tx.now}
		if err := roadmap.ApplyTaskInput(t, in, true); err != nil {
			return err
		}
		if err := tx.attachTask(ctx, t, rec); err != nil {
			return err
		}
		if err := tx.assignTask(ctx, t, in.Assignees.V); err != nil {
			return err
		}
		t.ID = tx.db.ids.next(tx.now)
		if err := tx.insertTask(ctx, t); err != nil {
			return err
		}
		var recs []roadmap.TaskRecord
		if t.Record != nil {
			recs = append(recs, *t.Record)
		}
		if err := tx.recomputeTodoWork(ctx, recs); err != nil {
			return err
		}
		var err error
		out, err = loadTask(ctx, tx.conn(), t.ID)
		return err
	})
	return out, err
}

// attachTask attaches t to rec, or to nothing for nil: it takes rec's
// product, and a position after the other to-dos of rec.
func (tx *Tx) attachTask(ctx context.Context, t *roadmap.Task, rec *roadmap.TaskRecord) error {
	if rec == nil {
		t.Record, t.ProductID, t.Position = nil, 0, nil
		return nil
	}
	c := tx.conn()
	fresh, err := resolveTaskRecord(ctx, c, rec.Type, strconv.FormatInt(rec.ID, 10))
	if err != nil {
		if roadmap.IsNotFound(err) {
			return roadmap.FieldErrorf("taskable_id", "taskable_id: no %s %d", rec.Type, rec.ID)
		}
		return err
	}
	var pos int
	if fresh.Type == roadmap.TaskableProject {
		err = c.queryRow(ctx, "SELECT COALESCE(MAX(t.position), 0) + 1 FROM tasks t WHERE t.product_id = ? AND t.id <> ? AND NOT EXISTS (SELECT 1 FROM task_records tr WHERE tr.task_id = t.id)",
			fresh.ID, t.ID).Scan(&pos)
	} else {
		err = c.queryRow(ctx, "SELECT COALESCE(MAX(t.position), 0) + 1 FROM tasks t JOIN task_records tr ON tr.task_id = t.id WHERE tr.record_type = ? AND tr.record_id = ? AND t.id <> ?",
			fresh.Type, fresh.ID, t.ID).Scan(&pos)
	}
	if err != nil {
		return err
	}
	t.Record, t.ProductID, t.Position = fresh, fresh.ProductID, &pos
	return nil
}

// assignTask makes the users named by refs (IDs or emails) the to-do's
// assignees, in user ID order. Users assigned already keep their assignment;
// new ones start as the to-do stands: done when it is complete.
func (tx *Tx) assignTask(ctx context.Context, t *roadmap.Task, refs []string) error {
	old := map[int64]roadmap.TaskAssignee{}
	for _, a := range t.Assignees {
		old[a.User.ID] = a
	}
	out := []roadmap.TaskAssignee{}
	seen := map[int64]bool{}
	for _, ref := range refs {
		if strings.TrimSpace(ref) == "" {
			continue
		}
		u, err := resolveUser(ctx, tx.conn(), "assigned_to_users", ref)
		if err != nil {
			return err
		}
		if seen[u.ID] {
			continue
		}
		seen[u.ID] = true
		a, ok := old[u.ID]
		if !ok {
			a = roadmap.TaskAssignee{ID: tx.db.ids.next(tx.now), User: *u, Status: roadmap.TaskPending}
			if t.Status == roadmap.TaskComplete {
				now := tx.now
				a.Status, a.CompletedAt = roadmap.TaskComplete, &now
			}
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b roadmap.TaskAssignee) int { return cmp.Compare(a.User.ID, b.User.ID) })
	t.Assignees = out
	return nil
}

func (tx *Tx) insertTask(ctx context.Context, t *roadmap.Task) error {
	c := tx.conn()
	if _, err := c.exec(ctx, "INSERT INTO tasks (id, product_id, kind, name, body, due_date, status, position, created_by_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		t.ID, nullID(t.ProductID), t.Kind, t.Name, t.Body, nullStr(t.DueDate), t.Status, t.Position, t.CreatedByID, ms(t.CreatedAt), ms(t.UpdatedAt)); err != nil {
		return err
	}
	if err := tx.insertTaskRecord(ctx, t); err != nil {
		return err
	}
	return tx.insertAssignees(ctx, t)
}

func (tx *Tx) insertTaskRecord(ctx context.Context, t *roadmap.Task) error {
	if t.Record == nil || t.Record.Type == roadmap.TaskableProject {
		return nil
	}
	_, err := tx.conn().exec(ctx, "INSERT INTO task_records (task_id, record_type, record_id) VALUES (?, ?, ?)", t.ID, t.Record.Type, t.Record.ID)
	return err
}

func (tx *Tx) insertAssignees(ctx context.Context, t *roadmap.Task) error {
	for _, a := range t.Assignees {
		var completed any
		if a.CompletedAt != nil {
			completed = ms(*a.CompletedAt)
		}
		if _, err := tx.conn().exec(ctx, "INSERT INTO task_assignees (id, task_id, user_id, status, completed_at) VALUES (?, ?, ?, ?, ?)",
			a.ID, t.ID, a.User.ID, a.Status, completed); err != nil {
			return err
		}
	}
	return nil
}

// UpdateTask changes a to-do. With move set it is attached to rec (nil for
// none) instead of its record. Completing a to-do completes the part of each
// assignee; re-opening it re-opens every part. The progress that its old and
// new records compute from to-dos follows.
func (db *DB) UpdateTask(ctx context.Context, id int64, move bool, rec *roadmap.TaskRecord, in roadmap.TaskInput) (*roadmap.Task, error) {
	var out *roadmap.Task
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockTask(ctx, id); err != nil {
			return err
		}
		t, err := loadTask(ctx, c, id)
		if err != nil {
			return err
		}
		tx.resetNow(t.UpdatedAt)
		before, err := taskAttachments(ctx, c, []int64{id})
		if err != nil {
			return err
		}
		oldRecs, oldStatus := before[id], t.Status
		if err := roadmap.ApplyTaskInput(t, in, false); err != nil {
			return err
		}
		moved := false
		if move {
			var current *roadmap.TaskRecord
			switch {
			case len(oldRecs) > 0:
				current = &oldRecs[0]
			case t.ProductID != 0:
				current = &roadmap.TaskRecord{Type: roadmap.TaskableProject, ID: t.ProductID}
			}
			if !sameRecord(current, rec) || len(oldRecs) > 1 {
				if err := tx.attachTask(ctx, t, rec); err != nil {
					return err
				}
				moved = true
			}
		}
		if in.Assignees.Set {
			if err := tx.assignTask(ctx, t, in.Assignees.V); err != nil {
				return err
			}
		}
		if t.Status != oldStatus {
			for i := range t.Assignees {
				a := &t.Assignees[i]
				switch {
				case t.Status == roadmap.TaskPending:
					a.Status, a.CompletedAt = roadmap.TaskPending, nil
				case t.Status == roadmap.TaskComplete && a.Status != roadmap.TaskComplete:
					now := tx.now
					a.Status, a.CompletedAt = roadmap.TaskComplete, &now
				}
			}
		}
		t.UpdatedAt = tx.now
		if _, err := c.exec(ctx, "UPDATE tasks SET product_id = ?, kind = ?, name = ?, body = ?, due_date = ?, status = ?, position = ?, updated_at = ? WHERE id = ?",
			nullID(t.ProductID), t.Kind, t.Name, t.Body, nullStr(t.DueDate), t.Status, t.Position, ms(t.UpdatedAt), t.ID); err != nil {
			return err
		}
		if moved {
			if _, err := c.exec(ctx, "DELETE FROM task_records WHERE task_id = ?", t.ID); err != nil {
				return err
			}
			if err := tx.insertTaskRecord(ctx, t); err != nil {
				return err
			}
		}
		if in.Assignees.Set || t.Status != oldStatus {
			if _, err := c.exec(ctx, "DELETE FROM task_assignees WHERE task_id = ?", t.ID); err != nil {
				return err
			}
			if err := tx.insertAssignees(ctx, t); err != nil {
				return err
			}
		}
		if moved || t.Status != oldStatus {
			recs := oldRecs
			if moved && t.Record != nil {
				recs = append(recs, *t.Record)
			}
			if err := tx.recomputeTodoWork(ctx, recs); err != nil {
				return err
			}
		}
		out, err = loadTask(ctx, c, id)
		return err
	})
	return out, err
}

func sameRecord(a, b *roadmap.TaskRecord) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Type == b.Type && a.ID == b.ID
}

// DeleteTask deletes a to-do with its attachments and assignments; the
// progress that its record computed from it follows.
func (db *DB) DeleteTask(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockTask(ctx, id); err != nil {
			return err
		}
		recs, err := taskAttachments(ctx, c, []int64{id})
		if err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM task_records WHERE task_id = ?", "DELETE FROM task_assignees WHERE task_id = ?", "DELETE FROM tasks WHERE id = ?"} {
			if _, err := c.exec(ctx, q, id); err != nil {
				return err
			}
		}
		return tx.recomputeTodoWork(ctx, recs[id])
	})
}

// lockTask locks a to-do row until the transaction ends.
func (tx *Tx) lockTask(ctx context.Context, id int64) error {
	return scanErr(tx.lockRow(ctx, "tasks", id), "task", strconv.FormatInt(id, 10))
}

// recomputeTodoWork brings up to date what the to-dos of the given records
// feed: the progress of release phases and features that compute theirs
// from to-dos, then, through recomputeWork, the epics and releases the
// to-dos are on and the releases of those phases and features.
func (tx *Tx) recomputeTodoWork(ctx context.Context, recs []roadmap.TaskRecord) error {
	var phases, features, epics, releases []int64
	for _, r := range recs {
		switch r.Type {
		case roadmap.TaskableReleasePhase:
			phases = append(phases, r.ID)
		case roadmap.TaskableFeature:
			features = append(features, r.ID)
		case roadmap.TaskableEpic:
			epics = append(epics, r.ID)
		case roadmap.TaskableRelease:
			releases = append(releases, r.ID)
		}
	}
	rels, err := tx.recomputePhases(ctx, phases)
	if err != nil {
		return err
	}
	releases = append(releases, rels...)
	fEpics, fReleases, err := tx.recomputeFeatureTodos(ctx, features)
	if err != nil {
		return err
	}
	return tx.recomputeWork(ctx, append(epics, fEpics...), append(releases, fReleases...))
}

// recomputeFeatureTodos brings the progress of the given features that
// compute theirs from to-dos (progress_from_todos) up to date, and returns
// the epics and releases of those whose progress changed.
func (tx *Tx) recomputeFeatureTodos(ctx context.Context, ids []int64) (epics, releases []int64, err error) {
	c := tx.conn()
	for _, id := range sortedIDs(ids) {
		if err := tx.lockRow(ctx, "features", id); err != nil {
			if isNoRows(err) {
				continue
			}
			return nil, nil, err
		}
		var source string
		var progress sql.NullInt64
		var release, epic int64
		if err := c.queryRow(ctx, "SELECT progress_source, progress, release_id, COALESCE(epic_id, 0) FROM features WHERE id = ?", id).
			Scan(&source, &progress, &release, &epic); err != nil {
			return nil, nil, err
		}
		if source != roadmap.ProgressFromTodos {
			continue
		}
		todos, err := todosDone(ctx, c, roadmap.TaskableFeature, id)
		if err != nil {
			return nil, nil, err
		}
		v := roadmap.DoneShare(todos)
		if progress.Valid && progress.Int64 == int64(v) {
			continue
		}
		if _, err := c.exec(ctx, "UPDATE features SET progress = ?, updated_at = ? WHERE id = ?", v, ms(tx.now), id); err != nil {
			return nil, nil, err
		}
		epics, releases = append(epics, epic), append(releases, release)
	}
	return epics, releases, nil
}
