package geofile

import (
	"encoding/json"
	"strings"

	"github.com/paulmach/orb/geojson"

	"sriim/internal/geo"
)

// depth returns how deeply the JSON text nests arrays and objects.
func depth(data []byte) int {
	max, d, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString:
			if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			d++
			if d > max {
				max = d
			}
		case c == ']' || c == '}':
			d--
		}
	}
	return max
}

// readGeoJSON reads a FeatureCollection or a single Feature. Without a
// "crs" member the coordinates are WGS84 (RFC 7946); the 2008 form's named
// ("urn:ogc:def:crs:EPSG::32719") and EPSG ({"code": 32719}) members are read.
func readGeoJSON(data []byte) (*File, error) {
	if depth(data) > MaxDepth {
		return nil, fail("the GeoJSON nests deeper than %d levels", MaxDepth)
	}
	var head struct {
		Type string `json:"type"`
		CRS  *struct {
			Type       string `json:"type"`
			Properties struct {
				Name string `json:"name"`
				Code any    `json:"code"`
			} `json:"properties"`
		} `json:"crs"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fail("the file is not valid JSON").Because(err)
	}
	f := &File{Format: GeoJSON}
	if head.CRS != nil {
		name := head.CRS.Properties.Name
		if strings.EqualFold(head.CRS.Type, "EPSG") {
			name = "EPSG:" + text(head.CRS.Properties.Code)
		}
		srs, err := geo.ParseSRS(name)
		if err != nil {
			return nil, inside(err, "the GeoJSON's crs member: %s")
		}
		f.SRS = srs
	}
	var features []*geojson.Feature
	switch head.Type {
	case "FeatureCollection":
		fc, err := geojson.UnmarshalFeatureCollection(data)
		if err != nil {
			return nil, fail("the GeoJSON is not valid").Because(err)
		}
		features = fc.Features
	case "Feature":
		ft, err := geojson.UnmarshalFeature(data)
		if err != nil {
			return nil, fail("the GeoJSON is not valid").Because(err)
		}
		features = []*geojson.Feature{ft}
	default:
		return nil, fail("the GeoJSON is a %q: a FeatureCollection or a Feature is expected", head.Type)
	}
	var c counter
	for i, ft := range features {
		if err := c.feature(); err != nil {
			return nil, err
		}
		out := Feature{Number: i + 1, ID: text(ft.ID), Properties: map[string]string{}, Geometry: ft.Geometry}
		if err := c.add(countPoints(ft.Geometry)); err != nil {
			return nil, err
		}
		for k, v := range ft.Properties {
			out.Properties[strings.ToLower(strings.TrimSpace(k))] = text(v)
		}
		f.Features = append(f.Features, out)
	}
	return f, nil
}
