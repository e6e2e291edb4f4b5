package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
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
	// keep names the ID of the record the answer shows (see auRecordID),
	// for later paths and bodies that write it as {keep}.
	keep string
	// lookup, when set, is a GET whose last listed record's ID is kept
	// as {lookupKeep} before the write is sent.
	lookup, lookupKeep string
	want               []auWant
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

// auContributor, auOwner and auAdmin are the demo users the writes run as:
// Henry contributes to PRJ1 and John owns the product line DEMOENT, and so
// its products; Mary, the administrator, sends only what no one else may.
const (
	auContributor = demo.Henry
	auOwner       = demo.John
	auAdmin       = demo.Mary
)

// auNotWrites are write routes that change no record of the account, with
// the reason; TestAuditsRollBackWithAFailedWrite checks that they leave
// nothing.
var auNotWrites = map[string]string{
	"POST /api/v1/users/{id}/user_roles":                            "custom roles are an Aha! Enterprise+ feature that roadmapd does not have: the route refuses every change with 422",
	"DELETE /api/v1/users/{id}/user_roles/{product_id}":             "custom roles are an Aha! Enterprise+ feature that roadmapd does not have: there is never one to delete (404)",
	"POST /api/v1/webhooks":                                         "webhooks and their deliveries are not records of the plan but where its history is sent; their tables are not journaled",
	"PUT /api/v1/webhooks/{id}":                                     "webhooks and their deliveries are not records of the plan but where its history is sent; their tables are not journaled",
	"DELETE /api/v1/webhooks/{id}":                                  "webhooks and their deliveries are not records of the plan but where its history is sent; their tables are not journaled",
	"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver": "webhooks and their deliveries are not records of the plan but where its history is sent; their tables are not journaled",
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
					{action: "create", typ: "note", assoc: "release:{rel}", field: "Theme", value: `<div class="user-content"><span class="inserted">An audited theme</span></div>`},
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
					{action: "create", typ: "note", assoc: "feature:{ft}", field: "Description", value: `<div class="user-content"><span class="inserted">What it does</span></div>`},
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
			{route: "POST /api/v1/deletions/{id}/restore", as: auContributor, method: "POST", path: "/api/v1/deletions/{del}/restore", status: 200,
				lookup: "/api/v1/deletions?per_page=200", lookupKeep: "del",
				want: []auWant{
					{action: "create", typ: "feature", id: "{ft}", field: "Name", value: "Renamed feature"},
					{action: "create", typ: "comment", id: "{fc}", field: "Body", value: "On the feature"},
				}},
		},
		"strategy": {
			{route: "POST /api/v1/products/{product_id}/goals", as: auContributor, method: "POST", path: "/api/v1/products/PRJ1/goals",
				body: `{"goal":{"name":"Audited goal","description":"Why"}}`, status: 201, keep: "gl",
				want: []auWant{
					{action: "create", typ: "goal", id: "{gl}", field: "Name", value: "Audited goal"},
					{action: "create", typ: "note", assoc: "goal:{gl}", field: "Description", value: `<div class="user-content"><span class="inserted">Why</span></div>`},
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
	Changes        []auField
}

// auField is one change an audit shows.
type auField struct {
	FieldName string `json:"field_name"`
	Value     string `json:"value"`
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
// token's user (the administrator when empty) sees them, following the
// cursor.
func auAfter(t testing.TB, s *testServer, after int64, token string) []*auAudit {
	t.Helper()
	return auScan(t, s, "", after, token)
}

// auScan returns every audit that the query selects after the one with ID
// after (0: all), following the cursor.
func auScan(t testing.TB, s *testServer, query string, after int64, token string) []*auAudit {
	t.Helper()
	var out []*auAudit
	for {
		q := query + "&per_page=200"
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
	return slices.ContainsFunc(a.Changes, func(c auField) bool {
		return c.FieldName == w.field && c.Value == auExpand(w.value, kept)
	})
}

// TestAuditsOfEveryWrite sends a write to every write route of the OpenAPI
// description, on both engines, as a contributor or owner where the route
// allows one, and checks the audits each leaves: their action, type,
// record, associated record and changes, that there is one per record
// changed, and that their actor is the user whose token sent the write; and
// that the write left the change journal empty. A write route without a
// case fails the test.
func TestAuditsOfEveryWrite(t *testing.T) {
	t.Parallel()
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
			if !slices.ContainsFunc(w.want, func(x auWant) bool { return x.field != "" }) {
				t.Errorf("%s %s expects no change of any audit", w.method, w.path)
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
				cs := newConfiguredServer(t, backend, api.Config{})
				s := cs.testServer
				tokens := map[int64]string{demo.Mary: demo.Token}
				kept := map[string]string{}
				var last int64
				for i, w := range ws {
					tok, ok := tokens[w.as]
					if !ok {
						tok = tokenFor(t, s, w.as)
						tokens[w.as] = tok
					}
					if w.lookup != "" {
						list := s.do(t, "GET", w.lookup, "", tok).tree(t)
						for _, k := range list.keys {
							if v := list.kv[k]; v.arr && len(v.list) > 0 {
								kept[w.lookupKeep] = v.list[len(v.list)-1].get("id").str()
							}
						}
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
					if n, err := cs.DB.JournalRows(context.Background()); err != nil || n != 0 {
						t.Errorf("%s left %d rows in the change journal (%v)", at, n, err)
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

// auNothingLeft checks that no audit was written after the one with ID
// last and that the change journal is empty between transactions.
func auNothingLeft(t *testing.T, s *configuredServer, what string, last int64) {
	t.Helper()
	if n := s.count(t, "SELECT COUNT(*) FROM audits WHERE id > ?", last); n != 0 {
		t.Errorf("%s left %d audits", what, n)
		for _, a := range auAfter(t, s.testServer, last, "") {
			t.Logf("\t%s", a)
		}
	}
	if n, err := s.DB.JournalRows(context.Background()); err != nil || n != 0 {
		t.Errorf("%s left %d rows in the change journal (%v)", what, n, err)
	}
}

// auLastID returns the largest audit ID, or 0.
func auLastID(t *testing.T, s *configuredServer) int64 {
	t.Helper()
	return int64(s.count(t, "SELECT COALESCE(MAX(id), 0) FROM audits"))
}

// TestAuditsRollBackWithAFailedWrite sends writes that fail, some after
// they have written rows (a release inserted, then a custom field refused),
// and checks that each leaves no audit and no row in the change journal,
// on both engines; a write that succeeds in between does leave audits, and
// drains the journal too. A retry answered from an Idempotency-Key, and the
// custom role routes (auNotWrites), leave nothing either.
func TestAuditsRollBackWithAFailedWrite(t *testing.T) {
	t.Parallel()
	type failure struct {
		as                 int64
		method, path, body string
		status             int
	}
	failures := []failure{
		// A create that inserts the release, its status time and its
		// links before the custom field is refused.
		{auContributor, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"Half made","theme":"Half","initiatives":"Initiative 1","custom_fields":{"no_such_field":"x"}}}`, 422},
		// An update that changes the release before its custom fields.
		{auContributor, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"name":"Half changed","theme":"Half","custom_fields":{"no_such_field":"x"}}}`, 422},
		{auContributor, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"name":"Half changed","parent_id":"PRJ1-R-3"}}`, 422},
		{auContributor, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"Half made","initiatives":"No such initiative"}}`, 422},
		{auContributor, "DELETE", "/api/v1/releases/PRJ1-R-1", "", 422},
		{auContributor, "PUT", "/api/v1/features/PRJ1-1", `{"feature":{"name":"Half changed","release":"PRJ9-R-1"}}`, 422},
		{auContributor, "POST", "/api/v1/products/PRJ1/goals", `{"goal":{"name":"Half made","workflow_status":"No such status"}}`, 422},
		{auOwner, "POST", "/api/v1/products", `{"product":{"name":"Again","reference_prefix":"PRJ1","parent_id":"DEMOENT"}}`, 422},
		{auOwner, "POST", "/api/v1/products/PRJ1/users", `{"user":{"email":"half@example.com","first_name":"Half","last_name":"Made","role":"developer"}}`, 422},
		// A viewer's writes.
		{janeSmith, "PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"name":"By a viewer"}}`, 403},
		{janeSmith, "POST", "/api/v1/releases/PRJ1-R-1/comments", `{"comment":{"body":"By a viewer"}}`, 403},
		{janeSmith, "DELETE", "/api/v1/releases/PRJ1-R-2", "", 403},
		{janeSmith, "POST", "/api/v1/products/PRJ1/initiatives", `{"initiative":{"name":"By a viewer"}}`, 403},
		// The custom role routes, which change nothing.
		{auAdmin, "POST", fmt.Sprintf("/api/v1/users/%d/user_roles", demo.Henry), `{"user_role":{"custom_role_id":409541421,"product_id":"PRJ1"}}`, 422},
		{auAdmin, "DELETE", fmt.Sprintf("/api/v1/users/%d/user_roles/PRJ1", demo.Henry), "", 404},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		tokens := map[int64]string{auAdmin: demo.Token}
		for _, who := range []int64{auContributor, auOwner, janeSmith} {
			tokens[who] = tokenFor(t, s.testServer, who)
		}
		last := auLastID(t, s)
		if last != 0 {
			t.Fatalf("the demo account has %d audits, want none", last)
		}
		for i, f := range failures {
			what := fmt.Sprintf("%s %s", f.method, f.path)
			r := s.do(t, f.method, f.path, f.body, tokens[f.as])
			if r.Status != f.status {
				t.Fatalf("%s: %s, want %d", what, r, f.status)
			}
			ruCheckError(t, r)
			auNothingLeft(t, s, what, last)
			// Every few failures a write that succeeds, which must be
			// audited, so that the counts above can see audits.
			if i%4 == 3 {
				ruCall(t, s.testServer, tokens[auContributor], "PUT", "/api/v1/releases/PRJ1-R-3", fmt.Sprintf(`{"release":{"name":"Between failures %d"}}`, i), 200)
				next := auLastID(t, s)
				if next <= last {
					t.Fatalf("a successful write between the failures left no audit")
				}
				last = next
				auNothingLeft(t, s, "a successful write", last)
			}
		}

		// An Idempotency-Key: the first request is audited, its retry and
		// a different request with the key are not; nor is one refused
		// because the key's first request still runs.
		const path = "/api/v1/products/PRJ1/releases"
		body := `{"release":{"name":"Once only"}}`
		if r := s.post(t, path, body, "audited-once", tokens[auContributor]); r.Status != 200 {
			t.Fatalf("POST with an Idempotency-Key: %s", r)
		}
		next := auLastID(t, s)
		if next <= last {
			t.Fatalf("the first request with an Idempotency-Key left no audit")
		}
		last = next
		if r := s.post(t, path, body, "audited-once", tokens[auContributor]); r.Status != 200 || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the retry: %s, want the first answer replayed", r)
		}
		auNothingLeft(t, s, "a retry with the Idempotency-Key", last)
		if r := s.post(t, path, `{"release":{"name":"Another"}}`, "audited-once", tokens[auContributor]); r.Status != 422 {
			t.Fatalf("another request with the key: %s, want 422", r)
		}
		auNothingLeft(t, s, "another request with the Idempotency-Key", last)
		sum := sha256.Sum256([]byte("POST " + path + "?\n" + body))
		s.sql(t, "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, committed, created_at, expires_at) VALUES (?, ?, ?, 0, ?, ?, ?)",
			auContributor, "running", hex.EncodeToString(sum[:]), false, time.Now().UnixMilli(), time.Now().Add(time.Hour).UnixMilli())
		if r := s.post(t, path, body, "running", tokens[auContributor]); r.Status != 409 {
			t.Fatalf("a request whose key's first request still runs: %s, want 409", r)
		}
		auNothingLeft(t, s, "a request refused with 409", last)
	})
}

// TestAuditsVisibility checks that a viewer of PRJ1 alone sees the audits
// of PRJ1's records and none of PRJ2's, not even when she asks for a PRJ2
// record's history; that links from a PRJ1 release to a goal or initiative
// of a product she cannot see are left out, and so is a change that names
// a record of such a product; and that the administrator sees it all.
func TestAuditsVisibility(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		jane := tokenFor(t, s, janeSmith)
		id := func(ref string) string {
			return getJSON(t, s, "/api/v1/releases/"+ref).get("release", "id").str()
		}
		r1, r2, r3, prj2 := id("PRJ1-R-1"), id("PRJ1-R-2"), id("PRJ1-R-3"), id("PRJ2-R-1")
		prj2Name := getJSON(t, s, "/api/v1/releases/PRJ2-R-1").get("release", "name").str()
		ruCall(t, s, "", "PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"name":"Seen by Jane"}}`, 200)
		ruCall(t, s, "", "PUT", "/api/v1/releases/PRJ2-R-1", `{"release":{"name":"Hidden from Jane"}}`, 200)
		in2 := ruCall(t, s, "", "POST", "/api/v1/products/PRJ2/initiatives", `{"initiative":{"name":"Initiative of project 2"}}`, 201).get("initiative", "id").str()
		goal2 := ruCall(t, s, "", "POST", "/api/v1/products/PRJ2/goals", `{"goal":{"name":"Goal of project 2"}}`, 201).get("goal", "id").str()
		if r := s.do(t, "GET", "/api/v1/goals/"+goal2, "", jane); r.Status != 404 {
			t.Fatalf("Jane reads a goal of PRJ2: %s, want 404", r)
		}
		// PRJ1-R-2 leaves Initiative 1 (PRJ1) for an initiative of PRJ2;
		// PRJ1-R-3 gets a goal of PRJ2.
		ruCall(t, s, "", "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"initiatives":["`+in2+`"]}}`, 200)
		ruCall(t, s, "", "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"goals":["`+goal2+`"]}}`, 200)
		// PRJ1-R-3 goes under a roll-up of PRJ2: the change of its parent
		// names a record Jane cannot see; that of its name she may.
		mr := ruCall(t, s, "", "POST", "/api/v1/products/PRJ2/roll_up_releases", `{"roll_up_release":{"name":"Roll-up of project 2","project_ids":["PRJ1"]}}`, 200).get("roll_up_release", "id").str()
		ruCall(t, s, "", "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"name":"Under another roll-up","parent_id":"`+mr+`"}}`, 200)
		user := ruCall(t, s, "", "POST", "/api/v1/products/PRJ2/users", `{"user":{"email":"hidden.user@example.com","first_name":"Hidden","last_name":"User","role":"viewer"}}`, 200).get("user", "id").str()

		all := auAfter(t, s, 0, "")
		seen := auAfter(t, s, 0, jane)
		hiddenRecords := map[string]bool{prj2: true, in2: true, mr: true, user: true, goal2: true}
		hiddenNames := []string{"Hidden from Jane", "Initiative of project 2", "Roll-up of project 2", "Goal of project 2", "Hidden User", "hidden.user@example.com"}
		find := func(list []*auAudit, w auWant) *auAudit {
			for _, a := range list {
				if auMatch(a, w, nil) {
					return a
				}
			}
			return nil
		}
		// What the administrator sees.
		for _, w := range []auWant{
			{action: "update", typ: "release", id: prj2, field: "Name", value: prj2Name + " &rarr; Hidden from Jane"},
			{action: "create", typ: "release_initiative", id: in2, assoc: "release:" + r2, field: "Initiative", value: "Initiative of project 2"},
			{action: "create", typ: "release_goal", id: goal2, assoc: "release:" + r3, field: "Goal", value: "Goal of project 2"},
			{action: "update", typ: "release", id: r3, field: "Parent", value: "Roll-up of project 2"},
			{action: "create", typ: "user", id: user, field: "Email", value: "hidden.user@example.com"},
		} {
			if find(all, w) == nil {
				t.Errorf("the administrator does not see %+v", w)
			}
		}
		// What Jane sees.
		for _, w := range []auWant{
			{action: "update", typ: "release", id: r1, field: "Name", value: "Release 1 &rarr; Seen by Jane"},
			{action: "destroy", typ: "release_initiative", id: strconv.FormatInt(demo.Initiative1, 10), assoc: "release:" + r2, field: "Initiative", value: "Initiative 1"},
			{action: "update", typ: "release", id: r3, field: "Name", value: "Release 3 &rarr; Under another roll-up"},
		} {
			if find(seen, w) == nil {
				t.Errorf("Jane does not see %+v", w)
			}
		}
		if len(seen) >= len(all) {
			t.Errorf("Jane sees %d audits of the administrator's %d", len(seen), len(all))
		}
		for _, a := range seen {
			assoc := ""
			if a.AssociatedType != nil {
				assoc = a.AssociatedID.String()
			}
			if hiddenRecords[a.AuditableID.String()] || hiddenRecords[assoc] || a.AuditableType == "user" || a.AuditableType == "workflow" {
				t.Errorf("Jane sees %s", a)
			}
			for _, c := range a.Changes {
				if c.FieldName == "Parent" && a.AuditableID.String() == r3 {
					t.Errorf("Jane sees the change of PRJ1-R-3's parent to a roll-up of PRJ2: %s", a)
				}
			}
			line := a.String()
			for _, name := range hiddenNames {
				if strings.Contains(line, name) || strings.Contains(a.URL, "PRJ2") {
					t.Errorf("Jane sees %q in %s", name, a)
				}
			}
		}
		// A record's history: PRJ1-R-3's holds its name, not its parent nor
		// its link to the goal; PRJ2-R-1's is empty.
		hist := auList(t, s, "auditable_type=Release&auditable_id="+r3, jane)
		if find(hist.Audits, auWant{action: "update", typ: "release", id: r3, field: "Name", value: "Release 3 &rarr; Under another roll-up"}) == nil {
			t.Errorf("Jane's history of PRJ1-R-3 lacks its rename: %v", hist.Audits)
		}
		for _, a := range hist.Audits {
			if a.AuditableType == "release_goal" || slices.ContainsFunc(a.Changes, func(c auField) bool {
				return c.FieldName == "Parent"
			}) {
				t.Errorf("Jane's history of PRJ1-R-3 shows %s", a)
			}
		}
		if adm := auList(t, s, "auditable_type=Release&auditable_id="+r3, ""); len(adm.Audits) <= len(hist.Audits) {
			t.Errorf("the administrator's history of PRJ1-R-3 has %d audits, Jane's %d", len(adm.Audits), len(hist.Audits))
		}
		for _, q := range []string{"auditable_type=Release&auditable_id=" + prj2, "auditable_id=" + prj2, "associated_type=Release&associated_id=" + mr, "auditable_id=" + in2, "auditable_id=" + user} {
			p := auList(t, s, q, jane)
			if len(p.Audits) != 0 || p.Pagination.TotalRecords != 0 {
				t.Errorf("Jane asks for %s: %d audits, total_records %d, want none", q, len(p.Audits), p.Pagination.TotalRecords)
			}
			if len(auList(t, s, q, "").Audits) == 0 {
				t.Errorf("the administrator asks for %s: no audits", q)
			}
		}
	})
}

// TestAuditsCursor builds a few hundred audits and checks that after_id
// pages through them each once in ID order, with a pagination that
// describes each page; that the filters select what they say, alone and
// with the cursor; and that bad parameters answer 400 naming the parameter.
func TestAuditsCursor(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		henry := tokenFor(t, s.testServer, auContributor)
		var dups []string
		for i := 0; i < 20; i++ {
			dups = append(dups, ruCall(t, s.testServer, "", "POST", "/api/v1/releases/PRJ1-R-1/duplicate", "", 200).get("release", "id").str())
		}
		for i := 0; i < 10; i++ {
			ruCall(t, s.testServer, henry, "PUT", "/api/v1/releases/"+dups[i], fmt.Sprintf(`{"release":{"name":"Renamed by Henry %d"}}`, i), 200)
		}
		for i := 0; i < 5; i++ {
			doomed := s.create(t, "PRJ1", fmt.Sprintf(`"name":"Doomed %d"`, i)).get("id").str()
			ruCall(t, s.testServer, "", "DELETE", "/api/v1/releases/"+doomed, "", 204)
		}
		ruCall(t, s.testServer, "", "PUT", "/api/v1/key_results/DEMOENT-G-1-KR-1", `{"key_result":{"name":"Renamed key result"}}`, 200)

		total := s.count(t, "SELECT COUNT(*) FROM audits")
		if total < 200 {
			t.Fatalf("%d audits, want a few hundred", total)
		}
		t.Logf("%d audits", total)
		// The cursor, 7 at a time.
		var all []*auAudit
		seen := map[string]bool{}
		var after int64
		for pages := 0; ; pages++ {
			if pages > total {
				t.Fatalf("the cursor does not end")
			}
			q := "per_page=7"
			if after > 0 {
				q += "&after_id=" + strconv.FormatInt(after, 10)
			}
			p := auList(t, s.testServer, q, "")
			if pages > 0 && (p.Pagination.TotalRecords != len(p.Audits) || p.Pagination.TotalPages != 1 || p.Pagination.CurrentPage != 1) {
				t.Errorf("after_id=%d: pagination %+v for %d audits, want it to describe the page", after, p.Pagination, len(p.Audits))
			}
			if pages == 0 && (p.Pagination.TotalRecords != total || p.Pagination.TotalPages != (total+6)/7) {
				t.Errorf("the first page: pagination %+v, want %d records in %d pages", p.Pagination, total, (total+6)/7)
			}
			for _, a := range p.Audits {
				if a.id() <= after {
					t.Fatalf("after_id=%d answered audit %s", after, a.ID)
				}
				if seen[a.ID] {
					t.Fatalf("audit %s answered twice", a.ID)
				}
				seen[a.ID] = true
				after = a.id()
				all = append(all, a)
			}
			if len(p.Audits) < 7 {
				if len(p.Audits) == 0 && p.Pagination.TotalRecords != 0 {
					t.Errorf("the empty end of the cursor: pagination %+v", p.Pagination)
				}
				break
			}
		}
		if len(all) != total {
			t.Fatalf("the cursor answered %d audits of %d", len(all), total)
		}
		ids := func(list []*auAudit) []string {
			out := []string{}
			for _, a := range list {
				out = append(out, a.ID)
			}
			return out
		}
		if got := ids(auAfter(t, s.testServer, 0, "")); !slices.Equal(got, ids(all)) {
			t.Errorf("pages of 200 answer %d audits, pages of 7 %d", len(got), len(all))
		}

		// The filters, against the full list.
		keep := func(f func(*auAudit) bool) []string {
			var out []*auAudit
			for _, a := range all {
				if f(a) {
					out = append(out, a)
				}
			}
			return ids(out)
		}
		middle := all[len(all)/2].CreatedAt
		at, err := time.Parse(time.RFC3339Nano, middle)
		if err != nil {
			t.Fatalf("created_at %q: %v", middle, err)
		}
		when := func(a *auAudit) time.Time { w, _ := time.Parse(time.RFC3339Nano, a.CreatedAt); return w }
		copied, henrys := dups[0], strconv.FormatInt(auContributor, 10)
		for _, c := range []struct {
			query string
			after int64
			want  []string
		}{
			{"audit_action=destroy", 0, keep(func(a *auAudit) bool { return a.Action == "destroy" })},
			{"audit_action=create", all[40].id(), keep(func(a *auAudit) bool { return a.Action == "create" && a.id() > all[40].id() })},
			{"user_id=" + henrys, 0, keep(func(a *auAudit) bool { return a.User != nil && a.User.ID == henrys })},
			{"created_since=" + url.QueryEscape(middle), 0, keep(func(a *auAudit) bool { return !when(a).Before(at) })},
			{"created_before=" + url.QueryEscape(middle), 0, keep(func(a *auAudit) bool { return when(a).Before(at) })},
			{"associated_type=Release&associated_id=" + copied, 0, keep(func(a *auAudit) bool {
				return a.AssociatedType != nil && *a.AssociatedType == "release" && a.AssociatedID.String() == copied
			})},
			{"auditable_type=KeyResult", 0, keep(func(a *auAudit) bool { return a.AuditableType == "key_result" })},
			{"auditable_type=key_result", 0, keep(func(a *auAudit) bool { return a.AuditableType == "key_result" })},
			{"auditable_type=release_watcher&audit_action=destroy", 0, keep(func(a *auAudit) bool { return a.AuditableType == "release_watcher" && a.Action == "destroy" })},
		} {
			if len(c.want) == 0 || len(c.want) == len(all) {
				t.Errorf("%s: the test expects %d of %d audits; it must select some", c.query, len(c.want), len(all))
			}
			got := auScan(t, s.testServer, c.query, c.after, "")
			if g := ids(got); !slices.Equal(g, c.want) {
				t.Errorf("%s: %d audits, want %d", c.query, len(g), len(c.want))
			}
		}

		for _, c := range []struct{ query, field string }{
			{"after_id=abc", "after_id"},
			{"after_id=-3", "after_id"},
			{"user_id=1.5", "user_id"},
			{"audit_action=bogus", "audit_action"},
			{"associated_type=Feature", "associated_id"},
			{"created_since=yesterday", "created_since"},
			{"created_before=2019-13-01T00:00:00Z", "created_before"},
		} {
			r := s.do(t, "GET", "/api/v1/audits?"+c.query, "")
			if r.Status != 400 {
				t.Errorf("%s: %s, want 400", c.query, r)
				continue
			}
			ruCheckError(t, r)
			if f := r.tree(t).get("errors", "field").str(); f != c.field {
				t.Errorf("%s: the error names %q, want %q", c.query, f, c.field)
			}
		}
	})
}
