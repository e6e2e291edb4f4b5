package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// IDs of the demo records of the features and requirements references.
const (
	Feature1       int64 = 1007868956 // PRJ1-1, "Feature 1"
	Feature2       int64 = 622562724  // PRJ1-2, "Another Feature"
	Feature3       int64 = 303873333  // PRJ1-3, "Another Third Feature"
	Feature4       int64 = 209201304  // PRJ1-4, "Another Fourth Feature"
	Feature5       int64 = 998184963  // PRJ1-5, "Another Fifth Feature"
	FeaturePRJ2    int64 = 101074039  // PRJ2-1, "A feature in project 2"
	FeaturePRJ3    int64 = 229579240  // PRJ3-1, "Feature without Requirements"
	FeaturePRJ3b   int64 = 959120953  // PRJ3-2, "A third Feature"
	Requirement1   int64 = 483368544  // PRJ1-1-1
	Requirement2   int64 = 96915428   // PRJ1-1-2, in a complete status
	Requirement3   int64 = 851574643  // PRJ1-1-3
	FeatureTagsCF  int64 = 648100002  // the features' tag-like custom field "tags"
	FeatureDateCF  int64 = 648100001  // the features' expected_completion_date
	StatusDesigned int64 = 962984386  // "Designed", of the feature workflow

	featureNew         int64 = 934242751
	featureShipped     int64 = 1025247908
	featureNotStarted  int64 = 922838743
	featureEpic1       int64 = 999605892 // PRJ1-E-1
	featurePhaseAlpha  int64 = 20526005  // "Alpha", a phase of PRJ1-R-1
	featureJiraPRJ1    int64 = 204584239
	featureJiraSecond  int64 = 342659513
	featureReleasePRJ2 int64 = 1000426269
	featureReleasePRJ3 int64 = 342040612
)

// addFeatures adds the demo records of features and requirements to the
// account's seed.
func addFeatures(s *roadmap.Seed) { s.Features = Features() }

// Features returns the demo's features and requirements, as their
// references show them: five in PRJ1-R-1, one in PRJ2-R-1 and two in
// PRJ3-R-1, all in status New (PRJ2-1 in Designed) with their progress set
// by hand and not set, so that no release computes anything from them.
// PRJ1-1 has the epic PRJ1-E-1, the release phase Alpha (both linked when
// loaded before the features, else by their own loaders), the initiative
// PRJ1-S-1, the goal DEMOENT-G-1 and its key result KR 1, two tags, two
// score facts, a custom field, three jira fields, a link to PRJ1-2 and three
// requirements, one of them shipped. PRJ1 has used feature numbers up to
// 250, so its next feature is PRJ1-251; new features of PRJ1 go to Henry
// Humpty by default.
func Features() *roadmap.FeatureSeed {
	note := func(id int64, body string) roadmap.Note {
		return roadmap.Note{ID: id, Body: body, CreatedAt: epoch, UpdatedAt: epoch}
	}
	feature := func(id, product, release int64, ref, name string, position int, description int64) roadmap.SeedFeature {
		return roadmap.SeedFeature{
			Feature: roadmap.Feature{ID: id, ProductID: product, ReleaseID: release, ReferenceNum: ref, Name: name,
				Position: position, Score: roadmap.FeatureScore(nil), ProgressSource: roadmap.ProgressManual,
				WorkflowKind: roadmap.FeatureKinds[0].Key, WorkflowStatusID: featureNew, AssignedToID: John, CreatedByID: John,
				Description: note(description, ""), WorkUnits: roadmap.CapacityTime, CreatedAt: epoch, UpdatedAt: epoch},
			WatcherIDs: []int64{John},
		}
	}
	jira := func(id int64, name, value string, integration int64) roadmap.IntegrationField {
		return roadmap.IntegrationField{ID: id, Name: name, Value: value, IntegrationID: integration, ServiceName: "jira", CreatedAt: epoch}
	}
	f1 := feature(Feature1, PRJ1, Release1, "PRJ1-1", "Feature 1", 1, 793547626)
	f1.Description.Body = "Body of note 1"
	f1.EpicID, f1.ReleasePhaseID, f1.InitiativeID = featureEpic1, featurePhaseAlpha, Initiative1
	f1.StartDate, f1.DueDate = day, day
	f1.ScoreFacts = []roadmap.ScoreFact{{ID: 728895917, Name: "Effort", Value: 1}, {ID: 846938137, Name: "Benefit", Value: 2}}
	f1.Score = roadmap.FeatureScore(f1.ScoreFacts)
	f1.Tags = []roadmap.Tag{{ID: 3412727, Name: "Engineering", Color: "#e09052"}, {ID: 775582684, Name: "Infrastructure", Color: "#7552e0"}}
	f1.CustomFields = []roadmap.CustomField{
		{ID: 621325984, Key: "expected_completion_date", Name: "Expected completion date", Type: "date", Value: day, CreatedAt: epoch, UpdatedAt: epoch},
	}
	f1.IntegrationFields = []roadmap.IntegrationField{
		jira(92040219, "url", "https://bigaha.atlassian.net/issues/JRA-123", featureJiraPRJ1),
		jira(728894778, "key", "JRA-123", featureJiraPRJ1),
		jira(846945422, "id", "435", featureJiraPRJ1),
	}
	f1.GoalIDs = []int64{Goal1}
	f1.KeyResultIDs = []int64{631791848}
	prj2 := feature(FeaturePRJ2, PRJ2, featureReleasePRJ2, "PRJ2-1", "A feature in project 2", 1, 101074001)
	prj2.WorkflowStatusID = StatusDesigned

	requirement := func(id int64, ref, name string, position int, status int64, description roadmap.Note) roadmap.SeedRequirement {
		return roadmap.SeedRequirement{Requirement: roadmap.Requirement{ID: id, FeatureID: Feature1, ReferenceNum: ref, Name: name,
			Position: position, WorkflowStatusID: status, AssignedToID: John, CreatedByID: Mary, Description: description,
			CreatedAt: epoch, UpdatedAt: epoch}}
	}
	r1 := requirement(Requirement1, "PRJ1-1-1", "Body of requirement 1", 1, featureNew, note(910541534, "Body of requirement 1"))
	r1.CustomFields = []roadmap.CustomField{
		{ID: 848810602, Key: "expected_completion_date", Name: "Expected completion date", Type: "date", Value: day, CreatedAt: epoch, UpdatedAt: epoch},
		{ID: 731808726, Key: "requested_by", Name: "Requested By", Type: "string", Value: "TK", CreatedAt: epoch, UpdatedAt: epoch},
	}
	r1.IntegrationFields = []roadmap.IntegrationField{
		jira(32487847, "key", "JRA-987", featureJiraSecond),
		jira(417785887, "id", "991", featureJiraSecond),
		jira(803330186, "aha::remote_entity", "issue_10100", featureJiraSecond),
	}

	def := func(id int64, fieldable, key, name, typ string, pos int, opts []roadmap.CustomFieldOption) roadmap.CustomFieldDefinition {
		return roadmap.CustomFieldDefinition{ID: id, FieldableType: fieldable, Key: key, Name: name, Type: typ,
			Position: pos, CreatedAt: epoch, UpdatedAt: epoch, Options: opts}
	}
	priorities := make([]roadmap.CustomFieldOption, 0, 5)
	for i := 0; i < 5; i++ {
		priorities = append(priorities, roadmap.CustomFieldOption{ID: 648100110 + int64(i), Value: "P" + string(rune('1'+i)),
			Color: roadmap.DefaultOptionColor, Position: i + 1})
	}
	return &roadmap.FeatureSeed{
		Features: []roadmap.SeedFeature{
			f1,
			feature(Feature2, PRJ1, Release1, "PRJ1-2", "Another Feature", 2, 622562701),
			feature(Feature3, PRJ1, Release1, "PRJ1-3", "Another Third Feature", 3, 303873301),
			feature(Feature4, PRJ1, Release1, "PRJ1-4", "Another Fourth Feature", 4, 209201301),
			feature(Feature5, PRJ1, Release1, "PRJ1-5", "Another Fifth Feature", 5, 998184901),
			prj2,
			feature(FeaturePRJ3, PRJ3, featureReleasePRJ3, "PRJ3-1", "Feature without Requirements", 1, 229579201),
			feature(FeaturePRJ3b, PRJ3, featureReleasePRJ3, "PRJ3-2", "A third Feature", 2, 959120901),
		},
		Requirements: []roadmap.SeedRequirement{
			requirement(Requirement2, "PRJ1-1-2", "Body of requirement 2", 2, featureShipped, note(6776757454429178725, "")),
			r1,
			requirement(Requirement3, "PRJ1-1-3", "Body of requirement 3", 3, featureNotStarted, note(6776757454427092506, "")),
		},
		Links: []roadmap.SeedFeatureLink{{ID: 648100201, ParentID: Feature1, ChildID: Feature2,
			LinkType: roadmap.LinkDependsOn, LinkTypeID: roadmap.LinkDependsOnID, CreatedAt: epoch}},
		Fields: &roadmap.FieldSeed{Definitions: []roadmap.CustomFieldDefinition{
			def(FeatureDateCF, "Feature", "expected_completion_date", "Expected completion date", roadmap.FieldDate, 2, nil),
			def(FeatureTagsCF, "Feature", "tags", "Custom field items", roadmap.FieldTags, 3, nil),
			def(648100003, "Requirement", "expected_completion_date", "Expected completion date", roadmap.FieldDate, 1, nil),
			def(648100004, "Requirement", "requested_by", "Requested By", roadmap.FieldText, 2, nil),
			def(648100005, "Requirement", "priority", "Priority", roadmap.FieldSelect, 3, priorities),
		}},
		Assignees: map[int64]int64{PRJ1: Henry},
		Counters:  map[int64]int64{PRJ1: 250},
	}
}
