package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

const workflowCols = "w.id, w.name, w.statusable_type, w.transitions_only"

func scanWorkflow(sc interface{ Scan(...any) error }) (*roadmap.Workflow, error) {
	var w roadmap.Workflow
	if err := sc.Scan(&w.ID, &w.Name, &w.StatusableType, &w.TransitionsOnly); err != nil {
		return nil, err
	}
	w.Statuses = []roadmap.WorkflowStatus{}
	return &w, nil
}

// productWorkflows lists the workflow columns of products p: those their
// releases, goals, initiatives and key results follow.
const productWorkflows = "(p.release_workflow_id, p.goal_workflow_id, p.initiative_workflow_id, p.key_result_workflow_id)"

// productWorkflowJoin joins products p to the workflows w they follow.
const productWorkflowJoin = " JOIN products p ON w.id IN " + productWorkflows

// Workflows returns the workflows of a product's releases, goals,
// initiatives and key results with their statuses, by ID.
func (db *DB) Workflows(ctx context.Context, productID int64) ([]*roadmap.Workflow, error) {
	c := db.reader()
	rows, err := c.query(ctx, "SELECT DISTINCT "+workflowCols+" FROM workflows w"+productWorkflowJoin+" WHERE p.id = ? ORDER BY w.id", productID)
	if err != nil {
		return nil, db.wrap(err)
	}
	defer rows.Close()
	out := []*roadmap.Workflow{}
	for rows.Next() {
		w, err := scanWorkflow(rows)
		if err != nil {
			return nil, db.wrap(err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap(err)
	}
	rows.Close()
	return out, db.wrap(loadWorkflowStatuses(ctx, c, out))
}

// Workflow returns a workflow with its statuses. visibleTo, when not 0,
// makes a workflow that no product visible to that user follows not found.
func (db *DB) Workflow(ctx context.Context, id int64, visibleTo int64) (*roadmap.Workflow, error) {
	c := db.reader()
	q := "SELECT " + workflowCols + " FROM workflows w WHERE w.id = ?"
	args := []any{id}
	if visibleTo != 0 {
		q += " AND EXISTS (SELECT 1 FROM products p WHERE w.id IN " + productWorkflows + " AND p.id IN (" + visibleProducts + "))"
		args = append(args, visibleTo, visibleTo)
	}
	w, err := scanWorkflow(c.queryRow(ctx, q, args...))
	if err != nil {
		return nil, db.wrap(scanErr(err, "workflow", strconv.FormatInt(id, 10)))
	}
	return w, db.wrap(loadWorkflowStatuses(ctx, c, []*roadmap.Workflow{w}))
}

// loadWorkflowStatuses fills the statuses of workflows, by ID, with one query.
func loadWorkflowStatuses(ctx context.Context, c conn, ws []*roadmap.Workflow) error {
	if len(ws) == 0 {
		return nil
	}
	byID := make(map[int64]*roadmap.Workflow, len(ws))
	ids := make([]int64, 0, len(ws))
	for _, w := range ws {
		byID[w.ID] = w
		ids = append(ids, w.ID)
	}
	rows, err := c.query(ctx, "SELECT s.workflow_id, "+statusCols+" FROM workflow_statuses s WHERE s.workflow_id IN ("+placeholders(len(ids))+") ORDER BY s.workflow_id, s.id", int64Args(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var wid int64
		var s roadmap.WorkflowStatus
		if err := rows.Scan(&wid, &s.ID, &s.Name, &s.Position, &s.Complete, &s.Color); err != nil {
			return err
		}
		if w := byID[wid]; w != nil {
			w.Statuses = append(w.Statuses, s)
		}
	}
	return rows.Err()
}

// createWorkflows stores new workflows with new IDs for them and their
// statuses, and returns them in the order given.
func (tx *Tx) createWorkflows(ctx context.Context, ws []roadmap.Workflow) ([]roadmap.Workflow, error) {
	c := tx.conn()
	out := make([]roadmap.Workflow, 0, len(ws))
	for _, w := range ws {
		w.ID = tx.db.ids.next(tx.now)
		if _, err := c.exec(ctx, "INSERT INTO workflows (id, name, statusable_type, transitions_only) VALUES (?, ?, ?, ?)",
			w.ID, w.Name, w.StatusableType, w.TransitionsOnly); err != nil {
			return nil, err
		}
		statuses := make([]roadmap.WorkflowStatus, 0, len(w.Statuses))
		var args []any
		for _, s := range w.Statuses {
			s.ID = tx.db.ids.next(tx.now)
			statuses = append(statuses, s)
			args = append(args, s.ID, w.ID, s.Name, s.Position, s.Complete, s.Color)
		}
		if len(statuses) > 0 {
			values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(statuses)), ", ")
			if _, err := c.exec(ctx, "INSERT INTO workflow_statuses (id, workflow_id, name, position, complete, color) VALUES "+values, args...); err != nil {
				return nil, err
			}
		}
		w.Statuses = statuses
		out = append(out, w)
	}
	return out, nil
}
