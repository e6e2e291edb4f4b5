package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Record types of features and requirements: in custom field definitions
// (Aha!'s names), and in the tables shared between kinds of records
// (integration_fields, work_status_times, task_records).
const (
	fieldableFeature      = "Feature"
	fieldableRequirement  = "Requirement"
	recordFeature         = "feature"
	recordRequirement     = "requirement"
	taskRecordFeature     = "Feature"
	taskRecordRequirement = "Requirement"
)

func init() {
	valueTables[fieldableFeature] = valueTable{"feature_custom_fields", "feature_id"}
	valueTables[fieldableRequirement] = valueTable{"requirement_custom_fields", "requirement_id"}
}

// featureWorkflow is the SQL of the workflow that features, epics and
// requirements follow in product p (with its product line pl).
const featureWorkflow = "COALESCE(p.feature_workflow_id, pl.feature_workflow_id)"

// featureStatus resolves a status of the product's feature workflow by name
// (case-insensitive) or ID; ref "" gives the first status.
func featureStatus(ctx context.Context, c conn, productID int64, field, ref string) (*roadmap.WorkflowStatus, error) {
	base := "SELECT " + statusCols + " FROM workflow_statuses s WHERE s.workflow_id = (SELECT " + featureWorkflow +
		" FROM products p LEFT JOIN products pl ON pl.id = p.parent_id WHERE p.id = ?)"
	var s roadmap.WorkflowStatus
	var err error
	ref = strings.TrimSpace(ref)
	switch n, perr := strconv.ParseInt(ref, 10, 64); {
	case ref == "":
		err = scanStatus(c.queryRow(ctx, base+" ORDER BY s.position, s.id LIMIT 1", productID), &s)
		if isNoRows(err) {
			return nil, roadmap.Errorf(roadmap.EINVALID, "the product has no feature workflow")
		}
	case perr == nil:
		err = scanStatus(c.queryRow(ctx, base+" AND s.id = ?", productID, n), &s)
	default:
		err = scanStatus(c.queryRow(ctx, base+" AND lower(s.name) = lower(?) ORDER BY s.position, s.id LIMIT 1", productID, ref), &s)
	}
	if isNoRows(err) {
		return nil, roadmap.FieldErrorf(field, "%s %q is not a status of this product's feature workflow", field, ref)
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// featurePosition is the position of feature f that the API shows, from
// its stored key and its release's features_top (migration 00027), read
// for the rows a statement returns only.
const featurePosition = "f.position - (SELECT fr.features_top FROM releases fr WHERE fr.id = f.release_id) + 1"

// featureKey is the stored key of a position shown in the release of the
// next argument: the inverse of featurePosition.
const featureKey = "? + (SELECT fr.features_top FROM releases fr WHERE fr.id = ?) - 1"

const featureSelect = `SELECT f.id, f.product_id, f.release_id, COALESCE(f.epic_id, 0), COALESCE(f.initiative_id, 0),
 COALESCE(f.release_phase_id, 0), f.reference_num, f.name, ` + featurePosition + `, f.score, f.start_date, f.due_date,
 f.progress, f.progress_source, f.status_changed_on, f.workflow_kind, f.workflow_status_id,
 COALESCE(f.assigned_to_user_id, 0), f.default_assignee, f.created_by_id, f.description_id, f.description_body,
 f.description_created_at, f.description_updated_at, f.work_units, f.initial_estimate, f.detailed_estimate,
 f.remaining_estimate, f.work_done, f.created_at, f.updated_at,
 ` + productCols + `, ` + statusCols + `, ` + "cu.id, cu.name, cu.email, cu.admin, cu.created_at, cu.updated_at" + `
 FROM features f
 JOIN products p ON p.id = f.product_id
 JOIN workflow_statuses s ON s.id = f.workflow_status_id
 JOIN users cu ON cu.id = f.created_by_id`

func scanFeature(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.Feature, error) {
	f := &roadmap.Feature{}
	var start, due, changed sql.NullString
	var progress sql.NullInt64
	var initial, detailed, remaining, done sql.NullFloat64
	var dc, du, created, updated, pc, pu, cc, cu int64
	p, s, c := &f.Product, &f.WorkflowStatus, &f.CreatedBy
	dest := append(extra, &f.ID, &f.ProductID, &f.ReleaseID, &f.EpicID, &f.InitiativeID,
		&f.ReleasePhaseID, &f.ReferenceNum, &f.Name, &f.Position, &f.Score, &start, &due,
		&progress, &f.ProgressSource, &changed, &f.WorkflowKind, &f.WorkflowStatusID,
		&f.AssignedToID, &f.DefaultAssignee, &f.CreatedByID, &f.Description.ID, &f.Description.Body,
		&dc, &du, &f.WorkUnits, &initial, &detailed,
		&remaining, &done, &created, &updated,
		&p.ID, &p.ReferencePrefix, &p.Name, &p.ProductLine, &p.WorkspaceType, &p.ParentID, &pc, &pu,
		&s.ID, &s.Name, &s.Position, &s.Complete, &s.Color,
		&c.ID, &c.Name, &c.Email, &c.Admin, &cc, &cu)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	f.StartDate, f.DueDate, f.StatusChangedOn = start.String, due.String, changed.String
	if progress.Valid {
		v := int(progress.Int64)
		f.Progress = &v
	}
	f.InitialEstimate, f.DetailedEstimate, f.RemainingEstimate, f.WorkDone = optFloat(initial), optFloat(detailed), optFloat(remaining), optFloat(done)
	f.Description.CreatedAt, f.Description.UpdatedAt = fromMS(dc), fromMS(du)
	f.CreatedAt, f.UpdatedAt = fromMS(created), fromMS(updated)
	p.CreatedAt, p.UpdatedAt = fromMS(pc), fromMS(pu)
	c.CreatedAt, c.UpdatedAt = fromMS(cc), fromMS(cu)
	return f, nil
}

// Feature returns a feature by numeric ID or reference number, loaded for
// its full representation.
func (db *DB) Feature(ctx context.Context, key string) (*roadmap.Feature, error) {
	f, err := loadFeature(ctx, db.reader(), key)
	return f, db.wrap(err)
}

// FeatureProduct returns the ID of the feature a numeric ID or reference
// number names and the ID of its product, without loading the feature (whose
// full representation embeds all its requirements): for the lists of its
// requirements and comments, which need only to check access.
func (db *DB) FeatureProduct(ctx context.Context, key string) (id, productID int64, err error) {
	cond, arg := keyClause("id", "reference_num", key)
	err = db.reader().queryRow(ctx, "SELECT id, product_id FROM features WHERE "+cond, arg).Scan(&id, &productID)
	if err != nil {
		return 0, 0, db.wrap(scanErr(err, "feature", key))
	}
	return id, productID, nil
}

func loadFeature(ctx context.Context, c conn, key string) (*roadmap.Feature, error) {
	cond, arg := keyClause("f.id", "f.reference_num", key)
	f, err := scanFeature(c.queryRow(ctx, featureSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "feature", key)
	}
	if err := loadFeatureRelations(ctx, c, []*roadmap.Feature{f}, true); err != nil {
		return nil, err
	}
	return f, nil
}

func loadFeatureByID(ctx context.Context, c conn, id int64) (*roadmap.Feature, error) {
	return loadFeature(ctx, c, strconv.FormatInt(id, 10))
}

// Features returns a page of features in ID order and the total number that
// match.
func (db *DB) Features(ctx context.Context, f roadmap.FeatureFilter) ([]*roadmap.Feature, int, error) {
	fs, total, err := listFeatures(ctx, db.reader(), f)
	return fs, total, db.wrap(err)
}

func listFeatures(ctx context.Context, c conn, f roadmap.FeatureFilter) ([]*roadmap.Feature, int, error) {
	var where []string
	var args []any
	switch {
	case f.ProductID != 0:
		where, args = append(where, "f.product_id = ?"), append(args, f.ProductID)
	case f.ReleaseID != 0:
		where, args = append(where, "f.release_id = ?"), append(args, f.ReleaseID)
	case f.EpicID != 0:
		where, args = append(where, "f.epic_id = ?"), append(args, f.EpicID)
	case f.GoalID != 0:
		where, args = append(where, "f.id IN (SELECT feature_id FROM feature_goals WHERE goal_id = ?)"), append(args, f.GoalID)
	case f.InitiativeID != 0:
		where, args = append(where, "f.initiative_id = ?"), append(args, f.InitiativeID)
	}
	if f.VisibleTo != 0 {
		where, args = append(where, "f.product_id IN ("+visibleProducts+")"), append(args, f.VisibleTo, f.VisibleTo)
	}
	if f.Query != "" {
		w, a := c.nameSearchOf("f", "features_name_fts", f.Query)
		where, args = append(where, w...), append(args, a...)
	}
	if f.UpdatedSince != nil {
		where, args = append(where, "f.updated_at > ?"), append(args, ms(*f.UpdatedSince))
	}
	if f.Tag != "" {
		where, args = append(where, "f.id IN (SELECT feature_id FROM feature_tags WHERE lower(name) = lower(?))"), append(args, strings.TrimSpace(f.Tag))
	}
	if a := strings.TrimSpace(f.AssignedTo); a != "" {
		if n, err := strconv.ParseInt(a, 10, 64); err == nil {
			where, args = append(where, "f.assigned_to_user_id = ?"), append(args, n)
		} else {
			where, args = append(where, "f.assigned_to_user_id IN (SELECT id FROM users WHERE lower(email) = lower(?))"), append(args, a)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := normalPage(f.Page)
	// A filtered count reads the matching rows of the filters' indexes and
	// joins nothing, so that it costs what the matches cost rather than
	// their full rows. The whole list of a product, a release or the
	// account takes its total from the counts the write transactions keep.
	filtered := f.Query != "" || f.UpdatedSince != nil || f.Tag != "" || strings.TrimSpace(f.AssignedTo) != ""
	cq, cargs := "SELECT COUNT(*) FROM features f"+cond, args
	switch {
	case filtered:
	case f.ProductID != 0:
		cq, cargs = keptTotal("products", "feature_count", f.ProductID, f.VisibleTo)
	case f.ReleaseID != 0:
		cq, cargs = keptTotal("releases", "feature_count", f.ReleaseID, f.VisibleTo)
	case f.EpicID == 0 && f.GoalID == 0 && f.InitiativeID == 0:
		cq, cargs = accountTotal("feature_count", f.VisibleTo)
	}
	var total int
	if err := c.queryRow(ctx, cq, c.planEach(cargs)...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// With few matches of a filter, ordering by an expression keeps the
	// planners from walking the features in id order to find them: they
	// start from the index of the filter and sort what it finds.
	order := " ORDER BY f.id"
	if filtered && total <= fewMatches {
		order = " ORDER BY f.id + 0"
	}
	var out []*roadmap.Feature
	if total > page.Offset() {
		rows, err := c.query(ctx, featureSelect+cond+order+" LIMIT ? OFFSET ?", c.planEach(append(args, page.PerPage, page.Offset()))...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			ft, err := scanFeature(rows)
			if err != nil {
				rows.Close()
				return nil, 0, err
			}
			out = append(out, ft)
		}
		if err := closeRows(rows); err != nil {
			return nil, 0, err
		}
	}
	if err := loadFeatureRelations(ctx, c, out, f.Full); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// loadFeatureRelations fills what the full representation of features
// shows, with one query per kind of related record for the whole page:
// never a query per feature. Without full it loads nothing, since the list
// representation shows only the feature's own columns.
func loadFeatureRelations(ctx context.Context, c conn, fs []*roadmap.Feature, full bool) error {
	if len(fs) == 0 || !full {
		return nil
	}
	byID := make(map[int64]*roadmap.Feature, len(fs))
	ids := make([]int64, 0, len(fs))
	var users, releases, epics, phases, initiatives []int64
	for _, f := range fs {
		byID[f.ID] = f
		ids = append(ids, f.ID)
		users = featureAppendID(users, f.AssignedToID)
		releases = featureAppendID(releases, f.ReleaseID)
		epics = featureAppendID(epics, f.EpicID)
		phases = featureAppendID(phases, f.ReleasePhaseID)
		initiatives = featureAppendID(initiatives, f.InitiativeID)
	}
	in := "(" + placeholders(len(ids)) + ")"
	args := int64Args(ids)
	if err := setCommentCounts(ctx, c, roadmap.CommentOnFeature, ids, func(id int64, n int) { byID[id].CommentsCount = n }); err != nil {
		return err
	}

	assignees, err := featureUsersByID(ctx, c, users)
	if err != nil {
		return err
	}
	rels, err := featureReleasesByID(ctx, c, releases)
	if err != nil {
		return err
	}
	eps, err := featureEpics(ctx, c, epics)
	if err != nil {
		return err
	}
	phs, err := featurePhases(ctx, c, phases)
	if err != nil {
		return err
	}
	inits, err := featureInitiativesByID(ctx, c, initiatives)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if u, ok := assignees[f.AssignedToID]; ok {
			f.AssignedTo = &u
		}
		f.Release = rels[f.ReleaseID]
		f.Epic = eps[f.EpicID]
		f.ReleasePhase = phs[f.ReleasePhaseID]
		f.Initiative = inits[f.InitiativeID]
		f.Requirements, f.Goals, f.KeyResults, f.Watchers, f.Tags, f.ScoreFacts, f.CustomFields, f.Links, f.StatusTimes =
			nil, nil, nil, nil, nil, nil, nil, nil, nil
	}

	reqs, err := listRequirementsOf(ctx, c, ids)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		byID[r.FeatureID].Requirements = append(byID[r.FeatureID].Requirements, r)
	}

	rows, err := c.query(ctx, "SELECT fg.feature_id, "+goalCols+" FROM feature_goals fg JOIN goals g ON g.id = fg.goal_id WHERE fg.feature_id IN "+in+" ORDER BY fg.feature_id, g.id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var fid int64
		var g roadmap.Goal
		if err := scanGoal(prefixed{rows, &fid}, &g); err != nil {
			rows.Close()
			return err
		}
		byID[fid].Goals = append(byID[fid].Goals, g)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = c.query(ctx, `SELECT fk.feature_id, k.id, g.product_id, k.reference_num, k.name, k.position, k.progress, k.target_metric,
 k.starting_metric, k.current_metric, k.created_at, k.updated_at
 FROM feature_key_results fk JOIN key_results k ON k.id = fk.key_result_id JOIN goals g ON g.id = k.goal_id WHERE fk.feature_id IN `+in+" ORDER BY fk.feature_id, k.id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var fid, created, updated int64
		var k roadmap.FeatureKeyResult
		var progress sql.NullInt64
		var target, starting, current sql.NullString
		if err := rows.Scan(&fid, &k.ID, &k.ProductID, &k.ReferenceNum, &k.Name, &k.Position, &progress, &target, &starting, &current, &created, &updated); err != nil {
			rows.Close()
			return err
		}
		k.Progress = nullableInt(progress)
		k.TargetMetric, k.StartingMetric, k.CurrentMetric = nullableStr(target), nullableStr(starting), nullableStr(current)
		k.CreatedAt, k.UpdatedAt = fromMS(created), fromMS(updated)
		byID[fid].KeyResults = append(byID[fid].KeyResults, k)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	watchers, err := recordWatchers(ctx, c, "feature_watchers", "feature_id", ids)
	if err != nil {
		return err
	}
	tags, err := workRecordTags(ctx, c, "feature_tags", "feature_id", ids)
	if err != nil {
		return err
	}
	fields, err := workCustomFields(ctx, c, "feature_custom_fields", "feature_id", ids)
	if err != nil {
		return err
	}
	integ, err := integrationFields(ctx, c, recordFeature, ids)
	if err != nil {
		return err
	}
	times, err := workRecordStatusTimes(ctx, c, recordFeature, ids)
	if err != nil {
		return err
	}
	for _, f := range fs {
		f.Watchers, f.Tags, f.CustomFields = watchers[f.ID], tags[f.ID], fields[f.ID]
		f.IntegrationFields, f.StatusTimes = integ[f.ID], times[f.ID]
	}

	rows, err = c.query(ctx, "SELECT feature_id, id, name, value FROM feature_score_facts WHERE feature_id IN "+in+" ORDER BY feature_id, position, id", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var fid int64
		var sf roadmap.ScoreFact
		if err := rows.Scan(&fid, &sf.ID, &sf.Name, &sf.Value); err != nil {
			rows.Close()
			return err
		}
		byID[fid].ScoreFacts = append(byID[fid].ScoreFacts, sf)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = c.query(ctx, `SELECT l.id, l.link_type, l.link_type_id, l.created_at,
 a.id, a.product_id, a.reference_num, a.name, a.created_at, b.id, b.product_id, b.reference_num, b.name, b.created_at
 FROM feature_links l JOIN features a ON a.id = l.parent_id JOIN features b ON b.id = l.child_id
 WHERE l.parent_id IN `+in+" OR l.child_id IN "+in+" ORDER BY l.id", append(args, args...)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var l roadmap.FeatureLink
		var created, ac, bc int64
		if err := rows.Scan(&l.ID, &l.LinkType, &l.LinkTypeID, &created,
			&l.Parent.ID, &l.Parent.ProductID, &l.Parent.ReferenceNum, &l.Parent.Name, &ac,
			&l.Child.ID, &l.Child.ProductID, &l.Child.ReferenceNum, &l.Child.Name, &bc); err != nil {
			rows.Close()
			return err
		}
		l.CreatedAt, l.Parent.CreatedAt, l.Child.CreatedAt = fromMS(created), fromMS(ac), fromMS(bc)
		for _, fid := range []int64{l.Parent.ID, l.Child.ID} {
			if f, ok := byID[fid]; ok && (fid == l.Parent.ID || l.Child.ID != l.Parent.ID) {
				f.Links = append(f.Links, l)
			}
		}
	}
	return closeRows(rows)
}

// featureAppendID adds id to ids unless it is 0 or there already.
func featureAppendID(ids []int64, id int64) []int64 {
	if id == 0 {
		return ids
	}
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// featureUsersByID loads users by ID.
func featureUsersByID(ctx context.Context, c conn, ids []int64) (map[int64]roadmap.User, error) {
	out := map[int64]roadmap.User{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+userCols+" FROM users u WHERE u.id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u roadmap.User
		if err := scanUser(rows, &u); err != nil {
			rows.Close()
			return nil, err
		}
		out[u.ID] = u
	}
	return out, closeRows(rows)
}

// featureReleasesByID loads releases by ID in their list representation.
func featureReleasesByID(ctx context.Context, c conn, ids []int64) (map[int64]*roadmap.Release, error) {
	out := map[int64]*roadmap.Release{}
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
		rels = append(rels, r)
		out[r.ID] = r
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return out, loadRelations(ctx, c, rels, false)
}

// featureEpics loads the compact form of epics by ID.
func featureEpics(ctx context.Context, c conn, ids []int64) (map[int64]*roadmap.FeatureEpic, error) {
	out := map[int64]*roadmap.FeatureEpic{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT id, product_id, reference_num, name, created_at FROM epics WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e roadmap.FeatureEpic
		var created int64
		if err := rows.Scan(&e.ID, &e.ProductID, &e.ReferenceNum, &e.Name, &created); err != nil {
			rows.Close()
			return nil, err
		}
		e.CreatedAt = fromMS(created)
		out[e.ID] = &e
	}
	return out, closeRows(rows)
}

// featurePhases loads release phases by ID.
func featurePhases(ctx context.Context, c conn, ids []int64) (map[int64]*roadmap.FeaturePhase, error) {
	out := map[int64]*roadmap.FeaturePhase{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, `SELECT ph.id, ph.release_id, r.product_id, ph.name, ph.kind, ph.start_on, ph.end_on, ph.progress, ph.progress_source,
 ph.duration_source, ph.description_id, ph.description_body, ph.description_created_at, ph.description_updated_at,
 ph.created_at, ph.updated_at
 FROM release_phases ph JOIN releases r ON r.id = ph.release_id WHERE ph.id IN (`+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p roadmap.FeaturePhase
		var start, end sql.NullString
		var progress sql.NullInt64
		var dc, du, created, updated int64
		if err := rows.Scan(&p.ID, &p.ReleaseID, &p.ProductID, &p.Name, &p.Kind, &start, &end, &progress, &p.ProgressSource, &p.DurationSource,
			&p.Description.ID, &p.Description.Body, &dc, &du, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		p.StartOn, p.EndOn, p.Progress = start.String, end.String, nullableInt(progress)
		p.Description.CreatedAt, p.Description.UpdatedAt = fromMS(dc), fromMS(du)
		p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
		out[p.ID] = &p
	}
	return out, closeRows(rows)
}

// featureInitiativesByID loads the compact form of initiatives by ID, with their
// integration fields.
func featureInitiativesByID(ctx context.Context, c conn, ids []int64) (map[int64]*roadmap.Initiative, error) {
	out := map[int64]*roadmap.Initiative{}
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
	for id, fs := range fields {
		if it, ok := out[id]; ok {
			it.IntegrationFields = fs
		}
	}
	return out, nil
}

// workRecordTags loads the tags of records from a tag table, by name.
func workRecordTags(ctx context.Context, c conn, table, ownerCol string, ids []int64) (map[int64][]roadmap.Tag, error) {
	out := map[int64][]roadmap.Tag{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+ownerCol+", id, name, color FROM "+table+" WHERE "+ownerCol+" IN ("+placeholders(len(ids))+") ORDER BY "+ownerCol+", name, id", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var owner int64
		var t roadmap.Tag
		if err := rows.Scan(&owner, &t.ID, &t.Name, &t.Color); err != nil {
			rows.Close()
			return nil, err
		}
		out[owner] = append(out[owner], t)
	}
	return out, closeRows(rows)
}

// workCustomFields loads the custom field values of records from a value
// table, in key order, as features and requirements show them.
func workCustomFields(ctx context.Context, c conn, table, ownerCol string, ids []int64) (map[int64][]roadmap.CustomField, error) {
	out := map[int64][]roadmap.CustomField{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+ownerCol+", id, key, name, type, value, created_at, updated_at FROM "+table+" WHERE "+ownerCol+" IN ("+placeholders(len(ids))+") ORDER BY "+ownerCol+", key, id", int64Args(ids)...)
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

// workRecordStatusTimes loads the status histories of records of one type from
// work_status_times.
func workRecordStatusTimes(ctx context.Context, c conn, recordType string, ids []int64) (map[int64][]roadmap.StatusTime, error) {
	out := map[int64][]roadmap.StatusTime{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT record_id, status_id, status_name, started_at, ended_at FROM work_status_times WHERE record_type = ? AND record_id IN ("+placeholders(len(ids))+") ORDER BY record_id, started_at, id",
		append([]any{recordType}, int64Args(ids)...)...)
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

// featureLinks are the resolved references of a feature input; nil means
// "not given".
type featureLinks struct {
	goals, watchers []int64
}

// resolveFeatureRefs resolves the references of in that are not lists:
// creator, assignee, epic, initiative and release phase, setting them on f.
// The release phase is looked up in f's release, so f.ReleaseID must be
// final; a feature that moved to another release leaves its phase unless
// in names one of the new release.
func resolveFeatureRefs(ctx context.Context, c conn, f *roadmap.Feature, in roadmap.FeatureInput, create, moved bool) error {
	if create && in.CreatedBy.Set && !in.CreatedBy.Null && strings.TrimSpace(in.CreatedBy.V) != "" {
		u, err := resolveUser(ctx, c, "created_by", in.CreatedBy.V)
		if err != nil {
			return err
		}
		f.CreatedByID = u.ID
	}
	if in.AssignedTo.Set {
		f.AssignedToID, f.DefaultAssignee = 0, false
		if !in.AssignedTo.Null && strings.TrimSpace(in.AssignedTo.V) != "" {
			u, err := resolveUser(ctx, c, "assigned_to_user", in.AssignedTo.V)
			if err != nil {
				return err
			}
			f.AssignedToID = u.ID
		}
	} else if create {
		var def sql.NullInt64
		if err := c.queryRow(ctx, "SELECT feature_assignee_id FROM products WHERE id = ?", f.ProductID).Scan(&def); err != nil {
			return err
		}
		if def.Valid {
			f.AssignedToID, f.DefaultAssignee = def.Int64, true
		}
	}
	if in.Epic.Set {
		f.EpicID = 0
		if !in.Epic.Null && strings.TrimSpace(in.Epic.V) != "" {
			id, err := resolveFeatureEpic(ctx, c, f.ProductID, in.Epic.V)
			if err != nil {
				return err
			}
			f.EpicID = id
		}
	}
	if in.Initiative.Set {
		f.InitiativeID = 0
		if !in.Initiative.Null && strings.TrimSpace(in.Initiative.V) != "" {
			ids, err := resolveByIDOrName(ctx, c, "initiatives", "initiative", []string{in.Initiative.V}, in.VisibleTo)
			if err != nil {
				return err
			}
			f.InitiativeID = ids[0]
		}
	}
	if moved && !in.ReleasePhase.Set {
		f.ReleasePhaseID = 0
	}
	if in.ReleasePhase.Set {
		f.ReleasePhaseID = 0
		if ref := strings.TrimSpace(in.ReleasePhase.V); !in.ReleasePhase.Null && ref != "" {
			var id int64
			var err error
			if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
				err = c.queryRow(ctx, "SELECT id FROM release_phases WHERE id = ? AND release_id = ?", n, f.ReleaseID).Scan(&id)
			} else {
				err = c.queryRow(ctx, "SELECT id FROM release_phases WHERE lower(name) = lower(?) AND release_id = ? ORDER BY id LIMIT 1", ref, f.ReleaseID).Scan(&id)
			}
			if isNoRows(err) {
				return roadmap.FieldErrorf("release_phase", "release_phase: no release phase %q in the feature's release", ref)
			}
			if err != nil {
				return err
			}
			f.ReleasePhaseID = id
		}
	}
	return nil
}

// resolveFeatureLists resolves the goals and watchers of in.
func resolveFeatureLists(ctx context.Context, c conn, in roadmap.FeatureInput) (featureLinks, error) {
	var l featureLinks
	var err error
	if in.Goals.Set {
		if l.goals, err = resolveByIDOrName(ctx, c, "goals", "goals", in.Goals.V, in.VisibleTo); err != nil {
			return l, err
		}
		l.goals = nonNil(l.goals)
	}
	if in.Watchers.Set {
		if l.watchers, err = resolveUserRefs(ctx, c, "watchers", in.Watchers.V); err != nil {
			return l, err
		}
	}
	return l, nil
}

// resolveFeatureEpic finds an epic of a product by numeric ID, reference
// number or name.
func resolveFeatureEpic(ctx context.Context, c conn, productID int64, ref string) (int64, error) {
	const table, field = "epics", "epic"
	ref = strings.TrimSpace(ref)
	var id int64
	var err error
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		err = c.queryRow(ctx, "SELECT id FROM "+table+" WHERE id = ? AND product_id = ?", n, productID).Scan(&id)
	} else {
		err = c.queryRow(ctx, "SELECT id FROM "+table+" WHERE (reference_num = ? OR name = ?) AND product_id = ? ORDER BY CASE WHEN reference_num = ? THEN 0 ELSE 1 END, id LIMIT 1",
			ref, ref, productID, ref).Scan(&id)
	}
	if isNoRows(err) {
		return 0, roadmap.FieldErrorf(field, "%s: no %s %q in the feature's product", field, singular(table), ref)
	}
	return id, err
}

// featureRelease finds a release that features can go in, by numeric ID or
// reference number, and returns its ID and product: a release, not a
// roll-up.
func featureRelease(ctx context.Context, c conn, field, ref string) (id, product int64, err error) {
	cond, arg := keyClause("id", "reference_num", strings.TrimSpace(ref))
	var master bool
	err = c.queryRow(ctx, "SELECT id, product_id, master_release FROM releases WHERE "+cond, arg).Scan(&id, &product, &master)
	if isNoRows(err) {
		return 0, 0, roadmap.FieldErrorf(field, "%s: no release %q", field, ref)
	}
	if err != nil {
		return 0, 0, err
	}
	if master {
		return 0, 0, roadmap.FieldErrorf(field, "%s: %s is a roll-up release; features belong to releases", field, ref)
	}
	return id, product, nil
}

// topOfRelease makes room at the top of a release's features for one that
// comes in at position 1: the release's features_top goes down one, which
// moves every other feature of the release down one position without
// writing them, and the feature then takes the new top key (insertFeature
// and updateFeature write positions through featureKey). Callers hold the
// product's row lock, which serialises the writers of positions in its
// releases.
func (tx *Tx) topOfRelease(ctx context.Context, f *roadmap.Feature) error {
	if _, err := tx.conn().exec(ctx, "UPDATE releases SET features_top = features_top - 1 WHERE id = ?", f.ReleaseID); err != nil {
		return err
	}
	f.Position = 1
	return nil
}

// CreateFeature creates a feature in a release on behalf of a user; the
// creator and the assignee watch it.
func (db *DB) CreateFeature(ctx context.Context, releaseID, userID int64, in roadmap.FeatureInput) (*roadmap.Feature, error) {
	var out *roadmap.Feature
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var productID int64
		var master bool
		err := c.queryRow(ctx, "SELECT product_id, master_release FROM releases WHERE id = ?", releaseID).Scan(&productID, &master)
		if err != nil {
			return scanErr(err, "release", strconv.FormatInt(releaseID, 10))
		}
		if master {
			return roadmap.FieldErrorf("release", "release: features belong to releases, not roll-up releases")
		}
		if in.Release.Set && !in.Release.Null && strings.TrimSpace(in.Release.V) != "" {
			id, product, err := featureRelease(ctx, c, "release", in.Release.V)
			if err != nil {
				return err
			}
			if product != productID {
				return roadmap.FieldErrorf("release", "release: %s is a release of another product", in.Release.V)
			}
			releaseID = id
		}
		f := &roadmap.Feature{
			ProductID:      productID,
			ReleaseID:      releaseID,
			ProgressSource: roadmap.ProgressManual,
			Progress:       new(int),
			CreatedByID:    userID,
			Description:    roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now},
			CreatedAt:      tx.now,
			UpdatedAt:      tx.now,
		}
		if err := roadmap.ApplyFeatureInput(f, in, true, tx.now); err != nil {
			return err
		}
		if err := resolveFeatureRefs(ctx, c, f, in, true, false); err != nil {
			return err
		}
		lists, err := resolveFeatureLists(ctx, c, in)
		if err != nil {
			return err
		}
		status, err := featureStatus(ctx, c, productID, "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		if in.WorkflowStatus.Set && in.WorkflowStatus.Null {
			return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
		}
		if f.ReferenceNum, err = tx.takeNumber(ctx, "products", "feature_seq", "reference_prefix", productID, "features", roadmap.FeatureReference); err != nil {
			return err
		}
		f.ID = tx.db.ids.next(tx.now)
		if err := tx.topOfRelease(ctx, f); err != nil {
			return err
		}
		f.WorkflowStatusID, f.WorkflowStatus, f.StatusChangedOn = status.ID, *status, roadmap.Today(tx.now)
		if err := tx.insertFeature(ctx, f); err != nil {
			return err
		}
		tx.create(f.ID)
		if err := tx.insertWorkRecordStatus(ctx, recordFeature, f.ID, *status); err != nil {
			return err
		}
		watchers := []int64{f.CreatedByID, f.AssignedToID}
		if lists.watchers != nil {
			watchers = append(watchers, lists.watchers...)
		}
		lists.watchers = watchers
		if err := tx.writeFeatureLinks(ctx, f, lists, in); err != nil {
			return err
		}
		w, err := tx.recomputeFeatures(ctx, []int64{f.ID})
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

func (tx *Tx) insertFeature(ctx context.Context, f *roadmap.Feature) error {
	_, err := tx.conn().exec(ctx, `INSERT INTO features (id, product_id, release_id, epic_id, initiative_id, release_phase_id,
 reference_num, name, name_fold, position, score, start_date, due_date, progress, progress_source, status_changed_on,
 workflow_kind, workflow_status_id, assigned_to_user_id, default_assignee, created_by_id, description_id,
 description_body, description_created_at, description_updated_at, work_units, initial_estimate,
 detailed_estimate, remaining_estimate, work_done, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, `+featureKey+`, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.ProductID, f.ReleaseID, nullID(f.EpicID), nullID(f.InitiativeID), nullID(f.ReleasePhaseID),
		f.ReferenceNum, f.Name, fold(f.Name), f.Position, f.ReleaseID, f.Score, nullStr(f.StartDate), nullStr(f.DueDate), f.Progress, f.ProgressSource, nullStr(f.StatusChangedOn),
		f.WorkflowKind, f.WorkflowStatusID, nullID(f.AssignedToID), f.DefaultAssignee, f.CreatedByID, f.Description.ID,
		f.Description.Body, ms(f.Description.CreatedAt), ms(f.Description.UpdatedAt), f.WorkUnits, f.InitialEstimate,
		f.DetailedEstimate, f.RemainingEstimate, f.WorkDone, ms(f.CreatedAt), ms(f.UpdatedAt))
	return err
}

func (tx *Tx) updateFeature(ctx context.Context, f *roadmap.Feature) error {
	_, err := tx.conn().exec(ctx, `UPDATE features SET release_id = ?, epic_id = ?, initiative_id = ?, release_phase_id = ?,
 name = ?, name_fold = ?, position = `+featureKey+`, score = ?, start_date = ?, due_date = ?, progress = ?, progress_source = ?,
 status_changed_on = ?, workflow_kind = ?, workflow_status_id = ?, assigned_to_user_id = ?, default_assignee = ?,
 description_body = ?, description_updated_at = ?, work_units = ?, initial_estimate = ?, detailed_estimate = ?,
 remaining_estimate = ?, work_done = ?, updated_at = ? WHERE id = ?`,
		f.ReleaseID, nullID(f.EpicID), nullID(f.InitiativeID), nullID(f.ReleasePhaseID),
		f.Name, fold(f.Name), f.Position, f.ReleaseID, f.Score, nullStr(f.StartDate), nullStr(f.DueDate), f.Progress, f.ProgressSource,
		nullStr(f.StatusChangedOn), f.WorkflowKind, f.WorkflowStatusID, nullID(f.AssignedToID), f.DefaultAssignee,
		f.Description.Body, ms(f.Description.UpdatedAt), f.WorkUnits, f.InitialEstimate, f.DetailedEstimate,
		f.RemainingEstimate, f.WorkDone, ms(f.UpdatedAt), f.ID)
	return err
}

// insertWorkRecordStatus starts a span of a record's status history.
func (tx *Tx) insertWorkRecordStatus(ctx context.Context, recordType string, id int64, st roadmap.WorkflowStatus) error {
	_, err := tx.conn().exec(ctx, "INSERT INTO work_status_times (id, record_type, record_id, status_id, status_name, started_at) VALUES (?, ?, ?, ?, ?, ?)",
		tx.db.ids.next(tx.now), recordType, id, st.ID, st.Name, ms(tx.now))
	return err
}

// changeWorkRecordStatus ends the open span of a record's status history and
// starts one.
func (tx *Tx) changeWorkRecordStatus(ctx context.Context, recordType string, id int64, st roadmap.WorkflowStatus) error {
	if _, err := tx.conn().exec(ctx, "UPDATE work_status_times SET ended_at = ? WHERE record_type = ? AND record_id = ? AND ended_at IS NULL", ms(tx.now), recordType, id); err != nil {
		return err
	}
	return tx.insertWorkRecordStatus(ctx, recordType, id, st)
}

// writeFeatureLinks writes what hangs off a feature row: goals and watchers
// (nil lists stay as they are), and the tags, score facts and custom fields
// that in gives.
func (tx *Tx) writeFeatureLinks(ctx context.Context, f *roadmap.Feature, l featureLinks, in roadmap.FeatureInput) error {
	if l.goals != nil {
		if err := tx.setLinkSet(ctx, "feature_goals", "feature_id", f.ID, "goal_id", l.goals, in.VisibleTo); err != nil {
			return err
		}
	}
	if l.watchers != nil {
		if err := tx.setLinkSet(ctx, "feature_watchers", "feature_id", f.ID, "user_id", l.watchers, 0); err != nil {
			return err
		}
	}
	if in.Tags.Set {
		if err := tx.setWorkTags(ctx, "feature_tags", "feature_id", f.ID, f.Tags); err != nil {
			return err
		}
	}
	if in.ScoreFacts.Set {
		if err := tx.setFeatureScoreFacts(ctx, f); err != nil {
			return err
		}
	}
	return tx.setRecordCustomFields(ctx, "feature_custom_fields", "feature_id", f.ID, in.CustomFields.V)
}

// setWorkTags replaces the tags of a record; a tag it keeps keeps its ID.
func (tx *Tx) setWorkTags(ctx context.Context, table, ownerCol string, owner int64, tags []roadmap.Tag) error {
	c := tx.conn()
	old, err := workRecordTags(ctx, c, table, ownerCol, []int64{owner})
	if err != nil {
		return err
	}
	keep := map[string]roadmap.Tag{}
	for _, t := range old[owner] {
		keep[strings.ToLower(t.Name)] = t
	}
	if _, err := c.exec(ctx, "DELETE FROM "+table+" WHERE "+ownerCol+" = ?", owner); err != nil {
		return err
	}
	for i, t := range tags {
		id, color := tx.db.ids.next(tx.now), t.Color
		if k, ok := keep[strings.ToLower(t.Name)]; ok {
			id, color = k.ID, k.Color
		}
		if _, err := c.exec(ctx, "INSERT INTO "+table+" (id, "+ownerCol+", name, color, position) VALUES (?, ?, ?, ?, ?)", id, owner, t.Name, color, i); err != nil {
			return err
		}
	}
	return nil
}

// setFeatureScoreFacts replaces the score facts of a feature; a fact whose name
// it keeps keeps its ID.
func (tx *Tx) setFeatureScoreFacts(ctx context.Context, f *roadmap.Feature) error {
	c := tx.conn()
	rows, err := c.query(ctx, "SELECT id, name FROM feature_score_facts WHERE feature_id = ?", f.ID)
	if err != nil {
		return err
	}
	keep := map[string]int64{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		keep[strings.ToLower(name)] = id
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if _, err := c.exec(ctx, "DELETE FROM feature_score_facts WHERE feature_id = ?", f.ID); err != nil {
		return err
	}
	for i, sf := range f.ScoreFacts {
		id, ok := keep[strings.ToLower(sf.Name)]
		if !ok {
			id = tx.db.ids.next(tx.now)
		}
		if _, err := c.exec(ctx, "INSERT INTO feature_score_facts (id, feature_id, name, value, position) VALUES (?, ?, ?, ?, ?)", id, f.ID, sf.Name, sf.Value, i); err != nil {
			return err
		}
	}
	return nil
}

// UpdateFeature changes a feature; it may move to another release (and
// epic) of its product.
func (db *DB) UpdateFeature(ctx context.Context, id int64, in roadmap.FeatureInput) (*roadmap.Feature, error) {
	var out *roadmap.Feature
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if in.Release.Set {
			// A move takes the product's lock, which serialises the writers
			// of positions in its releases, before the feature's.
			product, err := recordProduct(ctx, c, "features", id)
			if err != nil {
				return err
			}
			if err := tx.lockRecord(ctx, "products", product); err != nil {
				return err
			}
		}
		if err := tx.lockRecord(ctx, "features", id); err != nil {
			return err
		}
		f, err := loadFeatureByID(ctx, c, id)
		if err != nil {
			return err
		}
		tx.resetNow(f.UpdatedAt)
		var w featureWork
		w.add(f)
		oldStatus := f.WorkflowStatusID
		if err := roadmap.ApplyFeatureInput(f, in, false, tx.now); err != nil {
			return err
		}
		moved := false
		if in.Release.Set {
			if in.Release.Null || strings.TrimSpace(in.Release.V) == "" {
				return roadmap.FieldErrorf("release", "release can't be blank: a feature belongs to a release")
			}
			rid, product, err := featureRelease(ctx, c, "release", in.Release.V)
			if err != nil {
				return err
			}
			if product != f.ProductID {
				return roadmap.FieldErrorf("release", "release: %s is a release of another product; a feature moves between releases of its product", in.Release.V)
			}
			moved = rid != f.ReleaseID
			f.ReleaseID = rid
		}
		if err := resolveFeatureRefs(ctx, c, f, in, false, moved); err != nil {
			return err
		}
		lists, err := resolveFeatureLists(ctx, c, in)
		if err != nil {
			return err
		}
		if in.WorkflowStatus.Set {
			if in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "" {
				return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
			}
			st, err := featureStatus(ctx, c, f.ProductID, "workflow_status", in.WorkflowStatus.V)
			if err != nil {
				return err
			}
			f.WorkflowStatusID, f.WorkflowStatus = st.ID, *st
		}
		if f.WorkflowStatusID != oldStatus {
			f.StatusChangedOn = roadmap.Today(tx.now)
			if err := tx.changeWorkRecordStatus(ctx, recordFeature, f.ID, f.WorkflowStatus); err != nil {
				return err
			}
		}
		if moved {
			if err := tx.topOfRelease(ctx, f); err != nil {
				return err
			}
		}
		f.UpdatedAt = tx.now
		if err := tx.updateFeature(ctx, f); err != nil {
			return err
		}
		if err := tx.writeFeatureLinks(ctx, f, lists, in); err != nil {
			return err
		}
		changed, err := tx.recomputeFeatures(ctx, []int64{f.ID})
		if err != nil {
			return err
		}
		w.merge(changed)
		w.add(f)
		if err := tx.recomputeFeatureWork(ctx, w); err != nil {
			return err
		}
		out, err = loadFeatureByID(ctx, c, f.ID)
		return err
	})
	return out, err
}

// DeleteFeature deletes a feature with its requirements, their status
// histories and integration fields, and brings its release and epic up to
// date.
func (db *DB) DeleteFeature(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRecord(ctx, "features", id); err != nil {
			return err
		}
		tx.resetNow(time.Time{})
		f := &roadmap.Feature{ID: id}
		if err := c.queryRow(ctx, "SELECT release_id, COALESCE(epic_id, 0), COALESCE(release_phase_id, 0) FROM features WHERE id = ?", id).Scan(&f.ReleaseID, &f.EpicID, &f.ReleasePhaseID); err != nil {
			return scanErr(err, "feature", strconv.FormatInt(id, 10))
		}
		var w featureWork
		w.add(f)
		if err := tx.deleteRequirementTraces(ctx, "feature_id = ?", id); err != nil {
			return err
		}
		for _, q := range []string{
			"DELETE FROM integration_fields WHERE record_type = '" + recordFeature + "' AND record_id = ?",
			"DELETE FROM work_status_times WHERE record_type = '" + recordFeature + "' AND record_id = ?",
			"DELETE FROM task_records WHERE record_type = '" + taskRecordFeature + "' AND record_id = ?",
			"DELETE FROM features WHERE id = ?",
		} {
			if _, err := c.exec(ctx, q, id); err != nil {
				return err
			}
		}
		return tx.recomputeFeatureWork(ctx, w)
	})
}

// recomputeFeatures brings the computed progress of features up to date
// with their requirements, estimates and to-dos, for those whose progress
// source computes it, and returns the epics and releases of the features
// whose progress changed, with their release phases, to pass on to
// recomputeFeatureWork.
func (tx *Tx) recomputeFeatures(ctx context.Context, ids []int64) (w featureWork, err error) {
	c := tx.conn()
	for _, id := range sortedIDs(ids) {
		f := &roadmap.Feature{ID: id}
		var progress sql.NullInt64
		var initial, detailed, remaining sql.NullFloat64
		err := c.queryRow(ctx, "SELECT progress_source, progress, initial_estimate, detailed_estimate, remaining_estimate, release_id, COALESCE(epic_id, 0), COALESCE(release_phase_id, 0) FROM features WHERE id = ?", id).
			Scan(&f.ProgressSource, &progress, &initial, &detailed, &remaining, &f.ReleaseID, &f.EpicID, &f.ReleasePhaseID)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return w, err
		}
		if f.ProgressSource == roadmap.ProgressManual {
			continue
		}
		f.InitialEstimate, f.DetailedEstimate, f.RemainingEstimate = optFloat(initial), optFloat(detailed), optFloat(remaining)
		var reqs, todos []bool
		switch f.ProgressSource {
		case roadmap.ProgressFromRequirements:
			if reqs, err = featureBools(ctx, c, "SELECT s.complete FROM requirements q JOIN workflow_statuses s ON s.id = q.workflow_status_id WHERE q.feature_id = ?", id); err != nil {
				return w, err
			}
		case roadmap.ProgressFromTodos:
			if todos, err = featureBools(ctx, c, "SELECT t.status = 'complete' FROM tasks t JOIN task_records tr ON tr.task_id = t.id WHERE tr.record_type = ? AND tr.record_id = ?", taskRecordFeature, id); err != nil {
				return w, err
			}
		}
		p, ok := roadmap.ComputeFeatureProgress(f, reqs, todos)
		if !ok || (progress.Valid && int(progress.Int64) == p) {
			continue
		}
		if _, err := c.exec(ctx, "UPDATE features SET progress = ?, updated_at = ? WHERE id = ?", p, ms(tx.now), id); err != nil {
			return w, err
		}
		w.add(f)
	}
	return w, nil
}

// featureWork lists the records whose computed values a change of features
// moves: their epics, releases and release phases, old and new.
type featureWork struct {
	epics, releases, phases []int64
}

// add lists the epic, release and release phase of a feature.
func (w *featureWork) add(f *roadmap.Feature) {
	w.epics = featureAppendID(w.epics, f.EpicID)
	w.releases = featureAppendID(w.releases, f.ReleaseID)
	w.phases = featureAppendID(w.phases, f.ReleasePhaseID)
}

// merge adds the records of o.
func (w *featureWork) merge(o featureWork) {
	for _, id := range o.epics {
		w.epics = featureAppendID(w.epics, id)
	}
	for _, id := range o.releases {
		w.releases = featureAppendID(w.releases, id)
	}
	for _, id := range o.phases {
		w.phases = featureAppendID(w.phases, id)
	}
}

// recomputeFeatureWork brings up to date, at the end of a write of
// features, what they feed: the release phases, then the epics and
// releases (through recomputeWork, which takes the releases of the phases
// too).
func (tx *Tx) recomputeFeatureWork(ctx context.Context, w featureWork) error {
	rels, err := tx.recomputePhases(ctx, w.phases)
	if err != nil {
		return err
	}
	return tx.recomputeWork(ctx, w.epics, append(w.releases, rels...))
}

// featureBools reads a column of booleans.
func featureBools(ctx context.Context, c conn, query string, args ...any) ([]bool, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []bool
	for rows.Next() {
		var b sql.NullBool
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, b.Bool)
	}
	return out, closeRows(rows)
}

func (tx *Tx) seedFeatures(ctx context.Context, s *roadmap.FeatureSeed) error {
	if s == nil {
		return nil
	}
	c := tx.conn()
	if err := tx.seedFields(ctx, s.Fields); err != nil {
		return err
	}
	counters := map[int64]int64{}
	for _, sf := range s.Features {
		f := sf.Feature
		if f.WorkUnits == "" {
			f.WorkUnits = roadmap.CapacityTime
		}
		if f.WorkflowKind == "" {
			f.WorkflowKind = roadmap.FeatureKinds[0].Key
		}
		epic, phase := f.EpicID, f.ReleasePhaseID
		f.EpicID, f.ReleasePhaseID = 0, 0
		var exists int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM features WHERE id = ?", f.ID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			if err := tx.insertFeature(ctx, &f); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, `UPDATE features SET epic_id = COALESCE(epic_id, (SELECT id FROM epics WHERE id = ?)),
 release_phase_id = COALESCE(release_phase_id, (SELECT id FROM release_phases WHERE id = ?)) WHERE id = ?`, epic, phase, f.ID); err != nil {
			return err
		}
		if exists > 0 {
			continue
		}
		if n := workReferenceNumber(f.ReferenceNum); n > counters[f.ProductID] {
			counters[f.ProductID] = n
		}
		if err := tx.seedWorkStatusTimes(ctx, recordFeature, f.ID, f.StatusTimes); err != nil {
			return err
		}
		for _, l := range []struct {
			table, col string
			ids        []int64
		}{{"feature_goals", "goal_id", sf.GoalIDs}, {"feature_key_results", "key_result_id", sf.KeyResultIDs}, {"feature_watchers", "user_id", sf.WatcherIDs}} {
			if err := tx.setLinkSet(ctx, l.table, "feature_id", f.ID, l.col, l.ids, 0); err != nil {
				return err
			}
		}
		for i, t := range f.Tags {
			if _, err := c.exec(ctx, "INSERT INTO feature_tags (id, feature_id, name, color, position) VALUES (?, ?, ?, ?, ?)", t.ID, f.ID, t.Name, t.Color, i); err != nil {
				return err
			}
		}
		for i, sc := range f.ScoreFacts {
			if _, err := c.exec(ctx, "INSERT INTO feature_score_facts (id, feature_id, name, value, position) VALUES (?, ?, ?, ?, ?)", sc.ID, f.ID, sc.Name, sc.Value, i); err != nil {
				return err
			}
		}
		if err := tx.seedWorkCustomFields(ctx, "feature_custom_fields", "feature_id", f.ID, f.CustomFields); err != nil {
			return err
		}
		if err := tx.insertIntegrationFields(ctx, recordFeature, f.ID, f.IntegrationFields); err != nil {
			return err
		}
	}
	seqs := map[int64]int64{}
	for _, sr := range s.Requirements {
		r := sr.Requirement
		var exists int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM requirements WHERE id = ?", r.ID).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			continue
		}
		if err := tx.insertRequirement(ctx, &r); err != nil {
			return err
		}
		if n := workReferenceNumber(r.ReferenceNum); n > seqs[r.FeatureID] {
			seqs[r.FeatureID] = n
		}
		if err := tx.seedWorkStatusTimes(ctx, recordRequirement, r.ID, r.StatusTimes); err != nil {
			return err
		}
		for i, t := range r.Tags {
			if _, err := c.exec(ctx, "INSERT INTO requirement_tags (id, requirement_id, name, color, position) VALUES (?, ?, ?, ?, ?)", t.ID, r.ID, t.Name, t.Color, i); err != nil {
				return err
			}
		}
		if err := tx.seedWorkCustomFields(ctx, "requirement_custom_fields", "requirement_id", r.ID, r.CustomFields); err != nil {
			return err
		}
		if err := tx.insertIntegrationFields(ctx, recordRequirement, r.ID, r.IntegrationFields); err != nil {
			return err
		}
	}
	for feature, n := range seqs {
		if _, err := c.exec(ctx, "UPDATE features SET requirement_seq = ? WHERE id = ? AND requirement_seq < ?", n, feature, n); err != nil {
			return err
		}
	}
	for _, l := range s.Links {
		if _, err := c.exec(ctx, "INSERT INTO feature_links (id, parent_id, child_id, link_type, link_type_id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			l.ID, l.ParentID, l.ChildID, l.LinkType, l.LinkTypeID, ms(l.CreatedAt)); err != nil {
			return err
		}
	}
	for product, n := range s.Counters {
		counters[product] = max(counters[product], n)
	}
	for product, n := range counters {
		if _, err := c.exec(ctx, "UPDATE products SET feature_seq = ? WHERE id = ? AND feature_seq < ?", n, product, n); err != nil {
			return err
		}
	}
	for product, user := range s.Assignees {
		if _, err := c.exec(ctx, "UPDATE products SET feature_assignee_id = ? WHERE id = ?", nullID(user), product); err != nil {
			return err
		}
	}
	return nil
}

// seedWorkStatusTimes writes a seeded record's status history.
func (tx *Tx) seedWorkStatusTimes(ctx context.Context, recordType string, id int64, times []roadmap.StatusTime) error {
	for _, st := range times {
		var ended any
		if st.EndedAt != nil {
			ended = ms(*st.EndedAt)
		}
		if _, err := tx.conn().exec(ctx, "INSERT INTO work_status_times (id, record_type, record_id, status_id, status_name, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			tx.db.ids.next(tx.now), recordType, id, st.StatusID, st.StatusName, ms(st.StartedAt), ended); err != nil {
			return err
		}
	}
	return nil
}

// seedWorkCustomFields writes a seeded record's custom field values.
func (tx *Tx) seedWorkCustomFields(ctx context.Context, table, ownerCol string, owner int64, fields []roadmap.CustomField) error {
	for i, cf := range fields {
		if _, err := tx.conn().exec(ctx, "INSERT INTO "+table+" (id, "+ownerCol+", key, name, type, value, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			cf.ID, owner, cf.Key, cf.Name, cf.Type, cf.Value, i, ms(cf.CreatedAt), ms(cf.UpdatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// workReferenceNumber returns the number at the end of a reference number, 0
// when it has none.
func workReferenceNumber(ref string) int64 {
	i := strings.LastIndexByte(ref, '-')
	n, err := strconv.ParseInt(ref[i+1:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}
