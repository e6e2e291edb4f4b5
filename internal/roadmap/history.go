package roadmap

import (
	"context"
	"strings"
	"time"
)

// Audit actions.
const (
	AuditCreate  = "create"
	AuditUpdate  = "update"
	AuditDestroy = "destroy"
)

// Audit is one entry of the change log: one record created, updated or
// destroyed by one write. Audits are written in the transaction of the change
// they describe and never change afterwards.
type Audit struct {
	ID     int64
	Action string
	// UserID is the actor: the signed-in user, or the owner of the API
	// token; 0 for changes the server made on its own.
	UserID    int64
	User      *User
	CreatedAt time.Time
	// AuditableType and AuditableID name the record that changed.
	AuditableType string
	AuditableID   int64
	// AssociatedType and AssociatedID name the primary record the changed
	// record belongs to (a description's feature, a link's release); for a
	// primary record they name its container (a feature's release).
	AssociatedType string
	AssociatedID   int64
	// ProductID is the product whose viewers may see the audit; 0 for
	// records of the account (users), which administrators see.
	ProductID int64
	// AuditableProductID is, for a link, the product of the record it
	// links to, which a reader must also be allowed to see; 0 otherwise.
	AuditableProductID int64
	Description        string
	// URLPath is the path of the primary record's page, such as
	// /features/PRJ1-1; the API prefixes it with its base URL.
	URLPath     string
	Interesting bool
	Changes     []AuditChange
}

// AuditChange is one field of a record as a change left it.
type AuditChange struct {
	FieldName string
	// Old and New are the field's values before and after the change, as
	// text; Old is empty for a create and New for a destroy.
	Old, New string
	// HTML says that the values are rich text (a note's body) rather than
	// plain text.
	HTML bool
	// Computed says that the server derived the field from other records.
	Computed bool
	// Column is the stored field the change is of.
	Column string
	// Products are the products of the records the values name, other than
	// the audit's own: a reader who may not see one of them is not shown
	// the change.
	Products []int64
}

// AuditFilter selects audits. Zero fields do not filter.
type AuditFilter struct {
	AuditableID    int64
	AuditableType  string
	AssociatedID   int64
	AssociatedType string
	Action         string
	CreatedSince   time.Time
	CreatedBefore  time.Time
	// AfterID keeps audits with a larger ID: a cursor.
	AfterID int64
	// Cursor says that AfterID was given (it may be 0, the start of the
	// log): the page is read after it and not counted.
	Cursor bool
	UserID int64
	// VisibleTo keeps the audits of products this user may see; 0 keeps
	// every audit.
	VisibleTo int64
	Page      Page
}

// HistoryStore reads the change log.
type HistoryStore interface {
	// Audits returns a page of audits, oldest first, and the number that
	// match.
	Audits(ctx context.Context, f AuditFilter) ([]*Audit, int, error)
	// AuditsByID returns the audits with these IDs, in ID order, with their
	// users; IDs that do not exist are left out.
	AuditsByID(ctx context.Context, ids []int64) ([]*Audit, error)
}

type actorKey struct{}

// WithActor returns a context whose writes are recorded as made by the user.
func WithActor(ctx context.Context, userID int64) context.Context {
	return context.WithValue(ctx, actorKey{}, userID)
}

// ActorFrom returns the user that WithActor put in the context, or 0.
func ActorFrom(ctx context.Context) int64 {
	id, _ := ctx.Value(actorKey{}).(int64)
	return id
}

type noHistoryKey struct{}

// WithoutHistory returns a context whose writes leave no audits: for
// loading a whole account, such as the demo, which has no history before
// it.
func WithoutHistory(ctx context.Context) context.Context {
	return context.WithValue(ctx, noHistoryKey{}, true)
}

// HistoryOff reports whether WithoutHistory made the context.
func HistoryOff(ctx context.Context) bool { return ctx.Value(noHistoryKey{}) != nil }

// AuditType is a record type as audits name it, from the forms clients
// write: Feature and feature are feature, KeyResult and key_result are
// key_result.
func AuditType(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && s[i-1] != '_' && !(s[i-1] >= 'A' && s[i-1] <= 'Z') {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
