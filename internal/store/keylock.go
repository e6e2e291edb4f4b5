package store

import (
	"context"
	"sync"
)

// keyLocks queues this process's writers of one record, so that on
// PostgreSQL they reach the record's row lock one at a time. Writers that
// wait for a row lock in PostgreSQL all wake when its holder commits and
// all but one go back to sleep: with many writers of one hot row, those
// wake-ups take more of the processor than the writes. Waiting here costs
// nothing until a writer's turn. Other processes' writers still meet at the
// row lock, which alone makes the writes safe.
type keyLocks struct {
	mu sync.Mutex
	m  map[int64]*keyLock
}

type keyLock struct {
	turns chan struct{}
	refs  int
}

// keyWriters is how many writers of one record this process lets reach
// its row at once: one holds the row lock while the next waits for it in
// PostgreSQL, ready to go on the moment the first commits, with no round
// trip between them and no crowd woken with it.
const keyWriters = 2

// lock waits for a turn of the key's, or for ctx to end, and returns the
// function that ends the turn.
func (k *keyLocks) lock(ctx context.Context, key int64) (func(), error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[int64]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{turns: make(chan struct{}, keyWriters)}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	leave := func() {
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.turns <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	return func() {
		<-l.turns
		leave()
	}, nil
}
