package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestWebhookCommandsHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"webhook", "--help"}, {"webhook", "-h"},
		{"webhook", "list", "--help"},
		{"webhook", "create", "--help"}, {"webhook", "create", "-h"},
		{"webhook", "update", "--help"},
		{"webhook", "delete", "--help"},
	} {
		out, errOut, code := runBinary(t, args...)
		if code != 0 || !strings.Contains(out, "usage:") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want usage on stdout and exit 0", args, code, out, errOut)
		}
	}
	out, _, _ := runBinary(t, "webhook", "create", "--help")
	for _, flag := range []string{"-url", "-secret", "-secret-file", "-enabled", "-record-types", "-db"} {
		if !strings.Contains(out, flag) {
			t.Errorf("webhook create --help does not list %s:\n%s", flag, out)
		}
	}
	out, _, _ = runBinary(t, "serve", "--help")
	for _, flag := range []string{"-webhook-timeout", "-webhook-concurrency", "-webhook-poll"} {
		if !strings.Contains(out, flag) {
			t.Errorf("serve --help does not list %s", flag)
		}
	}
	for _, args := range [][]string{
		{"webhook"},
		{"webhook", "bogus"},
		{"webhook", "create"},
		{"webhook", "update", "--url", "https://example.com/"},
		{"webhook", "delete"},
		{"webhook", "list", "stray"},
		{"serve", "--webhook-timeout", "0s"},
		{"serve", "--webhook-concurrency", "-1"},
	} {
		if out, errOut, code := runBinary(t, args...); code != 2 || out != "" || errOut == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a message on stderr and exit 2", args, code, out, errOut)
		}
	}
}

// TestWebhookCommands creates, lists, updates and deletes a webhook from
// the command line; a bad URL is refused before anything is written, and
// the secret is never printed.
func TestWebhookCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "roadmapd.db")
	if _, errOut, code := runBinary(t, "webhook", "create", "--db", db, "--url", "ftp://example.com/x"); code != 1 || !strings.Contains(errOut, "url") {
		t.Fatalf("create with a bad URL: exit %d, %s", code, errOut)
	}
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("from a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runBinary(t, "webhook", "create", "--db", db, "--url", "https://hooks.example.com/a", "--secret-file", secretFile, "--record-types", "Feature, release")
	if code != 0 {
		t.Fatalf("create: exit %d, %s", code, errOut)
	}
	m := regexp.MustCompile(`(?m)^(\d+)\s+true\s+set\s+feature,release\s+https://hooks.example.com/a$`).FindStringSubmatch(out)
	if m == nil || strings.Contains(out, "from a file") {
		t.Fatalf("create printed:\n%s", out)
	}
	id := m[1]
	if _, errOut, code := runBinary(t, "webhook", "create", "--db", db, "--url", "http://127.0.0.1:9/b", "--enabled=false"); code != 0 {
		t.Fatalf("second create: %s", errOut)
	}
	out, _, _ = runBinary(t, "webhook", "list", "--db", db)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !regexp.MustCompile(`false\s+none\s+all\s+http://127.0.0.1:9/b`).MatchString(out) {
		t.Fatalf("list:\n%s", out)
	}
	out, errOut, code = runBinary(t, "webhook", "update", "--db", db, "--id", id, "--record-types", "", "--enabled=false")
	if code != 0 || !regexp.MustCompile(`(?m)^`+id+`\s+false\s+set\s+all\s+https://hooks.example.com/a$`).MatchString(out) {
		t.Fatalf("update: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := runBinary(t, "webhook", "update", "--db", db, "--id", id, "--url", "nope"); code != 1 || errOut == "" {
		t.Fatalf("update with a bad URL: exit %d", code)
	}
	if out, errOut, code := runBinary(t, "webhook", "delete", "--db", db, "--id", id); code != 0 || !strings.Contains(out, "deleted webhook "+id) {
		t.Fatalf("delete: exit %d %s%s", code, out, errOut)
	}
	if _, errOut, code := runBinary(t, "webhook", "delete", "--db", db, "--id", id); code != 1 || !strings.Contains(errOut, "not found") {
		t.Fatalf("second delete: exit %d %s", code, errOut)
	}
	out, _, _ = runBinary(t, "webhook", "list", "--db", db)
	if strings.Contains(out, id) || len(strings.Split(strings.TrimSpace(out), "\n")) != 2 {
		t.Fatalf("list after the delete:\n%s", out)
	}
}
