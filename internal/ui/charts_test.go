package ui

import (
	"context"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/planning"
)

var (
	chartImgRE = regexp.MustCompile(`<figure class="chart">\s*<img src="([^"]+)"`)
	svgTextRE  = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)
	yearRE     = regexp.MustCompile(`^(19|20)\d\d$`)
)

// svgTexts is the text of a chart: its title, legend and axis labels.
func svgTexts(svg string) []string {
	var out []string
	for _, m := range svgTextRE.FindAllStringSubmatch(svg, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// chartYears are the texts that are years (the category axis of a line chart).
func chartYears(texts []string) []string {
	var out []string
	for _, t := range texts {
		if yearRE.MatchString(t) {
			out = append(out, t)
		}
	}
	return out
}

// tableColumn is the text of one cell per row of the table with id (th or
// td, the n-th cell of each body row), or its header's cells (n < 0).
func tableColumn(t *testing.T, page, id string, n int) []string {
	t.Helper()
	i := strings.Index(page, `<table id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no table %s", id)
	}
	table := page[i:]
	table = table[:strings.Index(table, "</table>")]
	head, bodyRows, _ := strings.Cut(table, "<tbody>")
	cell := regexp.MustCompile(`<t[hd][^>]*>(.*?)</t[hd]>`)
	tags := regexp.MustCompile(`<[^>]+>`)
	text := func(s string) string { return html.UnescapeString(strings.TrimSpace(tags.ReplaceAllString(s, ""))) }
	var out []string
	if n < 0 {
		for _, c := range cell.FindAllStringSubmatch(head, -1) {
			out = append(out, text(c[1]))
		}
		return out
	}
	for _, row := range strings.Split(bodyRows, "<tr")[1:] {
		if strings.HasPrefix(row, ` class="total"`) {
			continue
		}
		if cells := cell.FindAllStringSubmatch(row, -1); n < len(cells) {
			out = append(out, text(cells[n][1]))
		}
	}
	return out
}

// TestChartsAreDrawnFromThePageSelection fetches, for every page with a
// chart, the chart the page links to, and checks that it shows the page's
// selection: its years, its series and its title.
func TestChartsAreDrawnFromThePageSelection(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	ctx := context.Background()
	f, err := os.Open("../trade/testdata/comtrade-legacy.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/markets/imports?format=comtrade-legacy&name=jpn.csv", f)
	req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
	if res, err := site.http.Client().Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("import: %v %v", res, err)
	}
	mesa := site.users["admin"].Principal()
	rep, err := site.srv.Trade.BuildReport(ctx, mesa, "2005-S2", "en", []string{"loco_congelado"})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := site.srv.Planning.Activity(ctx, 1, "1.1.1", 2008)
	r, err := site.srv.Planning.SaveReport(ctx, mesa, a.ID, planning.ReportInput{Period: "2008", Status: "done", Values: map[int64]float64{a.Indicators[1].ID: 35}})
	if err != nil {
		t.Fatal(err)
	}
	site.srv.Planning.Submit(ctx, mesa, r.ID)
	site.srv.Planning.Review(ctx, mesa, r.ID, true, "")

	b := site.browser()
	fetch := func(path string) string {
		t.Helper()
		res, err := b.client.Get(site.http.URL + html.UnescapeString(path))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %.300s", path, res.StatusCode, body)
		}
		return string(body)
	}
	tests := []struct {
		page  string
		check func(t *testing.T, page string, chart []string)
	}{
		{"/produccion?especie=moluscos&lugar=PE-MOQ&desde=1999&hasta=2002", func(t *testing.T, page string, chart []string) {
			want := tableColumn(t, page, "series", 0)
			if !slices.Equal(chartYears(chart), want) || len(want) == 0 || want[0] != "1999" {
				t.Errorf("chart years %v, table years %v", chartYears(chart), want)
			}
			for _, label := range tableColumn(t, page, "series", -1)[1:] {
				if label != "Total" && !slices.Contains(chart, label) {
					t.Errorf("chart lacks the series %q", label)
				}
			}
			if !strings.HasPrefix(chart[0], "Moluscos") || !strings.Contains(chart[0], "1999–2002") {
				t.Errorf("chart title %q", chart[0])
			}
		}},
		{"/produccion?especie=moluscos&presentacion=frozen&presentacion=canned&desde=2000&lang=en", func(t *testing.T, page string, chart []string) {
			if got, want := chartYears(chart), tableColumn(t, page, "series", 0); !slices.Equal(got, want) {
				t.Errorf("chart years %v, table years %v", got, want)
			}
			for _, name := range []string{"Frozen", "Canned"} {
				if !slices.Contains(chart, name) {
					t.Errorf("chart lacks the series %s: %q", name, chart)
				}
			}
			if slices.Contains(chart, "Fresh / chilled") {
				t.Error("chart shows a presentation the page did not select")
			}
		}},
		{"/mercados?hs=030799&from=2001&to=2003", func(t *testing.T, page string, chart []string) {
			if got, want := chartYears(chart), []string{"2001", "2002", "2003"}; !slices.Equal(got, want) {
				t.Errorf("chart years %v, want %v", got, want)
			}
			for _, country := range tableColumn(t, page, "importers", 1) {
				if !slices.Contains(chart, country) {
					t.Errorf("chart lacks the importer %s: %q", country, chart)
				}
			}
			if !strings.Contains(chart[0], "030799") || !strings.Contains(chart[0], "2001–2003") {
				t.Errorf("chart title %q", chart[0])
			}
		}},
		{"/plan/1?anio=2006", func(t *testing.T, page string, chart []string) {
			if !strings.HasSuffix(chart[0], "2006") {
				t.Errorf("timeline title %q, want the page's year", chart[0])
			}
		}},
		{"/plan/1/actividades/1.1.1?anio=2008&lang=en", func(t *testing.T, page string, chart []string) {
			if name := a.Indicators[1].Name; chart[0] != name || !slices.Contains(chart, "2008") {
				t.Errorf("indicator chart %q, want %s over 2008", chart, name)
			}
		}},
		{fmt.Sprintf("/mercados/informes/%d", rep.ID), func(t *testing.T, page string, chart []string) {
			if !strings.HasPrefix(chart[0], "Imports of") || !slices.Equal(chartYears(chart), tableColumn(t, page, "report-importers-loco_congelado", -1)[1:6]) {
				t.Errorf("report chart %q", chart)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			page := fetch(tt.page)
			links := chartImgRE.FindAllStringSubmatch(page, -1)
			if len(links) == 0 {
				t.Fatal("no chart on the page")
			}
			for _, l := range links {
				tt.check(t, page, svgTexts(fetch(l[1])))
			}
		})
	}
}

// TestTemplatesBuildQueriesWithWithQuery keeps links from interpolating a
// query after a literal "?": html/template escapes such a value as one
// opaque string, and the server then answers for another selection.
func TestTemplatesBuildQueriesWithWithQuery(t *testing.T) {
	names, err := fs.Glob(embedded, "templates/*/*.html")
	if err != nil {
		t.Fatal(err)
	}
	top, _ := fs.Glob(embedded, "templates/*.html")
	for _, name := range append(top, names...) {
		b, _ := embedded.ReadFile(name)
		if m := regexp.MustCompile(`\?\{\{[^}]*\}\}`).Find(b); m != nil {
			t.Errorf("%s: %s interpolates a query; use withQuery", name, m)
		}
	}
}
