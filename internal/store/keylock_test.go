package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestKeyLocksBoundEachKey runs many writers of two keys: no more than
// keyWriters of one key hold a turn at once, writers of another key do not
// wait for them, a writer whose context ends while it waits gets its error
// and takes no turn, and no key is remembered once its writers are done.
func TestKeyLocksBoundEachKey(t *testing.T) {
	t.Parallel()
	var k keyLocks
	ctx := context.Background()
	var inside [2]atomic.Int32
	var most [2]atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		key := int64(i % 2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := k.lock(ctx, key)
			if err != nil {
				t.Error(err)
				return
			}
			n := inside[key].Add(1)
			for {
				m := most[key].Load()
				if n <= m || most[key].CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			inside[key].Add(-1)
			unlock()
		}()
	}
	wg.Wait()
	for key := range most {
		if m := most[key].Load(); m < 1 || m > keyWriters {
			t.Errorf("key %d: %d writers at once, want 1 to %d", key, m, keyWriters)
		}
	}

	// Every turn of key 7 taken: a writer of key 8 goes on, one of key 7
	// waits until its context ends.
	var held []func()
	for range keyWriters {
		unlock, err := k.lock(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, unlock)
	}
	other, err := k.lock(ctx, 8)
	if err != nil {
		t.Fatal(err)
	}
	other()
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if unlock, err := k.lock(short, 7); err == nil {
		unlock()
		t.Fatal("a writer took a turn of a key whose turns were all taken")
	}
	for _, unlock := range held {
		unlock()
	}
	k.mu.Lock()
	left := len(k.m)
	k.mu.Unlock()
	if left != 0 {
		t.Errorf("%d keys remembered after their writers were done", left)
	}
}
