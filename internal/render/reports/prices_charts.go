package reports

import (
	"math"

	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/prices"
	"sriim/internal/render"
)

// PricesChart draws a species' levels kept in soles side by side over the
// periods (constant soles of q's constant year when it names one); the
// export price, in US$ FOB, and levels without prices are left out. It is a
// NotFound error when no level is left.
func PricesChart(species string, q prices.SeriesQuery, levels []prices.Series, periods []string, lang i18n.Lang) (render.Lines, error) {
	unit := "S/ / kg"
	if q.ConstantYear != 0 {
		unit = i18n.T(lang, "prices.constant_unit", q.ConstantYear)
	}
	c := render.Lines{Title: i18n.T(lang, "prices.chart_title", species, unit), Labels: periods, Number: render.FormatNumber}
	for _, sr := range levels {
		if sr.Level == "export_fob" || len(sr.Points) == 0 {
			continue
		}
		means := make(map[string]prices.Point, len(sr.Points))
		for _, pt := range sr.Points {
			means[pt.Period] = pt
		}
		line := make([]float64, len(periods))
		for i, per := range periods {
			line[i] = math.NaN()
			if pt, ok := means[per]; ok && pt.Mean != nil {
				line[i] = *pt.Mean
			}
		}
		c.Names, c.Values = append(c.Names, i18n.T(lang, "prices.level."+sr.Level)), append(c.Values, line)
	}
	if len(c.Names) == 0 {
		return c, errs.E(errs.NotFound, "no prices for this selection")
	}
	return c, nil
}
