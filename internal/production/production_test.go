package production_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

type fixture struct {
	db      *db.DB
	svc     *production.Service
	direpro int64
	imarpe  int64
	editor  auth.Principal // DIREPRO editor
	other   auth.Principal // IMARPE editor
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	acc := accounts.New(d)
	f := fixture{db: d, svc: production.New(d)}
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: f.svc, Planning: planning.New(d, t.TempDir()), Trade: trade.New(d)},
		slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	imarpe, _ := acc.InstitutionByCode(ctx, "IMARPE")
	f.direpro, f.imarpe = direpro.ID, imarpe.ID
	f.editor = auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{f.direpro}}
	f.other = auth.Principal{UserID: 2, Email: "ed@imarpe", Role: auth.Editor, Institutions: []int64{f.imarpe}}
	return f
}

// cuadro1 is the seed's Cuadro N° 1 (t): year → fresco, conservas, congelado.
var cuadro1 = map[int][3]float64{
	1997: {390, 56, 252}, 1998: {584, 201, 216}, 1999: {560, 0, 32}, 2000: {534, 0, 28},
	2001: {336, 2, 367}, 2002: {398, 7, 61}, 2003: {362, 145, 354},
}

func TestSeedHasCuadro1Exactly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		res, err := f.svc.Series(context.Background(), production.Query{Species: []string{"moluscos"}, Places: []string{"PE-MOQ"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Series) != 3 || len(res.Years) != 7 {
			t.Fatalf("%d series over %d years; want 3 over 7", len(res.Series), len(res.Years))
		}
		order := []string{"fresh", "canned", "frozen"}
		values := 0
		for i, s := range res.Series {
			if s.Presentation != order[i] || s.Unit != "t" || !strings.Contains(s.SourceRef, "Cuadro N° 1") {
				t.Fatalf("series %d: %+v", i, s)
			}
			for _, p := range s.Points {
				if want := cuadro1[p.Year][i]; p.Value != want {
					t.Errorf("%s %d = %v, want %v", s.Presentation, p.Year, p.Value, want)
				}
				values++
			}
		}
		if values != 21 {
			t.Fatalf("%d values, want 21", values)
		}
		// Fresco 1997→2003: CAGR (362/390)^(1/6)-1 = -1.23%.
		if c := res.Series[0].CAGR; c == nil || *c != -1.23 {
			t.Fatalf("fresco CAGR %v", c)
		}
		// Shares of 2003: 362+145+354 = 861.
		g, ok := res.Unit("t")
		last := len(g.Years) - 1
		if !ok || len(res.Units) != 1 || g.Years[last] != 2003 || g.Totals[last] != 861 || int(g.Shares[last][0].Percent*10) != 420 {
			t.Fatalf("2003 total %v, fresco share %v", g.Totals[last], g.Shares[last][0])
		}
		// The text's own figure for 2003 (860) is noted beside the table's.
		if len(res.Notes) != 1 || len(res.Notes[2003]) != 1 || !strings.Contains(res.Notes[2003][0], "860 Tm") {
			t.Fatalf("notes %v: want the text's 860 noted on 2003", res.Notes)
		}
	})
}

func TestSeedFactsAreStoredAsTheSourceGivesThem(t *testing.T) {
	f := setup(t, dbtest.Open(t, db.SQLite))
	facts, err := f.svc.Facts(context.Background(), []string{"PE"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pota, avg bool
	for _, o := range facts {
		if o.Species == "GIS" && o.Measure == "share" && o.Value == 85 && o.ShareOf == "moluscos" {
			pota = true
		}
		if o.Species == "moluscos" && o.Measure == "average_quantity" && o.Value == 337000 && o.Year == 0 {
			avg = true
		}
	}
	if !pota || !avg {
		t.Fatalf("facts: pota share %v, national average %v", pota, avg)
	}
	// A share is not turned into a series.
	res, _ := f.svc.Series(context.Background(), production.Query{Species: []string{"GIS"}})
	if len(res.Series) != 0 {
		t.Fatalf("a share became a series: %+v", res.Series)
	}
}

const header = "especie,presentacion,origen,lugar,medida,anio,valor,unidad,fuente,estado\n"

func TestImportIsAllOrNothingAndIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		auditBefore := auditCount(t, d)
		bad := header +
			"SNE,fresco,extraccion,PE-MOQ,cantidad,2005,10,t,DIREPRO,definitivo\n" +
			"SNE,fresco,extraccion,PE-MOQ,cantidad,2006,diez,t,DIREPRO,definitivo\n" +
			"XXX,fresco,extraccion,NOWHERE,cantidad,2007,12,t,DIREPRO,definitivo\n" +
			"SNE,fresco,extraccion,PE-MOQ,cantidad,2008,13,t,DIREPRO,definitivo\n"
		_, err := f.svc.Import(ctx, f.editor, strings.NewReader(bad), "datos.csv")
		e, ok := err.(*errs.Error)
		if !ok || e.Kind != errs.Invalid {
			t.Fatalf("bad file: %v", err)
		}
		for _, key := range []string{"fila 3, columna valor", "fila 4, columna especie", "fila 4, columna lugar"} {
			if e.Fields[key] == "" {
				t.Errorf("no problem reported at %q: %v", key, e.Fields)
			}
		}
		if len(e.Fields) != 3 {
			t.Errorf("problems %v", e.Fields)
		}
		if n := auditCount(t, d); n != auditBefore {
			t.Fatalf("a refused import wrote %d audit rows", n-auditBefore)
		}
		res, _ := f.svc.Series(ctx, production.Query{Species: []string{"SNE"}, Places: []string{"PE-MOQ"}, From: 2005})
		if len(res.Series) != 0 {
			t.Fatal("rows of a refused import were written")
		}
		good := header +
			"SNE,fresco,extraccion,PE-MOQ,cantidad,2005,10,t,DIREPRO,definitivo\n" +
			"SNE,fresco,extraccion,PE-MOQ,cantidad,2006,\"1.234,5\",t,DIREPRO,provisional\n"
		rep, err := f.svc.Import(ctx, f.editor, strings.NewReader(good), "datos.csv")
		if err != nil || rep.Created != 2 {
			t.Fatalf("good file: %+v %v", rep, err)
		}
		rep, err = f.svc.Import(ctx, f.editor, strings.NewReader(good), "datos.csv")
		if err != nil || rep.Created != 0 || rep.Unchanged != 2 {
			t.Fatalf("same file again: %+v %v", rep, err)
		}
		revised := strings.Replace(good, "\"1.234,5\",t,DIREPRO,provisional", "1250,t,DIREPRO,revisado", 1)
		rep, err = f.svc.Import(ctx, f.editor, strings.NewReader(revised), "datos.csv")
		if err != nil || rep.Updated != 1 || rep.Unchanged != 1 {
			t.Fatalf("revised file: %+v %v", rep, err)
		}
		res, _ = f.svc.Series(ctx, production.Query{Species: []string{"SNE"}, Places: []string{"PE-MOQ"}, From: 2005})
		if len(res.Series) != 1 || len(res.Series[0].Points) != 2 || res.Series[0].Points[1].Value != 1250 {
			t.Fatalf("after revision: %+v", res.Series)
		}
		hist, err := f.svc.History(ctx, res.Series[0].Points[1].ID)
		if err != nil || len(hist) != 1 || hist[0].Value != 1234.5 || hist[0].Status != "provisional" {
			t.Fatalf("history %+v %v", hist, err)
		}
		// Another institution may not overwrite DIREPRO's figures.
		again := strings.Replace(revised, "1250", "9999", 1)
		if _, err := f.svc.Import(ctx, f.other, strings.NewReader(again), "datos.csv"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("other institution overwrote: %v", err)
		}
	})
}

func TestImportRefusesRepeatedRows(t *testing.T) {
	f := setup(t, dbtest.Open(t, db.SQLite))
	dup := header + "SNE,fresco,extraccion,PE-MOQ,cantidad,2005,10,t,X,definitivo\nSNE,fresco,extraccion,PE-MOQ,cantidad,2005,11,t,X,definitivo\n"
	_, err := f.svc.Import(context.Background(), f.editor, strings.NewReader(dup), "d.csv")
	if e, ok := err.(*errs.Error); !ok || !strings.Contains(e.Fields["fila 3"], "row 2") {
		t.Fatalf("repeated rows: %v", err)
	}
}

func TestImportXLSX(t *testing.T) {
	path := filepath.Join("testdata", "produccion.xlsx")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		file, _ := os.Open(path)
		defer file.Close()
		rep, err := f.svc.Import(context.Background(), f.editor, file, "produccion.xlsx")
		if err != nil || rep.Created != 3 {
			t.Fatalf("xlsx: %+v %v", rep, err)
		}
		res, _ := f.svc.Series(context.Background(), production.Query{Species: []string{"QDM"}, Places: []string{"PE-MOQ"}})
		if len(res.Series) != 1 || res.Series[0].Points[2].Value != 80.5 {
			t.Fatalf("series from xlsx: %+v", res.Series)
		}
	})
}

// TestExportRoundTrips: what is exported imports back unchanged.
func TestExportRoundTrips(t *testing.T) {
	f := setup(t, dbtest.Open(t, db.SQLite))
	ctx := context.Background()
	head, rows, err := f.svc.Export(ctx, production.Filter{})
	if err != nil || len(rows) != 48-1 {
		t.Fatalf("export: %d rows, %v", len(rows), err)
	}
	var buf bytes.Buffer
	buf.WriteString(strings.Join(head, ",") + "\n")
	for _, r := range rows {
		for i := range r {
			r[i] = `"` + strings.ReplaceAll(r[i], `"`, `""`) + `"`
		}
		buf.WriteString(strings.Join(r, ",") + "\n")
	}
	rep, err := f.svc.Import(ctx, auth.Principal{UserID: 9, Email: "a", Role: auth.Admin}, &buf, "export.csv")
	if err != nil || rep.Unchanged != len(rows) {
		t.Fatalf("re-import of export: %+v %v", rep, err)
	}
}

func TestCreateUpdateDeleteAreAuthorisedAndAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		o := production.Observation{Species: "UCH", Presentation: "fresh", Origin: "capture", Place: "PE-MOQ", Measure: "quantity",
			Year: 2005, Value: 40, Unit: "t", Source: "DIREPRO", Status: "provisional"}
		member := auth.Principal{UserID: 3, Email: "m", Role: auth.Member, ActorID: 1}
		if _, err := f.svc.Create(ctx, member, o); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member created: %v", err)
		}
		if _, err := f.svc.Create(ctx, auth.Principal{}, o); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("anonymous created: %v", err)
		}
		created, err := f.svc.Create(ctx, f.editor, o)
		if err != nil || created.InstitutionID != f.direpro {
			t.Fatalf("create: %+v %v", created, err)
		}
		if _, err := f.svc.Create(ctx, f.editor, o); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate: %v", err)
		}
		o.Value = 42
		if _, err := f.svc.Update(ctx, f.other, created.ID, o); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("other institution updated: %v", err)
		}
		bad := o
		bad.Year = 0
		if _, err := f.svc.Update(ctx, f.editor, created.ID, bad); !errs.Is(err, errs.Invalid) {
			t.Fatalf("quantity without year accepted: %v", err)
		}
		if _, err := f.svc.Update(ctx, f.editor, created.ID, o); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Delete(ctx, f.other, created.ID, 0); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("other institution deleted: %v", err)
		}
		if err := f.svc.Delete(ctx, f.editor, created.ID, 0); err != nil {
			t.Fatal(err)
		}
		entries, _ := audit.List(ctx, d, audit.Filter{Entity: "production_observation", EntityID: strconv.FormatInt(created.ID, 10)})
		if len(entries) != 3 || entries[0].Action != audit.Delete || entries[2].Action != audit.Create {
			t.Fatalf("audit: %+v", entries)
		}
	})
}

func auditCount(t *testing.T, d *db.DB) int {
	entries, err := audit.List(context.Background(), d, audit.Filter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestMakeXLSXFixture writes testdata/produccion.xlsx when asked
// (SRIIM_WRITE_FIXTURES=1); the file is committed.
func TestMakeXLSXFixture(t *testing.T) {
	if os.Getenv("SRIIM_WRITE_FIXTURES") == "" {
		t.Skip("set SRIIM_WRITE_FIXTURES=1 to rewrite testdata")
	}
	x := excelize.NewFile()
	rows := [][]any{
		{"especie", "presentacion", "origen", "lugar", "medida", "anio", "valor", "unidad", "fuente", "estado"},
		{"QDM", "Fresco", "Extraccion", "PE-MOQ", "cantidad", 2003, 70, "t", "DIREPRO Ilo", "definitivo"},
		{"QDM", "fresco", "extraccion", "pe-moq", "cantidad", 2004, 75.25, "t", "DIREPRO Ilo", "definitivo"},
		{"QDM", "fresco", "extraccion", "PE-MOQ", "cantidad", "2005", "80,5", "t", "DIREPRO Ilo", "provisional"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(filepath.Join("testdata", "produccion.xlsx")); err != nil {
		t.Fatal(err)
	}
}
