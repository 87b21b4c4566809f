package zones

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"sriim/internal/errs"
	"sriim/internal/geo"
)

// Query selects features of a layer, a page at a time.
type Query struct {
	Layer    string
	BBox     *orb.Bound        // WGS84; features whose box meets it
	From, To string            // YYYY-MM-DD: features valid (closures in force) at some day of it; empty is open
	Filters  map[string]string // queryable → value (see Layer.Queryables)
	After    int64             // the cursor: features after this id
	Limit    int               // default 10, at most MaxLimit
	Day      string            // the day statuses are given for; default today
}

// MaxLimit is the largest page.
const MaxLimit = 10000

// Item is one feature of a page, ready for GeoJSON.
type Item struct {
	ID         int64           `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Bound      orb.Bound       `json:"-"`
	Properties map[string]any  `json:"properties"`
}

// Items is a page of features.
type Items struct {
	Items []Item
	Next  int64 // the cursor of the next page; 0 on the last
}

// Items returns the features q selects, in id order.
func (s *Service) Items(ctx context.Context, q Query) (Items, error) {
	l, ok := LayerByID(q.Layer)
	if !ok {
		return Items{}, errs.E(errs.NotFound, "no layer %q", q.Layer)
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	q.Limit = min(q.Limit, MaxLimit)
	if q.Day == "" {
		q.Day = s.Today()
	}
	for k := range q.Filters {
		if !contains(l.Queryables, k) {
			return Items{}, errs.Fields("unknown filter", map[string]string{k: "not a queryable of " + l.ID + ": " + strings.Join(l.Queryables, ", ")})
		}
	}
	if l.ID == Closures {
		return s.closureItems(ctx, q)
	}
	var cond []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	listed := false // the candidates are listed: of the layer, past the cursor
	if q.BBox != nil {
		// The grid gives the candidates, the box columns the answer.
		ids, ok, err := candidates(ctx, s.db.Read(), q.Layer, *q.BBox, q.After)
		if err != nil {
			return Items{}, err
		}
		if ok && len(ids) == 0 {
			return Items{}, nil
		}
		if ok {
			cond, listed = append(cond, inList("z.id", ids, arg)), true
		}
		cond = append(cond, boxCondition(*q.BBox, listed, arg)...)
	}
	if q.To != "" {
		cond = append(cond, "(z.valid_from = '' OR z.valid_from <= "+arg(q.To)+")")
	}
	if q.From != "" {
		cond = append(cond, "(z.valid_to = '' OR z.valid_to >= "+arg(q.From)+")")
	}
	for k, v := range q.Filters {
		switch k {
		case "species":
			cond = append(cond, "(',' || z.species || ',') LIKE "+arg("%,"+strings.ToUpper(v)+",%"))
		case "kind":
			code, _ := Kinds.Parse(v)
			cond = append(cond, "z.kind = "+arg(code))
		case "class":
			code, _ := Classes.Parse(v)
			cond = append(cond, "z.class = "+arg(code))
		case "status":
			code, _ := Statuses.Parse(v)
			day := arg(q.Day)
			switch code {
			case "in_force":
				cond = append(cond, "z.status NOT IN ('revoked', 'expired') AND (z.valid_from = '' OR z.valid_from <= "+day+
					") AND (z.valid_to = '' OR z.valid_to >= "+day+")")
			case "expired":
				cond = append(cond, "(z.status = 'expired' OR (z.status <> 'revoked' AND z.valid_to <> '' AND z.valid_to < "+day+"))")
			default:
				cond = append(cond, "z.status = "+arg(code))
			}
		default: // code, holder, holder_ruc, district: columns of the same name
			cond = append(cond, "z."+k+" = "+arg(v))
		}
	}
	if !listed {
		cond = append(cond, "z.layer = "+arg(q.Layer), "z.id > "+arg(q.After))
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM zones z WHERE "+strings.Join(cond, " AND ")+
		" ORDER BY z.id LIMIT "+strconv.Itoa(q.Limit+1), args...)
	if err != nil {
		return Items{}, errs.Wrap(err, "read features")
	}
	defer rows.Close()
	var list []Feature
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return Items{}, errs.Wrap(err, "read features")
		}
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		return Items{}, errs.Wrap(err, "read features")
	}
	var out Items
	if len(list) > q.Limit {
		list = list[:q.Limit]
		out.Next = list[len(list)-1].ID
	}
	var closed map[int64]Closure
	if q.Layer == ProductionArea {
		ids := make([]int64, len(list))
		for i, f := range list {
			ids[i] = f.ID
		}
		if closed, err = closuresOn(ctx, s.db.Read(), ids, q.Day); err != nil {
			return Items{}, err
		}
	}
	out.Items = make([]Item, len(list))
	for i, f := range list {
		out.Items[i] = Item{ID: f.ID, Geometry: f.Geometry, Bound: f.Bound, Properties: f.Properties(q.Day)}
		if q.Layer == ProductionArea {
			out.Items[i].Properties["status"] = "open"
			if c, ok := closed[f.ID]; ok {
				out.Items[i].Properties["status"] = "closed"
				out.Items[i].Properties["closure_reason"] = c.Reason
				out.Items[i].Properties["closed_from"] = c.From
			}
		}
	}
	return out, nil
}

// boxCondition selects the features whose bounding box meets b. With the
// candidates listed, the columns are written +z.min_lon…: an expression,
// so that the planner looks the listed ids up instead of walking the
// zones_bbox index over a whole side of the box.
func boxCondition(b orb.Bound, listed bool, arg func(any) string) []string {
	p := "z."
	if listed {
		p = "+z."
	}
	return []string{p + "min_lon <= " + arg(b.Max[0]), p + "max_lon >= " + arg(b.Min[0]),
		p + "min_lat <= " + arg(b.Max[1]), p + "max_lat >= " + arg(b.Min[1])}
}

// closureItems is Items for the closures layer: each closure with its
// area's geometry.
func (s *Service) closureItems(ctx context.Context, q Query) (Items, error) {
	var cond []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.BBox != nil {
		ids, ok, err := candidates(ctx, s.db.Read(), ProductionArea, *q.BBox, 0)
		if err != nil {
			return Items{}, err
		}
		if ok && len(ids) == 0 {
			return Items{}, nil
		}
		if ok {
			cond = append(cond, inList("z.id", ids, arg))
		} else {
			cond = append(cond, "z.layer = "+arg(ProductionArea))
		}
		cond = append(cond, boxCondition(*q.BBox, ok, arg)...)
	}
	if q.To != "" {
		cond = append(cond, "c.starts <= "+arg(q.To))
	}
	if q.From != "" {
		cond = append(cond, "(c.ends = '' OR c.ends >= "+arg(q.From)+")")
	}
	if v, ok := q.Filters["area"]; ok {
		cond = append(cond, "z.code = "+arg(v))
	}
	if v, ok := q.Filters["reason"]; ok {
		code, _ := Reasons.Parse(v)
		cond = append(cond, "c.reason = "+arg(code))
	}
	cond = append(cond, "c.id > "+arg(q.After))
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+closureColumns+`, z.geometry, z.min_lon, z.min_lat, z.max_lon, z.max_lat
		FROM zone_closures c JOIN zones z ON z.id = c.area_id WHERE `+strings.Join(cond, " AND ")+
		" ORDER BY c.id LIMIT "+strconv.Itoa(q.Limit+1), args...)
	if err != nil {
		return Items{}, errs.Wrap(err, "read closures")
	}
	defer rows.Close()
	var out Items
	for rows.Next() {
		var c Closure
		var it Item
		var geom string
		var inst any
		if err := rows.Scan(&c.ID, &c.AreaID, &c.AreaCode, &c.AreaName, &c.Reason, &c.From, &c.To, &c.Resolution, &c.Notes, &inst,
			&c.CreatedAt, &c.UpdatedAt, &c.Version, &geom, &it.Bound.Min[0], &it.Bound.Min[1], &it.Bound.Max[0], &it.Bound.Max[1]); err != nil {
			return Items{}, errs.Wrap(err, "read closures")
		}
		it.ID, it.Geometry, it.Properties = c.ID, json.RawMessage(geom), c.properties(q.Day)
		out.Items = append(out.Items, it)
	}
	if err := rows.Err(); err != nil {
		return Items{}, errs.Wrap(err, "read closures")
	}
	if len(out.Items) > q.Limit {
		out.Items = out.Items[:q.Limit]
		out.Next = out.Items[len(out.Items)-1].ID
	}
	return out, nil
}

// properties are a closure's attributes for the OGC API.
func (c Closure) properties(day string) map[string]any {
	p := map[string]any{"area": c.AreaCode, "reason": c.Reason, "from": c.From, "in_force": c.Covers(day)}
	for k, v := range map[string]string{"area_name": c.AreaName, "to": c.To, "resolution": c.Resolution, "notes": c.Notes} {
		if v != "" {
			p[k] = v
		}
	}
	return p
}

// Item returns one feature of a layer (a closure, for the closures layer).
func (s *Service) Item(ctx context.Context, layer string, id int64) (Item, error) {
	if _, ok := LayerByID(layer); !ok {
		return Item{}, errs.E(errs.NotFound, "no layer %q", layer)
	}
	page, err := s.Items(ctx, Query{Layer: layer, After: id - 1, Limit: 1})
	if err != nil {
		return Item{}, err
	}
	if len(page.Items) == 0 || page.Items[0].ID != id {
		return Item{}, errs.E(errs.NotFound, "no feature %d in %s", id, layer)
	}
	return page.Items[0], nil
}

// Collection is a layer with what it holds.
type Collection struct {
	Layer
	Count    int
	Bound    *orb.Bound // nil when empty
	From, To string     // the earliest and latest day of its validity or closures; empty when open
}

// Collections describes every layer.
func (s *Service) Collections(ctx context.Context) ([]Collection, error) {
	out := make([]Collection, len(Layers))
	for i, l := range Layers {
		out[i].Layer = l
		var n int
		var b orb.Bound
		var minLon, minLat, maxLon, maxLat *float64
		var from, to *string
		q := `SELECT COUNT(*), MIN(min_lon), MIN(min_lat), MAX(max_lon), MAX(max_lat), MIN(NULLIF(valid_from, '')), MAX(NULLIF(valid_to, ''))
			FROM zones WHERE layer = $1`
		if l.ID == Closures {
			q = `SELECT COUNT(*), MIN(z.min_lon), MIN(z.min_lat), MAX(z.max_lon), MAX(z.max_lat), MIN(c.starts), MAX(NULLIF(c.ends, ''))
				FROM zone_closures c JOIN zones z ON z.id = c.area_id WHERE $1 = $1`
		}
		if err := s.db.Read().QueryRowContext(ctx, q, l.ID).Scan(&n, &minLon, &minLat, &maxLon, &maxLat, &from, &to); err != nil {
			return nil, errs.Wrap(err, "describe layers")
		}
		out[i].Count = n
		if n > 0 && minLon != nil {
			b = orb.Bound{Min: orb.Point{*minLon, *minLat}, Max: orb.Point{*maxLon, *maxLat}}
			out[i].Bound = &b
		}
		if from != nil {
			out[i].From = *from
		}
		if to != nil {
			out[i].To = *to
		}
	}
	return out, nil
}

// AreaAt is the production area at a point on a day.
type AreaAt struct {
	ID      int64    `json:"id"`
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Class   *string  `json:"class"`  // null when not classified
	Status  string   `json:"status"` // "open" or "closed"
	Closure *Closure `json:"closure"`
}

// RightAt is an aquaculture right at a point on a day.
type RightAt struct {
	ID            int64  `json:"id"`
	Code          string `json:"code"`
	Holder        string `json:"holder"`
	HolderActorID int64  `json:"holder_actor_id,omitempty"`
	Status        string `json:"status"`
}

// ZoneAt is a suitable zone at a point.
type ZoneAt struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// PointReport is what holds at a point on a day.
type PointReport struct {
	ProductionArea *AreaAt   `json:"production_area"`
	Rights         []RightAt `json:"rights"`
	SuitableZone   *ZoneAt   `json:"suitable_zone"`
}

// At says what holds at a point (WGS84) on day (YYYY-MM-DD): the production
// area there with its class that day and whether a closure closes it, the
// aquaculture rights valid that day, and the suitable zone. Where areas or
// zones overlap, the smallest is given.
func (s *Service) At(ctx context.Context, lat, lon float64, day string) (PointReport, error) {
	out := PointReport{Rights: []RightAt{}}
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return out, errs.Fields("the point is not valid", map[string]string{"lat": "−90 to 90", "lon": "−180 to 180"})
	}
	if day == "" {
		day = s.Today()
	} else if d, err := parseDate(day); err != nil || d != day {
		return out, errs.Fields("the date is not valid", map[string]string{"date": "YYYY-MM-DD"})
	}
	pt := orb.Point{lon, lat}
	cell := cellIndex(lon, 180)*cellRow + cellIndex(lat, 90)
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+` FROM zones z
		WHERE z.id IN (SELECT zone_id FROM zone_cells WHERE layer IN ($1, $2, $3) AND cell IN ($4, $5))
		AND z.min_lon <= $6 AND z.max_lon >= $6 AND z.min_lat <= $7 AND z.max_lat >= $7`,
		ProductionArea, Rights, SuitableZones, cell, int64(bigCell), lon, lat)
	if err != nil {
		return out, errs.Wrap(err, "query the point")
	}
	defer rows.Close()
	var area, zone *Feature
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return out, errs.Wrap(err, "query the point")
		}
		g, err := f.Geom()
		if err != nil {
			return out, err
		}
		if !geo.Contains(g, pt) {
			continue
		}
		switch f.Layer {
		case ProductionArea:
			if area == nil || *f.Hectares < *area.Hectares {
				area = &f
			}
		case SuitableZones:
			if zone == nil || *f.Hectares < *zone.Hectares {
				zone = &f
			}
		case Rights:
			if st := f.StatusOn(day); st != "expired" && st != "not_yet" {
				out.Rights = append(out.Rights, RightAt{ID: f.ID, Code: f.Code, Holder: f.Holder, HolderActorID: f.HolderActorID, Status: st})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return out, errs.Wrap(err, "query the point")
	}
	if zone != nil {
		out.SuitableZone = &ZoneAt{ID: zone.ID, Code: zone.Code, Name: zone.Name}
	}
	if area != nil {
		a := &AreaAt{ID: area.ID, Code: area.Code, Name: area.Name, Status: "open"}
		history, err := classHistory(ctx, s.db.Read(), area.ID)
		if err != nil {
			return out, err
		}
		class := area.Class
		if len(history) > 0 {
			class = classOn(history, day)
		}
		if class != "" {
			a.Class = &class
		}
		closed, err := closuresOn(ctx, s.db.Read(), []int64{area.ID}, day)
		if err != nil {
			return out, err
		}
		if c, ok := closed[area.ID]; ok {
			a.Status, a.Closure = "closed", &c
		}
		out.ProductionArea = a
	}
	return out, nil
}

// Geom decodes the feature's WGS84 geometry.
func (f Feature) Geom() (orb.Geometry, error) {
	g, err := geojson.UnmarshalGeometry(f.Geometry)
	if err != nil {
		return nil, errs.Wrap(err, "decode the geometry of %s", f.Code)
	}
	return g.Geometry(), nil
}

// Indicator is one of the plan's indicators computed from this module.
type Indicator struct {
	Activity string  `json:"activity"` // the seed plan's activity
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Day      string  `json:"day"`
}

// Indicators are the plan's indicators on day: hectares in aquaculture
// rights in force and the number of productive units (3.1.4), the units
// under sanitary control — rights in force inside a classified production
// area (1.4.1) — and the suitable zones and production areas registered (1.1.1).
func (s *Service) Indicators(ctx context.Context, day string) ([]Indicator, error) {
	if day == "" {
		day = s.Today()
	}
	var rights, areas []Feature
	var suitable int
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM zones z WHERE z.layer IN ($1, $2)", Rights, ProductionArea)
	if err != nil {
		return nil, errs.Wrap(err, "count the cadastre")
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap(err, "count the cadastre")
		}
		if f.Layer == Rights && f.StatusOn(day) == "in_force" {
			rights = append(rights, f)
		} else if f.Layer == ProductionArea {
			areas = append(areas, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "count the cadastre")
	}
	if err := s.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM zones WHERE layer = $1", SuitableZones).Scan(&suitable); err != nil {
		return nil, errs.Wrap(err, "count suitable zones")
	}
	classified, err := s.classified(ctx, areas, day)
	if err != nil {
		return nil, err
	}
	var hectares float64
	controlled := 0
	for _, r := range rights {
		if r.Hectares != nil {
			hectares += *r.Hectares
		}
		in, err := underControl(r, classified)
		if err != nil {
			return nil, err
		}
		if in {
			controlled++
		}
	}
	return []Indicator{
		{Activity: "3.1.4", Name: "hectares_in_force", Value: round(hectares, 2), Unit: "ha", Day: day},
		{Activity: "3.1.4", Name: "productive_units", Value: float64(len(rights)), Unit: "units", Day: day},
		{Activity: "1.4.1", Name: "units_under_sanitary_control", Value: float64(controlled), Unit: "units", Day: day},
		{Activity: "1.1.1", Name: "suitable_zones", Value: float64(suitable), Unit: "zones", Day: day},
		{Activity: "1.1.1", Name: "production_areas", Value: float64(len(areas)), Unit: "zones", Day: day},
	}, nil
}
