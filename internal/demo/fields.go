package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// IDs of the demo's custom field definitions and integrations that tests
// and examples name.
const (
	// FeaturePriority is the features' choice field "Priority" of the custom
	// fields references, with options P1 to P5.
	FeaturePriority int64 = 581360680
	// FeaturePriorityP1 is its option P1.
	FeaturePriorityP1 int64 = 486420793

	ReleaseNoteField  int64 = 432637401
	ReleaseTextField  int64 = 424324901
	ReleaseCustomDate int64 = 3228193

	InitiativeCustomDate int64 = 973371701
	InitiativePriority   int64 = 1073063401
	InitiativePriorityP  int64 = 1073063402
	KeyResultStretchGoal int64 = 1017196901

	// JiraPRJ1 and JiraPRJ1Second are PRJ1's jira integrations; the
	// features of the integration fields reference carry fields through
	// them, and PRJ1-R-1 and PRJ1-R-3 in the Releases API reference.
	JiraPRJ1       int64 = 204584239
	JiraPRJ1Second int64 = 342659513
	// JiraDEMOENT is the jira integration of the product line DEMOENT,
	// which the initiative PRJ1-S-1 carries its fields through.
	JiraDEMOENT int64 = 186281709
)

// addFields adds the demo records of custom and integration fields beyond those of the Releases API
// reference, as the related references' examples show them: their values
// are held by the records they belong to; the definitions, options and
// integrations are those of Fields.
func addFields(s *roadmap.Seed) { s.Fields = Fields() }

// Fields returns the demo's custom field definitions, with their options,
// and its integrations: the definitions of the values the references' demo
// records hold (PRJ1-R-1's note and text_field, PRJ1-S-1's
// initiative_custom_date and initiative_priority, the key results'
// stretch_goal), the initiatives' priority, the releases'
// release_custom_date of the products reference, the features' priority of
// the custom fields references, and the three jira integrations.
func Fields() *roadmap.FieldSeed {
	priorities := func(first int64, ids ...int64) []roadmap.CustomFieldOption {
		out := make([]roadmap.CustomFieldOption, 0, 5)
		for i := 0; i < 5; i++ {
			id := first + int64(i)
			if i < len(ids) {
				id = ids[i]
			}
			out = append(out, roadmap.CustomFieldOption{ID: id, Value: "P" + string(rune('1'+i)),
				Color: roadmap.DefaultOptionColor, Position: i + 1})
		}
		return out
	}
	def := func(id int64, fieldable, key, name, typ string, pos int, opts []roadmap.CustomFieldOption) roadmap.CustomFieldDefinition {
		return roadmap.CustomFieldDefinition{ID: id, FieldableType: fieldable, Key: key, Name: name, Type: typ,
			Position: pos, CreatedAt: epoch, UpdatedAt: epoch, Options: opts}
	}
	return &roadmap.FieldSeed{
		Definitions: []roadmap.CustomFieldDefinition{
			def(FeaturePriority, "Feature", "priority", "Priority", roadmap.FieldSelect, 1,
				priorities(0, FeaturePriorityP1, 100098181, 854609942, 747947447, 462681378)),
			def(ReleaseNoteField, roadmap.FieldableRelease, "note", "Note", roadmap.FieldNote, 1, nil),
			def(ReleaseTextField, roadmap.FieldableRelease, "text_field", "TextField", roadmap.FieldText, 2, nil),
			def(ReleaseCustomDate, roadmap.FieldableRelease, "release_custom_date", "Release custom date", roadmap.FieldDate, 3, nil),
			def(InitiativeCustomDate, roadmap.FieldableInitiative, "initiative_custom_date", "Initiative custom date", roadmap.FieldDate, 1, nil),
			def(InitiativePriority, roadmap.FieldableInitiative, "initiative_priority", "Initiative priority", roadmap.FieldSelect, 2,
				priorities(1073063411)),
			def(InitiativePriorityP, roadmap.FieldableInitiative, "priority", "Priority", roadmap.FieldSelect, 3,
				priorities(1073063421)),
			def(KeyResultStretchGoal, roadmap.FieldableKeyResult, "stretch_goal", "Stretch goal", roadmap.FieldText, 1, nil),
		},
		Integrations: []roadmap.Integration{
			{ID: JiraDEMOENT, ProductID: ProductLine, ServiceName: "jira", Name: "Jira", CreatedAt: epoch},
			{ID: JiraPRJ1, ProductID: PRJ1, ServiceName: "jira", Name: "Jira", CreatedAt: epoch},
			{ID: JiraPRJ1Second, ProductID: PRJ1, ServiceName: "jira", Name: "Jira (second project)", CreatedAt: epoch},
		},
	}
}
