package reports

import (
	"fmt"
	"slices"
	"testing"

	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/i18n"
	"sriim/internal/prices"
)

func TestPricesChart(t *testing.T) {
	mean := func(v float64) *float64 { return &v }
	point := func(period string, m *float64) prices.Point { return prices.Point{Period: period, Mean: m} }
	levels := []prices.Series{
		{Level: "beach", Points: []prices.Point{point("2004", mean(8)), point("2005", nil)}},
		{Level: "wholesale"},
		{Level: "retail", Points: []prices.Point{point("2003", mean(20.5)), point("2005", mean(25))}},
		{Level: "export_fob", Currency: "USD", Points: []prices.Point{point("2004", mean(12))}},
	}
	periods := []string{"2003", "2004", "2005"}
	q := prices.SeriesQuery{Species: "LOCO", From: exports.Period{Year: 2003}, To: exports.Period{Year: 2005}, By: "year"}
	constant := q
	constant.ConstantYear = 2005

	cases := []struct {
		name         string
		q            prices.SeriesQuery
		lang         i18n.Lang
		title, names string
		values       string
		levels       []prices.Series
		wantNotFound bool
	}{
		{"nominal soles: the levels with prices, not the export's", q, i18n.ES,
			"Precio de Loco (S/ / kg)", "[Playa (primera venta) Minorista]", "[[NaN 8 NaN] [20.5 NaN 25]]", levels, false},
		{"constant soles of a year", constant, i18n.EN,
			"Price of Loco (S/ of 2005 / kg)", "[Beach (first sale) Retail]", "[[NaN 8 NaN] [20.5 NaN 25]]", levels, false},
		{"an empty level and the export's price: nothing to draw", q, i18n.ES, "", "", "", []prices.Series{levels[1], levels[3]}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, err := PricesChart("Loco", c.q, c.levels, periods, c.lang)
			if c.wantNotFound {
				if !errs.Is(err, errs.NotFound) {
					t.Fatalf("got %v, want a NotFound error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{ch.Title, fmt.Sprint(ch.Labels), fmt.Sprint(ch.Names), fmt.Sprint(ch.Values)}
			if want := []string{c.title, fmt.Sprint(periods), c.names, c.values}; !slices.Equal(got, want) {
				t.Errorf("title, labels, names, values:\n got %q\nwant %q", got, want)
			}
		})
	}
}
