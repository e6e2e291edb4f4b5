package store

import "github.com/jackc/pgx/v5"

// planEach returns the arguments of a list query that PostgreSQL is to
// plan for its actual arguments at every run. pgx keeps statements
// prepared, and after a few runs PostgreSQL plans a prepared statement once
// for any arguments: a generic plan that cannot see that a filter matches
// few of a product's releases, or how small the page is, and so reads the
// whole product. Reads by key keep their prepared plans.
func (c conn) planEach(args []any) []any {
	if c.d.name() != "postgres" {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}
