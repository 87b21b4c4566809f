package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-analyze/charts"
)

// lineChart renders a line chart as SVG with go-analyze/charts: one line
// per series, years on the x axis, a legend with the series' names. A
// missing value leaves a gap instead of a false zero.
func lineChart(years []int, names []string, values [][]float64, unit string) ([]byte, error) {
	labels := make([]string, len(years))
	for i, y := range years {
		labels[i] = strconv.Itoa(y)
	}
	data := make([][]float64, len(values))
	for i, vs := range values {
		data[i] = make([]float64, len(vs))
		for j, v := range vs {
			if math.IsNaN(v) {
				v = charts.GetNullValue()
			}
			data[i][j] = v
		}
	}
	opt := charts.NewLineChartOptionWithData(data)
	opt.XAxis.Labels = labels
	opt.Legend.SeriesNames = names
	opt.Legend.Padding = charts.Box{Top: 4, Left: 8}
	opt.Symbol.Shape = charts.SymbolCircle
	opt.LineStrokeWidth = 2
	opt.ValueFormatter = func(v float64) string { return formatNumber(v) + " " + unit }
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: 760, Height: 380})
	if err := p.LineChart(opt); err != nil {
		return nil, err
	}
	return p.Bytes()
}

// writeSVG serves a chart. The chart library styles with inline style
// attributes, which the pages' CSP forbids; an SVG image has no script, so
// this response alone allows inline styles.
func writeSVG(w http.ResponseWriter, svg []byte) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(svg)
}

// formatNumber writes a number as people in Peru read it: 1,234.5.
func formatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	if dot := strings.IndexByte(s, '.'); dot >= 0 && len(s)-dot-1 > 2 {
		s = strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	if v < 0 {
		return "−" + b.String()
	}
	return b.String()
}
