package ui

import (
	"errors"
	"net/http"
	"net/url"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/query"
)

// msgChoice is what a page's filter says of a value that is not among its
// form's choices (the API's own filters accept any value).
const msgChoice = "one of the list's values"

// filterMessages are the catalogue keys of the filter readers' messages.
var filterMessages = map[string]string{httpkit.MsgYear: "filter.year", httpkit.MsgWhole: "filter.whole", query.MsgYears: "filter.years",
	query.MsgLine: "filter.line", query.MsgHS: "filter.hs", msgChoice: "filter.choice", httpkit.MsgDate: "filter.date", query.MsgUser: "filter.user"}

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
			return v, localizeProblems(httpkit.Lang(r), problems), nil
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
