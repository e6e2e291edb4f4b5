package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

func integrationRep(it *roadmap.Integration) object {
	return object{
		{"id", id(it.ID)},
		{"name", it.Name},
		{"service_name", it.ServiceName},
		{"product_id", id(it.ProductID)},
		{"created_at", timestamp(it.CreatedAt)},
	}
}

func (s *Server) listIntegrations(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessRead)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	its, total, err := s.store.Integrations(r.Context(), p.ID, page)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(its))
	for i := range its {
		items = append(items, sel.apply(allShown(integrationRep(&its[i]))))
	}
	return writeStrategyList(w, "integrations", items, total, page)
}

// createIntegration adds an integration to a product; setting up a
// product's connections is its owners' task.
func (s *Server) createIntegration(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.productOfPath(r, u, roadmap.AccessManage)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "integration", true)
	if err != nil {
		return err
	}
	d := &fieldDecoder{rec: b.record}
	in := roadmap.IntegrationInput{ServiceName: d.str("service_name"), Name: d.str("name")}
	if d.err != nil {
		return d.err
	}
	it, err := s.store.CreateIntegration(r.Context(), p.ID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"integration", fieldsOf(r, b).apply(allShown(integrationRep(it)))}})
}

// integrationFieldsBody reads the body of an integration field write: one
// field under integration_field, or several under integration_fields, each
// with a name and a value (a string or a number). many says which.
func integrationFieldsBody(w http.ResponseWriter, r *http.Request) (fields []roadmap.IntegrationFieldInput, many bool, sel selection, err error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, false, sel, roadmap.Errorf(roadmap.ETOOLARGE, "The request body is larger than %d bytes", MaxBodyBytes)
		}
		return nil, false, sel, malformed("The request body could not be read")
	}
	const shape = `The request body must hold {"integration_field": {"name": ..., "value": ...}} or {"integration_fields": [{"name": ..., "value": ...}, ...]}`
	var top map[string]json.RawMessage
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, false, sel, malformed(shape)
	}
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, false, sel, malformed("The request body is not valid JSON (at byte %d)", se.Offset)
		}
		return nil, false, sel, malformed(shape)
	}
	sel = parseFields(r.URL.Query().Get("fields"))
	if raw, ok := top["fields"]; ok && !isNull(raw) {
		f, err := decodeList(raw)
		if err != nil {
			return nil, false, sel, fieldMalformed("fields", "fields must be a string such as \"*\"")
		}
		sel = parseFields(strings.Join(f, ","))
	}
	one, hasOne := top["integration_field"]
	list, hasList := top["integration_fields"]
	hasOne, hasList = hasOne && !isNull(one), hasList && !isNull(list)
	var items []json.RawMessage
	switch {
	case hasOne && hasList:
		return nil, false, sel, malformed("Give integration_field or integration_fields, not both")
	case hasOne:
		items = []json.RawMessage{one}
	case hasList:
		if err := json.Unmarshal(list, &items); err != nil {
			return nil, false, sel, fieldMalformed("integration_fields", "integration_fields must be an array of {\"name\": ..., \"value\": ...}")
		}
		many = true
	default:
		return nil, false, sel, malformed(shape)
	}
	fields = []roadmap.IntegrationFieldInput{}
	for _, it := range items {
		var obj map[string]json.RawMessage
		if json.Unmarshal(it, &obj) != nil || obj == nil {
			return nil, false, sel, malformed(shape)
		}
		var f roadmap.IntegrationFieldInput
		if raw, ok := obj["name"]; ok && !isNull(raw) {
			var name string
			if json.Unmarshal(raw, &name) != nil || !validText(name) {
				return nil, false, sel, fieldMalformed("name", "name must be a string")
			}
			f.Name = name
		}
		raw, ok := obj["value"]
		if !ok || isNull(raw) {
			return nil, false, sel, roadmap.FieldErrorf("value", "value can't be blank")
		}
		v, ok := decodeScalar(raw)
		if !ok || !validText(v) {
			return nil, false, sel, fieldMalformed("value", "value must be a string or a number")
		}
		f.Value = v
		fields = append(fields, f)
	}
	return fields, many, sel, nil
}

// integrationFieldFields is an integration field as its own routes show
// it: with the URLs of the record that holds it.
func integrationFieldFields(f roadmap.IntegrationField, url, resource string) []field {
	o := integrationFieldsRep([]roadmap.IntegrationField{f})[0]
	return allShown(append(o, kv{"integratable", object{{"url", url}, {"resource", resource}}}))
}

// writeIntegrationFields answers a write: the field under integration_field
// when one was given, or an object keyed by the IDs of several.
func writeIntegrationFields(w http.ResponseWriter, fs []roadmap.IntegrationField, many bool, sel selection, url, resource string) error {
	if !many {
		return writeJSON(w, http.StatusOK, object{{"integration_field", sel.apply(integrationFieldFields(fs[0], url, resource))}})
	}
	out := make(object, 0, len(fs))
	for _, f := range fs {
		out = append(out, kv{id(f.ID), nil})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) releaseURLs(rel *roadmap.Release) (string, string) {
	return s.releaseURL(rel.ReferenceNum, rel.MasterRelease), s.url("/api/v1/releases/" + rel.ReferenceNum)
}

func (s *Server) initiativeURLs(it *roadmap.InitiativeDetail) (string, string) {
	return s.url("/initiatives/" + it.ReferenceNum), s.url("/api/v1/initiatives/" + it.ReferenceNum)
}

func (s *Server) createReleaseIntegrationFields(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessWrite)
	if err != nil {
		return err
	}
	fields, many, sel, err := integrationFieldsBody(w, r)
	if err != nil {
		return err
	}
	fs, err := s.store.SetIntegrationFields(r.Context(), roadmap.RecordRef{Type: roadmap.RecordRelease, ID: rel.ID}, r.PathValue("integration_id"), fields)
	if err != nil {
		return err
	}
	url, resource := s.releaseURLs(rel)
	return writeIntegrationFields(w, fs, many, sel, url, resource)
}

func (s *Server) getReleaseIntegrationField(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	rel, err := s.release(r, u, r.PathValue("release_id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	f, err := s.store.RecordIntegrationField(r.Context(), roadmap.RecordRef{Type: roadmap.RecordRelease, ID: rel.ID}, r.PathValue("integration_id"), r.PathValue("name"))
	if err != nil {
		return err
	}
	url, resource := s.releaseURLs(rel)
	return writeJSON(w, http.StatusOK, object{{"integration_field", fieldsOf(r, nil).apply(integrationFieldFields(*f, url, resource))}})
}

func (s *Server) createInitiativeIntegrationFields(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	it, err := s.initiativeOf(r, u, r.PathValue("initiative_id"), nil, roadmap.AccessWrite)
	if err != nil {
		return err
	}
	fields, many, sel, err := integrationFieldsBody(w, r)
	if err != nil {
		return err
	}
	fs, err := s.store.SetIntegrationFields(r.Context(), roadmap.RecordRef{Type: roadmap.RecordInitiative, ID: it.ID}, r.PathValue("integration_id"), fields)
	if err != nil {
		return err
	}
	url, resource := s.initiativeURLs(it)
	return writeIntegrationFields(w, fs, many, sel, url, resource)
}

func (s *Server) getInitiativeIntegrationField(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	it, err := s.initiativeOf(r, u, r.PathValue("initiative_id"), nil, roadmap.AccessRead)
	if err != nil {
		return err
	}
	f, err := s.store.RecordIntegrationField(r.Context(), roadmap.RecordRef{Type: roadmap.RecordInitiative, ID: it.ID}, r.PathValue("integration_id"), r.PathValue("name"))
	if err != nil {
		return err
	}
	url, resource := s.initiativeURLs(it)
	return writeJSON(w, http.StatusOK, object{{"integration_field", fieldsOf(r, nil).apply(integrationFieldFields(*f, url, resource))}})
}

// fieldFilter reads the integration field, page and visibility of a list of
// records by integration field value.
func fieldFilter(r *http.Request, u *roadmap.User) (roadmap.IntegrationFieldFilter, error) {
	page, err := pageOf(r)
	if err != nil {
		return roadmap.IntegrationFieldFilter{}, err
	}
	return roadmap.IntegrationFieldFilter{Name: r.PathValue("name"), Value: r.PathValue("value"), Page: page, VisibleTo: visibleTo(u)}, nil
}

// listReleasesWithField answers the releases, of the products the caller
// may see, that hold an integration field with a value: in the list
// representation, under records.
func (s *Server) listReleasesWithField(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f, err := fieldFilter(r, u)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	f.Full = sel.needsFull()
	rels, total, err := s.store.ReleasesWithIntegrationField(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(rels))
	if err := onlyVisible(r, rels); err != nil {
		return err
	}
	for _, rel := range rels {
		items = append(items, sel.apply(listFields(s.releaseFields(rel))))
	}
	return writeStrategyList(w, "records", items, total, f.Page)
}

// listInitiativesWithField answers the initiatives, of the products the
// caller may see, that hold an integration field with a value, under
// records.
func (s *Server) listInitiativesWithField(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f, err := fieldFilter(r, u)
	if err != nil {
		return err
	}
	its, total, err := s.store.InitiativesWithIntegrationField(r.Context(), f)
	if err != nil {
		return err
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(its))
	if err := onlyVisible(r, its); err != nil {
		return err
	}
	for _, it := range its {
		items = append(items, sel.apply(s.initiativeFields(it)))
	}
	return writeStrategyList(w, "records", items, total, f.Page)
}

func (s *Server) deleteIntegrationField(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	fieldID, err := pathID(r, "id", "integration field")
	if err != nil {
		return err
	}
	o, err := s.store.IntegrationFieldOwner(r.Context(), fieldID)
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, o.ProductID, roadmap.AccessWrite); err != nil {
		return err
	}
	if err := s.store.DeleteIntegrationField(r.Context(), fieldID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
