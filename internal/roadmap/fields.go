package roadmap

import (
	"context"
	"encoding/json"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldStore persists custom field definitions and options, and integration fields.
type FieldStore interface {
	// CustomFieldDefinitions returns every custom field definition of the
	// account, by ID.
	CustomFieldDefinitions(ctx context.Context) ([]CustomFieldDefinition, error)
	// CustomFieldDefinition returns a definition by ID, with all its options.
	CustomFieldDefinition(ctx context.Context, id int64) (*CustomFieldDefinition, error)
	// CreateCustomFieldDefinition creates a definition and its options.
	CreateCustomFieldDefinition(ctx context.Context, in CustomFieldDefinitionInput) (*CustomFieldDefinition, error)
	// CreateCustomFieldOption adds an option to a choice definition.
	CreateCustomFieldOption(ctx context.Context, definitionID int64, in CustomFieldOptionInput) (*CustomFieldOption, error)
	// UpdateCustomFieldOption changes an option; renaming it renames the
	// values that hold it.
	UpdateCustomFieldOption(ctx context.Context, definitionID, id int64, in CustomFieldOptionInput) (*CustomFieldOption, error)
	// DeleteCustomFieldOption deletes an option that no value holds and
	// returns it as it was.
	DeleteCustomFieldOption(ctx context.Context, definitionID, id int64) (*CustomFieldOption, error)

	// Integrations returns a page of a product's integrations and their total.
	Integrations(ctx context.Context, productID int64, page Page) ([]Integration, int, error)
	// CreateIntegration adds an integration to a product.
	CreateIntegration(ctx context.Context, productID int64, in IntegrationInput) (*Integration, error)
	// SetIntegrationFields writes integration fields of a record through one
	// integration (by ID or service name): a name the record already has
	// through that integration gets the new value, others are added. It
	// returns the fields in the order given.
	SetIntegrationFields(ctx context.Context, rec RecordRef, integration string, fields []IntegrationFieldInput) ([]IntegrationField, error)
	// RecordIntegrationField returns the field of a record with a name,
	// through one integration (by ID or service name).
	RecordIntegrationField(ctx context.Context, rec RecordRef, integration, name string) (*IntegrationField, error)
	// IntegrationFieldOwner returns an integration field with the record
	// that holds it.
	IntegrationFieldOwner(ctx context.Context, id int64) (*IntegrationFieldOwner, error)
	// DeleteIntegrationField deletes an integration field.
	DeleteIntegrationField(ctx context.Context, id int64) error
	// ReleasesWithIntegrationField returns a page of the releases that hold
	// an integration field with a name and value, and their total.
	ReleasesWithIntegrationField(ctx context.Context, f IntegrationFieldFilter) ([]*Release, int, error)
	// InitiativesWithIntegrationField returns a page of the initiatives that
	// hold an integration field with a name and value, and their total.
	InitiativesWithIntegrationField(ctx context.Context, f IntegrationFieldFilter) ([]*InitiativeDetail, int, error)
}

// Custom field definition types, with Aha!'s names.
const (
	FieldText           = "CustomFieldDefinitions::TextField"
	FieldNote           = "CustomFieldDefinitions::NoteField"
	FieldDate           = "CustomFieldDefinitions::DateField"
	FieldNumber         = "CustomFieldDefinitions::NumberField"
	FieldURL            = "CustomFieldDefinitions::UrlField"
	FieldSelect         = "CustomFieldDefinitions::SelectConstant"
	FieldSelectEditable = "CustomFieldDefinitions::SelectEditable"
	FieldSelectMultiple = "CustomFieldDefinitions::SelectMultiple"
	FieldTags           = "CustomFieldDefinitions::Tags"
)

// fieldKind is what a definition type means for its values: the type name
// values are rendered with, whether values are chosen from options, whether
// a value holds several of them, and whether a value that is not an option
// yet becomes one.
type fieldKind struct {
	api      string
	choice   bool
	multi    bool
	editable bool
}

var fieldKinds = map[string]fieldKind{
	FieldText:           {api: "string"},
	FieldNote:           {api: "note"},
	FieldDate:           {api: "date"},
	FieldNumber:         {api: "number"},
	FieldURL:            {api: "url"},
	FieldSelect:         {api: "string", choice: true},
	FieldSelectEditable: {api: "string", choice: true, editable: true},
	FieldSelectMultiple: {api: "array", choice: true, multi: true},
	FieldTags:           {api: "array", choice: true, multi: true, editable: true},
}

// FieldTypes returns the definition types the account supports, sorted.
func FieldTypes() []string {
	out := make([]string, 0, len(fieldKinds))
	for t := range fieldKinds {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Record types that custom fields are defined for, as Aha! names them.
const (
	FieldableRelease    = "Release"
	FieldableInitiative = "Initiative"
	FieldableGoal       = "Goal"
	FieldableKeyResult  = "KeyResult"
	FieldableFeature    = "Feature"
	FieldableEpic       = "Epic"
)

// FieldableTypes are the record types a custom field may be defined for.
var FieldableTypes = []string{
	"Epic", "Feature", FieldableGoal, "Ideas::Idea", FieldableInitiative, FieldableKeyResult,
	"Page", "Project", FieldableRelease, "ReleasePhase", "Requirement", "Task",
}

// CustomFieldDefinition is an account-wide custom field of one record type.
type CustomFieldDefinition struct {
	ID            int64
	Key           string
	Name          string
	Type          string
	FieldableType string
	InternalName  *string
	Position      int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Options are the choices of a choice type, in their order.
	Options []CustomFieldOption
}

// ValueType is the type name the definition's values are rendered with:
// string, note, date, number, url or array.
func (d *CustomFieldDefinition) ValueType() string { return fieldKinds[d.Type].api }

// HasOptions reports whether values of the definition are chosen from options.
func (d *CustomFieldDefinition) HasOptions() bool { return fieldKinds[d.Type].choice }

// Multiple reports whether a value of the definition holds a list.
func (d *CustomFieldDefinition) Multiple() bool { return fieldKinds[d.Type].multi }

// CustomFieldOption is one choice of a choice definition. Color is an RGB
// value (0xRRGGBB); a hidden option stays on the values that hold it but
// cannot be chosen anew.
type CustomFieldOption struct {
	ID           int64
	DefinitionID int64
	Value        string
	Color        int
	Hidden       bool
	Position     int
}

// DefaultOptionColor is the color of an option created without one: #666666.
const DefaultOptionColor = 0x666666

// Limits of custom field definitions and options.
const (
	MaxFieldKeyLength    = 100
	MaxOptionValueLength = 255
	MaxColor             = 0xFFFFFF
)

// CustomFieldDefinitionInput is the decoded body of a definition create.
type CustomFieldDefinitionInput struct {
	Key           Opt[string]
	Name          Opt[string]
	Type          Opt[string]
	FieldableType Opt[string]
	InternalName  Opt[string]
	Options       Opt[[]CustomFieldOptionInput]
}

// CustomFieldOptionInput is the decoded body of an option create or update.
type CustomFieldOptionInput struct {
	Value  Opt[string]
	Color  Opt[int]
	Hidden Opt[bool]
}

var fieldKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// NewCustomFieldDefinition validates in and returns the definition it
// describes, options included, without IDs or times.
func NewCustomFieldDefinition(in CustomFieldDefinitionInput) (*CustomFieldDefinition, error) {
	d := &CustomFieldDefinition{}
	if !in.Key.Set || in.Key.Null || strings.TrimSpace(in.Key.V) == "" {
		return nil, FieldErrorf("key", "key can't be blank")
	}
	d.Key = strings.TrimSpace(in.Key.V)
	if len(d.Key) > MaxFieldKeyLength || !fieldKeyRe.MatchString(d.Key) {
		return nil, FieldErrorf("key", "key %q must be lower-case letters, digits and underscores, starting with a letter (at most %d)", d.Key, MaxFieldKeyLength)
	}
	if !in.Name.Set || in.Name.Null {
		return nil, FieldErrorf("name", "name can't be blank")
	}
	name, err := ValidateName("name", in.Name.V)
	if err != nil {
		return nil, err
	}
	d.Name = name
	if !in.Type.Set || in.Type.Null {
		return nil, FieldErrorf("type", "type can't be blank: give one of %s", strings.Join(FieldTypes(), ", "))
	}
	d.Type = strings.TrimSpace(in.Type.V)
	if !strings.Contains(d.Type, "::") {
		d.Type = "CustomFieldDefinitions::" + d.Type
	}
	if _, ok := fieldKinds[d.Type]; !ok {
		return nil, FieldErrorf("type", "type %q is not supported: give one of %s", d.Type, strings.Join(FieldTypes(), ", "))
	}
	if !in.FieldableType.Set || in.FieldableType.Null {
		return nil, FieldErrorf("custom_fieldable_type", "custom_fieldable_type can't be blank: give one of %s", strings.Join(FieldableTypes, ", "))
	}
	d.FieldableType = strings.TrimSpace(in.FieldableType.V)
	known := false
	for _, t := range FieldableTypes {
		known = known || t == d.FieldableType
	}
	if !known {
		return nil, FieldErrorf("custom_fieldable_type", "custom_fieldable_type %q is not a record type: give one of %s", d.FieldableType, strings.Join(FieldableTypes, ", "))
	}
	if in.InternalName.Set && !in.InternalName.Null && strings.TrimSpace(in.InternalName.V) != "" {
		v := strings.TrimSpace(in.InternalName.V)
		if utf8.RuneCountInString(v) > MaxNameLength {
			return nil, FieldErrorf("internal_name", "internal_name is too long (maximum is %d characters)", MaxNameLength)
		}
		d.InternalName = &v
	}
	if in.Options.Set && !in.Options.Null && len(in.Options.V) > 0 {
		if !d.HasOptions() {
			return nil, FieldErrorf("options", "options: a %s has no options", d.Type)
		}
		for i, oi := range in.Options.V {
			o := CustomFieldOption{Color: DefaultOptionColor, Position: i + 1}
			if err := ApplyOptionInput(&o, oi, true); err != nil {
				return nil, err
			}
			for _, prev := range d.Options {
				if prev.Value == o.Value {
					return nil, FieldErrorf("options", "options: %q is given twice", o.Value)
				}
			}
			d.Options = append(d.Options, o)
		}
	}
	return d, nil
}

// ApplyOptionInput applies in to o; on create, value is required.
func ApplyOptionInput(o *CustomFieldOption, in CustomFieldOptionInput, create bool) error {
	if in.Value.Set || create {
		if !in.Value.Set || in.Value.Null || strings.TrimSpace(in.Value.V) == "" {
			return FieldErrorf("value", "value can't be blank")
		}
		v := strings.TrimSpace(in.Value.V)
		if utf8.RuneCountInString(v) > MaxOptionValueLength {
			return FieldErrorf("value", "value is too long (maximum is %d characters)", MaxOptionValueLength)
		}
		o.Value = v
	}
	if in.Color.Set {
		switch {
		case in.Color.Null:
			o.Color = DefaultOptionColor
		case in.Color.V < 0 || in.Color.V > MaxColor:
			return FieldErrorf("color", "color must be an RGB value from 0 to %d (#ffffff), not %d", MaxColor, in.Color.V)
		default:
			o.Color = in.Color.V
		}
	}
	if in.Hidden.Set {
		o.Hidden = in.Hidden.V && !in.Hidden.Null
	}
	return nil
}

// CustomFieldValue is a value checked against its definition: Value is the
// stored form, and NewOptions the choices it adds to an editable definition.
type CustomFieldValue struct {
	Value      string
	NewOptions []string
}

// CheckCustomFieldValue checks a value written to a field of definition d
// over the record's current stored value (or "") and returns its stored
// form. Dates must be dates, numbers numbers, URLs absolute http(s) URLs,
// choices options (editable choices may add options), and lists JSON arrays
// of strings. A hidden option may stay where it is held, but not be chosen
// anew. An empty value clears the field and is not checked here.
func CheckCustomFieldValue(d *CustomFieldDefinition, raw, current string) (CustomFieldValue, error) {
	bad := func(format string, args ...any) error {
		return FieldErrorf("custom_fields", "custom_fields: "+d.Key+" "+format, args...)
	}
	kind := fieldKinds[d.Type]
	v := strings.TrimSpace(raw)
	held := map[string]bool{current: true}
	if items, ok := ListValue(current); ok && kind.multi {
		held = map[string]bool{}
		for _, it := range items {
			held[it] = true
		}
	}
	switch {
	case kind.multi:
		var items []string
		if err := json.Unmarshal([]byte(v), &items); err != nil || !strings.HasPrefix(v, "[") {
			return CustomFieldValue{}, bad("must be an array of strings, not %q", raw)
		}
		var out CustomFieldValue
		seen := map[string]bool{}
		list := []string{}
		for _, it := range items {
			it = strings.TrimSpace(it)
			if it == "" || seen[it] {
				continue
			}
			seen[it] = true
			opt, err := chooseOption(d, it, kind.editable, held[it], bad)
			if err != nil {
				return CustomFieldValue{}, err
			}
			if opt == "" {
				out.NewOptions = append(out.NewOptions, it)
			}
			list = append(list, it)
		}
		b, _ := json.Marshal(list)
		out.Value = string(b)
		return out, nil
	case kind.choice:
		opt, err := chooseOption(d, v, kind.editable, held[v], bad)
		if err != nil {
			return CustomFieldValue{}, err
		}
		if opt == "" {
			return CustomFieldValue{Value: v, NewOptions: []string{v}}, nil
		}
		return CustomFieldValue{Value: opt}, nil
	}
	switch d.Type {
	case FieldDate:
		if _, err := ParseDate("custom_fields", v); err != nil {
			return CustomFieldValue{}, bad("must be a date (YYYY-MM-DD), not %q", raw)
		}
		return CustomFieldValue{Value: v}, nil
	case FieldNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(v, "xXpP_") {
			return CustomFieldValue{}, bad("must be a number, not %q", raw)
		}
		return CustomFieldValue{Value: strconv.FormatFloat(f, 'g', -1, 64)}, nil
	case FieldURL:
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return CustomFieldValue{}, bad("must be an absolute http or https URL, not %q", raw)
		}
		return CustomFieldValue{Value: v}, nil
	}
	return CustomFieldValue{Value: raw}, nil
}

// chooseOption returns the option of d whose value is v; with editable, a
// value that is no option yet returns "" (it becomes one). Hidden options
// cannot be chosen, unless the record holds them already.
func chooseOption(d *CustomFieldDefinition, v string, editable, held bool, bad func(string, ...any) error) (string, error) {
	for _, o := range d.Options {
		if o.Value == v {
			if o.Hidden && !held {
				return "", bad("cannot be %q: that option is hidden", v)
			}
			return o.Value, nil
		}
	}
	if editable {
		if utf8.RuneCountInString(v) > MaxOptionValueLength {
			return "", bad("option %q is too long (maximum is %d characters)", v, MaxOptionValueLength)
		}
		return "", nil
	}
	var opts []string
	for _, o := range d.Options {
		if !o.Hidden {
			opts = append(opts, strconv.Quote(o.Value))
		}
	}
	if len(opts) == 0 {
		return "", bad("cannot be %q: the field has no options", v)
	}
	return "", bad("cannot be %q: choose one of %s", v, strings.Join(opts, ", "))
}

// ListValue returns the items of a stored list value (a JSON array of
// strings); ok is false when the value is not one.
func ListValue(v string) ([]string, bool) {
	var items []string
	if err := json.Unmarshal([]byte(v), &items); err != nil || items == nil {
		return nil, false
	}
	return items, true
}

// Integration is a connection of a product to an external service (jira,
// github, ...); integration fields of the product's records go through it,
// and through the integrations of its product line.
type Integration struct {
	ID          int64
	ProductID   int64
	ServiceName string
	Name        string
	CreatedAt   time.Time
}

// IntegrationInput is the decoded body of an integration create.
type IntegrationInput struct {
	ServiceName Opt[string]
	Name        Opt[string]
}

var serviceNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// MaxServiceNameLength bounds the service name of an integration.
const MaxServiceNameLength = 50

// NewIntegration validates in and returns the integration it describes,
// without ID or time. The service name is stored in lower case; the name
// defaults to it.
func NewIntegration(in IntegrationInput) (*Integration, error) {
	if !in.ServiceName.Set || in.ServiceName.Null || strings.TrimSpace(in.ServiceName.V) == "" {
		return nil, FieldErrorf("service_name", "service_name can't be blank")
	}
	svc := strings.ToLower(strings.TrimSpace(in.ServiceName.V))
	if len(svc) > MaxServiceNameLength || !serviceNameRe.MatchString(svc) {
		return nil, FieldErrorf("service_name", "service_name %q must be lower-case letters, digits and underscores, starting with a letter (at most %d)", svc, MaxServiceNameLength)
	}
	it := &Integration{ServiceName: svc, Name: svc}
	if in.Name.Set && !in.Name.Null && strings.TrimSpace(in.Name.V) != "" {
		name, err := ValidateName("name", in.Name.V)
		if err != nil {
			return nil, err
		}
		it.Name = name
	}
	return it, nil
}

// Record types that hold integration fields, as stored.
const (
	RecordRelease    = "release"
	RecordInitiative = "initiative"
	RecordFeature    = "feature"
	RecordEpic       = "epic"
)

// RecordRef names a record that holds integration fields.
type RecordRef struct {
	Type string
	ID   int64
}

// IntegrationFieldInput is one integration field of a write.
type IntegrationFieldInput struct {
	Name  string
	Value string
}

// Limits of integration fields.
const (
	MaxIntegrationFieldName  = 255
	MaxIntegrationFieldValue = 1024
)

// ValidateIntegrationFields checks the fields of a write: at least one, each
// with a name, names given once, values not too long.
func ValidateIntegrationFields(fields []IntegrationFieldInput) error {
	if len(fields) == 0 {
		return FieldErrorf("integration_fields", "integration_fields: give at least one field")
	}
	seen := map[string]bool{}
	for _, f := range fields {
		name := strings.TrimSpace(f.Name)
		if name == "" {
			return FieldErrorf("name", "name can't be blank")
		}
		if utf8.RuneCountInString(name) > MaxIntegrationFieldName {
			return FieldErrorf("name", "name is too long (maximum is %d characters)", MaxIntegrationFieldName)
		}
		if seen[name] {
			return FieldErrorf("name", "name %q is given twice", name)
		}
		seen[name] = true
		if len(f.Value) > MaxIntegrationFieldValue {
			return FieldErrorf("value", "the value of %s is too long (maximum is %d bytes)", name, MaxIntegrationFieldValue)
		}
	}
	return nil
}

// IntegrationFieldOwner is an integration field with the record that holds
// it and that record's product.
type IntegrationFieldOwner struct {
	Field     IntegrationField
	Record    RecordRef
	ProductID int64
}

// IntegrationFieldFilter selects records by an integration field they hold.
type IntegrationFieldFilter struct {
	Name  string
	Value string
	Page  Page
	// Full loads what the full representation of a release shows.
	Full bool
	// VisibleTo, when not 0, keeps only records of products that this user
	// may see.
	VisibleTo int64
}

// FieldSeed holds the custom field definitions (with their options) and the
// integrations of a seeded account.
type FieldSeed struct {
	Definitions  []CustomFieldDefinition
	Integrations []Integration
}
