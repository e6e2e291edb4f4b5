package store

import (
	"strings"
	"unicode/utf8"
)

// trigramMin is the shortest search that a trigram index can serve; shorter
// ones compare every name of the records the other conditions select.
const trigramMin = 3

// nameSearch returns the conditions and arguments that select the releases
// (table alias a) whose name contains q, ignoring case as fold does. The
// LIKE on name_fold decides; for searches of three characters or more on
// SQLite, the releases_name_fts trigram index first narrows the rows to
// those holding every trigram of q, in order. PostgreSQL serves the same
// LIKE from its pg_trgm index.
func (c conn) nameSearch(a, q string) ([]string, []any) {
	return c.nameSearchOf(a, "releases_name_fts", q)
}

// nameSearchOf is nameSearch for any table with a name_fold column and an
// FTS5 trigram index fts of it on SQLite, whose rowid is the record's id.
func (c conn) nameSearchOf(a, fts, q string) ([]string, []any) {
	f := fold(q)
	where := []string{a + ".name_fold LIKE ? ESCAPE '\\'"}
	args := []any{"%" + likeEscape(f) + "%"}
	if c.d.name() == "sqlite" && utf8.RuneCountInString(f) >= trigramMin {
		where = append(where, a+".id IN (SELECT rowid FROM "+fts+" WHERE "+fts+" MATCH ?)")
		args = append(args, `"`+strings.ReplaceAll(f, `"`, `""`)+`"`)
	}
	return where, args
}
