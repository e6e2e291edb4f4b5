package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// checkPassword opens db and reports whether email signs in with pw.
func checkPassword(t *testing.T, db, email, pw string) bool {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, h, err := st.PasswordHash(context.Background(), email)
	if roadmap.IsBadCredentials(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return roadmap.CheckPassword(h, pw)
}

func TestInitPasswordAndSetPassword(t *testing.T) {
	dir := t.TempDir()
	db := dir + "/roadmapd.db"
	pwFile := dir + "/pw"
	if err := os.WriteFile(pwFile, []byte("s3cret-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdin = strings.NewReader("")
	t.Cleanup(func() { stdin = os.Stdin })
	if _, err := runCmd(t, "init", "--db", db, "--email", "ann@example.com", "--name", "Ann", "--password-file", pwFile); err != nil {
		t.Fatal(err)
	}
	if !checkPassword(t, db, "ann@example.com", "s3cret-file") {
		t.Fatal("init --password-file did not set the password")
	}

	stdin = strings.NewReader("from-stdin\n")
	if _, err := runCmd(t, "user", "set-password", "--db", db, "--user", "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if checkPassword(t, db, "ann@example.com", "s3cret-file") || !checkPassword(t, db, "ann@example.com", "from-stdin") {
		t.Fatal("user set-password did not replace the password")
	}

	stdin = strings.NewReader("x\n")
	if _, err := runCmd(t, "user", "set-password", "--db", db, "--user", "ann@example.com"); err == nil {
		t.Fatal("a one-character password was accepted")
	}
	stdin = strings.NewReader("another\n")
	if _, err := runCmd(t, "user", "set-password", "--db", db, "--user", "nobody@example.com"); err == nil {
		t.Fatal("set-password for an unknown user succeeded")
	}

	db2 := dir + "/env.db"
	t.Setenv("ROADMAPD_PASSWORD", "from-env")
	if _, err := runCmd(t, "init", "--db", db2, "--email", "bob@example.com", "--name", "Bob"); err != nil {
		t.Fatal(err)
	}
	if !checkPassword(t, db2, "bob@example.com", "from-env") {
		t.Fatal("init did not take ROADMAPD_PASSWORD")
	}
}
