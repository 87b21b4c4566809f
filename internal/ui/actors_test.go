package ui

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

func importFixtureActors(t *testing.T, site *testSite) {
	t.Helper()
	f, err := os.Open("../actors/testdata/actores.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := site.srv.Actors.Import(context.Background(), site.users["editor"].Principal(), f, "actores.csv"); err != nil {
		t.Fatal(err)
	}
}

func TestPrivateContactsNeverInPublicHTMLOrJSON(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		const private = "buzos.ilo@example.org"
		visitor := site.browser()
		_, list, _ := visitor.get("/actores?q=buzos")
		id := strings.Split(strings.Split(list, `<h2><a href="/actores/`)[1], `"`)[0]
		for _, path := range []string{"/actores?q=buzos", "/actores/" + id, "/actores/datos.csv", "/api/v1/actors?q=buzos", "/api/v1/actors/" + id} {
			_, body, _ := visitor.get(path)
			if strings.Contains(body, private) || strings.Contains(body, "+51 53 000000") {
				t.Errorf("%s shows a private contact to a visitor", path)
			}
		}
		if _, body, _ := visitor.get("/actores/" + id); !strings.Contains(body, "Juan Quispe") {
			t.Error("the public contact name is not shown")
		}
		editor := site.browser()
		editor.login("granted@example.org", testPassword)
		if _, body, _ := editor.get("/actores/" + id); !strings.Contains(body, private) {
			t.Error("an editor does not see the private contact")
		}
	})
}

func TestActorsPageSearchFiltersAndPages(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	importFixtureActors(t, site)
	b := site.browser()
	for query, want := range map[string]string{
		"/actores?q=asociacion":                      "Buzos de Ilo",
		"/actores?q=PROMPER%C3%9A":                   "Inteligencia de mercados",
		"/actores?tipo=exporter&certificacion=haccp": "Mariscos del Sur",
		"/actores?distrito=180303":                   "Maricultura Pacocha",
	} {
		status, body, _ := b.get(query)
		if status != 200 || !strings.Contains(body, want) || !strings.Contains(body, "1 actor encontrado.") {
			t.Errorf("%s: %d, lacks %q", query, status, want)
		}
	}
	_, body, _ := b.get("/actores?per_page=2&pagina=2")
	if !strings.Contains(body, "Página 2 de 3") || !strings.Contains(body, `rel="next"`) || !strings.Contains(body, `rel="prev"`) {
		t.Error("pagination links missing")
	}
	if _, body, _ := b.get("/actores"); !strings.Contains(body, "Productores registrados") {
		t.Error("indicators missing")
	}
	status, body := site.apiCall("", "GET", "/api/v1/indicators/registry", nil)
	if status != 200 || !strings.Contains(body, `"name":"producers"`) || !strings.Contains(body, `"total":2`) {
		t.Errorf("indicators API: %d %s", status, body)
	}
}

func TestSavingALookAlikeLinksToTheOtherActor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		b := site.browser()
		b.login("editor@example.org", testPassword)
		_, list, _ := b.get("/actores?q=mariscos")
		other := strings.Split(strings.Split(list, `<h2><a href="/actores/`)[1], `"`)[0]
		_, _, token := b.get("/actores/nuevo")
		res := b.post("/actores", url.Values{"csrf_token": {token}, "nombre": {"Mariscos del Sur Exportadora S.A.C."}, "distrito": {"Ilo"}, "tipos": {"exporter"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", res.StatusCode)
		}
		_, page, _ := b.get(res.Header.Get("Location"))
		if !strings.Contains(page, `<a href="/actores/`+other+`">Mariscos del Sur Exportadora SAC</a>`) {
			t.Errorf("the saved actor's page does not link the look-alike no. %s:\n%s", other, page)
		}
	})
}
