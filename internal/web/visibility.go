package web

import (
	"context"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// onlyVisible prunes from recs every embedded record of a product that u
// may not see, with the same rule as the API (roadmap.Prune): a page shows a
// release's goals, initiatives and parent, a feature's epic, goals and
// requirements, only where the user may see them.
func (s *Server) onlyVisible(ctx context.Context, u *roadmap.User, recs ...any) error {
	if u.Admin {
		return nil
	}
	ids, err := s.store.VisibleProductIDs(ctx, u.ID)
	if err != nil {
		return err
	}
	sees := make(map[int64]bool, len(ids))
	for _, id := range ids {
		sees[id] = true
	}
	roadmap.Prune(sees, recs...)
	return nil
}
