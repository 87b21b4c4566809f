package reports

import (
	"cmp"
	"math"
	"strconv"
	"strings"

	"sriim/internal/i18n"
	"sriim/internal/production"
	"sriim/internal/render"
)

// ProductionChart is the series of one unit group of a selection's result
// by year, titled with what was selected (names: species and place codes →
// names; labels: a label per series of the result).
func ProductionChart(res production.Result, q production.Query, names map[string]string, labels []string, g production.UnitGroup, lang i18n.Lang) render.Lines {
	series := res.Series[g.First:g.Last]
	values := make([][]float64, len(series))
	for i, sr := range series {
		values[i] = make([]float64, len(g.Years))
		for j, y := range g.Years {
			val, ok := sr.Value(y)
			if !ok {
				val = math.NaN()
			}
			values[i][j] = val
		}
	}
	years := make([]string, len(g.Years))
	for i, y := range g.Years {
		years[i] = strconv.Itoa(y)
	}
	named := func(codes []string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = cmp.Or(names[c], c)
		}
		return strings.Join(out, ", ")
	}
	title := i18n.T(lang, "production.chart_title", named(q.Species), named(q.Places),
		render.YearSpan(g.Years[0], g.Years[len(g.Years)-1]), g.Unit)
	return render.Lines{Title: title, Labels: years, Names: labels[g.First:g.Last], Values: values, Number: render.FormatNumber}
}
