package render

import (
	"bytes"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestChartsSayWhatTheyShow(t *testing.T) {
	lines := Lines{Title: "Loco — Región Moquegua, 2001–2003 (t)", Labels: []string{"2001", "2002", "2003"},
		Names: []string{"Congelado", "Conservas"}, Values: [][]float64{{1, math.NaN(), 3}, {2, 2, 2}}, Number: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }}
	svg, err := lines.Draw(SVG)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">Loco — Región Moquegua, 2001–2003 (t)</text>", ">Congelado</text>", ">Conservas</text>", ">2002</text>"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the SVG lacks %s", want)
		}
	}
	img, err := lines.Draw(PNG)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(img)); err != nil || cfg.Width != chartWidth {
		t.Errorf("PNG: %+v %v", cfg, err)
	}
	// Each bar takes its group's colour.
	red, green := color.RGBA{R: 0xa3, G: 0x23, B: 0x1b, A: 255}, color.RGBA{R: 0x1e, G: 0x7b, B: 0x34, A: 255}
	tl := Timeline{Title: "2008", Groups: []TimelineGroup{{"Cumplida", green}, {"Atrasada", red}},
		Rows: []TimelineRow{{"1.1.1", 2007, 2010, 0}, {"1.1.2", 2008, 2008, 1}}}
	svg, err = tl.Draw(SVG)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fill:rgb(163,35,27)", "fill:rgb(30,123,52)", ">Atrasada</text>", ">1.1.2</text>"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the timeline lacks %s", want)
		}
	}
}
