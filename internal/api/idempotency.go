package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// IdempotencyTTL is how long the answer to a POST with an Idempotency-Key
// is remembered.
const IdempotencyTTL = 24 * time.Hour

// maxIdempotencyKeyLen is the longest Idempotency-Key accepted.
const maxIdempotencyKeyLen = 255

// idempotencyStore is the part of a store that remembers Idempotency-Keys.
type idempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, userID int64, key, requestHash string, ttl, staleAfter time.Duration) (roadmap.IdempotencyClaim, error)
	RecordIdempotentAnswer(ctx context.Context, userID int64, key string, status int, contentType string, body []byte) error
	ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error
}

// idempotent runs a POST that carries an Idempotency-Key at most once per
// user and key: the first request reserves the key and its answer is
// remembered; a retry of the same request gets that answer again, a
// different request with the key gets 422, and a retry while the first
// still runs gets 409. Answers of 409, 429 and 5xx are not remembered (the
// key is released for a retry) unless the request's write committed.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, u *roadmap.User, h authedFunc) error {
	key := r.Header.Get("Idempotency-Key")
	st, ok := s.store.(idempotencyStore)
	if r.Method != http.MethodPost || key == "" || !ok {
		return h(w, r, u)
	}
	if len(key) > maxIdempotencyKeyLen || !visibleASCII(key) {
		return &roadmap.Error{Code: roadmap.EMALFORMED, Field: "Idempotency-Key",
			Message: "Idempotency-Key must be 1 to 255 visible ASCII characters"}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return malformed("The request body could not be read")
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), r.Body))
	sum := sha256.New()
	io.WriteString(sum, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+"\n")
	sum.Write(data)
	hash := hex.EncodeToString(sum.Sum(nil))

	claim, err := st.ClaimIdempotencyKey(r.Context(), u.ID, key, hash, IdempotencyTTL, 2*s.guards.timeout)
	if err != nil {
		return err
	}
	switch {
	case !claim.SameRequest:
		return &roadmap.Error{Code: roadmap.EINVALID, Field: "Idempotency-Key",
			Message: "This Idempotency-Key was used for a different request; use a new key for a new request"}
	case claim.Reserved:
	case claim.Status != 0:
		w.Header().Set("Content-Type", claim.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(claim.Status)
		w.Write(claim.Body)
		return nil
	case claim.Stale && claim.Committed:
		return roadmap.Errorf(roadmap.ECONFLICT, "The first request with this Idempotency-Key took effect but its answer was lost; read the record instead of retrying")
	default:
		w.Header().Set("Retry-After", "1")
		return roadmap.Errorf(roadmap.ECONFLICT, "A request with this Idempotency-Key is still in progress; retry when it has answered")
	}

	rec := &recordedAnswer{header: http.Header{}, status: http.StatusOK}
	if err := h(rec, r.WithContext(roadmap.WithIdempotencyKey(r.Context(), u.ID, key)), u); err != nil {
		s.writeError(rec, r, err)
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if rec.status >= 500 || rec.status == http.StatusConflict || rec.status == http.StatusTooManyRequests {
		err = st.ReleaseIdempotencyKey(bg, u.ID, key)
	} else {
		err = st.RecordIdempotentAnswer(bg, u.ID, key, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
	}
	if err != nil {
		s.log.Warn("idempotency key not updated", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
	return nil
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// recordedAnswer is a ResponseWriter that keeps the answer, so that it can
// be remembered before it is sent.
type recordedAnswer struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (a *recordedAnswer) Header() http.Header { return a.header }

func (a *recordedAnswer) WriteHeader(code int) {
	if !a.wrote {
		a.status, a.wrote = code, true
	}
}

func (a *recordedAnswer) Write(b []byte) (int, error) {
	a.wrote = true
	return a.body.Write(b)
}
