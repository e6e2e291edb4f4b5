package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// page is what every template gets.
type page struct {
	User   *roadmap.User
	Title  string
	Notice string
	// Form is the form that was sent and failed, shown again with its
	// values and its error next to the field the error names.
	Form *formState
	Data any
}

// formState is a sent form: its name, values and error.
type formState struct {
	Name    string
	Values  url.Values
	Field   string
	Message string
}

func newForm(name string, r *http.Request) *formState {
	return &formState{Name: name, Values: r.PostForm}
}

// formError fills the form's error from err when err is one a form shows
// (a validation or bad-input error), and reports whether it did.
func formError(f *formState, err error) bool {
	var e *roadmap.Error
	if !errors.As(err, &e) || (e.Code != roadmap.EINVALID && e.Code != roadmap.EMALFORMED) {
		return false
	}
	f.Field, f.Message = e.Field, e.Message
	return true
}

// templateFuncs are the helpers the templates use.
func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		// safe sanitizes HTML from a record with the UGC policy.
		"safe": func(h string) template.HTML { return template.HTML(s.policy.Sanitize(h)) },
		// fieldErr returns the error of a field of the named form.
		"fieldErr": func(f *formState, form, field string) string {
			if f == nil || f.Name != form || f.Field != field {
				return ""
			}
			return f.Message
		},
		// formErr returns the error of the named form that names none of
		// the given fields (comma-separated).
		"formErr": func(f *formState, form, fields string) string {
			if f == nil || f.Name != form || f.Message == "" {
				return ""
			}
			for _, fl := range strings.Split(fields, ",") {
				if fl != "" && f.Field == fl {
					return ""
				}
			}
			return f.Message
		},
		// val returns the sent value of a field of the named form, else def.
		"val": func(f *formState, form, field string, def any) string {
			if f != nil && f.Name == form {
				if v, ok := f.Values[field]; ok && len(v) > 0 {
					return v[0]
				}
			}
			return fmt.Sprint(def)
		},
		"checked": func(f *formState, form, field string, def bool) bool {
			if f != nil && f.Name == form {
				return f.Values.Get(field) != ""
			}
			return def
		},
		"date":     humanDate,
		"progress": func(p *int) int { return progressOf(p) },
		"num":      formatNum,
		"cap": func(p *float64) string {
			if p == nil {
				return ""
			}
			return formatNum(*p)
		},
		"deref": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
		"est": func(p *float64) string {
			if p == nil {
				return "—"
			}
			return formatNum(*p)
		},
		"releaseURL": releasePath,
		"featureEstimate": func(f *roadmap.Feature) string {
			return estText(f.WorkUnits, featureEstimate(f))
		},
		// capText shows a capacity in its units as the API's *_text fields do.
		"capText": func(units string, v any) string {
			switch x := v.(type) {
			case *float64:
				if x == nil {
					return ""
				}
				return roadmap.FormatCapacity(units, *x)
			case float64:
				return roadmap.FormatCapacity(units, x)
			}
			return ""
		},
		"join": func(sep string, xs []string) string { return strings.Join(xs, sep) },
		"sub":  func(a, b int) int { return a - b },
		"add":  func(a, b int) int { return a + b },
		"pct":  func(a, b float64) string { return strconv.FormatFloat(a, 'f', 2, 64) + "%" },
	}
}

func progressOf(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func formatNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// humanDate shows a YYYY-MM-DD date as "Mar 5, 2026"; unset is a dash.
func humanDate(d string) string {
	if d == "" {
		return "—"
	}
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("Jan 2, 2006")
}

// releasePath is the page of a release: roll-ups under /master_releases.
func releasePath(ref string, master bool) string {
	if master {
		return "/master_releases/" + url.PathEscape(ref)
	}
	return "/releases/" + url.PathEscape(ref)
}

// parseTemplates parses each page with the layout.
func parseTemplates(s *Server) map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(s.templateFuncs()).ParseFS(templateFS, "templates/layout.html"))
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, e := range names {
		if e.Name() == "layout.html" {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, path.Join("templates", e.Name())))
		out[strings.TrimSuffix(e.Name(), ".html")] = t
	}
	return out
}

// render writes a page. A template that fails is an internal error,
// answered without a half-written body.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("no template", "name", name)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.log.Error("rendering a page", "name", name, "path", r.URL.Path, "err", err)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
