package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// legacyObject encodes like the level-by-level encoder that encodeJSON
// replaced: each object's values through encoding/json, HTML escaping off.
type legacyObject []kv

func (o legacyObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := legacyMarshal(legacy(e.v))
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func legacyMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// legacy turns objects inside v into legacyObjects.
func legacy(v any) any {
	switch v := v.(type) {
	case object:
		out := make(legacyObject, len(v))
		for i, e := range v {
			out[i] = kv{e.k, legacy(e.v)}
		}
		return out
	case []object:
		if v == nil {
			return []legacyObject(nil)
		}
		out := make([]legacyObject, len(v))
		for i, o := range v {
			out[i] = legacy(o).(legacyObject)
		}
		return out
	case []any:
		if v == nil {
			return v
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = legacy(x)
		}
		return out
	}
	return v
}

// TestEncodeJSONMatchesEncodingJSON checks that the one-pass encoder writes
// the same bytes as encoding/json did level by level, for every kind of
// value the representations hold.
func TestEncodeJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	type named string
	when := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	values := []any{
		object{},
		object(nil),
		object{{"release", object{
			{"id", "6776757779149551211"}, {"name", "Release <1> & \"two\""}, {"n", 42}, {"big", int64(1) << 60},
			{"f", 3.25}, {"nan_free", 1e21}, {"ok", true}, {"nil", nil}, {"date", date("")},
			{"uni", "Zürich — ünïcödé \u2028 line \u2029 sep"}, {"ctl", "tab\tnl\nnul\x00bs\bff\f"},
			{"bad_utf8", "a\xffb"}, {"html", "<p>x & y</p>"}, {"key<&>", "k"},
			{"objs", []object{{{"a", 1}}, {}}}, {"noobjs", []object(nil)}, {"emptyobjs", []object{}},
			{"anys", []any{1, "x", object{{"b", []any{nil}}}}}, {"noanys", []any(nil)},
			{"strs", []string{"a", "<b>"}}, {"nostrs", []string(nil)}, {"named", named("n\"")},
			{"map", map[string]any{"z": 1, "a": object{{"q", "r"}}}}, {"time", when}, {"ptr", (*int)(nil)},
		}}},
		[]any{object{{"x", 1}}},
		"plain",
	}
	for _, v := range values {
		got, err := encodeJSON(v)
		if err != nil {
			t.Fatalf("encodeJSON(%v): %v", v, err)
		}
		want, err := legacyMarshal(legacy(v))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("encodeJSON:\n got %s\nwant %s", got, want)
		}
		if !json.Valid(got) {
			t.Errorf("encodeJSON wrote invalid JSON: %s", got)
		}
	}
}
