package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// initiativeFields returns every key an initiative can show, in the
// reference's order, each marked as shown by default or only on request.
// Lists that the reference shows only when they hold something (releases,
// custom fields, status history, creator) follow it.
func (s *Server) initiativeFields(it *roadmap.InitiativeDetail) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	var status any
	if it.WorkflowStatus != nil {
		status = roadmap.StatusKey(it.WorkflowStatus.Name)
	}
	add("id", id(it.ID), true)
	add("name", it.Name, true)
	add("reference_num", it.ReferenceNum, true)
	add("status", status, true)
	add("effort", it.Effort, true)
	add("value", it.Value, true)
	add("presented", it.Presented, true)
	add("color", it.Color, true)
	add("start_date", date(it.StartDate), true)
	add("end_date", date(it.EndDate), true)
	add("position", it.Position, true)
	add("score", it.Score, true)
	add("created_at", timestamp(it.CreatedAt), true)
	add("updated_at", timestamp(it.UpdatedAt), true)
	add("product_id", id(it.ProductID), true)
	add("progress", optInt(it.Progress), true)
	add("progress_source", it.ProgressSource, true)
	add("duration_source", it.DurationSource, true)
	add("url", s.url("/initiatives/"+it.ReferenceNum), true)
	add("resource", s.url("/api/v1/initiatives/"+it.ReferenceNum), true)
	add("project", s.projectRep(it.Product), true)
	var parent any
	if it.Parent != nil {
		parent = object{
			{"id", id(it.Parent.ID)},
			{"reference_num", it.Parent.ReferenceNum},
			{"name", it.Parent.Name},
			{"url", s.url("/initiatives/" + it.Parent.ReferenceNum)},
			{"resource", s.url("/api/v1/initiatives/" + it.Parent.ReferenceNum)},
			{"created_at", timestamp(it.Parent.CreatedAt)},
		}
	}
	add("parent", parent, it.Parent != nil)
	add("workflow_status", optStatusRep(it.WorkflowStatus), true)
	add("description", noteRep(it.Description), true)
	add("attachments", []any{}, true)
	add("assigned_to_user", assigneeRep(it.AssignedTo, it.DefaultAssignee), true)
	add("time_frame", timeFrameRep(it.TimeFrame), it.TimeFrame != nil)
	add("comments_count", it.CommentsCount, true)
	add("goals", s.goalsRep(it.Goals), true)
	add("key_results", []any{}, true)
	add("score_facts", []any{}, true)
	add("releases", s.releasesListRep(it.Releases), len(it.Releases) > 0)
	add("integration_fields", integrationFieldsRep(it.IntegrationFields), true)
	add("custom_fields", customFieldsRep(it.CustomFields), len(it.CustomFields) > 0)
	add("workflow_status_times", statusTimesRep(it.StatusTimes), len(it.StatusTimes) > 0)
	var creator any
	if it.CreatedBy != nil {
		creator = userRep(*it.CreatedBy)
	}
	add("created_by_user", creator, it.CreatedBy != nil)
	add("watchers", usersRep(it.Watchers), false)
	return fs
}

func (s *Server) writeInitiative(w http.ResponseWriter, r *http.Request, it *roadmap.InitiativeDetail, sel selection) error {
	if err := onlyVisible(r, it); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"initiative", sel.apply(s.initiativeFields(it))}})
}

// initiativeInput decodes the fields of an initiative body. Unknown keys are
// ignored.
func initiativeInput(rec map[string]json.RawMessage) (roadmap.InitiativeInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.InitiativeInput{
		Name:           d.str("name"),
		Description:    d.str("description"),
		WorkflowStatus: d.ref("workflow_status"),
		Effort:         d.integer("effort"),
		Value:          d.integer("value"),
		Presented:      d.boolean("presented"),
		Position:       d.integer("position"),
		ParentID:       d.ref("parent_id"),
		StartDate:      d.str("start_date"),
		EndDate:        d.str("end_date"),
		TimeFrame:      d.ref("time_frame"),
		ProgressSource: d.str("progress_source"),
		Progress:       d.integer("progress"),
		DurationSource: d.str("duration_source"),
		AssignedTo:     d.ref("assigned_to_user"),
		Watchers:       d.list("watchers"),
		Goals:          d.list("goals"),
		Releases:       d.list("releases"),
	}
	in.CustomFields = customFieldsInput(d, "custom_fields")
	if !in.WorkflowStatus.Set {
		in.WorkflowStatus = d.ref("status")
	}
	return in, d.err
}

// initiativeOf finds an initiative by ID or key and checks that u has access
// a to its product; with a product, the initiative must belong to it.
func (s *Server) initiativeOf(r *http.Request, u *roadmap.User, key string, product *roadmap.Product, a roadmap.Access) (*roadmap.InitiativeDetail, error) {
	it, err := s.store.InitiativeDetail(r.Context(), key)
	if err != nil {
		return nil, err
	}
	if product != nil && it.ProductID != product.ID {
		return nil, roadmap.Errorf(roadmap.ENOTFOUND, "initiative %s not found in product %s", key, product.ReferencePrefix)
	}
	if err := s.authorize(r.Context(), u, it.ProductID, a); err != nil {
		return nil, err
	}
	return it, nil
}

// initiativeFilter reads the list parameters shared by every initiative list.
func initiativeFilter(r *http.Request) (roadmap.InitiativeFilter, error) {
	var f roadmap.InitiativeFilter
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return f, err
	}
	q := r.URL.Query()
	f.Query = q.Get("q")
	if !validText(f.Query) {
		return f, fieldMalformed("q", "q must be text")
	}
	if f.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return f, err
	}
	f.AssignedTo = strings.TrimSpace(q.Get("assigned_to_user"))
	if !validText(f.AssignedTo) {
		return f, fieldMalformed("assigned_to_user", "assigned_to_user must be a user ID or email")
	}
	active, err := queryBool(r, "only_active")
	if err != nil {
		return f, err
	}
	f.OnlyActive = active != nil && *active
	return f, nil
}

func (s *Server) listInitiativesBy(w http.ResponseWriter, r *http.Request, scope func(*roadmap.InitiativeFilter)) error {
	f, err := initiativeFilter(r)
	if err != nil {
		return err
	}
	scope(&f)
	its, total, err := s.store.Initiatives(r.Context(), f)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(its))
	if err := onlyVisible(r, its); err != nil {
		return err
	}
	for _, it := range its {
		items = append(items, sel.apply(s.initiativeFields(it)))
	}
	return writeStrategyList(w, "initiatives", items, total, f.Page)
}

func (s *Server) listInitiatives(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.listInitiativesBy(w, r, func(f *roadmap.InitiativeFilter) { f.VisibleTo = visibleTo(u) })
}

func (s *Server) listProductInitiatives(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listInitiativesBy(w, r, func(f *roadmap.InitiativeFilter) { f.ProductID = p.ID })
}

func (s *Server) listGoalInitiatives(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	g, err := s.goalOf(r, u, r.PathValue("goal_id"), nil, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listInitiativesBy(w, r, func(f *roadmap.InitiativeFilter) { f.GoalID, f.VisibleTo = g.ID, visibleTo(u) })
}

func (s *Server) createInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "initiative", true)
	if err != nil {
		return err
	}
	in, err := initiativeInput(b.record)
	if err != nil {
		return err
	}
	in.VisibleTo = visibleTo(u)
	it, err := s.store.CreateInitiative(r.Context(), p.ID, u.ID, in)
	if err != nil {
		return err
	}
	return s.writeInitiative(created(w), r, it, fieldsOf(r, b))
}

func (s *Server) getInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	it, err := s.initiativeOf(r, u, r.PathValue("id"), nil, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeInitiative(w, r, it, fieldsOf(r, nil))
}

func (s *Server) getProductInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	it, err := s.initiativeOf(r, u, r.PathValue("id"), p, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeInitiative(w, r, it, fieldsOf(r, nil))
}

func (s *Server) changeInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User, product *roadmap.Product) error {
	it, err := s.initiativeOf(r, u, r.PathValue("id"), product, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "initiative", true)
	if err != nil {
		return err
	}
	in, err := initiativeInput(b.record)
	if err != nil {
		return err
	}
	in.VisibleTo = visibleTo(u)
	updated, err := s.store.UpdateInitiative(r.Context(), it.ID, in)
	if err != nil {
		return err
	}
	return s.writeInitiative(w, r, updated, fieldsOf(r, b))
}

func (s *Server) updateInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.changeInitiative(w, r, u, nil)
}

func (s *Server) updateProductInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.changeInitiative(w, r, u, p)
}

func (s *Server) removeInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User, product *roadmap.Product) error {
	it, err := s.initiativeOf(r, u, r.PathValue("id"), product, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteInitiative(r.Context(), it.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.removeInitiative(w, r, u, nil)
}

func (s *Server) deleteProductInitiative(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	return s.removeInitiative(w, r, u, p)
}
