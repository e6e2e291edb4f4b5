package main

import (
	"io"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// runOpen sends requests at a fixed rate for d, whatever the answers'
// latency (an open loop: a slow answer does not delay the next request),
// and measures each answer's latency from the time its request was due, so
// that a queue building up in the server counts in full.
func runOpen(rate float64, d time.Duration, mk func(client, i int) *http.Request) sample {
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	n := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := client.Do(mk(i%1024, i))
			if err != nil {
				failed.Add(1)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 300 {
				failed.Add(1)
				return
			}
			ok.Add(1)
			l := time.Since(due)
			mu.Lock()
			lat = append(lat, l)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		log.Printf("%d requests failed", f)
	}
	return sample{ok: ok.Load(), elapsed: time.Since(start), lat: lat}
}
