package geofile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/charmap"

	"sriim/internal/geo"
)

// The shapefile reader is written here, to the ESRI Shapefile Technical
// Description (1998) and the dBASE III table format, because no pure-Go
// reader is served to this project's module proxy; it is short, and it
// checks every count and offset against the bytes it has.

// readZip reads a zip holding one shapefile (.shp, .dbf, optional .prj and
// .cpg) or, as a KMZ, one KML document.
func readZip(data []byte) (*File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fail("the file is not a valid zip").Because(err)
	}
	if len(zr.File) > maxZipMember {
		return nil, fail("the zip holds more than %d files", maxZipMember)
	}
	var shp, kml []*zip.File
	for _, f := range zr.File {
		switch strings.ToLower(path.Ext(f.Name)) {
		case ".shp":
			shp = append(shp, f)
		case ".kml":
			kml = append(kml, f)
		}
	}
	budget := MaxUnzipped
	switch {
	case len(shp) == 1:
		return readShapefile(zr, shp[0], &budget)
	case len(shp) > 1:
		var names []string
		for _, f := range shp {
			names = append(names, f.Name)
		}
		slices.Sort(names) // the message is the same whatever the zip's order
		return nil, fail("the zip holds several shapefiles (%s): send one layer per file", strings.Join(names, ", "))
	case len(kml) >= 1:
		b, err := unzip(kml[0], &budget)
		if err != nil {
			return nil, err
		}
		return readKML(bytes.NewReader(b))
	}
	return nil, fail("the zip holds no .shp file")
}

// unzip expands one member, counting what it expands to against budget
// (the sizes a zip declares may lie).
func unzip(f *zip.File, budget *int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fail("cannot open %s in the zip", f.Name).Because(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, *budget+1))
	if err != nil {
		return nil, fail("cannot read %s in the zip", f.Name).Because(err)
	}
	if int64(len(b)) > *budget {
		return nil, fail("the zip expands to more than %d MB", MaxUnzipped>>20)
	}
	*budget -= int64(len(b))
	return b, nil
}

// sibling finds the member with the same base name as shp and extension ext.
func sibling(zr *zip.Reader, shp *zip.File, ext string) *zip.File {
	base := strings.ToLower(strings.TrimSuffix(shp.Name, path.Ext(shp.Name)))
	for _, f := range zr.File {
		if strings.ToLower(f.Name) == base+ext {
			return f
		}
	}
	return nil
}

func readShapefile(zr *zip.Reader, shpFile *zip.File, budget *int64) (*File, error) {
	dbfFile := sibling(zr, shpFile, ".dbf")
	if dbfFile == nil {
		return nil, fail("the zip has %s but not its .dbf (the attributes)", shpFile.Name)
	}
	out := &File{Format: Shapefile}
	if prj := sibling(zr, shpFile, ".prj"); prj != nil {
		b, err := unzip(prj, budget)
		if err != nil {
			return nil, err
		}
		if out.SRS, err = geo.SRSFromWKT(string(b)); err != nil {
			return nil, err // geo's message names the .prj file
		}
	}
	utf8Declared := false
	if cpg := sibling(zr, shpFile, ".cpg"); cpg != nil {
		b, err := unzip(cpg, budget)
		if err != nil {
			return nil, err
		}
		c := strings.ToUpper(strings.TrimSpace(string(b)))
		utf8Declared = c == "UTF-8" || c == "UTF8" || c == "65001"
	}
	shp, err := unzip(shpFile, budget)
	if err != nil {
		return nil, err
	}
	dbf, err := unzip(dbfFile, budget)
	if err != nil {
		return nil, err
	}
	geoms, err := readSHP(shp)
	if err != nil {
		return nil, inside(err, "in the file %s: %s", shpFile.Name)
	}
	records, deleted, err := readDBF(dbf, utf8Declared)
	if err != nil {
		return nil, inside(err, "in the file %s: %s", dbfFile.Name)
	}
	if len(records) != len(geoms) {
		return nil, fail("%s has %d shapes but %s has %d records", shpFile.Name, len(geoms), dbfFile.Name, len(records))
	}
	for i := range geoms {
		if deleted[i] {
			continue
		}
		out.Features = append(out.Features, Feature{Number: i + 1, Properties: records[i], Geometry: geoms[i]})
	}
	return out, nil
}

// Shape types of the ESRI specification.
const (
	shpNull        = 0
	shpPoint       = 1
	shpPolyLine    = 3
	shpPolygon     = 5
	shpMultiPoint  = 8
	shpPointZ      = 11
	shpPolyLineZ   = 13
	shpPolygonZ    = 15
	shpMultiPointZ = 18
	shpPointM      = 21
	shpPolyLineM   = 23
	shpPolygonM    = 25
	shpMultiPointM = 28
)

// readSHP reads the shapes of a .shp file; a null shape is a nil geometry.
func readSHP(b []byte) ([]orb.Geometry, error) {
	if len(b) < 100 || binary.BigEndian.Uint32(b[0:4]) != 9994 {
		return nil, fail("not a shapefile (.shp)")
	}
	var out []orb.Geometry
	var c counter
	for off := 100; off < len(b); {
		if off+8 > len(b) {
			return nil, fail("a record header is cut short at byte %d", off)
		}
		length := int(binary.BigEndian.Uint32(b[off+4:off+8])) * 2
		start := off + 8
		if length < 4 || length > len(b)-start {
			return nil, fail("record %d claims %d bytes, more than the file has", len(out)+1, length)
		}
		rec := b[start : start+length]
		off = start + length
		if err := c.feature(); err != nil {
			return nil, err
		}
		g, err := readShape(rec)
		if err != nil {
			return nil, inside(err, "record %d: %s", len(out)+1)
		}
		if err := c.add(countPoints(g)); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func float(b []byte, off int) float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(b[off:]))
}

func readShape(rec []byte) (orb.Geometry, error) {
	switch t := int(binary.LittleEndian.Uint32(rec[0:4])); t {
	case shpNull:
		return nil, nil
	case shpPoint, shpPointZ, shpPointM:
		if len(rec) < 20 {
			return nil, fail("a point record is cut short")
		}
		return orb.Point{float(rec, 4), float(rec, 12)}, nil
	case shpMultiPoint, shpMultiPointZ, shpMultiPointM:
		if len(rec) < 40 {
			return nil, fail("a multipoint record is cut short")
		}
		n := int(binary.LittleEndian.Uint32(rec[36:40]))
		if n < 0 || n > (len(rec)-40)/16 {
			return nil, fail("a multipoint claims more points than its record holds")
		}
		mp := make(orb.MultiPoint, n)
		for i := range mp {
			mp[i] = orb.Point{float(rec, 40+16*i), float(rec, 48+16*i)}
		}
		if n == 1 {
			return mp[0], nil
		}
		return mp, nil
	case shpPolyLine, shpPolyLineZ, shpPolyLineM, shpPolygon, shpPolygonZ, shpPolygonM:
		if len(rec) < 44 {
			return nil, fail("a record is cut short")
		}
		parts := int(binary.LittleEndian.Uint32(rec[36:40]))
		points := int(binary.LittleEndian.Uint32(rec[40:44]))
		if parts < 1 || points < 1 || parts > points || parts > (len(rec)-44)/4 || points > (len(rec)-44-4*parts)/16 {
			return nil, fail("the record's part and point counts do not fit its length")
		}
		base := 44 + 4*parts
		lines := make([][]orb.Point, parts)
		for i := range parts {
			from := int(binary.LittleEndian.Uint32(rec[44+4*i:]))
			to := points
			if i+1 < parts {
				to = int(binary.LittleEndian.Uint32(rec[48+4*i:]))
			}
			if from < 0 || to > points || from >= to {
				return nil, fail("part %d's points are out of order", i+1)
			}
			for j := from; j < to; j++ {
				lines[i] = append(lines[i], orb.Point{float(rec, base+16*j), float(rec, base+16*j+8)})
			}
		}
		if t == shpPolygon || t == shpPolygonZ || t == shpPolygonM {
			return assemblePolygons(lines), nil
		}
		if parts == 1 {
			return orb.LineString(lines[0]), nil
		}
		mls := make(orb.MultiLineString, parts)
		for i, l := range lines {
			mls[i] = l
		}
		return mls, nil
	default:
		return nil, fail("shape type %d is not read: use points or polygons", t)
	}
}

// assemblePolygons groups a shapefile polygon's rings: clockwise rings are
// outer rings, counter-clockwise ones holes of the outer ring that holds them.
func assemblePolygons(rings [][]orb.Point) orb.Geometry {
	var polys []orb.Polygon
	var holes []orb.Ring
	for _, r := range rings {
		ring := orb.Ring(r)
		if ring.Orientation() == orb.CW {
			polys = append(polys, orb.Polygon{ring})
		} else {
			holes = append(holes, ring)
		}
	}
	for _, h := range holes {
		placed := false
		for i := range polys {
			if len(h) > 0 && geo.Contains(orb.Polygon{polys[i][0]}, h[0]) {
				polys[i] = append(polys[i], h)
				placed = true
				break
			}
		}
		if !placed { // a ring drawn the wrong way round: keep it as a polygon, the checks judge it
			polys = append(polys, orb.Polygon{h})
		}
	}
	if len(polys) == 1 {
		return polys[0]
	}
	return orb.MultiPolygon(polys)
}

// readDBF reads a dBASE table's records as text by lower-case field name.
// Text is UTF-8 when the .cpg says so or when it is valid UTF-8, and
// Windows-1252 (what ArcGIS and QGIS write by default here) otherwise.
func readDBF(b []byte, utf8Declared bool) (records []map[string]string, deleted []bool, err error) {
	if len(b) < 32 {
		return nil, nil, fail("not a dBASE table (.dbf)")
	}
	n := int(binary.LittleEndian.Uint32(b[4:8]))
	headerLen := int(binary.LittleEndian.Uint16(b[8:10]))
	recLen := int(binary.LittleEndian.Uint16(b[10:12]))
	if headerLen < 33 || headerLen > len(b) || recLen < 1 {
		return nil, nil, fail("the table's header is damaged")
	}
	type field struct {
		name   string
		kind   byte
		offset int
		length int
	}
	var fields []field
	offset := 1 // the deletion flag
	for off := 32; off+32 <= headerLen && b[off] != 0x0D; off += 32 {
		name := string(bytes.TrimRight(b[off:off+11], "\x00 "))
		f := field{name: strings.ToLower(name), kind: b[off+11], offset: offset, length: int(b[off+16])}
		offset += f.length
		fields = append(fields, f)
	}
	if offset > recLen {
		return nil, nil, fail("the table's fields are longer than its records")
	}
	if n > MaxFeatures || n > (len(b)-headerLen)/recLen {
		return nil, nil, fail("the table claims %d records, more than it holds", n)
	}
	decode := func(raw []byte) string {
		if utf8Declared || utf8.Valid(raw) {
			return string(raw)
		}
		s, _ := charmap.Windows1252.NewDecoder().Bytes(raw)
		return string(s)
	}
	for i := range n {
		rec := b[headerLen+i*recLen : headerLen+(i+1)*recLen]
		m := make(map[string]string, len(fields))
		for _, f := range fields {
			v := strings.TrimSpace(decode(bytes.TrimRight(rec[f.offset:f.offset+f.length], "\x00")))
			if f.kind == 'D' && len(v) == 8 { // YYYYMMDD
				v = v[:4] + "-" + v[4:6] + "-" + v[6:]
			}
			m[f.name] = v
		}
		records = append(records, m)
		deleted = append(deleted, rec[0] == '*')
	}
	return records, deleted, nil
}
