package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// userRoutes are the routes of users and their product roles. Custom roles
// (user_roles) are an Aha! Enterprise+ feature that roadmapd does not have:
// their routes answer an empty list and refuse every change.
func (s *Server) userRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/products/{product_id}/users":              s.listProductUsers,
		"POST /api/v1/products/{product_id}/users":             s.createProductUser,
		"GET /api/v1/users":                                    s.listUsers,
		"GET /api/v1/users/{id}":                               s.getUser,
		"PUT /api/v1/users/{id}":                               s.updateUser,
		"GET /api/v1/users/{id}/product_roles":                 s.listUserProductRoles,
		"POST /api/v1/users/{id}/product_roles":                s.setUserProductRole,
		"DELETE /api/v1/users/{id}/product_roles/{product_id}": s.deleteUserProductRole,
		"GET /api/v1/users/{id}/user_roles":                    s.listUserRoles,
		"POST /api/v1/users/{id}/user_roles":                   s.createUserRole,
		"DELETE /api/v1/users/{id}/user_roles/{product_id}":    s.deleteUserRole,
	}
}

func productRoleRep(pr roadmap.ProductRole) object {
	return object{
		{"role", int(pr.Role)},
		{"role_description", pr.Role.Description()},
		{"product_id", id(pr.ProductID)},
		{"product_name", pr.ProductName},
	}
}

func productRolesRep(prs []roadmap.ProductRole) []object {
	out := make([]object, 0, len(prs))
	for _, pr := range prs {
		out = append(out, productRoleRep(pr))
	}
	return out
}

// userFields returns every key a user can show, in the reference's order.
// inList says whether the user is shown in a list, whose representation
// adds its custom roles. roadmapd records no sign-ins (accessed_at is null),
// has no paid seat groups and authenticates every user by API token.
func userFields(u *roadmap.UserDetail, inList bool) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	add("id", id(u.ID), true)
	add("name", u.Name, true)
	add("email", u.Email, true)
	add("first_name", u.FirstName, false)
	add("last_name", u.LastName, false)
	add("created_at", timestamp(u.CreatedAt), true)
	add("updated_at", timestamp(u.UpdatedAt), true)
	add("accessed_at", nil, true)
	add("product_roles", productRolesRep(u.ProductRoles), true)
	add("user_roles", []any{}, inList)
	add("enabled", u.Enabled, true)
	add("paid_seat", true, true)
	add("administrator", u.AdminRoles.Any(), true)
	add("administrator_roles", object{
		{"administer_account", u.AdminRoles.Account},
		{"administer_billing", u.AdminRoles.Billing},
		{"administer_configuration", u.AdminRoles.Configuration},
	}, true)
	add("identity_provider", object{{"type", "password"}}, true)
	return fs
}

func projectUserFields(pu roadmap.ProductUser) []field {
	return []field{
		{kv{"role", int(pu.Role)}, true},
		{kv{"role_description", pu.Role.Description()}, true},
		{kv{"user", userRep(pu.User)}, true},
	}
}

// userID reads a user ID path parameter; anything but a number names no user.
func userID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, roadmap.Errorf(roadmap.ENOTFOUND, "user %s not found", v)
	}
	return n, nil
}

// user finds the user of the path that u may see.
func (s *Server) user(r *http.Request, u *roadmap.User) (*roadmap.UserDetail, error) {
	uid, err := userID(r)
	if err != nil {
		return nil, err
	}
	return s.store.UserDetail(r.Context(), uid, visibleTo(u))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f := roadmap.UserFilter{VisibleTo: visibleTo(u), Email: r.URL.Query().Get("email")}
	if strings.ContainsRune(f.Email, 0) {
		return fieldMalformed("email", "email must not contain NUL characters")
	}
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return err
	}
	us, total, err := s.store.Users(r.Context(), f)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(us))
	if err := onlyVisible(r, us); err != nil {
		return err
	}
	for _, ud := range us {
		items = append(items, sel.apply(userFields(ud, true)))
	}
	return writeList(w, "users", items, total, f.Page)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ud, err := s.user(r, u)
	if err != nil {
		return err
	}
	if err := onlyVisible(r, ud); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"user", fieldsOf(r, nil).apply(userFields(ud, false))}})
}

// userInput decodes the fields of a user update. administrator_roles is an
// object of the three rights, each true or false.
func userInput(rec map[string]json.RawMessage) (roadmap.UserInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.UserInput{
		FirstName:     d.str("first_name"),
		LastName:      d.str("last_name"),
		Email:         d.str("email"),
		Enabled:       d.boolean("enabled"),
		Administrator: d.boolean("administrator"),
	}
	if raw, ok := rec["administrator_roles"]; ok && !isNull(raw) {
		var roles map[string]json.RawMessage
		if err := json.Unmarshal(raw, &roles); err != nil || roles == nil {
			d.fail(fieldMalformed("administrator_roles", "administrator_roles must be an object such as {\"administer_billing\": true}"))
		} else {
			rd := &fieldDecoder{rec: roles}
			in.AdministerAccount = rd.boolean("administer_account")
			in.AdministerBilling = rd.boolean("administer_billing")
			in.AdministerConfiguration = rd.boolean("administer_configuration")
			if rd.err != nil {
				d.fail(rd.err)
			}
		}
	}
	return in, d.err
}

// updateUser changes a user. The account administrator may change anyone;
// other users may change their own name and email only.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	target, err := s.user(r, u)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "user", true)
	if err != nil {
		return err
	}
	in, err := userInput(b.record)
	if err != nil {
		return err
	}
	if !u.Admin {
		if target.ID != u.ID {
			return roadmap.Errorf(roadmap.EFORBIDDEN, "Only an account administrator may change other users")
		}
		if in.ChangesAdministration() {
			return roadmap.Errorf(roadmap.EFORBIDDEN, "Only an account administrator may enable, disable or change administrators")
		}
	}
	ud, err := s.store.UpdateUser(r.Context(), target.ID, in)
	if err != nil {
		return err
	}
	if !u.Admin {
		if ud, err = s.store.UserDetail(r.Context(), ud.ID, visibleTo(u)); err != nil {
			return err
		}
	}
	if err := onlyVisible(r, ud); err != nil {
		return err
	}
	// The reference answers an update with the bare user, unwrapped.
	return writeJSON(w, http.StatusOK, fieldsOf(r, b).apply(userFields(ud, false)))
}

func (s *Server) listProductUsers(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r, u, "product_id", roadmap.AccessRead)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	pus, total, err := s.store.ProductUsers(r.Context(), p.ID, page)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(pus))
	if err := onlyVisible(r, pus); err != nil {
		return err
	}
	for _, pu := range pus {
		items = append(items, sel.apply(projectUserFields(pu)))
	}
	return writeList(w, "project_users", items, total, page)
}

// roleInput reads a required role name.
func roleInput(d *fieldDecoder) (roadmap.Role, error) {
	name := d.str("role")
	if d.err != nil {
		return 0, d.err
	}
	if !name.Set || name.Null || strings.TrimSpace(name.V) == "" {
		return 0, roadmap.FieldErrorf("role", "role can't be blank: use one of product_owner, contributor, reviewer, viewer, none")
	}
	role, ok := roadmap.ParseRole(strings.TrimSpace(name.V))
	if !ok {
		return 0, roadmap.FieldErrorf("role", "role %q is not valid: use one of product_owner, contributor, reviewer, viewer, none", name.V)
	}
	return role, nil
}

// createProductUser gives a user a role in a product, creating the user when
// its email is new. The new user has no API token: `roadmapd token create`
// makes one. An identity_provider_id is accepted and ignored, as roadmapd
// authenticates by token only.
func (s *Server) createProductUser(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r, u, "product_id", roadmap.AccessManage)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "user", true)
	if err != nil {
		return err
	}
	d := &fieldDecoder{rec: b.record}
	first, last, email := d.str("first_name"), d.str("last_name"), d.str("email")
	if d.err != nil {
		return d.err
	}
	role, err := roleInput(d)
	if err != nil {
		return err
	}
	pu, err := s.store.AddProductUser(r.Context(), p.ID, roadmap.NewProductUser{
		FirstName: first.V, LastName: last.V, Email: email.V, Role: role,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fieldsOf(r, b).apply(projectUserFields(*pu)))
}

func (s *Server) listUserProductRoles(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	target, err := s.user(r, u)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	prs, total, err := s.store.UserProductRoles(r.Context(), target.ID, visibleTo(u), page)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(prs))
	if err := onlyVisible(r, prs); err != nil {
		return err
	}
	for _, pr := range prs {
		items = append(items, sel.apply(fieldsOfObject(productRoleRep(pr))))
	}
	return writeList(w, "product_roles", items, total, page)
}

// fieldsOfObject makes every key of o one shown by default.
func fieldsOfObject(o object) []field {
	fs := make([]field, len(o))
	for i, e := range o {
		fs[i] = field{e, true}
	}
	return fs
}

// managedProduct resolves a product named in a body field and checks that u
// may manage its users. A product the user may not see is unknown (422).
func (s *Server) managedProduct(r *http.Request, u *roadmap.User, field, ref string) (*roadmap.Product, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, roadmap.FieldErrorf(field, "%s can't be blank", field)
	}
	p, err := s.store.Product(r.Context(), ref)
	if err == nil {
		err = s.authorize(r.Context(), u, p.ID, roadmap.AccessManage)
	}
	if roadmap.IsNotFound(err) {
		return nil, roadmap.FieldErrorf(field, "%s: no product %q", field, ref)
	}
	return p, err
}

// setUserProductRole gives the user of the path a role in a product; the
// caller must manage the product's users.
func (s *Server) setUserProductRole(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	target, err := s.user(r, u)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "product_role", true)
	if err != nil {
		return err
	}
	d := &fieldDecoder{rec: b.record}
	ref := d.ref("product_id")
	if d.err != nil {
		return d.err
	}
	role, err := roleInput(d)
	if err != nil {
		return err
	}
	p, err := s.managedProduct(r, u, "product_id", ref.V)
	if err != nil {
		return err
	}
	pr, err := s.store.SetProductRole(r.Context(), target.ID, p.ID, role)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fieldsOf(r, b).apply(fieldsOfObject(productRoleRep(*pr))))
}

func (s *Server) deleteUserProductRole(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	target, err := s.user(r, u)
	if err != nil {
		return err
	}
	p, err := s.product(r, u, "product_id", roadmap.AccessManage)
	if err != nil {
		return err
	}
	if err := s.store.DeleteProductRole(r.Context(), target.ID, p.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUserRoles(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	if _, err := s.user(r, u); err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	return writeList(w, "user_roles", []object{}, 0, page)
}

func (s *Server) createUserRole(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	if _, err := s.user(r, u); err != nil {
		return err
	}
	b, err := readBody(w, r, "user_role", true)
	if err != nil {
		return err
	}
	d := &fieldDecoder{rec: b.record}
	roleRef, productRef := d.ref("custom_role_id"), d.ref("product_id")
	if d.err != nil {
		return d.err
	}
	if _, err := s.managedProduct(r, u, "product_id", productRef.V); err != nil {
		return err
	}
	return roadmap.FieldErrorf("custom_role_id", "custom_role_id: no custom role %q (roadmapd has no custom roles; use product_roles)", roleRef.V)
}

func (s *Server) deleteUserRole(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	target, err := s.user(r, u)
	if err != nil {
		return err
	}
	p, err := s.product(r, u, "product_id", roadmap.AccessManage)
	if err != nil {
		return err
	}
	return roadmap.Errorf(roadmap.ENOTFOUND, "user %d has no custom role in %s", target.ID, p.ReferencePrefix)
}
