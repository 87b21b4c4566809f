package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"sriim/internal/errs"
)

// Hectares is the area of a polygon or multipolygon given in WGS84 degrees,
// measured on the WGS84 ellipsoid: the rings are mapped by the Lambert
// cylindrical equal-area projection on the ellipsoid (authalic latitude,
// Snyder, "Map Projections – A Working Manual", 1987, eqs. 3-12 and 10-15),
// where plane area is ellipsoidal area. Other geometries have none.
func Hectares(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		return polygonArea(g) / 1e4
	case orb.MultiPolygon:
		var sum float64
		for _, p := range g {
			sum += polygonArea(p)
		}
		return sum / 1e4
	}
	return 0
}

func polygonArea(p orb.Polygon) float64 {
	var a float64
	for i, r := range p {
		if i == 0 {
			a += math.Abs(ringArea(r))
		} else {
			a -= math.Abs(ringArea(r))
		}
	}
	return a
}

// ringArea is the signed area in square metres of a ring of WGS84 degrees.
func ringArea(r orb.Ring) float64 {
	e := math.Sqrt(wgs84Ellipsoid.e2())
	e2 := e * e
	q := func(lat float64) float64 {
		s := math.Sin(lat * math.Pi / 180)
		return (1 - e2) * (s/(1-e2*s*s) - 1/(2*e)*math.Log((1-e*s)/(1+e*s)))
	}
	a := wgs84Ellipsoid.a
	var sum float64
	for i := 0; i+1 < len(r); i++ {
		x1, y1 := a*r[i][0]*math.Pi/180, a*q(r[i][1])/2
		x2, y2 := a*r[i+1][0]*math.Pi/180, a*q(r[i+1][1])/2
		sum += x1*y2 - x2*y1
	}
	return sum / 2
}

// Check reports the first thing that makes g unfit to store: a ring that is
// not closed or has fewer than four points, a coordinate that is not a
// number, a ring that crosses itself or another ring of its polygon, a hole
// outside its shell, or a polygon without area. Points and polygons are the
// only kinds of geometry it accepts.
func Check(g orb.Geometry) *errs.Error {
	switch g := g.(type) {
	case orb.Point:
		if badPoint(g) {
			return errs.E(errs.Invalid, "a coordinate is not a number")
		}
		return nil
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return errs.E(errs.Invalid, "the multipolygon is empty")
		}
		for i, p := range g {
			if err := checkPolygon(p); err != nil {
				return errs.E(errs.Invalid, "polygon %d: %s", i+1, err.Msg)
			}
		}
		return nil
	case nil:
		return errs.E(errs.Invalid, "the feature has no geometry")
	}
	return errs.E(errs.Invalid, "a %s is not accepted: use points or polygons", g.GeoJSONType())
}

func badPoint(p orb.Point) bool {
	return math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0)
}

func checkPolygon(p orb.Polygon) *errs.Error {
	if len(p) == 0 {
		return errs.E(errs.Invalid, "the polygon has no rings")
	}
	for i, r := range p {
		if len(r) < 4 {
			return errs.E(errs.Invalid, "ring %d has %d points: a ring needs at least 4", i+1, len(r))
		}
		for _, pt := range r {
			if badPoint(pt) {
				return errs.E(errs.Invalid, "ring %d: a coordinate is not a number", i+1)
			}
		}
		if !r.Closed() {
			return errs.E(errs.Invalid, "ring %d is not closed: its last point must repeat its first", i+1)
		}
	}
	if ring, other, at, ok := crossing(p); ok {
		if ring == other {
			return errs.E(errs.Invalid, "ring %d crosses itself near %.6f %.6f", ring+1, at[0], at[1])
		}
		return errs.E(errs.Invalid, "rings %d and %d cross near %.6f %.6f", ring+1, other+1, at[0], at[1])
	}
	for i, r := range p {
		if ringArea(r) == 0 {
			return errs.E(errs.Invalid, "ring %d has no area", i+1)
		}
	}
	for i, hole := range p[1:] {
		if !planar.RingContains(p[0], hole[0]) {
			return errs.E(errs.Invalid, "hole %d lies outside the polygon's outer ring", i+1)
		}
	}
	return nil
}

type segment struct {
	a, b        orb.Point
	ring, index int
	minX, maxX  float64
}

// crossing finds two segments of p's rings that intersect where they
// should not: anywhere for segments of one ring that are not neighbours,
// and crossing (not touching) for segments of different rings. It sweeps
// the segments in order of their left ends, so that it costs little more
// than sorting them for the polygons people draw.
func crossing(p orb.Polygon) (ring, other int, at orb.Point, found bool) {
	var segs []segment
	for ri, r := range p {
		for i := 0; i+1 < len(r); i++ {
			segs = append(segs, segment{a: r[i], b: r[i+1], ring: ri, index: i,
				minX: math.Min(r[i][0], r[i+1][0]), maxX: math.Max(r[i][0], r[i+1][0])})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	var active []segment
	for _, s := range segs {
		kept := active[:0]
		for _, o := range active {
			if o.maxX >= s.minX {
				kept = append(kept, o)
			}
		}
		active = kept
		for _, o := range active {
			if o.ring == s.ring {
				n := len(p[s.ring]) - 1
				d := s.index - o.index
				if d == 1 || d == -1 || d == n-1 || d == 1-n {
					continue // neighbours share an end
				}
				if intersects(s.a, s.b, o.a, o.b, true) {
					return s.ring, o.ring, s.a, true
				}
			} else if intersects(s.a, s.b, o.a, o.b, false) {
				return s.ring, o.ring, s.a, true
			}
		}
		active = append(active, s)
	}
	return 0, 0, orb.Point{}, false
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// intersects reports whether segments ab and cd meet; with touching false,
// only a proper crossing counts.
func intersects(a, b, c, d orb.Point, touching bool) bool {
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	if !touching {
		return false
	}
	return (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b)) ||
		(d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d))
}

// peruExtent is a coarse envelope of Peru's maritime domain (200 nautical
// miles from the coast) and of its coastal regions up to about 150 km
// inland, in WGS84 degrees. It catches coordinates in the wrong system or
// order (a UTM file read as degrees, latitude and longitude swapped), not
// legal boundaries.
var peruExtent = orb.Ring{
	{-79.5, -3.2}, {-84.8, -3.2}, {-84.8, -6.0}, {-83.0, -9.0}, {-81.0, -12.5}, {-79.0, -15.5},
	{-75.5, -19.0}, {-72.5, -21.0}, {-70.3, -18.4}, {-69.5, -17.3}, {-71.5, -15.5}, {-74.0, -13.0},
	{-76.3, -10.0}, {-78.0, -7.0}, {-79.0, -5.0}, {-79.5, -3.2},
}

// InPeru reports whether every point of g (WGS84) lies in Peru's maritime
// domain or its coastal regions; when one does not, it says which.
func InPeru(g orb.Geometry) *errs.Error {
	var outside *orb.Point
	EachPoint(g, func(p orb.Point) {
		if outside == nil && !planar.RingContains(peruExtent, p) {
			outside = &p
		}
	})
	if outside != nil {
		return errs.E(errs.Invalid, "the point %.6f %.6f (longitude, latitude) lies outside Peru's sea and coast: wrong coordinate system?", outside[0], outside[1])
	}
	return nil
}

// EachPoint calls fn with every point of g.
func EachPoint(g orb.Geometry, fn func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn(g)
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.LineString:
		for _, p := range g {
			fn(p)
		}
	case orb.Ring:
		for _, p := range g {
			fn(p)
		}
	case orb.Polygon:
		for _, r := range g {
			EachPoint(r, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			EachPoint(p, fn)
		}
	case orb.MultiLineString:
		for _, l := range g {
			EachPoint(l, fn)
		}
	case orb.Collection:
		for _, c := range g {
			EachPoint(c, fn)
		}
	}
}

// Contains reports whether the polygon or multipolygon g (or the point g
// itself) holds the point p; a point on a ring counts as inside.
func Contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	case orb.Point:
		return g == p
	}
	return false
}
