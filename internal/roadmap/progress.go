package roadmap

import "math"

// WorkItem is what the computed progress and dates of a release (or an
// epic) read of one record of its work: a feature, an epic or a release
// phase.
type WorkItem struct {
	// Progress is the record's own progress, 0-100; nil counts as 0.
	Progress *int
	// Complete says whether the record's status is a complete one.
	Complete bool
	// Estimates in one unit (minutes or points): the original estimate is
	// Detailed, or Initial when there is no detailed estimate.
	Initial, Detailed, Remaining *float64
	// Start and End are YYYY-MM-DD dates, "" when not set.
	Start, End string
}

// OriginalEstimate is the item's detailed estimate, or its initial
// estimate when it has none; 0 when it has neither.
func (w WorkItem) OriginalEstimate() float64 {
	switch {
	case w.Detailed != nil:
		return *w.Detailed
	case w.Initial != nil:
		return *w.Initial
	}
	return 0
}

// Work is everything a release's computed progress reads.
type Work struct {
	Features []WorkItem
	Epics    []WorkItem
	Phases   []WorkItem
	// Todos says, per to-do, whether it is done.
	Todos []bool
}

// roundPercent rounds a share in [0, 1] to the nearest whole percent, halves
// up, clamped to 0-100.
func roundPercent(share float64) int {
	p := int(math.Floor(share*100 + 0.5))
	return max(0, min(100, p))
}

// MeanWorkProgress is the mean of the items' progress (nil counts as 0,
// values are clamped to 0-100); 0 for no items.
func MeanWorkProgress(items []WorkItem) int {
	values := make([]int, len(items))
	for i, it := range items {
		if it.Progress != nil {
			values[i] = max(0, min(100, *it.Progress))
		}
	}
	return MeanProgress(values)
}

// CompletedShare is the share of items in a complete status; 0 for none.
func CompletedShare(items []WorkItem) int {
	if len(items) == 0 {
		return 0
	}
	done := 0
	for _, it := range items {
		if it.Complete {
			done++
		}
	}
	return roundPercent(float64(done) / float64(len(items)))
}

// DoneShare is the share of to-dos done; 0 for none.
func DoneShare(todos []bool) int {
	if len(todos) == 0 {
		return 0
	}
	done := 0
	for _, d := range todos {
		if d {
			done++
		}
	}
	return roundPercent(float64(done) / float64(len(todos)))
}

// RemainingEstimateProgress is (original - remaining) / original summed over
// the items; an item without a remaining estimate has all of its original
// estimate left. 0 when nothing is estimated.
func RemainingEstimateProgress(items []WorkItem) int {
	var original, remaining float64
	for _, it := range items {
		o := it.OriginalEstimate()
		if o <= 0 {
			continue
		}
		original += o
		r := o
		if it.Remaining != nil {
			r = max(0, min(o, *it.Remaining))
		}
		remaining += r
	}
	if original == 0 {
		return 0
	}
	return roundPercent((original - remaining) / original)
}

// ComputedProgress returns the progress that source computes from work, and
// false for progress_manual, which computes nothing.
func ComputedProgress(source string, w Work) (int, bool) {
	switch source {
	case ProgressFromFeatures:
		return MeanWorkProgress(w.Features), true
	case ProgressFromFeaturesCompleted:
		return CompletedShare(w.Features), true
	case ProgressFromEpics:
		return MeanWorkProgress(w.Epics), true
	case ProgressFromReleasePhases:
		return MeanWorkProgress(w.Phases), true
	case ProgressFromTodos:
		return DoneShare(w.Todos), true
	case ProgressFromRemainingEstimate:
		return RemainingEstimateProgress(w.Features), true
	}
	return 0, false
}

// Span returns the earliest start and the latest end over the items of
// every list (an item's end counts as a start when it has no start, and the
// reverse), and false when no item has a date.
func Span(lists ...[]WorkItem) (start, end string, ok bool) {
	for _, items := range lists {
		for _, it := range items {
			s, e := it.Start, it.End
			if s == "" {
				s = e
			}
			if e == "" {
				e = s
			}
			if s == "" {
				continue
			}
			if !ok || s < start {
				start = s
			}
			if !ok || e > end {
				end = e
			}
			ok = true
		}
	}
	return start, end, ok
}
