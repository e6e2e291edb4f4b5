// Package api serves Aha!'s REST API for releases over HTTP: one route
// table, handlers that return errors, one place that turns an error into a
// status and {"errors":{"message":...}}, bearer-token authentication, and the
// Aha!-shaped JSON representations.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// Config configures the API.
type Config struct {
	// BaseURL builds the absolute url and resource of every record.
	BaseURL string
	// FiscalYearStart is the month (1-12) the account's fiscal year starts in.
	FiscalYearStart int
	// Logger receives request logs and internal errors; nil discards them.
	Logger *slog.Logger
	// RateLimits limits the requests of each authenticated user; nil
	// (the zero value) sets no limit.
	RateLimits []RateLimit
	// MetricsElsewhere leaves /metrics out of the routes, for serving
	// Metrics() on another address.
	MetricsElsewhere bool
	// RequestTimeout is every request's deadline, database work included;
	// past it the request answers 503 (0: DefaultRequestTimeout).
	RequestTimeout time.Duration
	// MaxInflightBody bounds the bytes of request bodies held at once; past
	// it requests answer 503 (0: DefaultMaxInflightBody).
	MaxInflightBody int64
	// AuthFailLimit is the failed authentications allowed per minute from
	// one client address before it gets 429 (0: DefaultAuthFailLimit;
	// negative: no limit).
	AuthFailLimit int
	// TrustForwardedFor takes the client address from X-Forwarded-For, for
	// a server behind a proxy that sets it.
	TrustForwardedFor bool
	// ReadCacheBytes bounds the answers to GET requests kept for as long as
	// the store's data does not change (0: DefaultReadCacheBytes; negative:
	// no cache).
	ReadCacheBytes int64
}

// Server is the HTTP API.
type Server struct {
	store  roadmap.Store
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	ops    opsState
	guards guards
	// cache holds token users and GET answers per data version; nil when
	// the store cannot tell its version.
	cache *readCache
	// patterns are the authenticated routes, for the tests that walk them.
	patterns []string
}

// New returns the API served from s.
func New(s roadmap.Store, cfg Config) *Server {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.FiscalYearStart < 1 || cfg.FiscalYearStart > 12 {
		cfg.FiscalYearStart = 1
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := &Server{store: s, cfg: cfg, log: log, mux: http.NewServeMux(), guards: newGuards(cfg), cache: newReadCache(s, cfg.ReadCacheBytes)}
	srv.routes()
	srv.initOps()
	return srv
}

// handlerFunc is a handler that returns its error for one place to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authedFunc is a handler that needs an authenticated user.
type authedFunc func(w http.ResponseWriter, r *http.Request, u *roadmap.User) error

func (s *Server) routes() {
	s.mux.Handle("GET /healthz", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, object{{"status", "ok"}})
	}))
	s.mux.Handle("GET /readyz", s.handle(s.ready))
	s.mux.Handle("GET /api/v1/openapi.json", s.handle(s.openAPIDocument))
	s.mux.Handle("GET /api/docs", s.handle(s.apiDocs))

	api := map[string]authedFunc{
		"GET /api/v1/products/{product_id}/releases":         s.listProductReleases,
		"POST /api/v1/products/{product_id}/releases":        s.createRelease,
		"GET /api/v1/products/{product_id}/releases/{id}":    s.getProductRelease,
		"PUT /api/v1/products/{product_id}/releases/{id}":    s.updateProductRelease,
		"DELETE /api/v1/products/{product_id}/releases/{id}": s.deleteProductRelease,
		"GET /api/v1/goals/{goal_id}/releases":               s.listGoalReleases,
		"GET /api/v1/initiatives/{initiative_id}/releases":   s.listInitiativeReleases,
		"GET /api/v1/releases/{release_id}/releases":         s.listRollUpReleases,
		"GET /api/v1/roll_up_releases/{release_id}/releases": s.listRollUpReleases,
		"GET /api/v1/releases/{id}":                          s.getRelease,
		"POST /api/v1/releases/{id}/duplicate":               s.duplicateRelease,
		"PUT /api/v1/releases/{id}":                          s.updateRelease,
		"DELETE /api/v1/releases/{id}":                       s.deleteRelease,
	}
	groups := []map[string]authedFunc{api, s.productRoutes(), s.goalRoutes(), s.rollUpRoutes(), s.fieldRoutes(), s.featureRoutes(), s.epicRoutes(), s.phaseRoutes(), s.commentRoutes(), s.auditRoutes(), s.deletionRoutes(), s.webhookRoutes()}
	for _, group := range groups {
		for pattern, h := range group {
			s.mux.Handle(pattern, s.handle(s.authed(h)))
			s.patterns = append(s.patterns, pattern)
		}
	}
}

// serveRoutes serves a request that ServeHTTP has looked up; requests that
// match no route get a JSON 404 (or 405), like every other error.
func (s *Server) serveRoutes(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	w = sw
	if infoOf(r.Context()).pattern == "" {
		w = &jsonErrorWriter{statusWriter: sw}
	}
	if validText(r.URL.Path) {
		s.guard(w, r)
	} else {
		// No record has a key with a NUL character or invalid UTF-8, and
		// PostgreSQL refuses to even look one up.
		s.writeError(sw, r, roadmap.Errorf(roadmap.ENOTFOUND, "Not found"))
	}
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// jsonErrorWriter replaces the plain-text body of the mux's own 404 and 405
// answers with the contract's JSON error.
type jsonErrorWriter struct {
	*statusWriter
	wrote bool
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	msg := "Not found"
	if code == http.StatusMethodNotAllowed {
		msg = "Method not allowed"
	}
	h := w.Header()
	h.Del("X-Content-Type-Options")
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.statusWriter.WriteHeader(code)
	body, _ := json.Marshal(object{{"errors", object{{"message", msg}}}})
	w.statusWriter.Write(body)
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return len(b), nil
}

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

type userKey struct{}

func (s *Server) authed(h authedFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		addr := s.guards.fails.addr(r)
		if wait := s.guards.fails.wait(addr, time.Now()); wait > 0 {
			return writeTooManyFailures(w, wait)
		}
		auth := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(auth, " ")
		if auth == "" {
			return roadmap.Errorf(roadmap.EUNAUTHORIZED, "Authentication required: send Authorization: Bearer <token>")
		}
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.guards.fails.fail(addr, time.Now())
			return roadmap.Errorf(roadmap.EUNAUTHORIZED, "Authorization must be Bearer <token>")
		}
		// A GET reads the store's version first: what the cache holds at
		// that version (the token's user, the answer) is what the store
		// would give.
		var version string
		get := s.cache != nil && r.Method == http.MethodGet
		if get {
			v, err := s.cache.store.DataVersion(r.Context())
			if err != nil {
				return err
			}
			version = v
			s.cache.at(v)
		}
		u, err := s.tokenUser(r.Context(), roadmap.HashToken(token), get, version)
		if err != nil {
			if roadmap.ErrorCode(err) == roadmap.EUNAUTHORIZED {
				s.guards.fails.fail(addr, time.Now())
			}
			return err
		}
		r = r.WithContext(s.withViewer(context.WithValue(roadmap.WithActor(r.Context(), u.ID), userKey{}, u), u))
		if !s.admit(w, r, u) {
			return nil
		}
		if get {
			return s.cachedGet(w, r, u, version, h)
		}
		return s.idempotent(w, r, u, h)
	}
}

// tokenUser returns the enabled user of the token whose hash is hash; a
// GET takes it from the read cache when it was read at the same version.
func (s *Server) tokenUser(ctx context.Context, hash []byte, cached bool, version string) (*roadmap.User, error) {
	if cached {
		if u, ok := s.cache.user(version, hash); ok {
			return &u, nil
		}
	}
	u, err := s.store.UserByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	if cached {
		s.cache.putUser(version, hash, *u)
	}
	return u, nil
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		return roadmap.Errorf(roadmap.EUNAVAILABLE, "The database is unavailable")
	}
	return writeJSON(w, http.StatusOK, object{{"status", "ok"}})
}

// writeError answers err in the contract's shape. Errors without a code are
// logged in full and answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if s.abandoned(r) {
		return
	}
	err = publicError(s.classify(r, err))
	code := roadmap.ErrorCode(err)
	status := roadmap.HTTPStatus(code)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := object{{"message", roadmap.ErrorMessage(err)}}
	var e *roadmap.Error
	if errors.As(err, &e) && e.Field != "" {
		body = append(body, kv{"field", e.Field})
	}
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="roadmapd"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, status, object{{"errors", body}})
}

// writeJSON writes v as the JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	data, err := marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
	return nil
}
