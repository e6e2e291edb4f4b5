package api

import (
	"net/http"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// deletionRoutes serve the recycle bin: what the caller may see of the
// records deleted in the retention period, and their restore.
func (s *Server) deletionRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/deletions":               s.listDeletions,
		"POST /api/v1/deletions/{id}/restore": s.restoreDeletion,
	}
}

// deletionRep is an entry of the recycle bin, in the reference's shape.
func deletionRep(d *roadmap.Deletion) object {
	var by any
	if d.DeletedBy != nil {
		by = object{{"id", id(d.DeletedBy.ID)}, {"name", d.DeletedBy.Name}, {"email", d.DeletedBy.Email}}
	}
	return object{
		{"status", d.Status},
		{"record", object{{"name", d.Name}, {"type", d.RecordType}}},
		{"deleted_by", by},
		{"id", id(d.ID)},
		{"deleted_at", timestamp(d.DeletedAt)},
	}
}

// notRestoredRep lists what a restore left out: a roadmapd extension.
func notRestoredRep(ls []roadmap.DeletionLoss) []object {
	out := make([]object, 0, len(ls))
	for _, l := range ls {
		o := object{{"part", l.Part}}
		if l.Field != "" {
			o = append(o, kv{"field", l.Field})
		}
		if l.MissingType != "" {
			o = append(o, kv{"missing", object{{"type", l.MissingType}, {"id", id(l.MissingID)}}})
		}
		out = append(out, o)
	}
	return out
}

func (s *Server) listDeletions(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	ds, total, err := s.store.Deletions(r.Context(), roadmap.DeletionFilter{VisibleTo: visibleTo(u), Page: page})
	if err != nil {
		return err
	}
	items := make([]object, 0, len(ds))
	for _, d := range ds {
		items = append(items, deletionRep(d))
	}
	return writeStrategyList(w, "deletions", items, total, page)
}

// restoreDeletion restores an entry. The caller needs write access to the
// entry's product; an entry of no product (a to-do attached to nothing)
// is restored by the administrator or the user who deleted it.
func (s *Server) restoreDeletion(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	n, err := pathID(r, "id", "deletion")
	if err != nil {
		return err
	}
	d, err := s.store.Deletion(r.Context(), n)
	if err != nil {
		return err
	}
	if d.ProductID != 0 {
		if err := s.authorize(r.Context(), u, d.ProductID, roadmap.AccessWrite); err != nil {
			return err
		}
	} else if !u.Admin && d.DeletedByID != u.ID {
		return roadmap.Errorf(roadmap.ENOTFOUND, "deletion %d not found", n)
	}
	d, err = s.store.RestoreDeletion(r.Context(), n, u.ID)
	if err != nil {
		return err
	}
	rep := deletionRep(d)
	rep = append(rep, kv{"not_restored", notRestoredRep(d.NotRestored)})
	return writeJSON(w, http.StatusOK, object{{"deletion", rep}})
}
