package ui

import (
	"context"
	"errors"
	"io"
	"net/http"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/importer"
)

// importKind is one module's spreadsheet import, as its page offers it.
type importKind struct {
	Base  string // the module's path: its import page is Base/importar, its template Base/plantilla.xlsx
	Title string // i18n keys
	Lead  string
	Back  string
	// can says who may import here: the page and its upload refuse the others.
	can func(p auth.Principal) bool
	run func(ctx context.Context, p auth.Principal, r io.Reader, filename string) (importResult, error)
}

// importResult is what every module's import reports.
type importResult struct {
	Rows, Created, Updated, Unchanged int
	Warnings                          []string
	Encoding                          string // a CSV file's, when it was not UTF-8
}

type importView struct {
	Kind   importKind
	Result *importResult
	Error  string
	Fields map[string]string
}

// mayImport reports whether the request's user may import this kind of
// file; otherwise it has answered (the login page, or forbidden).
func (s *Server) mayImport(w http.ResponseWriter, r *http.Request, k importKind) bool {
	if s.requireLogin(w, r) == nil {
		return false
	}
	if !k.can(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not import these records"))
		return false
	}
	return true
}

// importRoutes registers the import page and its upload for a module.
func (s *Server) importRoutes(mux *httpkit.Kernel, k importKind) {
	mux.HandleFunc("GET "+k.Base+"/importar", func(w http.ResponseWriter, r *http.Request) {
		if !s.mayImport(w, r, k) {
			return
		}
		s.render(w, r, http.StatusOK, "import.html", i18n.T(httpkit.Lang(r), k.Title), importView{Kind: k})
	})
	mux.HandleFunc("POST "+k.Base+"/importar", func(w http.ResponseWriter, r *http.Request) {
		if !s.mayImport(w, r, k) {
			return
		}
		title := i18n.T(httpkit.Lang(r), k.Title)
		file, hdr, err := r.FormFile("archivo")
		if err != nil {
			s.render(w, r, http.StatusUnprocessableEntity, "import.html", title, importView{Kind: k, Error: i18n.T(httpkit.Lang(r), "import.nofile")})
			return
		}
		defer file.Close()
		res, err := k.run(r.Context(), httpkit.Principal(r), file, hdr.Filename)
		var e *errs.Error
		switch {
		case err == nil:
			for i, w := range res.Warnings {
				res.Warnings[i] = i18n.Text(httpkit.Lang(r), w)
			}
			s.render(w, r, http.StatusOK, "import.html", title, importView{Kind: k, Result: &res})
		case errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.Forbidden || e.Kind == errs.TooLarge):
			msg, fields := s.k.PageError(r, e)
			s.render(w, r, httpkit.StatusOf(e.Kind), "import.html", title, importView{Kind: k, Error: msg, Fields: fields})
		default:
			s.k.Fail(w, r, err)
		}
	}, httpkit.Upload(importer.MaxBytes, k.can))
}
