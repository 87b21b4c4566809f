// Package errs defines SRIIM's single error type. Domain code says what went
// wrong with a Kind; the web layer maps kinds to HTTP status in one place.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

// The kinds of error. The web layer maps each to one HTTP status.
const (
	Invalid         Kind = "invalid"           // the input is wrong; Fields says where
	NotFound        Kind = "not_found"         // the record does not exist (or is not visible)
	Unauthenticated Kind = "unauthenticated"   // the caller must log in first
	Forbidden       Kind = "forbidden"         // the caller may not do this
	Conflict        Kind = "conflict"          // the change clashes with the current state
	TooManyRequests Kind = "too_many_requests" // the caller must slow down
	TooLarge        Kind = "too_large"         // the input passes a size limit, which the message names
	Internal        Kind = "internal"          // a bug or an outage; details are logged, not shown
)

// Error is the error type every SRIIM package returns for expected failures.
type Error struct {
	Kind    Kind
	Message string
	// Fields maps an input field (or "row 3, column RUC") to what is wrong with it.
	Fields map[string]string
	// Err is the underlying cause, logged but never shown to users.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of the given kind with a formatted message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap records cause as an internal error with a message safe to show.
func Wrap(cause error, format string, args ...any) error {
	if cause == nil {
		return nil
	}
	var e *Error
	if errors.As(cause, &e) {
		return cause
	}
	return &Error{Kind: Internal, Message: fmt.Sprintf(format, args...), Err: cause}
}

// Fields builds an Invalid error that names each bad field.
func Fields(message string, fields map[string]string) *Error {
	return &Error{Kind: Invalid, Message: message, Fields: fields}
}

// KindOf returns the kind of err; errors that are not *Error are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an *Error of the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }
