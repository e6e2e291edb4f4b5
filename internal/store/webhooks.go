package store

import (
	"context"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// enqueueDeliveries queues the transaction's audits for the webhook
// endpoints that want them, in the same transaction.
func (tx *Tx) enqueueDeliveries(ctx context.Context, audits []*roadmap.Audit) error {
	return nil
}
