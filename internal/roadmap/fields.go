package roadmap

// FieldStore persists custom field definitions and options, and integration fields.
type FieldStore interface {
}
