package main

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestTokenCreateRefusesADisabledUser disables a user behind the command's
// back and asks for a token: the command fails with a message that says
// why, prints no token and stores none.
func TestTokenCreateRefusesADisabledUser(t *testing.T) {
	t.Parallel()
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

// blackHole forwards TCP connections to a target until it is holed: then no
// byte passes either way on open connections, and new connections are
// accepted but lead nowhere, as when a network path to the database dies
// silently.
type blackHole struct {
	target string
	addr   string
	mu     sync.Mutex
	holed  bool
	conns  []net.Conn
}

func newBlackHole(t *testing.T, target string) *blackHole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackHole{target: target, addr: ln.Addr().String()}
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, c := range b.conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, c)
			holed := b.holed
			b.mu.Unlock()
			if holed {
				go io.Copy(io.Discard, c)
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			b.mu.Lock()
			b.conns = append(b.conns, up)
			b.mu.Unlock()
			go b.pipe(up, c)
			go b.pipe(c, up)
		}
	}()
	return b
}

// pipe copies src to dst, dropping what arrives while the path is holed.
func (b *blackHole) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !b.isHoled() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

func (b *blackHole) isHoled() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.holed
}

// drop closes every open connection, as a crashed peer or a reset does.
func (b *blackHole) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
	b.conns = nil
}

func (b *blackHole) set(holed bool) {
	b.mu.Lock()
	b.holed = holed
	b.mu.Unlock()
}

// timedRequest sends a request with a client timeout well past the
// server's deadline, so that a hang shows as a transport error.
func timedRequest(t *testing.T, method, url, key, body string) (int, http.Header, []byte, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v after %v", method, url, err, time.Since(start))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data, time.Since(start)
}

// TestBlackHoledDatabaseAnswers503 lets no byte through between a running
// server and PostgreSQL: reads and creates answer 503 with Retry-After at
// the request deadline instead of hanging, the create that answered 503
// did not commit, and when the path returns a retry with the same
// Idempotency-Key creates the record once.
func TestBlackHoledDatabaseAnswers503(t *testing.T) {
	t.Parallel()
	dsn := testdb.PostgresURL(t)
	u := strings.SplitN(strings.TrimPrefix(dsn, "postgres://"), "/", 2)
	hostPart := u[0]
	if at := strings.LastIndex(hostPart, "@"); at >= 0 {
		hostPart = hostPart[at+1:]
	}
	bh := newBlackHole(t, hostPart)
	const deadline = 2 * time.Second
	srv := startServe(t, "--db", strings.Replace(dsn, hostPart, bh.addr, 1), "--demo", "--request-timeout", deadline.String())
	const create = `{"release":{"name":"During the outage"}}`
	createURL := srv.url + "/api/v1/products/PRJ1/releases"
	if code, _, body, _ := timedRequest(t, "POST", createURL, "", `{"release":{"name":"Before the outage"}}`); code != 200 {
		t.Fatalf("create before the outage: %d %s", code, body)
	}

	bh.set(true)
	for _, req := range [][3]string{
		{"POST", createURL, create},
		{"GET", srv.url + "/api/v1/releases/PRJ1-R-1", ""},
		{"PUT", srv.url + "/api/v1/releases/PRJ1-R-1", `{"release":{"name":"Renamed in the outage"}}`},
		{"POST", createURL, create},
	} {
		key := ""
		if req[0] == "POST" {
			key = "outage-1"
		}
		code, h, body, took := timedRequest(t, req[0], req[1], key, req[2])
		if code != 503 || h.Get("Retry-After") == "" || !strings.Contains(string(body), `{"errors":{"message":`) {
			t.Fatalf("%s %s during the outage: %d %s (Retry-After %q), want 503 with Retry-After in the error shape", req[0], req[1], code, body, h.Get("Retry-After"))
		}
		// The outage lasts: an answer at all means the deadline ended the
		// wait; it must not be a driver or TCP timeout far beyond it.
		if took > 4*deadline {
			t.Fatalf("%s %s answered after %v with a %v deadline", req[0], req[1], took, deadline)
		}
	}

	bh.set(false)
	ready := time.Now().Add(30 * time.Second)
	for {
		code, _ := request(t, "GET", srv.url+"/readyz", "", "")
		if code == 200 {
			break
		}
		if time.Now().After(ready) {
			t.Fatalf("/readyz still %d 30s after the database returned", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
	count := func(name string) int {
		code, body := request(t, "GET", srv.url+"/api/v1/products/PRJ1/releases?per_page=200&q="+strings.ReplaceAll(name, " ", "+"), demo.Token, "")
		if code != 200 {
			t.Fatalf("list after the outage: %d %s", code, body)
		}
		return strings.Count(string(body), `"name":"`+name+`"`)
	}
	if n := count("During the outage"); n != 0 {
		t.Fatalf("%d creates that answered 503 during the outage were committed", n)
	}
	if n := count("Renamed in the outage"); n != 0 {
		t.Fatal("an update that answered 503 during the outage was committed")
	}
	code, _, body, _ := timedRequest(t, "POST", createURL, "outage-1", create)
	if code != 200 {
		t.Fatalf("the retry after the outage: %d %s", code, body)
	}
	if n := count("During the outage"); n != 1 {
		t.Fatalf("%d releases after the retry, want 1", n)
	}

	// A connection that drops while a request waits on it answers 503,
	// not 500.
	bh.set(true)
	type answer struct {
		code int
		body []byte
	}
	done := make(chan answer, 1)
	go func() {
		code, _, body, _ := timedRequest(t, "POST", createURL, "", `{"release":{"name":"Dropped"}}`)
		done <- answer{code, body}
	}()
	time.Sleep(deadline / 4)
	bh.drop()
	bh.set(false)
	if a := <-done; a.code != 503 {
		t.Fatalf("a request whose connection dropped: %d %s, want 503", a.code, a.body)
	}
}
