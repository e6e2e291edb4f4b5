package roadmap

import (
	"context"
	"strings"
	"time"
)

// MaxCommentLength is the largest comment body accepted, in bytes.
const MaxCommentLength = 100000

// RollUp is a roll-up release: a release with MasterRelease set, under which
// releases of its own product and of the products it collects may sit.
type RollUp struct {
	Release
	// Projects are the products besides its own whose releases the roll-up
	// collects, in ID order.
	Projects []Product
}

// RollUpInput is the decoded body of a roll-up release create or update.
type RollUpInput struct {
	ReleaseInput
	// Projects are the IDs of the products besides its own whose releases
	// the roll-up collects. On update the list replaces the set, except for
	// products that VisibleTo may not see: the caller could not name them,
	// so they stay.
	Projects Opt[[]int64]
	// VisibleTo is the user whose view of the set Projects replaces, and
	// whose view of it the answer shows; 0 for the whole set.
	VisibleTo int64
}

// RollUpFilter selects the roll-up releases of a product for a list.
type RollUpFilter struct {
	ProductID int64
	Page      Page
	// Full loads what the full release representation shows.
	Full bool
	// VisibleTo, when not 0, keeps only the collected products that this
	// user may see in each roll-up's Projects.
	VisibleTo int64
}

// DefaultRollUpStart gives a new roll-up release that was given no start
// date one: the day it is created, or its release date when that is
// earlier, so that a new roll-up spans from now until it ships.
func DefaultRollUpStart(r *Release, in ReleaseInput, now time.Time) {
	if r.ParkingLot || in.StartDate.Set || r.StartDate != "" {
		return
	}
	r.StartDate = Today(now)
	if r.ReleaseDate != "" && r.ReleaseDate < r.StartDate {
		r.StartDate = r.ReleaseDate
	}
}

// ValidateCommentBody checks a comment body: not blank, at most
// MaxCommentLength bytes. The body is kept as written.
func ValidateCommentBody(body string) error {
	if strings.TrimSpace(body) == "" {
		return FieldErrorf("body", "body can't be blank")
	}
	if len(body) > MaxCommentLength {
		return FieldErrorf("body", "body is too long (maximum is %d bytes)", MaxCommentLength)
	}
	return nil
}

// RollUpStore persists roll-up releases and comments, on every record that
// takes them.
type RollUpStore interface {
	// RollUp returns a roll-up release by numeric ID or reference number,
	// loaded for its full representation, with the collected products that
	// the user visibleTo may see (all of them for 0).
	RollUp(ctx context.Context, key string, visibleTo int64) (*RollUp, error)
	// RollUps returns a page of a product's roll-up releases and the total
	// number there are.
	RollUps(ctx context.Context, f RollUpFilter) ([]*RollUp, int, error)
	// CreateRollUp creates a roll-up release in a product on behalf of a user.
	CreateRollUp(ctx context.Context, productID, userID int64, in RollUpInput) (*RollUp, error)
	// UpdateRollUp changes a roll-up release. Releases of products that leave
	// its set are detached from it.
	UpdateRollUp(ctx context.Context, id int64, in RollUpInput) (*RollUp, error)

	// Comment returns a comment by ID.
	Comment(ctx context.Context, id int64) (*Comment, error)
	// Comments returns a page of comments, in ID order, and the total
	// number that match.
	Comments(ctx context.Context, f CommentFilter) ([]*Comment, int, error)
	// CreateComment adds a comment by a user to a record. A record that
	// does not exist is ENOTFOUND.
	CreateComment(ctx context.Context, on CommentTarget, userID int64, body string) (*Comment, error)
	// UpdateComment changes the body of a comment.
	UpdateComment(ctx context.Context, id int64, body string) (*Comment, error)
	// DeleteComment deletes a comment.
	DeleteComment(ctx context.Context, id int64) error
}
