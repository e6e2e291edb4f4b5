package roadmap

import (
	"context"
	"time"
)

// Statuses of a recycle-bin entry.
const (
	// DeletionDeleted is an entry whose record is deleted and may be
	// restored.
	DeletionDeleted = "deleted"
	// DeletionRestored is an entry whose record has been restored.
	DeletionRestored = "restored"
)

// DefaultRecycleBinDays is how many days deleted records stay restorable
// unless the server is configured otherwise.
const DefaultRecycleBinDays = 7

// Deletion is an entry of the recycle bin: a deleted record, with the parts
// that went with it, that can be restored until the entry is purged.
type Deletion struct {
	ID     int64
	Status string
	// RecordType is the kind of the deleted record, as Aha! names it
	// (Feature, Release, MasterRelease, StrategicImperative, ...), and RecordID its ID.
	RecordType   string
	RecordID     int64
	ReferenceNum string
	Name         string
	// ProductID is the product whose members may see the entry; 0 for a
	// to-do of no product, which only the administrator and the user who
	// deleted it see.
	ProductID   int64
	DeletedByID int64
	DeletedBy   *User
	DeletedAt   time.Time
	// NotRestored lists, after a restore, what could not come back.
	NotRestored []DeletionLoss
}

// DeletionLoss is a part of a deleted record, or a link of it, that a
// restore could not bring back because a record it needs no longer exists.
type DeletionLoss struct {
	// Part names what was left out: the kind of part or link (such as
	// release_goals, comments or features) and, for a link held in a field,
	// the field (such as epic_id).
	Part  string
	Field string
	// MissingType and MissingID name the record that no longer exists.
	MissingType string
	MissingID   int64
}

// DeletionFilter selects recycle-bin entries that can be restored.
type DeletionFilter struct {
	// VisibleTo keeps the entries this user may see; 0 keeps every entry.
	VisibleTo int64
	Page      Page
}

// DeletionStore keeps deleted records restorable.
type DeletionStore interface {
	// Deletions returns a page of the entries that can be restored, in ID
	// (deletion) order, and the number that match.
	Deletions(ctx context.Context, f DeletionFilter) ([]*Deletion, int, error)
	// Deletion returns an entry that can be restored, by ID.
	Deletion(ctx context.Context, id int64) (*Deletion, error)
	// RestoreDeletion puts an entry's record back with its parts and its
	// links to records that still exist, on behalf of a user, and returns
	// the entry with what did not come back.
	RestoreDeletion(ctx context.Context, id, userID int64) (*Deletion, error)
	// PurgeDeletions removes for good the entries deleted longer ago than
	// retention, and returns how many it removed.
	PurgeDeletions(ctx context.Context, retention time.Duration) (int, error)
}
