package api

import (
	"encoding/json"
	"net/http"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// requirementFields returns every key a requirement shows, in the
// reference's order; its status history only once it has one.
func (s *Server) requirementFields(q *roadmap.Requirement) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	add("id", id(q.ID), true)
	add("name", q.Name, true)
	add("reference_num", q.ReferenceNum, true)
	add("position", q.Position, true)
	add("created_at", timestamp(q.CreatedAt), true)
	add("updated_at", timestamp(q.UpdatedAt), true)
	add("release_id", q.ReleaseID, true)
	add("created_by_user", userRep(q.CreatedBy), true)
	add("workflow_status", statusRep(q.WorkflowStatus), true)
	add("url", s.url("/requirements/"+q.ReferenceNum), true)
	add("resource", s.url("/api/v1/requirements/"+q.ReferenceNum), true)
	add("description", noteRep(q.Description), true)
	add("feature", s.featureRefRep(q.Feature), true)
	add("assigned_to_user", assigneeRep(q.AssignedTo, false), true)
	add("attachments", []any{}, true)
	tags, fullTags := tagsRep(q.Tags)
	add("tags", tags, true)
	add("full_tags", fullTags, true)
	add("custom_fields", customFieldsRep(q.CustomFields), true)
	add("integration_fields", integrationFieldsRep(q.IntegrationFields), true)
	add("comments_count", q.CommentsCount, true)
	add("workflow_status_times", statusTimesRep(q.StatusTimes), len(q.StatusTimes) > 0)
	return fs
}

func (s *Server) writeRequirement(w http.ResponseWriter, r *http.Request, q *roadmap.Requirement, sel selection) error {
	if err := onlyVisible(r, q); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"requirement", sel.apply(s.requirementFields(q))}})
}

// requirementInput decodes the fields of a requirement body. Unknown keys
// are ignored.
func requirementInput(rec map[string]json.RawMessage) (roadmap.RequirementInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.RequirementInput{
		Name:           d.str("name"),
		Description:    d.str("description"),
		WorkflowStatus: d.ref("workflow_status"),
		AssignedTo:     d.ref("assigned_to_user"),
		Tags:           d.list("tags"),
		CustomFields:   d.featureCustomFields("custom_fields"),
	}
	if !in.WorkflowStatus.Set {
		in.WorkflowStatus = d.ref("status")
	}
	return in, d.err
}

// requirementOf finds a requirement by ID or key and checks that u has
// access a in its product.
func (s *Server) requirementOf(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.Requirement, error) {
	q, err := s.store.Requirement(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, q.Feature.ProductID, a); err != nil {
		return nil, err
	}
	return q, nil
}

func (s *Server) listRequirements(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	fid, err := s.featureIDOf(r, u, r.PathValue("feature_id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	filter := roadmap.RequirementFilter{FeatureID: fid}
	if filter.Page, err = pageOf(r); err != nil {
		return err
	}
	filter.Query = r.URL.Query().Get("q")
	if !validText(filter.Query) {
		return fieldMalformed("q", "q must be UTF-8 text without NUL characters")
	}
	if filter.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return err
	}
	qs, total, err := s.store.Requirements(r.Context(), filter)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(qs))
	if err := onlyVisible(r, qs); err != nil {
		return err
	}
	for _, q := range qs {
		items = append(items, sel.apply(s.requirementFields(q)))
	}
	return writeJSON(w, http.StatusOK, object{
		{"requirements", items},
		{"pagination", object{
			{"total_records", total},
			{"total_pages", (total + filter.Page.PerPage - 1) / filter.Page.PerPage},
			{"current_page", filter.Page.Page},
		}},
	})
}

func (s *Server) createRequirement(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	fid, err := s.featureIDOf(r, u, r.PathValue("feature_id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "requirement", true)
	if err != nil {
		return err
	}
	in, err := requirementInput(b.record)
	if err != nil {
		return err
	}
	q, err := s.store.CreateRequirement(r.Context(), fid, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeRequirement(created(w), r, q, fieldsOf(r, b))
}

func (s *Server) getRequirement(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	q, err := s.requirementOf(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeRequirement(w, r, q, fieldsOf(r, nil))
}

func (s *Server) updateRequirement(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	q, err := s.requirementOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "requirement", true)
	if err != nil {
		return err
	}
	in, err := requirementInput(b.record)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateRequirement(r.Context(), q.ID, in)
	if err != nil {
		return err
	}
	return s.writeRequirement(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deleteRequirement(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	q, err := s.requirementOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteRequirement(r.Context(), q.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) convertRequirement(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	q, err := s.requirementOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "requirement", false)
	if err != nil {
		return err
	}
	f, err := s.store.ConvertRequirement(r.Context(), q.ID, u.ID)
	if err != nil {
		return err
	}
	return s.writeFeature(w, r, f, fieldsOf(r, b))
}
