package store

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Seed loads a whole account into an empty database in one transaction. It
// reports false, and changes nothing, when the database already holds users.
func (db *DB) Seed(ctx context.Context, s *roadmap.Seed) (bool, error) {
	loaded := false
	// An account loaded whole has no history before it.
	ctx = roadmap.WithoutHistory(ctx)
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if err := tx.db.dialect.lockAccount(ctx, tx.tx); err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, u := range s.Users {
			if _, err := c.exec(ctx, "INSERT INTO users (id, name, email, admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				u.ID, u.Name, u.Email, u.Admin, ms(u.CreatedAt), ms(u.UpdatedAt)); err != nil {
				return err
			}
		}
		for _, t := range s.Tokens {
			if _, err := c.exec(ctx, "INSERT INTO api_tokens (hash, user_id, created_at) VALUES (?, ?, ?)", hex.EncodeToString(t.Hash), t.UserID, ms(tx.now)); err != nil {
				return err
			}
		}
		for _, w := range s.Workflows {
			if _, err := c.exec(ctx, "INSERT INTO workflows (id, name, statusable_type) VALUES (?, ?, ?)", w.ID, w.Name, w.StatusableType); err != nil {
				return err
			}
			for _, st := range w.Statuses {
				if _, err := c.exec(ctx, "INSERT INTO workflow_statuses (id, workflow_id, name, position, complete, color) VALUES (?, ?, ?, ?, ?, ?)",
					st.ID, w.ID, st.Name, st.Position, st.Complete, st.Color); err != nil {
					return err
				}
			}
		}
		seqs := releaseCounters(s.Releases)
		for _, p := range s.Products {
			seq := seqs[p.ReferencePrefix]
			if _, err := c.exec(ctx, "INSERT INTO products (id, reference_prefix, name, product_line, workspace_type, parent_id, release_workflow_id, goal_workflow_id, initiative_workflow_id, feature_workflow_id, release_seq, rollup_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				p.ID, p.ReferencePrefix, p.Name, p.ProductLine, p.WorkspaceType, nullID(p.ParentID), nullID(p.ReleaseWorkflowID), nullID(p.GoalWorkflowID), nullID(p.InitiativeWorkflowID), nullID(p.FeatureWorkflowID), seq[0], seq[1], ms(p.CreatedAt), ms(p.UpdatedAt)); err != nil {
				return err
			}
		}
		for _, g := range s.Goals {
			if _, err := c.exec(ctx, "INSERT INTO goals (id, product_id, reference_num, name, description_id, description_body, description_created_at, description_updated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				g.ID, g.ProductID, g.ReferenceNum, g.Name, g.Description.ID, g.Description.Body, ms(g.Description.CreatedAt), ms(g.Description.UpdatedAt), ms(g.CreatedAt), ms(g.CreatedAt)); err != nil {
				return err
			}
		}
		for _, in := range s.Initiatives {
			if _, err := c.exec(ctx, "INSERT INTO initiatives (id, product_id, reference_num, name, description_id, description_body, description_created_at, description_updated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				in.ID, in.ProductID, in.ReferenceNum, in.Name, in.Description.ID, in.Description.Body, ms(in.Description.CreatedAt), ms(in.Description.UpdatedAt), ms(in.CreatedAt), ms(in.CreatedAt)); err != nil {
				return err
			}
			if err := tx.insertIntegrationFields(ctx, "initiative", in.ID, in.IntegrationFields); err != nil {
				return err
			}
		}
		// Roll-ups first, so that a parent exists before the releases under it.
		ordered := append([]roadmap.Release(nil), s.Releases...)
		for pass := 0; pass < 2; pass++ {
			for i := range ordered {
				r := &ordered[i]
				if (pass == 0) != (r.ParentID == 0) {
					continue
				}
				if err := tx.seedRelease(ctx, r); err != nil {
					return err
				}
			}
		}
		for _, r := range s.Roles {
			if err := tx.setRole(ctx, r.UserID, r.ProductID, r.Role); err != nil {
				return err
			}
		}
		if err := tx.seedFields(ctx, s.Fields); err != nil {
			return err
		}
		if err := tx.seedStrategy(ctx, s.Strategy); err != nil {
			return err
		}
		if err := tx.seedPhases(ctx, s.Phases); err != nil {
			return err
		}
		if s.Epics != nil {
			if err := tx.seedEpics(ctx, s.Epics); err != nil {
				return err
			}
		}
		if s.Features != nil {
			if err := tx.seedFeatures(ctx, s.Features); err != nil {
				return err
			}
		}
		// Comments last: they may be on any record.
		for _, cm := range s.Comments {
			k, err := commentKindOf(cm.On.Type)
			if err != nil {
				return err
			}
			if _, err := c.exec(ctx, "INSERT INTO comments (id, "+k.col+", user_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				cm.ID, cm.On.ID, cm.UserID, cm.Body, ms(cm.CreatedAt), ms(cm.CreatedAt)); err != nil {
				return err
			}
		}
		loaded = true
		return nil
	})
	return loaded, err
}

func (tx *Tx) seedRelease(ctx context.Context, r *roadmap.Release) error {
	if err := tx.insertRelease(ctx, r); err != nil {
		return err
	}
	for _, st := range r.StatusTimes {
		if err := tx.insertStatusTime(ctx, r.ID, st); err != nil {
			return err
		}
	}
	var goals, initiatives, watchers []int64
	for _, g := range r.Goals {
		goals = append(goals, g.ID)
	}
	for _, i := range r.Initiatives {
		initiatives = append(initiatives, i.ID)
	}
	for _, u := range r.Watchers {
		watchers = append(watchers, u.ID)
	}
	if err := tx.setLinks(ctx, r.ID, goals, initiatives, watchers, 0); err != nil {
		return err
	}
	for i, cf := range r.CustomFields {
		if _, err := tx.conn().exec(ctx, "INSERT INTO custom_field_values (id, release_id, key, name, type, value, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			cf.ID, r.ID, cf.Key, cf.Name, cf.Type, cf.Value, i, ms(cf.CreatedAt), ms(cf.UpdatedAt)); err != nil {
			return err
		}
	}
	return tx.insertIntegrationFields(ctx, "release", r.ID, r.IntegrationFields)
}

func (tx *Tx) insertIntegrationFields(ctx context.Context, recordType string, recordID int64, fields []roadmap.IntegrationField) error {
	for _, f := range fields {
		if _, err := tx.conn().exec(ctx, "INSERT INTO integration_fields (id, record_type, record_id, name, value, integration_id, service_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			f.ID, recordType, recordID, f.Name, f.Value, f.IntegrationID, f.ServiceName, ms(f.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// releaseCounters returns, per product prefix, the highest release and
// roll-up numbers used, so that numbering continues after them.
func releaseCounters(rels []roadmap.Release) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, r := range rels {
		parts := strings.Split(r.ReferenceNum, "-")
		if len(parts) < 3 {
			continue
		}
		n, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
		if err != nil {
			continue
		}
		prefix := strings.Join(parts[:len(parts)-2], "-")
		seq := out[prefix]
		i := 0
		if parts[len(parts)-2] == "MR" {
			i = 1
		}
		if n > seq[i] {
			seq[i] = n
		}
		out[prefix] = seq
	}
	return out
}
