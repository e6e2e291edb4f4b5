package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// IDs of the demo records of goals, initiatives and key results that tests
// and examples name, beyond those of the Releases API reference.
const (
	Bob int64 = 82352673

	ProductLine1 int64 = 610602692
	PRJ5         int64 = 12123897

	AccountGoalWorkflow      int64 = 883066232
	GoalNotStarted           int64 = 412273758
	GoalOnTrack              int64 = 396368932
	KeyResultWorkflow        int64 = 1024772447
	KeyResultNotStarted      int64 = 496533981
	KeyResultOnTrack         int64 = 76947914
	IdeaWorkflow             int64 = 80245244
	IdeaDone                 int64 = 509459046
	InitiativeNotStarted     int64 = 53968949
	InitiativeCompleteStatus       = IdeaDone

	TimeFrame2015 int64 = 813624702
	TimeFrame2017 int64 = 273422810
	TimeFrame2018 int64 = 834757622

	ProductLineGoal1   int64 = 352745835
	Initiative3        int64 = 219956332
	InitiativeComplete int64 = 595848429
	LineInitiative1    int64 = 1042392694

	KeyResult1 int64 = 631791848
	KeyResult2 int64 = 1017196896
	KeyResult3 int64 = 195428809
)

// PRJ1InitiativeCounter is the last initiative number PRJ1 has used: the
// reference's new initiatives are PRJ1-S-251.
const PRJ1InitiativeCounter = 250

// addGoals adds the demo records of goals, initiatives and key results beyond those of the Releases API
// reference, as the related references' examples show them: their compact
// records here, the rest in Strategy. The goals of the Releases reference
// belong to PRJ1, as the goals reference shows them; goals follow the
// account goal workflow of the workflows reference. Users, products and
// workflows that another part of the demo already holds are not added twice.
func addGoals(s *roadmap.Seed) {
	hasUser := map[int64]bool{}
	for _, u := range s.Users {
		hasUser[u.ID] = true
	}
	if !hasUser[Bob] {
		s.Users = append(s.Users, roadmap.User{ID: Bob, Name: "Bob Smith", Email: "bob.smith@example.com", CreatedAt: epoch, UpdatedAt: epoch})
	}

	hasWorkflow := map[int64]bool{}
	for _, w := range s.Workflows {
		hasWorkflow[w.ID] = true
	}
	for _, w := range strategyWorkflows() {
		if !hasWorkflow[w.ID] {
			s.Workflows = append(s.Workflows, w)
		}
	}

	hasProduct := map[int64]bool{}
	for _, p := range s.Products {
		hasProduct[p.ID] = true
	}
	extra := []roadmap.SeedProduct{
		{Product: roadmap.Product{ID: ProductLine1, ReferencePrefix: "PL1", Name: "Product Line 1", ProductLine: true,
			WorkspaceType: "product_workspace", CreatedAt: epoch, UpdatedAt: epoch}},
		{Product: roadmap.Product{ID: PRJ5, ReferencePrefix: "PRJ5", Name: "Project 5",
			WorkspaceType: "product_workspace", ParentID: ProductLine1, CreatedAt: epoch, UpdatedAt: epoch}},
	}
	for _, p := range extra {
		if !hasProduct[p.ID] {
			p.ReleaseWorkflowID, p.InitiativeWorkflowID = ReleaseWorkflow, InitiativeWorkflow
			s.Products = append(s.Products, p)
		}
	}
	for i := range s.Products {
		s.Products[i].GoalWorkflowID = AccountGoalWorkflow
	}

	for i := range s.Goals {
		if s.Goals[i].ID == Goal1 || s.Goals[i].ID == Goal2 {
			s.Goals[i].ProductID = PRJ1
		}
	}
	for _, g := range demoGoals() {
		if g.ID != Goal1 && g.ID != Goal2 {
			s.Goals = append(s.Goals, roadmap.SeedGoal{Goal: roadmap.Goal{ID: g.ID, ReferenceNum: g.ref, Name: g.name,
				Description: g.description, CreatedAt: epoch}, ProductID: g.product})
		}
	}
	for _, it := range demoInitiatives() {
		if it.ID != Initiative1 && it.ID != Initiative2 {
			s.Initiatives = append(s.Initiatives, roadmap.SeedInitiative{Initiative: roadmap.Initiative{ID: it.ID,
				ReferenceNum: it.ref, Name: it.name, Description: it.description, CreatedAt: epoch}, ProductID: it.product})
		}
	}
	s.Strategy = Strategy()
}

// Strategy returns what the demo account has of goals, initiatives and key
// results beyond their compact records: chart values, statuses, metrics,
// time frames, assignees, custom fields, key results and the links between
// goals and initiatives.
func Strategy() *roadmap.StrategySeed {
	note := func(id int64, body string) roadmap.Note {
		return roadmap.Note{ID: id, Body: body, CreatedAt: epoch, UpdatedAt: epoch}
	}
	s := &roadmap.StrategySeed{
		TimeFrames: []roadmap.TimeFrame{
			{ID: TimeFrame2015, Name: "2015"},
			{ID: TimeFrame2017, Name: "2017"},
			{ID: TimeFrame2018, Name: "2018"},
		},
		GoalInitiatives:    map[int64][]int64{Goal1: {Initiative1}},
		InitiativeCounters: map[int64]int64{PRJ1: PRJ1InitiativeCounter},
	}
	for _, p := range []int64{ProductLine, PRJ1, PRJ2, PRJ3, PRJ4, ProductLine1, PRJ5} {
		ps := roadmap.SeedProductStrategy{ProductID: p, KeyResultWorkflowID: KeyResultWorkflow}
		if p == PRJ1 {
			ps.InitiativeAssignee = Henry
		}
		s.Products = append(s.Products, ps)
	}
	for _, g := range demoGoals() {
		d := g.SeedGoalDetail
		d.MetricDescription.CreatedAt, d.MetricDescription.UpdatedAt = epoch, epoch
		s.Goals = append(s.Goals, d)
	}
	for _, it := range demoInitiatives() {
		s.Initiatives = append(s.Initiatives, it.SeedInitiativeDetail)
	}
	metric := func(v string) *string { return &v }
	notStarted := &roadmap.WorkflowStatus{ID: KeyResultNotStarted}
	s.KeyResults = []roadmap.KeyResult{
		{ID: KeyResult1, GoalID: Goal1, ReferenceNum: "DEMOENT-G-1-KR-1", Name: "KR 1", Position: 2,
			TargetMetric: metric("100%"), StartingMetric: metric("5%"), CurrentMetric: metric("20%"),
			Description: note(6776757454425693046, ""), WorkflowStatus: notStarted, CreatedAt: epoch, UpdatedAt: epoch},
		{ID: KeyResult2, GoalID: Goal1, ReferenceNum: "DEMOENT-G-1-KR-2", Name: "KR 2", Position: 1,
			Description: note(6776757454425388265, ""), WorkflowStatus: notStarted, CreatedAt: epoch, UpdatedAt: epoch},
		{ID: KeyResult3, GoalID: Goal2, ReferenceNum: "DEMOENT-G-1-KR-3", Name: "KR 3", Position: 3,
			Description: note(195428810, ""), WorkflowStatus: notStarted, CreatedAt: epoch, UpdatedAt: epoch},
	}
	return s
}

// strategyWorkflows are the workflows of the workflows reference that goals,
// key results and the demo's completed initiative follow.
func strategyWorkflows() []roadmap.SeedWorkflow {
	return []roadmap.SeedWorkflow{
		{ID: AccountGoalWorkflow, Name: "Account goal workflow", StatusableType: "StrategicImperative", Statuses: []roadmap.WorkflowStatus{
			{ID: GoalOnTrack, Name: "On Track", Position: 2, Color: "#ecdd8f"},
			{ID: GoalNotStarted, Name: "Not Started", Position: 1, Color: "#dce7c6"},
		}},
		{ID: KeyResultWorkflow, Name: "Account product key result workflow", StatusableType: "KeyResult", Statuses: []roadmap.WorkflowStatus{
			{ID: KeyResultOnTrack, Name: "On Track", Position: 2, Color: "#ecdd8f"},
			{ID: KeyResultNotStarted, Name: "Not Started", Position: 1, Color: "#dce7c6"},
		}},
		{ID: IdeaWorkflow, Name: "Account product idea workflow", StatusableType: "Idea", Statuses: []roadmap.WorkflowStatus{
			{ID: 3259216, Name: "New", Position: 1, Color: "#dce7c6"},
			{ID: 349486678, Name: "Shipped", Position: 4, Complete: true, Color: "#ecdd8f"},
			{ID: IdeaDone, Name: "Done", Position: 4, Complete: true, Color: "#ecdd8f"},
			{ID: 1009437757, Name: "In progress", Position: 2, Color: "#ecdd8f"},
		}},
	}
}

// demoGoal is a demo goal with the compact record Seed.Goals holds.
type demoGoal struct {
	roadmap.SeedGoalDetail
	ref, name   string
	product     int64
	description roadmap.Note
}

// demoGoals are the goals of the goals reference's lists. The reference
// prints PRJ3-G-1 for two goals; the second is PRJ3-G-2 here, since
// reference numbers are unique.
func demoGoals() []demoGoal {
	goal := func(id int64, ref, name string, product int64, effort, value int, position int, desc roadmap.Note,
		metric string, metricDesc roadmap.Note, parent, timeFrame int64) demoGoal {
		return demoGoal{SeedGoalDetail: roadmap.SeedGoalDetail{ID: id, Effort: effort, Value: value, Color: "#bada55",
			Position: position, WorkflowStatusID: GoalOnTrack, ParentID: parent, TimeFrameID: timeFrame,
			MetricName: metric, MetricDescription: metricDesc},
			ref: ref, name: name, product: product, description: desc}
	}
	note := func(id int64, body string) roadmap.Note {
		return roadmap.Note{ID: id, Body: body, CreatedAt: epoch, UpdatedAt: epoch}
	}
	return []demoGoal{
		goal(111739083, "DEMOENT-G-5", "Goal 5", PRJ1, 40, 30, 5, note(996214770, "Description of project1_strategic_imperative5_archived_epoch"), "Metric 5", note(429990377, "Description of project1_strategic_imperative5_archived_epoch_strategic_imperative_metric"), 0, TimeFrame2018),
		goal(242586561, "PRJ3-G-1", "Goal 3", PRJ3, 40, 30, 1, note(186725916, "Description of project3_strategic_imperative1"), "Metric 4", note(646872120, "Description of project3_strategic_imperative1_strategic_imperative_metric"), ProductLineGoal1, 0),
		goal(ProductLineGoal1, "PL1-G-1", "Product Line Goal 1", ProductLine1, 40, 30, 1, note(79634897, "Description of project2_strategic_imperative1"), "Metric 3", note(909973229, "Description of project2_strategic_imperative1_strategic_imperative_metric"), 0, 0),
		goal(394052101, "PRJ3-G-2", "Goal 4", PRJ3, 40, 30, 2, note(921393880, "Description of project3_strategic_imperative2"), "Metric 5", note(96979861, "Description of project3_strategic_imperative2_strategic_imperative_metric"), 0, 0),
		goal(599777734, "PRJ5-G-1", "Goal 6", PRJ5, 40, 30, 1, note(133581930, "Description of project5_strategic_imperative1"), "Metric 7", note(508822721, "Description of project5_strategic_imperative1_strategic_imperative_metric"), ProductLineGoal1, 0),
		goal(Goal1, "DEMOENT-G-1", "Goal 1", PRJ1, 10, 70, 1, note(166463080, "Description of goal 1"), "Metric 1", note(546284368, "Description of goal 1"), 0, 0),
		goal(712130641, "DEMOENT-G-3", "Goal 3", PRJ1, 40, 30, 2, note(568840458, "Description of project1_strategic_imperative3_no_epoch"), "Metric 3", note(668008103, "Description of project1_strategic_imperative3_no_epoch_strategic_imperative_metric"), 0, 0),
		goal(926116263, "DEMOENT-G-4", "Goal 4", PRJ1, 40, 30, 4, note(308494954, "Description of project1_strategic_imperative4_active_epoch"), "Metric 4", note(330355042, "Description of project1_strategic_imperative4_active_epoch_strategic_imperative_metric"), 0, TimeFrame2017),
		goal(952896276, "PRJ4-G-1", "Goal 5", PRJ4, 40, 30, 1, note(141056933, "Description of project4_strategic_imperative1"), "Metric 6", note(250048102, "Description of project4_strategic_imperative1_strategic_imperative_metric"), ProductLineGoal1, 0),
		goal(Goal2, "DEMOENT-G-2", "Goal 2", PRJ1, 40, 30, 3, note(1055602421, "Description of goal 2"), "Metric 2", note(394826695, "Description of goal 2"), 0, 0),
	}
}

// demoInitiative is a demo initiative with the compact record
// Seed.Initiatives holds.
type demoInitiative struct {
	roadmap.SeedInitiativeDetail
	ref, name   string
	product     int64
	description roadmap.Note
}

// demoInitiatives are the initiatives of the initiatives reference's lists.
func demoInitiatives() []demoInitiative {
	initiative := func(id int64, ref, name string, product, status int64, effort, value, score, position int,
		desc roadmap.Note, assignee int64, byDefault bool, timeFrame, creator int64) demoInitiative {
		return demoInitiative{SeedInitiativeDetail: roadmap.SeedInitiativeDetail{ID: id, Effort: effort, Value: value,
			Score: score, Color: "#bada55", Position: position, WorkflowStatusID: status, AssignedToID: assignee,
			DefaultAssignee: byDefault, TimeFrameID: timeFrame, CreatedByID: creator},
			ref: ref, name: name, product: product, description: desc}
	}
	note := func(id int64, body string) roadmap.Note {
		return roadmap.Note{ID: id, Body: body, CreatedAt: epoch, UpdatedAt: epoch}
	}
	its := []demoInitiative{
		initiative(Initiative2, "PRJ1-S-2", "Initiative 2", PRJ1, InitiativeNotStarted, 40, 30, 0, 2, note(824706757, "Description of initiative 2"), John, false, 0, Bob),
		initiative(Initiative3, "PRJ1-S-3", "Initiative 3", PRJ1, InitiativeNotStarted, 40, 30, 0, 2, note(338250583, "Description of project1_initiative3_no_epoch"), Henry, true, 0, 0),
		initiative(259736534, "PRJ1-S-5", "Initiative 5", PRJ1, InitiativeNotStarted, 40, 30, 0, 2, note(1040636124, "Description of project1_initiative5_archived_epoch"), Henry, true, TimeFrame2018, 0),
		initiative(330016191, "PRJ1-S-4", "Initiative 4", PRJ1, InitiativeNotStarted, 40, 30, 0, 2, note(999437064, "Description of project1_initiative4_active_epoch"), Henry, true, TimeFrame2017, 0),
		initiative(Initiative1, "PRJ1-S-1", "Initiative 1", PRJ1, InitiativeNotStarted, 30, 50, 4, 1, note(673273729, "Description of initiative 1"), John, false, 0, Mary),
		initiative(InitiativeComplete, "PRJ1-S-11", "Initiative complete", PRJ1, InitiativeCompleteStatus, 10, 70, 0, 1, note(6776757454435235544, ""), Henry, true, 0, 0),
		initiative(LineInitiative1, "PL1-S-1", "Workspace line initiative 1", ProductLine1, InitiativeNotStarted, 40, 30, 0, 1, note(133079347, "Description of product_line1_initiative1"), 0, false, 0, 0),
	}
	for i := range its {
		if its[i].ID == Initiative1 {
			its[i].CustomFields = []roadmap.CustomField{
				{ID: 973371762, Key: "initiative_custom_date", Name: "Initiative custom date", Type: "date", Value: "2019-01-01", CreatedAt: epoch, UpdatedAt: epoch},
				{ID: 1073063442, Key: "initiative_priority", Name: "Initiative priority", Type: "string", Value: "P2", CreatedAt: epoch, UpdatedAt: epoch},
			}
		}
	}
	return its
}
