package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

func userColsOf(a string) string {
	return strings.ReplaceAll(userCols, "u.", a+".")
}

var releaseSelect = `SELECT r.id, r.product_id, r.reference_num, r.name, r.start_date, r.end_date,
 r.development_started_on, r.release_date, r.external_release_date, r.external_date_resolution,
 r.released_on, r.parking_lot, r.master_release, r.position, r.progress, r.progress_source,
 r.duration_source, r.status_changed_on, r.capacity_units, r.total_capacity, r.theme_id,
 r.theme_body, r.theme_created_at, r.theme_updated_at, r.workflow_status_id, r.owner_id,
 r.created_by_id, COALESCE(r.parent_id, 0), r.created_at, r.updated_at,
 ` + productCols + `, ` + statusCols + `, ` + userColsOf("o") + `, ` + userColsOf("cu") + `,
 pr.id, pr.product_id, pr.reference_num, pr.name, pr.start_date, pr.release_date, pr.parking_lot, pr.master_release, pr.created_at,
 r.planned_minute_count, r.planned_point_count
 FROM releases r
 JOIN products p ON p.id = r.product_id
 JOIN workflow_statuses s ON s.id = r.workflow_status_id
 JOIN users o ON o.id = r.owner_id
 JOIN users cu ON cu.id = r.created_by_id
 LEFT JOIN releases pr ON pr.id = r.parent_id`

func str(ns sql.NullString) string { return ns.String }

func scanRelease(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.Release, error) {
	r := &roadmap.Release{}
	var start, end, dev, rel, ext, released, changed, units sql.NullString
	var pos, progress sql.NullInt64
	var capacity sql.NullFloat64
	var themeC, themeU, created, updated int64
	var pid, pprod sql.NullInt64
	var pref, pname, pstart, prel sql.NullString
	var ppark, pmaster sql.NullBool
	var pcreated sql.NullInt64
	dest := []any{&r.ID, &r.ProductID, &r.ReferenceNum, &r.Name, &start, &end,
		&dev, &rel, &ext, &r.ExternalDateResolution,
		&released, &r.ParkingLot, &r.MasterRelease, &pos, &progress, &r.ProgressSource,
		&r.DurationSource, &changed, &units, &capacity, &r.Theme.ID,
		&r.Theme.Body, &themeC, &themeU, &r.WorkflowStatusID, &r.OwnerID,
		&r.CreatedByID, &r.ParentID, &created, &updated}
	var pc, pu, oc, ou, cc, cu int64
	p := &r.Product
	dest = append(dest, &p.ID, &p.ReferencePrefix, &p.Name, &p.ProductLine, &p.WorkspaceType, &p.ParentID, &pc, &pu)
	s := &r.WorkflowStatus
	dest = append(dest, &s.ID, &s.Name, &s.Position, &s.Complete, &s.Color)
	o := &r.Owner
	dest = append(dest, &o.ID, &o.Name, &o.Email, &o.Admin, &oc, &ou)
	c := &r.CreatedBy
	dest = append(dest, &c.ID, &c.Name, &c.Email, &c.Admin, &cc, &cu)
	dest = append(dest, &pid, &pprod, &pref, &pname, &pstart, &prel, &ppark, &pmaster, &pcreated)
	var plannedMinutes, plannedPoints int64
	dest = append(dest, &plannedMinutes, &plannedPoints)
	dest = append(dest, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	r.StartDate, r.EndDate, r.DevelopmentStartedOn, r.ReleaseDate = str(start), str(end), str(dev), str(rel)
	r.ExternalReleaseDate, r.ReleasedOn, r.StatusChangedOn, r.CapacityUnits = str(ext), str(released), str(changed), str(units)
	if pos.Valid {
		v := int(pos.Int64)
		r.Position = &v
	}
	if progress.Valid {
		v := int(progress.Int64)
		r.Progress = &v
	}
	if capacity.Valid {
		v := capacity.Float64
		r.TotalCapacity = &v
	}
	// The planned capacity as the writes keep it; relationsQuery sums the
	// features of the releases whose kept sums are not exact.
	switch r.CapacityUnits {
	case roadmap.CapacityTime:
		r.PlannedCapacity = float64(plannedMinutes)
	case roadmap.CapacityStoryPoints:
		r.PlannedCapacity = float64(plannedPoints)
	}
	r.Theme.CreatedAt, r.Theme.UpdatedAt = fromMS(themeC), fromMS(themeU)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	p.CreatedAt, p.UpdatedAt = fromMS(pc), fromMS(pu)
	o.CreatedAt, o.UpdatedAt = fromMS(oc), fromMS(ou)
	c.CreatedAt, c.UpdatedAt = fromMS(cc), fromMS(cu)
	if pid.Valid {
		r.Parent = &roadmap.ReleaseRef{ID: pid.Int64, ProductID: pprod.Int64, ReferenceNum: pref.String, Name: pname.String,
			StartDate: pstart.String, ReleaseDate: prel.String, ParkingLot: ppark.Bool,
			MasterRelease: pmaster.Bool, CreatedAt: fromMS(pcreated.Int64)}
	}
	return r, nil
}

// Release returns a release by numeric ID or reference number, loaded for
// its full representation.
func (db *DB) Release(ctx context.Context, key string) (*roadmap.Release, error) {
	r, err := loadRelease(ctx, db.reader(), key, true)
	return r, db.wrap(err)
}

// ReleaseProduct returns the ID of the release a numeric ID or reference
// number names and the ID of its product, without loading the release.
func (db *DB) ReleaseProduct(ctx context.Context, key string) (id, productID int64, err error) {
	cond, arg := keyClause("id", "reference_num", key)
	err = db.reader().queryRow(ctx, "SELECT id, product_id FROM releases WHERE "+cond, arg).Scan(&id, &productID)
	if err != nil {
		return 0, 0, db.wrap(scanErr(err, "release", key))
	}
	return id, productID, nil
}

func loadRelease(ctx context.Context, c conn, key string, full bool) (*roadmap.Release, error) {
	cond, arg := keyClause("r.id", "r.reference_num", key)
	r, err := scanRelease(c.queryRow(ctx, releaseSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "release", key)
	}
	if err := loadRelations(ctx, c, []*roadmap.Release{r}, full); err != nil {
		return nil, err
	}
	return r, nil
}

func loadReleaseByID(ctx context.Context, c conn, id int64, full bool) (*roadmap.Release, error) {
	return loadRelease(ctx, c, strconv.FormatInt(id, 10), full)
}

// Releases returns a page of releases and the total number that match.
func (db *DB) Releases(ctx context.Context, f roadmap.ReleaseFilter) ([]*roadmap.Release, int, error) {
	rels, total, err := listReleases(ctx, db.reader(), f, f.Full)
	return rels, total, db.wrap(err)
}

// fewMatches is the largest number of matches of a filtered list that is
// read from the filter's index and sorted, rather than found by walking the
// releases in order.
const fewMatches = 5000

func listReleases(ctx context.Context, c conn, f roadmap.ReleaseFilter, full bool) ([]*roadmap.Release, int, error) {
	var where []string
	var args []any
	switch {
	case f.ProductID != 0:
		where, args = append(where, "r.product_id = ?"), append(args, f.ProductID)
	case f.GoalID != 0:
		where, args = append(where, "r.id IN (SELECT release_id FROM release_goals WHERE goal_id = ?)"), append(args, f.GoalID)
	case f.InitiativeID != 0:
		where, args = append(where, "r.id IN (SELECT release_id FROM release_initiatives WHERE initiative_id = ?)"), append(args, f.InitiativeID)
	case f.ParentID != 0:
		where, args = append(where, "r.parent_id = ?"), append(args, f.ParentID)
	}
	if f.VisibleTo != 0 {
		where, args = append(where, "r.product_id IN ("+visibleProducts+")"), append(args, f.VisibleTo, f.VisibleTo)
	}
	if f.Query != "" {
		w, a := c.nameSearch("r", f.Query)
		where, args = append(where, w...), append(args, a...)
	}
	if f.UpdatedSince != nil {
		where, args = append(where, "r.updated_at > ?"), append(args, ms(*f.UpdatedSince))
	}
	if f.ParkingLot != nil {
		where, args = append(where, "r.parking_lot = ?"), append(args, *f.ParkingLot)
	}
	if f.ExcludeShipped {
		// The statuses are given as values, so that the planner weighs how
		// many releases each holds instead of assuming an average.
		ids, err := unshippedStatuses(ctx, c)
		if err != nil {
			return nil, 0, err
		}
		if len(ids) == 0 {
			where = append(where, "1 = 0")
		} else {
			where, args = append(where, "r.workflow_status_id IN ("+placeholders(len(ids))+")"), append(args, int64Args(ids)...)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := f.Page
	if page.Page < 1 {
		page.Page = 1
	}
	if page.PerPage < 1 {
		page.PerPage = roadmap.DefaultPerPage
	}
	// The count reads the matching rows of one index and joins nothing, so
	// that it costs what the matches cost rather than their full rows.
	// A product's whole list takes its total from the count the write
	// transactions keep.
	cq := "SELECT COUNT(*) FROM releases r" + cond
	cargs := args
	filtered := f.Query != "" || f.UpdatedSince != nil || f.ParkingLot != nil || f.ExcludeShipped
	if f.ProductID != 0 && !filtered {
		// On PostgreSQL the count is kept in stripes (migration 00030).
		cq, cargs = "SELECT COALESCE((SELECT release_count FROM products WHERE id = ?", []any{f.ProductID}
		col := "id"
		if c.d.name() == "postgres" {
			cq, col = "SELECT COALESCE((SELECT SUM(n) FROM release_counts WHERE product_id = ?", "product_id"
		}
		if f.VisibleTo != 0 {
			cq, cargs = cq+" AND "+col+" IN ("+visibleProducts+")", append(cargs, f.VisibleTo, f.VisibleTo)
		}
		cq += "), 0)"
	}
	var total int
	if err := c.queryRow(ctx, cq, c.planEach(cargs)...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// With few matches, ordering by an expression keeps the planners from
	// walking the whole product in id order to find them: they start from
	// the index of the filter and sort what it finds.
	order := " ORDER BY r.id"
	if filtered && total <= fewMatches {
		order = " ORDER BY r.id + 0"
	}
	q := releaseSelect + cond + order + " LIMIT ? OFFSET ?"
	rows, err := c.query(ctx, q, c.planEach(append(args, page.PerPage, page.Offset()))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*roadmap.Release
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if err := loadRelations(ctx, c, out, full); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// scanReleaseCounted scans a release row that starts with COUNT(*) OVER ().
func scanReleaseCounted(rows *sql.Rows, n *int) (*roadmap.Release, error) {
	return scanRelease(countFirst{rows, n})
}

type countFirst struct {
	rows *sql.Rows
	n    *int
}

func (c countFirst) Scan(dest ...any) error {
	return c.rows.Scan(append([]any{c.n}, dest...)...)
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// loadRelations fills the lists a release shows, with one query per kind of
// related record for the whole page: never a query per release.
func loadRelations(ctx context.Context, c conn, rels []*roadmap.Release, full bool) error {
	if len(rels) == 0 {
		return nil
	}
	byID := make(map[int64]*roadmap.Release, len(rels))
	ids := make([]int64, len(rels))
	for i, r := range rels {
		byID[r.ID] = r
		ids[i] = r.ID
	}
	if full {
		return loadFullRelations(ctx, c, byID, int64Args(ids))
	}
	fields, err := integrationFields(ctx, c, "release", ids)
	if err != nil {
		return err
	}
	for id, fs := range fields {
		byID[id].IntegrationFields = fs
	}
	return nil
}

// The kinds of rows of relationsQuery, in the order they are read.
const (
	relIntegrationField = iota + 1
	relCustomField
	relCapacity
	relComments
	relGoal
	relInitiative
	relInitiativeField
	relWatcher
	relStatusTime
)

// relationBranch is one SELECT of relationsQuery: the values of its kind
// for the generic columns it uses, by name; the others are NULL.
type relationBranch struct {
	kind int
	cols map[string]string
	from string
}

// relationColumns are the generic columns of relationsQuery with their
// types: kind, the ID of the record the row belongs to, two sort keys, then
// integers, texts, a number and a flag.
var relationColumns = []struct{ name, typ string }{
	{"kind", "BIGINT"}, {"rid", "BIGINT"}, {"o1", "BIGINT"}, {"o2", "BIGINT"},
	{"n1", "BIGINT"}, {"n2", "BIGINT"}, {"n3", "BIGINT"}, {"n4", "BIGINT"}, {"n5", "BIGINT"}, {"n6", "BIGINT"},
	{"t1", "TEXT"}, {"t2", "TEXT"}, {"t3", "TEXT"}, {"t4", "TEXT"},
	{"f1", "DOUBLE PRECISION"}, {"b1", "BOOLEAN"},
}

// describedCols are the generic columns of a goal's or an initiative's
// compact representation (goalCols, initiativeCols) under alias a.
func describedCols(a string) map[string]string {
	return map[string]string{"o1": a + ".id", "n1": a + ".id", "n2": a + ".product_id", "n3": a + ".description_id",
		"n4": a + ".description_created_at", "n5": a + ".description_updated_at", "n6": a + ".created_at",
		"t1": a + ".reference_num", "t2": a + ".name", "t3": a + ".description_body"}
}

// relationBranches are what the full representation of releases embeds;
// IN stands for the list of their IDs.
var relationBranches = []relationBranch{
	{relIntegrationField, integrationFieldCols,
		"FROM integration_fields WHERE record_type = 'release' AND record_id IN IN"},
	{relCustomField, map[string]string{"rid": "release_id", "o1": "position", "o2": "id", "n1": "id", "n2": "created_at", "n3": "updated_at",
		"t1": "key", "t2": "name", "t3": "type", "t4": "value"},
		"FROM custom_field_values WHERE release_id IN IN"},
	{relCapacity, map[string]string{"rid": "release_id", "t1": "work_units", "f1": "SUM(COALESCE(detailed_estimate, initial_estimate, 0))"},
		"FROM features WHERE release_id IN (SELECT id FROM releases WHERE id IN IN AND " + plannedInexact + ") GROUP BY release_id, work_units"},
	{relComments, map[string]string{"rid": "id", "n1": "comment_count"},
		"FROM releases WHERE id IN IN AND comment_count > 0"},
	{relGoal, withRid("rg.release_id", describedCols("g")),
		"FROM release_goals rg JOIN goals g ON g.id = rg.goal_id WHERE rg.release_id IN IN"},
	{relInitiative, withRid("ri.release_id", describedCols("i")),
		"FROM release_initiatives ri JOIN initiatives i ON i.id = ri.initiative_id WHERE ri.release_id IN IN"},
	{relInitiativeField, integrationFieldCols,
		"FROM integration_fields WHERE record_type = 'initiative' AND record_id IN (SELECT initiative_id FROM release_initiatives WHERE release_id IN IN)"},
	{relWatcher, map[string]string{"rid": "rw.release_id", "o1": "u.id", "n1": "u.id", "n2": "u.created_at", "n3": "u.updated_at",
		"t1": "u.name", "t2": "u.email", "b1": "u.admin"},
		"FROM release_watchers rw JOIN users u ON u.id = rw.user_id WHERE rw.release_id IN IN"},
	{relStatusTime, map[string]string{"rid": "release_id", "o1": "started_at", "o2": "id", "n1": "status_id", "n2": "started_at", "n3": "ended_at",
		"t1": "status_name"},
		"FROM release_status_times WHERE release_id IN IN"},
}

// plannedInexact selects the releases whose kept planned sums are not the
// planned capacity exactly: with a feature whose estimate is not a whole
// number below 2^32 (migration 00025), or a sum beyond the integers a
// float64 holds exactly. Their planned capacity is summed from their
// features, as SUM adds them.
const plannedInexact = "(planned_inexact_count > 0 OR abs(planned_minute_count) >= 9007199254740992 OR abs(planned_point_count) >= 9007199254740992)"

// integrationFieldCols are the generic columns of an integration field.
var integrationFieldCols = map[string]string{"rid": "record_id", "o1": "id", "n1": "id", "n2": "integration_id", "n3": "created_at",
	"t1": "name", "t2": "value", "t3": "service_name"}

func withRid(rid string, cols map[string]string) map[string]string {
	cols["rid"] = rid
	return cols
}

// relationsQuery reads everything the full representation of n releases
// embeds in one statement, each kind of record a branch of a UNION ALL over
// generic columns, ordered by kind, record and each kind's own order. It
// takes the releases' IDs once per branch.
func relationsQuery(n int) string {
	if q, ok := relationsQueries.Load(n); ok {
		return q.(string)
	}
	q := buildRelationsQuery(n)
	relationsQueries.Store(n, q)
	return q
}

// relationsQueries holds the text of relationsQuery by number of releases,
// at most relationsBatch.
var relationsQueries sync.Map

// relationsBatch is the most releases one relationsQuery reads (a page at
// most), so that its arguments stay well within the engines' limits.
const relationsBatch = roadmap.MaxPerPage

func buildRelationsQuery(n int) string {
	in := "(" + placeholders(n) + ")"
	var b strings.Builder
	for i, br := range relationBranches {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT ")
		for j, col := range relationColumns {
			if j > 0 {
				b.WriteString(", ")
			}
			switch v, ok := br.cols[col.name]; {
			case col.name == "kind":
				b.WriteString(strconv.Itoa(br.kind))
			case ok:
				b.WriteString("CAST(" + v + " AS " + col.typ + ")")
			default:
				b.WriteString("CAST(NULL AS " + col.typ + ")")
			}
		}
		b.WriteString(" " + strings.ReplaceAll(br.from, "IN IN", "IN "+in))
	}
	b.WriteString(" ORDER BY 1, 2, 3, 4")
	return b.String()
}

// loadFullRelations fills in what the full representation of the releases
// of byID embeds, with one statement.
func loadFullRelations(ctx context.Context, c conn, byID map[int64]*roadmap.Release, ids []any) error {
	for len(ids) > relationsBatch {
		if err := loadFullRelations(ctx, c, byID, ids[:relationsBatch]); err != nil {
			return err
		}
		ids = ids[relationsBatch:]
	}
	return loadFullRelationsWith(ctx, c, "", nil, byID, ids)
}

// loadFullRelationsWith is loadFullRelations for at most relationsBatch
// releases, in a statement that starts with the WITH clause with and its
// arguments (PostgreSQL runs a data-modifying statement there, in the same
// round trip).
func loadFullRelationsWith(ctx context.Context, c conn, with string, withArgs []any, byID map[int64]*roadmap.Release, ids []any) error {
	args := make([]any, 0, len(withArgs)+len(ids)*len(relationBranches))
	args = append(args, withArgs...)
	for range relationBranches {
		args = append(args, ids...)
	}
	rows, err := c.query(ctx, with+relationsQuery(len(ids)), args...)
	if err != nil {
		return err
	}
	initiativeFields := map[int64][]roadmap.IntegrationField{}
	for rows.Next() {
		var kind, rid int64
		var o1, o2, n1, n2, n3, n4, n5, n6 sql.NullInt64
		var t1, t2, t3, t4 sql.NullString
		var f1 sql.NullFloat64
		var b1 sql.NullBool
		if err := rows.Scan(&kind, &rid, &o1, &o2, &n1, &n2, &n3, &n4, &n5, &n6, &t1, &t2, &t3, &t4, &f1, &b1); err != nil {
			rows.Close()
			return err
		}
		if kind == relIntegrationField || kind == relInitiativeField {
			f := roadmap.IntegrationField{ID: n1.Int64, Name: t1.String, Value: t2.String,
				IntegrationID: n2.Int64, ServiceName: t3.String, CreatedAt: fromMS(n3.Int64)}
			if kind == relInitiativeField {
				initiativeFields[rid] = append(initiativeFields[rid], f)
			} else {
				byID[rid].IntegrationFields = append(byID[rid].IntegrationFields, f)
			}
			continue
		}
		r := byID[rid]
		switch kind {
		case relCustomField:
			r.CustomFields = append(r.CustomFields, roadmap.CustomField{ID: n1.Int64, Key: t1.String, Name: t2.String, Type: t3.String,
				Value: t4.String, CreatedAt: fromMS(n2.Int64), UpdatedAt: fromMS(n3.Int64)})
		case relCapacity:
			if r.CapacityUnits == t1.String {
				r.PlannedCapacity = f1.Float64
			}
		case relComments:
			r.CommentsCount = int(n1.Int64)
		case relGoal:
			r.Goals = append(r.Goals, roadmap.Goal{ID: n1.Int64, ProductID: n2.Int64, ReferenceNum: t1.String, Name: t2.String,
				Description: roadmap.Note{ID: n3.Int64, Body: t3.String, CreatedAt: fromMS(n4.Int64), UpdatedAt: fromMS(n5.Int64)},
				CreatedAt:   fromMS(n6.Int64)})
		case relInitiative:
			r.Initiatives = append(r.Initiatives, roadmap.Initiative{ID: n1.Int64, ProductID: n2.Int64, ReferenceNum: t1.String, Name: t2.String,
				Description: roadmap.Note{ID: n3.Int64, Body: t3.String, CreatedAt: fromMS(n4.Int64), UpdatedAt: fromMS(n5.Int64)},
				CreatedAt:   fromMS(n6.Int64)})
		case relWatcher:
			r.Watchers = append(r.Watchers, roadmap.User{ID: n1.Int64, Name: t1.String, Email: t2.String, Admin: b1.Bool,
				CreatedAt: fromMS(n2.Int64), UpdatedAt: fromMS(n3.Int64)})
		case relStatusTime:
			st := roadmap.StatusTime{StatusID: n1.Int64, StatusName: t1.String, StartedAt: fromMS(n2.Int64)}
			if n3.Valid {
				t := fromMS(n3.Int64)
				st.EndedAt = &t
			}
			r.StatusTimes = append(r.StatusTimes, st)
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if len(initiativeFields) > 0 {
		for _, id := range ids {
			r := byID[id.(int64)]
			for i := range r.Initiatives {
				r.Initiatives[i].IntegrationFields = initiativeFields[r.Initiatives[i].ID]
			}
		}
	}
	return nil
}

// prefixed scans a row whose first column is a release ID, then the rest.
type prefixed struct {
	rows *sql.Rows
	id   *int64
}

func (p prefixed) Scan(dest ...any) error {
	return p.rows.Scan(append([]any{p.id}, dest...)...)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

func integrationFields(ctx context.Context, c conn, recordType string, ids []int64) (map[int64][]roadmap.IntegrationField, error) {
	rows, err := c.query(ctx, "SELECT record_id, id, name, value, integration_id, service_name, created_at FROM integration_fields WHERE record_type = ? AND record_id IN ("+placeholders(len(ids))+") ORDER BY record_id, id",
		append([]any{recordType}, int64Args(ids)...)...)
	if err != nil {
		return nil, err
	}
	out := map[int64][]roadmap.IntegrationField{}
	for rows.Next() {
		var rid, created int64
		var f roadmap.IntegrationField
		if err := rows.Scan(&rid, &f.ID, &f.Name, &f.Value, &f.IntegrationID, &f.ServiceName, &created); err != nil {
			rows.Close()
			return nil, err
		}
		f.CreatedAt = fromMS(created)
		out[rid] = append(out[rid], f)
	}
	return out, closeRows(rows)
}

var _ = time.Time{}

// unshippedStatuses returns the IDs of the workflow statuses that are not
// complete.
func unshippedStatuses(ctx context.Context, c conn) ([]int64, error) {
	rows, err := c.query(ctx, "SELECT id FROM workflow_statuses WHERE complete = ? ORDER BY id", false)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
