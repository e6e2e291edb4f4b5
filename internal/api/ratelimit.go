package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// RateLimit is one window of a per-user request limit: at most Requests
// requests per Per. Each window is a token bucket that holds Requests tokens
// and refills continuously over Per.
type RateLimit struct {
	Requests int
	Per      time.Duration
}

// String returns the limit as ParseRateLimits reads it, such as "300/m".
func (l RateLimit) String() string {
	switch l.Per {
	case time.Second:
		return fmt.Sprintf("%d/s", l.Requests)
	case time.Minute:
		return fmt.Sprintf("%d/m", l.Requests)
	case time.Hour:
		return fmt.Sprintf("%d/h", l.Requests)
	}
	return fmt.Sprintf("%d/%s", l.Requests, l.Per)
}

// DefaultRateLimits is Aha!'s limit: 300 requests a minute and 20 a second
// per user.
const DefaultRateLimits = "300/m,20/s"

// ParseRateLimits reads a comma-separated list of limits such as
// "300/m,20/s" (units s, m, h, or a Go duration such as 10s); "off" or ""
// means no limit and returns nil.
func ParseRateLimits(spec string) ([]RateLimit, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, "off") {
		return nil, nil
	}
	var out []RateLimit
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		n, unit, ok := strings.Cut(part, "/")
		if !ok {
			return nil, fmt.Errorf("rate limit %q: want REQUESTS/UNIT such as 300/m, or off", part)
		}
		reqs, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || reqs <= 0 {
			return nil, fmt.Errorf("rate limit %q: the number of requests must be a positive integer", part)
		}
		var per time.Duration
		switch unit = strings.TrimSpace(unit); unit {
		case "s", "sec", "second":
			per = time.Second
		case "m", "min", "minute":
			per = time.Minute
		case "h", "hour":
			per = time.Hour
		default:
			if per, err = time.ParseDuration(unit); err != nil || per <= 0 {
				return nil, fmt.Errorf("rate limit %q: the unit must be s, m, h or a positive duration", part)
			}
		}
		out = append(out, RateLimit{Requests: reqs, Per: per})
	}
	return out, nil
}

// maxLimitedUsers bounds the number of users whose buckets are kept. Past
// it, idle buckets (full again, so equal to new ones) are dropped first.
const maxLimitedUsers = 10000

// limiter holds the token buckets of every user seen recently.
type limiter struct {
	limits []RateLimit
	now    func() time.Time
	max    int

	mu    sync.Mutex
	users map[int64]*userBuckets
}

type userBuckets struct {
	mu      sync.Mutex
	buckets []*rate.Limiter
}

func newLimiter(limits []RateLimit) *limiter {
	if len(limits) == 0 {
		return nil
	}
	return &limiter{limits: limits, now: time.Now, max: maxLimitedUsers, users: map[int64]*userBuckets{}}
}

// verdict is the outcome of one request against a user's limits.
type verdict struct {
	allowed    bool
	limit      int           // requests of the window closest to running out
	remaining  int           // requests left in that window
	reset      time.Time     // when that window is full again
	retryAfter time.Duration // on a refusal: until a request is allowed
}

func (l *limiter) buckets(user int64) *userBuckets {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.users[user]; ok {
		return b
	}
	if len(l.users) >= l.max {
		l.evict()
	}
	b := &userBuckets{}
	for _, lim := range l.limits {
		b.buckets = append(b.buckets, rate.NewLimiter(rate.Limit(float64(lim.Requests)/lim.Per.Seconds()), lim.Requests))
	}
	l.users[user] = b
	return b
}

// evict drops the buckets that are full again, which are the same as new
// ones; if none is, it drops one at random so that memory stays bounded.
// It runs with l.mu held.
func (l *limiter) evict() {
	now := l.now()
	for id, b := range l.users {
		if b.idle(now) {
			delete(l.users, id)
		}
	}
	for id := range l.users {
		if len(l.users) < l.max {
			break
		}
		delete(l.users, id)
	}
}

func (b *userBuckets) idle(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, bk := range b.buckets {
		if bk.TokensAt(now) < float64(bk.Burst()) {
			return false
		}
	}
	return true
}

// take counts one request of user: allowed when every window has a request
// left, and then taken from all of them.
func (l *limiter) take(user int64) verdict {
	now := l.now()
	b := l.buckets(user)
	b.mu.Lock()
	defer b.mu.Unlock()
	v := verdict{allowed: true}
	for _, bk := range b.buckets {
		if tok := bk.TokensAt(now); tok < 1 {
			v.allowed = false
			wait := time.Duration((1 - tok) / float64(bk.Limit()) * float64(time.Second))
			v.retryAfter = max(v.retryAfter, wait)
		}
	}
	if v.allowed {
		for _, bk := range b.buckets {
			bk.AllowN(now, 1)
		}
	}
	v.remaining = math.MaxInt
	for _, bk := range b.buckets {
		tok := bk.TokensAt(now)
		rem := int(math.Floor(tok))
		full := now.Add(time.Duration((float64(bk.Burst()) - tok) / float64(bk.Limit()) * float64(time.Second)))
		if rem < v.remaining || (rem == v.remaining && full.After(v.reset)) {
			v.remaining, v.limit, v.reset = rem, bk.Burst(), full
		}
	}
	return v
}

// admit records the authenticated user for the request log and applies the
// rate limit: it sets the X-Ratelimit-* headers and, when the user has no
// request left, answers 429 and returns false.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, u *roadmap.User) bool {
	if ri := infoOf(r.Context()); ri != nil {
		ri.user = u.ID
	}
	if s.ops.limiter == nil {
		return true
	}
	v := s.ops.limiter.take(u.ID)
	h := w.Header()
	h.Set("X-Ratelimit-Limit", strconv.Itoa(v.limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(v.remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(v.reset.UnixMilli())/1000)), 10))
	if v.allowed {
		return true
	}
	s.ops.metrics.rateLimited.Inc()
	secs := int(math.Ceil(v.retryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	h.Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, object{{"errors", object{{"message",
		fmt.Sprintf("Rate limit exceeded: at most %d requests per %s; retry in %d s", v.limit, perText(s.ops.limiter, v.limit), secs)}}}})
	return false
}

// perText names the window of the limit of limit requests, for the message.
func perText(l *limiter, limit int) string {
	for _, lim := range l.limits {
		if lim.Requests == limit {
			switch lim.Per {
			case time.Second:
				return "second"
			case time.Minute:
				return "minute"
			case time.Hour:
				return "hour"
			}
			return lim.Per.String()
		}
	}
	return "window"
}
