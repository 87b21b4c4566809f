package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/importer"
)

// TestGrowthSaysWhichYearsItSpans: a series that lacks the range's first
// year grows from the first year it has, and every output says so.
func TestGrowthSaysWhichYearsItSpans(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	ctx := context.Background()
	// Korea imports from 2001 only; Japan every year.
	file := "reportero,socio,flujo,clasificacion,codigo,anio,valor_usd\n"
	for y := 2000; y <= 2004; y++ {
		file += fmt.Sprintf("JPN,PER,importacion,H2,030799,%d,%d\n", y, 1000000+y)
		if y > 2000 {
			file += fmt.Sprintf("KOR,PER,importacion,H2,030799,%d,%d\n", y, 500000*(y-2000))
		}
	}
	req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/markets/imports?format=sriim&name=span.csv", strings.NewReader(file))
	req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
	if res, err := site.http.Client().Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("import: %v %v", res, err)
	}
	get := func(path string) string {
		t.Helper()
		res, err := site.http.Client().Get(site.http.URL + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, res, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	sel := "hs=030799&from=2000&to=2004"
	if api := get("/api/v1/markets/importers?" + sel); !strings.Contains(api, `"cagr_span":[2001,2004]`) || !strings.Contains(api, `"cagr_span":[2000,2004]`) {
		t.Errorf("API: %s", api)
	}
	if page := get("/mercados?" + sel); !strings.Contains(page, `<small class="span">(2001–2004)</small>`) || strings.Contains(page, "(2000–2004)") {
		t.Error("the page does not say Korea's growth runs from 2001")
	}
	for _, format := range []string{"csv", "xlsx"} {
		tbl, err := importer.Read(strings.NewReader(get("/mercados/importadores."+format+"?"+sel)), "importadores."+format, []string{"iso", "2000", "tcac_desde", "tcac_hasta"})
		if err != nil {
			t.Errorf("%s: %v", format, err)
			continue
		}
		for _, row := range tbl.Rows {
			if row.Get("iso") == "KOR" && (row.Get("2000") != "" || row.Get("tcac_desde") != "2001" || row.Get("tcac_hasta") != "2004") {
				t.Errorf("%s: Korea: 2000 %q, CAGR over %q–%q", format, row.Get("2000"), row.Get("tcac_desde"), row.Get("tcac_hasta"))
			}
		}
	}
	rep, err := site.srv.Trade.BuildReport(ctx, site.users["admin"].Principal(), "2005-S2", "es", []string{"loco_congelado"})
	if err != nil {
		t.Fatal(err)
	}
	annex := get(fmt.Sprintf("/mercados/informes/%d/anexo.xlsx", rep.ID))
	wb, err := excelize.OpenReader(strings.NewReader(annex))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := wb.GetRows("loco_congelado-importadores")
	if len(rows) < 2 || !slices.Contains(rows[0], "2000") || !slices.Contains(rows[0], "tcac_desde") {
		t.Errorf("annex header: %v", rows)
	}
	for _, row := range rows[1:] {
		col := func(name string) string {
			if i := slices.Index(rows[0], name); i >= 0 && i < len(row) {
				return row[i]
			}
			return "none"
		}
		if slices.Contains(row, "Corea del Sur") && (col("2000") != "" || col("tcac_desde") != "2001") {
			t.Errorf("annex: Korea %q: a missing year is an empty cell, and the CAGR runs from 2001", row)
		}
	}
	// Production series: Cuadro 1's frozen series, asked from 1990.
	if api := get("/api/v1/production/series?species=moluscos&place=PE-MOQ&presentation=canned&from=1990"); !strings.Contains(api, `"cagr_span":[1997,2003]`) {
		t.Errorf("production API: %.400s", api)
	}
}
