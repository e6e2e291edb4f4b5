package demo

import "github.com/roadmapd/roadmapd/internal/roadmap"

// UsersToken is the second API token of the demo account, bound to Mary
// Humpty: the users reference's examples send it.
const UsersToken = "584b6d6b83405011f8c6903d2379f4afdf824cef867db391b7bcb5995f603a76"

// addProducts adds the demo records of products, users and their roles beyond those of the Releases API
// reference, as the related references' examples show them: the account's
// other products and product lines, its other users (with emails of their
// own, where the reference shows no-reply@aha.io for most), their roles in
// the demo products, and the users reference's token. PRJ5 is under PL1, as
// the goals reference shows it. Roles that the
// reference gives in products the demo does not have, or with custom role
// codes, are left out; John keeps his ownership of DEMOENT rather than the
// viewer role in PRJ1 that the users reference shows.
func addProducts(s *roadmap.Seed) {
	hasProduct := map[int64]bool{}
	for _, p := range s.Products {
		hasProduct[p.ID] = true
	}
	product := func(id int64, prefix, name, workspace string, line bool, parent int64) {
		if hasProduct[id] {
			return
		}
		hasProduct[id] = true
		s.Products = append(s.Products, roadmap.SeedProduct{
			Product: roadmap.Product{ID: id, ReferencePrefix: prefix, Name: name, ProductLine: line,
				WorkspaceType: workspace, ParentID: parent, CreatedAt: epoch, UpdatedAt: epoch},
			ReleaseWorkflowID: ReleaseWorkflow, GoalWorkflowID: GoalWorkflow, InitiativeWorkflowID: InitiativeWorkflow, FeatureWorkflowID: FeatureWorkflow,
		})
	}
	const (
		pw  = "product_workspace"
		mw  = "marketing_workspace"
		pl1 = 610602692
	)
	product(pl1, "PL1", "Product Line 1", pw, true, 0)
	product(174813163, "PL3", "Product Line 3", pw, true, 0)
	product(186424834, "MW1", "Marketing workspace 1", mw, false, 0)
	product(303419322, "MW2", "Marketing workspace 2", mw, false, 0)
	product(336591436, "PL4", "Product Line 4", pw, true, 0)
	product(431075141, "PRJ6", "Project 6", pw, false, 0)
	product(12123897, "PRJ5", "Project 5", pw, false, pl1)
	product(783720408, "PRJ7", "Project 7", pw, false, 0)
	product(1030512512, "PL2", "Product Line 2", pw, true, 0)

	hasUser := map[int64]bool{}
	for _, u := range s.Users {
		hasUser[u.ID] = true
	}
	user := func(id int64, name, email string, admin bool) {
		if hasUser[id] {
			return
		}
		hasUser[id] = true
		s.Users = append(s.Users, roadmap.User{ID: id, Name: name, Email: email, Admin: admin, CreatedAt: epoch, UpdatedAt: epoch})
	}
	const (
		bob, johnDoe, sally, jane, jeremy, joan, george int64 = 82352673, 289520357, 349538572, 435166761, 601067208, 871344824, 1049303076
	)
	user(37063167, "No Projects", "no.projects@example.com", true)
	user(bob, "Bob Smith", "bob.smith@example.com", true)
	user(126225962, "Multi Account", "mulit-account@trial-account.com", true)
	user(267654265, "John's First (\"name\") \u79c1 Smith", "johns.first@example.com", false)
	user(268195287, "Super Admin", "admin@aha.io", false)
	user(johnDoe, "John Doe", "john.doe@example.com", false)
	user(sally, "Sally Sane", "sally.sane@account2.com", false)
	user(373433676, "Jim Jingles", "jim.jingles@example.com", true)
	user(375285024, "Gregory McSmith", "gregory.mcsmith@example.com", false)
	user(jane, "Jane Smith", "jane.smith@example.com", false)
	user(501775768, "Frank Sane", "frank.sane@account2.com", false)
	user(530313708, "Bill Billings", "bill.billings@example.com", false)
	user(jeremy, "Jeremy Smith", "jeremy.smith@example.com", false)
	user(733218216, "Everso Gently", "everso.gently@example.com", true)
	user(787951284, "Jeremy Thompson", "jeremy.thompson@example.com", false)
	user(869174989, "Dirk Gently", "dirk.gently@example.com", true)
	user(joan, "Joan Smith", "joan.smith@example.com", true)
	user(george, "George Gently", "george.gently@example.com", true)

	role := func(userID, productID int64, r roadmap.Role) {
		s.Roles = append(s.Roles, roadmap.SeedRole{UserID: userID, ProductID: productID, Role: r})
	}
	for _, p := range []int64{PRJ1, PRJ2, pl1} {
		role(Mary, p, roadmap.RoleOwner)
		role(bob, p, roadmap.RoleOwner)
	}
	role(johnDoe, PRJ1, roadmap.RoleContributor)
	role(johnDoe, PRJ2, roadmap.RoleViewer)
	role(sally, PRJ1, roadmap.RoleContributor)
	role(jane, PRJ1, roadmap.RoleViewer)
	role(jeremy, PRJ1, roadmap.RoleReviewer)
	role(joan, PRJ1, roadmap.RoleOwner)
	role(george, PRJ1, roadmap.RoleOwner)

	s.Tokens = append(s.Tokens, roadmap.SeedToken{UserID: Mary, Hash: roadmap.HashToken(UsersToken)})
}
