package zones_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/geo"
	"sriim/internal/i18n"
	"sriim/internal/indicators"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
	"sriim/internal/zones"
)

type fixture struct {
	db       *db.DB
	svc      *zones.Service
	accounts *accounts.Service
	editor   auth.Principal // a DIREPRO editor
	other    auth.Principal // an IMARPE editor
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{db: d, svc: zones.New(d), accounts: accounts.New(d)}
	f.accounts.BcryptCost = 4
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: f.accounts, Reference: reference.New(d), Production: production.New(d),
		Planning: planning.New(d, t.TempDir()), Trade: trade.New(d), Zones: f.svc},
		slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	direpro, _ := f.accounts.InstitutionByCode(ctx, "DIREPRO-ILO")
	imarpe, _ := f.accounts.InstitutionByCode(ctx, "IMARPE")
	f.editor = auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
	f.other = auth.Principal{UserID: 2, Email: "ed@imarpe", Role: auth.Editor, Institutions: []int64{imarpe.ID}}
	return f
}

func (f fixture) importFile(t *testing.T, layer, name string) zones.ImportReport {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var rep zones.ImportReport
	if layer == "closures" {
		rep, err = f.svc.ImportClosures(context.Background(), f.editor, bytes.NewReader(b), name)
	} else {
		rep, err = f.svc.Import(context.Background(), f.editor, layer, bytes.NewReader(b), name, 0)
	}
	if err != nil {
		t.Fatalf("import %s: %v", name, describe(err))
	}
	return rep
}

func describe(err error) string {
	var b strings.Builder
	b.WriteString(err.Error())
	if e, ok := err.(*errs.Error); ok {
		for k, v := range e.Fields {
			b.WriteString("\n  " + k + ": " + v)
		}
	}
	return b.String()
}

// utm converts a point of UTM 19S (WGS84) to WGS84 degrees.
func utm(e, n float64) orb.Point {
	lon, lat := geo.WGS84UTM19S.ToWGS84(e, n)
	return orb.Point{lon, lat}
}

func metres(a, b orb.Point) float64 {
	const m = 111320.0
	return math.Hypot((a[0]-b[0])*m*math.Cos(a[1]*math.Pi/180), (a[1]-b[1])*m)
}

func firstVertex(t *testing.T, f zones.Feature) orb.Point {
	t.Helper()
	g, err := f.Geom()
	if err != nil {
		t.Fatal(err)
	}
	return g.(orb.Polygon)[0][0]
}

// Each format holds the same three rights; GDAL converted them from the
// hand-written UTM 19S file (make.sh), so every import must place the first
// corner of DA-ILO-001 where GDAL put it, to 0.1 m, and measure the areas.
func TestImportFormats(t *testing.T) {
	want := orb.Point{-71.384774493, -17.658483825} // GDAL/PROJ: UTM 19S 247000 8046000
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		for i, c := range []struct{ file, srs string }{
			{"derechos-utm19s-crs.geojson", "EPSG:32719"},
			{"derechos.geojson", "EPSG:4326"},
			{"derechos.kml", "EPSG:4326"},
			{"derechos-psad56.zip", "EPSG:24879"},
		} {
			rep := f.importFile(t, zones.Rights, c.file)
			if i == 0 && rep.Created != 3 || i > 0 && rep.Created != 0 || rep.Features != 3 {
				t.Errorf("%s: %+v", c.file, rep)
			}
			r1, err := f.svc.FeatureByCode(ctx, zones.Rights, "DA-ILO-001")
			if err != nil {
				t.Fatal(err)
			}
			if d := metres(firstVertex(t, r1), want); d > 0.1 || r1.SourceSRS != c.srs {
				t.Errorf("%s: first corner %v is %.3f m from GDAL's %v; source %s", c.file, firstVertex(t, r1), d, want, r1.SourceSRS)
			}
			// 300 m × 300 m on the UTM grid, 1.00034 to the ground there (GeographicLib: 89938.597 m²).
			if r1.Hectares == nil || math.Abs(*r1.Hectares-8.99386) > 0.001 {
				t.Errorf("%s: DA-ILO-001 measures %v ha, want 8.9939", c.file, r1.Hectares)
			}
			r3, _ := f.svc.FeatureByCode(ctx, zones.Rights, "DA-ILO-003")
			if r3.Hectares == nil || math.Abs(*r3.Hectares-15*0.99932) > 0.002 {
				t.Errorf("%s: DA-ILO-003 (16 ha less a 1 ha hole) measures %v ha", c.file, r3.Hectares)
			}
			if r1.Kind != "concession" || r1.Holder != "Maricultura del Sur S.A.C." || r1.ValidTo != "2054-03-14" ||
				r1.ResolutionDate != "2024-03-15" || strings.Join(r1.Species, ",") != "SCQ" || *r1.HectaresDeclared != 9 {
				t.Errorf("%s: attributes %+v", c.file, r1)
			}
		}
	})
}

func TestWarningAndReimport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		rep := f.importFile(t, zones.Rights, "derechos.geojson")
		if rep.Created != 3 || len(rep.Warnings) != 1 || rep.Warnings[0].Code != "DA-ILO-002" || !strings.Contains(rep.Warnings[0].Message, "+20.") {
			t.Fatalf("report %+v", rep)
		}
		r2, _ := f.svc.FeatureByCode(ctx, zones.Rights, "DA-ILO-002")
		if gap, warn := r2.HectaresGap(); !warn || math.Abs(gap-0.2) > 0.01 {
			t.Errorf("DA-ILO-002: gap %v, warn %v", gap, warn)
		}
		if p := r2.Properties("2026-01-01"); p["hectares_warning"] == nil || p["status"] != "expired" {
			t.Errorf("DA-ILO-002 properties %v", p)
		}
		if _, warn := (zones.Feature{}).HectaresGap(); warn {
			t.Error("a feature without declared hectares warns")
		}

		// Again: nothing changes.
		if rep := f.importFile(t, zones.Rights, "derechos.geojson"); rep.Unchanged != 3 {
			t.Errorf("second import %+v", rep)
		}
		// A new holder for one right: that one is updated, by code.
		b, _ := os.ReadFile("testdata/derechos.geojson")
		b = bytes.Replace(b, []byte("Maricultura del Sur S.A.C."), []byte("Maricultura del Sur S.A."), 1)
		rep, err := f.svc.Import(ctx, f.editor, zones.Rights, bytes.NewReader(b), "derechos.geojson", 0)
		if err != nil || rep.Updated != 1 || rep.Unchanged != 2 {
			t.Fatalf("changed import %+v, %v", rep, err)
		}
		r1, _ := f.svc.FeatureByCode(ctx, zones.Rights, "DA-ILO-001")
		if r1.Holder != "Maricultura del Sur S.A." || r1.Version != 2 {
			t.Errorf("updated right %+v", r1)
		}
		log, err := audit.List(ctx, d, audit.Filter{Entity: "zone"})
		if err != nil || len(log) != 5 || log[0].Action != audit.Update { // the seed's landing site, three rights, one update
			t.Errorf("audit log: %d entries, %v", len(log), err)
		}
		// Another institution may not change DIREPRO's rights.
		b = bytes.Replace(b, []byte("Maricultura del Sur S.A."), []byte("Otro"), 1)
		if _, err := f.svc.Import(ctx, f.other, zones.Rights, bytes.NewReader(b), "derechos.geojson", 0); !errs.Is(err, errs.Forbidden) {
			t.Errorf("IMARPE's import: %v", err)
		}
		if _, err := f.svc.Import(ctx, auth.Principal{}, zones.Rights, bytes.NewReader(b), "derechos.geojson", 0); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous import: %v", err)
		}
	})
}

// TestBadFilesAreRefusedWhole: a file with a problem imports nothing, and
// each problem is named by feature and attribute, in English and, on a
// Spanish page or API answer, in Spanish.
func TestBadFilesAreRefusedWhole(t *testing.T) {
	square := `[[-71.39,-17.66],[-71.38,-17.66],[-71.38,-17.65],[-71.39,-17.65],[-71.39,-17.66]]`
	bowtie := `[[-71.39,-17.66],[-71.38,-17.65],[-71.38,-17.66],[-71.39,-17.65],[-71.39,-17.66]]`
	feature := func(props, ring string) string {
		return `{"type":"Feature","properties":{` + props + `},"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}`
	}
	ok := `"codigo":"R-1","tipo":"concesion","titular":"A"`
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, c := range []struct {
			name     string
			features []string
			srs      geo.SRS
			field    string
			want, es string
		}{
			{"bow tie", []string{feature(ok, square), feature(`"codigo":"R-2","tipo":"concesion","titular":"B"`, bowtie)},
				0, "feature 2 (R-2), attribute geometry", "crosses itself", "el anillo 1 se cruza a sí mismo cerca de -71.380000 -17.660000"},
			{"bow tie in a multipolygon", []string{`{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"MultiPolygon","coordinates":[[` + square + `],[` + bowtie + `]]}}`},
				0, "feature 1 (R-1), attribute geometry", "polygon 2: ring 1 crosses itself", "polígono 2: el anillo 1 se cruza a sí mismo cerca de -71.380000 -17.660000"},
			{"open ring", []string{feature(ok, `[[-71.39,-17.66],[-71.38,-17.66],[-71.38,-17.65],[-71.39,-17.65]]`)},
				0, "feature 1 (R-1), attribute geometry", "not closed", "el anillo 1 no está cerrado: su último punto debe repetir el primero"},
			{"UTM without crs", []string{feature(ok, `[[247000,8046000],[247300,8046000],[247300,8046300],[247000,8046000]]`)},
				0, "feature 1 (R-1), attribute geometry", "outside Peru", "el punto 247000.000000 8046000.000000 (longitud, latitud) está fuera del mar y la costa del Perú: ¿sistema de coordenadas equivocado?"},
			{"wrong --srs", []string{feature(ok, square)}, geo.WGS84UTM19S, "feature 1 (R-1), attribute geometry", "outside Peru", "está fuera del mar y la costa del Perú"},
			{"bad RUC", []string{feature(ok+`,"ruc":"20456123785"`, square)}, 0, "feature 1 (R-1), attribute ruc", "check digit", "el dígito verificador no coincide: ¿error de digitación?"},
			{"unknown species", []string{feature(ok+`,"especies":"SCQ,XXX"`, square)}, 0, "feature 1 (R-1), attribute especies", "XXX", `"XXX" no es un código de especie (FAO de 3 letras, p. ej. SCQ)`},
			{"unknown kind", []string{feature(`"codigo":"R-1","tipo":"permiso","titular":"A"`, square)}, 0, "feature 1 (R-1), attribute tipo", "permiso", `"permiso" no es uno de: `},
			{"bad date", []string{feature(ok+`,"desde":"31/02/2024"`, square)}, 0, "feature 1 (R-1), attribute desde", "not a date", `"31/02/2024" no es una fecha (AAAA-MM-DD)`},
			{"no code", []string{feature(`"tipo":"concesion","titular":"A"`, square)}, 0, "feature 1, attribute code", "required", "obligatorio"},
			{"repeated code", []string{feature(ok, square), feature(ok, square)}, 0, "feature 2 (R-1), attribute code", "repeats", "repite el código de elemento 1 (R-1)"},
		} {
			body := `{"type":"FeatureCollection","features":[` + strings.Join(c.features, ",") + `]}`
			_, err := f.svc.Import(context.Background(), f.editor, zones.Rights, strings.NewReader(body), "x.geojson", c.srs)
			e, isErr := err.(*errs.Error)
			if !isErr || e.Kind != errs.Invalid || !strings.Contains(e.Fields[c.field], c.want) {
				t.Errorf("%s: %v, want %q at %q", c.name, describe(err), c.want, c.field)
				continue
			}
			if _, fields := i18n.ErrorText(i18n.ES, e); !strings.Contains(fields[i18n.FieldName(i18n.ES, c.field)], c.es) {
				t.Errorf("%s: in Spanish %q, want %q", c.name, fields, c.es)
			} else if c.name == "bow tie" && fields["elemento 2 (R-2), atributo geometry"] == "" {
				t.Errorf("the feature's place in Spanish: %q", fields)
			}
		}
		// A file that is not GeoJSON: the reason in the catalogue's words,
		// the parser's own logged.
		_, err := f.svc.Import(context.Background(), f.editor, zones.Rights, strings.NewReader(`{"type":`), "x.geojson", 0)
		if e, ok := err.(*errs.Error); !ok || e.Err == nil {
			t.Errorf("not JSON: %v", describe(err))
		} else if message, fields := i18n.ErrorText(i18n.ES, e); message != "no se puede leer el archivo; no se importó nada" || fields["file"] != "el archivo no es un JSON válido" {
			t.Errorf("not JSON, in Spanish: %q %q", message, fields)
		}
		page, err := f.svc.Items(context.Background(), zones.Query{Layer: zones.Rights})
		if err != nil || len(page.Items) != 0 {
			t.Errorf("something was imported: %d, %v", len(page.Items), err)
		}
		// A landing site must be a point, a right a polygon.
		pt := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{` + ok + `},"geometry":{"type":"Point","coordinates":[-71.34,-17.64]}}]}`
		if _, err := f.svc.Import(context.Background(), f.editor, zones.Rights, strings.NewReader(pt), "x.geojson", 0); err == nil ||
			!strings.Contains(err.(*errs.Error).Fields["feature 1 (R-1), attribute geometry"], "point is not accepted") {
			t.Errorf("a point right: %v", describe(err))
		}
	})
}

// loadAll imports every test layer and the closures.
func (f fixture) loadAll(t *testing.T) {
	f.importFile(t, zones.ProductionArea, "areas-produccion.geojson")
	f.importFile(t, zones.Rights, "derechos.geojson")
	f.importFile(t, zones.SuitableZones, "zonas-aptas.geojson")
	f.importFile(t, zones.NaturalBanks, "bancos-naturales.kml")
	f.importFile(t, "closures", "cierres.csv")
}

func TestPointQuery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.loadAll(t)
		ctx := context.Background()
		inRight1 := utm(247150, 8046150) // inside DA-ILO-001, in AP-ILO-01 and ZA-ILO-01
		closed, err := f.svc.At(ctx, inRight1[1], inRight1[0], "2026-03-05")
		if err != nil {
			t.Fatal(err)
		}
		a := closed.ProductionArea
		if a == nil || a.Code != "AP-ILO-01" || a.Class == nil || *a.Class != "A" || a.Status != "closed" || a.Closure == nil || a.Closure.Reason != "psp" {
			t.Fatalf("closed day: %+v", a)
		}
		if len(closed.Rights) != 1 || closed.Rights[0].Code != "DA-ILO-001" || closed.Rights[0].Status != "in_force" ||
			closed.SuitableZone == nil || closed.SuitableZone.Code != "ZA-ILO-01" {
			t.Errorf("closed day: %+v", closed)
		}
		open, err := f.svc.At(ctx, inRight1[1], inRight1[0], "2026-03-16")
		if err != nil || open.ProductionArea.Status != "open" || open.ProductionArea.Closure != nil {
			t.Errorf("open day: %+v, %v", open.ProductionArea, err)
		}
		// DA-ILO-002 held from 2023-06-01 to 2025-05-31.
		inRight2 := utm(248100, 8046250)
		for day, n := range map[string]int{"2024-07-01": 1, "2026-03-16": 0} {
			r, err := f.svc.At(ctx, inRight2[1], inRight2[0], day)
			if err != nil || len(r.Rights) != n {
				t.Errorf("%s: rights %+v, %v", day, r.Rights, err)
			}
		}
		// AP-ILO-02 is closed from 2026-02-20 with no end.
		south := utm(253000, 8040000)
		r, err := f.svc.At(ctx, south[1], south[0], "2030-01-01")
		if err != nil || r.ProductionArea == nil || r.ProductionArea.Code != "AP-ILO-02" || r.ProductionArea.Status != "closed" ||
			r.ProductionArea.Closure.Reason != "red_tide" || r.SuitableZone != nil || len(r.Rights) != 0 {
			t.Errorf("open-ended closure: %+v, %v", r, err)
		}
		// Open sea off the areas: nothing.
		sea := orb.Point{-72.5, -18.0}
		if r, err := f.svc.At(ctx, sea[1], sea[0], "2026-03-05"); err != nil || r.ProductionArea != nil || len(r.Rights) != 0 {
			t.Errorf("open sea: %+v, %v", r, err)
		}
		if _, err := f.svc.At(ctx, 95, 0, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("latitude 95: %v", err)
		}
		closedToday, err := f.svc.ClosedOn(ctx, "2026-03-05")
		if err != nil || len(closedToday) != 2 {
			t.Errorf("closed on 2026-03-05: %+v, %v", closedToday, err)
		}
	})
}

func TestIndicators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.loadAll(t)
		ind, err := f.svc.Indicators(context.Background(), "2026-03-20")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, i := range ind {
			got[i.Name] = i.Value
		}
		// In force that day: DA-ILO-001 (8.99 ha) and DA-ILO-003 (14.99 ha), both in AP-ILO-01 (class A).
		if math.Abs(got["hectares_in_force"]-23.98) > 0.01 || got["productive_units"] != 2 || got["units_under_sanitary_control"] != 2 ||
			got["suitable_zones"] != 1 || got["production_areas"] != 2 {
			t.Errorf("indicators %v", got)
		}
	})
}

func TestClosureImportProblems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, zones.ProductionArea, "areas-produccion.geojson")
		csv := "area,motivo,desde,hasta,resolucion,notas\nAP-XX,PSP,2026-03-01,,,\nAP-ILO-01,veneno,2026-03-01,2026-02-01,,\n"
		_, err := f.svc.ImportClosures(context.Background(), f.editor, strings.NewReader(csv), "c.csv")
		e, ok := err.(*errs.Error)
		if !ok || !strings.Contains(e.Fields["fila 2, columna area"], "AP-XX") || !strings.Contains(e.Fields["fila 3, columna motivo"], "veneno") ||
			!strings.Contains(e.Fields["fila 3, columna hasta"], "before") {
			t.Errorf("problems: %v", describe(err))
		} else if _, fields := i18n.ErrorText(i18n.ES, e); !strings.HasPrefix(fields["fila 3, columna motivo"], `"veneno" no es uno de: `) ||
			fields["fila 3, columna hasta"] != "termina (2026-02-01) antes de empezar (2026-03-01)" {
			t.Errorf("problems in Spanish: %q", fields)
		}
		f.importFile(t, "closures", "cierres.csv")
		b, _ := os.ReadFile("testdata/cierres.csv")
		b = bytes.Replace(b, []byte("2026-03-01,2026-03-15"), []byte("2026-03-01,2026-03-18"), 1)
		rep, err := f.svc.ImportClosures(context.Background(), f.editor, bytes.NewReader(b), "cierres.csv")
		if err != nil || rep.Updated != 1 || rep.Unchanged != 1 {
			t.Errorf("re-import: %+v, %v", rep, err)
		}
	})
}

func TestHolderLinksToRegistry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.importFile(t, zones.Rights, "derechos.geojson")
		a, _, err := actors.New(d).Create(ctx, f.editor, actors.Actor{Name: "Maricultura del Sur S.A.C.", RUC: "20456123784", Kinds: []string{"mariculturist_small"}})
		if err != nil {
			t.Fatal(err)
		}
		r1, _ := f.svc.FeatureByCode(ctx, zones.Rights, "DA-ILO-001")
		r2, _ := f.svc.FeatureByCode(ctx, zones.Rights, "DA-ILO-002")
		if r1.HolderActorID != a.ID || r2.HolderActorID != 0 {
			t.Errorf("holder links: %d, %d; want %d, 0", r1.HolderActorID, r2.HolderActorID, a.ID)
		}
		list, err := f.svc.RightsOfHolder(ctx, a.RUC)
		if err != nil || len(list) != 1 || list[0].Code != "DA-ILO-001" {
			t.Errorf("rights of the actor: %+v, %v", list, err)
		}
	})
}

func TestSeedLandingSite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		dpa, err := f.svc.FeatureByCode(context.Background(), zones.LandingSites, "DPA-ILO")
		if err != nil || *dpa.Vessels != 347 || *dpa.Fishers != 1700 || !strings.Contains(dpa.Operator, "Buzos Civiles del Puerto de Ilo") ||
			!strings.Contains(dpa.Notes, "56 % botes") {
			t.Errorf("DPA Ilo: %+v, %v", dpa, err)
		}
	})
}

// mailbox records the e-mails sent.
type mailbox struct {
	mu   sync.Mutex
	sent []string
}

func (m *mailbox) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to+"|"+subject+"|"+body)
	return nil
}

func TestClosureNoticesAreSentOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.loadAll(t)
		ctx := context.Background()
		mb := &mailbox{}
		f.svc.Mailer = mb
		a, _, err := actors.New(d).Create(ctx, f.editor, actors.Actor{Name: "Maricultura del Sur S.A.C.", Kinds: []string{"mariculturist_small"}})
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.accounts.CreateUser(ctx, auth.System, accounts.UserInput{Email: "socio@example.org", Name: "Socio",
			Password: "una clave larga", Lang: "es", Role: auth.Member, ActorID: a.ID, Active: true})
		if err != nil {
			t.Fatal(describe(err))
		}
		member := auth.Principal{UserID: u.ID, Email: u.Email, Role: auth.Member, ActorID: a.ID}
		if err := f.svc.Follow(ctx, member, "AP-ILO-01"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Follow(ctx, auth.Principal{}, "AP-ILO-01"); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous follow: %v", err)
		}
		day := func(s string) {
			f.svc.Now = func() time.Time { t, _ := time.Parse(time.DateOnly, s); return t.Add(17 * time.Hour) }
		}
		day("2026-02-25") // AP-ILO-02 closed since 2026-02-20 (nobody follows it), AP-ILO-01 open
		if n, err := f.svc.Announce(ctx); err != nil || len(n) != 1 || n[0].Area.Code != "AP-ILO-02" || len(mb.sent) != 0 {
			t.Fatalf("first round: %+v, %v, %v", n, err, mb.sent)
		}
		day("2026-03-01")
		if n, err := f.svc.Announce(ctx); err != nil || len(n) != 1 || n[0].Sent != 1 {
			t.Fatalf("AP-ILO-01 closes: %+v, %v", n, err)
		}
		if n, _ := f.svc.Announce(ctx); len(n) != 0 {
			t.Errorf("announced twice: %+v", n)
		}
		day("2026-03-16")
		if n, err := f.svc.Announce(ctx); err != nil || len(n) != 1 || n[0].Closed || n[0].Sent != 1 {
			t.Fatalf("AP-ILO-01 opens: %+v, %v", n, err)
		}
		if len(mb.sent) != 2 || !strings.Contains(mb.sent[0], "AP-ILO-01 está cerrada") || !strings.Contains(mb.sent[0], "toxina paralizante") ||
			!strings.Contains(mb.sent[1], "está abierta") {
			t.Errorf("mails: %q", mb.sent)
		}
		subs, err := f.svc.Following(ctx, member)
		if err != nil || len(subs) != 1 || subs[0].AreaCode != "AP-ILO-01" {
			t.Errorf("following: %+v, %v", subs, err)
		}
		if err := f.svc.Unfollow(ctx, member, "AP-ILO-01"); err != nil {
			t.Fatal(err)
		}
		af, err := f.svc.ClosuresFeed(ctx, "https://sriim.example.org", "es", 20, func(code string) string { return "/zonas/areas/" + code })
		var buf bytes.Buffer
		if err == nil {
			err = af.Write(&buf)
		}
		feed := buf.Bytes()
		if err != nil || !bytes.Contains(feed, []byte("AP-ILO-01 (Bahía de Ilo) cerrada del 2026-03-01 al 2026-03-15")) ||
			!bytes.Contains(feed, []byte(`href="https://sriim.example.org/zonas/areas/AP-ILO-02"`)) {
			t.Errorf("feed: %s, %v", feed, err)
		}
	})
}

// The indicators' sources give each year's state at its end (today for the
// current year, nothing for later ones).
func TestIndicatorSources(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.svc.Now = func() time.Time { return time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC) }
		f.loadAll(t)
		sources := map[string]indicators.Source{}
		for _, s := range f.svc.Sources() {
			sources[s.ID()] = s
		}
		compute := func(id, params string) (indicators.Result, error) {
			p, _ := url.ParseQuery(params)
			return sources[id].Compute(context.Background(), indicators.Query{Params: p, From: 2023, To: 2027})
		}
		for _, tt := range []struct {
			id, params, want string
		}{
			// DA-ILO-002 (9.99 ha) from 2023-06-01 to 2025-05-31; DA-ILO-001 (8.99 ha) from 2024-03-15; DA-ILO-003 (14.99 ha) from 2025-09-10.
			{"zones.rights", "", "map[2023:1 2024:2 2025:2 2026:2]"},
			{"zones.rights", "kind=autorizacion", "map[2023:1 2024:1 2025:0 2026:0]"},
			{"zones.hectares", "", "map[2023:9.99 2024:18.99 2025:23.98 2026:23.98]"},
			{"zones.hectares", "species=CHC&status=vencida", "map[2023:0 2024:0 2025:9.99 2026:9.99]"},
			// AP-ILO-01 is class A from 2024-01-10.
			{"zones.sanitary_control", "", "map[2023:0 2024:2 2025:2 2026:2]"},
			{"zones.registered", "", "map[2023:0 2024:0 2025:0 2026:3]"},
			{"zones.registered", "layer=natural-banks", "map[2023:0 2024:0 2025:0 2026:1]"},
			{"zones.closed_areas", "", "map[2023:0 2024:0 2025:0 2026:2]"},
		} {
			res, err := compute(tt.id, tt.params)
			if err != nil || fmt.Sprint(res.Values) != tt.want || res.Computation.Format == "" {
				t.Errorf("%s %s: %v, %v; want %s", tt.id, tt.params, res.Values, err, tt.want)
			}
		}
		if res, _ := compute("zones.rights", ""); len(res.Records) != 0 {
			t.Errorf("records of 2027, a year not begun: %v", res.Records)
		}
		res, _ := sources["zones.rights"].Compute(context.Background(), indicators.Query{From: 2026, To: 2026})
		if len(res.Records) != 2 || res.Records[0].Entity != "zone" || !strings.HasPrefix(res.Records[0].Label, "DA-ILO-001 – ") {
			t.Errorf("records: %v", res.Records)
		}
		for id, params := range map[string]string{"zones.rights": "kind=arriendo", "zones.hectares": "colour=red", "zones.registered": "layer=roads"} {
			if _, err := compute(id, params); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s %s: %v", id, params, err)
			}
		}
	})
}
