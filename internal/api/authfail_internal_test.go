package api

import (
	"fmt"
	"testing"
	"time"
)

// TestAuthFailuresWindow spends an address's failures, then lets time pass:
// the address may try again once a failure has refilled, and is forgotten
// entirely once its bucket is full again.
func TestAuthFailuresWindow(t *testing.T) {
	t.Parallel()
	a := newAuthFailures(20, false)
	now := time.Unix(1_000_000, 0)
	for range 20 {
		if w := a.wait("192.0.2.1", now); w != 0 {
			t.Fatalf("waiting %v before the limit", w)
		}
		a.fail("192.0.2.1", now)
	}
	w := a.wait("192.0.2.1", now)
	if w <= 0 || w > 3*time.Second {
		t.Fatalf("after 20 failures in an instant: wait %v, want (0, 3s] (20 a minute)", w)
	}
	if a.wait("192.0.2.2", now) != 0 {
		t.Fatal("another address is throttled")
	}
	if w := a.wait("192.0.2.1", now.Add(w)); w != 0 {
		t.Fatalf("still waiting %v after the announced wait", w)
	}
	if w := a.wait("192.0.2.1", now.Add(time.Minute)); w != 0 {
		t.Fatalf("still waiting %v a minute later", w)
	}
}

// TestAuthFailuresMemoryIsBounded fails from many more addresses than are
// remembered: the table never grows past its bound, and a fresh attacker is
// still throttled.
func TestAuthFailuresMemoryIsBounded(t *testing.T) {
	t.Parallel()
	a := newAuthFailures(3, false)
	now := time.Unix(1_000_000, 0)
	for i := range 3 * maxAuthFailAddrs {
		a.fail(fmt.Sprintf("addr-%d", i), now.Add(time.Duration(i)*time.Millisecond))
		if len(a.addrs) > maxAuthFailAddrs {
			t.Fatalf("%d addresses remembered, bound %d", len(a.addrs), maxAuthFailAddrs)
		}
	}
	later := now.Add(time.Hour)
	for range 3 {
		a.fail("attacker", later)
	}
	if a.wait("attacker", later) == 0 {
		t.Fatal("an address that spent its failures is not throttled once the table was full")
	}
}
