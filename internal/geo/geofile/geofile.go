// Package geofile reads the files GIS people exchange — GeoJSON (RFC 7946
// and the 2008 form with a "crs" member), zipped ESRI Shapefiles (with the
// .prj naming the coordinate system) and KML or KMZ — into features with
// their attributes as text and their geometry in the file's own
// coordinates. Every input is taken as hostile: sizes, counts, nesting and
// what a zip expands to are bounded while reading.
package geofile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"sriim/internal/errs"
	"sriim/internal/geo"
)

// Limits on what one file may hold.
const (
	MaxBytes     = 64 << 20 // the file as uploaded
	MaxFeatures  = 200_000
	MaxPoints    = 5_000_000 // vertices over all features
	MaxDepth     = 64        // nesting of JSON arrays and objects, of XML elements
	maxZipMember = 4096      // entries in a zip
)

// MaxUnzipped bounds everything a zip expands to (a variable so that the
// tests can build a bomb quickly).
var MaxUnzipped int64 = 256 << 20

// The formats read.
const (
	GeoJSON   = "geojson"
	Shapefile = "shapefile"
	KML       = "kml"
)

// Feature is one feature of a file.
type Feature struct {
	Number     int               // 1-based position in the file
	ID         string            // the feature's own id or name, when it has one
	Properties map[string]string // attribute values as text, by lower-case name
	Geometry   orb.Geometry      // in the file's coordinates
}

// Label names the feature in messages: its position and, when it has one, its id.
func (f Feature) Label() string {
	if f.ID != "" {
		return fmt.Sprintf("feature %d (%s)", f.Number, f.ID)
	}
	return fmt.Sprintf("feature %d", f.Number)
}

// File is what a file holds.
type File struct {
	Format   string
	SRS      geo.SRS // the system the file declares; 0 when it declares none
	Features []Feature
}

// fail is a problem with the file, an Invalid error in the message
// catalogue's words (a parser's own words go in its cause, for the log).
func fail(format string, args ...any) *errs.Error { return errs.E(errs.Invalid, format, args...) }

// inside says where a problem is: err, a problem with the file (fail's, or
// geo's), becomes the last argument of format ("record %d: %s"), so that
// both are translated. Any other error is returned as it is.
func inside(err error, format string, args ...any) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid {
		return err
	}
	return fail(format, append(args, e.Msg)...).Because(e.Err)
}

// Read reads a file, telling its format by its name's ending or, failing
// that, by its first bytes.
func Read(r io.Reader, filename string) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fail("the file is larger than %d MB", MaxBytes>>20)
	}
	ext := strings.ToLower(path.Ext(filename))
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case ext == ".geojson" || ext == ".json" || (ext != ".kml" && bytes.HasPrefix(trimmed, []byte("{"))):
		return readGeoJSON(data)
	case ext == ".kml" || bytes.HasPrefix(trimmed, []byte("<")):
		return readKML(bytes.NewReader(data))
	case ext == ".zip" || ext == ".kmz" || bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readZip(data)
	}
	return nil, fail("the file is neither GeoJSON, a zipped shapefile nor KML")
}

// counter bounds the features and vertices of one file.
type counter struct{ features, points int }

func (c *counter) feature() error {
	c.features++
	if c.features > MaxFeatures {
		return fail("the file has more than %d features", MaxFeatures)
	}
	return nil
}

func (c *counter) add(points int) error {
	c.points += points
	if c.points > MaxPoints {
		return fail("the file has more than %d vertices", MaxPoints)
	}
	return nil
}

func countPoints(g orb.Geometry) int {
	n := 0
	geo.EachPoint(g, func(orb.Point) { n++ })
	return n
}

// text renders an attribute value as text.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = text(x)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}
