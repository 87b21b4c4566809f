package httpkit

// Versions: every record that a form or the API edits carries a version,
// raised by one with every change. A form holds the version it was read at
// in a hidden field; the API gives it in the body and as the ETag of a
// single record, and takes it back in If-Match (or the body's "version") on
// PUT and DELETE. A write based on an older version is refused with 409 and
// what changed (errs.Stale); forms then show the user's values beside the
// stored ones.
//
// PUT replaces the whole record, so a PUT body must carry every field that
// GET always gives (a field GET leaves out when empty may be left out, and
// then means empty): a missing field is a 422 that names it, never a reset.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/errs"
)

// ifMatch reads the If-Match header: the version it names, whether it is
// present, and whether it is "*" (any version: an explicit overwrite).
func ifMatch(r *http.Request) (version int64, present, any bool, err error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	switch {
	case h == "":
		return 0, false, false, nil
	case h == "*":
		return 0, true, true, nil
	}
	v, perr := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if perr != nil || v <= 0 || !strings.HasPrefix(h, `"`) || !strings.HasSuffix(h, `"`) || len(h) < 3 {
		return 0, true, false, errs.Fields("If-Match names one version, as the record's ETag gives it", map[string]string{"If-Match": `an ETag such as "3"`})
	}
	return v, true, false, nil
}

// DeleteVersion is the version a DELETE is based on: If-Match's, or 0 (no
// check) when the request has none.
func DeleteVersion(r *http.Request) (int64, error) {
	v, _, _, err := ifMatch(r)
	return v, err
}

// DecodePut reads a PUT body into v (a pointer to a struct) and returns the
// version the write is based on: If-Match's, else the body's "version".
// Every JSON field of v that is not omitempty and not in readOnly must be
// in the body; readOnly fields (those GET gives that a PUT cannot change)
// are ignored. A version is required unless If-Match is "*" or the PUT may
// create the record (creates; then 0 means "not there yet").
func DecodePut(r *http.Request, v any, creates bool, readOnly ...string) (int64, error) {
	if Principal(r).Anonymous() {
		return 0, errs.E(errs.Unauthenticated, "log in to make changes")
	}
	match, present, _, err := ifMatch(r)
	if err != nil {
		return 0, err
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil {
		return 0, errs.E(errs.Invalid, "the request body cannot be read")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return 0, errs.E(errs.Invalid, "the request body is not a JSON object: %v", err)
	}
	missing := map[string]string{}
	for _, name := range requiredFields(reflect.TypeOf(v).Elem()) {
		if _, ok := fields[name]; !ok && !slices.Contains(readOnly, name) {
			missing[name] = "required: PUT replaces the whole record"
		}
	}
	var body struct {
		Version *int64 `json:"version"`
	}
	_ = json.Unmarshal(raw, &body)
	version := match
	if !present {
		if body.Version != nil {
			version = *body.Version
		}
		if version <= 0 && !creates {
			missing["version"] = "required: the version you read (GET gives it, and as the ETag); or send it in If-Match"
		}
	}
	if version < 0 {
		missing["version"] = "a positive version"
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(missing))
		for n := range missing {
			names = append(names, n)
		}
		sort.Strings(names)
		e := errs.E(errs.Invalid, "the request lacks %s: PUT replaces the whole record, so send every field that GET gives", strings.Join(names, ", "))
		e.Fields = missing
		return 0, e
	}
	// What GET gives but a PUT cannot change is let through and ignored, so
	// that a record read, changed and sent back is accepted as it is.
	for _, name := range append(readOnly, "version") {
		delete(fields, name)
	}
	raw, _ = json.Marshal(fields)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return version, DecodeJSON(r, v)
}

// DecodeJSON reads a JSON request body of at most 1 MiB into v, refusing
// unknown fields so that typos do not pass silently.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E(errs.Invalid, "the request body is not valid JSON for this operation: %v", err)
	}
	return nil
}

// requiredFields are the JSON names of t's fields that are not omitempty.
func requiredFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "version" || strings.Contains(","+opts+",", ",omitempty,") {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// StaleOf returns the detail of a stale write (nil for any other error).
func StaleOf(err error) *errs.Stale {
	if e, ok := err.(*errs.Error); ok && e.Kind == errs.Conflict {
		return e.Stale
	}
	return nil
}
