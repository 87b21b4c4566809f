package production

import (
	"context"
	"slices"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// Source is production as a source of the plan's indicators and the
// dashboard: "production.series" adds up, for each year, the quantities of
// the annual series the parameters select — species (default the group
// "moluscos"), place (default PE-MOQ, Moquegua), presentation and origin
// (comma-separated; every one when absent) — in unit (default t).
func (s *Service) Source() indicators.Source {
	return indicators.SourceFunc("production.series", s.seriesSource)
}

func (s *Service) seriesSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q, "species", "place", "presentation", "origin", "unit"); err != nil {
		return res, err
	}
	get := func(name, def string) []string {
		if v := q.Params.Get(name); v != "" {
			return strings.Split(v, ",")
		}
		if def == "" {
			return nil
		}
		return []string{def}
	}
	unit := q.Params.Get("unit")
	if unit == "" {
		unit = "t"
	}
	series, err := s.Series(ctx, Query{Species: get("species", "moluscos"), Places: get("place", "PE-MOQ"),
		Presentations: get("presentation", ""), Origins: get("origin", ""), From: q.From, To: q.To})
	if err != nil {
		return res, err
	}
	res.Unit = unit
	var sources []string
	last := 0 // the last year with a value: its records are listed
	for _, sr := range series.Series {
		if sr.Unit != unit {
			continue
		}
		if !slices.Contains(sources, sr.Source) {
			sources = append(sources, sr.Source)
		}
		for _, pt := range sr.Points {
			res.Values[pt.Year] += pt.Value
			last = max(last, pt.Year)
		}
	}
	for _, sr := range series.Series {
		if pt := sr.Point(last); pt != nil && sr.Unit == unit {
			res.Records = append(res.Records, indicators.Record{Entity: "production_observation", ID: pt.ID,
				Label: sr.Species + " " + sr.Presentation + " " + sr.Place + " " + itoa(last)})
		}
	}
	from := strings.Join(sources, "; ")
	res.Computation = indicators.Described(errs.Msg{Format: "the sum of the annual production series (in %s) from %s", Args: []any{unit, from}},
		errs.Msg{Format: "the sum of the annual production series (in %s) from %s, with %s", Args: []any{unit, from}}, q.Params)
	return res, nil
}
