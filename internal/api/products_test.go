package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// puRoles are the callers of the role tables: the account administrator and
// a user per product role.
var puRoles = []string{"admin", "product_owner", "contributor", "reviewer", "viewer", "none"}

// puFixture is a demo server with a product RP and a product line RL, made
// through the API, a user per role holding that role in both (made through
// the API, with a token each), and a target user who is a viewer in RP.
type puFixture struct {
	s      *testServer
	tokens map[string]string // by role; the administrator's is the demo token
	users  map[string]string // user IDs by role
	target string            // the target user's ID
}

func puSetup(t *testing.T, backend string) *puFixture {
	t.Helper()
	s := newDemoServer(t, backend)
	f := &puFixture{s: s, tokens: map[string]string{"admin": demo.Token}, users: map[string]string{"admin": fmt.Sprint(demo.Mary)}}
	puWant(t, s, "POST", "/api/v1/products", `{"product":{"name":"Role product","reference_prefix":"RP"}}`, demo.Token, 200)
	puWant(t, s, "POST", "/api/v1/products", `{"product":{"name":"Role line","reference_prefix":"RL","product_line":true,"product_line_type":"Unit"}}`, demo.Token, 200)
	addUser := func(name, role string) string {
		body := fmt.Sprintf(`{"user":{"first_name":%q,"last_name":"User","email":"%s@example.com","role":%q}}`, name, name, role)
		return puWant(t, s, "POST", "/api/v1/products/RP/users", body, demo.Token, 200).get("user", "id").str()
	}
	for _, role := range puRoles[1:] {
		uid := addUser(role, role)
		puWant(t, s, "POST", "/api/v1/users/"+uid+"/product_roles", fmt.Sprintf(`{"product_role":{"role":%q,"product_id":"RL"}}`, role), demo.Token, 200)
		var n int64
		fmt.Sscan(uid, &n)
		tok := roadmap.NewToken()
		if err := s.DB.CreateToken(context.Background(), n, roadmap.HashToken(tok)); err != nil {
			t.Fatal(err)
		}
		f.tokens[role], f.users[role] = tok, uid
	}
	f.target = addUser("target", "viewer")
	return f
}

// puWant sends a request with a token and checks the status; it returns the
// answer's JSON, or nil for an empty body.
func puWant(t *testing.T, s *testServer, method, path, body, token string, status int) *jsonNode {
	t.Helper()
	r := s.do(t, method, path, body, token)
	if r.Status != status {
		t.Fatalf("%s %s %s: %s, want %d", method, path, body, r, status)
	}
	if len(r.Body) == 0 {
		return nil
	}
	n := r.tree(t)
	if status >= 400 && !n.get("errors", "message").isString() {
		t.Errorf("%s %s: error body %s, want {\"errors\":{\"message\":...}}", method, path, r)
	}
	return n
}

// puRoleCase is one route of a role table: the request, the statuses
// expected by role (0: not tried), and a setup run as the administrator
// before each call. In the request, {role} stands for the caller's role,
// {prefix} for it without underscores and {self} for the caller's user ID.
type puRoleCase struct {
	name   string
	method string
	path   string
	body   string
	want   map[string]int
	before func(t *testing.T, f *puFixture)
}

// puStatuses lists expected statuses in the order of puRoles.
func puStatuses(codes ...int) map[string]int {
	m := map[string]int{}
	for i, c := range codes {
		m[puRoles[i]] = c
	}
	return m
}

// puRunRoleTable runs every case of cases for every role.
func puRunRoleTable(t *testing.T, cases func(f *puFixture) []puRoleCase) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := puSetup(t, backend)
		for _, c := range cases(f) {
			for _, role := range puRoles {
				want := c.want[role]
				if want == 0 {
					continue
				}
				t.Run(c.name+"/"+role, func(t *testing.T) {
					if c.before != nil {
						c.before(t, f)
					}
					body := strings.ReplaceAll(c.body, "{role}", role)
					body = strings.ReplaceAll(body, "{prefix}", strings.ReplaceAll(role, "_", ""))
					path := strings.ReplaceAll(c.path, "{self}", f.users[role])
					puWant(t, f.s, c.method, path, body, f.tokens[role], want)
				})
			}
		}
	})
}

// TestProductRoles checks every product and workflow route against every
// role: owners (of the product, or of the product line to create under)
// manage, the other roles read, users without a role get 404 or, for a
// product line named in a body, 422.
func TestProductRoles(t *testing.T) {
	t.Parallel()
	puRunRoleTable(t, func(f *puFixture) []puRoleCase {
		wf := puWant(t, f.s, "GET", "/api/v1/products/RP", "", demo.Token, 200).get("product", "release_workflow", "id").str()
		return []puRoleCase{
			{name: "create under the line", method: "POST", path: "/api/v1/products",
				body: `{"product":{"name":"By {role}","reference_prefix":"N{prefix}","parent_id":"RL"}}`,
				want: puStatuses(200, 200, 403, 403, 403, 422)},
			{name: "create at the top", method: "POST", path: "/api/v1/products",
				body: `{"product":{"name":"Top by {role}","reference_prefix":"T{prefix}"}}`,
				want: puStatuses(200, 403, 403, 403, 403, 403)},
			{name: "update the product", method: "PUT", path: "/api/v1/products/RP",
				body: `{"product":{"name":"Renamed by {role}"}}`, want: puStatuses(200, 200, 403, 403, 403, 404)},
			{name: "update the line", method: "PUT", path: "/api/v1/products/RL",
				body: `{"product":{"product_line_type":"{role}"}}`, want: puStatuses(200, 200, 403, 403, 403, 404)},
			{name: "read the product", method: "GET", path: "/api/v1/products/RP", want: puStatuses(200, 200, 200, 200, 200, 404)},
			{name: "read its workflows", method: "GET", path: "/api/v1/products/RP/workflows", want: puStatuses(200, 200, 200, 200, 200, 404)},
			{name: "read its release workflow", method: "GET", path: "/api/v1/workflows/" + wf, want: puStatuses(200, 200, 200, 200, 200, 404)},
		}
	})
}

// TestProductOwnerCreates checks that a product made by an owner of its
// product line is the owner's, and that an owner sees only its products.
func TestProductOwnerCreates(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		f := puSetup(t, backend)
		owner := f.tokens["product_owner"]
		p := puWant(t, f.s, "POST", "/api/v1/products", `{"product":{"name":"Mine","prefix":"mine","parent_id":"RL"}}`, owner, 200).get("product")
		if p.get("reference_prefix").str() != "MINE" {
			t.Errorf("prefix %s, want MINE", p.get("reference_prefix"))
		}
		roles := puWant(t, f.s, "GET", "/api/v1/users/"+f.users["product_owner"]+"/product_roles", "", owner, 200)
		if ids := puProductIDs(roles.get("product_roles")); len(ids) != 3 || !strings.Contains(strings.Join(ids, ","), p.get("id").str()) {
			t.Errorf("the owner's roles %v, want RP, RL and the new product", ids)
		}
		// The owner manages it and puts releases in it.
		puWant(t, f.s, "PUT", "/api/v1/products/MINE", `{"product":{"description":"<p>Mine</p>"}}`, owner, 200)
		puWant(t, f.s, "POST", "/api/v1/products/MINE/releases", `{"release":{"name":"R"}}`, owner, 200)
		// It lists RP, RL and MINE (whose line it owns) and nothing else.
		list := puWant(t, f.s, "GET", "/api/v1/products?fields=reference_prefix", "", owner, 200)
		var prefixes []string
		for _, it := range list.get("products").list {
			prefixes = append(prefixes, it.get("reference_prefix").str())
		}
		if strings.Join(prefixes, ",") != "RP,RL,MINE" || list.get("pagination", "total_records").str() != "3" {
			t.Errorf("the owner lists %v (%s)", prefixes, list.get("pagination"))
		}
		// The line shows its children to those who see them.
		line := puWant(t, f.s, "GET", "/api/v1/products/RL", "", f.tokens["viewer"], 200)
		if c := line.get("product", "children"); len(c.list) != 1 || c.list[0].get("reference_prefix").str() != "MINE" {
			t.Errorf("RL's children: %s", c)
		}
		// Moving a product out of its line needs the administrator.
		puWant(t, f.s, "PUT", "/api/v1/products/MINE", `{"product":{"parent_id":null}}`, owner, 403)
		puWant(t, f.s, "PUT", "/api/v1/products/MINE", `{"product":{"parent_id":"PRJ1"}}`, owner, 422)
		if none := puWant(t, f.s, "GET", "/api/v1/products", "", f.tokens["none"], 200); none.get("pagination", "total_records").str() != "0" {
			t.Errorf("a user without roles lists %s", none)
		}
	})
}

// TestProductRequests checks the product routes' answers to bad input,
// fields and pagination, and that a failed request changes nothing.
func TestProductRequests(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		tok := demo.Token
		all := puWant(t, s, "GET", "/api/v1/products?per_page=200", "", tok, 200)
		before, total := all.String(), 0
		fmt.Sscan(all.get("pagination", "total_records").str(), &total)
		for _, c := range []struct {
			body   string
			status int
			field  string
		}{
			{`{"product":{"name":5,"prefix":"X"}}`, 400, "name"},
			{`{"product":[]}`, 400, "product"},
			{`{"product":{"name":"X","prefix":"X","product_line":"maybe"}}`, 400, "product_line"},
			{`{"product":{"name":"X"`, 400, ""},
			{`{"name":"X"}`, 400, ""},
			{`{"product":{"name":"X","prefix":"PRJ1"}}`, 422, "reference_prefix"},
			{`{"product":{"name":"X","prefix":"9LIVES"}}`, 422, "reference_prefix"},
			{`{"product":{"name":"","prefix":"X"}}`, 422, "name"},
			{`{"product":{"name":"X","prefix":"X","parent_id":"PRJ1"}}`, 422, "parent_id"},
			{`{"product":{"name":"X","prefix":"X","product_line":true}}`, 422, "product_line_type"},
			{`{"product":{"name":"X","prefix":"X","configuration_epics_enabled":"sometimes"}}`, 400, "configuration_epics_enabled"},
		} {
			r := puWant(t, s, "POST", "/api/v1/products", c.body, tok, c.status)
			if got := r.get("errors", "field").str(); c.field != "" && got != c.field {
				t.Errorf("%s: field %q, want %q", c.body, got, c.field)
			}
		}
		big := `{"product":{"name":"X","prefix":"X","description":"` + strings.Repeat("x", 1<<20) + `"}}`
		puWant(t, s, "POST", "/api/v1/products", big, tok, 413)
		puWant(t, s, "PUT", "/api/v1/products/PRJ1", `{"product":{"product_line":true}}`, tok, 422)
		puWant(t, s, "PUT", "/api/v1/products/PRJ1", `{"product":{"reference_prefix":"NEW"}}`, tok, 422)
		puWant(t, s, "PUT", "/api/v1/products/NOPE", `{"product":{"name":"X"}}`, tok, 404)
		puWant(t, s, "GET", "/api/v1/products/NOPE", "", tok, 404)
		if after := puWant(t, s, "GET", "/api/v1/products?per_page=200", "", tok, 200).String(); after != before {
			t.Errorf("failed requests changed the products")
		}
		puWant(t, s, "GET", "/api/v1/products?page=0", "", tok, 400)
		puWant(t, s, "GET", "/api/v1/products?per_page=x", "", tok, 400)
		puWant(t, s, "GET", "/api/v1/products?updated_since=yesterday", "", tok, 400)
		puWant(t, s, "GET", "/api/v1/products?with_idea_portals=often", "", tok, 400)
		if got := puWant(t, s, "GET", "/api/v1/products?with_idea_portals=true", "", tok, 200).String(); got != `{"products":[],"pagination":{"total_records":0,"total_pages":0,"current_page":1}}` {
			t.Errorf("products with idea portals: %s", got)
		}
		if got := puWant(t, s, "GET", "/api/v1/products?per_page=200&include_teams=true", "", tok, 200).String(); got != before {
			t.Errorf("include_teams changed the list: %s", got)
		}

		// An empty "" leaves epics as they are; false turns them off.
		p := puWant(t, s, "POST", "/api/v1/products", `{"product":{"name":"Flags","prefix":"FLAGS","configuration_epics_enabled":""}}`, tok, 200)
		if p.get("product", "has_epics").str() != "true" {
			t.Errorf("has_epics %s, want true", p.get("product", "has_epics"))
		}
		p = puWant(t, s, "PUT", "/api/v1/products/FLAGS", `{"product":{"configuration_epics_enabled":false,"workspace_type":"it_workspace"},"fields":"has_epics,workspace_type"}`, tok, 200)
		if got := p.String(); got != `{"product":{"id":"`+p.get("product", "id").str()+`","has_epics":false,"workspace_type":"it_workspace"}}` {
			t.Errorf("update with fields: %s", got)
		}

		// Pages, fields and updated_since on the list.
		page := puWant(t, s, "GET", "/api/v1/products?per_page=2&page=2&fields=name,updated_at", "", tok, 200)
		items := page.get("products").list
		wantPages := fmt.Sprintf(`{"total_records":%d,"total_pages":%d,"current_page":2}`, total+1, (total+2)/2)
		if len(items) != 2 || strings.Join(items[0].keys, ",") != "id,name,updated_at" || page.get("pagination").String() != wantPages {
			t.Errorf("page 2: %s", page)
		}
		since := url.QueryEscape("2020-01-01T00:00:00Z")
		recent := puWant(t, s, "GET", "/api/v1/products?updated_since="+since, "", tok, 200)
		if recent.get("pagination", "total_records").str() != "1" || recent.get("products").list[0].get("reference_prefix").str() != "FLAGS" {
			t.Errorf("updated since 2020: %s", recent)
		}
		one := puWant(t, s, "GET", "/api/v1/products/131414752?fields=reference_prefix,parent", "", tok, 200)
		if one.String() != `{"product":{"id":"131414752","reference_prefix":"PRJ1","parent":{"id":"204313741","reference_prefix":"DEMOENT","name":"Demo Enterprise","product_line":true,"created_at":"2019-01-01T00:00:00.000Z","workspace_type":"product_workspace","url":"http://company.aha.io/projects/DEMOENT"}}}` {
			t.Errorf("PRJ1 with fields: %s", one)
		}
	})
}

// TestMe checks the current user's record and assigned releases for a user
// who is not the administrator.
func TestMe(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		tok := roadmap.NewToken()
		if err := s.DB.CreateToken(context.Background(), demo.John, roadmap.HashToken(tok)); err != nil {
			t.Fatal(err)
		}
		me := puWant(t, s, "GET", "/api/v1/me", "", tok, 200).get("user")
		if me.get("id").str() != fmt.Sprint(demo.John) || me.get("preferences", "current_product_id").str() != fmt.Sprint(demo.PRJ1) {
			t.Errorf("John's me: %s", me)
		}
		if roles := puProductIDs(me.get("product_roles")); strings.Join(roles, ",") != "204313741" {
			t.Errorf("John's roles %v, want DEMOENT's", roles)
		}
		if a := me.get("accounts").list[0].get("account"); a.get("domain").str() != "company" {
			t.Errorf("account %s", a)
		}
		assigned := puWant(t, s, "GET", "/api/v1/me/assigned", "", tok, 200).get("assigned")
		var refs []string
		for _, a := range assigned.list {
			refs = append(refs, a.get("reference_num").str())
			if a.get("record_type").str() != "Release" || a.get("workflow_status", "complete").str() != "false" {
				t.Errorf("assigned %s", a)
			}
		}
		// John owns the demo's releases; two of them are shipped.
		if all := "," + strings.Join(refs, ",") + ","; !strings.Contains(all, ",PRJ1-R-1,") || strings.Contains(all, ",PRJ4-R-2,") {
			t.Errorf("assigned to John: %v", refs)
		}
		if got := puWant(t, s, "GET", "/api/v1/me/assigned", "", demo.Token, 200).String(); got != `{"assigned":[]}` {
			t.Errorf("assigned to Mary: %s", got)
		}
	})
}
