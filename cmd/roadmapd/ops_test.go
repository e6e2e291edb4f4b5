package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// runBinary runs the built roadmapd with args and returns its stdout,
// stderr and exit code.
func runBinary(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(buildBinary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func TestHelpOnEveryCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"},
		{"serve", "--help"}, {"serve", "-h"},
		{"init", "--help"},
		{"token", "--help"},
		{"token", "create", "--help"}, {"token", "create", "-h"},
		{"backup", "--help"},
		{"version", "--help"},
	} {
		out, errOut, code := runBinary(t, args...)
		if code != 0 || !strings.Contains(out, "usage:") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want usage on stdout and exit 0", args, code, out, errOut)
		}
	}
	out, _, _ := runBinary(t, "serve", "--help")
	for _, flag := range []string{"-log-format", "-log-level", "-rate-limit", "-metrics-addr", "-db", "-addr"} {
		if !strings.Contains(out, flag) {
			t.Errorf("serve --help does not list %s:\n%s", flag, out)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"token"},
		{"token", "bogus"},
		{"serve", "--no-such-flag"},
		{"serve", "stray"},
		{"init", "--email", "a@example.com"},
		{"token", "create"},
		{"backup"},
		{"version", "extra"},
	} {
		out, errOut, code := runBinary(t, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want usage on stderr and exit 2", args, code, out, errOut)
		}
	}
	for _, args := range [][]string{
		{"serve", "--log-format", "xml"},
		{"serve", "--log-level", "loud"},
		{"serve", "--rate-limit", "lots"},
	} {
		if _, errOut, code := runBinary(t, args...); code != 2 || !strings.Contains(errOut, args[1]) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message about %s", args, code, errOut, args[1])
		}
	}
	// An error that is not a usage error still exits 1.
	_, errOut, code := runBinary(t, "token", "create", "--db", filepath.Join(t.TempDir(), "new.db"), "--user", "nobody@example.com")
	if code != 1 || errOut == "" {
		t.Errorf("token create for an unknown user: exit %d, stderr %q; want 1", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, code := runBinary(t, args...)
		if code != 0 || !strings.HasPrefix(out, "roadmapd ") || !strings.Contains(out, "go: "+runtime.Version()+"\n") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	// A build from a VCS checkout names its commit, time and state.
	got := versionText(&debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/roadmapd/roadmapd", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs.modified", Value: "true"},
			{Key: "vcs.time", Value: "2026-11-30T09:00:00Z"},
			{Key: "vcs.revision", Value: "3db2b66bd530296edb4ecdcd6dac4b4e060226e3"},
		},
	})
	want := "roadmapd v1.4.0\nrevision: 3db2b66bd530296edb4ecdcd6dac4b4e060226e3\ntime: 2026-11-30T09:00:00Z\nmodified: true\ngo: go1.26.8\n"
	if got != want {
		t.Errorf("version of a stamped build:\n%s\nwant\n%s", got, want)
	}
}

// TestBackupOfALiveDatabase copies a SQLite database while a server keeps
// creating releases in it: the copy is a consistent database that serve
// opens as it is, holding every release acknowledged before the copy began
// and, with gapless numbers, none that was not acknowledged by its end.
func TestBackupOfALiveDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	srv := startServe(t, "--db", db, "--demo")

	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, body := request(t, "POST", srv.url+"/api/v1/products/PRJ1/releases", demo.Token, fmt.Sprintf(`{"release":{"name":"Live %d"}}`, i))
				if code != 200 {
					t.Errorf("create during the backup: %d %s", code, body)
					return
				}
				acked.Add(1)
			}
		}()
	}
	for acked.Load() < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	copyPath := filepath.Join(dir, "copy.db")
	before := acked.Load()
	out, err := runCmd(t, "backup", "--db", db, "--to", copyPath)
	after := acked.Load()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, copyPath) {
		t.Errorf("backup printed %q", out)
	}
	stat, _ := os.Stat(copyPath)
	if _, err := runCmd(t, "backup", "--db", db, "--to", copyPath); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a second backup to the same file: %v, want a refusal", err)
	}
	if again, _ := os.Stat(copyPath); again.Size() != stat.Size() || !again.ModTime().Equal(stat.ModTime()) {
		t.Fatal("the refused backup changed the existing file")
	}

	raw, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the copy: %q %v", check, err)
	}
	raw.Close()

	restored := startServe(t, "--db", copyPath)
	code, body := request(t, "GET", restored.url+"/api/v1/products/PRJ1/releases?per_page=1", demo.Token, "")
	var page struct {
		Pagination struct {
			Total int64 `json:"total_records"`
		} `json:"pagination"`
	}
	if err := json.Unmarshal(body, &page); code != 200 || err != nil {
		t.Fatalf("serving the copy: %d %s", code, body)
	}
	created := page.Pagination.Total - 6
	if created < before || created > after {
		t.Fatalf("the copy holds %d created releases; %d were acknowledged before the backup and %d by its end", created, before, after)
	}
	// Numbers are gapless, so the copy holds exactly PRJ1-R-5 .. PRJ1-R-(4+created).
	last := "PRJ1-R-" + strconv.FormatInt(4+created, 10)
	if code, _ := request(t, "GET", restored.url+"/api/v1/releases/"+last, demo.Token, ""); code != 200 {
		t.Errorf("the copy lacks %s: %d", last, code)
	}
	if code, _ := request(t, "GET", restored.url+"/api/v1/releases/PRJ1-R-"+strconv.FormatInt(5+created, 10), demo.Token, ""); code != 404 {
		t.Errorf("the copy holds a release past its total: %d", code)
	}
}

func TestBackupRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, errOut, code := runBinary(t, "backup", "--db", "postgres://postgres@127.0.0.1:5432/postgres", "--to", filepath.Join(dir, "x"))
	if code != 1 || !strings.Contains(errOut, "pg_dump") {
		t.Errorf("backup of PostgreSQL: exit %d, %q; want 1 and a pointer to pg_dump", code, errOut)
	}
	_, errOut, code = runBinary(t, "backup", "--db", filepath.Join(dir, "missing.db"), "--to", filepath.Join(dir, "x"))
	if code != 1 || !strings.Contains(errOut, "no database at") {
		t.Errorf("backup of a missing file: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("backup created the missing source")
	}
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	if _, errOut, code := runBinary(t, "backup", "--db", empty, "--to", filepath.Join(dir, "y")); code != 1 || !strings.Contains(errOut, "not a roadmapd database") {
		t.Errorf("backup of an empty file: exit %d, %q", code, errOut)
	}
}

// TestSQLitePathThatCannotBeOpened checks that serve names the path and the
// reason when the SQLite file cannot be opened.
func TestSQLitePathThatCannotBeOpened(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string]string{
		filepath.Join(dir, "no", "such", "dir", "r.db"): "the directory " + filepath.Join(dir, "no", "such", "dir") + " does not exist",
		dir: "it is a directory",
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	cases[filepath.Join(file, "r.db")] = file + " is not a directory"
	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked")
		os.Mkdir(locked, 0o500)
		cases[filepath.Join(locked, "r.db")] = "permission denied"
	}
	for path, why := range cases {
		_, err := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", path)
		if err == nil || !strings.Contains(err.Error(), "cannot open the SQLite database "+path+": ") || !strings.Contains(err.Error(), why) {
			t.Errorf("--db %s: %v; want the path and %q", path, err, why)
		}
	}
}

// TestStartsWhilePostgresIsDown starts serve with PostgreSQL unreachable:
// it listens, /healthz answers 200, /readyz and the API 503 with
// Retry-After, and it keeps trying with a growing delay; once the database
// answers it migrates, loads the demo and serves.
func TestStartsWhilePostgresIsDown(t *testing.T) {
	t.Parallel()
	dsn := testdb.PostgresURL(t)
	u := strings.SplitN(strings.TrimPrefix(dsn, "postgres://"), "/", 2)
	hostPart := u[0]
	if at := strings.LastIndex(hostPart, "@"); at >= 0 {
		hostPart = hostPart[at+1:]
	}
	px := newProxy(t, hostPart)
	px.cut()
	proxied := strings.Replace(dsn, hostPart, px.addr, 1)
	srv := startServe(t, "--db", proxied, "--demo")

	if code, body := request(t, "GET", srv.url+"/healthz", "", ""); code != 200 {
		t.Fatalf("/healthz while the database is down: %d %s", code, body)
	}
	for _, path := range []string{"/readyz", "/api/v1/releases/PRJ1-R-1"} {
		req, _ := http.NewRequest("GET", srv.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+demo.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.HasPrefix(string(data), `{"errors":{"message":`) {
			t.Fatalf("%s while the database is down: %d %v %s", path, resp.StatusCode, resp.Header, data)
		}
	}
	retries := regexp.MustCompile(`retry_in=(\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for len(retries.FindAllString(srv.log.String(), -1)) < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	var delays []time.Duration
	for _, m := range retries.FindAllStringSubmatch(srv.log.String(), -1) {
		d, _ := time.ParseDuration(m[1])
		delays = append(delays, d)
	}
	if len(delays) < 3 || !(delays[0] < delays[1] && delays[1] < delays[2]) {
		t.Fatalf("want at least three logged retries with a growing delay, got %v:\n%s", delays, srv.log.String())
	}

	px.restore(t)
	deadline = time.Now().Add(30 * time.Second)
	for {
		code, _ := request(t, "GET", srv.url+"/readyz", "", "")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d 30s after the database returned:\n%s", code, srv.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, body := request(t, "GET", srv.url+"/api/v1/releases/PRJ1-R-1", demo.Token, ""); code != 200 {
		t.Fatalf("after the database returned: %d %s", code, body)
	}
	if err := srv.shutdown(t); err != nil {
		t.Fatalf("serve returned %v", err)
	}
}

// TestStartRefusesAMissingPostgresDatabase checks that a PostgreSQL server
// that answers but refuses (here: no such database) ends serve with its
// error instead of being waited for.
func TestStartRefusesAMissingPostgresDatabase(t *testing.T) {
	t.Parallel()
	dsn := testdb.PostgresURL(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/no_such_database_here"
	done := make(chan error, 1)
	go func() { _, err := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", u.String()); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no_such_database_here") {
			t.Fatalf("serve on a missing database: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve kept waiting for a database that does not exist")
	}
}

// TestStopsWhileWaitingForPostgres checks that a server still waiting for
// its database stops at once on a signal.
func TestStopsWhileWaitingForPostgres(t *testing.T) {
	t.Parallel()
	px := newProxy(t, "127.0.0.1:5432")
	px.cut()
	srv := startServe(t, "--db", "postgres://postgres@"+px.addr+"/postgres?sslmode=disable")
	start := time.Now()
	if err := srv.shutdown(t); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stopping took %v", d)
	}
}

// TestServeFlagsForOperations runs serve with JSON logs, a rate limit and
// metrics on their own address.
func TestServeFlagsForOperations(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "ops.db")
	const metricsAddr = "127.0.0.1:18517"
	srv := startServeWith(t, "--db", db, "--demo", "--log-format", "json", "--log-level", "debug", "--rate-limit", "3/m", "--metrics-addr", metricsAddr)
	for i := 0; i < 3; i++ {
		if code, body := request(t, "GET", srv.url+"/api/v1/me", demo.Token, ""); code != 200 {
			t.Fatalf("%d: %d %s", i, code, body)
		}
	}
	if code, _ := request(t, "GET", srv.url+"/api/v1/me", demo.Token, ""); code != 429 {
		t.Fatalf("fourth request with --rate-limit 3/m: %d", code)
	}
	if code, _ := request(t, "GET", srv.url+"/metrics", "", ""); code != 404 {
		t.Errorf("/metrics on the API address with --metrics-addr: %d", code)
	}
	code, body := request(t, "GET", "http://"+metricsAddr+"/metrics", "", "")
	if code != 200 || !bytes.Contains(body, []byte(`roadmapd_http_requests_total{method="GET",route="/api/v1/me",status="429"} 1`)) ||
		!bytes.Contains(body, []byte("roadmapd_rate_limited_total 1")) {
		t.Fatalf("metrics address: %d\n%s", code, body)
	}
	if err := srv.shutdown(t); err != nil {
		t.Fatal(err)
	}
	requests := 0
	for _, line := range strings.Split(strings.TrimSpace(srv.log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON", line)
		}
		if rec["msg"] == "request" && rec["route"] == "/api/v1/me" {
			requests++
		}
	}
	if requests != 4 {
		t.Errorf("%d request records of /api/v1/me, want 4:\n%s", requests, srv.log.String())
	}
}

// TestDefaultRateLimit checks that serve limits requests by default as
// Aha! does.
func TestDefaultRateLimit(t *testing.T) {
	srv := startServeWith(t, "--db", filepath.Join(t.TempDir(), "d.db"), "--demo")
	req, _ := http.NewRequestWithContext(context.Background(), "GET", srv.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Ratelimit-Limit") != "20" || resp.Header.Get("X-Ratelimit-Remaining") != "19" {
		t.Fatalf("default limit headers: %v", resp.Header)
	}
	var refused atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, _ := request(t, "GET", srv.url+"/api/v1/me", demo.Token, ""); code == 429 {
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	if refused.Load() == 0 {
		t.Fatal("41 requests at once passed the default limit of 20 a second")
	}
}

// TestRateLimitFromEnvironment checks that ROADMAPD_RATE_LIMIT sets the
// limit when the flag is not given.
func TestRateLimitFromEnvironment(t *testing.T) {
	t.Setenv("ROADMAPD_RATE_LIMIT", "2/m")
	srv := startServeWith(t, "--db", filepath.Join(t.TempDir(), "env.db"), "--demo")
	for i, want := range []int{200, 200, 429} {
		if code, body := request(t, "GET", srv.url+"/api/v1/me", demo.Token, ""); code != want {
			t.Fatalf("request %d: %d %s, want %d", i+1, code, body, want)
		}
	}
}
