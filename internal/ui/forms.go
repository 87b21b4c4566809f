package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"sriim/internal/accounts"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
)

// requireLogin returns the logged-in user; otherwise it sends the visitor to
// the login page (or answers 401 to the API) and returns nil.
func (s *Server) requireLogin(w http.ResponseWriter, r *http.Request) *accounts.User {
	if u := httpkit.CurrentUser(r); u != nil {
		return u
	}
	if httpkit.WantsJSON(r) {
		s.k.Fail(w, r, errs.E(errs.Unauthenticated, "log in first"))
		return nil
	}
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, "/entrar?next="+url.QueryEscape(next), http.StatusSeeOther)
	return nil
}

// safeNext keeps only local paths, so the login form cannot send people elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/cuenta"
	}
	return next
}

// formPage is what a form template gets: the values typed and what is wrong.
type formPage struct {
	Values any
	Errors map[string]string
	Error  string
	Extra  any
	// Conflict, after a stale save, shows the stored values beside the user's.
	Conflict *conflictView
}

// formFailed re-renders a form with the problems of err when it is an
// invalid-input error, and fails otherwise.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, page, title string, values, extra any, err error) {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Invalid {
		msg, fields := s.k.PageError(r, e)
		s.render(w, r, http.StatusUnprocessableEntity, page, title, formPage{Values: values, Errors: fields, Error: msg, Extra: extra})
		return
	}
	if st := httpkit.StaleOf(err); st != nil {
		// values keep what the user typed (with the current version, set by the caller).
		s.render(w, r, http.StatusConflict, page, title, formPage{Values: values, Extra: extra, Conflict: jsonConflict(r, st, values)})
		return
	}
	s.k.Fail(w, r, err)
}
