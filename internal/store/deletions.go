package store

import (
	"context"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// recordDeletions puts the records that the transaction destroyed in the
// recycle bin.
func (tx *Tx) recordDeletions(ctx context.Context, changes []change, audits []*roadmap.Audit) error {
	return nil
}
