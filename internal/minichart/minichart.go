// Package minichart draws the small SVG charts of a dashboard — one series
// by year, as bars, with a title and its source beneath — with
// go-analyze/charts, the chart library the rest of SRIIM uses. It knows no
// module and no page, so the pages, the API and printed reports can all
// use it.
package minichart

import (
	"math"
	"strconv"

	"github.com/go-analyze/charts"
)

// Size of a chart, in SVG user units: small enough for six on a printed page.
const (
	Width  = 360
	Height = 200
)

// Bars draws values by year as bars from the first year to the last; a year
// without a value is a gap, not a zero. format writes a value for the axis.
func Bars(title, subtitle string, years []int, values map[int]float64, format func(float64) string) ([]byte, error) {
	labels := make([]string, len(years))
	data := make([]float64, len(years))
	for i, y := range years {
		labels[i] = strconv.Itoa(y)
		v, ok := values[y]
		if !ok || math.IsNaN(v) {
			v = charts.GetNullValue()
		}
		data[i] = v
	}
	opt := charts.NewBarChartOptionWithData([][]float64{data})
	opt.CategoryAxis.Labels = labels
	opt.Title.Text = title
	opt.Title.Subtext = subtitle
	opt.Title.FontStyle.FontSize = 11
	opt.CategoryAxis.LabelFontStyle.FontSize = 9
	for i := range opt.ValueAxis {
		opt.ValueAxis[i].LabelFontStyle.FontSize = 9
		opt.ValueAxis[i].LabelCount = 4
	}
	opt.Padding = charts.Box{Top: 12, Left: 8, Right: 12, Bottom: 8}
	if format != nil {
		opt.ValueFormatter = format
	}
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: Width, Height: Height})
	if err := p.BarChart(opt); err != nil {
		return nil, err
	}
	return p.Bytes()
}
