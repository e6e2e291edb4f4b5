package api

import (
	"context"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// authorize checks that u has access a in a product. A product the user may
// not see answers 404, never revealing that it exists; one it may see but not
// change answers 403.
func (s *Server) authorize(ctx context.Context, u *roadmap.User, productID int64, a roadmap.Access) error {
	if u.Admin {
		return nil
	}
	role, err := s.store.ProductRole(ctx, u.ID, productID)
	if err != nil {
		return err
	}
	return roadmap.Authorize(u, role, a)
}

// visibleTo returns the user ID that lists filter on: 0 (everything) for the
// account administrator.
func visibleTo(u *roadmap.User) int64 {
	if u.Admin {
		return 0
	}
	return u.ID
}
