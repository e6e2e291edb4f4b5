package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"sync"
)

// HTML returns the description rendered as one self-contained HTML page:
// every operation by tag with its parameters, request body and responses,
// and every schema with its properties. It uses no script and no external
// resource.
func HTML() ([]byte, error) { return renderOnce() }

var renderOnce = sync.OnceValues(render)

// The parts of the description the page shows.
type (
	docSpec struct {
		Info struct {
			Title       string `json:"title"`
			Version     string `json:"version"`
			Description string `json:"description"`
		} `json:"info"`
		Paths      map[string]map[string]docOperation `json:"paths"`
		Components struct {
			Parameters map[string]docParameter `json:"parameters"`
			Responses  map[string]docResponse  `json:"responses"`
			Schemas    map[string]docSchema    `json:"schemas"`
		} `json:"components"`
	}
	docOperation struct {
		OperationID string                 `json:"operationId"`
		Summary     string                 `json:"summary"`
		Description string                 `json:"description"`
		Tags        []string               `json:"tags"`
		Security    *[]any                 `json:"security"`
		Parameters  []docParameter         `json:"parameters"`
		RequestBody *docBody               `json:"requestBody"`
		Responses   map[string]docResponse `json:"responses"`
	}
	docParameter struct {
		Ref         string    `json:"$ref"`
		Name        string    `json:"name"`
		In          string    `json:"in"`
		Required    bool      `json:"required"`
		Description string    `json:"description"`
		Schema      docSchema `json:"schema"`
	}
	docBody struct {
		Required bool `json:"required"`
		Content  map[string]struct {
			Schema docSchema `json:"schema"`
		} `json:"content"`
	}
	docResponse struct {
		Ref         string `json:"$ref"`
		Description string `json:"description"`
		Content     map[string]struct {
			Schema docSchema `json:"schema"`
		} `json:"content"`
	}
	docSchema struct {
		Ref         string               `json:"$ref"`
		Type        any                  `json:"type"`
		Description string               `json:"description"`
		Properties  map[string]docSchema `json:"properties"`
		Required    []string             `json:"required"`
		Items       *docSchema           `json:"items"`
		OneOf       []docSchema          `json:"oneOf"`
		Enum        []any                `json:"enum"`
	}
)

// Page data.
type (
	pageData struct {
		Title, Version, Description string
		Tags                        []pageTag
		Schemas                     []pageSchema
	}
	pageTag struct {
		Name       string
		Operations []pageOperation
	}
	pageOperation struct {
		ID, Method, Path, Summary, Description string
		Public                                 bool
		Parameters                             []pageParameter
		Body                                   string
		BodyKeys                               []pageProperty
		Responses                              []pageResponse
	}
	pageParameter struct {
		Name, In, Type, Description string
		Required                    bool
	}
	pageResponse struct {
		Status, Description, ContentType, Schema, Link string
	}
	pageSchema struct {
		Name, Description string
		Properties        []pageProperty
	}
	pageProperty struct {
		Name, Type string
		Required   bool
	}
)

func render() ([]byte, error) {
	var spec docSpec
	if err := json.Unmarshal(document, &spec); err != nil {
		return nil, fmt.Errorf("parsing the description: %w", err)
	}
	data := pageData{Title: spec.Info.Title, Version: spec.Info.Version, Description: spec.Info.Description}
	tags := map[string]*pageTag{}
	for _, path := range sortedKeys(spec.Paths) {
		for _, method := range []string{"get", "post", "put", "delete"} {
			op, ok := spec.Paths[path][method]
			if !ok {
				continue
			}
			po := pageOperation{
				ID: op.OperationID, Method: strings.ToUpper(method), Path: path,
				Summary: op.Summary, Description: op.Description,
				Public: op.Security != nil && len(*op.Security) == 0,
			}
			for _, p := range op.Parameters {
				if p.Ref != "" {
					p = spec.Components.Parameters[refName(p.Ref)]
				}
				po.Parameters = append(po.Parameters, pageParameter{
					Name: p.Name, In: p.In, Type: typeName(p.Schema), Description: p.Description, Required: p.Required,
				})
			}
			if op.RequestBody != nil {
				if c, ok := op.RequestBody.Content["application/json"]; ok {
					po.Body = typeName(c.Schema)
					po.BodyKeys = bodyKeys(c.Schema)
				}
			}
			for _, status := range sortedKeys(op.Responses) {
				r := op.Responses[status]
				if r.Ref != "" {
					r = spec.Components.Responses[refName(r.Ref)]
				}
				pr := pageResponse{Status: status, Description: r.Description}
				for _, ct := range sortedKeys(r.Content) {
					sc := r.Content[ct].Schema
					pr.ContentType, pr.Schema = ct, typeName(sc)
					if sc.Ref != "" {
						pr.Link = refName(sc.Ref)
					}
				}
				po.Responses = append(po.Responses, pr)
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			if tags[tag] == nil {
				tags[tag] = &pageTag{Name: tag}
			}
			tags[tag].Operations = append(tags[tag].Operations, po)
		}
	}
	for _, name := range sortedKeys(tags) {
		data.Tags = append(data.Tags, *tags[name])
	}
	for _, name := range sortedKeys(spec.Components.Schemas) {
		s := spec.Components.Schemas[name]
		data.Schemas = append(data.Schemas, pageSchema{Name: name, Description: s.Description, Properties: properties(s)})
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("rendering the page: %w", err)
	}
	return buf.Bytes(), nil
}

// bodyKeys lists the keys of a request body's record: the properties of
// its envelope's single object.
func bodyKeys(s docSchema) []pageProperty {
	var out []pageProperty
	for _, env := range sortedKeys(s.Properties) {
		inner := s.Properties[env]
		for _, p := range properties(inner) {
			p.Name = env + "." + p.Name
			out = append(out, p)
		}
		if len(inner.Properties) == 0 {
			out = append(out, pageProperty{Name: env, Type: typeName(inner)})
		}
	}
	return out
}

func properties(s docSchema) []pageProperty {
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	var out []pageProperty
	for _, k := range sortedKeys(s.Properties) {
		out = append(out, pageProperty{Name: k, Type: typeName(s.Properties[k]), Required: req[k]})
	}
	return out
}

// typeName names a schema in a few words: its reference, its type, or what
// its items are.
func typeName(s docSchema) string {
	switch {
	case s.Ref != "":
		return refName(s.Ref)
	case len(s.OneOf) > 0:
		var parts []string
		for _, o := range s.OneOf {
			parts = append(parts, typeName(o))
		}
		return strings.Join(parts, " | ")
	}
	var t string
	switch v := s.Type.(type) {
	case string:
		t = v
	case []any:
		var parts []string
		for _, x := range v {
			parts = append(parts, fmt.Sprint(x))
		}
		t = strings.Join(parts, " | ")
	default:
		t = "any"
	}
	if s.Items != nil {
		t = strings.Replace(t, "array", "array of "+typeName(*s.Items), 1)
	}
	if t == "object" && len(s.Properties) > 0 {
		var parts []string
		for _, k := range sortedKeys(s.Properties) {
			parts = append(parts, k+": "+typeName(s.Properties[k]))
		}
		t = "object {" + strings.Join(parts, ", ") + "}"
	}
	if len(s.Enum) > 0 {
		t += fmt.Sprintf(" (one of %v)", s.Enum)
	}
	return t
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var pageTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
code, .path { font-family: ui-monospace, monospace; }
.op { border: 1px solid #ccc; border-radius: 4px; margin: 1rem 0; padding: 0.5rem 1rem; }
.method { font-weight: bold; display: inline-block; min-width: 4.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
nav li { display: inline; margin-right: 1rem; }
</style>
</head>
<body>
<h1>{{.Title}} <small>version {{.Version}}</small></h1>
<p>{{.Description}}</p>
<p>Every operation but those marked "no token needed" needs an API token, sent as <code>Authorization: Bearer &lt;token&gt;</code>. Errors answer <code>{"errors": {"message": "...", "field": "..."}}</code>.</p>
<p>The machine-readable description: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a> (OpenAPI 3.1).</p>
<nav><ul>{{range .Tags}}<li><a href="#tag-{{.Name}}">{{.Name}}</a></li>{{end}}<li><a href="#schemas">schemas</a></li></ul></nav>
{{range .Tags}}
<h2 id="tag-{{.Name}}">{{.Name}}</h2>
{{range .Operations}}
<div class="op" id="{{.ID}}">
<h3><span class="method">{{.Method}}</span> <span class="path">{{.Path}}</span></h3>
<p>{{.Summary}}{{if .Public}} (no token needed){{end}}. <code>{{.ID}}</code></p>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Parameters}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>
{{range .Parameters}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td><td>{{.Description}}</td></tr>
{{end}}</table>{{end}}
{{if .Body}}<p>Request body (JSON): {{.Body}}</p>
{{if .BodyKeys}}<table><tr><th>key</th><th>type</th></tr>{{range .BodyKeys}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td></tr>{{end}}</table>{{end}}{{end}}
<table><tr><th>status</th><th>description</th><th>body</th></tr>
{{range .Responses}}<tr><td>{{.Status}}</td><td>{{.Description}}</td><td>{{if .ContentType}}<code>{{.ContentType}}</code> {{if .Link}}<a href="#schema-{{.Link}}">{{.Schema}}</a>{{else}}{{.Schema}}{{end}}{{end}}</td></tr>
{{end}}</table>
</div>
{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}
<h3 id="schema-{{.Name}}">{{.Name}}</h3>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Properties}}<table><tr><th>key</th><th>type</th><th>required</th></tr>
{{range .Properties}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td></tr>
{{end}}</table>{{end}}
{{end}}
</body>
</html>
`))
