package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/roadmapd/roadmapd/internal/store"
)

// backup writes a consistent copy of a SQLite database to a new file.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stdout, stderr)
	dsn := fs.str("db", "roadmapd.db", "the SQLite database to copy")
	to := fs.str("to", "", "the file to write; it must not exist")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if store.IsPostgres(*dsn) {
		return errors.New("backup copies SQLite databases; back up PostgreSQL with pg_dump, e.g. pg_dump --format=custom --file roadmapd.dump \"$ROADMAPD_DB\"")
	}
	if *to == "" {
		fs.printUsage(stderr)
		return usageError(errors.New("backup needs --to FILE"))
	}
	if err := store.Backup(ctx, *dsn, *to); err != nil {
		return err
	}
	st, err := os.Stat(*to)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *to, st.Size())
	return nil
}
