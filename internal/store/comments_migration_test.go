package store_test

import (
	"context"
	"testing"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestCommentsMigrationKeepsReleaseComments checks that the comments on
// releases written before comments could be on other records are kept, on
// their release, and that migrating back keeps them too.
func TestCommentsMigrationKeepsReleaseComments(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testdb.EmptyDSN(t, backend)
			raw := rawDB(t, backend, dsn)
			p := migrateTo(ctx, t, backend, raw, 12)
			for _, q := range []string{
				"INSERT INTO users (id, name, email, created_at, updated_at) VALUES (1, 'U', 'u@example.com', 0, 0)",
				"INSERT INTO workflows (id, name, statusable_type) VALUES (2, 'W', 'Release')",
				"INSERT INTO workflow_statuses (id, workflow_id, name, position, color) VALUES (3, 2, 'New', 1, '#fff')",
				"INSERT INTO products (id, reference_prefix, name, workspace_type, release_workflow_id, created_at, updated_at) VALUES (4, 'P', 'P', 'product_workspace', 2, 0, 0)",
				"INSERT INTO releases (id, product_id, reference_num, name, external_date_resolution, progress_source, duration_source, theme_id, theme_body, theme_created_at, theme_updated_at, workflow_status_id, owner_id, created_by_id, created_at, updated_at) VALUES (5, 4, 'P-R-1', 'R', 'exact', 'progress_manual', 'duration_manual', 6, '', 0, 0, 3, 1, 1, 0, 0)",
				"INSERT INTO comments (id, release_id, user_id, body, created_at, updated_at) VALUES (7, 5, 1, 'Kept', 0, 0)",
				"INSERT INTO tasks (id, product_id, name, body, status, created_by_id, created_at, updated_at) VALUES (10, 4, 'T', '', 'pending', 1, 0, 0)",
			} {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db := mustOpen(t, dsn)
			c, err := db.Comment(ctx, 7)
			want := roadmap.Commentable{CommentTarget: roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: 5}, ProductID: 4, ReferenceNum: "P-R-1"}
			if err != nil || c.Body != "Kept" || c.On != want {
				t.Fatalf("the comment after the migration: %+v, %v; want it on %+v", c, err, want)
			}
			if _, err := raw.ExecContext(ctx, "INSERT INTO comments (id, user_id, body, created_at, updated_at) VALUES (8, 1, 'On nothing', 0, 0)"); err == nil {
				t.Error("a comment on no record was written")
			}
			if _, err := raw.ExecContext(ctx, "INSERT INTO comments (id, release_id, task_id, user_id, body, created_at, updated_at) VALUES (9, 5, 10, 1, 'On two', 0, 0)"); err == nil {
				t.Error("a comment on two records was written")
			}
			if _, err := p.DownTo(ctx, 16); err != nil {
				t.Fatalf("migrating back: %v", err)
			}
			var body string
			if err := raw.QueryRowContext(ctx, "SELECT body FROM comments WHERE id = 7 AND release_id = 5").Scan(&body); err != nil || body != "Kept" {
				t.Errorf("the comment after migrating back: %q, %v", body, err)
			}
		})
	}
}
