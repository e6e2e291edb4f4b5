package api

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultAuthFailLimit is Config.AuthFailLimit when unset: failed
// authentications allowed per minute from one client address.
const DefaultAuthFailLimit = 20

// maxAuthFailAddrs bounds the addresses whose failures are remembered.
const maxAuthFailAddrs = 10000

// authFailures throttles failed authentications per client address: each
// address has a token bucket of limit failures that refills at limit per
// minute. While an address's bucket is empty, every request from it
// answers 429, whatever token it sends, so that guessing tokens costs time.
type authFailures struct {
	limit    int
	trustXFF bool
	mu       sync.Mutex
	addrs    map[string]*rate.Limiter
}

func newAuthFailures(limit int, trustXFF bool) *authFailures {
	if limit == 0 {
		limit = DefaultAuthFailLimit
	}
	return &authFailures{limit: limit, trustXFF: trustXFF, addrs: map[string]*rate.Limiter{}}
}

// addr is the client address of r: the connection's peer, or with
// trustXFF the last address X-Forwarded-For names (the one the proxy in
// front of the server added).
func (a *authFailures) addr(r *http.Request) string {
	if a.trustXFF {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(parts[len(parts)-1]); last != "" {
				return last
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// wait returns how long the address must wait before it may try again; 0
// when it may try now.
func (a *authFailures) wait(addr string, now time.Time) time.Duration {
	if a.limit < 0 {
		return 0
	}
	a.mu.Lock()
	lim := a.addrs[addr]
	a.mu.Unlock()
	if lim == nil {
		return 0
	}
	tokens := lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(lim.Limit()) * float64(time.Second))
}

// fail counts a failed authentication from the address.
func (a *authFailures) fail(addr string, now time.Time) {
	if a.limit < 0 {
		return
	}
	a.mu.Lock()
	lim := a.addrs[addr]
	if lim == nil {
		if len(a.addrs) >= maxAuthFailAddrs {
			a.evict(now)
		}
		lim = rate.NewLimiter(rate.Limit(float64(a.limit)/60), a.limit)
		a.addrs[addr] = lim
	}
	a.mu.Unlock()
	lim.AllowN(now, 1)
}

// evict forgets the addresses whose bucket has refilled (they would start
// afresh anyway); if that frees nothing, it forgets a tenth of the others.
// The caller holds a.mu.
func (a *authFailures) evict(now time.Time) {
	for addr, lim := range a.addrs {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(a.addrs, addr)
		}
	}
	for addr := range a.addrs {
		if len(a.addrs) < maxAuthFailAddrs*9/10 {
			break
		}
		delete(a.addrs, addr)
	}
}

// writeTooManyFailures answers 429 in the error shape, with Retry-After.
func writeTooManyFailures(w http.ResponseWriter, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return writeJSON(w, http.StatusTooManyRequests, object{{"errors", object{{"message",
		fmt.Sprintf("Too many failed authentications from this address; try again in %d seconds", secs)}}}})
}
