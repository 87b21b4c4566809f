// Package reports renders the documents of SRIIM's modules from their data,
// for the pages, the API and the command line alike: the market
// intelligence report (PDF, XLSX annex, HTML, charts), the operating plan and a
// progress report (PDF, timeline), and the cells they share. Each file holds
// one document or format; internal/render draws them.
package reports

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"sriim/internal/i18n"
	"sriim/internal/planning"
	"sriim/internal/render"
	"sriim/internal/stats"
)

// newDoc starts a document with SRIIM's running header and page numbers.
func newDoc(lang i18n.Lang, title string, date time.Time) *render.Doc {
	return render.NewDoc(render.DocOptions{Title: title, Author: i18n.T(lang, "pdf.author"), Lang: string(lang),
		Header: "SRIIM · " + title, Date: date,
		PageLabel: func(n int) string { return i18n.T(lang, "pdf.page", n, "{nb}") }})
}

// longDate writes a date as people write it in lang: "2 de julio de 2026", "2 July 2026".
func longDate(t time.Time, lang i18n.Lang) string {
	if lang == i18n.EN {
		return t.Format("2 January 2006")
	}
	months := []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	return fmt.Sprintf("%d de %s de %d", t.Day(), months[t.Month()-1], t.Year())
}

// pctCell writes a percentage with one decimal ("12.3 %"), "—" when none.
func pctCell(p *float64) string {
	if p == nil {
		return "—"
	}
	return fixedDecimals(*p, 1) + " %"
}

// fixedDecimals writes v with a fixed number of decimals, so that figures in a
// column line up ("6.0", "22.5"); the minus is a minus sign, as on the pages.
func fixedDecimals(v float64, decimals int) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', decimals, 64), "-", "−", 1)
}

// cagrCell is a CAGR with the years it spans when they are not the table's.
func cagrCell(p *float64, span *stats.Span, years []int) string {
	s := pctCell(p)
	if p != nil && span != nil && len(years) > 0 && (span[0] != years[0] || span[1] != years[len(years)-1]) {
		s += " (" + render.YearSpan(span[0], span[1]) + ")"
	}
	return s
}

// thousandsCell is US$ in thousands, rounded, "—" when the year has none.
func thousandsCell(values map[int]float64, year int) string {
	v, ok := values[year]
	if !ok {
		return "—"
	}
	return render.FormatNumber(math.Round(v / 1000))
}

// lightColor is a traffic light's colour.
func lightColor(l planning.Light) *color.RGBA {
	for _, x := range LightColors {
		if x.light == l {
			c := x.color
			return &c
		}
	}
	return nil
}

// statusLight is the light a progress report's status shows.
var statusLight = map[string]planning.Light{"done": planning.LightDone, "in_progress": planning.LightOnTrack,
	"delayed": planning.LightLate, "not_started": planning.LightNotStarted, "cancelled": planning.LightCancelled}
