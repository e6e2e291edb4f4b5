// Package web serves the roadmap in a browser: server-rendered pages and
// forms on html/template, beside the API and over the same roadmap.Store and
// domain rules. Pages live at the addresses the API's url values give
// (/releases/PRJ1-R-1, /projects/PRJ1, ...). Templates, styles and the one
// script are embedded; the script only adds dragging to pages that work
// without it.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config configures the web UI.
type Config struct {
	// BaseURL is the server's public base; an https base makes the session
	// cookie Secure.
	BaseURL string
	// FiscalYearStart is the month (1-12) the account's fiscal year starts in.
	FiscalYearStart int
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil is time.Now. The roadmap's today
	// line and default range follow it.
	Now func() time.Time
}

// Server is the web UI.
type Server struct {
	store   roadmap.Store
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	pages   map[string]*template.Template
	policy  *bluemonday.Policy
	secure  bool
	limiter *limiter
	handler http.Handler
}

// New returns the web UI served from st.
func New(st roadmap.Store, cfg Config) *Server {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		store:   st,
		cfg:     cfg,
		log:     log,
		mux:     http.NewServeMux(),
		policy:  bluemonday.UGCPolicy(),
		secure:  strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://"),
		limiter: newLimiter(cfg.Now),
	}
	s.pages = parseTemplates(s)
	s.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, nil, http.StatusForbidden, "This form was sent from another site, so it was refused.")
	}))
	s.handler = cop.Handler(s.mux)
	return s
}

// ServeHTTP serves a request with the UI's security headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	s.handler.ServeHTTP(w, r)
}

// pageFunc is a handler of a signed-in user that returns its error.
type pageFunc func(w http.ResponseWriter, r *http.Request, u *roadmap.User) error

func (s *Server) routes() {
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	s.mux.HandleFunc("GET /sign_in", s.signInPage)
	s.mux.HandleFunc("POST /sign_in", s.signIn)
	s.mux.HandleFunc("POST /sign_out", s.signOut)

	pages := map[string]pageFunc{
		"GET /{$}":                             s.home,
		"GET /account/password":                s.passwordPage,
		"POST /account/password":               s.changePassword,
		"GET /projects/{product}":              s.roadmapPage,
		"GET /projects/{product}/releases/new": s.newReleasePage,
		"POST /projects/{product}/releases":    s.createRelease,
		"GET /projects/{product}/users":        s.productUsersPage,
		"POST /projects/{product}/users":       s.addProductUser,
		"GET /releases/{id}":                   s.releasePage,
		"GET /master_releases/{id}":            s.releasePage,
		"GET /releases/{id}/edit":              s.editReleasePage,
		"POST /releases/{id}":                  s.updateRelease,
		"POST /releases/{id}/ship":             s.shipRelease,
		"POST /releases/{id}/dates":            s.redateRelease,
		"POST /releases/{id}/duplicate":        s.duplicateRelease,
		"GET /releases/{id}/delete":            s.deleteReleasePage,
		"POST /releases/{id}/delete":           s.deleteRelease,
		"POST /releases/{id}/comments":         s.addComment,
		"POST /releases/{id}/features/move":    s.moveFeature,
		"GET /features/{id}":                   s.featurePage,
		"GET /epics/{id}":                      s.epicPage,
		"GET /requirements/{id}":               s.requirementPage,
		"GET /initiatives/{id}":                s.initiativePage,
		"GET /strategic_imperatives/{id}":      s.goalPage,
		"GET /key_results/{id}":                s.keyResultPage,
		"GET /comments/{id}":                   s.commentPage,
	}
	for pattern, h := range pages {
		s.mux.Handle(pattern, s.signedIn(h))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, nil, http.StatusNotFound, "There is no page at this address.")
	})
}

// cacheStatic lets browsers keep the embedded assets for an hour.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// signedIn runs h for the user of the request's session; without one, a
// GET is sent to the sign-in page and anything else answered 401.
func (s *Server) signedIn(h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.sessionUser(r)
		if err != nil {
			if roadmap.ErrorCode(err) != roadmap.EUNAUTHORIZED {
				s.fail(w, r, nil, err)
				return
			}
			clearCookie(w, s.secure)
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/sign_in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.renderError(w, r, nil, http.StatusUnauthorized, "Your session has ended. Sign in again.")
			return
		}
		if c, err := r.Cookie(CookieName); err == nil && r.Method == http.MethodGet {
			// The session slides on the server; the cookie slides with it.
			setCookie(w, c.Value, s.secure)
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, u, roadmap.Errorf(roadmap.EMALFORMED, "The form could not be read"))
				return
			}
		}
		r = r.WithContext(roadmap.WithActor(r.Context(), u.ID))
		if err := h(w, r, u); err != nil {
			s.fail(w, r, u, err)
		}
	})
}

// fail answers an error that no form shows: an error page with the
// status the API gives the same error. Internal errors are logged in full
// and shown with a generic message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, u *roadmap.User, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		err = roadmap.Errorf(roadmap.EUNAVAILABLE, "The database did not answer in time; try again shortly")
	}
	status := roadmap.HTTPStatus(roadmap.ErrorCode(err))
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	msg := roadmap.ErrorMessage(err)
	if status == http.StatusNotFound {
		msg = "There is no page at this address, or you may not see it."
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	s.renderError(w, r, u, status, msg)
}

// renderError writes the error page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, u *roadmap.User, status int, msg string) {
	s.render(w, r, status, "error", &page{User: u, Title: http.StatusText(status), Data: msg})
}

// authorize checks that u has access a in a product, as the API does: a
// product without a role is not found, one seen but not changeable is
// forbidden.
func (s *Server) authorize(ctx context.Context, u *roadmap.User, productID int64, a roadmap.Access) error {
	if u.Admin {
		return nil
	}
	role, err := s.store.ProductRole(ctx, u.ID, productID)
	if err != nil {
		return err
	}
	return roadmap.Authorize(u, role, a)
}

// can reports whether u has access a in a product, for showing controls.
func (s *Server) can(ctx context.Context, u *roadmap.User, productID int64, a roadmap.Access) bool {
	return s.authorize(ctx, u, productID, a) == nil
}

// visibleTo returns the user ID that lists filter on: 0 (everything) for the
// account administrator.
func visibleTo(u *roadmap.User) int64 {
	if u.Admin {
		return 0
	}
	return u.ID
}

// today returns the current date as YYYY-MM-DD.
func (s *Server) today() string { return roadmap.Today(s.cfg.Now()) }
