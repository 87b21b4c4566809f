package ui

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
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

// TestPriceEditAndDeletePages: a price's institution edits and deletes it
// from the web; another institution's editor and a member may not; a save
// or a deletion based on a version read before someone else's change is
// refused with both values shown, and every change is in the audit log.
func TestPriceEditAndDeletePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		status, b := site.apiCall("editor", "POST", "/api/v1/prices/records", map[string]any{"species": "SNE", "level": "playa", "place": "DPA-ILO",
			"year": 2023, "month": 6, "day": 10, "currency": "PEN", "unit": "kg", "price": 10.5, "source": "DIREPRO Ilo"})
		var created struct{ ID int64 }
		if err := json.Unmarshal([]byte(b), &created); status != 201 || err != nil {
			t.Fatalf("record a price: %d %s", status, b)
		}
		id := strconv.FormatInt(created.ID, 10)
		edit, remove := "/mercados/precios/"+id+"/editar", "/mercados/precios/"+id+"/eliminar"
		audited := func(action string) int {
			return site.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'price' AND entity_id = $1 AND action = $2", id, action)
		}

		editor, admin := site.browser(), site.browser()
		editor.login("editor@example.org", testPassword)
		admin.login("admin@example.org", testPassword)
		if _, page, _ := editor.get("/mercados/precios/SNE"); !strings.Contains(page, `href="`+edit+`"`) {
			t.Errorf("the species' prices do not link the editor to the price's form")
		}
		if page := body(t, get(t, site.srv, "/mercados/precios/SNE", nil)); strings.Contains(page, `href="`+edit+`"`) {
			t.Errorf("a visitor gets the link to edit a price")
		}
		for _, who := range []string{"member", "granted"} {
			other := site.browser()
			other.login(who+"@example.org", testPassword)
			if status, _, _ := other.get(edit); status != 403 {
				t.Errorf("%s opens another institution's price: %d", who, status)
			}
			_, _, token := other.get("/cuenta")
			if status, _ := other.postStatus(edit, url.Values{"csrf_token": {token}, "especie": {"SNE"}, "nivel": {"playa"}, "lugar": {"DPA-ILO"},
				"fecha": {"2023-06-10"}, "moneda": {"S/"}, "precio": {"99"}, "fuente": {"x"}, "version": {"1"}}); status != 403 {
				t.Errorf("%s changes another institution's price: %d", who, status)
			}
			if status, _ := other.postStatus(remove, url.Values{"csrf_token": {token}, "version": {"1"}}); status != 403 {
				t.Errorf("%s deletes another institution's price: %d", who, status)
			}
		}

		// Two editors open the form; the second saves after the first.
		f1, f2 := editor.openForm(edit), admin.openForm(edit)
		if f1.Get("version") != "1" || f1.Get("precio") != "10.5" || f1.Get("moneda") != "S/" || f1.Get("fecha") != "2023-06-10" {
			t.Fatalf("the edit form: %v", f1)
		}
		f1.Set("precio", "11")
		if res := editor.post(edit, f1); res.StatusCode != 303 || res.Header.Get("Location") != "/mercados/precios/SNE?ok=saved" {
			t.Fatalf("first save: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		f2.Set("nota", "Revisado con la encuesta")
		status, page := admin.postStatus(edit, f2)
		if status != 409 || !strings.Contains(page, `id="conflicto"`) || !strings.Contains(page, "<td class=\"current\">11</td>") ||
			!strings.Contains(page, "Revisado con la encuesta") || !strings.Contains(page, `name="version" value="2"`) {
			t.Fatalf("stale save: %d, want 409 with the stored price beside the admin's note\n%s", status, page)
		}
		if got, _ := site.srv.Prices.Price(context.Background(), created.ID); got.Price != 11 || got.Note != "" || got.Version != 2 {
			t.Fatalf("after the refused save: %+v", got)
		}
		f2.Set("version", "2")
		f2.Set("precio", "11")
		if status, page := admin.postStatus(edit, f2); status != 303 {
			t.Fatalf("saving again: %d\n%s", status, page)
		}
		if got, _ := site.srv.Prices.Price(context.Background(), created.ID); got.Price != 11 || got.Note != "Revisado con la encuesta" || got.Version != 3 {
			t.Fatalf("both edits are not kept: %+v", got)
		}
		if n := audited("update"); n != 2 {
			t.Errorf("%d updates audited, want 2", n)
		}

		// A deletion read at version 1 is refused; at the current one it deletes.
		if status, page := editor.postStatus(remove, url.Values{"csrf_token": {f1.Get("csrf_token")}, "version": {"1"}}); status != 409 ||
			!strings.Contains(page, `id="conflicto"`) || !strings.Contains(page, "Revisado con la encuesta") {
			t.Fatalf("stale deletion: %d\n%s", status, page)
		}
		if res := editor.post(remove, url.Values{"csrf_token": {f1.Get("csrf_token")}, "version": {"3"}}); res.StatusCode != 303 ||
			res.Header.Get("Location") != "/mercados/precios/SNE?ok=deleted" {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if status, _, _ := editor.get(edit); status != 404 {
			t.Errorf("a deleted price's form: %d", status)
		}
		if n := audited("delete"); n != 1 {
			t.Errorf("%d deletions audited, want 1", n)
		}
	})
}
