package demo

import (
	"context"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Password is every demo user's sign-in password.
const Password = "demo"

// Load finishes a database that has just been seeded with Account: it
// gives every demo user the password Password and adds the showcase, a
// plan dated relative to today. What it writes leaves no audits.
func Load(ctx context.Context, st roadmap.Store, today time.Time) error {
	ctx = roadmap.WithoutHistory(ctx)
	if err := SetPasswords(ctx, st); err != nil {
		return err
	}
	return Showcase(ctx, st, today)
}

// SetPasswords gives every demo user the password Password.
func SetPasswords(ctx context.Context, st roadmap.Store) error {
	h, err := roadmap.HashPassword(Password)
	if err != nil {
		return err
	}
	for _, u := range Account().Users {
		if err := st.SetPassword(ctx, u.ID, h); err != nil {
			return err
		}
	}
	return nil
}
