// Package indicators binds the plan's indicators to the system's own data,
// so that an indicator such as "Número de participantes" or "Número de
// fuentes de financiamiento registradas" computes itself instead of being
// typed into every progress report.
//
// A module offers its data as a Source, identified by a dotted id
// ("actors.registry", "events.people"), and the composition root registers
// it (Registry.Register). A Binding ties one plan indicator to a source with
// parameters and the years it covers; Service.Compute evaluates it. A
// binding may name a source that no module has registered yet (the archive's
// documents, the procedures' observed days, the cadastre's hectares…): it
// then reports "not available" until the module registers it, and the
// indicator stays reported by hand.
//
// This package knows no module: modules import it to implement Source, and
// planning imports it to read what its indicators compute.
package indicators

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"sriim/internal/errs"
)

// Activity is the plan activity an indicator belongs to, as a source needs
// it (events count those that serve the activity). The zero Activity stands
// for the whole system (the dashboard's series).
type Activity struct {
	ID        int64  `json:"id,omitempty"`
	PlanID    int64  `json:"plan_id,omitempty"`
	Code      string `json:"code,omitempty"`
	StartYear int    `json:"start_year,omitempty"`
	EndYear   int    `json:"end_year,omitempty"`
}

// Query is what a source is asked: values for each year From…To for an
// activity, with the binding's parameters.
type Query struct {
	Activity Activity
	Params   url.Values
	From, To int
}

// Years lists the query's years in order.
func (q Query) Years() []int {
	var out []int
	for y := q.From; y <= q.To && q.From > 0; y++ {
		out = append(out, y)
	}
	return out
}

// YearEnd is the day (YYYY-MM-DD) a year's state is taken, as of today
// (YYYY-MM-DD): the year's last day, or today during it; false for a year
// not begun.
func YearEnd(year int, today string) (string, bool) {
	end := strconv.Itoa(year) + "-12-31"
	if end <= today {
		return end, true
	}
	return today, strconv.Itoa(year) <= today[:4]
}

// Window is the span of years whose records count for year's value: from
// the first year when the parameters say cumulative=true ("associations
// reached so far"), else year alone ("people trained that year").
func (q Query) Window(year int) (from, to int) {
	if q.Params.Get("cumulative") == "true" {
		return q.From, year
	}
	return year, year
}

// Result is what a source computes.
type Result struct {
	// Unit of the values: "" for counts, "%" for shares, "t", "US$", "days", "ha".
	Unit string `json:"unit,omitempty"`
	// Values is the value of each year computed; a year without a value is left out.
	Values map[int]float64 `json:"values"`
	// Numerator and Denominator of a share, by year (Values = 100 × N / D).
	Numerator   map[int]float64 `json:"numerator,omitempty"`
	Denominator map[int]float64 `json:"denominator,omitempty"`
	// Breakdown are further counts behind the value, by name ("women",
	// "men", "organisations") and year.
	Breakdown map[string]map[int]float64 `json:"breakdown,omitempty"`
	// Computation says in a sentence how the value was computed: an English
	// format string (its id in the message catalogues) and its arguments,
	// translated where it is shown.
	Computation errs.Msg `json:"-"`
	// Records are the records behind the last year's value (at most
	// MaxRecords), for links from the indicator to them.
	Records []Record `json:"records,omitempty"`
}

// MaxRecords is how many records a result lists at most.
const MaxRecords = 200

// Record is one record behind a value: an event, an actor, an account…
type Record struct {
	Entity string `json:"entity"` // "event", "actor", "institution", "production_observation", "trade_batch"
	ID     int64  `json:"id"`
	// Code is the record's code where its page is found by code (a norm, a procedure).
	Code  string `json:"code,omitempty"`
	Label string `json:"label"`
}

// Source computes values from one module's data.
type Source interface {
	// ID is the source's dotted id, "module.name".
	ID() string
	// Compute returns the values for each year of q. It returns an Invalid
	// error for parameters it does not understand.
	Compute(ctx context.Context, q Query) (Result, error)
}

// SourceFunc makes a Source of an id and a function.
func SourceFunc(id string, compute func(ctx context.Context, q Query) (Result, error)) Source {
	return funcSource{id, compute}
}

type funcSource struct {
	id      string
	compute func(ctx context.Context, q Query) (Result, error)
}

func (f funcSource) ID() string                                           { return f.id }
func (f funcSource) Compute(ctx context.Context, q Query) (Result, error) { return f.compute(ctx, q) }

// Planned are the sources that modules being built will register, with the
// data they will compute. A binding may name them today: it reports "not
// available" until the module registers the source.
var Planned = map[string]string{
	"archive.documents":         "public documents of the archive that serve the activity, by their year (params: kind, activity=any)",
	"archive.news":              "news and press notes published (params: kind)",
	"archive.network_members":   "members of the information network",
	"regulation.norms":          "published norms in force at the end of the year (params: kind, topic)",
	"regulation.procedure_days": "median business days of the cases resolved in the year of a procedure, or of the activity's procedures (params: procedure)",
	"regulation.procedure_fee":  "a procedure's fee in soles (params: procedure)",
	"zones.hectares":            "hectares of aquaculture rights in force (params: status, species)",
	"zones.rights":              "aquaculture rights in force (params: kind, species)",
	"zones.closed_areas":        "production areas closed on some day of the year",
	"zones.sanitary_control":    "aquaculture rights in force inside a production area with a sanitary class (params: kind, species)",
	"zones.registered":          "suitable zones and production areas registered (params: layer)",
	"exports.regional":          "a region's exports in US$ FOB from its export declarations (params: region, line)",
}

var idRE = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)

// ValidID reports whether id has the form of a source id ("events.people").
func ValidID(id string) bool { return idRE.MatchString(id) }

// Registry holds the registered sources.
type Registry struct {
	mu      sync.RWMutex
	sources map[string]Source
}

// NewRegistry returns a registry holding sources.
func NewRegistry(sources ...Source) *Registry {
	r := &Registry{sources: map[string]Source{}}
	r.Register(sources...)
	return r
}

// Register adds sources; one registered later under the same id replaces
// the earlier.
func (r *Registry) Register(sources ...Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range sources {
		r.sources[s.ID()] = s
	}
}

// Source returns the source registered under id.
func (r *Registry) Source(id string) (Source, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.sources[id]
	return s, ok
}

// IDs lists the registered sources' ids, sorted.
func (r *Registry) IDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for id := range r.sources {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Known reports whether id is registered or planned.
func (r *Registry) Known(id string) bool {
	_, ok := r.Source(id)
	_, planned := Planned[id]
	return ok || planned
}

// Share fills a result's values from its numerators and denominators, in
// percent rounded to one decimal; a year whose denominator is zero has no
// value.
func (res *Result) Share() {
	if res.Values == nil {
		res.Values = map[int]float64{}
	}
	for y, d := range res.Denominator {
		if d > 0 {
			res.Values[y] = float64(int(res.Numerator[y]/d*1000+0.5)) / 10
		}
	}
}

// Params reads a binding's parameters, refusing any name not in allowed.
func Params(q Query, allowed ...string) error {
	for name := range q.Params {
		if name != "cumulative" && !slices.Contains(allowed, name) {
			return errs.E(errs.Invalid, "the source does not take the parameter %q", name)
		}
	}
	return nil
}

// Described is a computation's sentence: plain when the query has no
// parameters but cumulative, else withParams with the parameters as
// "name=value, name=value" (the binding's own words, codes and all) after
// its own arguments.
func Described(plain, withParams errs.Msg, params url.Values) errs.Msg {
	var parts []string
	for name, values := range params {
		if name != "cumulative" {
			parts = append(parts, name+"="+strings.Join(values, ","))
		}
	}
	if len(parts) == 0 {
		return plain
	}
	sort.Strings(parts)
	return errs.Msg{Format: withParams.Format, Args: append(withParams.Args, strings.Join(parts, ", "))}
}
