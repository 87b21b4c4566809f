package exports_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/i18n"
	"sriim/internal/seedtext"
)

var ctx = context.Background()

// importer is who imports: an editor allowed to write shared reference data.
var editor = auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, ReferenceGrant: true}

func importFile(t *testing.T, svc *exports.Service, name string, data []byte) (exports.Batch, error) {
	t.Helper()
	b, err := svc.Start(ctx, editor, name, "SUNAT, declaraciones de exportación")
	if err != nil {
		t.Fatal(err)
	}
	return svc.Import(ctx, editor, b, bytes.NewReader(data))
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addActor registers an exporter with a RUC, kept by no institution.
func addActor(t *testing.T, d *db.DB, name, ruc string) int64 {
	t.Helper()
	var id int64
	now := time.Now().UTC()
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO actors (key, name, ruc, search_text, registered_at, created_at, updated_at)
			VALUES ($1, $2, $1, $2, $3, $3, $3) RETURNING id`, ruc, name, now).Scan(&id)
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

func regional(t *testing.T, svc *exports.Service, p auth.Principal, by string, from, to string) exports.Result {
	t.Helper()
	f, _ := exports.ParsePeriod(from)
	tt, _ := exports.ParsePeriod(to)
	res, err := svc.Regional(ctx, p, exports.Query{Region: "PE-MOQ", From: f, To: tt, By: by})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// rowsByName gives a result's rows by a name of their key.
func rowsByName(res exports.Result) map[string]exports.Row {
	out := map[string]exports.Row{}
	for _, r := range res.Rows {
		k := r.Key
		for _, name := range []string{k.ISO, k.RUC, k.Line, k.Subpartida, k.Region} {
			if name != "" {
				out[name] = r
				break
			}
		}
		if k.Others > 0 {
			out["others"] = r
		}
		if k.Published {
			out["published"] = r
		}
	}
	return out
}

func values(r exports.Row) string {
	b, _ := json.Marshal(r.Values)
	return string(b)
}

func TestImportSpanishHeadersInAnyOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		b, err := importFile(t, svc, "declaraciones.csv", readTestdata(t, "declaraciones.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if b.State != "done" || b.Rows != 9 || b.Exporters != 3 || b.Leads != 3 {
			t.Errorf("batch = %+v; want done, 9 rows, 3 exporters, all leads", b)
		}
		res := regional(t, svc, auth.Principal{}, exports.ByYear, "2004", "2006")
		if got, want := values(res.Rows[0]), `{"2004":20000,"2005":22000,"2006":20400}`; got != want {
			t.Errorf("Moquegua's exports = %s; want %s (Tacna's row apart)", got, want)
		}
		// One row per declaration and line, with what the file gave.
		var n int
		var port, unit, shipped string
		var gross *float64
		if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM export_declarations`).Scan(&n); err != nil || n != 9 {
			t.Errorf("export_declarations has %d rows (%v); want 9", n, err)
		}
		if err := d.Read().QueryRowContext(ctx, `SELECT port, unit, CAST(shipped_on AS TEXT), gross_kg FROM export_declarations WHERE dua = '235-2004-40-001234'`).
			Scan(&port, &unit, &shipped, &gross); err != nil || port != "ILO" || unit != "KG" || shipped != "2004-03-15" || gross == nil || *gross != 1100 {
			t.Errorf("declaration 235-2004-40-001234 = %s %s %s %v (%v)", port, unit, shipped, gross, err)
		}
	})
}

func TestImportWithABadRowImportsNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		data := append(readTestdata(t, "declaraciones.csv"),
			"07/07/2006;Moquegua;Japón;Pesquera Sur S.A.C.;20000000011;0307992000;100;10;ILO;KG;;;;\n"+
				"31/02/2006;Moquegua;Japón;Pesquera Sur S.A.C.;20000000010;0307992000;100;10;ILO;KG;;;;\n"+
				"08/07/2006;Lima Norte;Atlántida;Pesquera Sur S.A.C.;20000000010;0307992000;100;10;ILO;KG;;;;\n"...)
		b, err := importFile(t, svc, "declaraciones.csv", data)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid {
			t.Fatalf("import = %v; want invalid", err)
		}
		for key, want := range map[string]string{"fila 12, columna R.U.C.": "check digit", "fila 13, columna Fecha": "date",
			"fila 14, columna País Destino": "Atlántida"} {
			if !strings.Contains(e.Fields[key], want) {
				t.Errorf("problem %q = %q; want it to say %q (all: %v)", key, e.Fields[key], want, e.Fields)
			}
		}
		if b.State != "failed" || !strings.Contains(b.Error, "fila 12") {
			t.Errorf("batch = %+v; want failed, naming row 12", b)
		}
		for _, table := range []string{"export_blocks", "export_years", "export_exporters"} {
			var n int
			if err := d.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s has %d rows after a failed import (%v)", table, n, err)
			}
		}
	})
}

// TestFileProblemsInSpanish: what is wrong with a file reads in Spanish on a
// Spanish page or API answer, in the catalogue's words, never in a
// parser's (whose words are the logged cause).
func TestFileProblemsInSpanish(t *testing.T) {
	header := "Fecha;Departamento;País Destino;Razón Social;R.U.C.;Subpartida Nacional;FOB US$;Peso Neto (kg)\n"
	good := "15/03/2004;MOQUEGUA;JAPON;Pesquera Sur S.A.C.;20000000010;0307992000;100;10\n"
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		for _, c := range []struct {
			name, file, data string
			message          string
			fields           map[string]string
			cause            bool
		}{
			{"a column twice", "d.csv", "Fecha;RUC;R.U.C.\n" + good, "la cabecera repite una columna",
				map[string]string{"fila 1": `"RUC" y "R.U.C." son la misma columna`}, false},
			{"columns missing", "d.csv", "Fecha;R.U.C.\n" + good, "a la cabecera le faltan columnas",
				map[string]string{"fila 1": "faltan columnas: SUBPARTIDA, PAIS DESTINO, FOB US$, PESO NETO, DEPARTAMENTO"}, false},
			{"a stray quote", "d.csv", header + `15/03/2004;MOQ"UEGUA;JAPON` + "\n", "el archivo no es un CSV válido",
				map[string]string{"fila 2": "unas comillas dentro de una celda que no empieza con comillas"}, true},
			{"not a workbook", "d.xlsx", "PK\x03\x04 no zip", "el archivo no es un libro XLSX válido", nil, true},
			{"bad rows", "d.csv", header + good +
				"15/03/2004;MOQUEGUA;JAPON;Pesquera Sur S.A.C.;20000000011;0307992000;100;10\n" +
				"15/03/2004;MOQUEGUA;Atlántida;Pesquera Sur S.A.C.;20000000010;0307992000;100;10\n" +
				"15/03/2004;MOQUEGUA;JAPON;Pesquera Sur S.A.C.;20000000010;0307;100;10\n",
				"el archivo tiene 3 problemas; no se importó nada", map[string]string{
					"fila 3, columna R.U.C.":              "el dígito verificador no coincide: ¿error de digitación?",
					"fila 4, columna País Destino":        `país desconocido "Atlántida": el nombre de un país, o su código ISO`,
					"fila 5, columna Subpartida Nacional": "una subpartida nacional tiene 10 dígitos (0307992000 o 0307.99.20.00)",
				}, false},
		} {
			_, err := importFile(t, svc, c.file, []byte(c.data))
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid {
				t.Errorf("%s: %v; want invalid", c.name, err)
				continue
			}
			message, fields := i18n.ErrorText(i18n.ES, e)
			if message != c.message || !reflect.DeepEqual(fields, c.fields) {
				t.Errorf("%s: in Spanish %q %q; want %q %q", c.name, message, fields, c.message, c.fields)
			}
			if (e.Err != nil) != c.cause {
				t.Errorf("%s: cause %v; want the parser's words logged: %v", c.name, e.Err, c.cause)
			}
		}
	})
}

func TestReimportReplacesTheFilesRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		if _, err := importFile(t, svc, "declaraciones.csv", readTestdata(t, "declaraciones.csv")); err != nil {
			t.Fatal(err)
		}
		second := "RUC,SUBPARTIDA,PAIS DESTINO,FOB US$,PESO NETO,FECHA,DEPARTAMENTO\n20000000010,0307992000,JAPON,500,50,01/06/2004,MOQUEGUA\n"
		if _, err := importFile(t, svc, "declaraciones.csv", []byte(second)); err != nil {
			t.Fatal(err)
		}
		other := "RUC,SUBPARTIDA,PAIS DESTINO,FOB US$,PESO NETO,FECHA,DEPARTAMENTO\n20000000010,0307992000,JAPON,70,7,01/06/2004,MOQUEGUA\n"
		if _, err := importFile(t, svc, "otro.csv", []byte(other)); err != nil {
			t.Fatal(err)
		}
		res := regional(t, svc, auth.Principal{}, exports.ByYear, "2004", "2006")
		if got, want := values(res.Rows[0]), `{"2004":570}`; got != want {
			t.Errorf("after re-importing = %s; want %s", got, want)
		}
		var batches int
		if err := d.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM export_batches").Scan(&batches); err != nil || batches != 2 {
			t.Errorf("%d batches kept (%v); want the replaced one removed", batches, err)
		}
	})
}

func TestRUCLinksToTheRegistryAndLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		sur := addActor(t, d, "Pesquera Sur S.A.C. (registro)", "20000000010")
		b, err := importFile(t, svc, "declaraciones.csv", readTestdata(t, "declaraciones.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if b.Exporters != 3 || b.Leads != 2 {
			t.Errorf("batch = %d exporters, %d leads; want 3 and 2", b.Exporters, b.Leads)
		}
		rows := rowsByName(regional(t, svc, editor, exports.ByExporter, "2004", "2006"))
		if r := rows["20000000010"]; r.Key.ActorID != sur || r.Key.Name != "Pesquera Sur S.A.C. (registro)" {
			t.Errorf("registered exporter's row = %+v; want linked to actor %d with its registry name", r.Key, sur)
		}
		if r := rows["20000000028"]; r.Key.ActorID != 0 || r.Key.Name != "Mariscos del Pacífico E.I.R.L." {
			t.Errorf("lead's row = %+v; want its name from the file", r.Key)
		}
		leads, err := svc.Leads(ctx, editor, "PE-MOQ")
		if err != nil {
			t.Fatal(err)
		}
		if len(leads) != 1 || leads[0].RUC != "20000000028" || leads[0].Name != "Mariscos del Pacífico E.I.R.L." || leads[0].FOB != 21000 || leads[0].LastYear != 2006 {
			t.Errorf("Moquegua's leads = %+v; want the one unregistered exporter with US$ 21,000", leads)
		}
		all, _ := svc.Leads(ctx, editor, "")
		if len(all) != 2 {
			t.Errorf("all leads = %+v; want Tacna's too", all)
		}
		if _, err := svc.Leads(ctx, auth.Principal{UserID: 9, Role: auth.Member, ActorID: sur}, ""); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a member reads the leads: %v", err)
		}
	})
}

func TestEachBreakdown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		if _, err := importFile(t, svc, "declaraciones.csv", readTestdata(t, "declaraciones.csv")); err != nil {
			t.Fatal(err)
		}
		type want struct {
			values string
			share  string
			cagr   string
			span   string
		}
		check := func(by string, rows map[string]want) {
			t.Helper()
			res := regional(t, svc, editor, by, "2004", "2006")
			got := rowsByName(res)
			if len(got) != len(rows) {
				t.Errorf("by=%s: %d rows; want %d", by, len(got), len(rows))
			}
			for name, w := range rows {
				r, ok := got[name]
				if !ok {
					t.Errorf("by=%s: no row %s", by, name)
					continue
				}
				b, _ := json.Marshal(r)
				for _, part := range []string{`"values":` + w.values, `"share":` + w.share, `"cagr":` + w.cagr, `"cagr_span":` + w.span} {
					if !strings.Contains(string(b), part) {
						t.Errorf("by=%s, %s = %s; want %s", by, name, b, part)
					}
				}
			}
			if b, _ := json.Marshal(res.Total); string(b) != `{"values":{"2004":20000,"2005":22000,"2006":20400}}` {
				t.Errorf("by=%s: total = %s", by, b)
			}
		}
		check(exports.ByYear, map[string]want{"PE-MOQ": {`{"2004":20000,"2005":22000,"2006":20400}`, "100", "1", "[2004,2006]"}})
		check(exports.ByDestination, map[string]want{
			"JPN": {`{"2004":10000,"2005":12000,"2006":14400}`, "70.59", "20", "[2004,2006]"},
			"CHN": {`{"2005":8000,"2006":6000}`, "29.41", "-25", "[2005,2006]"},
			"HKG": {`{"2004":5000}`, "null", "null", "null"},
			"USA": {`{"2004":5000}`, "null", "null", "null"},
			"CHL": {`{"2005":2000}`, "null", "null", "null"},
		})
		check(exports.ByExporter, map[string]want{
			"20000000010": {`{"2004":15000,"2005":12000,"2006":14400}`, "70.59", "-2.02", "[2004,2006]"},
			"20000000028": {`{"2004":5000,"2005":10000,"2006":6000}`, "29.41", "9.54", "[2004,2006]"},
		})
		check(exports.ByLine, map[string]want{
			"loco_congelado": {`{"2004":15000,"2005":12000,"2006":14400}`, "70.59", "-2.02", "[2004,2006]"},
			"loco_conserva":  {`{"2004":5000,"2005":8000,"2006":6000}`, "29.41", "9.54", "[2004,2006]"},
			"loco_fresco":    {`{"2005":2000}`, "null", "null", "null"},
		})
		// Number of markets, and the API contract's shape.
		res := regional(t, svc, editor, exports.ByExporter, "2004", "2006")
		if m := rowsByName(res)["20000000028"].Key.Markets; m != 3 {
			t.Errorf("the lead's markets = %d; want 3 (USA, China, Chile)", m)
		}
		b, _ := json.Marshal(res)
		if !strings.HasPrefix(string(b), `{"rows":[{"key":{"ruc":"20000000010","markets":2,"name":"Pesquera Sur S.A.C."},"values":{"2004":15000,`) ||
			!strings.HasSuffix(string(b), `"total":{"values":{"2004":20000,"2005":22000,"2006":20400}}}`) {
			t.Errorf("JSON = %s", b)
		}
		// Unit values and months.
		f, _ := exports.ParsePeriod("2004")
		uv, err := svc.Regional(ctx, editor, exports.Query{From: f, To: f, Measure: exports.MeasureUnitValue, By: exports.ByDestination})
		if err != nil {
			t.Fatal(err)
		}
		if got := rowsByName(uv)["JPN"].Values["2004"]; got != 10 || uv.Total.Values["2004"] != 10.53 {
			t.Errorf("unit values: Japan %v, total %v; want 10 and 10.53 US$/kg", got, uv.Total.Values["2004"])
		}
		months := regional(t, svc, editor, exports.ByYear, "2004-01", "2004-12")
		if got := values(months.Rows[0]); got != `{"2004-03":10000,"2004-07":5000,"2004-08":5000}` {
			t.Errorf("2004 by month = %s", got)
		}
		changes, err := svc.DestinationChanges(ctx, editor, exports.Query{From: f, To: exports.Period{Year: 2006}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ = json.Marshal(changes)
		if got, want := string(b), `[{"period":"2004","new":[{"destination":344,"iso":"HKG","name_es":"Hong Kong","name_en":"Hong Kong"},`+
			`{"destination":392,"iso":"JPN","name_es":"Japón","name_en":"Japan"},{"destination":842,"iso":"USA","name_es":"Estados Unidos","name_en":"United States"}],"lost":[]},`+
			`{"period":"2005","new":[{"destination":152,"iso":"CHL","name_es":"Chile","name_en":"Chile"},{"destination":156,"iso":"CHN","name_es":"China","name_en":"China"}],`+
			`"lost":[{"destination":344,"iso":"HKG","name_es":"Hong Kong","name_en":"Hong Kong"},{"destination":842,"iso":"USA","name_es":"Estados Unidos","name_en":"United States"}]},`+
			`{"period":"2006","new":[],"lost":[{"destination":152,"iso":"CHL","name_es":"Chile","name_en":"Chile"}]}]`; got != want {
			t.Errorf("destination changes =\n%s\nwant\n%s", got, want)
		}
	})
}

func TestProductLinesAcrossHSRevisions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		file := "RUC,SUBPARTIDA,PAIS DESTINO,FOB US$,PESO NETO,FECHA,DEPARTAMENTO\n" +
			"20000000010,0307992000,JAPON,1000,100,2016-05-05,MOQUEGUA\n" + // HS2012: the seed's national line
			"20000000010,0307920000,JAPON,2000,100,2018-05-05,MOQUEGUA\n" + // HS2017: frozen molluscs moved to 0307.92
			"20000000010,0307990000,JAPON,300,100,2018-06-05,MOQUEGUA\n" + // HS2017 0307.99: not frozen
			"20000000010,0307990000,JAPON,400,100,2010-06-05,MOQUEGUA\n" // HS2007 0307.99: frozen, dried or salted
		if _, err := importFile(t, svc, "lineas.csv", []byte(file)); err != nil {
			t.Fatal(err)
		}
		rows := rowsByName(regional(t, svc, editor, exports.ByLine, "2010", "2018"))
		if got := values(rows["loco_congelado"]); got != `{"2010":400,"2016":1000,"2018":2000}` {
			t.Errorf("frozen locos across HS2007, HS2012 and HS2017 = %s", got)
		}
		if got := values(rows["0307990000"]); got != `{"2018":300}` {
			t.Errorf("0307990000 in 2018 = %s; want it outside the line", got)
		}
		f, to := exports.Period{Year: 2010}, exports.Period{Year: 2018}
		res, err := svc.Regional(ctx, editor, exports.Query{From: f, To: to, Line: "loco_congelado"})
		if err != nil {
			t.Fatal(err)
		}
		if got := values(res.Rows[0]); got != `{"2010":400,"2016":1000,"2018":2000}` {
			t.Errorf("line=loco_congelado = %s", got)
		}
	})
}

func TestExporterFiguresAreItsOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		sur := addActor(t, d, "Pesquera Sur", "20000000010")
		other := addActor(t, d, "Otra", "20000000044")
		if _, err := importFile(t, svc, "declaraciones.csv", readTestdata(t, "declaraciones.csv")); err != nil {
			t.Fatal(err)
		}
		member := auth.Principal{UserID: 5, Email: "m@sur", Role: auth.Member, ActorID: sur}
		stranger := auth.Principal{UserID: 6, Email: "m@otra", Role: auth.Member, ActorID: other}
		q := exports.Query{From: exports.Period{Year: 2004}, To: exports.Period{Year: 2006}}
		for _, tc := range []struct {
			name string
			p    auth.Principal
			kind errs.Kind
		}{{"anonymous", auth.Principal{}, errs.Unauthenticated}, {"another exporter's member", stranger, errs.Forbidden}, {"its member", member, ""}, {"an editor", editor, ""}} {
			res, err := svc.ExporterMarkets(ctx, tc.p, sur, q)
			if tc.kind != "" {
				if !errs.Is(err, tc.kind) {
					t.Errorf("%s reads its markets: %v; want %s", tc.name, err, tc.kind)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := values(rowsByName(res)["JPN"]); got != `{"2004":10000,"2005":12000,"2006":14400}` || len(res.Rows) != 2 {
				t.Errorf("%s sees %d markets, Japan %s", tc.name, len(res.Rows), got)
			}
		}
		// The public ranking sums the exporters that do not publish.
		rows := rowsByName(regional(t, svc, auth.Principal{}, exports.ByExporter, "2004", "2006"))
		if len(rows) != 1 || rows["others"].Key.Others != 2 || rows["others"].Key.Markets != 5 {
			t.Errorf("public by=exporter = %+v; want one row of 2 exporters, 5 markets", rows)
		}
		if _, err := svc.SetVisibility(ctx, stranger, sur, true, 0); !errs.Is(err, errs.Forbidden) {
			t.Errorf("another exporter's member publishes its figures: %v", err)
		}
		v, err := svc.SetVisibility(ctx, member, sur, true, 0)
		if err != nil || !v.Public || v.Version != 1 {
			t.Fatalf("its member publishes: %+v, %v", v, err)
		}
		if _, err := svc.ExporterMarkets(ctx, auth.Principal{}, sur, q); err != nil {
			t.Errorf("anonymous after it chose to publish: %v", err)
		}
		rows = rowsByName(regional(t, svc, auth.Principal{}, exports.ByExporter, "2004", "2006"))
		if rows["20000000010"].Key.Name != "Pesquera Sur" || rows["others"].Key.Others != 1 {
			t.Errorf("public by=exporter after publishing = %+v", rows)
		}
		if _, err := svc.SetVisibility(ctx, member, sur, false, 0+1-1); err != nil {
			t.Errorf("no version check: %v", err)
		}
		if _, err := svc.SetVisibility(ctx, member, sur, true, 1); !errs.Is(err, errs.Conflict) {
			t.Errorf("a stale choice: %v; want conflict", err)
		}
	})
}

func TestPublishedFigureCountsWhereNoDeclarationDoes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		f, err := os.Open("../../data/seed/exports-regional.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := svc.LoadPublished(ctx, auth.System, f); err != nil {
			t.Fatal(err)
		}
		for _, by := range []string{exports.ByYear, exports.ByLine} {
			res := regional(t, svc, auth.Principal{}, by, "2002", "2005")
			if len(res.Rows) != 1 || values(res.Rows[0]) != `{"2004":31500}` {
				t.Errorf("by=%s with the seed only: %+v", by, res)
			}
		}
		rows := rowsByName(regional(t, svc, auth.Principal{}, exports.ByExporter, "2002", "2005"))
		if p := rows["published"]; values(p) != `{"2004":31500}` || p.Key.Section != "2.5.2 Exportaciones regionales" || !strings.Contains(p.Key.Source, "MINCETUR 2006") {
			t.Errorf("by=exporter: the published figure = %+v", p)
		}
		// Declarations of 2004's line take its place.
		file := "RUC,SUBPARTIDA,PAIS DESTINO,FOB US$,PESO NETO,FECHA,DEPARTAMENTO\n20000000010,0307992000,TAIWAN,31000,3000,2004-05-05,MOQUEGUA\n"
		if _, err := importFile(t, svc, "2004.csv", []byte(file)); err != nil {
			t.Fatal(err)
		}
		res := regional(t, svc, auth.Principal{}, exports.ByYear, "2002", "2005")
		if values(res.Rows[0]) != `{"2004":31000}` {
			t.Errorf("with 2004's declarations: %s", values(res.Rows[0]))
		}
	})
}

func TestXLSXWithDateSerialsAndTemplate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		var buf bytes.Buffer
		if err := exports.WriteTemplate(&buf, "xlsx"); err != nil {
			t.Fatal(err)
		}
		b, err := importFile(t, svc, "plantilla.xlsx", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		var shipped string
		if err := d.Read().QueryRowContext(ctx, "SELECT CAST(shipped_on AS TEXT) FROM export_declarations").Scan(&shipped); err != nil || shipped != "2004-06-15" || b.Rows != 1 {
			t.Errorf("template's row shipped %q (%v), %d rows", shipped, err, b.Rows)
		}
	})
	var csv bytes.Buffer
	if err := exports.WriteTemplate(&csv, "csv"); err != nil {
		t.Fatal(err)
	}
	golden := readTestdata(t, "plantilla.csv")
	if !bytes.Equal(csv.Bytes(), golden) {
		t.Errorf("CSV template =\n%s\nwant (testdata/plantilla.csv)\n%s", csv.Bytes(), golden)
	}
}

// The seed's 2004 figure says in exports-regional.csv what facts.csv and
// the seed's section 2.5.2 say.
func TestPublishedFigureAgreesWithTheFactsAndTheSeed(t *testing.T) {
	f, err := os.Open("../../data/seed/exports-regional.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := exports.ReadPublished(f)
	if err != nil || len(list) != 1 {
		t.Fatalf("exports-regional.csv = %+v, %v", list, err)
	}
	p := list[0]
	if p.Region != "PE-MOQ" || p.Year != 2004 || p.Subpartida != "0307992000" || p.FOB != 31500 || p.Section != "2.5.2 Exportaciones regionales" {
		t.Errorf("published figure = %+v", p)
	}
	facts, err := os.ReadFile("../../data/seed/facts.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(facts)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs {
		if rec[1] == p.Section && strings.Contains(rec[2], p.Subpartida) {
			found = true
			if rec[3] != "31500" || rec[5] != "US$" || rec[6] != "2004" || rec[8] != p.Source {
				t.Errorf("facts.csv says %v; exports-regional.csv %+v", rec, p)
			}
		}
	}
	if !found {
		t.Errorf("facts.csv has no figure of section %s for %s", p.Section, p.Subpartida)
	}
	seed := seedtext.Squash(seedtext.Text(t))
	for _, s := range []string{"2.5.2 Exportaciones regionales", "31,500 dólares bajo la partida 0307992000", "de Moquegua (2004)"} {
		if !strings.Contains(seed, seedtext.Squash(s)) {
			t.Errorf("the seed does not say %q", s)
		}
	}
	if !strings.Contains(seedtext.Squash(p.Statement), seedtext.Squash("31,500 dólares bajo la partida 0307992000")) {
		t.Errorf("statement %q is not the seed's words", p.Statement)
	}
}

func TestYearsSpanDeclarationsAndPublishedFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		if first, last, err := svc.Years(ctx, "PE-MOQ"); err != nil || first != 0 || last != 0 {
			t.Errorf("no exports: %d–%d, %v", first, last, err)
		}
		f, err := os.Open("../../data/seed/exports-regional.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := svc.LoadPublished(ctx, auth.System, f); err != nil {
			t.Fatal(err)
		}
		if _, err := importFile(t, svc, "declaraciones.csv", readTestdata(t, "declaraciones.csv")); err != nil {
			t.Fatal(err)
		}
		for region, want := range map[string][2]int{"PE-MOQ": {2004, 2006}, "PE": {2004, 2006}, "PE-LIM": {0, 0}} {
			first, last, err := svc.Years(ctx, region)
			if err != nil || [2]int{first, last} != want {
				t.Errorf("%s: %d–%d, %v; want %v", region, first, last, err, want)
			}
		}
	})
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct {
		from, to exports.Period
		want     string
	}{
		{exports.Period{Year: 2004}, exports.Period{Year: 2006}, "2004 2005 2006"},
		{exports.Period{Year: 2005}, exports.Period{Year: 2005}, "2005"},
		{exports.Period{Year: 2006}, exports.Period{Year: 2004}, ""},
		{exports.Period{Year: 2004, Month: 11}, exports.Period{Year: 2005, Month: 2}, "2004-11 2004-12 2005-01 2005-02"},
		{exports.Period{Year: 2004, Month: 3}, exports.Period{Year: 2004, Month: 3}, "2004-03"},
		{exports.Period{Year: 2004, Month: 3}, exports.Period{Year: 2004, Month: 2}, ""},
		{exports.Period{Year: 2003, Month: 12}, exports.Period{Year: 2004, Month: 1}, "2003-12 2004-01"},
	} {
		var got []string
		for _, p := range exports.Periods(tc.from, tc.to) {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("Periods(%s, %s) = %q; want %q", tc.from, tc.to, got, tc.want)
		}
	}
}

// TestExporterLastYearIsItsOwn: an exporter that stopped before the others
// has its own last year, which only those who may see its figures learn.
func TestExporterLastYearIsItsOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc := exports.New(d)
		sur := addActor(t, d, "Pesquera Sur", "20000000010")
		old := addActor(t, d, "Antigua", "20000000044")
		none := addActor(t, d, "Sin exportaciones", "20000000052")
		if _, err := importFile(t, svc, "declaraciones.csv", readTestdata(t, "declaraciones.csv")); err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(string(readTestdata(t, "declaraciones.csv")), "\n")
		if _, err := importFile(t, svc, "antiguas.csv", []byte(header+"\n"+
			"10/02/2002;Moquegua;Japón;Antigua SAC;20000000044;0307992000;7000;700;ILO;KG;;;;\n"+
			"10/06/2003;Moquegua;Japón;Antigua SAC;20000000044;0307992000;8000;800;ILO;KG;;;;\n")); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			actor int64
			want  int
		}{{"the latest", sur, 2006}, {"one that stopped in 2003", old, 2003}, {"one without exports", none, 0}} {
			if got, err := svc.ExporterLastYear(ctx, editor, tc.actor); err != nil || got != tc.want {
				t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
			}
		}
		if _, err := svc.ExporterLastYear(ctx, auth.Principal{}, old); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous reads a private exporter's last year: %v", err)
		}
	})
}
