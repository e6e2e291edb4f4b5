package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

const initiativeSelect = `SELECT i.id, i.product_id, i.reference_num, i.name, i.description_id, i.description_body,
 i.description_created_at, i.description_updated_at, i.created_at, i.updated_at, i.effort, i.value, i.presented,
 i.color, i.start_date, i.end_date, i.position, i.score, i.progress, i.progress_source, i.duration_source,
 COALESCE(i.assigned_to_user_id, 0), i.default_assignee, COALESCE(i.created_by_id, 0), COALESCE(i.parent_id, 0),
 ` + productCols + `,
 s.id, s.name, s.position, s.complete, s.color, tf.id, tf.name,
 ` + "au.id, au.name, au.email, au.admin, au.created_at, au.updated_at" + `,
 ` + "cb.id, cb.name, cb.email, cb.admin, cb.created_at, cb.updated_at" + `
 FROM initiatives i
 JOIN products p ON p.id = i.product_id
 LEFT JOIN workflow_statuses s ON s.id = i.workflow_status_id
 LEFT JOIN time_frames tf ON tf.id = i.time_frame_id
 LEFT JOIN users au ON au.id = i.assigned_to_user_id
 LEFT JOIN users cb ON cb.id = i.created_by_id`

func scanInitiativeDetail(sc interface{ Scan(...any) error }) (*roadmap.InitiativeDetail, error) {
	it := &roadmap.InitiativeDetail{}
	var dc, du, created, updated, pc, pu int64
	var start, end sql.NullString
	var progress sql.NullInt64
	var sid, spos, tfid sql.NullInt64
	var sname, scolor, tfname sql.NullString
	var scomplete sql.NullBool
	var au, cb joinedUser
	p := &it.Product
	dest := []any{&it.ID, &it.ProductID, &it.ReferenceNum, &it.Name, &it.Description.ID, &it.Description.Body,
		&dc, &du, &created, &updated, &it.Effort, &it.Value, &it.Presented,
		&it.Color, &start, &end, &it.Position, &it.Score, &progress, &it.ProgressSource, &it.DurationSource,
		&it.AssignedToID, &it.DefaultAssignee, &it.CreatedByID, &it.ParentID,
		&p.ID, &p.ReferencePrefix, &p.Name, &p.ProductLine, &p.WorkspaceType, &p.ParentID, &pc, &pu,
		&sid, &sname, &spos, &scomplete, &scolor, &tfid, &tfname}
	dest = append(dest, au.dest()...)
	dest = append(dest, cb.dest()...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	it.Description.CreatedAt, it.Description.UpdatedAt = fromMS(dc), fromMS(du)
	it.CreatedAt, it.UpdatedAt = fromMS(created), fromMS(updated)
	p.CreatedAt, p.UpdatedAt = fromMS(pc), fromMS(pu)
	it.StartDate, it.EndDate = start.String, end.String
	it.Progress = nullableInt(progress)
	it.WorkflowStatus = scanOptStatus(sid, sname, spos, scomplete, scolor)
	if tfid.Valid {
		it.TimeFrame = &roadmap.TimeFrame{ID: tfid.Int64, Name: tfname.String}
	}
	it.AssignedTo, it.CreatedBy = au.user(), cb.user()
	return it, nil
}

// InitiativeDetail returns an initiative by numeric ID or reference number,
// loaded for its representation.
func (db *DB) InitiativeDetail(ctx context.Context, key string) (*roadmap.InitiativeDetail, error) {
	it, err := loadInitiativeDetail(ctx, db.reader(), key)
	return it, db.wrap(err)
}

func loadInitiativeDetail(ctx context.Context, c conn, key string) (*roadmap.InitiativeDetail, error) {
	cond, arg := keyClause("i.id", "i.reference_num", strings.TrimSpace(key))
	it, err := scanInitiativeDetail(c.queryRow(ctx, initiativeSelect+" WHERE "+cond, arg))
	if err != nil {
		return nil, scanErr(err, "initiative", key)
	}
	if err := loadInitiativeRelations(ctx, c, []*roadmap.InitiativeDetail{it}); err != nil {
		return nil, err
	}
	return it, nil
}

func loadInitiativeByID(ctx context.Context, c conn, id int64) (*roadmap.InitiativeDetail, error) {
	return loadInitiativeDetail(ctx, c, strconv.FormatInt(id, 10))
}

// Initiatives returns a page of initiatives in ID order and the total number
// that match.
func (db *DB) Initiatives(ctx context.Context, f roadmap.InitiativeFilter) ([]*roadmap.InitiativeDetail, int, error) {
	out, total, err := listInitiatives(ctx, db.reader(), f)
	return out, total, db.wrap(err)
}

func listInitiatives(ctx context.Context, c conn, f roadmap.InitiativeFilter) ([]*roadmap.InitiativeDetail, int, error) {
	var where []string
	var args []any
	switch {
	case f.ProductID != 0:
		where, args = append(where, "i.product_id = ?"), append(args, f.ProductID)
	case f.GoalID != 0:
		where, args = append(where, "i.id IN (SELECT initiative_id FROM goal_initiatives WHERE goal_id = ?)"), append(args, f.GoalID)
	}
	if f.VisibleTo != 0 {
		where, args = append(where, "i.product_id IN ("+visibleProducts+")"), append(args, f.VisibleTo, f.VisibleTo)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		w, a := c.nameSearchOf("i", "initiatives_name_fts", q)
		where, args = append(where, w...), append(args, a...)
	}
	if f.UpdatedSince != nil {
		where, args = append(where, "i.updated_at > ?"), append(args, ms(*f.UpdatedSince))
	}
	if strings.TrimSpace(f.AssignedTo) != "" {
		u, err := resolveUser(ctx, c, "assigned_to_user", f.AssignedTo)
		if err != nil {
			return nil, 0, err
		}
		where, args = append(where, "i.assigned_to_user_id = ?"), append(args, u.ID)
	}
	if f.OnlyActive {
		where, args = append(where, "(i.workflow_status_id IS NULL OR i.workflow_status_id NOT IN (SELECT id FROM workflow_statuses WHERE complete = ?))"), append(args, true)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var out []*roadmap.InitiativeDetail
	l := pagedList{count: "SELECT COUNT(*) FROM initiatives i" + cond, countArgs: args, selectFrom: initiativeSelect, cond: cond, args: args, id: "i.id",
		filtered: strings.TrimSpace(f.Query) != "" || f.UpdatedSince != nil || strings.TrimSpace(f.AssignedTo) != ""}
	// The whole list of a product or of the account takes its total from
	// the counts the products keep.
	switch {
	case l.filtered || f.OnlyActive:
	case f.ProductID != 0:
		l.count, l.countArgs = keptTotal("products", "initiative_count", f.ProductID, f.VisibleTo)
	case f.GoalID == 0:
		l.count, l.countArgs = accountTotal("initiative_count", f.VisibleTo)
	}
	total, err := l.run(ctx, c, strategyPage(f.Page), func(rows *sql.Rows) error {
		it, err := scanInitiativeDetail(rows)
		out = append(out, it)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := loadInitiativeRelations(ctx, c, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// loadInitiativeRelations fills what the initiatives' representation shows
// beyond their rows, with one query per kind of related record for the
// whole page.
func loadInitiativeRelations(ctx context.Context, c conn, its []*roadmap.InitiativeDetail) error {
	if len(its) == 0 {
		return nil
	}
	byID := make(map[int64]*roadmap.InitiativeDetail, len(its))
	ids := make([]int64, len(its))
	var parents []int64
	for i, it := range its {
		byID[it.ID], ids[i] = it, it.ID
		if it.ParentID != 0 {
			parents = append(parents, it.ParentID)
		}
	}
	if err := setCommentCounts(ctx, c, roadmap.CommentOnInitiative, ids, func(id int64, n int) { byID[id].CommentsCount = n }); err != nil {
		return err
	}
	times, err := recordStatusTimes(ctx, c, "initiative_status_times", "initiative_id", ids)
	if err != nil {
		return err
	}
	watchers, err := recordWatchers(ctx, c, "initiative_watchers", "initiative_id", ids)
	if err != nil {
		return err
	}
	releases, err := releasesLinked(ctx, c, "release_initiatives", "initiative_id", ids)
	if err != nil {
		return err
	}
	custom, err := recordCustomFields(ctx, c, "initiative_custom_fields", "initiative_id", ids)
	if err != nil {
		return err
	}
	fields, err := integrationFields(ctx, c, "initiative", ids)
	if err != nil {
		return err
	}
	for _, it := range its {
		it.StatusTimes, it.Watchers, it.Releases = times[it.ID], watchers[it.ID], releases[it.ID]
		it.CustomFields, it.IntegrationFields = custom[it.ID], fields[it.ID]
	}

	rows, err := c.query(ctx, "SELECT gi.initiative_id, "+goalCols+" FROM goal_initiatives gi JOIN goals g ON g.id = gi.goal_id WHERE gi.initiative_id IN ("+placeholders(len(ids))+") ORDER BY gi.initiative_id, g.id", int64Args(ids)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var iid int64
		var g roadmap.Goal
		if err := scanGoal(prefixed{rows, &iid}, &g); err != nil {
			rows.Close()
			return err
		}
		byID[iid].Goals = append(byID[iid].Goals, g)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	if len(parents) > 0 {
		rows, err := c.query(ctx, "SELECT "+initiativeCols+" FROM initiatives i WHERE i.id IN ("+placeholders(len(parents))+")", int64Args(parents)...)
		if err != nil {
			return err
		}
		known := map[int64]*roadmap.Initiative{}
		for rows.Next() {
			var p roadmap.Initiative
			if err := scanInitiative(rows, &p); err != nil {
				rows.Close()
				return err
			}
			known[p.ID] = &p
		}
		if err := closeRows(rows); err != nil {
			return err
		}
		for _, it := range its {
			it.Parent = known[it.ParentID]
		}
	}

	pg := newProgressGraph()
	if err := pg.load(ctx, c, nil, ids); err != nil {
		return err
	}
	for _, it := range its {
		it.Progress = pg.initiativeProgress(it.ID)
		it.StartDate, it.EndDate = pg.initiativeDates(it.ID)
	}
	return nil
}

// CreateInitiative creates an initiative in a product on behalf of a user.
// Without an assignee it goes to the product's default assignee; the user
// and the assignee watch it.
func (db *DB) CreateInitiative(ctx context.Context, productID, userID int64, in roadmap.InitiativeInput) (*roadmap.InitiativeDetail, error) {
	var out *roadmap.InitiativeDetail
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		it := &roadmap.InitiativeDetail{
			Initiative:     roadmap.Initiative{ProductID: productID, CreatedAt: tx.now, Description: roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now}},
			Effort:         roadmap.DefaultChartValue,
			Value:          roadmap.DefaultChartValue,
			Presented:      true,
			Color:          roadmap.DefaultRecordColor,
			Progress:       new(int),
			ProgressSource: roadmap.ProgressManual,
			DurationSource: roadmap.DurationManual,
			UpdatedAt:      tx.now,
			CreatedByID:    userID,
		}
		if err := roadmap.ApplyInitiativeInput(it, in, true, tx.now, roadmap.Shown{}); err != nil {
			return err
		}
		l, err := resolveInitiativeLinks(ctx, c, it, in)
		if err != nil {
			return err
		}
		if !in.AssignedTo.Set {
			var assignee int64
			err := c.queryRow(ctx, "SELECT COALESCE(p.initiative_assignee_id, pl.initiative_assignee_id, 0) FROM products p LEFT JOIN products pl ON pl.id = p.parent_id WHERE p.id = ?", productID).Scan(&assignee)
			if err != nil {
				return scanErr(err, "product", strconv.FormatInt(productID, 10))
			}
			it.AssignedToID, it.DefaultAssignee = assignee, assignee != 0
		}
		status, err := kindStatus(ctx, c, productID, "initiative", "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		if it.ReferenceNum, err = tx.takeNumber(ctx, "products", "initiative_seq", "reference_prefix", productID, "initiatives", roadmap.InitiativeReference); err != nil {
			return err
		}
		if !in.Position.Set {
			if it.Position, err = nextRecordPosition(ctx, c, "initiatives", "product_id", productID); err != nil {
				return err
			}
		}
		it.ID = tx.db.ids.next(tx.now)
		var statusID any
		if status != nil {
			statusID = status.ID
		}
		_, err = c.exec(ctx, `INSERT INTO initiatives (id, product_id, reference_num, name, name_fold, description_id,
 description_body, description_created_at, description_updated_at, created_at, updated_at, effort, value, presented,
 color, start_date, end_date, position, score, progress, progress_source, duration_source, workflow_status_id,
 assigned_to_user_id, default_assignee, time_frame_id, parent_id, created_by_id)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.ID, it.ProductID, it.ReferenceNum, it.Name, strings.ToLower(it.Name), it.Description.ID,
			it.Description.Body, ms(it.Description.CreatedAt), ms(it.Description.UpdatedAt), ms(tx.now), ms(tx.now), it.Effort, it.Value, it.Presented,
			it.Color, nullStr(it.StartDate), nullStr(it.EndDate), it.Position, it.Score, it.Progress, it.ProgressSource, it.DurationSource, statusID,
			nullID(it.AssignedToID), it.DefaultAssignee, nullID(l.timeFrame), nullID(it.ParentID), userID)
		if err != nil {
			return err
		}
		if status != nil {
			if err := tx.insertKindStatusTime(ctx, "initiative_status_times", "initiative_id", it.ID, *status); err != nil {
				return err
			}
		}
		if err := tx.setLinkSet(ctx, "initiative_watchers", "initiative_id", it.ID, "user_id", append([]int64{userID, it.AssignedToID}, l.watchers...), 0); err != nil {
			return err
		}
		if err := tx.setInitiativeLinks(ctx, it.ID, l); err != nil {
			return err
		}
		if in.CustomFields.Set {
			if err := tx.setRecordCustomFields(ctx, "initiative_custom_fields", "initiative_id", it.ID, in.CustomFields.V); err != nil {
				return err
			}
		}
		out, err = loadInitiativeByID(ctx, c, it.ID)
		return err
	})
	return out, err
}

// initiativeLinks are the resolved references of an initiative input; nil
// lists were not given.
type initiativeLinks struct {
	watchers, goals, releases []int64
	timeFrame                 int64
	timeFrameSet              bool
	// visibleTo is as in goalLinks.
	visibleTo int64
}

// resolveInitiativeLinks resolves the parent, assignee, time frame,
// watchers, goals and releases of in, setting ParentID and the assignee on it.
func resolveInitiativeLinks(ctx context.Context, c conn, it *roadmap.InitiativeDetail, in roadmap.InitiativeInput) (initiativeLinks, error) {
	l := initiativeLinks{visibleTo: in.VisibleTo}
	var err error
	if in.ParentID.Set {
		if it.ParentID, err = resolveInitiativeParent(ctx, c, it.ID, in.ParentID.V, in.VisibleTo); err != nil {
			return l, err
		}
	}
	if in.AssignedTo.Set {
		it.AssignedToID, it.DefaultAssignee = 0, false
		if !in.AssignedTo.Null && strings.TrimSpace(in.AssignedTo.V) != "" {
			u, err := resolveUser(ctx, c, "assigned_to_user", in.AssignedTo.V)
			if err != nil {
				return l, err
			}
			it.AssignedToID = u.ID
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
	if in.Goals.Set {
		if l.goals, err = resolveRecords(ctx, c, "goals", "goals", in.Goals.V, in.VisibleTo); err != nil {
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

// resolveInitiativeParent checks that ref names an initiative that can hold
// the initiative self (0 for a new one) without making a cycle; "" is none.
func resolveInitiativeParent(ctx context.Context, c conn, self int64, ref string, visibleTo int64) (int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0, nil
	}
	ids, err := resolveRecords(ctx, c, "initiatives", "parent_id", []string{ref}, visibleTo)
	if err != nil {
		return 0, err
	}
	id := ids[0]
	if id == self {
		return 0, roadmap.FieldErrorf("parent_id", "an initiative can't be its own parent")
	}
	up := id
	for depth := 0; up != 0; depth++ {
		if up == self || depth > maxStrategyDepth {
			return 0, roadmap.FieldErrorf("parent_id", "parent_id %s would make a cycle of initiatives", ref)
		}
		if err := c.queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM initiatives WHERE id = ?", up).Scan(&up); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// setInitiativeLinks replaces the goals and releases of an initiative that
// l gives, touching the records that gain or lose it first: their locks
// come before the link rows, as lockLinkedFirst describes.
func (tx *Tx) setInitiativeLinks(ctx context.Context, id int64, l initiativeLinks) error {
	c := tx.conn()
	if l.goals != nil {
		gone, added, err := linkSetChange(ctx, c, "goal_initiatives", "initiative_id", id, "goal_id", l.goals, l.visibleTo)
		if err != nil {
			return err
		}
		if err := tx.touchRecords(ctx, "goals", append(gone, added...)); err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "goal_initiatives", "initiative_id", id, "goal_id", l.goals, l.visibleTo); err != nil {
			return err
		}
	}
	if l.releases != nil {
		gone, added, err := linkSetChange(ctx, c, "release_initiatives", "initiative_id", id, "release_id", l.releases, l.visibleTo)
		if err != nil {
			return err
		}
		if err := tx.touchRecords(ctx, "releases", append(gone, added...)); err != nil {
			return err
		}
		if err := tx.setLinkSet(ctx, "release_initiatives", "initiative_id", id, "release_id", l.releases, l.visibleTo); err != nil {
			return err
		}
	}
	return nil
}

// UpdateInitiative changes an initiative.
func (db *DB) UpdateInitiative(ctx context.Context, id int64, in roadmap.InitiativeInput) (*roadmap.InitiativeDetail, error) {
	var out *roadmap.InitiativeDetail
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if in.Releases.Set {
			if err := tx.lockLinkedFirst(ctx, id, "release_initiatives", "initiative_id", "release_id", "releases", in.Releases.V, in.VisibleTo); err != nil {
				return err
			}
		}
		if in.Goals.Set {
			if err := tx.lockLinkedFirst(ctx, id, "goal_initiatives", "initiative_id", "goal_id", "goals", in.Goals.V, in.VisibleTo); err != nil {
				return err
			}
		}
		if err := tx.lockRecord(ctx, "initiatives", id); err != nil {
			return err
		}
		it, err := loadInitiativeByID(ctx, c, id)
		if err != nil {
			return err
		}
		var stored *int
		var start, end sql.NullString
		if err := c.queryRow(ctx, "SELECT progress, start_date, end_date FROM initiatives WHERE id = ?", id).Scan(&stored, &start, &end); err != nil {
			return err
		}
		shown := roadmap.Shown{Progress: it.Progress, StartDate: it.StartDate, EndDate: it.EndDate}
		it.Progress, it.StartDate, it.EndDate = stored, start.String, end.String
		if err := roadmap.ApplyInitiativeInput(it, in, false, tx.now, shown); err != nil {
			return err
		}
		l, err := resolveInitiativeLinks(ctx, c, it, in)
		if err != nil {
			return err
		}
		statusID := int64(0)
		if it.WorkflowStatus != nil {
			statusID = it.WorkflowStatus.ID
		}
		if in.WorkflowStatus.Set {
			if in.WorkflowStatus.Null || strings.TrimSpace(in.WorkflowStatus.V) == "" {
				return roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
			}
			st, err := kindStatus(ctx, c, it.ProductID, "initiative", "workflow_status", in.WorkflowStatus.V)
			if err != nil {
				return err
			}
			if st != nil && st.ID != statusID {
				statusID = st.ID
				if err := tx.changeKindStatus(ctx, "initiative_status_times", "initiative_id", it.ID, *st); err != nil {
					return err
				}
			}
		}
		timeFrame := int64(0)
		if it.TimeFrame != nil {
			timeFrame = it.TimeFrame.ID
		}
		if l.timeFrameSet {
			timeFrame = l.timeFrame
		}
		_, err = c.exec(ctx, `UPDATE initiatives SET name = ?, name_fold = ?, description_body = ?, description_updated_at = ?,
 effort = ?, value = ?, presented = ?, start_date = ?, end_date = ?, position = ?, progress = ?, progress_source = ?,
 duration_source = ?, workflow_status_id = ?, assigned_to_user_id = ?, default_assignee = ?, time_frame_id = ?,
 parent_id = ?, updated_at = ? WHERE id = ?`,
			it.Name, strings.ToLower(it.Name), it.Description.Body, ms(it.Description.UpdatedAt),
			it.Effort, it.Value, it.Presented, nullStr(it.StartDate), nullStr(it.EndDate), it.Position, it.Progress, it.ProgressSource,
			it.DurationSource, nullID(statusID), nullID(it.AssignedToID), it.DefaultAssignee, nullID(timeFrame),
			nullID(it.ParentID), ms(tx.now), it.ID)
		if err != nil {
			return err
		}
		if l.watchers != nil {
			if err := tx.setLinkSet(ctx, "initiative_watchers", "initiative_id", it.ID, "user_id", l.watchers, 0); err != nil {
				return err
			}
		}
		if err := tx.setInitiativeLinks(ctx, it.ID, l); err != nil {
			return err
		}
		if in.CustomFields.Set {
			if err := tx.setRecordCustomFields(ctx, "initiative_custom_fields", "initiative_id", it.ID, in.CustomFields.V); err != nil {
				return err
			}
		}
		out, err = loadInitiativeByID(ctx, c, it.ID)
		return err
	})
	return out, err
}

// DeleteInitiative deletes an initiative with its status history, watchers,
// custom fields and integration fields. Releases and goals linked to it
// stay, without the link, and initiatives under it are detached; the
// records that lose it are touched.
func (db *DB) DeleteInitiative(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRecord(ctx, "initiatives", id); err != nil {
			return err
		}
		rels, err := linkedIDs(ctx, c, "release_initiatives", "initiative_id", id, "release_id")
		if err != nil {
			return err
		}
		goals, err := linkedIDs(ctx, c, "goal_initiatives", "initiative_id", id, "goal_id")
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE initiatives SET parent_id = NULL, updated_at = ? WHERE parent_id = ?", ms(tx.now), id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM integration_fields WHERE record_type = 'initiative' AND record_id = ?", id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM initiatives WHERE id = ?", id); err != nil {
			return err
		}
		if err := tx.touchRecords(ctx, "releases", rels); err != nil {
			return err
		}
		return tx.touchRecords(ctx, "goals", goals)
	})
}
