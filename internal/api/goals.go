package api

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// goalRoutes are the routes of goals, initiatives and key results.
func (s *Server) goalRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/goals":                                     s.listGoals,
		"GET /api/v1/products/{product_id}/goals":               s.listProductGoals,
		"POST /api/v1/products/{product_id}/goals":              s.createGoal,
		"GET /api/v1/products/{product_id}/goals/{id}":          s.getProductGoal,
		"PUT /api/v1/products/{product_id}/goals/{id}":          s.updateProductGoal,
		"DELETE /api/v1/products/{product_id}/goals/{id}":       s.deleteProductGoal,
		"GET /api/v1/initiatives/{initiative_id}/goals":         s.listInitiativeGoals,
		"GET /api/v1/goals/{id}":                                s.getGoal,
		"PUT /api/v1/goals/{id}":                                s.updateGoal,
		"DELETE /api/v1/goals/{id}":                             s.deleteGoal,
		"GET /api/v1/initiatives":                               s.listInitiatives,
		"GET /api/v1/products/{product_id}/initiatives":         s.listProductInitiatives,
		"POST /api/v1/products/{product_id}/initiatives":        s.createInitiative,
		"GET /api/v1/products/{product_id}/initiatives/{id}":    s.getProductInitiative,
		"PUT /api/v1/products/{product_id}/initiatives/{id}":    s.updateProductInitiative,
		"DELETE /api/v1/products/{product_id}/initiatives/{id}": s.deleteProductInitiative,
		"GET /api/v1/goals/{goal_id}/initiatives":               s.listGoalInitiatives,
		"GET /api/v1/initiatives/{id}":                          s.getInitiative,
		"PUT /api/v1/initiatives/{id}":                          s.updateInitiative,
		"DELETE /api/v1/initiatives/{id}":                       s.deleteInitiative,
		"GET /api/v1/goals/{goal_id}/key_results":               s.listKeyResults,
		"POST /api/v1/goals/{goal_id}/key_results":              s.createKeyResult,
		"GET /api/v1/key_results/{id}":                          s.getKeyResult,
		"PUT /api/v1/key_results/{id}":                          s.updateKeyResult,
		"DELETE /api/v1/key_results/{id}":                       s.deleteKeyResult,
	}
}

// writeStrategyList answers a page of goals, initiatives or key results
// under their plural name, with the pagination.
func writeStrategyList(w http.ResponseWriter, name string, items []object, total int, page roadmap.Page) error {
	if items == nil {
		items = []object{}
	}
	return writeJSON(w, http.StatusOK, object{
		{name, items},
		{"pagination", object{
			{"total_records", total},
			{"total_pages", (total + page.PerPage - 1) / page.PerPage},
			{"current_page", page.Page},
		}},
	})
}

// editorNoteRep is a note as goals show theirs: with its editor version.
func editorNoteRep(n roadmap.Note) object {
	return object{
		{"id", id(n.ID)},
		{"body", n.Body},
		{"editor_version", 1},
		{"created_at", timestamp(n.CreatedAt)},
		{"updated_at", timestamp(n.UpdatedAt)},
		{"attachments", []any{}},
	}
}

func optStatusRep(st *roadmap.WorkflowStatus) any {
	if st == nil {
		return nil
	}
	return statusRep(*st)
}

func timeFrameRep(tf *roadmap.TimeFrame) any {
	if tf == nil {
		return nil
	}
	return object{{"id", tf.ID}, {"name", tf.Name}}
}

// assigneeRep is the user a record is assigned to, saying whether it was
// assigned by default; null when it is assigned to no one.
func assigneeRep(u *roadmap.User, byDefault bool) any {
	if u == nil {
		return nil
	}
	return append(userRep(*u), kv{"default_assignee", byDefault})
}

func usersRep(us []roadmap.User) []object {
	out := make([]object, 0, len(us))
	for _, u := range us {
		out = append(out, userRep(u))
	}
	return out
}

// releasesListRep renders releases in their list representation.
func (s *Server) releasesListRep(rels []*roadmap.Release) []object {
	sel := parseFields("")
	out := make([]object, 0, len(rels))
	for _, rel := range rels {
		out = append(out, sel.apply(listFields(s.releaseFields(rel))))
	}
	return out
}

// goalRefRep is the compact form of a goal that goals show for their parents.
func (s *Server) goalRefRep(g roadmap.Goal) object {
	return object{
		{"id", id(g.ID)},
		{"name", g.Name},
		{"url", s.url("/strategic_imperatives/" + g.ReferenceNum)},
		{"resource", s.url("/api/v1/goals/" + g.ReferenceNum)},
		{"created_at", timestamp(g.CreatedAt)},
		{"description", editorNoteRep(g.Description)},
	}
}

func (s *Server) goalInitiativesRep(is []roadmap.Initiative) []object {
	out := make([]object, 0, len(is))
	for _, in := range is {
		out = append(out, object{
			{"id", id(in.ID)},
			{"reference_num", in.ReferenceNum},
			{"name", in.Name},
			{"url", s.url("/initiatives/" + in.ReferenceNum)},
			{"resource", s.url("/api/v1/initiatives/" + in.ReferenceNum)},
			{"created_at", timestamp(in.CreatedAt)},
			{"description", editorNoteRep(in.Description)},
			{"integration_fields", integrationFieldsRep(in.IntegrationFields)},
		})
	}
	return out
}

func (s *Server) goalKeyResultsRep(ks []roadmap.KeyResult) []object {
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
			{"target_metric", optString(k.TargetMetric)},
			{"starting_metric", optString(k.StartingMetric)},
			{"current_metric", optString(k.CurrentMetric)},
		})
	}
	return out
}

func optString(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// goalFields returns every key a goal can show, in the reference's order,
// each marked as shown by default or only on request.
func (s *Server) goalFields(g *roadmap.GoalDetail) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	url := s.url("/strategic_imperatives/" + g.ReferenceNum)
	add("id", id(g.ID), true)
	add("name", g.Name, true)
	add("reference_num", g.ReferenceNum, true)
	add("effort", g.Effort, true)
	add("value", g.Value, true)
	add("color", g.Color, true)
	add("position", g.Position, true)
	add("created_at", timestamp(g.CreatedAt), true)
	add("updated_at", timestamp(g.UpdatedAt), true)
	add("product_id", id(g.ProductID), true)
	add("progress", optInt(g.Progress), true)
	add("progress_source", g.ProgressSource, true)
	add("url", url, true)
	add("resource", url, true)
	add("description", editorNoteRep(g.Description), true)
	metric := object{
		{"name", g.MetricName},
		{"description", editorNoteRep(g.MetricDescription)},
		{"workflow_status", optStatusRep(g.WorkflowStatus)},
	}
	if len(g.StatusTimes) > 0 {
		metric = append(metric, kv{"workflow_status_times", statusTimesRep(g.StatusTimes)})
	}
	add("success_metric", metric, true)
	add("project", s.projectRep(g.Product), true)
	var parent any
	parents := make([]object, 0, len(g.Parents))
	for _, p := range g.Parents {
		parents = append(parents, s.goalRefRep(p))
	}
	if len(parents) > 0 {
		parent = parents[0]
	}
	add("parent", parent, len(parents) > 0)
	add("parents", parents, len(parents) > 0)
	add("time_frame", timeFrameRep(g.TimeFrame), g.TimeFrame != nil)
	add("initiatives", s.goalInitiativesRep(g.Initiatives), true)
	add("key_results", s.goalKeyResultsRep(g.KeyResults), true)
	add("comments_count", g.CommentsCount, true)
	add("features", []any{}, true)
	add("releases", s.releasesListRep(g.Releases), true)
	add("custom_fields", []any{}, true)
	add("watchers", usersRep(g.Watchers), false)
	return fs
}

func (s *Server) writeGoal(w http.ResponseWriter, r *http.Request, g *roadmap.GoalDetail, sel selection) error {
	if err := onlyVisible(r, g); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"goal", sel.apply(s.goalFields(g))}})
}

// goalInput decodes the fields of a goal body. The success metric's name,
// description and the goal's status may come flat (success_metric_name,
// workflow_status) or inside a success_metric object, as the reference's
// examples send them. Unknown keys are ignored.
func goalInput(rec map[string]json.RawMessage) (roadmap.GoalInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.GoalInput{
		Name:              d.str("name"),
		Description:       d.str("description"),
		Effort:            d.integer("effort"),
		Value:             d.integer("value"),
		ParentID:          d.ref("parent_id"),
		MetricName:        d.str("success_metric_name"),
		MetricDescription: d.str("success_metric_description"),
		WorkflowStatus:    d.ref("workflow_status"),
		TimeFrame:         d.ref("time_frame"),
		ProgressSource:    d.str("progress_source"),
		Progress:          d.integer("progress"),
		Watchers:          d.list("watchers"),
		Initiatives:       d.list("initiatives"),
		Releases:          d.list("releases"),
	}
	if !in.WorkflowStatus.Set {
		in.WorkflowStatus = d.ref("status")
	}
	if raw, ok := rec["success_metric"]; ok && !isNull(raw) {
		var metric map[string]json.RawMessage
		if err := json.Unmarshal(raw, &metric); err != nil || metric == nil {
			d.fail(fieldMalformed("success_metric", "success_metric must be a JSON object"))
		} else {
			md := &fieldDecoder{rec: metric}
			if v := md.str("name"); v.Set && !in.MetricName.Set {
				in.MetricName = v
			}
			if v := md.str("description"); v.Set && !in.MetricDescription.Set {
				in.MetricDescription = v
			}
			if v := md.ref("workflow_status"); v.Set && !in.WorkflowStatus.Set {
				in.WorkflowStatus = v
			}
			if md.err != nil {
				d.fail(md.err)
			}
		}
	}
	return in, d.err
}

// customFieldsInput decodes custom field values: an object of key to value,
// or an array of {"key": ..., "value": ...}. Values are strings, numbers or
// booleans; null is an empty value.
func customFieldsInput(d *fieldDecoder, key string) roadmap.Opt[[]roadmap.CustomFieldEntry] {
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
		// A list (tags, multiple choices) is kept as a JSON array of text.
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			items := make([]string, 0, len(list))
			for _, it := range list {
				s, ok := decodeScalar(it)
				if !ok || !validText(s) {
					return "", false
				}
				items = append(items, s)
			}
			text, _ := json.Marshal(items)
			return string(text), true
		}
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			if b {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	entries := []roadmap.CustomFieldEntry{}
	if isNull(raw) {
		return roadmap.Some(entries)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, ok := value(obj[k])
			if !ok || !validText(k) {
				return bad()
			}
			entries = append(entries, roadmap.CustomFieldEntry{Key: k, Value: v})
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

// productOfPath finds the product of the path and checks that u has access a
// to it.
func (s *Server) productOfPath(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.Product, error) {
	p, err := s.store.Product(r.Context(), r.PathValue("product_id"))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, p.ID, a); err != nil {
		return nil, err
	}
	return p, nil
}

// goalOf finds a goal by ID or key and checks that u has access a to its
// product; with a product, the goal must belong to it.
func (s *Server) goalOf(r *http.Request, u *roadmap.User, key string, product *roadmap.Product, a roadmap.Access) (*roadmap.GoalDetail, error) {
	g, err := s.store.GoalDetail(r.Context(), key)
	if err != nil {
		return nil, err
	}
	if product != nil && g.ProductID != product.ID {
		return nil, roadmap.Errorf(roadmap.ENOTFOUND, "goal %s not found in product %s", key, product.ReferencePrefix)
	}
	if err := s.authorize(r.Context(), u, g.ProductID, a); err != nil {
		return nil, err
	}
	return g, nil
}

func (s *Server) listGoalsBy(w http.ResponseWriter, r *http.Request, f roadmap.GoalFilter) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = page
	gs, total, err := s.store.Goals(r.Context(), f)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(gs))
	if err := onlyVisible(r, gs); err != nil {
		return err
	}
	for _, g := range gs {
		items = append(items, sel.apply(s.goalFields(g)))
	}
	return writeStrategyList(w, "goals", items, total, page)
}

func (s *Server) listGoals(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.listGoalsBy(w, r, roadmap.GoalFilter{VisibleTo: visibleTo(u)})
}

func (s *Server) listProductGoals(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listGoalsBy(w, r, roadmap.GoalFilter{ProductID: p.ID})
}

func (s *Server) listInitiativeGoals(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	it, err := s.initiativeOf(r, u, r.PathValue("initiative_id"), nil, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listGoalsBy(w, r, roadmap.GoalFilter{InitiativeID: it.ID, VisibleTo: visibleTo(u)})
}

func (s *Server) createGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "goal", true)
	if err != nil {
		return err
	}
	in, err := goalInput(b.record)
	if err != nil {
		return err
	}
	in.VisibleTo = visibleTo(u)
	g, err := s.store.CreateGoal(r.Context(), p.ID, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeGoal(created(w), r, g, fieldsOf(r, b))
}

func (s *Server) getGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	g, err := s.goalOf(r, u, r.PathValue("id"), nil, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeGoal(w, r, g, fieldsOf(r, nil))
}

func (s *Server) getProductGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	g, err := s.goalOf(r, u, r.PathValue("id"), p, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeGoal(w, r, g, fieldsOf(r, nil))
}

func (s *Server) changeGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User, product *roadmap.Product) error {
	g, err := s.goalOf(r, u, r.PathValue("id"), product, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "goal", true)
	if err != nil {
		return err
	}
	in, err := goalInput(b.record)
	if err != nil {
		return err
	}
	in.VisibleTo = visibleTo(u)
	updated, err := s.store.UpdateGoal(r.Context(), g.ID, in)
	if err != nil {
		return err
	}
	return s.writeGoal(w, r, updated, fieldsOf(r, b))
}

func (s *Server) updateGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.changeGoal(w, r, u, nil)
}

func (s *Server) updateProductGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.changeGoal(w, r, u, p)
}

func (s *Server) removeGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User, product *roadmap.Product) error {
	g, err := s.goalOf(r, u, r.PathValue("id"), product, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteGoal(r.Context(), g.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.removeGoal(w, r, u, nil)
}

func (s *Server) deleteProductGoal(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.removeGoal(w, r, u, p)
}
