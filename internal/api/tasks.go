package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// taskRoutes are the routes of to-dos (Aha!'s tasks).
func (s *Server) taskRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/tasks":                                   s.listAccountTasks,
		"POST /api/v1/tasks":                                  s.createTask,
		"GET /api/v1/tasks/{id}":                              s.getTask,
		"PUT /api/v1/tasks/{id}":                              s.updateTask,
		"DELETE /api/v1/tasks/{id}":                           s.deleteTask,
		"GET /api/v1/products/{product_id}/tasks":             s.listProductTasks,
		"GET /api/v1/users/{user_id}/tasks":                   s.listUserTasks,
		"GET /api/v1/releases/{release_id}/tasks":             s.recordTasks(roadmap.TaskableRelease, "release_id"),
		"GET /api/v1/features/{feature_id}/tasks":             s.recordTasks(roadmap.TaskableFeature, "feature_id"),
		"GET /api/v1/epics/{epic_id}/tasks":                   s.recordTasks(roadmap.TaskableEpic, "epic_id"),
		"GET /api/v1/requirements/{requirement_id}/tasks":     s.recordTasks(roadmap.TaskableRequirement, "requirement_id"),
		"GET /api/v1/release_phases/{release_phase_id}/tasks": s.recordTasks(roadmap.TaskableReleasePhase, "release_phase_id"),
	}
}

// taskStatusText is a to-do's (or an assignment's) status as Aha! shows it.
func taskStatusText(status string) string {
	if status == roadmap.TaskComplete {
		return "completed"
	}
	return status
}

func assigneesRep(as []roadmap.TaskAssignee) []object {
	out := make([]object, 0, len(as))
	for _, a := range as {
		o := object{{"id", id(a.ID)}, {"status", taskStatusText(a.Status)}}
		if a.CompletedAt != nil {
			o = append(o, kv{"completed_date", timestamp(*a.CompletedAt)})
		}
		out = append(out, append(o, kv{"user", userRep(a.User)}))
	}
	return out
}

// taskableRep is the compact form of the record a to-do is on.
func (s *Server) taskableRep(rec *roadmap.TaskRecord) object {
	ident := id(rec.ID)
	switch rec.Type {
	case roadmap.TaskableReleasePhase:
		return object{{"type", rec.Type}, {"id", ident}, {"name", rec.Name},
			{"url", s.url("/release_phases/" + ident)}, {"resource", s.url("/api/v1/release_phases/" + ident)}}
	case roadmap.TaskableProject:
		return object{{"type", rec.Type}, {"id", ident}, {"reference_prefix", rec.ReferenceNum}, {"name", rec.Name},
			{"url", s.url("/projects/" + rec.ReferenceNum)}, {"resource", s.url("/api/v1/products/" + rec.ReferenceNum)}}
	}
	typ, url := rec.Type, ""
	switch rec.Type {
	case roadmap.TaskableRelease:
		url = s.releaseURL(rec.ReferenceNum, rec.Master)
		if rec.Master {
			typ = roadmap.TaskableMasterRelease
		}
	case roadmap.TaskableFeature:
		url = s.url("/features/" + rec.ReferenceNum)
	case roadmap.TaskableEpic:
		url = s.url("/epics/" + rec.ReferenceNum)
	case roadmap.TaskableRequirement:
		url = s.url("/requirements/" + rec.ReferenceNum)
	}
	resource := strings.ToLower(rec.Type) + "s/"
	return object{{"type", typ}, {"id", ident}, {"reference_num", rec.ReferenceNum}, {"name", rec.Name},
		{"url", url}, {"resource", s.url("/api/v1/" + resource + rec.ReferenceNum)}}
}

// taskFields returns every key a to-do can show, in the reference's order;
// taskable shows when the to-do is on a record or a product.
func (s *Server) taskFields(t *roadmap.Task) []field {
	product := ""
	if t.ProductID != 0 {
		product = id(t.ProductID)
	}
	ident := id(t.ID)
	var taskable any
	if t.Record != nil {
		taskable = s.taskableRep(t.Record)
	}
	return []field{
		{kv{"id", ident}, true},
		{kv{"name", t.Name}, true},
		{kv{"body", t.Body}, true},
		{kv{"due_date", date(t.DueDate)}, true},
		{kv{"status", taskStatusText(t.Status)}, true},
		{kv{"position", optInt(t.Position)}, true},
		{kv{"created_at", timestamp(t.CreatedAt)}, true},
		{kv{"updated_at", timestamp(t.UpdatedAt)}, true},
		{kv{"product_id", product}, true},
		{kv{"assigned_to_users", assigneesRep(t.Assignees)}, true},
		{kv{"created_by_user", userRep(t.CreatedBy)}, true},
		{kv{"attachments", []any{}}, true},
		{kv{"url", s.url("/tasks/" + ident)}, true},
		{kv{"resource", s.url("/api/v1/tasks/" + ident)}, true},
		{kv{"comments_count", t.CommentsCount}, true},
		{kv{"type", t.Kind}, false},
		{kv{"taskable", taskable}, t.Record != nil},
	}
}

// taskListKeys are the keys of a to-do in lists, in order.
var taskListKeys = []string{"id", "name", "due_date", "status", "created_at"}

// taskListFields puts the list keys first, shown by default, and the rest
// after them, shown on request.
func taskListFields(all []field) []field {
	out := make([]field, 0, len(all))
	for _, k := range taskListKeys {
		for _, f := range all {
			if f.k == k {
				f.dflt = true
				out = append(out, f)
			}
		}
	}
	for _, f := range all {
		if !isTaskListKey(f.k) {
			f.dflt = false
			out = append(out, f)
		}
	}
	return out
}

func isTaskListKey(k string) bool { return slices.Contains(taskListKeys, k) }

func (s *Server) writeTask(w http.ResponseWriter, r *http.Request, t *roadmap.Task, sel selection) error {
	if err := onlyVisible(r, t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"task", sel.apply(s.taskFields(t))}})
}

// taskInput decodes the fields of a to-do body. type is the kind of to-do
// (Task, Approval, WorkRequest). Unknown keys are ignored.
func taskInput(rec map[string]json.RawMessage) (roadmap.TaskInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.TaskInput{
		Name:         d.str("name"),
		Body:         d.str("body"),
		DueDate:      d.str("due_date"),
		Status:       d.str("status"),
		Kind:         d.str("type"),
		TaskableType: d.str("taskable_type"),
		TaskableID:   d.ref("taskable_id"),
		Assignees:    userList(d, "assigned_to_users"),
	}
	return in, d.err
}

// userList decodes a list of users: an array of emails or IDs, or of
// objects with an "email" or "id", or a comma-separated string; null clears
// the list.
func userList(d *fieldDecoder, key string) roadmap.Opt[[]string] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[[]string]{}
	}
	if isNull(raw) {
		return roadmap.Some([]string{})
	}
	if _, ok := decodeScalar(raw); ok {
		return d.list(key)
	}
	var items []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		items = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		d.fail(fieldMalformed(key, `%s must be an array of emails, IDs or {"email": ...} objects`, key))
		return roadmap.Opt[[]string]{}
	}
	out := []string{}
	for _, it := range items {
		if s, ok := decodeScalar(it); ok {
			d.text(key, s)
			out = append(out, s)
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(it, &obj) == nil {
			if s, ok := firstScalar(obj, "email", "id"); ok {
				d.text(key, s)
				out = append(out, s)
				continue
			}
		}
		d.fail(fieldMalformed(key, `%s must be an array of emails, IDs or {"email": ...} objects`, key))
		return roadmap.Opt[[]string]{}
	}
	return roadmap.Some(out)
}

// firstScalar returns the first of keys that obj holds as a string or number.
func firstScalar(obj map[string]json.RawMessage, keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := obj[k]; ok {
			if s, ok := decodeScalar(v); ok {
				return s, true
			}
		}
	}
	return "", false
}

// taskRecordOf resolves the record a to-do body attaches it to and checks
// that u may write there. given says whether the body names an attachment
// at all (null taskable_type and taskable_id detach); rec is nil for none.
// A record the caller may not see is as unknown as one that does not exist.
func (s *Server) taskRecordOf(r *http.Request, u *roadmap.User, in roadmap.TaskInput) (rec *roadmap.TaskRecord, given bool, err error) {
	typ, key := strings.TrimSpace(in.TaskableType.V), strings.TrimSpace(in.TaskableID.V)
	given = in.TaskableType.Set || in.TaskableID.Set
	if typ == "" && key == "" {
		return nil, given, nil
	}
	if typ == "" || key == "" {
		return nil, false, roadmap.FieldErrorf("taskable_type", "taskable_type and taskable_id go together: give both, or neither")
	}
	kind, err := roadmap.ParseTaskableType(typ)
	if err != nil {
		return nil, false, err
	}
	unknown := roadmap.FieldErrorf("taskable_id", "taskable_id: no %s %q", typ, key)
	rec, err = s.store.TaskRecord(r.Context(), kind, key)
	if roadmap.IsNotFound(err) {
		return nil, false, unknown
	}
	if err != nil {
		return nil, false, err
	}
	if err := s.authorize(r.Context(), u, rec.ProductID, roadmap.AccessWrite); err != nil {
		if roadmap.IsNotFound(err) {
			return nil, false, unknown
		}
		return nil, false, err
	}
	return rec, true, nil
}

// taskOf finds a to-do and checks that u has access a to it: through the
// to-do's product, or, for a to-do on no product, as the account
// administrator, its creator or one of its assignees.
func (s *Server) taskOf(r *http.Request, u *roadmap.User, a roadmap.Access) (*roadmap.Task, error) {
	return s.taskAccess(r.Context(), u, r.PathValue("id"), a)
}

// taskAccess finds a to-do by ID and checks that u has access a to it, as
// taskOf does.
func (s *Server) taskAccess(ctx context.Context, u *roadmap.User, key string, a roadmap.Access) (*roadmap.Task, error) {
	t, err := s.store.Task(ctx, key)
	if err != nil {
		return nil, err
	}
	if t.ProductID != 0 {
		if err := s.authorize(ctx, u, t.ProductID, a); err != nil {
			return nil, err
		}
		return t, nil
	}
	if !u.Admin && t.CreatedByID != u.ID && !t.AssignedTo(u.ID) {
		return nil, roadmap.Errorf(roadmap.ENOTFOUND, "task %s not found", key)
	}
	return t, nil
}

// listTasks answers a page of to-dos: tasks, unless type asks for
// approvals or work requests; updated_since keeps those changed after it.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request, f roadmap.TaskFilter) error {
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return err
	}
	if k := strings.TrimSpace(r.URL.Query().Get("type")); k != "" {
		if !roadmap.ValidTaskKind(k) {
			return fieldMalformed("type", "type must be Task, Approval or WorkRequest, not %q", k)
		}
		f.Kind = k
	}
	if f.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	for k := range sel.asked {
		f.Full = f.Full || !isTaskListKey(k)
	}
	ts, total, err := s.store.Tasks(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(ts))
	if err := onlyVisible(r, ts); err != nil {
		return err
	}
	for _, t := range ts {
		items = append(items, sel.apply(taskListFields(s.taskFields(t))))
	}
	return writeList(w, "tasks", items, total, f.Page)
}

func (s *Server) listAccountTasks(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.listTasks(w, r, roadmap.TaskFilter{VisibleTo: visibleTo(u)})
}

func (s *Server) listProductTasks(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.listTasks(w, r, roadmap.TaskFilter{ProductID: p.ID})
}

// listUserTasks answers the to-dos assigned to a user, of those the caller
// may see.
func (s *Server) listUserTasks(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	v := r.PathValue("user_id")
	uid, err := strconv.ParseInt(v, 10, 64)
	if err != nil || uid <= 0 {
		return roadmap.Errorf(roadmap.ENOTFOUND, "user %s not found", v)
	}
	if _, err := s.store.UserDetail(r.Context(), uid, visibleTo(u)); err != nil {
		return err
	}
	return s.listTasks(w, r, roadmap.TaskFilter{AssigneeID: uid, VisibleTo: visibleTo(u)})
}

// recordTasks answers the to-dos on a record of a type, named by the path
// parameter param.
func (s *Server) recordTasks(typ, param string) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
		rec, err := s.store.TaskRecord(r.Context(), typ, r.PathValue(param))
		if err != nil {
			return err
		}
		if err := s.authorize(r.Context(), u, rec.ProductID, roadmap.AccessRead); err != nil {
			return err
		}
		return s.listTasks(w, r, roadmap.TaskFilter{Record: rec})
	}
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	t, err := s.taskOf(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	return s.writeTask(w, r, t, fieldsOf(r, nil))
}

// createTask creates a to-do: on the record that taskable_type and
// taskable_id name, where the caller may write, or on its own.
func (s *Server) createTask(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	b, err := readBody(w, r, "task", true)
	if err != nil {
		return err
	}
	in, err := taskInput(b.record)
	if err != nil {
		return err
	}
	rec, _, err := s.taskRecordOf(r, u, in)
	if err != nil {
		return err
	}
	t, err := s.store.CreateTask(r.Context(), u.ID, rec, in)
	if err != nil {
		return err
	}
	return s.writeTask(w, r, t, fieldsOf(r, b))
}

// updateTask changes a to-do; taskable_type and taskable_id move it to
// another record (where the caller may write too), and null ones detach it.
func (s *Server) updateTask(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	t, err := s.taskOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "task", true)
	if err != nil {
		return err
	}
	in, err := taskInput(b.record)
	if err != nil {
		return err
	}
	rec, move, err := s.taskRecordOf(r, u, in)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateTask(r.Context(), t.ID, move, rec, in)
	if err != nil {
		return err
	}
	return s.writeTask(w, r, updated, fieldsOf(r, b))
}

func (s *Server) deleteTask(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	t, err := s.taskOf(r, u, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	if err := s.store.DeleteTask(r.Context(), t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
