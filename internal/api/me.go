package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// meRoutes are the routes of the current user. Tasks (me/tasks) are not
// served: roadmapd has no tasks.
func (s *Server) meRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/me":          s.getMe,
		"GET /api/v1/me/assigned": s.getMeAssigned,
	}
}

// accountDomain is the account's subdomain: the first label of the base
// URL's host ("company" for http://company.aha.io).
func (s *Server) accountDomain() string {
	u, err := url.Parse(s.cfg.BaseURL)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	host := u.Hostname()
	if label, _, ok := strings.Cut(host, "."); ok {
		return label
	}
	return host
}

// getMe answers the current user with its product roles, its current product
// (the first product it may see) and its account, named by its domain.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ud, err := s.store.UserDetail(r.Context(), u.ID, visibleTo(u))
	if err != nil {
		return err
	}
	if err := onlyVisible(r, ud); err != nil {
		return err
	}
	lines := false
	first, _, err := s.store.Products(r.Context(), roadmap.ProductFilter{
		ProductLine: &lines, VisibleTo: visibleTo(u), Page: roadmap.Page{Page: 1, PerPage: 1},
	})
	if err != nil {
		return err
	}
	var current any
	if len(first) > 0 {
		current = id(first[0].ID)
	}
	domain := s.accountDomain()
	fs := []field{
		{kv{"id", id(ud.ID)}, true},
		{kv{"name", ud.Name}, true},
		{kv{"email", ud.Email}, true},
		{kv{"created_at", timestamp(ud.CreatedAt)}, true},
		{kv{"updated_at", timestamp(ud.UpdatedAt)}, true},
		{kv{"accessed_at", nil}, true},
		{kv{"product_roles", productRolesRep(ud.ProductRoles)}, true},
		{kv{"preferences", object{{"current_product_id", current}}}, true},
		{kv{"accounts", []object{{{"account", object{
			{"name", domain},
			{"domain", domain},
			{"logo", nil},
			{"alt_logo", nil},
			{"enabled", true},
		}}}}}, true},
	}
	return writeJSON(w, http.StatusOK, object{{"user", fieldsOf(r, nil).apply(fs)}})
}

// getMeAssigned lists the records assigned to the current user: the releases
// it owns that are not shipped. Of the other kinds the reference lists, goals
// and initiatives have no assignee here and the rest are not served.
func (s *Server) getMeAssigned(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	recs, err := s.store.AssignedReleases(r.Context(), u.ID, visibleTo(u))
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(recs))
	if err := onlyVisible(r, recs); err != nil {
		return err
	}
	for _, a := range recs {
		items = append(items, sel.apply(fieldsOfObject(object{
			{"record_type", a.RecordType},
			{"id", id(a.ID)},
			{"name", a.Name},
			{"reference_num", a.ReferenceNum},
			{"workflow_status", statusRep(a.WorkflowStatus)},
		})))
	}
	return writeJSON(w, http.StatusOK, object{{"assigned", items}})
}
