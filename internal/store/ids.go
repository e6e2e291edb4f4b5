package store

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// idGen makes 64-bit, time-ordered record IDs: milliseconds since the epoch
// in the high bits and 22 low bits that start at a random value each
// millisecond and count up within it. IDs from one process are strictly
// increasing; processes sharing a database collide only if they draw the same
// random value in the same millisecond.
type idGen struct {
	mu   sync.Mutex
	last int64
}

func newIDGen() *idGen { return &idGen{} }

const idLowBits = 22

func (g *idGen) next(now time.Time) int64 {
	var b [4]byte
	rand.Read(b[:])
	low := int64(binary.BigEndian.Uint32(b[:]) & (1<<(idLowBits-1) - 1))
	id := now.UnixMilli()<<idLowBits | low
	g.mu.Lock()
	defer g.mu.Unlock()
	if id <= g.last {
		id = g.last + 1
	}
	g.last = id
	return id
}
