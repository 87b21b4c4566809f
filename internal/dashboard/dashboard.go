// Package dashboard assembles the chain's performance beside the plan's
// progress (activity 4.1.3 of the seed asks for both): production, exports,
// actors registered, people trained and areas closed by year, each from a
// data source of internal/indicators with the sentence that says how it was
// computed, and the share of the plan's activities done each year.
package dashboard

import (
	"context"
	"net/url"
	"strconv"

	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/indicators"
	"sriim/internal/minichart"
	"sriim/internal/planning"
)

// Choice is a source with its parameters.
type Choice struct {
	Source string
	Params string
}

// Panel is a series of the dashboard: the first of its sources that the
// installation offers computes it.
type Panel struct {
	Key     string // production, exports, actors, people_trained, areas_closed
	Sources []Choice
}

// Panels are the dashboard's series, in order. Exports are Moquegua's own
// once the exports module offers them, else Peru's (UN Comtrade and the
// seed's Cuadro 3); areas closed come from the zones module.
var Panels = []Panel{
	{Key: "production", Sources: []Choice{{"production.series", "species=moluscos&place=PE-MOQ"}}},
	{Key: "exports", Sources: []Choice{{"exports.regional", "region=PE-MOQ"}, {"trade.exports", "reporter=604"}}},
	{Key: "actors", Sources: []Choice{{"actors.registry", ""}}},
	{Key: "people_trained", Sources: []Choice{{"events.people", "kind=curso,taller,asistencia_tecnica"}}},
	{Key: "areas_closed", Sources: []Choice{{"zones.closed_areas", ""}}},
}

// Series is a panel computed.
type Series struct {
	Key         string             `json:"key"`
	Source      string             `json:"source"`
	Params      string             `json:"params,omitempty"`
	Available   bool               `json:"available"` // false: no module offers its source yet
	Unit        string             `json:"unit,omitempty"`
	Values      map[string]float64 `json:"values"` // by year
	Computation string             `json:"computation"`
}

// Dashboard is the chain's performance and the plan's progress by year.
type Dashboard struct {
	From   int                     `json:"from"`
	To     int                     `json:"to"`
	Chain  []Series                `json:"chain"`
	PlanID int64                   `json:"plan_id,omitempty"`
	Plan   []planning.YearProgress `json:"plan"`
}

// Progress rolls a plan's lights up by year (planning.Service does).
type Progress interface {
	Progress(ctx context.Context, planID int64, from, to int) ([]planning.YearProgress, error)
}

// Service builds the dashboard.
type Service struct {
	reg  *indicators.Registry
	plan Progress
}

// New returns the dashboard over the registered sources and the plan's progress.
func New(reg *indicators.Registry, plan Progress) *Service { return &Service{reg: reg, plan: plan} }

// Build computes the dashboard for the years from…to, in lang; planID 0
// leaves the plan's progress out.
func (s *Service) Build(ctx context.Context, planID int64, from, to int, lang i18n.Lang) (Dashboard, error) {
	if from < 1990 || to > 2100 || to < from || to-from > 60 {
		return Dashboard{}, errs.Fields("the years are not valid", map[string]string{"to": "years between 1990 and 2100, in order"})
	}
	d := Dashboard{From: from, To: to, PlanID: planID, Chain: []Series{}, Plan: []planning.YearProgress{}}
	for _, p := range Panels {
		sr := Series{Key: p.Key, Values: map[string]float64{}}
		for _, c := range p.Sources {
			src, ok := s.reg.Source(c.Source)
			if !ok {
				continue
			}
			params, _ := url.ParseQuery(c.Params)
			res, err := src.Compute(ctx, indicators.Query{Params: params, From: from, To: to})
			if err != nil {
				return d, err
			}
			sr.Source, sr.Params, sr.Available, sr.Unit = c.Source, c.Params, true, res.Unit
			for y, v := range res.Values {
				if y >= from && y <= to {
					sr.Values[strconv.Itoa(y)] = v
				}
			}
			sr.Computation = i18n.Message(lang, res.Computation.Format, res.Computation.Args...)
			break
		}
		if !sr.Available {
			sr.Source = p.Sources[0].Source
			sr.Computation = i18n.Message(lang, "computed from %s, which this installation does not offer yet", sr.Source)
		}
		d.Chain = append(d.Chain, sr)
	}
	if planID != 0 {
		progress, err := s.plan.Progress(ctx, planID, from, to)
		if err != nil {
			return d, err
		}
		d.Plan = progress
	}
	return d, nil
}

// Chart draws a series as a small SVG bar chart titled title (the page's
// words for its key) with source beneath it.
func (d Dashboard) Chart(sr Series, title, source string, format func(float64) string) ([]byte, error) {
	var years []int
	values := map[int]float64{}
	for y := d.From; y <= d.To; y++ {
		years = append(years, y)
		if v, ok := sr.Values[strconv.Itoa(y)]; ok {
			values[y] = v
		}
	}
	return minichart.Bars(title, source, years, values, format)
}

// PlanChart draws the share of the plan's activities done each year.
func (d Dashboard) PlanChart(title, source string) ([]byte, error) {
	var years []int
	values := map[int]float64{}
	for _, yp := range d.Plan {
		years = append(years, yp.Year)
		values[yp.Year] = yp.Rollup.PercentDone
	}
	return minichart.Bars(title, source, years, values, func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " %" })
}
