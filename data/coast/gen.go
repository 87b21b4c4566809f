//go:build ignore

// gen makes peru-sur.geojson, the coastline SRIIM's zones map draws, from
// GSHHG through GMT (Debian's gmt and gmt-gshhg-high packages):
//
//	gmt coast -R-76.5/-69.8/-18.6/-13.5 -Dh -W -M | go run gen.go > peru-sur.geojson
//
// It joins GMT's per-bin shoreline pieces (level 1, land and sea), closes
// the mainland along the region's eastern side, keeps the islands, and
// simplifies the rings to about 150 m.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

var region = orb.Bound{Min: orb.Point{-76.5, -18.6}, Max: orb.Point{-69.8, -13.5}}

func key(p orb.Point) string { return fmt.Sprintf("%.6f %.6f", p[0], p[1]) }

func main() {
	var pieces []orb.LineString
	var cur orb.LineString
	level := ""
	sc := bufio.NewScanner(os.Stdin)
	flush := func() {
		if level == "1" && len(cur) > 1 {
			pieces = append(pieces, cur)
		}
		cur = nil
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, ">") {
			flush()
			f := strings.Fields(line)
			level = f[len(f)-1]
			continue
		}
		f := strings.Fields(line)
		x, _ := strconv.ParseFloat(f[0], 64)
		y, _ := strconv.ParseFloat(f[1], 64)
		cur = append(cur, orb.Point{x, y})
	}
	flush()
	// Join pieces whose ends meet.
	for joined := true; joined; {
		joined = false
		for i := 0; i < len(pieces) && !joined; i++ {
			for j := 0; j < len(pieces) && !joined; j++ {
				a, b := pieces[i], pieces[j]
				if i == j || key(a[len(a)-1]) != key(b[0]) {
					continue
				}
				pieces[i] = append(a, b[1:]...)
				pieces = append(pieces[:j], pieces[j+1:]...)
				joined = true
			}
		}
	}
	var land orb.MultiPolygon
	for _, p := range pieces {
		p = simplify.DouglasPeucker(0.0015).LineString(p.Clone())
		for i := range p {
			p[i] = orb.Point{math.Round(p[i][0]*1e4) / 1e4, math.Round(p[i][1]*1e4) / 1e4}
		}
		if key(p[0]) == key(p[len(p)-1]) {
			if len(p) >= 4 {
				land = append(land, orb.Polygon{orb.Ring(p)})
			}
			continue
		}
		// The mainland's shore runs from one edge of the region to another:
		// close it through the eastern corners, which are land.
		ring := orb.Ring(p)
		if p[0][1] < p[len(p)-1][1] { // make it run north to south
			for l, r := 0, len(ring)-1; l < r; l, r = l+1, r-1 {
				ring[l], ring[r] = ring[r], ring[l]
			}
		}
		ring = append(ring, orb.Point{region.Max[0], region.Min[1]}, orb.Point{region.Max[0], region.Max[1]}, ring[0])
		land = append(land, orb.Polygon{ring})
	}
	out := map[string]any{
		"type": "FeatureCollection",
		"name": "Costa del sur del Perú / Coast of southern Peru",
		"source": "GSHHG 2.3.7, high resolution (Wessel and Smith, Global Self-consistent Hierarchical High-resolution Geography), " +
			"through GMT 6 (Debian packages gmt and gmt-gshhg-high): land polygons clipped to 76.5°W–69.8°W, 18.6°S–13.5°S, simplified to about 150 m (data/coast/gen.go)",
		"license": "GNU Lesser General Public License, version 3 or later (GSHHG)",
		"bbox":    []float64{region.Min[0], region.Min[1], region.Max[0], region.Max[1]},
		"features": []any{map[string]any{"type": "Feature", "properties": map[string]string{"kind": "land"},
			"geometry": map[string]any{"type": "MultiPolygon", "coordinates": land}}},
	}
	b, _ := json.Marshal(out)
	os.Stdout.Write(append(b, '\n'))
}
