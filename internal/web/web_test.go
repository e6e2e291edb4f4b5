package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

func TestSignInAndOut(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.password(demo.Mary, "demo")
		r := e.get("", "/projects/PRJ1")
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/sign_in?next=%2Fprojects%2FPRJ1" {
			t.Fatalf("signed out: %d %q", r.Status, r.Header.Get("Location"))
		}
		e.must(e.get("", "/sign_in"), http.StatusOK, `<label for="email">Email</label>`, `<label for="password">Password</label>`)

		r = e.post("", "/sign_in", url.Values{"email": {"no-reply@aha.io"}, "password": {"wrong"}})
		e.must(r, http.StatusUnauthorized, "The email or password is not right")
		if len(r.Header.Values("Set-Cookie")) != 0 {
			t.Fatal("a failed sign-in set a cookie")
		}
		e.must(e.post("", "/sign_in", url.Values{"email": {"nobody@example.com"}, "password": {"demo"}}), http.StatusUnauthorized, "The email or password is not right")

		r = e.post("", "/sign_in", url.Values{"email": {"No-Reply@aha.io"}, "password": {"demo"}, "next": {"/projects/PRJ1"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/projects/PRJ1" {
			t.Fatalf("sign-in: %d %q", r.Status, r.Header.Get("Location"))
		}
		c := (&http.Response{Header: r.Header}).Cookies()
		if len(c) != 1 || c[0].Name != CookieName || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode || c[0].Secure {
			t.Fatalf("cookie %+v", c)
		}
		e.must(e.get(c[0].Value, "/"), http.StatusOK, "Mary Humpty", "Project 1")

		r = e.post(c[0].Value, "/sign_out", url.Values{})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", r.Status)
		}
		if _, err := e.db.SessionUser(context.Background(), roadmap.HashToken(c[0].Value)); err == nil {
			t.Fatal("the session outlived sign-out")
		}
		if r := e.get(c[0].Value, "/"); r.Status != http.StatusSeeOther {
			t.Fatalf("after sign-out: %d", r.Status)
		}

		// A next address off the site is not followed.
		r = e.post("", "/sign_in", url.Values{"email": {"no-reply@aha.io"}, "password": {"demo"}, "next": {"//evil.example/"}})
		if r.Header.Get("Location") != "/" {
			t.Fatalf("next //evil.example/ went to %q", r.Header.Get("Location"))
		}
	})
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite", "https://plans.example.com")
	e.password(demo.Mary, "demo")
	r := e.post("", "/sign_in", url.Values{"email": {"no-reply@aha.io"}, "password": {"demo"}})
	c := (&http.Response{Header: r.Header}).Cookies()
	if len(c) != 1 || !c[0].Secure {
		t.Fatalf("cookie on an https base: %+v", c)
	}
}

func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite", "http://company.aha.io")
	e.password(demo.Mary, "demo")
	var waits []time.Duration
	e.web.limiter.sleep = func(_ context.Context, d time.Duration) { waits = append(waits, d) }
	bad := url.Values{"email": {"no-reply@aha.io"}, "password": {"nope"}}
	for i := 0; i < lockAfter; i++ {
		e.must(e.post("", "/sign_in", bad), http.StatusUnauthorized)
	}
	if len(waits) != lockAfter-slowAfter || waits[0] != slowStep || waits[len(waits)-1] <= waits[0] {
		t.Fatalf("waits %v: want growing waits after %d failures", waits, slowAfter)
	}
	// Locked now, even with the right password.
	r := e.post("", "/sign_in", url.Values{"email": {"NO-REPLY@aha.io"}, "password": {"demo"}})
	e.must(r, http.StatusTooManyRequests, "Too many failed sign-ins")
	if r.Header.Get("Retry-After") != "900" {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Another email is not slowed.
	e.password(demo.John, "john-pw")
	if r := e.post("", "/sign_in", url.Values{"email": {"john.smith@example.com"}, "password": {"john-pw"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("another email: %d", r.Status)
	}
	e.advance(failWindow)
	if r := e.post("", "/sign_in", url.Values{"email": {"no-reply@aha.io"}, "password": {"demo"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("after the window: %d", r.Status)
	}
}

func TestSessionExpiry(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		e.advance(20 * 24 * time.Hour)
		e.must(e.get(c, "/"), http.StatusOK)
		e.advance(20 * 24 * time.Hour) // 40 days since sign-in, 20 since use
		r0 := e.get(c, "/")
		e.must(r0, http.StatusOK)
		// The browser keeps the cookie as long as the server keeps the session.
		if ck := (&http.Response{Header: r0.Header}).Cookies(); len(ck) != 1 || ck[0].Value != c || ck[0].MaxAge != int(roadmap.SessionIdle/time.Second) {
			t.Fatalf("a used session's cookie was not renewed: %+v", ck)
		}
		e.advance(roadmap.SessionIdle + time.Hour)
		r := e.get(c, "/")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/sign_in") {
			t.Fatalf("expired session: %d %q", r.Status, r.Header.Get("Location"))
		}
		// A form sent with an expired session changes nothing.
		r = e.post(c, "/releases/PRJ1-R-2/dates", url.Values{"release_date": {"2030-01-01"}})
		if r.Status != http.StatusUnauthorized || e.release("PRJ1-R-2").ReleaseDate == "2030-01-01" {
			t.Fatalf("expired session's post: %d", r.Status)
		}
	})
}

func TestDisabledUserSessionEnds(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Henry)
		e.must(e.get(c, "/"), http.StatusOK)
		if _, err := e.db.UpdateUser(context.Background(), demo.Henry, roadmap.UserInput{Enabled: roadmap.Some(false)}); err != nil {
			t.Fatal(err)
		}
		if r := e.get(c, "/"); r.Status != http.StatusSeeOther {
			t.Fatalf("disabled user's page: %d", r.Status)
		}
	})
}

func TestChangePassword(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.password(demo.Henry, "old-pass")
		c := e.session(demo.Henry)
		e.must(e.get(c, "/account/password"), http.StatusOK, `for="current_password"`)
		r := e.post(c, "/account/password", url.Values{"current_password": {"bad"}, "password": {"new-pass"}, "password_confirmation": {"new-pass"}})
		e.must(r, http.StatusUnprocessableEntity, `id="err-current_password"`)
		r = e.post(c, "/account/password", url.Values{"current_password": {"old-pass"}, "password": {"new-pass"}, "password_confirmation": {"other"}})
		e.must(r, http.StatusUnprocessableEntity, `id="err-password_confirmation"`)
		r = e.post(c, "/account/password", url.Values{"current_password": {"old-pass"}, "password": {"ab"}, "password_confirmation": {"ab"}})
		e.must(r, http.StatusUnprocessableEntity, `id="err-password"`)
		e.must(e.post(c, "/account/password", url.Values{"current_password": {"old-pass"}, "password": {"new-pass"}, "password_confirmation": {"new-pass"}}), http.StatusOK, "Your password was changed.")
		_, h, err := e.db.PasswordHash(context.Background(), "henry.humpty@example.com")
		if err != nil || !roadmap.CheckPassword(h, "new-pass") {
			t.Fatalf("the new password does not check: %v", err)
		}
	})
}

func TestPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		for _, tc := range []struct {
			path  string
			texts []string
		}{
			{"/", []string{"Demo Enterprise", "Project 1", "Showcase", "Payments v2"}},
			{"/projects/PRJ1", []string{"Project 1", "Release 1", `id="timeline"`, "Parking lot"}},
			{"/projects/DEMOENT", []string{"Demo Enterprise", "PRJ1 · Release 1"}},
			{"/projects/SHOW", []string{"Showcase", "APP · Payments v2", "WEB · Reporting", "Autumn launch", "Ideas for later"}},
			{"/releases/PRJ1-R-1", []string{"Release 1", "Theme of the release", "Goal 1", "Initiative 1", "Comments"}},
			{"/master_releases/PRJ1-MR-2", []string{"Roll-up Release 2", "Releases in this roll-up", "Sub release 1"}},
			{"/features/PRJ1-1", []string{"PRJ1-1"}},
			{"/epics/PRJ1-E-1", []string{"PRJ1-E-1"}},
			{"/requirements/PRJ1-1-1", []string{"PRJ1-1-1"}},
			{"/initiatives/PRJ1-S-1", []string{"Initiative 1", "Description of initiative 1"}},
			{"/strategic_imperatives/DEMOENT-G-1", []string{"Goal 1", "Description of goal 1", "Release 1"}},
			{"/key_results/DEMOENT-G-1-KR-1", []string{"DEMOENT-G-1-KR-1"}},
			{"/projects/PRJ1/users", []string{"People in Project 1", "Jane Smith", `id="user-form"`}},
		} {
			r := e.get(c, tc.path)
			e.must(r, http.StatusOK, tc.texts...)
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: CSP %q", tc.path, csp)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: no nosniff", tc.path)
			}
			if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") || strings.Contains(r.Body, " on") && strings.Contains(r.Body, "onclick") {
				t.Errorf("%s: inline script or style", tc.path)
			}
		}
		e.must(e.get(c, "/releases/PRJ1-R-999"), http.StatusNotFound)
		e.must(e.get(c, "/no/such/page"), http.StatusNotFound)
		cm, _, err := e.db.Comments(context.Background(), roadmap.CommentFilter{On: roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: demo.Release1}, Page: roadmap.Page{Page: 1, PerPage: 1}})
		if err != nil || len(cm) != 1 {
			t.Fatalf("comments: %v", err)
		}
		r := e.get(c, "/comments/"+strings.TrimSpace(itoa(cm[0].ID)))
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/releases/PRJ1-R-1#comment-"+itoa(cm[0].ID) {
			t.Fatalf("comment address: %d %q", r.Status, r.Header.Get("Location"))
		}
		// The API keeps its own addresses and answers.
		if r := e.get("", "/api/v1/releases/PRJ1-R-1"); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, `"errors"`) {
			t.Fatalf("API: %d %s", r.Status, r.Body)
		}
	})
}

func TestRoadmapShowcase(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		r := e.get(c, "/projects/APP")
		e.must(r, http.StatusOK, `class="phase"`, `class="milestone"`, `class="external"`, `class="today"`, "✓ shipped", `class="handle end"`)
		// Roll-ups head their releases, also those of the other product;
		// the other releases follow in date order.
		order := []string{`data-release="APP-MR-1"`, `data-release="APP-R-4"`, `data-release="WEB-R-3"`, `data-release="APP-R-5"`,
			`data-release="APP-MR-2"`, `data-release="APP-R-1"`, `data-release="APP-R-2"`, `data-release="APP-R-3"`, `data-release="APP-R-6"`}
		last := -1
		for _, o := range order {
			i := strings.Index(r.Body, o)
			if i < 0 || i < last {
				t.Fatalf("%s at %d, after %d: rows out of order", o, i, last)
			}
			last = i
		}
		hidden := e.get(c, "/projects/APP?hide_shipped=1")
		e.must(hidden, http.StatusOK, "shipped release(s) hidden")
		e.mustNot(hidden, `data-release="APP-R-1"`, `data-release="APP-R-2"`)
		e.must(hidden, http.StatusOK, `data-release="APP-R-3"`)

		q := e.get(c, "/projects/APP?zoom=quarter")
		e.must(q, http.StatusOK, "Timeline from Apr 1, 2026 to Jun 30, 2026")
		cu := e.get(c, "/projects/APP?from=2027-01-01&to=2027-06-30")
		e.must(cu, http.StatusOK, `data-release="APP-R-7"`, "Timeline from Jan 1, 2027 to Jun 30, 2027")
		e.must(e.get(c, "/projects/APP?from=2027-01-01&to=2026-01-01"), http.StatusBadRequest, "to must be after from")
	})
}

func TestRolesOnPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.session(jane)
		r := e.get(v, "/releases/PRJ1-R-2")
		e.must(r, http.StatusOK, "Release 2")
		e.mustNot(r, "/edit", `action="/releases/PRJ1-R-2/ship"`, `id="dates-form"`, `id="comment-form"`, "Delete…")
		e.mustNot(e.get(v, "/projects/PRJ1"), "New release", `class="handle`)
		before := e.release("PRJ1-R-2")
		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/releases/PRJ1-R-2/ship", url.Values{}},
			{"/releases/PRJ1-R-2/dates", url.Values{"release_date": {"2031-01-01"}}},
			{"/releases/PRJ1-R-2", url.Values{"name": {"Forged"}}},
			{"/releases/PRJ1-R-2/delete", url.Values{}},
			{"/releases/PRJ1-R-2/duplicate", url.Values{}},
			{"/releases/PRJ1-R-2/comments", url.Values{"body": {"forged"}}},
			{"/projects/PRJ1/releases", url.Values{"name": {"Forged"}, "release_date": {"2030-01-01"}}},
			{"/projects/PRJ1/users", url.Values{"email": {"x@example.com"}, "role": {"product_owner"}}},
		} {
			if r := e.post(v, p.path, p.form); r.Status != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d, want 403", p.path, r.Status)
			}
		}
		after := e.release("PRJ1-R-2")
		if after.Name != before.Name || after.ReleaseDate != before.ReleaseDate || after.WorkflowStatusID != before.WorkflowStatusID || after.CommentsCount != before.CommentsCount {
			t.Fatal("a viewer's forged posts changed the release")
		}
		// Products without a role answer 404, pages and forms alike.
		for _, p := range []string{"/projects/APP", "/projects/SHOW", "/releases/APP-R-1", "/master_releases/APP-MR-1", "/projects/PRJ2"} {
			e.must(e.get(v, p), http.StatusNotFound)
		}
		e.must(e.post(v, "/releases/APP-R-3/ship", url.Values{}), http.StatusNotFound)
		home := e.get(v, "/")
		e.must(home, http.StatusOK, "Project 1")
		e.mustNot(home, "Showcase", "Project 2")
		e.must(e.get(e.session(noProjects), "/"), http.StatusOK, "You have no role in any product yet.")
	})
}

func TestCrossSiteFormsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.session(demo.Mary)
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Origin": "https://evil.example"},
		} {
			r := e.send(http.MethodPost, c, "/releases/PRJ1-R-2/dates", url.Values{"release_date": {"2031-01-01"}}, h)
			if r.Status != http.StatusForbidden {
				t.Fatalf("cross-site post %v: %d", h, r.Status)
			}
			r = e.send(http.MethodPost, "", "/sign_in", url.Values{"email": {"no-reply@aha.io"}, "password": {"demo"}}, h)
			if r.Status != http.StatusForbidden {
				t.Fatalf("cross-site sign-in %v: %d", h, r.Status)
			}
		}
		if e.release("PRJ1-R-2").ReleaseDate == "2031-01-01" {
			t.Fatal("a cross-site post changed the release")
		}
		if r := e.send(http.MethodPost, c, "/releases/PRJ1-R-2/dates", url.Values{"release_date": {"2031-01-01"}}, map[string]string{"Origin": "http://company.aha.io"}); r.Status != http.StatusSeeOther {
			t.Fatalf("same-origin post: %d", r.Status)
		}
	})
}

func itoa(n int64) string { return strconvFormat(n) }
