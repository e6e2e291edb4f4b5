package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Lock order. Writers lock rows in one order, so that two writers seldom
// wait for each other: records whose computed values follow from others are
// locked after them (features, then epics and release phases, then
// releases), and a release and the roll-ups above it are one set, locked
// together in ID order by lockReleaseChains before any of them is read for
// a change. Writers of the links between releases, goals and initiatives
// lock releases, then goals, then initiatives, each in ID order (see
// lockLinkedFirst). Where two writers still meet in opposite orders,
// PostgreSQL reports a deadlock and inTx runs the victim again.

// lockReleaseChains locks the given releases and every roll-up above them
// until the transaction ends, and returns the locked set in ID order. The
// set is read before the locks are taken, then read again under them: a
// release's parent only changes under its lock, so once every member of
// the set is locked and a fresh read finds no new one, the chains cannot
// change before the transaction ends. Members that a concurrent writer
// added in between are locked on the next pass when they sort after every
// release already locked; otherwise the transaction runs again from the
// start (errLockSetChanged), so that locks are only ever taken in ID order.
// Releases that do not exist are left out.
func (tx *Tx) lockReleaseChains(ctx context.Context, ids []int64) ([]int64, error) {
	// found tells, for each release a pass tried to lock, whether it exists;
	// parents holds the parent of each one found, read under its lock.
	found := map[int64]bool{}
	parents := map[int64]int64{}
	for pass := 0; pass <= maxRollUpDepth; pass++ {
		if pass > 0 && closedUnder(found, parents) {
			// Every parent read under a lock is in the set: the chains
			// are whole and cannot change, with no need to read them again.
			return chainsOf(ids, found, parents), nil
		}
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
		if pass > 0 && slices.ContainsFunc(lockedIDs(found), func(id int64) bool { return id > missing[0] }) {
			// A concurrent writer changed the chains between the look and
			// the locks, and a newcomer sorts before a release already
			// locked: taking it now would break the order. Run the
			// transaction again from the start, which finds the new
			// chains before it locks anything.
			return nil, errLockSetChanged
		}
		// want is sorted, so missing is too.
		for _, id := range missing {
			var parent int64
			err := tx.conn().queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM releases WHERE id = ?"+tx.db.dialect.forUpdate(), id).Scan(&parent)
			if err != nil && !isNoRows(err) {
				return nil, err
			}
			found[id] = err == nil
			if err == nil {
				parents[id] = parent
			}
		}
	}
	return nil, errLockSetChanged
}

// lockLoadRelease locks a release that is in no roll-up and loads it under
// its lock, in one statement, without what its full representation embeds
// (loadFullRelations reads that). The release is its own lock set (see
// lockReleaseChains), so it is locked alone. It returns nil, and locks
// nothing, for a release in a roll-up; a roll-up set as its parent between
// the look and the lock makes the transaction run again from the start,
// which locks the new chain in order.
func (tx *Tx) lockLoadRelease(ctx context.Context, id int64) (*roadmap.Release, error) {
	c := tx.conn()
	var parent int64
	err := c.queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM releases WHERE id = ?", id).Scan(&parent)
	if err != nil || parent != 0 {
		return nil, scanErr(err, "release", strconv.FormatInt(id, 10))
	}
	lock := tx.db.dialect.forUpdate()
	if lock != "" {
		lock += " OF r"
	}
	r, err := scanRelease(c.queryRow(ctx, releaseSelect+" WHERE r.id = ?"+lock, id))
	if err != nil {
		return nil, scanErr(err, "release", strconv.FormatInt(id, 10))
	}
	if r.ParentID != 0 {
		return nil, errLockSetChanged
	}
	return r, nil
}

// closedUnder reports whether the parent of every release found and locked
// is none or in the set already.
func closedUnder(found map[int64]bool, parents map[int64]int64) bool {
	for id, ok := range found {
		if p := parents[id]; ok && p != 0 {
			if _, in := found[p]; !in {
				return false
			}
		}
	}
	return true
}

// chainsOf returns, in ID order, the releases of ids that were found and
// the roll-ups above them, following the parents read under the locks.
func chainsOf(ids []int64, found map[int64]bool, parents map[int64]int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		for ; id != 0 && found[id] && !seen[id]; id = parents[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// lockedIDs lists the releases of a lock set that were found and locked, in
// ID order.
func lockedIDs(found map[int64]bool) []int64 {
	var out []int64
	for id, ok := range found {
		if ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
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

// lockLinkedFirst locks, in ID order, the records of otherTable whose links
// to owner a write of the link set table from owner's side will change:
// those linked now that refs leave out and those refs name that are not
// linked yet. Writers of goals and initiatives call it before they lock
// their own record, so that the records of a link are locked in one order
// whichever side writes it (releases, then goals, then initiatives), and a
// write of a link from both sides at once runs one after the other instead
// of deadlocking. References that do not resolve lock nothing: the write
// refuses them later, under its own lock. A link set that changes between
// this look and the write is still written right; its newcomers are locked
// when they are touched.
func (tx *Tx) lockLinkedFirst(ctx context.Context, owner int64, table, ownerCol, otherCol, otherTable string, refs []string, visibleTo int64) error {
	c := tx.conn()
	ids, err := resolveRecords(ctx, c, otherTable, otherTable, refs, visibleTo)
	if err != nil {
		var e *roadmap.Error
		if errors.As(err, &e) {
			return nil
		}
		return err
	}
	old, err := replaceableLinkedIDs(ctx, c, table, ownerCol, owner, otherCol, visibleTo)
	if err != nil {
		return err
	}
	for _, id := range sortedIDs(symmetricDiff(old, ids)) {
		if err := tx.lockRow(ctx, otherTable, id); err != nil && !isNoRows(err) {
			return err
		}
	}
	return nil
}
