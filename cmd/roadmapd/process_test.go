package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

var binary struct {
	once sync.Once
	path string
	err  error
}

// buildBinary builds roadmapd once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "roadmapd-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "roadmapd")
		out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// process is a roadmapd serve process.
type process struct {
	url string
	cmd *exec.Cmd
	log *syncBuffer
}

func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	bin := buildBinary(t)
	p := &process{log: &syncBuffer{}}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--rate-limit", "off"}, args...)...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.log.Write([]byte(sc.Text() + "\n"))
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1] + m[2]
			}
		}
	}()
	t.Cleanup(func() {
		p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	})
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("roadmapd did not listen within 30s:\n%s", p.log.String())
	}
	return p
}

// createConcurrently sends n creates into PRJ1 from clients concurrent
// clients, spread over the servers in turn, and returns the reference number
// of each acknowledged release.
func createConcurrently(t *testing.T, servers []string, n, clients int) []string {
	t.Helper()
	var mu sync.Mutex
	var refs []string
	var failures []string
	jobs := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 60 * time.Second}
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				base := servers[i%len(servers)]
				req, _ := http.NewRequest("POST", base+"/api/v1/products/PRJ1/releases", strings.NewReader(fmt.Sprintf(`{"release":{"name":"Concurrent %d"}}`, i)))
				req.Header.Set("Authorization", "Bearer "+demo.Token)
				resp, err := client.Do(req)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				var got struct {
					Release struct {
						ReferenceNum string `json:"reference_num"`
					} `json:"release"`
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				if resp.StatusCode != 200 || json.Unmarshal(data, &got) != nil {
					failures = append(failures, fmt.Sprintf("%d %s", resp.StatusCode, data))
				} else {
					refs = append(refs, got.Release.ReferenceNum)
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d creates failed; first: %s", len(failures), n, failures[0])
	}
	return refs
}

// checkNumbering asserts that refs are exactly PRJ1-R-5 .. PRJ1-R-(4+n).
func checkNumbering(t *testing.T, refs []string, n int) {
	t.Helper()
	if len(refs) != n {
		t.Fatalf("%d releases acknowledged, want %d", len(refs), n)
	}
	sort.Slice(refs, func(i, j int) bool {
		var a, b int
		fmt.Sscanf(refs[i], "PRJ1-R-%d", &a)
		fmt.Sscanf(refs[j], "PRJ1-R-%d", &b)
		return a < b
	})
	for i, ref := range refs {
		if want := fmt.Sprintf("PRJ1-R-%d", i+5); ref != want {
			t.Fatalf("reference numbers are not distinct and gapless: position %d holds %s, want %s", i, ref, want)
		}
	}
}

// checkReadable asserts that every release is readable from every server.
func checkReadable(t *testing.T, servers, refs []string) {
	t.Helper()
	for _, base := range servers {
		code, body := request(t, "GET", base+"/api/v1/products/PRJ1/releases?per_page=200&q=Concurrent", demo.Token, "")
		if code != 200 {
			t.Fatalf("%s: list answered %d %s", base, code, body)
		}
		var page struct {
			Releases []struct {
				ReferenceNum string `json:"reference_num"`
			} `json:"releases"`
			Pagination struct {
				TotalRecords int `json:"total_records"`
			} `json:"pagination"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		if page.Pagination.TotalRecords != len(refs) {
			t.Fatalf("%s lists %d releases, want %d", base, page.Pagination.TotalRecords, len(refs))
		}
		for _, ref := range refs {
			if code, body := request(t, "GET", base+"/api/v1/releases/"+ref, demo.Token, ""); code != 200 {
				t.Fatalf("%s: GET %s answered %d %s", base, ref, code, body)
			}
		}
	}
}

// TestTwoProcessesShareOnePostgres starts two servers on one PostgreSQL
// database at once (both migrate and both ask for the demo account) and
// sends 200 creates split across them from 16 concurrent clients.
func TestTwoProcessesShareOnePostgres(t *testing.T) {
	t.Parallel()
	dsn := testdb.PostgresURL(t)
	var procs [2]*process
	var wg sync.WaitGroup
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i] = startProcess(t, "--db", dsn, "--demo")
		}()
	}
	wg.Wait()
	if procs[0] == nil || procs[1] == nil {
		t.FailNow()
	}
	loaded := 0
	for _, p := range procs {
		if strings.Contains(p.log.String(), "loaded the demo account") {
			loaded++
		}
	}
	if loaded != 1 {
		t.Fatalf("%d processes loaded the demo account, want exactly 1", loaded)
	}
	servers := []string{procs[0].url, procs[1].url}
	refs := createConcurrently(t, servers, 200, 16)
	checkNumbering(t, refs, 200)
	checkReadable(t, servers, refs)
}

// TestOneProcessOnSQLiteNumbersConcurrentCreates is the same guarantee for
// the embedded default.
func TestOneProcessOnSQLiteNumbersConcurrentCreates(t *testing.T) {
	t.Parallel()
	p := startProcess(t, "--db", t.TempDir()+"/roadmapd.db", "--demo")
	refs := createConcurrently(t, []string{p.url}, 200, 16)
	checkNumbering(t, refs, 200)
	checkReadable(t, []string{p.url}, refs)
}

// proxy forwards TCP connections to a target until it is cut, which drops
// every open connection and refuses new ones: a database outage.
type proxy struct {
	target string
	mu     sync.Mutex
	ln     net.Listener
	addr   string
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *proxy) restore(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

// TestReadinessFollowsTheDatabase cuts the connection to PostgreSQL under a
// running server: /readyz answers 503 and API requests get a quick 503 in
// the error shape; when the database returns, both recover.
func TestReadinessFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	dsn := testdb.PostgresURL(t)
	u := strings.SplitN(strings.TrimPrefix(dsn, "postgres://"), "/", 2)
	hostPart := u[0]
	if at := strings.LastIndex(hostPart, "@"); at >= 0 {
		hostPart = hostPart[at+1:]
	}
	px := newProxy(t, hostPart)
	proxied := strings.Replace(dsn, hostPart, px.addr, 1)
	srv := startServe(t, "--db", proxied, "--demo")

	if code, body := request(t, "GET", srv.url+"/readyz", "", ""); code != 200 {
		t.Fatalf("/readyz before the outage: %d %s", code, body)
	}
	px.cut()
	for _, path := range []string{"/readyz", "/api/v1/releases/PRJ1-R-1", "/api/v1/products/PRJ1/releases"} {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+demo.Token)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err != nil {
			t.Fatalf("%s during the outage: %v (after %v)", path, err, time.Since(start))
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(data), `{"errors":{"message":`) {
			t.Fatalf("%s during the outage: %d %s, want 503 in the error shape", path, resp.StatusCode, data)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", path)
		}
	}
	if code, _ := request(t, "GET", srv.url+"/healthz", "", ""); code != 200 {
		t.Fatalf("/healthz (liveness) answered %d during the outage", code)
	}
	px.restore(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, _ := request(t, "GET", srv.url+"/readyz", "", "")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d 20s after the database returned", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, body := request(t, "GET", srv.url+"/api/v1/releases/PRJ1-R-1", demo.Token, ""); code != 200 {
		t.Fatalf("after the outage: %d %s", code, body)
	}
}
