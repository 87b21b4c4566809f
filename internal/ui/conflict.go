package ui

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
)

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
	c := &conflictView{Lang: httpkit.Lang(r), ReadKnown: read != nil, ReadVersion: st.ReadVersion, CurrentVersion: st.CurrentVersion}
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
