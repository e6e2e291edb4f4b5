package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// phaseRoutes are the routes of release phases, milestones and to-dos.
func (s *Server) phaseRoutes() map[string]authedFunc {
	routes := map[string]authedFunc{
		"GET /api/v1/releases/{release_id}/release_phases": s.listReleasePhases,
		"GET /api/v1/release_phases":                       s.listAccountPhases,
		"POST /api/v1/release_phases":                      s.createPhase,
		"GET /api/v1/release_phases/{id}":                  s.getPhase,
		"PUT /api/v1/release_phases/{id}":                  s.updatePhase,
		"DELETE /api/v1/release_phases/{id}":               s.deletePhase,
	}
	maps.Copy(routes, s.taskRoutes())
	return routes
}

// phaseFields returns the keys of a release phase in the reference's order;
// release_id is a number there, unlike every other ID.
func (s *Server) phaseFields(p *roadmap.ReleasePhase) []field {
	return []field{
		{kv{"id", id(p.ID)}, true},
		{kv{"name", p.Name}, true},
		{kv{"start_on", date(p.StartOn)}, true},
		{kv{"end_on", date(p.EndOn)}, true},
		{kv{"type", p.Kind}, true},
		{kv{"release_id", p.ReleaseID}, true},
		{kv{"created_at", timestamp(p.CreatedAt)}, true},
		{kv{"updated_at", timestamp(p.UpdatedAt)}, true},
		{kv{"progress", optInt(p.Progress)}, true},
		{kv{"progress_source", p.ProgressSource}, true},
		{kv{"duration_source", p.DurationSource}, true},
		{kv{"description", noteRep(p.Description)}, true},
	}
}

func (s *Server) writePhase(w http.ResponseWriter, r *http.Request, p *roadmap.ReleasePhase, sel selection) error {
	if err := onlyVisible(r, p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"release_phase", sel.apply(s.phaseFields(p))}})
}

// phaseInput decodes the fields of a release phase body. The kind comes as
// phase_type, or as type, the key the representation shows it under.
// Unknown keys are ignored.
func phaseInput(rec map[string]json.RawMessage) (roadmap.PhaseInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.PhaseInput{
		Name:           d.str("name"),
		ReleaseID:      d.ref("release_id"),
		Kind:           d.str("phase_type"),
		StartOn:        d.str("start_on"),
		EndOn:          d.str("end_on"),
		Description:    d.str("description"),
		ProgressSource: d.str("progress_source"),
		Progress:       d.integer("progress"),
		DurationSource: d.str("duration_source"),
	}
	if !in.Kind.Set {
		in.Kind = d.str("type")
	}
	return in, d.err
}

// phaseOf finds a release phase and checks that u has access a to the
// product of its release.
func (s *Server) phaseOf(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.ReleasePhase, error) {
	p, err := s.store.ReleasePhase(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, p.ProductID, a); err != nil {
		return nil, err
	}
	return p, nil
}

// listPhases answers a page of release phases; type=phase or milestone
// keeps one kind.
func (s *Server) listPhases(w http.ResponseWriter, r *http.Request, f roadmap.PhaseFilter) error {
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return err
	}
	if k := strings.TrimSpace(r.URL.Query().Get("type")); k != "" {
		if !roadmap.ValidPhaseKind(k) {
			return fieldMalformed("type", "type must be phase or milestone, not %q", k)
		}
		f.Kind = k
	}
	ps, total, err := s.store.ReleasePhases(r.Context(), f)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(ps))
	if err := onlyVisible(r, ps); err != nil {
		return err
	}
	for _, p := range ps {
		items = append(items, sel.apply(s.phaseFields(p)))
	}
	return writeList(w, "release_phases", items, total, f.Page)
}

func (s *Server) listReleasePhases(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listPhases(w, r, roadmap.PhaseFilter{ReleaseID: rel.ID})
}

func (s *Server) listAccountPhases(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.listPhases(w, r, roadmap.PhaseFilter{VisibleTo: visibleTo(u)})
}

func (s *Server) getPhase(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.phaseOf(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writePhase(w, r, p, fieldsOf(r, nil))
}

// createPhase adds a phase to the release named by release_id in the body.
// A release the caller may not see is as unknown as one that does not exist.
func (s *Server) createPhase(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	b, err := readBody(w, r, "release_phase", true)
	if err != nil {
		return err
	}
	in, err := phaseInput(b.record)
	if err != nil {
		return err
	}
	if !in.ReleaseID.Set || in.ReleaseID.Null || strings.TrimSpace(in.ReleaseID.V) == "" {
		return roadmap.FieldErrorf("release_id", "release_id can't be blank: give the release's ID or reference number")
	}
	key := strings.TrimSpace(in.ReleaseID.V)
	unknown := roadmap.FieldErrorf("release_id", "release_id: no release %q", key)
	rel, err := s.store.Release(r.Context(), key)
	if roadmap.IsNotFound(err) {
		return unknown
	}
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, rel.ProductID, roadmap.AccessWrite); err != nil {
		if roadmap.IsNotFound(err) {
			return unknown
		}
		return err
	}
	p, err := s.store.CreateReleasePhase(r.Context(), rel.ID, in)
	if err != nil {
		return err
	}
	return s.writePhase(w, r, p, fieldsOf(r, b))
}

// updatePhase changes a release phase; a phase stays in its release, so a
// release_id in the body is not read.
func (s *Server) updatePhase(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.phaseOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "release_phase", true)
	if err != nil {
		return err
	}
	in, err := phaseInput(b.record)
	if err != nil {
		return err
	}
	in.ReleaseID = roadmap.Opt[string]{}
	updated, err := s.store.UpdateReleasePhase(r.Context(), p.ID, in)
	if err != nil {
		return err
	}
	return s.writePhase(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deletePhase(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.phaseOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteReleasePhase(r.Context(), p.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
