package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api/openapi"
	"github.com/roadmapd/roadmapd/internal/demo"
)

// auWrite is a write of the API and the audits it must leave.
type auWrite struct {
	// route is the OpenAPI operation the write exercises, as in
	// "POST /api/v1/releases/{id}/duplicate".
	route string
	// as is the user whose API token sends the write.
	as                 int64
	method, path, body string
	status             int
	// keep names the ID of the record the answer shows (the value of its
	// first key), for later paths and bodies that write it as {keep}.
	keep string
	want []auWant
}

// auWant is an audit a write must leave.
type auWant struct {
	action, typ string
	// id is the auditable_id, when it matters; "{name}" for a kept ID.
	id string
	// assoc is "type:id" of the associated record, when it matters.
	assoc string
	// field and value are a change the audit must show.
	field, value string
}

// auContributor and auOwner are the demo users the writes run as when the
// administrator is not needed: Henry contributes to PRJ1, John owns the
// product line DEMOENT and so its products.
const (
	auContributor = demo.Henry
	auOwner       = demo.John
	auAdmin       = demo.Mary
)

// auNotWrites are write routes that change no record of the account, with
// the reason; TestAuditsRollBackWithAFailedWrite checks that they leave
// nothing.
var auNotWrites = map[string]string{
	"POST /api/v1/users/{id}/user_roles":                "custom roles are an Aha! Enterprise+ feature that roadmapd does not have: the route refuses every change with 422",
	"DELETE /api/v1/users/{id}/user_roles/{product_id}": "custom roles are an Aha! Enterprise+ feature that roadmapd does not have: there is never one to delete (404)",
}

// auGroups are the writes of every write route, in groups that each run in
// order on a server of their own; every write is checked against the
// audits after the previous one.
func auGroups() map[string][]auWrite {
	r1 := strconv.FormatInt(demo.Release1, 10)
	return map[string][]auWrite{
		"releases": {
			{route: "POST /api/v1/products/{product_id}/releases", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/releases",
				body: `{"release":{"name":"Audited","theme":"An audited theme","initiatives":"Initiative 1"}}`, status: 200, keep: "rel",
				want: []auWant{
					{action: "create", typ: "release", id: "{rel}", assoc: "product:" + strconv.FormatInt(demo.PRJ1, 10), field: "Name", value: "Audited"},
					{action: "update", typ: "note", assoc: "release:{rel}", field: "Theme", value: `<div class="user-content"><span class="inserted">An audited theme</span></div>`},
					{action: "create", typ: "release_initiative", id: strconv.FormatInt(demo.Initiative1, 10), assoc: "release:{rel}", field: "Initiative", value: "Initiative 1"},
				}},
			{route: "PUT /api/v1/products/{product_id}/releases/{id}", as: auContributor, method: "PUT", path: "/api/v1/products/PRJ1/releases/{rel}",
				body: `{"release":{"name":"Audited again"}}`, status: 200,
				want: []auWant{{action: "update", typ: "release", id: "{rel}", field: "Name", value: "Audited &rarr; Audited again"}}},
			{route: "PUT /api/v1/releases/{id}", as: auContributor, method: "PUT", path: "/api/v1/releases/{rel}",
				body: `{"release":{"workflow_status":"Planning","start_date":"2019-02-01"}}`, status: 200,
				want: []auWant{{action: "update", typ: "release", id: "{rel}", field: "Workflow status", value: "New &rarr; Planning"}}},
			{route: "POST /api/v1/releases/{id}/duplicate", as: auContributor, method: "POST", path: "/api/v1/releases/PRJ1-R-2/duplicate", status: 200, keep: "dup",
				want: []auWant{{action: "create", typ: "release", id: "{dup}", field: "Name", value: "[Copy] Release 2"}}},
			{route: "DELETE /api/v1/products/{product_id}/releases/{id}", as: auContributor, method: "DELETE", path: "/api/v1/products/PRJ1/releases/{dup}", status: 204,
				want: []auWant{{action: "destroy", typ: "release", id: "{dup}", field: "Name", value: "[Copy] Release 2"}}},
			{route: "POST /api/v1/products/{product_id}/roll_up_releases", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/roll_up_releases",
				body: `{"roll_up_release":{"name":"Audited roll-up","release_date":"2019-06-01"}}`, status: 200, keep: "mr",
				want: []auWant{{action: "create", typ: "release", id: "{mr}", field: "Name", value: "Audited roll-up"}}},
			{route: "PUT /api/v1/roll_up_releases/{id}", as: auContributor, method: "PUT", path: "/api/v1/roll_up_releases/{mr}",
				body: `{"roll_up_release":{"name":"Renamed roll-up"}}`, status: 200,
				want: []auWant{{action: "update", typ: "release", id: "{mr}", field: "Name", value: "Audited roll-up &rarr; Renamed roll-up"}}},
			{route: "PUT /api/v1/releases/{id}", as: auContributor, method: "PUT", path: "/api/v1/releases/{rel}",
				body: `{"release":{"parent_id":"{mr}"}}`, status: 200,
				want: []auWant{{action: "update", typ: "release", id: "{rel}", field: "Parent", value: "Renamed roll-up"}}},
			{route: "DELETE /api/v1/roll_up_releases/{id}", as: auContributor, method: "DELETE", path: "/api/v1/roll_up_releases/{mr}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "release", id: "{mr}", field: "Name", value: "Renamed roll-up"},
					{action: "update", typ: "release", id: "{rel}", field: "Parent", value: "Renamed roll-up"},
				}},
			{route: "POST /api/v1/releases/{release_id}/comments", as: auContributor, method: "POST", path: "/api/v1/releases/{rel}/comments",
				body: `{"comment":{"body":"<p>An audited comment</p>"}}`, status: 201, keep: "rc",
				want: []auWant{{action: "create", typ: "comment", id: "{rc}", assoc: "release:{rel}", field: "Body", value: "&lt;p&gt;An audited comment&lt;/p&gt;"}}},
			{route: "PUT /api/v1/comments/{id}", as: auContributor, method: "PUT", path: "/api/v1/comments/{rc}",
				body: `{"comment":{"body":"<p>A changed comment</p>"}}`, status: 200,
				want: []auWant{{action: "update", typ: "comment", id: "{rc}", assoc: "release:{rel}", field: "Body", value: "&lt;p&gt;An audited comment&lt;/p&gt; &rarr; &lt;p&gt;A changed comment&lt;/p&gt;"}}},
			{route: "DELETE /api/v1/comments/{id}", as: auContributor, method: "DELETE", path: "/api/v1/comments/{rc}", status: 204,
				want: []auWant{{action: "destroy", typ: "comment", id: "{rc}", assoc: "release:{rel}", field: "Body", value: "&lt;p&gt;A changed comment&lt;/p&gt;"}}},
			{route: "POST /api/v1/release_phases", as: auContributor, method: "POST", path: "/api/v1/release_phases",
				body: `{"release_phase":{"name":"Audited phase","phase_type":"phase","release_id":"{rel}","start_on":"2019-02-01","end_on":"2019-02-10"}}`, status: 200, keep: "ph",
				want: []auWant{{action: "create", typ: "release_phase", id: "{ph}", assoc: "release:{rel}", field: "Name", value: "Audited phase"}}},
			{route: "PUT /api/v1/release_phases/{id}", as: auContributor, method: "PUT", path: "/api/v1/release_phases/{ph}",
				body: `{"release_phase":{"name":"Renamed phase"}}`, status: 200,
				want: []auWant{{action: "update", typ: "release_phase", id: "{ph}", field: "Name", value: "Audited phase &rarr; Renamed phase"}}},
			{route: "POST /api/v1/release_phases/{release_phase_id}/comments", as: auContributor, method: "POST", path: "/api/v1/release_phases/{ph}/comments",
				body: `{"comment":{"body":"On the phase"}}`, status: 201, keep: "pc",
				want: []auWant{{action: "create", typ: "comment", id: "{pc}", assoc: "release_phase:{ph}", field: "Body", value: "On the phase"}}},
			{route: "DELETE /api/v1/release_phases/{id}", as: auContributor, method: "DELETE", path: "/api/v1/release_phases/{ph}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "release_phase", id: "{ph}", field: "Name", value: "Renamed phase"},
					{action: "destroy", typ: "comment", id: "{pc}", field: "Body", value: "On the phase"},
				}},
			{route: "POST /api/v1/releases/{release_id}/integrations/{integration_id}/fields", as: auContributor, method: "POST",
				path: fmt.Sprintf("/api/v1/releases/{rel}/integrations/%d/fields", demo.JiraPRJ1),
				body: `{"integration_field":{"name":"key","value":"AUD-1"}}`, status: 200, keep: "if",
				want: []auWant{{action: "create", typ: "integration_field", id: "{if}", assoc: "release:{rel}", field: "Value", value: "AUD-1"}}},
			{route: "DELETE /api/v1/integration_fields/{id}", as: auContributor, method: "DELETE", path: "/api/v1/integration_fields/{if}", status: 204,
				want: []auWant{{action: "destroy", typ: "integration_field", id: "{if}", assoc: "release:{rel}", field: "Value", value: "AUD-1"}}},
			{route: "DELETE /api/v1/releases/{id}", as: auContributor, method: "DELETE", path: "/api/v1/releases/{rel}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "release", id: "{rel}", field: "Name", value: "Audited again"},
					{action: "destroy", typ: "release_initiative", assoc: "release:{rel}", field: "Initiative", value: "Initiative 1"},
				}},
		},
		"work": {
			{route: "POST /api/v1/releases/{release_id}/features", as: auContributor, method: "POST", path: "/api/v1/releases/PRJ1-R-1/features",
				body: `{"feature":{"name":"Audited feature","description":"What it does"}}`, status: 201, keep: "ft",
				want: []auWant{
					{action: "create", typ: "feature", id: "{ft}", assoc: "release:" + r1, field: "Name", value: "Audited feature"},
					{action: "update", typ: "note", assoc: "feature:{ft}", field: "Description", value: `<div class="user-content"><span class="inserted">What it does</span></div>`},
				}},
			{route: "PUT /api/v1/features/{id}", as: auContributor, method: "PUT", path: "/api/v1/features/{ft}",
				body: `{"feature":{"name":"Renamed feature","release":"PRJ1-R-2"}}`, status: 200,
				want: []auWant{
					{action: "update", typ: "feature", id: "{ft}", field: "Name", value: "Audited feature &rarr; Renamed feature"},
					{action: "update", typ: "feature", id: "{ft}", field: "Release", value: "Release 1 &rarr; Release 2"},
				}},
			{route: "POST /api/v1/features/{feature_id}/comments", as: auContributor, method: "POST", path: "/api/v1/features/{ft}/comments",
				body: `{"comment":{"body":"On the feature"}}`, status: 201, keep: "fc",
				want: []auWant{{action: "create", typ: "comment", id: "{fc}", assoc: "feature:{ft}", field: "Body", value: "On the feature"}}},
			{route: "POST /api/v1/features/{feature_id}/requirements", as: auContributor, method: "POST", path: "/api/v1/features/{ft}/requirements",
				body: `{"requirement":{"name":"Audited requirement"}}`, status: 201, keep: "rq",
				want: []auWant{{action: "create", typ: "requirement", id: "{rq}", assoc: "feature:{ft}", field: "Name", value: "Audited requirement"}}},
			{route: "PUT /api/v1/requirements/{id}", as: auContributor, method: "PUT", path: "/api/v1/requirements/{rq}",
				body: `{"requirement":{"name":"Renamed requirement"}}`, status: 200,
				want: []auWant{{action: "update", typ: "requirement", id: "{rq}", field: "Name", value: "Audited requirement &rarr; Renamed requirement"}}},
			{route: "POST /api/v1/requirements/{requirement_id}/comments", as: auContributor, method: "POST", path: "/api/v1/requirements/{rq}/comments",
				body: `{"comment":{"body":"On the requirement"}}`, status: 201, keep: "qc",
				want: []auWant{{action: "create", typ: "comment", id: "{qc}", assoc: "requirement:{rq}", field: "Body", value: "On the requirement"}}},
			{route: "POST /api/v1/features/{feature_id}/requirements", as: auContributor, method: "POST", path: "/api/v1/features/{ft}/requirements",
				body: `{"requirement":{"name":"Doomed requirement"}}`, status: 201, keep: "rq2",
				want: []auWant{{action: "create", typ: "requirement", id: "{rq2}", field: "Name", value: "Doomed requirement"}}},
			{route: "DELETE /api/v1/requirements/{id}", as: auContributor, method: "DELETE", path: "/api/v1/requirements/{rq2}", status: 204,
				want: []auWant{{action: "destroy", typ: "requirement", id: "{rq2}", assoc: "feature:{ft}", field: "Name", value: "Doomed requirement"}}},
			{route: "POST /api/v1/requirements/{id}/convert_to_feature", as: auContributor, method: "POST", path: "/api/v1/requirements/{rq}/convert_to_feature", status: 200, keep: "cv",
				want: []auWant{
					{action: "create", typ: "feature", id: "{cv}", field: "Name", value: "Renamed requirement"},
					{action: "destroy", typ: "requirement", id: "{rq}", field: "Name", value: "Renamed requirement"},
					{action: "update", typ: "comment", id: "{qc}", assoc: "feature:{cv}"},
				}},
			{route: "POST /api/v1/products/{product_id}/epics", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/epics",
				body: `{"epic":{"name":"Audited epic"}}`, status: 201, keep: "ep",
				want: []auWant{{action: "create", typ: "epic", id: "{ep}", field: "Name", value: "Audited epic"}}},
			{route: "POST /api/v1/releases/{release_id}/epics", as: auContributor, method: "POST", path: "/api/v1/releases/PRJ1-R-2/epics",
				body: `{"epic":{"name":"Epic of release 2"}}`, status: 201, keep: "ep2",
				want: []auWant{{action: "create", typ: "epic", id: "{ep2}", assoc: "release:" + strconv.FormatInt(demo.Release2, 10), field: "Name", value: "Epic of release 2"}}},
			{route: "PUT /api/v1/epics/{id}", as: auContributor, method: "PUT", path: "/api/v1/epics/{ep}",
				body: `{"epic":{"name":"Renamed epic"}}`, status: 200,
				want: []auWant{{action: "update", typ: "epic", id: "{ep}", field: "Name", value: "Audited epic &rarr; Renamed epic"}}},
			{route: "PUT /api/v1/features/{id}", as: auContributor, method: "PUT", path: "/api/v1/features/{ft}",
				body: `{"feature":{"epic":"{ep}"}}`, status: 200,
				want: []auWant{{action: "update", typ: "feature", id: "{ft}", field: "Epic", value: "Renamed epic"}}},
			{route: "POST /api/v1/epics/{epic_id}/comments", as: auContributor, method: "POST", path: "/api/v1/epics/{ep}/comments",
				body: `{"comment":{"body":"On the epic"}}`, status: 201, keep: "ec",
				want: []auWant{{action: "create", typ: "comment", id: "{ec}", assoc: "epic:{ep}", field: "Body", value: "On the epic"}}},
			{route: "DELETE /api/v1/epics/{id}", as: auContributor, method: "DELETE", path: "/api/v1/epics/{ep}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "epic", id: "{ep}", field: "Name", value: "Renamed epic"},
					{action: "update", typ: "feature", id: "{ft}", field: "Epic", value: "Renamed epic"},
				}},
			{route: "POST /api/v1/tasks", as: auContributor, method: "POST", path: "/api/v1/tasks",
				body: `{"task":{"name":"Audited to-do","body":"<p>Check it</p>","taskable_type":"Feature","taskable_id":"{ft}"}}`, status: 200, keep: "tk",
				want: []auWant{{action: "create", typ: "task", id: "{tk}", field: "Name", value: "Audited to-do"}}},
			{route: "PUT /api/v1/tasks/{id}", as: auContributor, method: "PUT", path: "/api/v1/tasks/{tk}",
				body: `{"task":{"name":"Renamed to-do"}}`, status: 200,
				want: []auWant{{action: "update", typ: "task", id: "{tk}", field: "Name", value: "Audited to-do &rarr; Renamed to-do"}}},
			{route: "POST /api/v1/tasks/{task_id}/comments", as: auContributor, method: "POST", path: "/api/v1/tasks/{tk}/comments",
				body: `{"comment":{"body":"On the to-do"}}`, status: 201, keep: "tc",
				want: []auWant{{action: "create", typ: "comment", id: "{tc}", assoc: "task:{tk}", field: "Body", value: "On the to-do"}}},
			{route: "DELETE /api/v1/tasks/{id}", as: auContributor, method: "DELETE", path: "/api/v1/tasks/{tk}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "task", id: "{tk}", field: "Name", value: "Renamed to-do"},
					{action: "destroy", typ: "comment", id: "{tc}", field: "Body", value: "On the to-do"},
				}},
			{route: "DELETE /api/v1/features/{id}", as: auContributor, method: "DELETE", path: "/api/v1/features/{ft}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "feature", id: "{ft}", field: "Name", value: "Renamed feature"},
					{action: "destroy", typ: "comment", id: "{fc}", field: "Body", value: "On the feature"},
				}},
		},
		"strategy": {
			{route: "POST /api/v1/products/{product_id}/goals", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/goals",
				body: `{"goal":{"name":"Audited goal","description":"Why"}}`, status: 201, keep: "gl",
				want: []auWant{
					{action: "create", typ: "goal", id: "{gl}", field: "Name", value: "Audited goal"},
					{action: "update", typ: "note", assoc: "goal:{gl}", field: "Description", value: `<div class="user-content"><span class="inserted">Why</span></div>`},
				}},
			{route: "PUT /api/v1/products/{product_id}/goals/{id}", as: auContributor, method: "PUT", path: "/api/v1/products/PRJ1/goals/{gl}",
				body: `{"goal":{"name":"Renamed goal"}}`, status: 200,
				want: []auWant{{action: "update", typ: "goal", id: "{gl}", field: "Name", value: "Audited goal &rarr; Renamed goal"}}},
			{route: "PUT /api/v1/goals/{id}", as: auContributor, method: "PUT", path: "/api/v1/goals/{gl}",
				body: `{"goal":{"description":"Why not"}}`, status: 200,
				want: []auWant{{action: "update", typ: "note", assoc: "goal:{gl}", field: "Description", value: `<div class="user-content"><span class="deleted">Why</span><span class="inserted">Why not</span></div>`}}},
			{route: "POST /api/v1/goals/{goal_id}/comments", as: auContributor, method: "POST", path: "/api/v1/goals/{gl}/comments",
				body: `{"comment":{"body":"On the goal"}}`, status: 201, keep: "gc",
				want: []auWant{{action: "create", typ: "comment", id: "{gc}", assoc: "goal:{gl}", field: "Body", value: "On the goal"}}},
			{route: "POST /api/v1/goals/{goal_id}/key_results", as: auContributor, method: "POST", path: "/api/v1/goals/{gl}/key_results",
				body: `{"key_result":{"name":"Audited key result"}}`, status: 200, keep: "kr",
				want: []auWant{{action: "create", typ: "key_result", id: "{kr}", assoc: "goal:{gl}", field: "Name", value: "Audited key result"}}},
			{route: "PUT /api/v1/key_results/{id}", as: auContributor, method: "PUT", path: "/api/v1/key_results/{kr}",
				body: `{"key_result":{"name":"Renamed key result"}}`, status: 200,
				want: []auWant{{action: "update", typ: "key_result", id: "{kr}", field: "Name", value: "Audited key result &rarr; Renamed key result"}}},
			{route: "DELETE /api/v1/key_results/{id}", as: auContributor, method: "DELETE", path: "/api/v1/key_results/{kr}", status: 204,
				want: []auWant{{action: "destroy", typ: "key_result", id: "{kr}", field: "Name", value: "Renamed key result"}}},
			{route: "POST /api/v1/products/{product_id}/initiatives", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/initiatives",
				body: `{"initiative":{"name":"Audited initiative","goals":["{gl}"]}}`, status: 201, keep: "in",
				want: []auWant{
					{action: "create", typ: "initiative", id: "{in}", field: "Name", value: "Audited initiative"},
					{action: "create", typ: "goal_initiative", id: "{in}", assoc: "goal:{gl}", field: "Initiative", value: "Audited initiative"},
				}},
			{route: "PUT /api/v1/products/{product_id}/initiatives/{id}", as: auContributor, method: "PUT", path: "/api/v1/products/PRJ1/initiatives/{in}",
				body: `{"initiative":{"name":"Renamed initiative"}}`, status: 200,
				want: []auWant{{action: "update", typ: "initiative", id: "{in}", field: "Name", value: "Audited initiative &rarr; Renamed initiative"}}},
			{route: "PUT /api/v1/initiatives/{id}", as: auContributor, method: "PUT", path: "/api/v1/initiatives/{in}",
				body: `{"initiative":{"workflow_status":{"name":"On Track"},"presented":false}}`, status: 200,
				want: []auWant{
					{action: "update", typ: "initiative", id: "{in}", field: "Presented", value: "true &rarr; false"},
					{action: "update", typ: "initiative", id: "{in}", field: "Workflow status", value: "Not Started &rarr; On Track"},
				}},
			{route: "POST /api/v1/initiatives/{initiative_id}/comments", as: auContributor, method: "POST", path: "/api/v1/initiatives/{in}/comments",
				body: `{"comment":{"body":"On the initiative"}}`, status: 201, keep: "ic",
				want: []auWant{{action: "create", typ: "comment", id: "{ic}", assoc: "initiative:{in}", field: "Body", value: "On the initiative"}}},
			{route: "POST /api/v1/initiatives/{initiative_id}/integrations/{integration_id}/fields", as: auContributor, method: "POST",
				path: "/api/v1/initiatives/{in}/integrations/jira/fields", body: `{"integration_field":{"name":"key","value":"INIT-9"}}`, status: 200,
				want: []auWant{{action: "create", typ: "integration_field", assoc: "initiative:{in}", field: "Value", value: "INIT-9"}}},
			{route: "DELETE /api/v1/initiatives/{id}", as: auContributor, method: "DELETE", path: "/api/v1/initiatives/{in}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "initiative", id: "{in}", field: "Name", value: "Renamed initiative"},
					{action: "destroy", typ: "comment", id: "{ic}", field: "Body", value: "On the initiative"},
				}},
			{route: "POST /api/v1/products/{product_id}/initiatives", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/initiatives",
				body: `{"initiative":{"name":"Doomed initiative"}}`, status: 201, keep: "in2",
				want: []auWant{{action: "create", typ: "initiative", id: "{in2}", field: "Name", value: "Doomed initiative"}}},
			{route: "DELETE /api/v1/products/{product_id}/initiatives/{id}", as: auContributor, method: "DELETE", path: "/api/v1/products/PRJ1/initiatives/{in2}", status: 204,
				want: []auWant{{action: "destroy", typ: "initiative", id: "{in2}", field: "Name", value: "Doomed initiative"}}},
			{route: "DELETE /api/v1/goals/{id}", as: auContributor, method: "DELETE", path: "/api/v1/goals/{gl}", status: 204,
				want: []auWant{
					{action: "destroy", typ: "goal", id: "{gl}", field: "Name", value: "Renamed goal"},
					{action: "destroy", typ: "comment", id: "{gc}", field: "Body", value: "On the goal"},
				}},
			{route: "POST /api/v1/products/{product_id}/goals", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/goals",
				body: `{"goal":{"name":"Doomed goal"}}`, status: 201, keep: "gl2",
				want: []auWant{{action: "create", typ: "goal", id: "{gl2}", field: "Name", value: "Doomed goal"}}},
			{route: "DELETE /api/v1/products/{product_id}/goals/{id}", as: auContributor, method: "DELETE", path: "/api/v1/products/PRJ1/goals/{gl2}", status: 204,
				want: []auWant{{action: "destroy", typ: "goal", id: "{gl2}", field: "Name", value: "Doomed goal"}}},
		},
		"account": {
			{route: "POST /api/v1/products", as: auOwner, method: "POST", path: "/api/v1/products",
				body: `{"product":{"name":"Audited product","reference_prefix":"AUD","parent_id":"DEMOENT"}}`, status: 200, keep: "pr",
				want: []auWant{{action: "create", typ: "product", id: "{pr}", field: "Name", value: "Audited product"}}},
			{route: "PUT /api/v1/products/{id}", as: auOwner, method: "PUT", path: "/api/v1/products/{pr}",
				body: `{"product":{"name":"Renamed product"}}`, status: 200,
				want: []auWant{{action: "update", typ: "product", id: "{pr}", field: "Name", value: "Audited product &rarr; Renamed product"}}},
			{route: "POST /api/v1/products/{product_id}/integrations", as: auOwner, method: "POST", path: "/api/v1/products/{pr}/integrations",
				body: `{"integration":{"service_name":"github","name":"Audited GitHub"}}`, status: 200, keep: "ig",
				want: []auWant{{action: "create", typ: "integration", id: "{ig}", field: "Name", value: "Audited GitHub"}}},
			{route: "POST /api/v1/products/{product_id}/users", as: auOwner, method: "POST", path: "/api/v1/products/{pr}/users",
				body: `{"user":{"email":"sam.doe@example.com","first_name":"Sam","last_name":"Doe","role":"viewer"}}`, status: 200, keep: "us",
				want: []auWant{
					{action: "create", typ: "user", id: "{us}", field: "Email", value: "sam.doe@example.com"},
					{action: "create", typ: "product_role", id: "{us}", assoc: "product:{pr}", field: "User", value: "Sam Doe"},
				}},
			{route: "POST /api/v1/users/{id}/product_roles", as: auOwner, method: "POST", path: "/api/v1/users/{us}/product_roles",
				body: `{"product_role":{"role":"contributor","product_id":"PRJ2"}}`, status: 200,
				want: []auWant{{action: "create", typ: "product_role", id: "{us}", assoc: "product:" + strconv.FormatInt(demo.PRJ2, 10), field: "User", value: "Sam Doe"}}},
			{route: "DELETE /api/v1/users/{id}/product_roles/{product_id}", as: auOwner, method: "DELETE", path: "/api/v1/users/{us}/product_roles/PRJ2", status: 204,
				want: []auWant{{action: "destroy", typ: "product_role", id: "{us}", assoc: "product:" + strconv.FormatInt(demo.PRJ2, 10), field: "User", value: "Sam Doe"}}},
			{route: "PUT /api/v1/users/{id}", as: auOwner, method: "PUT", path: fmt.Sprintf("/api/v1/users/%d", demo.John),
				body: `{"user":{"first_name":"Johnny"}}`, status: 200,
				want: []auWant{{action: "update", typ: "user", id: strconv.FormatInt(demo.John, 10), field: "Name", value: "John Smith &rarr; Johnny Smith"}}},
			{route: "POST /api/v1/custom_field_definitions", as: auAdmin, method: "POST", path: "/api/v1/custom_field_definitions",
				body: `{"custom_field_definition":{"key":"audited","name":"Audited field","type":"SelectConstant","custom_fieldable_type":"Release","options":["Low"]}}`, status: 200, keep: "cf",
				want: []auWant{{action: "create", typ: "custom_field_definition", id: "{cf}", field: "Name", value: "Audited field"}}},
			{route: "POST /api/v1/custom_field_definitions/{id}/custom_field_options", as: auAdmin, method: "POST", path: "/api/v1/custom_field_definitions/{cf}/custom_field_options",
				body: `{"custom_field_option":{"value":"High"}}`, status: 200, keep: "op",
				want: []auWant{{action: "create", typ: "custom_field_option", id: "{op}", assoc: "custom_field_definition:{cf}", field: "Value", value: "High"}}},
			{route: "PUT /api/v1/custom_field_definitions/{id}/custom_field_options/{option_id}", as: auAdmin, method: "PUT", path: "/api/v1/custom_field_definitions/{cf}/custom_field_options/{op}",
				body: `{"custom_field_option":{"value":"Higher"}}`, status: 200,
				want: []auWant{{action: "update", typ: "custom_field_option", id: "{op}", field: "Value", value: "High &rarr; Higher"}}},
			{route: "DELETE /api/v1/custom_field_definitions/{id}/custom_field_options/{option_id}", as: auAdmin, method: "DELETE", path: "/api/v1/custom_field_definitions/{cf}/custom_field_options/{op}", status: 200,
				want: []auWant{{action: "destroy", typ: "custom_field_option", id: "{op}", field: "Value", value: "Higher"}}},
		},
	}
}

// auWriteRoutes returns the write operations of the OpenAPI description.
func auWriteRoutes(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "post", "put", "patch", "delete":
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// auRoutePath turns a route's path into a pattern that its concrete paths
// match.
func auRoutePath(route string) *regexp.Regexp {
	_, path, _ := strings.Cut(route, " ")
	return regexp.MustCompile("^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$")
}

// auAudit is an audit as GET /api/v1/audits shows it.
type auAudit struct {
	ID             string `json:"id"`
	Action         string `json:"audit_action"`
	CreatedAt      string `json:"created_at"`
	User           *struct{ ID string }
	AuditableType  string      `json:"auditable_type"`
	AuditableID    json.Number `json:"auditable_id"`
	AssociatedType *string     `json:"associated_type"`
	AssociatedID   json.Number `json:"associated_id"`
	Description    string      `json:"description"`
	URL            string      `json:"auditable_url"`
	Changes        []struct {
		FieldName string `json:"field_name"`
		Value     string `json:"value"`
	}
}

// id is the audit's ID as a number.
func (a *auAudit) id() int64 { n, _ := strconv.ParseInt(a.ID, 10, 64); return n }

// String shows an audit in one line, for failure messages.
func (a *auAudit) String() string {
	user, assoc := "-", "-"
	if a.User != nil {
		user = a.User.ID
	}
	if a.AssociatedType != nil {
		assoc = *a.AssociatedType + ":" + a.AssociatedID.String()
	}
	var ch []string
	for _, c := range a.Changes {
		ch = append(ch, c.FieldName+"="+c.Value)
	}
	return fmt.Sprintf("#%s %s %s:%s assoc %s by %s %q [%s]", a.ID, a.Action, a.AuditableType, a.AuditableID, assoc, user, a.Description, strings.Join(ch, "; "))
}

// auPage is an answer of GET /api/v1/audits.
type auPage struct {
	Audits     []*auAudit `json:"audits"`
	Pagination struct {
		TotalRecords int `json:"total_records"`
		TotalPages   int `json:"total_pages"`
		CurrentPage  int `json:"current_page"`
	} `json:"pagination"`
}

// auList sends GET /api/v1/audits with the query and token (the
// administrator's when empty) and decodes the answer.
func auList(t testing.TB, s *testServer, query, token string) *auPage {
	t.Helper()
	if token == "" {
		token = demo.Token
	}
	r := s.do(t, "GET", "/api/v1/audits?"+query, "", token)
	if r.Status != 200 {
		t.Fatalf("GET /api/v1/audits?%s: %s", query, r)
	}
	var p auPage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("GET /api/v1/audits?%s: %v: %s", query, err, r)
	}
	return &p
}

// auAfter returns every audit after the one with ID after (0: all), as the
// administrator sees them, following the cursor.
func auAfter(t testing.TB, s *testServer, after int64, token string) []*auAudit {
	t.Helper()
	var out []*auAudit
	for {
		q := "per_page=200"
		if after > 0 {
			q += "&after_id=" + strconv.FormatInt(after, 10)
		}
		p := auList(t, s, q, token)
		out = append(out, p.Audits...)
		if len(p.Audits) < 200 {
			return out
		}
		after = p.Audits[len(p.Audits)-1].id()
	}
}

// auRecordID returns the ID of the record an answer shows: its own, or that
// of the first record (or first of a list of records) it holds.
func auRecordID(n *jsonNode) string {
	if n.has("id") {
		return n.get("id").str()
	}
	for _, k := range n.keys {
		v := n.kv[k]
		if v.arr && len(v.list) > 0 {
			v = v.list[0]
		}
		if v.has("id") {
			return v.get("id").str()
		}
	}
	return ""
}

// auExpand writes kept IDs into s.
func auExpand(s string, kept map[string]string) string {
	for k, v := range kept {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// auMatch reports whether the audit is the one w describes.
func auMatch(a *auAudit, w auWant, kept map[string]string) bool {
	if a.Action != w.action || a.AuditableType != w.typ {
		return false
	}
	if w.id != "" && a.AuditableID.String() != auExpand(w.id, kept) {
		return false
	}
	if w.assoc != "" {
		if a.AssociatedType == nil || *a.AssociatedType+":"+a.AssociatedID.String() != auExpand(w.assoc, kept) {
			return false
		}
	}
	if w.field == "" {
		return true
	}
	return slices.ContainsFunc(a.Changes, func(c struct {
		FieldName string `json:"field_name"`
		Value     string `json:"value"`
	}) bool {
		return c.FieldName == w.field && c.Value == auExpand(w.value, kept)
	})
}

// TestAuditsOfEveryWrite sends a write to every write route of the OpenAPI
// description, on both engines, as a contributor or owner where the route
// allows one, and checks the audits each leaves: their action, type,
// record, associated record and changes, and that their actor is the user
// whose token sent the write. A write route without a case fails the test.
func TestAuditsOfEveryWrite(t *testing.T) {
	groups := auGroups()
	covered := map[string]bool{}
	for _, ws := range groups {
		for _, w := range ws {
			if !strings.HasPrefix(w.route, w.method+" ") {
				t.Errorf("%s %s is labelled %s", w.method, w.path, w.route)
			}
			if p := strings.SplitN(w.path, "?", 2)[0]; !auRoutePath(w.route).MatchString(regexp.MustCompile(`\{[a-z0-9]+\}`).ReplaceAllString(p, "x")) {
				t.Errorf("%s %s does not match its route %s", w.method, w.path, w.route)
			}
			covered[w.route] = true
		}
	}
	for _, route := range auWriteRoutes(t) {
		if !covered[route] && auNotWrites[route] == "" {
			t.Errorf("%s: no write of TestAuditsOfEveryWrite exercises it; add one to auGroups (or the reason it changes nothing to auNotWrites)", route)
		}
		if covered[route] && auNotWrites[route] != "" {
			t.Errorf("%s is both exercised and listed in auNotWrites", route)
		}
		delete(covered, route)
	}
	for route := range covered {
		t.Errorf("%s: the OpenAPI description has no such write route", route)
	}
	eachBackend(t, func(t *testing.T, backend string) {
		for name, ws := range groups {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := newDemoServer(t, backend)
				tokens := map[int64]string{demo.Mary: demo.Token}
				kept := map[string]string{}
				var last int64
				for i, w := range ws {
					tok, ok := tokens[w.as]
					if !ok {
						tok = tokenFor(t, s, w.as)
						tokens[w.as] = tok
					}
					path, body := auExpand(w.path, kept), auExpand(w.body, kept)
					at := fmt.Sprintf("write %d, %s %s", i+1, w.method, path)
					r := s.do(t, w.method, path, body, tok)
					if r.Status != w.status {
						t.Fatalf("%s: %s, want %d", at, r, w.status)
					}
					if w.keep != "" {
						kept[w.keep] = auRecordID(r.tree(t))
					}
					audits := auAfter(t, s, last, "")
					if len(audits) == 0 {
						t.Errorf("%s left no audits", at)
						continue
					}
					var lines []string
					records := map[string]bool{}
					for _, a := range audits {
						// One audit per record a write changed, however
						// many statements it took.
						rec := a.AuditableType + ":" + a.AuditableID.String()
						if a.AssociatedType != nil {
							rec += " of " + *a.AssociatedType + ":" + a.AssociatedID.String()
						}
						if records[rec] {
							t.Errorf("%s left more than one audit of %s", at, rec)
						}
						records[rec] = true
						lines = append(lines, a.String())
						if a.User == nil || a.User.ID != strconv.FormatInt(w.as, 10) {
							t.Errorf("%s: audit %s is not by user %d, whose token sent the write", at, a, w.as)
						}
						last = max(last, a.id())
					}
					for _, want := range w.want {
						if !slices.ContainsFunc(audits, func(a *auAudit) bool { return auMatch(a, want, kept) }) {
							t.Errorf("%s: no audit %+v among\n\t%s", at, want, strings.Join(lines, "\n\t"))
						}
					}
				}
			})
		}
	})
}

var _ = url.QueryEscape
