package trade_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sriim/internal/accounts"
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

var mesa = auth.Principal{UserID: 1, Email: "mesa", Role: auth.Admin}

func setup(t *testing.T, d *db.DB) *trade.Service {
	t.Helper()
	s := trade.New(d)
	if err := seeding.Load(context.Background(), d, seeding.Services{Accounts: accounts.New(d), Reference: reference.New(d),
		Production: production.New(d), Planning: planning.New(d, t.TempDir()), Trade: s}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	return s
}

func importFile(t *testing.T, s *trade.Service, format, file, name string) (trade.Batch, error) {
	t.Helper()
	b, err := s.Start(context.Background(), mesa, format, name, "test")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return s.Import(context.Background(), mesa, b, f)
}

func count(t *testing.T, d *db.DB) int {
	var n int
	if err := d.Read().QueryRow("SELECT count(*) FROM trade_flows").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func near(a *float64, b float64) bool { return a != nil && math.Abs(*a-b) < 0.005 }

func TestImportsAreAllOrNothingAndReplaceTheirOwnRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		seeded := count(t, d)
		b, err := importFile(t, s, trade.FormatLegacy, "comtrade-legacy.csv", "jpn-030799.csv")
		if err != nil || b.Rows != 50 || b.State != "done" {
			t.Fatalf("import: %+v %v", b, err)
		}
		// The same file again: its rows are replaced, not added.
		if b, err = importFile(t, s, trade.FormatLegacy, "comtrade-legacy.csv", "jpn-030799.csv"); err != nil || b.Rows != 50 {
			t.Fatalf("re-import: %+v %v", b, err)
		}
		if n := count(t, d); n != seeded+50 {
			t.Fatalf("%d rows after re-import, want %d", n, seeded+50)
		}
		batches, _ := s.Batches(context.Background())
		names := 0
		for _, x := range batches {
			if x.Name == "jpn-030799.csv" {
				names++
			}
		}
		if names != 1 {
			t.Fatalf("%d batches named jpn-030799.csv", names)
		}
		// A bad row fails the whole file, which writes nothing.
		_, err = importFile(t, s, trade.FormatLegacy, "comtrade-legacy-bad.csv", "bad.csv")
		e, ok := err.(*errs.Error)
		if !ok || e.Kind != errs.Invalid || e.Fields["fila 5, columna Trade Value (US$)"] == "" {
			t.Fatalf("bad file: %v", err)
		}
		if n := count(t, d); n != seeded+50 {
			t.Fatalf("a failed import changed the rows: %d", n)
		}
		// Duplicate rows in one file are an error too.
		_, err = importFile(t, s, trade.FormatLegacy, "comtrade-legacy-dup.csv", "dup.csv")
		if e, ok := err.(*errs.Error); !ok || e.Fields["fila 6"] == "" {
			t.Fatalf("duplicates: %v", err)
		}
		for _, f := range []struct{ format, file string }{{trade.FormatLegacy, "comtrade-legacy-35.csv.gz"}, {trade.FormatV1, "comtrade-v1.csv"}, {trade.FormatSRIIM, "sriim.csv"}} {
			if b, err := importFile(t, s, f.format, f.file, f.file); err != nil || b.Rows == 0 {
				t.Fatalf("%s: %+v %v", f.file, b, err)
			}
		}
		// The API's JSON holds the same rows as its CSV: a second file with them takes them over, adding none.
		before := count(t, d)
		if _, err := importFile(t, s, trade.FormatV1, "comtrade-v1.json", "comtrade-v1.json"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d); n != before {
			t.Fatalf("JSON added %d rows that the CSV had", n-before)
		}
		editor := auth.Principal{UserID: 2, Email: "ed", Role: auth.Editor, Institutions: []int64{1}}
		if _, err := s.Start(context.Background(), editor, trade.FormatLegacy, "x.csv", ""); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an editor without the reference grant imported: %v", err)
		}
	})
}

func TestImportersRankingAndFormulas(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		if _, err := importFile(t, s, trade.FormatLegacy, "comtrade-legacy.csv", "jpn.csv"); err != nil {
			t.Fatal(err)
		}
		rk, err := s.Importers(context.Background(), trade.AsReported("030799"), "import", 2000, 2004, 20)
		if err != nil {
			t.Fatal(err)
		}
		// Japan (World row 65→99.69 million), Hong Kong (partner sum incl. "Areas, nes": 10→13), Taiwan (6→13); the EU is never ranked.
		if len(rk.Rows) != 3 || rk.Rows[0].Partner.Code != 392 || rk.Rows[1].Partner.Code != 344 || rk.Rows[2].Partner.Code != 490 { // a tie in 2004: the lower code first
			t.Fatalf("ranking: %+v", rk.Rows)
		}
		jp := rk.Rows[0]
		if jp.Values[2000] != 65e6 || jp.Values[2004] != 99.69e6 {
			t.Fatalf("Japan's totals: %v", jp.Values)
		}
		if !near(jp.CAGR, 11.28) { // (99.69/65)^(1/4) - 1
			t.Errorf("Japan's CAGR %v", *jp.CAGR)
		}
		if rk.World.Values[2004] != 99.69e6+13e6+13e6 || !near(jp.Share, 79.31) {
			t.Errorf("world %v, Japan's share %v", rk.World.Values[2004], *jp.Share)
		}
		// Thailand supplied 36.6 of Japan's 99.69 million in 2004.
		sup, total, err := s.Suppliers(context.Background(), trade.AsReported("030799"), 392, 2004, 3)
		if err != nil || total != 99.69e6 || len(sup) != 3 || sup[0].Partner.Code != 764 || !near(sup[0].Share, 36.71) {
			t.Fatalf("Japan's suppliers: %+v %v %v", sup, total, err)
		}
		hk, _, _ := s.Suppliers(context.Background(), trade.AsReported("030799"), 344, 2004, 10)
		if len(hk) != 1 || !near(hk[0].Share, 92.31) { // Japan 12 of 13: "Areas, nes" counts in the total, is not ranked
			t.Fatalf("Hong Kong's suppliers: %+v", hk)
		}
	})
}

func TestCuadro3Shares(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		want := map[string]map[string]float64{
			"loco_congelado": {"TWN": 87, "USA": 7, "SGP": 4},
			"loco_conserva":  {"JPN": 42, "TWN": 24, "HKG": 24, "CHN": 8},
		}
		for line, shares := range want {
			p, _ := trade.ProductLine(line)
			rk, err := s.Destinations(context.Background(), p, 604, 2000, 2005)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, r := range rk.Rows {
				if r.Share != nil { // partners without a 2005 value have no share
					got[r.Partner.ISO] = math.Round(*r.Share)
				}
			}
			for iso, w := range shares {
				if got[iso] != w {
					t.Errorf("%s: %s's 2005 share %v, want %v", line, iso, got[iso], w)
				}
			}
			if last := rk.Rows[len(rk.Rows)-1].Partner; last.Code != trade.OtherCountries || last.NameES != "Otros países" {
				t.Errorf("%s: the last row is %+v, want Cuadro 3's «Otros», other countries", line, last)
			}
			if len(rk.Notes) != 1 || !strings.Contains(rk.Notes[0], "2.4.2") || len(rk.Sources) != 1 || !strings.Contains(rk.Sources[0], "Cuadro 3") {
				t.Errorf("%s: sources %q, notes %q: want Cuadro 3 and the note on the text's contradiction", line, rk.Sources, rk.Notes)
			}
		}
		// The published totals, with the sums of the rounded cells beside
		// them where they differ (by 1 thousand, in five places).
		differs := map[string][]int{}
		totals := map[string]map[int]float64{}
		for _, line := range []string{"loco_congelado", "loco_conserva"} {
			p, _ := trade.ProductLine(line)
			rk, _ := s.Destinations(context.Background(), p, 604, 2000, 2005)
			totals[line] = rk.World.Values
			for _, y := range rk.Years {
				if rk.World.Differs(y) {
					differs[line] = append(differs[line], y)
					if math.Abs(rk.World.PartnersSum[y]-rk.World.Values[y]) != 1000 {
						t.Errorf("%s %d: published %v, cells %v", line, y, rk.World.Values[y], rk.World.PartnersSum[y])
					}
				}
			}
		}
		if totals["loco_congelado"][2000] != 3939e3 || totals["loco_congelado"][2005]+totals["loco_conserva"][2005] != 10899e3 {
			t.Errorf("totals %v: want Cuadro 3's published 3,939 (2000) and 5,991 + 4,908 (2005)", totals)
		}
		if fmt.Sprint(differs) != "map[loco_congelado:[2001 2005] loco_conserva:[2003 2004 2005]]" {
			t.Errorf("published totals differing from their cells: %v", differs)
		}
	})
}

func TestProductLinesFollowHSRevisions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		if _, err := importFile(t, s, trade.FormatLegacy, "comtrade-legacy-35.csv.gz", "hs-revisions.csv.gz"); err != nil {
			t.Fatal(err)
		}
		line, _ := trade.ProductLine("loco_congelado")
		rk, _ := s.Importers(context.Background(), line, "import", 2010, 2019, 5)
		if len(rk.Rows) != 1 || len(rk.Rows[0].Values) != 3 || line.Basis != "product_line" {
			t.Fatalf("product line over HS2007 and HS2017: %+v", rk.Rows)
		}
		asReported, _ := s.Importers(context.Background(), trade.AsReported("030799"), "import", 2010, 2019, 5)
		if len(asReported.Rows[0].Values) != 1 || asReported.Product.Basis != "as_reported" {
			t.Fatalf("as reported 030799: %+v", asReported.Rows)
		}
	})
}

func TestCompetitorsAndUnitValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		if _, err := importFile(t, s, trade.FormatLegacy, "comtrade-legacy.csv", "jpn.csv"); err != nil {
			t.Fatal(err)
		}
		markets, err := s.Competitors(context.Background(), trade.AsReported("030799"), []int{604, 152}, 2000, 2004, 2)
		if err != nil || len(markets) != 2 || markets[0].Market.Code != 392 {
			t.Fatalf("markets: %+v %v", markets, err)
		}
		peru, chile := markets[0].Competitors[0], markets[0].Competitors[1]
		// In Japan 2004: Peru 6 of 99.69 million (6.02 %), 4th; Chile 21.96 (22.03 %), 3rd; both at 10 US$/kg.
		if peru.Shares[2004] != 6.02 || peru.Rank != 4 || chile.Shares[2004] != 22.03 || chile.Rank != 3 || chile.UnitValue[2004] != 10 {
			t.Fatalf("Peru %+v, Chile %+v", peru, chile)
		}
		if len(peru.UnitValue) != 5 || peru.UnitValue[2004] != 10 {
			t.Fatalf("Peru's unit values (weights given, quantities empty): %v", peru.UnitValue)
		}
		uv, err := s.UnitValues(context.Background(), trade.AsReported("030799"), 392, 2000, 2004)
		if err != nil || len(uv) != 4 || uv[0].Values[2000] != 10 {
			t.Fatalf("unit values: %+v %v", uv, err)
		}
	})
}

func TestIntelligenceReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		first, err := s.BuildReport(ctx, mesa, "2006-S1", "es", []string{"loco_congelado", "loco_conserva"})
		if err != nil {
			t.Fatal(err)
		}
		// Built from Cuadro 3 (2001–2005): Peru's destinations, and the seed batch recorded.
		if first.To != 2005 || first.From != 2001 || len(first.Sections) != 2 || len(first.Sections[0].Destinations.Rows) == 0 || len(first.Batches) != 1 ||
			!strings.HasPrefix(first.Changes[0], "Primer informe") {
			t.Fatalf("first report: %+v", first)
		}
		if _, err := importFile(t, s, trade.FormatSRIIM, "sriim.csv", "2006.csv"); err != nil {
			t.Fatal(err)
		}
		second, err := s.BuildReport(ctx, mesa, "2007-S1", "en", []string{"loco_congelado"})
		if err != nil || second.To != 2006 || len(second.Batches) != 2 {
			t.Fatalf("second report: %+v %v", second, err)
		}
		// A stored report reads back exactly as built, whatever was imported since.
		again, err := s.Report(ctx, first.ID)
		if err != nil || again.To != first.To || len(again.Sections) != 2 || again.Sections[1].Destinations.World.Values[2005] != first.Sections[1].Destinations.World.Values[2005] {
			t.Fatalf("stored report: %+v %v", again, err)
		}
		list, _ := s.Reports(ctx)
		if len(list) != 2 || list[0].Period != "2007-S1" {
			t.Fatalf("reports: %+v", list)
		}
		if _, err := s.BuildReport(ctx, mesa, "2026-S3", "es", nil); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad period: %v", err)
		}
	})
}

// TestTotalsFollowTheRowsAcrossFiles checks the totals the rankings read
// against the rows themselves while files overlap, take rows over from each
// other and are imported again.
func TestTotalsFollowTheRowsAcrossFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		load := func(name string, rows ...string) {
			t.Helper()
			b, err := s.Start(ctx, mesa, trade.FormatSRIIM, name, "test")
			if err == nil {
				file := "reportero,socio,socio2,flujo,clasificacion,codigo,anio,mes,valor_usd,base_valor,peso_neto_kg,cantidad,unidad,bandera\n" +
					strings.Join(rows, "\n") + "\n"
				_, err = s.Import(ctx, mesa, b, strings.NewReader(file))
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		japan := func(want float64) {
			t.Helper()
			// The reporter's total straight from its rows: the World row, else the sum of the partner rows.
			var direct float64
			if err := d.Read().QueryRow(`SELECT COALESCE(MAX(CASE WHEN partner = 0 THEN value_usd END), SUM(value_usd))
				FROM trade_flows WHERE reporter = 392 AND flow = 'import' AND commodity = '030799' AND year = 2004 AND month = 0`).Scan(&direct); err != nil {
				t.Fatal(err)
			}
			rk, err := s.Importers(ctx, trade.AsReported("030799"), "import", 2004, 2004, 0)
			if err != nil {
				t.Fatal(err)
			}
			var ranked float64
			for _, r := range rk.Rows {
				if r.Partner.Code == 392 {
					ranked = r.Values[2004]
				}
			}
			if direct != want || ranked != want {
				t.Fatalf("Japan's total: %v from its rows, %v ranked, want %v", direct, ranked, want)
			}
		}
		row := func(partner string, value int) string {
			return "JPN," + partner + ",,importacion,H2,030799,2004,," + strconv.Itoa(value) + ",cif,,,,"
		}
		load("a.csv", row("CHN", 100), row("CHL", 50))
		japan(150)
		load("b.csv", row("CHL", 70), row("PER", 30)) // takes Chile's row over from a.csv
		japan(200)
		load("c.csv", row("0", 500), row("KOR", 1))
		japan(500)
		load("a.csv", row("CHN", 10), row("CHL", 5)) // a.csv again: takes Chile's row back
		japan(500)
		load("c.csv", row("KOR", 2)) // c.csv again, without its World row
		japan(10 + 5 + 30 + 2)
		load("b.csv", row("USA", 3))
		japan(10 + 5 + 2 + 3)
	})
}

// TestSeriesApartInTheFile imports a file whose rows of one series are not
// next to each other: they make one series, and a partner given twice is a
// repeated row, named by its line, even when the rows are apart.
func TestSeriesApartInTheFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		load := func(name string, rows ...string) (trade.Batch, error) {
			b, err := s.Start(ctx, mesa, trade.FormatSRIIM, name, "test")
			if err != nil {
				t.Fatal(err)
			}
			file := "reportero,socio,socio2,flujo,clasificacion,codigo,anio,mes,valor_usd,base_valor,peso_neto_kg,cantidad,unidad,bandera\n" +
				strings.Join(rows, "\n") + "\n"
			return s.Import(ctx, mesa, b, strings.NewReader(file))
		}
		row := func(partner string, year, value int) string {
			return "JPN," + partner + ",,importacion,H2,030799," + strconv.Itoa(year) + ",," + strconv.Itoa(value) + ",cif,,,,"
		}
		seeded := count(t, d)
		b, err := load("apart.csv", row("CHN", 2004, 100), row("CHL", 2003, 50), row("PER", 2004, 30), row("0", 2003, 60), row("KOR", 2004, 1))
		if err != nil || b.Rows != 5 {
			t.Fatalf("apart.csv: %+v %v", b, err)
		}
		var series int
		if err := d.Read().QueryRow("SELECT count(*) FROM trade_series WHERE batch_id = $1", b.ID).Scan(&series); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d); series != 2 || n != seeded+5 {
			t.Fatalf("%d series and %d new rows, want 2 and 5", series, n-seeded)
		}
		rk, err := s.Importers(ctx, trade.AsReported("030799"), "import", 2003, 2004, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rk.Rows {
			if r.Partner.Code == 392 && (r.Values[2003] != 60 || r.Values[2004] != 131) {
				t.Fatalf("Japan's totals %v, want 2003: 60 (its World row), 2004: 131", r.Values)
			}
		}
		_, err = load("apart-dup.csv", row("CHN", 2004, 100), row("CHL", 2003, 50), row("PER", 2004, 30), row("CHN", 2004, 7))
		if e, ok := err.(*errs.Error); !ok || len(e.Fields) != 1 || e.Fields["fila 5"] == "" {
			t.Fatalf("a partner given twice, apart: %v", err)
		}
		if n := count(t, d); n != seeded+5 {
			t.Fatalf("a failed import changed the rows: %d", n-seeded)
		}
	})
}

// TestImportProgressReachesOtherInstances follows an import on PostgreSQL
// from a second app instance, which does not run it: the job page there
// shows the rows read too.
func TestImportProgressReachesOtherInstances(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect != db.Postgres {
			t.Skip("SQLite serves one instance, which keeps its imports' progress in memory")
		}
		ctx := context.Background()
		running, other := setup(t, d), trade.New(d)
		b, err := running.Start(ctx, mesa, trade.FormatLegacy, "progress.csv", "test")
		if err != nil {
			t.Fatal(err)
		}
		file := legacyRows(30000)
		half := len(file)/2 + bytes.IndexByte(file[len(file)/2:], '\n') + 1
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.CloseWithError(errors.New("the test ended")) }) // so that a failed test ends the import
		result := make(chan error, 1)
		go func() {
			_, err := running.Import(ctx, mesa, b, pr)
			result <- err
		}()
		if _, err := pw.Write(file[:half]); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			got, err := other.Batch(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State == "running" && got.Read >= 10000 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the other instance sees %+v", got)
			}
		}
		_, _ = pw.Write(file[half:])
		pw.Close()
		if err := <-result; err != nil {
			t.Fatal(err)
		}
		if got, _ := other.Batch(ctx, b.ID); got.State != "done" || got.Rows != 30000 || got.Read != 0 {
			t.Fatalf("after the import the other instance sees %+v", got)
		}
	})
}

// A file the parsers cannot read says so in the catalogue's words, never in
// the parser's ("read header: EOF", encoding/csv's).
func TestUnreadableTradeFilesSayWhyInTheCataloguesWords(t *testing.T) {
	s := trade.New(dbtest.Open(t, db.SQLite))
	for _, tt := range []struct {
		file, message, field, problem string
	}{
		{"", "the file is empty", "", ""},
		{"\x1f\x8b garbage", "the file cannot be read", "", ""},
		{"Classification,Year\n", "the file cannot be read", "fila 1", "the header lacks %s"},
		{comtradeHeader + "\n\"H3,2004\n", "the file has 1 problems; nothing was imported", "fila 2", "a quoted cell has no closing quote mark, or a stray one"},
	} {
		b, err := s.Start(context.Background(), mesa, trade.FormatLegacy, "x.csv", "test")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Import(context.Background(), mesa, b, strings.NewReader(tt.file))
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Message != tt.message {
			t.Errorf("%q: %v", tt.file, err)
			continue
		}
		if tt.field != "" && (len(e.Problems) != 1 || e.Problems[0].Msg.Format != tt.problem || e.Problems[0].Key() != tt.field) {
			t.Errorf("%q: problems %+v", tt.file, e.Problems)
		}
		if strings.Contains(e.Message+strings.Join(mapValues(e.Fields), " "), "EOF") || strings.Contains(strings.Join(mapValues(e.Fields), " "), "quoted-field") {
			t.Errorf("%q shows the parser's words: %v %v", tt.file, e.Message, e.Fields)
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

const comtradeHeader = "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO," +
	"Partner Code,Partner,Partner ISO,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag"
