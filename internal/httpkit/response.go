package httpkit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	WriteJSONFor(w, nil, status, v)
}

// WriteJSONFor writes v as JSON; for a GET request it carries an ETag.
func WriteJSONFor(w http.ResponseWriter, r *http.Request, status int, v any) {
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
	WriteWithETag(w, r, status, buf.Bytes())
}

// ETag is the entity tag of a record's version.
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// WriteWithETag sends a body with an ETag of its content, and answers 304
// to a GET whose If-None-Match already holds it: a slow connection does not
// download a page again that has not changed.
func WriteWithETag(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-cache")
	}
	if status == http.StatusOK && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// A single record's ETag is its version (set by its handler), which
		// PUT and DELETE take back in If-Match; others are the content's hash.
		etag := w.Header().Get("ETag")
		if etag == "" {
			sum := sha256.Sum256(body)
			etag = `"` + hex.EncodeToString(sum[:12]) + `"`
			w.Header().Set("ETag", etag)
		}
		if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteSVG serves a chart. The chart library styles with inline style
// attributes, which the pages' CSP forbids; an SVG image has no script, so
// this response alone allows inline styles.
func WriteSVG(w http.ResponseWriter, svg []byte) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(svg)
}

// WriteDownload sends body as a file to save: a PDF, a spreadsheet, a CSV.
func WriteDownload(w http.ResponseWriter, filename, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	_, _ = w.Write(body)
}
