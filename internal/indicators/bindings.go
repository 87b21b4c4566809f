package indicators

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/importer"
)

// Binding ties a plan indicator to a source.
type Binding struct {
	IndicatorID int64  `json:"indicator_id"`
	Source      string `json:"source"`
	Params      string `json:"params,omitempty"` // URL query form: "kind=producer_org&cumulative=true"
	// From and To are the years computed; 0 means the activity's first year
	// and the current year.
	From int `json:"from,omitempty"`
	To   int `json:"to,omitempty"`
	// Target is what the value is checked against: "" (nothing), "plan"
	// (the activity's targets that give a number in the value's unit) or
	// milestones "2008:20;2009:90".
	Target  string `json:"target,omitempty"`
	Version int64  `json:"version"`
}

// Value is a binding computed for an activity.
type Value struct {
	Binding   Binding `json:"binding"`
	Available bool    `json:"available"` // false: the source is not registered (yet)
	Result
}

// Service keeps the bindings and computes them.
type Service struct {
	db  *db.DB
	reg *Registry
	Now func() time.Time
}

// New returns the service over d, computing with the sources in reg.
func New(d *db.DB, reg *Registry) *Service {
	return &Service{db: d, reg: reg, Now: func() time.Time { return time.Now().UTC() }}
}

// Offers reports whether a registered source has the id.
func (s *Service) Offers(source string) bool {
	_, ok := s.reg.Source(source)
	return ok
}

// Registry is the service's registry of sources.
func (s *Service) Registry() *Registry { return s.reg }

// Owner is who binds indicators: the Mesa de Trabajo (administrators).
var Owner = auth.Owner{AdminOnly: true}

// Bindings returns the bindings of a plan's indicators, by indicator id.
func (s *Service) Bindings(ctx context.Context, planID int64) (map[int64]Binding, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT b.indicator_id, b.source, b.params, b.from_year, b.to_year, b.target, b.version
		FROM indicator_bindings b JOIN plan_indicators i ON i.id = b.indicator_id JOIN plan_activities a ON a.id = i.activity_id
		WHERE a.plan_id = $1`, planID)
	if err != nil {
		return nil, errs.Wrap(err, "read indicator bindings")
	}
	defer rows.Close()
	out := map[int64]Binding{}
	for rows.Next() {
		var b Binding
		if err := rows.Scan(&b.IndicatorID, &b.Source, &b.Params, &b.From, &b.To, &b.Target, &b.Version); err != nil {
			return nil, errs.Wrap(err, "read indicator bindings")
		}
		out[b.IndicatorID] = b
	}
	return out, errs.Wrap(rows.Err(), "read indicator bindings")
}

// check returns b's problems, keyed by field.
func (s *Service) check(b Binding) map[string]string {
	p := map[string]string{}
	if !ValidID(b.Source) {
		p["source"] = "a source id such as events.people"
	} else if !s.reg.Known(b.Source) {
		p["source"] = "no module offers this source"
	}
	if _, err := url.ParseQuery(b.Params); err != nil {
		p["params"] = "parameters as name=value&name=value"
	}
	if b.From != 0 && (b.From < 1990 || b.From > 2100) || b.To != 0 && (b.To < b.From || b.To > 2100) {
		p["to"] = "years between 1990 and 2100, in order"
	}
	if _, err := ParseMilestones(b.Target); err != nil && b.Target != "plan" {
		p["target"] = "plan, or milestones such as 2008:20;2009:90"
	}
	return p
}

// Milestone is a year and the value an indicator should reach by then.
type Milestone struct {
	Year  int     `json:"year"`
	Value float64 `json:"value"`
}

// ParseMilestones reads "2008:20;2009:90" (a decimal comma or point);
// "" gives none.
func ParseMilestones(s string) ([]Milestone, error) {
	var out []Milestone
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		y, v, ok := strings.Cut(part, ":")
		year, err1 := strconv.Atoi(strings.TrimSpace(y))
		value, err2 := strconv.ParseFloat(strings.Replace(strings.TrimSpace(v), ",", ".", 1), 64)
		if !ok || err1 != nil || err2 != nil || year < 1990 || year > 2100 {
			return nil, errs.E(errs.Invalid, "milestones as year:value;year:value")
		}
		out = append(out, Milestone{Year: year, Value: value})
	}
	return out, nil
}

// Bind binds an indicator to a source (replacing its binding, whose version
// b.Version must name; 0 for an indicator not bound yet). Only the Mesa de
// Trabajo binds.
func (s *Service) Bind(ctx context.Context, p auth.Principal, b Binding) (Binding, error) {
	if err := auth.Authorize(p, Owner); err != nil {
		return b, err
	}
	b.Source, b.Params, b.Target = strings.TrimSpace(b.Source), strings.TrimSpace(b.Params), strings.TrimSpace(b.Target)
	if problems := s.check(b); len(problems) > 0 {
		return b, errs.Fields("the binding has invalid fields", problems)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.bind(ctx, tx, p, b) })
	if err != nil {
		return b, err
	}
	out, err := s.binding(ctx, s.db.Read(), b.IndicatorID)
	return out, err
}

func (s *Service) bind(ctx context.Context, tx *sql.Tx, p auth.Principal, b Binding) error {
	var exists int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM plan_indicators WHERE id = $1", b.IndicatorID).Scan(&exists); err != nil {
		return errs.Wrap(err, "read indicator")
	}
	if exists == 0 {
		return errs.E(errs.NotFound, "no indicator %d", b.IndicatorID)
	}
	before, err := s.binding(ctx, tx, b.IndicatorID)
	now := s.Now()
	switch {
	case errs.Is(err, errs.NotFound):
		if b.Version != 0 {
			return errs.E(errs.Conflict, "the indicator is no longer bound")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_bindings (indicator_id, source, params, from_year, to_year, target, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, b.IndicatorID, b.Source, b.Params, b.From, b.To, b.Target, now); err != nil {
			return errs.Wrap(err, "save binding")
		}
		b.Version = 1
		return audit.Record(ctx, tx, p, audit.Create, "indicator_binding", b.IndicatorID, nil, b)
	case err != nil:
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE indicator_bindings SET source = $1, params = $2, from_year = $3, to_year = $4, target = $5,
		updated_at = $6, version = version + 1 WHERE indicator_id = $7 AND version = $8`,
		b.Source, b.Params, b.From, b.To, b.Target, now, b.IndicatorID, b.Version)
	if err != nil {
		return errs.Wrap(err, "save binding")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.Stale(ctx, tx, "indicator_binding", b.IndicatorID, b.Version, before.Version, before)
	}
	b.Version = before.Version + 1
	return audit.Record(ctx, tx, p, audit.Update, "indicator_binding", b.IndicatorID, before, b)
}

// Unbind makes an indicator reported by hand again.
func (s *Service) Unbind(ctx context.Context, p auth.Principal, indicatorID int64) error {
	if err := auth.Authorize(p, Owner); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.binding(ctx, tx, indicatorID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM indicator_bindings WHERE indicator_id = $1", indicatorID); err != nil {
			return errs.Wrap(err, "delete binding")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "indicator_binding", indicatorID, before, nil)
	})
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) binding(ctx context.Context, q querier, indicatorID int64) (Binding, error) {
	var b Binding
	err := q.QueryRowContext(ctx, "SELECT indicator_id, source, params, from_year, to_year, target, version FROM indicator_bindings WHERE indicator_id = $1",
		indicatorID).Scan(&b.IndicatorID, &b.Source, &b.Params, &b.From, &b.To, &b.Target, &b.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return b, errs.E(errs.NotFound, "indicator %d is not bound", indicatorID)
	}
	return b, errs.Wrap(err, "read binding")
}

// SeedColumns are the columns of a bindings file (data/seed/indicator-bindings.csv).
var SeedColumns = []string{"plan", "activity", "indicator", "source", "params", "from", "to", "target"}

// Load reads a bindings file — a row per indicator, named by its plan's
// code, its activity's code and its name as the plan writes it — and binds
// each, all or nothing; problems are reported by row and column. An
// indicator bound already keeps its binding (people may have changed it).
func (s *Service) Load(ctx context.Context, p auth.Principal, r io.Reader, filename string) (int, error) {
	if err := auth.Authorize(p, Owner); err != nil {
		return 0, err
	}
	t, err := importer.Read(r, filename, SeedColumns[:4])
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var problems importer.Problems
		var list []Binding
		for _, row := range t.Rows {
			b := Binding{Source: row.Get("source"), Params: row.Get("params"), Target: row.Get("target")}
			for col, dst := range map[string]*int{"from": &b.From, "to": &b.To} {
				if v := row.Get(col); v != "" {
					year, err := strconv.Atoi(v)
					if err != nil {
						problems.Add(row.Line, col, "a year")
					}
					*dst = year
				}
			}
			err := tx.QueryRowContext(ctx, `SELECT i.id FROM plan_indicators i JOIN plan_activities a ON a.id = i.activity_id
				JOIN plans p ON p.id = a.plan_id WHERE p.code = $1 AND a.code = $2 AND i.name = $3`,
				row.Get("plan"), row.Get("activity"), row.Get("indicator")).Scan(&b.IndicatorID)
			if errors.Is(err, sql.ErrNoRows) {
				problems.Add(row.Line, "indicator", "no indicator %q in activity %s of plan %s", row.Get("indicator"), row.Get("activity"), row.Get("plan"))
				continue
			}
			if err != nil {
				return errs.Wrap(err, "read indicator")
			}
			for field, msg := range s.check(b) {
				problems.Add(row.Line, field, "%s", msg)
			}
			list = append(list, b)
		}
		if problems.Len() > 0 {
			return problems.Err()
		}
		for _, b := range list {
			if _, err := s.binding(ctx, tx, b.IndicatorID); err == nil {
				continue
			}
			if err := s.bind(ctx, tx, p, b); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Compute evaluates a binding for an activity: the values of each year
// from the binding's first year (the activity's when 0) to its last (the
// current year when 0; never later than to when to is not 0).
func (s *Service) Compute(ctx context.Context, b Binding, a Activity, to int) (Value, error) {
	v := Value{Binding: b, Result: Result{Values: map[int]float64{}}}
	src, ok := s.reg.Source(b.Source)
	if !ok {
		v.Computation = errs.Msg{Format: "computed from %s, which this installation does not offer yet: reported by hand until it does", Args: []any{b.Source}}
		return v, nil
	}
	params, err := url.ParseQuery(b.Params)
	if err != nil {
		return v, errs.E(errs.Invalid, "the binding's parameters are not name=value&name=value")
	}
	q := Query{Activity: a, Params: params, From: b.From, To: b.To}
	if q.From == 0 {
		q.From = a.StartYear
	}
	if q.To == 0 {
		q.To = s.Now().Year()
	}
	if to != 0 && to < q.To {
		q.To = to
	}
	if q.From == 0 {
		q.From = q.To
	}
	res, err := src.Compute(ctx, q)
	if err != nil {
		return v, err
	}
	if res.Values == nil {
		res.Values = map[int]float64{}
	}
	if len(res.Records) > MaxRecords {
		res.Records = res.Records[:MaxRecords]
	}
	v.Available, v.Result = true, res
	return v, nil
}
