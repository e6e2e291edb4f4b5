package roadmap

import (
	"context"
	"errors"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// SessionIdle is how long a browser session lives without being used; each
// use starts the spell again.
const SessionIdle = 30 * 24 * time.Hour

// SessionTouchEvery is how stale a session's last use may be before a
// request records a new one, so that most requests only read it.
const SessionTouchEvery = time.Minute

// Password limits: bcrypt reads at most 72 bytes.
const (
	MinPasswordLen = 4
	MaxPasswordLen = 72
)

// SessionStore keeps passwords and browser sessions. Passwords are stored as
// bcrypt hashes and sessions as SHA-256 hashes of their cookie values, so
// that neither can be read back from the database.
type SessionStore interface {
	// SetPassword replaces a user's password hash.
	SetPassword(ctx context.Context, userID int64, hash []byte) error
	// PasswordHash returns an enabled user by email with its password hash;
	// a user without a password, a disabled one and an unknown email all
	// answer EUNAUTHORIZED.
	PasswordHash(ctx context.Context, email string) (*User, []byte, error)
	// CreateSession stores a new session of a user by the hash of its
	// cookie value.
	CreateSession(ctx context.Context, userID int64, hash []byte) error
	// SessionUser returns the enabled user of a session that was used
	// within SessionIdle, and records the use; an unknown, expired or
	// disabled user's session answers EUNAUTHORIZED.
	SessionUser(ctx context.Context, hash []byte) (*User, error)
	// DeleteSession ends a session.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions ends every session of a user.
	DeleteUserSessions(ctx context.Context, userID int64) error
}

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return FieldErrorf("password", "password must be at least %d characters", MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return FieldErrorf("password", "password must be at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// HashPassword returns the bcrypt hash of a valid password.
func HashPassword(pw string) ([]byte, error) {
	if err := ValidatePassword(pw); err != nil {
		return nil, err
	}
	return bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
}

// CheckPassword reports whether pw matches hash.
func CheckPassword(hash []byte, pw string) bool {
	return bcrypt.CompareHashAndPassword(hash, []byte(pw)) == nil
}

// dummyHash is compared against when a user has no password, so that a
// wrong email costs as much time as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user"), bcrypt.DefaultCost)
	return h
})

// SpendPasswordCheck costs the time of one password comparison, for an
// attempt that has no hash to compare against.
func SpendPasswordCheck() { _ = bcrypt.CompareHashAndPassword(dummyHash(), []byte("x")) }

// ErrBadCredentials is the answer to a sign-in with a wrong email or password.
var ErrBadCredentials = &Error{Code: EUNAUTHORIZED, Message: "The email or password is not right"}

// IsBadCredentials reports whether err is ErrBadCredentials.
func IsBadCredentials(err error) bool { return errors.Is(err, ErrBadCredentials) }
