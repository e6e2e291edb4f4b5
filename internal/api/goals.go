package api

// goalRoutes are the routes of goals, initiatives and key results.
func (s *Server) goalRoutes() map[string]authedFunc {
	return nil
}
