package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// kv is one key of a JSON object.
type kv struct {
	k string
	v any
}

// object is a JSON object that keeps its key order, since Aha!'s clients
// and the reference compare responses key for key.
type object []kv

// MarshalJSON writes the keys in order.
func (o object) MarshalJSON() ([]byte, error) { return encodeJSON(o) }

// marshal encodes v without escaping HTML, since themes and notes carry it.
func marshal(v any) ([]byte, error) { return encodeJSON(v) }

func id(v int64) string { return strconv.FormatInt(v, 10) }

// timestamp renders a time as the API does: UTC, milliseconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optTimestamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timestamp(*t)
}

// date renders a stored date; unset dates are null.
func date(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func (s *Server) url(path string) string { return s.cfg.BaseURL + path }

func userRep(u roadmap.User) object {
	return object{
		{"id", id(u.ID)},
		{"name", u.Name},
		{"email", u.Email},
		{"created_at", timestamp(u.CreatedAt)},
		{"updated_at", timestamp(u.UpdatedAt)},
	}
}

func noteRep(n roadmap.Note) object {
	return object{
		{"id", id(n.ID)},
		{"body", n.Body},
		{"created_at", timestamp(n.CreatedAt)},
		{"updated_at", timestamp(n.UpdatedAt)},
		{"attachments", []any{}},
	}
}

func (s *Server) projectRep(p roadmap.Product) object {
	return object{
		{"id", id(p.ID)},
		{"reference_prefix", p.ReferencePrefix},
		{"name", p.Name},
		{"product_line", p.ProductLine},
		{"created_at", timestamp(p.CreatedAt)},
		{"workspace_type", p.WorkspaceType},
		{"url", s.url("/projects/" + p.ReferencePrefix)},
	}
}

func statusRep(st roadmap.WorkflowStatus) object {
	return object{
		{"id", id(st.ID)},
		{"name", st.Name},
		{"position", st.Position},
		{"complete", st.Complete},
		{"color", st.Color},
	}
}

func integrationFieldsRep(fs []roadmap.IntegrationField) []object {
	out := make([]object, 0, len(fs))
	for _, f := range fs {
		out = append(out, object{
			{"id", id(f.ID)},
			{"name", f.Name},
			{"value", f.Value},
			{"integration_id", f.IntegrationID},
			{"service_name", f.ServiceName},
			{"created_at", timestamp(f.CreatedAt)},
		})
	}
	return out
}

func (s *Server) goalsRep(gs []roadmap.Goal) []object {
	out := make([]object, 0, len(gs))
	for _, g := range gs {
		out = append(out, object{
			{"id", id(g.ID)},
			{"name", g.Name},
			{"url", s.url("/strategic_imperatives/" + g.ReferenceNum)},
			{"resource", s.url("/api/v1/goals/" + g.ReferenceNum)},
			{"created_at", timestamp(g.CreatedAt)},
			{"description", noteRep(g.Description)},
		})
	}
	return out
}

func (s *Server) initiativesRep(is []roadmap.Initiative) []object {
	out := make([]object, 0, len(is))
	for _, in := range is {
		out = append(out, object{
			{"id", id(in.ID)},
			{"reference_num", in.ReferenceNum},
			{"name", in.Name},
			{"url", s.url("/initiatives/" + in.ReferenceNum)},
			{"resource", s.url("/api/v1/initiatives/" + in.ReferenceNum)},
			{"created_at", timestamp(in.CreatedAt)},
			{"description", noteRep(in.Description)},
			{"integration_fields", integrationFieldsRep(in.IntegrationFields)},
		})
	}
	return out
}

func (s *Server) releaseURL(ref string, master bool) string {
	if master {
		return s.url("/master_releases/" + ref)
	}
	return s.url("/releases/" + ref)
}

func (s *Server) parentRep(p *roadmap.ReleaseRef) object {
	o := object{{"id", id(p.ID)}, {"reference_num", p.ReferenceNum}, {"name", p.Name}}
	if !p.ParkingLot {
		o = append(o, kv{"start_date", date(p.StartDate)}, kv{"release_date", date(p.ReleaseDate)})
	}
	return append(o,
		kv{"created_at", timestamp(p.CreatedAt)},
		kv{"url", s.releaseURL(p.ReferenceNum, p.MasterRelease)},
		kv{"resource", s.url("/api/v1/releases/" + p.ReferenceNum)})
}

func statusTimesRep(ts []roadmap.StatusTime) []object {
	out := make([]object, 0, len(ts))
	for _, t := range ts {
		out = append(out, object{
			{"status_id", id(t.StatusID)},
			{"status_name", t.StatusName},
			{"started_at", timestamp(t.StartedAt)},
			{"ended_at", optTimestamp(t.EndedAt)},
		})
	}
	return out
}

// field is one key of a representation; dflt says whether the default
// representation (fields=*) shows it.
type field struct {
	kv
	dflt bool
}

// releaseFields returns every key a release can show, in the reference's
// order, each marked as shown by default or only on request.
func (s *Server) releaseFields(r *roadmap.Release) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	add("id", id(r.ID), true)
	add("product_id", id(r.ProductID), true)
	add("reference_num", r.ReferenceNum, true)
	add("name", r.Name, true)
	if !r.ParkingLot {
		add("start_date", date(r.StartDate), true)
		add("end_date", date(r.EndDate), true)
		add("development_started_on", date(r.DevelopmentStartedOn), true)
		add("release_date", date(r.ReleaseDate), true)
		add("external_release_date", date(r.ExternalReleaseDate), true)
		desc := any(nil)
		if r.ExternalReleaseDate != "" {
			if t, err := time.Parse("2006-01-02", r.ExternalReleaseDate); err == nil {
				desc = roadmap.DescribeExternalDate(t, r.ExternalDateResolution, s.cfg.FiscalYearStart)
			}
		}
		add("external_release_date_description", desc, true)
		add("external_date_resolution", r.ExternalDateResolution, true)
	}
	add("released", r.Released(), true)
	add("parking_lot", r.ParkingLot, true)
	add("master_release", r.MasterRelease, true)
	add("released_on", date(r.ReleasedOn), true)
	add("created_at", timestamp(r.CreatedAt), true)
	add("updated_at", timestamp(r.UpdatedAt), true)
	add("position", optInt(r.Position), true)
	add("progress", optInt(r.Progress), true)
	add("progress_source", r.ProgressSource, true)
	add("duration_source", r.DurationSource, true)
	capacity := r.CapacityUnits != "" && r.TotalCapacity != nil
	var total, text any
	if capacity {
		total, text = *r.TotalCapacity, roadmap.FormatCapacity(r.CapacityUnits, *r.TotalCapacity)
	}
	add("capacity_units", nullable(r.CapacityUnits), capacity)
	add("total_capacity", total, capacity)
	add("total_capacity_text", text, capacity)
	var planned, plannedText any
	if capacity {
		planned, plannedText = r.PlannedCapacity, roadmap.FormatCapacity(r.CapacityUnits, r.PlannedCapacity)
	}
	add("planned_capacity", planned, capacity)
	add("planned_capacity_text", plannedText, capacity)
	add("status_changed_on", date(r.StatusChangedOn), true)
	add("theme", noteRep(r.Theme), true)
	add("url", s.releaseURL(r.ReferenceNum, r.MasterRelease), true)
	add("resource", s.url("/api/v1/releases/"+r.ReferenceNum), true)
	add("integration_fields", integrationFieldsRep(r.IntegrationFields), true)
	add("custom_fields", customFieldsRep(r.CustomFields), true)
	add("comments_count", r.CommentsCount, true)
	add("workflow_status", statusRep(r.WorkflowStatus), true)
	add("owner", userRep(r.Owner), true)
	add("goals", s.goalsRep(r.Goals), true)
	add("key_results", []any{}, true)
	add("initiatives", s.initiativesRep(r.Initiatives), len(r.Initiatives) > 0)
	add("project", s.projectRep(r.Product), true)
	var parent any
	if r.Parent != nil {
		parent = s.parentRep(r.Parent)
	}
	add("parent", parent, r.Parent != nil)
	add("workflow_status_times", statusTimesRep(r.StatusTimes), len(r.StatusTimes) > 0)
	add("created_by_user", userRep(r.CreatedBy), true)
	watchers := make([]object, 0, len(r.Watchers))
	for _, u := range r.Watchers {
		watchers = append(watchers, userRep(u))
	}
	add("watchers", watchers, false)
	return fs
}

// listKeys are the keys of the list representation, in order.
var listKeys = []string{"id", "reference_num", "name", "start_date", "release_date", "parking_lot",
	"created_at", "product_id", "integration_fields", "url", "resource", "owner", "project", "parent"}

var listKeySet = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range listKeys {
		m[k] = true
	}
	return m
}()

// listFields reorders a release's fields for the list representation: the
// list keys first, shown by default (parent only when set), then the rest on
// request only.
func listFields(all []field) []field {
	byKey := make(map[string]field, len(all))
	for _, f := range all {
		byKey[f.k] = f
	}
	out := make([]field, 0, len(all))
	for _, k := range listKeys {
		if f, ok := byKey[k]; ok {
			if k != "parent" {
				f.dflt = true
			}
			out = append(out, f)
		}
	}
	for _, f := range all {
		if !listKeySet[f.k] {
			f.dflt = false
			out = append(out, f)
		}
	}
	return out
}

// selection is a parsed `fields` parameter: `*` for the default
// representation, `*,watchers` to add keys to it, or a plain list of keys
// (plus id).
type selection struct {
	star  bool
	asked map[string]bool
}

func parseFields(s string) selection {
	sel := selection{asked: map[string]bool{}}
	if strings.TrimSpace(s) == "" {
		sel.star = true
		return sel
	}
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		switch k {
		case "":
		case "*":
			sel.star = true
		default:
			sel.asked[k] = true
		}
	}
	if len(sel.asked) == 0 {
		sel.star = true
	}
	return sel
}

// needsFull reports whether a list with this selection shows more than the
// list representation.
func (sel selection) needsFull() bool {
	for k := range sel.asked {
		if !listKeySet[k] {
			return true
		}
	}
	return false
}

func (sel selection) apply(fs []field) object {
	out := make(object, 0, len(fs))
	for _, f := range fs {
		if (sel.star && f.dflt) || sel.asked[f.k] || f.k == "id" {
			out = append(out, f.kv)
		}
	}
	return out
}

// nullable renders "" as null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
