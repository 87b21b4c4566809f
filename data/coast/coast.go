// Package coast embeds the coastline of southern Peru that the zones map
// draws (peru-sur.geojson: GSHHG, LGPL 3, made by gen.go; the file names
// its source and licence).
package coast

import (
	_ "embed"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

//go:embed peru-sur.geojson
var data []byte

var land = sync.OnceValue(func() orb.MultiPolygon {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil || len(fc.Features) == 0 {
		panic("coast: the embedded coastline does not parse: " + err.Error())
	}
	return fc.Features[0].Geometry.(orb.MultiPolygon)
})

// Land returns the land of southern Peru (76.5°W–69.8°W, 18.6°S–13.5°S) as
// polygons in WGS84 degrees. Callers must not change it.
func Land() orb.MultiPolygon { return land() }

// Extent is the area the coastline covers.
var Extent = orb.Bound{Min: orb.Point{-76.5, -18.6}, Max: orb.Point{-69.8, -13.5}}
