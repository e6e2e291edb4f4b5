package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// productRoutes are the routes of products, product lines, users, roles and workflows.
func (s *Server) productRoutes() map[string]authedFunc {
	routes := map[string]authedFunc{
		"GET /api/v1/products":      s.listProducts,
		"POST /api/v1/products":     s.createProduct,
		"GET /api/v1/products/{id}": s.getProduct,
		"PUT /api/v1/products/{id}": s.updateProduct,
	}
	maps.Copy(routes, s.userRoutes())
	maps.Copy(routes, s.workflowRoutes())
	maps.Copy(routes, s.meRoutes())
	return routes
}

// statusableType names a workflow's kind of record as Aha! does: goals are
// strategic imperatives.
func statusableType(t string) string {
	if t == "Goal" {
		return "StrategicImperative"
	}
	return t
}

// workflowRef is the compact form of a workflow in a product; null when the
// product has none of that kind.
func workflowRef(w *roadmap.Workflow, workflowType string) any {
	if w == nil {
		return nil
	}
	return object{
		{"id", id(w.ID)},
		{"name", w.Name},
		{"statusable_type", statusableType(w.StatusableType)},
		{"workflow_type", workflowType},
	}
}

// productFields returns every key a product can show, in the reference's
// order, each marked as shown by default or only on request. The workflows of
// features, requirements, epics and ideas, records that roadmapd does not
// serve, are null; the key results of a product without a key result
// workflow follow its goal workflow.
func (s *Server) productFields(d *roadmap.ProductDetail) []field {
	var fs []field
	add := func(k string, v any, dflt bool) { fs = append(fs, field{kv{k, v}, dflt}) }
	desc := d.Description
	if desc.ID == 0 {
		// A product that never had a description shows an empty one, named
		// by the product's ID.
		desc = roadmap.Note{ID: d.ID, CreatedAt: d.CreatedAt, UpdatedAt: d.CreatedAt}
	}
	children := make([]object, 0, len(d.Children))
	for _, c := range d.Children {
		children = append(children, s.projectRep(c))
	}
	var parent any
	if d.Parent != nil {
		parent = s.projectRep(*d.Parent)
	}
	add("id", id(d.ID), true)
	add("reference_prefix", d.ReferencePrefix, true)
	add("name", d.Name, true)
	add("product_line", d.ProductLine, true)
	add("product_line_type", nullable(d.ProductLineType), true)
	add("created_at", timestamp(d.CreatedAt), true)
	add("updated_at", timestamp(d.UpdatedAt), true)
	add("description", object{
		{"id", id(desc.ID)},
		{"body", desc.Body},
		{"editor_version", 1},
		{"created_at", timestamp(desc.CreatedAt)},
		{"updated_at", timestamp(desc.UpdatedAt)},
		{"attachments", []any{}},
	}, true)
	add("url", s.url("/projects/"+d.ReferencePrefix), true)
	add("resource", s.url("/projects/"+d.ReferencePrefix), true)
	add("children", children, true)
	add("custom_fields", []any{}, true)
	add("screen_definition_ids", object{}, true)
	add("screen_definitions", []any{}, true)
	add("has_ideas", !d.ProductLine, true)
	add("has_master_features", d.EpicsEnabled, true)
	add("has_epics", d.EpicsEnabled, true)
	add("release_workflow", workflowRef(d.ReleaseWorkflow, "release"), true)
	add("requirement_workflow", nil, true)
	add("feature_workflow", nil, true)
	add("initiative_workflow", workflowRef(d.InitiativeWorkflow, "initiative"), true)
	add("epic_workflow", nil, true)
	add("idea_workflow", nil, true)
	add("strategic_imperative_workflow", workflowRef(d.GoalWorkflow, "strategic_imperative"), true)
	kr := d.KeyResultWorkflow
	if kr == nil {
		kr = d.GoalWorkflow
	}
	add("key_result_workflow", workflowRef(kr, "key_result"), true)
	add("capacity_planning_enabled", false, true)
	add("default_capacity_units", 10, true)
	add("enhanced_capacity_planning_enabled", false, true)
	add("workspace_type", d.WorkspaceType, true)
	add("parent", parent, false)
	return fs
}

// productListFields are the keys of a product in a list: the compact
// representation, and on request its update time and resource.
func (s *Server) productListFields(p *roadmap.Product) []field {
	fs := make([]field, 0, 9)
	for _, e := range s.projectRep(*p) {
		fs = append(fs, field{e, true})
	}
	return append(fs,
		field{kv{"updated_at", timestamp(p.UpdatedAt)}, false},
		field{kv{"resource", s.url("/projects/" + p.ReferencePrefix)}, false})
}

func (s *Server) writeProduct(w http.ResponseWriter, r *http.Request, d *roadmap.ProductDetail, sel selection) error {
	if err := onlyVisible(r, d); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"product", sel.apply(s.productFields(d))}})
}

// writeList answers a page of records under their plural name.
func writeList(w http.ResponseWriter, name string, items []object, total int, page roadmap.Page) error {
	pages := (total + page.PerPage - 1) / page.PerPage
	return writeJSON(w, http.StatusOK, object{
		{name, items},
		{"pagination", object{
			{"total_records", total},
			{"total_pages", pages},
			{"current_page", page.Page},
		}},
	})
}

// listProducts answers a page of the products the caller may see. Aha!
// teams (include_teams) do not exist here, and no product has an idea
// portal: with_idea_portals=true lists none.
func (s *Server) listProducts(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f := roadmap.ProductFilter{VisibleTo: visibleTo(u)}
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return err
	}
	if f.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return err
	}
	if _, err := queryBool(r, "include_teams"); err != nil {
		return err
	}
	portals, err := queryBool(r, "with_idea_portals")
	if err != nil {
		return err
	}
	ps, total := []*roadmap.Product{}, 0
	if portals == nil || !*portals {
		if ps, total, err = s.store.Products(r.Context(), f); err != nil {
			return err
		}
	}
	sel := fieldsOf(r, nil)
	items := make([]object, 0, len(ps))
	if err := onlyVisible(r, ps); err != nil {
		return err
	}
	for _, p := range ps {
		items = append(items, sel.apply(s.productListFields(p)))
	}
	return writeList(w, "products", items, total, f.Page)
}

// product finds the product of the path parameter name and checks that u
// has access a in it.
func (s *Server) product(r *http.Request, u *roadmap.User, name string, a roadmap.Access) (*roadmap.Product, error) {
	p, err := s.store.Product(r.Context(), r.PathValue(name))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r.Context(), u, p.ID, a); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r, u, "id", roadmap.AccessRead)
	if err != nil {
		return err
	}
	d, err := s.store.ProductDetail(r.Context(), id(p.ID), visibleTo(u))
	if err != nil {
		return err
	}
	return s.writeProduct(w, r, d, fieldsOf(r, nil))
}

// productInput decodes the fields of a product body. Unknown keys, among them
// the configuration settings roadmapd does not keep, are ignored.
func productInput(rec map[string]json.RawMessage) (roadmap.ProductInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.ProductInput{
		Name:            d.str("name"),
		ReferencePrefix: d.str("reference_prefix"),
		Description:     d.str("description"),
		ParentID:        d.ref("parent_id"),
		WorkspaceType:   d.str("workspace_type"),
		ProductLine:     d.boolean("product_line"),
		ProductLineType: d.str("product_line_type"),
	}
	if !in.ReferencePrefix.Set {
		in.ReferencePrefix = d.str("prefix")
	}
	// The configuration flags take true, false or "" (no change).
	if raw, ok := rec["configuration_epics_enabled"]; ok && strings.TrimSpace(string(raw)) != `""` {
		in.EpicsEnabled = d.boolean("configuration_epics_enabled")
	}
	return in, d.err
}

// authorizeParent checks that a user who is not the account administrator
// owns the product line that ref names, to put a product under it. A line
// the user may not see is reported as unknown.
func (s *Server) authorizeParent(r *http.Request, u *roadmap.User, ref roadmap.Opt[string]) error {
	if u.Admin || !ref.Set || ref.Null || strings.TrimSpace(ref.V) == "" {
		return nil
	}
	ref.V = strings.TrimSpace(ref.V)
	p, err := s.store.Product(r.Context(), ref.V)
	if roadmap.IsNotFound(err) {
		return roadmap.FieldErrorf("parent_id", "parent_id: no product line %q", ref.V)
	}
	if err != nil {
		return err
	}
	role, err := s.store.ProductRole(r.Context(), u.ID, p.ID)
	if err != nil {
		return err
	}
	if !role.Allows(roadmap.AccessRead) {
		return roadmap.FieldErrorf("parent_id", "parent_id: no product line %q", ref.V)
	}
	if !role.Allows(roadmap.AccessManage) {
		return roadmap.Errorf(roadmap.EFORBIDDEN, "Your role in %s (%s) does not allow putting products under it", p.ReferencePrefix, role.Description())
	}
	return nil
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	b, err := readBody(w, r, "product", true)
	if err != nil {
		return err
	}
	in, err := productInput(b.record)
	if err != nil {
		return err
	}
	if !u.Admin && (!in.ParentID.Set || in.ParentID.Null || strings.TrimSpace(in.ParentID.V) == "") {
		return roadmap.Errorf(roadmap.EFORBIDDEN, "Only an account administrator may create a product outside a product line; give the parent_id of a product line you own")
	}
	if err := s.authorizeParent(r, u, in.ParentID); err != nil {
		return err
	}
	d, err := s.store.CreateProduct(r.Context(), u.ID, !u.Admin, in)
	if err != nil {
		return err
	}
	return s.writeProduct(w, r, d, fieldsOf(r, b))
}

func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	p, err := s.product(r, u, "id", roadmap.AccessManage)
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "product", true)
	if err != nil {
		return err
	}
	in, err := productInput(b.record)
	if err != nil {
		return err
	}
	if in.ParentID.Set && !u.Admin {
		if in.ParentID.Null || strings.TrimSpace(in.ParentID.V) == "" {
			if p.ParentID != 0 {
				return roadmap.Errorf(roadmap.EFORBIDDEN, "Only an account administrator may take a product out of its product line")
			}
		} else if err := s.authorizeParent(r, u, in.ParentID); err != nil {
			return err
		}
	}
	d, err := s.store.UpdateProduct(r.Context(), p.ID, in)
	if err != nil {
		return err
	}
	if !u.Admin && d.ProductLine {
		if d, err = s.store.ProductDetail(r.Context(), id(d.ID), visibleTo(u)); err != nil {
			return err
		}
	}
	return s.writeProduct(w, r, d, fieldsOf(r, b))
}
