package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// allPages calls list with each page of MaxPerPage records until all are read.
func allPages[T any](list func(roadmap.Page) ([]T, int, error)) ([]T, error) {
	var out []T
	for p := 1; ; p++ {
		xs, total, err := list(roadmap.Page{Page: p, PerPage: roadmap.MaxPerPage})
		if err != nil {
			return nil, err
		}
		out = append(out, xs...)
		if len(xs) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// productCard is a product on the home page with its next release.
type productCard struct {
	Product  *roadmap.Product
	Next     *roadmap.Release
	Children []*productCard
}

type homeData struct {
	Lines    []*productCard
	Products []*productCard
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	products, err := allPages(func(p roadmap.Page) ([]*roadmap.Product, int, error) {
		return s.store.Products(ctx, roadmap.ProductFilter{Page: p, VisibleTo: visibleTo(u)})
	})
	if err != nil {
		return err
	}
	today := s.today()
	cards := map[int64]*productCard{}
	for _, p := range products {
		cards[p.ID] = &productCard{Product: p}
	}
	for _, p := range products {
		if p.ProductLine {
			continue
		}
		rels, _, err := s.store.Releases(ctx, roadmap.ReleaseFilter{ProductID: p.ID, ExcludeShipped: true, ParkingLot: ptr(false), Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}})
		if err != nil {
			return err
		}
		cards[p.ID].Next = nextRelease(rels, today)
	}
	var d homeData
	for _, p := range products {
		c := cards[p.ID]
		if parent, ok := cards[p.ParentID]; ok && p.ParentID != 0 {
			parent.Children = append(parent.Children, c)
			continue
		}
		if p.ProductLine {
			d.Lines = append(d.Lines, c)
		} else {
			d.Products = append(d.Products, c)
		}
	}
	s.render(w, r, http.StatusOK, "home", &page{User: u, Title: "Roadmaps", Data: d})
	return nil
}

func ptr[T any](v T) *T { return &v }

// nextRelease is the first unshipped release due today or later, else the
// latest overdue one.
func nextRelease(rels []*roadmap.Release, today string) *roadmap.Release {
	var next, overdue *roadmap.Release
	for _, r := range rels {
		if r.ReleaseDate == "" || r.MasterRelease || r.Released() {
			continue
		}
		if r.ReleaseDate >= today {
			if next == nil || byDate(r, next) < 0 {
				next = r
			}
		} else if overdue == nil || byDate(r, overdue) > 0 {
			overdue = r
		}
	}
	if next != nil {
		return next
	}
	return overdue
}

// product finds a product by ID or prefix and checks u's access to it.
func (s *Server) product(ctx context.Context, u *roadmap.User, key string, a roadmap.Access) (*roadmap.Product, error) {
	p, err := s.store.Product(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, u, p.ID, a); err != nil {
		return nil, err
	}
	return p, nil
}

// roadmapData is what the roadmap page shows.
type roadmapData struct {
	Product     *roadmap.Product
	Products    []*roadmap.Product
	Timeline    *timeline
	HideShipped bool
	CanWrite    bool
	CanManage   bool
	From, To    string
	Zoom        string
	RangeError  string
}

// spanOf reads the zoom of a roadmap request: zoom=quarter|year, or from
// and to dates (a custom range of at most ten years).
func spanOf(r *http.Request, today time.Time) (span, string) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from != "" || to != "" || q.Get("zoom") == zoomCustom {
		f, ok1 := parseDate(from)
		t, ok2 := parseDate(to)
		switch {
		case !ok1 || !ok2:
			return zoomSpan(zoomYear, today), "from and to must be dates such as 2026-01-31"
		case !t.After(f):
			return zoomSpan(zoomYear, today), "to must be after from"
		case t.Sub(f) > 10*366*24*time.Hour:
			return zoomSpan(zoomYear, today), "the range may span at most ten years"
		}
		return span{Zoom: zoomCustom, From: f, To: t.AddDate(0, 0, 1)}, ""
	}
	return zoomSpan(q.Get("zoom"), today), ""
}

func (s *Server) roadmapPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	p, err := s.product(ctx, u, r.PathValue("product"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	products := []*roadmap.Product{p}
	if p.ProductLine {
		all, err := allPages(func(pg roadmap.Page) ([]*roadmap.Product, int, error) {
			return s.store.Products(ctx, roadmap.ProductFilter{Page: pg, VisibleTo: visibleTo(u)})
		})
		if err != nil {
			return err
		}
		for _, c := range all {
			if c.ParentID == p.ID {
				products = append(products, c)
			}
		}
	}
	rels, err := s.roadmapReleases(ctx, u, products)
	if err != nil {
		return err
	}
	phases, err := s.phasesOf(ctx, u, rels)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, pr := range products {
		names[pr.ID] = pr.ReferencePrefix
	}
	for _, rel := range rels {
		if _, ok := names[rel.ProductID]; !ok {
			names[rel.ProductID] = rel.Product.ReferencePrefix
		}
	}
	now := s.cfg.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	sp, rangeErr := spanOf(r, today)
	hide := r.URL.Query().Get("hide_shipped") == "1"
	writable := map[int64]bool{}
	tl := layout(roadmapInput{
		Releases: rels, Phases: phases, Products: names, Span: sp, Today: today, HideShipped: hide,
		ShowProducts: len(names) > 1,
		Editable: func(id int64) bool {
			v, ok := writable[id]
			if !ok {
				v = s.can(ctx, u, id, roadmap.AccessWrite)
				writable[id] = v
			}
			return v
		},
	})
	d := roadmapData{
		Product: p, Products: products, Timeline: tl, HideShipped: hide,
		CanWrite:  s.can(ctx, u, p.ID, roadmap.AccessWrite),
		CanManage: s.can(ctx, u, p.ID, roadmap.AccessManage),
		From:      sp.From.Format(dateLayout), To: sp.To.AddDate(0, 0, -1).Format(dateLayout),
		Zoom: sp.Zoom, RangeError: rangeErr,
	}
	status := http.StatusOK
	if rangeErr != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "roadmap", &page{User: u, Title: p.Name + " roadmap", Data: d})
	return nil
}

// roadmapReleases returns the releases of the products, with the releases
// under their roll-ups that other products hold.
func (s *Server) roadmapReleases(ctx context.Context, u *roadmap.User, products []*roadmap.Product) ([]*roadmap.Release, error) {
	var rels []*roadmap.Release
	for _, p := range products {
		xs, err := allPages(func(pg roadmap.Page) ([]*roadmap.Release, int, error) {
			return s.store.Releases(ctx, roadmap.ReleaseFilter{ProductID: p.ID, Page: pg})
		})
		if err != nil {
			return nil, err
		}
		rels = append(rels, xs...)
	}
	have := map[int64]bool{}
	for _, r := range rels {
		have[r.ID] = true
	}
	for _, r := range slices.Clone(rels) {
		if !r.MasterRelease {
			continue
		}
		subs, err := allPages(func(pg roadmap.Page) ([]*roadmap.Release, int, error) {
			return s.store.Releases(ctx, roadmap.ReleaseFilter{ParentID: r.ID, VisibleTo: visibleTo(u), Page: pg})
		})
		if err != nil {
			return nil, err
		}
		for _, sub := range subs {
			if !have[sub.ID] {
				have[sub.ID] = true
				rels = append(rels, sub)
			}
		}
	}
	return rels, nil
}

// phasesOf returns the phases and milestones of the releases by release.
func (s *Server) phasesOf(ctx context.Context, u *roadmap.User, rels []*roadmap.Release) (map[int64][]*roadmap.ReleasePhase, error) {
	out := map[int64][]*roadmap.ReleasePhase{}
	want := map[int64]bool{}
	for _, r := range rels {
		want[r.ID] = true
	}
	if len(want) == 0 {
		return out, nil
	}
	if len(want) <= 3 {
		for id := range want {
			xs, err := allPages(func(pg roadmap.Page) ([]*roadmap.ReleasePhase, int, error) {
				return s.store.ReleasePhases(ctx, roadmap.PhaseFilter{ReleaseID: id, Page: pg})
			})
			if err != nil {
				return nil, err
			}
			out[id] = xs
		}
		return out, nil
	}
	xs, err := allPages(func(pg roadmap.Page) ([]*roadmap.ReleasePhase, int, error) {
		return s.store.ReleasePhases(ctx, roadmap.PhaseFilter{VisibleTo: visibleTo(u), Page: pg})
	})
	if err != nil {
		return nil, err
	}
	for _, ph := range xs {
		if want[ph.ReleaseID] {
			out[ph.ReleaseID] = append(out[ph.ReleaseID], ph)
		}
	}
	return out, nil
}

// releaseData is what the release page shows.
type releaseData struct {
	Release      *roadmap.Release
	Features     []*roadmap.Feature
	Epics        []*roadmap.Epic
	Phases       []*roadmap.ReleasePhase
	Comments     []*roadmap.Comment
	SubReleases  []*roadmap.Release
	Statuses     []roadmap.WorkflowStatus
	Targets      []*roadmap.Release
	RollUps      []*roadmap.Release
	Shipped      *roadmap.WorkflowStatus
	CanWrite     bool
	Estimate     float64
	EstimateText string
	URL          string
	StartField   string
}

// release finds a release by ID or key and checks u's access to it.
func (s *Server) release(ctx context.Context, u *roadmap.User, key string, a roadmap.Access) (*roadmap.Release, error) {
	rel, err := s.store.Release(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, u, rel.ProductID, a); err != nil {
		return nil, err
	}
	if err := s.onlyVisible(ctx, u, rel); err != nil {
		return nil, err
	}
	return rel, nil
}

func (s *Server) releasePage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	return s.showRelease(w, r, u, http.StatusOK, nil, "")
}

// releaseStatuses returns the release workflow statuses of a product.
func (s *Server) releaseStatuses(ctx context.Context, productID int64) ([]roadmap.WorkflowStatus, error) {
	wfs, err := s.store.Workflows(ctx, productID)
	if err != nil {
		return nil, err
	}
	for _, wf := range wfs {
		if wf.StatusableType == "Release" {
			sts := slices.Clone(wf.Statuses)
			slices.SortFunc(sts, func(a, b roadmap.WorkflowStatus) int { return cmp.Compare(a.Position, b.Position) })
			return sts, nil
		}
	}
	return nil, nil
}

// showRelease renders the release page, with a failed form when one is
// given.
func (s *Server) showRelease(w http.ResponseWriter, r *http.Request, u *roadmap.User, status int, form *formState, notice string) error {
	ctx := r.Context()
	rel, err := s.release(ctx, u, r.PathValue("id"), roadmap.AccessRead)
	if err != nil {
		return err
	}
	d := releaseData{Release: rel, CanWrite: s.can(ctx, u, rel.ProductID, roadmap.AccessWrite), URL: releasePath(rel.ReferenceNum, rel.MasterRelease)}
	_, d.StartField = barStart(rel)
	if d.Features, err = allPages(func(pg roadmap.Page) ([]*roadmap.Feature, int, error) {
		return s.store.Features(ctx, roadmap.FeatureFilter{ReleaseID: rel.ID, Page: pg})
	}); err != nil {
		return err
	}
	units := roadmap.CapacityTime
	for _, f := range d.Features {
		if e := featureEstimate(f); e != nil {
			d.Estimate += *e
			units = f.WorkUnits
		}
	}
	d.EstimateText = roadmap.FormatCapacity(units, d.Estimate)
	if d.Epics, err = allPages(func(pg roadmap.Page) ([]*roadmap.Epic, int, error) {
		return s.store.Epics(ctx, roadmap.EpicFilter{ReleaseID: rel.ID, Page: pg})
	}); err != nil {
		return err
	}
	if d.Phases, err = allPages(func(pg roadmap.Page) ([]*roadmap.ReleasePhase, int, error) {
		return s.store.ReleasePhases(ctx, roadmap.PhaseFilter{ReleaseID: rel.ID, Page: pg})
	}); err != nil {
		return err
	}
	if d.Comments, err = allPages(func(pg roadmap.Page) ([]*roadmap.Comment, int, error) {
		return s.store.Comments(ctx, roadmap.CommentFilter{On: roadmap.CommentTarget{Type: roadmap.CommentOnRelease, ID: rel.ID}, Page: pg})
	}); err != nil {
		return err
	}
	if rel.MasterRelease {
		if d.SubReleases, err = allPages(func(pg roadmap.Page) ([]*roadmap.Release, int, error) {
			return s.store.Releases(ctx, roadmap.ReleaseFilter{ParentID: rel.ID, VisibleTo: visibleTo(u), Page: pg})
		}); err != nil {
			return err
		}
		slices.SortFunc(d.SubReleases, byDate)
	}
	if d.CanWrite {
		if d.Statuses, err = s.releaseStatuses(ctx, rel.ProductID); err != nil {
			return err
		}
		for i := range d.Statuses {
			if d.Statuses[i].Complete && d.Shipped == nil {
				d.Shipped = &d.Statuses[i]
			}
		}
		others, err := allPages(func(pg roadmap.Page) ([]*roadmap.Release, int, error) {
			return s.store.Releases(ctx, roadmap.ReleaseFilter{ProductID: rel.ProductID, Page: pg})
		})
		if err != nil {
			return err
		}
		slices.SortFunc(others, byDate)
		for _, o := range others {
			if o.ID != rel.ID && !o.MasterRelease {
				d.Targets = append(d.Targets, o)
			}
			if o.MasterRelease && o.ID != rel.ID {
				d.RollUps = append(d.RollUps, o)
			}
		}
	}
	title := rel.ReferenceNum + " " + rel.Name
	s.render(w, r, status, "release", &page{User: u, Title: title, Form: form, Notice: notice, Data: d})
	return nil
}

// recordPage is a feature, epic, requirement, initiative, goal or key
// result shown on its own page.
type recordPage struct {
	Kind         string
	Ref          string
	Name         string
	Status       string
	Description  string
	Release      *roadmap.Release
	ReleaseRef   string
	ReleaseName  string
	ReleaseURL   string
	Progress     *int
	Estimate     string
	Facts        [][2]string
	Links        []link
	LinksHeading string
}

type link struct {
	URL, Ref, Name, Extra string
}

func (s *Server) showRecord(w http.ResponseWriter, r *http.Request, u *roadmap.User, productID int64, rp recordPage) error {
	if err := s.authorize(r.Context(), u, productID, roadmap.AccessRead); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "record", &page{User: u, Title: rp.Ref + " " + rp.Name, Data: rp})
	return nil
}

func (s *Server) featurePage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	f, err := s.store.Feature(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.onlyVisible(r.Context(), u, f); err != nil {
		return err
	}
	rp := recordPage{Kind: "Feature", Ref: f.ReferenceNum, Name: f.Name, Status: f.WorkflowStatus.Name, Description: f.Description.Body, Progress: f.Progress}
	if f.Release != nil {
		rp.ReleaseRef, rp.ReleaseName, rp.ReleaseURL = f.Release.ReferenceNum, f.Release.Name, releasePath(f.Release.ReferenceNum, f.Release.MasterRelease)
	}
	rp.Facts = append(rp.Facts, [2]string{"Kind", f.WorkflowKind}, [2]string{"Initial estimate", estText(f.WorkUnits, f.InitialEstimate)}, [2]string{"Detailed estimate", estText(f.WorkUnits, f.DetailedEstimate)}, [2]string{"Remaining estimate", estText(f.WorkUnits, f.RemainingEstimate)})
	if f.Epic != nil {
		rp.Links = append(rp.Links, link{URL: "/epics/" + f.Epic.ReferenceNum, Ref: f.Epic.ReferenceNum, Name: f.Epic.Name, Extra: "epic"})
	}
	for _, q := range f.Requirements {
		rp.Links = append(rp.Links, link{URL: "/requirements/" + q.ReferenceNum, Ref: q.ReferenceNum, Name: q.Name, Extra: "requirement"})
	}
	for _, g := range f.Goals {
		rp.Links = append(rp.Links, link{URL: "/strategic_imperatives/" + g.ReferenceNum, Ref: g.ReferenceNum, Name: g.Name, Extra: "goal"})
	}
	rp.LinksHeading = "Linked records"
	return s.showRecord(w, r, u, f.ProductID, rp)
}

// estText shows an estimate in its work units.
func estText(units string, p *float64) string {
	if p == nil {
		return "—"
	}
	return roadmap.FormatCapacity(units, *p)
}

// featureEstimate is the estimate a feature plans with: its detailed
// estimate, else its initial one.
func featureEstimate(f *roadmap.Feature) *float64 {
	if f.DetailedEstimate != nil {
		return f.DetailedEstimate
	}
	return f.InitialEstimate
}

func (s *Server) epicPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	e, err := s.store.Epic(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, u, e.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	rp := recordPage{Kind: "Epic", Ref: e.ReferenceNum, Name: e.Name, Status: e.WorkflowStatus.Name, Description: e.Description.Body, Progress: e.Progress, LinksHeading: "Features"}
	if rel, err := s.store.Release(ctx, strconv.FormatInt(e.ReleaseID, 10)); err == nil {
		rp.ReleaseRef, rp.ReleaseName, rp.ReleaseURL = rel.ReferenceNum, rel.Name, releasePath(rel.ReferenceNum, rel.MasterRelease)
	}
	fs, err := allPages(func(pg roadmap.Page) ([]*roadmap.Feature, int, error) {
		return s.store.Features(ctx, roadmap.FeatureFilter{EpicID: e.ID, Page: pg})
	})
	if err != nil {
		return err
	}
	for _, f := range fs {
		rp.Links = append(rp.Links, link{URL: "/features/" + f.ReferenceNum, Ref: f.ReferenceNum, Name: f.Name, Extra: f.WorkflowStatus.Name})
	}
	return s.showRecord(w, r, u, e.ProductID, rp)
}

func (s *Server) requirementPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	q, err := s.store.Requirement(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rp := recordPage{Kind: "Requirement", Ref: q.ReferenceNum, Name: q.Name, Description: q.Description.Body, LinksHeading: "Feature"}
	rp.Links = []link{{URL: "/features/" + q.Feature.ReferenceNum, Ref: q.Feature.ReferenceNum, Name: q.Feature.Name}}
	return s.showRecord(w, r, u, q.Feature.ProductID, rp)
}

func (s *Server) initiativePage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	in, err := s.store.InitiativeDetail(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, u, in.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	rp := recordPage{Kind: "Initiative", Ref: in.ReferenceNum, Name: in.Name, Description: in.Description.Body, Progress: in.Progress, LinksHeading: "Releases"}
	rp.Facts = [][2]string{{"Start", humanDate(in.StartDate)}, {"End", humanDate(in.EndDate)}}
	if err := s.linkReleases(ctx, u, &rp, roadmap.ReleaseFilter{InitiativeID: in.ID}); err != nil {
		return err
	}
	return s.showRecord(w, r, u, in.ProductID, rp)
}

func (s *Server) goalPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	ctx := r.Context()
	g, err := s.store.GoalDetail(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, u, g.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	rp := recordPage{Kind: "Goal", Ref: g.ReferenceNum, Name: g.Name, Description: g.Description.Body, Progress: g.Progress, LinksHeading: "Releases"}
	if err := s.linkReleases(ctx, u, &rp, roadmap.ReleaseFilter{GoalID: g.ID}); err != nil {
		return err
	}
	krs, _, err := s.store.KeyResults(ctx, g.ID, roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage})
	if err != nil {
		return err
	}
	for _, k := range krs {
		rp.Links = append(rp.Links, link{URL: "/key_results/" + k.ReferenceNum, Ref: k.ReferenceNum, Name: k.Name, Extra: "key result"})
	}
	return s.showRecord(w, r, u, g.ProductID, rp)
}

// linkReleases lists the releases of a goal or initiative on its page.
func (s *Server) linkReleases(ctx context.Context, u *roadmap.User, rp *recordPage, f roadmap.ReleaseFilter) error {
	f.VisibleTo = visibleTo(u)
	rels, err := allPages(func(pg roadmap.Page) ([]*roadmap.Release, int, error) {
		f.Page = pg
		return s.store.Releases(ctx, f)
	})
	if err != nil {
		return err
	}
	slices.SortFunc(rels, byDate)
	for _, rel := range rels {
		rp.Links = append(rp.Links, link{URL: releasePath(rel.ReferenceNum, rel.MasterRelease), Ref: rel.ReferenceNum, Name: rel.Name, Extra: humanDate(rel.ReleaseDate)})
	}
	return nil
}

func (s *Server) keyResultPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	k, err := s.store.KeyResult(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rp := recordPage{Kind: "Key result", Ref: k.ReferenceNum, Name: k.Name, Description: k.Description.Body, Progress: k.Progress}
	rp.Facts = [][2]string{{"Starting", derefStr(k.StartingMetric)}, {"Current", derefStr(k.CurrentMetric)}, {"Target", derefStr(k.TargetMetric)}}
	return s.showRecord(w, r, u, k.ProductID, rp)
}

func derefStr(p *string) string {
	if p == nil {
		return "—"
	}
	return *p
}

func (s *Server) commentPage(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return roadmap.Errorf(roadmap.ENOTFOUND, "Not found")
	}
	c, err := s.store.Comment(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.authorize(r.Context(), u, c.On.ProductID, roadmap.AccessRead); err != nil {
		return err
	}
	page := commentedPath(c.On)
	if page == "" {
		return roadmap.Errorf(roadmap.ENOTFOUND, "Not found")
	}
	http.Redirect(w, r, page+"#comment-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

// commentedPath is the page of the record a comment is on, or "" for the
// records that have no page of their own (release phases and to-dos).
func commentedPath(on roadmap.Commentable) string {
	ref := url.PathEscape(on.ReferenceNum)
	switch on.Type {
	case roadmap.CommentOnRelease:
		return releasePath(on.ReferenceNum, on.Master)
	case roadmap.CommentOnFeature:
		return "/features/" + ref
	case roadmap.CommentOnEpic:
		return "/epics/" + ref
	case roadmap.CommentOnRequirement:
		return "/requirements/" + ref
	case roadmap.CommentOnGoal:
		return "/strategic_imperatives/" + ref
	case roadmap.CommentOnInitiative:
		return "/initiatives/" + ref
	}
	return ""
}
