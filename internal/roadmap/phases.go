package roadmap

import (
	"context"
	"strings"
	"time"
)

// Kinds of release phases.
const (
	PhaseKindPhase     = "phase"
	PhaseKindMilestone = "milestone"
)

// Duration sources of release phases beyond duration_manual.
const DurationFromPhaseFeatures = "duration_from_features"

const (
	phaseProgressText = "progress_manual, progress_from_features, progress_from_todos, progress_from_features_completed"
	phaseDurationText = "duration_manual, duration_from_features"
)

// ReleasePhase is a phase or a milestone of a release. Dates are YYYY-MM-DD
// strings; "" is a date that is not set. A milestone is one day: its end is
// its start.
type ReleasePhase struct {
	ID             int64
	ReleaseID      int64
	Name           string
	Kind           string
	StartOn        string
	EndOn          string
	Position       int
	Progress       *int
	ProgressSource string
	DurationSource string
	Description    Note
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// ProductID is the product of its release, loaded with the phase.
	ProductID int64
}

// PhaseInput is the decoded body of a release phase create or update. The
// release is kept as the client wrote it and resolved by the caller.
type PhaseInput struct {
	Name           Opt[string]
	ReleaseID      Opt[string]
	Kind           Opt[string]
	StartOn        Opt[string]
	EndOn          Opt[string]
	Description    Opt[string]
	ProgressSource Opt[string]
	Progress       Opt[int]
	DurationSource Opt[string]
}

// PhaseFilter selects release phases for a list: those of one release, or
// with ReleaseID 0 those of the whole account.
type PhaseFilter struct {
	ReleaseID int64
	// Kind, when set, keeps only phases or only milestones.
	Kind string
	Page Page
	// VisibleTo, when not 0, keeps only phases of products this user may see.
	VisibleTo int64
}

// ValidPhaseProgressSource reports whether s is a progress source of release
// phases.
func ValidPhaseProgressSource(s string) bool {
	switch s {
	case ProgressManual, ProgressFromFeatures, ProgressFromTodos, ProgressFromFeaturesCompleted:
		return true
	}
	return false
}

// ValidPhaseKind reports whether s is a kind of release phase.
func ValidPhaseKind(s string) bool { return s == PhaseKindPhase || s == PhaseKindMilestone }

// ApplyPhaseInput applies in to p and enforces the rules between its fields:
// name, kind, dates (a milestone is one day; a phase does not end before it
// starts; dates computed by a duration source can't be set), progress and
// its sources. A new phase computes its progress from its to-dos, a new
// milestone is at progress 0 by hand. Progress of a computed source is left
// for the store to compute. create says whether p is new; now is the write's
// time. On error p may be partly changed and must be discarded.
func ApplyPhaseInput(p *ReleasePhase, in PhaseInput, create bool, now time.Time) error {
	if err := applyName(&p.Name, in.Name, create); err != nil {
		return err
	}
	if in.Kind.Set || create {
		if !in.Kind.Set || in.Kind.Null || !ValidPhaseKind(in.Kind.V) {
			return FieldErrorf("phase_type", "phase_type %q is not valid: use phase or milestone", in.Kind.V)
		}
		p.Kind = in.Kind.V
	}
	if create {
		p.ProgressSource, p.DurationSource, p.Progress = ProgressManual, DurationManual, intPtr(0)
		if p.Kind == PhaseKindPhase {
			p.ProgressSource = ProgressFromTodos
		}
	}
	if err := applyNote(&p.Description, "description", in.Description, create, now); err != nil {
		return err
	}
	if in.ProgressSource.Set {
		if in.ProgressSource.Null || !ValidPhaseProgressSource(in.ProgressSource.V) {
			return FieldErrorf("progress_source", "progress_source %q is not valid: use one of %s", in.ProgressSource.V, phaseProgressText)
		}
		p.ProgressSource = in.ProgressSource.V
	}
	if err := applyProgress(&p.Progress, p.ProgressSource, in.Progress); err != nil {
		return err
	}
	if in.DurationSource.Set {
		if in.DurationSource.Null || (in.DurationSource.V != DurationManual && in.DurationSource.V != DurationFromPhaseFeatures) {
			return FieldErrorf("duration_source", "duration_source %q is not valid: use one of %s", in.DurationSource.V, phaseDurationText)
		}
		p.DurationSource = in.DurationSource.V
	}
	for _, d := range []struct {
		field string
		in    Opt[string]
		dst   *string
	}{{"start_on", in.StartOn, &p.StartOn}, {"end_on", in.EndOn, &p.EndOn}} {
		if !d.in.Set {
			continue
		}
		if p.DurationSource != DurationManual {
			return FieldErrorf(d.field, "%s is computed from %s and can't be set", d.field, p.DurationSource)
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
	if p.Kind == PhaseKindMilestone {
		if p.StartOn == "" {
			p.StartOn = p.EndOn
		}
		if in.EndOn.Set && p.EndOn != "" && p.EndOn != p.StartOn {
			return FieldErrorf("end_on", "a milestone is one day: end_on %s must be its start_on %s, or left out", p.EndOn, p.StartOn)
		}
		p.EndOn = p.StartOn
	}
	if p.StartOn != "" && p.EndOn != "" && p.EndOn < p.StartOn {
		return FieldErrorf("end_on", "end_on %s is before start_on %s", p.EndOn, p.StartOn)
	}
	return nil
}

// Kinds of to-dos.
const (
	TaskKindTask        = "Task"
	TaskKindApproval    = "Approval"
	TaskKindWorkRequest = "WorkRequest"
)

// Statuses of to-dos and of their assignments. A to-do is partially complete
// when some of its assignees have done their part and others have not.
const (
	TaskPending           = "pending"
	TaskPartiallyComplete = "partially_complete"
	TaskComplete          = "complete"
)

// Types of records that to-dos are attached to, by Aha!'s names. A to-do on
// a product (Project) belongs to it without being attached to a record.
const (
	TaskableRelease       = "Release"
	TaskableMasterRelease = "MasterRelease"
	TaskableFeature       = "Feature"
	TaskableEpic          = "Epic"
	TaskableRequirement   = "Requirement"
	TaskableReleasePhase  = "ReleasePhase"
	TaskableProject       = "Project"
)

// taskableTypes are Aha!'s record types that take to-dos and that this
// server does not serve.
var taskableTypes = map[string]bool{
	"BusinessModel": true, "Competitor": true, "CreativeBrief": true, "Ideas::FeedbackCampaign": true,
	"Ideas::Idea": true, "Ideas::IdeaSession": true, "Initiative": true, "Iteration": true, "Page": true,
	"ProjectStrategyComponent": true, "Persona": true, "ProjectStrategy": true, "Publish::Notebook": true,
	"StrategicImperative": true, "StrategicImperativeBackground": true,
}

// ParseTaskableType reads a taskable_type as a record type that to-dos are
// attached to here: a roll-up (MasterRelease) is a release.
func ParseTaskableType(s string) (string, error) {
	switch s {
	case TaskableRelease, TaskableMasterRelease:
		return TaskableRelease, nil
	case TaskableFeature, TaskableEpic, TaskableRequirement, TaskableReleasePhase, TaskableProject:
		return s, nil
	}
	if taskableTypes[s] {
		return "", FieldErrorf("taskable_type", "taskable_type %s is not served here: to-dos attach to Release, MasterRelease, Feature, Epic, Requirement, ReleasePhase or Project", s)
	}
	return "", FieldErrorf("taskable_type", "taskable_type %q is not valid: use Release, MasterRelease, Feature, Epic, Requirement, ReleasePhase or Project", s)
}

// TaskRecord is the record a to-do is attached to, or the product it belongs
// to (Type Project).
type TaskRecord struct {
	// Type is a Taskable* name; roll-up releases are Release, with Master set.
	Type         string
	ID           int64
	ProductID    int64
	ReferenceNum string
	Name         string
	Master       bool
}

// TaskAssignee is a user's assignment to a to-do.
type TaskAssignee struct {
	ID          int64
	User        User
	Status      string
	CompletedAt *time.Time
}

// Task is a to-do: a task, an approval or a work request, on a record, on a
// product, or on its own. ProductID is 0 for a to-do on its own; Position is
// nil for one on no record.
type Task struct {
	ID          int64
	ProductID   int64
	Kind        string
	Name        string
	Body        string
	DueDate     string
	Status      string
	Position    *int
	CreatedByID int64
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Loaded with the to-do for its representations.
	CreatedBy User
	Assignees []TaskAssignee
	// Record is what the to-do is attached to: nil for none. A record
	// deleted since is shown as none.
	Record *TaskRecord
	// CommentsCount is the number of comments on the to-do.
	CommentsCount int
}

// AssignedTo reports whether the user is one of the to-do's assignees.
func (t *Task) AssignedTo(userID int64) bool {
	for _, a := range t.Assignees {
		if a.User.ID == userID {
			return true
		}
	}
	return false
}

// TaskInput is the decoded body of a to-do create or update. The record it
// is attached to and its assignees are kept as the client wrote them and
// resolved by the caller (the record) and the store (the assignees).
type TaskInput struct {
	Name         Opt[string]
	Body         Opt[string]
	DueDate      Opt[string]
	Status       Opt[string]
	Kind         Opt[string]
	TaskableType Opt[string]
	TaskableID   Opt[string]
	Assignees    Opt[[]string]
}

// TaskFilter selects to-dos for a list. At most one scope is set: a product,
// a record, or an assignee; none lists the whole account.
type TaskFilter struct {
	ProductID  int64
	Record     *TaskRecord
	AssigneeID int64

	// Kind keeps only to-dos of one kind; "" keeps tasks (Task), as Aha!
	// lists them unless asked for approvals.
	Kind         string
	UpdatedSince *time.Time // updated strictly after
	Page         Page
	// Full loads what the full representation shows, not only the list one.
	Full bool
	// VisibleTo, when not 0, keeps only to-dos of products this user may see,
	// and to-dos on no product that it created or is assigned to.
	VisibleTo int64
}

// ValidTaskKind reports whether s is a kind of to-do.
func ValidTaskKind(s string) bool {
	return s == TaskKindTask || s == TaskKindApproval || s == TaskKindWorkRequest
}

// ApplyTaskInput applies the scalar fields of in to t: name, body, due date,
// kind and status. A to-do is completed with status complete (or completed,
// or approved for an approval) and re-opened with pending. create says
// whether t is new. On error t may be partly changed and must be discarded.
func ApplyTaskInput(t *Task, in TaskInput, create bool) error {
	if err := applyName(&t.Name, in.Name, create); err != nil {
		return err
	}
	if in.Body.Set || create {
		if !in.Body.Set || in.Body.Null {
			return FieldErrorf("body", "body can't be blank")
		}
		if len(in.Body.V) > MaxDescriptionLength {
			return FieldErrorf("body", "body is too long (maximum is %d bytes)", MaxDescriptionLength)
		}
		t.Body = in.Body.V
	}
	if in.DueDate.Set {
		if in.DueDate.Null || strings.TrimSpace(in.DueDate.V) == "" {
			t.DueDate = ""
		} else {
			d, err := ParseDate("due_date", strings.TrimSpace(in.DueDate.V))
			if err != nil {
				return err
			}
			t.DueDate = d.Format(dateLayout)
		}
	}
	if create {
		t.Kind, t.Status = TaskKindTask, TaskPending
	}
	if in.Kind.Set {
		if in.Kind.Null || !ValidTaskKind(in.Kind.V) {
			return FieldErrorf("type", "type %q is not valid: use Task, Approval or WorkRequest", in.Kind.V)
		}
		t.Kind = in.Kind.V
	}
	if in.Status.Set {
		switch s := strings.TrimSpace(in.Status.V); {
		case in.Status.Null:
			return FieldErrorf("status", "status can't be blank: use pending or complete")
		case s == TaskPending:
			t.Status = TaskPending
		case s == TaskComplete || s == "completed" || (s == "approved" && t.Kind == TaskKindApproval):
			t.Status = TaskComplete
		default:
			return FieldErrorf("status", "status %q is not valid: use pending or complete (approved for an approval)", in.Status.V)
		}
	}
	return nil
}

// PhaseSeed holds the release phases and to-dos of a seeded account. Tasks
// carry their assignees (ID, User.ID, Status, CompletedAt) and their record
// (Type and ID).
type PhaseSeed struct {
	Phases []ReleasePhase
	Tasks  []Task
}

// PhaseStore persists release phases, milestones and to-dos.
type PhaseStore interface {
	// ReleasePhase returns a release phase by numeric ID.
	ReleasePhase(ctx context.Context, key string) (*ReleasePhase, error)
	// ReleasePhases returns a page of release phases, in date order within a
	// release and in ID order across the account, and the total that match.
	ReleasePhases(ctx context.Context, f PhaseFilter) ([]*ReleasePhase, int, error)
	// CreateReleasePhase adds a phase or milestone to a release and brings
	// the release's computed progress and dates up to date.
	CreateReleasePhase(ctx context.Context, releaseID int64, in PhaseInput) (*ReleasePhase, error)
	// UpdateReleasePhase changes a release phase, and its release's computed
	// progress and dates with it.
	UpdateReleasePhase(ctx context.Context, id int64, in PhaseInput) (*ReleasePhase, error)
	// DeleteReleasePhase deletes a release phase; to-dos attached to it stay,
	// detached from it.
	DeleteReleasePhase(ctx context.Context, id int64) error

	// TaskRecord finds the record (of a Taskable* type) that to-dos attach
	// to, by numeric ID or key.
	TaskRecord(ctx context.Context, typ, key string) (*TaskRecord, error)
	// Task returns a to-do by numeric ID.
	Task(ctx context.Context, key string) (*Task, error)
	// Tasks returns a page of to-dos in ID order and the total that match.
	Tasks(ctx context.Context, f TaskFilter) ([]*Task, int, error)
	// CreateTask creates a to-do on behalf of a user, attached to rec (nil
	// for none), and brings the progress computed from to-dos up to date.
	CreateTask(ctx context.Context, userID int64, rec *TaskRecord, in TaskInput) (*Task, error)
	// UpdateTask changes a to-do; with move set it is attached to rec (nil
	// for none) instead of its record. Progress computed from to-dos follows.
	UpdateTask(ctx context.Context, id int64, move bool, rec *TaskRecord, in TaskInput) (*Task, error)
	// DeleteTask deletes a to-do with its attachments and assignments.
	DeleteTask(ctx context.Context, id int64) error
}
