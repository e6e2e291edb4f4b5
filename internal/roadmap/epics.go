package roadmap

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Sources and limits of epics.
const (
	// EpicDurationFromFeatures computes an epic's start and due dates from
	// its features.
	EpicDurationFromFeatures = "duration_from_features"
	// MaxEpicTags bounds the tags of one epic, and MaxTagLength a tag.
	MaxEpicTags  = 100
	MaxTagLength = 255
	// MaxScoreFacts bounds the score facts of one epic; a fact's value is
	// between 0 and MaxScoreFactValue.
	MaxScoreFacts     = 50
	MaxScoreFactValue = 1000000
	// maxEstimate bounds estimates so that they stay exact in a float64.
	maxEstimate = 1 << 53

	epicRefKind             = "E"
	epicProgressSourcesText = "progress_manual, progress_from_features, progress_from_remaining_estimate, progress_from_todos, progress_from_features_completed"
	epicDurationSourcesText = "duration_manual, duration_from_features"
)

// ValidEpicProgressSource reports whether s is a progress source of epics.
func ValidEpicProgressSource(s string) bool {
	switch s {
	case ProgressManual, ProgressFromFeatures, ProgressFromRemainingEstimate, ProgressFromTodos, ProgressFromFeaturesCompleted:
		return true
	}
	return false
}

// ValidEpicDurationSource reports whether s is a duration source of epics.
func ValidEpicDurationSource(s string) bool {
	return s == DurationManual || s == EpicDurationFromFeatures
}

// EpicReference returns the reference number of the n-th epic of the
// product with this prefix: PRJ1-E-3.
func EpicReference(prefix string, n int64) string {
	return fmt.Sprintf("%s-%s-%d", prefix, epicRefKind, n)
}

// Epic is an epic with everything its representations show. Dates are
// YYYY-MM-DD strings; "" is a date that is not set. Estimates are in
// minutes (WorkUnits "time") or points ("story_points"); nil is not set.
type Epic struct {
	ID               int64
	ProductID        int64
	ReleaseID        int64
	ReferenceNum     string
	Name             string
	Position         int
	Score            int
	StartDate        string
	DueDate          string
	Progress         *int
	ProgressSource   string
	DurationSource   string
	StatusChangedOn  string
	WorkflowStatusID int64
	InitiativeID     int64
	AssignedToID     int64
	DefaultAssignee  bool
	CreatedByID      int64
	Description      Note
	WorkUnits        string
	InitialEstimate  *float64
	DetailedEstimate *float64
	// RemainingEstimate is nil while it was never given: the remaining
	// estimate is then the original estimate.
	RemainingEstimate *float64
	WorkDone          *float64
	CreatedAt         time.Time
	UpdatedAt         time.Time

	// Loaded with the epic for its representations.
	Product           Product
	WorkflowStatus    WorkflowStatus
	CreatedBy         User
	AssignedTo        *User
	Release           *Release
	Initiative        *Initiative
	Features          []EpicFeature
	Goals             []Goal
	Watchers          []User
	Tags              []EpicTag
	ScoreFacts        []EpicScoreFact
	CustomFields      []CustomField
	IntegrationFields []IntegrationField
	StatusTimes       []StatusTime
	Links             []EpicLink
	CommentsCount     int
}

// OriginalEstimate is the detailed estimate, or the initial one when there
// is no detailed estimate; nil when neither is set.
func (e *Epic) OriginalEstimate() *float64 {
	if e.DetailedEstimate != nil {
		return e.DetailedEstimate
	}
	return e.InitialEstimate
}

// Remaining is the remaining estimate, which is the original estimate until
// one is given.
func (e *Epic) Remaining() *float64 {
	if e.RemainingEstimate != nil {
		return e.RemainingEstimate
	}
	return e.OriginalEstimate()
}

// EpicFeature is the compact form of a feature of an epic.
type EpicFeature struct {
	ID           int64
	ProductID    int64
	ReferenceNum string
	Name         string
	CreatedAt    time.Time
}

// EpicTag is a tag of an epic, with the color it is shown in.
type EpicTag struct {
	ID    int64
	Name  string
	Color string
}

// EpicScoreFact is one value of an epic's scorecard; the epic's score is the
// sum of its facts' values.
type EpicScoreFact struct {
	ID    int64
	Name  string
	Value int
}

// EpicRef is the compact form of an epic, as links show it.
type EpicRef struct {
	ID           int64
	ProductID    int64
	ReferenceNum string
	Name         string
	CreatedAt    time.Time
}

// EpicLink is a link between two epics, such as "Depends on".
type EpicLink struct {
	LinkType   string
	LinkTypeID int
	CreatedAt  time.Time
	Parent     EpicRef
	Child      EpicRef
}

// EpicFilter selects epics for a list. At most one scope field is set; none
// lists the whole account.
type EpicFilter struct {
	ProductID    int64
	ReleaseID    int64
	GoalID       int64
	InitiativeID int64

	Query        string     // case-insensitive match on name
	UpdatedSince *time.Time // updated strictly after
	Tag          string     // exact tag name
	AssignedTo   string     // user ID or email
	Page         Page
	// Full loads what the full representation shows, not only the list one.
	Full bool
	// VisibleTo, when not 0, keeps only epics of products this user may see.
	VisibleTo int64
}

// EpicScoreFactInput is one score fact of an input.
type EpicScoreFactInput struct {
	Name  string
	Value int
}

// EpicInput is the decoded body of an epic create or update. References to
// other records are kept as the client wrote them and resolved by the store
// inside the write's transaction.
type EpicInput struct {
	Name                  Opt[string]
	Description           Opt[string]
	WorkflowStatus        Opt[string]
	Release               Opt[string]
	CreatedBy             Opt[string]
	AssignedTo            Opt[string]
	Initiative            Opt[string]
	Goals                 Opt[[]string]
	Watchers              Opt[[]string]
	Tags                  Opt[[]string]
	InitialEstimateText   Opt[string]
	DetailedEstimateText  Opt[string]
	RemainingEstimateText Opt[string]
	InitialEstimate       Opt[float64]
	DetailedEstimate      Opt[float64]
	RemainingEstimate     Opt[float64]
	StartDate             Opt[string]
	DueDate               Opt[string]
	ProgressSource        Opt[string]
	Progress              Opt[int]
	DurationSource        Opt[string]
	ScoreFacts            Opt[[]EpicScoreFactInput]
	CustomFields          Opt[[]CustomFieldEntry]
	// VisibleTo, when not 0, is the user on whose behalf linked records are
	// resolved: goals and initiatives of products it may not see are
	// unknown to it.
	VisibleTo int64
}

// ApplyEpicInput applies the scalar fields of in to e and enforces the rules
// between them: name, description, progress and its source, dates and their
// source, estimates, score facts and tags. References to other records are
// resolved by the store. create says whether e is new; now is the write's
// time. On error e may be partly changed and must be discarded.
func ApplyEpicInput(e *Epic, in EpicInput, create bool, now time.Time) error {
	if err := applyName(&e.Name, in.Name, create); err != nil {
		return err
	}
	if err := applyNote(&e.Description, "description", in.Description, create, now); err != nil {
		return err
	}
	if in.ProgressSource.Set {
		if in.ProgressSource.Null || !ValidEpicProgressSource(in.ProgressSource.V) {
			return FieldErrorf("progress_source", "progress_source %q is not valid: use one of %s", in.ProgressSource.V, epicProgressSourcesText)
		}
		if in.ProgressSource.V != e.ProgressSource && in.ProgressSource.V != ProgressManual {
			e.Progress = intPtr(0)
		}
		e.ProgressSource = in.ProgressSource.V
	}
	if err := applyProgress(&e.Progress, e.ProgressSource, in.Progress); err != nil {
		return err
	}
	if in.DurationSource.Set {
		if in.DurationSource.Null || !ValidEpicDurationSource(in.DurationSource.V) {
			return FieldErrorf("duration_source", "duration_source %q is not valid: use one of %s", in.DurationSource.V, epicDurationSourcesText)
		}
		e.DurationSource = in.DurationSource.V
	}
	for _, d := range []struct {
		field string
		in    Opt[string]
		dst   *string
	}{{"start_date", in.StartDate, &e.StartDate}, {"due_date", in.DueDate, &e.DueDate}} {
		if !d.in.Set {
			continue
		}
		if e.DurationSource != DurationManual {
			return FieldErrorf(d.field, "%s is computed from %s and can't be set", d.field, e.DurationSource)
		}
		if d.in.Null || strings.TrimSpace(d.in.V) == "" {
			*d.dst = ""
			continue
		}
		t, err := ParseDate(d.field, strings.TrimSpace(d.in.V))
		if err != nil {
			return err
		}
		*d.dst = t.Format(dateLayout)
	}
	if e.StartDate != "" && e.DueDate != "" && e.StartDate > e.DueDate && (in.StartDate.Set || in.DueDate.Set) {
		return FieldErrorf("start_date", "start_date %s is after due_date %s", e.StartDate, e.DueDate)
	}
	if err := applyEstimates(e, in); err != nil {
		return err
	}
	if in.ScoreFacts.Set {
		if len(in.ScoreFacts.V) > MaxScoreFacts {
			return FieldErrorf("score_facts", "score_facts: at most %d facts", MaxScoreFacts)
		}
		facts := make([]EpicScoreFact, 0, len(in.ScoreFacts.V))
		seen := map[string]bool{}
		score := 0
		for _, f := range in.ScoreFacts.V {
			name := strings.TrimSpace(f.Name)
			if name == "" {
				return FieldErrorf("score_facts", "score_facts: every fact needs a name")
			}
			if utf8.RuneCountInString(name) > MaxNameLength {
				return FieldErrorf("score_facts", "score_facts: the name %q is too long (maximum is %d characters)", name, MaxNameLength)
			}
			if seen[strings.ToLower(name)] {
				return FieldErrorf("score_facts", "score_facts: %s is given twice", name)
			}
			seen[strings.ToLower(name)] = true
			if f.Value < 0 || f.Value > MaxScoreFactValue {
				return FieldErrorf("score_facts", "score_facts: the value of %s must be between 0 and %d", name, MaxScoreFactValue)
			}
			facts = append(facts, EpicScoreFact{Name: name, Value: f.Value})
			score += f.Value
		}
		e.ScoreFacts, e.Score = facts, score
	}
	if in.Tags.Set {
		tags, err := NormalizeTags(in.Tags.V)
		if err != nil {
			return err
		}
		e.Tags = make([]EpicTag, 0, len(tags))
		for _, t := range tags {
			e.Tags = append(e.Tags, EpicTag{Name: t, Color: TagColor(t)})
		}
	}
	return nil
}

// applyEstimates applies the estimate texts and numbers of in. Texts carry
// their units (time or story points) and set the epic's; numbers are in the
// epic's units. All of an epic's estimates are in one kind of units.
func applyEstimates(e *Epic, in EpicInput) error {
	type estimate struct {
		field, textField string
		text             Opt[string]
		num              Opt[float64]
		dst              **float64
	}
	ests := []estimate{
		{"initial_estimate", "initial_estimate_text", in.InitialEstimateText, in.InitialEstimate, &e.InitialEstimate},
		{"detailed_estimate", "detailed_estimate_text", in.DetailedEstimateText, in.DetailedEstimate, &e.DetailedEstimate},
		{"remaining_estimate", "remaining_estimate_text", in.RemainingEstimateText, in.RemainingEstimate, &e.RemainingEstimate},
	}
	units := ""
	unitsField := ""
	given := map[string]bool{}
	for _, es := range ests {
		if es.text.Set && es.num.Set {
			return FieldErrorf(es.textField, "give either %s or %s, not both", es.textField, es.field)
		}
		if !es.text.Set && !es.num.Set {
			continue
		}
		given[es.field] = true
		if es.num.Set {
			if es.num.Null {
				*es.dst = nil
				continue
			}
			if es.num.V < 0 || es.num.V > maxEstimate || math.IsNaN(es.num.V) {
				return FieldErrorf(es.field, "%s must be a number of at least 0", es.field)
			}
			v := es.num.V
			*es.dst = &v
			continue
		}
		text := strings.TrimSpace(es.text.V)
		if es.text.Null || text == "" {
			*es.dst = nil
			continue
		}
		total, u, err := ParseCapacity("", text)
		if err != nil {
			return FieldErrorf(es.textField, "%s %q is not an estimate: use min, h, d, w, m (time) or p (story points), as in \"2d 1h\" or \"4p\"", es.textField, es.text.V)
		}
		if units != "" && u != units {
			return FieldErrorf(es.textField, "%s is in %s but %s is in %s: give every estimate in the same units", es.textField, u, unitsField, units)
		}
		units, unitsField = u, es.textField
		*es.dst = &total
	}
	if units == "" {
		if e.WorkUnits == "" {
			e.WorkUnits = CapacityTime
		}
		return nil
	}
	if units != e.WorkUnits {
		for _, es := range ests {
			if !given[es.field] && *es.dst != nil {
				return FieldErrorf(unitsField, "%s is in %s but the epic's %s is in %s: give every estimate in the same units", unitsField, units, es.field, e.WorkUnits)
			}
		}
	}
	e.WorkUnits = units
	return nil
}

// NormalizeTags trims tags, drops empty ones and repeats (ignoring letter
// case), and checks their number and length.
func NormalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagLength {
			return nil, FieldErrorf("tags", "tags: %q is too long (maximum is %d characters)", t, MaxTagLength)
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	if len(out) > MaxEpicTags {
		return nil, FieldErrorf("tags", "tags: at most %d tags", MaxEpicTags)
	}
	return out, nil
}

// TagColor is the color a new tag is shown in: a hue drawn from its name,
// so that a tag keeps its color wherever it is used, at the saturation and
// lightness of Aha!'s tag colors.
func TagColor(name string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(name)))
	hue := float64(h.Sum32()%360) / 60
	// Aha!'s tag colors have their largest component at 0xe0 and their
	// smallest at 0x52.
	const hi, lo = 0xe0, 0x52
	x := lo + (hi-lo)*(1-math.Abs(math.Mod(hue, 2)-1))
	var r, g, b float64
	switch int(hue) {
	case 0:
		r, g, b = hi, x, lo
	case 1:
		r, g, b = x, hi, lo
	case 2:
		r, g, b = lo, hi, x
	case 3:
		r, g, b = lo, x, hi
	case 4:
		r, g, b = x, lo, hi
	default:
		r, g, b = hi, lo, x
	}
	return fmt.Sprintf("#%02x%02x%02x", int(r), int(g), int(b))
}

// EpicSeed holds what a seeded account has of epics: the epics with their
// links, the custom field definitions of epics, the products' default
// assignees of new epics and their epic counters.
type EpicSeed struct {
	Epics []SeedEpic
	// Links are links between seeded epics.
	Links []SeedEpicLink
	// Fields are custom field definitions (of epics) the seeded values use.
	Fields *FieldSeed
	// Assignees sets per product ID the default assignee of new epics.
	Assignees map[int64]int64
	// Counters sets per product ID the last epic number used, where the
	// account has used more than its records show.
	Counters map[int64]int64
}

// SeedEpic is a seeded epic: the row of an Epic with its goals and
// watchers by ID, its tags, score facts, custom fields, integration fields
// and status history, and the features (by ID) that belong to it, where the
// account holds them.
type SeedEpic struct {
	Epic
	GoalIDs    []int64
	WatcherIDs []int64
	FeatureIDs []int64
}

// SeedEpicLink is a link between two seeded epics.
type SeedEpicLink struct {
	ID         int64
	ParentID   int64
	ChildID    int64
	LinkType   string
	LinkTypeID int
	CreatedAt  time.Time
}

// EpicStore persists epics.
type EpicStore interface {
	// Epic returns an epic by numeric ID or reference number, loaded for its
	// full representation.
	Epic(ctx context.Context, key string) (*Epic, error)
	// Epics returns a page of epics in ID order and the total number that
	// match.
	Epics(ctx context.Context, f EpicFilter) ([]*Epic, int, error)
	// DefaultEpicRelease returns the release that an epic created in a
	// product without a release goes to: the product's first release that is
	// neither shipped, a roll-up nor a parking lot, by release date then
	// number, else its first parking lot.
	DefaultEpicRelease(ctx context.Context, productID int64) (*Release, error)
	// CreateEpic creates an epic in a release on behalf of a user; the
	// creator and the assignee watch it.
	CreateEpic(ctx context.Context, releaseID, userID int64, in EpicInput) (*Epic, error)
	// UpdateEpic changes an epic; it may move to another release of its
	// product.
	UpdateEpic(ctx context.Context, id int64, in EpicInput) (*Epic, error)
	// DeleteEpic deletes an epic; its features stay, without an epic.
	DeleteEpic(ctx context.Context, id int64) error
}
