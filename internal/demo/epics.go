package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// IDs of the demo records of the epics reference.
const (
	Epic1         int64 = 999605892 // PRJ1-E-1, "Epic 1"
	Epic2         int64 = 580753216 // PRJ1-E-2, "Here's another epic"
	Epic3         int64 = 362457003 // PRJ1-E-3, "And a third"
	EpicPRJ2      int64 = 531908612 // PRJ2-E-1, "An epic in project 2"
	EpicPRJ3      int64 = 269219656 // PRJ3-E-3, "A different project epic"
	EpicNewStatus int64 = 934242751

	// EpicCustomDate and EpicPriority are the epics' custom fields; the
	// priority is a choice of P1 to P5.
	EpicCustomDate int64 = 1001163001
	EpicPriority   int64 = 1043080101

	epicFeature1 int64 = 1007868956 // PRJ1-1, the feature of PRJ1-E-1
	releasePRJ2  int64 = 1000426269
	releasePRJ3  int64 = 342040612
)

// addEpics adds the demo records of epics to the account's seed. The seed
// holds no epics: they are loaded after it, from Epics, by the store's
// SeedEpics.
func addEpics(s *roadmap.Seed) { s.Epics = Epics() }

// Epics returns the demo's epics, as the epics reference shows them: three
// in PRJ1-R-1 (PRJ1-E-1 with its feature PRJ1-1, goal, initiative, tag,
// custom fields, jira fields and a link to PRJ1-E-2), one in PRJ2 and one in
// PRJ3. PRJ1 has used epic numbers up to 250, so its next epic is
// PRJ1-E-251; new epics of PRJ1 go to Henry Humpty by default.
func Epics() *roadmap.EpicSeed {
	note := func(id int64, body string) roadmap.Note {
		return roadmap.Note{ID: id, Body: body, CreatedAt: epoch, UpdatedAt: epoch}
	}
	epic := func(id, product, release int64, ref, name string, position int, description int64) roadmap.SeedEpic {
		return roadmap.SeedEpic{
			Epic: roadmap.Epic{ID: id, ProductID: product, ReleaseID: release, ReferenceNum: ref, Name: name,
				Position: position, StartDate: day, DueDate: day,
				ProgressSource: roadmap.ProgressManual, DurationSource: roadmap.DurationManual,
				WorkflowStatusID: EpicNewStatus, AssignedToID: John, CreatedByID: John,
				Description: note(description, ""), WorkUnits: roadmap.CapacityTime,
				CreatedAt: epoch, UpdatedAt: epoch},
			WatcherIDs: []int64{John},
		}
	}
	jira := func(id int64, name, value string) roadmap.IntegrationField {
		return roadmap.IntegrationField{ID: id, Name: name, Value: value, IntegrationID: 204584239, ServiceName: "jira", CreatedAt: epoch}
	}
	e1 := epic(Epic1, PRJ1, Release1, "PRJ1-E-1", "Epic 1", 1, 4321567)
	e1.Description.Body = "Body of Epic Description"
	e1.Score = 42
	e1.InitiativeID = Initiative1
	e1.IntegrationFields = []roadmap.IntegrationField{jira(790422735, "id", "433333335"), jira(907392375, "key", "JRA-1222223")}
	e1.Tags = []roadmap.EpicTag{{ID: 775582684, Name: "Infrastructure", Color: "#7552e0"}}
	e1.CustomFields = []roadmap.CustomField{
		{ID: 1001163083, Key: "epic_custom_date", Name: "Epic custom date", Type: "date", Value: day, CreatedAt: epoch, UpdatedAt: epoch},
		{ID: 1043080183, Key: "priority", Name: "Priority", Type: "string", Value: "P2", CreatedAt: epoch, UpdatedAt: epoch},
	}
	e1.GoalIDs = []int64{Goal1}
	e1.FeatureIDs = []int64{epicFeature1}
	e2 := epic(Epic2, PRJ1, Release1, "PRJ1-E-2", "Here's another epic", 2, 4321568)
	e2.InitiativeID = Initiative1
	e3 := epic(Epic3, PRJ1, Release1, "PRJ1-E-3", "And a third", 3, 4321569)
	e3.InitiativeID = Initiative1
	p2 := epic(EpicPRJ2, PRJ2, releasePRJ2, "PRJ2-E-1", "An epic in project 2", 1, 4321570)
	p3 := epic(EpicPRJ3, PRJ3, releasePRJ3, "PRJ3-E-3", "A different project epic", 1, 4321571)
	p3.InitiativeID = Initiative1

	priorities := make([]roadmap.CustomFieldOption, 0, 5)
	for i := 0; i < 5; i++ {
		priorities = append(priorities, roadmap.CustomFieldOption{ID: EpicPriority + 10 + int64(i), Value: "P" + string(rune('1'+i)),
			Color: roadmap.DefaultOptionColor, Position: i + 1})
	}
	return &roadmap.EpicSeed{
		Epics: []roadmap.SeedEpic{e1, e2, e3, p2, p3},
		Links: []roadmap.SeedEpicLink{{ID: 510338211, ParentID: Epic1, ChildID: Epic2, LinkType: "Depends on", LinkTypeID: 20, CreatedAt: epoch}},
		Fields: &roadmap.FieldSeed{Definitions: []roadmap.CustomFieldDefinition{
			{ID: EpicCustomDate, FieldableType: "Epic", Key: "epic_custom_date", Name: "Epic custom date", Type: roadmap.FieldDate,
				Position: 1, CreatedAt: epoch, UpdatedAt: epoch},
			{ID: EpicPriority, FieldableType: "Epic", Key: "priority", Name: "Priority", Type: roadmap.FieldSelect,
				Position: 2, CreatedAt: epoch, UpdatedAt: epoch, Options: priorities},
		}},
		Assignees: map[int64]int64{PRJ1: Henry},
		Counters:  map[int64]int64{PRJ1: 250, PRJ3: 3},
	}
}
