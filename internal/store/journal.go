package store

import (
	"context"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// change is one row that a transaction inserted, updated or deleted, as the
// database's triggers recorded it in the change journal.
type change struct {
	// Seq orders the changes of one transaction.
	Seq int64
	// Table is the table of the row.
	Table string
	// Op is roadmap.AuditCreate, AuditUpdate or AuditDestroy.
	Op string
	// Old and New are the row's columns before and after the change, as
	// decoded JSON (numbers as json.Number); Old is nil for a create, New
	// for a destroy.
	Old, New map[string]any
}

// recordHistory turns the rows the transaction changed into audits, puts
// destroyed records in the recycle bin and queues webhook deliveries, all in
// the transaction itself, so that history exists if and only if the change
// committed.
func (tx *Tx) recordHistory(ctx context.Context) error {
	changes, err := tx.drainJournal(ctx)
	if err != nil || len(changes) == 0 {
		return err
	}
	audits, err := tx.writeAudits(ctx, changes)
	if err != nil {
		return err
	}
	if err := tx.recordDeletions(ctx, changes, audits); err != nil {
		return err
	}
	return tx.enqueueDeliveries(ctx, audits)
}

// drainJournal reads and empties the transaction's change journal.
func (tx *Tx) drainJournal(ctx context.Context) ([]change, error) {
	return nil, nil
}

// writeAudits writes the audits of the changes and returns them.
func (tx *Tx) writeAudits(ctx context.Context, changes []change) ([]*roadmap.Audit, error) {
	return nil, nil
}
