package roadmap

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the API; an error without a
// code is internal and is answered as a plain 500.
const (
	EMALFORMED    = "malformed"    // the request cannot be read (bad JSON, wrong types)
	EINVALID      = "invalid"      // well-formed but fails validation
	ENOTFOUND     = "not_found"    // no such record, or one the caller may not see
	ECONFLICT     = "conflict"     // the change conflicts with the current state
	EUNAUTHORIZED = "unauthorized" // missing or bad credentials
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed
	ETOOLARGE     = "too_large"    // request body over the limit
	EUNAVAILABLE  = "unavailable"  // the database cannot be reached
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is an application error with a code and a message that is safe to
// show to the client. Field names the input field at fault, when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EINTERNAL when err carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err; errors without a code
// get a generic message so that internal details never reach the client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error"
}

// IsNotFound reports whether err has the ENOTFOUND code.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }

// HTTPStatus maps an error code to the HTTP status that every adapter
// answers it with (the API's JSON errors and the web UI's pages alike);
// errors without a code are internal (500).
func HTTPStatus(code string) int {
	switch code {
	case EMALFORMED:
		return 400
	case EINVALID:
		return 422
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case EUNAUTHORIZED:
		return 401
	case EFORBIDDEN:
		return 403
	case ETOOLARGE:
		return 413
	case EUNAVAILABLE:
		return 503
	}
	return 500
}
