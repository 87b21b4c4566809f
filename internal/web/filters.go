package web

import (
	"errors"
	"net/http"
	"net/url"

	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// What the filter readers say of a value they cannot use. The API gives
// these as they are; a page says them in its language (filterMessages).
const (
	msgYear   = "a year between 1900 and 2100"
	msgWhole  = "a whole number"
	msgYears  = "from ≤ to, at most 60 years"
	msgLine   = "see /api/v1/markets/product-lines"
	msgHS     = "HS codes of 2 to 10 digits, comma-separated"
	msgChoice = "one of the list's values"
	msgDate   = "a date as YYYY-MM-DD"
	msgUser   = "a user id"
)

// filterMessages are the catalogue keys of the filter readers' messages.
var filterMessages = map[string]string{msgYear: "filter.year", msgWhole: "filter.whole", msgYears: "filter.years",
	msgLine: "filter.line", msgHS: "filter.hs", msgChoice: "filter.choice", msgDate: "filter.date", msgUser: "filter.user"}

// readFilters reads a page's filters with read. When some of their values
// are invalid it reads them again without those, so that the page shows
// what the others select, and returns the problems by field, in the page's
// language, for the form to show by its fields. Any other error is returned.
func readFilters[T any](r *http.Request, read func(url.Values) (T, error)) (T, map[string]string, error) {
	q := r.URL.Query()
	problems := map[string]string{}
	for {
		v, err := read(q)
		var e *errs.Error
		if err == nil || !errors.As(err, &e) || e.Kind != errs.Invalid || len(e.Fields) == 0 {
			if err != nil || len(problems) == 0 {
				return v, nil, err
			}
			return v, localizeProblems(langOf(r), problems), nil
		}
		// Leaving a value out can make another one invalid ("from" after "to"):
		// again, until what is left reads, or nothing is.
		left := len(q)
		for field, msg := range e.Fields {
			problems[field] = msg
			q.Del(field)
		}
		if len(q) == left {
			return v, nil, err
		}
	}
}

// localizeProblems says filter problems in lang.
func localizeProblems(lang i18n.Lang, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for field, msg := range fields {
		if key, ok := filterMessages[msg]; ok {
			msg = i18n.T(lang, key)
		}
		out[field] = msg
	}
	return out
}

// renderFiltered renders a page with a filter form: with problems, the form
// shows each by its field and the answer is 422, the page's results leaving
// the invalid values out.
func (s *Server) renderFiltered(w http.ResponseWriter, r *http.Request, page string, p Page, problems map[string]string) {
	status := http.StatusOK
	if len(problems) > 0 {
		status, p.Invalid = http.StatusUnprocessableEntity, problems
	}
	s.renderPage(w, r, status, page, p)
}
