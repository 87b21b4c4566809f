package web

import (
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strings"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/importer"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/trade"
)

// Every request body is bounded before anything reads it, and nobody reads
// an anonymous visitor's body but the few public forms: one request cannot
// fill the memory or the disk, nor make the server parse what it will refuse.
const (
	// formBodyLimit bounds every request body but an upload's.
	formBodyLimit = 1 << 20
	// multipartMemory is how much of a multipart form stays in memory; the
	// rest goes to temporary files, removed when the request ends.
	multipartMemory = 1 << 20
	// formSlack is room for an upload form's other fields and boundaries
	// beside its file.
	formSlack = 64 << 10
)

// publicWrites are the only unsafe routes an anonymous visitor may use:
// logging in and out, the password reset and the contact form. (The
// language is chosen with ?lang=, a GET.)
var publicWrites = map[string]bool{
	"POST /entrar":                            true,
	"POST /salir":                             true,
	"POST /clave/olvido":                      true,
	"POST /clave/restablecer":                 true,
	"POST /oferta/exportadores/{id}/contacto": true,
	"POST /red":                               true, // subscribing to the information network needs no account
	"POST /red/baja":                          true, // nor unsubscribing, by a mail's link or its client's one click (RFC 8058)
}

// upload is a route that takes a file of at most max bytes (and never more
// than the configured --max-upload) from a logged-in user that may send it
// (may nil: anyone logged in; the module still checks each record).
type upload struct {
	max int64
	may func(auth.Principal) bool
}

// uploads are the routes that get more than formBodyLimit.
var uploads = map[string]upload{
	"POST /actores/importar":                       {max: importer.MaxBytes},
	"POST /api/v1/actors/import":                   {max: importer.MaxBytes},
	"POST /produccion/importar":                    {max: importer.MaxBytes, may: production.CanCreate},
	"POST /api/v1/production/import":               {max: importer.MaxBytes, may: production.CanCreate},
	"POST /plan/importar":                          {max: planning.MaxFileBytes, may: mayImportPlan},
	"POST /plan-reportes/{rid}/evidencias":         {max: planning.MaxEvidenceBytes},
	"POST /api/v1/reports/{rid}/evidence":          {max: planning.MaxEvidenceBytes},
	"POST /oferta/productos-exportador/{pid}/foto": {max: offer.MaxPhotoBytes},
	"POST /mercados/importar":                      {max: math.MaxInt64, may: trade.CanImport},
	"POST /api/v1/markets/imports":                 {max: math.MaxInt64, may: trade.CanImport},
	"POST /archivo":                                {max: 4 * archive.MaxFileBytes, may: mayWriteDocuments},
	"POST /archivo/{id}/archivos":                  {max: archive.MaxFileBytes, may: mayWriteDocuments},
	"POST /archivo/importar":                       {max: math.MaxInt64, may: mayWriteDocuments},
	"POST /api/v1/documents/{id}/files":            {max: archive.MaxFileBytes, may: mayWriteDocuments},
	"POST /noticias/{id}/fotos":                    {max: archive.MaxPhotoBytes, may: mayWriteDocuments},
}

func mayImportPlan(p auth.Principal) bool { return auth.Can(p, auth.Owner{AdminOnly: true}) }

func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions || method == http.MethodTrace
}

// guardBodies answers an anonymous write with 401 (and a write to an upload
// route by someone who may not upload with 403) before anything reads the
// body or looks anything up; bounds every body (uploads to their route's
// limit); and reads a page's form itself, so that the CSRF check and the
// handler share it and its temporary files go when the request ends.
func (s *Server) guardBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			r.Body = &limitedBody{http.MaxBytesReader(w, r.Body, formBodyLimit), formBodyLimit}
			next.ServeHTTP(w, r)
			return
		}
		_, route := s.mux.Handler(r)
		p := principal(r)
		limit, slack := int64(formBodyLimit), int64(0)
		if p.Anonymous() {
			if !publicWrites[route] {
				s.fail(w, r, errs.E(errs.Unauthenticated, "log in first"))
				return
			}
		} else if u, ok := uploads[route]; ok {
			if u.may != nil && !u.may(p) {
				s.fail(w, r, errs.E(errs.Forbidden, "you may not upload files here"))
				return
			}
			limit, slack = min(u.max, s.maxUpload), formSlack
		}
		// The API takes JSON or a file as the body, whatever a client calls
		// it (curl says "application/x-www-form-urlencoded"); pages take forms.
		form, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if strings.HasPrefix(r.URL.Path, "/api/") {
			form = ""
		}
		if form == "application/x-www-form-urlencoded" {
			limit, slack = formBodyLimit, 0 // read into memory whole: only a file needs more
		}
		r.Body = &limitedBody{http.MaxBytesReader(w, r.Body, limit+slack), limit}
		// A form read further in (gorilla/csrf reads it for the token) would
		// be read on a copy of the request, whose temporary files nobody
		// removes; and a handler that ignores a form's error would go on
		// without its fields. So forms are read here, once.
		var err error
		switch form {
		case "multipart/form-data":
			err = r.ParseMultipartForm(multipartMemory)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
		case "application/x-www-form-urlencoded":
			err = r.ParseForm()
		}
		if err != nil {
			if !errs.Is(err, errs.TooLarge) {
				err = errs.E(errs.Invalid, "the form cannot be read").Because(err)
			}
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitedBody is a request body cut after its limit (and some slack for
// a form's other fields); reading past the cut fails with a TooLarge error
// that names the limit.
type limitedBody struct {
	io.ReadCloser       // an http.MaxBytesReader, which also has the server close the connection
	limit         int64 // as announced
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = errs.E(errs.TooLarge, "what was sent is larger than the limit of %s", byteSize(b.limit))
	}
	return n, err
}

// byteSize writes a size for people: "1 MiB", "32 MiB", "2 GiB".
func byteSize(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.name)
			}
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
