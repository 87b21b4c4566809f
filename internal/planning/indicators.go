package planning

import (
	"context"
	"sort"
	"strconv"

	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/indicators"
)

// Indicators computes the indicators bound to the system's data
// (internal/indicators implements it); without it every indicator is
// reported by hand.
type Indicators interface {
	// Bindings are a plan's bound indicators, by indicator id.
	Bindings(ctx context.Context, planID int64) (map[int64]indicators.Binding, error)
	// Compute evaluates a binding for an activity up to year to.
	Compute(ctx context.Context, b indicators.Binding, a indicators.Activity, to int) (indicators.Value, error)
	// Offers reports whether a module of this installation offers the source.
	Offers(source string) bool
}

// Indicator sources as the API names them.
const (
	SourceComputed = "computed" // bound to the system's data
	SourceReported = "reported" // typed into progress reports
)

func (a Activity) ref() indicators.Activity {
	return indicators.Activity{ID: a.ID, PlanID: a.PlanID, Code: a.Code, StartYear: a.StartYear, EndYear: a.EndYear}
}

// bind marks the activities' bound indicators and, when compute is set,
// computes those of the activity coded code (every activity when code is
// "") up to year.
func (s *Service) bind(ctx context.Context, planID int64, acts []Activity, year int, code string, compute bool) error {
	for i := range acts {
		for j := range acts[i].Indicators {
			acts[i].Indicators[j].Source = SourceReported
		}
	}
	if s.Indicators == nil {
		return nil
	}
	bindings, err := s.Indicators.Bindings(ctx, planID)
	if err != nil {
		return err
	}
	for i := range acts {
		a := &acts[i]
		for j := range a.Indicators {
			ind := &a.Indicators[j]
			b, ok := bindings[ind.ID]
			if !ok {
				continue
			}
			ind.Source, ind.SourceID = SourceComputed, b.Source
			if !compute || (code != "" && a.Code != code) {
				continue
			}
			v, err := s.Indicators.Compute(ctx, b, a.ref(), year)
			if err != nil {
				return err
			}
			if !v.Available {
				ind.Source = SourceReported // until the source's module is there
			}
			if a.computed == nil {
				a.computed = map[int64]indicators.Value{}
			}
			a.computed[ind.ID] = v
		}
	}
	return nil
}

// Milestones are the numbers a bound indicator is checked against: its
// binding's own, or with target "plan" those of the activity's targets
// whose unit is the value's.
func (a Activity) milestones(v indicators.Value) []indicators.Milestone {
	if v.Binding.Target != "plan" {
		ms, _ := indicators.ParseMilestones(v.Binding.Target)
		return ms
	}
	var out []indicators.Milestone
	for _, t := range a.Targets {
		for _, m := range t.Milestones() {
			if m.Value != nil && m.Unit == v.Unit {
				out = append(out, indicators.Milestone{Year: m.Year, Value: *m.Value})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

// asOf is the value of the latest year up to year that has one.
func asOf(values map[int]float64, year int) (float64, bool) {
	best, found := 0, false
	for y := range values {
		if y <= year && (!found || y > best) {
			best, found = y, true
		}
	}
	return values[best], found
}

// targetLight checks a computed indicator against its milestones in year:
// late when a milestone's year has passed without its value reached, done
// when the last milestone is reached, on track otherwise; "" when it has no
// milestones or no value.
func targetLight(ms []indicators.Milestone, values map[int]float64, year int) Light {
	if len(ms) == 0 {
		return ""
	}
	v, ok := asOf(values, year)
	if !ok {
		v = 0
	}
	for _, m := range ms {
		if v >= m.Value {
			continue
		}
		if year > m.Year {
			return LightLate
		}
		return LightOnTrack
	}
	return LightDone
}

// light is the activity's light in year: a latest approved report that
// says done, cancelled or delayed decides; else its computed indicators'
// targets (any late: late; all reached: done); else its period.
func (a Activity) light(year int) Light {
	switch a.LastStatus {
	case "done", "cancelled", "delayed":
		return lightFor(a.StartYear, a.EndYear, year, a.LastStatus)
	}
	checked, done := 0, 0
	for _, ind := range a.Indicators {
		v, ok := a.computed[ind.ID]
		if !ok || !v.Available {
			continue
		}
		switch targetLight(a.milestones(v), v.Values, year) {
		case LightLate:
			return LightLate
		case LightDone:
			done++
			checked++
		case LightOnTrack:
			checked++
		}
	}
	if checked > 0 && done == checked {
		return LightDone
	}
	return lightFor(a.StartYear, a.EndYear, year, a.LastStatus)
}

// IndicatorView is an indicator as the activity's API gives it: where its
// values come from, its value per year, its target and how it was computed.
type IndicatorView struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Source is "computed" (bound to the system's data) or "reported"
	// (typed into the approved progress reports).
	Source      string             `json:"source"`
	SourceID    string             `json:"source_id,omitempty"` // the data source of a computed indicator
	Unit        string             `json:"unit,omitempty"`
	Values      map[string]float64 `json:"values"` // by year
	Numerator   map[string]float64 `json:"numerator,omitempty"`
	Denominator map[string]float64 `json:"denominator,omitempty"`
	// Breakdown are further counts behind the values ("women", "men", "organisations").
	Breakdown   map[string]map[string]float64 `json:"breakdown,omitempty"`
	Target      *IndicatorTarget              `json:"target"`
	Computation string                        `json:"computation"`
	Records     []indicators.Record           `json:"records,omitempty"`
}

// IndicatorTarget is a computed indicator's next milestone in the year asked
// (its last when all are past), and whether it is reached.
type IndicatorTarget struct {
	Year       int                    `json:"year"`
	Value      float64                `json:"value"`
	Unit       string                 `json:"unit,omitempty"`
	Reached    bool                   `json:"reached"`
	Light      Light                  `json:"light"`
	Milestones []indicators.Milestone `json:"milestones"`
}

func byYear(m map[int]float64) map[string]float64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]float64, len(m))
	for y, v := range m {
		out[strconv.Itoa(y)] = v
	}
	return out
}

// IndicatorViews returns an activity's indicators as its API gives them, in
// lang, with values up to year: computed ones from their sources, the
// others from the approved progress reports.
func (s *Service) IndicatorViews(ctx context.Context, planID int64, code string, year int, lang i18n.Lang) ([]IndicatorView, error) {
	a, err := s.Activity(ctx, planID, code, year)
	if err != nil {
		return nil, err
	}
	reported, err := s.reportedValues(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	out := []IndicatorView{}
	for _, ind := range a.Indicators {
		iv := IndicatorView{ID: ind.ID, Name: ind.Name, Source: SourceReported, Values: byYear(reported[ind.ID])}
		v, ok := a.computed[ind.ID]
		if ok {
			iv.SourceID = v.Binding.Source
		}
		if ok && v.Available {
			iv.Source, iv.Unit, iv.Values = SourceComputed, v.Unit, byYear(v.Values)
			iv.Numerator, iv.Denominator, iv.Records = byYear(v.Numerator), byYear(v.Denominator), v.Records
			for name, m := range v.Breakdown {
				if iv.Breakdown == nil {
					iv.Breakdown = map[string]map[string]float64{}
				}
				iv.Breakdown[name] = byYear(m)
			}
			iv.Computation = i18n.Message(lang, v.Computation.Format, v.Computation.Args...)
			if ms := a.milestones(v); len(ms) > 0 {
				next := ms[len(ms)-1]
				for _, m := range ms {
					if m.Year >= year {
						next = m
						break
					}
				}
				got, _ := asOf(v.Values, year)
				iv.Target = &IndicatorTarget{Year: next.Year, Value: next.Value, Unit: v.Unit, Reached: got >= next.Value,
					Light: targetLight(ms, v.Values, year), Milestones: ms}
			}
		} else if ok {
			iv.Computation = i18n.Message(lang, v.Computation.Format, v.Computation.Args...)
		} else {
			iv.Computation = i18n.Message(lang, "typed in the approved progress reports: each year's value is that of its latest approved report")
		}
		if iv.Values == nil {
			iv.Values = map[string]float64{}
		}
		out = append(out, iv)
	}
	return out, nil
}

// reportedValues are the values typed in an activity's approved reports,
// by indicator and year (a year's latest period wins: "2008-S2" over "2008-S1").
func (s *Service) reportedValues(ctx context.Context, activityID int64) (map[int64]map[int]float64, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT v.indicator_id, r.year, v.value FROM plan_report_values v
		JOIN plan_reports r ON r.id = v.report_id WHERE r.activity_id = $1 AND r.state = 'approved' ORDER BY r.year, r.period`, activityID)
	if err != nil {
		return nil, errs.Wrap(err, "read reported values")
	}
	defer rows.Close()
	out := map[int64]map[int]float64{}
	for rows.Next() {
		var id int64
		var year int
		var v float64
		if err := rows.Scan(&id, &year, &v); err != nil {
			return nil, errs.Wrap(err, "read reported values")
		}
		if out[id] == nil {
			out[id] = map[int]float64{}
		}
		out[id][year] = v
	}
	return out, errs.Wrap(rows.Err(), "read reported values")
}

// BoundIndicator is a row of the overview of a plan's indicators: which are
// computed from the system's data and which are typed by hand.
type BoundIndicator struct {
	ActivityCode string `json:"activity_code"`
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Source       string `json:"source"`              // computed or reported
	SourceID     string `json:"source_id,omitempty"` // the data source of a bound indicator
	// Available is false for an indicator bound to a source that this
	// installation does not offer yet (it stays reported by hand).
	Available bool `json:"available"`
}

// IndicatorOverview lists every indicator of a plan with where its values
// come from, and how many are computed.
func (s *Service) IndicatorOverview(ctx context.Context, planID int64) ([]BoundIndicator, int, error) {
	acts, err := s.activities(ctx, planID, s.Now().Year(), "", false)
	if err != nil {
		return nil, 0, err
	}
	var out []BoundIndicator
	computed := 0
	for _, a := range acts {
		for _, ind := range a.Indicators {
			b := BoundIndicator{ActivityCode: a.Code, ID: ind.ID, Name: ind.Name, Source: ind.Source, SourceID: ind.SourceID}
			b.Available = b.SourceID != "" && s.Indicators.Offers(b.SourceID)
			if b.SourceID != "" && !b.Available {
				b.Source = SourceReported
			}
			if b.Source == SourceComputed {
				computed++
			}
			out = append(out, b)
		}
	}
	return out, computed, nil
}

// YearProgress is the plan's roll-up of lights in a year.
type YearProgress struct {
	Year   int    `json:"year"`
	Rollup Rollup `json:"rollup"`
}

// Progress rolls the plan's lights up for each year from…to, as Plan does
// for one year, computing its bound indicators once.
func (s *Service) Progress(ctx context.Context, planID int64, from, to int) ([]YearProgress, error) {
	if to < from || to-from > 100 {
		return nil, errs.E(errs.Invalid, "a span of years, in order")
	}
	acts, err := s.activities(ctx, planID, to, "", true)
	if err != nil {
		return nil, err
	}
	var out []YearProgress
	for y := from; y <= to; y++ {
		yp := YearProgress{Year: y}
		for _, a := range acts {
			yp.Rollup.add(a.light(y))
		}
		out = append(out, yp)
	}
	return out, nil
}
