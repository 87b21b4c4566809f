package web

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
	"sriim/internal/i18n"
)

// versioned is an API answer about one record: its body, sent with the
// record's version as the ETag.
type versioned struct {
	body    any
	version int64
}

// etag is the entity tag of a record's version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// parseVersion reads a form's hidden version field (0 when there is none).
func parseVersion(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

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

// deleteVersion is the version a DELETE is based on: If-Match's, or 0 (no
// check) when the request has none.
func deleteVersion(r *http.Request) (int64, error) {
	v, _, _, err := ifMatch(r)
	return v, err
}

// decodePut reads a PUT body into v (a pointer to a struct) and returns the
// version the write is based on: If-Match's, else the body's "version".
// Every JSON field of v that is not omitempty and not in readOnly must be
// in the body; readOnly fields (those GET gives that a PUT cannot change)
// are ignored. A version is required unless If-Match is "*" or the PUT may
// create the record (creates; then 0 means "not there yet").
func decodePut(r *http.Request, v any, creates bool, readOnly ...string) (int64, error) {
	if principal(r).Anonymous() {
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
	return version, decodeJSON(r, v)
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

// staleOf returns the detail of a stale write (nil for any other error).
func staleOf(err error) *errs.Stale {
	if e, ok := err.(*errs.Error); ok && e.Kind == errs.Conflict {
		return e.Stale
	}
	return nil
}

// conflictView is what a form shows above the user's values after a stale
// save: each field where the stored value differs from the user's, or
// changed after the user read it, with the value then, now and the user's.
type conflictView struct {
	Lang                        i18n.Lang
	ReadKnown                   bool
	ReadVersion, CurrentVersion int64
	Rows                        []conflictRow
}

type conflictRow struct{ Field, Read, Current, Yours string }

// T translates key into the form's language.
func (c conflictView) T(key string, args ...any) string { return i18n.T(c.Lang, key, args...) }

// newConflict lays out a stale save for a form whose fields are columns,
// from the record's cells as read (nil when unknown), as stored now and as
// the user sent them.
func newConflict(r *http.Request, st *errs.Stale, columns []string, read, current, yours map[string]string) *conflictView {
	c := &conflictView{Lang: langOf(r), ReadKnown: read != nil, ReadVersion: st.ReadVersion, CurrentVersion: st.CurrentVersion}
	for _, col := range columns {
		if current[col] != yours[col] || (read != nil && read[col] != current[col]) {
			label := col // the template's column name, unless the interface has a label for it
			if key := "column." + col; i18n.T(c.Lang, key) != key {
				label = i18n.T(c.Lang, key)
			}
			c.Rows = append(c.Rows, conflictRow{Field: label, Read: read[col], Current: current[col], Yours: yours[col]})
		}
	}
	return c
}

// jsonCells are a record's JSON fields as text, for forms whose fields are
// named as the API's.
func jsonCells(v any) map[string]string {
	if v == nil {
		return nil
	}
	var m map[string]json.RawMessage
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &m)
	out := map[string]string{}
	for k, raw := range m {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out[k] = s
		} else {
			out[k] = string(raw)
		}
	}
	return out
}

// jsonConflict lays out a stale save of a form whose fields are named as the
// JSON fields of values (the user's input).
func jsonConflict(r *http.Request, st *errs.Stale, values any) *conflictView {
	var columns []string
	t := reflect.TypeOf(values)
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && name != "version" && name != "password" {
			columns = append(columns, name)
		}
	}
	return newConflict(r, st, columns, jsonCells(st.Read), jsonCells(st.Current), jsonCells(values))
}
