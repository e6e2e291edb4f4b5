package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// ListAccount describes the records GenerateLists added to an account.
type ListAccount struct {
	// N is the number of copies of each record.
	N int
	// Feature is the feature, made by the store in the template release,
	// whose requirements, comments and to-dos are generated.
	Feature *roadmap.Feature
	// Goal, Initiative, Epic, Requirement, Task and Comment are the IDs of
	// the records, made by the store, that the generated ones copy.
	Goal, Initiative, Epic, Requirement, Task, Comment int64
	// RecentSince is a time after which only the templates and Few copies
	// of each were updated (milliseconds since the epoch).
	RecentSince int64
}

// listCopy is one table GenerateLists fills: the template row it copies
// and the expressions of the columns that vary (k is the copy's number,
// t the template row, step the distance between the copies that match a
// selective filter).
type listCopy struct {
	table string
	id    int64
	vary  map[string]string
}

// GenerateLists makes, through the store's write paths, a goal and an
// initiative in Product, an epic and a feature in the template release of
// acc, and a requirement, a to-do and a comment on that feature, and copies
// each of them n times with one INSERT ... SELECT per table (the tables'
// triggers keep their search indexes and counts; each copied to-do is
// attached to the feature as the template is). Few copies of each record
// with a name have RareWord in it, Few initiatives and epics are assigned
// to demo.Henry, and Few copies of each were updated with the templates,
// the others a month before. The numberings of the product and the
// feature are advanced past the copies.
func GenerateLists(ctx context.Context, dsn string, acc *Account, n int) (*ListAccount, error) {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	la := &ListAccount{N: n}
	goal, err := db.CreateGoal(ctx, Product, demo.Mary, roadmap.GoalInput{Name: roadmap.Some("Template goal")})
	if err != nil {
		return nil, fmt.Errorf("creating the template goal: %w", err)
	}
	initiative, err := db.CreateInitiative(ctx, Product, demo.Mary, roadmap.InitiativeInput{Name: roadmap.Some("Template initiative")})
	if err != nil {
		return nil, fmt.Errorf("creating the template initiative: %w", err)
	}
	epic, err := db.CreateEpic(ctx, acc.Template.ID, demo.Mary, roadmap.EpicInput{Name: roadmap.Some("Template epic")})
	if err != nil {
		return nil, fmt.Errorf("creating the template epic: %w", err)
	}
	// The feature of many lives in a release of its own: a feature created
	// in the template release, which GenerateFeatures filled, computes the
	// release's progress again from all its features (see "Writes in a
	// release of many features" in README.md).
	home, err := db.Release(ctx, acc.Sample)
	if err != nil {
		return nil, fmt.Errorf("reading the feature's release: %w", err)
	}
	if la.Feature, err = db.CreateFeature(ctx, home.ID, demo.Mary, roadmap.FeatureInput{Name: roadmap.Some("Feature of many")}); err != nil {
		return nil, fmt.Errorf("creating the feature of many: %w", err)
	}
	req, err := db.CreateRequirement(ctx, la.Feature.ID, demo.Mary, roadmap.RequirementInput{Name: roadmap.Some("Template requirement")})
	if err != nil {
		return nil, fmt.Errorf("creating the template requirement: %w", err)
	}
	task, err := db.CreateTask(ctx, demo.Mary, &roadmap.TaskRecord{Type: roadmap.TaskableFeature, ID: la.Feature.ID},
		roadmap.TaskInput{Name: roadmap.Some("Template to-do"), Body: roadmap.Some("Do it")})
	if err != nil {
		return nil, fmt.Errorf("creating the template to-do: %w", err)
	}
	comment, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnFeature, ID: la.Feature.ID}, demo.Mary, "<p>Template comment</p>")
	if err != nil {
		return nil, fmt.Errorf("creating the template comment: %w", err)
	}
	la.Goal, la.Initiative, la.Epic, la.Requirement, la.Task, la.Comment = goal.ID, initiative.ID, epic.ID, req.ID, task.ID, comment.ID
	la.RecentSince = min(goal.UpdatedAt.UnixMilli(), initiative.UpdatedAt.UnixMilli(), epic.UpdatedAt.UnixMilli(),
		req.UpdatedAt.UnixMilli(), task.UpdatedAt.UnixMilli(), comment.UpdatedAt.UnixMilli()) - 3600*1000
	if err := db.Close(); err != nil {
		return nil, err
	}

	raw, err := openRaw(dsn)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	var prefix string
	var goalSeq, initiativeSeq, epicSeq int64
	if err := raw.QueryRowContext(ctx, fmt.Sprintf("SELECT reference_prefix, goal_seq, initiative_seq, epic_seq FROM products WHERE id = %d", Product)).
		Scan(&prefix, &goalSeq, &initiativeSeq, &epicSeq); err != nil {
		return nil, err
	}
	var reqSeq int64
	if err := raw.QueryRowContext(ctx, fmt.Sprintf("SELECT requirement_seq FROM features WHERE id = %d", la.Feature.ID)).Scan(&reqSeq); err != nil {
		return nil, err
	}
	step := max(n/Few, 1)
	const month = int64(30 * 24 * 3600 * 1000)
	old := fmt.Sprintf("CASE WHEN (k + 3) %% %d = 0 THEN t.updated_at ELSE t.updated_at - %d + k END", step, month)
	named := func(what string) (string, string) {
		tail := fmt.Sprintf(" || k || CASE WHEN k %% %d = 0 THEN ' %s' ELSE '' END", step, RareWord)
		return "'Bulk " + what + " '" + tail, "'bulk " + what + " '" + tail
	}
	assignee := fmt.Sprintf("CASE WHEN (k + 1) %% %d = 0 THEN %d ELSE NULL END", step, demo.Henry)
	common := func(what, ref string) map[string]string {
		name, fold := named(what)
		m := map[string]string{"name": name, "name_fold": fold, "updated_at": old, "created_at": fmt.Sprintf("t.created_at - %d + k", month),
			"position": "t.position + k", "description_id": "t.description_id + k"}
		if ref != "" {
			m["reference_num"] = ref
		}
		return m
	}
	goalVary := common("goal", fmt.Sprintf("'%s-G-' || (%d + k)", prefix, goalSeq))
	initiativeVary := common("initiative", fmt.Sprintf("'%s-S-' || (%d + k)", prefix, initiativeSeq))
	initiativeVary["assigned_to_user_id"] = assignee
	epicVary := common("epic", fmt.Sprintf("'%s-E-' || (%d + k)", prefix, epicSeq))
	epicVary["assigned_to_user_id"] = assignee
	epicVary["default_assignee"] = "FALSE"
	reqVary := common("requirement", fmt.Sprintf("'%s-' || (%d + k)", la.Feature.ReferenceNum, reqSeq))
	taskVary := common("to-do", "")
	commentVary := map[string]string{"updated_at": old, "created_at": fmt.Sprintf("t.created_at - %d + k", month)}
	copies := []listCopy{
		{"goals", goal.ID, goalVary},
		{"initiatives", initiative.ID, initiativeVary},
		{"epics", epic.ID, epicVary},
		{"requirements", req.ID, reqVary},
		{"tasks", task.ID, taskVary},
		{"comments", comment.ID, commentVary},
	}
	over := series(n)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, cp := range copies {
		if err := copyRows(ctx, raw, tx, over, cp); err != nil {
			return nil, err
		}
	}
	for _, q := range []string{
		fmt.Sprintf("INSERT INTO task_records (task_id, record_type, record_id) SELECT r.task_id + k, r.record_type, r.record_id FROM task_records r, s WHERE r.task_id = %d", task.ID),
	} {
		if _, err := tx.ExecContext(ctx, over+q); err != nil {
			return nil, fmt.Errorf("attaching the copied to-dos: %w", err)
		}
	}
	for _, q := range []string{
		fmt.Sprintf("UPDATE products SET goal_seq = goal_seq + %d, initiative_seq = initiative_seq + %d, epic_seq = epic_seq + %d WHERE id = %d", n, n, n, Product),
		fmt.Sprintf("UPDATE features SET requirement_seq = requirement_seq + %d WHERE id = %d", n, la.Feature.ID),
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	tables := []string{"task_records", "products", "features"}
	for _, cp := range copies {
		tables = append(tables, cp.table)
	}
	if err := finishCopies(ctx, raw, tx, dsn, tables...); err != nil {
		return nil, err
	}
	return la, nil
}

// copyRows copies the template row of cp with one INSERT ... SELECT over
// the series of k, with the columns the table has: the varied ones by
// their expressions, the id as the template's plus k, the others as the
// template's.
func copyRows(ctx context.Context, raw *sql.DB, tx *sql.Tx, over string, cp listCopy) error {
	cols, err := tableColumns(ctx, raw, cp.table)
	if err != nil {
		return err
	}
	var exprs []string
	for _, c := range cols {
		switch e, ok := cp.vary[c]; {
		case ok:
			exprs = append(exprs, e)
		case c == "id":
			exprs = append(exprs, "t.id + k")
		default:
			exprs = append(exprs, "t."+c)
		}
	}
	if _, err := tx.ExecContext(ctx, over+fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s t, s WHERE t.id = %d",
		cp.table, strings.Join(cols, ", "), strings.Join(exprs, ", "), cp.table, cp.id)); err != nil {
		return fmt.Errorf("copying %s: %w", cp.table, err)
	}
	return nil
}
