package store

import (
	"context"
	"slices"
	"strings"
)

// Lock order. Writers that change computed values lock rows in one global
// order, so that two writers never wait for each other: features, then
// epics, then release phases, then releases, each kind in ID order. A
// release and the roll-ups above it are one set, locked together in ID
// order by lockReleaseChains before any of them is read for a change.

// lockReleaseChains locks the given releases and every roll-up above them
// until the transaction ends, and returns the locked set in ID order. The
// set is read before the locks are taken, then read again under them: a
// release's parent only changes under its lock, so once every member of
// the set is locked and a fresh read finds no new one, the chains cannot
// change before the transaction ends. Members that a concurrent writer
// added in between are locked on the next pass. Releases that do not exist
// are left out.
func (tx *Tx) lockReleaseChains(ctx context.Context, ids []int64) ([]int64, error) {
	// found tells, for each release a pass tried to lock, whether it exists.
	found := map[int64]bool{}
	for pass := 0; ; pass++ {
		want, err := tx.withAncestors(ctx, ids)
		if err != nil {
			return nil, err
		}
		var missing []int64
		for _, id := range want {
			if _, tried := found[id]; !tried {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			return slices.DeleteFunc(want, func(id int64) bool { return !found[id] }), nil
		}
		if pass > maxRollUpDepth {
			// The chains keep changing: let the transaction run again
			// from the start.
			return nil, errLockSetChanged
		}
		// want is sorted, so missing is too.
		for _, id := range missing {
			err := tx.lockRow(ctx, "releases", id)
			if err != nil && !isNoRows(err) {
				return nil, err
			}
			found[id] = err == nil
		}
	}
}

// errLockSetChanged makes a transaction whose lock set kept changing run
// again from the start.
var errLockSetChanged = &retryError{"the roll-up chains changed while they were being locked"}

// retryError is an error after which a transaction may run again.
type retryError struct{ msg string }

func (e *retryError) Error() string { return e.msg }

// releaseKeyID returns the ID of the release a numeric ID or reference
// number names, or 0 when there is none; it takes no lock.
func releaseKeyID(ctx context.Context, c conn, key string) (int64, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return 0, nil
	}
	cond, arg := keyClause("id", "reference_num", key)
	var id int64
	err := c.queryRow(ctx, "SELECT id FROM releases WHERE "+cond, arg).Scan(&id)
	if isNoRows(err) {
		return 0, nil
	}
	return id, err
}
