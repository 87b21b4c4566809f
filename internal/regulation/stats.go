package regulation

import (
	"context"
	"math"
	"slices"
	"strconv"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/stats"
)

// ProcedureStats is what a procedure takes and costs, by law and in
// practice: the answer of GET /api/v1/procedures/{code} (its JSON names
// are that contract), and the plan's indicators of 1.3.4 and 3.4.3.
type ProcedureStats struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	LegalDays int      `json:"legal_days"`
	Fee       Fee      `json:"fee"`
	Observed  Observed `json:"observed"`
}

// Observed is what the resolved cases took: their number, the median and
// 90th percentile of their durations (nearest rank), and the share of them
// (0 to 1) resolved within the legal term.
type Observed struct {
	N                int      `json:"n"`
	BusinessDays     Spread   `json:"business_days"`
	CalendarDays     Spread   `json:"calendar_days"`
	WithinLegalShare *float64 `json:"within_legal_share"`
}

// Spread is a median and a 90th percentile, nil without cases.
type Spread struct {
	Median *int `json:"median"`
	P90    *int `json:"p90"`
}

// YearObserved is what the cases resolved in one year took.
type YearObserved struct {
	Year     int      `json:"year"`
	Observed Observed `json:"observed"`
}

// observe summarises resolved cases' durations.
func observe(cases []CaseView, legalDays int) Observed {
	var bd, cd []int
	within := 0
	for _, c := range cases {
		if c.BusinessDays == nil {
			continue
		}
		bd, cd = append(bd, *c.BusinessDays), append(cd, *c.CalendarDays)
		if *c.BusinessDays <= legalDays {
			within++
		}
	}
	o := Observed{N: len(bd), BusinessDays: spread(bd), CalendarDays: spread(cd)}
	if o.N > 0 {
		share := math.Round(float64(within)/float64(o.N)*1e4) / 1e4
		o.WithinLegalShare = &share
	}
	return o
}

func spread(values []int) Spread {
	var s Spread
	if m, ok := stats.NearestRank(values, 50); ok {
		s.Median = &m
	}
	if p, ok := stats.NearestRank(values, 90); ok {
		s.P90 = &p
	}
	return s
}

// resolvedCases reads a procedure p may see, and its resolved cases with
// their durations (every case counts here, whoever may read it: the
// figures are public, the cases are not).
func (s *Service) resolvedCases(ctx context.Context, p auth.Principal, code string) (Procedure, []CaseView, error) {
	c, err := procedure(ctx, s.db.Read(), code)
	if err != nil {
		return c, nil, err
	}
	if !shown(p, c.Draft, c.Owner()) {
		return c, nil, errs.E(errs.NotFound, "no procedure %s", code)
	}
	list, err := loadCases(ctx, s.db.Read(), " WHERE c.procedure_id = $1 AND c.resolved <> ''", c.ID)
	if err != nil {
		return c, nil, err
	}
	cal, err := s.days.Calendar(ctx)
	if err != nil {
		return c, nil, err
	}
	out := make([]CaseView, 0, len(list))
	for _, k := range list {
		v, err := durations(k, c.LegalDays, cal)
		if err != nil {
			return c, nil, err
		}
		out = append(out, v)
	}
	return c, out, nil
}

// ProcedureStats is a procedure's legal term, fee and observed durations
// over the cases resolved in year (every year when year is 0).
func (s *Service) ProcedureStats(ctx context.Context, p auth.Principal, code string, year int) (ProcedureStats, error) {
	c, cases, err := s.resolvedCases(ctx, p, code)
	if err != nil {
		return ProcedureStats{}, err
	}
	fee, _, err := s.fee(ctx, c)
	if err != nil {
		return ProcedureStats{}, err
	}
	if year != 0 {
		cases = slices.DeleteFunc(cases, func(k CaseView) bool { return resolvedYear(k) != year })
	}
	return ProcedureStats{Code: c.Code, Name: c.Name, LegalDays: c.LegalDays, Fee: fee, Observed: observe(cases, c.LegalDays)}, nil
}

// ProcedureTrend is a procedure's observed durations year by year (by the
// year cases were resolved), the earliest first.
func (s *Service) ProcedureTrend(ctx context.Context, p auth.Principal, code string) ([]YearObserved, error) {
	c, cases, err := s.resolvedCases(ctx, p, code)
	if err != nil {
		return nil, err
	}
	byYear := map[int][]CaseView{}
	for _, k := range cases {
		byYear[resolvedYear(k)] = append(byYear[resolvedYear(k)], k)
	}
	out := []YearObserved{}
	for year, list := range byYear {
		out = append(out, YearObserved{Year: year, Observed: observe(list, c.LegalDays)})
	}
	slices.SortFunc(out, func(a, b YearObserved) int { return a.Year - b.Year })
	return out, nil
}

func resolvedYear(c CaseView) int {
	y, _ := strconv.Atoi(c.Resolved[:4])
	return y
}
