package api_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
)

// BenchmarkListAnswerForms measures a list of releases answered whole, gzip
// compressed, and as 304 Not Modified, reporting the bytes sent.
func BenchmarkListAnswerForms(b *testing.B) {
	s := newOpsServerB(b)
	const path = "/api/v1/products/PRJ1/releases?fields=*"
	first := s.send(b, "GET", path, "")
	etag := first.Header.Get("ETag")
	for _, form := range []struct {
		name    string
		headers []string
	}{
		{"identity", nil},
		{"gzip", []string{"Accept-Encoding", "gzip"}},
		{"not-modified", []string{"If-None-Match", etag}},
	} {
		b.Run(form.name, func(b *testing.B) {
			var n int64
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest("GET", s.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+demo.Token)
				for j := 0; j+1 < len(form.headers); j += 2 {
					req.Header.Set(form.headers[j], form.headers[j+1])
				}
				resp, err := s.Client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				m, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				n += m
			}
			b.ReportMetric(float64(n)/float64(b.N), "body-bytes/op")
		})
	}
}

func newOpsServerB(b *testing.B) *opsServer {
	return newOpsServer(b, "sqlite", api.Config{})
}
