package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// puEachDemo runs fn as a parallel subtest per backend on a fresh demo store.
func puEachDemo(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, mustOpenDemo(t, backend))
		})
	}
}

// puProductInput builds a product body from name, prefix and optional
// extra settings.
func puProductInput(name, prefix string, more ...func(*roadmap.ProductInput)) roadmap.ProductInput {
	in := roadmap.ProductInput{Name: roadmap.Some(name), ReferencePrefix: roadmap.Some(prefix)}
	for _, f := range more {
		f(&in)
	}
	return in
}

func puMustCreateProduct(t *testing.T, db *store.DB, in roadmap.ProductInput) *roadmap.ProductDetail {
	t.Helper()
	p, err := db.CreateProduct(context.Background(), demo.Mary, false, in)
	if err != nil {
		t.Fatalf("CreateProduct(%+v): %v", in, err)
	}
	return p
}

func puProductCount(t *testing.T, db *store.DB) int {
	t.Helper()
	_, total, err := db.Products(context.Background(), roadmap.ProductFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func TestCreateProduct(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := puMustCreateProduct(t, db, puProductInput("New", "new1", func(in *roadmap.ProductInput) {
			in.Description = roadmap.Some("<p>About</p>")
		}))
		if p.ReferencePrefix != "NEW1" || p.ProductLine || p.WorkspaceType != "product_workspace" || !p.EpicsEnabled || p.ParentID != 0 {
			t.Errorf("created %+v", p.Product)
		}
		if p.Description.ID == 0 || p.Description.Body != "<p>About</p>" {
			t.Errorf("description %+v", p.Description)
		}
		demoWorkflows := []int64{demo.ReleaseWorkflow, demo.GoalWorkflow, demo.InitiativeWorkflow}
		for _, w := range []*roadmap.Workflow{p.ReleaseWorkflow, p.GoalWorkflow, p.InitiativeWorkflow} {
			if w == nil || slices.Contains(demoWorkflows, w.ID) {
				t.Fatalf("workflow %+v, want one of the product's own", w)
			}
		}
		wfs, err := db.Workflows(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, w := range wfs {
			if w.StatusableType == "Release" {
				for _, s := range w.Statuses {
					names = append(names, fmt.Sprintf("%s/%d/%v", s.Name, s.Position, s.Complete))
				}
			}
		}
		want := []string{"New/1/false", "Planning/2/false", "In development/3/false", "Ready to ship/4/false", "Shipped/5/true"}
		if len(wfs) != 3 || !slices.Equal(names, want) {
			t.Errorf("%d workflows, release statuses %v; want 3 and %v", len(wfs), names, want)
		}
		// The administrator gets no role; releases go in at once.
		if role, err := db.ProductRole(ctx, demo.Mary, p.ID); err != nil || role != roadmap.RoleNone {
			t.Errorf("Mary's role in the new product: %v, %v", role, err)
		}
		r, err := db.CreateRelease(ctx, p.ID, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("First")})
		if err != nil || r.ReferenceNum != "NEW1-R-1" || r.WorkflowStatus.Name != "New" {
			t.Fatalf("first release: %+v, %v", r, err)
		}

		// A product line owner's product under the line makes it its owner.
		line := puMustCreateProduct(t, db, puProductInput("Line", "LINE", func(in *roadmap.ProductInput) {
			in.ProductLine, in.ProductLineType = roadmap.Some(true), roadmap.Some("Business unit")
		}))
		child, err := db.CreateProduct(ctx, demo.Henry, true, puProductInput("Child", "CHILD", func(in *roadmap.ProductInput) {
			in.ParentID = roadmap.Some("LINE")
		}))
		if err != nil || child.ParentID != line.ID || child.Parent == nil || child.Parent.ReferencePrefix != "LINE" {
			t.Fatalf("child: %+v, %v", child, err)
		}
		if role, _ := db.ProductRole(ctx, demo.Henry, child.ID); role != roadmap.RoleOwner {
			t.Errorf("the creator's role: %v, want owner", role)
		}
		got, err := db.ProductDetail(ctx, "LINE", 0)
		if err != nil || len(got.Children) != 1 || got.Children[0].ID != child.ID || got.ProductLineType != "Business unit" {
			t.Errorf("the line: %+v, %v", got, err)
		}
		if got, _ := db.ProductDetail(ctx, "LINE", demo.John); len(got.Children) != 0 {
			t.Errorf("John sees the line's children %v, which he has no role in", got.Children)
		}
	})
}

func TestCreateProductValidation(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		before := puProductCount(t, db)
		cases := []struct {
			in    roadmap.ProductInput
			field string
		}{
			{roadmap.ProductInput{ReferencePrefix: roadmap.Some("X")}, "name"},
			{puProductInput("  ", "X"), "name"},
			{roadmap.ProductInput{Name: roadmap.Some("X")}, "reference_prefix"},
			{puProductInput("X", "1AB"), "reference_prefix"},
			{puProductInput("X", "A-B"), "reference_prefix"},
			{puProductInput("X", "ABCDEFGHIJKLMNOPQRSTU"), "reference_prefix"},
			{puProductInput("X", "prj1"), "reference_prefix"},
			{puProductInput("X", "X", func(in *roadmap.ProductInput) { in.ParentID = roadmap.Some("PRJ2") }), "parent_id"},
			{puProductInput("X", "X", func(in *roadmap.ProductInput) { in.ParentID = roadmap.Some("NOPE") }), "parent_id"},
			{puProductInput("X", "X", func(in *roadmap.ProductInput) { in.ProductLine = roadmap.Some(true) }), "product_line_type"},
			{puProductInput("X", "X", func(in *roadmap.ProductInput) { in.ProductLineType = roadmap.Some("Unit") }), "product_line_type"},
			{puProductInput("X", "X", func(in *roadmap.ProductInput) { in.WorkspaceType = roadmap.Some("team") }), "workspace_type"},
		}
		for _, c := range cases {
			_, err := db.CreateProduct(context.Background(), demo.Mary, false, c.in)
			wantInvalid(t, err, c.field)
		}
		if after := puProductCount(t, db); after != before {
			t.Errorf("%d products after failed creates, want %d", after, before)
		}
	})
}

func TestUpdateProduct(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, err := db.UpdateProduct(ctx, demo.PRJ1, roadmap.ProductInput{Name: roadmap.Some("Renamed"), Description: roadmap.Some("Text")})
		if err != nil || p.Name != "Renamed" || p.Description.ID == 0 || p.Description.Body != "Text" || p.ReferencePrefix != "PRJ1" {
			t.Fatalf("UpdateProduct: %+v, %v", p, err)
		}
		_, err = db.UpdateProduct(ctx, demo.PRJ1, roadmap.ProductInput{ReferencePrefix: roadmap.Some("PRJX")})
		wantInvalid(t, err, "reference_prefix") // PRJ1 holds releases
		_, err = db.UpdateProduct(ctx, demo.PRJ1, roadmap.ProductInput{ProductLine: roadmap.Some(true)})
		wantInvalid(t, err, "product_line")

		empty := puMustCreateProduct(t, db, puProductInput("Empty", "EMPTY"))
		_, err = db.UpdateProduct(ctx, empty.ID, roadmap.ProductInput{ReferencePrefix: roadmap.Some("PRJ2")})
		wantInvalid(t, err, "reference_prefix")
		if p, err := db.UpdateProduct(ctx, empty.ID, roadmap.ProductInput{ReferencePrefix: roadmap.Some("full")}); err != nil || p.ReferencePrefix != "FULL" {
			t.Fatalf("renaming the prefix of an empty product: %+v, %v", p, err)
		}
		if _, err := db.ProductDetail(ctx, "FULL", 0); err != nil {
			t.Errorf("the product by its new prefix: %v", err)
		}

		// Product lines never end up under themselves.
		line := func(prefix string) *roadmap.ProductDetail {
			return puMustCreateProduct(t, db, puProductInput(prefix, prefix, func(in *roadmap.ProductInput) {
				in.ProductLine, in.ProductLineType = roadmap.Some(true), roadmap.Some("Unit")
			}))
		}
		a, b := line("LA"), line("LB")
		if _, err := db.UpdateProduct(ctx, b.ID, roadmap.ProductInput{ParentID: roadmap.Some("LA")}); err != nil {
			t.Fatal(err)
		}
		_, err = db.UpdateProduct(ctx, a.ID, roadmap.ProductInput{ParentID: roadmap.Some("LB")})
		wantInvalid(t, err, "parent_id")
		_, err = db.UpdateProduct(ctx, a.ID, roadmap.ProductInput{ParentID: roadmap.Some(id(a.ID))})
		wantInvalid(t, err, "parent_id")
		if p, err := db.UpdateProduct(ctx, b.ID, roadmap.ProductInput{ParentID: roadmap.Opt[string]{Set: true, Null: true}}); err != nil || p.ParentID != 0 {
			t.Errorf("taking LB out of LA: %+v, %v", p, err)
		}
		_, err = db.UpdateProduct(ctx, 42, roadmap.ProductInput{Name: roadmap.Some("X")})
		wantCode(t, err, roadmap.ENOTFOUND)
	})
}

// TestConcurrentProductCreates checks that of concurrent creates with one
// prefix exactly one succeeds and the others fail validation, not with an
// internal error.
func TestConcurrentProductCreates(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = db.CreateProduct(context.Background(), demo.Mary, false, puProductInput(fmt.Sprint("Same ", i), "SAME"))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantInvalid(t, err, "reference_prefix")
		}
		if ok != 1 {
			t.Errorf("%d creates succeeded, want 1", ok)
		}
	})
}

func TestProductUsersAndRoles(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		roles := func(productID int64) map[int64]roadmap.Role {
			t.Helper()
			pus, total, err := db.ProductUsers(ctx, productID, roadmap.Page{Page: 1, PerPage: 200})
			if err != nil || total != len(pus) {
				t.Fatalf("ProductUsers: %d of %d, %v", len(pus), total, err)
			}
			out := map[int64]roadmap.Role{}
			for _, pu := range pus {
				out[pu.User.ID] = pu.Role
			}
			return out
		}
		// John owns PRJ1 through the product line; Henry contributes to it.
		if r := roles(demo.PRJ1); r[demo.John] != roadmap.RoleOwner || r[demo.Henry] != roadmap.RoleContributor {
			t.Errorf("PRJ1 roles %v", r)
		}
		// A role in the product replaces the line's.
		if _, err := db.SetProductRole(ctx, demo.John, demo.PRJ1, roadmap.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if role, _ := db.ProductRole(ctx, demo.John, demo.PRJ1); role != roadmap.RoleViewer {
			t.Errorf("John's role after the change: %v", role)
		}
		if _, err := db.SetProductRole(ctx, demo.Henry, demo.PRJ1, roadmap.RoleNone); err != nil {
			t.Fatal(err)
		}
		if r, ok := roles(demo.PRJ1)[demo.Henry]; !ok || r != roadmap.RoleNone {
			t.Errorf("Henry after the role none: %v, %v; want listed with none", r, ok)
		}
		// Deleting the product's role gives back the line's.
		if err := db.DeleteProductRole(ctx, demo.John, demo.PRJ1); err != nil {
			t.Fatal(err)
		}
		if role, _ := db.ProductRole(ctx, demo.John, demo.PRJ1); role != roadmap.RoleOwner {
			t.Errorf("John's role after the delete: %v", role)
		}
		wantCode(t, db.DeleteProductRole(ctx, demo.John, demo.PRJ1), roadmap.ENOTFOUND)
		_, err := db.SetProductRole(ctx, 42, demo.PRJ1, roadmap.RoleViewer)
		wantCode(t, err, roadmap.ENOTFOUND)
		_, err = db.SetProductRole(ctx, demo.John, 42, roadmap.RoleViewer)
		wantCode(t, err, roadmap.ENOTFOUND)
	})
}

func TestAddProductUser(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, before, _ := db.Users(ctx, roadmap.UserFilter{})
		pu, err := db.AddProductUser(ctx, demo.PRJ2, roadmap.NewProductUser{FirstName: "Sam", LastName: "Doe", Email: "Sam.Doe@example.com", Role: roadmap.RoleReviewer})
		if err != nil || pu.User.Name != "Sam Doe" || pu.Role != roadmap.RoleReviewer {
			t.Fatalf("AddProductUser: %+v, %v", pu, err)
		}
		// The same email, in any case, gives the existing user the role.
		again, err := db.AddProductUser(ctx, demo.PRJ3, roadmap.NewProductUser{FirstName: "Other", LastName: "Name", Email: "sam.doe@EXAMPLE.com", Role: roadmap.RoleOwner})
		if err != nil || again.User.ID != pu.User.ID || again.User.Name != "Sam Doe" {
			t.Fatalf("adding the same email: %+v, %v", again, err)
		}
		u, err := db.UserDetail(ctx, pu.User.ID, 0)
		if err != nil || u.FirstName != "Sam" || u.LastName != "Doe" || len(u.ProductRoles) != 2 || u.Admin || !u.Enabled {
			t.Fatalf("the user: %+v, %v", u, err)
		}
		if _, after, _ := db.Users(ctx, roadmap.UserFilter{}); after != before+1 {
			t.Errorf("%d users, want %d", after, before+1)
		}
		for _, c := range []struct {
			in    roadmap.NewProductUser
			field string
		}{
			{roadmap.NewProductUser{LastName: "Doe", Email: "x@example.com"}, "first_name"},
			{roadmap.NewProductUser{FirstName: "X", Email: "x@example.com"}, "last_name"},
			{roadmap.NewProductUser{FirstName: "X", LastName: "Doe"}, "email"},
			{roadmap.NewProductUser{FirstName: "X", LastName: "Doe", Email: "not an email"}, "email"},
		} {
			_, err := db.AddProductUser(ctx, demo.PRJ2, c.in)
			wantInvalid(t, err, c.field)
		}
		_, err = db.AddProductUser(ctx, 42, roadmap.NewProductUser{FirstName: "X", LastName: "Y", Email: "x@example.com"})
		wantCode(t, err, roadmap.ENOTFOUND)
	})
}

func TestUpdateUser(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, err := db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{FirstName: roadmap.Some("Harry")})
		if err != nil || u.Name != "Harry Humpty" || u.FirstName != "Harry" || u.LastName != "Humpty" {
			t.Fatalf("renaming: %+v, %v", u, err)
		}
		_, err = db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{Email: roadmap.Some("JOHN.smith@example.com")})
		wantInvalid(t, err, "email")
		_, err = db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{LastName: roadmap.Some(" ")})
		wantInvalid(t, err, "last_name")
		u, err = db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{AdministerBilling: roadmap.Some(true)})
		if err != nil || u.Admin || !u.AdminRoles.Billing || !u.AdminRoles.Any() {
			t.Fatalf("billing only: %+v, %v", u, err)
		}
		u, err = db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{Administrator: roadmap.Some(true)})
		if err != nil || !u.Admin || u.AdminRoles != (roadmap.AdminRoles{Account: true, Billing: true, Configuration: true}) {
			t.Fatalf("administrator: %+v, %v", u, err)
		}

		// Disabling a user revokes its tokens.
		if _, err := db.UserByTokenHash(ctx, roadmap.HashToken(demo.Token)); err != nil {
			t.Fatal(err)
		}
		if u, err := db.UpdateUser(ctx, demo.Mary, roadmap.UserInput{Enabled: roadmap.Some(false)}); err != nil || u.Enabled {
			t.Fatalf("disabling Mary: %+v, %v", u, err)
		}
		_, err = db.UserByTokenHash(ctx, roadmap.HashToken(demo.Token))
		wantCode(t, err, roadmap.EUNAUTHORIZED)
		_, err = db.UpdateUser(ctx, 42, roadmap.UserInput{FirstName: roadmap.Some("X")})
		wantCode(t, err, roadmap.ENOTFOUND)
	})
}

// TestLastAdministrator checks that the account keeps an enabled account
// administrator.
func TestLastAdministrator(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := mustOpenDB(t, backend)
			admin, err := db.CreateAdmin(ctx, "Ada Admin", "ada@example.com")
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range []roadmap.UserInput{
				{Enabled: roadmap.Some(false)},
				{Administrator: roadmap.Some(false)},
				{AdministerAccount: roadmap.Some(false)},
			} {
				_, err := db.UpdateUser(ctx, admin.ID, in)
				wantCode(t, err, roadmap.EINVALID)
			}
			if u, err := db.UserDetail(ctx, admin.ID, 0); err != nil || !u.Admin || !u.Enabled || u.FirstName != "Ada" {
				t.Errorf("the administrator after refused changes: %+v, %v", u, err)
			}
		})
	}
}

func TestUsersVisibility(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all, total, err := db.Users(ctx, roadmap.UserFilter{Page: roadmap.Page{Page: 1, PerPage: 200}})
		if err != nil || total != len(all) || total < 21 {
			t.Fatalf("all users: %d of %d, %v", len(all), total, err)
		}
		seen, _, err := db.Users(ctx, roadmap.UserFilter{VisibleTo: demo.Henry, Page: roadmap.Page{Page: 1, PerPage: 200}})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int64]*roadmap.UserDetail{}
		for _, u := range seen {
			ids[u.ID] = u
		}
		// Henry sees PRJ1's people, John through the product line, but not
		// users without a role there.
		if ids[demo.Henry] == nil || ids[demo.John] == nil || ids[demo.Mary] == nil || ids[37063167] != nil {
			t.Errorf("Henry sees %d users: %v", len(seen), seen)
		}
		if mary := ids[demo.Mary]; mary != nil && (len(mary.ProductRoles) != 1 || mary.ProductRoles[0].ProductID != demo.PRJ1) {
			t.Errorf("Henry sees Mary's roles %v, want only PRJ1's", mary.ProductRoles)
		}
		_, err = db.UserDetail(ctx, 37063167, demo.Henry)
		wantCode(t, err, roadmap.ENOTFOUND)
		if u, err := db.UserDetail(ctx, demo.Henry, demo.Henry); err != nil || len(u.ProductRoles) != 1 {
			t.Errorf("Henry himself: %+v, %v", u, err)
		}
		byEmail, n, err := db.Users(ctx, roadmap.UserFilter{Email: "HENRY.humpty@example.com"})
		if err != nil || n != 1 || byEmail[0].ID != demo.Henry {
			t.Errorf("by email: %v, %d, %v", byEmail, n, err)
		}
		roles, n, err := db.UserProductRoles(ctx, demo.Mary, demo.Henry, roadmap.Page{Page: 1, PerPage: 30})
		if err != nil || n != 1 || roles[0].ProductName != "Project 1" {
			t.Errorf("Mary's roles as Henry sees them: %v, %d, %v", roles, n, err)
		}
	})
}

// TestUsersQueryCount checks that a page of users costs the same number of
// queries whatever its length.
func TestUsersQueryCount(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		count := func(f roadmap.UserFilter) int64 {
			before := db.QueryCount()
			if _, _, err := db.Users(ctx, f); err != nil {
				t.Fatal(err)
			}
			return db.QueryCount() - before
		}
		for _, visible := range []int64{0, demo.John} {
			big := count(roadmap.UserFilter{VisibleTo: visible, Page: roadmap.Page{Page: 1, PerPage: 200}})
			small := count(roadmap.UserFilter{VisibleTo: visible, Page: roadmap.Page{Page: 1, PerPage: 2}})
			if big != small || big > 3 {
				t.Errorf("visible to %d: %d queries for all users, %d for two; want the same, at most 3", visible, big, small)
			}
		}
	})
}

func TestWorkflowsAndAssigned(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		wfs, err := db.Workflows(ctx, demo.PRJ1)
		if err != nil {
			t.Fatal(err)
		}
		var release *roadmap.Workflow
		for _, w := range wfs {
			if w.ID == demo.ReleaseWorkflow {
				release = w
			}
		}
		if release == nil || len(release.Statuses) != 5 || release.Statuses[0].ID != demo.StatusNew {
			t.Fatalf("PRJ1's release workflow: %+v", release)
		}
		if _, err := db.Workflow(ctx, demo.ReleaseWorkflow, demo.Henry); err != nil {
			t.Errorf("Henry reading PRJ1's release workflow: %v", err)
		}
		p := puMustCreateProduct(t, db, puProductInput("Hidden", "HIDDEN"))
		_, err = db.Workflow(ctx, p.ReleaseWorkflow.ID, demo.Henry)
		wantCode(t, err, roadmap.ENOTFOUND)
		if _, err := db.Workflow(ctx, p.ReleaseWorkflow.ID, 0); err != nil {
			t.Errorf("the administrator reading it: %v", err)
		}

		// John owns the demo's releases; two of PRJ4's are shipped.
		got, err := db.AssignedReleases(ctx, demo.John, demo.John)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, a := range got {
			refs = append(refs, a.ReferenceNum)
			if a.RecordType != "Release" || a.WorkflowStatus.Complete {
				t.Errorf("assigned %+v", a)
			}
		}
		if slices.Contains(refs, "PRJ4-R-2") || !slices.Contains(refs, "PRJ1-R-1") {
			t.Errorf("assigned to John: %v", refs)
		}
		if got, _ := db.AssignedReleases(ctx, demo.Henry, demo.Henry); len(got) != 0 {
			t.Errorf("assigned to Henry: %v", got)
		}
	})
}
