package api

import (
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// customFieldsRep renders a record's custom field values as Aha! does: a
// note carries its body and times, other types their value.
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
		out = append(out, append(o, kv{"value", f.Value}, kv{"type", f.Type}))
	}
	return out
}
