package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Comments are served the same way on every record that takes them: one
// route pair per kind (list and create under the record), the root
// /comments/:id routes, and the product-wide list. Who may do what:
//   - reading needs read access to the commented record's product;
//   - commenting needs write access to it (contributors and owners);
//   - changing or deleting a comment needs write access too, and is for the
//     comment's author and the product's owners only; the account
//     administrator may do everything.
//
// A to-do attached to no record of a product is commented on, and its
// comments read and changed, by those who may see it: the administrator,
// its creator and its assignees.

// commentable is one kind of record that takes comments: the path segment
// and parameter of its routes, and how the record is found from the path,
// with the caller's access to it checked.
type commentable struct {
	kind, segment, param string
	find                 func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error)
}

func target(kind string, id int64) roadmap.CommentTarget {
	return roadmap.CommentTarget{Type: kind, ID: id}
}

var commentables = []commentable{
	{roadmap.CommentOnRelease, "releases", "release_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		rel, err := s.release(r, u, key, a)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnRelease, rel.ID), nil
	}},
	{roadmap.CommentOnFeature, "features", "feature_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		id, err := s.featureIDOf(r, u, key, a)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnFeature, id), nil
	}},
	{roadmap.CommentOnEpic, "epics", "epic_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		e, err := s.epicOf(r, u, key, a)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnEpic, e.ID), nil
	}},
	{roadmap.CommentOnRequirement, "requirements", "requirement_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		q, err := s.store.Requirement(r.Context(), key)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		if err := s.authorize(r.Context(), u, q.Feature.ProductID, a); err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnRequirement, q.ID), nil
	}},
	{roadmap.CommentOnGoal, "goals", "goal_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		g, err := s.goalOf(r, u, key, nil, a)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnGoal, g.ID), nil
	}},
	{roadmap.CommentOnInitiative, "initiatives", "initiative_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		it, err := s.initiativeOf(r, u, key, nil, a)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnInitiative, it.ID), nil
	}},
	{roadmap.CommentOnReleasePhase, "release_phases", "release_phase_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		p, err := s.store.ReleasePhase(r.Context(), key)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		if err := s.authorize(r.Context(), u, p.ProductID, a); err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnReleasePhase, p.ID), nil
	}},
	{roadmap.CommentOnTask, "tasks", "task_id", func(s *Server, r *http.Request, u *roadmap.User, key string, a roadmap.Access) (roadmap.CommentTarget, error) {
		t, err := s.taskAccess(r.Context(), u, key, a)
		if err != nil {
			return roadmap.CommentTarget{}, err
		}
		return target(roadmap.CommentOnTask, t.ID), nil
	}},
}

// commentRoutes are the routes of comments, on every record that takes
// them.
func (s *Server) commentRoutes() map[string]authedFunc {
	routes := map[string]authedFunc{
		"GET /api/v1/products/{product_id}/comments": s.listProductComments,
		"GET /api/v1/comments/{id}":                  s.getComment,
		"PUT /api/v1/comments/{id}":                  s.updateComment,
		"DELETE /api/v1/comments/{id}":               s.deleteComment,
	}
	for _, k := range commentables {
		path := "/api/v1/" + k.segment + "/{" + k.param + "}/comments"
		routes["GET "+path] = s.listRecordComments(k)
		routes["POST "+path] = s.createComment(k)
	}
	return routes
}

// commentableType is the type Aha! names the commented record by.
func commentableType(on roadmap.Commentable) string {
	if on.Type == roadmap.CommentOnGoal {
		return "StrategicImperative"
	}
	return on.Type
}

// commentableRep is the compact form of a commented record, as a comment
// shows it.
func (s *Server) commentableRep(on roadmap.Commentable) object {
	rid := id(on.ID)
	var url, resource string
	switch on.Type {
	case roadmap.CommentOnRelease:
		url, resource = s.releaseURL(on.ReferenceNum, on.Master), s.url("/api/v1/releases/"+on.ReferenceNum)
	case roadmap.CommentOnFeature:
		url, resource = s.url("/features/"+on.ReferenceNum), s.url("/api/v1/features/"+on.ReferenceNum)
	case roadmap.CommentOnEpic:
		url, resource = s.url("/epics/"+on.ReferenceNum), s.url("/api/v1/epics/"+on.ReferenceNum)
	case roadmap.CommentOnRequirement:
		url, resource = s.url("/requirements/"+on.ReferenceNum), s.url("/api/v1/requirements/"+on.ReferenceNum)
	case roadmap.CommentOnGoal:
		url, resource = s.url("/strategic_imperatives/"+on.ReferenceNum), s.url("/api/v1/goals/"+on.ReferenceNum)
	case roadmap.CommentOnInitiative:
		url, resource = s.url("/initiatives/"+on.ReferenceNum), s.url("/api/v1/initiatives/"+on.ReferenceNum)
	case roadmap.CommentOnReleasePhase:
		url, resource = s.url("/release_phases/"+rid), s.url("/api/v1/release_phases/"+rid)
	case roadmap.CommentOnTask:
		url, resource = s.url("/tasks/"+rid), s.url("/api/v1/tasks/"+rid)
	}
	out := object{{"type", commentableType(on)}, {"id", rid}}
	// Aha! shows no product on a release phase's comments; a to-do on no
	// product has none to show.
	if on.Type != roadmap.CommentOnReleasePhase && on.ProductID != 0 {
		out = append(out, kv{"product_id", id(on.ProductID)})
	}
	return append(out, kv{"url", url}, kv{"resource", resource})
}

// commentFields returns the keys of a comment, all shown by default, in the
// reference's order.
func (s *Server) commentFields(c *roadmap.Comment) []field {
	cid := id(c.ID)
	kvs := object{
		{"id", cid},
		{"body", c.Body},
		{"created_at", timestamp(c.CreatedAt)},
		{"updated_at", timestamp(c.UpdatedAt)},
		{"user", userRep(c.User)},
		{"attachments", []any{}},
		{"url", s.url("/comments/" + cid)},
		{"resource", s.url("/api/v1/comments/" + cid)},
		{"commentable", s.commentableRep(c.On)},
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

// listRecordComments lists the comments on a record of kind k.
func (s *Server) listRecordComments(k commentable) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
		on, err := k.find(s, r, u, r.PathValue(k.param), roadmap.AccessRead)
		if err != nil {
			return err
		}
		return s.listComments(w, r, roadmap.CommentFilter{On: on})
	}
}

// listProductComments lists the comments on every record of a product.
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

// createComment comments on a record of kind k; it answers 201.
func (s *Server) createComment(k commentable) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
		on, err := k.find(s, r, u, r.PathValue(k.param), roadmap.AccessWrite)
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
		c, err := s.store.CreateComment(r.Context(), on, u.ID, text)
		if err != nil {
			return err
		}
		return s.writeComment(created(w), r, c, fieldsOf(r, b))
	}
}

// commentAccess checks that u has access a to the record a comment is on.
// It returns the user's role in the record's product (nil for the
// administrator and for a to-do on no product).
func (s *Server) commentAccess(ctx context.Context, u *roadmap.User, c *roadmap.Comment, a roadmap.Access) (*roadmap.Role, error) {
	if u.Admin {
		return nil, nil
	}
	if c.On.ProductID == 0 {
		// A to-do on no product: its creator and assignees.
		if _, err := s.taskAccess(ctx, u, strconv.FormatInt(c.On.ID, 10), a); err != nil {
			if roadmap.IsNotFound(err) {
				return nil, roadmap.Errorf(roadmap.ENOTFOUND, "comment %d not found", c.ID)
			}
			return nil, err
		}
		return nil, nil
	}
	role, err := s.store.ProductRole(ctx, u.ID, c.On.ProductID)
	if err != nil {
		return nil, err
	}
	if err := roadmap.Authorize(u, role, a); err != nil {
		return nil, err
	}
	return &role, nil
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
		if _, err := s.commentAccess(r.Context(), u, c, roadmap.AccessRead); err != nil {
			return nil, err
		}
		return c, nil
	}
	role, err := s.commentAccess(r.Context(), u, c, roadmap.AccessWrite)
	if err != nil {
		return nil, err
	}
	if u.Admin || c.User.ID == u.ID || (role != nil && role.Allows(roadmap.AccessManage)) {
		return c, nil
	}
	return nil, roadmap.Errorf(roadmap.EFORBIDDEN, "Only the comment's author or an owner of the product may change it")
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
