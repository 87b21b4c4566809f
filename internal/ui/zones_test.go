package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sriim/internal/actors"
	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/geo"
	"sriim/internal/zones"
)

// loadZones imports the zones module's test files as the DIREPRO editor,
// registers the holder of DA-ILO-001 as an actor, and sets the zones'
// clock to 2026-03-05, when AP-ILO-01 (PSP) and AP-ILO-02 (red tide) are
// closed. It returns the actor.
func loadZones(t *testing.T, site *testSite) actors.Actor {
	t.Helper()
	ctx := context.Background()
	z := site.srv.Zones
	z.Now = func() time.Time { return time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC) }
	editor := site.users["editor"].Principal()
	for _, f := range []struct{ layer, name string }{{zones.ProductionArea, "areas-produccion.geojson"}, {zones.Rights, "derechos.geojson"},
		{zones.SuitableZones, "zonas-aptas.geojson"}, {zones.NaturalBanks, "bancos-naturales.kml"}, {zones.Closures, "cierres.csv"}} {
		b, err := os.ReadFile("../zones/testdata/" + f.name)
		if err != nil {
			t.Fatal(err)
		}
		if f.layer == zones.Closures {
			_, err = z.ImportClosures(ctx, editor, bytes.NewReader(b), f.name)
		} else {
			_, err = z.Import(ctx, editor, f.layer, bytes.NewReader(b), f.name, 0)
		}
		if err != nil {
			t.Fatalf("import %s: %v", f.name, err)
		}
	}
	a, _, err := site.srv.Actors.Create(ctx, editor, actors.Actor{Name: "Maricultura del Sur S.A.C.", RUC: "20456123784", Kinds: []string{"mariculturist_small"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// /zonas draws the map with every feature a link, lists the areas closed
// today (and so does the home page), and a right leads to its holder's
// page, which lists the rights it holds.
func TestZonesPagesMapClosedTodayAndHolder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		holder := loadZones(t, site)
		b := site.browser()
		status, page, _ := b.get("/zonas")
		if status != 200 {
			t.Fatalf("/zonas: %d %s", status, page)
		}
		for _, want := range []string{`<svg`, `href="/zonas/derechos/DA-ILO-001"`, `href="/zonas/areas/AP-ILO-01"`, `href="/zonas/aptas/ZA-ILO-01"`,
			`href="/zonas/desembarcaderos/DPA-ILO"`, `class="closed-today"`, `Bahía de Ilo`, `toxina paralizante (PSP)`, `marea roja`,
			`href="/zonas/derechos/datos.geojson"`, `href="/zonas/cierres.atom"`, `Hectáreas en derechos acuícolas vigentes`} {
			if !strings.Contains(page, want) {
				t.Errorf("/zonas lacks %q", want)
			}
		}
		if strings.Contains(page, "style=") {
			t.Error("/zonas has a style attribute, which the Content-Security-Policy ignores")
		}
		if _, home, _ := b.get("/"); !strings.Contains(home, `class="closed-today"`) || !strings.Contains(home, `href="/zonas/areas/AP-ILO-02"`) {
			t.Error("the home page does not show the areas closed today")
		}
		// The right: its holder links to the actor; the 5 % warning on DA-ILO-002's page only.
		_, right, _ := b.get("/zonas/derechos/DA-ILO-001")
		if !strings.Contains(right, fmt.Sprintf(`href="/actores/%d"`, holder.ID)) || strings.Contains(right, "difieren en") {
			t.Errorf("right DA-ILO-001: %s", right)
		}
		if _, right2, _ := b.get("/zonas/derechos/DA-ILO-002"); !strings.Contains(right2, "difieren en 20.1 %") {
			t.Errorf("right DA-ILO-002 does not warn of its hectares: %s", right2)
		}
		if _, actor, _ := b.get(fmt.Sprintf("/actores/%d", holder.ID)); !strings.Contains(actor, `href="/zonas/derechos/DA-ILO-001"`) ||
			strings.Contains(actor, "DA-ILO-002") {
			t.Error("the holder's page does not list its right")
		}
		// The area: class history and closures, closed today.
		_, area, _ := b.get("/zonas/areas/AP-ILO-01")
		for _, want := range []string{"R.D. N° 010-2024-SANIPES", "R.D. N° 031-2026-SANIPES", `class="timeline"`, "Cerrada hoy", "del 2026-03-01 al 2026-03-15"} {
			if !strings.Contains(area, want) {
				t.Errorf("area page lacks %q", want)
			}
		}
		if _, list, _ := b.get("/zonas/derechos?lang=en"); !strings.Contains(list, "DA-ILO-003") || !strings.Contains(list, "declared hectares differ") {
			t.Errorf("rights list: %s", list)
		}
		if status, _, _ := b.get("/zonas/nada/X"); status != 404 {
			t.Errorf("unknown layer: %d", status)
		}
		if status, _, _ := b.get("/zonas/areas/NO-EXISTE"); status != 404 {
			t.Errorf("unknown area: %d", status)
		}
	})
}

// The slippy map is opt-in: without a tile server /zonas carries no
// Leaflet and keeps the site's policy; with one it loads the vendored
// Leaflet (cached for a year, with its images beside it) and our script,
// gives them the map's layers and legend, and lets images come from the
// tile server's host alone.
func TestZonesSlippyMapOnlyWithTiles(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	s := newTestServer(t, d)
	res := get(t, s, "/zonas", nil)
	page, policy := body(t, res), res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || strings.Contains(strings.ToLower(page), "leaflet") || strings.Contains(page, "zonemap.js") || strings.Contains(policy, "tile") {
		t.Fatalf("/zonas without tiles: %d, policy %q", res.StatusCode, policy)
	}
	s.Tiles = config.Tiles{URL: "https://{s}.tile.example.org/{z}/{x}/{y}.png", Attribution: "© OSM", Source: "https://*.tile.example.org"}
	res = get(t, s, "/zonas?lang=en", nil)
	page, policy = body(t, res), res.Header.Get("Content-Security-Policy")
	for _, name := range []string{"leaflet/leaflet.js", "zonemap.js"} {
		u, err := s.assets.url(name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(page, `<script src="`+u+`" defer>`) {
			t.Errorf("/zonas with tiles does not load %s", u)
		}
	}
	for _, want := range []string{`"tiles":"https://{s}.tile.example.org/{z}/{x}/{y}.png"`, `"attribution":"© OSM"`, `"legend":"Legend"`,
		`{"id":"aquaculture-rights","slug":"derechos"}`, `"key":"closed"`, `/zonemap.css"`, "<svg"} {
		if !strings.Contains(page, want) {
			t.Errorf("/zonas with tiles lacks %s", want)
		}
	}
	if !strings.Contains(policy, "img-src 'self' data: https://*.tile.example.org;") || !strings.Contains(policy, "script-src 'self';") ||
		!strings.Contains(policy, "frame-ancestors 'none'") {
		t.Errorf("policy with tiles: %q", policy)
	}
	// Other pages keep the policy without the tile server.
	if p := get(t, s, "/zonas/derechos", nil).Header.Get("Content-Security-Policy"); strings.Contains(p, "tile") {
		t.Errorf("/zonas/derechos: %q", p)
	}
	// The bundle's files share one hash (leaflet.css would find its images
	// beside it), cached alike.
	css, _ := s.assets.url("leaflet/leaflet.css")
	licence := strings.TrimSuffix(css, "leaflet.css") + "LICENSE"
	if res := get(t, s, licence, nil); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: %d %q %q", licence, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
}

// Each layer downloads as GeoJSON, CSV and XLSX; the closures as an Atom feed.
func TestZonesDownloadsAndFeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		loadZones(t, site)
		b := site.browser()
		res, err := b.client.Get(site.http.URL + "/zonas/derechos/datos.geojson")
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Type     string
			Features []struct {
				Geometry   json.RawMessage
				Properties map[string]any
			}
		}
		err = json.NewDecoder(res.Body).Decode(&fc)
		res.Body.Close()
		if err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 3 || fc.Features[0].Properties["code"] != "DA-ILO-001" ||
			fc.Features[0].Properties["hectares_computed"] == nil || res.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("GeoJSON: %+v, %v", fc, err)
		}
		if status, csv, _ := b.get("/zonas/areas/datos.csv"); status != 200 || !strings.Contains(csv, "codigo,nombre,clase") || !strings.Contains(csv, "AP-ILO-02") {
			t.Errorf("CSV: %d %s", status, csv)
		}
		if status, csv, _ := b.get("/zonas/cierres/datos.csv"); status != 200 || !strings.Contains(csv, "AP-ILO-01,psp,2026-03-01") {
			t.Errorf("closures CSV: %d %s", status, csv)
		}
		res, err = b.client.Get(site.http.URL + "/zonas/derechos/datos.xlsx")
		if err != nil || res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("XLSX: %v %v", res, err)
		}
		res.Body.Close()
		status, feed, _ := b.get("/zonas/cierres.atom")
		if status != 200 || !strings.Contains(feed, `<feed xmlns="http://www.w3.org/2005/Atom"`) ||
			!strings.Contains(feed, "AP-ILO-01 (Bahía de Ilo) cerrada del 2026-03-01 al 2026-03-15") || !strings.Contains(feed, "/zonas/areas/AP-ILO-02") {
			t.Errorf("feed: %d %s", status, feed)
		}
	})
}

// pointInRight1 is a point inside DA-ILO-001, in production area AP-ILO-01
// and suitable zone ZA-ILO-01 (UTM 19S 247150 E, 8046150 N).
func pointInRight1() (lat, lon string) {
	x, y := geo.WGS84UTM19S.ToWGS84(247150, 8046150)
	return strconv.FormatFloat(y, 'f', 6, 64), strconv.FormatFloat(x, 'f', 6, 64)
}

// The point query without JavaScript: a form, its answer, and a bad
// latitude named by its field.
func TestZonesPointPage(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	loadZones(t, site)
	lat, lon := pointInRight1()
	b := site.browser()
	status, page, _ := b.get(fmt.Sprintf("/zonas/punto?lat=%s&lon=%s&fecha=2026-03-05", lat, lon))
	if status != 200 || !strings.Contains(page, `href="/zonas/areas/AP-ILO-01"`) || !strings.Contains(page, "cerrada") ||
		!strings.Contains(page, `href="/zonas/derechos/DA-ILO-001"`) {
		t.Errorf("point page: %d %s", status, page)
	}
	if status, page, _ := b.get("/zonas/punto?lat=norte&lon=-71.3"); status != 422 || !strings.Contains(page, `id="lat-error"`) {
		t.Errorf("a bad latitude: %d %s", status, page)
	}
}

// An editor imports a layer from the web: all or nothing, each problem by
// feature and attribute; a member may not.
func TestZonesWebImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		b := site.browser()
		b.login("editor@example.org", testPassword)
		_, _, token := b.get("/zonas/importar")
		file, _ := os.ReadFile("../zones/testdata/derechos.geojson")
		res, page := b.upload("/zonas/importar", url.Values{"csrf_token": {token}, "capa": {"derechos"}}, "archivo", "derechos.geojson", file)
		if res.StatusCode != 200 || !strings.Contains(page, "3 elementos") || !strings.Contains(page, `href="/zonas/derechos/DA-ILO-002"`) {
			t.Fatalf("import: %d %s", res.StatusCode, page)
		}
		bad := bytes.Replace(file, []byte(`"tipo": "concesión"`), []byte(`"tipo": "arriendo"`), 1)
		res, page = b.upload("/zonas/importar", url.Values{"csrf_token": {token}, "capa": {"derechos"}}, "archivo", "derechos.geojson", bad)
		if res.StatusCode != 422 || !strings.Contains(page, "elemento 1 (DA-ILO-001), atributo tipo") {
			t.Errorf("a bad file: %d %s", res.StatusCode, page)
		}
		res, page = b.upload("/zonas/importar", url.Values{"csrf_token": {token}, "capa": {"derechos"}, "srs": {"EPSG:9999"}}, "archivo", "derechos.geojson", file)
		if res.StatusCode != 422 || !strings.Contains(page, "EPSG:9999") {
			t.Errorf("an unknown system: %d %s", res.StatusCode, page)
		}
		m := site.browser()
		m.login("member@example.org", testPassword)
		if status, _, _ := m.get("/zonas/importar"); status != 403 {
			t.Errorf("a member's import page: %d", status)
		}
	})
}

// An account follows an area from its page, and stops.
func TestFollowAnArea(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		loadZones(t, site)
		b := site.browser()
		b.login("member@example.org", testPassword)
		_, page, token := b.get("/zonas/areas/AP-ILO-01")
		if !strings.Contains(page, `action="/zonas/areas/AP-ILO-01/seguir"`) {
			t.Fatalf("no follow button: %s", page)
		}
		res := b.post("/zonas/areas/AP-ILO-01/seguir", url.Values{"csrf_token": {token}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/zonas/areas/AP-ILO-01?ok=followed" {
			t.Fatalf("follow: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		subs, err := site.srv.Zones.Following(context.Background(), site.users["member"].Principal())
		if err != nil || len(subs) != 1 || subs[0].AreaCode != "AP-ILO-01" {
			t.Fatalf("following %+v, %v", subs, err)
		}
		if _, page, _ := b.get("/zonas/areas/AP-ILO-01"); !strings.Contains(page, `action="/zonas/areas/AP-ILO-01/dejar-de-seguir"`) {
			t.Error("no unfollow button")
		}
		b.post("/zonas/areas/AP-ILO-01/dejar-de-seguir", url.Values{"csrf_token": {token}})
		if subs, _ := site.srv.Zones.Following(context.Background(), site.users["member"].Principal()); len(subs) != 0 {
			t.Errorf("still following %+v", subs)
		}
	})
}
