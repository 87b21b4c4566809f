package httpkit

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sriim/internal/errs"
)

// What the readers say of a value they cannot use, in English: the API
// gives these as they are, a page says them in its language (ui's filter
// messages). Each is a message id of the catalogues.
const (
	MsgYear  = "a year between 1900 and 2100"
	MsgWhole = "a whole number"
	MsgDate  = "a date as YYYY-MM-DD"
	msgInts  = "whole numbers, comma-separated or repeated"
)

// List reads a list the way every page and API call may give one:
// repeated (?a=1&a=2), comma-separated (?a=1,2) or both. Empty items and
// "*" (any) are dropped.
func List(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" && part != "*" {
				out = append(out, part)
			}
		}
	}
	return out
}

// IntList reads a list of whole numbers (see List), at most max.
func IntList(q url.Values, name string, max int) ([]int, error) {
	items := List(q, name)
	if len(items) > max {
		return nil, errs.Fields("too many values", map[string]string{name: fmt.Sprintf("at most %d", max)})
	}
	out := make([]int, len(items))
	for i, item := range items {
		n, err := strconv.Atoi(item)
		if err != nil {
			return nil, errs.Fields("invalid parameter", map[string]string{name: msgInts})
		}
		out[i] = n
	}
	return out, nil
}

// Int reads a whole number, def when absent.
func Int(q url.Values, name string, def int) (int, error) {
	f := NewForm(q)
	n := f.Int(name, def)
	return n, f.Err("invalid parameter")
}

// PathID reads a record's ID from the path parameter name: a positive
// whole number, else the record is not found.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "no such record")
	}
	return id, nil
}

// PathYear reads a year from the path parameter name, else the year is
// not found.
func PathYear(r *http.Request, name string) (int, error) {
	y, err := strconv.Atoi(r.PathValue(name))
	if err != nil {
		return 0, errs.E(errs.NotFound, "no such year")
	}
	return y, nil
}

// QueryYear is the first of the named parameters that holds a year between
// 1900 and 2100 (a page's "anio", the API's "year"); ok is false when none does.
func QueryYear(q url.Values, names ...string) (year int, ok bool) {
	for _, name := range names {
		if y := NewForm(q).Year(name); y != 0 {
			return y, true
		}
	}
	return 0, false
}
