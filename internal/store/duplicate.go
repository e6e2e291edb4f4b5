package store

import (
	"context"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// copyPlan copies the plan of release src into release dst, as Aha!'s
// duplicate does: its release phases and milestones, and its features with
// their goals, watchers, tags and custom fields, each feature under the copy
// of its phase. Features get new reference numbers; requirements, comments,
// to-dos, integration fields and status history stay with the originals,
// since they record work on those.
func (tx *Tx) copyPlan(ctx context.Context, src, dst, userID int64) error {
	c := tx.conn()
	phases, err := releasePhaseIDs(ctx, c, src)
	if err != nil {
		return err
	}
	phaseCopies := map[int64]int64{}
	for _, id := range phases {
		p, err := loadPhase(ctx, c, id)
		if err != nil {
			return err
		}
		cp := *p
		cp.ID, cp.ReleaseID = tx.db.ids.next(tx.now), dst
		cp.Description = roadmap.Note{ID: tx.db.ids.next(tx.now), Body: p.Description.Body, CreatedAt: tx.now, UpdatedAt: tx.now}
		cp.CreatedAt, cp.UpdatedAt = tx.now, tx.now
		if err := tx.insertPhase(ctx, &cp); err != nil {
			return err
		}
		phaseCopies[p.ID] = cp.ID
	}

	features, _, err := listFeatures(ctx, c, roadmap.FeatureFilter{ReleaseID: src, Page: roadmap.Page{Page: 1, PerPage: 1 << 30}, Full: true})
	if err != nil {
		return err
	}
	// Oldest first, so that the copies keep the originals' order of numbers.
	for i := len(features) - 1; i >= 0; i-- {
		f := features[i]
		cp := *f
		cp.ID, cp.ReleaseID, cp.ReleasePhaseID = tx.db.ids.next(tx.now), dst, phaseCopies[f.ReleasePhaseID]
		cp.CreatedByID, cp.CreatedAt, cp.UpdatedAt = userID, tx.now, tx.now
		cp.Description = roadmap.Note{ID: tx.db.ids.next(tx.now), Body: f.Description.Body, CreatedAt: tx.now, UpdatedAt: tx.now}
		cp.StatusChangedOn = roadmap.Today(tx.now)
		if cp.ReferenceNum, err = tx.takeNumber(ctx, "products", "feature_seq", "reference_prefix", f.ProductID, "features", roadmap.FeatureReference); err != nil {
			return err
		}
		if err := tx.insertFeature(ctx, &cp); err != nil {
			return err
		}
		if err := tx.insertWorkRecordStatus(ctx, recordFeature, cp.ID, f.WorkflowStatus); err != nil {
			return err
		}
		links := featureLinks{goals: []int64{}, watchers: []int64{userID}}
		for _, g := range f.Goals {
			links.goals = append(links.goals, g.ID)
		}
		for _, u := range f.Watchers {
			links.watchers = append(links.watchers, u.ID)
		}
		var values []roadmap.CustomFieldEntry
		for _, v := range f.CustomFields {
			values = append(values, roadmap.CustomFieldEntry{Key: v.Key, Value: v.Value})
		}
		in := roadmap.FeatureInput{Tags: roadmap.Some([]string{}), ScoreFacts: roadmap.Some([]roadmap.ScoreFactInput{}), CustomFields: roadmap.Some(values)}
		if err := tx.writeFeatureLinks(ctx, &cp, links, in); err != nil {
			return err
		}
	}
	return tx.recomputeWork(ctx, nil, []int64{dst})
}

// releasePhaseIDs returns the IDs of a release's phases and milestones.
func releasePhaseIDs(ctx context.Context, c conn, releaseID int64) ([]int64, error) {
	rows, err := c.query(ctx, "SELECT id FROM release_phases WHERE release_id = ? ORDER BY id", releaseID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, closeRows(rows)
}
