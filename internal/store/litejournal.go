package store

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	schema "github.com/roadmapd/roadmapd/internal/store/migrations"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// liteJournal is SQLite's change journal: the changes of the write
// transaction under way, as SQLite's pre-update hook reports them on the
// writer's connection, row by row and in order, before each row is
// inserted, updated or deleted (including the rows that triggers write).
// It holds what PostgreSQL's journal triggers write into change_journal,
// in the same form, without a table, triggers or JSON: a SQLite write
// pays for history only in the audits it inserts, and no connection parses
// journal triggers when it opens.
//
// An update that changes only noise (migrations.Noise) is not a change,
// as PostgreSQL's triggers decide. Only the writer's connection is hooked:
// a row that another program writes into the file is not roadmapd's
// change and leaves no history.
//
// A statement that fails has its rows undone by SQLite, and so has a
// transaction or a group commit's member that rolls back: the store then
// forgets their changes too (see truncate and reset).
type liteJournal struct {
	mu sync.Mutex
	// tables describes the journaled tables by name; nil until the store
	// has read the schema, when nothing is journaled.
	tables  map[string]*liteTable
	changes []change
	seq     int64
	// err is the first value the hook could not read since the last take
	// or reset.
	err error
}

// liteTable is a journaled table: its columns in their order, and which
// are noise.
type liteTable struct {
	cols  []string
	noise []bool
}

// use journals the tables of s, the journaled tables that the store read
// from the database (loadSchema), with their columns in their order.
func (j *liteJournal) use(s schemaInfo) {
	tables := make(map[string]*liteTable, len(s))
	for name, t := range s {
		lt := &liteTable{cols: t.cols, noise: make([]bool, len(t.cols))}
		for i, col := range t.cols {
			lt.noise[i] = schema.Noise(col)
		}
		tables[name] = lt
	}
	j.mu.Lock()
	j.tables = tables
	j.mu.Unlock()
}

// hook is the writer connection's pre-update hook.
func (j *liteJournal) hook(d sqlite.SQLitePreUpdateData) {
	if d.DatabaseName != "main" {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	t := j.tables[d.TableName]
	if t == nil {
		return
	}
	c := change{Table: d.TableName}
	var err error
	switch d.Op {
	case sqlite3.SQLITE_INSERT:
		c.Op = roadmap.AuditCreate
		var vals []any
		if vals, err = t.values(d.New); err == nil {
			c.New = t.row(vals)
		}
	case sqlite3.SQLITE_DELETE:
		c.Op = roadmap.AuditDestroy
		var vals []any
		if vals, err = t.values(d.Old); err == nil {
			c.Old = t.row(vals)
		}
	case sqlite3.SQLITE_UPDATE:
		c.Op = roadmap.AuditUpdate
		// Most updates that are not changes (a release's count of
		// features, a product's counters) are told apart on the values
		// as read, before any is converted.
		var old, new []any
		if old, err = t.values(d.Old); err == nil {
			new, err = t.values(d.New)
		}
		if err == nil && !t.changed(old, new) {
			return
		}
		if err == nil {
			c.Old, c.New = t.row(old), t.row(new)
		}
	default:
		return
	}
	if err != nil {
		// The hook cannot fail the statement: the transaction fails when
		// it reads its changes (take), so that no change goes unrecorded.
		if j.err == nil {
			j.err = err
		}
		return
	}
	j.seq++
	c.Seq = j.seq
	j.changes = append(j.changes, c)
}

// values reads one side of a row's change, as the driver gives its
// values, in the table's column order.
func (t *liteTable) values(read func(dest ...any) error) ([]any, error) {
	vals := make([]any, len(t.cols))
	if err := read(vals...); err != nil {
		return nil, err
	}
	return vals, nil
}

// row is one side of a row's change as the journal keeps it: values by
// column name, numbers as json.Number.
func (t *liteTable) row(vals []any) map[string]any {
	m := make(map[string]any, len(t.cols))
	for i, col := range t.cols {
		m[col] = journalValue(vals[i])
	}
	return m
}

// changed reports whether an update changed a column that is not noise,
// comparing the values as read.
func (t *liteTable) changed(old, new []any) bool {
	for i := range t.cols {
		if !t.noise[i] && !sameValue(old[i], new[i]) {
			return true
		}
	}
	return false
}

// sameValue compares two values as the driver reads them, as SQL's IS
// would once the journal has converted them (journalValue): numbers by
// value, whatever their storage class; text and blobs by their bytes.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case int64:
			return x == float64(y)
		}
	case string:
		switch y := b.(type) {
		case string:
			return x == y
		case []byte:
			return x == string(y)
		}
	case []byte:
		switch y := b.(type) {
		case string:
			return string(x) == y
		case []byte:
			return string(x) == string(y)
		}
	}
	return false
}

// journalValue is a column's value as the journal keeps it: an integer or
// a real as json.Number, text and blobs as strings, NULL as nil.
func journalValue(v any) any {
	switch x := v.(type) {
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case float64:
		return json.Number(realText(x))
	case []byte:
		return string(x)
	}
	return v
}

// realText writes a real as SQLite's JSON functions do, with a decimal
// point or an exponent always (2.0, 0.25, 1.0e+20), from the shortest
// digits that read back as the same number.
func realText(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		// JSON has no such numbers; SQLite writes an infinity as 9e999.
		if math.IsInf(v, -1) {
			return "-9e999"
		}
		return "9e999"
	}
	m := strconv.FormatFloat(v, 'e', -1, 64)
	neg := strings.HasPrefix(m, "-")
	m = strings.TrimPrefix(m, "-")
	i := strings.IndexByte(m, 'e')
	digits := strings.Replace(m[:i], ".", "", 1)
	x, _ := strconv.Atoi(m[i+1:])
	var out string
	switch {
	case x < -4 || x >= 17:
		frac := digits[1:]
		if frac == "" {
			frac = "0"
		}
		sign := "+"
		if x < 0 {
			sign, x = "-", -x
		}
		e := strconv.Itoa(x)
		if len(e) < 2 {
			e = "0" + e
		}
		out = digits[:1] + "." + frac + "e" + sign + e
	case x >= 0:
		for len(digits) < x+1 {
			digits += "0"
		}
		frac := digits[x+1:]
		if frac == "" {
			frac = "0"
		}
		out = digits[:x+1] + "." + frac
	default:
		out = "0." + strings.Repeat("0", -x-1) + digits
	}
	if neg {
		out = "-" + out
	}
	return out
}

// take returns the changes so far and forgets them, or the error of a
// change the hook could not read.
func (j *liteJournal) take() ([]change, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out, err := j.changes, j.err
	j.changes, j.err = nil, nil
	if err != nil {
		return nil, fmt.Errorf("change journal: %w", err)
	}
	return out, nil
}

// len is the number of changes held.
func (j *liteJournal) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.changes)
}

// truncate forgets the changes after the first n: those of a statement
// that failed, which SQLite undid.
func (j *liteJournal) truncate(n int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if n < len(j.changes) {
		clear(j.changes[n:])
		j.changes = j.changes[:n]
	}
	if n == 0 {
		j.err = nil
	}
}

// reset forgets every change held: those of a transaction, or of a group
// commit's member, that rolled back.
func (j *liteJournal) reset() { j.truncate(0) }
