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
	return renderLines(labels, names, values, func(v float64) string { return formatNumber(v) + " " + unit })
}

// categoryLineChart is lineChart over named periods ("2008", "2009-S1").
func categoryLineChart(labels, names []string, values [][]float64) ([]byte, error) {
	return renderLines(labels, names, values, formatNumber)
}

func renderLines(labels, names []string, values [][]float64, format func(float64) string) ([]byte, error) {
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
	opt.ValueFormatter = format
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

// timelineChart renders a Gantt-like SVG: one floating bar per row, from its
// first to its last year. The bars stack a transparent offset (from the
// first year shown) under the duration, so the chart library draws them.
func timelineChart(labels []string, starts, ends []int, from int) ([]byte, error) {
	offsets := make([]float64, len(labels))
	spans := make([]float64, len(labels))
	for i := range labels {
		offsets[i] = float64(starts[i] - from)
		spans[i] = float64(ends[i] - starts[i] + 1)
	}
	opt := charts.NewBarChartOptionWithData([][]float64{offsets, spans})
	opt.Horizontal = true
	opt.StackSeries = charts.Ptr(true)
	opt.Theme = charts.GetTheme(charts.ThemeLight).WithSeriesColors([]charts.Color{{A: 0}, {R: 11, G: 92, B: 122, A: 255}})
	opt.CategoryAxis = charts.CategoryAxisOption{Labels: labels, LabelCount: len(labels), LabelFontStyle: charts.FontStyle{FontSize: 9}}
	opt.ValueFormatter = func(v float64) string { return strconv.Itoa(from + int(v)) }
	opt.Legend.Show = charts.Ptr(false)
	opt.Padding = charts.Box{Top: 10, Right: 20, Bottom: 10, Left: 10}
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: 760, Height: 40 + 14*len(labels)})
	if err := p.BarChart(opt); err != nil {
		return nil, err
	}
	return p.Bytes()
}
