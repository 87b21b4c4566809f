package regulation_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/events"
	"sriim/internal/i18n"
	"sriim/internal/indicators"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/regulation"
	"sriim/internal/seeding"
	"sriim/internal/trade"
	"sriim/internal/workdays"
)

// compute runs one of the module's sources.
func compute(t *testing.T, svc *regulation.Service, id string, q indicators.Query) (indicators.Result, error) {
	t.Helper()
	for _, s := range svc.Sources() {
		if s.ID() == id {
			return s.Compute(context.Background(), q)
		}
	}
	t.Fatalf("no source %s", id)
	return indicators.Result{}, nil
}

// TestNormsInForceByYear: a norm counts from the year it takes effect until
// a published norm repeals it; a draft, and a repeal by a draft, do not count.
func TestNormsInForceByYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.svc.Now = func() time.Time { return time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC) }
		rep, err := f.svc.ImportNorms(context.Background(), f.editor, csvFile(
			"tipo,numero,titulo,publicacion,vigencia,deroga,temas,borrador",
			"resolucion_ministerial,100-2010-PRODUCE,Norma A,2010-01-05,,,prueba-fuente,no",
			"resolucion_ministerial,200-2012-PRODUCE,Norma B,2011-12-20,2012-01-10,,prueba-fuente; otro,no",
			"decreto_supremo,003-2014-PRODUCE,Norma C,2014-03-01,,RM-100-2010-PRODUCE,prueba-fuente,no",
			"resolucion_directoral,9-2016,Norma D (proyecto),2015-01-01,,RM-200-2012-PRODUCE,prueba-fuente,si",
		), "normas.csv")
		if err != nil || rep.Created != 4 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
		q := indicators.Query{Params: url.Values{"topic": {"Prueba-Fuente"}}, From: 2009, To: 2017}
		res, err := compute(t, f.svc, "regulation.norms", q)
		if err != nil {
			t.Fatal(err)
		}
		// 2010 A; 2011 A (B not yet in force); 2012–2013 A, B; from 2014 B, C (C repeals A); 2016 is today; 2017 has not begun.
		want := map[int]float64{2009: 0, 2010: 1, 2011: 1, 2012: 2, 2013: 2, 2014: 2, 2015: 2, 2016: 2}
		if len(res.Values) != len(want) {
			t.Errorf("values %v, want %v", res.Values, want)
		}
		for y, v := range want {
			if res.Values[y] != v {
				t.Errorf("%d: %v norms, want %v", y, res.Values[y], v)
			}
		}
		if len(res.Records) != 0 { // the records are those of the last year asked, 2017
			t.Errorf("records of a year not begun: %+v", res.Records)
		}
		q.To = 2016
		res, _ = compute(t, f.svc, "regulation.norms", q)
		if len(res.Records) != 2 || res.Records[0].Code != "DS-003-2014-PRODUCE" || res.Records[1].Code != "RM-200-2012-PRODUCE" || res.Records[0].Entity != "norm" {
			t.Errorf("records: %+v", res.Records)
		}
		if !strings.Contains(res.Computation.Format, "in force") {
			t.Errorf("computation: %+v", res.Computation)
		}
		q.Params.Set("kind", "decreto_supremo")
		if res, _ = compute(t, f.svc, "regulation.norms", q); res.Values[2013] != 0 || res.Values[2014] != 1 {
			t.Errorf("decrees: %v", res.Values)
		}
		for _, bad := range []url.Values{{"kind": {"edicto"}}, {"procedure": {"X"}}} {
			if _, err := compute(t, f.svc, "regulation.norms", indicators.Query{Params: bad, From: 2010, To: 2011}); !errs.Is(err, errs.Invalid) {
				t.Errorf("%v: %v", bad, err)
			}
		}
	})
}

// TestProcedureDaysByYear: the median business days of the cases resolved
// in each year, of the activity's procedures or of the one named.
func TestProcedureDaysByYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		loadProcedure(t, f)
		q := indicators.Query{Activity: indicators.Activity{Code: "3.4.3"}, From: 2023, To: 2025}
		res, err := compute(t, f.svc, "regulation.procedure_days", q)
		if err != nil {
			t.Fatal(err)
		}
		// 2024: one case of 2 business days; 2025: 1 5 10 20 30 40, median the 3rd; 2023 none.
		if len(res.Values) != 2 || res.Values[2024] != 2 || res.Values[2025] != 10 || res.Breakdown["cases"][2025] != 6 || res.Unit != "days" {
			t.Errorf("3.4.3: %+v", res)
		}
		if len(res.Records) != 1 || res.Records[0].Entity != "procedure" || res.Records[0].Code != "REG-SAN" {
			t.Errorf("records: %+v", res.Records)
		}
		q.Params = url.Values{"cumulative": {"true"}}
		// 2025 from 2023: 1 2 5 10 20 30 40, median the 4th.
		if res, _ = compute(t, f.svc, "regulation.procedure_days", q); res.Values[2025] != 10 || res.Breakdown["cases"][2025] != 7 {
			t.Errorf("cumulative: %+v", res.Values)
		}
		// An activity without procedures has no value; the procedure named counts.
		q = indicators.Query{Activity: indicators.Activity{Code: "1.3.4"}, From: 2024, To: 2025}
		if res, _ = compute(t, f.svc, "regulation.procedure_days", q); len(res.Values) != 0 {
			t.Errorf("1.3.4 without procedures: %v", res.Values)
		}
		q.Params = url.Values{"procedure": {"reg-san"}}
		if res, _ = compute(t, f.svc, "regulation.procedure_days", q); res.Values[2024] != 2 || res.Values[2025] != 10 {
			t.Errorf("procedure REG-SAN: %v", res.Values)
		}
		q.Params = url.Values{"procedure": {"NADA"}}
		if _, err := compute(t, f.svc, "regulation.procedure_days", q); !errs.Is(err, errs.NotFound) {
			t.Errorf("an unknown procedure: %v", err)
		}
	})
}

// TestProcedureFeeByYear: a procedure's fee counts from the year of its
// fee; without a procedure named, the activity's published procedures'
// fees are summed.
func TestProcedureFeeByYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		loadProcedure(t, f) // REG-SAN (3.4.3) costs S/ 535 from 2025
		if _, err := f.svc.ImportProcedures(context.Background(), f.editor, strings.NewReader(
			"codigo,nombre,institucion,dias_habiles,silencio,tasa_soles,requisitos,anio_tasa,actividades,borrador\n"+
				"LIC-PLANTA,Licencia de operación de planta,DIREPRO-ILO,30,positivo,\"362,60\",Solicitud,2025,1.3.4,no\n"+
				"HAB-PLANTA,Habilitación sanitaria de plantas,ITP,30,positivo,\"1.000,00\",Solicitud,2026,1.3.4,no\n"+
				"HAB-NUEVA,Habilitación en preparación,ITP,30,positivo,50,Solicitud,2024,1.3.4,si\n"), "p.csv"); err != nil {
			t.Fatal(err)
		}
		q := indicators.Query{Activity: indicators.Activity{Code: "1.3.4"}, From: 2024, To: 2026}
		res, err := compute(t, f.svc, "regulation.procedure_fee", q)
		if err != nil {
			t.Fatal(err)
		}
		// 2024: only the draft's fee, which does not count.
		if len(res.Values) != 2 || res.Values[2025] != 362.6 || res.Values[2026] != 1362.6 || res.Unit != "S/" || len(res.Records) != 2 {
			t.Errorf("1.3.4: %+v", res)
		}
		q.Params = url.Values{"procedure": {"reg-san"}}
		if res, _ = compute(t, f.svc, "regulation.procedure_fee", q); len(res.Values) != 2 || res.Values[2025] != 535 || res.Values[2026] != 535 {
			t.Errorf("REG-SAN: %v", res.Values)
		}
		for _, code := range []string{"habilitacion_sanitaria", "HAB-NUEVA"} {
			q.Params = url.Values{"procedure": {code}}
			if _, err := compute(t, f.svc, "regulation.procedure_fee", q); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s: %v, want NotFound", code, err)
			}
		}
		q.Params = url.Values{"kind": {"x"}}
		if _, err := compute(t, f.svc, "regulation.procedure_fee", q); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown parameter: %v", err)
		}
	})
}

// TestSeedBindsThePlantLicensingFee: the seed plan's "Costo de la
// habilitación" (1.3.4) is computed from the fees of the activity's
// procedures: an editor records the plant licensing and the plan shows its
// cost.
func TestSeedBindsThePlantLicensingFee(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		acc := accounts.New(d)
		plans, prod, tr, reg := planning.New(d, t.TempDir()), production.New(d), trade.New(d), actors.New(d)
		svc := regulation.New(d, workdays.New(d))
		// The sources the seed binds to, as internal/app registers them.
		sources := indicators.NewRegistry(reg.Source(), prod.Source(), tr.Source())
		sources.Register(acc.Sources()...)
		sources.Register(events.New(d, reg).Sources()...)
		sources.Register(svc.Sources()...)
		ind := indicators.New(d, sources)
		plans.Indicators = ind
		if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: prod, Planning: plans,
			Trade: tr, Indicators: ind}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		itp, _ := acc.InstitutionByCode(ctx, "ITP")
		editor := auth.Principal{UserID: 1, Email: "ed@itp", Role: auth.Editor, Institutions: []int64{itp.ID}}
		if _, err := svc.ImportProcedures(ctx, editor, strings.NewReader(
			"codigo,nombre,institucion,dias_habiles,silencio,tasa_soles,requisitos,anio_tasa,actividades\n"+
				"HAB-PLANTA,Habilitación sanitaria de plantas de procesamiento,ITP,30,positivo,\"1.234,50\",Solicitud,2007,1.3.4\n"), "p.csv"); err != nil {
			t.Fatal(err)
		}
		list, _ := plans.Plans(ctx)
		views, err := plans.IndicatorViews(ctx, list[0].ID, "1.3.4", 2009, i18n.ES)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range views {
			if v.Name == "Costo de la habilitación" {
				if v.Source != planning.SourceComputed || v.SourceID != "regulation.procedure_fee" || v.Values["2008"] != 1234.5 || len(v.Records) != 1 {
					t.Errorf("Costo de la habilitación: %+v", v)
				}
				return
			}
		}
		t.Error("1.3.4 has no indicator Costo de la habilitación")
	})
}
