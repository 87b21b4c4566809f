package geo

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// metres is the distance between two nearby WGS84 points, good to a
// millimetre over the few metres these tests compare.
func metres(lon1, lat1, lon2, lat2 float64) float64 {
	const m = 111320.0
	dy := (lat2 - lat1) * m
	dx := (lon2 - lon1) * m * math.Cos(lat1*math.Pi/180)
	return math.Hypot(dx, dy)
}

// The references were computed with PROJ 9 (Debian's proj-bin):
//
//	echo E N | cs2cs -f %.10f EPSG:32719 EPSG:4326
//	echo E N | cs2cs -f %.10f +proj=utm +zone=19 +south +ellps=intl +towgs84=-279,175,-379 +to +proj=longlat +datum=WGS84
//
// the second naming EPSG transformation 1208 (PSAD56 to WGS 84 (8), Peru).
var references = []struct {
	srs      SRS
	e, n     float64
	lon, lat float64
}{
	{WGS84UTM19S, 255000, 8050000, -71.3089516964, -17.6232558041},        // off Ilo
	{WGS84UTM19S, 300512.34, 8048765.43, -70.8803339668, -17.6389618127},  // inland of Ilo
	{WGS84UTM19S, 166021.44, 9999999, -72.0000000276, -0.0000090348},      // the zone's western edge
	{WGS84UTM19S, 833978.56, 8000000, -65.8453457133, -18.0629233329},     // east of the zone
	{WGS84UTM18S, 500000, 8500000, -75.0000000000, -13.5684512785},        // on the central meridian
	{WGS84UTM17S, 620000, 9100000, -79.9107497622, -8.1405729854},         // Trujillo
	{PSAD56UTM19S, 255000, 8050000, -71.3108169701, -17.6265284720},       // off Ilo, on PSAD56
	{PSAD56UTM19S, 300512.34, 8048765.43, -70.8821992731, -17.6422381944}, //
	{PSAD56UTM18S, 500000, 8500000, -75.0020714615, -13.5717591893},       //
	{PSAD56UTM17S, 620000, 9100000, -79.9130074800, -8.1439268555},        //
}

func TestReprojectionAgainstPROJ(t *testing.T) {
	for _, r := range references {
		lon, lat := r.srs.ToWGS84(r.e, r.n)
		if d := metres(r.lon, r.lat, lon, lat); d > 0.1 {
			t.Errorf("%s %.2f %.2f → %.10f %.10f, PROJ says %.10f %.10f: %.3f m apart", r.srs, r.e, r.n, lon, lat, r.lon, r.lat, d)
		}
		e, n := r.srs.FromWGS84(r.lon, r.lat)
		if d := math.Hypot(e-r.e, n-r.n); d > 0.1 {
			t.Errorf("%s back from %.10f %.10f → %.3f %.3f, want %.2f %.2f: %.3f m apart", r.srs, r.lon, r.lat, e, n, r.e, r.n, d)
		}
	}
}

func TestParseSRS(t *testing.T) {
	for name, want := range map[string]SRS{
		"EPSG:32719": WGS84UTM19S, "32719": WGS84UTM19S, "urn:ogc:def:crs:EPSG::24879": PSAD56UTM19S,
		"http://www.opengis.net/def/crs/EPSG/0/32718": WGS84UTM18S, "urn:ogc:def:crs:OGC:1.3:CRS84": WGS84,
		"EPSG:4326": WGS84, "CRS84": WGS84,
	} {
		if got, err := ParseSRS(name); err != nil || got != want {
			t.Errorf("ParseSRS(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"EPSG:3857", "EPSG:32619", "", "UTM"} {
		if _, err := ParseSRS(bad); err == nil {
			t.Errorf("ParseSRS(%q) accepted", bad)
		}
	}
}

func TestSRSFromWKT(t *testing.T) {
	esri := func(name, geog, datum, spheroid string, a, rf, cm float64) string {
		return `PROJCS["` + name + `",GEOGCS["` + geog + `",DATUM["` + datum + `",SPHEROID["` + spheroid + `",` +
			ftoa(a) + `,` + ftoa(rf) + `]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],` +
			`PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",10000000.0],` +
			`PARAMETER["Central_Meridian",` + ftoa(cm) + `],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
	}
	for _, c := range []struct {
		wkt  string
		want SRS
	}{
		{esri("WGS_1984_UTM_Zone_19S", "GCS_WGS_1984", "D_WGS_1984", "WGS_1984", 6378137, 298.257223563, -69), WGS84UTM19S},
		{esri("WGS_1984_UTM_Zone_17S", "GCS_WGS_1984", "D_WGS_1984", "WGS_1984", 6378137, 298.257223563, -81), WGS84UTM17S},
		{esri("PSAD_1956_UTM_Zone_19S", "GCS_Provisional_S_American_1956", "D_Provisional_S_American_1956", "International_1924", 6378388, 297, -69), PSAD56UTM19S},
		{esri("PSAD_1956_UTM_Zone_18S", "GCS_Provisional_S_American_1956", "D_Provisional_S_American_1956", "International_1924", 6378388, 297, -75), PSAD56UTM18S},
		{`GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, WGS84},
		{`PROJCS["WGS 84 / UTM zone 18S",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",-75],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",10000000],UNIT["metre",1],AUTHORITY["EPSG","32718"]]`, WGS84UTM18S},
	} {
		got, err := SRSFromWKT(c.wkt)
		if err != nil || got != c.want {
			t.Errorf("SRSFromWKT(%.40s…) = %v, %v; want %v", c.wkt, got, err, c.want)
		}
	}
	if _, err := SRSFromWKT(esri("WGS_1984_UTM_Zone_20S", "GCS_WGS_1984", "D_WGS_1984", "WGS_1984", 6378137, 298.257223563, -63)); err == nil {
		t.Error("zone 20S accepted")
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// square returns a closed square ring of side d degrees at lon, lat.
func square(lon, lat, d float64) orb.Ring {
	return orb.Ring{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}
}

func TestHectares(t *testing.T) {
	// A square 300 m a side in UTM 19S off Ilo is 9 ha on the map but less
	// on the ground (the zone's scale there is 1.00034). The reference is
	// GeographicLib's Planimeter (Debian's geographiclib-tools) for the same
	// corners converted by PROJ: 89938.59727 m².
	ring := orb.Ring{}
	for _, c := range [][2]float64{{255000, 8050000}, {255300, 8050000}, {255300, 8050300}, {255000, 8050300}, {255000, 8050000}} {
		lon, lat := WGS84UTM19S.ToWGS84(c[0], c[1])
		ring = append(ring, orb.Point{lon, lat})
	}
	got := Hectares(orb.Polygon{ring})
	if want := 8.993859727; math.Abs(got-want) > 0.0005 {
		t.Errorf("Hectares = %.6f, want %.6f (Planimeter)", got, want)
	}
	withHole := orb.Polygon{square(-71.4, -17.7, 0.01), square(-71.398, -17.698, 0.002)}
	if h, outer, hole := Hectares(withHole), Hectares(orb.Polygon{withHole[0]}), Hectares(orb.Polygon{withHole[1]}); math.Abs(h-(outer-hole)) > 1e-9 {
		t.Errorf("a hole is not subtracted: %f vs %f − %f", h, outer, hole)
	}
}

func TestCheck(t *testing.T) {
	ok := orb.Polygon{square(-71.4, -17.7, 0.01)}
	bowtie := orb.Polygon{{{-71.4, -17.7}, {-71.39, -17.69}, {-71.39, -17.7}, {-71.4, -17.69}, {-71.4, -17.7}}}
	open := orb.Polygon{{{-71.4, -17.7}, {-71.39, -17.7}, {-71.39, -17.69}, {-71.4, -17.69}}}
	holeOutside := orb.Polygon{square(-71.4, -17.7, 0.01), square(-71.3, -17.7, 0.001)}
	holeCrossing := orb.Polygon{square(-71.4, -17.7, 0.01), square(-71.395, -17.695, 0.01)}
	for _, c := range []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"square", ok, ""},
		{"point", orb.Point{-71.34, -17.64}, ""},
		{"multipolygon", orb.MultiPolygon{ok, {square(-71.3, -17.7, 0.01)}}, ""},
		{"bow tie", bowtie, "ring 1 crosses itself"},
		{"open ring", open, "ring 1 is not closed"},
		{"short ring", orb.Polygon{{{-71.4, -17.7}, {-71.39, -17.7}, {-71.4, -17.7}}}, "ring 1 has 3 points"},
		{"hole outside", holeOutside, "hole 1 lies outside"},
		{"hole crossing", holeCrossing, "rings 2 and 1 cross"},
		{"line", orb.LineString{{-71.4, -17.7}, {-71.3, -17.7}}, "a LineString is not accepted"},
		{"second polygon", orb.MultiPolygon{ok, bowtie}, "polygon 2: ring 1 crosses itself"},
		{"NaN", orb.Point{math.NaN(), 1}, "not a number"},
	} {
		err := Check(c.g)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: Check = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestInPeru(t *testing.T) {
	for _, c := range []struct {
		g  orb.Geometry
		in bool
	}{
		{orb.Point{-71.3425, -17.6406}, true},  // the DPA of Ilo
		{orb.Point{-77.15, -12.05}, true},      // Callao
		{orb.Point{-80.6, -5.1}, true},         // Paita
		{orb.Point{-78.6, -14.0}, true},        // 150 nm off Pisco
		{orb.Point{-17.6406, -71.3425}, false}, // swapped
		{orb.Point{255000, 8050000}, false},    // UTM read as degrees
		{orb.Point{-70.3, -20.0}, false},       // Chile
		{orb.Point{-69.0, -12.0}, false},       // the Amazon
		{orb.Polygon{square(-71.4, -17.7, 0.01)}, true},
	} {
		if err := InPeru(c.g); (err == nil) != c.in {
			t.Errorf("InPeru(%v) = %v, want inside %v", c.g, err, c.in)
		}
	}
}
