package reports

import (
	"fmt"
	"slices"
	"testing"

	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/i18n"
)

func TestExportsChart(t *testing.T) {
	years := exports.Query{Region: "PE-MOQ", From: exports.Period{Year: 2003}, To: exports.Period{Year: 2005}, By: exports.ByYear, Measure: exports.MeasureFOB}
	total := exports.Total{Values: map[string]float64{"2003": 10, "2005": 30}}
	var rows []exports.Row
	for i, name := range []string{"Japón", "Corea", "China", "España", "Chile", "Francia"} {
		rows = append(rows, exports.Row{Key: exports.Key{NameES: name, NameEN: name + " (en)"}, Values: map[string]float64{"2004-12": float64(6 - i)}})
	}
	rows[5].Key = exports.Key{Others: 3}
	months := exports.Query{Region: "PE", From: exports.Period{Year: 2004, Month: 11}, To: exports.Period{Year: 2005, Month: 1},
		By: exports.ByDestination, Measure: exports.MeasureKg}
	unitValue := months
	unitValue.Measure = exports.MeasureUnitValue

	cases := []struct {
		name                 string
		q                    exports.Query
		res                  exports.Result
		lang                 i18n.Lang
		title, labels, names string
		values               string
	}{
		{"by year: the total, missing years left blank", years, exports.Result{Rows: rows, Total: total}, i18n.ES,
			"Exportaciones de Moquegua (US$ FOB)", "[2003 2004 2005]", "[Total]", "[[10 NaN 30]]"},
		{"by destination: the five largest rows, by month", months, exports.Result{Rows: rows, Total: total}, i18n.EN,
			"Exports of All of Peru (kg)", "[2004-11 2004-12 2005-01]", "[Japón (en) Corea (en) China (en) España (en) Chile (en)]",
			"[[NaN 6 NaN] [NaN 5 NaN] [NaN 4 NaN] [NaN 3 NaN] [NaN 2 NaN]]"},
		{"unit value: the total before the rows", unitValue, exports.Result{Rows: rows[5:], Total: exports.Total{Values: map[string]float64{"2005-01": 7.5}}}, i18n.ES,
			"Exportaciones de Todo el Perú (US$/kg)", "[2004-11 2004-12 2005-01]", "[Total Otros 3 exportadores]", "[[NaN NaN 7.5] [NaN 1 NaN]]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, err := ExportsChart(c.q, c.res, c.lang)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{ch.Title, fmt.Sprint(ch.Labels), fmt.Sprint(ch.Names), fmt.Sprint(ch.Values)}
			if want := []string{c.title, c.labels, c.names, c.values}; !slices.Equal(got, want) {
				t.Errorf("title, labels, names, values:\n got %q\nwant %q", got, want)
			}
		})
	}
	if _, err := ExportsChart(months, exports.Result{}, i18n.ES); !errs.Is(err, errs.NotFound) {
		t.Errorf("an analysis by destination without rows: %v, want a NotFound error", err)
	}
}
