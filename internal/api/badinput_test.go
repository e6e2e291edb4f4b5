package api_test

import (
	"strings"
	"testing"
)

// Where a bad input applies: on create (POST /api/v1/products/PRJ1/releases),
// on update (PUT /api/v1/products/PRJ1/releases/PRJ1-R-1), or both.
const (
	onCreate = 1 << iota
	onUpdate
	onBoth = onCreate | onUpdate
)

// badInput is a request body that must be refused with status, with a
// message that mentions the field at fault.
type badInput struct {
	name    string
	body    string
	status  int
	mention string
	on      int
}

// wrap returns the body {"release": {fields}}.
func wrap(fields string) string { return `{"release":{` + fields + `}}` }

// bigTheme returns a release body whose theme has n bytes.
func bigTheme(n int) string { return wrap(`"name":"Big","theme":"` + strings.Repeat("x", n) + `"`) }

var badInputs = []badInput{
	// Bodies that are not a release.
	{"malformed JSON", `{"release":`, 400, "JSON", onBoth},
	{"malformed JSON inside", `{"release":{"name":"x",}}`, 400, "JSON", onBoth},
	{"trailing data", `{"release":{"name":"x"}} {`, 400, "JSON", onBoth},
	{"an array", `[{"release":{"name":"x"}}]`, 400, "release", onBoth},
	{"a string", `"release"`, 400, "release", onBoth},
	{"a number", `42`, 400, "release", onBoth},
	{"null", `null`, 400, "release", onBoth},
	{"an empty object", `{}`, 400, "release", onBoth},
	{"release is a string", `{"release": "x"}`, 400, "release", onBoth},
	{"release is an array", `{"release": [{"name":"x"}]}`, 400, "release", onBoth},
	{"release is null", `{"release": null}`, 400, "release", onBoth},
	{"release under another name", `{"releases": {"name":"x"}}`, 400, "release", onBoth},
	{"fields is an object", `{"release":{"name":"x"},"fields":{"a":1}}`, 400, "fields", onBoth},
	{"missing body", ``, 400, "release", onBoth},
	{"blank body", " \n\t ", 400, "release", onBoth},

	// Wrong types.
	{"name is a number", wrap(`"name":123`), 400, "name", onBoth},
	{"name is a boolean", wrap(`"name":true`), 400, "name", onBoth},
	{"name is an array", wrap(`"name":["x"]`), 400, "name", onBoth},
	{"goals is an object", wrap(`"name":"x","goals":{"id":602095703}`), 400, "goals", onBoth},
	{"goals holds objects", wrap(`"name":"x","goals":[{"id":602095703}]`), 400, "goals", onBoth},
	{"goals is a boolean", wrap(`"name":"x","goals":true`), 400, "goals", onBoth},
	{"initiatives is an object", wrap(`"name":"x","initiatives":{"name":"Initiative 1"}`), 400, "initiatives", onBoth},
	{"watchers is an object", wrap(`"name":"x","watchers":{"id":16338845}`), 400, "watchers", onBoth},
	{"parking_lot is maybe", wrap(`"name":"x","parking_lot":"maybe"`), 400, "parking_lot", onBoth},
	{"parking_lot is 2", wrap(`"name":"x","parking_lot":2`), 400, "parking_lot", onBoth},
	{"parking_lot is an object", wrap(`"name":"x","parking_lot":{}`), 400, "parking_lot", onBoth},
	{"progress is lots", wrap(`"name":"x","progress_source":"progress_manual","progress":"lots"`), 400, "progress", onBoth},
	{"progress is a fraction", wrap(`"name":"x","progress_source":"progress_manual","progress":10.5`), 400, "progress", onBoth},
	{"progress is a boolean", wrap(`"name":"x","progress_source":"progress_manual","progress":true`), 400, "progress", onBoth},
	{"progress is huge", wrap(`"name":"x","progress_source":"progress_manual","progress":1e300`), 400, "progress", onBoth},
	{"theme is an array", wrap(`"name":"x","theme":["a"]`), 400, "theme", onBoth},
	{"theme is an object", wrap(`"name":"x","theme":{"body":"a"}`), 400, "theme", onBoth},
	{"start_date is a number", wrap(`"name":"x","start_date":20250101`), 400, "start_date", onBoth},
	{"owner is an array", wrap(`"name":"x","owner":["no-reply@aha.io"]`), 400, "owner", onBoth},
	{"owner is an empty object", wrap(`"name":"x","owner":{}`), 400, "owner", onBoth},
	{"status is an object", wrap(`"name":"x","status":{"x":1}`), 400, "status", onBoth},
	{"workflow_status is a boolean", wrap(`"name":"x","workflow_status":true`), 400, "workflow_status", onBoth},
	{"parent_id is an array", wrap(`"name":"x","parent_id":[292454904]`), 400, "parent_id", onBoth},
	{"capacity_units is a number", wrap(`"name":"x","capacity_units":5`), 400, "capacity_units", onBoth},

	// Names.
	{"empty name", wrap(`"name":""`), 422, "name", onBoth},
	{"whitespace name", wrap(`"name":"   "`), 422, "name", onBoth},
	{"null name", wrap(`"name":null`), 422, "name", onBoth},
	{"no name", wrap(`"theme":"no name"`), 422, "name", onCreate},
	{"256-character name", wrap(`"name":"` + strings.Repeat("n", 256) + `"`), 422, "name", onBoth},
	{"256-rune name", wrap(`"name":"` + strings.Repeat("é", 256) + `"`), 422, "name", onBoth},

	// Dates.
	{"impossible start_date", wrap(`"name":"x","start_date":"2025-02-30"`), 422, "start_date", onBoth},
	{"impossible release_date", wrap(`"name":"x","release_date":"2025-13-01"`), 422, "release_date", onBoth},
	{"release_date tomorrow", wrap(`"name":"x","release_date":"tomorrow"`), 422, "release_date", onBoth},
	{"release_date with slashes", wrap(`"name":"x","release_date":"2025/01/01"`), 422, "release_date", onBoth},
	{"release_date unpadded", wrap(`"name":"x","release_date":"2025-1-01"`), 422, "release_date", onBoth},
	{"release_date with a time", wrap(`"name":"x","release_date":"2025-01-01T00:00:00Z"`), 422, "release_date", onBoth},
	{"end_date month 0", wrap(`"name":"x","end_date":"2025-00-10"`), 422, "end_date", onBoth},
	{"development_started_on not a date", wrap(`"name":"x","development_started_on":"soon"`), 422, "development_started_on", onBoth},
	{"external_release_date 29 Feb 2025", wrap(`"name":"x","external_date_resolution":"exact","external_release_date":"2025-02-29"`), 422, "external_release_date", onBoth},
	{"empty release_date", wrap(`"name":"x","release_date":""`), 422, "release_date", onBoth},
	{"null release_date", wrap(`"name":"x","release_date":null`), 422, "release_date", onBoth},
	{"start after release", wrap(`"name":"x","start_date":"2025-05-02","release_date":"2025-05-01"`), 422, "start_date", onBoth},

	// References to records that do not exist.
	{"unknown workflow_status", wrap(`"name":"x","workflow_status":"Nope"`), 422, "status", onBoth},
	{"unknown status", wrap(`"name":"x","status":"Nope"`), 422, "status", onBoth},
	{"unknown status ID", wrap(`"name":"x","workflow_status":999`), 422, "status", onBoth},
	{"blank status", wrap(`"name":"x","workflow_status":null`), 422, "status", onUpdate},
	{"unknown goal ID", wrap(`"name":"x","goals":[999]`), 422, "goals", onBoth},
	{"unknown goal name", wrap(`"name":"x","goals":"Goal 1,Goal 9"`), 422, "goals", onBoth},
	{"unknown initiative name", wrap(`"name":"x","initiatives":"Initiative 9"`), 422, "initiatives", onBoth},
	{"unknown initiative ID", wrap(`"name":"x","initiatives":[423077122, 999]`), 422, "initiatives", onBoth},
	{"unknown owner email", wrap(`"name":"x","owner":"nobody@example.com"`), 422, "owner", onBoth},
	{"unknown owner ID", wrap(`"name":"x","owner":999`), 422, "owner", onBoth},
	{"blank owner", wrap(`"name":"x","owner":""`), 422, "owner", onBoth},
	{"null owner", wrap(`"name":"x","owner":null`), 422, "owner", onBoth},
	{"unknown watcher", wrap(`"name":"x","watchers":["john.smith@example.com","nobody@example.com"]`), 422, "watchers", onBoth},
	{"unknown watcher ID", wrap(`"name":"x","watchers":"999"`), 422, "watchers", onBoth},
	{"unknown parent", wrap(`"name":"x","parent_id":"PRJ1-MR-99"`), 422, "parent_id", onBoth},

	// Parents that are not roll-ups.
	{"parent is a release", wrap(`"name":"x","parent_id":"161456549"`), 422, "parent_id", onBoth},
	{"parent is a release, as a number", wrap(`"name":"x","parent_id":161456549`), 422, "parent_id", onBoth},
	{"parent is a sub-release", wrap(`"name":"x","parent_id":"PRJ1-R-4"`), 422, "parent_id", onBoth},
	{"parent is itself", wrap(`"name":"x","parent_id":"PRJ1-R-1"`), 422, "parent_id", onUpdate},

	// Progress.
	{"progress with the default source", wrap(`"name":"x","progress":10`), 422, "progress", onCreate},
	{"progress with a computed source", wrap(`"name":"x","progress_source":"progress_from_features","progress":10`), 422, "progress", onBoth},
	{"progress 101", wrap(`"name":"x","progress_source":"progress_manual","progress":101`), 422, "progress", onBoth},
	{"progress -1", wrap(`"name":"x","progress_source":"progress_manual","progress":-1`), 422, "progress", onBoth},

	// Capacity.
	{"points in time units", wrap(`"name":"x","capacity_units":"time","total_capacity_text":"4p"`), 422, "total_capacity_text", onBoth},
	{"time in story points", wrap(`"name":"x","capacity_units":"story_points","total_capacity_text":"2d"`), 422, "total_capacity_text", onBoth},
	{"unknown capacity unit", wrap(`"name":"x","total_capacity_text":"3x"`), 422, "total_capacity_text", onBoth},
	{"unknown capacity unit in time", wrap(`"name":"x","capacity_units":"time","total_capacity_text":"3x"`), 422, "total_capacity_text", onBoth},
	{"mixed capacity", wrap(`"name":"x","total_capacity_text":"2d 3p"`), 422, "total_capacity_text", onBoth},
	{"negative capacity", wrap(`"name":"x","total_capacity_text":"-2d"`), 422, "total_capacity_text", onBoth},
	{"capacity_units hours", wrap(`"name":"x","capacity_units":"hours"`), 422, "capacity_units", onBoth},
	{"capacity_units hours with text", wrap(`"name":"x","capacity_units":"hours","total_capacity_text":"2h"`), 422, "capacity_units", onBoth},

	// Enumerations.
	{"progress_source bogus", wrap(`"name":"x","progress_source":"bogus"`), 422, "progress_source", onBoth},
	{"progress_source null", wrap(`"name":"x","progress_source":null`), 422, "progress_source", onBoth},
	{"duration_source bogus", wrap(`"name":"x","duration_source":"bogus"`), 422, "duration_source", onBoth},
	{"duration_source empty", wrap(`"name":"x","duration_source":""`), 422, "duration_source", onBoth},
	{"external_date_resolution decade", wrap(`"name":"x","external_date_resolution":"decade"`), 422, "external_date_resolution", onBoth},
	{"external_date_resolution in capitals", wrap(`"name":"x","external_date_resolution":"WEEK"`), 422, "external_date_resolution", onBoth},
	{"duration_from_sub_releases on a release", wrap(`"name":"x","duration_source":"duration_from_sub_releases"`), 422, "duration_source", onBoth},

	// Text no backend can store.
	{"NUL in name", wrap(`"name":"a\u0000b"`), 422, "name", onBoth},
	{"NUL in theme", wrap(`"name":"x","theme":"<p>\u0000</p>"`), 422, "theme", onBoth},
	{"NUL in release_date", wrap(`"name":"x","release_date":"2025-01-0\u0000"`), 422, "release_date", onBoth},
	{"NUL in owner", wrap(`"name":"x","owner":"no-reply@aha.io\u0000"`), 422, "owner", onBoth},
	{"NUL in goals", wrap(`"name":"x","goals":["Goal 1","Goal\u00002"]`), 422, "goals", onBoth},
	{"NUL in initiatives", wrap(`"name":"x","initiatives":"Initiative 1,\u0000"`), 422, "initiatives", onBoth},
	{"NUL in watchers", wrap(`"name":"x","watchers":"\u0000"`), 422, "watchers", onBoth},
	{"NUL in status", wrap(`"name":"x","status":"New\u0000"`), 422, "status", onBoth},
	{"NUL in parent_id", wrap(`"name":"x","parent_id":{"id":"PRJ1-MR-1\u0000"}`), 422, "parent_id", onBoth},

	// Sizes.
	{"theme over the limit", bigTheme(100001), 422, "theme", onBoth},
	{"body over 1 MiB", bigTheme(2 << 20), 413, "body", onBoth},
}

// badUpdate is an update refused after setup updates that succeed.
type badUpdate struct {
	name    string
	setup   [][2]string // path and body of each PUT
	path    string
	body    string
	status  int
	mention string
}

const prj1Release = "/api/v1/products/PRJ1/releases/"

var badUpdates = []badUpdate{
	{name: "progress on a release with progress_from_features",
		setup: [][2]string{{prj1Release + "PRJ1-R-2", wrap(`"progress_source":"progress_from_features"`)}},
		path:  prj1Release + "PRJ1-R-2", body: wrap(`"progress":10`), status: 422, mention: "progress"},
	{"a roll-up under itself", nil, prj1Release + "PRJ1-MR-1", wrap(`"parent_id":"PRJ1-MR-1"`), 422, "parent_id"},
	{"a roll-up under itself by ID", nil, prj1Release + "PRJ1-MR-1", wrap(`"parent_id":292454904`), 422, "parent_id"},
	{"a cycle of roll-ups",
		[][2]string{{prj1Release + "PRJ1-MR-1", wrap(`"parent_id":"PRJ1-MR-2"`)}},
		prj1Release + "PRJ1-MR-2", wrap(`"parent_id":"PRJ1-MR-1"`), 422, "parent_id"},
	{"a cycle of roll-ups by ID", nil, "/api/v1/releases/141021264", wrap(`"parent_id":"292454904"`), 422, "parent_id"},
	{"a sub-release as its own parent", nil, prj1Release + "PRJ1-R-4", wrap(`"parent_id":"PRJ1-R-4"`), 422, "parent_id"},
	{"duration_from_sub_releases on a sub-release", nil, prj1Release + "PRJ1-R-4", wrap(`"duration_source":"duration_from_sub_releases"`), 422, "duration_source"},
	{"release_date computed from sub-releases",
		[][2]string{{prj1Release + "PRJ1-MR-1", wrap(`"duration_source":"duration_from_sub_releases"`)}},
		prj1Release + "PRJ1-MR-1", wrap(`"release_date":"2025-01-01"`), 422, "release_date"},
	{"start_date computed from sub-releases", nil, prj1Release + "PRJ1-MR-1", wrap(`"start_date":"2025-01-01"`), 422, "start_date"},
	{"new capacity units without a new text",
		[][2]string{{prj1Release + "PRJ1-R-3", wrap(`"capacity_units":"time","total_capacity_text":"2d"`)}},
		prj1Release + "PRJ1-R-3", wrap(`"capacity_units":"story_points"`), 422, "capacity_units"},
	{"release_date before the start_date", nil, prj1Release + "PRJ1-R-1", wrap(`"release_date":"2018-12-31"`), 422, "start_date"},
	{"start_date after the release_date", nil, "/api/v1/releases/PRJ1-R-1", wrap(`"start_date":"2019-01-02"`), 422, "start_date"},
	{"a bad input among good ones", nil, prj1Release + "PRJ1-R-3",
		wrap(`"name":"Changed","status":"Shipped","goals":"Goal 2","initiatives":"Initiative 2","watchers":[689956296],"owner":"no-reply@aha.io","theme":"changed","release_date":"2025-02-30"`), 422, "release_date"},
}

// badQueries are list parameters that must be refused with 400, with the
// parameter they name.
var badQueries = []struct{ query, mention string }{
	{"per_page=0", "per_page"},
	{"per_page=-5", "per_page"},
	{"per_page=abc", "per_page"},
	{"per_page=1.5", "per_page"},
	{"per_page=99999999999999999999", "per_page"},
	{"page=0", "page"},
	{"page=-1", "page"},
	{"page=x", "page"},
	{"page=99999999999", "page"},
	{"parking_lot=maybe", "parking_lot"},
	{"exclude_shipped=2x", "exclude_shipped"},
	{"updated_since=yesterday", "updated_since"},
	{"updated_since=2020-13-01T00:00:00Z", "updated_since"},
	{"per_page=10&page=0&q=release", "page"},
	{"q=%00", "q must"},
	{"q=Release%001", "q must"},
	{"q=%FF", "q must"},
}

var listRoutes = []string{
	"/api/v1/products/PRJ1/releases",
	"/api/v1/goals/DEMOENT-G-1/releases",
	"/api/v1/initiatives/PRJ1-S-1/releases",
	"/api/v1/releases/PRJ1-MR-2/releases",
	"/api/v1/roll_up_releases/PRJ1-MR-2/releases",
}

func TestBadInputOnCreate(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, c := range badInputs {
			if c.on&onCreate == 0 {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				checkError(t, s.do(t, "POST", "/api/v1/products/PRJ1/releases", c.body), c.status, c.mention)
				checkUnchanged(t, s, before)
			})
		}

		// Every failed create left the numbering alone; unknown keys are ignored.
		rel := s.call(t, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"ok","bogus":1,"id":"1","reference_num":"PRJ1-R-99"}}`, 200).get("release")
		if rel.get("reference_num").str() != "PRJ1-R-5" || rel.get("name").str() != "ok" || rel.get("id").str() == "1" {
			t.Errorf("create with unknown keys: %s, want ok as PRJ1-R-5", rel)
		}
		rel = s.call(t, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"`+strings.Repeat("n", 255)+`"},"extra":[1,2]}`, 200).get("release")
		if rel.get("reference_num").str() != "PRJ1-R-6" || len(rel.get("name").str()) != 255 {
			t.Errorf("create with a 255-character name: %s", rel)
		}
		checkError(t, s.do(t, "GET", "/api/v1/releases/PRJ1-R-99", ""), 404, "")
	})
}

func TestBadInputOnUpdate(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, c := range badInputs {
			if c.on&onUpdate == 0 {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				checkError(t, s.do(t, "PUT", prj1Release+"PRJ1-R-1", c.body), c.status, c.mention)
				checkUnchanged(t, s, before)
			})
		}
		rel := s.call(t, "PUT", prj1Release+"PRJ1-R-1", `{"release":{"name":"  `+strings.Repeat("é", 255)+`  ","bogus":{"a":[1]}}}`, 200).get("release")
		if rel.get("name").str() != strings.Repeat("é", 255) {
			t.Errorf("update with a 255-rune name: %s", rel.get("name"))
		}
	})
}

func TestBadUpdateAfterSetup(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, c := range badUpdates {
			t.Run(c.name, func(t *testing.T) {
				for _, st := range c.setup {
					s.call(t, "PUT", st[0], st[1], 200)
				}
				before := snapshot(t, s)
				r := s.do(t, "PUT", c.path, c.body)
				checkError(t, r, c.status, c.mention)
				checkUnchanged(t, s, before)
			})
		}
	})
}

func TestBadListParameters(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, route := range listRoutes {
			for _, q := range badQueries {
				checkError(t, s.do(t, "GET", route+"?"+q.query, ""), 400, q.mention)
			}
		}
	})
}
