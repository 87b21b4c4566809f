package reports

import (
	"math"
	"strconv"
	"strings"

	"sriim/internal/i18n"
	"sriim/internal/render"
	"sriim/internal/trade"
)

// ReportChart is a report section's chart: its five largest importers.
func ReportChart(sec trade.ReportSection, lang i18n.Lang) render.Lines {
	rk := sec.Importers
	rk.Rows = rk.Rows[:min(5, len(rk.Rows))]
	return ImportersChart(rk, lang)
}

// ImportersChart draws a ranking's importers' values by year, in millions
// of US$, titled with the product and the years.
func ImportersChart(rk trade.Ranking, lang i18n.Lang) render.Lines {
	names := make([]string, len(rk.Rows))
	values := make([][]float64, len(rk.Rows))
	for i, row := range rk.Rows {
		names[i] = row.Partner.Name(string(lang))
		values[i] = make([]float64, len(rk.Years))
		for j, y := range rk.Years {
			v, ok := row.Values[y]
			if !ok {
				v = math.NaN()
			}
			values[i][j] = v / 1e6
		}
	}
	labels := make([]string, len(rk.Years))
	for i, y := range rk.Years {
		labels[i] = strconv.Itoa(y)
	}
	title := i18n.T(lang, "markets.chart_title", ProductName(rk.Product, lang), render.YearSpan(rk.From, rk.To))
	if n := len(rk.Years); n > 0 {
		title = i18n.T(lang, "markets.chart_title", ProductName(rk.Product, lang), render.YearSpan(rk.Years[0], rk.Years[n-1]))
	}
	return render.Lines{Title: title, Labels: labels, Names: names, Values: values, Number: render.FormatNumber}
}

// ProductName names a product line, or the HS codes of a product as reported.
func ProductName(p trade.Product, lang i18n.Lang) string {
	if p.Line != "" {
		if lang == i18n.EN {
			return p.NameEN
		}
		return p.NameES
	}
	codes := make([]string, len(p.Codes))
	for i, c := range p.Codes {
		codes[i] = c.Commodity
	}
	return i18n.T(lang, "markets.hs_codes", strings.Join(codes, ", "))
}
