// Package openapi holds the OpenAPI 3.1 description of the roadmapd API, the
// source of truth for its routes, parameters and request and response
// shapes. The description is the file openapi.json beside this one; the
// server serves it as it is, renders it as an HTML page, and the API tests
// validate every answer they receive against it.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed openapi.json
var document []byte

// JSON returns the description, as OpenAPI 3.1 JSON. The caller must not
// modify the slice.
func JSON() []byte { return document }

// OpenAPI30 returns a view of the description in OpenAPI 3.0.3, for tools
// that read only 3.0 (code generators): a type list with null becomes the
// type with nullable, a type list of several types becomes no type, a
// nullable reference becomes a nullable allOf of it, a number without a
// format becomes a double, and the 3.1-only keys and the response headers
// (rate limits, Retry-After) are left out, so that a generated client stays
// small. Response validation uses the 3.1 description itself.
func OpenAPI30() ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(document, &doc); err != nil {
		return nil, fmt.Errorf("parsing the description: %w", err)
	}
	doc["openapi"] = "3.0.3"
	if info, ok := doc["info"].(map[string]any); ok {
		delete(info, "summary")
	}
	if comps, ok := doc["components"].(map[string]any); ok {
		if schemas, ok := comps["schemas"].(map[string]any); ok {
			for name, s := range schemas {
				schemas[name] = schema30(s)
			}
		}
	}
	dropResponseHeaders(doc["paths"])
	dropResponseHeaders(doc["components"].(map[string]any)["responses"])
	walkSchemas(doc["paths"])
	walkSchemas(doc["components"].(map[string]any)["responses"])
	walkSchemas(doc["components"].(map[string]any)["parameters"])
	walkSchemas(doc["components"].(map[string]any)["headers"])
	return json.MarshalIndent(doc, "", "  ")
}

// dropResponseHeaders removes the headers of every response under v.
func dropResponseHeaders(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["description"]; ok {
			if _, ok := v["headers"]; ok {
				delete(v, "headers")
			}
		}
		for _, x := range v {
			dropResponseHeaders(x)
		}
	case []any:
		for _, x := range v {
			dropResponseHeaders(x)
		}
	}
}

// walkSchemas converts every "schema" value found under v.
func walkSchemas(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "schema" {
				v[k] = schema30(x)
				continue
			}
			walkSchemas(x)
		}
	case []any:
		for _, x := range v {
			walkSchemas(x)
		}
	}
}

// schema30 converts one JSON Schema 2020-12 schema to its OpenAPI 3.0 form.
func schema30(v any) any {
	s, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if t, ok := s["type"].([]any); ok {
		var types []string
		nullable := false
		for _, x := range t {
			if x == "null" {
				nullable = true
			} else {
				types = append(types, x.(string))
			}
		}
		delete(s, "type")
		if len(types) == 1 {
			s["type"] = types[0]
		}
		if len(types) != 1 {
			// Several types: any value, described in words.
			delete(s, "properties")
			delete(s, "required")
			delete(s, "additionalProperties")
			delete(s, "items")
			desc, _ := s["description"].(string)
			s["description"] = strings.TrimSpace(desc + " One of: " + strings.Join(types, ", ") + ".")
		}
		if nullable {
			s["nullable"] = true
		}
	}
	if s["type"] == "number" && s["format"] == nil {
		s["format"] = "double"
	}
	if s["type"] == "null" {
		delete(s, "type")
		s["nullable"] = true
	}
	if one, ok := s["oneOf"].([]any); ok && len(one) == 2 {
		if n, ok := one[1].(map[string]any); ok && n["type"] == "null" && len(n) == 1 {
			delete(s, "oneOf")
			s["allOf"] = []any{one[0]}
			s["nullable"] = true
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if x, ok := s[k].(map[string]any); ok {
			s[k] = schema30(x)
		}
	}
	for _, k := range []string{"oneOf", "allOf", "anyOf"} {
		if xs, ok := s[k].([]any); ok {
			for i, x := range xs {
				xs[i] = schema30(x)
			}
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for k, x := range props {
			props[k] = schema30(x)
		}
	}
	return s
}
