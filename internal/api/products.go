package api

// productRoutes are the routes of products, product lines, users, roles and workflows.
func (s *Server) productRoutes() map[string]authedFunc {
	return nil
}
