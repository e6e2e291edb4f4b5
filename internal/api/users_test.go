package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
)

// TestUserRoles checks every user route against every role: owners manage
// their products' users and roles, only the administrator changes other
// users, everyone changes their own name, and users the caller may not see
// are not found.
func TestUserRoles(t *testing.T) {
	t.Parallel()
	puRunRoleTable(t, func(f *puFixture) []puRoleCase {
		target := "/api/v1/users/" + f.target
		resetTarget := func(t *testing.T, f *puFixture) {
			puWant(t, f.s, "POST", target+"/product_roles", `{"product_role":{"role":"viewer","product_id":"RP"}}`, demo.Token, 200)
		}
		return []puRoleCase{
			{name: "add a user to the product", method: "POST", path: "/api/v1/products/RP/users",
				body: `{"user":{"first_name":"By","last_name":"{role}","email":"by.{role}@example.com","role":"reviewer"}}`,
				want: puStatuses(200, 200, 403, 403, 403, 404)},
			{name: "give a role", method: "POST", path: target + "/product_roles",
				body: `{"product_role":{"role":"reviewer","product_id":"RP"}}`,
				want: puStatuses(200, 200, 403, 403, 403, 404), before: resetTarget},
			{name: "give a role in the line", method: "POST", path: target + "/product_roles",
				body: `{"product_role":{"role":"contributor","product_id":"RL"}}`,
				want: puStatuses(200, 200, 403, 403, 403, 404)},
			{name: "remove a role", method: "DELETE", path: target + "/product_roles/RP",
				want: puStatuses(204, 204, 403, 403, 403, 404), before: resetTarget},
			{name: "change another user", method: "PUT", path: target,
				body: `{"user":{"first_name":"Changed"}}`, want: puStatuses(200, 403, 403, 403, 403, 404), before: resetTarget},
			{name: "change one's own name", method: "PUT", path: "/api/v1/users/{self}",
				body: `{"user":{"first_name":"Me","last_name":"{role}"}}`, want: puStatuses(200, 200, 200, 200, 200, 200)},
			{name: "disable oneself", method: "PUT", path: "/api/v1/users/{self}",
				body: `{"user":{"enabled":false}}`, want: puStatuses(0, 403, 403, 403, 403, 403)},
			{name: "make oneself administrator", method: "PUT", path: "/api/v1/users/{self}",
				body: `{"user":{"administrator_roles":{"administer_account":true}}}`, want: puStatuses(0, 403, 403, 403, 403, 403)},
			{name: "give a custom role", method: "POST", path: target + "/user_roles",
				body: `{"user_role":{"custom_role_id":409541421,"product_id":"RP"}}`,
				want: puStatuses(422, 422, 403, 403, 403, 404), before: resetTarget},
			{name: "remove a custom role", method: "DELETE", path: target + "/user_roles/RP",
				want: puStatuses(404, 404, 403, 403, 403, 404)},
			{name: "read the user", method: "GET", path: target, want: puStatuses(200, 200, 200, 200, 200, 404)},
			{name: "read the user's roles", method: "GET", path: target + "/product_roles", want: puStatuses(200, 200, 200, 200, 200, 404)},
			{name: "read the user's custom roles", method: "GET", path: target + "/user_roles", want: puStatuses(200, 200, 200, 200, 200, 404)},
			{name: "read the product's users", method: "GET", path: "/api/v1/products/RP/users", want: puStatuses(200, 200, 200, 200, 200, 404)},
			{name: "read oneself", method: "GET", path: "/api/v1/users/{self}", want: puStatuses(200, 200, 200, 200, 200, 200)},
		}
	})
}

// TestUserRequests checks the user routes' answers to bad input, the reuse
// of an existing email, what a user without roles sees, and fields.
func TestUserRequests(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		f := puSetup(t, backend)
		s, tok := f.s, demo.Token
		for _, c := range []struct {
			body   string
			status int
			field  string
		}{
			{`{"user":{"first_name":"A","last_name":"B","email":"a.b@example.com"}}`, 422, "role"},
			{`{"user":{"first_name":"A","last_name":"B","email":"a.b@example.com","role":"developer"}}`, 422, "role"},
			{`{"user":{"first_name":"A","last_name":"B","email":"nobody","role":"viewer"}}`, 422, "email"},
			{`{"user":{"last_name":"B","email":"a.b@example.com","role":"viewer"}}`, 422, "first_name"},
			{`{"user":{"first_name":["A"],"last_name":"B","email":"a.b@example.com","role":"viewer"}}`, 400, "first_name"},
			{`{"user":{"first_name":"A","last_name":"B","email":"a.b@example.com","role":20}}`, 400, "role"},
			{`{"users":{}}`, 400, ""},
		} {
			r := puWant(t, s, "POST", "/api/v1/products/RP/users", c.body, tok, c.status)
			if got := r.get("errors", "field").str(); c.field != "" && got != c.field {
				t.Errorf("%s: field %q, want %q", c.body, got, c.field)
			}
		}
		if n := puWant(t, s, "GET", "/api/v1/users?email=a.b@example.com", "", tok, 200); n.get("pagination", "total_records").str() != "0" {
			t.Errorf("failed creates made a user: %s", n)
		}

		// An existing email gets the role; no second user.
		pu := puWant(t, s, "POST", "/api/v1/products/PRJ2/users", `{"user":{"first_name":"T","last_name":"U","email":"TARGET@example.com","role":"contributor"}}`, tok, 200)
		if pu.get("user", "id").str() != f.target || pu.get("user", "name").str() != "target User" || pu.get("role").str() != "30" {
			t.Errorf("adding the target again: %s", pu)
		}
		users := puWant(t, s, "GET", "/api/v1/users?email=target@EXAMPLE.com", "", tok, 200)
		if users.get("pagination", "total_records").str() != "1" || len(users.get("users").list[0].get("product_roles").list) != 2 {
			t.Errorf("the target by email: %s", users)
		}

		// Updates: names, email, administration; answered bare.
		u := puWant(t, s, "PUT", "/api/v1/users/"+f.target, `{"user":{"last_name":"Person","email":"t.p@example.com","administrator_roles":{"administer_billing":"true"}}}`, tok, 200)
		if u.get("name").str() != "target Person" || u.get("email").str() != "t.p@example.com" || u.get("administrator").str() != "true" ||
			u.get("administrator_roles").String() != `{"administer_account":false,"administer_billing":true,"administer_configuration":false}` {
			t.Errorf("the update's answer: %s", u)
		}
		puWant(t, s, "PUT", "/api/v1/users/"+f.target, `{"user":{"email":"john.smith@example.com"}}`, tok, 422)
		puWant(t, s, "PUT", "/api/v1/users/"+f.target, `{"user":{"administrator_roles":"all"}}`, tok, 400)
		puWant(t, s, "PUT", "/api/v1/users/"+f.target, `{"user":{"enabled":"perhaps"}}`, tok, 400)
		puWant(t, s, "PUT", "/api/v1/users/abc", `{"user":{"first_name":"X"}}`, tok, 404)
		puWant(t, s, "GET", "/api/v1/users/999", "", tok, 404)
		puWant(t, s, "GET", "/api/v1/users?email=a%00b", "", tok, 400)
		puWant(t, s, "POST", "/api/v1/users/"+f.target+"/product_roles", `{"product_role":{"role":"viewer","product_id":"NOPE"}}`, tok, 422)
		puWant(t, s, "POST", "/api/v1/users/"+f.target+"/product_roles", `{"product_role":{"role":"king","product_id":"RP"}}`, tok, 422)
		puWant(t, s, "DELETE", "/api/v1/users/"+f.target+"/product_roles/PRJ3", "", tok, 404)

		// Disabling a user ends its tokens.
		viewer := f.tokens["viewer"]
		puWant(t, s, "GET", "/api/v1/me", "", viewer, 200)
		puWant(t, s, "PUT", "/api/v1/users/"+f.users["viewer"], `{"user":{"enabled":false}}`, tok, 200)
		puWant(t, s, "GET", "/api/v1/me", "", viewer, 401)

		// A user whose only role is none sees itself only.
		none := f.tokens["none"]
		list := puWant(t, s, "GET", "/api/v1/users", "", none, 200)
		if list.get("pagination", "total_records").str() != "1" || list.get("users").list[0].get("id").str() != f.users["none"] ||
			len(list.get("users").list[0].get("product_roles").list) != 0 {
			t.Errorf("the none user lists %s", list)
		}
		puWant(t, s, "GET", "/api/v1/users/"+fmt.Sprint(demo.Mary), "", none, 404)

		// A reviewer of RP sees RP's people with their RP and RL roles only,
		// not Mary, who has no role there.
		reviewer := f.tokens["reviewer"]
		puWant(t, s, "GET", "/api/v1/users/"+fmt.Sprint(demo.Mary), "", reviewer, 404)
		owner := puWant(t, s, "GET", "/api/v1/users/"+f.users["product_owner"]+"?fields=name,first_name,product_roles", "", reviewer, 200).get("user")
		if strings.Join(owner.keys, ",") != "id,name,first_name,product_roles" || len(owner.get("product_roles").list) != 2 {
			t.Errorf("the owner as the reviewer sees it: %s", owner)
		}
		pus := puWant(t, s, "GET", "/api/v1/products/RP/users?per_page=2&fields=role", "", reviewer, 200)
		if len(pus.get("project_users").list) != 2 || pus.get("project_users").list[0].String() != `{"role":20}` {
			t.Errorf("RP's users: %s", pus)
		}
	})
}
