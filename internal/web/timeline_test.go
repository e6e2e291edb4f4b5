package web

import (
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

func TestLayout(t *testing.T) {
	t.Parallel()
	shipped := roadmap.WorkflowStatus{Name: "Shipped", Complete: true, Color: "#b5d99c"}
	planning := roadmap.WorkflowStatus{Name: "Planning", Color: "#ecdd8f"}
	rels := []*roadmap.Release{
		{ID: 1, ProductID: 10, ReferenceNum: "A-R-1", StartDate: "2026-03-01", ReleaseDate: "2026-04-10", WorkflowStatus: planning, ExternalReleaseDate: "2026-04-20"},
		{ID: 2, ProductID: 10, ReferenceNum: "A-MR-1", MasterRelease: true, StartDate: "2026-01-01", ReleaseDate: "2026-06-30", WorkflowStatus: planning},
		{ID: 3, ProductID: 20, ReferenceNum: "B-R-1", ParentID: 2, StartDate: "2026-02-01", ReleaseDate: "2026-03-01", WorkflowStatus: planning},
		{ID: 4, ProductID: 10, ReferenceNum: "A-R-2", StartDate: "2025-12-01", ReleaseDate: "2026-01-20", WorkflowStatus: shipped},
		{ID: 5, ProductID: 10, ReferenceNum: "A-R-3", ParkingLot: true, WorkflowStatus: planning},
		{ID: 6, ProductID: 10, ReferenceNum: "A-R-4", DevelopmentStartedOn: "2026-05-01", ReleaseDate: "2026-05-20", WorkflowStatus: roadmap.WorkflowStatus{Color: "red;x"}, Progress: ptr(50)},
	}
	phases := map[int64][]*roadmap.ReleasePhase{1: {
		{Name: "Build", Kind: "phase", StartOn: "2026-03-01", EndOn: "2026-03-31"},
		{Name: "Freeze", Kind: "milestone", StartOn: "2026-04-01", EndOn: "2026-04-01"},
	}}
	sp := span{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	tl := layout(roadmapInput{Releases: rels, Phases: phases, Span: sp, Today: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)})

	var refs []string
	for _, r := range tl.Rows {
		refs = append(refs, r.Release.ReferenceNum)
	}
	want := []string{"A-MR-1", "B-R-1", "A-R-2", "A-R-1", "A-R-4"}
	if len(refs) != len(want) {
		t.Fatalf("rows %v, want %v", refs, want)
	}
	for i := range want {
		if refs[i] != want[i] {
			t.Fatalf("rows %v, want %v", refs, want)
		}
	}
	if !tl.Rows[0].Group || !tl.Rows[1].Indent || tl.Rows[2].Indent {
		t.Fatal("the roll-up does not head its release of the other product")
	}
	if len(tl.Parking) != 1 || tl.Parking[0].ReferenceNum != "A-R-3" {
		t.Fatalf("parking lot %v", tl.Parking)
	}
	if tl.Today == nil || len(tl.Ticks) != 6 || tl.Ticks[0].Quarter != "Q1 2026" || tl.Ticks[3].Quarter != "Q2 2026" {
		t.Fatalf("axis %+v today %+v", tl.Ticks, tl.Today)
	}
	r2 := tl.Rows[2].Bar // A-R-2 starts before the span
	if !r2.ClipStart || r2.X != labelWidth || !r2.Shipped {
		t.Fatalf("A-R-2 bar %+v", r2)
	}
	r1 := tl.Rows[3].Bar
	if len(r1.Phases) != 1 || len(r1.Milestones) != 1 || r1.External == nil || r1.Milestones[0].X <= r1.Phases[0].X {
		t.Fatalf("A-R-1 bar %+v", r1)
	}
	r4 := tl.Rows[4].Bar // starts at development start; a bad colour falls back
	if r4.Start != "2026-05-01" || r4.StartField != "development_started_on" || r4.Color == "red;x" || r4.ProgressW != r4.W/2 {
		t.Fatalf("A-R-4 bar %+v", r4)
	}

	hidden := layout(roadmapInput{Releases: rels, Span: sp, Today: sp.From, HideShipped: true})
	if hidden.Hidden != 1 || len(hidden.Rows) != 4 {
		t.Fatalf("hide shipped: %d hidden, %d rows", hidden.Hidden, len(hidden.Rows))
	}
	later := layout(roadmapInput{Releases: rels, Span: span{From: sp.To, To: sp.To.AddDate(0, 3, 0)}, Today: sp.From})
	for _, r := range later.Rows {
		if r.Bar != nil {
			t.Fatalf("%s drawn outside the span", r.Release.ReferenceNum)
		}
	}
	if later.Today != nil {
		t.Fatal("a today line outside the span")
	}
}

func TestZoomSpans(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	q := zoomSpan(zoomQuarter, today)
	if q.From.Format(dateLayout) != "2026-10-01" || q.To.Format(dateLayout) != "2027-01-01" {
		t.Fatalf("quarter %v", q)
	}
	y := zoomSpan("", today)
	if y.Zoom != zoomYear || y.From.Format(dateLayout) != "2026-07-01" || y.To.Format(dateLayout) != "2027-10-01" {
		t.Fatalf("year %v", y)
	}
}
