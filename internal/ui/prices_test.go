package ui

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestPricePages: the latest prices, and a species' page with its levels
// side by side (nominal and in constant soles), its chart and downloads.
func TestPricePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		res := get(t, site.srv, "/mercados/precios", nil)
		if page := body(t, res); res.StatusCode != 200 || !strings.Contains(page, "S/ 8–12") || !strings.Contains(page, "MINCETUR 2006") {
			t.Errorf("the seed's range on the prices page: %d\n%s", res.StatusCode, page)
		}
		res = get(t, site.srv, "/oferta/productos/SNE", nil)
		if page := body(t, res); res.StatusCode != 200 || !strings.Contains(page, "S/ 8–12") || !strings.Contains(page, `href="/mercados/precios/SNE"`) {
			t.Errorf("the species' public page lacks its latest prices: %d", res.StatusCode)
		}
		site.addBeachPrices()
		res = get(t, site.srv, "/mercados/precios/SNE?place=DPA-ILO&from=2023-01&to=2023-12&by=month", nil)
		page := body(t, res)
		if res.StatusCode != 200 || !strings.Contains(page, `id="levels"`) || !strings.Contains(page, "11.5 <small") || !strings.Contains(page, "(n=2)") ||
			!strings.Contains(page, "/mercados/precios/SNE/grafico.svg?") || !strings.Contains(page, `id="alertas"`) {
			t.Errorf("SNE's monthly page: %d\n%s", res.StatusCode, page)
		}
		res = get(t, site.srv, "/mercados/precios/SNE?place=DPA-ILO&from=2023-01&to=2023-12&by=month&constant=2020&lang=en", nil)
		if page := body(t, res); res.StatusCode != 200 || !strings.Contains(page, "S/ of 2020 / kg") || !strings.Contains(page, "nominal 11.5") {
			t.Errorf("constant soles: %d", res.StatusCode)
		}
		res = get(t, site.srv, "/mercados/precios/SNE?constant=1890", nil)
		if page := body(t, res); res.StatusCode != 422 || !strings.Contains(page, `id="levels"`) || !strings.Contains(page, "un año que cubre el índice de precios al consumidor") {
			t.Errorf("a constant year the CPI lacks: %d; want 422 beside the nominal series", res.StatusCode)
		}
		res = get(t, site.srv, "/mercados/precios/SNE/grafico.svg?place=DPA-ILO&from=2023-01&to=2023-12&by=month", nil)
		if b := body(t, res); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(b, "Playa") {
			t.Errorf("chart: %d", res.StatusCode)
		}
		res = get(t, site.srv, "/mercados/precios/SNE/serie.csv?place=DPA-ILO&from=2023-01&to=2023-12&by=month", nil)
		if b := body(t, res); res.StatusCode != 200 || !strings.Contains(b, "SNE,playa,DPA-ILO,PEN,2023-03,11.5,,2,weighted,10,12,") {
			t.Errorf("series CSV: %d\n%s", res.StatusCode, b)
		}
		if res := get(t, site.srv, "/mercados/precios/XYZ", nil); res.StatusCode != 404 {
			t.Errorf("an unknown species: %d", res.StatusCode)
		}
		if res := get(t, site.srv, "/mercados/precios/precios.xlsx", nil); res.StatusCode != 200 || !strings.HasPrefix(body(t, res), "PK") {
			t.Errorf("every price as XLSX: %d", res.StatusCode)
		}
	})
}

// TestPriceFormAlertAndImportPages: an editor records a price by form and
// by file; a signed-in user asks for an alert and removes it.
func TestPriceFormAlertAndImportPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		member := site.browser()
		member.login("member@example.org", testPassword)
		if status, _, _ := member.get("/mercados/precios/nuevo"); status != 403 {
			t.Errorf("a member's price form: %d", status)
		}
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		status, _, token := editor.get("/mercados/precios/nuevo?species=SNE")
		if status != 200 {
			t.Fatalf("price form: %d", status)
		}
		form := url.Values{"csrf_token": {token}, "especie": {"SNE"}, "nivel": {"playa"}, "lugar": {"DPA-ILO"}, "fecha": {"10/06/2023"},
			"moneda": {"S/"}, "precio": {"diez"}, "fuente": {"DIREPRO Ilo"}}
		if status, page := editor.postStatus("/mercados/precios", form); status != 422 || !strings.Contains(page, "precio") || !strings.Contains(page, `value="DPA-ILO"`) {
			t.Errorf("a price that is not a number: %d; want 422 with the form kept", status)
		}
		form.Set("precio", "10,5")
		res := editor.post("/mercados/precios", form)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/mercados/precios/SNE?ok=saved" {
			t.Fatalf("record: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, page, _ := editor.get("/mercados/precios/SNE"); !strings.Contains(page, "2023-06-10") || !strings.Contains(page, "S/ 10.5") {
			t.Errorf("the latest prices lack the new one")
		}
		_, _, token = editor.get("/mercados/precios/importar")
		res, page := editor.upload("/mercados/precios/importar", url.Values{"csrf_token": {token}}, "archivo", "precios.csv",
			[]byte("especie,nivel,lugar,fecha,moneda,precio,fuente\nQDM,playa,DPA-ILO,2023-05,S/,7,DIREPRO Ilo\n"))
		if res.StatusCode != 200 || !strings.Contains(page, "1 fila") {
			t.Errorf("import: %d\n%s", res.StatusCode, page)
		}
		// Alerts.
		_, page, token = member.get("/mercados/precios/SNE")
		if !strings.Contains(page, `action="/mercados/precios/alertas"`) {
			t.Fatalf("no alert form for a signed-in user")
		}
		res = member.post("/mercados/precios/alertas", url.Values{"csrf_token": {token}, "species": {"SNE"}, "place": {"DPA-ILO"}, "threshold_pct": {"12,5"}})
		if res.StatusCode != 303 {
			t.Fatalf("alert: %d", res.StatusCode)
		}
		_, page, token = member.get("/mercados/precios/SNE")
		if !strings.Contains(page, "± 12.5 %") {
			t.Fatalf("the alert is not listed")
		}
		if visitor := body(t, get(t, site.srv, "/mercados/precios/SNE", nil)); strings.Contains(visitor, "± 12.5") {
			t.Errorf("a visitor sees the member's alert")
		}
		m := regexp.MustCompile(`action="(/mercados/precios/alertas/\d+/borrar)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no button to remove the alert")
		}
		action := m[1]
		if res := member.post(action, url.Values{"csrf_token": {token}, "species": {"SNE"}}); res.StatusCode != 303 {
			t.Errorf("remove the alert: %d", res.StatusCode)
		}
		if _, page, _ := member.get("/mercados/precios/SNE"); strings.Contains(page, "± 12.5 %") {
			t.Errorf("the alert is still listed")
		}
	})
}

// TestExchangeRateFromTheWebGivesTheMargin: an editor granted reference
// data loads soles per dollar from the web; the species' page and the API
// then give the margin between the beach and the export price.
func TestExchangeRateFromTheWebGivesTheMargin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		site.importDeclarations()
		price := map[string]any{"species": "SNE", "level": "playa", "place": "DPA-ILO", "year": 2006, "month": 1, "currency": "PEN", "unit": "kg",
			"price": 20, "source": "DIREPRO Ilo"}
		if status, b := site.apiCall("editor", "POST", "/api/v1/prices/records", price); status != 201 {
			t.Fatalf("beach price: %d %s", status, b)
		}
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		if status, _, _ := editor.get("/mercados/precios/tipo-de-cambio/importar"); status != 403 {
			t.Errorf("an editor not granted reference data loads the exchange rate: %d", status)
		}
		granted := site.browser()
		granted.login("granted@example.org", testPassword)
		_, _, token := granted.get("/mercados/precios/tipo-de-cambio/importar")
		res, page := granted.upload("/mercados/precios/tipo-de-cambio/importar", url.Values{"csrf_token": {token}}, "archivo", "tc.csv",
			[]byte("anio,mes,valor,fuente\n2006,0,3.27,BCRP\n"))
		if res.StatusCode != 200 || !strings.Contains(page, "1 fila") {
			t.Fatalf("exchange rate: %d\n%s", res.StatusCode, page)
		}
		status, b := site.apiCall("", "GET", "/api/v1/prices/margin?species=SNE&place=DPA-ILO&from=2006&to=2006", nil)
		// 2006's loco declarations from every department: US$ 30,399 for 2,600 kg, US$ 11.69 a kg, S/ 38.23 at 3.27.
		if status != 200 || !strings.Contains(b, `"period":"2006","beach":20,"export_fob":11.69,"exchange_rate":3.27,"export_pen":38.23,"margin":18.23`) {
			t.Errorf("margin: %d %s", status, b)
		}
		if page := body(t, get(t, site.srv, "/mercados/precios/SNE?place=DPA-ILO&from=2006&to=2006", nil)); !strings.Contains(page, `id="margin"`) || !strings.Contains(page, "38.23") {
			t.Errorf("the species' page lacks the margin")
		}
	})
}
