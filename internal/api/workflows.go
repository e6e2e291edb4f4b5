package api

import (
	"net/http"
	"strconv"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// workflowRoutes are the routes of workflows.
func (s *Server) workflowRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/products/{product_id}/workflows": s.listProductWorkflows,
		"GET /api/v1/workflows/{id}":                  s.getWorkflow,
	}
}

// workflowFields returns the keys of a workflow, in the reference's order.
// Statuses are listed by ID, as the reference lists them. roadmapd has no
// record kinds (feature types), so workflow_kinds is empty.
func workflowFields(wf *roadmap.Workflow) []field {
	statuses := make([]object, 0, len(wf.Statuses))
	for _, st := range wf.Statuses {
		statuses = append(statuses, statusRep(st))
	}
	return []field{
		{kv{"id", id(wf.ID)}, true},
		{kv{"name", wf.Name}, true},
		{kv{"statusable_type", statusableType(wf.StatusableType)}, true},
		{kv{"transitions_only", wf.TransitionsOnly}, true},
		{kv{"workflow_statuses", statuses}, true},
		{kv{"workflow_kinds", []any{}}, true},
	}
}

func (s *Server) listProductWorkflows(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r, u, "product_id", roadmap.AccessRead)
	if err != nil {
		return err
	}
	wfs, err := s.store.Workflows(r.Context(), p.ID)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(wfs))
	if err := onlyVisible(r, wfs); err != nil {
		return err
	}
	for _, wf := range wfs {
		items = append(items, sel.apply(workflowFields(wf)))
	}
	// The reference lists a product's workflows whole, without pagination.
	return writeJSON(w, http.StatusOK, object{{"workflows", items}})
}

func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	v := r.PathValue("id")
	wid, err := strconv.ParseInt(v, 10, 64)
	if err != nil || wid <= 0 {
		return roadmap.Errorf(roadmap.ENOTFOUND, "workflow %s not found", v)
	}
	wf, err := s.store.Workflow(r.Context(), wid, visibleTo(u))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"workflow", fieldsOf(r, nil).apply(workflowFields(wf))}})
}
