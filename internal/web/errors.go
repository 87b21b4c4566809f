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
	message := e.Message
	if e.Kind == errs.Internal {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", requestID(r), "err", err)
		message = "internal error (request " + requestID(r) + ")"
	}
	if wantsJSON(r) {
		var body errorBody
		body.Error.Kind, body.Error.Message, body.Error.Fields = e.Kind, message, e.Fields
		writeJSON(w, status, body)
		return
	}
	s.render(w, r, status, "error.html", i18n.T(langOf(r), "error.title"), struct {
		Kind    errs.Kind
		Message string
		Fields  map[string]string
	}{e.Kind, message, e.Fields})
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
