package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
)

// The examples of the products, users, me and workflows references,
// replayed from golden files the way TestReference replays the Releases
// API's: `go test ./internal/api -run TestRelatedProducts -update` rewrites
// testdata/related/{products,users,me,workflows} from
// ../../../shared/spec/related/*.md. Out-of-scope examples are not written;
// skipped.json in each folder lists them with the reason.
//
// Where the demo account differs from the account the references were
// written against (demo-account.md fixes some records otherwise), the
// comparison leaves those values out, each with its reason below.

var puDocs = []relatedDoc{
	{name: "products", token: demo.Token, skip: skipByTitle(map[string]string{
		"List products (including Aha! teams in the account)": "Aha! teams are out of scope (include_teams=true lists the products as without it)",
		"List products with idea portals in the account":      "idea portals are out of scope (with_idea_portals=true lists none)",
	})},
	{name: "users", token: demo.UsersToken, skip: skipByTitle(map[string]string{
		"List a user's custom roles":   "custom roles (an Enterprise+ feature) are out of scope: roadmapd has none, so the list is always empty",
		"Update a user's custom roles": "custom roles (an Enterprise+ feature) are out of scope: roadmapd has none to give, so this answers 422",
		"Delete a user's custom role":  "custom roles (an Enterprise+ feature) are out of scope: no user holds one, so this answers 404",
	})},
	{name: "me", token: demo.Token, skip: skipByTitle(map[string]string{
		"List records assigned to the current user":       "ideas, requirements, tasks, epics and features are out of scope; of the releases it lists, the demo's PRJ1-R-1 belongs to John Smith (demo-account.md), not to the token's user (products_test.go tests this route)",
		"List pending tasks assigned to the current user": "tasks are out of scope",
	})},
	{name: "workflows", token: demo.Token},
}

// TestRelatedProducts replays the in-scope examples of the products, users,
// me and workflows references on fresh demo servers, each with the token its
// reference sends.
func TestRelatedProducts(t *testing.T) {
	t.Parallel()
	if *updateReference {
		for _, d := range puDocs {
			d.write(t)
		}
	}
	for _, d := range puDocs {
		for _, ex := range d.load(t) {
			check := puChecks[ex.Title]
			if check == nil {
				t.Errorf("%s/%s: no check for %q", d.name, ex.file, ex.Title)
				continue
			}
			t.Run(d.name+"/"+ex.file, func(t *testing.T) {
				t.Parallel()
				eachBackend(t, func(t *testing.T, backend string) {
					s := newDemoServer(t, backend)
					w := window{start: time.Now()}
					got := s.do(t, ex.Method, ex.Path, ex.Body, d.token)
					w.end = time.Now()
					if got.Status != ex.Status {
						t.Fatalf("%s %s: %s, want status %d", ex.Method, ex.Path, got, ex.Status)
					}
					if ex.Status == 204 {
						if len(got.Body) != 0 {
							t.Errorf("answered a body, want none: %s", got)
						}
						check(t, s, ex, nil, w)
						return
					}
					checkJSONContentType(t, got)
					check(t, s, ex, got.tree(t), w)
				})
			})
		}
	}
}

// TestRelatedProductsGoldenFiles checks that the golden files are those that
// -update writes from the references, when they are present.
func TestRelatedProductsGoldenFiles(t *testing.T) {
	t.Parallel()
	for _, d := range puDocs {
		files, err := d.render()
		if errors.Is(err, fs.ErrNotExist) {
			t.Logf("the %s reference is not present", d.name)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range files {
			got, err := os.ReadFile(filepath.Join(d.dir(), name))
			if err != nil {
				t.Errorf("%s/%s: %v (run go test -run TestRelatedProducts -update)", d.name, name, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from the reference (run go test -run TestRelatedProducts -update)", d.name, name)
			}
		}
		have, err := filepath.Glob(filepath.Join(d.dir(), "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range have {
			if _, ok := files[filepath.Base(f)]; !ok {
				t.Errorf("%s: not an example of the reference (run go test -run TestRelatedProducts -update)", f)
			}
		}
	}
}

// puCheck compares the answer of an example (nil for a 204) with the
// reference and checks what the example changed.
type puCheck func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window)

// Paths of a product whose values the demo cannot match, with the reason:
//   - the workflows of features, requirements, epics and ideas, which
//     roadmapd does not serve (null);
//   - the release workflow, which the demo names "Release workflow"
//     (demo.go) under another ID;
//   - custom fields and screen definitions of products, not served;
//   - the description of PRJ1, which the demo's seed does not carry;
//   - the key result workflow of PRJ1, which the goals part's strategy seed
//     (demo.Strategy) sets and newDemoServer does not load: until then PRJ1's
//     key results follow its goal workflow.
var puProductDemoPaths = []string{
	".product.requirement_workflow", ".product.feature_workflow", ".product.epic_workflow", ".product.idea_workflow",
	".product.release_workflow.id", ".product.release_workflow.name", ".product.key_result_workflow",
	".product.custom_fields", ".product.screen_definition_ids", ".product.screen_definitions",
	".product.description.id",
}

// puNewProductPaths are the values a new product gets from its creation:
// new IDs, the time of now, and workflows of its own.
var puNewProductPaths = []string{
	".product.id", ".product.created_at", ".product.updated_at",
	".product.description.id", ".product.description.created_at", ".product.description.updated_at",
	".product.requirement_workflow", ".product.feature_workflow", ".product.epic_workflow", ".product.idea_workflow",
	".product.release_workflow.id", ".product.release_workflow.name",
	".product.initiative_workflow.id", ".product.initiative_workflow.name",
	".product.strategic_imperative_workflow.id", ".product.strategic_imperative_workflow.name",
	".product.key_result_workflow.id", ".product.key_result_workflow.name",
}

// puUserDemoKeys lists, per user of the users reference, the keys whose
// values the demo cannot match, with the reason.
var puUserDemoKeys = map[string][]string{
	// John owns the product line DEMOENT (demo-account.md), not a viewer role in PRJ1.
	"16338845": {"product_roles"},
	// Mary is the demo's account administrator; roadmapd records no sign-ins.
	"1020675218": {"administrator", "administrator_roles", "accessed_at"},
	// Roadmapd records no sign-ins.
	"689956296": {"accessed_at"},
	// Bob's roles in a team and in a product the demo does not have; partial
	// administration rights the demo's seed cannot carry; paid seat groups
	// are out of scope.
	"82352673":  {"product_roles", "administrator_roles", "paid_seat_group"},
	"871344824": {"administrator_roles", "paid_seat_group"},
	"373433676": {"paid_seat_group"},
	// Billing-only administration, which the demo's seed cannot carry.
	"530313708": {"administrator", "administrator_roles"},
	// The custom role "Developer" (35) is out of scope.
	"375285024": {"product_roles"},
	// A role in a product the demo does not have.
	"787951284": {"product_roles"},
	// Custom roles are out of scope.
	"1049303076": {"user_roles"},
}

var puChecks = map[string]puCheck{
	"Create a product":       puCheckCreateProduct,
	"Create a product line":  puCheckCreateProduct,
	"Get a specific product": puCheckProduct,
	"Update a product": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(append(puProductDemoPaths, ".product.updated_at")...)))
		w.checkStamp(t, ".product.updated_at", got.get("product", "updated_at"))
		after := getJSON(t, s, "/api/v1/products/PRJ1")
		reportDiffs(t, "GET after the update differs from the update's answer", compare(got, after, compareRules{}))
	},
	"List products in the account": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		// The demo's product line DEMOENT, which owns its goals, is not in
		// the reference's account.
		list := got.get("products")
		n := len(list.list)
		list.list = slices.DeleteFunc(list.list, func(p *jsonNode) bool { return p.get("reference_prefix").str() == "DEMOENT" })
		if len(list.list) != n-1 {
			t.Errorf("DEMOENT is not listed once")
		}
		if total := got.get("pagination", "total_records").str(); total != "14" {
			t.Errorf("total_records %s, want 14 (the reference's 13 and DEMOENT)", total)
		}
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(".pagination.total_records")))
	},

	"Create a user":                              puCheckCreateUser,
	"Create a contributor user":                  puCheckCreateUser,
	"Create a viewer user":                       puCheckCreateUser,
	"Create a user with an identity provider ID": puCheckCreateUser,
	"Create a user with a password access":       puCheckCreateUser,
	"List users": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		puFillProductNames(ex.want)
		puCompareItems(t, ex.want.get("users"), got.get("users"), func(item *jsonNode) compareRules {
			rules := referenceRules(puDotted(puUserDemoKeys[item.get("id").str()])...)
			rules.optional = pathSet(".paid_seat_group")
			return rules
		})
		reportDiffs(t, "pagination differs from the reference", compare(ex.want.get("pagination"), got.get("pagination"), compareRules{}))
	},
	"List users associated with a product": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		want := ex.want.get("project_users")
		// Gregory McSmith holds the custom role "Developer" (35), out of scope.
		want.list = slices.DeleteFunc(want.list, func(pu *jsonNode) bool { return pu.get("user", "id").str() == "375285024" })
		puCompareItems(t, want, got.get("project_users"), func(item *jsonNode) compareRules {
			if item.get("user", "id").str() == "16338845" {
				// John owns PRJ1 through the product line DEMOENT (demo-account.md).
				return referenceRules(".role", ".role_description")
			}
			return referenceRules()
		})
		if total := got.get("pagination", "total_records").str(); total != "10" {
			t.Errorf("total_records %s, want 10 (the reference's 11 without Gregory McSmith)", total)
		}
	},
	"Get a specific user": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		puFillProductNames(ex.want)
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules()))
	},
	"Update a user": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		puFillProductNames(ex.want)
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(
			".updated_at", ".accessed_at", ".administrator", ".administrator_roles")))
		w.checkStamp(t, ".updated_at", got.get("updated_at"))
		// Disabling a user revokes its tokens: the demo's tokens are Mary's.
		if r := s.do(t, "GET", "/api/v1/me", ""); r.Status != 401 {
			t.Errorf("GET /me with the disabled user's token: %s, want 401", r)
		}
	},
	"List a user's product roles": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules()))
	},
	"Update a user's product roles": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		puFillProductNames(ex.want)
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules()))
		roles := getJSON(t, s, "/api/v1/users/1020675218/product_roles")
		if !slices.Contains(puProductIDs(roles.get("product_roles")), "702241743") {
			t.Errorf("Mary's roles after the update lack PRJ3: %s", roles)
		}
	},
	"Delete a user's product role": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		roles := getJSON(t, s, "/api/v1/users/1020675218/product_roles")
		if ids := puProductIDs(roles.get("product_roles")); slices.Contains(ids, "131414752") || len(ids) != 2 {
			t.Errorf("Mary's roles after the delete: %v, want PRJ2 and PL1", ids)
		}
	},

	"Get the current user": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		// The reference lists Mary's roles in no order we can tell; both
		// are compared by product ID.
		for _, n := range []*jsonNode{ex.want, got} {
			roles := n.get("user", "product_roles")
			slices.SortFunc(roles.list, func(a, b *jsonNode) int {
				return strings.Compare(puPad(a.get("product_id").str()), puPad(b.get("product_id").str()))
			})
		}
		// IDs are strings (contract.md); the account is named by its domain.
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(
			".user.accessed_at", ".user.preferences.current_product_id", ".user.accounts[].account.name")))
		if cur := got.get("user", "preferences", "current_product_id"); cur.str() != "12123897" || !cur.isString() {
			t.Errorf("current_product_id %s, want \"12123897\" (PRJ5, the first product)", cur)
		}
	},

	"List workflows": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		// The reference's PRJ1 follows workflows of six kinds; roadmapd
		// serves four: those of releases, goals, initiatives and key results.
		want := map[string]*jsonNode{}
		for _, wf := range ex.want.get("workflows").list {
			want[wf.get("statusable_type").str()] = wf
		}
		var ids []string
		for _, wf := range got.get("workflows").list {
			ids = append(ids, wf.get("id").str())
		}
		// The key result workflow comes with the goals part's strategy seed
		// (demo.Strategy), which newDemoServer does not load.
		wantIDs := []string{"61191651", "738862500", "883066232", "1024772447"}
		if len(ids) == 3 {
			wantIDs = wantIDs[:3]
		}
		if !slices.Equal(ids, wantIDs) {
			t.Fatalf("workflows %v, want the initiative, release, goal and key result workflows by ID", ids)
		}
		list := got.get("workflows").list
		// Record kinds (feature types) are out of scope.
		for i, typ := range []string{"StrategicImperative", "KeyResult"}[:len(ids)-2] {
			reportDiffs(t, typ+" workflow differs from the reference", compare(want[typ], list[2+i], referenceRules(".workflow_kinds")))
		}
		// The initiative workflow has the demo's five statuses (demo.go); the
		// first two are the reference's.
		ini := list[0]
		reportDiffs(t, "initiative workflow differs from the reference", compare(want["Initiative"], ini, referenceRules(".workflow_kinds", ".workflow_statuses")))
		for i := 0; i < 2; i++ {
			reportDiffs(t, "initiative status", compare(want["Initiative"].get("workflow_statuses").list[i], ini.get("workflow_statuses").list[i], compareRules{}))
		}
		// The demo's release workflow has its own ID, name and statuses
		// (demo.go), shaped as the reference's, the first of them the
		// reference's New.
		rel := list[1]
		reportDiffs(t, "release workflow is not shaped as the reference's", puSameShape(want["Release"], rel, ""))
		reportDiffs(t, "release status New", compare(want["Release"].get("workflow_statuses").list[0], rel.get("workflow_statuses").list[0], compareRules{}))
	},
	"Get a specific workflow": func(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
		// Record kinds (feature types) are out of scope.
		reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(".workflow.workflow_kinds")))
	},
}

func puCheckProduct(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
	reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(puProductDemoPaths...)))
}

func puCheckCreateProduct(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
	t.Helper()
	reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(puNewProductPaths...)))
	p := got.get("product")
	checkNewID(t, ".product.id", p.get("id"))
	checkNewID(t, ".product.description.id", p.get("description", "id"))
	for _, k := range []string{"created_at", "updated_at"} {
		w.checkStamp(t, ".product."+k, p.get(k))
		w.checkStamp(t, ".product.description."+k, p.get("description", k))
	}
	demoWorkflows := map[string]bool{"738862500": true, "61191650": true, "61191651": true, "883066232": true}
	for _, k := range []string{"release_workflow", "initiative_workflow", "strategic_imperative_workflow"} {
		wf := p.get(k, "id")
		checkNewID(t, ".product."+k+".id", wf)
		if demoWorkflows[wf.str()] {
			t.Errorf(".product.%s.id: %s is a demo workflow, want one of the product's own", k, wf)
		}
	}
	after := getJSON(t, s, "/api/v1/products/NEWPRODUCT")
	reportDiffs(t, "GET after the create differs from the create's answer", compare(got, after, compareRules{}))
	// Its release workflow takes releases at once.
	r := s.do(t, "POST", "/api/v1/products/NEWPRODUCT/releases", `{"release":{"name":"First"}}`)
	if r.Status != 200 {
		t.Fatalf("creating a release in the new product: %s", r)
	}
	rel := r.tree(t).get("release")
	if ref := rel.get("reference_num").str(); ref != "NEWPRODUCT-R-1" {
		t.Errorf("the new product's first release is %s, want NEWPRODUCT-R-1", ref)
	}
	if st := rel.get("workflow_status", "name").str(); st != "New" {
		t.Errorf("the new product's first release is in status %s, want New", st)
	}
}

func puCheckCreateUser(t *testing.T, s *testServer, ex *referenceExample, got *jsonNode, w window) {
	t.Helper()
	reportDiffs(t, "differs from the reference", compare(ex.want, got, referenceRules(".user.id", ".user.created_at", ".user.updated_at")))
	u := got.get("user")
	checkNewID(t, ".user.id", u.get("id"))
	w.checkStamp(t, ".user.created_at", u.get("created_at"))
	w.checkStamp(t, ".user.updated_at", u.get("updated_at"))
	after := getJSON(t, s, "/api/v1/users/"+u.get("id").str())
	roles := after.get("user", "product_roles")
	if len(roles.list) != 1 || roles.list[0].get("product_id").str() != "131414752" || roles.list[0].get("role").str() != got.get("role").str() {
		t.Errorf("the new user's product roles: %s, want role %s in PRJ1", roles, got.get("role"))
	}
}

// puDemoProductNames names the demo's products, for the reference's roles
// that leave product_name null.
var puDemoProductNames = map[string]string{
	"131414752": "Project 1", "517761884": "Project 2", "702241743": "Project 3", "935317104": "Project 4",
	"610602692": "Product Line 1", "204313741": "Demo Enterprise",
}

// puFillProductNames gives the reference's product roles with a null
// product_name the name of their product, which roadmapd always shows.
func puFillProductNames(n *jsonNode) {
	switch {
	case n == nil:
	case n.obj:
		if n.has("product_id") && n.has("product_name") && n.get("product_name").isNull() {
			if name, ok := puDemoProductNames[n.get("product_id").str()]; ok {
				n.kv["product_name"] = &jsonNode{val: name}
			}
		}
		for _, k := range n.keys {
			puFillProductNames(n.kv[k])
		}
	case n.arr:
		for _, c := range n.list {
			puFillProductNames(c)
		}
	}
}

// puCompareItems compares two lists item by item, each under its own rules.
func puCompareItems(t *testing.T, want, got *jsonNode, rules func(item *jsonNode) compareRules) {
	t.Helper()
	if want == nil || got == nil || !want.arr || !got.arr {
		t.Fatalf("want and got must be lists: %s, %s", want, got)
	}
	if len(want.list) != len(got.list) {
		t.Errorf("%d items, want %d", len(got.list), len(want.list))
		return
	}
	for i, w := range want.list {
		reportDiffs(t, "item "+w.get("id").str()+w.get("user", "id").str(), compare(w, got.list[i], rules(w)))
	}
}

func puDotted(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "." + k
	}
	return out
}

func puProductIDs(roles *jsonNode) []string {
	var out []string
	if roles != nil {
		for _, r := range roles.list {
			out = append(out, r.get("product_id").str())
		}
	}
	return out
}

// puPad left-pads a decimal ID so that IDs sort as numbers.
func puPad(s string) string { return strings.Repeat("0", max(0, 20-len(s))) + s }

// puSameShape reports where got is not shaped as want: the same keys in the
// same order, values of the same JSON kind (an id may be a number or a
// string), and every item of a list shaped as want's first item.
func puSameShape(want, got *jsonNode, path string) []string {
	at := path
	if at == "" {
		at = "(root)"
	}
	switch {
	case want.obj:
		if !got.obj {
			return []string{at + ": not an object"}
		}
		if !slices.Equal(want.keys, got.keys) {
			return []string{at + ": keys " + strings.Join(got.keys, ",") + ", want " + strings.Join(want.keys, ",")}
		}
		var out []string
		for _, k := range want.keys {
			out = append(out, puSameShape(want.kv[k], got.kv[k], path+"."+k)...)
		}
		return out
	case want.arr:
		if !got.arr {
			return []string{at + ": not a list"}
		}
		var out []string
		if len(want.list) > 0 {
			for _, g := range got.list {
				out = append(out, puSameShape(want.list[0], g, path+"[]")...)
			}
		}
		return out
	}
	kind := func(n *jsonNode) string {
		switch n.val.(type) {
		case string, json.Number:
			if strings.HasSuffix(path, ".id") {
				return "id"
			}
			if _, ok := n.val.(string); ok {
				return "string"
			}
			return "number"
		case bool:
			return "bool"
		}
		if n.obj || n.arr {
			return "composite"
		}
		return "null"
	}
	if kind(want) != kind(got) {
		return []string{at + ": " + got.String() + " is not a " + kind(want)}
	}
	return nil
}
