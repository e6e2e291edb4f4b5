package api

// rollUpRoutes are the routes of roll-up releases and comments.
func (s *Server) rollUpRoutes() map[string]authedFunc {
	return nil
}
