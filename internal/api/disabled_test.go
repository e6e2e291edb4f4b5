package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// TestDisabledUserStaysOut disables a user and then gives it a token by
// every way there is: the store refuses to issue one, and a token row that
// exists anyway (written by an older release, or by hand) does not
// authenticate for reads or writes; enabling the user again lets a new
// token in.
func TestDisabledUserStaysOut(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newConfiguredServer(t, backend, api.Config{})
		ctx := context.Background()
		before := roadmap.NewToken()
		if err := s.DB.CreateToken(ctx, demo.Henry, roadmap.HashToken(before)); err != nil {
			t.Fatal(err)
		}
		if r := s.do(t, "GET", "/api/v1/me", "", before); r.Status != 200 {
			t.Fatalf("an enabled user's token: %s", r)
		}
		user := fmt.Sprintf("/api/v1/users/%d", demo.Henry)
		if r := s.do(t, "PUT", user, `{"user":{"enabled":false}}`); r.Status != 200 {
			t.Fatalf("disabling: %s", r)
		}

		after := roadmap.NewToken()
		err := s.DB.CreateToken(ctx, demo.Henry, roadmap.HashToken(after))
		if roadmap.ErrorCode(err) != roadmap.EINVALID {
			t.Fatalf("CreateToken for a disabled user: %v, want EINVALID", err)
		}
		s.sql(t, "INSERT INTO api_tokens (hash, user_id, created_at) VALUES (?, ?, ?)",
			fmt.Sprintf("%x", roadmap.HashToken(after)), demo.Henry, int64(1))
		for _, tok := range []string{before, after} {
			for _, req := range [][3]string{
				{"GET", "/api/v1/me", ""},
				{"GET", "/api/v1/releases/PRJ1-R-1", ""},
				{"PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"name":"Taken over"}}`},
			} {
				if r := s.do(t, req[0], req[1], req[2], tok); r.Status != 401 {
					t.Errorf("%s %s with a disabled user's token: %s, want 401", req[0], req[1], r)
				}
			}
		}
		if r := s.do(t, "GET", "/api/v1/releases/PRJ1-R-1", ""); r.json(t)["release"].(map[string]any)["name"] == "Taken over" {
			t.Fatal("a disabled user's write went through")
		}

		if r := s.do(t, "PUT", user, `{"user":{"enabled":true}}`); r.Status != 200 {
			t.Fatalf("enabling: %s", r)
		}
		again := roadmap.NewToken()
		if err := s.DB.CreateToken(ctx, demo.Henry, roadmap.HashToken(again)); err != nil {
			t.Fatal(err)
		}
		if r := s.do(t, "GET", "/api/v1/me", "", again); r.Status != 200 {
			t.Fatalf("a re-enabled user's new token: %s", r)
		}
	})
}
