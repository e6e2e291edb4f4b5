// Package demo holds the demo account: the records that the Releases API
// reference's examples show, with their IDs, so that every example runs
// verbatim against `roadmapd serve --demo`.
package demo

import (
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Token is the demo account's API token, bound to Mary Humpty. It exists
// only in a database loaded with the demo account.
const Token = "15b60d42d4bc417284a246ced6877b0bf13fb4aca415f7b55f7006bc3694a8ab"

// IDs of demo records that tests and examples name.
const (
	Mary  int64 = 1020675218
	John  int64 = 16338845
	Henry int64 = 689956296

	ProductLine int64 = 204313741
	PRJ1        int64 = 131414752
	PRJ2        int64 = 517761884
	PRJ3        int64 = 702241743
	PRJ4        int64 = 935317104

	ReleaseWorkflow    int64 = 738862500
	GoalWorkflow       int64 = 61191650
	FeatureWorkflow    int64 = 499195972
	InitiativeWorkflow int64 = 61191651
	StatusNew          int64 = 738862546
	StatusPlanning     int64 = 738862547
	StatusInDev        int64 = 738862548
	StatusReady        int64 = 738862549
	StatusShipped      int64 = 738862550

	Goal1       int64 = 602095703
	Goal2       int64 = 988418543
	Initiative1 int64 = 423077122
	Initiative2 int64 = 4125886

	Release1    int64 = 278327321
	Release2    int64 = 161456549
	Release3    int64 = 1050186040
	SubRelease1 int64 = 325518644
	RollUp1     int64 = 292454904
	RollUp2     int64 = 141021264
)

// epoch is the creation time of every demo record.
var epoch = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

const day = "2019-01-01"

// Account returns the demo account.
func Account() *roadmap.Seed {
	users := []roadmap.User{
		{ID: Mary, Name: "Mary Humpty", Email: "no-reply@aha.io", Admin: true},
		{ID: John, Name: "John Smith", Email: "john.smith@example.com"},
		{ID: Henry, Name: "Henry Humpty", Email: "henry.humpty@example.com"},
	}
	for i := range users {
		users[i].CreatedAt, users[i].UpdatedAt = epoch, epoch
	}
	statuses := []roadmap.WorkflowStatus{
		{ID: StatusNew, Name: "New", Position: 1, Color: "#dce7c6"},
		{ID: StatusPlanning, Name: "Planning", Position: 2, Color: "#ecdd8f"},
		{ID: StatusInDev, Name: "In development", Position: 3, Color: "#f5c87d"},
		{ID: StatusReady, Name: "Ready to ship", Position: 4, Color: "#c6dcf0"},
		{ID: StatusShipped, Name: "Shipped", Position: 5, Complete: true, Color: "#b5d99c"},
	}
	product := func(id int64, prefix, name string) roadmap.SeedProduct {
		return roadmap.SeedProduct{Product: roadmap.Product{ID: id, ReferencePrefix: prefix, Name: name,
			WorkspaceType: "product_workspace", ParentID: ProductLine, CreatedAt: epoch, UpdatedAt: epoch},
			ReleaseWorkflowID: ReleaseWorkflow, GoalWorkflowID: GoalWorkflow, InitiativeWorkflowID: InitiativeWorkflow, FeatureWorkflowID: FeatureWorkflow}
	}
	note := func(id int64, body string) roadmap.Note {
		return roadmap.Note{ID: id, Body: body, CreatedAt: epoch, UpdatedAt: epoch}
	}
	jira := func(id int64, name, value string, integration int64) roadmap.IntegrationField {
		return roadmap.IntegrationField{ID: id, Name: name, Value: value, IntegrationID: integration, ServiceName: "jira", CreatedAt: epoch}
	}
	s := &roadmap.Seed{
		Users:  users,
		Tokens: []roadmap.SeedToken{{UserID: Mary, Hash: roadmap.HashToken(Token)}},
		Workflows: []roadmap.SeedWorkflow{
			{ID: ReleaseWorkflow, Name: "Release workflow", StatusableType: "Release", Statuses: statuses},
			{ID: GoalWorkflow, Name: "Goal workflow", StatusableType: "Goal", Statuses: goalStatuses()},
			{ID: InitiativeWorkflow, Name: "Account initiative workflow", StatusableType: "Initiative", Statuses: initiativeStatuses()},
			{ID: FeatureWorkflow, Name: "Account product feature workflow", StatusableType: "Feature", Statuses: featureStatuses()},
		},
		Products: []roadmap.SeedProduct{
			{Product: roadmap.Product{ID: ProductLine, ReferencePrefix: "DEMOENT", Name: "Demo Enterprise",
				ProductLine: true, WorkspaceType: "product_workspace", CreatedAt: epoch, UpdatedAt: epoch},
				ReleaseWorkflowID: ReleaseWorkflow, GoalWorkflowID: GoalWorkflow, InitiativeWorkflowID: InitiativeWorkflow, FeatureWorkflowID: FeatureWorkflow},
			product(PRJ1, "PRJ1", "Project 1"),
			product(PRJ2, "PRJ2", "Project 2"),
			product(PRJ3, "PRJ3", "Project 3"),
			product(PRJ4, "PRJ4", "Project 4"),
		},
		Goals: []roadmap.SeedGoal{
			{Goal: roadmap.Goal{ID: Goal1, ReferenceNum: "DEMOENT-G-1", Name: "Goal 1", Description: note(166463080, "Description of goal 1"), CreatedAt: epoch}, ProductID: ProductLine},
			{Goal: roadmap.Goal{ID: Goal2, ReferenceNum: "DEMOENT-G-2", Name: "Goal 2", Description: note(1055602421, "Description of goal 2"), CreatedAt: epoch}, ProductID: ProductLine},
		},
		Initiatives: []roadmap.SeedInitiative{
			{Initiative: roadmap.Initiative{ID: Initiative1, ReferenceNum: "PRJ1-S-1", Name: "Initiative 1", Description: note(673273729, "Description of initiative 1"), CreatedAt: epoch,
				IntegrationFields: []roadmap.IntegrationField{jira(546711007, "id", "9913333", 186281709), jira(966751335, "key", "JRA-987222", 186281709)}}, ProductID: PRJ1},
			{Initiative: roadmap.Initiative{ID: Initiative2, ReferenceNum: "PRJ1-S-2", Name: "Initiative 2", Description: note(824706757, "Description of initiative 2"), CreatedAt: epoch}, ProductID: PRJ1},
		},
		Roles: []roadmap.SeedRole{
			{UserID: John, ProductID: ProductLine, Role: roadmap.RoleOwner},
			{UserID: Henry, ProductID: PRJ1, Role: roadmap.RoleContributor},
		},
		Comments: []roadmap.SeedComment{{ID: 517326331, On: roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: Release1}, UserID: John, Body: "<p>A comment on release 1</p>", CreatedAt: epoch}},
	}
	themeID := int64(522610600)
	release := func(id, product int64, ref, name string) roadmap.Release {
		themeID++
		return roadmap.Release{ID: id, ProductID: product, ReferenceNum: ref, Name: name,
			StartDate: day, ReleaseDate: day, ExternalReleaseDate: day, ExternalDateResolution: roadmap.ResolutionExact,
			ProgressSource: roadmap.ProgressManual, DurationSource: roadmap.DurationManual,
			Theme: note(themeID, ""), WorkflowStatusID: StatusNew, OwnerID: John, CreatedByID: John,
			CreatedAt: epoch, UpdatedAt: epoch, Watchers: []roadmap.User{{ID: John}}}
	}
	parkingLot := func(r roadmap.Release) roadmap.Release {
		r.ParkingLot = true
		r.StartDate, r.ReleaseDate, r.ExternalReleaseDate = "", "", ""
		return r
	}
	shipped := func(r roadmap.Release) roadmap.Release {
		r.WorkflowStatusID, r.ReleasedOn = StatusShipped, day
		return r
	}
	rollUp := func(r roadmap.Release) roadmap.Release {
		r.MasterRelease = true
		return r
	}
	r1 := release(Release1, PRJ1, "PRJ1-R-1", "Release 1")
	r1.Theme = note(522610666, "Theme of the release")
	r1.DevelopmentStartedOn = day
	r1.Goals = []roadmap.Goal{{ID: Goal1}}
	r1.Initiatives = []roadmap.Initiative{{ID: Initiative1}}
	r1.IntegrationFields = []roadmap.IntegrationField{jira(68217473, "id", "777", 204584239)}
	r1.CustomFields = []roadmap.CustomField{
		{ID: 432637490, Key: "note", Name: "Note", Type: "note", Value: "<p>sample text</p>", CreatedAt: epoch, UpdatedAt: epoch},
		{ID: 424324947, Key: "text_field", Name: "TextField", Type: "string", Value: "Acme Corp", CreatedAt: epoch, UpdatedAt: epoch},
	}
	r2 := release(Release2, PRJ1, "PRJ1-R-2", "Release 2")
	r2.Initiatives = []roadmap.Initiative{{ID: Initiative1}}
	r3 := release(Release3, PRJ1, "PRJ1-R-3", "Release 3")
	r3.IntegrationFields = []roadmap.IntegrationField{jira(453734818, "id", "4221", 342659513)}
	sub := release(SubRelease1, PRJ1, "PRJ1-R-4", "Sub release 1")
	sub.ParentID = RollUp2
	s.Releases = []roadmap.Release{
		r1, r2, r3, sub,
		rollUp(release(RollUp1, PRJ1, "PRJ1-MR-1", "Roll-up Release 1")),
		rollUp(release(RollUp2, PRJ1, "PRJ1-MR-2", "Roll-up Release 2")),
		release(1000426269, PRJ2, "PRJ2-R-1", "Release 2"),
		parkingLot(release(637342960, PRJ2, "PRJ2-R-2", "Parking lot for Project 2")),
		release(342040612, PRJ3, "PRJ3-R-1", "Release 3 Project 3"),
		parkingLot(release(946589036, PRJ3, "PRJ3-R-4", "Parking lot")),
		release(918502240, PRJ4, "PRJ4-R-1", "Release 4"),
		shipped(release(800484072, PRJ4, "PRJ4-R-2", "Release week old (shipped)")),
		shipped(release(414276209, PRJ4, "PRJ4-R-3", "Release month old (shipped)")),
		parkingLot(release(85510963, PRJ4, "PRJ4-R-4", "Parking lot for Project 4")),
	}
	addProducts(s)
	addGoals(s)
	addRollUps(s)
	addFields(s)
	addFeatures(s)
	addEpics(s)
	addPhases(s)
	addComments(s)
	return s
}

// goalStatuses are the statuses of the goal workflow.
func goalStatuses() []roadmap.WorkflowStatus {
	return []roadmap.WorkflowStatus{
		{ID: 53968950, Name: "Not Started", Position: 1, Color: "#dce7c6"},
		{ID: 851912550, Name: "On Track", Position: 2, Color: "#ecdd8f"},
		{ID: 851912551, Name: "At Risk", Position: 3, Color: "#f5c87d"},
		{ID: 851912552, Name: "Off Track", Position: 4, Color: "#f2a99f"},
		{ID: 851912553, Name: "Achieved", Position: 5, Complete: true, Color: "#b5d99c"},
	}
}

// featureStatuses are the statuses of the feature workflow that features,
// epics and requirements follow, as the workflows reference shows them.
func featureStatuses() []roadmap.WorkflowStatus {
	return []roadmap.WorkflowStatus{
		{ID: 934242751, Name: "New", Position: 1, Color: "#dce7c6"},
		{ID: 962984386, Name: "Designed", Position: 2, Color: "#ecdd8f"},
		{ID: 327385593, Name: "In progress", Position: 3, Color: "#ecdd8f"},
		{ID: 597153450, Name: "Done", Position: 4, Complete: true, Color: "#ecdd8f"},
		{ID: 1025247908, Name: "Shipped", Position: 5, Complete: true, Color: "#ecdd8f"},
		{ID: 348961883, Name: "Won't Do", Position: 6, Color: "#ecdd8f"},
		{ID: 118531893, Name: "Already Exists", Position: 7, Complete: true, Color: "#ecdd8f"},
		{ID: 922838743, Name: "Not started", Position: 8, Color: "#dce790"},
	}
}

// initiativeStatuses are the statuses of the initiative workflow, as the
// workflows reference shows them.
func initiativeStatuses() []roadmap.WorkflowStatus {
	return []roadmap.WorkflowStatus{
		{ID: 53968949, Name: "Not Started", Position: 1, Color: "#dce7c6"},
		{ID: 851912549, Name: "On Track", Position: 2, Color: "#ecdd8f"},
		{ID: 851912560, Name: "At Risk", Position: 3, Color: "#f5c87d"},
		{ID: 851912561, Name: "Off Track", Position: 4, Color: "#f2a99f"},
		{ID: 851912562, Name: "Done", Position: 5, Complete: true, Color: "#b5d99c"},
	}
}
