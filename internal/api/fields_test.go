package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// gregory has no role in any product and is no administrator.
const gregory int64 = 375285024

// cfDefine creates a custom field definition as the administrator and
// returns its ID.
func cfDefine(t *testing.T, s *testServer, fieldable, key, typ string, options ...string) string {
	t.Helper()
	opts := ""
	if len(options) > 0 {
		opts = `,"options":["` + strings.Join(options, `","`) + `"]`
	}
	d := glCall(t, s, "POST", "/api/v1/custom_field_definitions",
		fmt.Sprintf(`{"custom_field_definition":{"key":%q,"name":%q,"type":%q,"custom_fieldable_type":%q%s}}`, key, "Field "+key, typ, fieldable, opts), 200)
	return d.get("custom_field_definition", "id").str()
}

// cfValues returns a release's custom field values by key.
func cfValues(t *testing.T, s *testServer, release string) map[string]*jsonNode {
	t.Helper()
	out := map[string]*jsonNode{}
	for _, cf := range getJSON(t, s, "/api/v1/releases/"+release).get("release", "custom_fields").list {
		out[cf.get("key").str()] = cf
	}
	return out
}

// cfPut writes custom fields of PRJ1-R-2 and checks the status.
func cfPut(t *testing.T, s *testServer, fields string, status int, mention string) {
	t.Helper()
	r := s.do(t, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"custom_fields":`+fields+`}}`)
	if status != 200 {
		glErr(t, r, status, mention)
		return
	}
	if r.Status != 200 {
		t.Fatalf("PUT custom_fields %s: %s, want 200", fields, r)
	}
}

// TestCustomFieldDefinitions checks that the administrator defines custom
// fields (key, name, type, record type, options), that the list and a
// definition show them, and that bad definitions answer 400 or 422.
func TestCustomFieldDefinitions(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFieldsServer(t, backend)
		d := glCall(t, s, "POST", "/api/v1/custom_field_definitions",
			`{"custom_field_definition":{"key":"risk","name":"Risk","type":"SelectConstant","custom_fieldable_type":"Release","internal_name":"risk_level","options":["Low",{"value":"High","color":"#ff0000"}]}}`, 200).get("custom_field_definition")
		id := d.get("id").str()
		want, _ := parseJSON([]byte(`{"name":"Risk","id":"` + id + `","key":"risk","type":"CustomFieldDefinitions::SelectConstant","custom_fieldable_type":"Release","internal_name":"risk_level","options":[{"id":"x","value":"Low","color":6710886,"hidden":false},{"id":"x","value":"High","color":16711680,"hidden":false}]}`))
		reportDiffs(t, "created definition", compare(want, d, compareRules{ignore: pathSet(".options[].id")}))
		checkNewID(t, ".id", d.get("id"))
		reportDiffs(t, "GET of the definition", compare(d, getJSON(t, s, "/api/v1/custom_field_definitions/"+id).get("custom_field_definition"), compareRules{}))

		list := getJSON(t, s, "/api/v1/custom_field_definitions").get("custom_field_definitions")
		if n := len(list.list); n != demoDefinitions()+1 {
			t.Errorf("%d definitions listed, want %d", n, demoDefinitions()+1)
		}
		last := list.list[len(list.list)-1]
		if !slices.Equal(last.keys, []string{"name", "id", "key", "type", "custom_fieldable_type", "internal_name"}) || last.get("id").str() != id {
			t.Errorf("last listed definition %s, want the new one in the list's shape", last)
		}
		if got := getJSON(t, s, "/api/v1/custom_field_definitions?fields=key").get("custom_field_definitions").list[0]; !slices.Equal(got.keys, []string{"id", "key"}) {
			t.Errorf("fields=key: %s, want id and key only", got)
		}
		opts := getJSON(t, s, "/api/v1/custom_field_definitions/"+id+"/options").get("options")
		if len(opts.list) != 2 || opts.list[1].get("text").str() != "High" || opts.list[1].get("meta", "color").str() != "#ff0000" {
			t.Errorf("options: %s, want Low and High (#ff0000)", opts)
		}

		// The same key is free for another record type, not for the same one.
		cfDefine(t, s, "Initiative", "risk", "CustomFieldDefinitions::TextField")
		for _, c := range []struct {
			body    string
			status  int
			mention string
		}{
			{`{"custom_field_definition":{"key":"risk","name":"Risk","type":"TextField","custom_fieldable_type":"Release"}}`, 422, "key"},
			{`{"custom_field_definition":{"key":"Bad Key","name":"x","type":"TextField","custom_fieldable_type":"Release"}}`, 422, "key"},
			{`{"custom_field_definition":{"name":"x","type":"TextField","custom_fieldable_type":"Release"}}`, 422, "key"},
			{`{"custom_field_definition":{"key":"k1","type":"TextField","custom_fieldable_type":"Release"}}`, 422, "name"},
			{`{"custom_field_definition":{"key":"k1","name":"x","type":"CustomFieldDefinitions::Spreadsheet","custom_fieldable_type":"Release"}}`, 422, "type"},
			{`{"custom_field_definition":{"key":"k1","name":"x","type":"TextField","custom_fieldable_type":"Spaceship"}}`, 422, "custom_fieldable_type"},
			{`{"custom_field_definition":{"key":"k1","name":"x","type":"TextField","custom_fieldable_type":"Release","options":["a"]}}`, 422, "options"},
			{`{"custom_field_definition":{"key":"k1","name":"x","type":"SelectConstant","custom_fieldable_type":"Release","options":["a","a"]}}`, 422, "options"},
			{`{"custom_field_definition":{"key":"k1","name":"x","type":"SelectConstant","custom_fieldable_type":"Release","options":[{"value":"a","color":16777216}]}}`, 422, "color"},
			{`{"custom_field_definition":{"key":1,"name":"x","type":"TextField","custom_fieldable_type":"Release"}}`, 400, "key"},
			{`{"custom_field_definition":{"key":"k1","name":"x","type":"SelectConstant","custom_fieldable_type":"Release","options":{"a":1}}}`, 400, "options"},
			{`{"custom_field_definition":"k1"}`, 400, "custom_field_definition"},
			{`{}`, 400, "custom_field_definition"},
		} {
			glErr(t, s.do(t, "POST", "/api/v1/custom_field_definitions", c.body), c.status, c.mention)
		}
		if n := len(getJSON(t, s, "/api/v1/custom_field_definitions").get("custom_field_definitions").list); n != demoDefinitions()+2 {
			t.Errorf("%d definitions after the refused creates, want %d", n, demoDefinitions()+2)
		}
		for _, path := range []string{"/api/v1/custom_field_definitions/999", "/api/v1/custom_field_definitions/abc/options", "/api/v1/custom_field_definitions/999/custom_field_options"} {
			glErr(t, s.do(t, "GET", path, ""), 404, "")
		}
	})
}

// TestCustomFieldOptions checks the option routes beyond the reference's
// examples: validation, hidden options, renames that carry the values along,
// and deletes refused while values hold the option.
func TestCustomFieldOptions(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFieldsServer(t, backend)
		risk := cfDefine(t, s, "Release", "risk", "CustomFieldDefinitions::SelectConstant", "Low", "High")
		base := "/api/v1/custom_field_definitions/" + risk + "/custom_field_options"
		mid := glCall(t, s, "POST", base, `{"custom_field_option":{"value":"Medium","color":"#00ff00"}}`, 200)
		if mid.get("color").str() != "65280" || mid.get("hidden").str() != "false" || !slices.Equal(mid.keys, []string{"id", "value", "color", "hidden"}) {
			t.Errorf("created option %s, want color 65280, not hidden", mid)
		}
		midID := mid.get("id").str()
		for _, c := range []struct {
			method, path, body string
			status             int
			mention            string
		}{
			{"POST", base, `{"custom_field_option":{"value":"Low"}}`, 422, "Low"},
			{"POST", base, `{"custom_field_option":{"value":"  "}}`, 422, "value"},
			{"POST", base, `{"custom_field_option":{"color":5}}`, 422, "value"},
			{"POST", base, `{"custom_field_option":{"value":"X","color":-1}}`, 422, "color"},
			{"POST", base, `{"custom_field_option":{"value":"X","color":"#12"}}`, 400, "color"},
			{"POST", base, `{"custom_field_option":{"value":["X"]}}`, 400, "value"},
			{"POST", base, `{"custom_field_option":{"value":"X","hidden":"maybe"}}`, 400, "hidden"},
			{"POST", base, `{"value":"X"}`, 400, "custom_field_option"},
			{"PUT", base + "/" + midID, `{"custom_field_option":{"value":"High"}}`, 422, "High"},
			{"PUT", base + "/999", `{"custom_field_option":{"value":"Y"}}`, 404, ""},
			{"PUT", "/api/v1/custom_field_definitions/" + fmt.Sprint(demo.FeaturePriority) + "/custom_field_options/" + midID, `{"custom_field_option":{"value":"Y"}}`, 404, ""},
			{"DELETE", base + "/999", "", 404, ""},
			{"POST", "/api/v1/custom_field_definitions/" + fmt.Sprint(demo.ReleaseTextField) + "/custom_field_options", `{"custom_field_option":{"value":"Y"}}`, 422, "no options"},
			{"POST", "/api/v1/custom_field_definitions/999/custom_field_options", `{"custom_field_option":{"value":"Y"}}`, 404, ""},
		} {
			glErr(t, s.do(t, c.method, c.path, c.body), c.status, c.mention)
		}

		// A value holds Medium: renaming the option renames the value; the
		// option cannot be deleted until no value holds it; hidden, it
		// stays on the value but cannot be chosen anew.
		cfPut(t, s, `{"risk":"Medium"}`, 200, "")
		glCall(t, s, "PUT", base+"/"+midID, `{"custom_field_option":{"value":"Moderate"}}`, 200)
		if v := cfValues(t, s, "PRJ1-R-2")["risk"]; v.get("value").str() != "Moderate" || v.get("type").str() != "string" || v.get("name").str() != "Field risk" {
			t.Errorf("PRJ1-R-2's risk after the rename: %s, want Moderate", v)
		}
		glErr(t, s.do(t, "DELETE", base+"/"+midID, ""), 422, "hide it")
		hidden := glCall(t, s, "PUT", base+"/"+midID, `{"custom_field_option":{"hidden":true}}`, 200)
		if hidden.get("hidden").str() != "true" || hidden.get("value").str() != "Moderate" || hidden.get("color").str() != "65280" {
			t.Errorf("hidden option %s, want Moderate, hidden, color kept", hidden)
		}
		for _, o := range getJSON(t, s, "/api/v1/custom_field_definitions/"+risk+"/options").get("options").list {
			if o.get("text").str() == "Moderate" {
				t.Errorf("/options lists the hidden option Moderate")
			}
		}
		if all := getJSON(t, s, base).get("custom_field_options"); len(all.list) != 3 {
			t.Errorf("custom_field_options: %s, want all three options", all)
		}
		cfPut(t, s, `{"risk":"Moderate"}`, 200, "")
		r := s.do(t, "PUT", "/api/v1/releases/PRJ1-R-3", `{"release":{"custom_fields":{"risk":"Moderate"}}}`)
		glErr(t, r, 422, "hidden")
		cfPut(t, s, `{"risk":null}`, 200, "")
		deleted := glCall(t, s, "DELETE", base+"/"+midID, "", 200)
		if deleted.get("value").str() != "Moderate" || deleted.get("id").str() != midID {
			t.Errorf("deleted option %s, want Moderate as it was", deleted)
		}
		if all := getJSON(t, s, base).get("custom_field_options"); len(all.list) != 2 {
			t.Errorf("custom_field_options after the delete: %s, want Low and High", all)
		}
	})
}

// TestReleaseCustomFieldValues checks custom field values on releases and
// initiatives against their definitions: unknown keys and values of the
// wrong kind answer 422 and change nothing; null clears; each type renders
// as the references show it.
func TestReleaseCustomFieldValues(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		s := newFieldsServer(t, backend)
		cfDefine(t, s, "Release", "budget", "NumberField")
		cfDefine(t, s, "Release", "website", "UrlField")
		cfDefine(t, s, "Release", "risk", "SelectConstant", "Low", "High")
		customer := cfDefine(t, s, "Release", "customer", "SelectEditable", "Acme")
		tags := cfDefine(t, s, "Release", "tags", "Tags", "tag1")
		cfDefine(t, s, "Initiative", "budget", "TextField")

		before := getJSON(t, s, "/api/v1/releases/PRJ1-R-2")
		for _, c := range []struct {
			fields, mention string
		}{
			{`{"stretch_goal":"x"}`, "stretch_goal"},
			{`{"text_field":"ok","nope":"x"}`, "nope"},
			{`{"release_custom_date":"2019-02-30"}`, "release_custom_date"},
			{`{"budget":"a lot"}`, "budget"},
			{`{"budget":"Infinity"}`, "budget"},
			{`{"website":"ftp://example.com"}`, "website"},
			{`{"website":"example.com"}`, "website"},
			{`{"risk":"Medium"}`, "Low"},
			{`{"tags":"tag1"}`, "array"},
			{`[{"key":"priority","value":"P1"}]`, "priority"},
		} {
			cfPut(t, s, c.fields, 422, c.mention)
		}
		r := s.do(t, "PUT", "/api/v1/releases/PRJ1-R-2", `{"release":{"custom_fields":{"nope":"x"}}}`)
		if e := r.tree(t).get("errors"); e.get("field").str() != "custom_fields" || !strings.Contains(e.get("message").str(), "custom_fields") {
			t.Errorf("unknown key: %s, want an error about custom_fields", r)
		}
		reportDiffs(t, "PRJ1-R-2 after refused writes", compare(before, getJSON(t, s, "/api/v1/releases/PRJ1-R-2"), compareRules{}))

		cfPut(t, s, `{"text_field":"Acme","release_custom_date":"2020-02-29","budget":"12.50","website":"https://example.com/a","risk":"High","customer":"Globex","note":"<p>n</p>"}`, 200, "")
		got := cfValues(t, s, "PRJ1-R-2")
		for key, want := range map[string]string{
			"text_field":          `{"key":"text_field","name":"TextField","value":"Acme","type":"string"}`,
			"release_custom_date": `{"key":"release_custom_date","name":"Release custom date","value":"2020-02-29","type":"date"}`,
			"budget":              `{"key":"budget","name":"Field budget","value":12.5,"type":"number"}`,
			"website":             `{"key":"website","name":"Field website","value":"https://example.com/a","type":"url"}`,
			"risk":                `{"key":"risk","name":"Field risk","value":"High","type":"string"}`,
			"customer":            `{"key":"customer","name":"Field customer","value":"Globex","type":"string"}`,
			"note":                `{"key":"note","name":"Note","body":"<p>n</p>","attachments":[],"value":"<p>n</p>","type":"note"}`,
		} {
			w, _ := parseJSON([]byte(want))
			g := got[key]
			if g == nil {
				t.Errorf("%s: missing", key)
				continue
			}
			for _, k := range w.keys {
				reportDiffs(t, key+"."+k, compare(w.get(k), g.get(k), compareRules{}))
			}
		}
		if n := got["budget"].get("value"); n.isString() {
			t.Errorf("budget: %s, want a JSON number", n)
		}
		if !slices.Equal(got["note"].keys, []string{"id", "key", "name", "updatedAt", "body", "created_at", "updated_at", "attachments", "value", "type"}) {
			t.Errorf("note keys %v", got["note"].keys)
		}
		opts := getJSON(t, s, "/api/v1/custom_field_definitions/"+customer+"/custom_field_options").get("custom_field_options")
		if vals := glRefs(opts, "value"); !slices.Equal(vals, []string{"Acme", "Globex"}) {
			t.Errorf("customer options after writing Globex: %v, want Acme and Globex", vals)
		}

		// null and "" clear; the array form works like the object.
		cfPut(t, s, `[{"key":"text_field","value":null},{"key":"budget","value":""},{"key":"risk","value":"Low"}]`, 200, "")
		got = cfValues(t, s, "PRJ1-R-2")
		if got["text_field"] != nil || got["budget"] != nil || got["risk"].get("value").str() != "Low" {
			t.Errorf("after clearing: %v, want text_field and budget gone, risk Low", got)
		}

		// A list is stored as the JSON text of its items and shown as an
		// array; written through the store here.
		if _, err := s.DB.UpdateRelease(ctx, demo.Release2, roadmap.ReleaseInput{CustomFields: roadmap.Some([]roadmap.CustomFieldEntry{{Key: "tags", Value: `["tag2","tag,3","tag2"," "]`}})}); err != nil {
			t.Fatal(err)
		}
		want, _ := parseJSON([]byte(`["tag2","tag,3"]`))
		if v := cfValues(t, s, "PRJ1-R-2")["tags"]; v.get("type").str() != "array" {
			t.Errorf("tags: %s, want type array", v)
		} else {
			reportDiffs(t, "tags", compare(want, v.get("value"), compareRules{}))
		}
		opts = getJSON(t, s, "/api/v1/custom_field_definitions/"+tags+"/custom_field_options").get("custom_field_options")
		if vals := glRefs(opts, "value"); len(vals) != 3 {
			t.Errorf("tags options: %v, want tag1, tag2 and tag,3", vals)
		}

		// Create takes custom fields too; a refused create creates nothing.
		rel := glCall(t, s, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"With fields","custom_fields":{"text_field":"T","risk":"High"}}}`, 200).get("release")
		created := map[string]string{}
		for _, cf := range rel.get("custom_fields").list {
			created[cf.get("key").str()] = cf.get("value").str()
		}
		if len(created) != 2 || created["text_field"] != "T" || created["risk"] != "High" {
			t.Errorf("created release's custom_fields: %v", created)
		}
		glErr(t, s.do(t, "POST", "/api/v1/products/PRJ1/releases", `{"release":{"name":"Refused","custom_fields":{"risk":"Huge"}}}`), 422, "risk")
		if n := getJSON(t, s, "/api/v1/products/PRJ1/releases?q=Refused").get("pagination", "total_records").str(); n != "0" {
			t.Errorf("a refused create left %s releases", n)
		}

		// Initiatives are checked against the initiatives' definitions.
		glErr(t, s.do(t, "PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"custom_fields":{"text_field":"x"}}}`), 422, "text_field")
		glErr(t, s.do(t, "PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"custom_fields":{"initiative_priority":"P9"}}}`), 422, "initiative_priority")
		it := glCall(t, s, "PUT", "/api/v1/initiatives/PRJ1-S-1", `{"initiative":{"custom_fields":{"budget":"10k","initiative_priority":"P1"}}}`, 200).get("initiative")
		vals := map[string]string{}
		for _, cf := range it.get("custom_fields").list {
			vals[cf.get("key").str()] = cf.get("value").str()
		}
		if vals["budget"] != "10k" || vals["initiative_priority"] != "P1" || vals["initiative_custom_date"] != "2019-01-01" {
			t.Errorf("initiative custom fields: %v", vals)
		}
	})
}

// TestIntegrations checks a product's integrations: owners add them, every
// role lists them.
func TestIntegrations(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFieldsServer(t, backend)
		list := getJSON(t, s, "/api/v1/products/PRJ1/integrations")
		if ids := glRefs(list.get("integrations"), "id"); !slices.Equal(ids, []string{fmt.Sprint(demo.JiraPRJ1), fmt.Sprint(demo.JiraPRJ1Second)}) {
			t.Errorf("PRJ1's integrations: %v", ids)
		}
		if list.get("pagination", "total_records").str() != "2" {
			t.Errorf("pagination: %s", list.get("pagination"))
		}
		it := glCall(t, s, "POST", "/api/v1/products/PRJ2/integrations", `{"integration":{"service_name":"GitHub","name":"Our GitHub"}}`, 200).get("integration")
		if it.get("service_name").str() != "github" || it.get("name").str() != "Our GitHub" || it.get("product_id").str() != fmt.Sprint(demo.PRJ2) ||
			!slices.Equal(it.keys, []string{"id", "name", "service_name", "product_id", "created_at"}) {
			t.Errorf("created integration: %s", it)
		}
		glErr(t, s.do(t, "POST", "/api/v1/products/PRJ2/integrations", `{"integration":{"service_name":"no spaces"}}`), 422, "service_name")
		glErr(t, s.do(t, "POST", "/api/v1/products/PRJ2/integrations", `{"integration":{"name":"x"}}`), 422, "service_name")
		glErr(t, s.do(t, "POST", "/api/v1/products/PRJ2/integrations", `{"integration":{"service_name":7}}`), 400, "service_name")
		glErr(t, s.do(t, "GET", "/api/v1/products/NOPE/integrations", ""), 404, "")
		glErr(t, s.do(t, "GET", "/api/v1/products/PRJ1/integrations?per_page=x", ""), 400, "per_page")
		page2 := getJSON(t, s, "/api/v1/products/PRJ1/integrations?per_page=1&page=2")
		if ids := glRefs(page2.get("integrations"), "id"); !slices.Equal(ids, []string{fmt.Sprint(demo.JiraPRJ1Second)}) || page2.get("pagination", "total_pages").str() != "2" {
			t.Errorf("page 2 of 1: %s", page2)
		}
	})
}

// TestReleaseIntegrationFields checks the integration field routes of
// releases and initiatives: writes through an integration by ID or service
// name (one field or several, a second write of a name changes its value),
// reads by name, lists by value, deletes, and bad input.
func TestReleaseIntegrationFields(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newFieldsServer(t, backend)
		base := "/api/v1/releases/PRJ1-R-2/integrations/"
		before := getJSON(t, s, "/api/v1/releases/PRJ1-R-2").get("release", "updated_at").str()
		f := glCall(t, s, "POST", base+fmt.Sprint(demo.JiraPRJ1)+"/fields", `{"integration_field":{"name":"key","value":"JRA-34"}}`, 200)
		want, _ := parseJSON([]byte(`{"integration_field":{"id":"1","name":"key","value":"JRA-34","integration_id":204584239,"service_name":"jira","created_at":"x",
			"integratable":{"url":"http://company.aha.io/releases/PRJ1-R-2","resource":"http://company.aha.io/api/v1/releases/PRJ1-R-2"}}}`))
		reportDiffs(t, "created field", compare(want, f, compareRules{ignore: pathSet(".integration_field.id", ".integration_field.created_at")}))
		keyID := f.get("integration_field", "id").str()
		checkNewID(t, ".integration_field.id", f.get("integration_field", "id"))
		rel := getJSON(t, s, "/api/v1/releases/PRJ1-R-2").get("release")
		if rel.get("updated_at").str() == before {
			t.Errorf("updated_at did not move with a new integration field")
		}
		if ids := glRefs(rel.get("integration_fields"), "id"); !slices.Equal(ids, []string{keyID}) {
			t.Errorf("PRJ1-R-2's integration_fields: %v, want [%s]", ids, keyID)
		}

		// Several by service name: jira in PRJ1 is the oldest of PRJ1's own
		// jira integrations; a name written again keeps its ID.
		many := s.do(t, "POST", base+"jira/fields", `{"integration_fields":[{"name":"key","value":"JRA-35"},{"name":"id","value":35}]}`)
		if many.Status != 200 {
			t.Fatalf("several fields: %s", many)
		}
		m := many.tree(t)
		if len(m.keys) != 2 || m.keys[0] != keyID || !m.get(keyID).isNull() || !m.get(m.keys[1]).isNull() {
			t.Errorf("several fields: %s, want {%q: null, <new id>: null}", m, keyID)
		}
		got := glCall(t, s, "GET", base+fmt.Sprint(demo.JiraPRJ1)+"/fields/key", "", 200).get("integration_field")
		if got.get("value").str() != "JRA-35" || got.get("id").str() != keyID || got.get("integration_id").str() != fmt.Sprint(demo.JiraPRJ1) {
			t.Errorf("GET key: %s, want JRA-35 under the same ID", got)
		}
		if got := glCall(t, s, "GET", base+"jira/fields/id?fields=value", "", 200).get("integration_field"); !slices.Equal(got.keys, []string{"id", "value"}) || got.get("value").str() != "35" {
			t.Errorf("GET id?fields=value: %s", got)
		}

		// The product line's integration serves PRJ1's records; another
		// product's does not.
		glCall(t, s, "POST", base+fmt.Sprint(demo.JiraDEMOENT)+"/fields", `{"integration_field":{"name":"key","value":"LINE-1"}}`, 200)
		other := glCall(t, s, "POST", "/api/v1/products/PRJ2/integrations", `{"integration":{"service_name":"github"}}`, 200).get("integration", "id").str()
		for _, c := range []struct {
			method, path, body string
			status             int
			mention            string
		}{
			{"POST", base + other + "/fields", `{"integration_field":{"name":"key","value":"x"}}`, 404, "Not found"},
			{"POST", base + "github/fields", `{"integration_field":{"name":"key","value":"x"}}`, 404, "Not found"},
			{"POST", "/api/v1/releases/PRJ9-R-1/integrations/jira/fields", `{"integration_field":{"name":"key","value":"x"}}`, 404, ""},
			{"GET", base + "jira/fields/nope", "", 404, "Not found"},
			{"GET", base + other + "/fields/key", "", 404, ""},
			{"POST", base + "jira/fields", ``, 400, "integration_field"},
			{"POST", base + "jira/fields", `{`, 400, "JSON"},
			{"POST", base + "jira/fields", `{"integration_field":{"name":"a","value":"b"},"integration_fields":[]}`, 400, "integration_field"},
			{"POST", base + "jira/fields", `{"integration_field":[{"name":"a","value":"b"}]}`, 400, "integration_field"},
			{"POST", base + "jira/fields", `{"integration_fields":{"name":"a","value":"b"}}`, 400, "integration_fields"},
			{"POST", base + "jira/fields", `{"integration_fields":[]}`, 422, "integration_fields"},
			{"POST", base + "jira/fields", `{"integration_field":{"value":"b"}}`, 422, "name"},
			{"POST", base + "jira/fields", `{"integration_field":{"name":"a"}}`, 422, "value"},
			{"POST", base + "jira/fields", `{"integration_field":{"name":"a","value":{"x":1}}}`, 400, "value"},
			{"POST", base + "jira/fields", `{"integration_field":{"name":5,"value":"b"}}`, 400, "name"},
			{"POST", base + "jira/fields", `{"integration_fields":[{"name":"a","value":"1"},{"name":"a","value":"2"}]}`, 422, "a"},
			{"POST", base + "jira/fields", `{"integration_field":{"name":"a","value":"` + strings.Repeat("x", roadmap.MaxIntegrationFieldValue+1) + `"}}`, 422, "value"},
		} {
			glErr(t, s.do(t, c.method, c.path, c.body), c.status, c.mention)
		}
		if n := len(getJSON(t, s, "/api/v1/releases/PRJ1-R-2").get("release", "integration_fields").list); n != 3 {
			t.Errorf("PRJ1-R-2 has %d integration fields after refused writes, want 3", n)
		}

		// Lists by value: PRJ1-R-1 (the demo's id=777) and PRJ2-R-1, which
		// only the administrator and John see.
		glCall(t, s, "POST", "/api/v1/releases/PRJ2-R-1/integrations/github/fields", `{"integration_field":{"name":"id","value":"777"}}`, 200)
		henry := tokenFor(t, s, demo.Henry)
		for _, c := range []struct {
			token, path string
			want        []string
			total       string
		}{
			{demo.Token, "/api/v1/releases/fields/id/value/777", []string{"PRJ1-R-1", "PRJ2-R-1"}, "2"},
			{henry, "/api/v1/releases/fields/id/value/777", []string{"PRJ1-R-1"}, "1"},
			{demo.Token, "/api/v1/releases/fields/id/value/777?per_page=1&page=2", []string{"PRJ2-R-1"}, "2"},
			{demo.Token, "/api/v1/releases/fields/key/value/JRA-35", []string{"PRJ1-R-2"}, "1"},
			{demo.Token, "/api/v1/releases/fields/key/value/JRA-34", []string{}, "0"},
			{demo.Token, "/api/v1/releases/fields/key/value/PRJ1-R-2", []string{}, "0"},
		} {
			r := s.do(t, "GET", c.path, "", c.token)
			if r.Status != 200 {
				t.Fatalf("GET %s: %s", c.path, r)
			}
			tree := r.tree(t)
			if refs := glRefs(tree.get("records"), "reference_num"); !slices.Equal(refs, c.want) || tree.get("pagination", "total_records").str() != c.total {
				t.Errorf("GET %s: %v (total %s), want %v (total %s)", c.path, refs, tree.get("pagination", "total_records"), c.want, c.total)
			}
		}
		item := getJSON(t, s, "/api/v1/releases/fields/key/value/JRA-35").get("records").list[0]
		listed := getJSON(t, s, "/api/v1/products/PRJ1/releases?per_page=200").get("releases")
		for _, rel := range listed.list {
			if rel.get("reference_num").str() == "PRJ1-R-2" {
				reportDiffs(t, "a record differs from the product list's item", compare(rel, item, compareRules{}))
			}
		}
		if item := getJSON(t, s, "/api/v1/releases/fields/key/value/JRA-35?fields=name,theme").get("records").list[0]; !slices.Equal(item.keys, []string{"id", "name", "theme"}) {
			t.Errorf("fields=name,theme: %v", item.keys)
		}
		glErr(t, s.do(t, "GET", "/api/v1/releases/fields/id/value/777?page=0", ""), 400, "page")
		its := getJSON(t, s, "/api/v1/initiatives/fields/key/value/JRA-987222")
		if refs := glRefs(its.get("records"), "reference_num"); !slices.Equal(refs, []string{"PRJ1-S-1"}) {
			t.Errorf("initiatives with key JRA-987222: %v", refs)
		}
		reportDiffs(t, "an initiative record differs from GET", compare(getJSON(t, s, "/api/v1/initiatives/PRJ1-S-1").get("initiative"), its.get("records").list[0], compareRules{}))

		// Initiatives take fields like releases do.
		fi := glCall(t, s, "POST", "/api/v1/initiatives/PRJ1-S-2/integrations/jira/fields", `{"integration_field":{"name":"key","value":"INIT-2"}}`, 200).get("integration_field")
		if fi.get("integration_id").str() != fmt.Sprint(demo.JiraPRJ1) || fi.get("integratable", "url").str() != testBaseURL+"/initiatives/PRJ1-S-2" {
			t.Errorf("initiative field: %s", fi)
		}
		glCall(t, s, "GET", "/api/v1/initiatives/PRJ1-S-2/integrations/jira/fields/key", "", 200)

		// Delete: 204 without a body, then gone.
		del := s.do(t, "DELETE", "/api/v1/integration_fields/"+keyID, "")
		if del.Status != 204 || len(del.Body) != 0 {
			t.Fatalf("DELETE: %s, want 204 without a body", del)
		}
		glErr(t, s.do(t, "GET", base+"jira/fields/key", ""), 404, "")
		glErr(t, s.do(t, "DELETE", "/api/v1/integration_fields/"+keyID, ""), 404, "")
		glErr(t, s.do(t, "DELETE", "/api/v1/integration_fields/abc", ""), 404, "")
		glCall(t, s, "DELETE", "/api/v1/integration_fields/"+fi.get("id").str(), "", 204)
		if n := len(getJSON(t, s, "/api/v1/initiatives/PRJ1-S-2").get("initiative", "integration_fields").list); n != 0 {
			t.Errorf("PRJ1-S-2 keeps %d integration fields after the delete", n)
		}
	})
}

// TestFieldRoutesEnforceRoles runs the write routes of custom fields and
// integration fields as each role and checks the status; a refused write
// changes nothing. Definitions and options are account-wide: only the
// administrator changes them, and every user reads them. Integrations are a
// product's setting (owners); integration fields are records' data
// (contributors and owners).
//
//	route                                              admin owner contributor reviewer viewer none
//	POST   /custom_field_definitions                   200   403   403         403      403    403
//	POST   /custom_field_definitions/:id/custom_field_options
//	                                                   200   403   403         403      403    403
//	PUT    .../custom_field_options/:id                200   403   403         403      403    403
//	DELETE .../custom_field_options/:id                200   403   403         403      403    403
//	POST   /products/PRJ1/integrations                 200   200   403         403      403    404
//	POST   /releases/PRJ1-R-2/integrations/:id/fields  200   200   200         403      403    404
//	POST   /initiatives/PRJ1-S-2/integrations/jira/fields
//	                                                   200   200   200         403      403    404
//	DELETE /integration_fields/68217473 (PRJ1-R-1's)   204   204   204         403      403    404
//	GET    /custom_field_definitions, its options      200   200   200         200      200    200
//	GET    /releases/PRJ1-R-1/integrations/jira/fields/id
//	                                                   200   200   200         200      200    404
//	GET    /products/PRJ1/integrations                 200   200   200         200      200    404
func TestFieldRoutesEnforceRoles(t *testing.T) {
	t.Parallel()
	type who struct {
		name string
		user int64
		role roadmap.Role // in PRJ1
	}
	users := []who{
		{"administrator", demo.Mary, roadmap.RoleOwner},
		{"owner", demo.John, roadmap.RoleOwner},
		{"contributor", demo.Henry, roadmap.RoleContributor},
		{"reviewer", jeremySmith, roadmap.RoleReviewer},
		{"viewer", janeSmith, roadmap.RoleViewer},
		{"none", gregory, roadmap.RoleNone},
	}
	type route struct {
		method, path, body string
		need               roadmap.Access // 0: the administrator only; -1: anyone
		ok                 int
	}
	defs := "/api/v1/custom_field_definitions"
	opts := fmt.Sprintf("%s/%d/custom_field_options", defs, demo.FeaturePriority)
	routes := []route{
		{"POST", defs, `{"custom_field_definition":{"key":"by_role","name":"By role","type":"TextField","custom_fieldable_type":"Release"}}`, 0, 200},
		{"POST", opts, `{"custom_field_option":{"value":"P9"}}`, 0, 200},
		{"PUT", fmt.Sprintf("%s/%d", opts, demo.FeaturePriorityP1), `{"custom_field_option":{"value":"P0"}}`, 0, 200},
		{"DELETE", fmt.Sprintf("%s/%d", opts, demo.FeaturePriorityP1), "", 0, 200},
		{"POST", "/api/v1/products/PRJ1/integrations", `{"integration":{"service_name":"github"}}`, roadmap.AccessManage, 200},
		{"POST", fmt.Sprintf("/api/v1/releases/PRJ1-R-2/integrations/%d/fields", demo.JiraPRJ1), `{"integration_field":{"name":"key","value":"R"}}`, roadmap.AccessWrite, 200},
		{"POST", "/api/v1/initiatives/PRJ1-S-2/integrations/jira/fields", `{"integration_fields":[{"name":"key","value":"R"}]}`, roadmap.AccessWrite, 200},
		{"GET", defs, "", -1, 200},
		{"GET", fmt.Sprintf("%s/%d/options", defs, demo.FeaturePriority), "", -1, 200},
		{"GET", opts, "", -1, 200},
		{"GET", "/api/v1/releases/PRJ1-R-1/integrations/jira/fields/id", "", roadmap.AccessRead, 200},
		{"GET", "/api/v1/products/PRJ1/integrations", "", roadmap.AccessRead, 200},
		{"DELETE", "/api/v1/integration_fields/68217473", "", roadmap.AccessWrite, 204},
	}
	snapshot := func(t *testing.T, s *testServer) string {
		var b strings.Builder
		for _, p := range []string{defs, opts, "/api/v1/products/PRJ1/integrations", "/api/v1/releases/PRJ1-R-1", "/api/v1/releases/PRJ1-R-2", "/api/v1/initiatives/PRJ1-S-2"} {
			b.Write(s.do(t, "GET", p, "").Body)
		}
		return b.String()
	}
	eachBackend(t, func(t *testing.T, backend string) {
		for _, u := range users {
			t.Run(u.name, func(t *testing.T) {
				s := newFieldsServer(t, backend)
				tok := tokenFor(t, s, u.user)
				for _, rt := range routes {
					want := rt.ok
					switch {
					case u.user == demo.Mary, rt.need == -1:
					case rt.need == 0:
						want = http.StatusForbidden
					case u.role == roadmap.RoleNone:
						want = http.StatusNotFound
					case !u.role.Allows(rt.need):
						want = http.StatusForbidden
					}
					before := snapshot(t, s)
					r := s.do(t, rt.method, rt.path, rt.body, tok)
					if r.Status != want {
						t.Errorf("%s %s as %s: %s, want %d", rt.method, rt.path, u.name, r, want)
						continue
					}
					if want >= 400 {
						glErr(t, r, want, "")
						if after := snapshot(t, s); after != before {
							t.Errorf("%s %s as %s was refused with %d but changed something", rt.method, rt.path, u.name, want)
						}
					}
				}
			})
		}
	})
}

// demoDefinitions is the number of custom field definitions the demo
// account holds, whichever part of it defines them.
func demoDefinitions() int {
	a := demo.Account()
	n := 0
	for _, f := range []*roadmap.FieldSeed{a.Fields, epicFields(a), featureFields(a)} {
		if f != nil {
			n += len(f.Definitions)
		}
	}
	return n
}

func epicFields(a *roadmap.Seed) *roadmap.FieldSeed {
	if a.Epics == nil {
		return nil
	}
	return a.Epics.Fields
}

func featureFields(a *roadmap.Seed) *roadmap.FieldSeed {
	if a.Features == nil {
		return nil
	}
	return a.Features.Fields
}
