package reports

import (
	"math"

	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/i18n"
	"sriim/internal/render"
)

// ExportsChart draws a regional analysis over its years or months: the
// total by year (and the unit value's total, which its rows do not add up
// to), or else its five largest rows. It is a NotFound error when there is
// nothing to draw.
func ExportsChart(q exports.Query, res exports.Result, lang i18n.Lang) (render.Lines, error) {
	labels := PeriodLabels(q.From, q.To)
	c := render.Lines{Title: i18n.T(lang, "exports.chart_title", ExportRegionName(q.Region, lang), MeasureUnit(q.Measure)),
		Labels: labels, Number: render.FormatNumber}
	add := func(name string, values map[string]float64) {
		line := make([]float64, len(labels))
		for i, l := range labels {
			if v, ok := values[l]; ok {
				line[i] = v
			} else {
				line[i] = math.NaN()
			}
		}
		c.Names, c.Values = append(c.Names, name), append(c.Values, line)
	}
	if q.By == exports.ByYear || q.Measure == exports.MeasureUnitValue {
		add(i18n.T(lang, "production.total"), res.Total.Values)
	}
	if q.By != exports.ByYear {
		for _, row := range res.Rows[:min(len(res.Rows), 5)] {
			add(ExportRowName(row.Key, lang), row.Values)
		}
	}
	if len(c.Names) == 0 {
		return c, errs.E(errs.NotFound, "no exports for this selection")
	}
	return c, nil
}

// PeriodLabels lists the years (or months) from from to to.
func PeriodLabels(from, to exports.Period) []string {
	var out []string
	for _, p := range exports.Periods(from, to) {
		out = append(out, p.String())
	}
	return out
}

// ExportRowName names a row of an analysis in lang.
func ExportRowName(k exports.Key, lang i18n.Lang) string {
	switch {
	case k.Others > 0:
		return i18n.T(lang, "exports.others", k.Others)
	case k.Published:
		return i18n.T(lang, "exports.published_row")
	case k.Name != "":
		return k.Name
	case lang == i18n.EN && k.NameEN != "":
		return k.NameEN
	case k.NameES != "":
		return k.NameES
	case k.Subpartida != "":
		return i18n.T(lang, "exports.national_line", k.Subpartida)
	}
	return k.ISO
}

// ExportRegionName names a region for titles.
func ExportRegionName(code string, lang i18n.Lang) string {
	if code == "PE" {
		return i18n.T(lang, "exports.all_regions")
	}
	return exports.DepartmentName(code)
}

// MeasureUnit is the unit of an analysis' measure.
func MeasureUnit(measure string) string {
	switch measure {
	case exports.MeasureKg:
		return "kg"
	case exports.MeasureUnitValue:
		return "US$/kg"
	}
	return "US$ FOB"
}
