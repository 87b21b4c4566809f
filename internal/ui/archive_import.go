package ui

import (
	"errors"
	"io/fs"
	"math"
	"mime/multipart"
	"net/http"
	"path"
	"time"

	"sriim/internal/archive"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
)

// The archive's batch import from the web: a metadata file (CSV or XLSX,
// archive.ImportColumns) and the files its rows name, sent together; all
// or nothing, with the problems by row and column.
func (s *Server) archiveImportRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /archivo/importar", s.archiveImportPage)
	mux.HandleFunc("POST /archivo/importar", s.archiveImport, httpkit.Upload(math.MaxInt64, archive.CanAdd))
}

type archiveImportView struct {
	Columns []string
	Result  *archive.ImportReport
	Error   string
	Fields  map[string]string
}

func (s *Server) archiveImportPage(w http.ResponseWriter, r *http.Request) {
	if !s.mayWriteDocuments(w, r) {
		return
	}
	s.render(w, r, http.StatusOK, "archive_import.html", i18n.T(httpkit.Lang(r), "archive.import"), archiveImportView{Columns: archive.ImportColumns})
}

func (s *Server) archiveImport(w http.ResponseWriter, r *http.Request) {
	if !s.mayWriteDocuments(w, r) {
		return
	}
	title := i18n.T(httpkit.Lang(r), "archive.import")
	v := archiveImportView{Columns: archive.ImportColumns}
	metadata, hdr, err := r.FormFile("metadata")
	if err != nil {
		v.Error = i18n.T(httpkit.Lang(r), "import.nofile")
		s.render(w, r, http.StatusUnprocessableEntity, "archive_import.html", title, v)
		return
	}
	defer metadata.Close()
	files := uploadedFS{}
	if r.MultipartForm != nil {
		for _, h := range r.MultipartForm.File["files"] {
			files[path.Base(h.Filename)] = h
		}
	}
	rep, err := s.Archive.Import(r.Context(), httpkit.Principal(r), metadata, hdr.Filename, files)
	var e *errs.Error
	switch {
	case err == nil:
		v.Result = &rep
		s.render(w, r, http.StatusOK, "archive_import.html", title, v)
	case errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.Forbidden || e.Kind == errs.TooLarge):
		v.Error, v.Fields = s.k.PageError(r, e)
		s.render(w, r, httpkit.StatusOf(e.Kind), "archive_import.html", title, v)
	default:
		s.k.Fail(w, r, err)
	}
}

// uploadedFS is the files a form sent, by name, as the folder an import's
// rows name their files in. A browser sends no folders: a row's
// "carpeta/informe.pdf" is the file sent as informe.pdf.
type uploadedFS map[string]*multipart.FileHeader

func (u uploadedFS) Open(name string) (fs.File, error) {
	h, ok := u[path.Base(name)]
	if !fs.ValidPath(name) || !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := h.Open()
	if err != nil {
		return nil, err
	}
	return uploadedFile{f, h}, nil
}

type uploadedFile struct {
	multipart.File
	h *multipart.FileHeader
}

func (f uploadedFile) Stat() (fs.FileInfo, error) { return uploadedInfo{f.h}, nil }

type uploadedInfo struct{ h *multipart.FileHeader }

func (i uploadedInfo) Name() string       { return path.Base(i.h.Filename) }
func (i uploadedInfo) Size() int64        { return i.h.Size }
func (i uploadedInfo) Mode() fs.FileMode  { return 0o444 }
func (i uploadedInfo) ModTime() time.Time { return time.Time{} }
func (i uploadedInfo) IsDir() bool        { return false }
func (i uploadedInfo) Sys() any           { return nil }
