package stats

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCAGR(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name        string
		first, last float64
		years       int
		want        float64
		ok          bool
	}{
		{"100 to 121 over 2 years is 10%", 100, 121, 2, 0.10, true},
		{"doubling in one year", 50, 100, 1, 1.0, true},
		{"halving over 1 year", 100, 50, 1, -0.5, true},
		{"flat", 7, 7, 6, 0, true},
		{"to zero is -100%", 100, 0, 3, -1, true},
		{"Cuadro 1 fresco 1997-2003", 390, 362, 6, math.Pow(362.0/390.0, 1.0/6) - 1, true},
		{"zero first value", 0, 145, 6, 0, false},
		{"negative first value", -1, 10, 2, 0, false},
		{"missing first value", nan, 10, 2, 0, false},
		{"missing last value", 10, nan, 2, 0, false},
		{"no years between", 10, 20, 0, 0, false},
	}
	for _, tt := range tests {
		got, ok := CAGR(tt.first, tt.last, tt.years)
		if ok != tt.ok || (ok && !near(got, tt.want)) {
			t.Errorf("%s: CAGR(%v, %v, %d) = %v, %v; want %v, %v", tt.name, tt.first, tt.last, tt.years, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSeriesCAGR(t *testing.T) {
	nan := math.NaN()
	years := []int{2000, 2001, 2002, 2003, 2004}
	tests := []struct {
		name   string
		values []float64
		want   float64
		span   Span
		ok     bool
	}{
		{"whole range", []float64{100, 0, 0, 0, 121}, math.Pow(1.21, 0.25) - 1, Span{2000, 2004}, true},
		{"first year missing", []float64{nan, 100, 110, nan, 133.1}, 0.10, Span{2001, 2004}, true},
		{"last years missing", []float64{100, 121, nan, nan, nan}, 0.21, Span{2000, 2001}, true},
		{"one value", []float64{nan, nan, 5, nan, nan}, 0, Span{}, false},
		{"first value zero", []float64{0, 5, 6, 7, 8}, 0, Span{}, false},
		{"nothing", []float64{nan, nan, nan, nan, nan}, 0, Span{}, false},
	}
	for _, tt := range tests {
		got, span, ok := SeriesCAGR(years, tt.values)
		if ok != tt.ok || span != tt.span || (ok && !near(got, tt.want)) {
			t.Errorf("%s: = %v %v %v; want %v %v %v", tt.name, got, span, ok, tt.want, tt.span, tt.ok)
		}
	}
}

func TestTrendGrowth(t *testing.T) {
	tests := []struct {
		name   string
		years  []int
		values []float64
		want   float64
		ok     bool
	}{
		{"exact 10% a year", []int{2000, 2001, 2002}, []float64{100, 110, 121}, 0.10, true},
		{"exact -20% a year", []int{1, 2, 3, 4}, []float64{1000, 800, 640, 512}, -0.20, true},
		{"gaps in years", []int{2000, 2002}, []float64{100, 121}, 0.10, true},
		{"zeros are left out", []int{2000, 2001, 2002}, []float64{100, 0, 121}, 0.10, true},
		{"missing values are left out", []int{2000, 2001, 2002}, []float64{100, math.NaN(), 121}, 0.10, true},
		{"one positive point", []int{2000, 2001}, []float64{0, 5}, 0, false},
		{"no points", nil, nil, 0, false},
		{"same year twice", []int{2000, 2000}, []float64{1, 2}, 0, false},
	}
	for _, tt := range tests {
		got, ok := TrendGrowth(tt.years, tt.values)
		if ok != tt.ok || (ok && !near(got, tt.want)) {
			t.Errorf("%s: = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestShare(t *testing.T) {
	if s, ok := Share(87, 100); !ok || !near(s, 0.87) {
		t.Errorf("Share(87,100) = %v %v", s, ok)
	}
	if _, ok := Share(1, 0); ok {
		t.Error("share of zero whole computed")
	}
}
