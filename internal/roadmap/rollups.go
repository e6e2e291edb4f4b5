package roadmap

// RollUpStore persists roll-up releases and comments.
type RollUpStore interface {
}
