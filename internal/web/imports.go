package web

import (
	"context"
	"errors"
	"io"
	"net/http"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// importKind is one module's spreadsheet import, as its page offers it.
type importKind struct {
	Base  string // the module's path: its import page is Base/importar, its template Base/plantilla.xlsx
	Title string // i18n keys
	Lead  string
	Back  string
	run   func(ctx context.Context, p auth.Principal, r io.Reader, filename string) (importResult, error)
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

// importRoutes registers the import page and its upload for a module.
func (s *Server) importRoutes(mux *http.ServeMux, k importKind) {
	mux.HandleFunc("GET "+k.Base+"/importar", func(w http.ResponseWriter, r *http.Request) {
		if s.requireLogin(w, r) == nil {
			return
		}
		s.render(w, r, http.StatusOK, "import.html", i18n.T(langOf(r), k.Title), importView{Kind: k})
	})
	mux.HandleFunc("POST "+k.Base+"/importar", func(w http.ResponseWriter, r *http.Request) {
		if s.requireLogin(w, r) == nil {
			return
		}
		title := i18n.T(langOf(r), k.Title)
		file, hdr, err := r.FormFile("archivo")
		if err != nil {
			s.render(w, r, http.StatusUnprocessableEntity, "import.html", title, importView{Kind: k, Error: i18n.T(langOf(r), "import.nofile")})
			return
		}
		defer file.Close()
		res, err := k.run(r.Context(), principal(r), file, hdr.Filename)
		var e *errs.Error
		switch {
		case err == nil:
			s.render(w, r, http.StatusOK, "import.html", title, importView{Kind: k, Result: &res})
		case errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.Forbidden || e.Kind == errs.TooLarge):
			s.render(w, r, statusOf(e.Kind), "import.html", title, importView{Kind: k, Error: e.Message, Fields: e.Fields})
		default:
			s.fail(w, r, err)
		}
	})
}
