package ui

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/importer"
)

func TestProductionPageShowsCuadro1AndItsChart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		b := site.browser()
		status, page, _ := b.get("/produccion")
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		table := page[strings.Index(page, `<table id="series">`):]
		table = table[:strings.Index(table, "</table>")]
		cells := regexp.MustCompile(`<td class="num"><a href="/produccion/observaciones/\d+">([\d,]+)</a>`).FindAllStringSubmatch(table, -1)
		want := []string{"390", "56", "252", "584", "201", "216", "560", "0", "32", "534", "0", "28", "336", "2", "367", "398", "7", "61", "362", "145", "354"}
		if len(cells) != len(want) {
			t.Fatalf("%d values in the table, want 21", len(cells))
		}
		for i, c := range cells {
			if c[1] != want[i] {
				t.Errorf("value %d = %s, want %s", i, c[1], want[i])
			}
		}
		res, err := b.client.Get(site.http.URL + "/produccion/grafico.svg")
		if err != nil {
			t.Fatal(err)
		}
		svg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Header.Get("Content-Type") != "image/svg+xml" || !bytes.HasPrefix(svg, []byte("<svg")) {
			t.Fatalf("chart: %s %.80s", res.Header.Get("Content-Type"), svg)
		}
		for _, name := range []string{"Fresco / refrigerado", "Conservas", "Congelado"} {
			if !bytes.Contains(svg, []byte(">"+name+"</text>")) {
				t.Errorf("chart legend lacks %s", name)
			}
		}
	})
}

func TestProductionAPISeries(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	status, body := site.apiCall("", "GET", "/api/v1/production/series?species=moluscos&presentation=fresh,frozen&place=PE-MOQ&from=1997&to=2003", nil)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var res struct {
		Series []struct {
			Presentation string
			CAGR         *float64 `json:"cagr"`
			TrendGrowth  *float64 `json:"trend_growth"`
			Observations []struct {
				Year  int
				Value float64
			}
		}
		Methods map[string]string
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Series) != 2 || res.Series[0].Presentation != "fresh" || res.Series[1].Presentation != "frozen" || len(res.Series[0].Observations) != 7 {
		t.Fatalf("series: %s", body)
	}
	if res.Series[0].CAGR == nil || *res.Series[0].CAGR != -1.23 || res.Series[0].TrendGrowth == nil || res.Methods["cagr"] == "" {
		t.Fatalf("growth: %s", body)
	}
	if status, _ := site.apiCall("", "GET", "/api/v1/production/series?from=nineteen", nil); status != http.StatusUnprocessableEntity {
		t.Fatalf("bad year: %d", status)
	}
}

func TestProductionImportThroughTheForm(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	b.login("editor@example.org", testPassword)
	upload := func(content string) (int, string) {
		_, _, token := b.get("/produccion/importar")
		res, page := b.upload("/produccion/importar", url.Values{"csrf_token": {token}}, "archivo", "datos.csv", []byte(content))
		return res.StatusCode, page
	}
	head := "especie,presentacion,origen,lugar,medida,anio,valor,unidad,fuente\n"
	status, page := upload(head + "CLM,fresco,extraccion,PE-MOQ,cantidad,2005,5,t,X\nCLM,fresco,extraccion,PE-MOQ,cantidad,2006,cinco,t,X\n")
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "fila 3, columna valor") {
		t.Fatalf("bad file: %d", status)
	}
	status, page = upload(head + "CLM,fresco,extraccion,PE-MOQ,cantidad,2005,5,t,X\nCLM,fresco,extraccion,PE-MOQ,cantidad,2006,6,t,X\n")
	if status != 200 || !strings.Contains(page, "2 nuevas") {
		t.Fatalf("good file: %d %s", status, page[strings.Index(page, "<main"):])
	}
	if status, page = upload(head + "CLM,fresco,extraccion,PE-MOQ,cantidad,2005,5,t,X\nCLM,fresco,extraccion,PE-MOQ,cantidad,2006,6,t,X\n"); !strings.Contains(page, "0 nuevas, 0 actualizadas, 2 sin cambios") {
		t.Fatalf("same file again: %d", status)
	}
}

func TestProductionDownloadsAndTemplate(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	for _, path := range []string{"/produccion/datos.csv", "/produccion/datos.xlsx", "/produccion/plantilla.csv", "/produccion/plantilla.xlsx"} {
		res, err := site.http.Client().Get(site.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		// Every download reads back as a valid import file.
		tbl, err := importer.Read(bytes.NewReader(body), path, []string{"especie", "valor", "fuente"})
		if err != nil {
			t.Fatalf("%s does not read back: %v", path, err)
		}
		if strings.Contains(path, "datos") && len(tbl.Rows) != 21 {
			t.Fatalf("%s: %d rows, want Cuadro 1's 21", path, len(tbl.Rows))
		}
	}
}

func TestSeriesInSeveralUnitsAreShownApart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		// The seed has loco in tonnes; a figure in kilograms and one of molluscs in the region join them.
		for _, o := range []map[string]any{
			{"species": "SNE", "presentation": "fresh", "origin": "capture", "place": "PE-MOQ", "measure": "quantity", "year": 2005, "value": 1200, "unit": "kg", "source": "DIREPRO", "status": "provisional"},
			{"species": "moluscos", "presentation": "all", "origin": "all", "place": "PE-MOQ", "measure": "quantity", "year": 2004, "value": 3500, "unit": "kg", "source": "DIREPRO", "status": "provisional"},
		} {
			if status, body := site.apiCall("editor", "POST", "/api/v1/production/observations", o); status != http.StatusCreated {
				t.Fatalf("create: %d %s", status, body)
			}
		}
		b := site.browser()
		for _, path := range []string{"/produccion?especie=SNE", "/produccion", "/"} {
			status, page, _ := b.get(path)
			if status != 200 {
				t.Fatalf("%s: %d", path, status)
			}
			if path == "/" {
				continue
			}
			if strings.Count(page, `<table id="series`) != 2 || !strings.Contains(page, "(kg)") {
				t.Errorf("%s: want one table per unit, the second in kg", path)
			}
			if status, _, _ := b.get("/produccion/grafico.svg?" + strings.TrimPrefix(path, "/produccion?") + "&unidad=kg"); status != 200 {
				t.Errorf("%s: the chart in kg: %d", path, status)
			}
		}
		if status, body := site.apiCall("", "GET", "/api/v1/production/series?species=SNE&place=PE-MOQ", nil); status != 200 || !strings.Contains(body, `"unit":"kg"`) {
			t.Fatalf("API: %d %.300s", status, body)
		}
	})
}
