package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Goals, initiatives and key results share the helpers of this file:
// workflow statuses by record kind, time frames, user and record links,
// status history, custom fields, reference numbers and computed progress.

// maxStrategyDepth bounds walks up and down the trees of goals and
// initiatives.
const maxStrategyDepth = 32

// workflowOf is the SQL of the workflow a kind of record follows in product p
// (with its product line pl): the product's own, else its line's. Key results
// fall back to the goal workflow when no key result workflow is set.
var workflowOf = map[string]string{
	"goal":       "COALESCE(p.goal_workflow_id, pl.goal_workflow_id)",
	"initiative": "COALESCE(p.initiative_workflow_id, pl.initiative_workflow_id)",
	"key_result": "COALESCE(p.key_result_workflow_id, pl.key_result_workflow_id, p.goal_workflow_id, pl.goal_workflow_id)",
}

// kindStatus resolves a workflow status of the product's workflow for kind
// by name (case-insensitive) or ID; ref "" gives the first status, or nil
// when the product has no such workflow.
func kindStatus(ctx context.Context, c conn, productID int64, kind, field, ref string) (*roadmap.WorkflowStatus, error) {
	base := "SELECT " + statusCols + " FROM workflow_statuses s WHERE s.workflow_id = (SELECT " + workflowOf[kind] +
		" FROM products p LEFT JOIN products pl ON pl.id = p.parent_id WHERE p.id = ?)"
	var s roadmap.WorkflowStatus
	var err error
	ref = strings.TrimSpace(ref)
	switch n, perr := strconv.ParseInt(ref, 10, 64); {
	case ref == "":
		err = scanStatus(c.queryRow(ctx, base+" ORDER BY s.position, s.id LIMIT 1", productID), &s)
		if isNoRows(err) {
			return nil, nil
		}
	case perr == nil:
		err = scanStatus(c.queryRow(ctx, base+" AND s.id = ?", productID, n), &s)
	default:
		err = scanStatus(c.queryRow(ctx, base+" AND lower(s.name) = lower(?) ORDER BY s.position, s.id LIMIT 1", productID, ref), &s)
	}
	if isNoRows(err) {
		return nil, roadmap.FieldErrorf(field, "%s %q is not a status of this product's %s workflow", field, ref, strings.ReplaceAll(kind, "_", " "))
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// resolveTimeFrame finds a time frame by numeric ID or name; "" is none.
func resolveTimeFrame(ctx context.Context, c conn, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0, nil
	}
	// Time frames are named after years, so a number is an ID, or else a name.
	var id int64
	err := errNoRows
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		err = c.queryRow(ctx, "SELECT id FROM time_frames WHERE id = ?", n).Scan(&id)
	}
	if isNoRows(err) {
		err = c.queryRow(ctx, "SELECT id FROM time_frames WHERE lower(name) = lower(?) ORDER BY id LIMIT 1", ref).Scan(&id)
	}
	if isNoRows(err) {
		return 0, roadmap.FieldErrorf("time_frame", "time_frame: no time frame %q", ref)
	}
	return id, err
}

// resolveUserRefs resolves user references (IDs or emails) in order, without
// duplicates.
func resolveUserRefs(ctx context.Context, c conn, field string, refs []string) ([]int64, error) {
	out := []int64{}
	seen := map[int64]bool{}
	for _, ref := range refs {
		if strings.TrimSpace(ref) == "" {
			continue
		}
		u, err := resolveUser(ctx, c, field, ref)
		if err != nil {
			return nil, err
		}
		if !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u.ID)
		}
	}
	return out, nil
}

// resolveRecords resolves references to goals, initiatives or releases (by
// numeric ID, reference number or name) to IDs, in order, without
// duplicates. With visibleTo set, records of products that user may not
// see are unknown, as they are to it everywhere else.
func resolveRecords(ctx context.Context, c conn, table, field string, refs []string, visibleTo int64) ([]int64, error) {
	out := []int64{}
	seen := map[int64]bool{}
	vis, visArgs := "", []any{}
	if visibleTo != 0 {
		vis, visArgs = " AND product_id IN ("+visibleProducts+")", []any{visibleTo, visibleTo}
	}
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		var id int64
		var err error
		if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			err = c.queryRow(ctx, "SELECT id FROM "+table+" WHERE id = ?"+vis, append([]any{n}, visArgs...)...).Scan(&id)
		} else {
			err = c.queryRow(ctx, "SELECT id FROM "+table+" WHERE (reference_num = ? OR name = ?)"+vis+" ORDER BY CASE WHEN reference_num = ? THEN 0 ELSE 1 END, id LIMIT 1",
				append(append([]any{ref, ref}, visArgs...), ref)...).Scan(&id)
		}
		if isNoRows(err) {
			return nil, roadmap.FieldErrorf(field, "%s: no %s %q", field, singular(table), ref)
		}
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// setLinkSet replaces the rows of a link table that hang off one record: the
// rows with ownerCol = owner get otherCol in ids. It is the one writer of
// link rows, whichever side of a link writes them: it deletes only the rows
// that leave and inserts only those that join, in the order given; an insert
// that meets the same link written at once from the other side (or by a
// concurrent writer of this one) keeps that row instead of failing on the
// primary key, on both engines. Two writers that ask for one link from its
// two sides thus both succeed, and both records show it.
//
// With visibleTo set, the write runs on behalf of that user and replaces only
// the part of the set it may see: links to records of products it may not
// see (see replaceableLinkedIDs) stay as they are, whatever ids says, as the
// products a roll-up collects do.
func (tx *Tx) setLinkSet(ctx context.Context, table, ownerCol string, owner int64, otherCol string, ids []int64, visibleTo int64) error {
	c := tx.conn()
	var gone, added []int64
	key := table + ":" + strconv.FormatInt(owner, 10)
	if tx.created[owner] && !tx.linked[key] {
		// A record this transaction created has no links yet but those
		// the transaction set, and none in this table.
		added = wantedLinks(ids)
	} else {
		var err error
		if gone, added, err = linkSetChange(ctx, c, table, ownerCol, owner, otherCol, ids, visibleTo); err != nil {
			return err
		}
	}
	if tx.created[owner] {
		if tx.linked == nil {
			tx.linked = map[string]bool{}
		}
		tx.linked[key] = true
	}
	if len(gone) > 0 {
		if _, err := c.exec(ctx, "DELETE FROM "+table+" WHERE "+ownerCol+" = ? AND "+otherCol+" IN ("+placeholders(len(gone))+")",
			append([]any{owner}, int64Args(gone)...)...); err != nil {
			return err
		}
	}
	for _, id := range added {
		if _, err := c.exec(ctx, "INSERT INTO "+table+" ("+ownerCol+", "+otherCol+") VALUES (?, ?) ON CONFLICT DO NOTHING", owner, id); err != nil {
			return err
		}
	}
	return nil
}

// linkSetChange returns what setLinkSet, given the same arguments, removes
// from the link set (gone) and adds to it (added), in the order given.
func linkSetChange(ctx context.Context, c conn, table, ownerCol string, owner int64, otherCol string, ids []int64, visibleTo int64) (gone, added []int64, err error) {
	want := wantedLinks(ids)
	old, err := linkedIDs(ctx, c, table, ownerCol, owner, otherCol)
	if err != nil {
		return nil, nil, err
	}
	// All of them may be replaced unless the set is replaced per user: no
	// second read of the same links then.
	mine := old
	if _, perUser := productRecordTables[otherCol]; perUser && visibleTo != 0 {
		if mine, err = replaceableLinkedIDs(ctx, c, table, ownerCol, owner, otherCol, visibleTo); err != nil {
			return nil, nil, err
		}
	}
	for _, id := range mine {
		if !slices.Contains(want, id) {
			gone = append(gone, id)
		}
	}
	for _, id := range want {
		if !slices.Contains(old, id) {
			added = append(added, id)
		}
	}
	return gone, added, nil
}

// wantedLinks returns the IDs of ids that a link set holds: each once, in
// the order given, without zero.
func wantedLinks(ids []int64) []int64 {
	var want []int64
	for _, id := range ids {
		if id != 0 && !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	return want
}

// productRecordTables names, by the link column that points at them, the
// tables of records that belong to a product, and so may be hidden from a
// user: a link set that points at them is replaced per user.
var productRecordTables = map[string]string{
	"goal_id":       "goals",
	"initiative_id": "initiatives",
	"release_id":    "releases",
}

// replaceableLinkedIDs returns the otherCol values linked to owner in table
// that a write on behalf of visibleTo may remove: all of them when visibleTo
// is 0 or otherCol points at records that belong to no product (users), else
// only those of records of products that user may see.
func replaceableLinkedIDs(ctx context.Context, c conn, table, ownerCol string, owner int64, otherCol string, visibleTo int64) ([]int64, error) {
	other, ok := productRecordTables[otherCol]
	if visibleTo == 0 || !ok {
		return linkedIDs(ctx, c, table, ownerCol, owner, otherCol)
	}
	vis, visArgs := visibleProductClause("o.product_id", visibleTo)
	return scanIDs(ctx, c, "SELECT l."+otherCol+" FROM "+table+" l JOIN "+other+" o ON o.id = l."+otherCol+" WHERE l."+ownerCol+" = ?"+vis,
		append([]any{owner}, visArgs...)...)
}

// visibleProductClause is the condition, " AND col IN (...)", that keeps only
// rows whose product col the user visibleTo may see, with its arguments; it
// is empty for 0, who sees everything.
func visibleProductClause(col string, visibleTo int64) (string, []any) {
	if visibleTo == 0 {
		return "", nil
	}
	return " AND " + col + " IN (" + visibleProducts + ")", []any{visibleTo, visibleTo}
}

// linkedIDs returns the otherCol values linked to owner in table.
func linkedIDs(ctx context.Context, c conn, table, ownerCol string, owner int64, otherCol string) ([]int64, error) {
	return scanIDs(ctx, c, "SELECT "+otherCol+" FROM "+table+" WHERE "+ownerCol+" = ?", owner)
}

// scanIDs runs a query of one ID column and returns the IDs.
func scanIDs(ctx context.Context, c conn, q string, args ...any) ([]int64, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, id)
	}
	return out, closeRows(rows)
}

// touchRecords sets updated_at of the records in table with these IDs, whose
// representation changed through a link, locking them in ID order.
func (tx *Tx) touchRecords(ctx context.Context, table string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	ids = sortedIDs(ids)
	for _, id := range ids {
		if err := tx.lockRow(ctx, table, id); err != nil && !isNoRows(err) {
			return err
		}
	}
	_, err := tx.conn().exec(ctx, "UPDATE "+table+" SET updated_at = ? WHERE id IN ("+placeholders(len(ids))+")",
		append([]any{ms(tx.now)}, int64Args(ids)...)...)
	return err
}

// symmetricDiff returns the IDs in exactly one of a and b.
func symmetricDiff(a, b []int64) []int64 {
	in := map[int64]int{}
	for _, id := range a {
		in[id] |= 1
	}
	for _, id := range b {
		in[id] |= 2
	}
	var out []int64
	for id, m := range in {
		if m != 3 {
			out = append(out, id)
		}
	}
	return out
}

// insertKindStatusTime records the start of a status in a history table.
func (tx *Tx) insertKindStatusTime(ctx context.Context, table, ownerCol string, owner int64, st roadmap.WorkflowStatus) error {
	_, err := tx.conn().exec(ctx, "INSERT INTO "+table+" (id, "+ownerCol+", status_id, status_name, started_at) VALUES (?, ?, ?, ?, ?)",
		tx.db.ids.next(tx.now), owner, st.ID, st.Name, ms(tx.now))
	return err
}

// changeKindStatus ends the open span of a status history and starts one.
func (tx *Tx) changeKindStatus(ctx context.Context, table, ownerCol string, owner int64, st roadmap.WorkflowStatus) error {
	if _, err := tx.conn().exec(ctx, "UPDATE "+table+" SET ended_at = ? WHERE "+ownerCol+" = ? AND ended_at IS NULL", ms(tx.now), owner); err != nil {
		return err
	}
	return tx.insertKindStatusTime(ctx, table, ownerCol, owner, st)
}

// recordStatusTimes loads the status histories of records from a history table.
func recordStatusTimes(ctx context.Context, c conn, table, ownerCol string, ids []int64) (map[int64][]roadmap.StatusTime, error) {
	out := map[int64][]roadmap.StatusTime{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+ownerCol+", status_id, status_name, started_at, ended_at FROM "+table+" WHERE "+ownerCol+" IN ("+placeholders(len(ids))+") ORDER BY "+ownerCol+", started_at, id", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var owner, started int64
		var ended sql.NullInt64
		var st roadmap.StatusTime
		if err := rows.Scan(&owner, &st.StatusID, &st.StatusName, &started, &ended); err != nil {
			rows.Close()
			return nil, err
		}
		st.StartedAt = fromMS(started)
		if ended.Valid {
			t := fromMS(ended.Int64)
			st.EndedAt = &t
		}
		out[owner] = append(out[owner], st)
	}
	return out, closeRows(rows)
}

// recordWatchers loads the watchers of records from a watcher table, by user ID.
func recordWatchers(ctx context.Context, c conn, table, ownerCol string, ids []int64) (map[int64][]roadmap.User, error) {
	out := map[int64][]roadmap.User{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT w."+ownerCol+", "+userCols+" FROM "+table+" w JOIN users u ON u.id = w.user_id WHERE w."+ownerCol+" IN ("+placeholders(len(ids))+") ORDER BY w."+ownerCol+", u.id", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var owner int64
		var u roadmap.User
		if err := scanUser(prefixed{rows, &owner}, &u); err != nil {
			rows.Close()
			return nil, err
		}
		out[owner] = append(out[owner], u)
	}
	return out, closeRows(rows)
}

// recordCustomFields loads the custom field values of records from a table.
func recordCustomFields(ctx context.Context, c conn, table, ownerCol string, ids []int64) (map[int64][]roadmap.CustomField, error) {
	out := map[int64][]roadmap.CustomField{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+ownerCol+", id, key, name, type, value, created_at, updated_at FROM "+table+" WHERE "+ownerCol+" IN ("+placeholders(len(ids))+") ORDER BY "+ownerCol+", position, id", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var owner, created, updated int64
		var cf roadmap.CustomField
		if err := rows.Scan(&owner, &cf.ID, &cf.Key, &cf.Name, &cf.Type, &cf.Value, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		cf.CreatedAt, cf.UpdatedAt = fromMS(created), fromMS(updated)
		out[owner] = append(out[owner], cf)
	}
	return out, closeRows(rows)
}

// takeNumber takes the next number of a counter column in the row id of
// table and returns it with the row's prefix column; the UPDATE locks the row
// until the transaction ends, so concurrent creates get distinct numbers.
// format makes the reference from prefix and number; numbers whose reference
// is already taken in refTable (a record kept from before the counter, or a
// renamed prefix) are skipped.
func (tx *Tx) takeNumber(ctx context.Context, table, seqCol, prefixCol string, id int64, refTable string, format func(string, int64) string) (string, error) {
	c := tx.conn()
	for attempt := 0; attempt < 1000; attempt++ {
		var n int64
		var prefix string
		err := c.queryRow(ctx, "UPDATE "+table+" SET "+seqCol+" = "+seqCol+" + 1 WHERE id = ? RETURNING "+seqCol+", "+prefixCol, id).Scan(&n, &prefix)
		if err != nil {
			return "", scanErr(err, singular(table), strconv.FormatInt(id, 10))
		}
		ref := format(prefix, n)
		var taken int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+refTable+" WHERE reference_num = ?", ref).Scan(&taken); err != nil {
			return "", err
		}
		if taken == 0 {
			return ref, nil
		}
	}
	return "", roadmap.Errorf(roadmap.ECONFLICT, "no free reference number; try again")
}

// recordProduct returns the product that owns a record of table.
func recordProduct(ctx context.Context, c conn, table string, id int64) (int64, error) {
	var p int64
	err := c.queryRow(ctx, "SELECT product_id FROM "+table+" WHERE id = ?", id).Scan(&p)
	return p, scanErr(err, singular(table), strconv.FormatInt(id, 10))
}

// lockRecord locks a record of table until the transaction ends.
func (tx *Tx) lockRecord(ctx context.Context, table string, id int64) error {
	return scanErr(tx.lockRow(ctx, table, id), strings.ReplaceAll(singular(table), "_", " "), strconv.FormatInt(id, 10))
}

// nextRecordPosition returns the position after the last of the records of table
// where col = v.
func nextRecordPosition(ctx context.Context, c conn, table, col string, v int64) (int, error) {
	var pos int
	err := c.queryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM "+table+" WHERE "+col+" = ?", v).Scan(&pos)
	return pos, err
}

// releasesLinked loads the releases linked to records through a link table
// (release_goals or release_initiatives), in their list representation, by
// record ID, in release ID order. Each release is loaded once however many
// records it is linked to.
func releasesLinked(ctx context.Context, c conn, table, ownerCol string, ids []int64) (map[int64][]*roadmap.Release, error) {
	out := map[int64][]*roadmap.Release{}
	if len(ids) == 0 {
		return out, nil
	}
	q := strings.Replace(releaseSelect, " FROM releases r", ", lk."+ownerCol+" FROM releases r", 1) +
		" JOIN " + table + " lk ON lk.release_id = r.id WHERE lk." + ownerCol + " IN (" + placeholders(len(ids)) + ") ORDER BY r.id"
	rows, err := c.query(ctx, q, int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*roadmap.Release{}
	var rels []*roadmap.Release
	type link struct{ owner, release int64 }
	var links []link
	for rows.Next() {
		var owner int64
		r, err := scanRelease(rows, &owner)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if byID[r.ID] == nil {
			byID[r.ID] = r
			rels = append(rels, r)
		}
		links = append(links, link{owner, r.ID})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if err := loadRelations(ctx, c, rels, false); err != nil {
		return nil, err
	}
	for _, l := range links {
		out[l.owner] = append(out[l.owner], byID[l.release])
	}
	return out, nil
}

// strategyCounted wraps rows whose first column is COUNT(*) OVER ().
type strategyCounted struct {
	rows *sql.Rows
	n    *int
}

func (c strategyCounted) Scan(dest ...any) error {
	return c.rows.Scan(append([]any{c.n}, dest...)...)
}

// strategyPage fills in the defaults of a page.
func strategyPage(p roadmap.Page) roadmap.Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.PerPage < 1 {
		p.PerPage = roadmap.DefaultPerPage
	}
	return p
}

// nullableStr converts an optional stored string.
func nullableStr(ns sql.NullString) *string {
	if !ns.Valid {
		return nil
	}
	s := ns.String
	return &s
}

func nullableStrArg(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func nullableInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// scanOptStatus turns the nullable columns of a LEFT JOINed status into a
// status, or nil.
func scanOptStatus(id sql.NullInt64, name sql.NullString, pos sql.NullInt64, complete sql.NullBool, color sql.NullString) *roadmap.WorkflowStatus {
	if !id.Valid {
		return nil
	}
	return &roadmap.WorkflowStatus{ID: id.Int64, Name: name.String, Position: int(pos.Int64), Complete: complete.Bool, Color: color.String}
}

// joinedUser holds the nullable columns of a LEFT JOINed user.
type joinedUser struct {
	id               sql.NullInt64
	name, email      sql.NullString
	admin            sql.NullBool
	created, updated sql.NullInt64
}

func (o *joinedUser) dest() []any {
	return []any{&o.id, &o.name, &o.email, &o.admin, &o.created, &o.updated}
}

func (o *joinedUser) user() *roadmap.User {
	if !o.id.Valid {
		return nil
	}
	return &roadmap.User{ID: o.id.Int64, Name: o.name.String, Email: o.email.String, Admin: o.admin.Bool,
		CreatedAt: fromMS(o.created.Int64), UpdatedAt: fromMS(o.updated.Int64)}
}

const goalSelect = `SELECT g.id, g.product_id, g.reference_num, g.name, g.description_id, g.description_body,
 g.description_created_at, g.description_updated_at, g.created_at, g.updated_at, g.effort, g.value, g.color,
 g.position, g.progress, g.progress_source, COALESCE(g.created_by_id, 0), COALESCE(g.parent_id, 0),
 g.metric_name, g.metric_description_id, g.metric_description_body, g.metric_description_created_at,
 g.metric_description_updated_at, ` + productCols + `,
 s.id, s.name, s.position, s.complete, s.color, tf.id, tf.name
 FROM goals g
 JOIN products p ON p.id = g.product_id
 LEFT JOIN workflow_statuses s ON s.id = g.workflow_status_id
 LEFT JOIN time_frames tf ON tf.id = g.time_frame_id`

func scanGoalDetail(sc interface{ Scan(...any) error }) (*roadmap.GoalDetail, error) {
	g := &roadmap.GoalDetail{}
	var dc, du, created, updated, mc, mu, pc, pu int64
	var progress sql.NullInt64
	var sid, spos, tfid sql.NullInt64
	var sname, scolor, tfname sql.NullString
	var scomplete sql.NullBool
	p := &g.Product
	err := sc.Scan(&g.ID, &g.ProductID, &g.ReferenceNum, &g.Name, &g.Description.ID, &g.Description.Body,
		&dc, &du, &created, &updated, &g.Effort, &g.Value, &g.Color,
		&g.Position, &progress, &g.ProgressSource, &g.CreatedByID, &g.ParentID,
		&g.MetricName, &g.MetricDescription.ID, &g.MetricDescription.Body, &mc, &mu,
		&p.ID, &p.ReferencePrefix, &p.Name, &p.ProductLine, &p.WorkspaceType, &p.ParentID, &pc, &pu,
		&sid, &sname, &spos, &scomplete, &scolor, &tfid, &tfname)
	if err != nil {
		return nil, err
	}
	g.Description.CreatedAt, g.Description.UpdatedAt = fromMS(dc), fromMS(du)
	g.CreatedAt, g.UpdatedAt = fromMS(created), fromMS(updated)
	g.MetricDescription.CreatedAt, g.MetricDescription.UpdatedAt = fromMS(mc), fromMS(mu)
	p.CreatedAt, p.UpdatedAt = fromMS(pc), fromMS(pu)
	g.Progress = nullableInt(progress)
	g.WorkflowStatus = scanOptStatus(sid, sname, spos, scomplete, scolor)
	if tfid.Valid {
		g.TimeFrame = &roadmap.TimeFrame{ID: tfid.Int64, Name: tfname.String}
	}
	return g, nil
}

// GoalDetail returns a goal by numeric ID or reference number, loaded for
// its representation.
func (db *DB) GoalDetail(ctx context.Context, key string) (*roadmap.GoalDetail, error) {
	g, err := loadGoal(ctx, db.reader(), key)
	return g, db.wrap(err)
}

func loadGoal(ctx context.Context, c conn, key string) (*roadmap.GoalDetail, error) {
	cond, arg := keyClause("g.id", "g.reference_num", strings.TrimSpace(key))
	g, err := scanGoalDetail(c.queryRow(ctx, goalSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "goal", key)
	}
	if err := loadGoalRelations(ctx, c, []*roadmap.GoalDetail{g}); err != nil {
		return nil, err
	}
	return g, nil
}

func loadGoalByID(ctx context.Context, c conn, id int64) (*roadmap.GoalDetail, error) {
	return loadGoal(ctx, c, strconv.FormatInt(id, 10))
}

// Goals returns a page of goals in ID order and the total number that match.
func (db *DB) Goals(ctx context.Context, f roadmap.GoalFilter) ([]*roadmap.GoalDetail, int, error) {
	gs, total, err := listGoals(ctx, db.reader(), f)
	return gs, total, db.wrap(err)
}

func listGoals(ctx context.Context, c conn, f roadmap.GoalFilter) ([]*roadmap.GoalDetail, int, error) {
	var where []string
	var args []any
	switch {
	case f.ProductID != 0:
		where, args = append(where, "g.product_id = ?"), append(args, f.ProductID)
	case f.InitiativeID != 0:
		where, args = append(where, "g.id IN (SELECT goal_id FROM goal_initiatives WHERE initiative_id = ?)"), append(args, f.InitiativeID)
	}
	if f.VisibleTo != 0 {
		where, args = append(where, "g.product_id IN ("+visibleProducts+")"), append(args, f.VisibleTo, f.VisibleTo)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var out []*roadmap.GoalDetail
	l := pagedList{count: "SELECT COUNT(*) FROM goals g" + cond, countArgs: args, selectFrom: goalSelect, cond: cond, args: args, id: "g.id"}
	// The whole list of a product or of the account takes its total from
	// the counts the products keep.
	switch {
	case f.ProductID != 0:
		l.count, l.countArgs = keptTotal("products", "goal_count", f.ProductID, f.VisibleTo)
	case f.InitiativeID == 0:
		l.count, l.countArgs = accountTotal("goal_count", f.VisibleTo)
	}
	total, err := l.run(ctx, c, strategyPage(f.Page), func(rows *sql.Rows) error {
		g, err := scanGoalDetail(rows)
		out = append(out, g)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := loadGoalRelations(ctx, c, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// loadGoalRelations fills what the goals' representation shows beyond their
// rows, with one query per kind of related record for the whole page.
func loadGoalRelations(ctx context.Context, c conn, gs []*roadmap.GoalDetail) error {
	if len(gs) == 0 {
		return nil
	}
	byID := make(map[int64]*roadmap.GoalDetail, len(gs))
	ids := make([]int64, len(gs))
	for i, g := range gs {
		byID[g.ID], ids[i] = g, g.ID
	}
	in := "(" + placeholders(len(ids)) + ")"
	args := int64Args(ids)
	if err := setCommentCounts(ctx, c, roadmap.CommentOnGoal, ids, func(id int64, n int) { byID[id].CommentsCount = n }); err != nil {
		return err
	}

	times, err := recordStatusTimes(ctx, c, "goal_status_times", "goal_id", ids)
	if err != nil {
		return err
	}
	watchers, err := recordWatchers(ctx, c, "goal_watchers", "goal_id", ids)
	if err != nil {
		return err
	}
	releases, err := releasesLinked(ctx, c, "release_goals", "goal_id", ids)
	if err != nil {
		return err
	}
	for _, g := range gs {
		g.StatusTimes, g.Watchers, g.Releases = times[g.ID], watchers[g.ID], releases[g.ID]
	}

	rows, err := c.query(ctx, "SELECT gi.goal_id, "+initiativeCols+" FROM goal_initiatives gi JOIN initiatives i ON i.id = gi.initiative_id WHERE gi.goal_id IN "+in+" ORDER BY gi.goal_id, i.id", args...)
	if err != nil {
		return err
	}
	var initIDs []int64
	for rows.Next() {
		var gid int64
		var it roadmap.Initiative
		if err := scanInitiative(prefixed{rows, &gid}, &it); err != nil {
			rows.Close()
			return err
		}
		byID[gid].Initiatives = append(byID[gid].Initiatives, it)
		initIDs = append(initIDs, it.ID)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if len(initIDs) > 0 {
		fields, err := integrationFields(ctx, c, "initiative", initIDs)
		if err != nil {
			return err
		}
		for _, g := range gs {
			for i := range g.Initiatives {
				g.Initiatives[i].IntegrationFields = fields[g.Initiatives[i].ID]
			}
		}
	}

	krs, err := keyResultsOf(ctx, c, ids)
	if err != nil {
		return err
	}
	for _, g := range gs {
		for _, k := range krs[g.ID] {
			g.KeyResults = append(g.KeyResults, *k)
		}
	}

	if err := loadGoalParents(ctx, c, gs); err != nil {
		return err
	}

	pg := newProgressGraph()
	if err := pg.load(ctx, c, ids, nil); err != nil {
		return err
	}
	for _, g := range gs {
		g.Progress = pg.goalProgress(g.ID)
	}
	return nil
}

// loadGoalParents fills the chain of goals above each goal, nearest first,
// with one query per level of the trees.
func loadGoalParents(ctx context.Context, c conn, gs []*roadmap.GoalDetail) error {
	known := map[int64]*roadmap.Goal{}
	parentOf := map[int64]int64{}
	var want []int64
	for _, g := range gs {
		if g.ParentID != 0 {
			want = append(want, g.ParentID)
		}
	}
	for depth := 0; len(want) > 0 && depth < maxStrategyDepth; depth++ {
		var missing []int64
		for _, id := range want {
			if known[id] == nil {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			break
		}
		rows, err := c.query(ctx, "SELECT "+goalCols+", COALESCE(g.parent_id, 0) FROM goals g WHERE g.id IN ("+placeholders(len(missing))+")", int64Args(missing)...)
		if err != nil {
			return err
		}
		want = nil
		for rows.Next() {
			var g roadmap.Goal
			var parent int64
			if err := scanGoal(rows, &g, &parent); err != nil {
				rows.Close()
				return err
			}
			known[g.ID] = &g
			parentOf[g.ID] = parent
			if parent != 0 && known[parent] == nil {
				want = append(want, parent)
			}
		}
		if err := closeRows(rows); err != nil {
			return err
		}
	}
	for _, g := range gs {
		seen := map[int64]bool{g.ID: true}
		for id := g.ParentID; id != 0 && !seen[id] && known[id] != nil; id = parentOf[id] {
			seen[id] = true
			g.Parents = append(g.Parents, *known[id])
		}
	}
	return nil
}

// CreateGoal creates a goal in a product on behalf of a user, who watches it.
func (db *DB) CreateGoal(ctx context.Context, productID, userID int64, in roadmap.GoalInput) (*roadmap.GoalDetail, error) {
	var out *roadmap.GoalDetail
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		note := func() roadmap.Note {
			return roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now}
		}
		g := &roadmap.GoalDetail{
			Goal:              roadmap.Goal{ProductID: productID, Description: note(), CreatedAt: tx.now},
			Effort:            roadmap.DefaultChartValue,
			Value:             roadmap.DefaultChartValue,
			Color:             roadmap.DefaultRecordColor,
			Progress:          new(int),
			ProgressSource:    roadmap.ProgressManual,
			UpdatedAt:         tx.now,
			CreatedByID:       userID,
			MetricDescription: note(),
		}
		if err := roadmap.ApplyGoalInput(g, in, true, tx.now, roadmap.Shown{}); err != nil {
			return err
		}
		l, err := resolveGoalLinks(ctx, c, g, in)
		if err != nil {
			return err
		}
		status, err := kindStatus(ctx, c, productID, "goal", "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		if g.ReferenceNum, err = tx.takeNumber(ctx, "products", "goal_seq", "reference_prefix", productID, "goals", roadmap.GoalReference); err != nil {
			return err
		}
		if g.Position, err = nextRecordPosition(ctx, c, "goals", "product_id", productID); err != nil {
			return err
		}
		g.ID = tx.db.ids.next(tx.now)
		var statusID any
		if status != nil {
			statusID = status.ID
		}
		_, err = c.exec(ctx, `INSERT INTO goals (id, product_id, reference_num, name, description_id, description_body,
 description_created_at, description_updated_at, created_at, updated_at, effort, value, color, position, progress,
 progress_source, workflow_status_id, parent_id, time_frame_id, metric_name, metric_description_id,
 metric_description_body, metric_description_created_at, metric_description_updated_at, created_by_id)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.ProductID, g.ReferenceNum, g.Name, g.Description.ID, g.Description.Body,
			ms(g.Description.CreatedAt), ms(g.Description.UpdatedAt), ms(tx.now), ms(tx.now), g.Effort, g.Value, g.Color, g.Position, g.Progress,
			g.ProgressSource, statusID, nullID(g.ParentID), nullID(l.timeFrame), g.MetricName, g.MetricDescription.ID,
			g.MetricDescription.Body, ms(g.MetricDescription.CreatedAt), ms(g.MetricDescription.UpdatedAt), userID)
		if err != nil {
			return err
		}
		if status != nil {
			if err := tx.insertKindStatusTime(ctx, "goal_status_times", "goal_id", g.ID, *status); err != nil {
				return err
			}
		}
		if err := tx.setLinkSet(ctx, "goal_watchers", "goal_id", g.ID, "user_id", append([]int64{userID}, l.watchers...), 0); err != nil {
			return err
		}
		if err := tx.setGoalLinks(ctx, g.ID, l); err != nil {
			return err
		}
		out, err = loadGoalByID(ctx, c, g.ID)
		return err
	})
	return out, err
}

// goalLinks are the resolved references of a goal input; nil lists were
// not given.
type goalLinks struct {
	watchers, initiatives, releases []int64
	timeFrame                       int64
	timeFrameSet                    bool
	// visibleTo is the user on whose behalf the links are written (see
	// setLinkSet); 0 for the whole set.
	visibleTo int64
}

// resolveGoalLinks resolves the parent, time frame, watchers, initiatives
// and releases of in, setting ParentID on g.
func resolveGoalLinks(ctx context.Context, c conn, g *roadmap.GoalDetail, in roadmap.GoalInput) (goalLinks, error) {
	l := goalLinks{visibleTo: in.VisibleTo}
	var err error
	if in.ParentID.Set {
		if g.ParentID, err = resolveGoalParent(ctx, c, g.ID, in.ParentID.V, in.VisibleTo); err != nil {
			return l, err
		}
	}
	if in.TimeFrame.Set {
		l.timeFrameSet = true
		if l.timeFrame, err = resolveTimeFrame(ctx, c, in.TimeFrame.V); err != nil {
			return l, err
		}
	}
	if in.Watchers.Set {
		if l.watchers, err = resolveUserRefs(ctx, c, "watchers", in.Watchers.V); err != nil {
			return l, err
		}
	}
	if in.Initiatives.Set {
		if l.initiatives, err = resolveRecords(ctx, c, "initiatives", "initiatives", in.Initiatives.V, in.VisibleTo); err != nil {
			return l, err
		}
	}
	if in.Releases.Set {
		if l.releases, err = resolveRecords(ctx, c, "releases", "releases", in.Releases.V, in.VisibleTo); err != nil {
			return l, err
		}
	}
	return l, nil
}

// resolveGoalParent checks that ref names a goal of a product line that can
// hold the goal self (0 for a new one) without making a cycle; "" is none.
func resolveGoalParent(ctx context.Context, c conn, self int64, ref string, visibleTo int64) (int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0, nil
	}
	ids, err := resolveRecords(ctx, c, "goals", "parent_id", []string{ref}, visibleTo)
	if err != nil {
		return 0, err
	}
	id := ids[0]
	if id == self {
		return 0, roadmap.FieldErrorf("parent_id", "a goal can't be its own parent")
	}
	var line bool
	var up int64
	if err := c.queryRow(ctx, "SELECT p.product_line, COALESCE(g.parent_id, 0) FROM goals g JOIN products p ON p.id = g.product_id WHERE g.id = ?", id).Scan(&line, &up); err != nil {
		return 0, err
	}
	if !line {
		return 0, roadmap.FieldErrorf("parent_id", "parent_id %s is not a goal of a product line", ref)
	}
	for depth := 0; up != 0; depth++ {
		if up == self || depth > maxStrategyDepth {
			return 0, roadmap.FieldErrorf("parent_id", "parent_id %s would make a cycle of goals", ref)
		}
		if err := c.queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM goals WHERE id = ?", up).Scan(&up); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// setGoalLinks replaces the initiatives and releases of a goal that l gives,
// touching the records that gain or lose the goal first: their locks come
// before the link rows, as lockLinkedFirst describes.
func (tx *Tx) setGoalLinks(ctx context.Context, goalID int64, l goalLinks) error {
	c := tx.conn()
	if l.initiatives != nil {
		gone, added, err := linkSetChange(ctx, c, "goal_initiatives", "goal_id", goalID, "initiative_id", l.initiatives, l.visibleTo)
		if err != nil {
			return err
		}
		if err := tx.touchRecords(ctx, "initiatives", append(gone, added...)); err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "goal_initiatives", "goal_id", goalID, "initiative_id", l.initiatives, l.visibleTo); err != nil {
			return err
		}
	}
	if l.releases != nil {
		gone, added, err := linkSetChange(ctx, c, "release_goals", "goal_id", goalID, "release_id", l.releases, l.visibleTo)
		if err != nil {
			return err
		}
		if err := tx.touchRecords(ctx, "releases", append(gone, added...)); err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "release_goals", "goal_id", goalID, "release_id", l.releases, l.visibleTo); err != nil {
			return err
		}
	}
	return nil
}

// UpdateGoal changes a goal.
func (db *DB) UpdateGoal(ctx context.Context, id int64, in roadmap.GoalInput) (*roadmap.GoalDetail, error) {
	var out *roadmap.GoalDetail
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if in.Releases.Set {
			if err := tx.lockLinkedFirst(ctx, id, "release_goals", "goal_id", "release_id", "releases", in.Releases.V, in.VisibleTo); err != nil {
				return err
			}
		}
		if err := tx.lockRecord(ctx, "goals", id); err != nil {
			return err
		}
		g, err := loadGoalByID(ctx, c, id)
		if err != nil {
			return err
		}
		var stored *int
		if err := c.queryRow(ctx, "SELECT progress FROM goals WHERE id = ?", id).Scan(&stored); err != nil {
			return err
		}
		shown := roadmap.Shown{Progress: g.Progress}
		g.Progress = stored
		if err := roadmap.ApplyGoalInput(g, in, false, tx.now, shown); err != nil {
			return err
		}
		l, err := resolveGoalLinks(ctx, c, g, in)
		if err != nil {
			return err
		}
		statusID := int64(0)
		if g.WorkflowStatus != nil {
			statusID = g.WorkflowStatus.ID
		}
		if in.WorkflowStatus.Set {
			if in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "" {
				return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
			}
			st, err := kindStatus(ctx, c, g.ProductID, "goal", "workflow_status", in.WorkflowStatus.V)
			if err != nil {
				return err
			}
			if st != nil && st.ID != statusID {
				statusID = st.ID
				if err := tx.changeKindStatus(ctx, "goal_status_times", "goal_id", g.ID, *st); err != nil {
					return err
				}
			}
		}
		timeFrame := int64(0)
		if g.TimeFrame != nil {
			timeFrame = g.TimeFrame.ID
		}
		if l.timeFrameSet {
			timeFrame = l.timeFrame
		}
		_, err = c.exec(ctx, `UPDATE goals SET name = ?, description_body = ?, description_updated_at = ?, effort = ?,
 value = ?, progress = ?, progress_source = ?, workflow_status_id = ?, parent_id = ?, time_frame_id = ?,
 metric_name = ?, metric_description_body = ?, metric_description_updated_at = ?, updated_at = ? WHERE id = ?`,
			g.Name, g.Description.Body, ms(g.Description.UpdatedAt), g.Effort,
			g.Value, g.Progress, g.ProgressSource, nullID(statusID), nullID(g.ParentID), nullID(timeFrame),
			g.MetricName, g.MetricDescription.Body, ms(g.MetricDescription.UpdatedAt), ms(tx.now), g.ID)
		if err != nil {
			return err
		}
		if l.watchers != nil {
			if err := tx.setLinkSet(ctx, "goal_watchers", "goal_id", g.ID, "user_id", l.watchers, 0); err != nil {
				return err
			}
		}
		if err := tx.setGoalLinks(ctx, g.ID, l); err != nil {
			return err
		}
		out, err = loadGoalByID(ctx, c, g.ID)
		return err
	})
	return out, err
}

// DeleteGoal deletes a goal with its key results, status history and
// watchers. Releases and initiatives linked to it stay, without the link,
// and goals under it are detached; the records that lose it are touched.
func (db *DB) DeleteGoal(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRecord(ctx, "goals", id); err != nil {
			return err
		}
		rels, err := linkedIDs(ctx, c, "release_goals", "goal_id", id, "release_id")
		if err != nil {
			return err
		}
		inits, err := linkedIDs(ctx, c, "goal_initiatives", "goal_id", id, "initiative_id")
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE goals SET parent_id = NULL, updated_at = ? WHERE parent_id = ?", ms(tx.now), id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM goals WHERE id = ?", id); err != nil {
			return err
		}
		if err := tx.touchRecords(ctx, "releases", rels); err != nil {
			return err
		}
		return tx.touchRecords(ctx, "initiatives", inits)
	})
}

// progressGraph computes the progress of goals and initiatives, and the
// dates of initiatives, from their sources at read time, so that they follow
// every change of the records they are computed from. It loads the records
// a computation needs level by level, with one query per kind of input and
// level, never per record.
type progressGraph struct {
	goals map[int64]*progressNode
	inits map[int64]*progressNode
}

type progressNode struct {
	source, duration string
	stored           *int
	start, end       string
	releases         []releaseInput
	keyResults       []int
	children         []int64
	initiatives      []int64

	state      int // 0 not computed, 1 computing, 2 done
	progress   *int
	shownStart string
	shownEnd   string
}

// releaseInput is what a release gives the records computed from it.
type releaseInput struct {
	progress   int
	start, end string
}

func newProgressGraph() *progressGraph {
	return &progressGraph{goals: map[int64]*progressNode{}, inits: map[int64]*progressNode{}}
}

// load reads the goals and initiatives with these IDs and, transitively,
// the inputs of their computed sources.
func (pg *progressGraph) load(ctx context.Context, c conn, goalIDs, initIDs []int64) error {
	for depth := 0; (len(goalIDs) > 0 || len(initIDs) > 0) && depth <= maxStrategyDepth; depth++ {
		moreGoals, moreInits, err := pg.loadGoals(ctx, c, goalIDs)
		if err != nil {
			return err
		}
		initIDs = append(initIDs, moreInits...)
		childInits, err := pg.loadInitiatives(ctx, c, initIDs)
		if err != nil {
			return err
		}
		goalIDs, initIDs = moreGoals, childInits
	}
	return nil
}

func (pg *progressGraph) newIDs(ids []int64, known map[int64]*progressNode) []int64 {
	var out []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		if known[id] == nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// loadGoals loads goals and the inputs of their sources; it returns the
// child goals and the initiatives that those sources read.
func (pg *progressGraph) loadGoals(ctx context.Context, c conn, ids []int64) (goals, inits []int64, err error) {
	ids = pg.newIDs(ids, pg.goals)
	if len(ids) == 0 {
		return nil, nil, nil
	}
	rows, err := c.query(ctx, "SELECT id, progress_source, progress FROM goals WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, nil, err
	}
	by := map[string][]int64{}
	for rows.Next() {
		n := &progressNode{}
		var id int64
		var stored sql.NullInt64
		if err := rows.Scan(&id, &n.source, &stored); err != nil {
			rows.Close()
			return nil, nil, err
		}
		n.stored = nullableInt(stored)
		pg.goals[id] = n
		by[n.source] = append(by[n.source], id)
	}
	if err := closeRows(rows); err != nil {
		return nil, nil, err
	}
	if src := by[roadmap.ProgressFromReleases]; len(src) > 0 {
		err := strategyPairs(ctx, c, "SELECT rg.goal_id, COALESCE(r.progress, 0) FROM release_goals rg JOIN releases r ON r.id = rg.release_id WHERE rg.goal_id IN ("+placeholders(len(src))+")", src,
			func(id, v int64) {
				pg.goals[id].releases = append(pg.goals[id].releases, releaseInput{progress: int(v)})
			})
		if err != nil {
			return nil, nil, err
		}
	}
	if src := by[roadmap.ProgressFromKeyResults]; len(src) > 0 {
		err := strategyPairs(ctx, c, "SELECT goal_id, COALESCE(progress, 0) FROM key_results WHERE goal_id IN ("+placeholders(len(src))+")", src,
			func(id, v int64) { pg.goals[id].keyResults = append(pg.goals[id].keyResults, int(v)) })
		if err != nil {
			return nil, nil, err
		}
	}
	if src := by[roadmap.ProgressFromDescendants]; len(src) > 0 {
		err := strategyPairs(ctx, c, "SELECT parent_id, id FROM goals WHERE parent_id IN ("+placeholders(len(src))+")", src,
			func(id, v int64) { pg.goals[id].children = append(pg.goals[id].children, v); goals = append(goals, v) })
		if err != nil {
			return nil, nil, err
		}
	}
	if src := by[roadmap.ProgressFromInitiatives]; len(src) > 0 {
		err := strategyPairs(ctx, c, "SELECT goal_id, initiative_id FROM goal_initiatives WHERE goal_id IN ("+placeholders(len(src))+")", src,
			func(id, v int64) {
				pg.goals[id].initiatives = append(pg.goals[id].initiatives, v)
				inits = append(inits, v)
			})
		if err != nil {
			return nil, nil, err
		}
	}
	return goals, inits, nil
}

// loadInitiatives loads initiatives and the inputs of their sources; it
// returns the child initiatives those sources read.
func (pg *progressGraph) loadInitiatives(ctx context.Context, c conn, ids []int64) ([]int64, error) {
	ids = pg.newIDs(ids, pg.inits)
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := c.query(ctx, "SELECT id, progress_source, progress, duration_source, start_date, end_date FROM initiatives WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	var fromReleases, fromChildren []int64
	for rows.Next() {
		n := &progressNode{}
		var id int64
		var stored sql.NullInt64
		var start, end sql.NullString
		if err := rows.Scan(&id, &n.source, &stored, &n.duration, &start, &end); err != nil {
			rows.Close()
			return nil, err
		}
		n.stored, n.start, n.end = nullableInt(stored), start.String, end.String
		pg.inits[id] = n
		if n.source == roadmap.ProgressFromReleases || n.duration == roadmap.DurationFromReleases {
			fromReleases = append(fromReleases, id)
		}
		if n.source == roadmap.ProgressFromChildren || n.duration == roadmap.DurationFromChildren {
			fromChildren = append(fromChildren, id)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if len(fromReleases) > 0 {
		rows, err := c.query(ctx, "SELECT ri.initiative_id, COALESCE(r.progress, 0), r.start_date, r.release_date, r.parking_lot FROM release_initiatives ri JOIN releases r ON r.id = ri.release_id WHERE ri.initiative_id IN ("+placeholders(len(fromReleases))+")", int64Args(fromReleases)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, progress int64
			var start, end sql.NullString
			var parked bool
			if err := rows.Scan(&id, &progress, &start, &end, &parked); err != nil {
				rows.Close()
				return nil, err
			}
			in := releaseInput{progress: int(progress)}
			if !parked {
				in.start, in.end = start.String, end.String
				if in.start == "" {
					in.start = in.end
				}
			}
			pg.inits[id].releases = append(pg.inits[id].releases, in)
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	var children []int64
	if len(fromChildren) > 0 {
		err := strategyPairs(ctx, c, "SELECT parent_id, id FROM initiatives WHERE parent_id IN ("+placeholders(len(fromChildren))+")", fromChildren,
			func(id, v int64) {
				pg.inits[id].children = append(pg.inits[id].children, v)
				children = append(children, v)
			})
		if err != nil {
			return nil, err
		}
	}
	return children, nil
}

// strategyPairs runs a query of ID pairs over ids and hands each row to fn.
func strategyPairs(ctx context.Context, c conn, q string, ids []int64, fn func(a, b int64)) error {
	rows, err := c.query(ctx, q, int64Args(ids)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return err
		}
		fn(a, b)
	}
	return closeRows(rows)
}

// goalProgress returns the progress a goal shows: its own with the manual
// source, else the rounded mean over its inputs, 0 without inputs. Sources
// over records this server does not hold (features, epics) give 0.
func (pg *progressGraph) goalProgress(id int64) *int {
	n := pg.goals[id]
	if n == nil {
		return nil
	}
	if n.state == 2 {
		return n.progress
	}
	if n.state == 1 {
		return n.stored
	}
	n.state = 1
	var values []int
	switch n.source {
	case roadmap.ProgressManual:
		n.progress = n.stored
		n.state = 2
		return n.progress
	case roadmap.ProgressFromReleases:
		for _, r := range n.releases {
			values = append(values, r.progress)
		}
	case roadmap.ProgressFromKeyResults:
		values = n.keyResults
	case roadmap.ProgressFromDescendants:
		for _, child := range n.children {
			values = append(values, derefOr0(pg.goalProgress(child)))
		}
	case roadmap.ProgressFromInitiatives:
		for _, it := range n.initiatives {
			values = append(values, derefOr0(pg.initiativeProgress(it)))
		}
	}
	v := roadmap.MeanProgress(values)
	n.progress, n.state = &v, 2
	return n.progress
}

// initiativeProgress returns the progress an initiative shows, as
// goalProgress does for goals.
func (pg *progressGraph) initiativeProgress(id int64) *int {
	n := pg.inits[id]
	if n == nil {
		return nil
	}
	pg.computeInitiative(n)
	return n.progress
}

// initiativeDates returns the start and end dates an initiative shows: its
// own with the manual duration source, else the earliest start and latest
// end of its inputs; without inputs its own dates stay.
func (pg *progressGraph) initiativeDates(id int64) (string, string) {
	n := pg.inits[id]
	if n == nil {
		return "", ""
	}
	pg.computeInitiative(n)
	return n.shownStart, n.shownEnd
}

func (pg *progressGraph) computeInitiative(n *progressNode) {
	if n.state != 0 {
		if n.state == 1 {
			n.progress, n.shownStart, n.shownEnd = n.stored, n.start, n.end
		}
		return
	}
	n.state = 1
	var values []int
	switch n.source {
	case roadmap.ProgressManual:
	case roadmap.ProgressFromReleases:
		for _, r := range n.releases {
			values = append(values, r.progress)
		}
	case roadmap.ProgressFromChildren:
		for _, child := range n.children {
			values = append(values, derefOr0(pg.initiativeProgress(child)))
		}
	}
	start, end := "", ""
	widen := func(s, e string) {
		if s != "" && (start == "" || s < start) {
			start = s
		}
		if e != "" && (end == "" || e > end) {
			end = e
		}
	}
	switch n.duration {
	case roadmap.DurationFromReleases:
		for _, r := range n.releases {
			widen(r.start, r.end)
		}
	case roadmap.DurationFromChildren:
		for _, child := range n.children {
			widen(pg.initiativeDates(child))
		}
	}
	if n.source == roadmap.ProgressManual {
		n.progress = n.stored
	} else {
		v := roadmap.MeanProgress(values)
		n.progress = &v
	}
	n.shownStart, n.shownEnd = n.start, n.end
	if start != "" || end != "" {
		n.shownStart, n.shownEnd = start, end
	}
	n.state = 2
}

func derefOr0(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// seedStrategy writes s into a freshly seeded account; s may be nil, and the
// counters are set in any case.
func (tx *Tx) seedStrategy(ctx context.Context, s *roadmap.StrategySeed) error {
	c := tx.conn()
	if s == nil {
		s = &roadmap.StrategySeed{}
	}
	for _, tf := range s.TimeFrames {
		if _, err := c.exec(ctx, "INSERT INTO time_frames (id, name, created_at) VALUES (?, ?, ?)", tf.ID, tf.Name, ms(tx.now)); err != nil {
			return err
		}
	}
	for _, p := range s.Products {
		if _, err := c.exec(ctx, "UPDATE products SET key_result_workflow_id = ?, initiative_assignee_id = ? WHERE id = ?",
			nullID(p.KeyResultWorkflowID), nullID(p.InitiativeAssignee), p.ProductID); err != nil {
			return err
		}
	}
	for _, g := range s.Goals {
		_, err := c.exec(ctx, `UPDATE goals SET effort = ?, value = ?, color = ?, position = ?, progress = NULL,
 progress_source = ?, workflow_status_id = ?, parent_id = ?, time_frame_id = ?, metric_name = ?,
 metric_description_id = ?, metric_description_body = ?, metric_description_created_at = ?,
 metric_description_updated_at = ?, created_by_id = ? WHERE id = ?`,
			g.Effort, g.Value, g.Color, g.Position, roadmap.ProgressManual, nullID(g.WorkflowStatusID), nullID(g.ParentID),
			nullID(g.TimeFrameID), g.MetricName, g.MetricDescription.ID, g.MetricDescription.Body,
			ms(g.MetricDescription.CreatedAt), ms(g.MetricDescription.UpdatedAt), nullID(g.CreatedByID), g.ID)
		if err != nil {
			return err
		}
	}
	for _, it := range s.Initiatives {
		_, err := c.exec(ctx, `UPDATE initiatives SET effort = ?, value = ?, score = ?, color = ?, position = ?,
 progress = NULL, progress_source = ?, duration_source = ?, workflow_status_id = ?, assigned_to_user_id = ?,
 default_assignee = ?, time_frame_id = ?, created_by_id = ? WHERE id = ?`,
			it.Effort, it.Value, it.Score, it.Color, it.Position, roadmap.ProgressManual, roadmap.DurationManual,
			nullID(it.WorkflowStatusID), nullID(it.AssignedToID), it.DefaultAssignee, nullID(it.TimeFrameID), nullID(it.CreatedByID), it.ID)
		if err != nil {
			return err
		}
		for i, cf := range it.CustomFields {
			if _, err := c.exec(ctx, "INSERT INTO initiative_custom_fields (id, initiative_id, key, name, type, value, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				cf.ID, it.ID, cf.Key, cf.Name, cf.Type, cf.Value, i, ms(cf.CreatedAt), ms(cf.UpdatedAt)); err != nil {
				return err
			}
		}
	}
	for _, k := range s.KeyResults {
		var statusID any
		if k.WorkflowStatus != nil {
			statusID = k.WorkflowStatus.ID
		}
		_, err := c.exec(ctx, `INSERT INTO key_results (id, goal_id, reference_num, name, position, progress, target_metric,
 starting_metric, current_metric, description_id, description_body, description_created_at, description_updated_at,
 workflow_status_id, assigned_to_user_id, default_assignee, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.GoalID, k.ReferenceNum, k.Name, k.Position, k.Progress, nullableStrArg(k.TargetMetric),
			nullableStrArg(k.StartingMetric), nullableStrArg(k.CurrentMetric), k.Description.ID, k.Description.Body,
			ms(k.Description.CreatedAt), ms(k.Description.UpdatedAt), statusID, nullID(k.AssignedToID), k.DefaultAssignee,
			ms(k.CreatedAt), ms(k.UpdatedAt))
		if err != nil {
			return err
		}
	}
	for goal, inits := range s.GoalInitiatives {
		for _, it := range inits {
			if _, err := c.exec(ctx, "INSERT INTO goal_initiatives (goal_id, initiative_id) VALUES (?, ?)", goal, it); err != nil {
				return err
			}
		}
	}
	return tx.setStrategyCounters(ctx, s.InitiativeCounters)
}

// setStrategyCounters sets each product's goal and initiative counters, and
// each goal's key result counter, to the highest number in use with its
// prefix (or the given initiative counter, when higher), and fills the
// search form of initiative names.
func (tx *Tx) setStrategyCounters(ctx context.Context, initiativeCounters map[int64]int64) error {
	c := tx.conn()
	refs := func(q string) ([]string, error) {
		rows, err := c.query(ctx, q)
		if err != nil {
			return nil, err
		}
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, s)
		}
		return out, closeRows(rows)
	}
	highest := func(all []string, prefix string) int64 {
		var max int64
		for _, r := range all {
			if n, err := strconv.ParseInt(strings.TrimPrefix(r, prefix), 10, 64); err == nil && strings.HasPrefix(r, prefix) && n > max {
				max = n
			}
		}
		return max
	}
	goalRefs, err := refs("SELECT reference_num FROM goals")
	if err != nil {
		return err
	}
	initRefs, err := refs("SELECT reference_num FROM initiatives")
	if err != nil {
		return err
	}
	krRefs, err := refs("SELECT reference_num FROM key_results")
	if err != nil {
		return err
	}
	type keyed struct {
		id  int64
		key string
	}
	list := func(q string) ([]keyed, error) {
		rows, err := c.query(ctx, q)
		if err != nil {
			return nil, err
		}
		var out []keyed
		for rows.Next() {
			var k keyed
			if err := rows.Scan(&k.id, &k.key); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, k)
		}
		return out, closeRows(rows)
	}
	products, err := list("SELECT id, reference_prefix FROM products")
	if err != nil {
		return err
	}
	for _, p := range products {
		goals := highest(goalRefs, p.key+"-G-")
		inits := highest(initRefs, p.key+"-S-")
		if n := initiativeCounters[p.id]; n > inits {
			inits = n
		}
		if _, err := c.exec(ctx, "UPDATE products SET goal_seq = ?, initiative_seq = ? WHERE id = ?", goals, inits, p.id); err != nil {
			return err
		}
	}
	goals, err := list("SELECT id, reference_num FROM goals")
	if err != nil {
		return err
	}
	for _, g := range goals {
		if n := highest(krRefs, g.key+"-KR-"); n > 0 {
			if _, err := c.exec(ctx, "UPDATE goals SET key_result_seq = ? WHERE id = ?", n, g.id); err != nil {
				return err
			}
		}
	}
	names, err := list("SELECT id, name FROM initiatives")
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := c.exec(ctx, "UPDATE initiatives SET name_fold = ? WHERE id = ?", strings.ToLower(n.key), n.id); err != nil {
			return err
		}
	}
	return nil
}
