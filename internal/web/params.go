package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/number"
)

// listParam reads a list the way every page and API call may give one:
// repeated (?a=1&a=2), comma-separated (?a=1,2) or both. Empty items and
// "*" (any) are dropped.
func listParam(q url.Values, name string) []string {
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

// intListParam reads a list of whole numbers (see listParam), at most max.
func intListParam(q url.Values, name string, max int) ([]int, error) {
	items := listParam(q, name)
	if len(items) > max {
		return nil, errs.Fields("too many values", map[string]string{name: fmt.Sprintf("at most %d", max)})
	}
	out := make([]int, len(items))
	for i, item := range items {
		n, err := strconv.Atoi(item)
		if err != nil {
			return nil, errs.Fields("invalid parameter", map[string]string{name: "whole numbers, comma-separated or repeated"})
		}
		out[i] = n
	}
	return out, nil
}

// intParam reads a whole number, def when absent.
func intParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errs.Fields("invalid parameter", map[string]string{name: msgWhole})
	}
	return n, nil
}

// formNumber reads a form's number field (nil when empty) with the one
// parser every form uses (number.Parse: "2,5", "2.5", "1.234,5", "1,234.5").
func formNumber(r *http.Request, name string) (*float64, error) {
	raw := strings.TrimSpace(r.PostFormValue(name))
	if raw == "" {
		return nil, nil
	}
	f, err := number.Parse(raw)
	if err != nil {
		return nil, errs.Fields("invalid number", map[string]string{name: number.Hint})
	}
	return &f, nil
}
