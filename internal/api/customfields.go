package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// customFieldsRep renders a record's custom field values as Aha! does: a
// note carries its body and times, a number is a JSON number, a list an
// array of strings, and other types their text.
func customFieldsRep(fs []roadmap.CustomField) []object {
	out := make([]object, 0, len(fs))
	for _, f := range fs {
		o := object{
			{"id", id(f.ID)},
			{"key", f.Key},
			{"name", f.Name},
			{"updatedAt", f.UpdatedAt.UTC().Format(time.RFC3339)},
		}
		if f.Type == "note" {
			o = append(o,
				kv{"body", f.Value},
				kv{"created_at", timestamp(f.CreatedAt)},
				kv{"updated_at", timestamp(f.UpdatedAt)},
				kv{"attachments", []any{}})
		}
		out = append(out, append(o, kv{"value", customFieldValue(f)}, kv{"type", f.Type}))
	}
	return out
}

// customFieldValue is the JSON value of a stored custom field value; a
// stored value that does not fit its type shows as text.
func customFieldValue(f roadmap.CustomField) any {
	switch f.Type {
	case "number":
		if _, err := strconv.ParseFloat(f.Value, 64); err == nil && json.Valid([]byte(f.Value)) {
			return json.Number(f.Value)
		}
	case "array":
		if items, ok := roadmap.ListValue(f.Value); ok {
			return items
		}
	}
	return f.Value
}
