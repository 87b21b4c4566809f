package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/portal"
)

// backgroundImport is a module's import of large files (trade statistics,
// export declarations) that goes on after its request: the browser is sent
// to the batch's page, which follows it. The trade and the exports pages
// share its handlers.
type backgroundImport struct {
	log     string // names the import in the log
	can     func(auth.Principal) bool
	refused error  // what a signed-in user who may not import is told
	form    string // the upload form's template
	title   string // the upload form's title key
	page    string // the batch's page, a format of its ID
	// start records the batch of the request's file (named filename) and
	// returns its ID and the import that fills it from the file.
	start func(r *http.Request, p auth.Principal, filename string) (int64, func(context.Context, io.Reader) error, error)
}

// mayStartImport reports whether the request's user may use imp; otherwise it
// has answered (the login page, or forbidden).
func (s *Server) mayStartImport(w http.ResponseWriter, r *http.Request, imp backgroundImport) bool {
	if s.requireLogin(w, r) == nil {
		return false
	}
	if !imp.can(httpkit.Principal(r)) {
		s.k.Fail(w, r, imp.refused)
		return false
	}
	return true
}

// importForm is imp's upload form.
func (s *Server) importForm(imp backgroundImport) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.mayStartImport(w, r, imp) {
			s.render(w, r, http.StatusOK, imp.form, i18n.T(httpkit.Lang(r), imp.title), nil)
		}
	}
}

// startImport starts imp in the background on the uploaded file (field
// archivo) and sends the browser to its batch's page. A large upload waits
// in a temporary file, which guardBodies removes when the request ends:
// the import's open handle keeps reading it until the import closes it.
func (s *Server) startImport(imp backgroundImport) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.mayStartImport(w, r, imp) {
			return
		}
		file, hdr, err := r.FormFile("archivo")
		if err != nil {
			s.k.Fail(w, r, errs.Fields("choose a file", map[string]string{"archivo": "required"}))
			return
		}
		id, run, err := imp.start(r, httpkit.Principal(r), filepath.Base(hdr.Filename))
		if err != nil {
			file.Close()
			s.k.Fail(w, r, err)
			return
		}
		go func() {
			defer file.Close()
			if err := run(context.Background(), file); err != nil {
				s.Logger.Info(imp.log+" import failed", "batch", id, "err", err)
			}
		}()
		http.Redirect(w, r, fmt.Sprintf(imp.page, id), http.StatusSeeOther)
	}
}

// followBatch readies a batch's page for r's visitor, given the batch's
// state and its error and author as stored: its author as the visitor may
// see it, a reload every two seconds while it runs (no script needed), and
// a failure's message and problems in the page's language.
func followBatch(w http.ResponseWriter, r *http.Request, state string, errText, createdBy *string) (problems []string) {
	*createdBy = portal.PersonShown(httpkit.Principal(r), *createdBy)
	if state == "running" {
		w.Header().Set("Refresh", "2")
	}
	if state == "failed" {
		*errText, problems = batchError(httpkit.Lang(r), *errText)
	}
	return problems
}

// batchError is a failed import's stored error in lang: its message, and
// each problem ("fila 5, columna X: what") on a line of its own.
func batchError(lang i18n.Lang, stored string) (string, []string) {
	lines := strings.Split(stored, "\n")
	problems := lines[1:]
	for i, p := range problems {
		if where, what, ok := strings.Cut(p, ": "); ok {
			problems[i] = i18n.FieldName(lang, where) + ": " + i18n.Text(lang, what)
		}
	}
	return i18n.Text(lang, lines[0]), problems
}
