// Package roadmap holds the domain of roadmapd: the records of an Aha!-style
// release plan, the store interface that persists them, the error codes every
// layer speaks, and the pure rules (reference numbers, capacity text, external
// date descriptions, progress and duration sources) that need no database.
// It imports no adapter.
package roadmap

import (
	"context"
	"time"
)

// User is a person in the account.
type User struct {
	ID        int64
	Name      string
	Email     string
	Admin     bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Product is a product workspace or a product line; releases live in products.
type Product struct {
	ID              int64
	ReferencePrefix string
	Name            string
	ProductLine     bool
	WorkspaceType   string
	ParentID        int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// WorkflowStatus is one status of a workflow.
type WorkflowStatus struct {
	ID       int64
	Name     string
	Position int
	Complete bool
	Color    string
}

// Note is a rich-text body attached to a record (a theme, a description).
type Note struct {
	ID        int64
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IntegrationField links a record to a record of an external service.
type IntegrationField struct {
	ID            int64
	Name          string
	Value         string
	IntegrationID int64
	ServiceName   string
	CreatedAt     time.Time
}

// Goal is a strategic goal that releases can contribute to.
type Goal struct {
	ID           int64
	ProductID    int64
	ReferenceNum string
	Name         string
	Description  Note
	CreatedAt    time.Time
}

// Initiative is a large theme of work that releases can belong to.
type Initiative struct {
	ID                int64
	ProductID         int64
	ReferenceNum      string
	Name              string
	Description       Note
	CreatedAt         time.Time
	IntegrationFields []IntegrationField
}

// CustomField is the value of one custom field on a record.
type CustomField struct {
	ID        int64
	Key       string
	Name      string
	Type      string
	Value     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// StatusTime is one span of a release's workflow status history.
type StatusTime struct {
	StatusID   int64
	StatusName string
	StartedAt  time.Time
	EndedAt    *time.Time
}

// ReleaseRef is the compact form of a release, used for a release's parent.
type ReleaseRef struct {
	ID            int64
	ProductID     int64
	ReferenceNum  string
	Name          string
	StartDate     string
	ReleaseDate   string
	ParkingLot    bool
	MasterRelease bool
	CreatedAt     time.Time
}

// Release is a release with everything its representations show. Dates are
// YYYY-MM-DD strings; an empty string is a date that is not set.
type Release struct {
	ID                     int64
	ProductID              int64
	ReferenceNum           string
	Name                   string
	StartDate              string
	EndDate                string
	DevelopmentStartedOn   string
	ReleaseDate            string
	ExternalReleaseDate    string
	ExternalDateResolution string
	ReleasedOn             string
	ParkingLot             bool
	MasterRelease          bool
	Position               *int
	Progress               *int
	ProgressSource         string
	DurationSource         string
	StatusChangedOn        string
	CapacityUnits          string
	TotalCapacity          *float64
	// PlannedCapacity is the sum of the original estimates of the
	// release's features in its capacity units: what is planned against
	// TotalCapacity.
	PlannedCapacity  float64
	Theme            Note
	WorkflowStatusID int64
	OwnerID          int64
	CreatedByID      int64
	ParentID         int64
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// Loaded with the release for its representations.
	Product           Product
	WorkflowStatus    WorkflowStatus
	Owner             User
	CreatedBy         User
	Parent            *ReleaseRef
	IntegrationFields []IntegrationField
	CustomFields      []CustomField
	CommentsCount     int
	Goals             []Goal
	Initiatives       []Initiative
	Watchers          []User
	StatusTimes       []StatusTime
}

// Released reports whether the release is shipped: its status is a complete one.
func (r *Release) Released() bool { return r.WorkflowStatus.Complete }

// Page selects one page of a list; Page counts from 1.
type Page struct {
	Page    int
	PerPage int
}

// Pagination limits.
const (
	DefaultPerPage = 30
	MaxPerPage     = 200
)

// Offset returns the number of records before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.PerPage }

// ReleaseFilter selects releases for a list. Exactly one scope field is set.
type ReleaseFilter struct {
	ProductID    int64
	GoalID       int64
	InitiativeID int64
	ParentID     int64

	Query          string     // case-insensitive match on name
	UpdatedSince   *time.Time // updated strictly after
	ParkingLot     *bool
	ExcludeShipped bool
	Page           Page
	// Full loads what the full representation shows, not only the list one.
	Full bool
	// VisibleTo, when not 0, keeps only releases of products that this user
	// may see.
	VisibleTo int64
}

// Opt is an optional input value: Set when the key was present, Null when it
// was present with a JSON null.
type Opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// Some returns a set, non-null Opt.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, V: v} }

// ReleaseInput is the decoded body of a release create or update. References
// to other records (owner, status, goals, ...) are kept as the client wrote
// them and resolved by the store inside the write's transaction.
type ReleaseInput struct {
	Name                   Opt[string]
	Owner                  Opt[string]
	Initiatives            Opt[[]string]
	Goals                  Opt[[]string]
	Watchers               Opt[[]string]
	WorkflowStatus         Opt[string]
	ParentID               Opt[string]
	Theme                  Opt[string]
	StartDate              Opt[string]
	EndDate                Opt[string]
	ReleaseDate            Opt[string]
	DevelopmentStartedOn   Opt[string]
	ExternalReleaseDate    Opt[string]
	ExternalDateResolution Opt[string]
	ParkingLot             Opt[bool]
	CapacityUnits          Opt[string]
	TotalCapacityText      Opt[string]
	ProgressSource         Opt[string]
	Progress               Opt[int]
	DurationSource         Opt[string]
	CustomFields           Opt[[]CustomFieldEntry]
	// VisibleTo, when not 0, is the user on whose behalf the write runs:
	// goals and initiatives of products it may not see are unknown to it.
	VisibleTo int64
}

// Store persists the account. Every method that writes runs in one
// transaction: it either applies all of its change or none of it.
type Store interface {
	ProductStore
	GoalStore
	RollUpStore
	FieldStore
	FeatureStore
	EpicStore
	PhaseStore
	SessionStore
	HistoryStore
	DeletionStore
	WebhookStore

	// UserByTokenHash returns the user that owns the API token with this hash.
	UserByTokenHash(ctx context.Context, hash []byte) (*User, error)
	// CreateAdmin creates the account administrator in an empty account.
	CreateAdmin(ctx context.Context, name, email string) (*User, error)
	// UserByEmail returns the user with this email.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// CreateToken stores the hash of a new API token for a user.
	CreateToken(ctx context.Context, userID int64, hash []byte) error

	// ProductRole returns a user's role in a product.
	ProductRole(ctx context.Context, userID, productID int64) (Role, error)

	// Product returns a product by numeric ID or reference prefix.
	Product(ctx context.Context, key string) (*Product, error)
	// Goal returns a goal by numeric ID or reference number.
	Goal(ctx context.Context, key string) (*Goal, error)
	// Initiative returns an initiative by numeric ID or reference number.
	Initiative(ctx context.Context, key string) (*Initiative, error)

	// Release returns a release by numeric ID or reference number, loaded for
	// its full representation.
	Release(ctx context.Context, key string) (*Release, error)
	// ReleaseProduct returns the ID of the release a numeric ID or reference
	// number names and the ID of its product, without loading the release.
	ReleaseProduct(ctx context.Context, key string) (id, productID int64, err error)
	// Releases returns a page of releases and the total number that match.
	Releases(ctx context.Context, f ReleaseFilter) ([]*Release, int, error)
	// CreateRelease creates a release in a product on behalf of a user.
	CreateRelease(ctx context.Context, productID, userID int64, in ReleaseInput) (*Release, error)
	// UpdateRelease changes a release.
	UpdateRelease(ctx context.Context, id int64, in ReleaseInput) (*Release, error)
	// DuplicateRelease copies a release with its fields and links.
	DuplicateRelease(ctx context.Context, id, userID int64) (*Release, error)
	// DeleteRelease deletes a release; releases under it are detached.
	DeleteRelease(ctx context.Context, id int64) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Empty reports whether the account holds no users.
	Empty(ctx context.Context) (bool, error)
	// Close releases the database.
	Close() error
}
