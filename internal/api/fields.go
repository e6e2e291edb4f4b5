package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// fieldRoutes are the routes of custom field definitions and options, and integration fields.
func (s *Server) fieldRoutes() map[string]authedFunc {
	return map[string]authedFunc{
		"GET /api/v1/custom_field_definitions":                                          s.listCustomFieldDefinitions,
		"POST /api/v1/custom_field_definitions":                                         s.createCustomFieldDefinition,
		"GET /api/v1/custom_field_definitions/{id}":                                     s.getCustomFieldDefinition,
		"GET /api/v1/custom_field_definitions/{id}/options":                             s.listFieldOptions,
		"GET /api/v1/custom_field_definitions/{id}/custom_field_options":                s.listCustomFieldOptions,
		"POST /api/v1/custom_field_definitions/{id}/custom_field_options":               s.createCustomFieldOption,
		"PUT /api/v1/custom_field_definitions/{id}/custom_field_options/{option_id}":    s.updateCustomFieldOption,
		"DELETE /api/v1/custom_field_definitions/{id}/custom_field_options/{option_id}": s.deleteCustomFieldOption,

		"GET /api/v1/products/{product_id}/integrations":                                      s.listIntegrations,
		"POST /api/v1/products/{product_id}/integrations":                                     s.createIntegration,
		"POST /api/v1/releases/{release_id}/integrations/{integration_id}/fields":             s.createReleaseIntegrationFields,
		"GET /api/v1/releases/{release_id}/integrations/{integration_id}/fields/{name}":       s.getReleaseIntegrationField,
		"POST /api/v1/initiatives/{initiative_id}/integrations/{integration_id}/fields":       s.createInitiativeIntegrationFields,
		"GET /api/v1/initiatives/{initiative_id}/integrations/{integration_id}/fields/{name}": s.getInitiativeIntegrationField,
		"GET /api/v1/releases/fields/{name}/value/{value}":                                    s.listReleasesWithField,
		"GET /api/v1/initiatives/fields/{name}/value/{value}":                                 s.listInitiativesWithField,
		"DELETE /api/v1/integration_fields/{id}":                                              s.deleteIntegrationField,
	}
}

// allShown marks every key of o as shown by default, for representations
// whose keys are all in the default.
func allShown(o object) []field {
	fs := make([]field, len(o))
	for i, e := range o {
		fs[i] = field{e, true}
	}
	return fs
}

// requireAdmin lets only the account administrator change the account's
// custom field definitions, which every product shares.
func requireAdmin(u *roadmap.User) error {
	if u.Admin {
		return nil
	}
	return roadmap.Errorf(roadmap.EFORBIDDEN, "Only an account administrator may change custom field definitions")
}

// pathID reads a numeric ID of the path; anything else names no record.
func pathID(r *http.Request, name, what string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return 0, roadmap.Errorf(roadmap.ENOTFOUND, "%s %s not found", what, v)
	}
	return n, nil
}

func definitionRep(d *roadmap.CustomFieldDefinition) object {
	var internal any
	if d.InternalName != nil {
		internal = *d.InternalName
	}
	return object{
		{"name", d.Name},
		{"id", id(d.ID)},
		{"key", d.Key},
		{"type", d.Type},
		{"custom_fieldable_type", d.FieldableType},
		{"internal_name", internal},
	}
}

// definitionFields is a definition with its options, as create and get show
// it: the list's keys, then the options of a choice definition.
func definitionFields(d *roadmap.CustomFieldDefinition) []field {
	fs := allShown(definitionRep(d))
	if d.HasOptions() {
		opts := make([]object, 0, len(d.Options))
		for _, o := range d.Options {
			opts = append(opts, optionRep(o))
		}
		fs = append(fs, field{kv{"options", opts}, true})
	}
	return fs
}

func optionRep(o roadmap.CustomFieldOption) object {
	return object{
		{"id", id(o.ID)},
		{"value", o.Value},
		{"color", o.Color},
		{"hidden", o.Hidden},
	}
}

func (s *Server) listCustomFieldDefinitions(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	defs, err := s.store.CustomFieldDefinitions(r.Context())
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(defs))
	for i := range defs {
		items = append(items, sel.apply(allShown(definitionRep(&defs[i]))))
	}
	return writeJSON(w, http.StatusOK, object{{"custom_field_definitions", items}})
}

// definitionInput decodes the fields of a definition body. Options are an
// array of values, or of objects with value, color and hidden.
func definitionInput(rec map[string]json.RawMessage) (roadmap.CustomFieldDefinitionInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.CustomFieldDefinitionInput{
		Key:           d.str("key"),
		Name:          d.str("name"),
		Type:          d.str("type"),
		FieldableType: d.str("custom_fieldable_type"),
		InternalName:  d.str("internal_name"),
	}
	if raw, ok := rec["options"]; ok && !isNull(raw) {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			d.fail(fieldMalformed("options", `options must be an array of values, or of {"value": ..., "color": ...}`))
		}
		opts := []roadmap.CustomFieldOptionInput{}
		for _, it := range items {
			if v, ok := decodeScalar(it); ok {
				d.text("options", v)
				opts = append(opts, roadmap.CustomFieldOptionInput{Value: roadmap.Some(v)})
				continue
			}
			var obj map[string]json.RawMessage
			if json.Unmarshal(it, &obj) != nil || obj == nil {
				d.fail(fieldMalformed("options", `options must be an array of values, or of {"value": ..., "color": ...}`))
				break
			}
			oi, err := optionInput(obj)
			if err != nil {
				d.fail(err)
				break
			}
			opts = append(opts, oi)
		}
		in.Options = roadmap.Some(opts)
	}
	return in, d.err
}

func (s *Server) createCustomFieldDefinition(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	b, err := readBody(w, r, "custom_field_definition", true)
	if err != nil {
		return err
	}
	in, err := definitionInput(b.record)
	if err != nil {
		return err
	}
	d, err := s.store.CreateCustomFieldDefinition(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"custom_field_definition", fieldsOf(r, b).apply(definitionFields(d))}})
}

func (s *Server) definitionOf(r *http.Request) (*roadmap.CustomFieldDefinition, error) {
	defID, err := pathID(r, "id", "custom field definition")
	if err != nil {
		return nil, err
	}
	return s.store.CustomFieldDefinition(r.Context(), defID)
}

func (s *Server) getCustomFieldDefinition(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	d, err := s.definitionOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"custom_field_definition", fieldsOf(r, nil).apply(definitionFields(d))}})
}

// listFieldOptions answers the options a value may choose, in their order:
// hidden ones are left out. Each has its text, its ID as value, and its
// color as #rrggbb.
func (s *Server) listFieldOptions(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	d, err := s.definitionOf(r)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := []object{}
	for _, o := range d.Options {
		if o.Hidden {
			continue
		}
		items = append(items, sel.apply(allShown(object{
			{"text", o.Value},
			{"value", id(o.ID)},
			{"meta", object{{"color", fmt.Sprintf("#%06x", o.Color)}}},
		})))
	}
	return writeJSON(w, http.StatusOK, object{{"options", items}})
}

// listCustomFieldOptions answers all options of a definition, hidden ones
// included, by ID.
func (s *Server) listCustomFieldOptions(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	d, err := s.definitionOf(r)
	if err != nil {
		return err
	}
	opts := slices.SortedFunc(slices.Values(d.Options), func(a, b roadmap.CustomFieldOption) int { return cmp.Compare(a.ID, b.ID) })
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(opts))
	if err := onlyVisible(r, opts); err != nil {
		return err
	}
	for _, o := range opts {
		items = append(items, sel.apply(allShown(optionRep(o))))
	}
	return writeJSON(w, http.StatusOK, object{{"custom_field_options", items}})
}

// optionInput decodes the fields of an option body. color is a number (or a
// string holding one), or #rrggbb.
func optionInput(rec map[string]json.RawMessage) (roadmap.CustomFieldOptionInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.CustomFieldOptionInput{Value: d.str("value"), Hidden: d.boolean("hidden")}
	if raw, ok := rec["color"]; ok {
		switch s, scalar := decodeScalar(raw); {
		case isNull(raw):
			in.Color = roadmap.Opt[int]{Set: true, Null: true}
		case scalar && strings.HasPrefix(strings.TrimSpace(s), "#"):
			hex := strings.TrimPrefix(strings.TrimSpace(s), "#")
			n, err := strconv.ParseUint(hex, 16, 32)
			if err != nil || len(hex) != 6 {
				d.fail(fieldMalformed("color", "color must be a number such as 6710886, or #rrggbb"))
			}
			in.Color = roadmap.Some(int(n))
		default:
			in.Color = d.integer("color")
		}
	}
	return in, d.err
}

// optionBody reads the custom_field_option of a write.
func optionBody(w http.ResponseWriter, r *http.Request) (*body, roadmap.CustomFieldOptionInput, error) {
	b, err := readBody(w, r, "custom_field_option", true)
	if err != nil {
		return nil, roadmap.CustomFieldOptionInput{}, err
	}
	in, err := optionInput(b.record)
	return b, in, err
}

// writeOption answers an option unwrapped, as the reference shows it.
func writeOption(w http.ResponseWriter, r *http.Request, b *body, o *roadmap.CustomFieldOption) error {
	return writeJSON(w, http.StatusOK, fieldsOf(r, b).apply(allShown(optionRep(*o))))
}

func (s *Server) createCustomFieldOption(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	defID, err := pathID(r, "id", "custom field definition")
	if err != nil {
		return err
	}
	b, in, err := optionBody(w, r)
	if err != nil {
		return err
	}
	o, err := s.store.CreateCustomFieldOption(r.Context(), defID, in)
	if err != nil {
		return err
	}
	return writeOption(w, r, b, o)
}

func (s *Server) updateCustomFieldOption(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	defID, err := pathID(r, "id", "custom field definition")
	if err != nil {
		return err
	}
	optID, err := pathID(r, "option_id", "custom field option")
	if err != nil {
		return err
	}
	b, in, err := optionBody(w, r)
	if err != nil {
		return err
	}
	o, err := s.store.UpdateCustomFieldOption(r.Context(), defID, optID, in)
	if err != nil {
		return err
	}
	return writeOption(w, r, b, o)
}

// deleteCustomFieldOption deletes an option and answers it as it was, with
// 200, as the reference shows.
func (s *Server) deleteCustomFieldOption(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	defID, err := pathID(r, "id", "custom field definition")
	if err != nil {
		return err
	}
	optID, err := pathID(r, "option_id", "custom field option")
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "custom_field_option", false)
	if err != nil {
		return err
	}
	o, err := s.store.DeleteCustomFieldOption(r.Context(), defID, optID)
	if err != nil {
		return err
	}
	return writeOption(w, r, b, o)
}
