package events

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sriim/internal/actors"
	"sriim/internal/errs"
	"sriim/internal/indicators"
	"sriim/internal/vocab"
)

// Sources are the events as sources of the plan's indicators. Each counts
// the events that serve the indicator's activity (every event for the
// dashboard), of the kinds in param kind (comma-separated: curso, taller…;
// every kind when absent), that start in each year — or, with
// cumulative=true, from the binding's first year to each year:
//   - "events.count": the events;
//   - "events.people": the people who took part, each once (by identity
//     document), with the women, the men and the organisations among them;
//   - "events.organisations": the organisations represented, each once
//     (registered actors, and the others by their name as written); with
//     actor_kind, only registered actors of those kinds;
//   - "events.share": the share of the registry's actors of actor_kind
//     (default organizacion_productores: the associations) represented at
//     the events, from the first year to each year unless cumulative=false,
//     over the active ones registered by the end of the year — both shown.
func (s *Service) Sources() []indicators.Source {
	return []indicators.Source{
		indicators.SourceFunc("events.count", s.countSource),
		indicators.SourceFunc("events.people", s.peopleSource),
		indicators.SourceFunc("events.organisations", s.organisationsSource),
		indicators.SourceFunc("events.share", s.shareSource),
	}
}

// attendance is one person's attendance at an event, as the sources count it.
type attendance struct {
	event        int64
	title        string
	year         int
	person       int64 // 0: an event without participants
	sex          string
	actor        int64
	organisation string // folded
}

// attendances reads the attendance at the events of q's activity and kinds
// that start within q's years.
func (s *Service) attendances(ctx context.Context, q indicators.Query) ([]attendance, error) {
	args := []any{strconv.Itoa(q.From) + "-01-01", strconv.Itoa(q.To) + "-12-31"}
	cond := []string{"e.starts_on >= $1", "e.starts_on <= $2"}
	if q.Activity.ID != 0 {
		args = append(args, q.Activity.ID)
		cond = append(cond, "EXISTS (SELECT 1 FROM event_activities ea WHERE ea.event_id = e.id AND ea.activity_id = $3)")
	}
	if kinds := q.Params.Get("kind"); kinds != "" {
		var ph []string
		for _, k := range strings.Split(kinds, ",") {
			code, ok := Kinds.Parse(k)
			if !ok {
				return nil, errs.E(errs.Invalid, "%q is not a kind of event; use %s", k, Kinds.Words())
			}
			args = append(args, code)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		cond = append(cond, "e.kind IN ("+strings.Join(ph, ", ")+")")
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT e.id, e.title, e.starts_on, COALESCE(pe.id, 0), COALESCE(pe.sex, ''), COALESCE(p.actor_id, 0),
		COALESCE(p.organisation, '') FROM events e LEFT JOIN event_participants p ON p.event_id = e.id LEFT JOIN people pe ON pe.id = p.person_id
		WHERE `+strings.Join(cond, " AND ")+" ORDER BY e.starts_on, e.id", args...)
	if err != nil {
		return nil, errs.Wrap(err, "count attendance")
	}
	defer rows.Close()
	var out []attendance
	for rows.Next() {
		var a attendance
		var starts string
		if err := rows.Scan(&a.event, &a.title, &starts, &a.person, &a.sex, &a.actor, &a.organisation); err != nil {
			return nil, errs.Wrap(err, "count attendance")
		}
		a.year, _ = strconv.Atoi(starts[:4])
		a.organisation = vocab.Fold(strings.Join(strings.Fields(a.organisation), " "))
		out = append(out, a)
	}
	return out, errs.Wrap(rows.Err(), "count attendance")
}

// each calls count for each year of q with the attendances in its window.
func each(q indicators.Query, list []attendance, count func(year int, in []attendance)) {
	for _, y := range q.Years() {
		from, to := q.Window(y)
		var in []attendance
		for _, a := range list {
			if a.year >= from && a.year <= to {
				in = append(in, a)
			}
		}
		count(y, in)
	}
}

// eventRecords lists the events among the attendances, once each.
func eventRecords(in []attendance) []indicators.Record {
	var out []indicators.Record
	seen := map[int64]bool{}
	for _, a := range in {
		if !seen[a.event] {
			seen[a.event] = true
			out = append(out, indicators.Record{Entity: "event", ID: a.event, Label: a.title})
		}
	}
	return out
}

// scope names the events a computation counts, for its sentence.
func scope(q indicators.Query) errs.Msg {
	if q.Activity.Code != "" {
		return errs.Msg{Format: "the events of activity %s", Args: []any{q.Activity.Code}}
	}
	return errs.Msg{Format: "all events"}
}

func window(q indicators.Query) errs.Msg {
	if q.Params.Get("cumulative") == "true" {
		return errs.Msg{Format: "from %d to each year", Args: []any{q.From}}
	}
	return errs.Msg{Format: "each year"}
}

func (s *Service) countSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q, "kind"); err != nil {
		return res, err
	}
	list, err := s.attendances(ctx, q)
	if err != nil {
		return res, err
	}
	each(q, list, func(y int, in []attendance) {
		events := eventRecords(in)
		res.Values[y] = float64(len(events))
		if y == q.To {
			res.Records = events
		}
	})
	res.Computation = indicators.Described(errs.Msg{Format: "%s, by the year they start (%s)", Args: []any{scope(q), window(q)}},
		errs.Msg{Format: "%s, by the year they start (%s), with %s", Args: []any{scope(q), window(q)}}, q.Params)
	return res, nil
}

func (s *Service) peopleSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}, Breakdown: map[string]map[int]float64{"women": {}, "men": {}, "organisations": {}, "events": {}}}
	if err := indicators.Params(q, "kind"); err != nil {
		return res, err
	}
	list, err := s.attendances(ctx, q)
	if err != nil {
		return res, err
	}
	each(q, list, func(y int, in []attendance) {
		people := map[int64]string{}
		for _, a := range in {
			if a.person != 0 {
				people[a.person] = a.sex
			}
		}
		var women, men float64
		for _, sex := range people {
			switch sex {
			case "F":
				women++
			case "M":
				men++
			}
		}
		events := eventRecords(in)
		res.Values[y] = float64(len(people))
		res.Breakdown["women"][y], res.Breakdown["men"][y] = women, men
		res.Breakdown["organisations"][y] = float64(len(organisations(in, nil)))
		res.Breakdown["events"][y] = float64(len(events))
		if y == q.To {
			res.Records = events
		}
	})
	res.Computation = indicators.Described(
		errs.Msg{Format: "people who took part in %s, each once by identity document, by the year the events start (%s)", Args: []any{scope(q), window(q)}},
		errs.Msg{Format: "people who took part in %s, each once by identity document, by the year the events start (%s), with %s", Args: []any{scope(q), window(q)}}, q.Params)
	return res, nil
}

// organisations are the organisations represented in the attendances, each
// once: a registered actor by its id, another by its name as written. With
// counts, only the actors it accepts count, and no unregistered ones.
func organisations(in []attendance, counts func(actor int64) bool) map[string]int64 {
	out := map[string]int64{}
	for _, a := range in {
		switch {
		case a.actor != 0 && (counts == nil || counts(a.actor)):
			out["actor:"+strconv.FormatInt(a.actor, 10)] = a.actor
		case a.actor == 0 && counts == nil && a.organisation != "":
			out["name:"+a.organisation] = 0
		}
	}
	return out
}

// registeredActor is an actor of the registry as the sources need it.
type registeredActor struct {
	name   string
	year   int // of registration
	active bool
}

// actorsOfKinds returns the registered actors of the kinds in param
// (comma-separated; def when empty), and the kinds' codes.
func (s *Service) actorsOfKinds(ctx context.Context, param, def string) (map[int64]registeredActor, []string, error) {
	if param == "" {
		param = def
	}
	var kinds, ph []string
	var args []any
	for _, k := range strings.Split(param, ",") {
		code, ok := actors.Kinds.Parse(k)
		if !ok {
			return nil, nil, errs.E(errs.Invalid, "%q is not a kind; use %s", k, actors.Kinds.Words())
		}
		kinds = append(kinds, code)
		args = append(args, code)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT a.id, a.name, a.registered_at, a.active FROM actors a
		WHERE EXISTS (SELECT 1 FROM actor_kinds k WHERE k.actor_id = a.id AND k.kind IN (`+strings.Join(ph, ", ")+"))", args...)
	if err != nil {
		return nil, nil, errs.Wrap(err, "read actors")
	}
	defer rows.Close()
	out := map[int64]registeredActor{}
	for rows.Next() {
		var id int64
		var a registeredActor
		var at time.Time
		if err := rows.Scan(&id, &a.name, &at, &a.active); err != nil {
			return nil, nil, errs.Wrap(err, "read actors")
		}
		a.year = at.Year()
		out[id] = a
	}
	return out, kinds, errs.Wrap(rows.Err(), "read actors")
}

func (s *Service) organisationsSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q, "kind", "actor_kind"); err != nil {
		return res, err
	}
	var of map[int64]registeredActor // nil: every organisation counts
	if q.Params.Get("actor_kind") != "" {
		var err error
		if of, _, err = s.actorsOfKinds(ctx, q.Params.Get("actor_kind"), ""); err != nil {
			return res, err
		}
	}
	list, err := s.attendances(ctx, q)
	if err != nil {
		return res, err
	}
	each(q, list, func(y int, in []attendance) {
		orgs := organisations(in, func(id int64) bool { _, ok := of[id]; return of == nil || ok })
		res.Values[y] = float64(len(orgs))
		if y == q.To {
			res.Records = eventRecords(in)
			for _, id := range orgs {
				if id != 0 {
					res.Records = append(res.Records, indicators.Record{Entity: "actor", ID: id, Label: of[id].name})
				}
			}
		}
	})
	res.Computation = indicators.Described(
		errs.Msg{Format: "organisations represented at %s, each once (a registered actor, or another by its name), by the year the events start (%s)", Args: []any{scope(q), window(q)}},
		errs.Msg{Format: "organisations represented at %s, each once (a registered actor, or another by its name), by the year the events start (%s), with %s", Args: []any{scope(q), window(q)}}, q.Params)
	return res, nil
}

func (s *Service) shareSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}, Unit: "%", Numerator: map[int]float64{}, Denominator: map[int]float64{}}
	if err := indicators.Params(q, "kind", "actor_kind"); err != nil {
		return res, err
	}
	if q.Params.Get("cumulative") == "" { // reached so far, unless said otherwise
		params := url.Values{}
		for k, v := range q.Params {
			params[k] = v
		}
		params.Set("cumulative", "true")
		q.Params = params
	}
	of, codes, err := s.actorsOfKinds(ctx, q.Params.Get("actor_kind"), "producer_org")
	if err != nil {
		return res, err
	}
	// The denominator: the registry's active actors of those kinds at the end of each year.
	registry, err := s.actors.Source().Compute(ctx, indicators.Query{Params: url.Values{"kind": {strings.Join(codes, ",")}}, From: q.From, To: q.To})
	if err != nil {
		return res, err
	}
	list, err := s.attendances(ctx, q)
	if err != nil {
		return res, err
	}
	each(q, list, func(y int, in []attendance) {
		// Only actors the denominator counts: active, registered by the end of the year.
		reached := organisations(in, func(id int64) bool { a, ok := of[id]; return ok && a.active && a.year <= y })
		res.Numerator[y], res.Denominator[y] = float64(len(reached)), registry.Values[y]
		if y == q.To {
			for _, id := range reached {
				res.Records = append(res.Records, indicators.Record{Entity: "actor", ID: id, Label: of[id].name})
			}
			res.Records = append(res.Records, eventRecords(in)...)
		}
	})
	res.Share()
	var words []string
	for _, k := range codes {
		words = append(words, actors.Kinds.Spanish(k))
	}
	res.Computation = errs.Msg{Format: "registered actors of kind %s represented at %s (%s), over the active actors of that kind registered by the end of each year, in percent",
		Args: []any{strings.Join(words, ", "), scope(q), window(q)}}
	return res, nil
}
