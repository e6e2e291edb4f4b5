package roadmap

// GoalStore persists goals, initiatives and key results.
type GoalStore interface {
}
