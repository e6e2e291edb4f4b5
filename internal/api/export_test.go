package api

import "sort"

// RoutePatterns returns the patterns of the authenticated routes of s, sorted.
func RoutePatterns(s *Server) []string {
	out := append([]string(nil), s.patterns...)
	sort.Strings(out)
	return out
}
