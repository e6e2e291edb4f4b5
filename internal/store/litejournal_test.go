package store

import (
	"context"
	"database/sql"
	"math"
	"math/rand"
	"strconv"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// TestJournalForgetsAFailedStatement runs, in one SQLite transaction, an
// insert of two rows that fails on the second (no key) after SQLite's
// pre-update hook has seen the first, and then an update that succeeds:
// the transaction commits the update alone, and its history holds the
// update alone.
func TestJournalForgetsAFailedStatement(t *testing.T) {
	t.Parallel()
	db := openDemo(t, "sqlite")
	ctx := roadmap.WithActor(context.Background(), demo.Mary)
	before := db.countOf(t, "SELECT COALESCE(MAX(id), 0) FROM audits")
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.conn().exec(ctx, "INSERT INTO custom_field_values (id, release_id, key, name, type, value, created_at, updated_at) VALUES (?, ?, 'kept', 'Field', 'text', 'v', 0, 0), (?, ?, NULL, 'Field', 'text', 'v', 0, 0)",
			int64(9_100_000), demo.Release1, int64(9_100_001), demo.Release1); err == nil {
			t.Error("the insert of a value without a key succeeded")
		}
		_, err := tx.conn().exec(ctx, "UPDATE releases SET name = 'After a failed insert' WHERE id = ?", demo.Release1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	rows, err := db.write.Query("SELECT action || ' ' || auditable_type FROM audits WHERE id > ? ORDER BY id", before)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	rows.Close()
	if len(actions) != 1 || actions[0] != "update release" {
		t.Errorf("audits of the transaction: %q, want the release's update alone", actions)
	}
	if n := db.journalRows(t); n != 0 {
		t.Errorf("%d changes left in the journal", n)
	}
}

// TestJournalIgnoresOtherConnections writes a release through another
// connection to the file, then one through the store: only the store's
// write has history (before the journal was the writer connection's own,
// the other connection's row waited in the journal's table and became part
// of the store's next write).
func TestJournalIgnoresOtherConnections(t *testing.T) {
	t.Parallel()
	db := openDemo(t, "sqlite")
	ctx := roadmap.WithActor(context.Background(), demo.Mary)
	raw, err := sql.Open("sqlite", "file:"+sqlitePath(db.watch.path))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE releases SET name = 'Written by another program' WHERE id = ?", demo.Release2); err != nil {
		t.Fatal(err)
	}
	if err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.conn().exec(ctx, "UPDATE releases SET name = 'Written by the store' WHERE id = ?", demo.Release1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := db.countOf(t, "SELECT COUNT(*) FROM audits WHERE auditable_id = "+strconv.FormatInt(demo.Release2, 10)); n != 0 {
		t.Errorf("%d audits of the other program's write", n)
	}
	if n := db.countOf(t, "SELECT COUNT(*) FROM audits WHERE auditable_id = "+strconv.FormatInt(demo.Release1, 10)); n != 1 {
		t.Errorf("%d audits of the store's write, want 1", n)
	}
}

// TestJournalSkipsUpdatesThatChangeNothing: an update that sets only
// noise, or sets a column to the value it had in another storage class (an
// integer as a real, text as a blob), is not a change and leaves no
// history; an update of one column that is not noise is, with its old and
// new values.
func TestJournalSkipsUpdatesThatChangeNothing(t *testing.T) {
	t.Parallel()
	db := openDemo(t, "sqlite")
	ctx := roadmap.WithActor(context.Background(), demo.Mary)
	var changes []change
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, q := range []string{
			"UPDATE releases SET updated_at = updated_at + 1, position = position + 1, features_top = features_top - 1 WHERE id = ?",
			"UPDATE releases SET progress = CAST(progress AS REAL), name = CAST(name AS BLOB) WHERE id = ?",
			"UPDATE releases SET name = name, theme_id = theme_id WHERE id = ?",
		} {
			if _, err := tx.conn().exec(ctx, q, demo.Release1); err != nil {
				return err
			}
		}
		if n := db.lite.len(); n != 0 {
			t.Errorf("%d changes journaled for updates of noise and of values to themselves", n)
		}
		if _, err := tx.conn().exec(ctx, "UPDATE releases SET name = 'Changed', updated_at = updated_at + 1 WHERE id = ?", demo.Release1); err != nil {
			return err
		}
		var err error
		changes, err = db.lite.take()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Op != roadmap.AuditUpdate || changes[0].New["name"] != "Changed" || changes[0].Old["name"] == "Changed" {
		t.Fatalf("changes %+v, want the rename alone", changes)
	}
	for col, v := range changes[0].New {
		if col != "name" && col != "updated_at" && changes[0].Old[col] != v {
			t.Errorf("column %s changed from %v to %v", col, changes[0].Old[col], v)
		}
	}
}

// TestRealTextIsSQLiteJSON checks that the journal writes reals as SQLite's
// JSON functions write the same values (the form the journal's rows had
// when triggers made them with json_object), and that every real it writes
// reads back as the same number.
func TestRealTextIsSQLiteJSON(t *testing.T) {
	t.Parallel()
	db := openDemo(t, "sqlite")
	for _, v := range []float64{0, 1, 2, -3, 0.5, 1.5, 2.25, -7.125, 10, 100, 1234.5, 0.1, 0.3, 1e15, 1e16, 1e20, 1.5e20, 1e-5, 1.5e-7, 0.0001, 99999.99} {
		var want string
		if err := db.write.QueryRow("SELECT json_object('x', ?)", v).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := `{"x":` + realText(v) + `}`; got != want {
			t.Errorf("%v: %s, SQLite writes %s", v, got, want)
		}
	}
	r := rand.New(rand.NewSource(1))
	for range 10000 {
		v := r.NormFloat64() * math.Pow(10, float64(r.Intn(60)-30))
		if back, err := strconv.ParseFloat(realText(v), 64); err != nil || back != v {
			t.Fatalf("%v is written %s, which reads back as %v (%v)", v, realText(v), back, err)
		}
	}
}
