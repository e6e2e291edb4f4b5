package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// The demo records the tests name, by ID as the API renders it.
var (
	maryID        = strconv.FormatInt(demo.Mary, 10)
	johnID        = strconv.FormatInt(demo.John, 10)
	henryID       = strconv.FormatInt(demo.Henry, 10)
	goal1ID       = strconv.FormatInt(demo.Goal1, 10)
	goal2ID       = strconv.FormatInt(demo.Goal2, 10)
	initiative1ID = strconv.FormatInt(demo.Initiative1, 10)
	initiative2ID = strconv.FormatInt(demo.Initiative2, 10)
)

// prj1Refs are the demo releases of PRJ1 in ID order, the order of its list.
var prj1Refs = []string{"PRJ1-MR-2", "PRJ1-R-2", "PRJ1-R-1", "PRJ1-MR-1", "PRJ1-R-4", "PRJ1-R-3"}

// dateKeys are the keys a parking-lot release does not carry.
var dateKeys = []string{"start_date", "end_date", "development_started_on", "release_date",
	"external_release_date", "external_release_date_description", "external_date_resolution"}

// allReleaseFields asks for every key a release can show, so that a list
// with it shows every stored value of every release.
const allReleaseFields = "id,product_id,reference_num,name,start_date,end_date,development_started_on," +
	"release_date,external_release_date,external_release_date_description,external_date_resolution," +
	"released,parking_lot,master_release,released_on,created_at,updated_at,position,progress," +
	"progress_source,duration_source,capacity_units,total_capacity,total_capacity_text,status_changed_on," +
	"theme,url,resource,integration_fields,custom_fields,comments_count,workflow_status,owner,goals," +
	"key_results,initiatives,project,parent,workflow_status_times,created_by_user,watchers"

// leakRe matches what an error answer must never show: SQL, panics, stack
// traces and file paths.
var leakRe = regexp.MustCompile(`(?i)sql|panic|goroutine|\.go:\d+|/(tmp|work|home|root|usr|var|etc)/`)

// call sends a request that must be answered with status, and returns the
// parsed body, or nil when there is none.
func (s *testServer) call(t testing.TB, method, path, body string, status int) *jsonNode {
	t.Helper()
	r := s.do(t, method, path, body)
	if r.Status != status {
		t.Fatalf("%s %s: %s, want status %d", method, path, r, status)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.tree(t)
}

// create creates a release in a product from the fields of its body (the
// inside of {"release": {...}}) and returns the release.
func (s *testServer) create(t testing.TB, product, fields string) *jsonNode {
	t.Helper()
	return s.call(t, "POST", "/api/v1/products/"+product+"/releases", `{"release":{`+fields+`}}`, 200).get("release")
}

// update changes a release through the product-scoped route and returns it.
func (s *testServer) update(t testing.TB, product, ref, fields string) *jsonNode {
	t.Helper()
	return s.call(t, "PUT", "/api/v1/products/"+product+"/releases/"+ref, `{"release":{`+fields+`}}`, 200).get("release")
}

// release returns the release with the given ID or key, read with fields
// (none for the default representation).
func (s *testServer) release(t testing.TB, key, fields string) *jsonNode {
	t.Helper()
	path := "/api/v1/releases/" + key
	if fields != "" {
		path += "?fields=" + url.QueryEscape(fields)
	}
	return s.call(t, "GET", path, "", 200).get("release")
}

// listRefs returns the reference numbers of a list answer's releases.
func listRefs(t testing.TB, list *jsonNode) []string {
	t.Helper()
	items := list.get("releases")
	if items == nil || !items.arr {
		t.Fatalf("releases: %s, want an array", items)
	}
	out := []string{}
	for _, it := range items.list {
		out = append(out, it.get("reference_num").str())
	}
	return out
}

// pageInfo returns the pagination of a list answer as
// "total_records/total_pages/current_page".
func pageInfo(list *jsonNode) string {
	p := list.get("pagination")
	return fmt.Sprintf("%s/%s/%s", p.get("total_records").str(), p.get("total_pages").str(), p.get("current_page").str())
}

// wantList checks that a list route answers exactly the releases want, in
// that order, with total_records counting them; it returns the answer.
func wantList(t testing.TB, s *testServer, path string, want ...string) *jsonNode {
	t.Helper()
	list := s.call(t, "GET", path, "", 200)
	if got := listRefs(t, list); !slices.Equal(got, want) {
		t.Errorf("GET %s: %v, want %v", path, got, want)
	}
	if got := list.get("pagination", "total_records").str(); got != strconv.Itoa(len(want)) {
		t.Errorf("GET %s: total_records %s, want %d", path, got, len(want))
	}
	return list
}

// idsOf returns the id of each object in the array at key of n, and whether
// the key is present.
func idsOf(n *jsonNode, key string) ([]string, bool) {
	if !n.has(key) {
		return nil, false
	}
	out := []string{}
	for _, it := range n.get(key).list {
		out = append(out, it.get("id").str())
	}
	return out, true
}

// wantIDs checks the ids of the array at key of the release n.
func wantIDs(t testing.TB, n *jsonNode, key string, want ...string) {
	t.Helper()
	got, ok := idsOf(n, key)
	if !ok {
		t.Errorf("%s: %s has no key %s", n.get("reference_num").str(), key, key)
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: %s ids %v, want %v", n.get("reference_num").str(), key, got, want)
	}
}

// checkError checks an error answer: its status, the JSON error shape, a
// message that contains mention, and that nothing internal leaks.
func checkError(t testing.TB, r *response, status int, mention string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %s", r.Status, status, r)
	}
	if r.Status >= 500 && status < 500 {
		t.Errorf("a server error for a client's mistake: %s", r)
	}
	if leakRe.Match(r.Body) {
		t.Errorf("the answer shows internals: %s", r)
	}
	n, err := parseJSON(r.Body)
	if err != nil || !n.obj {
		t.Errorf("body %q, want {\"errors\": {\"message\": ...}}", r.Body)
		return
	}
	if strings.Join(n.keys, ",") != "errors" || !n.get("errors").obj {
		t.Errorf("body %s, want {\"errors\": {\"message\": ...}}", n)
		return
	}
	msg := n.get("errors", "message")
	if !msg.isString() || strings.TrimSpace(msg.str()) == "" {
		t.Errorf("errors.message: %s, want a message", msg)
		return
	}
	if mention != "" && !strings.Contains(msg.str(), mention) {
		t.Errorf("errors.message %q does not mention %q", msg.str(), mention)
	}
	if mt := r.Header.Get("Content-Type"); !strings.HasPrefix(mt, "application/json") {
		t.Errorf("Content-Type %q, want application/json", mt)
	}
}

// snapshot returns everything the API shows of PRJ1's releases (the list
// with every field, watchers included) and PRJ1-R-1 with its watchers, for
// checking that a request changed nothing.
func snapshot(t testing.TB, s *testServer) string {
	t.Helper()
	var b strings.Builder
	for _, path := range []string{
		"/api/v1/products/PRJ1/releases?per_page=200&fields=" + url.QueryEscape(allReleaseFields),
		"/api/v1/releases/PRJ1-R-1?fields=" + url.QueryEscape("*,watchers"),
	} {
		r := s.do(t, "GET", path, "")
		if r.Status != 200 {
			t.Fatalf("GET %s: %s", path, r)
		}
		b.Write(r.Body)
		b.WriteByte('\n')
	}
	return b.String()
}

// checkUnchanged checks that the API shows what it showed at before.
func checkUnchanged(t testing.TB, s *testServer, before string) {
	t.Helper()
	if after := snapshot(t, s); after != before {
		t.Errorf("the request changed the data:\nbefore %.400s\nafter  %.400s", before, after)
	}
}

// todays returns the UTC dates a span that ends now may have written as today.
func todays(start time.Time) []string {
	return window{start: start, end: time.Now()}.days()
}

func TestListFilterByName(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, path := range []string{
			"/api/v1/products/PRJ1/releases?q=RELEASE%201",
			"/api/v1/products/PRJ1/releases?q=RELEASE+1",
			"/api/v1/products/131414752/releases?q=release%201",
		} {
			wantList(t, s, path, "PRJ1-R-1", "PRJ1-MR-1", "PRJ1-R-4")
		}
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=ROLL-up", "PRJ1-MR-2", "PRJ1-MR-1")
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=no+such+name")
		wantList(t, s, "/api/v1/products/PRJ4/releases?q=(SHIPPED)", "PRJ4-R-3", "PRJ4-R-2")

		s.create(t, "PRJ1", `"name":"Tested 50% of a_b"`)
		s.create(t, "PRJ1", `"name":"Tested 50 of axb"`)
		s.create(t, "PRJ1", `"name":"Back\\slash"`)
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=%25", "PRJ1-R-5")
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=_", "PRJ1-R-5")
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=50%25", "PRJ1-R-5")
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=A_B", "PRJ1-R-5")
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=50", "PRJ1-R-5", "PRJ1-R-6")
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=%5C", "PRJ1-R-7")
		wantList(t, s, "/api/v1/products/PRJ1/releases?q=k%5Cs", "PRJ1-R-7")
	})
}

// filteredRelease describes a release of the filter scenario: what each
// filter looks at.
type filteredRelease struct {
	name    string
	parking bool
	shipped bool
	recent  bool
}

func TestListFiltersOnEveryListRoute(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		parked := s.create(t, "PRJ1", `"name":"Parked 50% a_b","goals":[`+goal1ID+`],"initiatives":"Initiative 1","parent_id":"PRJ1-MR-2","parking_lot":true`)
		shipped := s.create(t, "PRJ1", `"name":"Shipped 50 axb","goals":"Goal 1","initiatives":[`+initiative1ID+`],"parent_id":141021264,"status":"Shipped"`)
		if parked.get("reference_num").str() != "PRJ1-R-5" || shipped.get("reference_num").str() != "PRJ1-R-6" {
			t.Fatalf("created %s and %s, want PRJ1-R-5 and PRJ1-R-6", parked.get("reference_num"), shipped.get("reference_num"))
		}
		rels := map[string]filteredRelease{
			"PRJ1-MR-2": {name: "Roll-up Release 2"},
			"PRJ1-R-2":  {name: "Release 2"},
			"PRJ1-R-1":  {name: "Release 1"},
			"PRJ1-MR-1": {name: "Roll-up Release 1"},
			"PRJ1-R-4":  {name: "Sub release 1"},
			"PRJ1-R-3":  {name: "Release 3"},
			"PRJ1-R-5":  {name: "Parked 50% a_b", parking: true, recent: true},
			"PRJ1-R-6":  {name: "Shipped 50 axb", shipped: true, recent: true},
		}
		scopes := []struct {
			path string
			refs []string
		}{
			{"/api/v1/products/PRJ1/releases", append(slices.Clone(prj1Refs), "PRJ1-R-5", "PRJ1-R-6")},
			{"/api/v1/products/131414752/releases", append(slices.Clone(prj1Refs), "PRJ1-R-5", "PRJ1-R-6")},
			{"/api/v1/goals/DEMOENT-G-1/releases", []string{"PRJ1-R-1", "PRJ1-R-5", "PRJ1-R-6"}},
			{"/api/v1/goals/" + goal1ID + "/releases", []string{"PRJ1-R-1", "PRJ1-R-5", "PRJ1-R-6"}},
			{"/api/v1/initiatives/PRJ1-S-1/releases", []string{"PRJ1-R-2", "PRJ1-R-1", "PRJ1-R-5", "PRJ1-R-6"}},
			{"/api/v1/initiatives/" + initiative1ID + "/releases", []string{"PRJ1-R-2", "PRJ1-R-1", "PRJ1-R-5", "PRJ1-R-6"}},
			{"/api/v1/releases/PRJ1-MR-2/releases", []string{"PRJ1-R-4", "PRJ1-R-5", "PRJ1-R-6"}},
			{"/api/v1/roll_up_releases/141021264/releases", []string{"PRJ1-R-4", "PRJ1-R-5", "PRJ1-R-6"}},
		}
		named := func(q string) func(filteredRelease) bool {
			return func(r filteredRelease) bool { return strings.Contains(strings.ToLower(r.name), strings.ToLower(q)) }
		}
		filters := []struct {
			query string
			keep  func(filteredRelease) bool
		}{
			{"", func(filteredRelease) bool { return true }},
			{"q=RELEASE+1", named("release 1")},
			{"q=50%25", named("50%")},
			{"q=a_b", named("a_b")},
			{"q=%25", named("%")},
			{"q=_", named("_")},
			{"parking_lot=true", func(r filteredRelease) bool { return r.parking }},
			{"parking_lot=false", func(r filteredRelease) bool { return !r.parking }},
			{"exclude_shipped=true", func(r filteredRelease) bool { return !r.shipped }},
			{"exclude_shipped=false", func(filteredRelease) bool { return true }},
			{"exclude_shipped=true&parking_lot=false", func(r filteredRelease) bool { return !r.shipped && !r.parking }},
			{"exclude_shipped=true&parking_lot=true", func(r filteredRelease) bool { return !r.shipped && r.parking }},
			{"updated_since=2020-01-01T00:00:00Z", func(r filteredRelease) bool { return r.recent }},
			{"updated_since=2019-01-01T00:00:00.000Z", func(r filteredRelease) bool { return r.recent }},
			{"updated_since=2018-12-31T23:59:59.999Z", func(filteredRelease) bool { return true }},
			{"q=50&exclude_shipped=true", func(r filteredRelease) bool { return named("50")(r) && !r.shipped }},
			{"q=release&updated_since=2020-01-01T00:00:00Z", func(r filteredRelease) bool { return named("release")(r) && r.recent }},
			{"q=shipped&parking_lot=false&exclude_shipped=false", func(r filteredRelease) bool { return named("shipped")(r) && !r.parking }},
		}
		for _, sc := range scopes {
			for _, f := range filters {
				var want []string
				for _, ref := range sc.refs {
					if f.keep(rels[ref]) {
						want = append(want, ref)
					}
				}
				path := sc.path + "?" + f.query
				list := wantList(t, s, path, want...)
				for _, it := range list.get("releases").list {
					parking := it.get("parking_lot").str() == "true"
					for _, k := range []string{"start_date", "release_date"} {
						if it.has(k) == parking {
							t.Errorf("GET %s: %s: parking_lot %v but key %s present: %v", path, it.get("reference_num").str(), parking, k, it.has(k))
						}
					}
				}
			}
		}
		// Under the roll-up, the list items show their parent.
		list := s.call(t, "GET", "/api/v1/releases/PRJ1-MR-2/releases", "", 200)
		for _, it := range list.get("releases").list {
			if it.get("parent", "reference_num").str() != "PRJ1-MR-2" {
				t.Errorf("%s: parent %s, want PRJ1-MR-2", it.get("reference_num").str(), it.get("parent"))
			}
		}
	})
}

func TestListFiltersOnDemoProducts(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		const prj4 = "/api/v1/products/PRJ4/releases"
		list := wantList(t, s, prj4+"?parking_lot=true", "PRJ4-R-4")
		item := list.get("releases").list[0]
		for _, k := range dateKeys {
			if item.has(k) {
				t.Errorf("parking lot list item has key %s", k)
			}
		}
		wantList(t, s, prj4+"?parking_lot=false", "PRJ4-R-3", "PRJ4-R-2", "PRJ4-R-1")
		wantList(t, s, prj4+"?exclude_shipped=true", "PRJ4-R-4", "PRJ4-R-1")
		wantList(t, s, prj4+"?exclude_shipped=true&parking_lot=false", "PRJ4-R-1")
		wantList(t, s, prj4+"?exclude_shipped=false&parking_lot=false", "PRJ4-R-3", "PRJ4-R-2", "PRJ4-R-1")
		wantList(t, s, "/api/v1/products/935317104/releases?parking_lot=true&exclude_shipped=true", "PRJ4-R-4")
		wantList(t, s, "/api/v1/products/PRJ2/releases?parking_lot=true", "PRJ2-R-2")
		wantList(t, s, "/api/v1/products/PRJ3/releases?parking_lot=false", "PRJ3-R-1")

		wantList(t, s, prj4+"?updated_since=2020-01-01T00:00:00Z")
		wantList(t, s, prj4+"?updated_since=2019-01-01")
		wantList(t, s, prj4+"?updated_since=2018-12-31", "PRJ4-R-4", "PRJ4-R-3", "PRJ4-R-2", "PRJ4-R-1")
		updated := s.update(t, "PRJ4", "PRJ4-R-2", `"name":"Release week old (shipped, renamed)"`)
		wantList(t, s, prj4+"?updated_since=2020-01-01T00:00:00Z", "PRJ4-R-2")
		wantList(t, s, prj4+"?updated_since=2020-01-01T00:00:00%2B00:00", "PRJ4-R-2")
		wantList(t, s, "/api/v1/products/PRJ1/releases?updated_since=2020-01-01T00:00:00Z")
		at, err := time.Parse(time.RFC3339Nano, updated.get("updated_at").str())
		if err != nil {
			t.Fatalf("updated_at %s: %v", updated.get("updated_at"), err)
		}
		stamp := func(ts time.Time) string { return url.QueryEscape(ts.UTC().Format("2006-01-02T15:04:05.000Z")) }
		wantList(t, s, prj4+"?updated_since="+stamp(at))
		wantList(t, s, prj4+"?updated_since="+stamp(at.Add(-time.Millisecond)), "PRJ4-R-2")
		wantList(t, s, prj4+"?updated_since="+stamp(at)+"&exclude_shipped=false&parking_lot=false")
		wantList(t, s, prj4+"?updated_since=2020-01-01T00:00:00Z&exclude_shipped=true")

		// Offsets, escaped or not, and dates.
		wantList(t, s, "/api/v1/products/PRJ3/releases?updated_since=2019-01-01T01:00:00+01:00")
		wantList(t, s, "/api/v1/products/PRJ3/releases?updated_since=2019-01-01T00:59:59.999%2B01:00", "PRJ3-R-1", "PRJ3-R-4")
		wantList(t, s, "/api/v1/products/PRJ3/releases?updated_since=2018-12-31T18:59:59.999-05:00", "PRJ3-R-1", "PRJ3-R-4")
		wantList(t, s, "/api/v1/products/PRJ3/releases?updated_since=2018-12-31", "PRJ3-R-1", "PRJ3-R-4")
		wantList(t, s, "/api/v1/products/PRJ3/releases?updated_since=2019-01-01")
		checkError(t, s.do(t, "GET", prj4+"?updated_since=last+week", ""), 400, "updated_since")
	})
}

// checkAscending checks that the IDs of a list's releases rise strictly
// from after on, and returns the last one.
func checkAscending(t testing.TB, list *jsonNode, after int64) int64 {
	t.Helper()
	for _, it := range list.get("releases").list {
		id, err := strconv.ParseInt(it.get("id").str(), 10, 64)
		if err != nil {
			t.Fatalf("id %s: %v", it.get("id"), err)
		}
		if id <= after {
			t.Errorf("id %d follows %d: the list is not in ascending ID order", id, after)
		}
		after = id
	}
	return after
}

func TestListPagination(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		const prj1 = "/api/v1/products/PRJ1/releases"
		for page := 1; page <= len(prj1Refs); page++ {
			path := fmt.Sprintf("%s?per_page=1&page=%d", prj1, page)
			list := s.call(t, "GET", path, "", 200)
			if got := listRefs(t, list); !slices.Equal(got, prj1Refs[page-1:page]) {
				t.Errorf("GET %s: %v, want %v", path, got, prj1Refs[page-1:page])
			}
			if got, want := pageInfo(list), fmt.Sprintf("6/6/%d", page); got != want {
				t.Errorf("per_page=1&page=%d: pagination %s, want %s", page, got, want)
			}
		}
		for _, c := range []struct {
			query, pages string
			refs         []string
		}{
			{"", "6/1/1", prj1Refs},
			{"page=1", "6/1/1", prj1Refs},
			{"per_page=200", "6/1/1", prj1Refs},
			{"per_page=500", "6/1/1", prj1Refs},
			{"per_page=4", "6/2/1", prj1Refs[:4]},
			{"per_page=4&page=2", "6/2/2", prj1Refs[4:]},
			{"per_page=1&page=7", "6/6/7", nil},
			{"page=2", "6/1/2", nil},
			{"page=1000", "6/1/1000", nil},
			{"per_page=2&page=2&q=1", "3/2/2", []string{"PRJ1-R-4"}},
			{"per_page=2&page=3&q=1", "3/2/3", nil},
			{"page=2&q=no+such+release", "0/0/2", nil},
		} {
			path := prj1 + "?" + c.query
			list := s.call(t, "GET", path, "", 200)
			if got := listRefs(t, list); !slices.Equal(got, append([]string{}, c.refs...)) {
				t.Errorf("GET %s: %v, want %v", path, got, c.refs)
			}
			if got := pageInfo(list); got != c.pages {
				t.Errorf("GET %s: pagination %s, want %s", path, got, c.pages)
			}
		}
		for _, path := range []string{
			"/api/v1/initiatives/PRJ1-S-1/releases?per_page=1&page=2",
			"/api/v1/products/PRJ4/releases?per_page=1&page=4&exclude_shipped=false",
		} {
			list := s.call(t, "GET", path, "", 200)
			if got := listRefs(t, list); len(got) != 1 {
				t.Errorf("GET %s: %v, want one release", path, got)
			}
		}
		if got := pageInfo(s.call(t, "GET", "/api/v1/initiatives/PRJ1-S-1/releases?per_page=1&page=2", "", 200)); got != "2/2/2" {
			t.Errorf("initiative list, per_page=1&page=2: pagination %s, want 2/2/2", got)
		}
		if got := pageInfo(s.call(t, "GET", "/api/v1/releases/PRJ1-MR-2/releases?per_page=1&page=3", "", 200)); got != "1/1/3" {
			t.Errorf("roll-up list past the end: pagination %s, want 1/1/3", got)
		}

		for i := range 35 {
			rel := s.create(t, "PRJ1", fmt.Sprintf(`"name":"Paged %02d"`, i))
			if got, want := rel.get("reference_num").str(), fmt.Sprintf("PRJ1-R-%d", 5+i); got != want {
				t.Fatalf("create %d: %s, want %s", i, got, want)
			}
		}
		first := s.call(t, "GET", prj1, "", 200)
		second := s.call(t, "GET", prj1+"?page=2", "", 200)
		if n := len(first.get("releases").list); n != 30 {
			t.Errorf("default page: %d releases, want 30", n)
		}
		if n := len(second.get("releases").list); n != 11 {
			t.Errorf("page 2: %d releases, want 11", n)
		}
		if got := pageInfo(first); got != "41/2/1" {
			t.Errorf("default page: pagination %s, want 41/2/1", got)
		}
		if got := pageInfo(second); got != "41/2/2" {
			t.Errorf("page 2: pagination %s, want 41/2/2", got)
		}
		checkAscending(t, second, checkAscending(t, first, 0))
		got := append(listRefs(t, first), listRefs(t, second)...)
		if !slices.Equal(got[:6], prj1Refs) || got[6] != "PRJ1-R-5" || got[40] != "PRJ1-R-39" {
			t.Errorf("pages 1 and 2: %v", got)
		}

		ctx := context.Background()
		for i := range 160 {
			if _, err := s.DB.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("Bulk %03d", i))}); err != nil {
				t.Fatalf("creating release %d: %v", i, err)
			}
		}
		for _, per := range []string{"500", "200", "201"} {
			page1 := s.call(t, "GET", prj1+"?per_page="+per, "", 200)
			page2 := s.call(t, "GET", prj1+"?page=2&per_page="+per, "", 200)
			if n := len(page1.get("releases").list); n != 200 {
				t.Errorf("per_page=%s: %d releases, want 200", per, n)
			}
			if got := pageInfo(page1); got != "201/2/1" {
				t.Errorf("per_page=%s: pagination %s, want 201/2/1", per, got)
			}
			if n := len(page2.get("releases").list); n != 1 {
				t.Errorf("per_page=%s&page=2: %d releases, want 1", per, n)
			}
			checkAscending(t, page2, checkAscending(t, page1, 0))
		}
	})
}

// wantKeys checks the keys of n, in order.
func wantKeys(t testing.TB, what string, n *jsonNode, want ...string) {
	t.Helper()
	if n == nil || !n.obj {
		t.Errorf("%s: %s, want an object", what, n)
		return
	}
	if !slices.Equal(n.keys, want) {
		t.Errorf("%s: keys %v, want %v", what, n.keys, want)
	}
}

// userIDs returns the ids of a list of users.
func userIDs(n *jsonNode) []string {
	out := []string{}
	if n == nil {
		return out
	}
	for _, u := range n.list {
		out = append(out, u.get("id").str())
	}
	return out
}

func TestFieldsSelection(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		def := s.release(t, "PRJ1-R-1", "")
		if def.has("watchers") {
			t.Errorf("the default representation has watchers")
		}

		// A plain list: id and the keys asked for, in representation order.
		for _, f := range []string{"name,reference_num", "reference_num,name", " name , reference_num ", "name,reference_num,bogus"} {
			rel := s.release(t, "PRJ1-R-1", f)
			wantKeys(t, "fields="+f, rel, "id", "reference_num", "name")
			if rel.get("name").str() != "Release 1" || rel.get("reference_num").str() != "PRJ1-R-1" || rel.get("id").str() != "278327321" {
				t.Errorf("fields=%s: %s", f, rel)
			}
		}
		wantKeys(t, "fields=name,bogus", s.release(t, "PRJ1-R-1", "name,bogus"), "id", "name")
		wantKeys(t, "fields=goals,name", s.release(t, "PRJ1-R-1", "goals,name"), "id", "name", "goals")

		// *,watchers: the default representation, then the watchers.
		withWatchers := s.release(t, "PRJ1-R-1", "*,watchers")
		wantKeys(t, "fields=*,watchers", withWatchers, append(slices.Clone(def.keys), "watchers")...)
		reportDiffs(t, "fields=*,watchers besides watchers", compare(withWatchers, def, compareRules{optional: pathSet(".watchers")}))
		if got := userIDs(withWatchers.get("watchers")); !slices.Equal(got, []string{johnID}) {
			t.Errorf("PRJ1-R-1 watchers %v, want [%s]", got, johnID)
		}

		// fields=* is the default representation, byte for byte.
		for _, path := range []string{"/api/v1/releases/PRJ1-R-1", "/api/v1/products/PRJ1/releases", "/api/v1/goals/DEMOENT-G-1/releases", "/api/v1/releases/PRJ1-MR-2/releases"} {
			a := s.do(t, "GET", path, "")
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			b := s.do(t, "GET", path+sep+"fields=*", "")
			if a.Status != 200 || b.Status != 200 || string(a.Body) != string(b.Body) {
				t.Errorf("GET %s with fields=* differs from the default:\n%s\n%s", path, a, b)
			}
		}

		// Creator and owner become watchers, sorted by ID.
		created := s.call(t, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"Watched","owner":"henry.humpty@example.com"},"fields":"*,watchers"}`, 200).get("release")
		if got := userIDs(created.get("watchers")); !slices.Equal(got, []string{henryID, maryID}) {
			t.Errorf("create with body fields *,watchers: watchers %v, want [%s %s]", got, henryID, maryID)
		}
		if created.keys[len(created.keys)-1] != "watchers" {
			t.Errorf("create with body fields *,watchers: keys %v, want watchers last", created.keys)
		}
		plain := s.create(t, "PRJ1", `"name":"Unwatched"`)
		if plain.has("watchers") {
			t.Errorf("create without fields: has watchers")
		}
		viaQuery := s.call(t, "POST", "/api/v1/products/PRJ1/releases?fields=name", `{"release":{"name":"Queried"}}`, 200).get("release")
		wantKeys(t, "create with ?fields=name", viaQuery, "id", "name")
		bodyWins := s.call(t, "POST", "/api/v1/products/PRJ1/releases?fields=name", `{"release":{"name":"Body wins"},"fields":"reference_num"}`, 200).get("release")
		wantKeys(t, "create with both fields", bodyWins, "id", "reference_num")

		updated := s.call(t, "PUT", "/api/v1/products/PRJ1/releases/PRJ1-R-2", `{"release":{"name":"Release 2b"},"fields":"*,watchers"}`, 200).get("release")
		if got := userIDs(updated.get("watchers")); !slices.Equal(got, []string{johnID}) {
			t.Errorf("update with body fields *,watchers: watchers %v (present: %v), want [%s]", got, updated.has("watchers"), johnID)
		}
		narrow := s.call(t, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"name":"Release 2c"},"fields":"name,reference_num"}`, 200).get("release")
		wantKeys(t, "update with body fields name,reference_num", narrow, "id", "reference_num", "name")
		if narrow.get("name").str() != "Release 2c" {
			t.Errorf("update: name %s, want Release 2c", narrow.get("name"))
		}
		if s.call(t, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"name":"Release 2d"}}`, 200).get("release").has("watchers") {
			t.Errorf("update without fields: has watchers")
		}

		// Lists.
		list := s.call(t, "GET", "/api/v1/products/PRJ1/releases?fields=name,reference_num", "", 200)
		if len(list.get("releases").list) != 10 {
			t.Fatalf("fields=name,reference_num: %d releases, want 10", len(list.get("releases").list))
		}
		for _, it := range list.get("releases").list {
			wantKeys(t, "list item with fields=name,reference_num", it, "id", "reference_num", "name")
		}
		def0 := s.call(t, "GET", "/api/v1/products/PRJ1/releases", "", 200).get("releases")
		list = s.call(t, "GET", "/api/v1/products/PRJ1/releases?fields=*,watchers", "", 200)
		for i, it := range list.get("releases").list {
			ref := it.get("reference_num").str()
			wantKeys(t, ref+" with fields=*,watchers", it, append(slices.Clone(def0.list[i].keys), "watchers")...)
			want := []string{johnID}
			switch ref {
			case "PRJ1-R-5":
				want = []string{henryID, maryID}
			case "PRJ1-R-6", "PRJ1-R-7", "PRJ1-R-8":
				want = []string{maryID}
			}
			if got := userIDs(it.get("watchers")); !slices.Equal(got, want) {
				t.Errorf("%s watchers %v, want %v", ref, got, want)
			}
		}
		for _, path := range []string{"/api/v1/products/PRJ1/releases?fields=goals", "/api/v1/goals/DEMOENT-G-1/releases?fields=goals"} {
			list = s.call(t, "GET", path, "", 200)
			for _, it := range list.get("releases").list {
				wantKeys(t, path+" item", it, "id", "goals")
				want := []string{}
				if it.get("id").str() == "278327321" {
					want = []string{goal1ID}
				}
				if got, _ := idsOf(it, "goals"); !slices.Equal(got, want) {
					t.Errorf("%s: item %s goals %v, want %v", path, it.get("id").str(), got, want)
				}
			}
		}
		list = s.call(t, "GET", "/api/v1/goals/DEMOENT-G-1/releases?fields=goals", "", 200)
		if n := len(list.get("releases").list); n != 1 || list.get("releases").list[0].get("goals").list[0].get("name").str() != "Goal 1" {
			t.Errorf("goal list with fields=goals: %s", list)
		}
		list = s.call(t, "GET", "/api/v1/products/PRJ1/releases?fields=name,bogus&per_page=1", "", 200)
		wantKeys(t, "list item with fields=name,bogus", list.get("releases").list[0], "id", "name")
	})
}

func TestCreateAndUpdateReferences(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, c := range []struct {
			name, body, key string
			want            []string
		}{
			{"owner by email", `"owner":"henry.humpty@example.com"`, "owner", []string{henryID}},
			{"owner by email in another case", `"owner":"Henry.Humpty@Example.COM"`, "owner", []string{henryID}},
			{"owner by ID string", `"owner":"` + henryID + `"`, "owner", []string{henryID}},
			{"owner by ID number", `"owner":` + johnID, "owner", []string{johnID}},
			{"owner by default", ``, "owner", []string{maryID}},
			{"goals as numbers", `"goals":[` + goal2ID + `,` + goal1ID + `]`, "goals", []string{goal1ID, goal2ID}},
			{"goals as strings", `"goals":["` + goal2ID + `"]`, "goals", []string{goal2ID}},
			{"goals as a comma-separated string", `"goals":"` + goal1ID + `, ` + goal2ID + `"`, "goals", []string{goal1ID, goal2ID}},
			{"goals by name", `"goals":"Goal 2"`, "goals", []string{goal2ID}},
			{"goals by names and keys", `"goals":["Goal 1","DEMOENT-G-2"]`, "goals", []string{goal1ID, goal2ID}},
			{"goals empty", `"goals":[]`, "goals", []string{}},
			{"goals repeated", `"goals":["Goal 1",` + goal1ID + `]`, "goals", []string{goal1ID}},
			{"initiatives as numbers", `"initiatives":[` + initiative1ID + `,` + initiative2ID + `]`, "initiatives", []string{initiative2ID, initiative1ID}},
			{"initiatives as strings", `"initiatives":["` + initiative2ID + `"]`, "initiatives", []string{initiative2ID}},
			{"initiatives as a comma-separated string", `"initiatives":"` + initiative1ID + `,` + initiative2ID + `"`, "initiatives", []string{initiative2ID, initiative1ID}},
			{"initiatives by name", `"initiatives":"Initiative 2"`, "initiatives", []string{initiative2ID}},
			{"initiatives by names", `"initiatives":"Initiative 1, Initiative 2"`, "initiatives", []string{initiative2ID, initiative1ID}},
			{"initiatives by key", `"initiatives":["PRJ1-S-1"]`, "initiatives", []string{initiative1ID}},
			{"watchers as numbers", `"watchers":[` + henryID + `]`, "watchers", []string{henryID, maryID}},
			{"watchers as strings", `"watchers":["` + johnID + `","` + henryID + `"]`, "watchers", []string{johnID, henryID, maryID}},
			{"watchers as a comma-separated string", `"watchers":"` + henryID + `,` + johnID + `"`, "watchers", []string{johnID, henryID, maryID}},
			{"watchers by email", `"watchers":["john.smith@example.com"]`, "watchers", []string{johnID, maryID}},
			{"watchers with the owner", `"owner":"` + henryID + `","watchers":[` + maryID + `]`, "watchers", []string{henryID, maryID}},
		} {
			t.Run(c.name, func(t *testing.T) {
				rel := s.call(t, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"`+c.name+`"`+strings.TrimSuffix(","+c.body, ",")+`},"fields":"*,watchers"}`, 200).get("release")
				if c.key == "owner" {
					if got := rel.get("owner", "id").str(); got != c.want[0] {
						t.Errorf("owner %s, want %s", got, c.want[0])
					}
					if got := rel.get("created_by_user", "id").str(); got != maryID {
						t.Errorf("created_by_user %s, want Mary %s", got, maryID)
					}
				} else {
					wantIDs(t, rel, c.key, c.want...)
				}
				got := s.release(t, rel.get("id").str(), "*,watchers")
				reportDiffs(t, "GET after the create", compare(rel, got, compareRules{}))
			})
		}

		// An empty list of initiatives has no key at all.
		rel := s.create(t, "PRJ1", `"name":"No initiatives","initiatives":[]`)
		if rel.has("initiatives") {
			t.Errorf("create with initiatives []: key initiatives present")
		}

		// On update a list replaces the old one, and [] or null clears it.
		ref := s.create(t, "PRJ1", `"name":"Linked","goals":"Goal 1","initiatives":"Initiative 1","watchers":[`+henryID+`]`).get("reference_num").str()
		for _, c := range []struct {
			name, body, key string
			want            []string
		}{
			{"goals replaced", `"goals":[` + goal2ID + `]`, "goals", []string{goal2ID}},
			{"goals by name", `"goals":"Goal 1,Goal 2"`, "goals", []string{goal1ID, goal2ID}},
			{"goals cleared", `"goals":[]`, "goals", []string{}},
			{"goals set again", `"goals":"` + goal1ID + `"`, "goals", []string{goal1ID}},
			{"goals cleared by null", `"goals":null`, "goals", []string{}},
			{"initiatives replaced", `"initiatives":"Initiative 2"`, "initiatives", []string{initiative2ID}},
			{"initiatives as numbers", `"initiatives":[` + initiative1ID + `,` + initiative2ID + `]`, "initiatives", []string{initiative2ID, initiative1ID}},
			{"watchers replaced", `"watchers":"` + johnID + `"`, "watchers", []string{johnID}},
			{"watchers by email", `"watchers":["no-reply@aha.io","henry.humpty@example.com"]`, "watchers", []string{henryID, maryID}},
			{"watchers cleared", `"watchers":[]`, "watchers", []string{}},
			{"owner by email", `"owner":"john.smith@example.com"`, "owner", []string{johnID}},
			{"owner by number", `"owner":` + henryID, "owner", []string{henryID}},
			{"owner by ID string", `"owner":"` + maryID + `"`, "owner", []string{maryID}},
		} {
			t.Run("update/"+c.name, func(t *testing.T) {
				rel := s.call(t, "PUT", "/api/v1/products/PRJ1/releases/"+ref, `{"release":{`+c.body+`},"fields":"*,watchers"}`, 200).get("release")
				if c.key == "owner" {
					if got := rel.get("owner", "id").str(); got != c.want[0] {
						t.Errorf("owner %s, want %s", got, c.want[0])
					}
				} else {
					wantIDs(t, rel, c.key, c.want...)
				}
				got := s.release(t, ref, "*,watchers")
				reportDiffs(t, "GET after the update", compare(rel, got, compareRules{}))
			})
		}
		for _, clear := range []string{`[]`, `null`, `""`} {
			s.update(t, "PRJ1", ref, `"initiatives":"Initiative 1"`)
			rel := s.update(t, "PRJ1", ref, `"initiatives":`+clear)
			if rel.has("initiatives") {
				t.Errorf("update with initiatives %s: key initiatives present: %s", clear, rel.get("initiatives"))
			}
			if s.release(t, ref, "").has("initiatives") {
				t.Errorf("GET after update with initiatives %s: key initiatives present", clear)
			}
		}
		// Leaving a list out leaves it as it is.
		s.update(t, "PRJ1", "PRJ1-R-1", `"name":"Release 1 renamed"`)
		r1 := s.release(t, "PRJ1-R-1", "*,watchers")
		wantIDs(t, r1, "goals", goal1ID)
		wantIDs(t, r1, "initiatives", initiative1ID)
		wantIDs(t, r1, "watchers", johnID)
		// The demo's other release with Initiative 1 loses it.
		s.update(t, "PRJ1", "PRJ1-R-2", `"initiatives":[]`)
		refs := listRefs(t, s.call(t, "GET", "/api/v1/initiatives/PRJ1-S-1/releases?per_page=200", "", 200))
		if slices.Contains(refs, "PRJ1-R-2") || !slices.Contains(refs, "PRJ1-R-1") {
			t.Errorf("Initiative 1's releases after clearing PRJ1-R-2's: %v", refs)
		}
	})
}

// statusTimes returns the status history of a release as "name:open" or
// "name:closed" entries.
func statusTimes(n *jsonNode) []string {
	out := []string{}
	for _, st := range n.get("workflow_status_times").list {
		state := "closed"
		if st.get("ended_at").isNull() {
			state = "open"
		}
		out = append(out, st.get("status_name").str()+":"+state)
	}
	return out
}

// checkStatusHistory checks that each entry of a release's status history
// ends when the next one starts.
func checkStatusHistory(t testing.TB, n *jsonNode) {
	t.Helper()
	times := n.get("workflow_status_times").list
	for i := 0; i+1 < len(times); i++ {
		if end, next := times[i].get("ended_at"), times[i+1].get("started_at"); !end.isString() || end.str() != next.str() {
			t.Errorf("workflow_status_times[%d].ended_at %s, want the next entry's started_at %s", i, end, next)
		}
	}
}

func TestWorkflowStatus(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		start := time.Now()
		rel := s.create(t, "PRJ1", `"name":"Moving"`)
		ref := rel.get("reference_num").str()
		if rel.get("workflow_status", "name").str() != "New" || !slices.Equal(statusTimes(rel), []string{"New:open"}) {
			t.Errorf("new release: status %s, history %v, want New and [New:open]", rel.get("workflow_status", "name"), statusTimes(rel))
		}
		steps := []struct {
			body, status string
			history      []string
		}{
			{`"status":"planning"`, "Planning", []string{"New:closed", "Planning:open"}},
			{`"workflow_status":` + strconv.FormatInt(demo.StatusInDev, 10), "In development", []string{"New:closed", "Planning:closed", "In development:open"}},
			{`"workflow_status":"` + strconv.FormatInt(demo.StatusReady, 10) + `"`, "Ready to ship", []string{"New:closed", "Planning:closed", "In development:closed", "Ready to ship:open"}},
			{`"workflow_status":"READY TO SHIP"`, "Ready to ship", []string{"New:closed", "Planning:closed", "In development:closed", "Ready to ship:open"}},
			{`"status":"Shipped"`, "Shipped", []string{"New:closed", "Planning:closed", "In development:closed", "Ready to ship:closed", "Shipped:open"}},
		}
		for _, st := range steps {
			rel = s.update(t, "PRJ1", ref, st.body)
			if got := rel.get("workflow_status", "name").str(); got != st.status {
				t.Errorf("%s: status %s, want %s", st.body, got, st.status)
			}
			if got := statusTimes(rel); !slices.Equal(got, st.history) {
				t.Errorf("%s: history %v, want %v", st.body, got, st.history)
			}
			checkStatusHistory(t, rel)
			if d := rel.get("status_changed_on").str(); !slices.Contains(todays(start), d) {
				t.Errorf("%s: status_changed_on %s, want today", st.body, d)
			}
			reportDiffs(t, "GET after "+st.body, compare(rel, s.release(t, ref, ""), compareRules{}))
		}
		if rel.get("released").str() != "true" || !slices.Contains(todays(start), rel.get("released_on").str()) {
			t.Errorf("shipped: released %s, released_on %s, want true and today", rel.get("released"), rel.get("released_on"))
		}
		if rel.get("workflow_status", "complete").str() != "true" {
			t.Errorf("shipped: workflow_status.complete %s, want true", rel.get("workflow_status", "complete"))
		}
		all := append(slices.Clone(prj1Refs), ref)
		wantList(t, s, "/api/v1/products/PRJ1/releases", all...)
		wantList(t, s, "/api/v1/products/PRJ1/releases?exclude_shipped=true", prj1Refs...)

		rel = s.update(t, "PRJ1", ref, `"workflow_status":"`+strconv.FormatInt(demo.StatusNew, 10)+`"`)
		if rel.get("released").str() != "false" || !rel.get("released_on").isNull() {
			t.Errorf("back to New: released %s, released_on %s, want false and null", rel.get("released"), rel.get("released_on"))
		}
		if got := len(rel.get("workflow_status_times").list); got != 6 {
			t.Errorf("back to New: %d history entries, want 6", got)
		}
		wantList(t, s, "/api/v1/products/PRJ1/releases?exclude_shipped=true", all...)

		// A demo release without history gets its first entry.
		r1 := s.update(t, "PRJ1", "PRJ1-R-1", `"status":"Shipped"`)
		if got := statusTimes(r1); !slices.Equal(got, []string{"Shipped:open"}) {
			t.Errorf("PRJ1-R-1 shipped: history %v, want [Shipped:open]", got)
		}
		if d := r1.get("status_changed_on").str(); !slices.Contains(todays(start), d) {
			t.Errorf("PRJ1-R-1 shipped: status_changed_on %s, want today", d)
		}
		if r1.get("released").str() != "true" {
			t.Errorf("PRJ1-R-1 shipped: released %s", r1.get("released"))
		}
		wantList(t, s, "/api/v1/goals/DEMOENT-G-1/releases?exclude_shipped=true")
		wantList(t, s, "/api/v1/initiatives/PRJ1-S-1/releases?exclude_shipped=true", "PRJ1-R-2")

		// Naming the current status changes nothing.
		before := s.release(t, "PRJ1-R-2", "")
		after := s.update(t, "PRJ1", "PRJ1-R-2", `"status":"new"`)
		if after.has("workflow_status_times") || after.get("status_changed_on").str() != before.get("status_changed_on").str() {
			t.Errorf("setting the current status: history %s, status_changed_on %s", after.get("workflow_status_times"), after.get("status_changed_on"))
		}
	})
}

func TestParkingLotHidesDates(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		noDates := func(what string, n *jsonNode) {
			t.Helper()
			for _, k := range dateKeys {
				if n.has(k) {
					t.Errorf("%s: parking lot release has key %s", what, k)
				}
			}
		}
		allDates := func(what string, n *jsonNode) {
			t.Helper()
			for _, k := range dateKeys {
				if !n.has(k) {
					t.Errorf("%s: release has no key %s", what, k)
				}
			}
		}
		rel := s.create(t, "PRJ1", `"name":"Parked","parking_lot":true,"release_date":"2025-06-30","start_date":"2025-06-01"`)
		ref := rel.get("reference_num").str()
		noDates("create", rel)
		noDates("get", s.release(t, ref, ""))
		noDates("get *,watchers", s.release(t, ref, "*,watchers"))
		if rel.get("parking_lot").str() != "true" {
			t.Errorf("parking_lot %s, want true", rel.get("parking_lot"))
		}
		for _, path := range []string{"/api/v1/products/PRJ1/releases", "/api/v1/products/PRJ1/releases?fields=*,watchers", "/api/v1/products/PRJ1/releases?parking_lot=true"} {
			for _, it := range s.call(t, "GET", path, "", 200).get("releases").list {
				if it.get("reference_num").str() == ref {
					noDates(path, it)
				} else {
					for _, k := range []string{"start_date", "release_date"} {
						if !it.has(k) {
							t.Errorf("%s: %s has no key %s", path, it.get("reference_num").str(), k)
						}
					}
				}
			}
		}
		// Out of the parking lot the kept dates show again.
		rel = s.update(t, "PRJ1", ref, `"parking_lot":false`)
		allDates("unparked", rel)
		if rel.get("start_date").str() != "2025-06-01" || rel.get("release_date").str() != "2025-06-30" {
			t.Errorf("unparked: start_date %s, release_date %s, want 2025-06-01 and 2025-06-30", rel.get("start_date"), rel.get("release_date"))
		}
		// A demo release moved into the parking lot.
		rel = s.update(t, "PRJ1", "PRJ1-R-2", `"parking_lot":"true"`)
		noDates("PRJ1-R-2 parked", rel)
		noDates("PRJ1-R-2 parked, get", s.release(t, "PRJ1-R-2", ""))
		wantList(t, s, "/api/v1/products/PRJ1/releases?parking_lot=true", "PRJ1-R-2")
		rel = s.update(t, "PRJ1", "PRJ1-R-2", `"parking_lot":false`)
		allDates("PRJ1-R-2 unparked", rel)
		if rel.get("release_date").str() != "2019-01-01" {
			t.Errorf("PRJ1-R-2 unparked: release_date %s, want 2019-01-01", rel.get("release_date"))
		}
		// A parking lot release created without dates gets the default one when it leaves.
		pl := s.create(t, "PRJ1", `"name":"Parked bare","parking_lot":true`)
		start := time.Now()
		rel = s.update(t, "PRJ1", pl.get("reference_num").str(), `"parking_lot":false`)
		if d := rel.get("release_date").str(); d != lastDayOfNextMonth(start) && d != lastDayOfNextMonth(time.Now()) {
			t.Errorf("unparked without dates: release_date %s, want the last day of next month", d)
		}
		if rel.get("external_release_date").str() != rel.get("release_date").str() {
			t.Errorf("unparked without dates: external_release_date %s, want the release_date %s", rel.get("external_release_date"), rel.get("release_date"))
		}
	})
}

func TestCapacity(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		capacityKeys := []string{"capacity_units", "total_capacity", "total_capacity_text", "planned_capacity", "planned_capacity_text"}
		check := func(what string, rel *jsonNode, units, total, text string) {
			t.Helper()
			if units == "" {
				for _, k := range capacityKeys {
					if rel.has(k) {
						t.Errorf("%s: key %s present without capacity", what, k)
					}
				}
				return
			}
			if got := fmt.Sprintf("%s/%s/%s", rel.get("capacity_units").str(), rel.get("total_capacity").str(), rel.get("total_capacity_text").str()); got != units+"/"+total+"/"+text {
				t.Errorf("%s: capacity %s, want %s/%s/%s", what, got, units, total, text)
			}
			if !rel.get("total_capacity_text").isString() || rel.get("total_capacity").isString() {
				t.Errorf("%s: total_capacity %s and total_capacity_text %s: want a number and a string", what, rel.get("total_capacity"), rel.get("total_capacity_text"))
			}
			i := slices.Index(rel.keys, "duration_source")
			if i < 0 || len(rel.keys) < i+7 || !slices.Equal(rel.keys[i+1:i+7], append(slices.Clone(capacityKeys), "status_changed_on")) {
				t.Errorf("%s: keys %v, want the capacity keys between duration_source and status_changed_on", what, rel.keys)
			}
		}
		check("demo release", s.release(t, "PRJ1-R-1", ""), "", "", "")
		check("new release", s.create(t, "PRJ1", `"name":"No capacity"`), "", "", "")
		check("units only", s.create(t, "PRJ1", `"name":"Units only","capacity_units":"time"`), "", "", "")

		rel := s.create(t, "PRJ1", `"name":"Timed","capacity_units":"time","total_capacity_text":"9h"`)
		ref := rel.get("reference_num").str()
		check("time 9h", rel, "time", "540", "1d 1h")
		check("time 9h, get", s.release(t, ref, ""), "time", "540", "1d 1h")
		check("story points", s.create(t, "PRJ1", `"name":"Pointed","capacity_units":"story_points","total_capacity_text":"4p"`), "story_points", "4", "4p")
		check("inferred time", s.create(t, "PRJ1", `"name":"Inferred","total_capacity_text":"1m 1w 90min"`), "time", "13050", "1m 1w 1h 30min")
		check("update text", s.update(t, "PRJ1", ref, `"total_capacity_text":"2d 30min"`), "time", "990", "2d 30min")
		check("update units and text", s.update(t, "PRJ1", ref, `"capacity_units":"story_points","total_capacity_text":"2.5p"`), "story_points", "2.5", "2.5p")
		check("cleared", s.update(t, "PRJ1", ref, `"capacity_units":null`), "", "", "")
		check("cleared, get", s.release(t, ref, ""), "", "", "")
		for _, it := range s.call(t, "GET", "/api/v1/products/PRJ1/releases?fields="+url.QueryEscape("*,watchers"), "", 200).get("releases").list {
			check("list item", it, "", "", "")
		}
		pointed := s.release(t, "PRJ1-R-8", "name,total_capacity_text")
		wantKeys(t, "fields=name,total_capacity_text", pointed, "id", "name", "total_capacity_text")
		if pointed.get("name").str() != "Pointed" || pointed.get("total_capacity_text").str() != "4p" {
			t.Errorf("fields=name,total_capacity_text: %s, want Pointed and 4p", pointed)
		}
	})
}

func TestExternalReleaseDate(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, c := range []struct{ resolution, desc string }{
			{"exact", "Feb 5, 2025"},
			{"week", "Week of Feb 3, 2025"},
			{"month", "February FY25"},
			{"quarter", "Q1 FY25"},
			{"half", "H1 FY25"},
			{"year", "FY25"},
		} {
			rel := s.create(t, "PRJ1", `"name":"External `+c.resolution+`","release_date":"2025-03-31","external_release_date":"2025-02-05","external_date_resolution":"`+c.resolution+`"`)
			for _, n := range []*jsonNode{rel, s.release(t, rel.get("id").str(), "")} {
				if got := n.get("external_release_date_description").str(); got != c.desc {
					t.Errorf("%s: external_release_date_description %q, want %q", c.resolution, got, c.desc)
				}
				if got := n.get("external_release_date").str(); got != "2025-02-05" {
					t.Errorf("%s: external_release_date %s, want 2025-02-05 as given", c.resolution, got)
				}
				if got := n.get("external_date_resolution").str(); got != c.resolution {
					t.Errorf("%s: external_date_resolution %s", c.resolution, got)
				}
			}
		}
		// sync: the external date follows the release date.
		rel := s.create(t, "PRJ1", `"name":"Synced","release_date":"2025-03-10","external_date_resolution":"sync"`)
		ref := rel.get("reference_num").str()
		if rel.get("external_release_date").str() != "2025-03-10" || rel.get("external_release_date_description").str() != "Mar 10, 2025" {
			t.Errorf("sync: external %s %s, want 2025-03-10 Mar 10, 2025", rel.get("external_release_date"), rel.get("external_release_date_description"))
		}
		rel = s.update(t, "PRJ1", ref, `"release_date":"2025-04-01"`)
		if rel.get("external_release_date").str() != "2025-04-01" || rel.get("external_release_date_description").str() != "Apr 1, 2025" {
			t.Errorf("sync after a new release_date: external %s %s, want 2025-04-01 Apr 1, 2025", rel.get("external_release_date"), rel.get("external_release_date_description"))
		}
		if got := s.release(t, ref, "").get("external_release_date").str(); got != "2025-04-01" {
			t.Errorf("sync, get: external_release_date %s, want 2025-04-01", got)
		}
		// Default resolution is sync.
		def := s.create(t, "PRJ1", `"name":"Default resolution","release_date":"2025-07-04"`)
		if def.get("external_date_resolution").str() != "sync" || def.get("external_release_date").str() != "2025-07-04" {
			t.Errorf("default: %s %s, want sync 2025-07-04", def.get("external_date_resolution"), def.get("external_release_date"))
		}
		// Not sync: the external date stays when the release date moves.
		rel = s.update(t, "PRJ1", ref, `"external_date_resolution":"quarter","external_release_date":"2025-05-20"`)
		if rel.get("external_release_date_description").str() != "Q2 FY25" {
			t.Errorf("quarter: %s, want Q2 FY25", rel.get("external_release_date_description"))
		}
		rel = s.update(t, "PRJ1", ref, `"release_date":"2025-09-30"`)
		if rel.get("external_release_date").str() != "2025-05-20" {
			t.Errorf("quarter after a new release_date: external_release_date %s, want 2025-05-20", rel.get("external_release_date"))
		}
		// Back to sync: it follows again.
		rel = s.update(t, "PRJ1", ref, `"external_date_resolution":"sync"`)
		if rel.get("external_release_date").str() != "2025-09-30" {
			t.Errorf("back to sync: external_release_date %s, want 2025-09-30", rel.get("external_release_date"))
		}
	})
}

func TestProgressSource(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		rel := s.update(t, "PRJ1", "PRJ1-R-1", `"progress_source":"progress_from_features"`)
		if rel.get("progress").str() != "0" || rel.get("progress_source").str() != "progress_from_features" {
			t.Errorf("progress_from_features: progress %s, source %s, want 0", rel.get("progress"), rel.get("progress_source"))
		}
		rel = s.update(t, "PRJ1", "PRJ1-R-1", `"progress_source":"progress_manual","progress":40`)
		if rel.get("progress").str() != "40" || rel.get("progress_source").str() != "progress_manual" {
			t.Errorf("progress_manual: progress %s, source %s, want 40", rel.get("progress"), rel.get("progress_source"))
		}
		if got := s.release(t, "PRJ1-R-1", "").get("progress").str(); got != "40" {
			t.Errorf("get: progress %s, want 40", got)
		}
		rel = s.update(t, "PRJ1", "PRJ1-R-1", `"progress":"75"`)
		if rel.get("progress").str() != "75" {
			t.Errorf("progress \"75\": %s", rel.get("progress"))
		}
		created := s.create(t, "PRJ1", `"name":"Manual","progress_source":"progress_manual","progress":15`)
		if created.get("progress").str() != "15" {
			t.Errorf("create with manual progress: %s, want 15", created.get("progress"))
		}
		created = s.create(t, "PRJ1", `"name":"Computed"`)
		if created.get("progress").str() != "0" || created.get("progress_source").str() != "progress_from_features_completed" {
			t.Errorf("create: progress %s, source %s, want 0 and progress_from_features_completed", created.get("progress"), created.get("progress_source"))
		}
	})
}

func TestDuplicateThenList(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		orig := s.release(t, "PRJ1-R-1", "*,watchers")
		dup := s.call(t, "POST", "/api/v1/releases/PRJ1-R-1/duplicate", "", 200).get("release")
		wantKeys(t, "duplicate", dup, "id", "name")
		if dup.get("name").str() != "[Copy] Release 1" || dup.get("id").str() == orig.get("id").str() {
			t.Errorf("duplicate: %s", dup)
		}
		list := s.call(t, "GET", "/api/v1/products/PRJ1/releases", "", 200)
		if got := pageInfo(list); got != "7/1/1" {
			t.Errorf("after the duplicate: pagination %s, want 7/1/1", got)
		}
		var found *jsonNode
		for _, it := range list.get("releases").list {
			if it.get("id").str() == dup.get("id").str() {
				found = it
			}
		}
		if found == nil || found.get("name").str() != "[Copy] Release 1" || found.get("reference_num").str() != "PRJ1-R-5" {
			t.Fatalf("the copy in the list: %s, want [Copy] Release 1 as PRJ1-R-5", found)
		}
		cp := s.release(t, "PRJ1-R-5", "*,watchers")
		wantIDs(t, cp, "goals", goal1ID)
		wantIDs(t, cp, "initiatives", initiative1ID)
		if cp.get("theme", "body").str() != "Theme of the release" {
			t.Errorf("the copy's theme: %s", cp.get("theme"))
		}
		if cp.get("theme", "id").str() == orig.get("theme", "id").str() {
			t.Errorf("the copy shares the theme note %s", cp.get("theme", "id"))
		}
		if cp.get("url").str() != testBaseURL+"/releases/PRJ1-R-5" || cp.get("resource").str() != testBaseURL+"/api/v1/releases/PRJ1-R-5" {
			t.Errorf("the copy's url %s, resource %s", cp.get("url"), cp.get("resource"))
		}
		if got := statusTimes(cp); !slices.Equal(got, []string{"New:open"}) {
			t.Errorf("the copy's status history %v, want a fresh [New:open]", got)
		}
		if cp.get("created_by_user", "id").str() != maryID {
			t.Errorf("the copy's creator %s, want Mary", cp.get("created_by_user", "id"))
		}
		reportDiffs(t, "the copy differs from its source", compare(cp, orig, compareRules{ignore: pathSet(
			".id", ".reference_num", ".name", ".created_at", ".updated_at", ".position", ".status_changed_on",
			".theme.id", ".theme.created_at", ".theme.updated_at", ".url", ".resource", ".integration_fields",
			".comments_count", ".created_by_user", ".watchers",
			".custom_fields[].id", ".custom_fields[].updatedAt", ".custom_fields[].created_at", ".custom_fields[].updated_at"),
			optional: pathSet(".workflow_status_times")}))
		wantList(t, s, "/api/v1/goals/DEMOENT-G-1/releases", "PRJ1-R-1", "PRJ1-R-5")
		wantList(t, s, "/api/v1/initiatives/PRJ1-S-1/releases", "PRJ1-R-2", "PRJ1-R-1", "PRJ1-R-5")
		// The source is unchanged.
		reportDiffs(t, "the source after the duplicate", compare(orig, s.release(t, "PRJ1-R-1", "*,watchers"), compareRules{}))

		// By numeric ID, and a roll-up gets a roll-up number.
		dup = s.call(t, "POST", "/api/v1/releases/"+strconv.FormatInt(demo.RollUp1, 10)+"/duplicate", "", 200).get("release")
		cp = s.release(t, dup.get("id").str(), "")
		if cp.get("reference_num").str() != "PRJ1-MR-3" || cp.get("name").str() != "[Copy] Roll-up Release 1" || cp.get("url").str() != testBaseURL+"/master_releases/PRJ1-MR-3" {
			t.Errorf("duplicate of a roll-up: %s %s %s", cp.get("reference_num"), cp.get("name"), cp.get("url"))
		}
		// A copy's name is cut to the longest name allowed.
		long := strings.Repeat("é", 255)
		s.update(t, "PRJ1", "PRJ1-R-3", `"name":"`+long+`"`)
		dup = s.call(t, "POST", "/api/v1/releases/PRJ1-R-3/duplicate", "", 200).get("release")
		if want := ("[Copy] " + long)[:len("[Copy] ")+2*(255-len("[Copy] "))]; dup.get("name").str() != want {
			t.Errorf("the copy of a 255-character name: %q, want %q", dup.get("name").str(), want)
		}
		s.update(t, "PRJ1", "PRJ1-R-3", `"name":"Release 3"`)
		s.call(t, "DELETE", "/api/v1/releases/"+dup.get("id").str(), "", 204)

		// A copy of a release under a roll-up stays under it.
		dup = s.call(t, "POST", "/api/v1/releases/PRJ1-R-4/duplicate", "", 200).get("release")
		wantList(t, s, "/api/v1/releases/PRJ1-MR-2/releases", "PRJ1-R-4", "PRJ1-R-7")
		if got := s.create(t, "PRJ1", `"name":"After copies"`).get("reference_num").str(); got != "PRJ1-R-8" {
			t.Errorf("the create after three copies: %s, want PRJ1-R-8", got)
		}
	})
}

func TestDeleteThenGet(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		r := s.do(t, "DELETE", "/api/v1/products/PRJ1/releases/PRJ1-R-2", "")
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("DELETE: %s, want 204 with no body", r)
		}
		for _, path := range []string{"/api/v1/products/PRJ1/releases/PRJ1-R-2", "/api/v1/releases/PRJ1-R-2", "/api/v1/releases/161456549"} {
			checkError(t, s.do(t, "GET", path, ""), 404, "")
		}
		checkError(t, s.do(t, "DELETE", "/api/v1/products/PRJ1/releases/PRJ1-R-2", ""), 404, "")
		checkError(t, s.do(t, "DELETE", "/api/v1/releases/PRJ1-R-2", ""), 404, "")
		checkError(t, s.do(t, "PUT", "/api/v1/products/PRJ1/releases/PRJ1-R-2", `{"release":{"name":"Back"}}`), 404, "")
		checkError(t, s.do(t, "POST", "/api/v1/releases/PRJ1-R-2/duplicate", ""), 404, "")
		wantList(t, s, "/api/v1/initiatives/PRJ1-S-1/releases", "PRJ1-R-1")
		wantList(t, s, "/api/v1/products/PRJ1/releases", "PRJ1-MR-2", "PRJ1-R-1", "PRJ1-MR-1", "PRJ1-R-4", "PRJ1-R-3")
		if got := s.create(t, "PRJ1", `"name":"After delete"`).get("reference_num").str(); got != "PRJ1-R-5" {
			t.Errorf("create after delete: %s, want PRJ1-R-5", got)
		}
		// Numbers are never reused, not even the highest one.
		s.call(t, "DELETE", "/api/v1/products/PRJ1/releases/PRJ1-R-3", "", 204)
		s.call(t, "DELETE", "/api/v1/products/PRJ1/releases/PRJ1-R-5", "", 204)
		if got := s.create(t, "PRJ1", `"name":"After more deletes"`).get("reference_num").str(); got != "PRJ1-R-6" {
			t.Errorf("create after deleting PRJ1-R-3 and PRJ1-R-5: %s, want PRJ1-R-6", got)
		}
		// DELETE /api/v1/releases/:id, by numeric ID, once its work is gone.
		clearWork(t, s, "PRJ1-R-1")
		r = s.do(t, "DELETE", "/api/v1/releases/"+strconv.FormatInt(demo.Release1, 10), "")
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("DELETE /api/v1/releases/:id: %s, want 204 with no body", r)
		}
		checkError(t, s.do(t, "GET", "/api/v1/releases/PRJ1-R-1", ""), 404, "")
		wantList(t, s, "/api/v1/goals/DEMOENT-G-1/releases")
		wantList(t, s, "/api/v1/initiatives/PRJ1-S-1/releases")
		// Deleting a roll-up leaves the releases under it, detached.
		s.call(t, "DELETE", "/api/v1/products/PRJ1/releases/PRJ1-MR-2", "", 204)
		sub := s.release(t, "PRJ1-R-4", "")
		if sub.has("parent") {
			t.Errorf("PRJ1-R-4 after its roll-up's delete: parent %s", sub.get("parent"))
		}
		list := wantList(t, s, "/api/v1/products/PRJ1/releases", "PRJ1-MR-1", "PRJ1-R-4", "PRJ1-R-6")
		for _, it := range list.get("releases").list {
			if it.has("parent") {
				t.Errorf("%s: parent %s after the roll-up's delete", it.get("reference_num").str(), it.get("parent"))
			}
		}
		checkError(t, s.do(t, "GET", "/api/v1/releases/PRJ1-MR-2/releases", ""), 404, "")
		if got := s.call(t, "POST", "/api/v1/releases/PRJ1-MR-1/duplicate", "", 200).get("release", "id").str(); s.release(t, got, "").get("reference_num").str() != "PRJ1-MR-3" {
			t.Errorf("roll-up numbers are reused after a roll-up's delete")
		}
	})
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		before := snapshot(t, s)
		const body = `{"release":{"name":"Nowhere","status":"Shipped"}}`
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/products/NOPE/releases", ""},
			{"POST", "/api/v1/products/NOPE/releases", body},
			{"GET", "/api/v1/products/999999/releases", ""},
			{"POST", "/api/v1/products/999999/releases", body},
			{"GET", "/api/v1/products/NOPE/releases/PRJ1-R-1", ""},
			{"PUT", "/api/v1/products/NOPE/releases/PRJ1-R-1", body},
			{"DELETE", "/api/v1/products/NOPE/releases/PRJ1-R-1", ""},
			{"GET", "/api/v1/releases/999999", ""},
			{"GET", "/api/v1/releases/PRJ1-R-99", ""},
			{"GET", "/api/v1/products/PRJ1/releases/PRJ1-R-99", ""},
			{"GET", "/api/v1/products/PRJ1/releases/999999", ""},
			{"PUT", "/api/v1/releases/PRJ1-R-99", body},
			{"PUT", "/api/v1/products/PRJ1/releases/999999", body},
			{"DELETE", "/api/v1/releases/PRJ1-R-99", ""},
			{"DELETE", "/api/v1/releases/999999", ""},
			{"POST", "/api/v1/releases/PRJ1-R-99/duplicate", ""},
			{"GET", "/api/v1/products/PRJ2/releases/PRJ1-R-1", ""},
			{"PUT", "/api/v1/products/PRJ2/releases/PRJ1-R-1", body},
			{"DELETE", "/api/v1/products/PRJ2/releases/PRJ1-R-1", ""},
			{"GET", "/api/v1/products/517761884/releases/278327321", ""},
			{"PUT", "/api/v1/products/517761884/releases/278327321", body},
			{"DELETE", "/api/v1/products/517761884/releases/278327321", ""},
			{"GET", "/api/v1/goals/DEMOENT-G-99/releases", ""},
			{"GET", "/api/v1/goals/1/releases", ""},
			{"GET", "/api/v1/initiatives/PRJ1-S-99/releases", ""},
			{"GET", "/api/v1/initiatives/1/releases", ""},
			{"GET", "/api/v1/releases/PRJ1-R-99/releases", ""},
			{"GET", "/api/v1/roll_up_releases/PRJ1-MR-99/releases", ""},
			{"GET", "/api/v1/nothing", ""},
			{"POST", "/api/v1/nothing", body},
			{"GET", "/api/v1/releases/PRJ1-R-1/nothing", ""},
			{"GET", "/api/v2/releases/PRJ1-R-1", ""},
			{"GET", "/", ""},
			// Keys no record can have: NUL characters and invalid UTF-8.
			{"GET", "/api/v1/releases/%00", ""},
			{"GET", "/api/v1/releases/PRJ1-R-1%00", ""},
			{"PUT", "/api/v1/releases/PRJ1-R-1%00", body},
			{"DELETE", "/api/v1/releases/%FF", ""},
			{"POST", "/api/v1/releases/%00/duplicate", ""},
			{"GET", "/api/v1/products/%FF/releases", ""},
			{"POST", "/api/v1/products/PRJ1%00/releases", body},
			{"GET", "/api/v1/products/PRJ1/releases/%FF", ""},
			{"DELETE", "/api/v1/products/PRJ1/releases/PRJ1-R-1%00", ""},
			{"GET", "/api/v1/goals/%00/releases", ""},
			{"GET", "/api/v1/initiatives/%FF/releases", ""},
			{"GET", "/api/v1/releases/%FF/releases", ""},
			{"GET", "/api/v1/roll_up_releases/%00/releases", ""},
		} {
			checkError(t, s.do(t, c.method, c.path, c.body), 404, "")
		}
		checkUnchanged(t, s, before)
		if got := s.create(t, "PRJ1", `"name":"After the 404s"`).get("reference_num").str(); got != "PRJ1-R-5" {
			t.Errorf("create after the 404s: %s, want PRJ1-R-5", got)
		}
	})
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		before := snapshot(t, s)
		for _, c := range []struct{ method, path string }{
			{"PATCH", "/api/v1/releases/PRJ1-R-1"},
			{"PATCH", "/api/v1/products/PRJ1/releases/PRJ1-R-1"},
			{"POST", "/api/v1/releases/PRJ1-R-1"},
			{"DELETE", "/api/v1/products/PRJ1/releases"},
			{"PUT", "/api/v1/products/PRJ1/releases"},
			{"GET", "/api/v1/releases/PRJ1-R-1/duplicate"},
		} {
			r := s.do(t, c.method, c.path, `{"release":{"name":"Patched"}}`)
			checkError(t, r, 405, "")
			if r.Header.Get("Allow") == "" {
				t.Errorf("%s %s: 405 without an Allow header", c.method, c.path)
			}
		}
		checkUnchanged(t, s, before)
	})
}

// rawDo sends a request with the given Authorization header ("" sends none)
// and returns the answer or the transport error; it may be called from any
// goroutine.
func (s *testServer) rawDo(method, path, body, auth string) (*response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		before := snapshot(t, s)
		const body = `{"release":{"name":"Intruder","parking_lot":true}}`
		routes := []struct{ method, path, body string }{
			{"GET", "/api/v1/products/PRJ1/releases", ""},
			{"POST", "/api/v1/products/PRJ1/releases", body},
			{"GET", "/api/v1/products/PRJ1/releases/PRJ1-R-1", ""},
			{"PUT", "/api/v1/products/PRJ1/releases/PRJ1-R-1", body},
			{"DELETE", "/api/v1/products/PRJ1/releases/PRJ1-R-2", ""},
			{"GET", "/api/v1/goals/DEMOENT-G-1/releases", ""},
			{"GET", "/api/v1/initiatives/PRJ1-S-1/releases", ""},
			{"GET", "/api/v1/releases/PRJ1-MR-2/releases", ""},
			{"GET", "/api/v1/roll_up_releases/PRJ1-MR-2/releases", ""},
			{"GET", "/api/v1/releases/PRJ1-R-1", ""},
			{"POST", "/api/v1/releases/PRJ1-R-1/duplicate", ""},
			{"PUT", "/api/v1/releases/PRJ1-R-3", body},
			{"DELETE", "/api/v1/releases/PRJ1-R-3", ""},
			// Unknown records: a caller without credentials learns nothing.
			{"GET", "/api/v1/products/NOPE/releases", ""},
			{"DELETE", "/api/v1/releases/PRJ9-R-9", ""},
		}
		auths := []struct{ name, header string }{
			{"no header", ""},
			{"wrong token", "Bearer " + strings.Repeat("0", 64)},
			{"token of another length", "Bearer " + demo.Token[:32]},
			{"basic", "Basic xyz"},
			{"basic with the token", "Basic " + demo.Token},
			{"bearer alone", "Bearer"},
			{"bearer and a space", "Bearer  "},
			{"token alone", demo.Token},
		}
		for _, rt := range routes {
			for _, a := range auths {
				r, err := s.rawDo(rt.method, rt.path, rt.body, a.header)
				if err != nil {
					t.Fatalf("%s %s: %v", rt.method, rt.path, err)
				}
				t.Run(rt.method+" "+rt.path+"/"+a.name, func(t *testing.T) {
					checkError(t, r, 401, "")
					if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("WWW-Authenticate %q, want a Bearer challenge", r.Header.Get("WWW-Authenticate"))
					}
				})
			}
		}
		checkUnchanged(t, s, before)
		if got := s.create(t, "PRJ1", `"name":"After the 401s"`).get("reference_num").str(); got != "PRJ1-R-5" {
			t.Errorf("create after the 401s: %s, want PRJ1-R-5", got)
		}
		// The scheme is case-insensitive, and health needs no token.
		r, err := s.rawDo("GET", "/api/v1/releases/PRJ1-R-1", "", "bearer "+demo.Token)
		if err != nil || r.Status != 200 {
			t.Errorf("lower-case bearer: %v %v", r, err)
		}
		r, err = s.rawDo("GET", "/healthz", "", "")
		if err != nil || r.Status != 200 || !strings.Contains(string(r.Body), `"ok"`) {
			t.Errorf("/healthz without a token: %v %v", r, err)
		}
	})
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		const n = 50
		type result struct {
			name, id, ref string
			err           error
		}
		results := make([]result, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				name := fmt.Sprintf("Concurrent %02d", i)
				results[i].name = name
				r, err := s.rawDo("POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"`+name+`"}}`, "Bearer "+demo.Token)
				if err != nil {
					results[i].err = err
					return
				}
				if r.Status != 200 {
					results[i].err = fmt.Errorf("status %s", r)
					return
				}
				tree, err := parseJSON(r.Body)
				if err != nil {
					results[i].err = err
					return
				}
				results[i].id = tree.get("release", "id").str()
				results[i].ref = tree.get("release", "reference_num").str()
			})
		}
		close(start)
		wg.Wait()
		var refs []string
		for _, res := range results {
			if res.err != nil {
				t.Errorf("%s: %v", res.name, res.err)
				continue
			}
			refs = append(refs, res.ref)
		}
		if t.Failed() {
			return
		}
		var want []string
		for i := 5; i < 5+n; i++ {
			want = append(want, fmt.Sprintf("PRJ1-R-%d", i))
		}
		sortRefs := func(refs []string) {
			sort.Slice(refs, func(i, j int) bool {
				a, _ := strconv.Atoi(refs[i][strings.LastIndexByte(refs[i], '-')+1:])
				b, _ := strconv.Atoi(refs[j][strings.LastIndexByte(refs[j], '-')+1:])
				return a < b
			})
		}
		sortRefs(refs)
		if !slices.Equal(refs, want) {
			t.Errorf("reference numbers %v, want PRJ1-R-5..PRJ1-R-%d once each", refs, 4+n)
		}
		for _, res := range results {
			byRef := s.release(t, res.ref, "")
			if byRef.get("id").str() != res.id || byRef.get("name").str() != res.name {
				t.Errorf("GET %s: id %s name %s, want %s %s", res.ref, byRef.get("id"), byRef.get("name"), res.id, res.name)
			}
		}
		if got := pageInfo(s.call(t, "GET", "/api/v1/products/PRJ1/releases?per_page=100", "", 200)); got != "56/1/1" {
			t.Errorf("PRJ1 after the creates: pagination %s, want 56/1/1", got)
		}
		if got := s.create(t, "PRJ1", `"name":"After"`).get("reference_num").str(); got != fmt.Sprintf("PRJ1-R-%d", 5+n) {
			t.Errorf("the next create: %s, want PRJ1-R-%d", got, 5+n)
		}
	})
}

func TestReleaseScopedWriteRoutes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		const change = `{"release":{"name":"Renamed","status":"Planning","goals":"Goal 2","parent_id":"PRJ1-MR-1"},"fields":"*,watchers"}`
		viaProduct := s.call(t, "PUT", "/api/v1/products/PRJ1/releases/PRJ1-R-2", change, 200).get("release")
		viaRelease := s.call(t, "PUT", "/api/v1/releases/PRJ1-R-3", change, 200).get("release")
		viaID := s.call(t, "PUT", "/api/v1/releases/"+strconv.FormatInt(demo.Release1, 10), change, 200).get("release")
		for _, rel := range []*jsonNode{viaRelease, viaID} {
			reportDiffs(t, "PUT /api/v1/releases/:id differs from the product-scoped PUT", compare(viaProduct, rel, compareRules{ignore: pathSet(
				".id", ".reference_num", ".url", ".resource", ".integration_fields", ".initiatives", ".custom_fields",
				".comments_count", ".updated_at", ".theme", ".development_started_on", ".external_date_resolution",
				".external_release_date_description", ".progress", ".progress_source", ".position",
				".workflow_status_times[].started_at", ".workflow_status_times[].ended_at"),
				optional: pathSet(".initiatives")}))
			ref := rel.get("reference_num").str()
			reportDiffs(t, "GET "+ref+" after the PUT", compare(rel, s.release(t, ref, "*,watchers"), compareRules{}))
			if rel.get("name").str() != "Renamed" || rel.get("parent", "reference_num").str() != "PRJ1-MR-1" {
				t.Errorf("%s: name %s, parent %s", ref, rel.get("name"), rel.get("parent"))
			}
		}
		wantList(t, s, "/api/v1/releases/PRJ1-MR-1/releases", "PRJ1-R-2", "PRJ1-R-1", "PRJ1-R-3")

		// The same validation, with the same answer.
		const bad = `{"release":{"name":"   "}}`
		a := s.do(t, "PUT", "/api/v1/products/PRJ1/releases/PRJ1-R-4", bad)
		b := s.do(t, "PUT", "/api/v1/releases/PRJ1-R-4", bad)
		checkError(t, a, 422, "name")
		checkError(t, b, 422, "name")
		if string(a.Body) != string(b.Body) {
			t.Errorf("the two routes answer the same error differently:\n%s\n%s", a, b)
		}

		// DELETE by key and by ID.
		s.call(t, "DELETE", "/api/v1/releases/PRJ1-R-3", "", 204)
		checkError(t, s.do(t, "GET", "/api/v1/products/PRJ1/releases/PRJ1-R-3", ""), 404, "")
		checkError(t, s.do(t, "DELETE", "/api/v1/releases/PRJ1-R-3", ""), 404, "")
		checkError(t, s.do(t, "PUT", "/api/v1/releases/PRJ1-R-3", change), 404, "")
		s.call(t, "DELETE", "/api/v1/releases/"+strconv.FormatInt(demo.RollUp1, 10), "", 204)
		for _, ref := range []string{"PRJ1-R-2", "PRJ1-R-1"} {
			if rel := s.release(t, ref, ""); rel.has("parent") {
				t.Errorf("%s after its roll-up's delete: parent %s", ref, rel.get("parent"))
			}
		}
		wantList(t, s, "/api/v1/products/PRJ1/releases", "PRJ1-MR-2", "PRJ1-R-2", "PRJ1-R-1", "PRJ1-R-4")
		if got := s.create(t, "PRJ1", `"name":"After deleting PRJ1-R-3"`).get("reference_num").str(); got != "PRJ1-R-5" {
			t.Errorf("create after deleting PRJ1-R-3: %s, want PRJ1-R-5", got)
		}
	})
}

func TestConcurrentStatusChanges(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		ref := s.create(t, "PRJ1", `"name":"Contended"`).get("reference_num").str()
		statuses := []string{"Planning", "In development", "Ready to ship", "Shipped", "New"}
		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				body := `{"release":{"status":"` + statuses[i%len(statuses)] + `","name":"Contended ` + strconv.Itoa(i) + `"}}`
				r, err := s.rawDo("PUT", "/api/v1/products/PRJ1/releases/"+ref, body, "Bearer "+demo.Token)
				if err == nil && r.Status != 200 {
					err = fmt.Errorf("status %s", r)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		}
		rel := s.release(t, ref, "")
		history := statusTimes(rel)
		if len(history) < 2 || len(history) > n+1 {
			t.Fatalf("history %v: want between 2 and %d entries", history, n+1)
		}
		for i, h := range history {
			if open := strings.HasSuffix(h, ":open"); open != (i == len(history)-1) {
				t.Errorf("history %v: only the last entry may be open", history)
				break
			}
		}
		if last := history[len(history)-1]; last != rel.get("workflow_status", "name").str()+":open" {
			t.Errorf("history ends with %s, status is %s", last, rel.get("workflow_status", "name"))
		}
		for i := 0; i+1 < len(history); i++ {
			if history[i] == history[i+1] {
				t.Errorf("history %v: the same status twice in a row", history)
			}
		}
		checkStatusHistory(t, rel)
		times := rel.get("workflow_status_times").list
		for i := 0; i+1 < len(times); i++ {
			if times[i].get("started_at").str() > times[i+1].get("started_at").str() {
				t.Errorf("history starts out of order: %s then %s", times[i].get("started_at"), times[i+1].get("started_at"))
			}
		}
		shipped := rel.get("workflow_status", "name").str() == "Shipped"
		if (rel.get("released").str() == "true") != shipped || rel.get("released_on").isNull() == shipped {
			t.Errorf("status %s: released %s, released_on %s", rel.get("workflow_status", "name"), rel.get("released"), rel.get("released_on"))
		}
	})
}

func TestBodyReadAsJSONWhateverItsType(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for i, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8"} {
			req, err := http.NewRequest("POST", s.URL+"/api/v1/products/PRJ1/releases", strings.NewReader(`{"release":{"name":"Typed"}}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+demo.Token)
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := s.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			r := &response{Status: resp.StatusCode, Header: resp.Header, Body: data}
			if r.Status != 200 {
				t.Errorf("Content-Type %q: %s, want 200", ct, r)
				continue
			}
			if got, want := r.tree(t).get("release", "reference_num").str(), fmt.Sprintf("PRJ1-R-%d", 5+i); got != want {
				t.Errorf("Content-Type %q: %s, want %s", ct, got, want)
			}
			checkJSONContentType(t, r)
		}
	})
}

// dates returns a release's start and release dates as "start..release".
func dates(n *jsonNode) string {
	return n.get("start_date").str() + ".." + n.get("release_date").str()
}

func TestRollUpDurationFromSubReleases(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		want := func(what, ref, span string) {
			t.Helper()
			rel := s.release(t, ref, "")
			if got := dates(rel); got != span {
				t.Errorf("%s: %s spans %s, want %s", what, ref, got, span)
			}
			if rel.get("external_date_resolution").str() == "sync" && rel.get("external_release_date").str() != rel.get("release_date").str() {
				t.Errorf("%s: %s external_release_date %s, want its release_date %s", what, ref, rel.get("external_release_date"), rel.get("release_date"))
			}
		}
		s.update(t, "PRJ1", "PRJ1-MR-2", `"duration_source":"duration_from_sub_releases","external_date_resolution":"sync"`)
		want("computed from the demo sub-release", "PRJ1-MR-2", "2019-01-01..2019-01-01")

		late := s.create(t, "PRJ1", `"name":"Late","parent_id":"PRJ1-MR-2","start_date":"2025-01-10","release_date":"2025-03-31"`).get("reference_num").str()
		want("a sub-release created", "PRJ1-MR-2", "2019-01-01..2025-03-31")
		s.update(t, "PRJ1", "PRJ1-R-4", `"start_date":"2025-01-01","release_date":"2025-02-01"`)
		want("a sub-release moved", "PRJ1-MR-2", "2025-01-01..2025-03-31")
		s.update(t, "PRJ1", late, `"parking_lot":true`)
		want("a sub-release parked", "PRJ1-MR-2", "2025-01-01..2025-02-01")
		s.update(t, "PRJ1", late, `"parking_lot":false`)
		want("a sub-release unparked", "PRJ1-MR-2", "2025-01-01..2025-03-31")

		// Under a roll-up under a roll-up, a change reaches the top.
		s.update(t, "PRJ1", "PRJ1-MR-1", `"duration_source":"duration_from_sub_releases","parent_id":"PRJ1-MR-2"`)
		s.update(t, "PRJ1", late, `"parent_id":"PRJ1-MR-1"`)
		want("a sub-release moved to the inner roll-up", "PRJ1-MR-1", "2025-01-10..2025-03-31")
		want("a sub-release moved to the inner roll-up", "PRJ1-MR-2", "2025-01-01..2025-03-31")
		s.update(t, "PRJ1", late, `"release_date":"2025-06-30"`)
		want("a sub-sub-release moved", "PRJ1-MR-1", "2025-01-10..2025-06-30")
		want("a sub-sub-release moved", "PRJ1-MR-2", "2025-01-01..2025-06-30")

		// Without sub-releases left, the dates stay as they were.
		s.call(t, "DELETE", "/api/v1/releases/PRJ1-R-4", "", 204)
		want("the other sub-release deleted", "PRJ1-MR-2", "2025-01-10..2025-06-30")
		s.call(t, "DELETE", "/api/v1/releases/"+late, "", 204)
		want("the last sub-release deleted", "PRJ1-MR-1", "2025-01-10..2025-06-30")
		want("the last sub-release deleted", "PRJ1-MR-2", "2025-01-10..2025-06-30")

		// Back to manual, the dates may be set again.
		rel := s.update(t, "PRJ1", "PRJ1-MR-2", `"duration_source":"duration_manual","release_date":"2025-12-31"`)
		if got := dates(rel); got != "2025-01-10..2025-12-31" {
			t.Errorf("back to duration_manual: %s, want 2025-01-10..2025-12-31", got)
		}
	})
}
