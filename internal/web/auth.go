package web

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// CookieName is the name of the session cookie.
const CookieName = "roadmapd_session"

// Sign-in throttling: after slowAfter failures for one email within
// failWindow each further attempt waits longer, and after lockAfter the
// email is refused with 429 until failWindow has passed since the last
// failure.
const (
	slowAfter  = 3
	lockAfter  = 10
	failWindow = 15 * time.Minute
	slowStep   = 250 * time.Millisecond
	slowMax    = 2 * time.Second
)

// limiter counts failed sign-ins per email.
type limiter struct {
	mu    sync.Mutex
	now   func() time.Time
	fails map[string]*failures
	// sleep waits before a slowed answer; tests replace it.
	sleep func(ctx context.Context, d time.Duration)
}

type failures struct {
	n    int
	last time.Time
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, fails: map[string]*failures{}, sleep: func(ctx context.Context, d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}}
}

// check returns how long the email is locked out for (0: not locked) and
// how long to wait before answering an attempt.
func (l *limiter) check(email string) (locked, delay time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[email]
	if f == nil {
		return 0, 0
	}
	since := l.now().Sub(f.last)
	if since >= failWindow {
		delete(l.fails, email)
		return 0, 0
	}
	if f.n >= lockAfter {
		return failWindow - since, 0
	}
	if f.n >= slowAfter {
		d := slowStep * time.Duration(f.n-slowAfter+1)
		return 0, min(d, slowMax)
	}
	return 0, 0
}

// fail records a failed attempt.
func (l *limiter) fail(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 10000 {
		for k, f := range l.fails {
			if now.Sub(f.last) >= failWindow {
				delete(l.fails, k)
			}
		}
	}
	f := l.fails[email]
	if f == nil || now.Sub(f.last) >= failWindow {
		f = &failures{}
		l.fails[email] = f
	}
	f.n++
	f.last = now
}

// succeed forgets the failures of an email.
func (l *limiter) succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, email)
}

// sessionUser returns the user of the request's session cookie.
func (s *Server) sessionUser(r *http.Request) (*roadmap.User, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, roadmap.Errorf(roadmap.EUNAUTHORIZED, "Sign in to continue")
	}
	return s.store.SessionUser(r.Context(), roadmap.HashToken(c.Value))
}

func setCookie(w http.ResponseWriter, value string, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   int(roadmap.SessionIdle / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

func clearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// safeNext returns the local path to go to after signing in.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// signInForm is what the sign-in page shows.
type signInForm struct {
	Email string
	Next  string
	Error string
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.sessionUser(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "sign_in", &page{Title: "Sign in", Data: signInForm{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, nil, http.StatusBadRequest, "The form could not be read")
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	key := strings.ToLower(email)
	form := signInForm{Email: email, Next: safeNext(r.PostForm.Get("next"))}
	locked, delay := s.limiter.check(key)
	if locked > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(locked.Seconds()))))
		form.Error = "Too many failed sign-ins for this email. Try again later."
		s.render(w, r, http.StatusTooManyRequests, "sign_in", &page{Title: "Sign in", Data: form})
		return
	}
	if delay > 0 {
		s.limiter.sleep(r.Context(), delay)
	}
	u, hash, err := s.store.PasswordHash(r.Context(), email)
	ok := false
	switch {
	case err == nil:
		ok = roadmap.CheckPassword(hash, r.PostForm.Get("password"))
	case roadmap.IsBadCredentials(err):
		roadmap.SpendPasswordCheck()
	default:
		s.fail(w, r, nil, err)
		return
	}
	if !ok {
		s.limiter.fail(key)
		form.Error = roadmap.ErrBadCredentials.Message
		s.render(w, r, http.StatusUnauthorized, "sign_in", &page{Title: "Sign in", Data: form})
		return
	}
	s.limiter.succeed(key)
	tok := roadmap.NewToken()
	if err := s.store.CreateSession(r.Context(), u.ID, roadmap.HashToken(tok)); err != nil {
		s.fail(w, r, nil, err)
		return
	}
	setCookie(w, tok, s.secure)
	http.Redirect(w, r, form.Next, http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		if err := s.store.DeleteSession(r.Context(), roadmap.HashToken(c.Value)); err != nil {
			s.fail(w, r, nil, err)
			return
		}
	}
	clearCookie(w, s.secure)
	http.Redirect(w, r, "/sign_in", http.StatusSeeOther)
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	s.render(w, r, http.StatusOK, "password", &page{User: u, Title: "Change your password"})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	form := newForm("password", r)
	fail := func(field, msg string) error {
		form.Field, form.Message = field, msg
		s.render(w, r, http.StatusUnprocessableEntity, "password", &page{User: u, Title: "Change your password", Form: form})
		return nil
	}
	_, hash, err := s.store.PasswordHash(r.Context(), u.Email)
	if err != nil && !roadmap.IsBadCredentials(err) {
		return err
	}
	if err != nil || !roadmap.CheckPassword(hash, r.PostForm.Get("current_password")) {
		return fail("current_password", "current_password is not your password")
	}
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("password_confirmation") {
		return fail("password_confirmation", "password_confirmation does not match password")
	}
	h, err := roadmap.HashPassword(pw)
	if err != nil {
		if e, ok := err.(*roadmap.Error); ok {
			return fail(e.Field, e.Message)
		}
		return err
	}
	if err := s.store.SetPassword(r.Context(), u.ID, h); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "password", &page{User: u, Title: "Change your password", Notice: "Your password was changed."})
	return nil
}
