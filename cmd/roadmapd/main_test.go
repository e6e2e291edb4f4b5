package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

var tokenRe = regexp.MustCompile(`^[0-9a-f]{64}\n$`)

// running is a server started in-process by run("serve", ...).
type running struct {
	url  string
	log  *syncBuffer
	stop context.CancelFunc
	done chan error
}

// syncBuffer is a log sink that tests can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRe = regexp.MustCompile(`msg=listening addr=(\S+)|"msg":"listening","addr":"([^"]+)"`)

// startServe runs `roadmapd serve` in-process on a free port, without rate
// limits, and waits until it listens. The server is stopped when the test
// ends.
func startServe(t *testing.T, args ...string) *running {
	t.Helper()
	return startServeWith(t, append([]string{"--rate-limit", "off"}, args...)...)
}

// startServeWith is startServe with the server's default rate limits.
func startServeWith(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	r := &running{log: &syncBuffer{}, stop: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), io.Discard, pw)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			r.log.Write([]byte(line + "\n"))
			if m := listenRe.FindStringSubmatch(line); m != nil {
				addr <- m[1] + m[2]
			}
		}
	}()
	select {
	case a := <-addr:
		r.url = "http://" + a
	case err := <-r.done:
		cancel()
		t.Fatalf("serve exited before listening: %v\n%s", err, r.log.String())
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("serve did not listen within 20s\n%s", r.log.String())
	}
	t.Cleanup(func() { r.shutdown(t) })
	return r
}

// shutdown stops the server and returns what run returned.
func (r *running) shutdown(t *testing.T) error {
	r.stop()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s")
	}
	return nil
}

func request(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	if err != nil {
		return out.String(), fmt.Errorf("%v (stderr: %s)", err, errOut.String())
	}
	return out.String(), nil
}

func TestInitTokenAndServe(t *testing.T) {
	t.Parallel()
	db := t.TempDir() + "/roadmapd.db"
	tok, err := runCmd(t, "init", "--db", db, "--email", "ann@example.com", "--name", "Ann Admin")
	if err != nil {
		t.Fatal(err)
	}
	if !tokenRe.MatchString(tok) {
		t.Fatalf("init printed %q, want a 64-hex token", tok)
	}
	if _, err := runCmd(t, "init", "--db", db, "--email", "bob@example.com", "--name", "Bob"); err == nil {
		t.Fatal("a second init succeeded; want it refused")
	}
	tok2, err := runCmd(t, "token", "create", "--db", db, "--user", "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !tokenRe.MatchString(tok2) || tok2 == tok {
		t.Fatalf("token create printed %q", tok2)
	}
	if _, err := runCmd(t, "token", "create", "--db", db, "--user", "nobody@example.com"); err == nil {
		t.Fatal("token create for an unknown user succeeded")
	}
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(strings.TrimSpace(tok))) {
		t.Fatal("the database file holds a token in plain text")
	}

	srv := startServe(t, "--db", db)
	if code, _ := request(t, "GET", srv.url+"/healthz", "", ""); code != 200 {
		t.Fatalf("/healthz answered %d", code)
	}
	for _, tk := range []string{tok, tok2} {
		code, body := request(t, "GET", srv.url+"/api/v1/releases/NOPE-R-1", strings.TrimSpace(tk), "")
		if code != 404 {
			t.Fatalf("with a valid token: %d %s, want 404", code, body)
		}
	}
	for _, tk := range []string{"", "wrong", demo.Token} {
		code, body := request(t, "GET", srv.url+"/api/v1/releases/NOPE-R-1", tk, "")
		if code != 401 || !bytes.Contains(body, []byte(`"errors":{"message":`)) {
			t.Fatalf("with token %q: %d %s, want 401 in the error shape", tk, code, body)
		}
	}
	if err := srv.shutdown(t); err != nil {
		t.Fatalf("serve returned %v after shutdown", err)
	}
}

func TestDemoLoadsOnlyIntoAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	db := t.TempDir() + "/roadmapd.db"
	srv := startServe(t, "--db", db, "--demo")
	code, body := request(t, "POST", srv.url+"/api/v1/products/PRJ1/releases", demo.Token, `{"release":{"name":"Kept"}}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	if err := srv.shutdown(t); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(srv.log.String(), "loaded the demo account") {
		t.Fatalf("first start did not say it loaded the demo:\n%s", srv.log.String())
	}

	again := startServe(t, "--db", db, "--demo")
	code, body = request(t, "GET", again.url+"/api/v1/products/PRJ1/releases?q=kept", demo.Token, "")
	if code != 200 || !bytes.Contains(body, []byte(`"total_records":1`)) {
		t.Fatalf("after a second --demo start the created release is gone: %d %s", code, body)
	}
	code, body = request(t, "GET", again.url+"/api/v1/products/PRJ1/releases", demo.Token, "")
	if code != 200 || !bytes.Contains(body, []byte(`"total_records":7`)) {
		t.Fatalf("after a second --demo start PRJ1 should hold its 6 demo releases and the created one: %s", body)
	}
	if !strings.Contains(again.log.String(), "already holds data") {
		t.Fatalf("second start did not say the demo was skipped:\n%s", again.log.String())
	}

	other := t.TempDir() + "/other.db"
	if _, err := runCmd(t, "init", "--db", other, "--email", "ann@example.com", "--name", "Ann"); err != nil {
		t.Fatal(err)
	}
	srv3 := startServe(t, "--db", other, "--demo")
	if code, _ := request(t, "GET", srv3.url+"/api/v1/releases/PRJ1-R-1", demo.Token, ""); code != 401 {
		t.Fatalf("the demo token works in a database that was not empty: %d", code)
	}
}

func TestBaseURLAndFiscalYearFromEnvironment(t *testing.T) {
	t.Setenv("ROADMAPD_BASE_URL", "https://plans.example.com/")
	t.Setenv("ROADMAPD_FISCAL_YEAR_START", "10")
	t.Setenv("ROADMAPD_DB", t.TempDir()+"/env.db")
	srv := startServe(t, "--demo")
	code, body := request(t, "PUT", srv.url+"/api/v1/releases/PRJ1-R-1", demo.Token,
		`{"release":{"external_release_date":"2024-11-15","external_date_resolution":"quarter"}}`)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var got struct {
		Release struct {
			URL         string `json:"url"`
			Description string `json:"external_release_date_description"`
		} `json:"release"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Release.URL != "https://plans.example.com/releases/PRJ1-R-1" {
		t.Errorf("url %q: ROADMAPD_BASE_URL not used", got.Release.URL)
	}
	if got.Release.Description != "Q1 FY25" {
		t.Errorf("description %q, want Q1 FY25 with the fiscal year starting in October", got.Release.Description)
	}
}

func TestBadFlagsAreRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"serve", "--fiscal-year-start", "13"},
		{"serve", "--no-such-flag"},
		{"init", "--email", "a@example.com"},
		{"token", "create"},
		{"bogus"},
		{},
	} {
		if _, err := runCmd(t, args...); err == nil {
			t.Errorf("%v succeeded; want an error", args)
		}
	}
}

// TestShutdownFinishesInFlightRequests starts a create, begins shutting the
// server down while the request body is still arriving, and checks that the
// request completes and that its release is in the database afterwards.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	db := t.TempDir() + "/roadmapd.db"
	srv := startServe(t, "--db", db, "--demo")
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"release":{"name":"In flight"}}`
	fmt.Fprintf(conn, "POST /api/v1/products/PRJ1/releases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		demo.Token, len(body), body[:10])
	time.Sleep(200 * time.Millisecond)

	stopped := make(chan error, 1)
	go func() { stopped <- srv.shutdown(t) }()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("serve stopped (%v) before the in-flight request finished", err)
	default:
	}
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request got no response: %v", err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(data, []byte(`"reference_num":"PRJ1-R-5"`)) {
		t.Fatalf("in-flight request: %d %s", resp.StatusCode, data)
	}
	conn.Close()
	if err := <-stopped; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.url, "http://"), time.Second); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}

	again := startServe(t, "--db", db)
	tok, err := runCmd(t, "token", "create", "--db", db, "--user", "no-reply@aha.io")
	if err != nil {
		t.Fatal(err)
	}
	code, got := request(t, "GET", again.url+"/api/v1/releases/PRJ1-R-5", strings.TrimSpace(tok), "")
	if code != 200 || !bytes.Contains(got, []byte(`"name":"In flight"`)) {
		t.Fatalf("the acknowledged release is lost after shutdown: %d %s", code, got)
	}
}
