package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// IDs of the demo records of the release phases and to-dos references.
const (
	PhaseAlpha  int64 = 20526005  // "Alpha", a phase of PRJ1-R-1
	PhaseBeta   int64 = 405824017 // "Beta", a milestone of PRJ1-R-1
	PhaseBeta2  int64 = 792154778 // "Beta [2]", a milestone of PRJ1-R-1
	PhaseGamma  int64 = 827574075 // "Gamma", a milestone of PRJ1-R-1
	TaskOnOwn   int64 = 1041191038
	TaskFeature int64 = 748715293 // the to-do of PRJ1-1
	Approval    int64 = 568474467 // the approval of PRJ3-2

	taskFeature1     int64 = 1007868956 // PRJ1-1, "Feature 1"
	taskFeaturePRJ3  int64 = 959120953  // PRJ3-2, "A third Feature"
	taskEpic1        int64 = 999605892  // PRJ1-E-1
	taskRequirement1 int64 = 483368544  // PRJ1-1-1
	jeremy           int64 = 601067208  // Jeremy Smith
)

// addPhases adds the demo records of release phases, milestones and to-dos
// to the account's seed. The seed holds none: they are loaded after it, from
// Phases, by the store's SeedPhases.
func addPhases(s *roadmap.Seed) { s.Phases = Phases() }

// Phases returns the demo's release phases and to-dos, as their references
// show them. PRJ1-R-1 has the phase Alpha and the milestones Beta, Beta [2]
// and Gamma, all on 2019-01-01 with progress set by hand and not set. The
// to-dos, all created by Mary Humpty and due on 2019-01-01: one on PRJ1-1
// (done), one on PRJ1-E-1, one on PRJ1-1-1, six more of PRJ1 on no record
// (one partially done), three on no product (one partially done, by Jeremy
// Smith but not by Henry Humpty), and an approval of Mary's on PRJ3-2. No
// to-do is on a release, so no release's progress comes from them.
func Phases() *roadmap.PhaseSeed {
	note := func(id int64, body string) roadmap.Note {
		return roadmap.Note{ID: id, Body: body, CreatedAt: epoch, UpdatedAt: epoch}
	}
	phase := func(id int64, name, kind string, position int, description roadmap.Note) roadmap.ReleasePhase {
		return roadmap.ReleasePhase{ID: id, ReleaseID: Release1, Name: name, Kind: kind, StartOn: day, EndOn: day,
			Position: position, ProgressSource: roadmap.ProgressManual, DurationSource: roadmap.DurationManual,
			Description: description, CreatedAt: epoch, UpdatedAt: epoch}
	}
	pos := func(n int) *int { return &n }
	task := func(id int64, name string, product int64, position *int) roadmap.Task {
		return roadmap.Task{ID: id, ProductID: product, Kind: roadmap.TaskKindTask, Name: name, Body: "Task body",
			DueDate: day, Status: roadmap.TaskPending, Position: position, CreatedByID: Mary, CreatedAt: epoch, UpdatedAt: epoch}
	}
	on := func(t roadmap.Task, typ string, id int64) roadmap.Task {
		t.Record = &roadmap.TaskRecord{Type: typ, ID: id}
		return t
	}
	assignee := func(id, user int64, status string) roadmap.TaskAssignee {
		return roadmap.TaskAssignee{ID: id, User: roadmap.User{ID: user}, Status: status}
	}

	done := on(task(TaskFeature, "Task name", PRJ1, pos(1)), roadmap.TaskableFeature, taskFeature1)
	done.Status = roadmap.TaskComplete
	partly := task(742756265, "Get it done", PRJ1, pos(3))
	partly.Status = roadmap.TaskPartiallyComplete
	partly.Assignees = []roadmap.TaskAssignee{assignee(742756301, John, roadmap.TaskComplete), assignee(742756302, Henry, roadmap.TaskPending)}
	own := task(TaskOnOwn, "Task name", 0, pos(1))
	own.Status = roadmap.TaskPartiallyComplete
	own.Assignees = []roadmap.TaskAssignee{assignee(1061194521, jeremy, roadmap.TaskComplete), assignee(642374309, Henry, roadmap.TaskPending)}
	approval := on(task(Approval, "Task name", PRJ3, pos(1)), roadmap.TaskableFeature, taskFeaturePRJ3)
	approval.Kind = roadmap.TaskKindApproval
	approval.Assignees = []roadmap.TaskAssignee{assignee(938180846, Mary, roadmap.TaskPending)}

	return &roadmap.PhaseSeed{
		Phases: []roadmap.ReleasePhase{
			phase(PhaseAlpha, "Alpha", roadmap.PhaseKindPhase, 1, note(243384959, "Description of release phase 1")),
			phase(PhaseBeta, "Beta", roadmap.PhaseKindMilestone, 2, note(965145324, "Description of release phase 2")),
			phase(PhaseBeta2, "Beta [2]", roadmap.PhaseKindMilestone, 3, note(6776757454432882880, "")),
			phase(PhaseGamma, "Gamma", roadmap.PhaseKindMilestone, 4, note(6776757454435380800, "")),
		},
		Tasks: []roadmap.Task{
			on(task(270131066, "Do this thing.", PRJ1, pos(1)), roadmap.TaskableRequirement, taskRequirement1),
			on(task(486361616, "Task name", PRJ1, pos(1)), roadmap.TaskableEpic, taskEpic1),
			task(491284354, "Task name", PRJ1, pos(1)),
			task(644916258, "Task name 1", PRJ1, pos(2)),
			task(654705094, "Task name", 0, nil),
			task(664116853, "Overdue task", 0, nil),
			partly,
			done,
			task(785584324, "Task name", PRJ1, pos(4)),
			task(896534432, "Annotations task", PRJ1, pos(5)),
			task(937465541, "Task name 2", PRJ1, pos(6)),
			own,
			approval,
		},
	}
}
