package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/geo"
	"sriim/internal/httpkit"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
	"sriim/internal/zones"
)

// pointInRight1 is a point inside DA-ILO-001, in production area AP-ILO-01
// and suitable zone ZA-ILO-01 (UTM 19S 247150 E, 8046150 N).
func pointInRight1() (lat, lon string) {
	x, y := geo.WGS84UTM19S.ToWGS84(247150, 8046150)
	return strconv.FormatFloat(y, 'f', 6, 64), strconv.FormatFloat(x, 'f', 6, 64)
}

func keysOf(m map[string]any) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// loadZones loads the seed (institutions, the landing site) and imports the
// zones module's test files as a DIREPRO editor.
func loadZones(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	acc := accounts.New(d)
	acc.BcryptCost = bcrypt.MinCost
	z := zones.New(d)
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d),
		Planning: planning.New(d, t.TempDir()), Trade: trade.New(d), Zones: z}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	direpro, err := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	if err != nil {
		t.Fatal(err)
	}
	editor := auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
	for _, f := range []struct{ layer, name string }{{zones.ProductionArea, "areas-produccion.geojson"}, {zones.Rights, "derechos.geojson"},
		{zones.SuitableZones, "zonas-aptas.geojson"}, {zones.Closures, "cierres.csv"}} {
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
}

// GET /api/v1/zones/at answers in issue 16's shape, on a closed day and on
// an open one.
func TestZonesAtAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := newTestServer(t, d)
		loadZones(t, d)
		lat, lon := pointInRight1()
		at := func(date string) map[string]any {
			t.Helper()
			res := get(t, srv, fmt.Sprintf("/api/v1/zones/at?lat=%s&lon=%s&date=%s", lat, lon, date))
			var out map[string]any
			if err := json.Unmarshal([]byte(body(t, res)), &out); err != nil || res.StatusCode != 200 {
				t.Fatalf("%s: %d %v", date, res.StatusCode, err)
			}
			return out
		}
		closed := at("2026-03-05")
		if keysOf(closed) != "production_area,rights,suitable_zone" {
			t.Fatalf("keys %s", keysOf(closed))
		}
		area := closed["production_area"].(map[string]any)
		if keysOf(area) != "class,closure,code,name,status" || area["code"] != "AP-ILO-01" || area["name"] != "Bahía de Ilo" ||
			area["class"] != "A" || area["status"] != "closed" {
			t.Errorf("area %v", area)
		}
		if c, ok := area["closure"].(map[string]any); !ok || c["reason"] != "psp" || c["from"] != "2026-03-01" || c["to"] != "2026-03-15" {
			t.Errorf("closure %v", area["closure"])
		}
		rights := closed["rights"].([]any)
		if len(rights) != 1 || keysOf(rights[0].(map[string]any)) != "code,holder,status" ||
			fmt.Sprint(rights[0]) != "map[code:DA-ILO-001 holder:Maricultura del Sur S.A.C. status:in_force]" {
			t.Errorf("rights %v", rights)
		}
		if z := closed["suitable_zone"].(map[string]any); z["code"] != "ZA-ILO-01" {
			t.Errorf("suitable zone %v", z)
		}
		open := at("2026-03-16")["production_area"].(map[string]any)
		if open["status"] != "open" || open["closure"] != nil {
			t.Errorf("open day: %v", open)
		}
		// Open sea: nulls and an empty list.
		if res := get(t, srv, "/api/v1/zones/at?lat=-18&lon=-72.5"); body(t, res) != `{"production_area":null,"rights":[],"suitable_zone":null}`+"\n" {
			t.Errorf("open sea: %s", body(t, get(t, srv, "/api/v1/zones/at?lat=-18&lon=-72.5")))
		}
		for q, field := range map[string]string{"lat=95&lon=-71": "lat", "lon=-71": "lat", "lat=-17&lon=oeste": "lon", "lat=-17&lon=-71&date=2026-02-30": "date"} {
			res := get(t, srv, "/api/v1/zones/at?"+q)
			var e httpkit.ErrorBody
			if err := json.Unmarshal([]byte(body(t, res)), &e); err != nil || res.StatusCode != 422 || e.Error.Fields[field] == "" {
				t.Errorf("%s: %d %+v", q, res.StatusCode, e)
			}
		}
	})
}

func TestZonesClosedAndIndicatorsAPI(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	srv := newTestServer(t, d)
	loadZones(t, d)
	var closed struct {
		Date     string
		Closures []struct{ Area, Reason string }
	}
	if err := json.Unmarshal([]byte(body(t, get(t, srv, "/api/v1/zones/closed?date=2026-03-05"))), &closed); err != nil ||
		closed.Date != "2026-03-05" || len(closed.Closures) != 2 {
		t.Errorf("closed today: %+v, %v", closed, err)
	}
	if err := json.Unmarshal([]byte(body(t, get(t, srv, "/api/v1/zones/closed?date=2026-03-20"))), &closed); err != nil ||
		len(closed.Closures) != 1 || closed.Closures[0].Area != "AP-ILO-02" {
		t.Errorf("closed on 2026-03-20: %+v, %v", closed, err)
	}
	var ind struct {
		Indicators []struct {
			Activity, Name string
			Value          float64
		}
	}
	if err := json.Unmarshal([]byte(body(t, get(t, srv, "/api/v1/zones/indicators?date=2026-03-05"))), &ind); err != nil || len(ind.Indicators) != 5 {
		t.Fatalf("indicators: %+v, %v", ind, err)
	}
	if res := get(t, srv, "/api/v1/zones/closed?date=ayer"); res.StatusCode != 422 {
		t.Errorf("a bad date: %d", res.StatusCode)
	}
}
