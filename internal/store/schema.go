package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// binSchema is what the recycle bin knows of the database's tables: their
// columns, primary keys and foreign keys, read from the database itself so
// that a table added later is covered without code of its own.
type binSchema struct {
	tables map[string]*binTable
	// rank orders tables so that a table comes after every table it
	// refers to: rows inserted in rank order satisfy their foreign keys.
	rank map[string]int
}

// binTable describes one table.
type binTable struct {
	name    string
	cols    []string
	notNull map[string]bool
	// bools are the columns of boolean type (SQLite keeps them as 0 and 1).
	bools map[string]bool
	pk    []string
	fks   []binFK
}

// binFK is a column that refers to a column of another table (or of
// its own). Polymorphic references (a record_type and a record_id column)
// are foreign keys too, with the table chosen by the row's type column.
type binFK struct {
	col, refTable, refCol string
	// typeCol, for a polymorphic reference, is the column naming the kind
	// of record that col refers to.
	typeCol string
	// owned is set when the row belongs to the row it refers to: deleting
	// that row deletes this one (ON DELETE CASCADE), as it does for every
	// polymorphic reference.
	owned bool
}

// required reports whether a row cannot exist without the row that the
// reference names: the column may not be empty, or the row belongs to it.
func (t *binTable) required(fk binFK) bool {
	return fk.owned || fk.typeCol != "" || t.notNull[fk.col]
}

// polymorphicRefs are the tables that refer to records of several kinds by
// a type column and an ID column, which the database cannot declare as
// foreign keys.
var polymorphicRefs = map[string]struct{ typeCol, idCol string }{
	"integration_fields": {"record_type", "record_id"},
	"work_status_times":  {"record_type", "record_id"},
	"task_records":       {"record_type", "record_id"},
}

// polymorphicTables maps the record types stored in polymorphic references
// to their tables.
var polymorphicTables = map[string]string{
	roadmap.RecordRelease:         "releases",
	roadmap.RecordInitiative:      "initiatives",
	roadmap.RecordFeature:         "features",
	roadmap.RecordEpic:            "epics",
	recordRequirement:             "requirements",
	roadmap.TaskableRelease:       "releases",
	roadmap.TaskableMasterRelease: "releases",
	roadmap.TaskableFeature:       "features",
	roadmap.TaskableEpic:          "epics",
	roadmap.TaskableRequirement:   "requirements",
	roadmap.TaskableReleasePhase:  "release_phases",
	roadmap.TaskableProject:       "products",
}

// schemaOf returns the database's schema, reading it on first use.
func (tx *Tx) schemaOf(ctx context.Context) (*binSchema, error) {
	if s := tx.db.binSchema.Load(); s != nil {
		return s, nil
	}
	s, err := readSchema(ctx, tx.conn(), tx.db.dialect.name())
	if err != nil {
		return nil, fmt.Errorf("reading the schema: %w", err)
	}
	tx.db.binSchema.Store(s)
	return s, nil
}

func readSchema(ctx context.Context, c conn, dialect string) (*binSchema, error) {
	s := &binSchema{tables: map[string]*binTable{}}
	table := func(name string) *binTable {
		t := s.tables[name]
		if t == nil {
			t = &binTable{name: name, notNull: map[string]bool{}, bools: map[string]bool{}}
			s.tables[name] = t
		}
		return t
	}
	type pkCol struct {
		table, col string
		pos        int
	}
	var pks []pkCol
	scan := func(query string, dest func(rows interface{ Scan(...any) error }) error, args ...any) error {
		rows, err := c.query(ctx, query, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := dest(rows); err != nil {
				rows.Close()
				return err
			}
		}
		return closeRows(rows)
	}
	// scanFK reads a foreign key: its table, column, referred table and
	// column, and whether deletes cascade.
	scanFK := func(r interface{ Scan(...any) error }) error {
		var tn string
		var fk binFK
		if err := r.Scan(&tn, &fk.col, &fk.refTable, &fk.refCol, &fk.owned); err != nil {
			return err
		}
		t := table(tn)
		t.fks = append(t.fks, fk)
		return nil
	}
	if dialect == "sqlite" {
		// Two statements for all the tables: each statement SQLite
		// prepares costs more with a schema of many triggers.
		const tables = "FROM sqlite_master m JOIN %s(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%%' AND m.sql NOT LIKE 'CREATE VIRTUAL%%'"
		err := scan("SELECT m.name, p.name, p.\"notnull\", p.pk, lower(p.type) LIKE '%bool%' "+fmt.Sprintf(tables, "pragma_table_info")+" ORDER BY m.name, p.cid", func(r interface{ Scan(...any) error }) error {
			var tn, col string
			var notNull, isBool bool
			var pk int
			if err := r.Scan(&tn, &col, &notNull, &pk, &isBool); err != nil {
				return err
			}
			t := table(tn)
			t.cols = append(t.cols, col)
			t.bools[col] = isBool
			t.notNull[col] = notNull || pk > 0
			if pk > 0 {
				pks = append(pks, pkCol{tn, col, pk})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = scan("SELECT m.name, p.\"from\", p.\"table\", COALESCE(p.\"to\", 'id'), upper(p.on_delete) = 'CASCADE' "+fmt.Sprintf(tables, "pragma_foreign_key_list")+" ORDER BY m.name, p.id, p.seq", scanFK)
		if err != nil {
			return nil, err
		}
	} else {
		// The catalog itself, not information_schema.columns, which takes
		// some ten milliseconds to list the same columns.
		err := scan(`SELECT c.relname, a.attname, a.attnotnull, a.atttypid = 'boolean'::regtype
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
	AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`, func(r interface{ Scan(...any) error }) error {
			var tn, col string
			var notNull, isBool bool
			if err := r.Scan(&tn, &col, &notNull, &isBool); err != nil {
				return err
			}
			t := table(tn)
			t.cols = append(t.cols, col)
			t.bools[col] = isBool
			t.notNull[col] = notNull
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = scan(`SELECT cl.relname, a.attname, k.n
FROM pg_index i
JOIN pg_class cl ON cl.oid = i.indrelid
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indisprimary AND cl.relnamespace = current_schema()::regnamespace`, func(r interface{ Scan(...any) error }) error {
			var p pkCol
			if err := r.Scan(&p.table, &p.col, &p.pos); err != nil {
				return err
			}
			pks = append(pks, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = scan(`SELECT cl.relname, a.attname, rcl.relname, ra.attname, c.confdeltype = 'c'
FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid
JOIN pg_class rcl ON rcl.oid = c.confrelid
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
ORDER BY cl.relname, c.conname`, scanFK)
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(pks, func(a, b pkCol) int { return a.pos - b.pos })
	for _, p := range pks {
		if t := s.tables[p.table]; t != nil {
			t.pk = append(t.pk, p.col)
		}
	}
	for name, ref := range polymorphicRefs {
		if t := s.tables[name]; t != nil {
			t.fks = append(t.fks, binFK{col: ref.idCol, refCol: "id", typeCol: ref.typeCol})
		}
	}
	s.rankTables()
	return s, nil
}

// rankTables gives each table a rank above every table it refers to.
func (s *binSchema) rankTables() {
	s.rank = map[string]int{}
	var visit func(name string, path map[string]bool) int
	visit = func(name string, path map[string]bool) int {
		if r, ok := s.rank[name]; ok {
			return r
		}
		t := s.tables[name]
		if t == nil || path[name] {
			return 0
		}
		path[name] = true
		defer delete(path, name)
		rank := 0
		for _, fk := range t.fks {
			targets := []string{fk.refTable}
			if fk.typeCol != "" {
				targets = nil
				for _, tt := range polymorphicTables {
					targets = append(targets, tt)
				}
			}
			for _, target := range targets {
				if target == name {
					continue
				}
				if r := visit(target, path) + 1; r > rank {
					rank = r
				}
			}
		}
		s.rank[name] = rank
		return rank
	}
	for name := range s.tables {
		visit(name, map[string]bool{})
	}
}

// target returns the table a foreign key of row refers to, and the
// referred value; ok is false when the reference is empty.
func (fk binFK) target(row map[string]any) (table string, value int64, ok bool) {
	v, ok := jsonInt(row[fk.col])
	if !ok {
		return "", 0, false
	}
	if fk.typeCol == "" {
		return fk.refTable, v, true
	}
	typ, _ := row[fk.typeCol].(string)
	table, known := polymorphicTables[typ]
	return table, v, known
}

// jsonInt reads an integer out of a decoded JSON value.
func jsonInt(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				return 0, false
			}
			return int64(f), true
		}
		return i, true
	case float64:
		return int64(n), true
	case int64:
		return n, true
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// rowKey identifies a row of a table by its primary key.
func (s *binSchema) rowKey(table string, row map[string]any) string {
	t := s.tables[table]
	var b strings.Builder
	b.WriteString(table)
	if t == nil || len(t.pk) == 0 {
		raw, _ := json.Marshal(row)
		b.Write(raw)
		return b.String()
	}
	for _, col := range t.pk {
		b.WriteByte('|')
		fmt.Fprint(&b, row[col])
	}
	return b.String()
}

// quoteIdent quotes a table or column name for both dialects.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// insertRow inserts a row, given as decoded JSON of its columns, into a
// table: the columns the table still has, with the values of the row.
func (tx *Tx) insertRow(ctx context.Context, s *binSchema, table string, row map[string]any) error {
	t := s.tables[table]
	if t == nil {
		return fmt.Errorf("table %s no longer exists", table)
	}
	var cols []string
	for _, col := range t.cols {
		if _, ok := row[col]; ok {
			cols = append(cols, col)
		}
	}
	raw, err := json.Marshal(row)
	if err != nil {
		return err
	}
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = quoteIdent(col)
	}
	var q string
	if tx.db.dialect.name() == "postgres" {
		q = "INSERT INTO " + quoteIdent(table) + " (" + strings.Join(quoted, ", ") + ") SELECT " + strings.Join(quoted, ", ") +
			" FROM jsonb_populate_record(NULL::" + quoteIdent(table) + ", ?::jsonb)"
	} else {
		vals := make([]string, len(cols))
		for i, col := range cols {
			vals[i] = "json_extract(j.v, '$." + strings.ReplaceAll(quoteIdent(col), "'", "''") + "')"
		}
		q = "INSERT INTO " + quoteIdent(table) + " (" + strings.Join(quoted, ", ") + ") SELECT " + strings.Join(vals, ", ") + " FROM (SELECT ? AS v) j"
	}
	_, err = tx.conn().exec(ctx, q, string(raw))
	return err
}

// loadRow reads the row of table whose column col holds value, as decoded
// JSON of its columns; nil when there is none.
func (tx *Tx) loadRow(ctx context.Context, s *binSchema, table, col string, value int64) (map[string]any, error) {
	t := s.tables[table]
	if t == nil || !slices.Contains(t.cols, col) {
		return nil, nil
	}
	var q string
	if tx.db.dialect.name() == "postgres" {
		q = "SELECT to_jsonb(x)::text FROM " + quoteIdent(table) + " x WHERE " + quoteIdent(col) + " = ? LIMIT 1"
	} else {
		pairs := make([]string, len(t.cols))
		for i, c := range t.cols {
			pairs[i] = "'" + strings.ReplaceAll(c, "'", "''") + "', " + quoteIdent(c)
		}
		q = "SELECT json_object(" + strings.Join(pairs, ", ") + ") FROM " + quoteIdent(table) + " WHERE " + quoteIdent(col) + " = ? LIMIT 1"
	}
	var raw string
	err := tx.conn().queryRow(ctx, q, value).Scan(&raw)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeRow([]byte(raw))
}
