package geofile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"sriim/internal/errs"
	"sriim/internal/geo"
	"sriim/internal/i18n"
)

// The fixtures are the zones module's: made by hand and by GDAL (see its make.sh).
const fixtures = "../../zones/testdata/"

func readFixture(t *testing.T, name string) *File {
	t.Helper()
	b, err := os.ReadFile(fixtures + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(b), name)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return f
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		file   string
		format string
		srs    geo.SRS
		first  orb.Point // first vertex of the first feature, in the file's system
	}{
		{"derechos-utm19s-crs.geojson", GeoJSON, geo.WGS84UTM19S, orb.Point{247000, 8046000}},
		{"derechos.geojson", GeoJSON, 0, orb.Point{-71.384774493, -17.658483825}},
		{"derechos.kml", KML, geo.WGS84, orb.Point{-71.384774493, -17.658483825}},
		{"derechos-psad56.zip", Shapefile, geo.PSAD56UTM19S, orb.Point{0, 0}},
	} {
		f := readFixture(t, c.file)
		if f.Format != c.format || f.SRS != c.srs || len(f.Features) != 3 {
			t.Errorf("%s: format %s, SRS %v, %d features; want %s, %v, 3", c.file, f.Format, f.SRS, len(f.Features), c.format, c.srs)
			continue
		}
		ft := f.Features[0]
		if ft.Properties["codigo"] != "DA-ILO-001" || ft.Properties["titular"] != "Maricultura del Sur S.A.C." || ft.Properties["tipo"] != "concesión" {
			t.Errorf("%s: properties %v", c.file, ft.Properties)
		}
		poly, ok := ft.Geometry.(orb.Polygon)
		if !ok || len(poly) != 1 {
			t.Errorf("%s: geometry %#v", c.file, ft.Geometry)
			continue
		}
		if d := poly[0][0]; c.first != (orb.Point{}) && (math.Abs(d[0]-c.first[0]) > 1e-8 || math.Abs(d[1]-c.first[1]) > 1e-8) {
			t.Errorf("%s: first vertex %v, want %v", c.file, poly[0][0], c.first)
		}
		if third, ok := f.Features[2].Geometry.(orb.Polygon); !ok || len(third) != 2 {
			t.Errorf("%s: the third right's hole is lost: %#v", c.file, f.Features[2].Geometry)
		}
	}
	shp := readFixture(t, "derechos-psad56.zip")
	if got := shp.Features[0].Properties["fecha_reso"]; got != "2024-03-15" {
		t.Errorf("shapefile date field = %q", got)
	}
}

// zipOf builds a zip of the given members.
func zipOf(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostileFiles(t *testing.T) {
	shpHeader := func(extra []byte) []byte {
		b := make([]byte, 100)
		binary.BigEndian.PutUint32(b[0:4], 9994)
		return append(b, extra...)
	}
	// A record that claims a gigabyte.
	liar := make([]byte, 8)
	binary.BigEndian.PutUint32(liar[4:8], 1<<29)
	// A polygon whose point count overflows its record.
	poly := make([]byte, 8+44)
	binary.BigEndian.PutUint32(poly[4:8], 22)
	binary.LittleEndian.PutUint32(poly[8:12], 5)
	binary.LittleEndian.PutUint32(poly[44:48], 1)
	binary.LittleEndian.PutUint32(poly[48:52], 1<<30)
	dbf := make([]byte, 33)
	binary.LittleEndian.PutUint32(dbf[4:8], 1<<30) // a billion records
	binary.LittleEndian.PutUint16(dbf[8:10], 33)
	binary.LittleEndian.PutUint16(dbf[10:12], 1)
	dbf[32] = 0x0D
	defer func(n int64) { MaxUnzipped = n }(MaxUnzipped)
	MaxUnzipped = 4 << 20
	bomb := zipOf(t, map[string][]byte{"a.shp": make([]byte, MaxUnzipped+1), "a.dbf": dbf})
	supported := "EPSG:4326, EPSG:32717, EPSG:32718, EPSG:32719, EPSG:24877, EPSG:24878, EPSG:24879"
	if len(bomb) > 64<<10 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	for _, c := range []struct {
		name, file string
		data       []byte
		want, es   string // in English, and on a Spanish page or API answer
	}{
		{"deep JSON", "x.geojson", []byte(strings.Repeat("[", 1000) + strings.Repeat("]", 1000)), "nests deeper", "el GeoJSON tiene más de 64 niveles de anidamiento"},
		{"huge file", "x.geojson", make([]byte, MaxBytes+1), "larger than", "el archivo es más grande que 64 MB"},
		{"zip bomb", "x.zip", bomb, "expands to more than", "el zip descomprimido ocupa más de 4 MB"},
		{"lying record", "x.zip", zipOf(t, map[string][]byte{"a.shp": shpHeader(liar), "a.dbf": dbf}), "claims",
			"en el archivo a.shp: el registro 1 declara 1073741824 bytes, más de los que tiene el archivo"},
		{"lying polygon", "x.zip", zipOf(t, map[string][]byte{"a.shp": shpHeader(poly), "a.dbf": dbf}), "do not fit",
			"en el archivo a.shp: registro 1: los números de partes y de puntos del registro no corresponden a su longitud"},
		{"lying table", "x.zip", zipOf(t, map[string][]byte{"a.shp": shpHeader(nil), "a.dbf": dbf}), "more than it holds",
			"en el archivo a.dbf: la tabla declara 1073741824 registros, más de los que contiene"},
		{"no dbf", "x.zip", zipOf(t, map[string][]byte{"a.shp": shpHeader(nil)}), "not its .dbf", "el zip tiene a.shp, pero no su .dbf (los atributos)"},
		{"two layers", "x.zip", zipOf(t, map[string][]byte{"a.shp": nil, "b.shp": nil}), "several shapefiles",
			"el zip contiene varios shapefiles (a.shp, b.shp): envíe una capa por archivo"},
		{"deep KML", "x.kml", []byte(strings.Repeat("<Folder>", 100) + strings.Repeat("</Folder>", 100)), "nests deeper", "el KML tiene más de 64 niveles de anidamiento"},
		{"bad KML coordinates", "x.kml", []byte(`<kml><Placemark><name>P1</name><Point><coordinates>a,b</coordinates></Point></Placemark></kml>`), "feature 1 (P1)",
			`elemento 1 (P1): "a,b" no es un par longitud,latitud`},
		{"cut KML", "x.kml", []byte(`<kml><Placemark>`), "placemark 1 is not valid KML", "el placemark 1 no es KML válido"},
		{"not XML", "x.kml", []byte(`<kml><`), "not valid XML", "el KML no es XML válido"},
		{"unknown crs", "x.geojson", []byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}`), "unsupported coordinate system",
			`el miembro crs del GeoJSON: sistema de coordenadas no admitido "EPSG:3857": use ` + supported},
		{"not a zip", "x.zip", []byte("PK\x03\x04 no zip"), "not a valid zip", "el archivo no es un zip válido"},
		{"not geo", "x.txt", []byte("hello"), "neither GeoJSON", "el archivo no es GeoJSON, ni un shapefile comprimido en zip, ni KML"},
	} {
		_, err := Read(bytes.NewReader(c.data), c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Read = %v, want an error with %q", c.name, err, c.want)
			continue
		}
		var e *errs.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %T, want an *errs.Error", c.name, err)
		} else if es, _ := i18n.ErrorText(i18n.ES, e); es != c.es {
			t.Errorf("%s: in Spanish %q, want %q", c.name, es, c.es)
		}
	}
}

func TestGeoJSONForms(t *testing.T) {
	f, err := Read(strings.NewReader(`{"type":"Feature","id":"R-9","properties":{"Codigo":"R-9","Hectareas":1.5,"Especies":["SCQ","CHC"],"RUC":20456123784},
		"geometry":{"type":"Point","coordinates":[-71.34,-17.64]}}`), "one.json")
	if err != nil {
		t.Fatal(err)
	}
	p := f.Features[0].Properties
	if f.Features[0].ID != "R-9" || p["codigo"] != "R-9" || p["hectareas"] != "1.5" || p["especies"] != "SCQ,CHC" || p["ruc"] != "20456123784" {
		t.Errorf("feature %+v", f.Features[0])
	}
	f, err = Read(strings.NewReader(`{"type":"FeatureCollection","crs":{"type":"EPSG","properties":{"code":24879}},"features":[]}`), "old.geojson")
	if err != nil || f.SRS != geo.PSAD56UTM19S {
		t.Errorf("EPSG-typed crs: %v, %v", f, err)
	}
}
