package store

import (
	"context"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// commentedRecord is a demo record of one kind that takes comments: how to
// read its comments_count (nil where the record shows none) and its
// product, and how to delete it.
type commentedRecord struct {
	on      roadmap.CommentTarget
	ref     string
	count   func(ctx context.Context, db *DB) (int, error)
	product func(ctx context.Context, db *DB) (int64, error)
	remove  func(ctx context.Context, db *DB) error
}

func commentedRecords() []commentedRecord {
	on := func(typ string, id int64) roadmap.CommentTarget { return roadmap.CommentTarget{Type: typ, ID: id} }
	return []commentedRecord{
		{on(roadmap.CommentOnFeature, demo.Feature1), "PRJ1-1",
			func(ctx context.Context, db *DB) (int, error) {
				f, err := db.Feature(ctx, "PRJ1-1")
				return cnt(f, err, func() int { return f.CommentsCount })
			},
			func(ctx context.Context, db *DB) (int64, error) {
				f, err := db.Feature(ctx, "PRJ1-1")
				return prod(f, err, func() int64 { return f.ProductID })
			},
			func(ctx context.Context, db *DB) error { return db.DeleteFeature(ctx, demo.Feature1) }},
		{on(roadmap.CommentOnEpic, demo.Epic1), "PRJ1-E-1",
			func(ctx context.Context, db *DB) (int, error) {
				e, err := db.Epic(ctx, "PRJ1-E-1")
				return cnt(e, err, func() int { return e.CommentsCount })
			},
			func(ctx context.Context, db *DB) (int64, error) {
				e, err := db.Epic(ctx, "PRJ1-E-1")
				return prod(e, err, func() int64 { return e.ProductID })
			},
			func(ctx context.Context, db *DB) error { return db.DeleteEpic(ctx, demo.Epic1) }},
		{on(roadmap.CommentOnRequirement, demo.Requirement1), "PRJ1-1-1",
			func(ctx context.Context, db *DB) (int, error) {
				q, err := db.Requirement(ctx, "PRJ1-1-1")
				return cnt(q, err, func() int { return q.CommentsCount })
			},
			func(ctx context.Context, db *DB) (int64, error) {
				q, err := db.Requirement(ctx, "PRJ1-1-1")
				return prod(q, err, func() int64 { return q.Feature.ProductID })
			},
			func(ctx context.Context, db *DB) error { return db.DeleteRequirement(ctx, demo.Requirement1) }},
		{on(roadmap.CommentOnGoal, demo.Goal1), "DEMOENT-G-1",
			func(ctx context.Context, db *DB) (int, error) {
				g, err := db.GoalDetail(ctx, "DEMOENT-G-1")
				return cnt(g, err, func() int { return g.CommentsCount })
			},
			func(ctx context.Context, db *DB) (int64, error) {
				g, err := db.GoalDetail(ctx, "DEMOENT-G-1")
				return prod(g, err, func() int64 { return g.ProductID })
			},
			func(ctx context.Context, db *DB) error { return db.DeleteGoal(ctx, demo.Goal1) }},
		{on(roadmap.CommentOnInitiative, demo.Initiative1), "PRJ1-S-1",
			func(ctx context.Context, db *DB) (int, error) {
				i, err := db.InitiativeDetail(ctx, "PRJ1-S-1")
				return cnt(i, err, func() int { return i.CommentsCount })
			},
			func(ctx context.Context, db *DB) (int64, error) {
				i, err := db.InitiativeDetail(ctx, "PRJ1-S-1")
				return prod(i, err, func() int64 { return i.ProductID })
			},
			func(ctx context.Context, db *DB) error { return db.DeleteInitiative(ctx, demo.Initiative1) }},
		{on(roadmap.CommentOnReleasePhase, demo.PhaseAlpha), "", nil,
			func(ctx context.Context, db *DB) (int64, error) {
				p, err := db.ReleasePhase(ctx, "20526005")
				return prod(p, err, func() int64 { return p.ProductID })
			},
			func(ctx context.Context, db *DB) error { return db.DeleteReleasePhase(ctx, demo.PhaseAlpha) }},
		{on(roadmap.CommentOnTask, demo.TaskFeature), "",
			func(ctx context.Context, db *DB) (int, error) {
				tk, err := db.Task(ctx, "748715293")
				return cnt(tk, err, func() int { return tk.CommentsCount })
			},
			func(ctx context.Context, db *DB) (int64, error) {
				tk, err := db.Task(ctx, "748715293")
				return prod(tk, err, func() int64 { return tk.ProductID })
			},
			func(ctx context.Context, db *DB) error { return db.DeleteTask(ctx, demo.TaskFeature) }},
	}
}

func cnt[T any](rec *T, err error, n func() int) (int, error) {
	if err != nil {
		return 0, err
	}
	return n(), nil
}

func prod[T any](rec *T, err error, p func() int64) (int64, error) {
	if err != nil {
		return 0, err
	}
	return p(), nil
}

// TestCommentsOnEveryKind comments on a record of each kind that takes
// comments: the comment names the record and its product, the record counts
// it, the product's list holds it, and deleting the record deletes it.
func TestCommentsOnEveryKind(t *testing.T) {
	t.Parallel()
	for _, rec := range commentedRecords() {
		t.Run(rec.on.Type, func(t *testing.T) {
			t.Parallel()
			ruEachBackend(t, func(t *testing.T, db *DB) {
				ctx := context.Background()
				product, err := rec.product(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				before := 0
				if rec.count != nil {
					if before, err = rec.count(ctx, db); err != nil {
						t.Fatal(err)
					}
				}
				_, already, err := db.Comments(ctx, roadmap.CommentFilter{On: rec.on})
				if err != nil {
					t.Fatal(err)
				}
				c, err := db.CreateComment(ctx, rec.on, demo.Henry, "<p>On it</p>")
				if err != nil {
					t.Fatal(err)
				}
				want := roadmap.Commentable{CommentTarget: rec.on, ProductID: product, ReferenceNum: rec.ref}
				if c.On != want || c.Body != "<p>On it</p>" || c.User.ID != demo.Henry {
					t.Errorf("created %+v on %+v, want on %+v", c, c.On, want)
				}
				if got, err := db.Comment(ctx, c.ID); err != nil || got.On != want {
					t.Errorf("read back: %+v, %v", got, err)
				}
				if rec.count != nil {
					if n, err := rec.count(ctx, db); err != nil || n != before+1 {
						t.Errorf("comments_count %d (%v), want %d", n, err, before+1)
					}
				}
				list, total, err := db.Comments(ctx, roadmap.CommentFilter{On: rec.on})
				if err != nil || total != already+1 || len(list) != already+1 || list[already].ID != c.ID {
					t.Errorf("comments on the record: %v, %d, %v", list, total, err)
				}
				inProduct, _, err := db.Comments(ctx, roadmap.CommentFilter{ProductID: product, Page: roadmap.Page{Page: 1, PerPage: 200}})
				found := false
				for _, pc := range inProduct {
					found = found || pc.ID == c.ID
				}
				if err != nil || !found {
					t.Errorf("the product's comments lack the comment: %v", err)
				}
				// A comment needs its record.
				_, err = db.CreateComment(ctx, roadmap.CommentTarget{Type: rec.on.Type, ID: 42}, demo.Henry, "x")
				ruWantCode(t, err, roadmap.ENOTFOUND, "")

				if err := rec.remove(ctx, db); err != nil {
					t.Fatal(err)
				}
				_, err = db.Comment(ctx, c.ID)
				ruWantCode(t, err, roadmap.ENOTFOUND, "")
			})
		})
	}
}

// TestCommentsGoWithTheirRecords checks the deletes that take commented
// records with them: a feature's requirements, a release's phases. A
// requirement turned into a feature hands its comments to the feature.
func TestCommentsGoWithTheirRecords(t *testing.T) {
	t.Parallel()
	ruEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		onReq := roadmap.CommentTarget{Type: roadmap.CommentOnRequirement, ID: demo.Requirement1}
		moved, err := db.CreateComment(ctx, onReq, demo.Henry, "moves")
		if err != nil {
			t.Fatal(err)
		}
		f, err := db.ConvertRequirement(ctx, demo.Requirement1, demo.Henry)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Comment(ctx, moved.ID)
		if err != nil || got.On.Type != roadmap.CommentOnFeature || got.On.ID != f.ID || got.On.ReferenceNum != f.ReferenceNum {
			t.Errorf("the requirement's comment after the conversion: %+v, %v; want it on %s", got, err, f.ReferenceNum)
		}
		// The demo's comment on PRJ1-1-1 moves too.
		if nf, err := db.Feature(ctx, f.ReferenceNum); err != nil || nf.CommentsCount != 2 {
			t.Errorf("the new feature's comments_count: %v", err)
		}

		q, err := db.CreateRequirement(ctx, demo.Feature1, demo.Henry, roadmap.RequirementInput{Name: roadmap.Some("Doomed")})
		if err != nil {
			t.Fatal(err)
		}
		onQ, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnRequirement, ID: q.ID}, demo.Henry, "with the feature")
		if err != nil {
			t.Fatal(err)
		}
		clearReleaseWork(t, db, demo.Release1)
		_, err = db.Comment(ctx, onQ.ID)
		ruWantCode(t, err, roadmap.ENOTFOUND, "")

		onPhase, err := db.CreateComment(ctx, roadmap.CommentTarget{Type: roadmap.CommentOnReleasePhase, ID: demo.PhaseAlpha}, demo.Henry, "with the release")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteRelease(ctx, demo.Release1); err != nil {
			t.Fatal(err)
		}
		_, err = db.Comment(ctx, onPhase.ID)
		ruWantCode(t, err, roadmap.ENOTFOUND, "")
	})
}
