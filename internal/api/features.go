package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// featureRoutes are the routes of features and requirements.
func (s *Server) featureRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/features":                              s.listFeatures,
		"GET /api/v1/releases/{release_id}/features":        s.listReleaseFeatures,
		"POST /api/v1/releases/{release_id}/features":       s.createFeature,
		"GET /api/v1/products/{product_id}/features":        s.listProductFeatures,
		"GET /api/v1/epics/{epic_id}/features":              s.listEpicFeatures,
		"GET /api/v1/goals/{goal_id}/features":              s.listGoalFeatures,
		"GET /api/v1/initiatives/{initiative_id}/features":  s.listInitiativeFeatures,
		"GET /api/v1/features/{id}":                         s.getFeature,
		"PUT /api/v1/features/{id}":                         s.updateFeature,
		"DELETE /api/v1/features/{id}":                      s.deleteFeature,
		"GET /api/v1/features/{feature_id}/requirements":    s.listRequirements,
		"POST /api/v1/features/{feature_id}/requirements":   s.createRequirement,
		"GET /api/v1/requirements/{id}":                     s.getRequirement,
		"PUT /api/v1/requirements/{id}":                     s.updateRequirement,
		"DELETE /api/v1/requirements/{id}":                  s.deleteRequirement,
		"POST /api/v1/requirements/{id}/convert_to_feature": s.convertRequirement,
	}
}

// featureRefRep is the compact form of a feature: the list representation,
// and how requirements and links show their features.
func (s *Server) featureRefRep(f roadmap.FeatureRef) object {
	return object{
		{"id", id(f.ID)},
		{"reference_num", f.ReferenceNum},
		{"name", f.Name},
		{"created_at", timestamp(f.CreatedAt)},
		{"url", s.url("/features/" + f.ReferenceNum)},
		{"resource", s.url("/api/v1/features/" + f.ReferenceNum)},
		{"product_id", id(f.ProductID)},
	}
}

// featureEpicRep is the compact form of a feature's epic, as both
// master_feature and epic show it.
func (s *Server) featureEpicRep(e *roadmap.FeatureEpic) object {
	return object{
		{"id", id(e.ID)},
		{"reference_num", e.ReferenceNum},
		{"name", e.Name},
		{"created_at", timestamp(e.CreatedAt)},
		{"url", s.url("/epics/" + e.ReferenceNum)},
		{"resource", s.url("/api/v1/epics/" + e.ReferenceNum)},
	}
}

// featurePhaseRep is the release phase a feature belongs to; its
// release_id is a number, as the reference shows it.
func featurePhaseRep(p *roadmap.FeaturePhase) object {
	return object{
		{"id", id(p.ID)},
		{"name", p.Name},
		{"start_on", date(p.StartOn)},
		{"end_on", date(p.EndOn)},
		{"type", p.Kind},
		{"release_id", p.ReleaseID},
		{"created_at", timestamp(p.CreatedAt)},
		{"updated_at", timestamp(p.UpdatedAt)},
		{"progress", optInt(p.Progress)},
		{"progress_source", p.ProgressSource},
		{"duration_source", p.DurationSource},
		{"description", noteRep(p.Description)},
	}
}

func (s *Server) featureKeyResultsRep(ks []roadmap.FeatureKeyResult) []object {
	out := make([]object, 0, len(ks))
	for _, k := range ks {
		out = append(out, object{
			{"id", id(k.ID)},
			{"name", k.Name},
			{"reference_num", k.ReferenceNum},
			{"url", s.url("/key_results/" + k.ReferenceNum)},
			{"position", k.Position},
			{"created_at", timestamp(k.CreatedAt)},
			{"updated_at", timestamp(k.UpdatedAt)},
			{"progress", optInt(k.Progress)},
			{"target_metric", optStr(k.TargetMetric)},
			{"starting_metric", optStr(k.StartingMetric)},
			{"current_metric", optStr(k.CurrentMetric)},
		})
	}
	return out
}

func optStr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// tagsRep renders tags twice, as Aha! does: their names, and with their IDs
// and colors.
func tagsRep(ts []roadmap.Tag) (names []string, full []object) {
	names, full = make([]string, 0, len(ts)), make([]object, 0, len(ts))
	for _, t := range ts {
		names = append(names, t.Name)
		full = append(full, object{{"id", id(t.ID)}, {"name", t.Name}, {"color", t.Color}})
	}
	return names, full
}

func (s *Server) featureLinksRep(ls []roadmap.FeatureLink) []object {
	out := make([]object, 0, len(ls))
	for _, l := range ls {
		out = append(out, object{
			{"link_type", l.LinkType},
			{"link_type_id", l.LinkTypeID},
			{"created_at", timestamp(l.CreatedAt)},
			{"parent_record", s.featureRefRep(l.Parent)},
			{"child_record", s.featureRefRep(l.Child)},
		})
	}
	return out
}

// estimate renders an estimate in minutes or points as a number, or null.
func estimate(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// estimateText renders an estimate as text in its units, or null.
func estimateText(units string, p *float64) any {
	if p == nil {
		return nil
	}
	return roadmap.FormatCapacity(units, *p)
}

// featureFields returns every key a feature can show, in the reference's
// order, each marked as shown by default or only on request. Keys of
// records the feature is not linked to (epic, release phase, initiative),
// its status history while it has none, and its estimates while none is
// set, are left out of the default representation, as the reference's
// examples show them.
func (s *Server) featureFields(f *roadmap.Feature) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	var initiativeRef, releaseRef, epicRef any
	if f.Initiative != nil {
		initiativeRef = f.Initiative.ReferenceNum
	}
	if f.Release != nil {
		releaseRef = f.Release.ReferenceNum
	}
	if f.Epic != nil {
		epicRef = f.Epic.ReferenceNum
	}
	kind := f.Kind()
	add("id", id(f.ID), true)
	add("name", f.Name, true)
	add("reference_num", f.ReferenceNum, true)
	add("initiative_reference_num", initiativeRef, true)
	add("release_reference_num", releaseRef, true)
	add("epic_reference_num", epicRef, true)
	add("position", f.Position, true)
	add("score", f.Score, true)
	add("created_at", timestamp(f.CreatedAt), true)
	add("updated_at", timestamp(f.UpdatedAt), true)
	add("start_date", date(f.StartDate), true)
	add("due_date", date(f.DueDate), true)
	add("product_id", id(f.ProductID), true)
	add("progress", optInt(f.Progress), true)
	add("progress_source", f.ProgressSource, true)
	add("status_changed_on", date(f.StatusChangedOn), true)
	add("created_by_user", userRep(f.CreatedBy), true)
	add("workflow_kind", object{{"id", id(kind.ID)}, {"name", kind.Name}}, true)
	add("workflow_status", statusRep(f.WorkflowStatus), true)
	add("project", s.projectRep(f.Product), true)
	add("description", noteRep(f.Description), true)
	add("attachments", []any{}, true)
	add("integration_fields", integrationFieldsRep(f.IntegrationFields), true)
	add("url", s.url("/features/"+f.ReferenceNum), true)
	add("resource", s.url("/api/v1/features/"+f.ReferenceNum), true)
	var release any
	if f.Release != nil {
		release = s.releasesListRep([]*roadmap.Release{f.Release})[0]
	}
	add("release", release, true)
	var epic, phase, initiative any
	if f.Epic != nil {
		epic = s.featureEpicRep(f.Epic)
	}
	if f.ReleasePhase != nil {
		phase = featurePhaseRep(f.ReleasePhase)
	}
	if f.Initiative != nil {
		initiative = s.initiativesRep([]roadmap.Initiative{*f.Initiative})[0]
	}
	add("master_feature", epic, f.Epic != nil)
	add("belongs_to_release_phase", phase, f.ReleasePhase != nil)
	add("epic", epic, f.Epic != nil)
	add("assigned_to_user", assigneeRep(f.AssignedTo, f.DefaultAssignee), true)
	reqs := make([]object, 0, len(f.Requirements))
	for _, r := range f.Requirements {
		reqs = append(reqs, parseFields("").apply(s.requirementFields(r)))
	}
	add("requirements", reqs, true)
	add("initiative", initiative, f.Initiative != nil)
	add("goals", s.goalsRep(f.Goals), true)
	add("key_results", s.featureKeyResultsRep(f.KeyResults), true)
	add("comments_count", f.CommentsCount, true)
	facts := make([]object, 0, len(f.ScoreFacts))
	for _, sf := range f.ScoreFacts {
		facts = append(facts, object{{"id", id(sf.ID)}, {"value", sf.Value}, {"name", sf.Name}})
	}
	add("score_facts", facts, true)
	tags, fullTags := tagsRep(f.Tags)
	add("tags", tags, true)
	add("full_tags", fullTags, true)
	add("custom_fields", customFieldsRep(f.CustomFields), true)
	add("feature_links", s.featureLinksRep(f.Links), true)
	add("workflow_status_times", statusTimesRep(f.StatusTimes), len(f.StatusTimes) > 0)
	estimated := f.Estimated()
	add("work_units", f.WorkUnits, estimated)
	for _, e := range []struct {
		key string
		v   *float64
	}{
		{"initial_estimate", f.InitialEstimate},
		{"detailed_estimate", f.DetailedEstimate},
		{"original_estimate", f.OriginalEstimate()},
		{"remaining_estimate", f.RemainingEstimate},
		{"work_done", f.WorkDone},
	} {
		add(e.key, estimate(e.v), estimated)
		add(e.key+"_text", estimateText(f.WorkUnits, e.v), estimated)
	}
	add("feature_only_original_estimate", estimate(f.OriginalEstimate()), true)
	add("feature_only_remaining_estimate", estimate(f.RemainingEstimate), true)
	add("feature_only_work_done", estimate(f.WorkDone), true)
	add("watchers", usersRep(f.Watchers), false)
	return fs
}

// featureListKeys are the keys of the list representation, in order.
var featureListKeys = []string{"id", "reference_num", "name", "created_at", "url", "resource", "product_id"}

var featureListKeySet = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range featureListKeys {
		m[k] = true
	}
	return m
}()

// featureListFields reorders a feature's fields for the list
// representation: the list keys first, shown by default, then the rest on
// request only.
func featureListFields(all []field) []field {
	byKey := make(map[string]field, len(all))
	for _, f := range all {
		byKey[f.k] = f
	}
	out := make([]field, 0, len(all))
	for _, k := range featureListKeys {
		f := byKey[k]
		f.dflt = true
		out = append(out, f)
	}
	for _, f := range all {
		if !featureListKeySet[f.k] {
			f.dflt = false
			out = append(out, f)
		}
	}
	return out
}

// featureNeedsFull reports whether a list with this selection shows more
// than the list representation.
func featureNeedsFull(sel selection) bool {
	for k := range sel.asked {
		if !featureListKeySet[k] {
			return true
		}
	}
	return false
}

func (s *Server) writeFeature(w http.ResponseWriter, r *http.Request, f *roadmap.Feature, sel selection) error {
	if err := onlyVisible(r, f); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"feature", sel.apply(s.featureFields(f))}})
}

// featureFloat decodes a number (or a string holding one), or null.
func (d *fieldDecoder) featureFloat(key string) roadmap.Opt[float64] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[float64]{}
	}
	if isNull(raw) {
		return roadmap.Opt[float64]{Set: true, Null: true}
	}
	if s, ok := decodeScalar(raw); ok {
		if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return roadmap.Some(v)
		}
	}
	d.fail(fieldMalformed(key, "%s must be a number", key))
	return roadmap.Opt[float64]{}
}

// featureScoreFacts decodes score facts: an array of {"name": ..., "value": ...}.
func (d *fieldDecoder) featureScoreFacts(key string) roadmap.Opt[[]roadmap.ScoreFactInput] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[[]roadmap.ScoreFactInput]{}
	}
	out := []roadmap.ScoreFactInput{}
	if isNull(raw) {
		return roadmap.Some(out)
	}
	bad := func() roadmap.Opt[[]roadmap.ScoreFactInput] {
		d.fail(fieldMalformed(key, `%s must be an array of {"name": ..., "value": ...} with whole-number values`, key))
		return roadmap.Opt[[]roadmap.ScoreFactInput]{}
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return bad()
	}
	for _, it := range items {
		name, ok := decodeScalar(it["name"])
		if !ok || !validText(name) {
			return bad()
		}
		v, ok := decodeScalar(it["value"])
		if !ok {
			return bad()
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
			return bad()
		}
		out = append(out, roadmap.ScoreFactInput{Name: name, Value: int(f)})
	}
	return roadmap.Some(out)
}

// featureCustomFields decodes custom field values: an object of key to
// value, or an array of {"key": ..., "value": ...}. A value is text, a
// number, true or false, an array of texts (kept as a JSON array), or null,
// which clears the field.
func (d *fieldDecoder) featureCustomFields(key string) roadmap.Opt[[]roadmap.CustomFieldEntry] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[[]roadmap.CustomFieldEntry]{}
	}
	bad := func() roadmap.Opt[[]roadmap.CustomFieldEntry] {
		d.fail(fieldMalformed(key, `%s must be an object of key to value, or an array of {"key": ..., "value": ...}`, key))
		return roadmap.Opt[[]roadmap.CustomFieldEntry]{}
	}
	value := func(raw json.RawMessage) (string, bool) {
		if raw == nil || isNull(raw) {
			return "", true
		}
		if s, ok := decodeScalar(raw); ok {
			return s, validText(s)
		}
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			return strconv.FormatBool(b), true
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "", false
		}
		list := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := decodeScalar(it)
			if !ok || !validText(s) {
				return "", false
			}
			list = append(list, s)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(list)
		return strings.TrimSpace(buf.String()), true
	}
	entries := []roadmap.CustomFieldEntry{}
	if isNull(raw) {
		return roadmap.Some(entries)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err == nil && t == json.Delim('{') {
		// An object keeps the order its keys were written in.
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return bad()
			}
			k, _ := kt.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return bad()
			}
			s, ok := value(v)
			if !ok || !validText(k) {
				return bad()
			}
			entries = append(entries, roadmap.CustomFieldEntry{Key: k, Value: s})
		}
		return roadmap.Some(entries)
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return bad()
	}
	for _, it := range items {
		k, ok := decodeScalar(it["key"])
		if !ok || !validText(k) {
			return bad()
		}
		v, ok := value(it["value"])
		if !ok {
			return bad()
		}
		entries = append(entries, roadmap.CustomFieldEntry{Key: k, Value: v})
	}
	return roadmap.Some(entries)
}

// featureInput decodes the fields of a feature body. Unknown keys are
// ignored.
func featureInput(rec map[string]json.RawMessage) (roadmap.FeatureInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.FeatureInput{
		Name:                  d.str("name"),
		Description:           d.str("description"),
		WorkflowKind:          d.ref("workflow_kind"),
		WorkflowStatus:        d.ref("workflow_status"),
		Release:               d.ref("release"),
		CreatedBy:             d.ref("created_by"),
		AssignedTo:            d.ref("assigned_to_user"),
		Epic:                  d.ref("epic"),
		Initiative:            d.ref("initiative"),
		ReleasePhase:          d.ref("release_phase"),
		Goals:                 d.list("goals"),
		Watchers:              d.list("watchers"),
		Tags:                  d.list("tags"),
		InitialEstimateText:   d.str("initial_estimate_text"),
		DetailedEstimateText:  d.str("detailed_estimate_text"),
		RemainingEstimateText: d.str("remaining_estimate_text"),
		WorkDoneText:          d.str("work_done_text"),
		InitialEstimate:       d.featureFloat("initial_estimate"),
		DetailedEstimate:      d.featureFloat("detailed_estimate"),
		RemainingEstimate:     d.featureFloat("remaining_estimate"),
		WorkDone:              d.featureFloat("work_done"),
		StartDate:             d.str("start_date"),
		DueDate:               d.str("due_date"),
		ProgressSource:        d.str("progress_source"),
		Progress:              d.integer("progress"),
		ScoreFacts:            d.featureScoreFacts("score_facts"),
		CustomFields:          d.featureCustomFields("custom_fields"),
	}
	if !in.WorkflowStatus.Set {
		in.WorkflowStatus = d.ref("status")
	}
	return in, d.err
}

// featureBody reads and decodes a feature body.
func featureBody(w http.ResponseWriter, r *http.Request, u *roadmap.User) (*body, roadmap.FeatureInput, error) {
	b, err := readBody(w, r, "feature", true)
	if err != nil {
		return nil, roadmap.FeatureInput{}, err
	}
	in, err := featureInput(b.record)
	if err != nil {
		return nil, in, err
	}
	in.VisibleTo = visibleTo(u)
	return b, in, nil
}

// featureOf finds a feature by ID or key and checks that u has access a in
// its product.
func (s *Server) featureOf(r *http.Request, u *roadmap.User, key string, a roadmap.Access) (*roadmap.Feature, error) {
	f, err := s.store.Feature(r.Context(), key)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, f.ProductID, a); err != nil {
		return nil, err
	}
	return f, nil
}

// featureIDOf finds a feature by ID or key without loading it and checks
// that u has access a in its product: for the writes and lists of its
// requirements and comments, which a feature of many requirements would
// otherwise load each time.
func (s *Server) featureIDOf(r *http.Request, u *roadmap.User, key string, a roadmap.Access) (int64, error) {
	id, product, err := s.store.FeatureProduct(r.Context(), key)
	if err != nil {
		return 0, err
	}
	if err := s.authorize(r.Context(), u, product, a); err != nil {
		return 0, err
	}
	return id, nil
}

// featureFilter reads the list parameters shared by every feature list.
func featureFilter(r *http.Request) (roadmap.FeatureFilter, error) {
	var f roadmap.FeatureFilter
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return f, err
	}
	q := r.URL.Query()
	for _, p := range []struct {
		key string
		dst *string
	}{{"q", &f.Query}, {"tag", &f.Tag}, {"assigned_to_user", &f.AssignedTo}} {
		*p.dst = q.Get(p.key)
		if !validText(*p.dst) {
			return f, fieldMalformed(p.key, "%s must be UTF-8 text without NUL characters", p.key)
		}
	}
	if f.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return f, err
	}
	return f, nil
}

// listFeaturesBy answers a page of features selected by scope.
func (s *Server) listFeaturesBy(w http.ResponseWriter, r *http.Request, scope func(*roadmap.FeatureFilter)) error {
	f, err := featureFilter(r)
	if err != nil {
		return err
	}
	scope(&f)
	sel := fieldsOf(r, nil)
	f.Full = featureNeedsFull(sel)
	fs, total, err := s.store.Features(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(fs))
	if err := onlyVisible(r, fs); err != nil {
		return err
	}
	for _, ft := range fs {
		items = append(items, sel.apply(featureListFields(s.featureFields(ft))))
	}
	return writeJSON(w, http.StatusOK, object{
		{"features", items},
		{"pagination", object{
			{"total_records", total},
			{"total_pages", (total + f.Page.PerPage - 1) / f.Page.PerPage},
			{"current_page", f.Page.Page},
		}},
	})
}

func (s *Server) listFeatures(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.listFeaturesBy(w, r, func(f *roadmap.FeatureFilter) { f.VisibleTo = visibleTo(u) })
}

func (s *Server) listReleaseFeatures(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listFeaturesBy(w, r, func(f *roadmap.FeatureFilter) { f.ReleaseID = rel.ID })
}

func (s *Server) listProductFeatures(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.store.Product(r.Context(), r.PathValue("product_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, p.ID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listFeaturesBy(w, r, func(f *roadmap.FeatureFilter) { f.ProductID = p.ID })
}

func (s *Server) listEpicFeatures(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	e, err := s.store.Epic(r.Context(), r.PathValue("epic_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, e.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listFeaturesBy(w, r, func(f *roadmap.FeatureFilter) { f.EpicID = e.ID })
}

func (s *Server) listGoalFeatures(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	g, err := s.store.Goal(r.Context(), r.PathValue("goal_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, g.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listFeaturesBy(w, r, func(f *roadmap.FeatureFilter) { f.GoalID, f.VisibleTo = g.ID, visibleTo(u) })
}

func (s *Server) listInitiativeFeatures(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	in, err := s.store.Initiative(r.Context(), r.PathValue("initiative_id"))
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, in.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	return s.listFeaturesBy(w, r, func(f *roadmap.FeatureFilter) { f.InitiativeID, f.VisibleTo = in.ID, visibleTo(u) })
}

func (s *Server) createFeature(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, in, err := featureBody(w, r, u)
	if err != nil {
		return err
	}
	f, err := s.store.CreateFeature(r.Context(), rel.ID, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeFeature(created(w), r, f, fieldsOf(r, b))
}

func (s *Server) getFeature(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f, err := s.featureOf(r, u, r.PathValue("id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeFeature(w, r, f, fieldsOf(r, nil))
}

func (s *Server) updateFeature(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f, err := s.featureOf(r, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, in, err := featureBody(w, r, u)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateFeature(r.Context(), f.ID, in)
	if err != nil {
		return err
	}
	return s.writeFeature(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deleteFeature(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f, err := s.featureOf(r, u, r.PathValue("id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteFeature(r.Context(), f.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
