package roadmap

import "context"

// IdempotencyClaim is what a store answers when a request asks for its
// Idempotency-Key.
type IdempotencyClaim struct {
	// Reserved says that the caller now holds the key and runs the request.
	Reserved bool
	// SameRequest says that the key was first used for the same request
	// (method, path, query and body); a key is never reused for another.
	SameRequest bool
	// Committed says that the first request's write took effect.
	Committed bool
	// Stale says that the first request ended (its deadline is long past)
	// without recording an answer.
	Stale bool
	// Status, ContentType and Body are the first request's answer; Status
	// is 0 while it is unknown (the first request is still running, or its
	// answer was lost).
	Status      int
	ContentType string
	Body        []byte
}

type idempotencyKey struct{}

type idempotencyRef struct {
	userID int64
	key    string
}

// WithIdempotencyKey returns a context under which every write transaction
// that commits marks the user's Idempotency-Key as committed, in the same
// transaction.
func WithIdempotencyKey(ctx context.Context, userID int64, key string) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, idempotencyRef{userID, key})
}

// IdempotencyKeyFrom returns the Idempotency-Key that ctx carries.
func IdempotencyKeyFrom(ctx context.Context) (userID int64, key string, ok bool) {
	ref, ok := ctx.Value(idempotencyKey{}).(idempotencyRef)
	return ref.userID, ref.key, ok
}
