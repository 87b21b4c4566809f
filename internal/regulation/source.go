package regulation

import (
	"context"
	"slices"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/indicators"
	"sriim/internal/stats"
	"sriim/internal/workdays"
)

// Sources are the regulation module's sources of the plan's indicators:
//   - regulation.norms: the published norms in force at the end of each
//     year (today during the current year; later years have no value): in
//     force from their start (in_force_from, else their publication) and
//     not repealed by a published norm in force by then; one recorded as
//     repealed with no repealing norm counts in no year. Params kind
//     (ley, decreto_supremo…) and topic, comma-separated (3.1.5, 1.3.2);
//   - regulation.procedure_days: the median business days, from filing to
//     resolution, of the cases resolved in each year (or from the binding's
//     first year with cumulative=true) of param procedure, or else of the
//     published procedures that serve the activity (1.3.4, 3.4.3);
//   - regulation.procedure_fee: the fee in soles of param procedure, or
//     else the fees of the published procedures that serve the activity
//     summed (what going through all of them costs), in each year from the
//     year of each fee (a TUPA's fee stands until changed; the record keeps
//     the current one) (1.3.4, "costo de la habilitación").
func (s *Service) Sources() []indicators.Source {
	return []indicators.Source{
		indicators.SourceFunc("regulation.norms", s.normsSource),
		indicators.SourceFunc("regulation.procedure_days", s.procedureDaysSource),
		indicators.SourceFunc("regulation.procedure_fee", s.procedureFeeSource),
	}
}

// start is the day a norm takes effect, "" when not known.
func (n Norm) start() string {
	if n.InForceFrom != "" {
		return n.InForceFrom
	}
	return n.Published
}

// inForceOn reports whether the norm code is in force on day.
func (g normGraph) inForceOn(code, day string) bool {
	n := g.byCode[code]
	if n.Draft || n.start() == "" || n.start() > day {
		return false
	}
	repealed := n.Status == "repealed"
	for _, r := range g.in[code] {
		if r.Kind != "repeals" {
			continue
		}
		by := g.byCode[r.Norm]
		if by.Draft {
			continue
		}
		repealed = false // the repealing norm dates the repeal
		if by.start() != "" && by.start() <= day {
			return false
		}
	}
	return !repealed
}

// commaList splits a comma-separated parameter, leaving out empty items.
func commaList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func (s *Service) normsSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q, "kind", "topic"); err != nil {
		return res, err
	}
	var kinds, topics []string
	for _, k := range commaList(q.Params.Get("kind")) {
		code, ok := NormKinds.Parse(k)
		if !ok {
			return res, errs.E(errs.Invalid, "%q is not a kind of norm; use %s", k, NormKinds.Words())
		}
		kinds = append(kinds, code)
	}
	for _, t := range commaList(q.Params.Get("topic")) {
		topics = append(topics, strings.ToLower(t))
	}
	g, err := loadGraph(ctx, s.db.Read())
	if err != nil {
		return res, err
	}
	var codes []string
	for code, n := range g.byCode {
		if (len(kinds) == 0 || slices.Contains(kinds, n.Kind)) &&
			(len(topics) == 0 || slices.ContainsFunc(n.Topics, func(t string) bool { return slices.Contains(topics, t) })) {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	for _, y := range q.Years() {
		day, ok := indicators.YearEnd(y, s.Now().Format(workdays.Layout))
		if !ok {
			continue
		}
		n := 0
		for _, code := range codes {
			if !g.inForceOn(code, day) {
				continue
			}
			n++
			if y == q.To && len(res.Records) < indicators.MaxRecords {
				norm := g.byCode[code]
				res.Records = append(res.Records, indicators.Record{Entity: "norm", ID: norm.ID, Code: code, Label: norm.Citation()})
			}
		}
		res.Values[y] = float64(n)
	}
	res.Computation = indicators.Described(errs.Msg{Format: "published norms in force at the end of each year"},
		errs.Msg{Format: "published norms in force at the end of each year, with %s"}, q.Params)
	return res, nil
}

func (s *Service) procedureDaysSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Unit: "days", Values: map[int]float64{}, Breakdown: map[string]map[int]float64{"cases": {}}}
	if err := indicators.Params(q, "procedure"); err != nil {
		return res, err
	}
	codes, err := s.sourceProcedures(ctx, q)
	if err != nil {
		return res, err
	}
	var cases []CaseView
	for _, code := range codes {
		c, list, err := s.resolvedCases(ctx, auth.Principal{}, code)
		if err != nil {
			return res, err
		}
		cases = append(cases, list...)
		res.Records = append(res.Records, indicators.Record{Entity: "procedure", ID: c.ID, Code: c.Code, Label: c.Name})
	}
	for _, y := range q.Years() {
		from, to := q.Window(y)
		var days []int
		for _, c := range cases {
			if r := resolvedYear(c); r >= from && r <= to && c.BusinessDays != nil {
				days = append(days, *c.BusinessDays)
			}
		}
		if m, ok := stats.NearestRank(days, 50); ok {
			res.Values[y] = float64(m)
			res.Breakdown["cases"][y] = float64(len(days))
		}
	}
	if len(codes) == 1 && q.Params.Get("procedure") != "" {
		res.Computation = errs.Msg{Format: "median business days from filing to resolution of the cases of procedure %s resolved in each year", Args: []any{codes[0]}}
	} else {
		res.Computation = errs.Msg{Format: "median business days from filing to resolution of the cases resolved in each year of the procedures of activity %s", Args: []any{q.Activity.Code}}
	}
	if q.Params.Get("cumulative") == "true" {
		res.Computation = errs.Msg{Format: "%s (cases resolved from %d to each year)", Args: []any{res.Computation, q.From}}
	}
	return res, nil
}

// sourceProcedures are the codes of the procedures a source counts: param
// procedure, or else the published procedures that serve the activity.
func (s *Service) sourceProcedures(ctx context.Context, q indicators.Query) ([]string, error) {
	if code := strings.TrimSpace(q.Params.Get("procedure")); code != "" {
		return []string{code}, nil
	}
	set, err := stringSet(ctx, s.db.Read(), `SELECT c.code FROM procedures c JOIN procedure_activities x ON x.procedure_id = c.id
		WHERE x.activity = $1 AND c.draft = $2`, q.Activity.Code, false)
	return sortedKeys(set), err
}

func (s *Service) procedureFeeSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Unit: "S/", Values: map[int]float64{}}
	if err := indicators.Params(q, "procedure"); err != nil {
		return res, err
	}
	codes, err := s.sourceProcedures(ctx, q)
	if err != nil {
		return res, err
	}
	var fees []Procedure
	for _, code := range codes {
		c, err := procedure(ctx, s.db.Read(), code)
		if err == nil && c.Draft {
			err = errs.E(errs.NotFound, "no procedure %s", code)
		}
		if err != nil {
			return res, err
		}
		if c.FeePEN != nil {
			fees = append(fees, c)
			res.Records = append(res.Records, indicators.Record{Entity: "procedure", ID: c.ID, Code: c.Code, Label: c.Name})
		}
	}
	for _, y := range q.Years() {
		var sum float64
		n := 0
		for _, c := range fees {
			if c.FeeYear <= y {
				sum += *c.FeePEN
				n++
			}
		}
		if n > 0 {
			res.Values[y] = sum
		}
	}
	if q.Params.Get("procedure") != "" {
		res.Computation = errs.Msg{Format: "the fee in soles of procedure %s, from the year of its fee", Args: []any{codes[0]}}
	} else {
		res.Computation = errs.Msg{Format: "the fees in soles of the procedures of activity %s summed, each from the year of its fee", Args: []any{q.Activity.Code}}
	}
	return res, nil
}
