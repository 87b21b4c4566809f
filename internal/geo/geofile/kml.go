package geofile

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"sriim/internal/geo"
)

// kmlPlacemark is the part of a KML Placemark SRIIM reads.
type kmlPlacemark struct {
	ID           string       `xml:"id,attr"`
	Name         string       `xml:"name"`
	Description  string       `xml:"description"`
	ExtendedData kmlExtended  `xml:"ExtendedData"`
	Point        *kmlCoords   `xml:"Point"`
	Polygon      *kmlPolygon  `xml:"Polygon"`
	LineString   *kmlCoords   `xml:"LineString"`
	Multi        *kmlMultiGeo `xml:"MultiGeometry"`
}

type kmlCoords struct {
	Coordinates string `xml:"coordinates"`
}

type kmlExtended struct {
	Data []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	} `xml:"Data"`
	SchemaData []struct {
		SimpleData []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"SimpleData"`
	} `xml:"SchemaData"`
}

type kmlPolygon struct {
	Outer string   `xml:"outerBoundaryIs>LinearRing>coordinates"`
	Inner []string `xml:"innerBoundaryIs>LinearRing>coordinates"`
}

type kmlMultiGeo struct {
	Points   []string     `xml:"Point>coordinates"`
	Polygons []kmlPolygon `xml:"Polygon"`
	Lines    []string     `xml:"LineString>coordinates"`
}

// readKML reads the Placemarks of a KML document, in any Folder or Document
// nesting up to MaxDepth. KML coordinates are always WGS84.
func readKML(r io.Reader) (*File, error) {
	d := xml.NewDecoder(r)
	out := &File{Format: KML, SRS: geo.WGS84}
	var c counter
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fail("the KML is not valid XML").Because(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "Placemark" {
				depth++
				if depth > MaxDepth {
					return nil, fail("the KML nests deeper than %d levels", MaxDepth)
				}
				continue
			}
			if err := c.feature(); err != nil {
				return nil, err
			}
			var pm kmlPlacemark
			if err := d.DecodeElement(&pm, &t); err != nil {
				return nil, fail("placemark %d is not valid KML", c.features).Because(err)
			}
			f := Feature{Number: c.features, ID: strings.TrimSpace(pm.Name), Properties: map[string]string{}}
			if f.ID == "" {
				f.ID = pm.ID
			}
			if pm.Name != "" {
				f.Properties["name"] = strings.TrimSpace(pm.Name)
			}
			if pm.Description != "" {
				f.Properties["description"] = strings.TrimSpace(pm.Description)
			}
			for _, dt := range pm.ExtendedData.Data {
				f.Properties[strings.ToLower(strings.TrimSpace(dt.Name))] = strings.TrimSpace(dt.Value)
			}
			for _, sd := range pm.ExtendedData.SchemaData {
				for _, v := range sd.SimpleData {
					f.Properties[strings.ToLower(strings.TrimSpace(v.Name))] = strings.TrimSpace(v.Value)
				}
			}
			var g orb.Geometry
			switch {
			case pm.Point != nil:
				g, err = kmlPoint(pm.Point.Coordinates)
			case pm.Polygon != nil:
				g, err = pm.Polygon.geometry()
			case pm.LineString != nil:
				var ls []orb.Point
				ls, err = coordinates(pm.LineString.Coordinates)
				g = orb.LineString(ls)
			case pm.Multi != nil:
				g, err = pm.Multi.geometry()
			}
			if err != nil {
				if f.ID != "" {
					return nil, inside(err, "feature %d (%s): %s", f.Number, f.ID)
				}
				return nil, inside(err, "feature %d: %s", f.Number)
			}
			if err := c.add(countPoints(g)); err != nil {
				return nil, err
			}
			f.Geometry = g
			out.Features = append(out.Features, f)
		case xml.EndElement:
			depth--
		}
	}
	return out, nil
}

// coordinates reads a KML coordinates string: "lon,lat[,alt]" tuples
// separated by white space.
func coordinates(s string) ([]orb.Point, error) {
	var out []orb.Point
	for _, tuple := range strings.Fields(s) {
		parts := strings.Split(tuple, ",")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, fail("%q is not a longitude,latitude pair", tuple)
		}
		lon, err1 := strconv.ParseFloat(parts[0], 64)
		lat, err2 := strconv.ParseFloat(parts[1], 64)
		if err1 != nil || err2 != nil {
			return nil, fail("%q is not a longitude,latitude pair", tuple)
		}
		out = append(out, orb.Point{lon, lat})
	}
	return out, nil
}

func kmlPoint(s string) (orb.Geometry, error) {
	pts, err := coordinates(s)
	if err != nil {
		return nil, err
	}
	if len(pts) != 1 {
		return nil, fail("a Point has %d coordinates", len(pts))
	}
	return pts[0], nil
}

func (p kmlPolygon) geometry() (orb.Polygon, error) {
	outer, err := coordinates(p.Outer)
	if err != nil {
		return nil, err
	}
	poly := orb.Polygon{orb.Ring(outer)}
	for _, in := range p.Inner {
		r, err := coordinates(in)
		if err != nil {
			return nil, err
		}
		poly = append(poly, orb.Ring(r))
	}
	return poly, nil
}

func (m kmlMultiGeo) geometry() (orb.Geometry, error) {
	switch {
	case len(m.Polygons) > 0 && len(m.Points) == 0 && len(m.Lines) == 0:
		var mp orb.MultiPolygon
		for _, p := range m.Polygons {
			poly, err := p.geometry()
			if err != nil {
				return nil, err
			}
			mp = append(mp, poly)
		}
		if len(mp) == 1 {
			return mp[0], nil
		}
		return mp, nil
	case len(m.Points) == 1 && len(m.Polygons) == 0 && len(m.Lines) == 0:
		return kmlPoint(m.Points[0])
	}
	return nil, fail("a MultiGeometry must hold only polygons, or one point")
}
