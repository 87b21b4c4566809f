// Package zonesbench measures the zones module over a generated cadastre of
// 100 000 aquaculture rights (issue 16): the OGC API's items?bbox= for a
// 5 km box and GET /api/v1/zones/at, both through the server's kernel as
// `sriim serve` mounts them, on SQLite and PostgreSQL, each taking turns
// with a peer in the same loop — the same box answered without the grid
// index (a scan of the bounding-box columns), the point answered by the
// service without HTTP. See README.md.
package zonesbench

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/api"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
	"sriim/internal/modules"
	"sriim/internal/ogc"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
	"sriim/internal/zones"
)

// cadastre writes n right polygons as GeoJSON: rectangles of 100 to 400 m a
// side, scattered in a band 0.1° wide along Peru's coast from Piura to
// Tacna, and returns their centres.
func cadastre(n int) ([]byte, [][2]float64) {
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	centres := make([][2]float64, n)
	for i := range n {
		t := r.Float64()
		lon := -81.2 + t*10.7 + (r.Float64()-0.5)*0.1
		lat := -5.5 - t*12.7
		w := (100 + r.Float64()*300) / 111320 / math.Cos(lat*math.Pi/180)
		h := (100 + r.Float64()*300) / 111320
		centres[i] = [2]float64{lon + w/2, lat + h/2}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"codigo":"B-%06d","tipo":"concesion","titular":"Titular %d","especies":"SCQ",`+
			`"hectareas":%.2f,"desde":"2020-01-01"},"geometry":{"type":"Polygon","coordinates":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}}`,
			i, i%5000, w*h*111320*111320*math.Cos(lat*math.Pi/180)/1e4, lon, lat, lon+w, lat, lon+w, lat+h, lon, lat+h, lon, lat)
	}
	b.WriteString("]}")
	return b.Bytes(), centres
}

func median(d []time.Duration) float64 {
	slices.Sort(d)
	return float64(d[len(d)/2]) / float64(time.Millisecond)
}

func BenchmarkZones(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ZONES_N")); err == nil {
		n = v
	}
	file, centres := cadastre(n)
	for _, dialect := range dbtest.Backends() {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			d := dbtest.Open(b, dialect)
			acc := accounts.New(d)
			svc := zones.New(d)
			if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d),
				Planning: planning.New(d, b.TempDir()), Trade: trade.New(d)}, slog.New(slog.DiscardHandler)); err != nil {
				b.Fatal(err)
			}
			direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
			p := auth.System
			p.Institutions = []int64{direpro.ID}
			start := time.Now()
			rep, err := svc.Import(ctx, p, zones.Rights, bytes.NewReader(file), "cadastre.geojson", 0)
			if err != nil || rep.Created != n {
				b.Fatalf("import: %+v, %v", rep, err)
			}
			b.Logf("%s: imported %d rights in %s", dialect, n, time.Since(start).Round(time.Millisecond))
			measure(b, d, svc, serve(b, d, acc, svc), centres)
		})
	}
}

// serve is the kernel with the JSON API and the OGC API on it, as the
// binary serves them (middleware included).
func serve(b *testing.B, d *db.DB, acc *accounts.Service, svc *zones.Service) http.Handler {
	log := slog.New(slog.DiscardHandler)
	k, err := httpkit.New(httpkit.Options{DB: d, Logger: log, Sessions: acc, CSRFKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		b.Fatal(err)
	}
	if err := api.Register(k, api.Deps{DB: d, Logger: log, Version: "bench", Set: modules.Set{Accounts: acc, Zones: svc}}); err != nil {
		b.Fatal(err)
	}
	k.Mount("/ogc", ogc.New(svc, "/ogc", func(*http.Request) string { return "http://bench" }))
	return k
}

// get answers path on h and fails on anything but 200.
func get(b *testing.B, h http.Handler, path string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
	}
}

func measure(b *testing.B, d *db.DB, svc *zones.Service, h http.Handler, centres [][2]float64) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	const half = 0.0225 // 2.5 km in latitude
	var bbox, scan, at, atService []time.Duration
	matched := 0
	b.ResetTimer()
	for i := 0; i < b.N || len(bbox) < 200; i++ {
		c := centres[r.IntN(len(centres))]
		dl := half / math.Cos(c[1]*math.Pi/180)
		box := fmt.Sprintf("%.6f,%.6f,%.6f,%.6f", c[0]-dl, c[1]-half, c[0]+dl, c[1]+half)
		t := time.Now()
		get(b, h, "/ogc/collections/aquaculture-rights/items?bbox="+box)
		bbox = append(bbox, time.Since(t))
		// The peer: the same box by the bounding-box columns alone.
		t = time.Now()
		var count int
		if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT id FROM zones WHERE layer = $1 AND min_lon <= $2 AND max_lon >= $3
			AND min_lat <= $4 AND max_lat >= $5 ORDER BY id LIMIT 11) x`, zones.Rights, c[0]+dl, c[0]-dl, c[1]+half, c[1]-half).Scan(&count); err != nil {
			b.Fatal(err)
		}
		scan = append(scan, time.Since(t))
		matched += count
		t = time.Now()
		get(b, h, fmt.Sprintf("/api/v1/zones/at?lat=%.6f&lon=%.6f&date=2026-03-01", c[1], c[0]))
		at = append(at, time.Since(t))
		// The point query's peer: the service's answer alone, without HTTP.
		t = time.Now()
		if _, err := svc.At(ctx, c[1], c[0], "2026-03-01"); err != nil {
			b.Fatal(err)
		}
		atService = append(atService, time.Since(t))
	}
	b.StopTimer()
	b.ReportMetric(median(bbox), "bbox-ms/median")
	b.ReportMetric(median(at), "at-ms/median")
	b.ReportMetric(median(atService), "peer-at-service-ms/median")
	b.ReportMetric(median(scan), "peer-scan-ms/median")
	b.ReportMetric(float64(matched)/float64(len(scan)), "features/box")
}
