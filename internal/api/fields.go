package api

// fieldRoutes are the routes of custom field definitions and options, and integration fields.
func (s *Server) fieldRoutes() map[string]authedFunc {
	return nil
}
