package regulation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sriim/data/seed"
	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/filestore"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/regulation"
	"sriim/internal/seeding"
	"sriim/internal/seedtext"
	"sriim/internal/trade"
	"sriim/internal/workdays"
)

type fixture struct {
	db              *db.DB
	svc             *regulation.Service
	days            *workdays.Service
	editor          auth.Principal // DIREPRO Ilo, which keeps the seed's records
	other           auth.Principal // IMARPE
	admin           auth.Principal
	anon            auth.Principal
	direpro, imarpe int64
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	acc := accounts.New(d)
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d),
		Planning: planning.New(d, t.TempDir()), Trade: trade.New(d)}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	imarpe, _ := acc.InstitutionByCode(ctx, "IMARPE")
	days := workdays.New(d)
	return fixture{db: d, svc: regulation.New(d, days), days: days, direpro: direpro.ID, imarpe: imarpe.ID,
		editor: auth.Principal{UserID: 10, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}},
		other:  auth.Principal{UserID: 11, Email: "ed@imarpe", Role: auth.Editor, Institutions: []int64{imarpe.ID}},
		admin:  auth.Principal{UserID: 12, Email: "mesa@example.org", Role: auth.Admin}}
}

func csvFile(lines ...string) io.Reader { return strings.NewReader(strings.Join(lines, "\n") + "\n") }

func links(v regulation.NormView) []string {
	var out []string
	for _, l := range v.Links {
		dir := "→"
		if l.Incoming {
			dir = "←"
		}
		out = append(out, l.Kind+dir+l.Norm.Code+":"+l.Norm.EffectiveStatus)
	}
	return out
}

func TestSeedNormsAndRequirements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		loco, err := f.svc.Norm(ctx, f.anon, "rm-383-2004-produce")
		if err != nil {
			t.Fatal(err)
		}
		if loco.Citation != "R.M. N° 383-2004-PRODUCE" || loco.Species[0] != "SNE" || !strings.Contains(loco.Source, "Plan Operativo de Moluscos") ||
			loco.InstitutionID != f.direpro || loco.EffectiveStatus != "in_force" {
			t.Errorf("R.M. 383-2004-PRODUCE: %+v", loco)
		}
		// The reglamento the seed cites was replaced: shown repealed, by whom, both ways.
		old, err := f.svc.Norm(ctx, f.anon, "DS-01-94-PE")
		if err != nil {
			t.Fatal(err)
		}
		if old.EffectiveStatus != "repealed" || strings.Join(links(old), " ") != "regulates→DL-25977:in_force repeals←DS-012-2001-PE:in_force" {
			t.Errorf("DS 01-94-PE: %s, links %v", old.EffectiveStatus, links(old))
		}
		law, _ := f.svc.Norm(ctx, f.anon, "LEY-27460")
		if law.Status != "in_force" || law.EffectiveStatus != "repealed" || strings.Join(links(law), " ") != "repeals←DLEG-1195:in_force" {
			t.Errorf("Ley 27460, recorded %s: %s, links %v; want repealed by D. Leg. 1195", law.Status, law.EffectiveStatus, links(law))
		}
		pesca, _ := f.svc.Norm(ctx, f.anon, "DL-25977")
		if strings.Join(links(pesca), " ") != "regulates←DS-01-94-PE:repealed regulates←DS-012-2001-PE:in_force" {
			t.Errorf("Ley General de Pesca's links: %v", links(pesca))
		}
		ind, err := f.svc.NormIndicators(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ind) != 2 || ind[0].Activity != "3.1.3" || ind[0].Total != 1 || ind[0].ByYear[2015] != 1 || ind[0].Norms[0].Code != "DLEG-1195" ||
			ind[1].Activity != "3.1.5" || ind[1].Total != 0 {
			t.Errorf("norm indicators: %+v", ind)
		}
		hk, err := f.svc.Requirements(ctx, f.anon, "loco_congelado", 344, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hk.Documents) != 1 || hk.Documents[0].Code != "HK-0307-SAN" || hk.Documents[0].Kind != "sanitary_certificate" ||
			!strings.Contains(hk.Documents[0].Source, "2.4.2") || hk.Documents[0].DocumentEN == "" {
			t.Errorf("Hong Kong asks loco_congelado for %+v", hk.Documents)
		}
	})
}

// TestNormRelationsBothWays: B amends A, C repeals A: A shows both, as
// "amended by" and "repealed by", and is repealed; B and C show what they
// do. A draft's relation changes nobody's status and is seen by its editors only.
func TestNormRelationsBothWays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		rep, err := f.svc.ImportNorms(ctx, f.editor, csvFile(
			"tipo,numero,titulo,publicacion,modifica,deroga,reglamenta,borrador",
			"resolucion_ministerial,100-2010-PRODUCE,Norma A,2010-01-05,,,,no",
			"resolucion_ministerial,200-2012-PRODUCE,Norma B,05/02/2012,RM-100-2010-PRODUCE,,,no",
			"decreto_supremo,003-2014-PRODUCE,Norma C,2014-03-01,,RM-100-2010-PRODUCE,RM-200-2012-PRODUCE,no",
			"resolucion_directoral,9-2016,Norma D (proyecto),,,RM-200-2012-PRODUCE,,si",
		), "normas.csv")
		if err != nil || rep.Created != 4 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
		a, err := f.svc.Norm(ctx, f.anon, "RM-100-2010-PRODUCE")
		if err != nil {
			t.Fatal(err)
		}
		if a.EffectiveStatus != "repealed" || strings.Join(links(a), " ") != "amends←RM-200-2012-PRODUCE:in_force repeals←DS-003-2014-PRODUCE:in_force" {
			t.Errorf("A: %s, %v", a.EffectiveStatus, links(a))
		}
		b, _ := f.svc.Norm(ctx, f.anon, "RM-200-2012-PRODUCE")
		if b.EffectiveStatus != "in_force" || strings.Join(links(b), " ") != "amends→RM-100-2010-PRODUCE:repealed regulates←DS-003-2014-PRODUCE:in_force" {
			t.Errorf("B as the public sees it: %s, %v (the draft D that repeals it is not shown, nor counts)", b.EffectiveStatus, links(b))
		}
		c, _ := f.svc.Norm(ctx, f.anon, "DS-003-2014-PRODUCE")
		if strings.Join(links(c), " ") != "repeals→RM-100-2010-PRODUCE:repealed regulates→RM-200-2012-PRODUCE:in_force" {
			t.Errorf("C: %v", links(c))
		}
		b, _ = f.svc.Norm(ctx, f.editor, "RM-200-2012-PRODUCE")
		if b.EffectiveStatus != "in_force" || !strings.Contains(strings.Join(links(b), " "), "repeals←RD-9-2016:in_force") {
			t.Errorf("B as its editor sees it: %s, %v", b.EffectiveStatus, links(b))
		}
		repealed, _ := f.svc.Norms(ctx, f.anon, regulation.NormFilter{Status: "repealed"})
		var codes []string
		for _, n := range repealed {
			codes = append(codes, n.Code)
		}
		if strings.Join(codes, " ") != "RM-100-2010-PRODUCE LEY-27460 DS-01-94-PE" {
			t.Errorf("repealed norms, latest first: %v", codes)
		}
		// A relation to a norm nobody recorded, and one to itself, are refused by row.
		_, err = f.svc.ImportNorms(ctx, f.editor, csvFile("tipo,numero,titulo,deroga",
			"ley,99999,Ley que no existe,LEY-12345", "ley,88888,Ley que se deroga,LEY-88888"), "x.csv")
		var e *errs.Error
		if !errs.Is(err, errs.Invalid) || !asErr(err, &e) || !strings.Contains(e.Fields["fila 2, columna modifica"], "LEY-12345") ||
			!strings.Contains(e.Fields["fila 3, columna modifica"], "itself") {
			t.Errorf("bad relations: %v %v", err, e)
		} else if _, fields := i18n.ErrorText(i18n.ES, e); fields["fila 2, columna modifica"] != "norma desconocida LEY-12345: indique el código de una norma registrada" ||
			fields["fila 3, columna modifica"] != "una norma no puede referirse a sí misma" {
			t.Errorf("bad relations in Spanish: %q", fields)
		}
		// Who may not add norms is told so, in Spanish too.
		member := auth.Principal{UserID: 13, Email: "socio@example.org", Role: auth.Member, Institutions: f.editor.Institutions}
		_, err = f.svc.ImportNorms(ctx, member, csvFile("tipo,numero,titulo", "ley,77777,Ley nueva"), "x.csv")
		if !errs.Is(err, errs.Forbidden) || !asErr(err, &e) {
			t.Errorf("a member imports norms: %v", err)
		} else if _, fields := i18n.ErrorText(i18n.ES, e); fields["fila 2"] != "usted no puede agregar normas" {
			t.Errorf("a member imports norms, in Spanish: %q", fields)
		}
		if err := f.svc.DeleteNorm(ctx, f.editor, "RM-100-2010-PRODUCE", 0); !errs.Is(err, errs.Conflict) {
			t.Errorf("deleting a norm that others cite: %v, want conflict", err)
		}
	})
}

func asErr(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	*target = e
	return ok
}

// procedureFile is a procedure with a 30-business-day term and a fee of
// 535 soles in 2025 (a tenth of that year's UIT of 5,350).
const procedureFile = "codigo,nombre,institucion,dias_habiles,silencio,tasa_soles,requisitos,anio_tasa,base_legal,actividades,pasos\n" +
	"REG-SAN,Registro sanitario de productos pesqueros,ITP,30,negativo,535,Solicitud; Análisis de laboratorio; Pago de la tasa,2025,DS-012-2001-PE,3.4.3,Presentar; Inspección; Resolución\n"

// casesFile: six cases filed on Monday 3 February 2025 and resolved 1, 5,
// 10, 20, 30 and 40 business days later (no holiday falls between), one
// resolved in 2024 across Fiestas Patrias (2 business days, 5 calendar
// days) and one still open.
const casesFile = "procedimiento,ruc,presentado,resuelto,resultado,expediente\n" +
	"REG-SAN,20100000009,2025-02-03,2025-02-04,aprobado,E-1\n" +
	"REG-SAN,20100000009,2025-02-03,2025-02-10,aprobado,E-2\n" +
	"REG-SAN,,2025-02-03,2025-02-17,denegado,E-3\n" +
	"REG-SAN,,2025-02-03,2025-03-03,aprobado,E-4\n" +
	"REG-SAN,,2025-02-03,17/03/2025,aprobado,E-5\n" +
	"REG-SAN,,2025-02-03,2025-03-31,aprobado,E-6\n" +
	"REG-SAN,,2024-07-25,2024-07-30,aprobado,E-7\n" +
	"REG-SAN,,2025-04-01,,,E-8\n"

func loadProcedure(t *testing.T, f fixture) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.ImportProcedures(ctx, f.editor, strings.NewReader(procedureFile), "p.csv"); err != nil {
		t.Fatal(err)
	}
	if rep, err := f.svc.ImportCases(ctx, f.editor, strings.NewReader(casesFile), "c.csv"); err != nil || rep.Created != 8 {
		t.Fatalf("cases: %+v, %v", rep, err)
	}
}

func TestProcedureStatsOnKnownCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		loadProcedure(t, f)
		st, err := f.svc.ProcedureStats(ctx, f.anon, "REG-SAN", 2025)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(st)
		// Business days 1, 5, 10, 20, 30, 40 (calendar 1, 7, 14, 28, 42, 56): the
		// median is the 3rd (⌈0.5·6⌉), the 90th percentile the 6th (⌈5.4⌉); 5 of 6 within 30.
		want := `{"code":"REG-SAN","name":"Registro sanitario de productos pesqueros","legal_days":30,"fee":{"pen":535,"uit_share":0.1},` +
			`"observed":{"n":6,"business_days":{"median":10,"p90":40},"calendar_days":{"median":14,"p90":56},"within_legal_share":0.8333}}`
		if string(b) != want {
			t.Errorf("2025:\n got %s\nwant %s", b, want)
		}
		all, _ := f.svc.ProcedureStats(ctx, f.anon, "REG-SAN", 0)
		b, _ = json.Marshal(all.Observed)
		// With 2024's case (2 business days): 1 2 5 10 20 30 40, median the 4th, p90 the 7th.
		if want := `{"n":7,"business_days":{"median":10,"p90":40},"calendar_days":{"median":14,"p90":56},"within_legal_share":0.8571}`; string(b) != want {
			t.Errorf("all years:\n got %s\nwant %s", b, want)
		}
		none, _ := f.svc.ProcedureStats(ctx, f.anon, "REG-SAN", 2020)
		b, _ = json.Marshal(none.Observed)
		if want := `{"n":0,"business_days":{"median":null,"p90":null},"calendar_days":{"median":null,"p90":null},"within_legal_share":null}`; string(b) != want {
			t.Errorf("a year without cases: %s", b)
		}
		trend, _ := f.svc.ProcedureTrend(ctx, f.anon, "REG-SAN")
		if len(trend) != 2 || trend[0].Year != 2024 || trend[0].Observed.N != 1 || *trend[0].Observed.BusinessDays.Median != 2 ||
			*trend[0].Observed.CalendarDays.Median != 5 || trend[1].Year != 2025 || trend[1].Observed.N != 6 {
			t.Errorf("trend: %+v", trend)
		}
		ind, _ := f.svc.ProcedureIndicators(ctx, 2025)
		if ind[1].Activity != "3.4.3" || len(ind[1].Procedures) != 1 || ind[1].Procedures[0].Approved != 5 ||
			*ind[1].Procedures[0].Observed.BusinessDays.Median != 10 || len(ind[0].Procedures) != 0 {
			t.Errorf("indicators: %+v", ind)
		}
		// The cases are the keeper's to read; the public gets the figures only.
		if list, _ := f.svc.Cases(ctx, f.anon, "REG-SAN"); len(list) != 0 {
			t.Errorf("anonymous reads %d cases", len(list))
		}
		list, err := f.svc.Cases(ctx, f.editor, "REG-SAN")
		if err != nil || len(list) != 8 || *list[0].BusinessDays != 2 || list[0].Due != "2024-09-10" || list[7].Resolved != "" ||
			list[7].BusinessDays != nil || list[1].ApplicantRUC != "20100000009" {
			t.Errorf("the editor's cases: %v %+v", err, list)
		}
	})
}

func TestFeeIsAShareOfTheYearsUIT(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		loadProcedure(t, f)
		v, err := f.svc.Procedure(ctx, f.anon, "REG-SAN")
		if err != nil {
			t.Fatal(err)
		}
		if *v.Fee.PEN != 535 || *v.Fee.UITShare != 0.1 || v.UIT.ValuePEN != 5350 || !strings.Contains(v.UIT.Source, "260-2024-EF") {
			t.Errorf("fee %+v, UIT %+v", v.Fee, v.UIT)
		}
		if len(v.LegalNorms) != 1 || v.LegalNorms[0].Citation != "D.S. N° 012-2001-PE" || len(v.Requirements) != 3 || v.Steps[2] != "Resolución" {
			t.Errorf("procedure %+v", v)
		}
		// The same soles in 2007 are a larger share of that year's UIT (3,450).
		c := v.Procedure
		c.FeeYear = 2007
		fee := 362.6
		c.FeePEN = &fee
		if _, err := f.svc.UpdateProcedure(ctx, f.editor, "REG-SAN", c); err != nil {
			t.Fatal(err)
		}
		v, _ = f.svc.Procedure(ctx, f.anon, "REG-SAN")
		if *v.Fee.UITShare != 0.105101 || v.UIT.Year != 2007 {
			t.Errorf("362.60 soles in 2007: share %v of %+v; want 0.105101 of 3450", *v.Fee.UITShare, v.UIT)
		}
		// A year whose UIT is not recorded gives no share until an administrator adds it.
		c, fee = v.Procedure, 100
		c.FeeYear, c.FeePEN = 1995, &fee
		c, err = f.svc.UpdateProcedure(ctx, f.editor, "REG-SAN", c)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ = f.svc.Procedure(ctx, f.anon, "REG-SAN"); v.Fee.UITShare != nil {
			t.Errorf("share without the year's UIT: %v", *v.Fee.UITShare)
		}
		if _, err := f.svc.PutUIT(ctx, f.editor, regulation.UIT{Year: 1995, ValuePEN: 2000, Source: "D.S. N° 178-94-EF"}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("an editor sets the UIT: %v", err)
		}
		if _, err := f.svc.PutUIT(ctx, f.admin, regulation.UIT{Year: 1995, ValuePEN: 2000, Source: "D.S. N° 178-94-EF"}); err != nil {
			t.Fatal(err)
		}
		if v, _ = f.svc.Procedure(ctx, f.anon, "REG-SAN"); v.Fee.UITShare == nil || *v.Fee.UITShare != 0.05 {
			t.Errorf("share after the UIT of 1995: %+v", v.Fee)
		}
	})
}

func TestImportWithABadRowWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		bad := "codigo,nombre,institucion,dias_habiles,silencio,tasa_soles,requisitos\n" +
			"HAB-PLANTA,Habilitación sanitaria de plantas,ITP,30,positivo,\"1.234,50\",Solicitud; Plano de la planta\n" +
			"REG-X,Registro,NOEXISTE,treinta,quizás,abc,\n"
		_, err := f.svc.ImportProcedures(ctx, f.editor, strings.NewReader(bad), "p.csv")
		var e *errs.Error
		if !asErr(err, &e) || e.Kind != errs.Invalid {
			t.Fatalf("a bad row: %v", err)
		}
		for _, col := range []string{"institucion", "dias_habiles", "silencio", "tasa_soles"} {
			if e.Fields["fila 3, columna "+col] == "" {
				t.Errorf("no problem for row 3, column %s: %v", col, e.Fields)
			}
		}
		if list, _ := f.svc.Procedures(ctx, f.admin, ""); len(list) != 0 {
			t.Fatalf("%d procedures written from a file with a bad row", len(list))
		}
		good := strings.SplitAfter(bad, "\n")
		rep, err := f.svc.ImportProcedures(ctx, f.editor, strings.NewReader(good[0]+good[1]), "p.csv")
		if err != nil || rep.Created != 1 {
			t.Fatalf("the good row: %+v, %v", rep, err)
		}
		v, _ := f.svc.Procedure(ctx, f.anon, "hab-planta")
		if *v.FeePEN != 1234.5 || v.Silence != "positive" || v.FeeYear != f.svc.Now().Year() || len(v.Requirements) != 2 || v.Authority != "ITP" {
			t.Errorf("imported %+v", v.Procedure)
		}
		if rep, _ := f.svc.ImportProcedures(ctx, f.editor, strings.NewReader(good[0]+good[1]), "p.csv"); rep.Unchanged != 1 {
			t.Errorf("the same file again: %+v", rep)
		}
		changed := strings.Replace(good[0]+good[1], ",30,", ",25,", 1)
		if rep, _ := f.svc.ImportProcedures(ctx, f.editor, strings.NewReader(changed), "p.csv"); rep.Updated != 1 {
			t.Errorf("a changed term: %+v", rep)
		}
		// Cases: a RUC with a wrong check digit, a resolution before filing,
		// an outcome without a resolution, and an unknown procedure.
		_, err = f.svc.ImportCases(ctx, f.editor, csvFile("procedimiento,ruc,presentado,resuelto,resultado",
			"HAB-PLANTA,20100000009,2025-02-03,2025-02-20,aprobado",
			"HAB-PLANTA,20100000002,2025-02-03,2025-01-20,aprobado",
			"HAB-PLANTA,,2025-02-03,,aprobado",
			"NADA,,2025-02-03,,",
			"HAB-PLANTA,,2031-02-03,,"), "c.csv")
		if !asErr(err, &e) || e.Kind != errs.Invalid || e.Fields["fila 3, columna ruc"] == "" || e.Fields["fila 3, columna resuelto"] == "" ||
			e.Fields["fila 4, columna resuelto"] == "" || e.Fields["fila 5, columna procedimiento"] == "" ||
			e.Fields["fila 6, columna presentado"] == "" || e.Fields["fila 2, columna ruc"] != "" {
			t.Fatalf("bad cases: %v %v", err, e)
		}
		// A Spanish page or API answer says the same in Spanish.
		message, fields := i18n.ErrorText(i18n.ES, e)
		for key, want := range map[string]string{
			"fila 3, columna ruc":           "el dígito verificador no coincide: ¿error de digitación?",
			"fila 3, columna resuelto":      "no antes del día en que se presentó",
			"fila 4, columna resuelto":      "un expediente con resultado tiene el día en que se resolvió",
			"fila 5, columna procedimiento": "el código de un procedimiento registrado",
			"fila 6, columna presentado":    "no después de hoy",
		} {
			if fields[key] != want {
				t.Errorf("%s in Spanish: %q; want %q", key, fields[key], want)
			}
		}
		if message != "el archivo tiene 5 problemas; no se importó nada" {
			t.Errorf("in Spanish: %q", message)
		}
		if list, _ := f.svc.Cases(ctx, f.editor, "HAB-PLANTA"); len(list) != 0 {
			t.Errorf("%d cases written", len(list))
		}
		// A case imported open, then again resolved, is one case.
		open := "procedimiento,ruc,presentado,resuelto,resultado\nHAB-PLANTA,20100000009,2025-02-03,,\n"
		if rep, err := f.svc.ImportCases(ctx, f.editor, strings.NewReader(open), "c.csv"); err != nil || rep.Created != 1 {
			t.Fatal(rep, err)
		}
		closed := "procedimiento,ruc,presentado,resuelto,resultado\nHAB-PLANTA,20100000009,2025-02-03,2025-02-20,aprobado\n"
		if rep, err := f.svc.ImportCases(ctx, f.editor, strings.NewReader(closed), "c.csv"); err != nil || rep.Updated != 1 {
			t.Fatal(rep, err)
		}
		if list, _ := f.svc.Cases(ctx, f.editor, "HAB-PLANTA"); len(list) != 1 || *list[0].BusinessDays != 13 {
			t.Errorf("cases %+v", list)
		}
		// Another institution's editor may not add cases to this procedure.
		if _, err := f.svc.ImportCases(ctx, f.other, strings.NewReader(open), "c.csv"); !errs.Is(err, errs.Forbidden) || !asErr(err, &e) {
			t.Errorf("IMARPE imports DIREPRO's cases: %v", err)
		} else if message, fields := i18n.ErrorText(i18n.ES, e); message != "usted no puede cambiar algunos de estos registros; no se importó nada" ||
			fields["fila 2, columna procedimiento"] != "el procedimiento lo mantiene otra institución" {
			t.Errorf("IMARPE imports DIREPRO's cases, in Spanish: %q %q", message, fields)
		}
	})
}

// TestRequirementsForAProductAndMarket: what Japan asks of frozen loco —
// the documents for its HS heading, none of another market's, and the
// tariffs: MFN and the EPA's preferential rate, the latest up to the year.
func TestRequirementsForAProductAndMarket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		loadProcedure(t, f)
		_, err := f.svc.ImportRequirements(ctx, f.editor, csvFile(
			"codigo,producto,mercado,tipo,documento,emisor,procedimiento,normas,acuerdo,arancel,anio",
			"JP-SAN,loco_congelado,Japón,certificado_sanitario,Certificado sanitario,SANIPES,REG-SAN,UE-R-853-2004,,,",
			"JP-MFN-24,030799,JPN,arancel_nmf,,,,,,\"10,5\",2024",
			"JP-MFN-25,030799,392,arancel_nmf,,,,,,10%,2025",
			"JP-EPA-25,030799,JP,arancel_preferencial,,,,,AAE-PE-JP,0,2025",
			"JP-FRESH,030791,JPN,etiquetado,Etiqueta fresco,,,,,,",
			"CL-SAN,loco_congelado,CHL,certificado_sanitario,Certificado,,,,,,",
		), "r.csv")
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.Requirements(ctx, f.anon, "loco_congelado", 392, 0)
		if err != nil {
			t.Fatal(err)
		}
		var docs []string
		for _, doc := range v.Documents {
			docs = append(docs, doc.Code)
		}
		if strings.Join(docs, " ") != "JP-SAN JP-0307-ORI JP-0307-ETI JP-0307-NOT" {
			t.Errorf("documents for frozen loco in Japan: %v", docs)
		}
		san := v.Documents[0]
		if san.ProcedureFigure == nil || san.ProcedureFigure.LegalDays != 30 || *san.ProcedureFigure.Observed.BusinessDays.Median != 10 ||
			len(san.NormRefs) != 1 || san.NormRefs[0].Citation != "Reglamento (CE) N° 853/2004" || san.MarketName[1] != "Japan" {
			t.Errorf("the sanitary certificate: %+v", san)
		}
		tariffs := func(v regulation.RequirementsView) string {
			var out []string
			for _, t := range v.Tariffs {
				name := "MFN"
				if t.AgreementRef != nil {
					name = t.AgreementRef.Title
				}
				out = append(out, name+" "+strings.TrimRight(strings.TrimRight(jsonNum(*t.RatePct), "0"), ".")+"% "+itoa(t.ValidYear))
			}
			return strings.Join(out, "; ")
		}
		if got := tariffs(v); got != "MFN 10% 2025; Acuerdo de Asociación Económica entre el Perú y el Japón 0% 2025" {
			t.Errorf("tariffs now: %s", got)
		}
		v2024, _ := f.svc.Requirements(ctx, f.anon, "loco_congelado", 392, 2024)
		if got := tariffs(v2024); got != "MFN 10.5% 2024" {
			t.Errorf("tariffs for 2024: %s", got)
		}
		// Fresh loco has its own label, and neither frozen loco's certificate nor its tariff lines.
		fresh, _ := f.svc.Requirements(ctx, f.anon, "loco_fresco", 392, 0)
		docs = nil
		for _, doc := range fresh.Documents {
			docs = append(docs, doc.Code)
		}
		if len(fresh.Tariffs) != 0 || strings.Join(docs, " ") != "JP-0307-ORI JP-0307-ETI JP-FRESH JP-0307-NOT" {
			t.Errorf("fresh loco in Japan: %d tariffs, documents %v", len(fresh.Tariffs), docs)
		}
		// Spain gets the European Union's requirements.
		spain, _ := f.svc.Requirements(ctx, f.anon, "1605901000", 724, 0)
		if len(spain.Documents) != 5 || spain.Documents[0].Code != "UE-1605-SAN" || spain.Documents[0].MarketName[0] != "Unión Europea" {
			t.Errorf("Spain: %+v", spain.Documents)
		}
		// A bad row: an unknown market and product, a tariff without its year,
		// and a preferential rate under a norm that is no agreement.
		_, err = f.svc.ImportRequirements(ctx, f.editor, csvFile("codigo,producto,mercado,tipo,acuerdo,arancel,anio",
			"X-1,perlas,Atlántida,arancel_nmf,,5,",
			"X-2,0307,JPN,arancel_preferencial,DL-25977,5,2025"), "r.csv")
		var e *errs.Error
		if !asErr(err, &e) || e.Fields["fila 2, columna producto"] == "" || e.Fields["fila 2, columna mercado"] == "" ||
			e.Fields["fila 2, columna anio"] == "" || e.Fields["fila 3, columna acuerdo"] == "" {
			t.Errorf("bad requirements: %v %v", err, e)
		}
	})
}

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	s := string(b)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestDraftsAreSeenByTheirEditorsOnly: a draft norm, procedure and
// requirement are seen, searched, exported and changed by the editors of
// the institution that keeps them and by administrators, by nobody else.
func TestDraftsAreSeenByTheirEditorsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		n, err := f.svc.CreateNorm(ctx, f.editor, regulation.Norm{Kind: "ordenanza_regional", Number: "010-2007-CR/GRM",
			Title: "Declara al loco producto bandera de Moquegua", Activities: []string{"4.3.2"}, Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		if n.Code != "OR-010-2007-CR-GRM" || n.InstitutionID != f.direpro {
			t.Errorf("created %+v", n)
		}
		member := auth.Principal{UserID: 20, Email: "m@x", Role: auth.Member, ActorID: 1}
		for _, p := range []auth.Principal{f.anon, f.other, member} {
			if _, err := f.svc.Norm(ctx, p, n.Code); !errs.Is(err, errs.NotFound) {
				t.Errorf("%q reads the draft: %v", p.Email, err)
			}
			hits, _ := f.svc.Search(ctx, p, "producto bandera", 10)
			if len(hits) != 0 {
				t.Errorf("%q finds the draft: %v", p.Email, hits)
			}
			list, _ := f.svc.Norms(ctx, p, regulation.NormFilter{Activity: "4.3.2"})
			_, rows, _ := f.svc.ExportNorms(ctx, p)
			if len(list) != 0 || len(rows) != 18 {
				t.Errorf("%q lists %d, exports %d norms", p.Email, len(list), len(rows))
			}
		}
		for _, p := range []auth.Principal{f.editor, f.admin} {
			if _, err := f.svc.Norm(ctx, p, n.Code); err != nil {
				t.Errorf("%q cannot read the draft: %v", p.Email, err)
			}
			if hits, _ := f.svc.Search(ctx, p, "producto bandera", 10); len(hits) != 1 || hits[0].Code != n.Code {
				t.Errorf("%q searches: %v", p.Email, hits)
			}
		}
		// The draft does not count for the plan until it is published.
		n.Draft = false
		if _, err := f.svc.UpdateNorm(ctx, f.other, n.Code, n); !errs.Is(err, errs.Forbidden) {
			t.Errorf("IMARPE publishes DIREPRO's norm: %v", err)
		}
		if _, err := f.svc.UpdateNorm(ctx, f.anon, n.Code, n); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous changes a norm: %v", err)
		}
		if _, err := f.svc.UpdateNorm(ctx, f.editor, n.Code, n); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Norm(ctx, f.anon, n.Code); err != nil {
			t.Errorf("the published norm: %v", err)
		}
		// A change based on the version read before is refused, naming what changed.
		n.Title = "Otro título"
		_, err = f.svc.UpdateNorm(ctx, f.editor, n.Code, n)
		var e *errs.Error
		if !asErr(err, &e) || e.Kind != errs.Conflict || e.Stale == nil || e.Stale.CurrentVersion != 2 || len(e.Stale.Changes) != 1 ||
			e.Stale.Changes[0].Field != "draft" {
			t.Errorf("a stale change: %v %+v", err, e)
		}
		entries, _ := audit.List(ctx, d, audit.Filter{Entity: "norm", EntityID: itoa(int(n.ID))})
		if len(entries) != 2 || entries[0].Action != audit.Update || entries[1].Action != audit.Create {
			t.Errorf("audit: %+v", entries)
		}
		// A draft procedure: no page, no figures, no cases for others.
		draft := strings.Replace(procedureFile, ",3.4.3,", ",3.4.3,", 1)
		draft = strings.Replace(draft, "actividades,pasos", "actividades,pasos,borrador", 1)
		draft = strings.Replace(draft, "Resolución\n", "Resolución,si\n", 1)
		if _, err := f.svc.ImportProcedures(ctx, f.editor, strings.NewReader(draft), "p.csv"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ProcedureStats(ctx, f.anon, "REG-SAN", 0); !errs.Is(err, errs.NotFound) {
			t.Errorf("figures of a draft procedure: %v", err)
		}
		if _, err := f.svc.ProcedureStats(ctx, f.editor, "REG-SAN", 0); err != nil {
			t.Errorf("its editor's figures: %v", err)
		}
		if list, _ := f.svc.Procedures(ctx, f.other, ""); len(list) != 0 {
			t.Errorf("IMARPE lists %d procedures", len(list))
		}
		if ind, _ := f.svc.ProcedureIndicators(ctx, 0); len(ind[1].Procedures) != 0 {
			t.Errorf("a draft procedure counts for 3.4.3")
		}
	})
}

func TestSearchIgnoresAccentsAndEndings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		codes := func(q string) string {
			hits, err := f.svc.Search(ctx, f.anon, q, 10)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range hits {
				out = append(out, h.Code)
			}
			return strings.Join(out, " ")
		}
		// "promocion" without its accent and "Acuicultura" capitalised find
		// first the law whose title has "Promoción" (then the one that repealed it).
		if got := codes("Ley de promocion de la Acuicultura"); !strings.HasPrefix(got, "LEY-27460 ") {
			t.Errorf("promocion acuicultura: %s", got)
		}
		// Plural and singular, accents or not: "certificados sanitarios" finds
		// every "certificado sanitario"; "Japon" finds what Japan asks.
		if got := codes("certificados sanitarios hong kong"); got != "HK-0307-SAN HK-1605-SAN" {
			t.Errorf("certificados sanitarios hong kong: %s", got)
		}
		if got := codes("JAPON etiquetado"); got != "JP-LEY-70-2013 JP-0307-ETI JP-1605-ETI" {
			t.Errorf("JAPON etiquetado: %s", got)
		}
		if got := codes("acuicultura"); !strings.HasPrefix(got, "LEY-27460 DLEG-1195 ") {
			t.Errorf("acuicultura: %s", got)
		}
		// Procedures are found too, by their requirements' words.
		loadProcedure(t, f)
		if got := codes("análisis laboratorio"); got != "REG-SAN" {
			t.Errorf("analisis laboratorio: %s", got)
		}
		if got := codes("de la y"); got != "" {
			t.Errorf("stop words alone find %s", got)
		}
	})
}

// TestExportImportsBackUnchanged: each table's export, imported again, changes nothing.
func TestExportImportsBackUnchanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		loadProcedure(t, f)
		// A norm's text kept as a file, which the templates do not carry, stays.
		f.svc.KeepFilesIn(filestore.New(t.TempDir()))
		if _, err := f.svc.AttachText(ctx, f.editor, "DL-25977", 0, "dl-25977.txt", strings.NewReader("Ley General de Pesca")); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			exp  func(context.Context, auth.Principal) ([]string, [][]string, error)
			imp  func(context.Context, auth.Principal, io.Reader, string) (regulation.ImportReport, error)
		}{
			{"norms", f.svc.ExportNorms, f.svc.ImportNorms},
			{"procedures", f.svc.ExportProcedures, f.svc.ImportProcedures},
			{"procedure-cases", f.svc.ExportCases, f.svc.ImportCases},
			{"requirements", f.svc.ExportRequirements, f.svc.ImportRequirements},
		} {
			header, rows, err := tc.exp(ctx, f.editor)
			if err != nil || len(rows) == 0 {
				t.Fatalf("%s: export %d rows, %v", tc.name, len(rows), err)
			}
			if strings.Join(header, ",") != strings.Join(regulation.Templates[tc.name], ",") {
				t.Errorf("%s: export header %v is not the template's", tc.name, header)
			}
			var buf bytes.Buffer
			if err := importer.WriteXLSX(&buf, tc.name, header, rows, nil); err != nil {
				t.Fatal(err)
			}
			rep, err := tc.imp(ctx, f.editor, &buf, tc.name+".xlsx")
			if err != nil || rep.Unchanged != len(rows) || rep.Rows != len(rows) {
				t.Errorf("%s: re-import %+v, %v; want %d unchanged", tc.name, rep, err, len(rows))
			}
			if n, _ := f.svc.Norm(ctx, f.editor, "DL-25977"); n.Text.Name != "dl-25977.txt" {
				t.Errorf("after importing %s, the norm's text is %+v", tc.name, n.Text)
			}
			var tmpl bytes.Buffer
			if err := regulation.WriteTemplate(&tmpl, tc.name, "csv"); err != nil || !strings.Contains(tmpl.String(), header[0]) {
				t.Errorf("%s: template %q, %v", tc.name, tmpl.String(), err)
			}
		}
	})
}

// TestCaseApplicantIsTheActorWithItsRUC: a case names the registered actor
// with its RUC, also one registered after the case was filed.
func TestCaseApplicantIsTheActorWithItsRUC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		loadProcedure(t, f)
		a, _, err := actors.New(d).Create(ctx, f.editor, actors.Actor{Name: "Pesquera del Sur S.A.C.", RUC: "20100000009", Kinds: []string{"processor"}})
		if err != nil {
			t.Fatal(err)
		}
		list, _ := f.svc.Cases(ctx, f.editor, "REG-SAN")
		if list[1].ActorID != a.ID || list[1].ActorName != "Pesquera del Sur S.A.C." {
			t.Errorf("case of RUC 20100000009: %+v", list[1].Case)
		}
		// The actor's member reads its own cases, not others'.
		member := auth.Principal{UserID: 30, Email: "m@pesquera", Role: auth.Member, ActorID: a.ID}
		mine, _ := f.svc.Cases(ctx, member, "REG-SAN")
		if len(mine) != 2 {
			t.Errorf("the applicant's member reads %d cases, want its 2", len(mine))
		}
		if _, err := f.svc.UpdateCase(ctx, member, mine[0].ID, mine[0].Case); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the applicant changes its case: %v", err)
		}
	})
}

// TestSeedDataQuotesTheSeed: what data/seed/norms.csv quotes from the seed
// plan is in it, word for word.
func TestSeedDataQuotesTheSeed(t *testing.T) {
	text := seedtext.Squash(seedtext.Text(t))
	quote := regexp.MustCompile(`«([^»]+)»`)
	for _, file := range []string{"norms.csv", "export-requirements.csv"} {
		b, err := seed.Files.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range quote.FindAllStringSubmatch(string(b), -1) {
			n++
			if !strings.Contains(text, seedtext.Squash(m[1])) {
				t.Errorf("%s quotes «%s», which the seed does not say", file, m[1])
			}
		}
		if file == "norms.csv" && n < 6 {
			t.Errorf("%s has %d quotes of the seed", file, n)
		}
	}
}

// TestDraftRequirementsAreSeenByTheirEditorsOnly: a draft export
// requirement is left out of a product's requirements in a market, and of
// the markets a species page links to, for all but its editors.
func TestDraftRequirementsAreSeenByTheirEditorsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		// Taiwan (490) asks nothing of loco in the seed.
		if _, err := f.svc.CreateRequirement(ctx, f.editor, regulation.Requirement{Code: "TW-PRUEBA", Product: "loco_congelado", Market: 490,
			Kind: "sanitary_certificate", Document: "Certificado sanitario en preparación", Draft: true}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []auth.Principal{f.anon, f.other} {
			v, err := f.svc.Requirements(ctx, p, "loco_congelado", 490, 0)
			if err != nil {
				t.Fatal(err)
			}
			markets, _ := f.svc.RequirementMarkets(ctx, p, "loco_congelado")
			if len(v.Documents) != 0 || slices.ContainsFunc(markets, func(m trade.Partner) bool { return m.Code == 490 }) {
				t.Errorf("%q sees the draft: %+v, markets %v", p.Email, v.Documents, markets)
			}
			if _, err := f.svc.ExportRequirement(ctx, p, "TW-PRUEBA"); !errs.Is(err, errs.NotFound) {
				t.Errorf("%q reads the draft: %v", p.Email, err)
			}
		}
		if v, _ := f.svc.Requirements(ctx, f.editor, "loco_congelado", 490, 0); len(v.Documents) != 1 {
			t.Errorf("its editor does not see the draft: %+v", v.Documents)
		}
	})
}
