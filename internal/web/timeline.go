package web

import (
	"cmp"
	"regexp"
	"slices"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Geometry of the roadmap's SVG, in its own units: the view box is
// svgWidth wide, names sit left of labelWidth, and each row is rowHeight.
const (
	svgWidth   = 1200.0
	labelWidth = 260.0
	axisHeight = 44.0
	rowHeight  = 34.0
	barHeight  = 16.0
)

const dateLayout = "2006-01-02"

// Zooms of the roadmap.
const (
	zoomQuarter = "quarter"
	zoomYear    = "year"
	zoomCustom  = "custom"
)

// span is the date range the roadmap shows, [From, To).
type span struct {
	Zoom     string
	From, To time.Time
}

// days returns the number of days in the span.
func (s span) Days() float64 { return s.To.Sub(s.From).Hours() / 24 }

// x returns the horizontal position of a date, clamped to the chart.
func (s span) x(t time.Time) float64 {
	f := t.Sub(s.From).Hours() / 24 / s.Days()
	f = max(0, min(1, f))
	return labelWidth + f*(svgWidth-labelWidth)
}

// inside reports whether a date falls in the span.
func (s span) inside(t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }

func quarterStart(t time.Time) time.Time {
	return time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
}

// zoomSpan returns the span of a zoom around today: the current quarter,
// or a year from the start of the previous quarter (so the recent past
// shows too).
func zoomSpan(zoom string, today time.Time) span {
	q := quarterStart(today)
	if zoom == zoomQuarter {
		return span{Zoom: zoomQuarter, From: q, To: q.AddDate(0, 3, 0)}
	}
	from := q.AddDate(0, -3, 0)
	return span{Zoom: zoomYear, From: from, To: from.AddDate(1, 3, 0)}
}

// tick is a month line of the axis.
type tick struct {
	X       float64
	Label   string
	Quarter string
}

// seg is a phase of a release on the chart.
type seg struct {
	X, W  float64
	Name  string
	Dates string
}

// mark is a milestone or date marker on the chart.
type mark struct {
	X    float64
	Name string
	Date string
}

// bar is a release on the chart.
type bar struct {
	X, W, ProgressW float64
	Color           string
	Progress        int
	Shipped         bool
	External        *mark
	Phases          []seg
	Milestones      []mark
	// Start and End are the dates the bar runs between; StartField names
	// the field its start is (start_date or development_started_on).
	Start, End string
	StartField string
	// ClipStart and ClipEnd tell that the release runs past the span.
	ClipStart, ClipEnd bool
	// Y is the bar's top, PhaseY the top of its phases' strip, MidY the
	// middle of that strip (where milestones sit), EndX its right end.
	Y, PhaseY, MidY, EndX, MTop float64
}

// row is one line of the roadmap: a roll-up heading its group, or a release.
type row struct {
	Y        float64
	TextY    float64
	Release  *roadmap.Release
	Product  string
	Group    bool
	Indent   bool
	URL      string
	Bar      *bar
	Editable bool
}

// timeline is the laid-out roadmap.
type timeline struct {
	Span     span
	Height   float64
	ChartTop float64
	Ticks    []tick
	Today    *mark
	Rows     []row
	Parking  []*roadmap.Release
	Hidden   int
	Empty    bool
}

// validColor is a colour a status may give a bar.
var validColor = regexp.MustCompile(`^#[0-9a-fA-F]{3,8}$`)

// barStart is the date a release's bar starts: its start date, else its
// development start, else its release date.
func barStart(r *roadmap.Release) (string, string) {
	switch {
	case r.StartDate != "":
		return r.StartDate, "start_date"
	case r.DevelopmentStartedOn != "":
		return r.DevelopmentStartedOn, "development_started_on"
	}
	return r.ReleaseDate, "start_date"
}

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

// byDate orders releases by release date, then start, then reference.
func byDate(a, b *roadmap.Release) int {
	return cmp.Or(cmp.Compare(a.ReleaseDate, b.ReleaseDate), cmp.Compare(a.StartDate, b.StartDate), cmp.Compare(a.ReferenceNum, b.ReferenceNum))
}

// roadmapInput is what a roadmap is laid out from.
type roadmapInput struct {
	Releases []*roadmap.Release
	// Phases are the phases and milestones by release ID.
	Phases map[int64][]*roadmap.ReleasePhase
	// Products names products by ID, for rows of several products.
	Products     map[int64]string
	Span         span
	Today        time.Time
	HideShipped  bool
	Editable     func(productID int64) bool
	ShowProducts bool
}

// layout places the releases on the chart: roll-ups first, each heading
// the releases under it (whatever their product), then the other releases,
// in date order; parking lots go to their own list.
func layout(in roadmapInput) *timeline {
	tl := &timeline{Span: in.Span, ChartTop: axisHeight}
	for m := time.Date(in.Span.From.Year(), in.Span.From.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(in.Span.To); m = m.AddDate(0, 1, 0) {
		if m.Before(in.Span.From) {
			continue
		}
		t := tick{X: in.Span.x(m), Label: m.Format("Jan")}
		if (m.Month()-1)%3 == 0 {
			t.Quarter = "Q" + string(rune('1'+(m.Month()-1)/3)) + " " + m.Format("2006")
		}
		tl.Ticks = append(tl.Ticks, t)
	}
	if in.Span.inside(in.Today) {
		tl.Today = &mark{X: in.Span.x(in.Today), Date: in.Today.Format(dateLayout)}
	}

	var dated []*roadmap.Release
	seen := map[int64]bool{}
	for _, r := range in.Releases {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		if in.HideShipped && r.Released() {
			tl.Hidden++
			continue
		}
		if r.ParkingLot {
			tl.Parking = append(tl.Parking, r)
			continue
		}
		dated = append(dated, r)
	}
	slices.SortFunc(dated, byDate)
	slices.SortFunc(tl.Parking, func(a, b *roadmap.Release) int { return cmp.Compare(a.ReferenceNum, b.ReferenceNum) })

	rollups := map[int64]bool{}
	for _, r := range dated {
		if r.MasterRelease {
			rollups[r.ID] = true
		}
	}
	children := map[int64][]*roadmap.Release{}
	var top []*roadmap.Release
	for _, r := range dated {
		if r.ParentID != 0 && rollups[r.ParentID] {
			children[r.ParentID] = append(children[r.ParentID], r)
			continue
		}
		top = append(top, r)
	}
	// Roll-ups lead, in date order, each with its releases.
	var ordered []row
	for _, r := range top {
		if r.MasterRelease {
			ordered = append(ordered, row{Release: r, Group: true})
			for _, c := range children[r.ID] {
				ordered = append(ordered, row{Release: c, Indent: true})
			}
		}
	}
	for _, r := range top {
		if !r.MasterRelease {
			ordered = append(ordered, row{Release: r})
		}
	}
	y := axisHeight
	for i := range ordered {
		rw := &ordered[i]
		rw.Y, rw.TextY = y, y+21
		y += rowHeight
		rw.URL = releasePath(rw.Release.ReferenceNum, rw.Release.MasterRelease)
		if in.ShowProducts {
			rw.Product = in.Products[rw.Release.ProductID]
		}
		if in.Editable != nil {
			rw.Editable = in.Editable(rw.Release.ProductID)
		}
		rw.Bar = placeBar(in, rw.Release)
		if b := rw.Bar; b != nil {
			b.Y, b.PhaseY, b.MidY, b.EndX, b.MTop = rw.Y+5, rw.Y+24, rw.Y+27, b.X+b.W, rw.Y+21
		}
	}
	tl.Rows = ordered
	tl.Height = y + 8
	tl.Empty = len(ordered) == 0
	return tl
}

// placeBar lays out one release's bar, or returns nil when it has no
// dates or falls outside the span.
func placeBar(in roadmapInput, r *roadmap.Release) *bar {
	startS, field := barStart(r)
	start, ok1 := parseDate(startS)
	end, ok2 := parseDate(r.ReleaseDate)
	if !ok1 || !ok2 {
		return nil
	}
	if end.Before(start) {
		start = end
	}
	endExcl := end.AddDate(0, 0, 1)
	sp := in.Span
	if !endExcl.After(sp.From) || !start.Before(sp.To) {
		return nil
	}
	b := &bar{X: sp.x(start), Start: startS, End: r.ReleaseDate, StartField: field,
		ClipStart: start.Before(sp.From), ClipEnd: !endExcl.Before(sp.To)}
	b.W = max(sp.x(endExcl)-b.X, 3)
	b.Progress = progressOf(r.Progress)
	b.ProgressW = b.W * float64(b.Progress) / 100
	b.Color = "#9db4d6"
	if validColor.MatchString(r.WorkflowStatus.Color) {
		b.Color = r.WorkflowStatus.Color
	}
	b.Shipped = r.Released()
	if ext, ok := parseDate(r.ExternalReleaseDate); ok && r.ExternalReleaseDate != r.ReleaseDate && sp.inside(ext) {
		b.External = &mark{X: sp.x(ext), Date: r.ExternalReleaseDate}
	}
	for _, ph := range in.Phases[r.ID] {
		s, ok := parseDate(ph.StartOn)
		if ph.Kind == "milestone" {
			d := s
			if !ok {
				d, ok = parseDate(ph.EndOn)
			}
			if ok && sp.inside(d) {
				b.Milestones = append(b.Milestones, mark{X: sp.x(d), Name: ph.Name, Date: d.Format(dateLayout)})
			}
			continue
		}
		e, ok2 := parseDate(ph.EndOn)
		if !ok || !ok2 || e.Before(s) || !e.AddDate(0, 0, 1).After(sp.From) || !s.Before(sp.To) {
			continue
		}
		x := sp.x(s)
		b.Phases = append(b.Phases, seg{X: x, W: max(sp.x(e.AddDate(0, 0, 1))-x, 2), Name: ph.Name, Dates: ph.StartOn + " – " + ph.EndOn})
	}
	return b
}
