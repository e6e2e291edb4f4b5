package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
)

// BenchmarkConcurrentBigBodies sends 300 concurrent authenticated 1 MiB
// PUTs and reports the peak heap of the process while they run, with the
// default in-flight body budget (64 MiB) and with an unbounded one, in one
// run: compare their peak-heap-MiB. refused/op is how many answered 503,
// cut/op how many saw their connection closed after a 503 they did not read.
func BenchmarkConcurrentBigBodies(b *testing.B) {
	const clients = 300
	body := []byte(padded(`{"release":{"name":"Big body"}}`, api.MaxBodyBytes))
	for _, c := range []struct {
		name   string
		budget int64
	}{{"budget=64MiB", api.DefaultMaxInflightBody}, {"budget=unbounded", 1 << 40}} {
		b.Run(c.name, func(b *testing.B) {
			s := newConfiguredServer(b, "sqlite", api.Config{MaxInflightBody: c.budget})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			defer client.CloseIdleConnections()
			var peak, refused, cut atomic.Int64
			for b.Loop() {
				runtime.GC()
				base := heapBytes()
				stop := make(chan struct{})
				sampled := make(chan struct{})
				go func() {
					defer close(sampled)
					for {
						if h := heapBytes() - base; h > peak.Load() {
							peak.Store(h)
						}
						select {
						case <-stop:
							return
						case <-time.After(time.Millisecond):
						}
					}
				}()
				var wg sync.WaitGroup
				for range clients {
					wg.Go(func() {
						ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
						defer cancel()
						req, _ := http.NewRequestWithContext(ctx, "PUT", s.URL+"/api/v1/releases/PRJ1-R-1", bytes.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+demo.Token)
						resp, err := client.Do(req)
						if err != nil {
							// A refused body's connection is closed after
							// the 503, sometimes before the client reads it.
							cut.Add(1)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						switch resp.StatusCode {
						case 200:
						case 503:
							refused.Add(1)
						default:
							b.Errorf("status %d", resp.StatusCode)
						}
					})
				}
				wg.Wait()
				close(stop)
				<-sampled
			}
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(refused.Load())/float64(b.N), "refused/op")
			b.ReportMetric(float64(cut.Load())/float64(b.N), "cut/op")
		})
	}
}

// heapBytes reads the bytes of live and not yet swept heap objects without
// stopping the world.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
