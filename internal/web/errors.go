package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"sriim/internal/errs"
	"sriim/internal/i18n"
)

var (
	errNotFound = errs.E(errs.NotFound, "no such page or resource")
	errInternal = errs.E(errs.Internal, "internal error")
)

// statusOf is the one place where error kinds become HTTP statuses.
func statusOf(k errs.Kind) int {
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

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error struct {
		Kind    errs.Kind         `json:"kind"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
		// Conflict says, for a write based on a version that is no longer
		// current, what changed since and what the record holds now.
		Conflict *errs.Stale `json:"conflict,omitempty"`
	} `json:"error"`
}

// fail answers with err: JSON for the API, a page in the visitor's language
// otherwise. Internal errors are logged with their cause and shown without it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *errs.Error
	if !errors.As(err, &e) {
		e = &errs.Error{Kind: errs.Internal, Message: "internal error", Err: err}
	}
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The visitor left before the answer was ready: nobody to answer, nothing broken.
		s.log.DebugContext(r.Context(), "request abandoned", "request_id", requestID(r), "err", err)
		return
	}
	status := statusOf(e.Kind)
	lang := langOf(r)
	if wantsJSON(r) {
		lang = apiLang(r)
	}
	message, fields := s.errorText(r, lang, e)
	if e.Kind == errs.Internal {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", requestID(r), "err", err)
		message = i18n.Message(lang, "internal error (request %s)", requestID(r))
	}
	if wantsJSON(r) {
		var body errorBody
		body.Error.Kind, body.Error.Message, body.Error.Fields, body.Error.Conflict = e.Kind, message, fields, e.Stale
		if e.Stale != nil {
			w.Header().Set("ETag", etag(e.Stale.CurrentVersion))
		}
		w.Header().Set("Content-Language", string(lang))
		writeJSON(w, status, body)
		return
	}
	s.render(w, r, status, "error.html", i18n.T(lang, "error.title"), struct {
		Kind    errs.Kind
		Message string
		Fields  map[string]string
	}{e.Kind, message, fields})
}

// errorText is e's message and fields in lang, for a page or an API
// answer. The cause of an error that is not internal is logged here, as it
// is not shown (an internal error's is logged by fail).
func (s *Server) errorText(r *http.Request, lang i18n.Lang, e *errs.Error) (string, map[string]string) {
	if e.Err != nil && e.Kind != errs.Internal {
		s.log.InfoContext(r.Context(), "refused", "request_id", requestID(r), "kind", e.Kind, "err", e)
	}
	return i18n.ErrorText(lang, e)
}

// pageError is e's message and fields in the page's language, for a form
// that shows them.
func (s *Server) pageError(r *http.Request, e *errs.Error) (string, map[string]string) {
	return s.errorText(r, langOf(r), e)
}

// apiLang is the language of the API's messages: English, unless
// Accept-Language asks for another that SRIIM speaks. (Kinds and field
// names never change.)
func apiLang(r *http.Request) i18n.Lang {
	if lang, ok := i18n.Match(r.Header.Get("Accept-Language")); ok {
		return lang
	}
	return i18n.EN
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONFor(w, nil, status, v)
}

// writeJSONFor writes v as JSON; for a GET request it carries an ETag.
func writeJSONFor(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if r == nil {
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
		return
	}
	writeWithETag(w, r, status, buf.Bytes())
}
