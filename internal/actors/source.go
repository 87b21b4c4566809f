package actors

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// Source is the registry as a source of the plan's indicators:
// "actors.registry" counts the active actors registered by the end of each
// year, of any of the kinds in param kind (comma-separated; every kind when
// absent), and with param district, species or a certification (in force at
// the end of the year) when given.
func (s *Service) Source() indicators.Source {
	return indicators.SourceFunc("actors.registry", s.countSource)
}

func (s *Service) countSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q, "kind", "district", "species", "certification"); err != nil {
		return res, err
	}
	var kinds []string
	for _, k := range splitList(q.Params.Get("kind"), ",") {
		code, ok := Kinds.Parse(k)
		if !ok {
			return res, errs.E(errs.Invalid, "%q is not a kind; use %s", k, Kinds.Words())
		}
		kinds = append(kinds, code)
	}
	cert := q.Params.Get("certification")
	if cert != "" {
		code, ok := CertificationKinds.Parse(cert)
		if !ok {
			return res, errs.E(errs.Invalid, "%q is not a certification; use %s", cert, CertificationKinds.Words())
		}
		cert = code
	}
	args := []any{true, time.Date(q.To+1, time.January, 1, 0, 0, 0, 0, time.UTC)}
	cond := []string{"a.active = $1", "a.registered_at < $2"}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(kinds) > 0 {
		var ph []string
		for _, k := range kinds {
			ph = append(ph, arg(k))
		}
		cond = append(cond, "EXISTS (SELECT 1 FROM actor_kinds k WHERE k.actor_id = a.id AND k.kind IN ("+strings.Join(ph, ", ")+"))")
	}
	if d := q.Params.Get("district"); d != "" {
		cond = append(cond, "a.district = "+arg(d))
	}
	if sp := q.Params.Get("species"); sp != "" {
		cond = append(cond, "EXISTS (SELECT 1 FROM actor_species sp WHERE sp.actor_id = a.id AND sp.species = "+arg(strings.ToUpper(sp))+")")
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT a.id, a.name, a.registered_at FROM actors a WHERE "+strings.Join(cond, " AND ")+" ORDER BY a.registered_at, a.id", args...)
	if err != nil {
		return res, errs.Wrap(err, "count actors")
	}
	type registered struct {
		id   int64
		name string
		year int
	}
	var list []registered
	for rows.Next() {
		var r registered
		var at time.Time
		if err := rows.Scan(&r.id, &r.name, &at); err != nil {
			rows.Close()
			return res, errs.Wrap(err, "count actors")
		}
		r.year = at.Year()
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, errs.Wrap(err, "count actors")
	}
	// Certifications in force at the end of each year.
	certified := map[int64][]string{} // actor → valid_to of its certifications of the kind
	if cert != "" {
		rows, err := s.db.Read().QueryContext(ctx, "SELECT actor_id, valid_to FROM actor_certifications WHERE kind = $1", cert)
		if err != nil {
			return res, errs.Wrap(err, "count actors")
		}
		for rows.Next() {
			var id int64
			var to string
			if err := rows.Scan(&id, &to); err != nil {
				rows.Close()
				return res, errs.Wrap(err, "count actors")
			}
			certified[id] = append(certified[id], to)
		}
		rows.Close()
	}
	inForce := func(id int64, year int) bool {
		end := strconv.Itoa(year) + "-12-31"
		for _, to := range certified[id] {
			if to == "" || to >= end {
				return true
			}
		}
		return false
	}
	for _, y := range q.Years() {
		n := 0
		for _, r := range list {
			if r.year <= y && (cert == "" || inForce(r.id, y)) {
				n++
				if y == q.To {
					res.Records = append(res.Records, indicators.Record{Entity: "actor", ID: r.id, Label: r.name})
				}
			}
		}
		res.Values[y] = float64(n)
	}
	res.Computation = indicators.Described(errs.Msg{Format: "active actors of the registry registered by the end of each year"},
		errs.Msg{Format: "active actors of the registry registered by the end of each year, with %s"}, q.Params)
	return res, nil
}
