package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// openGroupFile opens a store on a fresh SQLite file with a table of rows
// to write, and returns it with the file's path.
func openGroupFile(t *testing.T) (*DB, string) {
	t.Helper()
	ctx := context.Background()
	path := testdb.DSN(t, "sqlite")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE group_rows (id INTEGER PRIMARY KEY, writer TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// insertRow is a write transaction that inserts one row of group_rows.
func insertRow(ctx context.Context, id int64, writer string) func(*Tx) error {
	return func(tx *Tx) error {
		_, err := tx.conn().exec(ctx, "INSERT INTO group_rows (id, writer) VALUES (?, ?)", id, writer)
		return err
	}
}

// rowsOf returns the writers of group_rows by id, read from the file by a
// store opened anew.
func rowsOf(t *testing.T, path string) map[int64]string {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.read.QueryContext(ctx, "SELECT id, writer FROM group_rows")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var w string
		if err := rows.Scan(&id, &w); err != nil {
			t.Fatal(err)
		}
		out[id] = w
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// queued returns the number of write transactions waiting for a group.
func (g *groupCommit) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// holdGroup runs a write transaction that holds the writer until release
// is called, so that the write transactions queued meanwhile run in one
// group after it; done receives its result.
func holdGroup(t *testing.T, db *DB) (release func(), done <-chan error) {
	t.Helper()
	started := make(chan struct{})
	var once sync.Once
	released := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		// A group that loses its transaction runs this again.
		result <- db.inTx(context.Background(), func(tx *Tx) error {
			once.Do(func() { close(started) })
			select {
			case <-released:
				return nil
			case <-time.After(10 * time.Second):
				return errors.New("not released within 10s")
			}
		})
	}()
	<-started
	return func() { close(released) }, result
}

// queue starts a write transaction in a goroutine and waits until it is
// queued behind the ones before it (or has already run).
func queue(t *testing.T, db *DB, wg *sync.WaitGroup, start func()) {
	t.Helper()
	n := db.group.queued()
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		start()
	})
	deadline := time.Now().Add(10 * time.Second)
	for db.group.queued() <= n {
		select {
		case <-done:
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("a write transaction was not queued within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommitManyWriters runs 32 concurrent writers: every write they
// were told succeeded is in the file when it is opened again, and the
// writes shared commits.
func TestGroupCommitManyWriters(t *testing.T) {
	t.Parallel()
	db, path := openGroupFile(t)
	const writers, each = 32, 25
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := int64(w*each + i + 1)
				if err := db.inTx(ctx, insertRow(ctx, id, fmt.Sprint(w))); err != nil {
					errs <- fmt.Errorf("row %d: %w", id, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	commits, txs := db.GroupCommits()
	// The store's own writes when it opened count too.
	if txs < writers*each {
		t.Errorf("%d write transactions committed, want at least %d", txs, writers*each)
	}
	if commits >= txs {
		t.Errorf("%d commits for %d write transactions: none were grouped", commits, txs)
	}
	t.Logf("%d commits held %d write transactions", commits, txs)
	db.Close()
	got := rowsOf(t, path)
	if len(got) != writers*each {
		t.Errorf("%d rows in the file, want %d", len(got), writers*each)
	}
	for w := range writers {
		for i := range each {
			id := int64(w*each + i + 1)
			if got[id] != fmt.Sprint(w) {
				t.Errorf("row %d: writer %q, want %d", id, got[id], w)
			}
		}
	}
}

// TestGroupCommitFailingMembers puts writers that fail on a constraint of
// the database and on a validation of their own in a group with writers
// that succeed: each gets its own result, and only the failing ones' work
// is undone. The group runs behind a writer that holds it (each failing
// member in a savepoint), and led by a failing member (which has none:
// its whole transaction is rolled back and the others run in the next).
func TestGroupCommitFailingMembers(t *testing.T) {
	for _, leads := range []bool{false, true} {
		t.Run(fmt.Sprint("failing member leads ", leads), func(t *testing.T) {
			t.Parallel()
			db, path := openGroupFile(t)
			db.group.maxTime = time.Minute
			ctx := context.Background()
			if err := db.inTx(ctx, insertRow(ctx, 1, "before")); err != nil {
				t.Fatal(err)
			}
			commits0, txs0 := db.GroupCommits()
			release, hold := func() {}, (<-chan error)(nil)
			if !leads {
				release, hold = holdGroup(t, db)
			}
			invalid := roadmap.Errorf(roadmap.EINVALID, "the name is missing")
			names := []string{"duplicate", "ok 10", "invalid", "ok 40"}
			fns := []func(*Tx) error{
				func(tx *Tx) error {
					if err := insertRow(ctx, 20, "duplicate")(tx); err != nil {
						return err
					}
					if leads {
						// Fails once the others wait behind it.
						for db.group.queued() < 3 {
							time.Sleep(time.Millisecond)
						}
					}
					return insertRow(ctx, 1, "duplicate")(tx)
				},
				insertRow(ctx, 10, "ok 10"),
				func(tx *Tx) error {
					if err := insertRow(ctx, 30, "invalid")(tx); err != nil {
						return err
					}
					return invalid
				},
				insertRow(ctx, 40, "ok 40"),
			}
			results := map[string]error{}
			var mu sync.Mutex
			var wg sync.WaitGroup
			for i, fn := range fns {
				run := func() {
					err := db.inTx(ctx, fn)
					mu.Lock()
					results[names[i]] = err
					mu.Unlock()
				}
				if i == 0 && leads {
					wg.Go(run)
					for db.group.queued() == 0 && !leading(db) {
						time.Sleep(time.Millisecond)
					}
					continue
				}
				queue(t, db, &wg, run)
			}
			release()
			wg.Wait()
			if hold != nil {
				if err := <-hold; err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range []string{"ok 10", "ok 40"} {
				if results[name] != nil {
					t.Errorf("%s: %v", name, results[name])
				}
			}
			if err := results["duplicate"]; !isConstraint(err) {
				t.Errorf("duplicate: got %v, want a constraint error", err)
			}
			if err := results["invalid"]; roadmap.ErrorCode(err) != roadmap.EINVALID {
				t.Errorf("invalid: got %v, want the validation error", err)
			}
			commits, txs := db.GroupCommits()
			want := int64(3) // the holder and the two that succeed
			if leads {
				want = 2
			}
			if commits-commits0 != 1 || txs-txs0 != want {
				t.Errorf("%d commits held %d write transactions, want 1 holding %d", commits-commits0, txs-txs0, want)
			}
			db.Close()
			if got := rowsOf(t, path); len(got) != 3 || got[1] != "before" || got[10] != "ok 10" || got[40] != "ok 40" {
				t.Errorf("rows %v, want 1, 10 and 40", got)
			}
		})
	}
}

// leading reports whether a group is running.
func leading(db *DB) bool {
	db.group.mu.Lock()
	defer db.group.mu.Unlock()
	return db.group.leading
}

// slowInsert writes many rows in one statement, long enough for a context
// ended meanwhile to interrupt it.
const slowInsert = `INSERT INTO group_rows (id, writer)
 WITH RECURSIVE n(i) AS (SELECT 1000000 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)
 SELECT i, 'slow' FROM n`

// TestGroupCommitInterruptedMember ends the context of a member of a
// group while its statement writes: SQLite then rolls back the whole
// transaction, the earlier members' work with it. The member gets an
// error and leaves nothing; the others are run again and committed.
func TestGroupCommitInterruptedMember(t *testing.T) {
	t.Parallel()
	db, path := openGroupFile(t)
	db.group.maxTime = time.Minute
	ctx := context.Background()
	release, hold := holdGroup(t, db)
	var runs sync.Map
	counted := func(name string, fn func(*Tx) error) func(*Tx) error {
		return func(tx *Tx) error {
			n, _ := runs.LoadOrStore(name, new(int))
			*n.(*int)++
			return fn(tx)
		}
	}
	slowCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]error, 3)
	var wg sync.WaitGroup
	fns := []func(*Tx) error{
		counted("first", insertRow(ctx, 10, "first")),
		counted("slow", func(tx *Tx) error {
			timer := time.AfterFunc(50*time.Millisecond, cancel)
			defer timer.Stop()
			_, err := tx.conn().exec(slowCtx, slowInsert)
			return err
		}),
		counted("last", insertRow(ctx, 30, "last")),
	}
	ctxs := []context.Context{ctx, slowCtx, ctx}
	for i, fn := range fns {
		queue(t, db, &wg, func() { results[i] = db.inTx(ctxs[i], fn) })
	}
	release()
	wg.Wait()
	if err := <-hold; err != nil {
		t.Fatal(err)
	}
	if results[0] != nil || results[2] != nil {
		t.Errorf("the others failed: %v, %v", results[0], results[2])
	}
	if results[1] == nil {
		t.Error("the interrupted member succeeded")
	}
	// The first member ran before the interruption and again after it;
	// the last one ran once, or twice when it joined the lost transaction.
	if n, _ := runs.Load("first"); n == nil || *n.(*int) != 2 {
		t.Errorf("the first member ran %v times, want 2 (the interruption rolled back its work)", n)
	}
	db.Close()
	want := map[int64]string{10: "first", 30: "last"}
	if got := rowsOf(t, path); len(got) != 2 || got[10] != "first" || got[30] != "last" {
		t.Errorf("%d rows, want %v", len(got), want)
	}
}

// TestGroupCommitExpiredMember ends the context of a member after its
// work is done but before its group commits: it must not take effect,
// and the others still commit. A writer whose context ends while it is
// queued leaves the queue at once.
func TestGroupCommitExpiredMember(t *testing.T) {
	t.Parallel()
	db, path := openGroupFile(t)
	db.group.maxTime = time.Minute
	ctx := context.Background()
	release, hold := holdGroup(t, db)
	expiring, cancel := context.WithCancel(ctx)
	defer cancel()
	gone, cancelGone := context.WithCancel(ctx)
	results := make([]error, 3)
	fns := []func(*Tx) error{
		insertRow(expiring, 10, "expiring"),
		func(tx *Tx) error {
			// Ends the previous member's context after its savepoint.
			cancel()
			return insertRow(ctx, 20, "after")(tx)
		},
		insertRow(gone, 30, "gone"),
	}
	ctxs := []context.Context{expiring, ctx, gone}
	var wg sync.WaitGroup
	for i, fn := range fns {
		queue(t, db, &wg, func() { results[i] = db.inTx(ctxs[i], fn) })
	}
	cancelGone()
	for db.group.queued() > 2 {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	if err := <-hold; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(results[0], context.Canceled) {
		t.Errorf("the expired member: %v, want its context's error", results[0])
	}
	if results[1] != nil {
		t.Errorf("the other member: %v", results[1])
	}
	if !errors.Is(results[2], context.Canceled) {
		t.Errorf("the member that left the queue: %v, want its context's error", results[2])
	}
	db.Close()
	if got := rowsOf(t, path); len(got) != 1 || got[20] != "after" {
		t.Errorf("rows %v, want only 20", got)
	}
}

// TestGroupCommitPanickingMember checks that a member whose work panics
// raises the panic in its own goroutine while the others of its group
// commit.
func TestGroupCommitPanickingMember(t *testing.T) {
	t.Parallel()
	db, path := openGroupFile(t)
	db.group.maxTime = time.Minute
	ctx := context.Background()
	release, hold := holdGroup(t, db)
	results := make([]any, 3)
	fns := []func(*Tx) error{
		insertRow(ctx, 10, "first"),
		func(tx *Tx) error {
			if err := insertRow(ctx, 20, "panics")(tx); err != nil {
				return err
			}
			panic("broken")
		},
		insertRow(ctx, 30, "last"),
	}
	var wg sync.WaitGroup
	for i, fn := range fns {
		queue(t, db, &wg, func() {
			defer func() {
				if v := recover(); v != nil {
					results[i] = v
				}
			}()
			results[i] = db.inTx(ctx, fn)
		})
	}
	release()
	wg.Wait()
	if err := <-hold; err != nil {
		t.Fatal(err)
	}
	if results[0] != nil || results[2] != nil || results[1] != "broken" {
		t.Errorf("results %v, want nil, the panic, nil", results)
	}
	db.Close()
	if got := rowsOf(t, path); len(got) != 2 || got[10] != "first" || got[30] != "last" {
		t.Errorf("rows %v, want 10 and 30", got)
	}
}

// TestGroupCommitHistoryPerMember creates releases in one group, as
// different users and each with an Idempotency-Key, one of them in a
// product that does not exist: each release has its own audit of its
// creation by its own user, and only the keys of the writes that
// committed are marked committed.
func TestGroupCommitHistoryPerMember(t *testing.T) {
	t.Parallel()
	db := openDemo(t, "sqlite")
	db.group.maxTime = time.Minute
	ctx := context.Background()
	users := []int64{demo.Mary, demo.Henry, demo.Mary, demo.Henry}
	for i, u := range users {
		claim, err := db.ClaimIdempotencyKey(ctx, u, fmt.Sprint("key-", i), "hash", time.Hour, time.Minute)
		if err != nil || !claim.Reserved {
			t.Fatalf("claim %d: %+v, %v", i, claim, err)
		}
	}
	release, hold := holdGroup(t, db)
	rels := make([]*roadmap.Release, len(users))
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		product := demo.PRJ1
		if i == 2 {
			product = 1 << 40
		}
		wctx := roadmap.WithIdempotencyKey(roadmap.WithActor(ctx, u), u, fmt.Sprint("key-", i))
		queue(t, db, &wg, func() {
			rels[i], errs[i] = db.CreateRelease(wctx, product, u, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprint("Grouped ", i))})
		})
	}
	release()
	wg.Wait()
	if err := <-hold; err != nil {
		t.Fatal(err)
	}
	for i, u := range users {
		var committed bool
		if err := db.write.QueryRowContext(ctx, "SELECT committed FROM idempotency_keys WHERE user_id = ? AND idem_key = ?", u, fmt.Sprint("key-", i)).Scan(&committed); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if errs[i] == nil {
				t.Errorf("create %d in a missing product succeeded", i)
			}
			if committed {
				t.Errorf("key %d of the failed create is marked committed", i)
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if !committed {
			t.Errorf("key %d is not marked committed", i)
		}
		audits, _, err := db.Audits(ctx, roadmap.AuditFilter{AuditableType: "Release", AuditableID: rels[i].ID, Page: roadmap.Page{Page: 1, PerPage: 200}})
		if err != nil {
			t.Fatal(err)
		}

		// The release's audit, and its creator's as its watcher.
		creates := 0
		for _, a := range audits {
			if a.UserID != u {
				t.Errorf("release %d: an audit of %s %d by user %d, want %d", i, a.AuditableType, a.AuditableID, a.UserID, u)
			}
			if a.AuditableType == "release" && a.AuditableID == rels[i].ID && a.Action == "create" {
				creates++
			}
		}
		if creates != 1 || len(audits) != 2 {
			t.Errorf("release %d: %d audits, %d of its creation, want 2 and 1", i, len(audits), creates)
		}
	}
	if n := db.journalRows(t); n != 0 {
		t.Errorf("%d rows left in the change journal", n)
	}
}

// groupChildEnv names the file that the child process of
// TestGroupCommitSurvivesKill writes to.
const groupChildEnv = "ROADMAPD_GROUP_COMMIT_CHILD"

// TestGroupCommitSurvivesKill runs concurrent writers in a child process,
// which prints the id of every write acknowledged to it, and kills it
// with SIGKILL while it writes: every acknowledged write is in the file.
func TestGroupCommitSurvivesKill(t *testing.T) {
	if path := os.Getenv(groupChildEnv); path != "" {
		groupCommitChild(path)
		return
	}
	t.Parallel()
	db, path := openGroupFile(t)
	db.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestGroupCommitSurvivesKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), groupChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int64]bool{}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		id, err := strconv.ParseInt(strings.TrimSpace(sc.Text()), 10, 64)
		if err != nil {
			continue
		}
		acked[id] = true
		if len(acked) == 500 && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("the child stopped after %d acknowledged writes", len(acked))
	}
	got := rowsOf(t, path)
	lost := 0
	for id := range acked {
		if _, ok := got[id]; !ok {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged writes are not in the file", lost, len(acked))
	}
	t.Logf("%d writes acknowledged, %d in the file", len(acked), len(got))
}

// groupCommitChild writes rows to the file at path from 16 goroutines
// until it is killed, printing the id of each write once it is
// acknowledged.
func groupCommitChild(path string) {
	ctx := context.Background()
	db, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := int64(1); ; i++ {
				id := int64(w)<<32 | i
				if err := db.inTx(ctx, insertRow(ctx, id, "child")); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Println(id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestGroupCommitWaitsForTheLockWithinDeadlines holds SQLite's write lock
// from another connection: a writer whose deadline passes while its group
// waits for the lock gets its context's error then, and a writer queued
// behind it commits once the lock is let go.
func TestGroupCommitWaitsForTheLockWithinDeadlines(t *testing.T) {
	t.Parallel()
	db, path := openGroupFile(t)
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	lock, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var shortErr, longErr error
	var shortTook time.Duration
	start := time.Now()
	wg.Go(func() {
		shortErr = db.inTx(short, insertRow(short, 10, "short"))
		shortTook = time.Since(start)
	})
	for !leading(db) {
		time.Sleep(time.Millisecond)
	}
	queue(t, db, &wg, func() { longErr = db.inTx(ctx, insertRow(ctx, 20, "long")) })
	time.Sleep(time.Second)
	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if !errors.Is(shortErr, context.DeadlineExceeded) || shortTook > 900*time.Millisecond {
		t.Errorf("the writer with a deadline of 300ms: %v after %v, want its deadline's error before the lock was let go", shortErr, shortTook)
	}
	if longErr != nil {
		t.Errorf("the writer queued behind it: %v", longErr)
	}
	db.Close()
	if got := rowsOf(t, path); len(got) != 1 || got[20] != "long" {
		t.Errorf("rows %v, want only 20", got)
	}
}

// TestGroupCommitPreparesBetweenGroups checks that a statement a write
// meets for the first time is prepared before the next write runs, and
// that one which cannot be prepared outside its transaction (it needs a
// table the transaction creates) is not asked for again.
func TestGroupCommitPreparesBetweenGroups(t *testing.T) {
	t.Parallel()
	db, _ := openGroupFile(t)
	ctx := context.Background()
	const insert = "INSERT INTO group_rows (id, writer) VALUES (?, ?)"
	if err := db.inTx(ctx, insertRow(ctx, 1, "first")); err != nil {
		t.Fatal(err)
	}
	w := db.writeQ
	w.mu.Lock()
	prepared := w.m[insert] != nil
	w.mu.Unlock()
	if !prepared {
		t.Error("the insert is not prepared after its first write")
	}
	const own = "INSERT INTO group_own (id) VALUES (?)"
	fails := errors.New("undone")
	for range 2 {
		err := db.inTx(ctx, func(tx *Tx) error {
			c := tx.conn()
			if _, err := c.exec(ctx, "CREATE TABLE group_own (id INTEGER PRIMARY KEY)"); err != nil {
				return err
			}
			if _, err := c.exec(ctx, own, 1); err != nil {
				return err
			}
			return fails
		})
		if !errors.Is(err, fails) {
			t.Fatal(err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.unpreparable[own] || w.wanted[own] || w.m[own] != nil {
		t.Errorf("a statement on a table of its own transaction: unpreparable %v, wanted %v, prepared %v; want unpreparable only", w.unpreparable[own], w.wanted[own], w.m[own] != nil)
	}
}
