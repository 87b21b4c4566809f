package regulation

import (
	"context"
	"slices"
	"strconv"

	"sriim/internal/auth"
	"sriim/internal/errs"
)

// The plan activities whose indicators this module computes: "número de
// normas" (3.1.3, the aquaculture promotion law; 3.1.5, the rules on the
// access to and use of aquatic space), and the days and cost of procedures
// (1.3.4, the licensing of plants; 3.4.3, sanitary registrations).
var (
	NormIndicatorActivities      = []string{"3.1.3", "3.1.5"}
	ProcedureIndicatorActivities = []string{"1.3.4", "3.4.3"}
)

// NormIndicator is the number of published norms that answer a plan
// activity, in all and by year of publication (a norm whose date is not
// known counts in the total only).
type NormIndicator struct {
	Activity string      `json:"activity"`
	Total    int         `json:"total"`
	ByYear   map[int]int `json:"by_year"`
	Norms    []NormRef   `json:"norms"`
}

// NormIndicators counts the norms linked to each of NormIndicatorActivities.
func (s *Service) NormIndicators(ctx context.Context) ([]NormIndicator, error) {
	g, err := loadGraph(ctx, s.db.Read())
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(g.byCode))
	for code := range g.byCode {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	out := []NormIndicator{}
	for _, a := range NormIndicatorActivities {
		ind := NormIndicator{Activity: a, ByYear: map[int]int{}, Norms: []NormRef{}}
		for _, code := range codes {
			n := g.byCode[code]
			if n.Draft || !slices.Contains(n.Activities, a) {
				continue
			}
			ind.Total++
			if year, err := strconv.Atoi(n.Published[:min(4, len(n.Published))]); err == nil {
				ind.ByYear[year]++
			}
			ind.Norms = append(ind.Norms, g.ref(code))
		}
		out = append(out, ind)
	}
	return out, nil
}

// ProcedureIndicator is what the procedures that answer a plan activity
// take and cost in a year, with how many of their cases were approved in it
// (1.3.4 counts the plants licensed).
type ProcedureIndicator struct {
	Activity   string             `json:"activity"`
	Procedures []ProcedureFigures `json:"procedures"`
}

// ProcedureFigures is a procedure's figures for an indicator.
type ProcedureFigures struct {
	ProcedureStats
	Approved int `json:"approved"`
}

// ProcedureIndicators computes the figures of each of
// ProcedureIndicatorActivities over the cases resolved in year (every year
// when 0), from the published procedures linked to it.
func (s *Service) ProcedureIndicators(ctx context.Context, year int) ([]ProcedureIndicator, error) {
	out := []ProcedureIndicator{}
	for _, a := range ProcedureIndicatorActivities {
		codes, err := stringSet(ctx, s.db.Read(), `SELECT c.code FROM procedures c JOIN procedure_activities x ON x.procedure_id = c.id
			WHERE x.activity = $1 AND c.draft = $2`, a, false)
		if err != nil {
			return nil, err
		}
		ind := ProcedureIndicator{Activity: a, Procedures: []ProcedureFigures{}}
		for _, code := range sortedKeys(codes) {
			st, err := s.ProcedureStats(ctx, auth.Principal{}, code, year)
			if err != nil {
				return nil, err
			}
			f := ProcedureFigures{ProcedureStats: st}
			q := `SELECT COUNT(*) FROM procedure_cases c JOIN procedures p ON p.id = c.procedure_id
				WHERE p.code = $1 AND c.outcome = 'approved'`
			args := []any{code}
			if year != 0 {
				q += " AND c.resolved >= $2 AND c.resolved < $3"
				args = append(args, strconv.Itoa(year)+"-01-01", strconv.Itoa(year+1)+"-01-01")
			}
			if err := s.db.Read().QueryRowContext(ctx, q, args...).Scan(&f.Approved); err != nil {
				return nil, errs.Wrap(err, "count approved cases")
			}
			ind.Procedures = append(ind.Procedures, f)
		}
		out = append(out, ind)
	}
	return out, nil
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
