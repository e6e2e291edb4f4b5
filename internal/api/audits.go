package api

import (
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

func (s *Server) auditRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/audits": s.listAudits,
	}
}

// queryID reads an optional numeric ID parameter.
func queryID(r *http.Request, key string) (int64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(key))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, fieldMalformed(key, "%s must be a numeric ID, not %q", key, v)
	}
	return n, nil
}

// listAudits answers GET /api/v1/audits: the history of the records the
// user may see, oldest first. With after_id, a cursor, the pagination
// describes the answer alone, so that every page of a scan costs the same.
func (s *Server) listAudits(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	f := roadmap.AuditFilter{Page: page, VisibleTo: visibleTo(u)}
	for _, p := range []struct {
		key string
		dst *int64
	}{{"auditable_id", &f.AuditableID}, {"associated_id", &f.AssociatedID}, {"user_id", &f.UserID}} {
		if *p.dst, err = queryID(r, p.key); err != nil {
			return err
		}
	}
	// after_id=0 starts a scan at the beginning of the log.
	cursor := strings.TrimSpace(r.URL.Query().Get("after_id"))
	if cursor != "" {
		if f.AfterID, err = strconv.ParseInt(cursor, 10, 64); err != nil || f.AfterID < 0 {
			return fieldMalformed("after_id", "after_id must be a numeric ID, not %q", cursor)
		}
		f.Cursor = true
	}
	q := r.URL.Query()
	f.AuditableType = strings.TrimSpace(q.Get("auditable_type"))
	f.AssociatedType = strings.TrimSpace(q.Get("associated_type"))
	if f.AssociatedType != "" && f.AssociatedID == 0 {
		return fieldMalformed("associated_id", "associated_id is required with associated_type")
	}
	switch f.Action = strings.TrimSpace(q.Get("audit_action")); f.Action {
	case "", roadmap.AuditCreate, roadmap.AuditUpdate, roadmap.AuditDestroy:
	default:
		return fieldMalformed("audit_action", "audit_action must be create, update or destroy, not %q", f.Action)
	}
	since, err := queryTime(r, "created_since")
	if err != nil {
		return err
	}
	if since != nil {
		f.CreatedSince = *since
	}
	before, err := queryTime(r, "created_before")
	if err != nil {
		return err
	}
	if before != nil {
		f.CreatedBefore = *before
	}
	audits, total, err := s.store.Audits(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(audits))
	for _, a := range audits {
		items = append(items, s.auditRep(a))
	}
	pagination := ruPagination(page, total)
	if total < 0 {
		pages := 0
		if len(items) > 0 {
			pages = 1
		}
		pagination = object{{"total_records", len(items)}, {"total_pages", pages}, {"current_page", 1}}
	}
	return writeJSON(w, http.StatusOK, object{{"audits", items}, {"pagination", pagination}})
}

// auditRep is an audit in the reference's representation.
func (s *Server) auditRep(a *roadmap.Audit) object {
	var user any
	contributors := []object{}
	if a.User != nil {
		user = userRep(*a.User)
		contributors = append(contributors, object{{"user", user}})
	}
	changes := make([]object, 0, len(a.Changes))
	for _, c := range a.Changes {
		changes = append(changes, object{{"field_name", c.FieldName}, {"value", changeValue(c)}})
	}
	var associatedType, associatedID any
	if a.AssociatedType != "" {
		associatedType, associatedID = a.AssociatedType, a.AssociatedID
	}
	auditableURL := ""
	if a.URLPath != "" {
		auditableURL = s.url(a.URLPath)
	}
	return object{
		{"id", id(a.ID)},
		{"audit_action", a.Action},
		{"created_at", timestamp(a.CreatedAt)},
		{"interesting", a.Interesting},
		{"user", user},
		{"contributors", contributors},
		{"auditable_type", a.AuditableType},
		{"auditable_id", a.AuditableID},
		{"associated_type", associatedType},
		{"associated_id", associatedID},
		{"description", a.Description},
		{"auditable_url", auditableURL},
		{"changes", changes},
	}
}

// changeValue renders a change as Aha! does: "old &rarr; new" for a plain
// field (HTML-escaped), the deleted and inserted text marked up for a note.
func changeValue(c roadmap.AuditChange) string {
	if c.HTML {
		var b strings.Builder
		b.WriteString(`<div class="user-content">`)
		if c.Old != "" {
			b.WriteString(`<span class="deleted">` + c.Old + `</span>`)
		}
		if c.New != "" {
			b.WriteString(`<span class="inserted">` + c.New + `</span>`)
		}
		b.WriteString(`</div>`)
		return b.String()
	}
	switch {
	case c.Old == "":
		return html.EscapeString(c.New)
	case c.New == "":
		return html.EscapeString(c.Old)
	}
	return html.EscapeString(c.Old) + " &rarr; " + html.EscapeString(c.New)
}

// AuditJSON encodes an audit as GET /api/v1/audits shows it, for the
// webhook deliveries that carry it.
func (s *Server) AuditJSON(a *roadmap.Audit) ([]byte, error) {
	return marshal(s.auditRep(a))
}
