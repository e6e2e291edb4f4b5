package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/roadmapd/roadmapd/internal/store"
)

// gate answers for the server until the database has been opened: /healthz
// 200 (the process lives), everything else 503 with Retry-After (not ready);
// then it hands every request to the handler set by open.
type gate struct {
	h atomic.Pointer[http.Handler]
}

func (g *gate) open(h http.Handler) { g.h.Store(&h) }

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := g.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.URL.Path == "/healthz" {
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"status":"ok"}`)
		return
	}
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprint(w, `{"errors":{"message":"The database is unavailable; the server is starting, try again shortly"}}`)
}

// Backoff of the attempts to reach the database at start.
const (
	firstRetry = 500 * time.Millisecond
	maxRetry   = 30 * time.Second
)

// openUntilUp opens the store, trying again with exponential backoff
// (capped at maxRetry, each failure logged) for as long as the database
// server cannot be reached. It returns early with ctx's error when ctx ends,
// and at once on an error that waiting does not cure.
func openUntilUp(ctx context.Context, log *slog.Logger, dsn string, open func(context.Context) (*store.DB, error), delay time.Duration) (*store.DB, error) {
	for {
		log.Warn("the database does not answer; serving 503 until it does", "retry_in", delay)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		st, err := open(ctx)
		if err == nil {
			log.Info("the database answers; serving")
			return st, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !store.Unavailable(dsn, err) {
			return nil, fmt.Errorf("opening the database: %w", err)
		}
		log.Warn("opening the database failed", "err", err)
		delay = min(2*delay, maxRetry)
	}
}
