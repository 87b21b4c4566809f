// Package errs defines SRIIM's single error type. Domain code says what went
// wrong with a Kind; the web layer maps kinds to HTTP status in one place.
//
// Messages for people are written in English with a constant format string
// and arguments for the variable parts: errs.E(errs.Conflict, "the report for
// %s is approved", period). The format is the message's id in the message
// catalogues of internal/i18n, which translate it where it is shown; an
// Error keeps the format and its arguments for that.
package errs

import (
	"errors"
	"fmt"
	"sort"
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

// Msg is a message for people: its English format string, which is its id
// in the message catalogues, and the arguments that fill it.
type Msg struct {
	Format string
	Args   []any
}

// String is the message in English. A format without arguments is the text
// itself, not formatted.
func (m Msg) String() string { return sprintf(m.Format, m.Args...) }

// Error is the error type every SRIIM package returns for expected failures.
type Error struct {
	Kind Kind
	// Message is the message in English; Msg is its format and arguments.
	// Code that rewords an error sets both (Reword).
	Message string
	Msg     Msg
	// Fields maps an input field (or "fila 3, columna RUC") to what is wrong
	// with it, in English.
	Fields map[string]string
	// Problems are the places in a file that Fields names, each with its
	// message, for showing them in another language.
	Problems []Problem
	// Err is the underlying cause, logged but never shown to users.
	Err error
	// Stale, on a Conflict, says how the record changed since the writer read it.
	Stale *Stale
}

// Stale describes a write refused because the record changed after the
// writer read it: the versions, what changed in between (each field's value
// in the version read and now) and the record as it is now, so that the
// writer can merge instead of losing either change.
type Stale struct {
	ReadVersion    int64    `json:"read_version"`
	CurrentVersion int64    `json:"current_version"`
	Changes        []Change `json:"changes"`
	// Read and Current are the record at the version read (nil when that
	// version is no longer known) and now.
	Read    any `json:"-"`
	Current any `json:"current"`
}

// Change is one field that differs between two versions of a record.
type Change struct {
	Field   string `json:"field"`
	Read    any    `json:"read"`
	Current any    `json:"current"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Because records cause as e's cause: logged, never shown (a parser's own
// words, say, where e says what is wrong in the catalogue's).
func (e *Error) Because(cause error) *Error {
	e.Err = cause
	return e
}

// Reword gives e another kind and message.
func (e *Error) Reword(kind Kind, format string, args ...any) *Error {
	e.Kind, e.Message, e.Msg = kind, sprintf(format, args...), Msg{format, args}
	return e
}

// E builds an error of the given kind with a formatted message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: sprintf(format, args...), Msg: Msg{format, args}}
}

// sprintf is fmt.Sprintf, except that a format without arguments is the
// text itself (as Msg.String and the catalogues take it).
func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
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
	return &Error{Kind: Internal, Message: sprintf(format, args...), Msg: Msg{format, args}, Err: cause}
}

// Fields builds an Invalid error that names each bad field. The field
// messages are English text: a message id, or one formatted from a
// message id ("%q is not a number").
func Fields(message string, fields map[string]string) *Error {
	return &Error{Kind: Invalid, Message: message, Msg: Msg{Format: message}, Fields: fields}
}

// Problem is what is wrong at one place of a file: a row (the header is
// row 1), and a column of it when Column is not empty. Row 0 stands for the
// problems not listed.
type Problem struct {
	Line   int
	Column string
	Msg    Msg
}

// Key is the problem's place as Fields names it: "fila 3, columna ruc",
// "fila 3", or "…" for the problems not listed. (Fields keys are in Spanish,
// the system's default language; i18n.FieldName words them in another.)
func (p Problem) Key() string {
	switch {
	case p.Line <= 0:
		return "…"
	case p.Column == "":
		return fmt.Sprintf("fila %d", p.Line)
	}
	return fmt.Sprintf("fila %d, columna %s", p.Line, p.Column)
}

// FileProblems builds an Invalid error from the problems of a file, in file
// order; the messages of one place are joined with "; " in Fields.
func FileProblems(problems []Problem, format string, args ...any) *Error {
	e := E(Invalid, format, args...)
	e.Problems = append([]Problem(nil), problems...)
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i].Line, e.Problems[j].Line
		return a > 0 && (b <= 0 || a < b)
	})
	e.Fields = map[string]string{}
	for _, p := range e.Problems {
		key := p.Key()
		if old, ok := e.Fields[key]; ok {
			e.Fields[key] = old + "; " + p.Msg.String()
			continue
		}
		e.Fields[key] = p.Msg.String()
	}
	return e
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
