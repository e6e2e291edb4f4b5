package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// addComments adds the comments that the comments reference lists on the
// demo's records beyond releases: one each on PRJ1-1, PRJ1-E-1, PRJ1-1-1,
// PRJ1-S-1, DEMOENT-G-1 and the to-do of PRJ1-1.
func addComments(s *roadmap.Seed) {
	on := func(id int64, typ string, rec, user int64, body string) roadmap.SeedComment {
		return roadmap.SeedComment{ID: id, On: roadmap.CommentTarget{Type: typ, ID: rec}, UserID: user, Body: body, CreatedAt: epoch}
	}
	s.Comments = append(s.Comments,
		on(781701978, roadmap.CommentOnFeature, Feature1, Mary, "Comment on feature"),
		on(465979716, roadmap.CommentOnEpic, Epic1, Henry, "This is an epic comment"),
		on(971503243, roadmap.CommentOnRequirement, Requirement1, Mary, "This is a requirement comment"),
		on(133461614, roadmap.CommentOnInitiative, Initiative1, jeremy, "Comment on initiative"),
		on(821249787, roadmap.CommentOnGoal, Goal1, jeremy, "Comment on goal"),
		on(55160124, roadmap.CommentOnTask, TaskFeature, Mary, "Comment on project"),
	)
}
