// Package render draws SRIIM's documents: charts (SVG for pages, PNG for
// PDFs) and PDF reports. It knows nothing of the domain: callers pass
// labels, numbers and formatted text.
package render

import (
	"image/color"
	"math"
	"strconv"

	"github.com/go-analyze/charts"
)

// Format is the image format a chart is drawn in.
type Format string

// The formats charts are drawn in: SVG for web pages, PNG for PDFs.
const (
	SVG Format = charts.ChartOutputSVG
	PNG Format = charts.ChartOutputPNG
)

// Lines is a line chart: one line per series over categories (years or
// periods), a legend with the series' names. NaN values leave a gap
// instead of a false zero.
type Lines struct {
	Title  string
	Labels []string
	Names  []string
	Values [][]float64
	// Number writes the value axis' figures.
	Number func(float64) string
}

// Size of the charts on the pages (CSS pixels) and in the PDFs.
const (
	chartWidth  = 760
	chartHeight = 380
)

// Draw renders the chart.
func (c Lines) Draw(f Format) ([]byte, error) {
	data := make([][]float64, len(c.Values))
	for i, vs := range c.Values {
		data[i] = make([]float64, len(vs))
		for j, v := range vs {
			if math.IsNaN(v) {
				v = charts.GetNullValue()
			}
			data[i][j] = v
		}
	}
	opt := charts.NewLineChartOptionWithData(data)
	opt.XAxis.Labels = c.Labels
	opt.Legend.SeriesNames = c.Names
	opt.Symbol.Shape = charts.SymbolCircle
	opt.LineStrokeWidth = 2
	opt.ValueFormatter = c.Number
	setTitle(&opt.Title, &opt.Legend, c.Title)
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: string(f), Width: chartWidth, Height: chartHeight})
	if err := p.LineChart(opt); err != nil {
		return nil, err
	}
	return p.Bytes()
}

// setTitle puts the title at the top left and the legend under it.
func setTitle(title *charts.TitleOption, legend *charts.LegendOption, text string) {
	legend.Padding = charts.Box{Top: 4, Left: 8}
	if text == "" {
		return
	}
	title.Text = text
	title.FontStyle = charts.FontStyle{FontSize: 13, FontColor: charts.Color{R: 20, G: 40, B: 60, A: 255}}
	title.Offset = charts.OffsetStr{Left: "8", Top: "4"}
	legend.Offset = charts.OffsetStr{Left: "0", Top: "24"}
}

// TimelineRow is one bar of a timeline: a label and its first and last
// years, drawn in its group's colour.
type TimelineRow struct {
	Label      string
	Start, End int
	Group      int
}

// TimelineGroup names a colour of a timeline's bars (a traffic light).
type TimelineGroup struct {
	Name  string
	Color color.RGBA
}

// Timeline is a Gantt-like chart: one floating bar per row from its first
// to its last year, coloured by group, with a legend of the groups.
type Timeline struct {
	Title  string
	Rows   []TimelineRow
	Groups []TimelineGroup
}

// TimelineHeight is the height a timeline of n rows is drawn at.
func TimelineHeight(n int) int { return 70 + 14*n }

// Draw renders the timeline. The bars stack a transparent offset (from
// the first year shown) under one series per group, so each bar takes its
// group's colour.
func (t Timeline) Draw(f Format) ([]byte, error) {
	from := 0
	for _, r := range t.Rows {
		if from == 0 || r.Start < from {
			from = r.Start
		}
	}
	series := make([][]float64, 1+len(t.Groups))
	for i := range series {
		series[i] = make([]float64, len(t.Rows))
	}
	labels := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		labels[i] = r.Label
		series[0][i] = float64(r.Start - from)
		if r.Group >= 0 && r.Group < len(t.Groups) {
			series[1+r.Group][i] = float64(r.End - r.Start + 1)
		}
	}
	opt := charts.NewBarChartOptionWithData(series)
	opt.Horizontal = true
	opt.StackSeries = charts.Ptr(true)
	colors := []charts.Color{{A: 0}}
	names := []string{""}
	for _, g := range t.Groups {
		colors = append(colors, charts.Color{R: g.Color.R, G: g.Color.G, B: g.Color.B, A: 255})
		names = append(names, g.Name)
	}
	opt.Theme = charts.GetTheme(charts.ThemeLight).WithSeriesColors(colors)
	opt.CategoryAxis = charts.CategoryAxisOption{Labels: labels, LabelCount: len(labels), LabelFontStyle: charts.FontStyle{FontSize: 9}}
	opt.ValueFormatter = func(v float64) string { return strconv.Itoa(from + int(math.Round(v))) }
	opt.Legend.SeriesNames = names
	opt.Padding = charts.Box{Top: 10, Right: 20, Bottom: 10, Left: 10}
	setTitle(&opt.Title, &opt.Legend, t.Title)
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: string(f), Width: chartWidth, Height: TimelineHeight(len(t.Rows))})
	if err := p.BarChart(opt); err != nil {
		return nil, err
	}
	return p.Bytes()
}
