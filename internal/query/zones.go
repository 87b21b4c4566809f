package query

import (
	"net/url"

	"sriim/internal/httpkit"
)

// ZonePoint is a point query: a place (WGS84) and a day.
type ZonePoint struct {
	Lat, Lon float64
	Day      string // YYYY-MM-DD; "" for today
}

// Zones reads a point query: lat and lon (decimal degrees, a decimal
// point or comma) and the day from the field dateField (the API's "date",
// the page's "fecha"). Problems are named by those fields.
func Zones(q url.Values, dateField string) (ZonePoint, error) {
	f := httpkit.NewForm(q)
	var p ZonePoint
	for _, c := range []struct {
		field string
		v     *float64
	}{{"lat", &p.Lat}, {"lon", &p.Lon}} {
		if n := f.Number(c.field); n != nil {
			*c.v = *n
		} else if !f.Has(c.field) || f.Text(c.field) == "" {
			f.Problem(c.field, "required")
		}
	}
	if p.Day = f.Text(dateField); p.Day != "" {
		f.Date(dateField)
	}
	return p, f.Err("the point is not valid")
}
