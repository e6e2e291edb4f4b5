package roadmap

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Seed is a whole account with fixed IDs, loaded at once into an empty
// database (the demo account is one).
type Seed struct {
	Users       []User
	Tokens      []SeedToken
	Workflows   []SeedWorkflow
	Products    []SeedProduct
	Goals       []SeedGoal
	Initiatives []SeedInitiative
	// Releases carry their links: Goals, Initiatives and Watchers by ID,
	// IntegrationFields, CustomFields, StatusTimes and ParentID.
	Releases []Release
	Comments []SeedComment
	Roles    []SeedRole
	// Strategy is what goals, initiatives and key results have beyond
	// their compact records.
	Strategy *StrategySeed
	// Fields are the custom field definitions and integrations.
	Fields *FieldSeed
	// Phases, Epics and Features are the work inside the releases.
	Phases   *PhaseSeed
	Epics    *EpicSeed
	Features *FeatureSeed
}

// SeedRole is a user's role in a product.
type SeedRole struct {
	UserID    int64
	ProductID int64
	Role      Role
}

// SeedToken is an API token of a seeded user, by hash.
type SeedToken struct {
	UserID int64
	Hash   []byte
}

// SeedWorkflow is a workflow with its statuses.
type SeedWorkflow struct {
	ID             int64
	Name           string
	StatusableType string
	Statuses       []WorkflowStatus
}

// SeedProduct is a product and the workflows its releases, goals and
// initiatives follow.
type SeedProduct struct {
	Product
	ReleaseWorkflowID    int64
	GoalWorkflowID       int64
	InitiativeWorkflowID int64
	// FeatureWorkflowID is the workflow of its features, epics and
	// requirements.
	FeatureWorkflowID int64
}

// SeedGoal is a goal and the product that owns it.
type SeedGoal struct {
	Goal
	ProductID int64
}

// SeedInitiative is an initiative and the product that owns it.
type SeedInitiative struct {
	Initiative
	ProductID int64
}

// SeedComment is a comment on a record.
type SeedComment struct {
	ID        int64
	On        CommentTarget
	UserID    int64
	Body      string
	CreatedAt time.Time
}

// HashToken returns the stored form of an API token: its SHA-256 digest.
// Tokens are 256-bit random values, so a fast hash is enough to make a
// leaked database useless for authentication.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// NewToken returns a new random API token: 64 hexadecimal characters.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
