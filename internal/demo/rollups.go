package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// IDs of the demo records of the roll-up releases reference.
const (
	rollUpsPL1 int64 = 610602692 // the product line "Product Line 1"

	// PL1RollUp1 and PL1RollUp2 are the roll-up releases of product line PL1.
	PL1RollUp1 int64 = 6776757454431689333 // PL1-R-2, "My release 001"
	PL1RollUp2 int64 = 6776757454427719099 // PL1-R-3, "My release 002"
)

// addRollUps adds the demo records of roll-up releases and comments beyond those of the Releases API
// reference, as the related references' examples show them: the product
// line PL1 (unless another part of the demo has added it) and its two
// roll-up releases, numbered PL1-R-2 and PL1-R-3 as the reference shows them.
func addRollUps(s *roadmap.Seed) {
	hasPL1 := false
	for _, p := range s.Products {
		hasPL1 = hasPL1 || p.ID == rollUpsPL1
	}
	if !hasPL1 {
		s.Products = append(s.Products, roadmap.SeedProduct{
			Product: roadmap.Product{ID: rollUpsPL1, ReferencePrefix: "PL1", Name: "Product Line 1", ProductLine: true,
				WorkspaceType: "product_workspace", CreatedAt: epoch, UpdatedAt: epoch},
			ReleaseWorkflowID: ReleaseWorkflow, GoalWorkflowID: GoalWorkflow, InitiativeWorkflowID: InitiativeWorkflow, FeatureWorkflowID: FeatureWorkflow,
		})
	}
	rollUp := func(id, themeID int64, ref, name string) roadmap.Release {
		return roadmap.Release{ID: id, ProductID: rollUpsPL1, ReferenceNum: ref, Name: name, MasterRelease: true,
			StartDate: day, ReleaseDate: day, ExternalReleaseDate: day, ExternalDateResolution: roadmap.ResolutionExact,
			ProgressSource: roadmap.ProgressManual, DurationSource: roadmap.DurationManual,
			Theme:            roadmap.Note{ID: themeID, CreatedAt: epoch, UpdatedAt: epoch},
			WorkflowStatusID: StatusNew, OwnerID: John, CreatedByID: John,
			CreatedAt: epoch, UpdatedAt: epoch, Watchers: []roadmap.User{{ID: John}}}
	}
	s.Releases = append(s.Releases,
		rollUp(PL1RollUp1, 522610701, "PL1-R-2", "My release 001"),
		rollUp(PL1RollUp2, 522610702, "PL1-R-3", "My release 002"),
	)
}
