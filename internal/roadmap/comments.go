package roadmap

import "time"

// The kinds of records that take comments, named as Aha! names them in a
// comment's commentable (a goal is a "StrategicImperative" there; the API
// layer renders it so).
const (
	CommentOnRelease      = "Release"
	CommentOnFeature      = "Feature"
	CommentOnEpic         = "Epic"
	CommentOnRequirement  = "Requirement"
	CommentOnGoal         = "Goal"
	CommentOnInitiative   = "Initiative"
	CommentOnReleasePhase = "ReleasePhase"
	CommentOnTask         = "Task"
)

// CommentTarget names a commented record: its kind (one of the
// CommentOn* names) and its ID.
type CommentTarget struct {
	Type string
	ID   int64
}

// Commentable is the record a comment is on, in the compact form a comment
// shows it.
type Commentable struct {
	CommentTarget
	// ProductID is the product the record belongs to; 0 for a to-do
	// attached to no record of a product.
	ProductID int64
	// ReferenceNum is the record's key (PRJ1-R-1, PRJ1-1, PRJ1-E-1,
	// PRJ1-1-1, PRJ1-G-1, PRJ1-S-1); "" for release phases and to-dos,
	// which Aha! addresses by ID.
	ReferenceNum string
	// Master is set for a roll-up release.
	Master bool
}

// Comment is a comment on a record.
type Comment struct {
	ID        int64
	Body      string
	User      User
	CreatedAt time.Time
	UpdatedAt time.Time
	// On is the commented record.
	On Commentable
}

// CommentFilter selects comments for a list. Exactly one scope is set:
// the comments on one record, or those on every record of a product.
type CommentFilter struct {
	On        CommentTarget
	ProductID int64
	Page      Page
}
