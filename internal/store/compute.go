package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Durations that epics compute from their features.
const durationFromFeatures = "duration_from_features"

// recomputeWork brings the computed progress and dates of the given epics
// and releases up to date with their work, inside the transaction that
// changed that work, so that no reader ever sees a stale value. Epics come
// first, since a release may compute its progress from its epics'. Callers
// pass every epic and release whose work changed: for a feature moved from
// one release to another, both releases (and both epics). Roll-ups above
// the releases follow: their progress counts the work of the releases under
// them, and their dates may come from those releases.
//
// Rows are locked in the order locks.go describes, epics before releases,
// so that concurrent writers of one release's work compute from each
// other's committed changes and never deadlock.
func (tx *Tx) recomputeWork(ctx context.Context, epics, releases []int64) error {
	epics = sortedIDs(epics)
	for _, id := range epics {
		if err := tx.lockRow(ctx, "epics", id); err != nil {
			if isNoRows(err) {
				continue
			}
			return err
		}
	}
	for _, id := range epics {
		rel, err := tx.recomputeEpic(ctx, id)
		if err != nil {
			return err
		}
		if rel != 0 {
			releases = append(releases, rel)
		}
	}
	// The phases of the releases, which may compute from their features
	// and to-dos.
	if err := tx.recomputeReleasePhases(ctx, releases); err != nil {
		return err
	}
	return tx.recomputeReleases(ctx, releases)
}

// recomputeReleases recomputes the given releases and the roll-ups above
// them, for a change that moves none of their epics' or phases' inputs (a
// release's own sources or parent). The releases and the roll-ups above
// them are locked first, and the chains read again under the locks, so
// that a concurrent move of a release to another roll-up is never missed.
// Callers that change a release's parent pass the old parent and the new
// one.
func (tx *Tx) recomputeReleases(ctx context.Context, releases []int64) error {
	all, err := tx.lockReleaseChains(ctx, releases)
	if err != nil {
		return err
	}
	for _, id := range all {
		if err := tx.recomputeRelease(ctx, id); err != nil {
			return err
		}
	}
	// Each release before the roll-ups above it, so that dates computed from
	// sub-releases reach the top in one pass.
	return tx.recomputeRollUps(ctx, releases...)
}

// recomputeReleasePhases recomputes every phase of the given releases.
func (tx *Tx) recomputeReleasePhases(ctx context.Context, releases []int64) error {
	ids := sortedIDs(releases)
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.conn().query(ctx, "SELECT id FROM release_phases WHERE release_id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return err
	}
	var phases []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		phases = append(phases, id)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	_, err = tx.recomputePhases(ctx, phases)
	return err
}

func sortedIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// lockRow locks one row of a table until the transaction ends.
func (tx *Tx) lockRow(ctx context.Context, table string, id int64) error {
	var got int64
	return tx.conn().queryRow(ctx, "SELECT id FROM "+table+" WHERE id = ?"+tx.db.dialect.forUpdate(), id).Scan(&got)
}

// withAncestors returns the releases and the roll-ups above them, sorted.
func (tx *Tx) withAncestors(ctx context.Context, ids []int64) ([]int64, error) {
	c := tx.conn()
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		for depth := 0; id != 0 && !seen[id] && depth <= maxRollUpDepth; depth++ {
			seen[id] = true
			out = append(out, id)
			var parent int64
			err := c.queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM releases WHERE id = ?", id).Scan(&parent)
			if isNoRows(err) {
				break
			}
			if err != nil {
				return nil, err
			}
			id = parent
		}
	}
	return sortedIDs(out), nil
}

// workItems reads the work items a query selects: progress, complete,
// initial, detailed and remaining estimates, start and end.
func workItems(ctx context.Context, c conn, query string, args ...any) ([]roadmap.WorkItem, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []roadmap.WorkItem
	for rows.Next() {
		var progress sql.NullInt64
		var complete sql.NullBool
		var initial, detailed, remaining sql.NullFloat64
		var start, end sql.NullString
		if err := rows.Scan(&progress, &complete, &initial, &detailed, &remaining, &start, &end); err != nil {
			rows.Close()
			return nil, err
		}
		it := roadmap.WorkItem{Complete: complete.Bool, Start: start.String, End: end.String}
		if progress.Valid {
			v := int(progress.Int64)
			it.Progress = &v
		}
		it.Initial, it.Detailed, it.Remaining = optFloat(initial), optFloat(detailed), optFloat(remaining)
		out = append(out, it)
	}
	return out, closeRows(rows)
}

func optFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

const featureItems = `SELECT f.progress, s.complete, f.initial_estimate, f.detailed_estimate, f.remaining_estimate, f.start_date, f.due_date
 FROM features f JOIN workflow_statuses s ON s.id = f.workflow_status_id`

const epicItems = `SELECT e.progress, s.complete, NULL, e.original_estimate, e.remaining_estimate, e.start_date, e.due_date
 FROM epics e JOIN workflow_statuses s ON s.id = e.workflow_status_id`

// recomputeEpic computes an epic's progress and dates from its features by
// its sources and returns its release.
func (tx *Tx) recomputeEpic(ctx context.Context, id int64) (int64, error) {
	c := tx.conn()
	var progressSource, durationSource string
	var release int64
	var progress sql.NullInt64
	var start, due sql.NullString
	err := c.queryRow(ctx, "SELECT progress_source, duration_source, release_id, progress, start_date, due_date FROM epics WHERE id = ?", id).
		Scan(&progressSource, &durationSource, &release, &progress, &start, &due)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	features, err := workItems(ctx, c, featureItems+" WHERE f.epic_id = ?", id)
	if err != nil {
		return 0, err
	}
	todos, err := todosDone(ctx, c, "Epic", id)
	if err != nil {
		return 0, err
	}
	newProgress, newStart, newDue := progress, start, due
	if p, ok := roadmap.ComputedProgress(progressSource, roadmap.Work{Features: features, Todos: todos}); ok {
		newProgress = sql.NullInt64{Int64: int64(p), Valid: true}
	}
	if durationSource == durationFromFeatures {
		if s, e, ok := roadmap.Span(features); ok {
			newStart, newDue = sql.NullString{String: s, Valid: true}, sql.NullString{String: e, Valid: true}
		}
	}
	if newProgress != progress || newStart != start || newDue != due {
		if _, err := c.exec(ctx, "UPDATE epics SET progress = ?, start_date = ?, due_date = ?, updated_at = ? WHERE id = ?",
			newProgress, newStart, newDue, ms(tx.now), id); err != nil {
			return 0, err
		}
	}
	return release, nil
}

// recomputeRelease computes a release's progress by its progress source and
// its dates by duration_from_release_phases_features. A roll-up counts the
// features and epics of the releases under it too.
func (tx *Tx) recomputeRelease(ctx context.Context, id int64) error {
	c := tx.conn()
	var progressSource, durationSource, resolution string
	var master bool
	var progress sql.NullInt64
	var start, releaseDate sql.NullString
	err := c.queryRow(ctx, "SELECT progress_source, duration_source, external_date_resolution, master_release, progress, start_date, release_date FROM releases WHERE id = ?", id).
		Scan(&progressSource, &durationSource, &resolution, &master, &progress, &start, &releaseDate)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if progressSource == roadmap.ProgressManual && durationSource != roadmap.DurationFromPhasesAndFeatures {
		return nil
	}
	scope, args := " WHERE %s.release_id = ?", []any{id}
	if master {
		scope, args = " WHERE (%s.release_id = ? OR %s.release_id IN (SELECT id FROM releases WHERE parent_id = ?))", []any{id, id}
	}
	// Only the work that the release's sources compute from is read.
	dated := durationSource == roadmap.DurationFromPhasesAndFeatures
	needFeatures, needPhases := dated, dated
	var w roadmap.Work
	var phases, milestones []roadmap.WorkItem
	switch progressSource {
	case roadmap.ProgressFromFeatures, roadmap.ProgressFromFeaturesCompleted, roadmap.ProgressFromRemainingEstimate:
		needFeatures = true
	case roadmap.ProgressFromEpics:
		if w.Epics, err = workItems(ctx, c, epicItems+scoped(scope, "e"), args...); err != nil {
			return err
		}
	case roadmap.ProgressFromReleasePhases:
		needPhases = true
	case roadmap.ProgressFromTodos:
		todos, err := workItems(ctx, c, `SELECT NULL, t.status = 'complete', NULL, NULL, NULL, NULL, NULL FROM tasks t
 JOIN task_records tr ON tr.task_id = t.id WHERE tr.record_type = 'Release' AND tr.record_id = ?`, id)
		if err != nil {
			return err
		}
		for _, t := range todos {
			w.Todos = append(w.Todos, t.Complete)
		}
	}
	if needFeatures {
		if w.Features, err = workItems(ctx, c, featureItems+scoped(scope, "f"), args...); err != nil {
			return err
		}
	}
	if needPhases {
		if phases, err = workItems(ctx, c, `SELECT p.progress, FALSE, NULL, NULL, NULL, p.start_on, p.end_on FROM release_phases p WHERE p.release_id = ? AND p.kind = 'phase'`, id); err != nil {
			return err
		}
	}
	if dated {
		if milestones, err = workItems(ctx, c, `SELECT p.progress, FALSE, NULL, NULL, NULL, p.start_on, p.end_on FROM release_phases p WHERE p.release_id = ? AND p.kind <> 'phase'`, id); err != nil {
			return err
		}
	}
	w.Phases = phases

	newProgress, newStart, newRelease := progress, start, releaseDate
	if p, ok := roadmap.ComputedProgress(progressSource, w); ok {
		newProgress = sql.NullInt64{Int64: int64(p), Valid: true}
	}
	if durationSource == roadmap.DurationFromPhasesAndFeatures {
		if s, e, ok := roadmap.Span(phases, milestones, w.Features); ok {
			newStart, newRelease = sql.NullString{String: s, Valid: true}, sql.NullString{String: e, Valid: true}
		}
	}
	if newProgress == progress && newStart == start && newRelease == releaseDate {
		return nil
	}
	ext := "external_release_date"
	extArgs := []any{}
	if resolution == roadmap.ResolutionSync {
		ext = "?"
		extArgs = append(extArgs, newRelease)
	}
	_, err = c.exec(ctx, "UPDATE releases SET progress = ?, start_date = ?, release_date = ?, external_release_date = "+ext+", updated_at = ? WHERE id = ?",
		append(append([]any{newProgress, newStart, newRelease}, extArgs...), ms(tx.now), id)...)
	return err
}

// scoped fills the table alias into a WHERE clause written with %s.
func scoped(clause, alias string) string { return strings.ReplaceAll(clause, "%s", alias) }
