package openapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/roadmapd/roadmapd/internal/api/openapi"
)

// TestDescriptionIsValid loads the description as OpenAPI 3.1 and its
// 3.0 view as OpenAPI 3.0, and validates both.
func TestDescriptionIsValid(t *testing.T) {
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Errorf("the description: %v", err)
	}
	view, err := openapi.OpenAPI30()
	if err != nil {
		t.Fatal(err)
	}
	doc30, err := openapi3.NewLoader().LoadFromData(view)
	if err != nil {
		t.Fatal(err)
	}
	if doc30.IsOpenAPI31OrLater() {
		t.Errorf("the 3.0 view says openapi %q", doc30.OpenAPI)
	}
	if err := doc30.Validate(ctx); err != nil {
		t.Errorf("the 3.0 view: %v", err)
	}
	if strings.Contains(string(view), `"null"`) {
		t.Error("the 3.0 view still has the null type")
	}
	if doc30.Paths.Len() != doc.Paths.Len() {
		t.Errorf("the 3.0 view has %d paths, the description %d", doc30.Paths.Len(), doc.Paths.Len())
	}
}

// TestOpenAPI30Nullable checks the 3.0 view's forms of a nullable value, a
// nullable reference and a value of several types.
func TestOpenAPI30Nullable(t *testing.T) {
	view, err := openapi.OpenAPI30()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(view, &doc); err != nil {
		t.Fatal(err)
	}
	rel := doc.Components.Schemas["Release"].Properties
	if d := rel["released_on"]; d["type"] != "string" || d["nullable"] != true {
		t.Errorf("released_on: %v, want a nullable string", d)
	}
	if d := rel["position"]; d["type"] != "number" || d["format"] != "double" || d["nullable"] != true {
		t.Errorf("position: %v, want a nullable double", d)
	}
	feat := doc.Components.Schemas["Feature"].Properties
	if d := feat["assigned_to_user"]; d["nullable"] != true || d["allOf"] == nil {
		t.Errorf("assigned_to_user: %v, want a nullable allOf of its reference", d)
	}
	cf := doc.Components.Schemas["CustomFieldsItem"].Properties
	if d := cf["id"]; d["type"] != nil {
		t.Errorf("custom field id: %v, want no type (a string or a number)", d)
	}
}

// TestHTML checks that the page shows every operation and no script.
func TestHTML(t *testing.T) {
	page, err := openapi.HTML()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openapi.JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if !strings.Contains(html, `id="`+op.OperationID+`"`) {
				t.Errorf("the page lacks %s %s (%s)", method, path, op.OperationID)
			}
		}
	}
	for _, want := range []string{"<code>page</code>", "<code>per_page</code>", "<code>fields</code>", `id="schema-Release"`, `id="schema-Error"`, "429", "Bearer"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(html, "<script") {
		t.Error("the page has a script")
	}
}
