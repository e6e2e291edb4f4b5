package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// body is a decoded request body: the record under its singular name, and
// the optional top-level fields selection.
type body struct {
	record map[string]json.RawMessage
	fields string
}

func malformed(format string, args ...any) error {
	return roadmap.Errorf(roadmap.EMALFORMED, format, args...)
}

func fieldMalformed(field, format string, args ...any) error {
	return &roadmap.Error{Code: roadmap.EMALFORMED, Field: field, Message: fmt.Sprintf(format, args...)}
}

// readBody reads a JSON body wrapped in its record name (`{"release":
// {...}}`). required says whether the record must be there. The body is read
// as JSON whatever its content type says.
func readBody(w http.ResponseWriter, r *http.Request, name string, required bool) (*body, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, roadmap.Errorf(roadmap.ETOOLARGE, "The request body is larger than %d bytes", MaxBodyBytes)
		}
		return nil, malformed("The request body could not be read")
	}
	b := &body{}
	if len(bytes.TrimSpace(data)) == 0 {
		if required {
			return nil, malformed("The request body is empty: send {\"%s\": {...}}", name)
		}
		return b, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, malformed("The request body is not valid JSON (at byte %d)", se.Offset)
		}
		return nil, malformed("The request body must be a JSON object: {\"%s\": {...}}", name)
	}
	if raw, ok := top["fields"]; ok && !isNull(raw) {
		f, err := decodeList(raw)
		if err != nil {
			return nil, fieldMalformed("fields", "fields must be a string such as \"*,watchers\"")
		}
		b.fields = strings.Join(f, ",")
	}
	raw, ok := top[name]
	if !ok || isNull(raw) {
		if required {
			return nil, malformed("The request body must hold the %s: {\"%s\": {...}}", name, name)
		}
		return b, nil
	}
	if err := json.Unmarshal(raw, &b.record); err != nil || b.record == nil {
		return nil, fieldMalformed(name, "%s must be a JSON object", name)
	}
	return b, nil
}

// validText reports whether s can be stored and compared as text by every
// backend: valid UTF-8 without NUL characters, which PostgreSQL refuses.
func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// decodeScalar reads a JSON string or number as text; ok is false for other types.
func decodeScalar(raw json.RawMessage) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// decodeList reads an array of strings or numbers, or one comma-separated
// string (or number), as Aha! accepts for lists of references.
func decodeList(raw json.RawMessage) ([]string, error) {
	if s, ok := decodeScalar(raw); ok {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errors.New("not a list")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := decodeScalar(it)
		if !ok {
			return nil, errors.New("not a list")
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// fieldDecoder decodes the fields of a record, remembering the first error.
type fieldDecoder struct {
	rec map[string]json.RawMessage
	err error
}

func (d *fieldDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// text refuses a decoded string of key that no backend can store.
func (d *fieldDecoder) text(key, s string) {
	if !validText(s) {
		d.fail(roadmap.FieldErrorf(key, "%s must not contain NUL characters", key))
	}
}

// str decodes a string field (or null).
func (d *fieldDecoder) str(key string) roadmap.Opt[string] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[string]{}
	}
	if isNull(raw) {
		return roadmap.Opt[string]{Set: true, Null: true}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		d.fail(fieldMalformed(key, "%s must be a string", key))
	}
	d.text(key, s)
	return roadmap.Some(s)
}

// ref decodes a reference to another record: a string or a number (or null).
// An object with an "id" or "name" is read as that reference too.
func (d *fieldDecoder) ref(key string) roadmap.Opt[string] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[string]{}
	}
	if isNull(raw) {
		return roadmap.Opt[string]{Set: true, Null: true}
	}
	if s, ok := decodeScalar(raw); ok {
		d.text(key, s)
		return roadmap.Some(s)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for _, k := range []string{"id", "name", "email"} {
			if v, ok := obj[k]; ok {
				if s, ok := decodeScalar(v); ok {
					d.text(key, s)
					return roadmap.Some(s)
				}
			}
		}
	}
	d.fail(fieldMalformed(key, "%s must be a string or a numeric ID", key))
	return roadmap.Opt[string]{}
}

// list decodes a list of references: an array or a comma-separated string.
// null clears the list.
func (d *fieldDecoder) list(key string) roadmap.Opt[[]string] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[[]string]{}
	}
	if isNull(raw) {
		return roadmap.Opt[[]string]{Set: true, V: []string{}}
	}
	l, err := decodeList(raw)
	if err != nil {
		d.fail(fieldMalformed(key, "%s must be an array or a comma-separated string of IDs or names", key))
		return roadmap.Opt[[]string]{}
	}
	for _, s := range l {
		d.text(key, s)
	}
	return roadmap.Some(l)
}

// boolean decodes true/false (or "true"/"false").
func (d *fieldDecoder) boolean(key string) roadmap.Opt[bool] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[bool]{}
	}
	if isNull(raw) {
		return roadmap.Opt[bool]{Set: true, Null: true}
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return roadmap.Some(b)
	}
	if s, ok := decodeScalar(raw); ok {
		if b, err := parseBool(s); err == nil {
			return roadmap.Some(b)
		}
	}
	d.fail(fieldMalformed(key, "%s must be true or false", key))
	return roadmap.Opt[bool]{}
}

// integer decodes a whole number (or a string holding one).
func (d *fieldDecoder) integer(key string) roadmap.Opt[int] {
	raw, ok := d.rec[key]
	if !ok {
		return roadmap.Opt[int]{}
	}
	if isNull(raw) {
		return roadmap.Opt[int]{Set: true, Null: true}
	}
	if s, ok := decodeScalar(raw); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e9 {
			return roadmap.Some(int(f))
		}
	}
	d.fail(fieldMalformed(key, "%s must be a whole number", key))
	return roadmap.Opt[int]{}
}

// releaseInput decodes the fields of a release body. Unknown keys are ignored.
func releaseInput(rec map[string]json.RawMessage) (roadmap.ReleaseInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.ReleaseInput{
		Name:                   d.str("name"),
		Owner:                  d.ref("owner"),
		Initiatives:            d.list("initiatives"),
		Goals:                  d.list("goals"),
		Watchers:               d.list("watchers"),
		WorkflowStatus:         d.ref("workflow_status"),
		ParentID:               d.ref("parent_id"),
		Theme:                  d.str("theme"),
		StartDate:              d.str("start_date"),
		EndDate:                d.str("end_date"),
		ReleaseDate:            d.str("release_date"),
		DevelopmentStartedOn:   d.str("development_started_on"),
		ExternalReleaseDate:    d.str("external_release_date"),
		ExternalDateResolution: d.str("external_date_resolution"),
		ParkingLot:             d.boolean("parking_lot"),
		CapacityUnits:          d.str("capacity_units"),
		TotalCapacityText:      d.str("total_capacity_text"),
		ProgressSource:         d.str("progress_source"),
		Progress:               d.integer("progress"),
		DurationSource:         d.str("duration_source"),
	}
	if !in.WorkflowStatus.Set {
		in.WorkflowStatus = d.ref("status")
	}
	in.CustomFields = customFieldsInput(d, "custom_fields")
	return in, d.err
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// queryInt reads a positive integer query parameter.
func queryInt(r *http.Request, key string, def int) (int, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, fieldMalformed(key, "%s must be a whole number of at least 1, not %q", key, v)
	}
	return n, nil
}

func queryBool(r *http.Request, key string) (*bool, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return nil, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return nil, fieldMalformed(key, "%s must be true or false, not %q", key, v)
	}
	return &b, nil
}

// queryTime reads an ISO 8601 timestamp (or a date) query parameter.
func queryTime(r *http.Request, key string) (*time.Time, error) {
	v := strings.TrimSpace(r.URL.Query().Get(key))
	if v == "" {
		return nil, nil
	}
	// A "+" of a time zone offset arrives as a space when the client did not escape it.
	v = strings.ReplaceAll(v, " ", "+")
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fieldMalformed(key, "%s must be an ISO 8601 timestamp such as 2019-01-01T00:00:00Z, not %q", key, v)
}

// pageOf reads page and per_page; per_page above the maximum is capped.
func pageOf(r *http.Request) (roadmap.Page, error) {
	page, err := queryInt(r, "page", 1)
	if err != nil {
		return roadmap.Page{}, err
	}
	per, err := queryInt(r, "per_page", roadmap.DefaultPerPage)
	if err != nil {
		return roadmap.Page{}, err
	}
	if per > roadmap.MaxPerPage {
		per = roadmap.MaxPerPage
	}
	const maxPage = 1 << 30
	if page > maxPage {
		return roadmap.Page{}, fieldMalformed("page", "page is too large")
	}
	return roadmap.Page{Page: page, PerPage: per}, nil
}
