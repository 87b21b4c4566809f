package ogc_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/ogc"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
	"sriim/internal/zones"
)

// serve loads the zones module's test layers and serves the API.
func serve(t *testing.T, d *db.DB) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	acc := accounts.New(d)
	z := zones.New(d)
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d),
		Planning: planning.New(d, t.TempDir()), Trade: trade.New(d), Zones: z}, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	p := auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
	for layer, name := range map[string]string{zones.ProductionArea: "areas-produccion.geojson", zones.Rights: "derechos.geojson",
		zones.SuitableZones: "zonas-aptas.geojson", zones.NaturalBanks: "bancos-naturales.kml"} {
		f, err := os.Open("../zones/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := z.Import(ctx, p, layer, f, name, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	f, err := os.Open("../zones/testdata/cierres.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := z.ImportClosures(ctx, p, f, "cierres.csv"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ogc.New(z, "/ogc", nil))
	t.Cleanup(srv.Close)
	return srv
}

type page struct {
	Type     string `json:"type"`
	Features []struct {
		ID         int64          `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
	Links []struct{ Href, Rel, Type string } `json:"links"`
	// landing page, collections, conformance
	ConformsTo  []string `json:"conformsTo"`
	Collections []struct {
		ID    string `json:"id"`
		Links []struct{ Href, Rel string }
	} `json:"collections"`
	Code string `json:"code"`
}

func get(t *testing.T, rawURL string) (int, http.Header, page) {
	t.Helper()
	res, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var p page
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: %v: %s", rawURL, err, b)
	}
	return res.StatusCode, res.Header, p
}

func (p page) codes() string {
	var out []string
	for _, f := range p.Features {
		c, _ := f.Properties["code"].(string)
		if a, ok := f.Properties["area"].(string); ok {
			c = a
		}
		out = append(out, c)
	}
	return strings.Join(out, ",")
}

func (p page) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func TestEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := serve(t, d)
		base := srv.URL + "/ogc"
		status, _, landing := get(t, base)
		if status != 200 || landing.link("data") != base+"/collections" || landing.link("conformance") != base+"/conformance" {
			t.Errorf("landing page: %d %+v", status, landing.Links)
		}
		if _, _, c := get(t, base+"/conformance"); len(c.ConformsTo) != 3 {
			t.Errorf("conformance %v", c.ConformsTo)
		}
		_, _, cols := get(t, base+"/collections")
		var ids []string
		for _, c := range cols.Collections {
			ids = append(ids, c.ID)
		}
		if strings.Join(ids, ",") != "suitable-zones,production-areas,natural-banks,aquaculture-rights,closures,landing-sites" {
			t.Errorf("collections %v", ids)
		}
		if status, _, _ := get(t, base+"/collections/aquaculture-rights"); status != 200 {
			t.Errorf("collection: %d", status)
		}

		// Paging: two, then the last one.
		status, h, first := get(t, base+"/collections/aquaculture-rights/items?limit=2")
		if status != 200 || h.Get("Content-Type") != "application/geo+json" || first.codes() != "DA-ILO-001,DA-ILO-002" || first.link("next") == "" {
			t.Fatalf("first page: %d %s %+v", status, first.codes(), first.Links)
		}
		_, _, second := get(t, first.link("next"))
		if second.codes() != "DA-ILO-003" || second.link("next") != "" {
			t.Errorf("second page: %s %+v", second.codes(), second.Links)
		}
		r1 := first.Features[0]
		if r1.Properties["holder"] != "Maricultura del Sur S.A.C." || math.Abs(r1.Properties["hectares_computed"].(float64)-8.9939) > 0.001 ||
			r1.Properties["kind"] != "concession" || r1.Geometry.Type != "Polygon" {
			t.Errorf("feature %+v", r1)
		}

		for _, c := range []struct{ query, want string }{
			// A box around DA-ILO-001 only, in degrees and in UTM 19S.
			{"aquaculture-rights/items?bbox=-71.3850,-17.6586,-71.3818,-17.6557", "DA-ILO-001"},
			{"aquaculture-rights/items?bbox=246990,8045990,247310,8046310&bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/32719"), "DA-ILO-001"},
			{"aquaculture-rights/items?bbox=-17.6586,-71.3850,-17.6557,-71.3818&bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4326"), "DA-ILO-001"},
			{"aquaculture-rights/items?bbox=-72.5,-18.1,-72.4,-18.0", ""},
			// Validity and closure periods.
			{"aquaculture-rights/items?datetime=2024-01-01", "DA-ILO-002"},
			{"aquaculture-rights/items?datetime=2025-01-01/2025-12-31", "DA-ILO-001,DA-ILO-002,DA-ILO-003"},
			{"aquaculture-rights/items?datetime=../2023-12-31", "DA-ILO-002"},
			{"aquaculture-rights/items?datetime=2026-01-01T10:00:00Z/..", "DA-ILO-001,DA-ILO-003"},
			{"closures/items?datetime=2026-03-05", "AP-ILO-01,AP-ILO-02"},
			{"closures/items?datetime=2026-04-01", "AP-ILO-02"},
			{"closures/items?datetime=2026-01-01", ""},
			// Attributes.
			{"aquaculture-rights/items?kind=autorizacion", "DA-ILO-002"},
			{"aquaculture-rights/items?holder_ruc=10401234565", "DA-ILO-003"},
			{"aquaculture-rights/items?species=CHC", "DA-ILO-002"},
			{"production-areas/items?class=B", "AP-ILO-02"},
			{"closures/items?reason=marea%20roja", "AP-ILO-02"},
			{"landing-sites/items", "DPA-ILO"},
		} {
			status, _, p := get(t, base+"/collections/"+c.query)
			if got := p.codes(); status != 200 || got != c.want {
				t.Errorf("%s: %d %q, want %q", c.query, status, p.codes(), c.want)
			}
		}

		// One feature, also in UTM 19S.
		id := r1.ID
		status, _, one := get(t, base+"/collections/aquaculture-rights/items/"+itoa(id))
		if status != 200 || one.link("collection") == "" {
			t.Errorf("one feature: %d %+v", status, one)
		}
		res, err := http.Get(base + "/collections/aquaculture-rights/items/" + itoa(id) + "?crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/32719"))
		if err != nil {
			t.Fatal(err)
		}
		var utm struct {
			Geometry struct{ Coordinates [][][2]float64 }
		}
		_ = json.NewDecoder(res.Body).Decode(&utm)
		res.Body.Close()
		if c := utm.Geometry.Coordinates; len(c) != 1 || math.Abs(c[0][0][0]-247000) > 0.01 || math.Abs(c[0][0][1]-8046000) > 0.01 ||
			res.Header.Get("Content-Crs") != "<http://www.opengis.net/def/crs/EPSG/0/32719>" {
			t.Errorf("in UTM 19S: %v %s", utm.Geometry.Coordinates, res.Header.Get("Content-Crs"))
		}

		for path, want := range map[string]int{
			"/collections/nothing/items":                          404,
			"/collections/aquaculture-rights/items/999999":        404,
			"/collections/aquaculture-rights/items?colour=red":    400,
			"/collections/aquaculture-rights/items?bbox=1,2,3":    400,
			"/collections/aquaculture-rights/items?limit=0":       400,
			"/collections/aquaculture-rights/items?datetime=ayer": 400,
			"/collections/aquaculture-rights/items?crs=EPSG:3857": 400,
		} {
			if status, _, p := get(t, base+path); status != want || p.Code == "" {
				t.Errorf("%s: %d %q, want %d", path, status, p.Code, want)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
