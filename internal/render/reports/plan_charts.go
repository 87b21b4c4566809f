package reports

import (
	"sriim/internal/i18n"
	"sriim/internal/planning"
	"sriim/internal/render"
)

// PlanTimeline is the activities' periods, each bar in the colour of the
// activity's light in year.
func PlanTimeline(acts []planning.Activity, year int, lang i18n.Lang) render.Timeline {
	t := render.Timeline{Title: i18n.T(lang, "plan.timeline_title", year)}
	group := map[planning.Light]int{}
	for i, l := range LightColors {
		t.Groups = append(t.Groups, render.TimelineGroup{Name: i18n.T(lang, "light."+string(l.light)), Color: l.color})
		group[l.light] = i
	}
	for _, a := range acts {
		t.Rows = append(t.Rows, render.TimelineRow{Label: a.Code, Start: a.StartYear, End: a.EndYear, Group: group[a.Light]})
	}
	return t
}

// IndicatorChart is an indicator's values by period (its approved reports'
// or, for a computed indicator, its computed values by year), titled with
// its name.
func IndicatorChart(name string, points []planning.IndicatorPoint) render.Lines {
	labels := make([]string, len(points))
	values := make([]float64, len(points))
	for i, pt := range points {
		labels[i], values[i] = pt.Period, pt.Value
	}
	return render.Lines{Title: name, Labels: labels, Names: []string{name}, Values: [][]float64{values}, Number: render.FormatNumber}
}
