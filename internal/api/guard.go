package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/semaphore"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// DefaultRequestTimeout is Config.RequestTimeout when unset.
const DefaultRequestTimeout = 15 * time.Second

// DefaultMaxInflightBody is Config.MaxInflightBody when unset: 64 MiB.
const DefaultMaxInflightBody = 64 << 20

// MaxQueryValueLen is the most characters a query parameter's value may
// hold. No name, email or filter is longer, and SQLite refuses LIKE
// patterns past 50,000 bytes.
const MaxQueryValueLen = 500

// MaxFieldsParamLen is the most characters the fields parameter may hold:
// a list of key names, longer than any text value.
const MaxFieldsParamLen = 4000

// guards are the limits every request passes before it is routed.
type guards struct {
	timeout time.Duration
	bodies  *semaphore.Weighted
	fails   *authFailures
}

func newGuards(cfg Config) guards {
	g := guards{timeout: cfg.RequestTimeout, fails: newAuthFailures(cfg.AuthFailLimit, cfg.TrustForwardedFor)}
	if g.timeout <= 0 {
		g.timeout = DefaultRequestTimeout
	}
	n := cfg.MaxInflightBody
	if n <= 0 {
		n = DefaultMaxInflightBody
	}
	// A body is never held past MaxBodyBytes+1 bytes (more answers 413), so
	// a budget below that would refuse every large body.
	g.bodies = semaphore.NewWeighted(max(n, MaxBodyBytes+1))
	return g
}

// guard checks the query parameters, gives the request its deadline and its
// share of the in-flight body budget, then routes it. A request turned away
// here never reaches a handler, so it changes nothing.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) {
	// Errors found here are answered as they are, also on paths that match
	// no route (whose writer would turn every answer into a 404 or 405).
	ew := w
	if j, ok := w.(*jsonErrorWriter); ok {
		ew = j.statusWriter
	}
	if err := checkQuery(r.URL.RawQuery); err != nil {
		s.writeError(ew, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.guards.timeout)
	defer cancel()
	r = r.WithContext(ctx)
	release, err := s.reserveBody(r)
	if err != nil {
		s.writeError(ew, r, err)
		return
	}
	defer release()
	s.mux.ServeHTTP(w, r)
}

// checkQuery validates every query parameter in one place: the query string
// must decode, and every name and value must be UTF-8 text without NUL
// characters (PostgreSQL refuses anything else), values at most
// MaxQueryValueLen characters long (fields: MaxFieldsParamLen).
func checkQuery(raw string) error {
	if raw == "" {
		return nil
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return malformed("The query string is malformed: %s", queryErrorText(err))
	}
	for name, values := range q {
		if !validText(name) {
			return malformed("A query parameter's name is not UTF-8 text without NUL characters")
		}
		limit := MaxQueryValueLen
		if name == "fields" {
			limit = MaxFieldsParamLen
		}
		for _, v := range values {
			if !validText(v) {
				return fieldMalformed(name, "%s must be UTF-8 text without NUL characters", name)
			}
			if utf8.RuneCountInString(v) > limit {
				return fieldMalformed(name, "%s is longer than %d characters", name, limit)
			}
		}
	}
	return nil
}

// queryErrorText describes a query parsing error without echoing the query.
func queryErrorText(err error) string {
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return "a percent escape is invalid"
	}
	return "use name=value pairs separated by &"
}

// reserveBody takes the request body's bytes from the in-flight budget and
// returns the function that gives them back. A body of known length takes
// its length up front; a chunked body is read here, chunk by chunk, each
// taken before it is read, and handed on from memory. Past the budget the
// request answers 503 with Retry-After, before its body is read.
func (s *Server) reserveBody(r *http.Request) (func(), error) {
	busy := func() error {
		return roadmap.Errorf(roadmap.EUNAVAILABLE, "The server is busy receiving other request bodies; try again shortly")
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return func() {}, nil
	}
	if r.ContentLength > 0 {
		n := min(r.ContentLength, MaxBodyBytes+1)
		if !s.guards.bodies.TryAcquire(n) {
			return nil, busy()
		}
		return func() { s.guards.bodies.Release(n) }, nil
	}
	var held int64
	release := func() { s.guards.bodies.Release(held) }
	var buf bytes.Buffer
	chunk := make([]byte, 32<<10)
	for int64(buf.Len()) <= MaxBodyBytes {
		if !s.guards.bodies.TryAcquire(int64(len(chunk))) {
			release()
			return nil, busy()
		}
		n, err := r.Body.Read(chunk)
		s.guards.bodies.Release(int64(len(chunk) - n))
		held += int64(n)
		buf.Write(chunk[:n])
		if err == io.EOF {
			r.Body = io.NopCloser(&buf)
			return release, nil
		}
		if err != nil {
			release()
			return nil, malformed("The request body could not be read")
		}
	}
	r.Body = io.NopCloser(io.MultiReader(&buf, r.Body))
	return release, nil
}

// classify gives a code to the errors that mean "try again later": a
// request whose deadline passed, and a database that could not be reached
// or dropped the connection mid-request.
func (s *Server) classify(r *http.Request, err error) error {
	if roadmap.ErrorCode(err) != roadmap.EINTERNAL {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(r.Context().Err(), context.DeadlineExceeded) {
		return roadmap.Errorf(roadmap.EUNAVAILABLE, "The database did not answer in time; try again shortly")
	}
	if u, ok := s.store.(interface{ Unavailable(error) bool }); ok && u.Unavailable(err) {
		return roadmap.Errorf(roadmap.EUNAVAILABLE, "The database is unavailable; try again shortly")
	}
	return err
}
