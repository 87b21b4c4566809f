package ui

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestRegionalExportsPages: each breakdown is a page with its table, chart
// and downloads, in Spanish and English, and a filter it cannot use is
// named by its field.
func TestRegionalExportsPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		visitor := site.browser()
		// Before any declaration: the seed's published figure, with its source.
		status, page, _ := visitor.get("/mercados/exportaciones")
		if status != 200 || !strings.Contains(page, "31,500") || !strings.Contains(page, "2.5.2") {
			t.Errorf("the seed's figure: %d\n%s", status, page)
		}
		site.importDeclarations()
		for _, c := range []struct{ query, want string }{
			{"from=2004&to=2006&by=destination", "Japón"},
			{"from=2004&to=2006&by=destination&lang=en", "Japan"},
			{"from=2004&to=2006&by=line", "Locos congelados, secos, salados o en salmuera"},
			{"from=2004&to=2006&by=exporter", "Otros 2 exportadores"},
			{"from=2004-01&to=2004-12", "2004-03"},
		} {
			res := get(t, site.srv, "/mercados/exportaciones?"+c.query, nil)
			status, page := res.StatusCode, body(t, res)
			if status != 200 || !strings.Contains(page, c.want) || !strings.Contains(page, `id="regional"`) ||
				!strings.Contains(page, "/mercados/exportaciones/datos.xlsx?") || !strings.Contains(page, "/mercados/exportaciones/grafico.svg?") {
				t.Errorf("%s: %d, want %q, a table, a chart and downloads\n%s", c.query, status, c.want, page)
			}
		}
		_, page, _ = visitor.get("/mercados/exportaciones?from=2004&to=2006&by=destination")
		if !strings.Contains(page, `id="changes"`) || !strings.Contains(page, "Hong Kong") {
			t.Errorf("new and lost destinations are not listed")
		}
		status, page, _ = visitor.get("/mercados/exportaciones?from=2004-13&to=2006&by=destination")
		if status != 422 || !strings.Contains(page, "Escriba un año (2004) o un mes (2004-03).") || !strings.Contains(page, `id="regional"`) {
			t.Errorf("a bad from: %d; want 422 naming it beside the default analysis", status)
		}
		status, page, _ = visitor.get("/mercados/exportaciones?from=2004&to=2006&by=country")
		if status != 422 || !strings.Contains(page, "field-error") || !strings.Contains(page, "year, destination, exporter o line") {
			t.Errorf("a bad by: %d", status)
		}
		res := get(t, site.srv, "/mercados/exportaciones/datos.csv?from=2004&to=2006&by=destination", nil)
		csv := strings.TrimPrefix(body(t, res), "\ufeff") // the byte-order mark spreadsheets read UTF-8 by
		if res.StatusCode != 200 || !strings.HasPrefix(csv, "clave,nombre,2004,2005,2006,participacion_pct,tcac_pct,tcac_desde,tcac_hasta,mercados,fuente") ||
			!strings.Contains(csv, "JPN,Japón,10000,12000,14400,70.59,20.00,2004,2006,,") || !strings.Contains(csv, "total,Total,20000,22000,20400") {
			t.Errorf("CSV: %d\n%s", res.StatusCode, csv)
		}
		res = get(t, site.srv, "/mercados/exportaciones/datos.xlsx?from=2004&to=2006&by=exporter", nil)
		if b := body(t, res); res.StatusCode != 200 || !strings.HasPrefix(b, "PK") || strings.Contains(b, "20000000010") {
			t.Errorf("XLSX: %d, a workbook without the unpublished exporters' RUCs", res.StatusCode)
		}
		res = get(t, site.srv, "/mercados/exportaciones/grafico.svg?from=2004&to=2006&by=destination", nil)
		if b := body(t, res); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(b, "Japón") {
			t.Errorf("chart: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		res = get(t, site.srv, "/mercados/exportaciones/plantilla.csv", nil)
		if b := strings.TrimPrefix(body(t, res), "\ufeff"); !strings.HasPrefix(b, "RUC,RAZON SOCIAL,SUBPARTIDA,PAIS DESTINO,PUERTO,FOB US$,PESO NETO,PESO BRUTO,CANTIDAD,UNIDAD,FECHA,DEPARTAMENTO") {
			t.Errorf("template: %s", b)
		}
	})
}

// TestExportsWebImportAndLeads: an editor granted reference data imports
// declarations from the web and follows the import; editors read the leads.
func TestExportsWebImportAndLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		file, err := os.ReadFile("../exports/testdata/declaraciones.csv")
		if err != nil {
			t.Fatal(err)
		}
		if res := get(t, site.srv, "/mercados/exportaciones/importar", nil); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/entrar") {
			t.Errorf("anonymous import page: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		member := site.browser()
		member.login("member@example.org", testPassword)
		if status, _, _ := member.get("/mercados/exportaciones/importar"); status != 403 {
			t.Errorf("a member's import page: %d", status)
		}
		if status, _, _ := member.get("/mercados/exportaciones/prospectos"); status != 403 {
			t.Errorf("a member reads the leads: %d", status)
		}
		granted := site.browser()
		granted.login("granted@example.org", testPassword)
		status, _, token := granted.get("/mercados/exportaciones/importar")
		if status != 200 {
			t.Fatalf("import page: %d", status)
		}
		res, _ := granted.upload("/mercados/exportaciones/importar", url.Values{"csrf_token": {token}, "source": {"SUNAT"}}, "archivo", "declaraciones.csv", file)
		batch := res.Header.Get("Location")
		if res.StatusCode != 303 || !strings.HasPrefix(batch, "/mercados/exportaciones/importaciones/") {
			t.Fatalf("upload: %d %s", res.StatusCode, batch)
		}
		var page string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if _, page, _ = granted.get(batch); !strings.Contains(page, "en curso") {
				break
			}
		}
		if !strings.Contains(page, "3 exportadores; 3 no están en el registro.") || !strings.Contains(page, "9 filas guardadas") {
			t.Fatalf("the import's page:\n%s", page)
		}
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		status, page, _ = editor.get("/mercados/exportaciones/prospectos")
		if status != 200 || !strings.Contains(page, "Mariscos del Pacífico E.I.R.L.") || strings.Contains(page, "Conservas Ilo") {
			t.Errorf("Moquegua's leads: %d", status)
		}
		if _, page, _ = editor.get("/mercados/exportaciones/prospectos?region=PE"); !strings.Contains(page, "Conservas Ilo") {
			t.Errorf("every region's leads lack Tacna's exporter")
		}
	})
}

// TestExporterMarketsPage: the exporter's exports by market beside its
// registry page, and its choice to show them to everyone.
func TestExporterMarketsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		sur := site.addExporter("Pesquera Sur", "20000000010")
		site.importDeclarations()
		path := "/actores/" + strconv.FormatInt(sur, 10) + "/exportaciones"
		visitor := site.browser()
		if status, _, _ := visitor.get(path); status != 303 {
			t.Errorf("anonymous, before it chose: %d; want the login page", status)
		}
		admin := site.browser()
		admin.login("admin@example.org", testPassword)
		status, page, token := admin.get(path + "?from=2004&to=2006")
		if status != 200 || !strings.Contains(page, "Japón") || !strings.Contains(page, "14,400") || !strings.Contains(page, "Mostrarlas a todos") {
			t.Fatalf("the exporter's markets: %d\n%s", status, page)
		}
		res := admin.post(path+"/visibilidad", url.Values{"csrf_token": {token}, "public": {"1"}, "version": {"0"}})
		if res.StatusCode != 303 {
			t.Fatalf("publish: %d", res.StatusCode)
		}
		if status, page, _ := visitor.get(path + "?from=2004&to=2006"); status != 200 || !strings.Contains(page, "Japón") || strings.Contains(page, "Mostrarlas a todos") {
			t.Errorf("anonymous after it chose to publish: %d", status)
		}
		if _, page, _ := visitor.get("/actores/" + strconv.FormatInt(sur, 10)); !strings.Contains(page, `href="`+path+`"`) {
			t.Errorf("the registry's page does not link the exporter's markets")
		}
		if _, page, _ := visitor.get("/mercados/exportaciones?from=2004&to=2006&by=exporter"); !strings.Contains(page, `href="`+path+`"`) {
			t.Errorf("the public ranking does not link the exporter that publishes")
		}
	})
}

// TestExporterPagesShowTheirMarkets: an exporter's registry page and its
// offer page show its exports by market to its members and editors, to
// everyone only once it chose so; an anonymous visit right after a member's
// never gets the member's figures, and the member's page is marked so that
// no cache keeps it for others.
func TestExporterPagesShowTheirMarkets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		sur := site.addExporter("Pesquera Sur", "20000000010")
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO actor_kinds (actor_id, kind) VALUES ($1, 'exporter')", sur)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := site.srv.Accounts.CreateUser(ctx, auth.System, accounts.UserInput{Role: auth.Member, ActorID: sur,
			Email: "sur@example.org", Name: "Sur", Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		site.importDeclarations()
		id := strconv.FormatInt(sur, 10)
		registry, offer := "/actores/"+id, "/oferta/exportadores/"+id
		shows := func(page string) bool {
			return strings.Contains(page, `id="exporter-markets"`) && strings.Contains(page, "14,400") && strings.Contains(page, "Japón")
		}
		visitor, member, other, editor := site.browser(), site.browser(), site.browser(), site.browser()
		member.login("sur@example.org", testPassword)
		other.login("member@example.org", testPassword)
		editor.login("editor@example.org", testPassword)
		for _, path := range []string{offer, registry} {
			if status, page, _ := visitor.get(path); status != 200 || strings.Contains(page, "14,400") {
				t.Errorf("%s anonymous, private: %d, figures shown", path, status)
			}
			res, err := member.client.Get(site.http.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			if page := body(t, res); res.StatusCode != 200 || !shows(page) || !strings.Contains(res.Header.Get("Cache-Control"), "private") ||
				!strings.Contains(page, `href="/actores/`+id+`/exportaciones/datos.csv?from=2004&amp;to=2006"`) {
				t.Errorf("%s its member: %d %q, want the figures of 2004–2006 with their download, marked private", path, res.StatusCode, res.Header.Get("Cache-Control"))
			}
			if _, page, _ := visitor.get(path); strings.Contains(page, "14,400") {
				t.Errorf("%s anonymous after its member: the member's figures", path)
			}
			if _, page, _ := editor.get(path); !shows(page) {
				t.Errorf("%s an editor does not see the figures", path)
			}
			if _, page, _ := other.get(path); strings.Contains(page, "14,400") {
				t.Errorf("%s another actor's member sees the figures", path)
			}
		}
		res, err := member.client.Get(site.http.URL + "/actores/" + id + "/exportaciones/datos.csv?from=2004&to=2006")
		if err != nil {
			t.Fatal(err)
		}
		if csv := body(t, res); res.StatusCode != 200 || !strings.Contains(csv, "JPN,Japón,10000,12000,14400") {
			t.Errorf("its member's download: %d\n%s", res.StatusCode, csv)
		}
		if status, _, _ := visitor.get("/actores/" + id + "/exportaciones/datos.csv"); status == 200 {
			t.Error("an anonymous visitor downloaded private figures")
		}
		_, _, token := member.get(registry + "/exportaciones")
		if res := member.post(registry+"/exportaciones/visibilidad", url.Values{"csrf_token": {token}, "public": {"1"}, "version": {"0"}}); res.StatusCode != 303 {
			t.Fatalf("publish: %d", res.StatusCode)
		}
		for _, path := range []string{offer, registry} {
			if _, page, _ := visitor.get(path); !shows(page) {
				t.Errorf("%s anonymous once public: no figures", path)
			}
		}
	})
}

// TestExporterPagesShowItsOwnLastYears: an exporter that stopped exporting
// before the others shows, on its registry and offer pages, its own last
// three years, and says which years they are.
func TestExporterPagesShowItsOwnLastYears(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		old := site.addExporter("Antigua", "20000000044")
		site.importDeclarations() // the others export until 2006
		if err := d.Tx(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(context.Background(), "INSERT INTO actor_kinds (actor_id, kind) VALUES ($1, 'exporter')", old)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		file, err := os.ReadFile("../exports/testdata/declaraciones.csv")
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(string(file), "\n")
		site.importDeclarationsFrom("antiguas.csv", strings.NewReader(header+"\n"+
			"10/02/2002;Moquegua;Japón;Antigua SAC;20000000044;0307992000;7000;700;ILO;KG;;;;\n"+
			"10/06/2003;Moquegua;Japón;Antigua SAC;20000000044;0307992000;8000;800;ILO;KG;;;;\n"))
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		id := strconv.FormatInt(old, 10)
		for _, path := range []string{"/actores/" + id, "/oferta/exportadores/" + id} {
			status, page, _ := editor.get(path)
			if status != 200 || !strings.Contains(page, `id="exporter-markets"`) || !strings.Contains(page, "8,000") ||
				!strings.Contains(page, "US$ FOB de 2001 a 2003, sus últimos años con exportaciones") ||
				!strings.Contains(page, `datos.csv?from=2001&amp;to=2003"`) {
				t.Errorf("%s: %d; want its exports of 2001–2003, saying so", path, status)
			}
		}
		// Its page of more years: the five up to its own last one.
		status, page, _ := editor.get("/actores/" + id + "/exportaciones")
		if status != 200 || !strings.Contains(page, ">1999</th>") || !strings.Contains(page, "8,000") || strings.Contains(page, ">2004</th>") {
			t.Errorf("its exports by market, by default: %d; want 1999–2003\n%s", status, page)
		}
	})
}
