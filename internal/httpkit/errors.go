package httpkit

import (
	"errors"
	"net/http"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/i18n"
)

var (
	// ErrNotFound answers an address that no route or record has.
	ErrNotFound = errs.E(errs.NotFound, "no such page or resource")
	errInternal = errs.E(errs.Internal, "internal error")
)

// StatusOf is the one place where error kinds become HTTP statuses.
func StatusOf(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Conflict:
		return http.StatusConflict
	case errs.TooManyRequests:
		return http.StatusTooManyRequests
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error struct {
		Kind    errs.Kind         `json:"kind"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
		// Conflict says, for a write based on a version that is no longer
		// current, what changed since and what the record holds now.
		Conflict *errs.Stale `json:"conflict,omitempty"`
	} `json:"error"`
}

// ErrorPage shows an error as a page, with its message and field messages
// already in the page's language (internal/ui gives the kernel its own).
type ErrorPage func(w http.ResponseWriter, r *http.Request, status int, kind errs.Kind, message string, fields map[string]string)

// SetErrorPage says how Fail shows an error to a browser; without one, it
// answers plain text.
func (k *Kernel) SetErrorPage(p ErrorPage) { k.errorPage = p }

// Fail answers with err: JSON for the API, a page in the visitor's language
// otherwise. Internal errors are logged with their cause and shown without it.
func (k *Kernel) Fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *errs.Error
	if !errors.As(err, &e) {
		e = &errs.Error{Kind: errs.Internal, Message: "internal error", Err: err}
	}
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The visitor left before the answer was ready: nobody to answer, nothing broken.
		k.log.DebugContext(r.Context(), "request abandoned", "request_id", RequestID(r), "err", err)
		return
	}
	status := StatusOf(e.Kind)
	lang := Lang(r)
	if WantsJSON(r) {
		lang = APILang(r)
	}
	message, fields := k.ErrorText(r, lang, e)
	if e.Kind == errs.Internal {
		k.log.ErrorContext(r.Context(), "internal error", "request_id", RequestID(r), "err", err)
		message = i18n.Message(lang, "internal error (request %s)", RequestID(r))
	}
	switch {
	case WantsJSON(r):
		var body ErrorBody
		body.Error.Kind, body.Error.Message, body.Error.Fields, body.Error.Conflict = e.Kind, message, fields, e.Stale
		if e.Stale != nil {
			w.Header().Set("ETag", ETag(e.Stale.CurrentVersion))
		}
		w.Header().Set("Content-Language", string(lang))
		WriteJSON(w, status, body)
	case k.errorPage != nil:
		k.errorPage(w, r, status, e.Kind, message, fields)
	default:
		http.Error(w, message, status)
	}
}

// ErrorText is e's message and fields in lang, for a page or an API
// answer. The cause of an error that is not internal is logged here, as it
// is not shown (an internal error's is logged by Fail).
func (k *Kernel) ErrorText(r *http.Request, lang i18n.Lang, e *errs.Error) (string, map[string]string) {
	if e.Err != nil && e.Kind != errs.Internal {
		k.log.InfoContext(r.Context(), "refused", "request_id", RequestID(r), "kind", e.Kind, "err", e)
	}
	return i18n.ErrorText(lang, e)
}

// PageError is e's message and fields in the page's language, for a form
// that shows them.
func (k *Kernel) PageError(r *http.Request, e *errs.Error) (string, map[string]string) {
	return k.ErrorText(r, Lang(r), e)
}

// WantsJSON reports whether the caller should get a JSON error, not a page.
func WantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}
