package api

import (
	"testing"
	"time"
)

// TestLimiterMemoryIsBounded feeds the limiter more users than it keeps:
// it never holds more than its bound, and idle users are the ones dropped.
func TestLimiterMemoryIsBounded(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	l := newLimiter([]RateLimit{{Requests: 10, Per: time.Minute}})
	l.max = 100
	l.now = func() time.Time { return now }
	// User 1 is busy: it has used all its requests.
	for i := 0; i < 10; i++ {
		if !l.take(1).allowed {
			t.Fatalf("request %d of user 1 refused", i+1)
		}
	}
	if l.take(1).allowed {
		t.Fatal("the 11th request of user 1 in a minute was allowed")
	}
	for u := int64(2); u < 5000; u++ {
		l.take(u)
		if u%7 == 0 {
			now = now.Add(time.Second)
		}
		if len(l.users) > l.max {
			t.Fatalf("%d users kept, bound %d", len(l.users), l.max)
		}
	}
	now = time.Unix(1_000_000, 0).Add(time.Minute)
	for u := int64(5000); u < 10000; u++ {
		l.take(u)
		if len(l.users) > l.max {
			t.Fatalf("%d users kept, bound %d", len(l.users), l.max)
		}
	}
}

// TestLimiterTakesFromEveryWindow checks that a request refused by one
// window takes nothing from the others.
func TestLimiterTakesFromEveryWindow(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	l := newLimiter([]RateLimit{{Requests: 3, Per: time.Minute}, {Requests: 2, Per: time.Second}})
	l.now = func() time.Time { return now }
	for i := 0; i < 2; i++ {
		if v := l.take(7); !v.allowed {
			t.Fatalf("request %d refused", i+1)
		}
	}
	v := l.take(7)
	if v.allowed || v.limit != 2 || v.remaining != 0 || v.retryAfter <= 0 || v.retryAfter > time.Second {
		t.Fatalf("third request in a second: %+v", v)
	}
	now = now.Add(time.Second)
	if v := l.take(7); !v.allowed || v.limit != 3 || v.remaining != 0 {
		t.Fatalf("a second later: %+v, want allowed with the minute window at 0 left", v)
	}
	if v := l.take(7); v.allowed || v.limit != 3 || v.retryAfter < 15*time.Second {
		t.Fatalf("fourth request in a minute: %+v", v)
	}
}
