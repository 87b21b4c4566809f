package reports

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"sriim/internal/i18n"
	"sriim/internal/planning"
	"sriim/internal/render/rendertest"
	"sriim/internal/stats"
	"sriim/internal/trade"
)

var updateReferences = flag.Bool("update", false, "rewrite the tests' references (testdata/*.grid, *.html)")

// The documents are drawn from data made here, not from the seed, so that
// their references change only when the documents do.

func pdfFloat(v float64) *float64 { return &v }

func pdfPartner(code int, iso, es, en string) trade.Partner {
	return trade.Partner{Code: code, ISO: iso, NameES: es, NameEN: en}
}

var (
	pdfJapan    = pdfPartner(392, "JPN", "Japón", "Japan")
	pdfHongKong = pdfPartner(344, "HKG", "Hong Kong", "Hong Kong")
	pdfChina    = pdfPartner(156, "CHN", "China", "China")
	pdfKorea    = pdfPartner(410, "KOR", "República de Corea", "Republic of Korea")
	pdfPeru     = pdfPartner(604, "PER", "Perú", "Peru")
	pdfChile    = pdfPartner(152, "CHL", "Chile", "Chile")
)

func testReport(lang string) trade.IntelligenceReport {
	years := []int{2000, 2001, 2002, 2003, 2004}
	product := trade.Product{Line: "loco_congelado", NameES: "Loco congelado, seco, salado o en salmuera", NameEN: "Loco, frozen, dried, salted or in brine",
		Basis: "product_line", Codes: []trade.Code{{Classification: "H2", Commodity: "030799"}, {Classification: "H5", Commodity: "030792"}}}
	importers := trade.Ranking{Product: product, Flow: "import", From: 2000, To: 2004, Years: years, Rows: []trade.Ranked{
		{Partner: pdfJapan, Values: map[int]float64{2000: 65e6, 2001: 71e6, 2002: 80.4e6, 2003: 89e6, 2004: 99.69e6}, Share: pdfFloat(79.3), CAGR: pdfFloat(11.29), CAGRSpan: &stats.Span{2000, 2004}},
		{Partner: pdfHongKong, Values: map[int]float64{2000: 10e6, 2001: 10.2e6, 2002: 11e6, 2003: 12e6, 2004: 13e6}, Share: pdfFloat(10.34), CAGR: pdfFloat(6.78), CAGRSpan: &stats.Span{2000, 2004}},
		{Partner: pdfKorea, Values: map[int]float64{2001: 0.5e6, 2002: 1e6, 2003: 1.5e6, 2004: 2e6}, Share: pdfFloat(1.59), CAGR: pdfFloat(58.74), CAGRSpan: &stats.Span{2001, 2004}},
	}, World: trade.Totals{Values: map[int]float64{2000: 75e6, 2001: 81.7e6, 2002: 92.4e6, 2003: 102.5e6, 2004: 114.69e6}, CAGR: pdfFloat(11.2), CAGRSpan: &stats.Span{2000, 2004}}}
	destinations := trade.Ranking{Product: product, Flow: "export", From: 2000, To: 2004, Years: years, Rows: []trade.Ranked{
		{Partner: pdfJapan, Values: map[int]float64{2000: 2853e3, 2001: 2100e3, 2002: 2500e3, 2003: 3100e3, 2004: 4200e3}, Share: pdfFloat(42)},
		{Partner: pdfChina, Values: map[int]float64{2003: 400e3, 2004: 800e3}, Share: pdfFloat(8)},
	}, World: trade.Totals{Values: map[int]float64{2000: 2853e3, 2001: 2100e3, 2002: 2500e3, 2003: 3500e3, 2004: 5000e3}}}
	markets := []trade.Market{{Market: pdfJapan, Competitors: []trade.Competitor{
		{Partner: pdfPeru, Values: map[int]float64{2004: 1e6}, Shares: map[int]float64{2004: 1}, UnitValue: map[int]float64{2004: 10}, Rank: 4, CAGR: pdfFloat(3.5), CAGRSpan: &stats.Span{2000, 2004}},
		{Partner: pdfChile, Values: map[int]float64{2004: 22e6}, Shares: map[int]float64{2004: 22.07}, UnitValue: map[int]float64{2004: 9.5}, Rank: 3, CAGR: pdfFloat(10), CAGRSpan: &stats.Span{2002, 2004}},
	}}}
	changes := []string{"Loco congelado, seco, salado o en salmuera: República de Corea entra entre los cinco mayores importadores.",
		"Loco congelado, seco, salado o en salmuera: la participación del Perú en Japón pasa de 0.80 % a 1.00 %."}
	if lang == "en" {
		changes = []string{"Loco, frozen, dried, salted or in brine: Republic of Korea enters the five largest importers."}
	}
	return trade.IntelligenceReport{ID: 1, Period: "2005-S2", Lang: lang, From: 2000, To: 2004, Changes: changes, Batches: []int64{1, 2},
		CreatedBy: "mesa@example.org", CreatedAt: time.Date(2005, 7, 4, 9, 30, 0, 0, time.UTC),
		Sections: []trade.ReportSection{{Product: product, Importers: importers, Markets: markets, Destinations: destinations}}}
}

func testPlan() (planning.Plan, []planning.Activity) {
	act := func(code, obj, title, period string, start, end int, light planning.Light, last string) planning.Activity {
		a := planning.Activity{Code: code, ObjectiveCode: obj, Title: title, Period: period, StartYear: start, EndYear: end, Light: light}
		if last != "" {
			a.LastPeriod, a.LastStatus = "2008", last
		}
		return a
	}
	acts := []planning.Activity{
		act("1.1.1", "1", "Elaborar una base de datos de zonas aptas, productores y procesadores de Moquegua", "2007 y actualización anual", 2007, 2010, planning.LightDone, "done"),
		act("1.1.2", "1", "Difundir la información técnica de las investigaciones en una red de información", "2007-2010", 2007, 2010, planning.LightOnTrack, "in_progress"),
		act("1.2.1", "1", "Capacitar a los extractores en buenas prácticas de manipulación", "2007-2008", 2007, 2008, planning.LightLate, "delayed"),
		act("2.1.1", "2", "Sistema de información de mercados con reportes semestrales", "2008-2012", 2008, 2012, planning.LightOnTrack, ""),
		act("2.1.2", "2", "Misiones comerciales a Japón, Taiwán y Hong Kong", "2010-2011", 2010, 2011, planning.LightNotStarted, ""),
		act("2.2.1", "2", "Certificación sanitaria de las plantas de procesamiento", "2007", 2007, 2007, planning.LightCancelled, "cancelled"),
	}
	p := planning.Plan{ID: 1, Code: "POP-MOLUSCOS", Title: "Plan Operativo de Moluscos — Región Moquegua", Issuer: "MINCETUR", Published: "2006",
		StartYear: 2007, EndYear: 2016, Source: "Plan Operativo de Moluscos, Región Moquegua (MINCETUR, 2006), sección 4",
		Rollup: planning.Rollup{Total: 6, Done: 1, OnTrack: 2, Late: 1, NotStarted: 1, Cancelled: 1, PercentDone: 20}}
	for _, o := range []struct{ code, statement string }{{"1", "Lograr una oferta diversificada de moluscos, con valor agregado, de calidad y volumen"},
		{"2", "Diversificar y consolidar la presencia de las empresas en el mercado internacional"}} {
		obj := planning.Objective{Code: o.code, Statement: o.statement, Rollup: planning.Rollup{Total: 3, PercentDone: 33.3}}
		st := planning.Strategy{Code: o.code + ".1", Title: "Información y capacitación para la producción"}
		for _, a := range acts {
			if a.ObjectiveCode == o.code {
				st.Activities = append(st.Activities, a)
			}
		}
		obj.Strategies = append(obj.Strategies, st)
		p.Objectives = append(p.Objectives, obj)
	}
	return p, acts
}

func testProgressReport() (planning.Activity, planning.Report) {
	a := planning.Activity{ID: 1, Code: "1.1.1", Title: "Elaborar una base de datos de zonas aptas, productores y procesadores de Moquegua",
		Period: "2007 y actualización anual", StartYear: 2007, EndYear: 2010,
		Indicators: []planning.Indicator{{ID: 1, Name: "Base de datos"}, {ID: 2, Name: "Número de productores y procesadores registrados"}, {ID: 3, Name: "Presupuesto ejecutado (S/)"}},
		Targets:    []planning.Target{{Statement: "Al 2007 se ha elaborado la base de datos.", Year: 2007}, {Statement: "Actualizaciones anuales.", Year: 2010}}}
	r := planning.Report{ID: 1, ActivityID: 1, Period: "2008", Year: 2008, Status: "done", State: "approved",
		Narrative:  "Se registró a 35 productores y procesadores en el padrón regional; DIREPRO Ilo validó la información en campo (Ilo, El Algarrobal y Pacocha).",
		ReportedBy: "editor@example.org", ReviewedBy: "mesa@example.org", Values: map[int64]float64{2: 35, 3: 12500.5},
		Evidence:  []planning.Evidence{{Name: "padrón-2008.xlsx", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}, {Name: "Acta de validación", URL: "https://example.org/acta"}},
		CreatedAt: time.Date(2008, 11, 3, 15, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2008, 12, 1, 10, 0, 0, 0, time.UTC)}
	return a, r
}

// TestPDFsMatchTheirReferences renders each kind of PDF to pages and
// compares them with their references, checks that the same data gives the
// same bytes, and that the text reads back with its Spanish characters.
func TestPDFsMatchTheirReferences(t *testing.T) {
	plan, acts := testPlan()
	act, rep := testProgressReport()
	docs := []struct {
		name  string
		make  func() ([]byte, error)
		texts []string
	}{
		{"market-report-es", func() ([]byte, error) { return MarketPDF(testReport("es")) }, []string{
			"Informe de inteligencia de mercados 2005-S2", "Comercio exterior de 2000 a 2004", "4 de julio de 2005",
			"Principales importadores (miles de US$)", "Japón", "99,690", "(2001–2004)", "Fuentes y notas de método", "Página 2 de"}},
		{"market-report-en", func() ([]byte, error) { return MarketPDF(testReport("en")) }, []string{
			"Market-intelligence report 2005-S2", "Main importers (thousands of US$)", "Republic of Korea", "Page 2 of"}},
		{"plan-es", func() ([]byte, error) { return PlanPDF(plan, acts, 2008, i18n.ES) }, []string{
			"Plan Operativo de Moluscos — Región Moquegua", "Semáforo 2008", "Atrasada", "Cumplida: 1", "actualización"}},
		{"progress-report-es", func() ([]byte, error) { return ProgressPDF(act, rep, i18n.ES) }, []string{
			"Reporte de avance de la actividad 1.1.1, 2008", "12,500.5", "padrón-2008.xlsx", "1 de diciembre de 2008"}},
	}
	for _, doc := range docs {
		t.Run(doc.name, func(t *testing.T) {
			pdf, err := doc.make()
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				again, err := doc.make()
				if err != nil || !bytes.Equal(again, pdf) {
					t.Fatal("the same data gave another PDF")
				}
			}
			text := rendertest.Text(t, pdf)
			for _, want := range doc.texts {
				if !strings.Contains(text, want) {
					t.Errorf("the PDF's text lacks %q", want)
				}
			}
			rendertest.Compare(t, pdf, "testdata/"+doc.name+".grid", *updateReferences)
		})
	}
}
