package store

import (
	"context"
	"database/sql"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// pagedList is one list's two statements: count counts the matches from
// the list's own table with the list's conditions and no joins, so that it
// costs what the matches cost through the filters' indexes (never a
// COUNT(*) OVER () that joins every match before the LIMIT); selectFrom and
// cond are the page's statement before its order, and id the column it is
// ordered by.
type pagedList struct {
	count      string
	countArgs  []any
	selectFrom string
	cond       string
	args       []any
	id         string
	// filtered tells that the conditions narrow the list beyond its scope
	// (a search, a time, an assignee): with few matches the page is then
	// ordered by an expression of id, so that the planners start from the
	// filter's index and sort what it finds instead of walking the scope
	// in id order to meet the matches.
	filtered bool
}

// run counts the list's matches and, when the page holds any, reads it,
// passing each row to scan; it returns the count.
func (l pagedList) run(ctx context.Context, c conn, page roadmap.Page, scan func(*sql.Rows) error) (int, error) {
	var total int
	if err := c.queryRow(ctx, l.count, c.planEach(l.countArgs)...).Scan(&total); err != nil {
		return 0, err
	}
	if total <= page.Offset() {
		return total, nil
	}
	order := " ORDER BY " + l.id
	if l.filtered && total <= fewMatches {
		order += " + 0"
	}
	rows, err := c.query(ctx, l.selectFrom+l.cond+order+" LIMIT ? OFFSET ?", c.planEach(append(l.args[:len(l.args):len(l.args)], page.PerPage, page.Offset()))...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		if err := scan(rows); err != nil {
			rows.Close()
			return 0, err
		}
	}
	return total, closeRows(rows)
}

// keptTotal returns the statement, and its arguments, that reads the total
// of a whole list from the count the write transactions keep in column col
// of the row id of table (migrations 00019 and 00025): 0 when there is no
// such row, or when visibleTo, if not 0, may not see its product.
func keptTotal(table, col string, id, visibleTo int64) (string, []any) {
	q, args := "SELECT COALESCE((SELECT "+col+" FROM "+table+" WHERE id = ?", []any{id}
	if visibleTo != 0 {
		product := "product_id"
		if table == "products" {
			product = "id"
		}
		q, args = q+" AND "+product+" IN ("+visibleProducts+")", append(args, visibleTo, visibleTo)
	}
	return q + "), 0)", args
}

// accountTotal returns the statement, and its arguments, that reads the
// total of a whole list of the account: the sum of the counts col that the
// products keep, of those visibleTo may see when it is not 0.
func accountTotal(col string, visibleTo int64) (string, []any) {
	q := "SELECT COALESCE(SUM(" + col + "), 0) FROM products"
	if visibleTo == 0 {
		return q, nil
	}
	return q + " WHERE id IN (" + visibleProducts + ")", []any{visibleTo, visibleTo}
}
