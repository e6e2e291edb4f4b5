package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit on SQLite.
//
// SQLite has one writer, and with synchronous=FULL every commit waits for
// an fsync of the write-ahead log. Write transactions that arrive while one
// commit is in flight wait in a queue; the next of them then runs them all,
// one after the other, in one SQLite transaction, each but the first
// inside a savepoint of its own (the first one's failure rolls back the
// transaction, which holds nothing else yet), and one COMMIT (one fsync)
// makes all of them durable. Every
// member keeps its own Tx (its own time, history and Idempotency-Key), its
// own context for its statements, and its own result: a member that fails
// is rolled back to its savepoint and gets its error while the others go
// on. No member's call returns before the commit that holds its change has
// succeeded.
//
// A lone write runs at once: the writer that finds nobody committing leads
// a group of one, and a group never waits for company. While a group runs,
// the writers that arrive join it, up to maxGroup members and for at most
// maxGroupTime after it began; the others wait for the next group, which
// the first of them leads.
//
// When a member's context ends while one of its statements writes, SQLite
// rolls back the whole transaction, the earlier members' work with it.
// Nobody has been told of that work yet: the leader notices (releasing or
// rolling back to the member's savepoint fails), and runs the other
// members again in a new transaction. The same happens when a member's
// context ends after its savepoint was released but before the commit: it
// must not take effect, and only a new transaction can leave it out.

// maxGroup bounds the number of write transactions that share a commit.
const maxGroup = 64

// maxGroupTime is how long after a group began writers may still join it.
const maxGroupTime = 10 * time.Millisecond

// groupCommit queues SQLite's write transactions and runs them in groups.
type groupCommit struct {
	db *DB
	mu sync.Mutex
	// queue holds the requests waiting for a group, in arrival order.
	queue []*txRequest
	// leading is set while a group runs (or is being handed on).
	leading bool
	// maxTime is maxGroupTime; tests lengthen it.
	maxTime time.Duration
	// commits and members count the groups committed and the write
	// transactions they held.
	commits, members atomic.Int64
}

// txRequest is one write transaction submitted to the group commit.
type txRequest struct {
	ctx context.Context
	fn  func(*Tx) error
	// wake receives one value: the result is in, or the request leads.
	wake chan struct{}
	// taken is set, under groupCommit.mu, once a leader has taken the
	// request from the queue; from then on it waits for its result.
	taken bool
	// lead tells a woken request to run the next group itself.
	lead bool
	err  error
	// panicked is set when fn panicked; the panic is raised again in the
	// caller's goroutine.
	panicked bool
	panicVal any
}

func newGroupCommit(db *DB) *groupCommit { return &groupCommit{db: db, maxTime: maxGroupTime} }

// run runs fn in a write transaction shared with the writers of the same
// moment, and returns when the transaction has committed or failed.
func (g *groupCommit) run(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &txRequest{ctx: ctx, fn: fn, wake: make(chan struct{}, 1)}
	g.mu.Lock()
	if g.leading {
		g.queue = append(g.queue, r)
		g.mu.Unlock()
		if !g.await(r) {
			return ctx.Err()
		}
	} else {
		g.leading, r.taken, r.lead = true, true, true
		g.mu.Unlock()
	}
	if r.lead {
		g.lead(r)
	}
	if r.panicked {
		panic(r.panicVal)
	}
	return r.err
}

// await waits until r has its result or leads. It returns false when r's
// context ended while r was still queued: r has left the queue and never
// runs.
func (g *groupCommit) await(r *txRequest) bool {
	select {
	case <-r.wake:
		return true
	case <-r.ctx.Done():
	}
	g.mu.Lock()
	if !r.taken {
		for i, q := range g.queue {
			if q == r {
				g.queue = append(g.queue[:i], g.queue[i+1:]...)
				break
			}
		}
		g.mu.Unlock()
		return false
	}
	g.mu.Unlock()
	<-r.wake
	return true
}

// take removes the first queued request, or returns nil.
func (g *groupCommit) take() *txRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.takeLocked()
}

func (g *groupCommit) takeLocked() *txRequest {
	if len(g.queue) == 0 {
		return nil
	}
	r := g.queue[0]
	g.queue[0] = nil
	g.queue = g.queue[1:]
	r.taken = true
	return r
}

// lead runs a group that begins with first, tells its members their
// results, and hands the lead to the first writer queued meanwhile.
func (g *groupCommit) lead(first *txRequest) {
	members := g.runGroup(first)
	for _, m := range members {
		if m != first {
			m.wake <- struct{}{}
		}
	}
	// The writer's connection is free: prepare the statements the group
	// met for the first time, before the next group runs them.
	g.db.writeQ.prepareNow()
	g.mu.Lock()
	next := g.takeLocked()
	if next == nil {
		g.leading = false
	} else {
		next.lead = true
	}
	g.mu.Unlock()
	if next != nil {
		next.wake <- struct{}{}
	}
}

// runGroup runs first and the writers that join it, committing them
// together, and returns all of them, each with its result.
func (g *groupCommit) runGroup(first *txRequest) []*txRequest {
	members := []*txRequest{first}
	pending := members
	join := true
	for len(pending) > 0 {
		pending = g.attempt(pending, &members, join)
		// A member that ends a transaction leaves the group, so each new
		// attempt runs fewer; newcomers join only the first.
		join = false
	}
	return members
}

// attempt runs pending (and, when join is set, the writers that arrive
// meanwhile, which it adds to members) in one transaction and commits
// those that succeeded. It returns the members to run again in a new
// transaction, because the transaction was lost before it committed them.
func (g *groupCommit) attempt(pending []*txRequest, members *[]*txRequest, join bool) []*txRequest {
	sqlTx, cancel, err := g.begin(pending)
	if err != nil {
		// The members whose context ended the wait have their error; the
		// others wait for the lock again.
		var rest []*txRequest
		for _, m := range pending {
			if cerr := m.ctx.Err(); cerr != nil {
				m.err = cerr
			} else if errors.Is(err, errBeginCanceled) {
				rest = append(rest, m)
			} else {
				m.err = err
			}
		}
		return rest
	}
	defer cancel()
	q := g.db.writeQ.in(sqlTx)
	start := time.Now()
	var applied []*txRequest
	for i := 0; ; i++ {
		var m *txRequest
		switch {
		case i < len(pending):
			m = pending[i]
		case join && len(*members) < maxGroup && time.Since(start) < g.maxTime:
			if m = g.take(); m != nil {
				*members = append(*members, m)
			}
		}
		if m == nil {
			break
		}
		if err := m.ctx.Err(); err != nil {
			m.err = err
			continue
		}
		// The first member needs no savepoint: when it fails, the
		// transaction, which holds nothing else, is rolled back.
		if !g.runMember(q, m, len(applied) > 0) {
			// The transaction is gone, or holds work of m's that must not
			// be committed: m has its result, the others run again.
			sqlTx.Rollback()
			rest := applied
			if i+1 < len(pending) {
				rest = append(rest, pending[i+1:]...)
			}
			return rest
		}
		if m.err == nil {
			applied = append(applied, m)
		}
	}
	// A member whose context ended after its savepoint was released must
	// not take effect either (its caller may have answered that it
	// failed): the others run again without it.
	var live []*txRequest
	for _, m := range applied {
		if err := m.ctx.Err(); err != nil {
			m.err = err
		} else {
			live = append(live, m)
		}
	}
	if len(live) < len(applied) || len(live) == 0 {
		sqlTx.Rollback()
		return live
	}
	if err := sqlTx.Commit(); err != nil {
		for _, m := range live {
			m.err = err
		}
		// A COMMIT that failed may leave the transaction open on the
		// connection, where the next BEGIN would fail.
		g.db.write.ExecContext(context.Background(), "ROLLBACK")
		return nil
	}
	g.commits.Add(1)
	g.members.Add(int64(len(live)))
	return nil
}

// errBeginCanceled reports that a member's context ended while BEGIN
// waited for the database's write lock (held by another process).
var errBeginCanceled = errors.New("a member's context ended while the transaction began")

// begin begins a transaction for pending. The transaction outlives any one
// member's context (each member's statements run under its own), but the
// wait for the write lock ends as soon as one of pending's contexts ends, so
// that a caller whose deadline passes answers then, not after SQLite's
// busy timeout. cancel is called once the transaction has ended.
func (g *groupCommit) begin(pending []*txRequest) (tx *sql.Tx, cancel func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	stops := make([]func() bool, len(pending))
	for i, m := range pending {
		stops[i] = context.AfterFunc(m.ctx, cancel)
	}
	tx, err = g.db.write.BeginTx(ctx, nil)
	fired := false
	for _, stop := range stops {
		if !stop() {
			fired = true
		}
	}
	if fired {
		// The context of the transaction ends, or has ended: database/sql
		// rolls it back.
		if err == nil {
			tx.Rollback()
		}
		cancel()
		return nil, nil, errBeginCanceled
	}
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return tx, cancel, nil
}

// errMemberPanicked stands for the error of a member whose fn panicked.
var errMemberPanicked = errors.New("the write transaction panicked")

// runMember runs m, inside a savepoint of the transaction when savepoint is set,
// and keeps its work, or rolls it back to the savepoint when it fails;
// m.err is its result. It returns false when the transaction may not be committed:
// m failed without a savepoint, or the transaction is gone (an
// interrupted write rolled all of it back).
func (g *groupCommit) runMember(q *txQueryer, m *txRequest, savepoint bool) bool {
	// The savepoint's statements are not the member's: no context of a
	// member may interrupt them, and they are not counted.
	bg := context.Background()
	if savepoint {
		if _, err := q.ExecContext(bg, "SAVEPOINT group_member"); err != nil {
			m.err = err
			return false
		}
	}
	tx := &Tx{tx: q.tx, q: q, db: g.db, now: g.db.Now().UTC().Truncate(time.Millisecond)}
	m.err = g.call(tx, m)
	if !savepoint {
		return m.err == nil
	}
	if m.err == nil {
		if _, err := q.ExecContext(bg, "RELEASE group_member"); err != nil {
			m.err = err
			return false
		}
		return true
	}
	if _, err := q.ExecContext(bg, "ROLLBACK TO group_member"); err != nil {
		return false
	}
	_, err := q.ExecContext(bg, "RELEASE group_member")
	return err == nil
}

// call runs m's transaction on tx, catching a panic so that the other
// members go on; the panic is raised again in m's own goroutine.
func (g *groupCommit) call(tx *Tx, m *txRequest) (err error) {
	defer func() {
		if v := recover(); v != nil {
			m.panicked, m.panicVal = true, v
			err = errMemberPanicked
		}
	}()
	return tx.run(m.ctx, m.fn)
}

// GroupCommits returns the number of commits of SQLite's group commit so
// far and the number of write transactions they held, so that benchmarks
// can report how many transactions shared a commit. Both are 0 on
// PostgreSQL, or with Options.SQLiteNoGroupCommit.
func (db *DB) GroupCommits() (commits, transactions int64) {
	if db.group == nil {
		return 0, 0
	}
	return db.group.commits.Load(), db.group.members.Load()
}
