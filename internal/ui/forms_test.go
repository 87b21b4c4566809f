package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/offer"
	"sriim/internal/planning"
)

// submit submits a form as a browser does (multipart when it carries a file)
// and returns the status and where it sends the browser.
func (b *browser) submit(method, path string, form url.Values, file string) (int, string) {
	b.site.t.Helper()
	var body io.Reader
	ctype := "application/x-www-form-urlencoded"
	if method == http.MethodPost && file != "" {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range form {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		fw, _ := mw.CreateFormFile(file, "foto.png")
		_, _ = fw.Write([]byte("not a picture"))
		mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	} else if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.site.http.URL+path, body)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Origin", b.site.http.URL)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.site.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// TestOfferedFormsAreTheOnesTheHandlersAccept renders the pages as each role
// and checks every form and form link against what its handler does with
// the same user: a form is offered exactly when its handler accepts it (it
// answers neither "log in" nor "forbidden"). The probes send invalid values,
// so that nothing changes.
func TestOfferedFormsAreTheOnesTheHandlersAccept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		ctx := context.Background()
		admin, editor := site.users["admin"].Principal(), site.users["editor"].Principal()
		page, err := site.srv.Actors.List(ctx, admin, actors.Filter{Q: "mariscos"})
		if err != nil || len(page.Actors) != 1 {
			t.Fatalf("exporter: %v %v", page, err)
		}
		exporter := page.Actors[0].ID
		if _, err := site.srv.Accounts.CreateUser(ctx, auth.System, accounts.UserInput{Email: "socio@example.org", Name: "Socio",
			Password: testPassword, Role: auth.Member, ActorID: exporter, Active: true}); err != nil {
			t.Fatal(err)
		}
		product, err := site.srv.Offer.Save(ctx, admin, offer.Product{ActorID: exporter, Species: "SNE", Presentation: "frozen"})
		if err != nil {
			t.Fatal(err)
		}
		plans, _ := site.srv.Planning.Plans(ctx)
		act, _ := site.srv.Planning.Activity(ctx, plans[0].ID, "1.1.1", 2008)
		draft, err := site.srv.Planning.SaveReport(ctx, editor, act.ID, planning.ReportInput{Period: "2008", Status: "in_progress"})
		if err != nil {
			t.Fatal(err)
		}
		submitted, _ := site.srv.Planning.SaveReport(ctx, editor, act.ID, planning.ReportInput{Period: "2009", Status: "done"})
		if _, err := site.srv.Planning.Submit(ctx, editor, submitted.ID); err != nil {
			t.Fatal(err)
		}
		direpro := site.institution("DIREPRO-ILO")
		activity := fmt.Sprintf("/plan/%d/actividades/1.1.1?anio=2008", plans[0].ID)

		// Each form (POST) or link to a form page (GET) as a page offers it,
		// and the request that probes its handler (the same one unless said).
		type form struct {
			page, method, target string
			probe                string     // another target to probe, when the offered one would change data
			values               url.Values // invalid, so that an accepted probe changes nothing
			file                 string     // a file field, sent with something that is not a picture
			choose               string     // a select whose first option the probe sends, as the page offers it
		}
		E, P := exporter, product.ID
		forms := []form{
			{page: "/actores", method: "GET", target: "/actores/nuevo"},
			{page: "/actores", method: "GET", target: "/actores/importar"},
			{page: fmt.Sprintf("/actores/%d", E), method: "GET", target: fmt.Sprintf("/actores/%d/editar", E)},
			{page: fmt.Sprintf("/actores/%d/editar", E), method: "POST", target: fmt.Sprintf("/actores/%d", E), values: url.Values{"nombre": {""}}},
			{page: "/actores/nuevo", method: "POST", target: "/actores", values: url.Values{"nombre": {""}}},
			{page: fmt.Sprintf("/oferta/exportadores/%d", E), method: "GET", target: fmt.Sprintf("/oferta/exportadores/%d/productos/nuevo", E)},
			{page: fmt.Sprintf("/oferta/exportadores/%d", E), method: "GET", target: fmt.Sprintf("/oferta/productos-exportador/%d", P)},
			{page: fmt.Sprintf("/oferta/exportadores/%d", E), method: "GET", target: fmt.Sprintf("/oferta/exportadores/%d/mensajes", E)},
			{page: fmt.Sprintf("/oferta/exportadores/%d", E), method: "GET", target: fmt.Sprintf("/actores/%d/editar", E)},
			{page: fmt.Sprintf("/oferta/exportadores/%d", E), method: "POST", target: fmt.Sprintf("/oferta/productos-exportador/%d/foto", P), file: "photo"},
			{page: fmt.Sprintf("/oferta/exportadores/%d/productos/nuevo", E), method: "POST", target: fmt.Sprintf("/oferta/exportadores/%d/productos", E), values: url.Values{"species": {"ZZZ"}}},
			{page: fmt.Sprintf("/oferta/productos-exportador/%d", P), method: "POST", target: fmt.Sprintf("/oferta/productos-exportador/%d", P), values: url.Values{"species": {"ZZZ"}}},
			{page: "/produccion", method: "GET", target: "/produccion/observaciones/nueva"},
			{page: "/produccion", method: "GET", target: "/produccion/importar"},
			{page: "/produccion/importar", method: "POST", target: "/produccion/importar"},
			{page: "/actores/importar", method: "POST", target: "/actores/importar"},
			{page: "/produccion/observaciones/nueva", method: "POST", target: "/produccion/observaciones", values: url.Values{"valor": {""}}},
			{page: "/produccion/observaciones/1", method: "POST", target: "/produccion/observaciones/1", values: url.Values{"valor": {""}}},
			{page: "/mercados", method: "GET", target: "/mercados/importar"},
			{page: "/mercados/importar", method: "POST", target: "/mercados/importar"},
			{page: "/mercados/informes", method: "POST", target: "/mercados/informes", values: url.Values{"period": {"ayer"}}},
			{page: "/instituciones", method: "GET", target: "/instituciones/nueva"},
			{page: fmt.Sprintf("/instituciones/%d", direpro), method: "POST", target: fmt.Sprintf("/instituciones/%d", direpro), values: url.Values{"name": {""}}},
			{page: "/plan", method: "POST", target: "/plan/importar"},
			{page: activity, method: "POST", target: fmt.Sprintf("/plan/%d/actividades/1.1.1/reportes", plans[0].ID), values: url.Values{"period": {"pronto"}}},
			{page: activity, method: "POST", target: fmt.Sprintf("/plan-reportes/%d/evidencias", draft.ID), values: url.Values{"url": {"no es un enlace"}}},
			{page: activity, method: "POST", target: fmt.Sprintf("/plan-reportes/%d/enviar", draft.ID), probe: fmt.Sprintf("/plan-reportes/%d/enviar", submitted.ID)},
			{page: activity, method: "POST", target: fmt.Sprintf("/plan-reportes/%d/devolver", submitted.ID), values: url.Values{"note": {""}}},
			{page: "/plan/1/poa?anio=2008", method: "POST", target: "/plan/1/poa?anio=2008", values: url.Values{"activity_id": {fmt.Sprint(act.ID)}, "budget": {"-1"}}, choose: "activity_id"},
			{page: "/instituciones", method: "GET", target: "/admin/auditoria"},
			{page: "/instituciones", method: "GET", target: "/admin/usuarios"},
			{page: "/instituciones", method: "GET", target: "/admin/revision"},
			{page: "/admin/usuarios", method: "GET", target: "/admin/usuarios/nuevo"},
			{page: "/admin/usuarios/nuevo", method: "POST", target: "/admin/usuarios", values: url.Values{"email": {"no"}}},
			{page: "/admin/revision", method: "POST", target: fmt.Sprintf("/plan-reportes/%d/devolver", submitted.ID), values: url.Values{"note": {""}, "volver": {"/admin/revision"}}},
		}
		roles := map[string]string{"visitor": "", "admin": "admin@example.org", "editor": "editor@example.org", "other institution's editor": "granted@example.org",
			"another actor's member": "member@example.org", "the exporter's member": "socio@example.org"}
		for role, email := range roles {
			b := site.browser()
			if email != "" {
				if res := b.login(email, testPassword); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("log in as %s: %d", email, res.StatusCode)
				}
			}
			for _, f := range forms {
				status, html, token := b.get(f.page)
				attr := `action="` + f.target + `"`
				if f.method == "GET" {
					attr = `href="` + f.target + `"`
				}
				offered := status == http.StatusOK && strings.Contains(html, strings.ReplaceAll(attr, "&", "&amp;"))
				if token == "" {
					_, _, token = b.get("/entrar")
				}
				values := url.Values{"csrf_token": {token}}
				for k, v := range f.values {
					values[k] = v
				}
				if f.choose != "" {
					if _, options, ok := strings.Cut(html, `name="`+f.choose+`"><option value="`); ok {
						values.Set(f.choose, strings.Split(options, `"`)[0])
					}
				}
				probe := f.target
				if f.probe != "" {
					probe = f.probe
				}
				got, location := b.submit(f.method, probe, values, f.file)
				// A record the user may not see (another institution's draft
				// report) is refused as not found.
				accepted := got != http.StatusUnauthorized && got != http.StatusForbidden && got != http.StatusNotFound && !strings.HasPrefix(location, "/entrar")
				if offered != accepted {
					t.Errorf("%s: %s offers %s %s: %v, but its handler answers %d %s", role, f.page, f.method, f.target, offered, got, location)
				}
			}
		}
	})
}
