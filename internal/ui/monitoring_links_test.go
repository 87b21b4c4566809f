package ui

import (
	"testing"

	"sriim/internal/indicators"
	"sriim/internal/planning"
)

// TestComputedIndicatorLinks: the records behind a value link to their
// pages, by id or, for norms and procedures, by code.
func TestComputedIndicatorLinks(t *testing.T) {
	c := computedIndicator{IndicatorView: planning.IndicatorView{Records: []indicators.Record{
		{Entity: "document", ID: 7, Label: "Guía"},
		{Entity: "norm", ID: 3, Code: "RM-100-2010-PRODUCE", Label: "R.M. N° 100-2010-PRODUCE"},
		{Entity: "procedure", ID: 4, Code: "REG SAN", Label: "Registro sanitario"},
		{Entity: "norm", ID: 5, Label: "sin código"},
	}}}
	want := []recordLink{{"Guía", "/archivo/7"}, {"R.M. N° 100-2010-PRODUCE", "/normas/RM-100-2010-PRODUCE"},
		{"Registro sanitario", "/normas/procedimientos/REG%20SAN"}, {"sin código", ""}}
	got := c.Links()
	if len(got) != len(want) {
		t.Fatalf("links %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
