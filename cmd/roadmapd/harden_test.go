package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
)

// TestTokenCreateRefusesADisabledUser disables a user behind the command's
// back and asks for a token: the command fails with a message that says
// why, prints no token and stores none.
func TestTokenCreateRefusesADisabledUser(t *testing.T) {
	path := t.TempDir() + "/roadmapd.db"
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Seed(ctx, demo.Account()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE users SET enabled = FALSE WHERE email = 'henry.humpty@example.com'"); err != nil {
		t.Fatal(err)
	}
	var before int
	raw.QueryRow("SELECT COUNT(*) FROM api_tokens").Scan(&before)

	out, err := runCmd(t, "token", "create", "--db", path, "--user", "henry.humpty@example.com")
	if err == nil {
		t.Fatalf("token create for a disabled user succeeded and printed %q", out)
	}
	if !strings.Contains(err.Error(), "disabled") || !strings.Contains(err.Error(), "henry.humpty@example.com") {
		t.Fatalf("token create for a disabled user: %v; want a message naming the user and saying it is disabled", err)
	}
	if out != "" {
		t.Fatalf("token create for a disabled user printed %q", out)
	}
	var after int
	raw.QueryRow("SELECT COUNT(*) FROM api_tokens").Scan(&after)
	if after != before {
		t.Fatalf("api_tokens went from %d to %d rows", before, after)
	}
	if out, err := runCmd(t, "token", "create", "--db", path, "--user", "no-reply@aha.io"); err != nil || !tokenRe.MatchString(out) {
		t.Fatalf("token create for an enabled user: %q, %v", out, err)
	}
}
