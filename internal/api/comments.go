package api

import (
	"net/http"
	"strconv"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Who may do what with comments on releases:
//   - reading needs read access to the release's product;
//   - commenting needs write access to it (contributors and owners);
//   - changing or deleting a comment needs write access too, and is for the
//     comment's author and the product's owners only; the account
//     administrator may do everything.

// commentFields returns the keys of a comment, all shown by default, in the
// reference's order.
func (s *Server) commentFields(c *roadmap.Comment) []field {
	cid := id(c.ID)
	ref := c.Release.ReferenceNum
	kvs := object{
		{"id", cid},
		{"body", c.Body},
		{"created_at", timestamp(c.CreatedAt)},
		{"updated_at", timestamp(c.UpdatedAt)},
		{"user", userRep(c.User)},
		{"attachments", []any{}},
		{"url", s.url("/comments/" + cid)},
		{"resource", s.url("/api/v1/comments/" + cid)},
		{"commentable", object{
			{"type", "Release"},
			{"id", id(c.Release.ID)},
			{"product_id", id(c.ProductID)},
			{"url", s.releaseURL(ref, c.Release.MasterRelease)},
			{"resource", s.url("/api/v1/releases/" + ref)},
		}},
	}
	out := make([]field, len(kvs))
	for i, e := range kvs {
		out[i] = field{e, true}
	}
	return out
}

func (s *Server) writeComment(w http.ResponseWriter, r *http.Request, c *roadmap.Comment, sel selection) error {
	if err := onlyVisible(r, c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"comment", sel.apply(s.commentFields(c))}})
}

// listComments answers a page of comments selected by f.
func (s *Server) listComments(w http.ResponseWriter, r *http.Request, f roadmap.CommentFilter) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = page
	cs, total, err := s.store.Comments(r.Context(), f)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(cs))
	if err := onlyVisible(r, cs); err != nil {
		return err
	}
	for _, c := range cs {
		items = append(items, sel.apply(s.commentFields(c)))
	}
	return writeJSON(w, http.StatusOK, object{{"comments", items}, {"pagination", ruPagination(page, total)}})
}

// commentRelease finds the release of the path and checks that u has access
// a in its product.
func (s *Server) commentRelease(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.Release, error) {
	rel, err := s.store.Release(r.Context(), r.PathValue("release_id"))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, rel.ProductID, a); err != nil {
		return nil, err
	}
	return rel, nil
}

func (s *Server) listReleaseComments(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.commentRelease(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listComments(w, r, roadmap.CommentFilter{ReleaseID: rel.ID})
}

func (s *Server) listProductComments(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.ruProduct(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listComments(w, r, roadmap.CommentFilter{ProductID: p.ID})
}

// commentBody decodes the body of a comment create or update.
func commentBody(b *body) (string, error) {
	d := &fieldDecoder{rec: b.record}
	text := d.str("body")
	if d.err != nil {
		return "", d.err
	}
	if !text.Set || text.Null {
		return "", roadmap.FieldErrorf("body", "body can't be blank")
	}
	return text.V, nil
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.commentRelease(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "comment", true)
	if err != nil {
		return err
	}
	text, err := commentBody(b)
	if err != nil {
		return err
	}
	c, err := s.store.CreateComment(r.Context(), rel.ID, u.ID, text)
	if err != nil {
		return err
	}
	return s.writeComment(w, r, c, fieldsOf(r, b))
}

// pathComment finds the comment of the path and checks that u may read it, or,
// with change, that u may change it.
func (s *Server) pathComment(r *http.Request, u *roadmap.User, change bool) (*roadmap.Comment, error) {
	key := r.PathValue("id")
	cid, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return nil, roadmap.Errorf(roadmap.ENOTFOUND, "comment %s not found", key)
	}
	c, err := s.store.Comment(r.Context(), cid)
	if err != nil {
		return nil, err
	}
	if !change {
		if err := s.authorize(r.Context(), u, c.ProductID, roadmap.AccessRead); err != nil {
			return nil, err
		}
		return c, nil
	}
	if u.Admin {
		return c, nil
	}
	role, err := s.store.ProductRole(r.Context(), u.ID, c.ProductID)
	if err != nil {
		return nil, err
	}
	if err := roadmap.Authorize(u, role, roadmap.AccessWrite); err != nil {
		return nil, err
	}
	if c.User.ID != u.ID && !role.Allows(roadmap.AccessManage) {
		return nil, roadmap.Errorf(roadmap.EFORBIDDEN, "Only the comment's author or an owner of the product may change it")
	}
	return c, nil
}

func (s *Server) getComment(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	c, err := s.pathComment(r, u, false)
	if err != nil {
		return err
	}
	return s.writeComment(w, r, c, fieldsOf(r, nil))
}

func (s *Server) updateComment(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	c, err := s.pathComment(r, u, true)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "comment", true)
	if err != nil {
		return err
	}
	text, err := commentBody(b)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateComment(r.Context(), c.ID, text)
	if err != nil {
		return err
	}
	return s.writeComment(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	c, err := s.pathComment(r, u, true)
	if err != nil {
		return err
	}
	if err := s.store.DeleteComment(r.Context(), c.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
