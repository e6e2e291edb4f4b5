package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

func TestPasswords(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, _, err := db.PasswordHash(ctx, "henry.humpty@example.com"); !roadmap.IsBadCredentials(err) {
			t.Fatalf("PasswordHash without a password = %v, want bad credentials", err)
		}
		h, err := roadmap.HashPassword("correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetPassword(ctx, demo.Henry, h); err != nil {
			t.Fatal(err)
		}
		u, got, err := db.PasswordHash(ctx, "Henry.Humpty@EXAMPLE.com")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != demo.Henry || !roadmap.CheckPassword(got, "correct horse") || roadmap.CheckPassword(got, "wrong") {
			t.Fatalf("PasswordHash = user %d, hash that does not check", u.ID)
		}
		h2, _ := roadmap.HashPassword("battery staple")
		if err := db.SetPassword(ctx, demo.Henry, h2); err != nil {
			t.Fatal(err)
		}
		_, got, _ = db.PasswordHash(ctx, "henry.humpty@example.com")
		if roadmap.CheckPassword(got, "correct horse") || !roadmap.CheckPassword(got, "battery staple") {
			t.Fatal("SetPassword did not replace the password")
		}
		if err := db.SetPassword(ctx, 42, h2); !roadmap.IsNotFound(err) {
			t.Fatalf("SetPassword of an unknown user = %v, want not found", err)
		}
		if _, err := db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{Enabled: roadmap.Some(false)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.PasswordHash(ctx, "henry.humpty@example.com"); !roadmap.IsBadCredentials(err) {
			t.Fatalf("PasswordHash of a disabled user = %v, want bad credentials", err)
		}
	})
}

func TestSessions(t *testing.T) {
	puEachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		tok := roadmap.HashToken("cookie value")
		if _, err := db.SessionUser(ctx, tok); roadmap.ErrorCode(err) != roadmap.EUNAUTHORIZED {
			t.Fatalf("unknown session = %v, want unauthorized", err)
		}
		if err := db.CreateSession(ctx, demo.Henry, tok); err != nil {
			t.Fatal(err)
		}
		u, err := db.SessionUser(ctx, tok)
		if err != nil || u.ID != demo.Henry {
			t.Fatalf("SessionUser = %v, %v", u, err)
		}
		// Use within the idle spell keeps the session alive: 29 days, then
		// another 29 days, is 58 days after it began.
		now = now.Add(29 * 24 * time.Hour)
		if _, err := db.SessionUser(ctx, tok); err != nil {
			t.Fatalf("after 29 days: %v", err)
		}
		now = now.Add(29 * 24 * time.Hour)
		if _, err := db.SessionUser(ctx, tok); err != nil {
			t.Fatalf("after 58 days, used on day 29: %v", err)
		}
		now = now.Add(roadmap.SessionIdle + time.Minute)
		if _, err := db.SessionUser(ctx, tok); roadmap.ErrorCode(err) != roadmap.EUNAUTHORIZED {
			t.Fatalf("after 30 idle days = %v, want unauthorized", err)
		}
		now = now.Add(-roadmap.SessionIdle)
		if _, err := db.SessionUser(ctx, tok); roadmap.ErrorCode(err) != roadmap.EUNAUTHORIZED {
			t.Fatalf("an expired session came back: %v", err)
		}

		// Sign-out ends one session; disabling ends them all.
		a, b := roadmap.HashToken("a"), roadmap.HashToken("b")
		for _, h := range [][]byte{a, b} {
			if err := db.CreateSession(ctx, demo.Henry, h); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.DeleteSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, a); roadmap.ErrorCode(err) != roadmap.EUNAUTHORIZED {
			t.Fatalf("signed-out session = %v", err)
		}
		if _, err := db.SessionUser(ctx, b); err != nil {
			t.Fatalf("other session after sign-out: %v", err)
		}
		if _, err := db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{Enabled: roadmap.Some(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, b); roadmap.ErrorCode(err) != roadmap.EUNAUTHORIZED {
			t.Fatalf("session of a disabled user = %v", err)
		}
		if _, err := db.UpdateUser(ctx, demo.Henry, roadmap.UserInput{Enabled: roadmap.Some(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, b); roadmap.ErrorCode(err) != roadmap.EUNAUTHORIZED {
			t.Fatalf("re-enabling brought a session back: %v", err)
		}
	})
}

// TestSessionsSurviveReopen checks that a session lives in the database,
// not in the process.
func TestSessionsSurviveReopen(t *testing.T) {
	t.Parallel()
	dsn := t.TempDir() + "/s.db"
	ctx := context.Background()
	db := mustSeed(t, mustOpen(t, dsn))
	tok := roadmap.HashToken("x")
	if err := db.CreateSession(ctx, demo.John, tok); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2 := mustOpen(t, dsn)
	if u, err := db2.SessionUser(ctx, tok); err != nil || u.ID != demo.John {
		t.Fatalf("after reopening: %v, %v", u, err)
	}
}
