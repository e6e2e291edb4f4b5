package roadmap

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Progress and duration sources of goals and initiatives, beyond those that
// releases share with them.
const (
	ProgressFromReleases    = "progress_from_releases"
	ProgressFromInitiatives = "progress_from_initiatives"
	ProgressFromDescendants = "progress_from_descendants"
	ProgressFromKeyResults  = "progress_from_key_results"
	ProgressFromChildren    = "progress_from_children"
	DurationFromChildren    = "duration_from_children"
	DurationFromReleases    = "duration_from_releases"
	DurationFromFeatures    = "duration_from_features_epics"

	// DefaultRecordColor is the chart color of a new goal or initiative.
	DefaultRecordColor = "#397e82"
	// DefaultChartValue is the effort and value of a new goal or initiative
	// when none is given: the middle of the chart.
	DefaultChartValue = 50
	// MaxDescriptionLength bounds descriptions and success metric texts.
	MaxDescriptionLength = 100000
	// MaxMetricLength bounds the metric texts of a key result.
	MaxMetricLength = 255

	goalRefKind       = "G"
	initiativeRefKind = "S"
	keyResultRefKind  = "KR"

	goalProgressText       = "progress_manual, progress_from_features, progress_from_releases, progress_from_initiatives, progress_from_descendants, progress_from_features_completed, progress_from_epics, progress_from_key_results"
	initiativeProgressText = "progress_manual, progress_from_features, progress_from_releases, progress_from_children, progress_from_features_completed, progress_from_epics"
	initiativeDurationText = "duration_manual, duration_from_children, duration_from_releases, duration_from_features_epics"
)

// ValidGoalProgressSource reports whether s is a progress source of goals.
func ValidGoalProgressSource(s string) bool {
	switch s {
	case ProgressManual, ProgressFromFeatures, ProgressFromReleases, ProgressFromInitiatives,
		ProgressFromDescendants, ProgressFromFeaturesCompleted, ProgressFromEpics, ProgressFromKeyResults:
		return true
	}
	return false
}

// ValidInitiativeProgressSource reports whether s is a progress source of
// initiatives.
func ValidInitiativeProgressSource(s string) bool {
	switch s {
	case ProgressManual, ProgressFromFeatures, ProgressFromReleases, ProgressFromChildren,
		ProgressFromFeaturesCompleted, ProgressFromEpics:
		return true
	}
	return false
}

// ValidInitiativeDurationSource reports whether s is a duration source of
// initiatives.
func ValidInitiativeDurationSource(s string) bool {
	switch s {
	case DurationManual, DurationFromChildren, DurationFromReleases, DurationFromFeatures:
		return true
	}
	return false
}

// GoalReference returns the reference number of the n-th goal of the
// product with this prefix: PRJ1-G-3.
func GoalReference(prefix string, n int64) string {
	return fmt.Sprintf("%s-%s-%d", prefix, goalRefKind, n)
}

// InitiativeReference returns the reference number of the n-th initiative
// of the product with this prefix: PRJ1-S-12.
func InitiativeReference(prefix string, n int64) string {
	return fmt.Sprintf("%s-%s-%d", prefix, initiativeRefKind, n)
}

// KeyResultReference returns the reference number of the n-th key result
// of the goal with this reference number: PRJ1-G-3-KR-2.
func KeyResultReference(goalRef string, n int64) string {
	return fmt.Sprintf("%s-%s-%d", goalRef, keyResultRefKind, n)
}

// StatusKey is the short form of a workflow status name that initiatives
// show as their status: "Not Started" is not_started.
func StatusKey(name string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r == ' ' || r == '-' || r == '_' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte('_')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MeanProgress returns the rounded mean of values, 0 for none: the progress
// that a computed source gives over its inputs.
func MeanProgress(values []int) int {
	if len(values) == 0 {
		return 0
	}
	sum := 0
	for _, v := range values {
		sum += v
	}
	return (2*sum + len(values)) / (2 * len(values))
}

// TimeFrame is a named period of the account that goals and initiatives
// are planned for.
type TimeFrame struct {
	ID   int64
	Name string
}

// GoalDetail is a goal with everything its representation shows.
type GoalDetail struct {
	Goal
	Effort         int
	Value          int
	Color          string
	Position       int
	Progress       *int
	ProgressSource string
	UpdatedAt      time.Time
	CreatedByID    int64
	ParentID       int64

	MetricName        string
	MetricDescription Note

	// Loaded with the goal for its representation.
	Product        Product
	WorkflowStatus *WorkflowStatus
	StatusTimes    []StatusTime
	TimeFrame      *TimeFrame
	// Parents are the goals above this one, nearest first.
	Parents     []Goal
	Initiatives []Initiative
	KeyResults  []KeyResult
	Releases    []*Release
	Watchers    []User
	// CommentsCount is the number of comments on the goal.
	CommentsCount int
}

// InitiativeDetail is an initiative with everything its representation
// shows. Dates are YYYY-MM-DD strings; "" is a date that is not set.
type InitiativeDetail struct {
	Initiative
	Effort          int
	Value           int
	Presented       bool
	Color           string
	StartDate       string
	EndDate         string
	Position        int
	Score           int
	Progress        *int
	ProgressSource  string
	DurationSource  string
	UpdatedAt       time.Time
	AssignedToID    int64
	DefaultAssignee bool
	CreatedByID     int64
	ParentID        int64

	// Loaded with the initiative for its representation.
	Product        Product
	WorkflowStatus *WorkflowStatus
	StatusTimes    []StatusTime
	AssignedTo     *User
	CreatedBy      *User
	TimeFrame      *TimeFrame
	Parent         *Initiative
	Goals          []Goal
	Releases       []*Release
	CustomFields   []CustomField
	Watchers       []User
	// CommentsCount is the number of comments on the initiative.
	CommentsCount int
}

// KeyResult is a measurable result of a goal. Metrics are free text; nil is
// a metric that is not set.
type KeyResult struct {
	ID              int64
	GoalID          int64
	ProductID       int64
	ReferenceNum    string
	Name            string
	Position        int
	Progress        *int
	TargetMetric    *string
	StartingMetric  *string
	CurrentMetric   *string
	Description     Note
	AssignedToID    int64
	DefaultAssignee bool
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// Loaded with the key result for its representation.
	WorkflowStatus *WorkflowStatus
	AssignedTo     *User
	CustomFields   []CustomField
	Watchers       []User
}

// CustomFieldEntry is one custom field value of an input, by key.
type CustomFieldEntry struct {
	Key   string
	Value string
}

// GoalInput is the decoded body of a goal create or update. References to
// other records are kept as the client wrote them and resolved by the store
// inside the write's transaction.
type GoalInput struct {
	Name              Opt[string]
	Description       Opt[string]
	Effort            Opt[int]
	Value             Opt[int]
	ParentID          Opt[string]
	MetricName        Opt[string]
	MetricDescription Opt[string]
	WorkflowStatus    Opt[string]
	TimeFrame         Opt[string]
	ProgressSource    Opt[string]
	Progress          Opt[int]
	Watchers          Opt[[]string]
	Initiatives       Opt[[]string]
	Releases          Opt[[]string]
	// VisibleTo, when not 0, is the user on whose behalf linked records are
	// resolved: records of products that user may not see are unknown.
	VisibleTo int64
}

// InitiativeInput is the decoded body of an initiative create or update.
type InitiativeInput struct {
	Name           Opt[string]
	Description    Opt[string]
	WorkflowStatus Opt[string]
	Effort         Opt[int]
	Value          Opt[int]
	Presented      Opt[bool]
	Position       Opt[int]
	ParentID       Opt[string]
	StartDate      Opt[string]
	EndDate        Opt[string]
	TimeFrame      Opt[string]
	ProgressSource Opt[string]
	Progress       Opt[int]
	DurationSource Opt[string]
	AssignedTo     Opt[string]
	Watchers       Opt[[]string]
	Goals          Opt[[]string]
	Releases       Opt[[]string]
	CustomFields   Opt[[]CustomFieldEntry]
	// VisibleTo is as in GoalInput.
	VisibleTo int64
}

// KeyResultInput is the decoded body of a key result create or update.
type KeyResultInput struct {
	Name           Opt[string]
	Description    Opt[string]
	WorkflowStatus Opt[string]
	TargetMetric   Opt[string]
	StartingMetric Opt[string]
	CurrentMetric  Opt[string]
	AssignedTo     Opt[string]
	Watchers       Opt[[]string]
	CustomFields   Opt[[]CustomFieldEntry]
}

// GoalFilter selects goals for a list. At most one scope field is set; none
// lists the whole account.
type GoalFilter struct {
	ProductID    int64
	InitiativeID int64
	Page         Page
	// VisibleTo, when not 0, keeps only goals of products this user may see.
	VisibleTo int64
}

// InitiativeFilter selects initiatives for a list. At most one scope field
// is set; none lists the whole account.
type InitiativeFilter struct {
	ProductID int64
	GoalID    int64

	Query        string     // case-insensitive match on name
	UpdatedSince *time.Time // updated strictly after
	AssignedTo   string     // user ID or email
	OnlyActive   bool       // leave out initiatives in a complete status
	Page         Page
	// VisibleTo, when not 0, keeps only initiatives of products this user
	// may see.
	VisibleTo int64
}

// StrategySeed holds what a seeded account has of goals, initiatives and key
// results beyond their compact records in Seed.Goals and Seed.Initiatives.
type StrategySeed struct {
	TimeFrames  []TimeFrame
	Goals       []SeedGoalDetail
	Initiatives []SeedInitiativeDetail
	KeyResults  []KeyResult
	// GoalInitiatives links goals (key) to initiatives.
	GoalInitiatives map[int64][]int64
	// Products sets per product ID the key result workflow and the default
	// assignee of new initiatives.
	Products []SeedProductStrategy
	// InitiativeCounters sets per product ID the last initiative number used,
	// where the account has used more than its records show.
	InitiativeCounters map[int64]int64
}

// SeedGoalDetail is what a seeded goal has beyond its compact record.
type SeedGoalDetail struct {
	ID                int64
	Effort, Value     int
	Color             string
	Position          int
	WorkflowStatusID  int64
	ParentID          int64
	TimeFrameID       int64
	MetricName        string
	MetricDescription Note
	CreatedByID       int64
}

// SeedInitiativeDetail is what a seeded initiative has beyond its compact
// record.
type SeedInitiativeDetail struct {
	ID               int64
	Effort, Value    int
	Score            int
	Color            string
	Position         int
	WorkflowStatusID int64
	AssignedToID     int64
	DefaultAssignee  bool
	TimeFrameID      int64
	CreatedByID      int64
	CustomFields     []CustomField
}

// SeedProductStrategy is a product's key result workflow and the default
// assignee of its new initiatives.
type SeedProductStrategy struct {
	ProductID           int64
	KeyResultWorkflowID int64
	InitiativeAssignee  int64
}

// Shown holds what a goal or initiative shows before a change, where its
// sources compute it: when a source becomes manual, the record keeps these
// values as its own.
type Shown struct {
	Progress  *int
	StartDate string
	EndDate   string
}

// ApplyGoalInput applies the scalar fields of in to g and enforces the rules
// between them: name, description, success metric, chart position, progress
// and its source. References to other records are resolved by the store.
// create says whether g is new; now is the write's time; g holds its own
// progress and shown what it showed. On error g may be partly changed and
// must be discarded.
func ApplyGoalInput(g *GoalDetail, in GoalInput, create bool, now time.Time, shown Shown) error {
	if err := applyName(&g.Name, in.Name, create); err != nil {
		return err
	}
	if err := applyNote(&g.Description, "description", in.Description, create, now); err != nil {
		return err
	}
	if in.MetricName.Set {
		name := strings.TrimSpace(in.MetricName.V)
		if utf8.RuneCountInString(name) > MaxNameLength {
			return FieldErrorf("success_metric_name", "success_metric_name is too long (maximum is %d characters)", MaxNameLength)
		}
		g.MetricName = name
	}
	if err := applyNote(&g.MetricDescription, "success_metric_description", in.MetricDescription, create, now); err != nil {
		return err
	}
	for _, c := range []struct {
		field string
		in    Opt[int]
		dst   *int
	}{{"effort", in.Effort, &g.Effort}, {"value", in.Value, &g.Value}} {
		if !c.in.Set {
			continue
		}
		if c.in.Null || c.in.V < 1 || c.in.V > 100 {
			return FieldErrorf(c.field, "%s must be between 1 and 100", c.field)
		}
		*c.dst = c.in.V
	}
	if in.ProgressSource.Set {
		if in.ProgressSource.Null || !ValidGoalProgressSource(in.ProgressSource.V) {
			return FieldErrorf("progress_source", "progress_source %q is not valid: use one of %s", in.ProgressSource.V, goalProgressText)
		}
		if in.ProgressSource.V == ProgressManual && g.ProgressSource != ProgressManual {
			g.Progress = shown.Progress
		}
		g.ProgressSource = in.ProgressSource.V
	}
	return applyProgress(&g.Progress, g.ProgressSource, in.Progress)
}

// ApplyInitiativeInput applies the scalar fields of in to it, as
// ApplyGoalInput does for goals, with the initiative's dates and their
// duration source.
func ApplyInitiativeInput(it *InitiativeDetail, in InitiativeInput, create bool, now time.Time, shown Shown) error {
	if err := applyName(&it.Name, in.Name, create); err != nil {
		return err
	}
	if err := applyNote(&it.Description, "description", in.Description, create, now); err != nil {
		return err
	}
	for _, c := range []struct {
		field string
		in    Opt[int]
		dst   *int
	}{{"effort", in.Effort, &it.Effort}, {"value", in.Value, &it.Value}, {"position", in.Position, &it.Position}} {
		if !c.in.Set {
			continue
		}
		if c.in.Null || c.in.V < 0 {
			return FieldErrorf(c.field, "%s must be a whole number of at least 0", c.field)
		}
		*c.dst = c.in.V
	}
	if in.Presented.Set {
		it.Presented = in.Presented.V && !in.Presented.Null
	}
	if in.ProgressSource.Set {
		if in.ProgressSource.Null || !ValidInitiativeProgressSource(in.ProgressSource.V) {
			return FieldErrorf("progress_source", "progress_source %q is not valid: use one of %s", in.ProgressSource.V, initiativeProgressText)
		}
		if in.ProgressSource.V == ProgressManual && it.ProgressSource != ProgressManual {
			it.Progress = shown.Progress
		}
		it.ProgressSource = in.ProgressSource.V
	}
	if err := applyProgress(&it.Progress, it.ProgressSource, in.Progress); err != nil {
		return err
	}
	if in.DurationSource.Set {
		if in.DurationSource.Null || !ValidInitiativeDurationSource(in.DurationSource.V) {
			return FieldErrorf("duration_source", "duration_source %q is not valid: use one of %s", in.DurationSource.V, initiativeDurationText)
		}
		if in.DurationSource.V == DurationManual && it.DurationSource != DurationManual {
			it.StartDate, it.EndDate = shown.StartDate, shown.EndDate
		}
		it.DurationSource = in.DurationSource.V
	}
	for _, d := range []struct {
		field string
		in    Opt[string]
		dst   *string
	}{{"start_date", in.StartDate, &it.StartDate}, {"end_date", in.EndDate, &it.EndDate}} {
		if !d.in.Set {
			continue
		}
		if it.DurationSource != DurationManual {
			return FieldErrorf(d.field, "%s is computed from %s and can't be set", d.field, it.DurationSource)
		}
		if d.in.Null || strings.TrimSpace(d.in.V) == "" {
			*d.dst = ""
			continue
		}
		t, err := ParseDate(d.field, d.in.V)
		if err != nil {
			return err
		}
		*d.dst = t.Format(dateLayout)
	}
	if it.StartDate != "" && it.EndDate != "" && it.StartDate > it.EndDate && (in.StartDate.Set || in.EndDate.Set) {
		return FieldErrorf("start_date", "start_date %s is after end_date %s", it.StartDate, it.EndDate)
	}
	return nil
}

// ApplyKeyResultInput applies the scalar fields of in to k: name,
// description and metrics.
func ApplyKeyResultInput(k *KeyResult, in KeyResultInput, create bool, now time.Time) error {
	if err := applyName(&k.Name, in.Name, create); err != nil {
		return err
	}
	if err := applyNote(&k.Description, "description", in.Description, create, now); err != nil {
		return err
	}
	for _, m := range []struct {
		field string
		in    Opt[string]
		dst   **string
	}{{"target_metric", in.TargetMetric, &k.TargetMetric}, {"starting_metric", in.StartingMetric, &k.StartingMetric}, {"current_metric", in.CurrentMetric, &k.CurrentMetric}} {
		if !m.in.Set {
			continue
		}
		v := strings.TrimSpace(m.in.V)
		if m.in.Null || v == "" {
			*m.dst = nil
			continue
		}
		if utf8.RuneCountInString(v) > MaxMetricLength {
			return FieldErrorf(m.field, "%s is too long (maximum is %d characters)", m.field, MaxMetricLength)
		}
		*m.dst = &v
	}
	return nil
}

// ValidateCustomFields checks the entries of a custom field input: each has
// a key, given once.
func ValidateCustomFields(entries []CustomFieldEntry) error {
	seen := map[string]bool{}
	for _, e := range entries {
		if strings.TrimSpace(e.Key) == "" {
			return FieldErrorf("custom_fields", "custom_fields: every field needs a key")
		}
		if seen[e.Key] {
			return FieldErrorf("custom_fields", "custom_fields: %s is given twice", e.Key)
		}
		seen[e.Key] = true
		if len(e.Value) > MaxDescriptionLength {
			return FieldErrorf("custom_fields", "custom_fields: the value of %s is too long", e.Key)
		}
	}
	return nil
}

func applyName(dst *string, in Opt[string], create bool) error {
	if !in.Set && !create {
		return nil
	}
	if in.Null || !in.Set {
		return FieldErrorf("name", "name can't be blank")
	}
	name, err := ValidateName("name", in.V)
	if err != nil {
		return err
	}
	*dst = name
	return nil
}

func applyNote(n *Note, field string, in Opt[string], create bool, now time.Time) error {
	if !in.Set {
		return nil
	}
	body := ""
	if !in.Null {
		body = in.V
	}
	if len(body) > MaxDescriptionLength {
		return FieldErrorf(field, "%s is too long (maximum is %d bytes)", field, MaxDescriptionLength)
	}
	if body != n.Body || create {
		n.Body = body
		n.UpdatedAt = now
	}
	return nil
}

func applyProgress(dst **int, source string, in Opt[int]) error {
	if !in.Set {
		return nil
	}
	if source != ProgressManual {
		return FieldErrorf("progress", "progress may only be set when progress_source is progress_manual (it is %s)", source)
	}
	if in.Null {
		*dst = nil
		return nil
	}
	if in.V < 0 || in.V > 100 {
		return FieldErrorf("progress", "progress must be between 0 and 100")
	}
	*dst = intPtr(in.V)
	return nil
}

// GoalStore persists goals, initiatives and key results.
type GoalStore interface {
	// GoalDetail returns a goal by numeric ID or reference number, loaded for
	// its representation.
	GoalDetail(ctx context.Context, key string) (*GoalDetail, error)
	// Goals returns a page of goals in ID order and the total number that match.
	Goals(ctx context.Context, f GoalFilter) ([]*GoalDetail, int, error)
	// CreateGoal creates a goal in a product on behalf of a user, who
	// watches it.
	CreateGoal(ctx context.Context, productID, userID int64, in GoalInput) (*GoalDetail, error)
	// UpdateGoal changes a goal.
	UpdateGoal(ctx context.Context, id int64, in GoalInput) (*GoalDetail, error)
	// DeleteGoal deletes a goal with its key results; releases and
	// initiatives linked to it stay, without the link, and goals under it are
	// detached.
	DeleteGoal(ctx context.Context, id int64) error

	// InitiativeDetail returns an initiative by numeric ID or reference
	// number, loaded for its representation.
	InitiativeDetail(ctx context.Context, key string) (*InitiativeDetail, error)
	// Initiatives returns a page of initiatives in ID order and the total
	// number that match.
	Initiatives(ctx context.Context, f InitiativeFilter) ([]*InitiativeDetail, int, error)
	// CreateInitiative creates an initiative in a product on behalf of a
	// user; the user and the assignee watch it.
	CreateInitiative(ctx context.Context, productID, userID int64, in InitiativeInput) (*InitiativeDetail, error)
	// UpdateInitiative changes an initiative.
	UpdateInitiative(ctx context.Context, id int64, in InitiativeInput) (*InitiativeDetail, error)
	// DeleteInitiative deletes an initiative; releases and goals linked to it
	// stay, without the link, and initiatives under it are detached.
	DeleteInitiative(ctx context.Context, id int64) error

	// KeyResult returns a key result by numeric ID or reference number.
	KeyResult(ctx context.Context, key string) (*KeyResult, error)
	// KeyResults returns a page of a goal's key results in ID order and the
	// total number there are.
	KeyResults(ctx context.Context, goalID int64, page Page) ([]*KeyResult, int, error)
	// CreateKeyResult adds a key result to a goal on behalf of a user; the
	// user and the assignee watch it.
	CreateKeyResult(ctx context.Context, goalID, userID int64, in KeyResultInput) (*KeyResult, error)
	// UpdateKeyResult changes a key result.
	UpdateKeyResult(ctx context.Context, id int64, in KeyResultInput) (*KeyResult, error)
	// DeleteKeyResult deletes a key result.
	DeleteKeyResult(ctx context.Context, id int64) error
}
