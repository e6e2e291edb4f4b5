package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// epicRoutes are the routes of epics.
func (s *Server) epicRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/epics":                             s.listEpics,
		"GET /api/v1/releases/{release_id}/epics":       s.listReleaseEpics,
		"POST /api/v1/releases/{release_id}/epics":      s.createReleaseEpic,
		"GET /api/v1/products/{product_id}/epics":       s.listProductEpics,
		"POST /api/v1/products/{product_id}/epics":      s.createProductEpic,
		"GET /api/v1/goals/{goal_id}/epics":             s.listGoalEpics,
		"GET /api/v1/initiatives/{initiative_id}/epics": s.listInitiativeEpics,
		"GET /api/v1/epics/{id}":                        s.getEpic,
		"PUT /api/v1/epics/{id}":                        s.updateEpic,
		"DELETE /api/v1/epics/{id}":                     s.deleteEpic,
	}
}

// epicRef is the compact form of an epic, as its links show it.
func (s *Server) epicRef(e roadmap.EpicRef) object {
	return object{
		{"id", id(e.ID)},
		{"reference_num", e.ReferenceNum},
		{"name", e.Name},
		{"created_at", timestamp(e.CreatedAt)},
		{"url", s.url("/epics/" + e.ReferenceNum)},
		{"resource", s.url("/api/v1/epics/" + e.ReferenceNum)},
		{"product_id", id(e.ProductID)},
	}
}

// epicFeaturesRep renders an epic's features in their compact form.
func (s *Server) epicFeaturesRep(fs []roadmap.EpicFeature) []object {
	out := make([]object, 0, len(fs))
	for _, f := range fs {
		out = append(out, object{
			{"id", id(f.ID)},
			{"reference_num", f.ReferenceNum},
			{"name", f.Name},
			{"created_at", timestamp(f.CreatedAt)},
			{"url", s.url("/features/" + f.ReferenceNum)},
			{"resource", s.url("/api/v1/features/" + f.ReferenceNum)},
			{"product_id", id(f.ProductID)},
		})
	}
	return out
}

func epicEstimate(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// epicFields returns every key an epic can show, in the reference's order,
// each marked as shown by default or only on request.
func (s *Server) epicFields(e *roadmap.Epic) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	var initiativeRef, initiative, release any
	if e.Initiative != nil {
		initiativeRef = e.Initiative.ReferenceNum
		initiative = s.initiativesRep([]roadmap.Initiative{*e.Initiative})[0]
	}
	if e.Release != nil {
		release = s.releasesListRep([]*roadmap.Release{e.Release})[0]
	}
	add("id", id(e.ID), true)
	add("name", e.Name, true)
	add("reference_num", e.ReferenceNum, true)
	add("initiative_reference_num", initiativeRef, true)
	add("position", e.Position, true)
	add("score", e.Score, true)
	add("created_at", timestamp(e.CreatedAt), true)
	add("updated_at", timestamp(e.UpdatedAt), true)
	add("start_date", date(e.StartDate), true)
	add("due_date", date(e.DueDate), true)
	add("product_id", id(e.ProductID), true)
	add("progress", optInt(e.Progress), true)
	add("progress_source", e.ProgressSource, true)
	add("duration_source", e.DurationSource, true)
	add("status_changed_on", date(e.StatusChangedOn), true)
	add("created_by_user", userRep(e.CreatedBy), true)
	add("workflow_status", statusRep(e.WorkflowStatus), true)
	add("project", s.projectRep(e.Product), true)
	add("description", noteRep(e.Description), true)
	add("attachments", []any{}, true)
	add("integration_fields", integrationFieldsRep(e.IntegrationFields), true)
	add("url", s.url("/epics/"+e.ReferenceNum), true)
	add("resource", s.url("/api/v1/epics/"+e.ReferenceNum), true)
	add("release", release, true)
	add("assigned_to_user", assigneeRep(e.AssignedTo, e.DefaultAssignee), true)
	add("features", s.epicFeaturesRep(e.Features), true)
	add("initiative", initiative, e.Initiative != nil)
	add("goals", s.goalsRep(e.Goals), true)
	add("key_results", []any{}, true)
	add("comments_count", e.CommentsCount, true)
	facts := make([]object, 0, len(e.ScoreFacts))
	for _, f := range e.ScoreFacts {
		facts = append(facts, object{{"id", id(f.ID)}, {"value", f.Value}, {"name", f.Name}})
	}
	add("score_facts", facts, true)
	tags := make([]string, 0, len(e.Tags))
	full := make([]object, 0, len(e.Tags))
	for _, t := range e.Tags {
		tags = append(tags, t.Name)
		full = append(full, object{{"id", id(t.ID)}, {"name", t.Name}, {"color", t.Color}})
	}
	add("tags", tags, true)
	add("full_tags", full, true)
	add("custom_fields", customFieldsRep(e.CustomFields), true)
	add("workflow_status_times", statusTimesRep(e.StatusTimes), len(e.StatusTimes) > 0)
	links := make([]object, 0, len(e.Links))
	for _, l := range e.Links {
		links = append(links, object{
			{"link_type", l.LinkType},
			{"link_type_id", l.LinkTypeID},
			{"created_at", timestamp(l.CreatedAt)},
			{"parent_record", s.epicRef(l.Parent)},
			{"child_record", s.epicRef(l.Child)},
		})
	}
	add("epic_links", links, true)
	original, remaining := epicEstimate(e.OriginalEstimate()), epicEstimate(e.Remaining())
	add("master_feature_only_original_estimate", original, true)
	add("master_feature_only_remaining_estimate", remaining, true)
	add("master_feature_only_work_done", epicEstimate(e.WorkDone), true)
	add("epic_only_original_estimate", original, true)
	add("epic_only_remaining_estimate", remaining, true)
	add("epic_only_work_done", epicEstimate(e.WorkDone), true)
	add("watchers", usersRep(e.Watchers), false)
	return fs
}

// epicListKeys are the keys of the list representation of epics, in order.
var epicListKeys = []string{"id", "reference_num", "name", "created_at", "url", "resource"}

// epicListFields reorders an epic's fields for the list representation:
// the list keys first, shown by default, then the rest on request only.
func epicListFields(all []field) []field {
	byKey := make(map[string]field, len(all))
	for _, f := range all {
		byKey[f.k] = f
	}
	out := make([]field, 0, len(all))
	inList := map[string]bool{}
	for _, k := range epicListKeys {
		f := byKey[k]
		f.dflt = true
		out = append(out, f)
		inList[k] = true
	}
	for _, f := range all {
		if !inList[f.k] {
			f.dflt = false
			out = append(out, f)
		}
	}
	return out
}

// epicNeedsFull reports whether a list with this selection shows more than
// the list representation of epics.
func epicNeedsFull(sel selection) bool {
	for k := range sel.asked {
		found := false
		for _, lk := range epicListKeys {
			found = found || lk == k
		}
		if !found {
			return true
		}
	}
	return false
}

func (s *Server) writeEpic(w http.ResponseWriter, r *http.Request, e *roadmap.Epic, sel selection) error {
	if err := onlyVisible(r, e); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"epic", sel.apply(s.epicFields(e))}})
}

// number decodes a number (or a string holding one); null clears it.
func (d *fieldDecoder) epicFloat(key string) roadmap.Opt[float64] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[float64]{}
	}
	if isNull(raw) {
		return roadmap.Opt[float64]{Set: true, Null: true}
	}
	if s, ok := decodeScalar(raw); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return roadmap.Some(f)
		}
	}
	d.fail(fieldMalformed(key, "%s must be a number", key))
	return roadmap.Opt[float64]{}
}

// scoreFacts decodes score facts: an array of {"name": ..., "value": ...}.
func (d *fieldDecoder) epicScoreFacts(key string) roadmap.Opt[[]roadmap.EpicScoreFactInput] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[[]roadmap.EpicScoreFactInput]{}
	}
	facts := []roadmap.EpicScoreFactInput{}
	if isNull(raw) {
		return roadmap.Some(facts)
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		d.fail(fieldMalformed(key, `%s must be an array of {"name": ..., "value": ...}`, key))
		return roadmap.Opt[[]roadmap.EpicScoreFactInput]{}
	}
	for _, it := range items {
		fd := &fieldDecoder{rec: it}
		name, value := fd.str("name"), fd.integer("value")
		if fd.err != nil || !name.Set || name.Null || !value.Set || value.Null {
			d.fail(fieldMalformed(key, `%s must be an array of {"name": ..., "value": ...} with a text name and a whole number value`, key))
			return roadmap.Opt[[]roadmap.EpicScoreFactInput]{}
		}
		facts = append(facts, roadmap.EpicScoreFactInput{Name: name.V, Value: value.V})
	}
	return roadmap.Some(facts)
}

// epicInput decodes the fields of an epic body. Unknown keys are ignored.
func epicInput(rec map[string]json.RawMessage) (roadmap.EpicInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.EpicInput{
		Name:                  d.str("name"),
		Description:           d.str("description"),
		WorkflowStatus:        d.ref("workflow_status"),
		Release:               d.ref("release"),
		CreatedBy:             d.ref("created_by"),
		AssignedTo:            d.ref("assigned_to_user"),
		Initiative:            d.ref("initiative"),
		Goals:                 d.list("goals"),
		Watchers:              d.list("watchers"),
		Tags:                  d.list("tags"),
		InitialEstimateText:   d.str("initial_estimate_text"),
		DetailedEstimateText:  d.str("detailed_estimate_text"),
		RemainingEstimateText: d.str("remaining_estimate_text"),
		InitialEstimate:       d.epicFloat("initial_estimate"),
		DetailedEstimate:      d.epicFloat("detailed_estimate"),
		RemainingEstimate:     d.epicFloat("remaining_estimate"),
		StartDate:             d.str("start_date"),
		DueDate:               d.str("due_date"),
		ProgressSource:        d.str("progress_source"),
		Progress:              d.integer("progress"),
		DurationSource:        d.str("duration_source"),
		ScoreFacts:            d.epicScoreFacts("score_facts"),
	}
	if !in.WorkflowStatus.Set {
		in.WorkflowStatus = d.ref("status")
	}
	if !in.Initiative.Set {
		in.Initiative = d.ref("initiative_id")
	}
	in.CustomFields = customFieldsInput(d, "custom_fields")
	return in, d.err
}

// epicBody reads an epic body. The epic's fields may also stand at the top
// level of the body, beside "fields", as the reference's update example
// sends them.
func epicBody(w http.ResponseWriter, r *http.Request) (*body, roadmap.EpicInput, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, roadmap.EpicInput{}, roadmap.Errorf(roadmap.ETOOLARGE, "The request body is larger than %d bytes", MaxBodyBytes)
		}
		return nil, roadmap.EpicInput{}, malformed("The request body could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, roadmap.EpicInput{}, malformed("The request body is empty: send {\"epic\": {...}}")
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	b, err := readBody(w, r, "epic", false)
	if err != nil {
		return nil, roadmap.EpicInput{}, err
	}
	rec := b.record
	if rec == nil {
		if err := json.Unmarshal(data, &rec); err != nil || rec == nil {
			return nil, roadmap.EpicInput{}, malformed("The request body must hold the epic: {\"epic\": {...}}")
		}
		delete(rec, "fields")
		delete(rec, "epic")
	}
	in, err := epicInput(rec)
	return b, in, err
}

// epicOf finds an epic by ID or key and checks that u has access a to its
// product.
func (s *Server) epicOf(r *http.Request, u *roadmap.User, key string, a roadmap.Access) (*roadmap.Epic, error) {
	e, err := s.store.Epic(r.Context(), key)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, e.ProductID, a); err != nil {
		return nil, err
	}
	return e, nil
}

// epicFilter reads the list parameters shared by every epic list.
func epicFilter(r *http.Request) (roadmap.EpicFilter, error) {
	var f roadmap.EpicFilter
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return f, err
	}
	q := r.URL.Query()
	for _, p := range []struct {
		key string
		dst *string
	}{{"q", &f.Query}, {"tag", &f.Tag}, {"assigned_to_user", &f.AssignedTo}} {
		*p.dst = strings.TrimSpace(q.Get(p.key))
		if !validText(*p.dst) {
			return f, fieldMalformed(p.key, "%s must be UTF-8 text without NUL characters", p.key)
		}
	}
	if f.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) listEpicsBy(w http.ResponseWriter, r *http.Request, scope func(*roadmap.EpicFilter)) error {
	f, err := epicFilter(r)
	if err != nil {
		return err
	}
	scope(&f)
	sel := fieldsOf(r, nil)
	f.Full = epicNeedsFull(sel)
	es, total, err := s.store.Epics(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(es))
	if err := onlyVisible(r, es); err != nil {
		return err
	}
	for _, e := range es {
		items = append(items, sel.apply(epicListFields(s.epicFields(e))))
	}
	return writeStrategyList(w, "epics", items, total, f.Page)
}

func (s *Server) listEpics(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.listEpicsBy(w, r, func(f *roadmap.EpicFilter) { f.VisibleTo = visibleTo(u) })
}

func (s *Server) listReleaseEpics(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listEpicsBy(w, r, func(f *roadmap.EpicFilter) { f.ReleaseID = rel.ID })
}

func (s *Server) listProductEpics(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listEpicsBy(w, r, func(f *roadmap.EpicFilter) { f.ProductID = p.ID })
}

func (s *Server) listGoalEpics(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	g, err := s.store.Goal(r.Context(), r.PathValue("goal_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, g.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listEpicsBy(w, r, func(f *roadmap.EpicFilter) { f.GoalID, f.VisibleTo = g.ID, visibleTo(u) })
}

func (s *Server) listInitiativeEpics(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	it, err := s.store.Initiative(r.Context(), r.PathValue("initiative_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, it.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listEpicsBy(w, r, func(f *roadmap.EpicFilter) { f.InitiativeID, f.VisibleTo = it.ID, visibleTo(u) })
}

func (s *Server) getEpic(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	e, err := s.epicOf(r, u, r.PathValue("id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeEpic(w, r, e, fieldsOf(r, nil))
}

// createEpicIn creates an epic in a release whose product u may write to.
func (s *Server) createEpicIn(w http.ResponseWriter, r *http.Request, u *roadmap.User, rel *roadmap.Release, b *body, in roadmap.EpicInput) error {
	in.VisibleTo = visibleTo(u)
	e, err := s.store.CreateEpic(r.Context(), rel.ID, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeEpic(created(w), r, e, fieldsOf(r, b))
}

func (s *Server) createReleaseEpic(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "epic", true)
	if err != nil {
		return err
	}
	in, err := epicInput(b.record)
	if err != nil {
		return err
	}
	return s.createEpicIn(w, r, u, rel, b, in)
}

func (s *Server) createProductEpic(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "epic", true)
	if err != nil {
		return err
	}
	in, err := epicInput(b.record)
	if err != nil {
		return err
	}
	var rel *roadmap.Release
	if in.Release.Set && !in.Release.Null && strings.TrimSpace(in.Release.V) != "" {
		rel, err = s.store.Release(r.Context(), strings.TrimSpace(in.Release.V))
		if roadmap.IsNotFound(err) || (err == nil && rel.ProductID != p.ID) {
			return roadmap.FieldErrorf("release", "release: no release %q in product %s", in.Release.V, p.ReferencePrefix)
		}
		if err != nil {
			return err
		}
		in.Release = roadmap.Opt[string]{}
	} else if rel, err = s.store.DefaultEpicRelease(r.Context(), p.ID); err != nil {
		return err
	}
	return s.createEpicIn(w, r, u, rel, b, in)
}

func (s *Server) updateEpic(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	e, err := s.epicOf(r, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, in, err := epicBody(w, r)
	if err != nil {
		return err
	}
	in.VisibleTo = visibleTo(u)
	updated, err := s.store.UpdateEpic(r.Context(), e.ID, in)
	if err != nil {
		return err
	}
	return s.writeEpic(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deleteEpic(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	e, err := s.epicOf(r, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteEpic(r.Context(), e.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
