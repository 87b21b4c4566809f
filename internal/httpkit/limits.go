package httpkit

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
)

// Every request body is bounded before anything reads it, and nobody reads
// an anonymous visitor's body but the few public forms: one request cannot
// fill the memory or the disk, nor make the server parse what it will refuse.
const (
	// formBodyLimit bounds every request body but an upload's.
	formBodyLimit = 1 << 20
	// MultipartMemory is how much of a multipart form stays in memory; the
	// rest goes to temporary files, removed when the request ends.
	MultipartMemory = 1 << 20
	// formSlack is room for an upload form's other fields and boundaries
	// beside its file.
	formSlack = 64 << 10
)

// upload is what a route registered with Upload takes.
type upload struct {
	max int64
	may func(auth.Principal) bool
}

func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions || method == http.MethodTrace
}

// guardBodies answers an anonymous write with 401 (and a write to an upload
// route by someone who may not upload with 403) before anything reads the
// body or looks anything up; bounds every body (uploads to their route's
// limit); and reads a page's form itself, so that the CSRF check and the
// handler share it and its temporary files go when the request ends.
func (k *Kernel) guardBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			r.Body = &limitedBody{http.MaxBytesReader(w, r.Body, formBodyLimit), formBodyLimit}
			next.ServeHTTP(w, r)
			return
		}
		rt := k.routes[k.Route(r)]
		p := Principal(r)
		limit, slack := int64(formBodyLimit), int64(0)
		if p.Anonymous() {
			if !rt.public {
				k.Fail(w, r, errs.E(errs.Unauthenticated, "log in first"))
				return
			}
		} else if u := rt.upload; u != nil {
			if u.may != nil && !u.may(p) {
				k.Fail(w, r, errs.E(errs.Forbidden, "you may not upload files here"))
				return
			}
			limit, slack = min(u.max, k.maxUpload), formSlack
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
			err = r.ParseMultipartForm(MultipartMemory)
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
			k.Fail(w, r, err)
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
		err = errs.E(errs.TooLarge, "what was sent is larger than the limit of %s", ByteSize(b.limit))
	}
	return n, err
}

// ByteSize writes a size for people: "1 MiB", "32 MiB", "2 GiB".
func ByteSize(n int64) string {
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
