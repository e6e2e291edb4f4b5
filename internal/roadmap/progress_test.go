package roadmap

import "testing"

func pct(v int) *int         { return &v }
func est(v float64) *float64 { return &v }

func TestComputedProgress(t *testing.T) {
	features := []WorkItem{
		{Progress: pct(100), Complete: true, Detailed: est(600), Remaining: est(0)},
		{Progress: pct(50), Initial: est(300), Remaining: est(100)},
		{Progress: nil},
	}
	w := Work{
		Features: features,
		Epics:    []WorkItem{{Progress: pct(10)}, {Progress: pct(21)}},
		Phases:   []WorkItem{{Progress: pct(33)}, {Progress: pct(34)}, {Progress: pct(34)}},
		Todos:    []bool{true, false, false},
	}
	for _, c := range []struct {
		source string
		want   int
		ok     bool
	}{
		{ProgressManual, 0, false},
		{ProgressFromFeatures, 50, true},          // (100+50+0)/3
		{ProgressFromFeaturesCompleted, 33, true}, // 1 of 3
		{ProgressFromEpics, 16, true},             // 15.5 rounds up
		{ProgressFromReleasePhases, 34, true},     // 33.67
		{ProgressFromTodos, 33, true},             // 1 of 3
		{ProgressFromRemainingEstimate, 89, true}, // (600+300-0-100)/900 = 0.888
	} {
		got, ok := ComputedProgress(c.source, w)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: got %d, %v; want %d, %v", c.source, got, ok, c.want, c.ok)
		}
	}
	for _, source := range []string{ProgressFromFeatures, ProgressFromFeaturesCompleted, ProgressFromEpics,
		ProgressFromReleasePhases, ProgressFromTodos, ProgressFromRemainingEstimate} {
		if got, ok := ComputedProgress(source, Work{}); got != 0 || !ok {
			t.Errorf("%s with no records: %d, %v; want 0, true", source, got, ok)
		}
	}
}

func TestRemainingEstimateProgress(t *testing.T) {
	for _, c := range []struct {
		name  string
		items []WorkItem
		want  int
	}{
		{"nothing estimated", []WorkItem{{}, {Remaining: est(5)}}, 0},
		{"no remaining estimate means nothing done", []WorkItem{{Initial: est(100)}}, 0},
		{"detailed wins over initial", []WorkItem{{Initial: est(100), Detailed: est(200), Remaining: est(50)}}, 75},
		{"remaining above original counts as original", []WorkItem{{Initial: est(100), Remaining: est(150)}}, 0},
		{"negative remaining counts as 0", []WorkItem{{Initial: est(100), Remaining: est(-5)}}, 100},
		{"summed, not averaged", []WorkItem{{Initial: est(900), Remaining: est(0)}, {Initial: est(100), Remaining: est(100)}}, 90},
		{"half rounds up", []WorkItem{{Initial: est(200), Remaining: est(199)}}, 1},
	} {
		if got := RemainingEstimateProgress(c.items); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestMeanProgressClampsAndRounds(t *testing.T) {
	for _, c := range []struct {
		items []WorkItem
		want  int
	}{
		{nil, 0},
		{[]WorkItem{{Progress: pct(1)}, {Progress: pct(2)}}, 2},      // 1.5 rounds up
		{[]WorkItem{{Progress: pct(150)}, {Progress: pct(-10)}}, 50}, // clamped to 100 and 0
		{[]WorkItem{{Progress: pct(0)}, {Progress: pct(0)}, {Progress: pct(1)}}, 0},
	} {
		if got := MeanWorkProgress(c.items); got != c.want {
			t.Errorf("MeanWorkProgress(%v) = %d, want %d", c.items, got, c.want)
		}
	}
}

func TestSpan(t *testing.T) {
	phases := []WorkItem{{Start: "2025-02-01", End: "2025-03-31"}, {Start: "2025-04-15", End: "2025-04-15"}}
	features := []WorkItem{{Start: "2025-01-20", End: ""}, {Start: "", End: "2025-05-02"}, {}}
	start, end, ok := Span(phases, features)
	if !ok || start != "2025-01-20" || end != "2025-05-02" {
		t.Errorf("Span = %s, %s, %v; want 2025-01-20, 2025-05-02, true", start, end, ok)
	}
	if _, _, ok := Span(nil, []WorkItem{{}}); ok {
		t.Error("Span of items without dates reported a span")
	}
}
