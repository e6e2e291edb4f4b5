// Package migrations holds the store's schema migrations, one directory per
// SQL dialect ("sqlite" and "postgres"), for tools and tests that prepare a
// database without opening a store.
package migrations

import "embed"

// FS holds the goose migration files under sqlite/ and postgres/.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
