package api

import (
	"encoding/json"
	"net/http"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// keyResultFields returns every key a key result can show, in the
// reference's order, each marked as shown by default or only on request.
func (s *Server) keyResultFields(k *roadmap.KeyResult) []field {
	var fs []field
	add := func(key string, v any, dflt bool) { fs = append(fs, field{kv{key, v}, dflt}) }
	add("id", id(k.ID), true)
	add("name", k.Name, true)
	add("reference_num", k.ReferenceNum, true)
	add("position", k.Position, true)
	add("created_at", timestamp(k.CreatedAt), true)
	add("updated_at", timestamp(k.UpdatedAt), true)
	add("progress", optInt(k.Progress), true)
	add("target_metric", optString(k.TargetMetric), true)
	add("starting_metric", optString(k.StartingMetric), true)
	add("current_metric", optString(k.CurrentMetric), true)
	add("description", noteRep(k.Description), true)
	add("assigned_to_user", assigneeRep(k.AssignedTo, k.DefaultAssignee), true)
	add("workflow_status", optStatusRep(k.WorkflowStatus), true)
	add("custom_fields", customFieldsRep(k.CustomFields), true)
	add("watchers", usersRep(k.Watchers), false)
	return fs
}

func (s *Server) writeKeyResult(w http.ResponseWriter, r *http.Request, k *roadmap.KeyResult, sel selection) error {
	if err := onlyVisible(r, k); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"key_result", sel.apply(s.keyResultFields(k))}})
}

// keyResultInput decodes the fields of a key result body. Metrics are text
// (a number is taken as its digits). Unknown keys are ignored.
func keyResultInput(rec map[string]json.RawMessage) (roadmap.KeyResultInput, error) {
	d := &fieldDecoder{rec: rec}
	metric := func(key string) roadmap.Opt[string] {
		raw, ok := rec[key]
		if !ok {
			return roadmap.Opt[string]{}
		}
		if isNull(raw) {
			return roadmap.Opt[string]{Set: true, Null: true}
		}
		v, ok := decodeScalar(raw)
		if !ok || !validText(v) {
			d.fail(fieldMalformed(key, "%s must be a string or a number", key))
			return roadmap.Opt[string]{}
		}
		return roadmap.Some(v)
	}
	in := roadmap.KeyResultInput{
		Name:           d.str("name"),
		Description:    d.str("description"),
		WorkflowStatus: d.ref("workflow_status"),
		TargetMetric:   metric("target_metric"),
		StartingMetric: metric("starting_metric"),
		CurrentMetric:  metric("current_metric"),
		AssignedTo:     d.ref("assigned_to_user"),
		Watchers:       d.list("watchers"),
	}
	in.CustomFields = customFieldsInput(d, "custom_fields")
	if !in.WorkflowStatus.Set {
		in.WorkflowStatus = d.ref("status")
	}
	return in, d.err
}

// keyResultOf finds a key result by ID or key and checks that u has access a
// to the product of its goal.
func (s *Server) keyResultOf(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.KeyResult, error) {
	k, err := s.store.KeyResult(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, k.ProductID, a); err != nil {
		return nil, err
	}
	return k, nil
}

func (s *Server) listKeyResults(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	g, err := s.goalOf(r, u, r.PathValue("goal_id"), nil, roadmap.AccessRead)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	ks, total, err := s.store.KeyResults(r.Context(), g.ID, page)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(ks))
	if err := onlyVisible(r, ks); err != nil {
		return err
	}
	for _, k := range ks {
		items = append(items, sel.apply(s.keyResultFields(k)))
	}
	return writeStrategyList(w, "key_results", items, total, page)
}

func (s *Server) createKeyResult(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	g, err := s.goalOf(r, u, r.PathValue("goal_id"), nil, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "key_result", true)
	if err != nil {
		return err
	}
	in, err := keyResultInput(b.record)
	if err != nil {
		return err
	}
	k, err := s.store.CreateKeyResult(r.Context(), g.ID, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeKeyResult(w, r, k, fieldsOf(r, b))
}

func (s *Server) getKeyResult(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	k, err := s.keyResultOf(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeKeyResult(w, r, k, fieldsOf(r, nil))
}

func (s *Server) updateKeyResult(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	k, err := s.keyResultOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "key_result", true)
	if err != nil {
		return err
	}
	in, err := keyResultInput(b.record)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateKeyResult(r.Context(), k.ID, in)
	if err != nil {
		return err
	}
	return s.writeKeyResult(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deleteKeyResult(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	k, err := s.keyResultOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteKeyResult(r.Context(), k.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
