package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

const phaseSelect = `SELECT ph.id, ph.release_id, ph.name, ph.kind, ph.start_on, ph.end_on, ph.position,
 ph.progress, ph.progress_source, ph.duration_source, ph.description_id, ph.description_body,
 ph.description_created_at, ph.description_updated_at, ph.created_at, ph.updated_at, r.product_id
 FROM release_phases ph JOIN releases r ON r.id = ph.release_id`

func scanPhase(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.ReleasePhase, error) {
	p := &roadmap.ReleasePhase{}
	var start, end sql.NullString
	var progress sql.NullInt64
	var dc, du, created, updated int64
	dest := append([]any{&p.ID, &p.ReleaseID, &p.Name, &p.Kind, &start, &end, &p.Position,
		&progress, &p.ProgressSource, &p.DurationSource, &p.Description.ID, &p.Description.Body,
		&dc, &du, &created, &updated, &p.ProductID}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	p.StartOn, p.EndOn = start.String, end.String
	if progress.Valid {
		v := int(progress.Int64)
		p.Progress = &v
	}
	p.Description.CreatedAt, p.Description.UpdatedAt = fromMS(dc), fromMS(du)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, nil
}

// phaseID reads a release phase key: phases have numeric IDs only.
func phaseID(key string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(key), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("release phase", key)
	}
	return id, nil
}

func loadPhase(ctx context.Context, c conn, id int64) (*roadmap.ReleasePhase, error) {
	p, err := scanPhase(c.queryRow(ctx, phaseSelect+" WHERE ph.id = ?", id))
	return p, scanErr(err, "release phase", strconv.FormatInt(id, 10))
}

// ReleasePhase returns a release phase by numeric ID.
func (db *DB) ReleasePhase(ctx context.Context, key string) (*roadmap.ReleasePhase, error) {
	id, err := phaseID(key)
	if err != nil {
		return nil, err
	}
	p, err := loadPhase(ctx, db.reader(), id)
	return p, db.wrap(err)
}

// ReleasePhases returns a page of release phases and the total that match:
// a release's in date order (undated last), the account's in ID order.
func (db *DB) ReleasePhases(ctx context.Context, f roadmap.PhaseFilter) ([]*roadmap.ReleasePhase, int, error) {
	c := db.reader()
	var where []string
	var args []any
	order := " ORDER BY ph.id"
	if f.ReleaseID != 0 {
		where, args = append(where, "ph.release_id = ?"), append(args, f.ReleaseID)
		order = " ORDER BY CASE WHEN ph.start_on IS NULL THEN 1 ELSE 0 END, ph.start_on, ph.id"
	}
	if f.Kind != "" {
		where, args = append(where, "ph.kind = ?"), append(args, f.Kind)
	}
	if f.VisibleTo != 0 {
		where, args = append(where, "r.product_id IN ("+visibleProducts+")"), append(args, f.VisibleTo, f.VisibleTo)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := normalPage(f.Page)
	q := strings.Replace(phaseSelect, "SELECT ", "SELECT COUNT(*) OVER (), ", 1) + cond + order + " LIMIT ? OFFSET ?"
	rows, err := c.query(ctx, q, append(args, page.PerPage, page.Offset())...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	var out []*roadmap.ReleasePhase
	total := 0
	for rows.Next() {
		var n int
		p, err := scanPhase(countFirst{rows, &n})
		if err != nil {
			rows.Close()
			return nil, 0, db.wrap(err)
		}
		total = n
		out = append(out, p)
	}
	if err := closeRows(rows); err != nil {
		return nil, 0, db.wrap(err)
	}
	if len(out) == 0 && page.Offset() > 0 {
		// A page past the end has no row to carry the count.
		cq := "SELECT COUNT(*) FROM release_phases ph JOIN releases r ON r.id = ph.release_id" + cond
		if err := c.queryRow(ctx, cq, args...).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	return out, total, nil
}

// CreateReleasePhase adds a phase or milestone to a release, after the
// release's other phases, and brings the release's computed progress and
// dates up to date.
func (db *DB) CreateReleasePhase(ctx context.Context, releaseID int64, in roadmap.PhaseInput) (*roadmap.ReleasePhase, error) {
	var out *roadmap.ReleasePhase
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockRelease(ctx, releaseID); err != nil {
			if roadmap.IsNotFound(err) {
				return roadmap.FieldErrorf("release_id", "release_id: no release %d", releaseID)
			}
			return err
		}
		tx.resetNow(time.Time{})
		p := &roadmap.ReleasePhase{
			ReleaseID:   releaseID,
			Description: roadmap.Note{ID: tx.db.ids.next(tx.now), CreatedAt: tx.now, UpdatedAt: tx.now},
			CreatedAt:   tx.now,
			UpdatedAt:   tx.now,
		}
		if err := roadmap.ApplyPhaseInput(p, in, true, tx.now); err != nil {
			return err
		}
		if err := c.queryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM release_phases WHERE release_id = ?", releaseID).Scan(&p.Position); err != nil {
			return err
		}
		p.ID = tx.db.ids.next(tx.now)
		if err := tx.computePhase(ctx, p); err != nil {
			return err
		}
		if err := tx.insertPhase(ctx, p); err != nil {
			return err
		}
		if err := tx.recomputeWork(ctx, nil, []int64{releaseID}); err != nil {
			return err
		}
		var err error
		out, err = loadPhase(ctx, c, p.ID)
		return err
	})
	return out, err
}

func (tx *Tx) insertPhase(ctx context.Context, p *roadmap.ReleasePhase) error {
	_, err := tx.conn().exec(ctx, `INSERT INTO release_phases (id, release_id, name, kind, start_on, end_on, position,
 progress, progress_source, duration_source, description_id, description_body, description_created_at,
 description_updated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ReleaseID, p.Name, p.Kind, nullStr(p.StartOn), nullStr(p.EndOn), p.Position,
		p.Progress, p.ProgressSource, p.DurationSource, p.Description.ID, p.Description.Body, ms(p.Description.CreatedAt),
		ms(p.Description.UpdatedAt), ms(p.CreatedAt), ms(p.UpdatedAt))
	return err
}

// UpdateReleasePhase changes a release phase and brings its release's
// computed progress and dates up to date.
func (db *DB) UpdateReleasePhase(ctx context.Context, id int64, in roadmap.PhaseInput) (*roadmap.ReleasePhase, error) {
	var out *roadmap.ReleasePhase
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockPhase(ctx, id); err != nil {
			return err
		}
		p, err := loadPhase(ctx, c, id)
		if err != nil {
			return err
		}
		tx.resetNow(p.UpdatedAt)
		if err := roadmap.ApplyPhaseInput(p, in, false, tx.now); err != nil {
			return err
		}
		if err := tx.computePhase(ctx, p); err != nil {
			return err
		}
		p.UpdatedAt = tx.now
		if _, err := c.exec(ctx, `UPDATE release_phases SET name = ?, kind = ?, start_on = ?, end_on = ?, progress = ?,
 progress_source = ?, duration_source = ?, description_body = ?, description_updated_at = ?, updated_at = ? WHERE id = ?`,
			p.Name, p.Kind, nullStr(p.StartOn), nullStr(p.EndOn), p.Progress,
			p.ProgressSource, p.DurationSource, p.Description.Body, ms(p.Description.UpdatedAt), ms(p.UpdatedAt), p.ID); err != nil {
			return err
		}
		if err := tx.recomputeWork(ctx, nil, []int64{p.ReleaseID}); err != nil {
			return err
		}
		out, err = loadPhase(ctx, c, id)
		return err
	})
	return out, err
}

// DeleteReleasePhase deletes a release phase. To-dos attached to it stay,
// detached from it; its release's computed progress and dates follow.
func (db *DB) DeleteReleasePhase(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.lockPhase(ctx, id); err != nil {
			return err
		}
		var release int64
		if err := c.queryRow(ctx, "SELECT release_id FROM release_phases WHERE id = ?", id).Scan(&release); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM task_records WHERE record_type = ? AND record_id = ?", roadmap.TaskableReleasePhase, id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM release_phases WHERE id = ?", id); err != nil {
			return err
		}
		return tx.recomputeWork(ctx, nil, []int64{release})
	})
}

// lockPhase locks a release phase row until the transaction ends.
func (tx *Tx) lockPhase(ctx context.Context, id int64) error {
	return tx.lockRecord(ctx, "release_phases", id)
}

// computePhase sets what a phase's sources compute: its progress, from its
// to-dos or from the features that belong to it, and its dates, spanning
// those features (with no dated feature the dates stay as they are).
func (tx *Tx) computePhase(ctx context.Context, p *roadmap.ReleasePhase) error {
	if p.ProgressSource == roadmap.ProgressManual && p.DurationSource == roadmap.DurationManual {
		return nil
	}
	c := tx.conn()
	features, err := workItems(ctx, c, featureItems+" WHERE f.release_phase_id = ?", p.ID)
	if err != nil {
		return err
	}
	todos, err := todosDone(ctx, c, roadmap.TaskableReleasePhase, p.ID)
	if err != nil {
		return err
	}
	if v, ok := roadmap.ComputedProgress(p.ProgressSource, roadmap.Work{Features: features, Todos: todos}); ok {
		p.Progress = &v
	}
	if p.DurationSource == roadmap.DurationFromPhaseFeatures {
		if start, end, ok := roadmap.Span(features); ok {
			p.StartOn, p.EndOn = start, end
			if p.Kind == roadmap.PhaseKindMilestone {
				p.EndOn = start
			}
		}
	}
	return nil
}

// recomputePhases brings what the given phases compute up to date with
// their to-dos and features, and returns their releases, whose own computed
// progress and dates may follow.
func (tx *Tx) recomputePhases(ctx context.Context, ids []int64) ([]int64, error) {
	c := tx.conn()
	var releases []int64
	for _, id := range sortedIDs(ids) {
		if err := tx.lockRow(ctx, "release_phases", id); err != nil {
			if isNoRows(err) {
				continue
			}
			return nil, err
		}
		p, err := loadPhase(ctx, c, id)
		if err != nil {
			return nil, err
		}
		releases = append(releases, p.ReleaseID)
		before := *p
		if err := tx.computePhase(ctx, p); err != nil {
			return nil, err
		}
		if sameInt(before.Progress, p.Progress) && before.StartOn == p.StartOn && before.EndOn == p.EndOn {
			continue
		}
		if _, err := c.exec(ctx, "UPDATE release_phases SET progress = ?, start_on = ?, end_on = ?, updated_at = ? WHERE id = ?",
			p.Progress, nullStr(p.StartOn), nullStr(p.EndOn), ms(tx.now), id); err != nil {
			return nil, err
		}
	}
	return releases, nil
}

func sameInt(a, b *int) bool {
	return a == b || (a != nil && b != nil && *a == *b)
}

// seedPhases writes the release phases and to-dos of a seeded account; s
// may be nil.
func (tx *Tx) seedPhases(ctx context.Context, s *roadmap.PhaseSeed) error {
	if s == nil {
		return nil
	}
	for i := range s.Phases {
		if err := tx.insertPhase(ctx, &s.Phases[i]); err != nil {
			return err
		}
	}
	for i := range s.Tasks {
		if err := tx.insertTask(ctx, &s.Tasks[i]); err != nil {
			return err
		}
	}
	return nil
}
