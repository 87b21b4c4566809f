package zones

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"sriim/internal/errs"
	"sriim/internal/geo"
	"sriim/internal/indicators"
)

// Sources are the zones module's sources of the plan's indicators, each
// the state at the end of every year (today for the current year; later
// years have no value):
//   - zones.hectares: hectares (from the geometry) of the aquaculture rights
//     in force (3.1.4, "Número de hectáreas"); params kind, species, status;
//   - zones.rights: the number of those rights, the productive units (3.1.4);
//   - zones.sanitary_control: rights in force inside a production area with
//     a sanitary class that day (1.4.1, units attended by the sanitary system);
//   - zones.registered: features registered in the database by then
//     (1.1.1, the database of suitable and production zones); param layer
//     (default suitable-zones,production-areas);
//   - zones.closed_areas: production areas closed on some day of the year.
func (s *Service) Sources() []indicators.Source {
	return []indicators.Source{
		indicators.SourceFunc("zones.hectares", func(ctx context.Context, q indicators.Query) (indicators.Result, error) {
			return s.rightsSource(ctx, q, true)
		}),
		indicators.SourceFunc("zones.rights", func(ctx context.Context, q indicators.Query) (indicators.Result, error) {
			return s.rightsSource(ctx, q, false)
		}),
		indicators.SourceFunc("zones.sanitary_control", s.sanitarySource),
		indicators.SourceFunc("zones.registered", s.registeredSource),
		indicators.SourceFunc("zones.closed_areas", s.closedAreasSource),
	}
}

// layerFeatures reads every feature of a layer.
func (s *Service) layerFeatures(ctx context.Context, layer string) ([]Feature, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM zones z WHERE z.layer = $1 ORDER BY z.code", layer)
	if err != nil {
		return nil, errs.Wrap(err, "count the cadastre")
	}
	defer rows.Close()
	var out []Feature
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap(err, "count the cadastre")
		}
		out = append(out, f)
	}
	return out, errs.Wrap(rows.Err(), "count the cadastre")
}

// rightFilter selects rights by a query's params kind and species, and the
// status they have on a day (default in force).
type rightFilter struct {
	kind, species, status string
}

func newRightFilter(q indicators.Query) (rightFilter, error) {
	var f rightFilter
	if err := indicators.Params(q, "kind", "species", "status"); err != nil {
		return f, err
	}
	var ok bool
	if k := q.Params.Get("kind"); k != "" {
		if f.kind, ok = Kinds.Parse(k); !ok {
			return f, errs.E(errs.Invalid, "%q is not a kind of right; use %s", k, Kinds.Words())
		}
	}
	f.status = "in_force"
	if st := q.Params.Get("status"); st != "" {
		if f.status, ok = Statuses.Parse(st); !ok {
			return f, errs.E(errs.Invalid, "%q is not a status of a right; use %s", st, Statuses.Words())
		}
	}
	f.species = strings.ToUpper(strings.TrimSpace(q.Params.Get("species")))
	return f, nil
}

func (f rightFilter) holds(r Feature, day string) bool {
	return r.StatusOn(day) == f.status && (f.kind == "" || r.Kind == f.kind) && (f.species == "" || contains(r.Species, f.species))
}

func rightRecord(r Feature) indicators.Record {
	label := r.Code
	if r.Holder != "" {
		label += " – " + r.Holder
	}
	return indicators.Record{Entity: "zone", ID: r.ID, Label: label}
}

func (s *Service) rightsSource(ctx context.Context, q indicators.Query, hectares bool) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if hectares {
		res.Unit = "ha"
	}
	filter, err := newRightFilter(q)
	if err != nil {
		return res, err
	}
	rights, err := s.layerFeatures(ctx, Rights)
	if err != nil {
		return res, err
	}
	for _, y := range q.Years() {
		day, ok := indicators.YearEnd(y, s.Today())
		if !ok {
			continue
		}
		v := 0.0
		for _, r := range rights {
			if !filter.holds(r, day) {
				continue
			}
			if !hectares {
				v++
			} else if r.Hectares != nil {
				v += *r.Hectares
			}
			if y == q.To && len(res.Records) < indicators.MaxRecords {
				res.Records = append(res.Records, rightRecord(r))
			}
		}
		res.Values[y] = round(v, 2)
	}
	if hectares {
		res.Computation = indicators.Described(errs.Msg{Format: "hectares, from their geometry, of the aquaculture rights in force at the end of each year"},
			errs.Msg{Format: "hectares, from their geometry, of the aquaculture rights at the end of each year, with %s"}, q.Params)
	} else {
		res.Computation = indicators.Described(errs.Msg{Format: "aquaculture rights in force at the end of each year"},
			errs.Msg{Format: "aquaculture rights at the end of each year, with %s"}, q.Params)
	}
	return res, nil
}

// classified returns the geometries of the production areas that have a
// sanitary class on day.
func (s *Service) classified(ctx context.Context, areas []Feature, day string) ([]orb.Geometry, error) {
	var out []orb.Geometry
	for _, a := range areas {
		history, err := s.ClassHistory(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		class := a.Class
		if len(history) > 0 {
			class = classOn(history, day)
		}
		if class == "" {
			continue
		}
		g, err := a.Geom()
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// underControl reports whether a right lies in one of the classified areas
// (its centroid does).
func underControl(r Feature, classified []orb.Geometry) (bool, error) {
	g, err := r.Geom()
	if err != nil {
		return false, err
	}
	c, _ := planar.CentroidArea(g)
	for _, a := range classified {
		if geo.Contains(a, c) {
			return true, nil
		}
	}
	return false, nil
}

func (s *Service) sanitarySource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	filter, err := newRightFilter(q)
	if err != nil {
		return res, err
	}
	rights, err := s.layerFeatures(ctx, Rights)
	if err != nil {
		return res, err
	}
	areas, err := s.layerFeatures(ctx, ProductionArea)
	if err != nil {
		return res, err
	}
	for _, y := range q.Years() {
		day, ok := indicators.YearEnd(y, s.Today())
		if !ok {
			continue
		}
		classified, err := s.classified(ctx, areas, day)
		if err != nil {
			return res, err
		}
		n := 0
		for _, r := range rights {
			if !filter.holds(r, day) {
				continue
			}
			in, err := underControl(r, classified)
			if err != nil {
				return res, err
			}
			if in {
				n++
				if y == q.To && len(res.Records) < indicators.MaxRecords {
					res.Records = append(res.Records, rightRecord(r))
				}
			}
		}
		res.Values[y] = float64(n)
	}
	res.Computation = indicators.Described(
		errs.Msg{Format: "aquaculture rights in force at the end of each year inside a production area with a sanitary class"},
		errs.Msg{Format: "aquaculture rights at the end of each year inside a production area with a sanitary class, with %s"}, q.Params)
	return res, nil
}

func (s *Service) registeredSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q, "layer"); err != nil {
		return res, err
	}
	layers := []string{SuitableZones, ProductionArea}
	if v := q.Params.Get("layer"); v != "" {
		layers = strings.Split(v, ",")
		for _, l := range layers {
			if layer, ok := LayerByID(strings.TrimSpace(l)); !ok || layer.ID == Closures {
				return res, errs.E(errs.Invalid, "%q is not a layer: use aquaculture-rights, production-areas, natural-banks, landing-sites or suitable-zones", l)
			}
		}
	}
	var all []Feature
	for _, l := range layers {
		list, err := s.layerFeatures(ctx, strings.TrimSpace(l))
		if err != nil {
			return res, err
		}
		all = append(all, list...)
	}
	for _, y := range q.Years() {
		if _, ok := indicators.YearEnd(y, s.Today()); !ok {
			continue
		}
		end := time.Date(y+1, time.January, 1, 0, 0, 0, 0, time.UTC)
		n := 0
		for _, f := range all {
			if f.CreatedAt.Before(end) {
				n++
				if y == q.To && len(res.Records) < indicators.MaxRecords {
					res.Records = append(res.Records, indicators.Record{Entity: "zone", ID: f.ID, Label: strings.TrimSpace(f.Code + " " + f.Name)})
				}
			}
		}
		res.Values[y] = float64(n)
	}
	res.Computation = indicators.Described(errs.Msg{Format: "suitable zones and production areas registered in the database by the end of each year"},
		errs.Msg{Format: "features registered in the database by the end of each year, with %s"}, q.Params)
	return res, nil
}

func (s *Service) closedAreasSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q); err != nil {
		return res, err
	}
	list, err := closures(ctx, s.db.Read(), "1 = 1")
	if err != nil {
		return res, err
	}
	for _, y := range q.Years() {
		day, ok := indicators.YearEnd(y, s.Today())
		if !ok {
			continue
		}
		first := strconv.Itoa(y) + "-01-01"
		seen := map[int64]bool{}
		for _, c := range list {
			if c.From <= day && (c.To == "" || c.To >= first) && !seen[c.AreaID] {
				seen[c.AreaID] = true
				if y == q.To {
					res.Records = append(res.Records, indicators.Record{Entity: "zone", ID: c.AreaID, Label: strings.TrimSpace(c.AreaCode + " " + c.AreaName)})
				}
			}
		}
		res.Values[y] = float64(len(seen))
	}
	res.Computation = errs.Msg{Format: "production areas closed on some day of each year"}
	return res, nil
}
