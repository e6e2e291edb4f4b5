package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
)

// send sends a request whose body has the given length, or is chunked when
// length is -1.
func (s *configuredServer) send(t testing.TB, method, path string, body io.Reader, length int64) (*response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// firstRead is a request body that tells read when it is first read.
type firstRead struct {
	io.ReadCloser
	read chan<- struct{}
	once sync.Once
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.once.Do(func() {
		select {
		case f.read <- struct{}{}:
		default:
		}
	})
	return f.ReadCloser.Read(p)
}

// padded returns a JSON body of exactly n bytes.
func padded(json string, n int) string { return json + strings.Repeat(" ", n-len(json)) }

// TestInflightBodyBudget holds a 1 MiB body half-sent under a budget of
// 1 MiB + 64 KiB: other bodies, of known length or chunked, answer 503
// with Retry-After and change nothing, and are served again once the big
// body is done. The budget acts before any handler or store, so one
// engine shows it.
func TestInflightBodyBudget(t *testing.T) {
	t.Parallel()
	// reading tells when a handler first reads the big body: the server has
	// taken its share of the budget by then.
	reading := make(chan struct{}, 1)
	s := newConfiguredServer(t, "sqlite", api.Config{MaxInflightBody: api.MaxBodyBytes + 64<<10}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PUT" {
				r.Body = &firstRead{ReadCloser: r.Body, read: reading}
			}
			next.ServeHTTP(w, r)
		})
	})
	big := padded(`{"release":{"name":"Big body"}}`, api.MaxBodyBytes)
	// startBig sends the big body's first bytes and holds back the rest,
	// and waits until the server reads them or refuses the body.
	var pw *io.PipeWriter
	var bigDone chan *response
	startBig := func() {
		var pr *io.PipeReader
		pr, pw = io.Pipe()
		done := make(chan *response, 1)
		bigDone = done
		go func() {
			r, err := s.send(t, "PUT", "/api/v1/releases/PRJ1-R-1", pr, int64(len(big)))
			if err != nil {
				t.Errorf("the big body: %v", err)
			}
			done <- r
		}()
		if _, err := io.WriteString(pw, big[:1000]); err != nil {
			t.Fatal(err)
		}
		select {
		case <-reading:
		case r := <-done:
			done <- r
		case <-time.After(30 * time.Second):
			t.Fatal("the server neither read nor answered the big body within 30s")
		}
	}
	startBig()

	probe := func(i int, chunked bool) *response {
		body := padded(fmt.Sprintf(`{"release":{"name":"Probe %d"}}`, i), 200<<10)
		var rd io.Reader = strings.NewReader(body)
		length := int64(len(body))
		if chunked {
			rd, length = io.MultiReader(rd), -1
		}
		r, err := s.send(t, "POST", "/api/v1/products/PRJ1/releases", rd, length)
		if err != nil {
			t.Fatalf("probe %d: %v", i, err)
		}
		return r
	}
	refused := []int{}
	deadline := time.Now().Add(60 * time.Second)
	i := 0
	for ; len(refused) == 0; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no body was refused while a 1 MiB body held the budget")
		}
		if r := probe(i, false); r.Status == 503 {
			refused = append(refused, i)
			continue
		}
		// A probe that reached the server before the big body's headers
		// held budget the big body needed: it was refused, and is sent
		// again.
		select {
		case r := <-bigDone:
			if r == nil || r.Status != 503 {
				t.Fatalf("the big body was answered before it was sent whole: %v", r)
			}
			pw.CloseWithError(io.ErrClosedPipe)
			startBig()
		default:
		}
	}
	for j := range 3 {
		for _, chunked := range []bool{false, true} {
			i++
			r := probe(i, chunked)
			if r.Status != 503 || r.Header.Get("Retry-After") == "" {
				t.Fatalf("probe %d (chunked %v, round %d) while the budget is spent: %s, want 503 with Retry-After", i, chunked, j, r)
			}
			if msg, _ := r.json(t)["errors"].(map[string]any)["message"].(string); msg == "" {
				t.Fatalf("503 not in the error shape: %s", r)
			}
			refused = append(refused, i)
		}
	}

	if _, err := io.WriteString(pw, big[1000:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if r := <-bigDone; r == nil || r.Status != 200 {
		t.Fatalf("the big body: %v", r)
	}
	for _, chunked := range []bool{false, true} {
		i++
		if r := probe(i, chunked); r.Status != 200 {
			t.Fatalf("a body after the big one is done (chunked %v): %s, want 200", chunked, r)
		}
	}
	list := s.do(t, "GET", "/api/v1/products/PRJ1/releases?per_page=200&q=Probe", "")
	names := map[string]bool{}
	for _, it := range list.json(t)["releases"].([]any) {
		names[it.(map[string]any)["name"].(string)] = true
	}
	for _, n := range refused {
		if names[fmt.Sprintf("Probe %d", n)] {
			t.Errorf("probe %d answered 503 but its release exists", n)
		}
	}
}
