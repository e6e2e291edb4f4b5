package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// epicFieldable is the record type of epics' custom field definitions.
const epicFieldable = "Epic"

// epicRecordType is how epics are named in the tables shared by several
// kinds of records: integration fields and status history; to-dos name
// the records they are attached to by their type's name.
const (
	epicRecordType     = "epic"
	epicTaskRecordType = "Epic"
)

func init() {
	valueTables[epicFieldable] = valueTable{"epic_custom_fields", "epic_id"}
}

// epicWorkflow is the SQL of the workflow epics follow in product p (with
// its product line pl): the epic workflow, else the feature workflow, of
// the product, else of its line.
const epicWorkflow = "COALESCE(p.epic_workflow_id, p.feature_workflow_id, pl.epic_workflow_id, pl.feature_workflow_id)"

const epicSelect = `SELECT e.id, e.product_id, e.release_id, e.reference_num, e.name, e.position, e.score,
 e.start_date, e.due_date, e.progress, e.progress_source, e.duration_source, e.status_changed_on,
 e.workflow_status_id, COALESCE(e.initiative_id, 0), COALESCE(e.assigned_to_user_id, 0), e.default_assignee,
 e.created_by_id, e.description_id, e.description_body, e.description_created_at, e.description_updated_at,
 e.work_units, e.initial_estimate, e.detailed_estimate, e.remaining_estimate, e.work_done, e.created_at, e.updated_at,
 ` + productCols + `, ` + statusCols + `, ` + "cb.id, cb.name, cb.email, cb.admin, cb.created_at, cb.updated_at" + `,
 ` + "au.id, au.name, au.email, au.admin, au.created_at, au.updated_at" + `
 FROM epics e
 JOIN products p ON p.id = e.product_id
 JOIN workflow_statuses s ON s.id = e.workflow_status_id
 JOIN users cb ON cb.id = e.created_by_id
 LEFT JOIN users au ON au.id = e.assigned_to_user_id`

func epicFloat(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	v := n.Float64
	return &v
}

func scanEpic(sc interface{ Scan(...any) error }) (*roadmap.Epic, error) {
	e := &roadmap.Epic{}
	var start, due, changed sql.NullString
	var progress sql.NullInt64
	var initial, detailed, remaining, done sql.NullFloat64
	var dc, du, created, updated, pc, pu, cc, cu int64
	var au joinedUser
	p, st, cb := &e.Product, &e.WorkflowStatus, &e.CreatedBy
	dest := []any{&e.ID, &e.ProductID, &e.ReleaseID, &e.ReferenceNum, &e.Name, &e.Position, &e.Score,
		&start, &due, &progress, &e.ProgressSource, &e.DurationSource, &changed,
		&e.WorkflowStatusID, &e.InitiativeID, &e.AssignedToID, &e.DefaultAssignee,
		&e.CreatedByID, &e.Description.ID, &e.Description.Body, &dc, &du,
		&e.WorkUnits, &initial, &detailed, &remaining, &done, &created, &updated,
		&p.ID, &p.ReferencePrefix, &p.Name, &p.ProductLine, &p.WorkspaceType, &p.ParentID, &pc, &pu,
		&st.ID, &st.Name, &st.Position, &st.Complete, &st.Color,
		&cb.ID, &cb.Name, &cb.Email, &cb.Admin, &cc, &cu}
	dest = append(dest, au.dest()...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	e.StartDate, e.DueDate, e.StatusChangedOn = start.String, due.String, changed.String
	e.Progress = nullableInt(progress)
	e.InitialEstimate, e.DetailedEstimate = epicFloat(initial), epicFloat(detailed)
	e.RemainingEstimate, e.WorkDone = epicFloat(remaining), epicFloat(done)
	e.Description.CreatedAt, e.Description.UpdatedAt = fromMS(dc), fromMS(du)
	e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
	p.CreatedAt, p.UpdatedAt = fromMS(pc), fromMS(pu)
	cb.CreatedAt, cb.UpdatedAt = fromMS(cc), fromMS(cu)
	e.AssignedTo = au.user()
	return e, nil
}

// Epic returns an epic by numeric ID or reference number, loaded for its
// full representation.
func (db *DB) Epic(ctx context.Context, key string) (*roadmap.Epic, error) {
	e, err := loadEpic(ctx, db.reader(), strings.TrimSpace(key))
	return e, db.wrap(err)
}

func loadEpic(ctx context.Context, c conn, key string) (*roadmap.Epic, error) {
	cond, arg := keyClause("e.id", "e.reference_num", key)
	e, err := scanEpic(c.queryRow(ctx, epicSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "epic", key)
	}
	if err := loadEpicRelations(ctx, c, []*roadmap.Epic{e}, true); err != nil {
		return nil, err
	}
	return e, nil
}

func loadEpicByID(ctx context.Context, c conn, id int64) (*roadmap.Epic, error) {
	return loadEpic(ctx, c, strconv.FormatInt(id, 10))
}

// Epics returns a page of epics in ID order and the total number that match.
func (db *DB) Epics(ctx context.Context, f roadmap.EpicFilter) ([]*roadmap.Epic, int, error) {
	out, total, err := listEpics(ctx, db.reader(), f)
	return out, total, db.wrap(err)
}

func listEpics(ctx context.Context, c conn, f roadmap.EpicFilter) ([]*roadmap.Epic, int, error) {
	var where []string
	var args []any
	switch {
	case f.ProductID != 0:
		where, args = append(where, "e.product_id = ?"), append(args, f.ProductID)
	case f.ReleaseID != 0:
		where, args = append(where, "e.release_id = ?"), append(args, f.ReleaseID)
	case f.GoalID != 0:
		where, args = append(where, "e.id IN (SELECT epic_id FROM epic_goals WHERE goal_id = ?)"), append(args, f.GoalID)
	case f.InitiativeID != 0:
		where, args = append(where, "e.initiative_id = ?"), append(args, f.InitiativeID)
	}
	if f.VisibleTo != 0 {
		where, args = append(where, "e.product_id IN ("+visibleProducts+")"), append(args, f.VisibleTo, f.VisibleTo)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		w, a := c.nameSearchOf("e", "epics_name_fts", q)
		where, args = append(where, w...), append(args, a...)
	}
	if f.UpdatedSince != nil {
		where, args = append(where, "e.updated_at > ?"), append(args, ms(*f.UpdatedSince))
	}
	if t := strings.TrimSpace(f.Tag); t != "" {
		where, args = append(where, "e.id IN (SELECT epic_id FROM epic_tags WHERE lower(name) = ?)"), append(args, fold(t))
	}
	if a := strings.TrimSpace(f.AssignedTo); a != "" {
		u, err := resolveUser(ctx, c, "assigned_to_user", a)
		if err != nil {
			return nil, 0, err
		}
		where, args = append(where, "e.assigned_to_user_id = ?"), append(args, u.ID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := strategyPage(f.Page)
	// The count reads the matching rows of the filters' indexes and joins
	// nothing; with few matches of a filter the page orders by an
	// expression, so that the planners start from the filter's index.
	// The whole list of a product, a release or the account takes its
	// total from the counts the products and releases keep.
	filtered := strings.TrimSpace(f.Query) != "" || f.UpdatedSince != nil || strings.TrimSpace(f.Tag) != "" || strings.TrimSpace(f.AssignedTo) != ""
	cq, cargs := "SELECT COUNT(*) FROM epics e"+cond, args
	switch {
	case filtered:
	case f.ProductID != 0:
		cq, cargs = keptTotal("products", "epic_count", f.ProductID, f.VisibleTo)
	case f.ReleaseID != 0:
		cq, cargs = keptTotal("releases", "epic_count", f.ReleaseID, f.VisibleTo)
	case f.GoalID == 0 && f.InitiativeID == 0:
		cq, cargs = accountTotal("epic_count", f.VisibleTo)
	}
	var total int
	if err := c.queryRow(ctx, cq, c.planEach(cargs)...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := " ORDER BY e.id"
	if filtered && total <= fewMatches {
		order = " ORDER BY e.id + 0"
	}
	var out []*roadmap.Epic
	if total > page.Offset() {
		rows, err := c.query(ctx, epicSelect+cond+order+" LIMIT ? OFFSET ?", c.planEach(append(args, page.PerPage, page.Offset()))...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			e, err := scanEpic(rows)
			if err != nil {
				rows.Close()
				return nil, 0, err
			}
			out = append(out, e)
		}
		if err := closeRows(rows); err != nil {
			return nil, 0, err
		}
	}
	if err := loadEpicRelations(ctx, c, out, f.Full); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// loadEpicRelations fills what the epics' representation shows beyond their
// rows, with one query per kind of related record for the whole page. The
// list representation needs none of them; full loads them all.
func loadEpicRelations(ctx context.Context, c conn, es []*roadmap.Epic, full bool) error {
	if len(es) == 0 || !full {
		return nil
	}
	byID := make(map[int64]*roadmap.Epic, len(es))
	ids := make([]int64, len(es))
	var releaseIDs, initiativeIDs []int64
	for i, e := range es {
		byID[e.ID], ids[i] = e, e.ID
		releaseIDs = append(releaseIDs, e.ReleaseID)
		if e.InitiativeID != 0 {
			initiativeIDs = append(initiativeIDs, e.InitiativeID)
		}
	}
	in := "(" + placeholders(len(ids)) + ")"
	args := int64Args(ids)
	if err := setCommentCounts(ctx, c, roadmap.CommentOnEpic, ids, func(id int64, n int) { byID[id].CommentsCount = n }); err != nil {
		return err
	}

	fields, err := integrationFields(ctx, c, epicRecordType, ids)
	if err != nil {
		return err
	}
	watchers, err := recordWatchers(ctx, c, "epic_watchers", "epic_id", ids)
	if err != nil {
		return err
	}
	custom, err := recordCustomFields(ctx, c, "epic_custom_fields", "epic_id", ids)
	if err != nil {
		return err
	}
	for _, e := range es {
		e.IntegrationFields, e.Watchers, e.CustomFields = fields[e.ID], watchers[e.ID], custom[e.ID]
	}

	rels, err := epicReleasesByID(ctx, c, releaseIDs)
	if err != nil {
		return err
	}
	inits, err := epicInitiativesByID(ctx, c, initiativeIDs)
	if err != nil {
		return err
	}
	for _, e := range es {
		e.Release = rels[e.ReleaseID]
		e.Initiative = inits[e.InitiativeID]
	}

	rows, err := c.query(ctx, "SELECT f.epic_id, f.id, f.product_id, f.reference_num, f.name, f.created_at FROM features f WHERE f.epic_id IN "+in+" ORDER BY f.epic_id, f.id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var eid, created int64
		var f roadmap.EpicFeature
		if err := rows.Scan(&eid, &f.ID, &f.ProductID, &f.ReferenceNum, &f.Name, &created); err != nil {
			rows.Close()
			return err
		}
		f.CreatedAt = fromMS(created)
		byID[eid].Features = append(byID[eid].Features, f)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = c.query(ctx, "SELECT eg.epic_id, "+goalCols+" FROM epic_goals eg JOIN goals g ON g.id = eg.goal_id WHERE eg.epic_id IN "+in+" ORDER BY eg.epic_id, g.id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var eid int64
		var g roadmap.Goal
		if err := scanGoal(prefixed{rows, &eid}, &g); err != nil {
			rows.Close()
			return err
		}
		byID[eid].Goals = append(byID[eid].Goals, g)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = c.query(ctx, "SELECT epic_id, id, name, color FROM epic_tags WHERE epic_id IN "+in+" ORDER BY epic_id, position, id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var eid int64
		var t roadmap.EpicTag
		if err := rows.Scan(&eid, &t.ID, &t.Name, &t.Color); err != nil {
			rows.Close()
			return err
		}
		byID[eid].Tags = append(byID[eid].Tags, t)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = c.query(ctx, "SELECT epic_id, id, name, value FROM epic_score_facts WHERE epic_id IN "+in+" ORDER BY epic_id, position, id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var eid int64
		var f roadmap.EpicScoreFact
		if err := rows.Scan(&eid, &f.ID, &f.Name, &f.Value); err != nil {
			rows.Close()
			return err
		}
		byID[eid].ScoreFacts = append(byID[eid].ScoreFacts, f)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = c.query(ctx, "SELECT record_id, status_id, status_name, started_at, ended_at FROM work_status_times WHERE record_type = ? AND record_id IN "+in+" ORDER BY record_id, started_at, id",
		append([]any{epicRecordType}, args...)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var eid, started int64
		var ended sql.NullInt64
		var st roadmap.StatusTime
		if err := rows.Scan(&eid, &st.StatusID, &st.StatusName, &started, &ended); err != nil {
			rows.Close()
			return err
		}
		st.StartedAt = fromMS(started)
		if ended.Valid {
			t := fromMS(ended.Int64)
			st.EndedAt = &t
		}
		byID[eid].StatusTimes = append(byID[eid].StatusTimes, st)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = c.query(ctx, `SELECT l.link_type, l.link_type_id, l.created_at,
 pe.id, pe.product_id, pe.reference_num, pe.name, pe.created_at, ce.id, ce.product_id, ce.reference_num, ce.name, ce.created_at
 FROM epic_links l JOIN epics pe ON pe.id = l.parent_id JOIN epics ce ON ce.id = l.child_id
 WHERE l.parent_id IN `+in+` OR l.child_id IN `+in+` ORDER BY l.id`, append(args, args...)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var l roadmap.EpicLink
		var created, pc, cc int64
		if err := rows.Scan(&l.LinkType, &l.LinkTypeID, &created,
			&l.Parent.ID, &l.Parent.ProductID, &l.Parent.ReferenceNum, &l.Parent.Name, &pc,
			&l.Child.ID, &l.Child.ProductID, &l.Child.ReferenceNum, &l.Child.Name, &cc); err != nil {
			rows.Close()
			return err
		}
		l.CreatedAt, l.Parent.CreatedAt, l.Child.CreatedAt = fromMS(created), fromMS(pc), fromMS(cc)
		ends := []int64{l.Parent.ID}
		if l.Child.ID != l.Parent.ID {
			ends = append(ends, l.Child.ID)
		}
		for _, eid := range ends {
			if e := byID[eid]; e != nil {
				e.Links = append(e.Links, l)
			}
		}
	}
	return closeRows(rows)
}

// epicReleasesByID loads releases in their list representation, by ID, with one
// query for them and one for their integration fields.
func epicReleasesByID(ctx context.Context, c conn, ids []int64) (map[int64]*roadmap.Release, error) {
	out := map[int64]*roadmap.Release{}
	ids = epicUniqueIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, releaseSelect+" WHERE r.id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	var rels []*roadmap.Release
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out[r.ID] = r
		rels = append(rels, r)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return out, loadRelations(ctx, c, rels, false)
}

// epicInitiativesByID loads initiatives in their compact form with their
// integration fields, by ID.
func epicInitiativesByID(ctx context.Context, c conn, ids []int64) (map[int64]*roadmap.Initiative, error) {
	out := map[int64]*roadmap.Initiative{}
	ids = epicUniqueIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+initiativeCols+" FROM initiatives i WHERE i.id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var it roadmap.Initiative
		if err := scanInitiative(rows, &it); err != nil {
			rows.Close()
			return nil, err
		}
		out[it.ID] = &it
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	fields, err := integrationFields(ctx, c, "initiative", ids)
	if err != nil {
		return nil, err
	}
	for id, it := range out {
		it.IntegrationFields = fields[id]
	}
	return out, nil
}

func epicUniqueIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// epicStatus resolves a status of the workflow epics follow in a product,
// by name (case-insensitive) or ID; ref "" gives the first status.
func epicStatus(ctx context.Context, c conn, productID int64, ref string) (*roadmap.WorkflowStatus, error) {
	base := "SELECT " + statusCols + " FROM workflow_statuses s WHERE s.workflow_id = (SELECT " + epicWorkflow +
		" FROM products p LEFT JOIN products pl ON pl.id = p.parent_id WHERE p.id = ?)"
	var s roadmap.WorkflowStatus
	var err error
	ref = strings.TrimSpace(ref)
	switch n, perr := strconv.ParseInt(ref, 10, 64); {
	case ref == "":
		err = scanStatus(c.queryRow(ctx, base+" ORDER BY s.position, s.id LIMIT 1", productID), &s)
		if isNoRows(err) {
			return nil, roadmap.Errorf(roadmap.EINVALID, "this product has no workflow for epics")
		}
	case perr == nil:
		err = scanStatus(c.queryRow(ctx, base+" AND s.id = ?", productID, n), &s)
	default:
		err = scanStatus(c.queryRow(ctx, base+" AND lower(s.name) = lower(?) ORDER BY s.position, s.id LIMIT 1", productID, ref), &s)
	}
	if isNoRows(err) {
		return nil, roadmap.FieldErrorf("workflow_status", "workflow_status %q is not a status of this product's epic workflow", ref)
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// DefaultEpicRelease returns the release that an epic created in a product
// without a release goes to: the product's first release that is neither
// shipped, a roll-up nor a parking lot, by release date then number, else
// its first parking lot. A product with neither refuses the epic.
func (db *DB) DefaultEpicRelease(ctx context.Context, productID int64) (*roadmap.Release, error) {
	c := db.reader()
	var id int64
	err := c.queryRow(ctx, `SELECT r.id FROM releases r JOIN workflow_statuses s ON s.id = r.workflow_status_id
 WHERE r.product_id = ? AND r.master_release = ? AND r.parking_lot = ? AND s.complete = ?
 ORDER BY r.release_date, LENGTH(r.reference_num), r.reference_num LIMIT 1`, productID, false, false, false).Scan(&id)
	if isNoRows(err) {
		err = c.queryRow(ctx, "SELECT r.id FROM releases r WHERE r.product_id = ? AND r.master_release = ? AND r.parking_lot = ? ORDER BY r.position, r.id LIMIT 1",
			productID, false, true).Scan(&id)
	}
	if isNoRows(err) {
		return nil, roadmap.FieldErrorf("release", "the product has no release to put the epic in: create a release or a parking lot first, or give the release")
	}
	if err != nil {
		return nil, db.wrap(err)
	}
	r, err := loadReleaseByID(ctx, c, id, false)
	return r, db.wrap(err)
}

// epicLinks are the resolved references of an epic input; nil lists were
// not given.
type epicLinks struct {
	goals, watchers []int64
}

// resolveEpicLinks resolves the release, creator, assignee, initiative,
// goals and watchers of in, setting them on e.
func resolveEpicLinks(ctx context.Context, c conn, e *roadmap.Epic, in roadmap.EpicInput) (epicLinks, error) {
	var l epicLinks
	var err error
	if in.Release.Set {
		if e.ReleaseID, err = resolveEpicRelease(ctx, c, e.ProductID, in.Release); err != nil {
			return l, err
		}
	}
	if in.CreatedBy.Set && !in.CreatedBy.Null && strings.TrimSpace(in.CreatedBy.V) != "" {
		u, err := resolveUser(ctx, c, "created_by", in.CreatedBy.V)
		if err != nil {
			return l, err
		}
		e.CreatedByID = u.ID
	}
	if in.AssignedTo.Set {
		e.AssignedToID, e.DefaultAssignee = 0, false
		if !in.AssignedTo.Null && strings.TrimSpace(in.AssignedTo.V) != "" {
			u, err := resolveUser(ctx, c, "assigned_to_user", in.AssignedTo.V)
			if err != nil {
				return l, err
			}
			e.AssignedToID = u.ID
		}
	}
	if in.Initiative.Set {
		e.InitiativeID = 0
		if !in.Initiative.Null && strings.TrimSpace(in.Initiative.V) != "" {
			ids, err := resolveRecords(ctx, c, "initiatives", "initiative", []string{in.Initiative.V}, in.VisibleTo)
			if err != nil {
				return l, err
			}
			e.InitiativeID = ids[0]
		}
	}
	if in.Goals.Set {
		if l.goals, err = resolveRecords(ctx, c, "goals", "goals", in.Goals.V, in.VisibleTo); err != nil {
			return l, err
		}
	}
	if in.Watchers.Set {
		if l.watchers, err = resolveUserRefs(ctx, c, "watchers", in.Watchers.V); err != nil {
			return l, err
		}
	}
	return l, nil
}

// resolveEpicRelease finds a release of the product by numeric ID or
// reference number.
func resolveEpicRelease(ctx context.Context, c conn, productID int64, ref roadmap.Opt[string]) (int64, error) {
	key := strings.TrimSpace(ref.V)
	if ref.Null || key == "" {
		return 0, roadmap.FieldErrorf("release", "release can't be blank: an epic belongs to a release")
	}
	cond, arg := keyClause("r.id", "r.reference_num", key)
	var id, product int64
	err := c.queryRow(ctx, "SELECT r.id, r.product_id FROM releases r WHERE "+cond, arg).Scan(&id, &product)
	if isNoRows(err) || (err == nil && product != productID) {
		return 0, roadmap.FieldErrorf("release", "release: no release %q in the epic's product", key)
	}
	return id, err
}

// CreateEpic creates an epic in a release on behalf of a user. Without an
// assignee it goes to the product's default assignee of epics; the creator
// and the assignee watch it. It takes the first position of its release.
func (db *DB) CreateEpic(ctx context.Context, releaseID, userID int64, in roadmap.EpicInput) (*roadmap.Epic, error) {
	var out *roadmap.Epic
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var productID int64
		if err := c.queryRow(ctx, "SELECT product_id FROM releases WHERE id = ?", releaseID).Scan(&productID); err != nil {
			return scanErr(err, "release", strconv.FormatInt(releaseID, 10))
		}
		e := &roadmap.Epic{
			ProductID:      productID,
			ReleaseID:      releaseID,
			Position:       1,
			Progress:       new(int),
			ProgressSource: roadmap.ProgressManual,
			DurationSource: roadmap.DurationManual,
			CreatedByID:    userID,
			WorkUnits:      roadmap.CapacityTime,
			Description:    roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now},
		}
		if err := roadmap.ApplyEpicInput(e, in, true, tx.now); err != nil {
			return err
		}
		l, err := resolveEpicLinks(ctx, c, e, in)
		if err != nil {
			return err
		}
		if !in.AssignedTo.Set {
			var assignee int64
			err := c.queryRow(ctx, "SELECT COALESCE(p.epic_assignee_id, pl.epic_assignee_id, 0) FROM products p LEFT JOIN products pl ON pl.id = p.parent_id WHERE p.id = ?", productID).Scan(&assignee)
			if err != nil {
				return err
			}
			e.AssignedToID, e.DefaultAssignee = assignee, assignee != 0
		}
		status, err := epicStatus(ctx, c, productID, in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		if in.WorkflowStatus.Set && (in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "") {
			return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
		}
		e.WorkflowStatusID, e.StatusChangedOn = status.ID, roadmap.Today(tx.now)
		if e.ReferenceNum, err = tx.takeNumber(ctx, "products", "epic_seq", "reference_prefix", productID, "epics", roadmap.EpicReference); err != nil {
			return err
		}
		if err := tx.makeRoomAtTop(ctx, e.ReleaseID); err != nil {
			return err
		}
		e.ID = tx.db.ids.next(tx.now)
		e.CreatedAt, e.UpdatedAt = tx.now, tx.now
		if err := tx.insertEpic(ctx, e); err != nil {
			return err
		}
		tx.create(e.ID)
		if err := tx.insertWorkStatusTime(ctx, e.ID, *status); err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "epic_watchers", "epic_id", e.ID, "user_id", append([]int64{e.CreatedByID, e.AssignedToID}, l.watchers...), 0); err != nil {
			return err
		}
		if err := tx.writeEpicLists(ctx, e, in, l); err != nil {
			return err
		}
		if err := tx.recomputeWork(ctx, []int64{e.ID}, []int64{e.ReleaseID}); err != nil {
			return err
		}
		out, err = loadEpicByID(ctx, c, e.ID)
		return err
	})
	return out, err
}

// makeRoomAtTop moves the epics of a release down by one position, for an
// epic that takes the first. The release stays locked until the
// transaction ends, so that concurrent writers number its positions one
// after the other.
func (tx *Tx) makeRoomAtTop(ctx context.Context, releaseID int64) error {
	if err := tx.lockRelease(ctx, releaseID); err != nil {
		return err
	}
	_, err := tx.conn().exec(ctx, "UPDATE epics SET position = position + 1 WHERE release_id = ?", releaseID)
	return err
}

func (tx *Tx) insertEpic(ctx context.Context, e *roadmap.Epic) error {
	_, err := tx.conn().exec(ctx, `INSERT INTO epics (id, product_id, release_id, reference_num, name, name_fold, position, score,
 start_date, due_date, progress, progress_source, duration_source, status_changed_on, workflow_status_id, initiative_id,
 assigned_to_user_id, default_assignee, created_by_id, description_id, description_body, description_created_at,
 description_updated_at, work_units, initial_estimate, detailed_estimate, original_estimate, remaining_estimate, work_done,
 created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ProductID, e.ReleaseID, e.ReferenceNum, e.Name, fold(e.Name), e.Position, e.Score,
		nullStr(e.StartDate), nullStr(e.DueDate), e.Progress, e.ProgressSource, e.DurationSource, nullStr(e.StatusChangedOn), e.WorkflowStatusID, nullID(e.InitiativeID),
		nullID(e.AssignedToID), e.DefaultAssignee, e.CreatedByID, e.Description.ID, e.Description.Body, ms(e.Description.CreatedAt),
		ms(e.Description.UpdatedAt), e.WorkUnits, e.InitialEstimate, e.DetailedEstimate, e.OriginalEstimate(), e.RemainingEstimate, e.WorkDone,
		ms(e.CreatedAt), ms(e.UpdatedAt))
	return err
}

// insertWorkStatusTime starts a span of an epic's status history.
func (tx *Tx) insertWorkStatusTime(ctx context.Context, epicID int64, st roadmap.WorkflowStatus) error {
	_, err := tx.conn().exec(ctx, "INSERT INTO work_status_times (id, record_type, record_id, status_id, status_name, started_at) VALUES (?, ?, ?, ?, ?, ?)",
		tx.db.ids.next(tx.now), epicRecordType, epicID, st.ID, st.Name, ms(tx.now))
	return err
}

// writeEpicLists writes the goals, tags, score facts and custom fields that
// the input gives; lists not given stay as they are.
func (tx *Tx) writeEpicLists(ctx context.Context, e *roadmap.Epic, in roadmap.EpicInput, l epicLinks) error {
	c := tx.conn()
	if l.goals != nil {
		if err := tx.setLinkSet(ctx, "epic_goals", "epic_id", e.ID, "goal_id", l.goals, in.VisibleTo); err != nil {
			return err
		}
	}
	if in.Tags.Set {
		if err := tx.setEpicTags(ctx, e.ID, e.Tags); err != nil {
			return err
		}
	}
	if in.ScoreFacts.Set {
		if _, err := c.exec(ctx, "DELETE FROM epic_score_facts WHERE epic_id = ?", e.ID); err != nil {
			return err
		}
		for i, f := range e.ScoreFacts {
			if _, err := c.exec(ctx, "INSERT INTO epic_score_facts (id, epic_id, name, value, position) VALUES (?, ?, ?, ?, ?)",
				tx.db.ids.next(tx.now), e.ID, f.Name, f.Value, i); err != nil {
				return err
			}
		}
	}
	if in.CustomFields.Set {
		if err := tx.setRecordCustomFields(ctx, "epic_custom_fields", "epic_id", e.ID, in.CustomFields.V); err != nil {
			return err
		}
	}
	return nil
}

// setEpicTags replaces the tags of an epic. A tag the epic keeps keeps its
// ID and color.
func (tx *Tx) setEpicTags(ctx context.Context, epicID int64, tags []roadmap.EpicTag) error {
	c := tx.conn()
	rows, err := c.query(ctx, "SELECT id, name, color FROM epic_tags WHERE epic_id = ?", epicID)
	if err != nil {
		return err
	}
	old := map[string]roadmap.EpicTag{}
	for rows.Next() {
		var t roadmap.EpicTag
		if err := rows.Scan(&t.ID, &t.Name, &t.Color); err != nil {
			rows.Close()
			return err
		}
		old[strings.ToLower(t.Name)] = t
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if _, err := c.exec(ctx, "DELETE FROM epic_tags WHERE epic_id = ?", epicID); err != nil {
		return err
	}
	for i, t := range tags {
		if kept, ok := old[strings.ToLower(t.Name)]; ok {
			t.ID, t.Color = kept.ID, kept.Color
		} else {
			t.ID = tx.db.ids.next(tx.now)
		}
		if _, err := c.exec(ctx, "INSERT INTO epic_tags (id, epic_id, name, color, position) VALUES (?, ?, ?, ?, ?)", t.ID, epicID, t.Name, t.Color, i); err != nil {
			return err
		}
	}
	return nil
}

// UpdateEpic changes an epic. Moved to another release of its product, it
// takes the first position there; both releases are recomputed.
func (db *DB) UpdateEpic(ctx context.Context, id int64, in roadmap.EpicInput) (*roadmap.Epic, error) {
	var out *roadmap.Epic
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRecord(ctx, "epics", id); err != nil {
			return err
		}
		tx.resetNow(tx.now)
		e, err := loadEpicByID(ctx, c, id)
		if err != nil {
			return err
		}
		oldRelease := e.ReleaseID
		if err := roadmap.ApplyEpicInput(e, in, false, tx.now); err != nil {
			return err
		}
		l, err := resolveEpicLinks(ctx, c, e, in)
		if err != nil {
			return err
		}
		if in.CreatedBy.Set {
			return roadmap.FieldErrorf("created_by", "created_by can only be given when the epic is created")
		}
		if in.WorkflowStatus.Set {
			if in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "" {
				return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
			}
			st, err := epicStatus(ctx, c, e.ProductID, in.WorkflowStatus.V)
			if err != nil {
				return err
			}
			if st.ID != e.WorkflowStatusID {
				e.WorkflowStatusID, e.StatusChangedOn = st.ID, roadmap.Today(tx.now)
				if _, err := c.exec(ctx, "UPDATE work_status_times SET ended_at = ? WHERE record_type = ? AND record_id = ? AND ended_at IS NULL", ms(tx.now), epicRecordType, e.ID); err != nil {
					return err
				}
				if err := tx.insertWorkStatusTime(ctx, e.ID, *st); err != nil {
					return err
				}
			}
		}
		releases := []int64{oldRelease}
		if e.ReleaseID != oldRelease {
			releases = append(releases, e.ReleaseID)
			if err := tx.makeRoomAtTop(ctx, e.ReleaseID); err != nil {
				return err
			}
			e.Position = 1
		}
		_, err = c.exec(ctx, `UPDATE epics SET release_id = ?, name = ?, name_fold = ?, position = ?, score = ?, start_date = ?,
 due_date = ?, progress = ?, progress_source = ?, duration_source = ?, status_changed_on = ?, workflow_status_id = ?,
 initiative_id = ?, assigned_to_user_id = ?, default_assignee = ?, description_body = ?, description_updated_at = ?,
 work_units = ?, initial_estimate = ?, detailed_estimate = ?, original_estimate = ?, remaining_estimate = ?, updated_at = ?
 WHERE id = ?`,
			e.ReleaseID, e.Name, fold(e.Name), e.Position, e.Score, nullStr(e.StartDate),
			nullStr(e.DueDate), e.Progress, e.ProgressSource, e.DurationSource, nullStr(e.StatusChangedOn), e.WorkflowStatusID,
			nullID(e.InitiativeID), nullID(e.AssignedToID), e.DefaultAssignee, e.Description.Body, ms(e.Description.UpdatedAt),
			e.WorkUnits, e.InitialEstimate, e.DetailedEstimate, e.OriginalEstimate(), e.RemainingEstimate, ms(tx.now),
			e.ID)
		if err != nil {
			return err
		}
		if l.watchers != nil {
			if err := tx.setLinkSet(ctx, "epic_watchers", "epic_id", e.ID, "user_id", l.watchers, 0); err != nil {
				return err
			}
		}
		if err := tx.writeEpicLists(ctx, e, in, l); err != nil {
			return err
		}
		if err := tx.recomputeWork(ctx, []int64{e.ID}, releases); err != nil {
			return err
		}
		out, err = loadEpicByID(ctx, c, e.ID)
		return err
	})
	return out, err
}

// DeleteEpic deletes an epic with its status history, links, tags, score
// facts, custom and integration fields. Its features stay in their
// releases, without an epic; its release is recomputed.
func (db *DB) DeleteEpic(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRecord(ctx, "epics", id); err != nil {
			return err
		}
		tx.resetNow(tx.now)
		var releaseID int64
		if err := c.queryRow(ctx, "SELECT release_id FROM epics WHERE id = ?", id).Scan(&releaseID); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE features SET epic_id = NULL, updated_at = ? WHERE epic_id = ?", ms(tx.now), id); err != nil {
			return err
		}
		for _, shared := range []struct{ table, recordType string }{
			{"integration_fields", epicRecordType}, {"work_status_times", epicRecordType}, {"task_records", epicTaskRecordType},
		} {
			if _, err := c.exec(ctx, "DELETE FROM "+shared.table+" WHERE record_type = ? AND record_id = ?", shared.recordType, id); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, "DELETE FROM epics WHERE id = ?", id); err != nil {
			return err
		}
		return tx.recomputeWork(ctx, nil, []int64{releaseID})
	})
}

func (tx *Tx) seedEpics(ctx context.Context, s *roadmap.EpicSeed) error {
	if s == nil {
		return nil
	}
	c := tx.conn()
	if err := tx.seedFields(ctx, s.Fields); err != nil {
		return err
	}
	counters := map[int64]int64{}
	for _, se := range s.Epics {
		e := se.Epic
		if e.WorkUnits == "" {
			e.WorkUnits = roadmap.CapacityTime
		}
		if err := tx.insertEpic(ctx, &e); err != nil {
			return err
		}
		if n := epicNumber(e.ReferenceNum); n > counters[e.ProductID] {
			counters[e.ProductID] = n
		}
		for _, st := range e.StatusTimes {
			var ended any
			if st.EndedAt != nil {
				ended = ms(*st.EndedAt)
			}
			if _, err := c.exec(ctx, "INSERT INTO work_status_times (id, record_type, record_id, status_id, status_name, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				tx.db.ids.next(tx.now), epicRecordType, e.ID, st.StatusID, st.StatusName, ms(st.StartedAt), ended); err != nil {
				return err
			}
		}
		if err := tx.setLinkSet(ctx, "epic_goals", "epic_id", e.ID, "goal_id", se.GoalIDs, 0); err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "epic_watchers", "epic_id", e.ID, "user_id", se.WatcherIDs, 0); err != nil {
			return err
		}
		for i, t := range e.Tags {
			if _, err := c.exec(ctx, "INSERT INTO epic_tags (id, epic_id, name, color, position) VALUES (?, ?, ?, ?, ?)", t.ID, e.ID, t.Name, t.Color, i); err != nil {
				return err
			}
		}
		for i, f := range e.ScoreFacts {
			if _, err := c.exec(ctx, "INSERT INTO epic_score_facts (id, epic_id, name, value, position) VALUES (?, ?, ?, ?, ?)", f.ID, e.ID, f.Name, f.Value, i); err != nil {
				return err
			}
		}
		for i, cf := range e.CustomFields {
			if _, err := c.exec(ctx, "INSERT INTO epic_custom_fields (id, epic_id, key, name, type, value, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				cf.ID, e.ID, cf.Key, cf.Name, cf.Type, cf.Value, i, ms(cf.CreatedAt), ms(cf.UpdatedAt)); err != nil {
				return err
			}
		}
		if err := tx.insertIntegrationFields(ctx, epicRecordType, e.ID, e.IntegrationFields); err != nil {
			return err
		}
		if len(se.FeatureIDs) > 0 {
			if _, err := c.exec(ctx, "UPDATE features SET epic_id = ? WHERE id IN ("+placeholders(len(se.FeatureIDs))+")",
				append([]any{e.ID}, int64Args(se.FeatureIDs)...)...); err != nil {
				return err
			}
		}
	}
	for _, l := range s.Links {
		if _, err := c.exec(ctx, "INSERT INTO epic_links (id, parent_id, child_id, link_type, link_type_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			l.ID, l.ParentID, l.ChildID, l.LinkType, l.LinkTypeID, ms(l.CreatedAt)); err != nil {
			return err
		}
	}
	for product, n := range s.Counters {
		counters[product] = max(counters[product], n)
	}
	for product, n := range counters {
		if _, err := c.exec(ctx, "UPDATE products SET epic_seq = ? WHERE id = ? AND epic_seq < ?", n, product, n); err != nil {
			return err
		}
	}
	for product, user := range s.Assignees {
		if _, err := c.exec(ctx, "UPDATE products SET epic_assignee_id = ? WHERE id = ?", nullID(user), product); err != nil {
			return err
		}
	}
	return nil
}

// epicNumber returns the number at the end of an epic's reference number,
// 0 when it has none.
func epicNumber(ref string) int64 {
	i := strings.LastIndexByte(ref, '-')
	n, err := strconv.ParseInt(ref[i+1:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}
