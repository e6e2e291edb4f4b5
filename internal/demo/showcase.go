package demo

import (
	"context"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Showcase adds a product line with a plan dated relative to today.
func Showcase(ctx context.Context, st roadmap.Store, today time.Time) error {
	return nil
}
