package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestSeedFiguresAsPrinted checks that the pages show the seed's figures as
// the seed prints them: Cuadro 3's published totals (the home page's 2005
// exports are 5,991 + 4,908 = 10,899 thousand US$) with the sums of the
// rounded cells beside them, its "Otros" as other countries and Taiwan by
// name, the note on the text's contradiction, and Cuadro 1's 2003 total
// (861 t) with the text's 860 noted.
func TestSeedFiguresAsPrinted(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	_, home, _ := b.get("/")
	for _, want := range []string{"10,899", "861 t", "860 Tm"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	_, page, _ := b.get("/mercados?line=loco_conserva")
	dest := page[strings.Index(page, `id="destinations"`):]
	for _, want := range []string{"Otros países", "Taiwán<", "4,908", "Suma de las filas", "4,907*", "2.4.2", "Cuadro 3"} {
		if !strings.Contains(dest, want) {
			t.Errorf("destinations lack %q", want)
		}
	}
	for _, bad := range []string{"Áreas no especificadas", "Otros Asia"} {
		if strings.Contains(dest, bad) {
			t.Errorf("destinations show %q", bad)
		}
	}
	_, page, _ = b.get("/produccion")
	if i := strings.Index(page, `id="nota-2003"`); i < 0 || !strings.Contains(page[i:], "860 Tm") || !strings.Contains(page, `aria-describedby="nota-2003">861<`) {
		t.Errorf("production page: 2003 total without the text's 860 noted")
	}
	status, body := site.apiCall("", "GET", "/api/v1/markets/destinations?reporter=604&line=loco_congelado&from=2000&to=2005", nil)
	var api struct {
		World struct {
			Values      map[string]float64 `json:"values"`
			PartnersSum map[string]float64 `json:"partners_sum"`
		} `json:"world"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal([]byte(body), &api); status != 200 || err != nil {
		t.Fatalf("%d %v", status, err)
	}
	if api.World.Values["2001"] != 2283e3 || api.World.PartnersSum["2001"] != 2282e3 || len(api.Notes) != 1 {
		t.Errorf("API destinations: published %v, sums %v, notes %q", api.World.Values, api.World.PartnersSum, api.Notes)
	}
}

// TestTextFactsListedWhereTheyBelong checks that the figures of the seed's
// text are listed in its words with their section: the fleet and the
// hectares on /produccion, Japan's 445 M US$ and Moquegua's US$ 31,500 on
// /mercados, and all of them in the API.
func TestTextFactsListedWhereTheyBelong(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	for path, wants := range map[string][]string{
		"/produccion": {"347 embarcaciones", "se estima en 1,700", "12 Ha concesionadas", "2.2 Situación de la gestión organizacional"},
		"/mercados":   {"445 millones de dólares", "31,500 dólares", "8–12", "2.4.1 Mercado Nacional y Regional", "2.5.2 Exportaciones regionales"},
	} {
		_, page, _ := b.get(path)
		i := strings.Index(page, `id="cifras-del-texto"`)
		if i < 0 {
			t.Fatalf("%s lists no figures of the text", path)
		}
		for _, want := range wants {
			if !strings.Contains(page[i:], want) {
				t.Errorf("%s: the figures of the text lack %q", path, want)
			}
		}
	}
	_, page, _ := b.get("/produccion")
	if strings.Contains(page[strings.Index(page, `id="cifras-del-texto"`):], "445 millones") {
		t.Error("/produccion lists the market figures")
	}
	status, body := site.apiCall("", "GET", "/api/v1/facts?topic=markets", nil)
	var api struct {
		Facts []struct{ Topic, Section, Statement string }
	}
	if err := json.Unmarshal([]byte(body), &api); status != 200 || err != nil || len(api.Facts) < 30 {
		t.Fatalf("%d %v: %d facts", status, err, len(api.Facts))
	}
	for _, f := range api.Facts {
		if f.Topic != "markets" || f.Section == "" || f.Statement == "" {
			t.Errorf("fact %+v", f)
		}
	}
	if status, _ := site.apiCall("", "GET", "/api/v1/facts?topic=x", nil); status != 422 && status != 400 {
		t.Errorf("unknown topic: %d", status)
	}
}
