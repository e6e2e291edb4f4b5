package roadmap

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Progress sources, kinds and limits of features and requirements.
const (
	// ProgressFromRequirements computes a feature's progress as the share of
	// its requirements in a complete status.
	ProgressFromRequirements = "progress_from_requirements"
	// MaxFeatureTags bounds the tags of one feature or requirement.
	MaxFeatureTags = 100

	// maxFeatureScoreFacts bounds the score facts of one feature; a fact's
	// value is at most maxFeatureScoreValue either side of 0.
	maxFeatureScoreFacts = 50
	maxFeatureScoreValue = 1000000
	// maxFeatureEstimate bounds estimates so that they stay exact in a
	// float64.
	maxFeatureEstimate = 1 << 53

	featureProgressSourcesText = "progress_manual, progress_from_requirements, progress_from_remaining_estimate, progress_from_todos"
)

// Link types of feature links, with Aha!'s names and numbers.
const (
	LinkRelatesTo   = "Relates to"
	LinkRelatesToID = 10
	LinkDependsOn   = "Depends on"
	LinkDependsOnID = 20
)

// ValidFeatureProgressSource reports whether s is a progress source of
// features.
func ValidFeatureProgressSource(s string) bool {
	switch s {
	case ProgressManual, ProgressFromRequirements, ProgressFromRemainingEstimate, ProgressFromTodos:
		return true
	}
	return false
}

// FeatureReference returns the reference number of the n-th feature of the
// product with this prefix: PRJ1-12.
func FeatureReference(prefix string, n int64) string {
	return fmt.Sprintf("%s-%d", prefix, n)
}

// RequirementReference returns the reference number of the n-th
// requirement of the feature with this reference number: PRJ1-12-3.
func RequirementReference(featureRef string, n int64) string {
	return fmt.Sprintf("%s-%d", featureRef, n)
}

// WorkflowKind is the type of a feature: new work, an improvement, a bug
// fix or research.
type WorkflowKind struct {
	ID   int64
	Key  string
	Name string
}

// FeatureKinds are the kinds a feature can be, the first being the default.
var FeatureKinds = []WorkflowKind{
	{ID: 98484309, Key: "new", Name: "New"},
	{ID: 98484310, Key: "improvement", Name: "Improvement"},
	{ID: 98484311, Key: "bug_fix", Name: "Bug fix"},
	{ID: 98484312, Key: "research", Name: "Research"},
}

// FeatureKind returns the kind with this key, name (in any letter case) or
// numeric ID.
func FeatureKind(ref string) (WorkflowKind, bool) {
	ref = strings.TrimSpace(ref)
	n, nerr := strconv.ParseInt(ref, 10, 64)
	for _, k := range FeatureKinds {
		if (nerr == nil && k.ID == n) || strings.EqualFold(k.Key, ref) || strings.EqualFold(k.Name, ref) || StatusKey(ref) == k.Key {
			return k, true
		}
	}
	return WorkflowKind{}, false
}

// Scorecard is the account's scorecard: the metrics a feature's score adds
// up, in the order its score facts show. A metric without a fact counts as
// ScorecardDefault; facts of other names add their values too.
var Scorecard = []string{"Effort", "Benefit"}

// ScorecardDefault is the value of a scorecard metric that has no fact.
const ScorecardDefault = 1

// ScoreFact is one value of a feature's scorecard.
type ScoreFact struct {
	ID    int64
	Name  string
	Value int
}

// ScoreFactInput is one score fact of an input.
type ScoreFactInput struct {
	Name  string
	Value int
}

// FeatureScore is the score of a feature with these facts: the values of
// its facts, with ScorecardDefault for each scorecard metric it has no fact
// for.
func FeatureScore(facts []ScoreFact) int {
	score := 0
	for _, m := range Scorecard {
		v := ScorecardDefault
		for _, f := range facts {
			if strings.EqualFold(f.Name, m) {
				v = f.Value
			}
		}
		score += v
	}
	for _, f := range facts {
		if scorecardMetric(f.Name) < 0 {
			score += f.Value
		}
	}
	return score
}

// scorecardMetric returns the position of a metric in the scorecard, or -1.
func scorecardMetric(name string) int {
	for i, m := range Scorecard {
		if strings.EqualFold(m, name) {
			return i
		}
	}
	return -1
}

// ScoreFactPosition is where a fact of this name shows among a feature's
// facts: scorecard metrics in the scorecard's order, then the others in the
// order given (at index i of the input).
func ScoreFactPosition(name string, i int) int {
	if p := scorecardMetric(name); p >= 0 {
		return p
	}
	return len(Scorecard) + i
}

// Tag is a tag of a feature or requirement, with the color it is shown in.
type Tag struct {
	ID    int64
	Name  string
	Color string
}

// FeatureRef is the compact form of a feature, as lists, requirements and
// links show it.
type FeatureRef struct {
	ID           int64
	ProductID    int64
	ReferenceNum string
	Name         string
	CreatedAt    time.Time
}

// FeatureEpic is the compact form of the epic a feature belongs to.
type FeatureEpic struct {
	ID           int64
	ProductID    int64
	ReferenceNum string
	Name         string
	CreatedAt    time.Time
}

// FeaturePhase is the release phase (or milestone) a feature belongs to.
type FeaturePhase struct {
	ID             int64
	ReleaseID      int64
	ProductID      int64 // the product of its release
	Name           string
	Kind           string
	StartOn        string
	EndOn          string
	Progress       *int
	ProgressSource string
	DurationSource string
	Description    Note
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// FeatureKeyResult is the compact form of a key result a feature
// contributes to.
type FeatureKeyResult struct {
	ID             int64
	ProductID      int64 // the product of its goal
	ReferenceNum   string
	Name           string
	Position       int
	Progress       *int
	TargetMetric   *string
	StartingMetric *string
	CurrentMetric  *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// FeatureLink is a link between two features, such as "Depends on".
type FeatureLink struct {
	ID         int64
	LinkType   string
	LinkTypeID int
	CreatedAt  time.Time
	Parent     FeatureRef
	Child      FeatureRef
}

// Feature is a feature with everything its representations show. Dates are
// YYYY-MM-DD strings; "" is a date that is not set. Estimates are in
// minutes (WorkUnits "time") or points ("story_points"); nil is not set.
type Feature struct {
	ID                int64
	ProductID         int64
	ReleaseID         int64
	EpicID            int64
	InitiativeID      int64
	ReleasePhaseID    int64
	ReferenceNum      string
	Name              string
	Position          int
	Score             int
	StartDate         string
	DueDate           string
	Progress          *int
	ProgressSource    string
	StatusChangedOn   string
	WorkflowKind      string
	WorkflowStatusID  int64
	AssignedToID      int64
	DefaultAssignee   bool
	CreatedByID       int64
	Description       Note
	WorkUnits         string
	InitialEstimate   *float64
	DetailedEstimate  *float64
	RemainingEstimate *float64
	WorkDone          *float64
	CreatedAt         time.Time
	UpdatedAt         time.Time

	// Loaded with the feature for its representations.
	Product           Product
	WorkflowStatus    WorkflowStatus
	CreatedBy         User
	AssignedTo        *User
	Release           *Release
	Epic              *FeatureEpic
	ReleasePhase      *FeaturePhase
	Initiative        *Initiative
	Requirements      []*Requirement
	Goals             []Goal
	KeyResults        []FeatureKeyResult
	Watchers          []User
	Tags              []Tag
	ScoreFacts        []ScoreFact
	CustomFields      []CustomField
	IntegrationFields []IntegrationField
	Links             []FeatureLink
	StatusTimes       []StatusTime
	CommentsCount     int
}

// Ref returns the compact form of the feature.
func (f *Feature) Ref() FeatureRef {
	return FeatureRef{ID: f.ID, ProductID: f.ProductID, ReferenceNum: f.ReferenceNum, Name: f.Name, CreatedAt: f.CreatedAt}
}

// Kind returns the feature's kind, the default one when its key is unknown.
func (f *Feature) Kind() WorkflowKind {
	if k, ok := FeatureKind(f.WorkflowKind); ok {
		return k
	}
	return FeatureKinds[0]
}

// OriginalEstimate is the detailed estimate, or the initial one when there
// is no detailed estimate; nil when neither is set.
func (f *Feature) OriginalEstimate() *float64 {
	if f.DetailedEstimate != nil {
		return f.DetailedEstimate
	}
	return f.InitialEstimate
}

// Estimated reports whether any estimate or work done is set.
func (f *Feature) Estimated() bool {
	return f.InitialEstimate != nil || f.DetailedEstimate != nil || f.RemainingEstimate != nil || f.WorkDone != nil
}

// Requirement is a requirement of a feature with everything its
// representation shows.
type Requirement struct {
	ID               int64
	FeatureID        int64
	ReferenceNum     string
	Name             string
	Position         int
	WorkflowStatusID int64
	AssignedToID     int64
	CreatedByID      int64
	Description      Note
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// Loaded with the requirement for its representation.
	Feature           FeatureRef
	ReleaseID         int64
	WorkflowStatus    WorkflowStatus
	CreatedBy         User
	AssignedTo        *User
	Tags              []Tag
	CustomFields      []CustomField
	IntegrationFields []IntegrationField
	StatusTimes       []StatusTime
	CommentsCount     int
}

// FeatureFilter selects features for a list. At most one scope field is
// set; none lists the whole account.
type FeatureFilter struct {
	ProductID    int64
	ReleaseID    int64
	EpicID       int64
	GoalID       int64
	InitiativeID int64

	Query        string     // case-insensitive match on name
	UpdatedSince *time.Time // updated strictly after
	Tag          string     // tag name, in any letter case
	AssignedTo   string     // user ID or email
	Page         Page
	// Full loads what the full representation shows, not only the list one.
	Full bool
	// VisibleTo, when not 0, keeps only features of products this user may
	// see.
	VisibleTo int64
}

// RequirementFilter selects the requirements of a feature for a list.
type RequirementFilter struct {
	FeatureID    int64
	Query        string     // case-insensitive match on name
	UpdatedSince *time.Time // updated strictly after
	Page         Page
}

// FeatureInput is the decoded body of a feature create or update.
// References to other records are kept as the client wrote them and
// resolved by the store inside the write's transaction.
type FeatureInput struct {
	Name                  Opt[string]
	Description           Opt[string]
	WorkflowKind          Opt[string]
	WorkflowStatus        Opt[string]
	Release               Opt[string]
	CreatedBy             Opt[string]
	AssignedTo            Opt[string]
	Epic                  Opt[string]
	Initiative            Opt[string]
	ReleasePhase          Opt[string]
	Goals                 Opt[[]string]
	Watchers              Opt[[]string]
	Tags                  Opt[[]string]
	InitialEstimateText   Opt[string]
	DetailedEstimateText  Opt[string]
	RemainingEstimateText Opt[string]
	WorkDoneText          Opt[string]
	InitialEstimate       Opt[float64]
	DetailedEstimate      Opt[float64]
	RemainingEstimate     Opt[float64]
	WorkDone              Opt[float64]
	StartDate             Opt[string]
	DueDate               Opt[string]
	ProgressSource        Opt[string]
	Progress              Opt[int]
	ScoreFacts            Opt[[]ScoreFactInput]
	CustomFields          Opt[[]CustomFieldEntry]
	// VisibleTo, when not 0, is the user on whose behalf linked records are
	// resolved: goals and initiatives of products it may not see are
	// unknown to it.
	VisibleTo int64
}

// RequirementInput is the decoded body of a requirement create or update.
type RequirementInput struct {
	Name           Opt[string]
	Description    Opt[string]
	WorkflowStatus Opt[string]
	AssignedTo     Opt[string]
	Tags           Opt[[]string]
	CustomFields   Opt[[]CustomFieldEntry]
}

// ApplyFeatureInput applies the scalar fields of in to f and enforces the
// rules between them: name, description, kind, dates, estimates, progress
// and its source, score facts and tags. References to other records are
// resolved by the store; a computed progress is computed by it. create says
// whether f is new; now is the write's time. On error f may be partly
// changed and must be discarded.
func ApplyFeatureInput(f *Feature, in FeatureInput, create bool, now time.Time) error {
	if err := applyName(&f.Name, in.Name, create); err != nil {
		return err
	}
	if err := applyNote(&f.Description, "description", in.Description, create, now); err != nil {
		return err
	}
	if in.WorkflowKind.Set {
		k, ok := FeatureKind(in.WorkflowKind.V)
		if in.WorkflowKind.Null || !ok {
			return FieldErrorf("workflow_kind", "workflow_kind %q is not valid: use one of new, improvement, bug_fix, research", in.WorkflowKind.V)
		}
		f.WorkflowKind = k.Key
	}
	if f.WorkflowKind == "" {
		f.WorkflowKind = FeatureKinds[0].Key
	}
	if in.ProgressSource.Set {
		if in.ProgressSource.Null || !ValidFeatureProgressSource(in.ProgressSource.V) {
			return FieldErrorf("progress_source", "progress_source %q is not valid: use one of %s", in.ProgressSource.V, featureProgressSourcesText)
		}
		f.ProgressSource = in.ProgressSource.V
	}
	if err := applyProgress(&f.Progress, f.ProgressSource, in.Progress); err != nil {
		return err
	}
	for _, d := range []struct {
		field string
		in    Opt[string]
		dst   *string
	}{{"start_date", in.StartDate, &f.StartDate}, {"due_date", in.DueDate, &f.DueDate}} {
		if !d.in.Set {
			continue
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
	if f.StartDate != "" && f.DueDate != "" && f.StartDate > f.DueDate && (in.StartDate.Set || in.DueDate.Set) {
		return FieldErrorf("start_date", "start_date %s is after due_date %s", f.StartDate, f.DueDate)
	}
	if err := applyFeatureEstimates(f, in); err != nil {
		return err
	}
	if in.ScoreFacts.Set {
		facts, err := scoreFacts(in.ScoreFacts.V)
		if err != nil {
			return err
		}
		f.ScoreFacts = facts
	}
	f.Score = FeatureScore(f.ScoreFacts)
	if in.Tags.Set {
		tags, err := featureTags(in.Tags.V)
		if err != nil {
			return err
		}
		f.Tags = tags
	}
	return nil
}

// scoreFacts checks the score facts of an input and returns them in the
// order a feature shows them.
func scoreFacts(in []ScoreFactInput) ([]ScoreFact, error) {
	if len(in) > maxFeatureScoreFacts {
		return nil, FieldErrorf("score_facts", "score_facts: at most %d facts", maxFeatureScoreFacts)
	}
	facts := make([]ScoreFact, 0, len(in))
	pos := make([]int, 0, len(in))
	seen := map[string]bool{}
	for i, f := range in {
		name := strings.TrimSpace(f.Name)
		if name == "" {
			return nil, FieldErrorf("score_facts", "score_facts: every fact needs a name")
		}
		if utf8.RuneCountInString(name) > MaxNameLength {
			return nil, FieldErrorf("score_facts", "score_facts: the name %q is too long (maximum is %d characters)", name, MaxNameLength)
		}
		if seen[strings.ToLower(name)] {
			return nil, FieldErrorf("score_facts", "score_facts: %s is given twice", name)
		}
		seen[strings.ToLower(name)] = true
		if f.Value < -maxFeatureScoreValue || f.Value > maxFeatureScoreValue {
			return nil, FieldErrorf("score_facts", "score_facts: the value of %s must be between %d and %d", name, -maxFeatureScoreValue, maxFeatureScoreValue)
		}
		if p := scorecardMetric(name); p >= 0 {
			name = Scorecard[p]
		}
		// Insert in position order, so that scorecard metrics come first.
		p := ScoreFactPosition(name, i)
		at := len(pos)
		for at > 0 && pos[at-1] > p {
			at--
		}
		facts = append(facts, ScoreFact{})
		pos = append(pos, 0)
		copy(facts[at+1:], facts[at:])
		copy(pos[at+1:], pos[at:])
		facts[at], pos[at] = ScoreFact{Name: name, Value: f.Value}, p
	}
	return facts, nil
}

// featureTags checks the tags of an input and returns them by name, each
// with its color.
func featureTags(in []string) ([]Tag, error) {
	names, err := NormalizeTags(in)
	if err != nil {
		return nil, err
	}
	if len(names) > MaxFeatureTags {
		return nil, FieldErrorf("tags", "tags: at most %d tags", MaxFeatureTags)
	}
	tags := make([]Tag, 0, len(names))
	for _, n := range names {
		tags = append(tags, Tag{Name: n, Color: TagColor(n)})
	}
	return tags, nil
}

// applyFeatureEstimates applies the estimate texts and numbers of in. Texts
// carry their units (time or story points) and set the feature's; numbers
// are in the feature's units. All of a feature's estimates are in one kind
// of units.
func applyFeatureEstimates(f *Feature, in FeatureInput) error {
	ests := []struct {
		field, textField string
		text             Opt[string]
		num              Opt[float64]
		dst              **float64
	}{
		{"initial_estimate", "initial_estimate_text", in.InitialEstimateText, in.InitialEstimate, &f.InitialEstimate},
		{"detailed_estimate", "detailed_estimate_text", in.DetailedEstimateText, in.DetailedEstimate, &f.DetailedEstimate},
		{"remaining_estimate", "remaining_estimate_text", in.RemainingEstimateText, in.RemainingEstimate, &f.RemainingEstimate},
		{"work_done", "work_done_text", in.WorkDoneText, in.WorkDone, &f.WorkDone},
	}
	units, unitsField := "", ""
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
			if es.num.V < 0 || es.num.V > maxFeatureEstimate || math.IsNaN(es.num.V) {
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
	if f.WorkUnits == "" {
		f.WorkUnits = CapacityTime
	}
	if units == "" || units == f.WorkUnits {
		return nil
	}
	for _, es := range ests {
		if !given[es.field] && *es.dst != nil {
			return FieldErrorf(unitsField, "%s is in %s but the feature's %s is in %s: give every estimate in the same units", unitsField, units, es.field, f.WorkUnits)
		}
	}
	f.WorkUnits = units
	return nil
}

// ComputeFeatureProgress returns the progress that a feature's source
// computes: from the share of its requirements complete, from its
// remaining estimate, or from the share of its to-dos done; false for
// progress_manual.
func ComputeFeatureProgress(f *Feature, requirementsComplete []bool, todosDone []bool) (int, bool) {
	switch f.ProgressSource {
	case ProgressFromRequirements:
		return DoneShare(requirementsComplete), true
	case ProgressFromRemainingEstimate:
		return RemainingEstimateProgress([]WorkItem{{Initial: f.InitialEstimate, Detailed: f.DetailedEstimate, Remaining: f.RemainingEstimate}}), true
	case ProgressFromTodos:
		return DoneShare(todosDone), true
	}
	return 0, false
}

// ApplyRequirementInput applies the scalar fields of in to r: name,
// description and tags. create says whether r is new; now is the write's
// time.
func ApplyRequirementInput(r *Requirement, in RequirementInput, create bool, now time.Time) error {
	if err := applyName(&r.Name, in.Name, create); err != nil {
		return err
	}
	if err := applyNote(&r.Description, "description", in.Description, create, now); err != nil {
		return err
	}
	if in.Tags.Set {
		tags, err := featureTags(in.Tags.V)
		if err != nil {
			return err
		}
		r.Tags = tags
	}
	return nil
}

// FeatureSeed holds what a seeded account has of features and
// requirements: the features and requirements with their links, the links
// between features, the custom field definitions their values use, the
// products' default assignees of new features and their feature counters.
type FeatureSeed struct {
	Features     []SeedFeature
	Requirements []SeedRequirement
	Links        []SeedFeatureLink
	// Fields are custom field definitions (of features and requirements)
	// the seeded values use.
	Fields *FieldSeed
	// Assignees sets per product ID the default assignee of new features.
	Assignees map[int64]int64
	// Counters sets per product ID the last feature number used, where the
	// account has used more than its records show.
	Counters map[int64]int64
}

// SeedFeature is a seeded feature: the row of a Feature with its goals, key
// results and watchers by ID, its tags, score facts, custom fields,
// integration fields and status history.
type SeedFeature struct {
	Feature
	GoalIDs      []int64
	KeyResultIDs []int64
	WatcherIDs   []int64
}

// SeedRequirement is a seeded requirement with its tags, custom fields,
// integration fields and status history.
type SeedRequirement struct {
	Requirement
}

// SeedFeatureLink is a link between two seeded features.
type SeedFeatureLink struct {
	ID         int64
	ParentID   int64
	ChildID    int64
	LinkType   string
	LinkTypeID int
	CreatedAt  time.Time
}

// FeatureStore persists features and requirements.
type FeatureStore interface {
	// Feature returns a feature by numeric ID or reference number, loaded
	// for its full representation.
	Feature(ctx context.Context, key string) (*Feature, error)
	// FeatureProduct returns the ID of the feature a numeric ID or
	// reference number names and the ID of its product, without loading
	// the feature.
	FeatureProduct(ctx context.Context, key string) (id, productID int64, err error)
	// Features returns a page of features in ID order and the total number
	// that match.
	Features(ctx context.Context, f FeatureFilter) ([]*Feature, int, error)
	// CreateFeature creates a feature in a release on behalf of a user; the
	// creator and the assignee watch it.
	CreateFeature(ctx context.Context, releaseID, userID int64, in FeatureInput) (*Feature, error)
	// UpdateFeature changes a feature; it may move to another release (and
	// epic) of its product.
	UpdateFeature(ctx context.Context, id int64, in FeatureInput) (*Feature, error)
	// DeleteFeature deletes a feature with its requirements.
	DeleteFeature(ctx context.Context, id int64) error

	// Requirement returns a requirement by numeric ID or reference number.
	Requirement(ctx context.Context, key string) (*Requirement, error)
	// Requirements returns a page of a feature's requirements in ID order
	// and the total number that match.
	Requirements(ctx context.Context, f RequirementFilter) ([]*Requirement, int, error)
	// CreateRequirement adds a requirement to a feature on behalf of a user.
	CreateRequirement(ctx context.Context, featureID, userID int64, in RequirementInput) (*Requirement, error)
	// UpdateRequirement changes a requirement.
	UpdateRequirement(ctx context.Context, id int64, in RequirementInput) (*Requirement, error)
	// DeleteRequirement deletes a requirement.
	DeleteRequirement(ctx context.Context, id int64) error
	// ConvertRequirement turns a requirement into a feature of its
	// feature's release, linked to that feature, on behalf of a user, and
	// returns the new feature.
	ConvertRequirement(ctx context.Context, id, userID int64) (*Feature, error)
}
