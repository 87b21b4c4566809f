package ui

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/api"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/modules/modulestest"
	"sriim/internal/render/reports"
	"sriim/internal/seeding"
)

// testServer is the pages and the API on one kernel, as internal/app
// builds them: tests drive a page's form and read the result from the API.
type testServer struct{ *Server }

func (s *testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.k.ServeHTTP(w, r) }

func newTestServer(t testing.TB, d *db.DB) *testServer {
	t.Helper()
	set := modulestest.New(t, d)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := httpkit.New(httpkit.Options{DB: d, Logger: log, Sessions: set.Accounts, CSRFKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Register(k, Deps{DB: d, Logger: log, Version: "test", Set: set})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.Register(k, api.Deps{DB: d, Logger: log, Version: "test", Set: set}); err != nil {
		t.Fatal(err)
	}
	return &testServer{Server: s}
}

func get(t *testing.T, h http.Handler, target string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestErrorMapping(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	tests := []struct {
		err    error
		status int
		kind   string
	}{
		{errs.Fields("bad input", map[string]string{"ruc": "check digit"}), 422, "invalid"},
		{errs.E(errs.NotFound, "no actor 7"), 404, "not_found"},
		{errs.E(errs.Unauthenticated, "log in"), 401, "unauthenticated"},
		{errs.E(errs.Forbidden, "not yours"), 403, "forbidden"},
		{errs.E(errs.Conflict, "changed meanwhile"), 409, "conflict"},
		{errs.E(errs.TooManyRequests, "slow down"), 429, "too_many_requests"},
		{errors.New("disk on fire"), 500, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.k.Fail(rec, httptest.NewRequest(http.MethodGet, "/api/v1/x", nil), tt.err)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
			var got httpkit.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if string(got.Error.Kind) != tt.kind || got.Error.Message == "" {
				t.Fatalf("body %s", rec.Body)
			}
			if tt.kind == "invalid" && got.Error.Fields["ruc"] != "check digit" {
				t.Fatalf("fields lost: %s", rec.Body)
			}
			if strings.Contains(rec.Body.String(), "disk on fire") {
				t.Fatal("internal cause leaked to the client")
			}
			// The same error as a page for a browser.
			rec = httptest.NewRecorder()
			s.k.Fail(rec, httptest.NewRequest(http.MethodGet, "/actores", nil), tt.err)
			if rec.Code != tt.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("page: status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestNotFoundPageInChosenLanguage(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	tests := []struct {
		target, acceptLanguage, cookie, want, lang string
	}{
		{"/no-existe", "", "", "No encontramos esa página.", "es"},
		{"/no-existe?lang=en", "", "", "We could not find that page.", "en"},
		{"/no-existe", "en-US,en;q=0.9", "", "We could not find that page.", "en"},
		{"/no-existe", "en-US", "es", "No encontramos esa página.", "es"},
		{"/no-existe?lang=es", "en-US", "en", "No encontramos esa página.", "es"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, tt.target, nil)
		if tt.acceptLanguage != "" {
			req.Header.Set("Accept-Language", tt.acceptLanguage)
		}
		if tt.cookie != "" {
			req.AddCookie(&http.Cookie{Name: httpkit.LangCookie, Value: tt.cookie})
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", tt.target, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), tt.want) || !strings.Contains(rec.Body.String(), `<html lang="`+tt.lang+`">`) {
			t.Errorf("%s (Accept-Language %q, cookie %q): page lacks %q in %s", tt.target, tt.acceptLanguage, tt.cookie, tt.want, tt.lang)
		}
	}
}

func TestLangQueryIsRemembered(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	res := get(t, s, "/?lang=en", nil)
	var c *http.Cookie
	for _, k := range res.Cookies() {
		if k.Name == httpkit.LangCookie {
			c = k
		}
	}
	if c == nil || c.Value != "en" {
		t.Fatalf("no lang cookie: %v", res.Cookies())
	}
}

func TestHealthz(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newTestServer(t, d)
		if res := get(t, s, "/healthz", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("healthy: %d", res.StatusCode)
		}
		d.Close()
		if res := get(t, s, "/healthz", nil); res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("database gone: %d, want 503", res.StatusCode)
		}
	})
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	res := get(t, s, "/", map[string]string{"X-Request-ID": "abc-123"})
	h := res.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin", "X-Request-Id": "abc-123"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if id := get(t, s, "/", map[string]string{"X-Request-ID": "<script>"}).Header.Get("X-Request-Id"); id == "<script>" || id == "" {
		t.Errorf("unsafe request id echoed: %q", id)
	}
	// Signed-in browsers' pages are isolated from other sites' windows; anonymous
	// visitors' are not, which would cost them a new renderer process.
	if coop := h.Get("Cross-Origin-Opener-Policy"); coop != "" {
		t.Errorf("anonymous page with COOP %q", coop)
	}
	if coop := get(t, s, "/", map[string]string{"Cookie": httpkit.SessionCookie + "=x"}).Header.Get("Cross-Origin-Opener-Policy"); coop != "same-origin" {
		t.Errorf("signed-in page with COOP %q, want same-origin", coop)
	}
}

func TestStaticFilesAreHashedAndCached(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	u, err := s.assets.url("app.css")
	if err != nil {
		t.Fatal(err)
	}
	home := body(t, get(t, s, "/", nil))
	if !strings.Contains(home, u) {
		t.Fatalf("home does not link %s", u)
	}
	res := get(t, s, u, map[string]string{"Accept-Encoding": "gzip"})
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("status %d, cache %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("stylesheet not compressed")
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(zr)
	if !strings.Contains(string(css), "--sea") {
		t.Fatal("compressed stylesheet does not decode to the stylesheet")
	}
	// The pages' style begins with the one they share with the documents.
	if !strings.HasPrefix(string(css), reports.DocumentCSS) || !strings.Contains(string(css), ".skip{") {
		t.Errorf("the stylesheet is not the documents' style followed by the pages': %.200s", css)
	}
	if res := get(t, s, "/static/0000/app.css", nil); strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatal("stale hash cached for a year")
	}
}

func TestMetrics(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	get(t, s, "/", nil)
	get(t, s, "/nothing-here", nil)
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:5555" // from this machine; see TestMetricsOnlyForLoopbackNetworksOrToken
	m := body(t, serve(s, req))
	for _, want := range []string{
		`sriim_http_requests_total{method="GET",route="GET /{$}",status="200"} 1`,
		`sriim_http_requests_total{method="GET",route="/",status="404"} 1`,
		`sriim_http_request_duration_seconds_bucket{route="GET /{$}"`,
		`go_sql_open_connections{db_name="write"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestEveryModuleHasAPageInBothLanguages(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	for _, m := range navigation {
		for _, lang := range []string{"es", "en"} {
			res := get(t, s, "/"+m.Slug+"?lang="+lang, nil)
			b := body(t, res)
			if res.StatusCode != 200 || !strings.Contains(b, `<html lang="`+lang+`">`) || strings.Contains(b, "module."+m.Key) {
				t.Errorf("/%s?lang=%s: status %d or untranslated text", m.Slug, lang, res.StatusCode)
			}
		}
	}
}

func TestAuditChangesListsOnlyWhatChanged(t *testing.T) {
	before := []byte(`{"name":"IMARPE","kind":"public","updated_at":"2026-01-01"}`)
	after := []byte(`{"name":"IMARPE Ilo","kind":"public","updated_at":"2026-02-01"}`)
	got := changes(before, after)
	if len(got) != 1 || got[0] != (fieldChange{"name", "IMARPE", "IMARPE Ilo"}) {
		t.Fatalf("update: %+v", got)
	}
	if got := changes(nil, []byte(`{"name":"X","code":"Y"}`)); len(got) != 2 || got[0].Before != "" {
		t.Fatalf("create: %+v", got)
	}
	if got := changes(before, nil); got != nil {
		t.Fatalf("delete: %+v", got)
	}
}

func TestForgotPasswordWithoutMailSendsTheVisitorToAPerson(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	for lang, want := range map[string]string{"es": "Pida a la persona que administra SRIIM", "en": "Ask the person who administers SRIIM"} {
		b := body(t, get(t, s, "/clave/olvido?lang="+lang, nil))
		if !strings.Contains(b, want) || strings.Contains(b, "sriim user") || strings.Contains(b, "<pre>") {
			t.Errorf("%s: the page does not send the visitor to the administrator, or shows a command:\n%s", lang, b)
		}
	}
}

func TestDemoBannerWhileTheDemoDatasetIsLoaded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		site.srv.Demo = func(ctx context.Context) (bool, error) { return seeding.DemoLoaded(ctx, d) }
		services := seeding.Services{Accounts: site.srv.Accounts, Reference: site.srv.Reference, Production: site.srv.Production,
			Planning: site.srv.Planning, Trade: site.srv.Trade, Actors: site.srv.Actors, Offer: site.srv.Offer}
		visitor, editor := site.browser(), site.browser()
		editor.login("editor@example.org", testPassword)
		pages := map[*browser][]string{
			visitor: {"/actores?lang=en", "/plan/1", "/produccion", "/mercados", "/entrar", "/no-such-page"},
			editor:  {"/", "/oferta", "/cuenta", "/actores/nuevo"},
		}
		check := func(want bool) {
			t.Helper()
			for b, paths := range pages {
				for _, path := range paths {
					_, page, _ := b.get(path)
					banner := strings.Contains(page, `class="demo-banner"`) && (strings.Contains(page, "Datos de demostración") || strings.Contains(page, "Demonstration data"))
					if banner != want {
						t.Errorf("%s: banner %v, want %v", path, banner, want)
					}
				}
			}
		}
		check(false)
		if _, err := seeding.LoadDemo(context.Background(), d, services); err != nil {
			t.Fatal(err)
		}
		check(true)
		if _, page, _ := visitor.get("/oferta?especie=SNE&lang=es"); !strings.Contains(page, "DEMO · Exportadora Mar de Prueba SAC") {
			t.Error("the catalogue does not list the demo exporter")
		}
		if _, err := seeding.RemoveDemo(context.Background(), d, services); err != nil {
			t.Fatal(err)
		}
		check(false)
	})
}

func TestInvalidFiltersShowTheFormWithTheError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		editor := site.browser()
		if res := editor.login("editor@example.org", testPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log in: %d", res.StatusCode)
		}
		tests := []struct {
			who        *browser
			path       string
			field      string // the field whose error the form shows
			es, en     string // the error in each language
			stillShown string // what the page shows from the valid filters
		}{
			{nil, "/produccion?desde=19x7&hasta=2003", "desde", "Escriba un año entre 1900 y 2100.", "Enter a year between 1900 and 2100.", `value="2003"`},
			{nil, "/produccion?hasta=3000", "hasta", "Escriba un año entre 1900 y 2100.", "Enter a year between 1900 and 2100.", `id="series"`},
			{nil, "/mercados?from=dosmil&to=2005", "from", "Escriba un número entero.", "Enter a whole number.", `id="destinations"`},
			{nil, "/mercados?from=2005&to=1995", "from", "«Desde» debe ser anterior a «hasta»", `"From" must come before "to"`, `<select name="line"`},
			{nil, "/mercados?hs=loco", "hs", "Escriba códigos del SA de 2 a 10 dígitos", "Enter HS codes of 2 to 10 digits", `id="destinations"`},
			{nil, "/mercados?line=perlas", "line", "Elija una línea de producto de la lista.", "Choose a product line from the list.", `id="destinations"`},
			{nil, "/actores?tipo=astronauta&q=mariscos", "tipo", "Elija un valor de la lista.", "Choose a value from the list.", "Mariscos del Sur"},
			{nil, "/actores?distrito=Marte", "distrito", "Elija un valor de la lista.", "Choose a value from the list.", "Maricultura Pacocha"},
			{nil, "/oferta?mercado=XXX", "mercado", "Elija un valor de la lista.", "Choose a value from the list.", `<select name="especie"`},
			{nil, "/oferta?especie=ZZZ&presentacion=frozen", "especie", "Elija un valor de la lista.", "Choose a value from the list.", `value="frozen" selected`},
			{nil, "/plan/1?anio=dos-mil-ocho", "anio", "Escriba un año entre 1900 y 2100.", "Enter a year between 1900 and 2100.", `id="a-1.1.1"`},
			{nil, "/plan/1/poa?anio=20088", "anio", "Escriba un año entre 1900 y 2100.", "Enter a year between 1900 and 2100.", `<table`},
			{editor, "/admin/auditoria?from=ayer", "from", "Escriba una fecha como AAAA-MM-DD.", "Enter a date as YYYY-MM-DD.", `class="audit"`},
			{editor, "/admin/auditoria?user=ana&entity=actor", "user", "Escriba el número de un usuario.", "Enter a user number.", `value="actor"`},
		}
		visitor := site.browser()
		for _, tt := range tests {
			b := tt.who
			if b == nil {
				b = visitor
			}
			for lang, want := range map[string]string{"es": tt.es, "en": tt.en} {
				other := map[string]string{"es": tt.en, "en": tt.es}[lang]
				status, page, _ := b.get(tt.path + "&lang=" + lang)
				field := regexp.MustCompile(`name="` + tt.field + `"[^>]*aria-invalid="true"`)
				if status != http.StatusUnprocessableEntity || strings.Contains(page, "Algo salió mal") || strings.Contains(page, "Something went wrong") {
					t.Errorf("%s (%s): %d, or a dead end", tt.path, lang, status)
				}
				if !strings.Contains(page, `<form method="get"`) || !field.MatchString(page) || !strings.Contains(page, html.EscapeString(want)) || strings.Contains(page, html.EscapeString(other)) {
					t.Errorf("%s (%s): the form does not show %q by %s", tt.path, lang, want, tt.field)
				}
				if !strings.Contains(page, tt.stillShown) {
					t.Errorf("%s (%s): the valid filters' results (%s) are not shown", tt.path, lang, tt.stillShown)
				}
			}
		}
		// The API keeps refusing them, in English, with the field.
		if status, body := site.apiCall("", "GET", "/api/v1/production/series?from=19x7", nil); status != 422 || !strings.Contains(body, `"from":"a year between 1900 and 2100"`) {
			t.Errorf("API: %d %s", status, body)
		}
	})
}
