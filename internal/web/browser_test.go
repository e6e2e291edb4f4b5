package web

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the browser tests' screenshots to docs/screenshots")

// chromiumPath finds Debian's chromium. Under CI=true a missing browser
// fails the test, so CI never skips the browser tests; elsewhere it skips.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ROADMAPD_CHROMIUM"), "/usr/bin/chromium", "chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); the browser tests need it under CI")
	}
	t.Skip("chromium is not installed; the browser tests are skipped (they fail under CI=true)")
	return ""
}

// liveServer serves the API and the UI, as `roadmapd serve --demo` does, on
// a fresh SQLite database loaded with the demo account and the showcase.
func liveServer(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "roadmapd.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	for port := 18850; port < 18870 && ln == nil; port++ {
		ln, _ = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	}
	if ln == nil {
		t.Fatal("no free port in 18850-18869")
	}
	base := "http://" + ln.Addr().String()
	logger := slog.New(slog.DiscardHandler)
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api.New(db, api.Config{BaseURL: base, Logger: logger}))
	mux.Handle("/", New(db, Config{BaseURL: base, Logger: logger}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return base
}

// browser starts headless chromium with a fresh profile.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %.80s: %v", js, err)
	}
	return v
}

func signInAs(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/sign_in") {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/sign_in")))
	}
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("header .who")),
	))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, "/sign_in") {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("signing in as %s stayed at %s: %s", email, loc, msg)
	}
}

// apiGet reads an API answer as Mary, with the demo token.
func apiGet(t *testing.T, base, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

type apiRelease struct {
	Release struct {
		ReferenceNum   string `json:"reference_num"`
		Name           string `json:"name"`
		StartDate      string `json:"start_date"`
		ReleaseDate    string `json:"release_date"`
		Released       bool   `json:"released"`
		WorkflowStatus struct {
			Name string `json:"name"`
		} `json:"workflow_status"`
	} `json:"release"`
}

// axeCheck injects axe-core and fails on serious or critical violations.
func axeCheck(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		t.Fatalf("injecting axe: %v", err)
	}
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []string `json:"target"`
		} `json:"nodes"`
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe on %s: %v", page, err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, strings.Join(n.Target, " "))
			}
			t.Errorf("axe on %s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, where)
		}
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(t, err)
	dir := filepath.Join("..", "..", "docs", "screenshots")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	base := liveServer(t)
	ctx := browser(t, 1280, 900)

	t.Run("sign in", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/projects/APP"), chromedp.WaitVisible(chromedp.CSS("#email"))))
		axeCheck(t, ctx, "sign in")
		screenshot(t, ctx, "sign-in")
		signInAs(t, ctx, base, "no-reply@aha.io")
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/projects/APP") {
			t.Fatalf("after sign-in at %s, want the page asked for", loc)
		}
	})

	t.Run("roadmap shows the showcase in date order with phases", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/projects/APP"), chromedp.WaitVisible(chromedp.CSS("#timeline"))))
		type row struct {
			Ref, Date string
			Group     bool
			Sub       bool
		}
		rows := eval[[]row](t, ctx, `[...document.querySelectorAll("#timeline g.row")].map(g => ({Ref: g.dataset.release, Date: g.dataset.date, Group: g.classList.contains("group"), Sub: g.classList.contains("sub")}))`)
		if len(rows) < 10 {
			t.Fatalf("%d rows on the roadmap, want the showcase's", len(rows))
		}
		last := ""
		for _, r := range rows {
			if r.Group || r.Sub {
				continue
			}
			if r.Date < last {
				t.Fatalf("%s (%s) after a release of %s: not in date order: %v", r.Ref, r.Date, last, rows)
			}
			last = r.Date
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#timeline .phase").length`); n < 6 {
			t.Fatalf("%d phase segments", n)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#timeline .milestone").length`); n < 2 {
			t.Fatalf("%d milestones", n)
		}
		axeCheck(t, ctx, "roadmap")
		screenshot(t, ctx, "roadmap")
		// Clicking a bar opens the release.
		must(t, chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#timeline g.row[data-release="APP-R-3"] a.bar-link').dispatchEvent(new MouseEvent("click", {bubbles: true}))`),
			chromedp.WaitVisible(chromedp.CSS("#facts-h")),
		))
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/releases/APP-R-3") {
			t.Fatalf("the bar opened %s", loc)
		}
		axeCheck(t, ctx, "release")
		screenshot(t, ctx, "release")
	})

	t.Run("create a release through the form", func(t *testing.T) {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/projects/APP/releases/new"),
			chromedp.WaitVisible(chromedp.CSS("#name")),
		))
		axeCheck(t, ctx, "new release")
		start, end := time.Now().AddDate(0, 1, 0).Format(dateLayout), time.Now().AddDate(0, 3, 0).Format(dateLayout)
		must(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS("#name"), "Browser launch"),
			chromedp.SetValue(chromedp.CSS("#start_date"), start),
			chromedp.SetValue(chromedp.CSS("#release_date"), end),
			chromedp.Submit(chromedp.CSS("#name")),
			chromedp.WaitVisible(chromedp.CSS("#facts-h")),
		))
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		ref := loc[strings.LastIndex(loc, "/")+1:]
		var got apiRelease
		apiGet(t, base, "/releases/"+ref, &got)
		if got.Release.Name != "Browser launch" || got.Release.StartDate != start || got.Release.ReleaseDate != end {
			t.Fatalf("the API shows %+v", got.Release)
		}
	})

	t.Run("drag a bar's end", func(t *testing.T) {
		var before apiRelease
		apiGet(t, base, "/releases/APP-R-6", &before)
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/projects/APP"),
			chromedp.WaitVisible(chromedp.CSS("#timeline")),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#timeline .handle.end[data-release="APP-R-6"]').scrollIntoView({block: "center", inline: "center"})`),
		))
		type box struct{ X, Y float64 }
		b := eval[box](t, ctx, `(() => { const r = document.querySelector('#timeline .handle.end[data-release="APP-R-6"]').getBoundingClientRect(); return {X: r.x + r.width/2, Y: r.y + r.height/2}; })()`)
		pressed := func(p *input.DispatchMouseEventParams) { p.Button, p.Buttons = input.MouseButtonLeft, 1 }
		must(t, chromedp.Do(ctx,
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, b.X, b.Y),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, b.X, b.Y, pressed, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, b.X+20, b.Y, pressed),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, b.X+60, b.Y, pressed),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, b.X+60, b.Y, pressed, chromedp.ButtonLeft),
		))
		var after apiRelease
		deadline := time.Now().Add(10 * time.Second)
		for {
			apiGet(t, base, "/releases/APP-R-6", &after)
			if after.Release.ReleaseDate != before.Release.ReleaseDate || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if after.Release.ReleaseDate <= before.Release.ReleaseDate {
			t.Fatalf("release date %s after dragging right, was %s", after.Release.ReleaseDate, before.Release.ReleaseDate)
		}
		// The page reloads with the new date.
		want := `document.readyState === "complete" && !document.getElementById("drag-status") && document.querySelector('#timeline .handle.end[data-release="APP-R-6"]').dataset.date === "` + after.Release.ReleaseDate + `"`
		for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](want)); err == nil && ok {
				break
			}
			if time.Now().After(end) {
				t.Fatal("the roadmap did not show the new date")
			}
		}
	})

	t.Run("ship a release", func(t *testing.T) {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/releases/APP-R-5"),
			chromedp.WaitVisible(chromedp.CSS("#ship")),
			chromedp.Click(chromedp.CSS("#ship")),
			chromedp.WaitNotPresent(chromedp.CSS("#ship")),
		))
		var got apiRelease
		apiGet(t, base, "/releases/APP-R-5", &got)
		if !got.Release.Released || got.Release.WorkflowStatus.Name != "Shipped" {
			t.Fatalf("the API shows %+v", got.Release)
		}
	})

	t.Run("move a feature", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/releases/APP-R-3"), chromedp.WaitVisible(chromedp.CSS("#m-feature"))))
		feature := eval[string](t, ctx, `document.querySelector("#m-feature").value`)
		must(t, chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("#m-release"), "APP-R-6"),
			chromedp.Submit(chromedp.CSS("#m-release")),
			chromedp.WaitVisible(chromedp.CSS("#features-h")),
		))
		var got struct {
			Feature struct {
				Release struct {
					ReferenceNum string `json:"reference_num"`
				} `json:"release"`
			} `json:"feature"`
		}
		apiGet(t, base, "/features/"+feature, &got)
		if got.Feature.Release.ReferenceNum != "APP-R-6" {
			t.Fatalf("%s is in %s", feature, got.Feature.Release.ReferenceNum)
		}
	})

	t.Run("a theme with script runs nothing", func(t *testing.T) {
		body := `{"release":{"theme":"<p>Plan</p><script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"><a href=\"javascript:window.pwned=3\">x</a>"}}`
		req, _ := http.NewRequest(http.MethodPut, base+"/api/v1/releases/APP-R-7", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+demo.Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("setting the theme: %d", res.StatusCode)
		}
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/releases/APP-R-7"), chromedp.WaitVisible(chromedp.CSS("#theme")), chromedp.Sleep(300*time.Millisecond)))
		if p := eval[string](t, ctx, `String(window.pwned)`); p != "undefined" {
			t.Fatalf("the theme ran script: window.pwned = %s", p)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#theme script, #theme [onerror], #theme a[href^=javascript]").length`); n != 0 {
			t.Fatalf("%d unsafe nodes in the theme", n)
		}
		if txt := eval[string](t, ctx, `document.querySelector("#theme").textContent`); !strings.Contains(txt, "Plan") {
			t.Fatalf("theme text %q", txt)
		}
	})

	t.Run("a viewer sees no edit controls", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("header form button")), chromedp.WaitVisible(chromedp.CSS("#email"))))
		signInAs(t, ctx, base, "jane.smith@example.com")
		for _, p := range []string{"/projects/PRJ1", "/releases/PRJ1-R-2"} {
			must(t, chromedp.Do(ctx, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("h1"))))
			n := eval[int](t, ctx, `document.querySelectorAll("main form[method=post], .handle, a[href$='/edit'], a[href$='/releases/new'], #release-actions").length`)
			if n != 0 {
				t.Errorf("%s shows a viewer %d edit controls", p, n)
			}
		}
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/projects/APP"), chromedp.WaitVisible(chromedp.CSS("h1"))))
		if h := eval[string](t, ctx, `document.querySelector("h1").textContent`); h != "Not Found" {
			t.Errorf("a product without a role shows %q", h)
		}
	})
}

func TestBrowserNarrow(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	base := liveServer(t)
	ctx := browser(t, 1280, 900)
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	signInAs(t, ctx, base, "no-reply@aha.io")
	for _, p := range []string{"/", "/projects/APP", "/releases/APP-R-3"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("h1"))))
		// The page itself does not scroll sideways; only the timeline and
		// wide tables do, inside their own boxes.
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %dpx wide at 390px", p, w)
		}
		axeCheck(t, ctx, p+" at 390px")
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/projects/APP"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	screenshot(t, ctx, "roadmap-narrow")
}
