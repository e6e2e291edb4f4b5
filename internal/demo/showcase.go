package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Showcase prefixes: a product line and its two products, whose plan is
// dated relative to the day the demo is loaded, so that the roadmap shows a
// real spread of work. None of the reference's examples lists them by
// product, goal, initiative or roll-up.
const (
	ShowcaseLine   = "SHOW"
	ShowcaseMobile = "APP"
	ShowcaseWeb    = "WEB"
)

// showcaseRelease is one planned release of the showcase, its dates in days
// from today.
type showcaseRelease struct {
	product     string
	name        string
	start, end  int
	status      string
	rollUp      string
	goal        string
	initiative  string
	parkingLot  bool
	capacity    string
	theme       string
	features    []showcaseFeature
	withPhases  bool
	externalLag int
}

type showcaseFeature struct {
	name, status, estimate string
}

var showcasePlan = []showcaseRelease{
	{product: ShowcaseMobile, name: "Spring clean-up", start: -88, end: -58, status: "Shipped", goal: "Delight mobile users",
		features: []showcaseFeature{{"Faster cold start", "Shipped", "3d"}, {"Crash fixes", "Shipped", "2d"}}},
	{product: ShowcaseMobile, name: "Offline mode", start: -62, end: -18, status: "Shipped", goal: "Delight mobile users", initiative: "Mobile first", withPhases: true,
		features: []showcaseFeature{{"Local cache", "Shipped", "1w"}, {"Sync conflicts", "Shipped", "4d"}, {"Offline banner", "Done", "1d"}}},
	{product: ShowcaseMobile, name: "Payments v2", start: -30, end: 21, status: "In development", goal: "Grow revenue", initiative: "Mobile first", withPhases: true, capacity: "4w", externalLag: 10,
		theme:    "<p>Pay in <strong>one tap</strong>, with wallets and saved cards.</p>",
		features: []showcaseFeature{{"Wallet payments", "In progress", "1w"}, {"Saved cards", "Done", "3d"}, {"Receipts by email", "Designed", "2d"}, {"Refund flow", "New", "4d"}}},
	{product: ShowcaseMobile, name: "Onboarding refresh", start: -4, end: 46, status: "Planning", rollUp: "Autumn launch", goal: "Delight mobile users", withPhases: true,
		features: []showcaseFeature{{"Welcome tour", "Designed", "3d"}, {"Sign in with passkeys", "New", "1w"}}},
	{product: ShowcaseMobile, name: "Dark theme", start: 30, end: 80, status: "Planning", rollUp: "Autumn launch",
		features: []showcaseFeature{{"Theme tokens", "New", "2d"}, {"Dark icons", "New", "1d"}}},
	{product: ShowcaseMobile, name: "Home screen widgets", start: 92, end: 150, status: "New", withPhases: true,
		features: []showcaseFeature{{"Today widget", "New", "4d"}}},
	{product: ShowcaseMobile, name: "Wear app", start: 160, end: 240, status: "New", rollUp: "Platform 3.0"},
	{product: ShowcaseMobile, name: "Mobile 3.0", start: 250, end: 335, status: "New", rollUp: "Platform 3.0", goal: "Grow revenue"},
	{product: ShowcaseMobile, name: "Ideas for later", parkingLot: true, status: "New",
		features: []showcaseFeature{{"Tablet layout", "New", "2w"}}},
	{product: ShowcaseWeb, name: "Dashboard beta", start: -80, end: -40, status: "Shipped", initiative: "Enterprise ready",
		features: []showcaseFeature{{"Charts", "Shipped", "1w"}, {"Filters", "Shipped", "3d"}}},
	{product: ShowcaseWeb, name: "Reporting", start: -21, end: 26, status: "In development", goal: "Grow revenue", initiative: "Enterprise ready", withPhases: true, capacity: "3w",
		features: []showcaseFeature{{"Scheduled reports", "In progress", "1w"}, {"CSV export", "Done", "2d"}, {"Report sharing", "New", "3d"}}},
	{product: ShowcaseWeb, name: "Single sign-on", start: 12, end: 70, status: "Ready to ship", rollUp: "Autumn launch", initiative: "Enterprise ready",
		features: []showcaseFeature{{"SAML", "Designed", "1w"}, {"SCIM provisioning", "New", "1w"}}},
	{product: ShowcaseWeb, name: "Public API", start: 60, end: 140, status: "Planning", goal: "Grow revenue", withPhases: true,
		features: []showcaseFeature{{"API tokens", "New", "3d"}, {"Webhooks", "New", "1w"}}},
	{product: ShowcaseWeb, name: "Self-hosting", start: 180, end: 300, status: "New", rollUp: "Platform 3.0"},
	{product: ShowcaseWeb, name: "Parking lot", parkingLot: true, status: "New"},
}

// showcaseRollUps are the roll-ups of the showcase, in the mobile product,
// collecting releases of both products.
var showcaseRollUps = []struct {
	name       string
	start, end int
}{
	{"Autumn launch", -4, 80},
	{"Platform 3.0", 160, 335},
}

// Showcase adds the showcase product line, its products and their plan,
// dated relative to today, through the store's ordinary writes (the same
// rules as the API's), as John Smith, who owns the line.
func Showcase(ctx context.Context, st roadmap.Store, today time.Time) error {
	day := func(n int) string { return roadmap.Today(today.AddDate(0, 0, n)) }
	line, err := st.CreateProduct(ctx, John, true, roadmap.ProductInput{
		Name: roadmap.Some("Showcase"), ReferencePrefix: roadmap.Some(ShowcaseLine), ProductLine: roadmap.Some(true), ProductLineType: roadmap.Some("Business unit"),
		Description: roadmap.Some("<p>A plan dated from the day the demo was loaded.</p>"),
	})
	if err != nil {
		return fmt.Errorf("showcase line: %w", err)
	}
	lineID := strconv.FormatInt(line.ID, 10)
	products := map[string]int64{}
	for _, p := range []struct{ prefix, name string }{{ShowcaseMobile, "Mobile app"}, {ShowcaseWeb, "Web platform"}} {
		d, err := st.CreateProduct(ctx, John, true, roadmap.ProductInput{
			Name: roadmap.Some(p.name), ReferencePrefix: roadmap.Some(p.prefix), ParentID: roadmap.Some(lineID),
		})
		if err != nil {
			return fmt.Errorf("showcase product %s: %w", p.prefix, err)
		}
		products[p.prefix] = d.ID
	}
	goals := map[string]string{}
	for _, g := range []struct{ name, desc string }{
		{"Grow revenue", "<p>More paying customers on every platform.</p>"},
		{"Delight mobile users", "<p>A faster, calmer mobile app.</p>"},
	} {
		gd, err := st.CreateGoal(ctx, line.ID, John, roadmap.GoalInput{Name: roadmap.Some(g.name), Description: roadmap.Some(g.desc)})
		if err != nil {
			return fmt.Errorf("showcase goal: %w", err)
		}
		goals[g.name] = strconv.FormatInt(gd.ID, 10)
	}
	initiatives := map[string]string{}
	for _, in := range []struct{ product, name, desc string }{
		{ShowcaseMobile, "Mobile first", "<p>Everything works on a phone first.</p>"},
		{ShowcaseWeb, "Enterprise ready", "<p>What large teams ask for before they buy.</p>"},
	} {
		d, err := st.CreateInitiative(ctx, products[in.product], John, roadmap.InitiativeInput{Name: roadmap.Some(in.name), Description: roadmap.Some(in.desc)})
		if err != nil {
			return fmt.Errorf("showcase initiative: %w", err)
		}
		initiatives[in.name] = strconv.FormatInt(d.ID, 10)
	}
	rollUps := map[string]string{}
	for _, ru := range showcaseRollUps {
		r, err := st.CreateRollUp(ctx, products[ShowcaseMobile], John, roadmap.RollUpInput{
			ReleaseInput: roadmap.ReleaseInput{
				Name: roadmap.Some(ru.name), StartDate: roadmap.Some(day(ru.start)), ReleaseDate: roadmap.Some(day(ru.end)),
				WorkflowStatus: roadmap.Some("Planning"), Goals: roadmap.Some([]string{goals["Grow revenue"]}),
			},
			Projects: roadmap.Some([]int64{products[ShowcaseWeb]}),
		})
		if err != nil {
			return fmt.Errorf("showcase roll-up %s: %w", ru.name, err)
		}
		rollUps[ru.name] = strconv.FormatInt(r.ID, 10)
	}
	for _, sr := range showcasePlan {
		in := roadmap.ReleaseInput{
			Name:           roadmap.Some(sr.name),
			WorkflowStatus: roadmap.Some(sr.status),
			ProgressSource: roadmap.Some("progress_from_features_completed"),
		}
		if sr.parkingLot {
			in.ParkingLot = roadmap.Some(true)
		} else {
			in.StartDate, in.ReleaseDate = roadmap.Some(day(sr.start)), roadmap.Some(day(sr.end))
			in.DevelopmentStartedOn = roadmap.Some(day(sr.start + (sr.end-sr.start)/4))
		}
		if sr.externalLag != 0 {
			in.ExternalReleaseDate = roadmap.Some(day(sr.end + sr.externalLag))
			in.ExternalDateResolution = roadmap.Some("exact")
		}
		if sr.rollUp != "" {
			in.ParentID = roadmap.Some(rollUps[sr.rollUp])
		}
		if sr.goal != "" {
			in.Goals = roadmap.Some([]string{goals[sr.goal]})
		}
		if sr.initiative != "" {
			in.Initiatives = roadmap.Some([]string{initiatives[sr.initiative]})
		}
		if sr.capacity != "" {
			in.CapacityUnits, in.TotalCapacityText = roadmap.Some("time"), roadmap.Some(sr.capacity)
		}
		if sr.theme != "" {
			in.Theme = roadmap.Some(sr.theme)
		}
		rel, err := st.CreateRelease(ctx, products[sr.product], John, in)
		if err != nil {
			return fmt.Errorf("showcase release %s: %w", sr.name, err)
		}
		relID := strconv.FormatInt(rel.ID, 10)
		if sr.withPhases {
			span := sr.end - sr.start
			a, b := sr.start+span*35/100, sr.start+span*80/100
			for _, ph := range []roadmap.PhaseInput{
				{Name: roadmap.Some("Design"), Kind: roadmap.Some("phase"), StartOn: roadmap.Some(day(sr.start)), EndOn: roadmap.Some(day(a))},
				{Name: roadmap.Some("Build"), Kind: roadmap.Some("phase"), StartOn: roadmap.Some(day(a + 1)), EndOn: roadmap.Some(day(b))},
				{Name: roadmap.Some("Test"), Kind: roadmap.Some("phase"), StartOn: roadmap.Some(day(b + 1)), EndOn: roadmap.Some(day(sr.end))},
				{Name: roadmap.Some("Code freeze"), Kind: roadmap.Some("milestone"), StartOn: roadmap.Some(day(b)), EndOn: roadmap.Some(day(b))},
			} {
				if _, err := st.CreateReleasePhase(ctx, rel.ID, ph); err != nil {
					return fmt.Errorf("showcase phase of %s: %w", sr.name, err)
				}
			}
		}
		for _, f := range sr.features {
			fin := roadmap.FeatureInput{
				Name: roadmap.Some(f.name), WorkflowStatus: roadmap.Some(f.status), Release: roadmap.Some(relID),
				InitialEstimateText: roadmap.Some(f.estimate),
			}
			if sr.goal != "" {
				fin.Goals = roadmap.Some([]string{goals[sr.goal]})
			}
			if _, err := st.CreateFeature(ctx, rel.ID, John, fin); err != nil {
				return fmt.Errorf("showcase feature %s: %w", f.name, err)
			}
		}
	}
	return nil
}
