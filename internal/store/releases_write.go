package store

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// maxRollUpDepth bounds walks up the roll-up chain.
const maxRollUpDepth = 64

// CreateRelease creates a release in a product on behalf of a user.
func (db *DB) CreateRelease(ctx context.Context, productID, userID int64, in roadmap.ReleaseInput) (*roadmap.Release, error) {
	var out *roadmap.Release
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		r := &roadmap.Release{
			ProductID:      productID,
			ProgressSource: roadmap.DefaultProgressSource,
			Progress:       new(int),
			DurationSource: roadmap.DurationManual,
			OwnerID:        userID,
			CreatedByID:    userID,
			Theme:          roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now},
			CreatedAt:      tx.now,
			UpdatedAt:      tx.now,
		}
		if err := roadmap.ApplyReleaseInput(r, in, true, tx.now); err != nil {
			return err
		}
		links, err := resolveLinks(ctx, c, r, in)
		if err != nil {
			return err
		}
		status, err := releaseStatus(ctx, c, productID, "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return err
		}
		if err := tx.numberRelease(ctx, r); err != nil {
			return err
		}
		r.ID = tx.db.ids.next(tx.now)
		roadmap.ApplyStatus(r, *status, tx.now)
		if err := tx.insertRelease(ctx, r); err != nil {
			return err
		}
		tx.create(r.ID)
		if err := tx.insertStatusTime(ctx, r.ID, r.StatusTimes[len(r.StatusTimes)-1]); err != nil {
			return err
		}
		watchers := []int64{r.CreatedByID, r.OwnerID}
		if links.watchers != nil {
			watchers = append(watchers, links.watchers...)
		}
		if err := tx.setLinks(ctx, r.ID, links.goals, links.initiatives, watchers, in.VisibleTo); err != nil {
			return err
		}
		if err := tx.setRecordCustomFields(ctx, "custom_field_values", "release_id", r.ID, in.CustomFields.V); err != nil {
			return err
		}
		if err := tx.recomputeRollUps(ctx, r.ParentID); err != nil {
			return err
		}
		out, err = loadReleaseByID(ctx, c, r.ID, true)
		return err
	})
	return out, err
}

// numberConns is the number of connections that give new releases their
// numbers on PostgreSQL (DB.numbers): each holds one for one statement.
const numberConns = 2

// numberRelease gives r the next reference number of its product's counter
// (release_seq, or rollup_seq for a roll-up) and a position after the
// product's last.
//
// On SQLite the writer holds the whole database, and the counter is
// updated in the transaction.
//
// On PostgreSQL the counter row is updated in a transaction of its own, on
// a connection apart (DB.numbers), so that it stays locked for that one
// statement rather than until the creating transaction commits, and the
// creates of a product do not wait for each other's commits. The position
// comes from the same row: after position_seq, the last position it gave,
// and after the product's last release that has one (migration 00030).
// Creates call it once all they were given is checked. When the
// transaction fails after all, the number is given back if no create took
// a later one (see Tx.undo); otherwise it stays unused, as numbers are
// never reused.
func (tx *Tx) numberRelease(ctx context.Context, r *roadmap.Release) error {
	col := "release_seq"
	if r.MasterRelease {
		col = "rollup_seq"
	}
	if tx.db.numbers != nil {
		return tx.numberApart(ctx, r, col)
	}
	c := tx.conn()
	var n int64
	var prefix string
	err := c.queryRow(ctx, "UPDATE products SET "+col+" = "+col+" + 1 WHERE id = ? RETURNING "+col+", reference_prefix", r.ProductID).Scan(&n, &prefix)
	if err != nil {
		return scanErr(err, "product", strconv.FormatInt(r.ProductID, 10))
	}
	r.ReferenceNum = roadmap.ReleaseReference(prefix, r.MasterRelease, n)
	// The last position comes from the end of releases_product_position,
	// whatever the size of the product.
	var last sql.NullInt64
	err = c.queryRow(ctx, "SELECT position FROM releases WHERE product_id = ? AND position IS NOT NULL ORDER BY position DESC LIMIT 1", r.ProductID).Scan(&last)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	pos := int(last.Int64) + 1
	r.Position = &pos
	return nil
}

// numberApart is numberRelease on PostgreSQL: the counters' update runs on
// DB.numbers, and the transaction's failure gives the number and the
// position back unless a later one was taken.
func (tx *Tx) numberApart(ctx context.Context, r *roadmap.Release, col string) error {
	nc := conn{qr: tx.db.numbers, d: tx.db.dialect, n: &tx.db.queries, tr: &tx.db.trace}
	var n, pos int64
	var prefix string
	err := nc.queryRow(ctx, "UPDATE products SET "+col+" = "+col+" + 1, position_seq = GREATEST(position_seq, COALESCE((SELECT r.position FROM releases r WHERE r.product_id = ? AND r.position IS NOT NULL ORDER BY r.position DESC LIMIT 1), 0)) + 1 WHERE id = ? RETURNING "+col+", reference_prefix, position_seq",
		r.ProductID, r.ProductID).Scan(&n, &prefix, &pos)
	if err != nil {
		return scanErr(err, "product", strconv.FormatInt(r.ProductID, 10))
	}
	r.ReferenceNum = roadmap.ReleaseReference(prefix, r.MasterRelease, n)
	p := int(pos)
	r.Position = &p
	product := r.ProductID
	tx.undo = append(tx.undo, func(ctx context.Context) {
		nc.exec(ctx, "UPDATE products SET "+col+" = CASE WHEN "+col+" = ? THEN "+col+" - 1 ELSE "+col+" END, position_seq = CASE WHEN position_seq = ? THEN position_seq - 1 ELSE position_seq END WHERE id = ? AND ("+col+" = ? OR position_seq = ?)",
			n, pos, product, n, pos)
	})
	return nil
}

// links are the resolved references of a release input; nil means "not given".
type links struct {
	goals, initiatives, watchers []int64
}

// resolveLinks resolves owner, parent, goals, initiatives and watchers of in,
// setting OwnerID and ParentID on r.
func resolveLinks(ctx context.Context, c conn, r *roadmap.Release, in roadmap.ReleaseInput) (links, error) {
	var l links
	if in.Owner.Set {
		if in.Owner.Null || strings.TrimSpace(in.Owner.V) == "" {
			return l, roadmap.FieldErrorf("owner", "owner can't be blank")
		}
		u, err := resolveUser(ctx, c, "owner", in.Owner.V)
		if err != nil {
			return l, err
		}
		r.OwnerID = u.ID
	}
	if in.ParentID.Set {
		if in.ParentID.Null || strings.TrimSpace(in.ParentID.V) == "" {
			r.ParentID = 0
		} else {
			id, err := resolveParent(ctx, c, r.ID, r.ProductID, in.ParentID.V)
			if err != nil {
				return l, err
			}
			r.ParentID = id
		}
	}
	var err error
	if in.Goals.Set {
		if l.goals, err = resolveByIDOrName(ctx, c, "goals", "goals", in.Goals.V, in.VisibleTo); err != nil {
			return l, err
		}
		l.goals = nonNil(l.goals)
	}
	if in.Initiatives.Set {
		if l.initiatives, err = resolveByIDOrName(ctx, c, "initiatives", "initiatives", in.Initiatives.V, in.VisibleTo); err != nil {
			return l, err
		}
		l.initiatives = nonNil(l.initiatives)
	}
	if in.Watchers.Set {
		l.watchers = []int64{}
		for _, ref := range in.Watchers.V {
			if strings.TrimSpace(ref) == "" {
				continue
			}
			u, err := resolveUser(ctx, c, "watchers", ref)
			if err != nil {
				return l, err
			}
			l.watchers = append(l.watchers, u.ID)
		}
	}
	return l, nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// resolveParent checks that ref names a roll-up release that collects the
// releases of the product and can hold the release self (0 for a new one)
// without making a cycle.
func resolveParent(ctx context.Context, c conn, self, productID int64, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	cond, arg := keyClause("id", "reference_num", ref)
	var id, up int64
	var master bool
	err := c.queryRow(ctx, "SELECT id, master_release, COALESCE(parent_id, 0) FROM releases WHERE "+cond, arg).Scan(&id, &master, &up)
	if isNoRows(err) {
		return 0, roadmap.FieldErrorf("parent_id", "parent_id: no release %q", ref)
	}
	if err != nil {
		return 0, err
	}
	if !master {
		return 0, roadmap.FieldErrorf("parent_id", "parent_id %s is not a roll-up release", ref)
	}
	if id == self {
		return 0, roadmap.FieldErrorf("parent_id", "parent_id %s is the release itself: a release can't be its own parent", ref)
	}
	for depth := 0; up != 0; depth++ {
		if up == self || depth > maxRollUpDepth {
			return 0, roadmap.FieldErrorf("parent_id", "parent_id %s would make a cycle of roll-up releases", ref)
		}
		if err := c.queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM releases WHERE id = ?", up).Scan(&up); err != nil {
			return 0, err
		}
	}
	ok, err := rollUpAccepts(ctx, c, id, productID)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, roadmap.FieldErrorf("parent_id", "parent_id %s does not collect releases of this product", ref)
	}
	return id, nil
}

func (tx *Tx) insertRelease(ctx context.Context, r *roadmap.Release) error {
	_, err := tx.conn().exec(ctx, `INSERT INTO releases (id, product_id, reference_num, name, start_date, end_date,
 development_started_on, release_date, external_release_date, external_date_resolution, released_on,
 parking_lot, master_release, position, progress, progress_source, duration_source, status_changed_on,
 capacity_units, total_capacity, theme_id, theme_body, theme_created_at, theme_updated_at,
 workflow_status_id, owner_id, created_by_id, parent_id, created_at, updated_at, name_fold)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.ProductID, r.ReferenceNum, r.Name, nullStr(r.StartDate), nullStr(r.EndDate),
		nullStr(r.DevelopmentStartedOn), nullStr(r.ReleaseDate), nullStr(r.ExternalReleaseDate), r.ExternalDateResolution, nullStr(r.ReleasedOn),
		r.ParkingLot, r.MasterRelease, r.Position, r.Progress, r.ProgressSource, r.DurationSource, nullStr(r.StatusChangedOn),
		nullStr(r.CapacityUnits), r.TotalCapacity, r.Theme.ID, r.Theme.Body, ms(r.Theme.CreatedAt), ms(r.Theme.UpdatedAt),
		r.WorkflowStatusID, r.OwnerID, r.CreatedByID, nullID(r.ParentID), ms(r.CreatedAt), ms(r.UpdatedAt), fold(r.Name))
	return err
}

func (tx *Tx) insertStatusTime(ctx context.Context, releaseID int64, st roadmap.StatusTime) error {
	_, err := tx.conn().exec(ctx, "INSERT INTO release_status_times (id, release_id, status_id, status_name, started_at) VALUES (?, ?, ?, ?, ?)",
		tx.db.ids.next(tx.now), releaseID, st.StatusID, st.StatusName, ms(st.StartedAt))
	return err
}

// setLinks replaces the goals, initiatives and watchers of a release; a nil
// list leaves that link as it is. With visibleTo set, goals and initiatives
// of products that user may not see stay linked (see setLinkSet).
func (tx *Tx) setLinks(ctx context.Context, releaseID int64, goals, initiatives, watchers []int64, visibleTo int64) error {
	sets := []struct {
		table, col string
		ids        []int64
	}{
		{"release_goals", "goal_id", goals},
		{"release_initiatives", "initiative_id", initiatives},
		{"release_watchers", "user_id", watchers},
	}
	for _, s := range sets {
		if s.ids == nil {
			continue
		}
		if err := tx.setLinkSet(ctx, s.table, "release_id", releaseID, s.col, s.ids, visibleTo); err != nil {
			return err
		}
	}
	return nil
}

// UpdateRelease changes a release.
func (db *DB) UpdateRelease(ctx context.Context, id int64, in roadmap.ReleaseInput) (*roadmap.Release, error) {
	if db.dialect.name() == "postgres" {
		unlock, err := db.releaseWriters.lock(ctx, id)
		if err != nil {
			return nil, db.wrap(err)
		}
		defer unlock()
	}
	var out *roadmap.Release
	err := db.inTx(ctx, func(tx *Tx) error {
		if onlyOwnColumns(in) {
			r, err := tx.renameRelease(ctx, id, in)
			if err != nil || r != nil {
				out = r
				return err
			}
		}
		r, err := tx.changeRelease(ctx, id, in, nil, nil)
		if err != nil {
			return err
		}
		if onlyOwnColumns(in) {
			out = r
			return nil
		}
		out, err = loadReleaseByID(ctx, tx.conn(), r.ID, true)
		return err
	})
	return out, err
}

// renameRelease applies a change of only a release's name and theme (see
// onlyOwnColumns) to a release in no roll-up, holding the release's lock
// for as few round trips as it can: one statement locks and loads the
// release (lockLoadRelease), and on PostgreSQL one more writes it and
// reads what its full representation embeds, which the write leaves as
// they are. It returns nil, and changes nothing, for a release in a
// roll-up, which changeRelease locks with its chain.
func (tx *Tx) renameRelease(ctx context.Context, id int64, in roadmap.ReleaseInput) (*roadmap.Release, error) {
	r, err := tx.lockLoadRelease(ctx, id)
	if err != nil || r == nil {
		return nil, err
	}
	tx.resetNow(r.UpdatedAt)
	if err := roadmap.ApplyReleaseInput(r, in, false, tx.now); err != nil {
		return nil, err
	}
	r.UpdatedAt = tx.now
	c := tx.conn()
	q, args := updateReleaseStmt(r)
	byID := map[int64]*roadmap.Release{r.ID: r}
	if tx.db.dialect.name() == "postgres" {
		return r, loadFullRelationsWith(ctx, c, "WITH u AS ("+q+") ", args, byID, []any{r.ID})
	}
	if _, err := c.exec(ctx, q, args...); err != nil {
		return nil, err
	}
	return r, loadFullRelations(ctx, c, byID, []any{r.ID})
}

// onlyOwnColumns reports whether a change sets only the release's name and
// theme. changeRelease loads the release under its lock and writes exactly
// what it holds then, and such a change moves nothing computed and no
// other row, so the release it returns is what a read after the write
// loads.
func onlyOwnColumns(in roadmap.ReleaseInput) bool {
	in.Name, in.Theme = roadmap.Opt[string]{}, roadmap.Opt[string]{}
	in.VisibleTo = 0
	return reflect.ValueOf(in).IsZero()
}

// changeRelease applies in to release id: it locks the row and takes the
// time after the lock, applies the domain rules, resolves references,
// records a status change, writes the row, its links and custom fields, and
// brings the roll-ups it leaves or joins up to date. check, when given, may
// refuse the change as soon as the release is loaded; then, when given, runs
// after the row is written.
func (tx *Tx) changeRelease(ctx context.Context, id int64, in roadmap.ReleaseInput, check, then func(*roadmap.Release) error) (*roadmap.Release, error) {
	c := tx.conn()
	// The release, the roll-up it is to join and the roll-ups above both,
	// locked together in ID order before the release is read.
	chains := []int64{id}
	if in.ParentID.Set && !in.ParentID.Null {
		parent, err := releaseKeyID(ctx, c, in.ParentID.V)
		if err != nil {
			return nil, err
		}
		chains = append(chains, parent)
	}
	locked, err := tx.lockReleaseChains(ctx, chains)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(locked, id) {
		// Only a release that does not exist is left out of the set.
		return nil, notFound("release", strconv.FormatInt(id, 10))
	}
	r, err := loadReleaseByID(ctx, c, id, true)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(r); err != nil {
			return nil, err
		}
	}
	tx.resetNow(r.UpdatedAt)
	oldParent, oldStatus := r.ParentID, r.WorkflowStatusID
	if err := roadmap.ApplyReleaseInput(r, in, false, tx.now); err != nil {
		return nil, err
	}
	links, err := resolveLinks(ctx, c, r, in)
	if err != nil {
		return nil, err
	}
	if in.WorkflowStatus.Set {
		if in.WorkflowStatus.Null {
			return nil, roadmap.FieldErrorf("workflow_status", "workflow_status can't be blank")
		}
		status, err := releaseStatus(ctx, c, r.ProductID, "workflow_status", in.WorkflowStatus.V)
		if err != nil {
			return nil, err
		}
		roadmap.ApplyStatus(r, *status, tx.now)
	}
	if r.WorkflowStatusID != oldStatus {
		if _, err := c.exec(ctx, "UPDATE release_status_times SET ended_at = ? WHERE release_id = ? AND ended_at IS NULL", ms(tx.now), r.ID); err != nil {
			return nil, err
		}
		if err := tx.insertStatusTime(ctx, r.ID, r.StatusTimes[len(r.StatusTimes)-1]); err != nil {
			return nil, err
		}
	}
	r.UpdatedAt = tx.now
	if err := tx.updateRelease(ctx, r); err != nil {
		return nil, err
	}
	if err := tx.setLinks(ctx, r.ID, links.goals, links.initiatives, links.watchers, in.VisibleTo); err != nil {
		return nil, err
	}
	if err := tx.setRecordCustomFields(ctx, "custom_field_values", "release_id", r.ID, in.CustomFields.V); err != nil {
		return nil, err
	}
	if then != nil {
		if err := then(r); err != nil {
			return nil, err
		}
	}
	if then == nil && !affectsComputed(in) {
		return r, nil
	}
	if err := tx.recomputeReleases(ctx, []int64{r.ID, oldParent, r.ParentID}); err != nil {
		return nil, err
	}
	return r, nil
}

// affectsComputed reports whether a change of a release may change what is
// computed from it or for it: its progress, its dates from phases and
// features, and the dates of the roll-ups above it. Its name, theme, owner,
// links and custom fields enter none of these, and the writers of what they
// are computed from (features, epics, phases, to-dos, sub-releases) compute
// them again in their own transactions; so a change of only those leaves the
// computed values as fresh as they are, without reading them again.
func affectsComputed(in roadmap.ReleaseInput) bool {
	in.Name, in.Theme, in.Owner = roadmap.Opt[string]{}, roadmap.Opt[string]{}, roadmap.Opt[string]{}
	in.Goals, in.Initiatives, in.Watchers = roadmap.Opt[[]string]{}, roadmap.Opt[[]string]{}, roadmap.Opt[[]string]{}
	in.CustomFields = roadmap.Opt[[]roadmap.CustomFieldEntry]{}
	in.VisibleTo = 0
	return !reflect.ValueOf(in).IsZero()
}

func (tx *Tx) updateRelease(ctx context.Context, r *roadmap.Release) error {
	q, args := updateReleaseStmt(r)
	_, err := tx.conn().exec(ctx, q, args...)
	return err
}

// updateReleaseStmt is the statement that writes the release r's own
// columns, and its arguments.
func updateReleaseStmt(r *roadmap.Release) (string, []any) {
	return `UPDATE releases SET name = ?, name_fold = ?, start_date = ?, end_date = ?,
 development_started_on = ?, release_date = ?, external_release_date = ?, external_date_resolution = ?,
 released_on = ?, parking_lot = ?, position = ?, progress = ?, progress_source = ?, duration_source = ?,
 status_changed_on = ?, capacity_units = ?, total_capacity = ?, theme_body = ?, theme_updated_at = ?,
 workflow_status_id = ?, owner_id = ?, parent_id = ?, updated_at = ? WHERE id = ?`,
		[]any{r.Name, fold(r.Name), nullStr(r.StartDate), nullStr(r.EndDate),
			nullStr(r.DevelopmentStartedOn), nullStr(r.ReleaseDate), nullStr(r.ExternalReleaseDate), r.ExternalDateResolution,
			nullStr(r.ReleasedOn), r.ParkingLot, r.Position, r.Progress, r.ProgressSource, r.DurationSource,
			nullStr(r.StatusChangedOn), nullStr(r.CapacityUnits), r.TotalCapacity, r.Theme.Body, ms(r.Theme.UpdatedAt),
			r.WorkflowStatusID, r.OwnerID, nullID(r.ParentID), ms(r.UpdatedAt), r.ID}
}

// lockRelease locks a release row until the transaction ends, so that
// concurrent writers of one release apply their changes one after the other.
func (tx *Tx) lockRelease(ctx context.Context, id int64) error {
	return tx.lockRecord(ctx, "releases", id)
}

// recomputeRollUps brings the dates of each given roll-up release, and of
// the roll-ups above it, up to date with the releases under them, for those
// whose duration source is duration_from_sub_releases. The given releases
// and the roll-ups above them are locked first (see lockReleaseChains) and
// their chains read under the locks; each roll-up is then computed after
// every roll-up below it in the set, so that a change reaches the top in one
// pass whatever the order of ids.
func (tx *Tx) recomputeRollUps(ctx context.Context, ids ...int64) error {
	c := tx.conn()
	all, err := tx.lockReleaseChains(ctx, ids)
	if err != nil {
		return err
	}
	type rollUp struct {
		id, parent         int64
		source, resolution string
		depth              int
	}
	byID := make(map[int64]*rollUp, len(all))
	for _, id := range all {
		ru := &rollUp{id: id}
		err := c.queryRow(ctx, "SELECT duration_source, external_date_resolution, COALESCE(parent_id, 0) FROM releases WHERE id = ?", id).Scan(&ru.source, &ru.resolution, &ru.parent)
		if err != nil {
			return err
		}
		byID[id] = ru
	}
	// A roll-up's depth is its distance from the top of its chain; deeper
	// ones come first.
	for _, ru := range byID {
		for up := byID[ru.parent]; up != nil && ru.depth <= maxRollUpDepth; up = byID[up.parent] {
			ru.depth++
		}
	}
	order := make([]*rollUp, 0, len(byID))
	for _, id := range all {
		if ru := byID[id]; ru.source == roadmap.DurationFromSubReleases {
			order = append(order, ru)
		}
	}
	slices.SortStableFunc(order, func(a, b *rollUp) int { return b.depth - a.depth })
	for _, ru := range order {
		var start, end *string
		err := c.queryRow(ctx, "SELECT MIN(COALESCE(start_date, release_date)), MAX(release_date) FROM releases WHERE parent_id = ? AND parking_lot = ?", ru.id, false).Scan(&start, &end)
		if err != nil {
			return err
		}
		if start == nil || end == nil {
			continue
		}
		ext := "external_release_date"
		if ru.resolution == roadmap.ResolutionSync {
			ext = "?"
		}
		args := []any{*start, *end}
		if ext == "?" {
			args = append(args, *end)
		}
		args = append(args, ms(tx.now), ru.id, *start, *end)
		if _, err := c.exec(ctx, "UPDATE releases SET start_date = ?, release_date = ?, external_release_date = "+ext+", updated_at = ? WHERE id = ? AND (start_date IS NULL OR start_date <> ? OR release_date IS NULL OR release_date <> ?)", args...); err != nil {
			return err
		}
	}
	return nil
}

// DuplicateRelease copies a release with its fields and links: theme, dates,
// status, capacity, sources, owner, parent, goals, initiatives, watchers and
// custom fields; and its plan: release phases and features (see copyPlan).
// The copy gets a new reference number and a fresh status history; comments
// and integration fields stay with the original, since they describe that
// record.
func (db *DB) DuplicateRelease(ctx context.Context, id, userID int64) (*roadmap.Release, error) {
	var out *roadmap.Release
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		src, err := loadReleaseByID(ctx, c, id, true)
		if err != nil {
			return err
		}
		r := *src
		r.Name = "[Copy] " + src.Name
		if utf8.RuneCountInString(r.Name) > roadmap.MaxNameLength {
			r.Name = string([]rune(r.Name)[:roadmap.MaxNameLength])
		}
		r.ID = tx.db.ids.next(tx.now)
		r.Theme = roadmap.Note{ID: tx.db.ids.next(tx.now), Body: src.Theme.Body, CreatedAt: tx.now, UpdatedAt: tx.now}
		r.CreatedByID = userID
		r.CreatedAt, r.UpdatedAt = tx.now, tx.now
		r.StatusChangedOn = roadmap.Today(tx.now)
		if err := tx.numberRelease(ctx, &r); err != nil {
			return err
		}
		if err := tx.insertRelease(ctx, &r); err != nil {
			return err
		}
		if err := tx.insertStatusTime(ctx, r.ID, roadmap.StatusTime{StatusID: r.WorkflowStatusID, StatusName: r.WorkflowStatus.Name, StartedAt: tx.now}); err != nil {
			return err
		}
		var goals, initiatives, watchers []int64
		for _, g := range src.Goals {
			goals = append(goals, g.ID)
		}
		for _, i := range src.Initiatives {
			initiatives = append(initiatives, i.ID)
		}
		for _, u := range src.Watchers {
			watchers = append(watchers, u.ID)
		}
		watchers = append(watchers, userID)
		if err := tx.setLinks(ctx, r.ID, nonNil(goals), nonNil(initiatives), watchers, 0); err != nil {
			return err
		}
		for i, cf := range src.CustomFields {
			if _, err := c.exec(ctx, "INSERT INTO custom_field_values (id, release_id, key, name, type, value, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				tx.db.ids.next(tx.now), r.ID, cf.Key, cf.Name, cf.Type, cf.Value, i, ms(tx.now), ms(tx.now)); err != nil {
				return err
			}
		}
		if err := tx.copyPlan(ctx, src.ID, r.ID, userID); err != nil {
			return err
		}
		if err := tx.recomputeRollUps(ctx, r.ParentID); err != nil {
			return err
		}
		out, err = loadReleaseByID(ctx, c, r.ID, true)
		return err
	})
	return out, err
}

// DeleteRelease deletes a release with its theme, links, status history,
// custom field values, comments, integration fields and release phases.
// Releases under a deleted roll-up stay, detached from it; to-dos attached
// to it stay, detached. A release that holds features or epics is not
// deleted: they are work that would be lost, so they must be moved or
// deleted first.
func (db *DB) DeleteRelease(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if _, err := tx.lockReleaseChains(ctx, []int64{id}); err != nil {
			return err
		}
		if err := tx.lockRelease(ctx, id); err != nil {
			return err
		}
		tx.resetNow(time.Time{})
		var parent int64
		err := c.queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM releases WHERE id = ?", id).Scan(&parent)
		if err != nil {
			return scanErr(err, "release", strconv.FormatInt(id, 10))
		}
		var features, epics int
		if err := c.queryRow(ctx, "SELECT (SELECT COUNT(*) FROM features WHERE release_id = ?), (SELECT COUNT(*) FROM epics WHERE release_id = ?)", id, id).Scan(&features, &epics); err != nil {
			return err
		}
		if features > 0 || epics > 0 {
			return roadmap.Errorf(roadmap.EINVALID, "The release holds %d features and %d epics: move or delete them first", features, epics)
		}
		if _, err := c.exec(ctx, "DELETE FROM task_records WHERE (record_type = 'Release' AND record_id = ?) OR (record_type = 'ReleasePhase' AND record_id IN (SELECT id FROM release_phases WHERE release_id = ?))", id, id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE releases SET parent_id = NULL, updated_at = ? WHERE parent_id = ?", ms(tx.now), id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM integration_fields WHERE record_type = 'release' AND record_id = ?", id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM releases WHERE id = ?", id); err != nil {
			return err
		}
		return tx.recomputeRollUps(ctx, parent)
	})
}
