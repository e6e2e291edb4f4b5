package roadmap

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// ProductStore persists products, product lines, users, roles and workflows.
type ProductStore interface {
	// VisibleProductIDs returns the IDs of the products and product lines
	// that a user may see: those where it holds a role, directly or through
	// its product line.
	VisibleProductIDs(ctx context.Context, userID int64) ([]int64, error)
	// ProductDetail returns a product by numeric ID or reference prefix,
	// loaded for its full representation. visibleTo, when not 0, limits the
	// product's children to those that user may see.
	ProductDetail(ctx context.Context, key string, visibleTo int64) (*ProductDetail, error)
	// Products returns a page of products, by ID, and the total number that
	// match.
	Products(ctx context.Context, f ProductFilter) ([]*Product, int, error)
	// CreateProduct creates a product or product line with its own release,
	// goal and initiative workflows. When owner is true, the creator becomes
	// the new product's owner.
	CreateProduct(ctx context.Context, creatorID int64, owner bool, in ProductInput) (*ProductDetail, error)
	// UpdateProduct changes a product.
	UpdateProduct(ctx context.Context, id int64, in ProductInput) (*ProductDetail, error)

	// Users returns a page of users, by ID, with their product roles, and the
	// total number that match.
	Users(ctx context.Context, f UserFilter) ([]*UserDetail, int, error)
	// UserDetail returns a user with its product roles. visibleTo, when not
	// 0, makes a user that this user may not see not found, and keeps the
	// roles in products it may see.
	UserDetail(ctx context.Context, id int64, visibleTo int64) (*UserDetail, error)
	// UpdateUser changes a user. The account keeps at least one enabled
	// account administrator; disabling a user revokes its API tokens.
	UpdateUser(ctx context.Context, id int64, in UserInput) (*UserDetail, error)
	// ProductUsers returns a page of the users with a role in a product, by
	// user ID, and their total number.
	ProductUsers(ctx context.Context, productID int64, page Page) ([]ProductUser, int, error)
	// AddProductUser gives a user a role in a product, creating the user when
	// no user has its email.
	AddProductUser(ctx context.Context, productID int64, in NewProductUser) (*ProductUser, error)
	// UserProductRoles returns a page of the roles given to a user, by
	// product ID, and their total number. visibleTo, when not 0, keeps the
	// roles in products that user may see.
	UserProductRoles(ctx context.Context, userID, visibleTo int64, page Page) ([]ProductRole, int, error)
	// SetProductRole gives a user a role in a product or product line,
	// replacing the one it had there.
	SetProductRole(ctx context.Context, userID, productID int64, role Role) (*ProductRole, error)
	// DeleteProductRole removes the role given to a user in a product.
	DeleteProductRole(ctx context.Context, userID, productID int64) error
	// AssignedReleases returns the releases a user owns that are not
	// shipped, by ID. visibleTo, when not 0, keeps those in products that
	// user may see.
	AssignedReleases(ctx context.Context, userID, visibleTo int64) ([]AssignedRecord, error)

	// Workflows returns the workflows of a product's releases, goals,
	// initiatives and key results with their statuses, by ID.
	Workflows(ctx context.Context, productID int64) ([]*Workflow, error)
	// Workflow returns a workflow with its statuses. visibleTo, when not 0,
	// makes a workflow that no product visible to that user follows not
	// found.
	Workflow(ctx context.Context, id int64, visibleTo int64) (*Workflow, error)
}

// Workflow is a set of statuses that records of one kind move through.
type Workflow struct {
	ID              int64
	Name            string
	StatusableType  string
	TransitionsOnly bool
	// Statuses are loaded only where the representation shows them.
	Statuses []WorkflowStatus
}

// ProductDetail is a product with everything its full representation shows.
type ProductDetail struct {
	Product
	ProductLineType string
	// Description.ID is 0 for a product that never had a description.
	Description  Note
	EpicsEnabled bool
	// The workflows that the product's releases, goals, initiatives and key
	// results follow, without their statuses; nil when the product has none.
	ReleaseWorkflow    *Workflow
	GoalWorkflow       *Workflow
	InitiativeWorkflow *Workflow
	KeyResultWorkflow  *Workflow
	// Parent is the product line the product is under, if any.
	Parent *Product
	// Children are the products directly under a product line.
	Children []Product
}

// ProductFilter selects products for a list.
type ProductFilter struct {
	UpdatedSince *time.Time // updated strictly after
	ProductLine  *bool      // only product lines (true) or only products (false)
	Page         Page
	// VisibleTo, when not 0, keeps only products that this user may see.
	VisibleTo int64
}

// ProductInput is the decoded body of a product create or update. The parent
// is kept as the client wrote it (numeric ID or prefix) and resolved by the
// store inside the write's transaction.
type ProductInput struct {
	Name            Opt[string]
	ReferencePrefix Opt[string]
	Description     Opt[string]
	ParentID        Opt[string]
	WorkspaceType   Opt[string]
	ProductLine     Opt[bool]
	ProductLineType Opt[string]
	EpicsEnabled    Opt[bool]
}

// Product limits and defaults.
const (
	MaxPrefixLength      = 20
	DefaultWorkspaceType = "product_workspace"
)

var (
	prefixRe        = regexp.MustCompile(`^[A-Z][A-Z0-9]*$`)
	workspaceTypeRe = regexp.MustCompile(`^[a-z][a-z_]*_workspace$`)
	emailRe         = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
)

// ValidatePrefix checks a product's reference prefix and returns it in upper
// case: letters and digits, starting with a letter (so that it is never
// taken for a numeric ID), at most MaxPrefixLength characters.
func ValidatePrefix(field, prefix string) (string, error) {
	p := strings.ToUpper(strings.TrimSpace(prefix))
	if p == "" {
		return "", FieldErrorf(field, "%s can't be blank", field)
	}
	if len(p) > MaxPrefixLength || !prefixRe.MatchString(p) {
		return "", FieldErrorf(field, "%s %q is not valid: use up to %d letters and digits, starting with a letter", field, prefix, MaxPrefixLength)
	}
	return p, nil
}

// ValidateWorkspaceType checks a workspace type such as product_workspace or
// marketing_workspace.
func ValidateWorkspaceType(t string) (string, error) {
	t = strings.TrimSpace(t)
	if !workspaceTypeRe.MatchString(t) || len(t) > 64 {
		return "", FieldErrorf("workspace_type", "workspace_type %q is not valid: use a type such as product_workspace or it_workspace", t)
	}
	return t, nil
}

// ValidateEmail checks an email address and returns it trimmed.
func ValidateEmail(field, email string) (string, error) {
	e := strings.TrimSpace(email)
	if e == "" {
		return "", FieldErrorf(field, "%s can't be blank", field)
	}
	if len(e) > MaxNameLength || !emailRe.MatchString(e) {
		return "", FieldErrorf(field, "%s %q is not an email address", field, email)
	}
	return e, nil
}

// DefaultReleaseStatuses are the statuses of the release workflow that a new
// product gets. IDs are left to the store.
func DefaultReleaseStatuses() []WorkflowStatus {
	return []WorkflowStatus{
		{Name: "New", Position: 1, Color: "#dce7c6"},
		{Name: "Planning", Position: 2, Color: "#ecdd8f"},
		{Name: "In development", Position: 3, Color: "#f5c87d"},
		{Name: "Ready to ship", Position: 4, Color: "#c6dcf0"},
		{Name: "Shipped", Position: 5, Complete: true, Color: "#b5d99c"},
	}
}

// DefaultGoalStatuses are the statuses of the goal workflow that a new
// product gets.
func DefaultGoalStatuses() []WorkflowStatus {
	return []WorkflowStatus{
		{Name: "Not Started", Position: 1, Color: "#dce7c6"},
		{Name: "On Track", Position: 2, Color: "#ecdd8f"},
		{Name: "At Risk", Position: 3, Color: "#f5c87d"},
		{Name: "Off Track", Position: 4, Color: "#f2a99f"},
		{Name: "Achieved", Position: 5, Complete: true, Color: "#b5d99c"},
	}
}

// DefaultInitiativeStatuses are the statuses of the initiative workflow that
// a new product gets.
func DefaultInitiativeStatuses() []WorkflowStatus {
	return []WorkflowStatus{
		{Name: "Not Started", Position: 1, Color: "#dce7c6"},
		{Name: "On Track", Position: 2, Color: "#ecdd8f"},
		{Name: "At Risk", Position: 3, Color: "#f5c87d"},
		{Name: "Off Track", Position: 4, Color: "#f2a99f"},
		{Name: "Done", Position: 5, Complete: true, Color: "#b5d99c"},
	}
}

// DefaultProductWorkflows are the workflows that every new product gets for
// its releases, goals, initiatives and features, each with its own statuses.
// Its key results follow its goal workflow; its epics and requirements its
// feature workflow.
func DefaultProductWorkflows() []Workflow {
	return []Workflow{
		{Name: "Release workflow", StatusableType: "Release", Statuses: DefaultReleaseStatuses()},
		{Name: "Goal workflow", StatusableType: "StrategicImperative", Statuses: DefaultGoalStatuses()},
		{Name: "Initiative workflow", StatusableType: "Initiative", Statuses: DefaultInitiativeStatuses()},
		{Name: "Feature workflow", StatusableType: "Feature", Statuses: DefaultFeatureStatuses()},
	}
}

// DefaultFeatureStatuses are the statuses of a new feature workflow.
func DefaultFeatureStatuses() []WorkflowStatus {
	return []WorkflowStatus{
		{Name: "New", Position: 1, Color: "#dce7c6"},
		{Name: "Designed", Position: 2, Color: "#ecdd8f"},
		{Name: "In progress", Position: 3, Color: "#ecdd8f"},
		{Name: "Done", Position: 4, Complete: true, Color: "#ecdd8f"},
		{Name: "Shipped", Position: 5, Complete: true, Color: "#ecdd8f"},
		{Name: "Won't Do", Position: 6, Color: "#ecdd8f"},
	}
}

// AdminRoles are the parts of the account's administration a user holds.
// Account administration is what the API's Admin flag grants: every right in
// every product and over users.
type AdminRoles struct {
	Account       bool
	Billing       bool
	Configuration bool
}

// Any reports whether the user administers any part of the account.
func (a AdminRoles) Any() bool { return a.Account || a.Billing || a.Configuration }

// UserDetail is a user with its account settings and product roles.
type UserDetail struct {
	User
	FirstName  string
	LastName   string
	Enabled    bool
	AdminRoles AdminRoles
	// ProductRoles are the roles given to the user in products and product
	// lines (not those inherited from a product line), by product ID.
	ProductRoles []ProductRole
}

// ProductRole is a role given to a user in one product or product line.
type ProductRole struct {
	ProductID   int64
	ProductName string
	Role        Role
}

// ProductUser is a user and its role in a product.
type ProductUser struct {
	User User
	Role Role
}

// UserFilter selects users for a list.
type UserFilter struct {
	Email string // exact, case-insensitive
	Page  Page
	// VisibleTo, when not 0, keeps only users that this user may see: itself
	// and those with a role in a product it may see. Their product roles are
	// limited to those products too.
	VisibleTo int64
}

// NewProductUser is the validated body of a user added to a product.
type NewProductUser struct {
	FirstName string
	LastName  string
	Email     string
	Role      Role
}

// UserInput is the decoded body of a user update.
type UserInput struct {
	FirstName               Opt[string]
	LastName                Opt[string]
	Email                   Opt[string]
	Enabled                 Opt[bool]
	Administrator           Opt[bool]
	AdministerAccount       Opt[bool]
	AdministerBilling       Opt[bool]
	AdministerConfiguration Opt[bool]
}

// ChangesAdministration reports whether in changes what only an account
// administrator may change: whether the user is enabled and its
// administration rights.
func (in UserInput) ChangesAdministration() bool {
	return in.Enabled.Set || in.Administrator.Set || in.AdministerAccount.Set ||
		in.AdministerBilling.Set || in.AdministerConfiguration.Set
}

// SplitName splits a full name into a first name (its first word) and a
// last name (the rest), for users stored with a name only.
func SplitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	first, last, _ = strings.Cut(name, " ")
	return first, strings.TrimSpace(last)
}

// AssignedRecord is a record assigned to a user, as the me/assigned list
// shows it.
type AssignedRecord struct {
	RecordType     string
	ID             int64
	Name           string
	ReferenceNum   string
	WorkflowStatus WorkflowStatus
}
