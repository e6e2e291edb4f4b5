package client_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/api/openapi/client"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/testdb"
	"github.com/roadmapd/roadmapd/internal/testdb/demodb"
)

// TestMain drops the test run's PostgreSQL database when the tests end.
func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// newClient starts the API over a new demo database of the backend and
// returns the generated client for it, authenticated with the demo token.
func newClient(t *testing.T, backend string) *client.ClientWithResponses {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, demodb.DSN(t, backend), store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(api.New(db, api.Config{BaseURL: "http://company.aha.io", Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	c, err := client.NewClientWithResponses(srv.URL, client.WithRequestEditorFn(func(ctx context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+demo.Token)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// TestGeneratedClient lists, gets, creates and updates releases and
// features with the client generated from the OpenAPI description.
func TestGeneratedClient(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := newClient(t, backend)

			list, err := c.ListProductReleasesWithResponse(ctx, "PRJ1", &client.ListProductReleasesParams{PerPage: ptr(2)})
			if err != nil || list.JSON200 == nil {
				t.Fatalf("listing releases: %v %d %s", err, list.StatusCode(), list.Body)
			}
			if got := len(list.JSON200.Releases); got != 2 || list.JSON200.Pagination.CurrentPage != 1 || list.JSON200.Pagination.TotalRecords < 2 {
				t.Fatalf("listing releases: %d releases, pagination %+v", got, list.JSON200.Pagination)
			}
			first := list.JSON200.Releases[0]
			if !strings.HasPrefix(first.ReferenceNum, "PRJ1-") || first.Project.ReferencePrefix != "PRJ1" {
				t.Errorf("first release %q of product %q, want one of PRJ1", first.ReferenceNum, first.Project.ReferencePrefix)
			}

			got, err := c.GetReleaseWithResponse(ctx, first.ReferenceNum, nil)
			if err != nil || got.JSON200 == nil {
				t.Fatalf("getting %s: %v %d %s", first.ReferenceNum, err, got.StatusCode(), got.Body)
			}
			if got.JSON200.Release.Id != first.Id || got.JSON200.Release.Name != first.Name {
				t.Errorf("got release %s %q, listed %s %q", got.JSON200.Release.Id, got.JSON200.Release.Name, first.Id, first.Name)
			}

			var create client.CreateReleaseJSONRequestBody
			create.Release.Name = ptr("Generated client release")
			create.Release.Theme = ptr("Made by a generated client")
			key := &client.CreateReleaseParams{IdempotencyKey: ptr("generated-client-" + backend)}
			made, err := c.CreateReleaseWithResponse(ctx, "PRJ1", key, create)
			if err != nil || made.JSON200 == nil {
				t.Fatalf("creating a release: %v %d %s", err, made.StatusCode(), made.Body)
			}
			rel := made.JSON200.Release
			// A retry with the same Idempotency-Key answers the same release.
			retry, err := c.CreateReleaseWithResponse(ctx, "PRJ1", key, create)
			if err != nil || retry.JSON200 == nil || retry.JSON200.Release.Id != rel.Id {
				t.Fatalf("retrying the create: %v %d %s", err, retry.StatusCode(), retry.Body)
			}
			if rel.Name != "Generated client release" || rel.Theme.Body != "Made by a generated client" || rel.ProductId != list.JSON200.Releases[0].ProductId {
				t.Errorf("created release %q, theme %q, product %s", rel.Name, rel.Theme.Body, rel.ProductId)
			}

			var update client.UpdateReleaseJSONRequestBody
			update.Release.Name = ptr("Renamed by a generated client")
			updated, err := c.UpdateReleaseWithResponse(ctx, rel.ReferenceNum, update)
			if err != nil || updated.JSON200 == nil {
				t.Fatalf("updating %s: %v %d %s", rel.ReferenceNum, err, updated.StatusCode(), updated.Body)
			}
			if updated.JSON200.Release.Name != "Renamed by a generated client" || updated.JSON200.Release.Id != rel.Id {
				t.Errorf("updated release %s %q", updated.JSON200.Release.Id, updated.JSON200.Release.Name)
			}
			again, err := c.GetReleaseWithResponse(ctx, rel.Id, nil)
			if err != nil || again.JSON200 == nil || again.JSON200.Release.Name != "Renamed by a generated client" {
				t.Fatalf("getting the renamed release: %v %s", err, again.Body)
			}

			var fc client.CreateFeatureJSONRequestBody
			fc.Feature.Name = ptr("Generated client feature")
			fc.Feature.Description = ptr("Feature made by a generated client")
			fr, err := c.CreateFeatureWithResponse(ctx, rel.ReferenceNum, nil, fc)
			if err != nil {
				t.Fatalf("creating a feature: %v", err)
			}
			if fr.JSON201 == nil {
				t.Fatalf("creating a feature: %d %s (Aha! answers 201)", fr.StatusCode(), fr.Body)
			}
			feat := fr.JSON201.Feature
			if feat.Name != "Generated client feature" || feat.Release.Id != rel.Id || feat.Description.Body != "Feature made by a generated client" {
				t.Errorf("created feature %q in release %s, description %q", feat.Name, feat.Release.Id, feat.Description.Body)
			}

			features, err := c.ListReleaseFeaturesWithResponse(ctx, rel.ReferenceNum, nil)
			if err != nil || features.JSON200 == nil {
				t.Fatalf("listing the release's features: %v %s", err, features.Body)
			}
			if n := len(features.JSON200.Features); n != 1 || features.JSON200.Features[0].Id != feat.Id {
				t.Fatalf("the release lists %d features, want the one made", n)
			}

			fg, err := c.GetFeatureWithResponse(ctx, feat.ReferenceNum, nil)
			if err != nil || fg.JSON200 == nil || fg.JSON200.Feature.Id != feat.Id {
				t.Fatalf("getting %s: %v %s", feat.ReferenceNum, err, fg.Body)
			}

			var fu client.UpdateFeatureJSONRequestBody
			fu.Feature.Name = ptr("Feature renamed by a generated client")
			fup, err := c.UpdateFeatureWithResponse(ctx, feat.ReferenceNum, fu)
			if err != nil || fup.JSON200 == nil {
				t.Fatalf("updating %s: %v %d %s", feat.ReferenceNum, err, fup.StatusCode(), fup.Body)
			}
			if fup.JSON200.Feature.Name != "Feature renamed by a generated client" {
				t.Errorf("updated feature %q", fup.JSON200.Feature.Name)
			}

			// An error answers in the contract's shape, decoded by the client.
			missing, err := c.GetReleaseWithResponse(ctx, "PRJ1-R-999", nil)
			if err != nil || missing.JSON404 == nil || missing.JSON404.Errors.Message == "" {
				t.Fatalf("getting a missing release: %v %d %s", err, missing.StatusCode(), missing.Body)
			}
		})
	}
}
