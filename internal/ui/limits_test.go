package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"sriim/internal/api"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
)

// unsafeRoutes lists every route that takes a body: the API's (from the
// OpenAPI document, which TestEveryAPIRouteIsDocumented keeps complete), the
// pages' (from this package's source) and the module import pages.
func unsafeRoutes(t *testing.T) []string {
	t.Helper()
	doc, err := api.OpenAPI("test")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{"POST /actores/importar": true, "POST /produccion/importar": true}
	for path, ops := range spec.Paths {
		for method := range ops {
			if m := strings.ToUpper(method); m != "GET" && m != "PARAMETERS" {
				seen[m+" /api/v1"+path] = true
			}
		}
	}
	files, _ := filepath.Glob("*.go")
	route := regexp.MustCompile(`"((?:POST|PUT|DELETE|PATCH) /[^"]*)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
		}
	}
	var out []string
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	if len(out) < 40 {
		t.Fatalf("found only %d routes that take a body: %v", len(out), out)
	}
	return out
}

// requestFor is a request that matches a route pattern, with 0 for each
// path parameter (no record has it).
func requestFor(route string, body io.Reader) *http.Request {
	method, path, _ := strings.Cut(route, " ")
	path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "0")
	return httptest.NewRequest(method, path, body)
}

// countingReader is a body of n bytes that counts what the server read of it.
type countingReader struct {
	n, read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	m := int(min(int64(len(p)), c.n-c.read))
	for i := range p[:m] {
		p[i] = ' '
	}
	c.read += int64(m)
	return m, nil
}

func TestAnonymousWritesAreRefusedBeforeAnything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		s := site.srv
		before := site.auditCount()
		routes := unsafeRoutes(t)
		publicWrites := s.k.PublicRoutes()
		for _, route := range append(routes, "POST /no-such-page", http.MethodPut+" /api/v1/no-such-thing") {
			if slices.Contains(publicWrites, route) {
				continue
			}
			for _, accept := range []string{"application/json", "text/html"} {
				// A body that every handler would refuse, and large: it must not be read.
				body := &countingReader{n: 300 << 20}
				req := requestFor(route, io.MultiReader(strings.NewReader(`{"id":"x",`), body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", accept)
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != http.StatusUnauthorized || body.read > 0 {
					t.Errorf("anonymous %s (%s): %d, %d bytes of the body read: %.200s", route, accept, rec.Code, body.read, rec.Body)
				}
			}
		}
		if site.auditCount() != before {
			t.Fatal("an anonymous write changed something")
		}
		// The routes the guard names are real routes.
		for _, route := range publicWrites {
			if pattern := s.k.Route(requestFor(route, nil)); pattern != route {
				t.Errorf("public write %q matches route %q", route, pattern)
			}
		}
		for _, route := range s.k.UploadRoutes() {
			if pattern := s.k.Route(requestFor(route, nil)); pattern != route {
				t.Errorf("upload %q matches route %q", route, pattern)
			}
		}
	})
}

func TestUploadsNeedPermissionBeforeTheirBodyIsRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		for _, tt := range []struct {
			as, route string
			status    int
			maxRead   int64
		}{
			{"member", "POST /plan/importar", http.StatusForbidden, 0},
			{"member", "POST /api/v1/markets/imports", http.StatusForbidden, 0},
			{"member", "POST /api/v1/production/import", http.StatusForbidden, 0},
			// A 300 MB plan from an administrator is cut at the plan's limit.
			{"admin", "POST /plan/importar", http.StatusRequestEntityTooLarge, 5 << 20},
			// Routes that take no file take no more than a form.
			{"admin", "POST /api/v1/institutions", http.StatusUnprocessableEntity, 2 << 20},
			{"admin", "POST /mercados/informes", http.StatusRequestEntityTooLarge, 2 << 20},
		} {
			body := &countingReader{n: 300 << 20}
			req := requestFor(tt.route, body)
			req.Header.Set("Authorization", "Bearer "+site.tokens[tt.as])
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if strings.Contains(tt.route, "/api/") {
				req.Header.Set("Content-Type", "application/json")
			} else if strings.HasSuffix(tt.route, "importar") {
				req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
				req.Body = io.NopCloser(io.MultiReader(strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"p.json\"\r\n\r\n"), body))
			}
			rec := httptest.NewRecorder()
			site.srv.ServeHTTP(rec, req)
			if rec.Code != tt.status || body.read > tt.maxRead {
				t.Errorf("%s %s: %d after reading %d bytes, want %d after at most %d: %.300s", tt.as, tt.route, rec.Code, body.read, tt.status, tt.maxRead, rec.Body)
			}
		}
	})
}

func TestFormsAreReadOnlyOnPages(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	// An upload page given a form without a file gets no more than a form.
	body := &countingReader{n: 300 << 20}
	req := httptest.NewRequest("POST", "/mercados/importar", body)
	req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	site.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || body.read > 2<<20 {
		t.Fatalf("a 300 MB form to an upload page: %d after reading %d bytes", rec.Code, body.read)
	}
	// The API reads its bodies as JSON or files, whatever their declared type (curl's default is a form's).
	req = httptest.NewRequest("POST", "/api/v1/tokens", strings.NewReader(`{"name": "nightly"}`))
	req.Header.Set("Authorization", "Bearer "+site.tokens["editor"])
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	site.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("JSON sent as a form to the API: %d %s", rec.Code, rec.Body)
	}
}

func TestUploadLimitIsConfigured(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	site.srv.k.Configure(func(o *httpkit.Options) { o.MaxUpload = 2 << 20 })
	var file bytes.Buffer
	file.WriteString("reportero,socio,flujo,clasificacion,codigo,anio,valor_usd\n")
	for i := 0; file.Len() < 3<<20; i++ {
		fmt.Fprintf(&file, "604,%d,exportacion,PE,0307992000,%d,1000\n", i%900, 1950+i/900)
	}
	req := httptest.NewRequest("POST", "/api/v1/markets/imports?format=sriim&name=big.csv", &file)
	req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
	rec := httptest.NewRecorder()
	site.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "larger than the limit of 2 MiB") {
		t.Fatalf("a 3 MiB trade file with a 2 MiB limit: %d %s", rec.Code, rec.Body)
	}
}

// multipartFile is a multipart form body with one file of size bytes,
// generated as it is read.
func multipartFile(field, filename string, size int64, fields map[string]string) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_, _ = mw.CreateFormFile(field, filename)
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return io.MultiReader(&head, &countingReader{n: size}, strings.NewReader(tail)), mw.FormDataContentType()
}

// emptyDir waits a little for dir to be empty (the server cleans up as the
// answer goes out) and reports what is left.
func emptyDir(dir string) []string {
	var names []string
	for range 50 {
		entries, _ := os.ReadDir(dir)
		names = names[:0]
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if len(names) == 0 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return names
}

func TestRequestsLeaveNoTemporaryFiles(t *testing.T) {
	dbtest.EachInTurn(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp) // where multipart forms and excelize keep files
		b := site.browser()
		post := func(path string, size int64, fields map[string]string) int {
			body, ctype := multipartFile("archivo", "x.xlsx", size, fields)
			req, _ := http.NewRequest(http.MethodPost, site.http.URL+path, body)
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Origin", site.http.URL)
			res, err := b.client.Do(req)
			if err != nil {
				// The server may close the connection on a body it refuses
				// before the client has sent it all.
				return 0
			}
			res.Body.Close()
			return res.StatusCode
		}
		// Anonymous, without a CSRF token: to a public form, a page that does not exist, an upload route.
		for _, path := range []string{"/entrar", "/no-existe", "/actores/importar"} {
			if status := post(path, 40<<20, nil); status != 0 && status != http.StatusRequestEntityTooLarge && status != http.StatusUnauthorized {
				t.Errorf("anonymous 40 MiB form to %s: %d", path, status)
			}
			if left := emptyDir(tmp); left != nil {
				t.Fatalf("an anonymous 40 MiB form to %s left %v in the temporary directory", path, left)
			}
		}
		b.login("editor@example.org", testPassword)
		_, _, token := b.get("/actores/importar")
		// Larger than the import's limit; then within it, but larger than what
		// stays in memory (the file is no spreadsheet: refused after reading).
		if status := post("/actores/importar", 40<<20, map[string]string{"csrf_token": token}); status != 0 && status != http.StatusRequestEntityTooLarge {
			t.Errorf("40 MiB import: %d", status)
		}
		if status := post("/actores/importar", 3<<20, map[string]string{"csrf_token": token}); status != http.StatusUnprocessableEntity {
			t.Errorf("3 MiB import of blanks: %d", status)
		}
		if left := emptyDir(tmp); left != nil {
			t.Fatalf("uploads left %v in the temporary directory", left)
		}
	})
}
