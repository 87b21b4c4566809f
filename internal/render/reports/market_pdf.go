package reports

import (
	"strconv"
	"strings"

	"sriim/internal/i18n"
	"sriim/internal/render"
	"sriim/internal/trade"
)

// The PDFs a trade office or the Mesa de Trabajo sends out: a cover, a
// summary, tables with aligned and rounded figures, the pages' charts,
// sources and methods, in the document's language (internal/render draws
// them). Each depends only on its data, dates included.

// MarketPDF is a market-intelligence report as a trade office sends
// it: a cover, what changed, each product line's importers (chart and
// table), Peru and its competitors, the destinations of Peru's exports,
// then sources and methods.
func MarketPDF(rep trade.IntelligenceReport) ([]byte, error) {
	lang := i18n.Lang(rep.Lang)
	title := ReportTitle(rep)
	d := newDoc(lang, title, rep.CreatedAt)
	var lines []string
	for _, sec := range rep.Sections {
		lines = append(lines, "• "+ProductName(sec.Product, lang)+" ("+codesText(sec.Product, lang)+")")
	}
	d.Cover(title, i18n.T(lang, "report.cover_period", rep.From, rep.To),
		append([]string{i18n.T(lang, "report.cover_lines")}, lines...),
		i18n.T(lang, "report.cover_foot", longDate(rep.CreatedAt, lang)))

	d.Heading(1, i18n.T(lang, "report.summary"))
	d.Para(i18n.T(lang, "report.lead", rep.Period, rep.From, rep.To))
	d.Heading(2, i18n.T(lang, "report.changes"))
	d.Bullets(rep.Changes)
	thousands := i18n.T(lang, "report.thousands")
	for i, sec := range rep.Sections {
		if i > 0 {
			d.Page()
		}
		d.Heading(1, ProductName(sec.Product, lang))
		d.Note(codesText(sec.Product, lang))
		d.Heading(2, i18n.T(lang, "markets.importers")+" ("+thousands+")")
		if len(sec.Importers.Rows) == 0 {
			d.Para(i18n.T(lang, "markets.no_data"))
		} else {
			png, err := ReportChart(sec, lang).Draw(render.PNG)
			if err != nil {
				return nil, err
			}
			d.Image("importers-"+sec.Product.Line, png, 0)
			d.Table(rankingTable(sec.Importers, lang, true))
		}
		if len(sec.Markets) > 0 {
			d.Heading(2, i18n.T(lang, "report.competitors"))
			t := render.Table{Header: []string{i18n.T(lang, "markets.market"), i18n.T(lang, "report.exporter"), i18n.T(lang, "report.rank"),
				i18n.T(lang, "markets.share") + " " + strconv.Itoa(rep.To), "US$/kg " + strconv.Itoa(rep.To), i18n.T(lang, "markets.cagr")},
				Widths: []float64{2, 2, 0.8, 1.1, 1.1, 1.6}, Numeric: []bool{false, false, true, true, true, true}}
			for _, m := range sec.Markets {
				for _, c := range m.Competitors {
					share, uv := "—", "—"
					if v, ok := c.Shares[rep.To]; ok {
						share = pctCell(&v)
					}
					if v, ok := c.UnitValue[rep.To]; ok {
						uv = fixedDecimals(v, 2)
					}
					t.Rows = append(t.Rows, []render.Cell{{Text: m.Market.Name(rep.Lang)}, {Text: c.Partner.Name(rep.Lang)}, {Text: RankText(c.Rank)},
						{Text: share}, {Text: uv}, {Text: cagrCell(c.CAGR, c.CAGRSpan, sec.Importers.Years)}})
				}
			}
			d.Table(t)
		}
		d.Heading(2, i18n.T(lang, "markets.destinations")+" ("+thousands+")")
		if len(sec.Destinations.Rows) == 0 {
			d.Para(i18n.T(lang, "markets.no_data"))
		} else {
			d.Table(rankingTable(sec.Destinations, lang, false))
		}
	}
	d.Heading(1, i18n.T(lang, "report.sources"))
	batches := make([]string, len(rep.Batches))
	for i, b := range rep.Batches {
		batches[i] = strconv.FormatInt(b, 10)
	}
	d.Para(i18n.T(lang, "report.sources_text", strings.Join(batches, ", ")))
	d.Para(i18n.T(lang, "markets.method"))
	d.Para(i18n.T(lang, "report.rounding"))
	if rep.CreatedBy != "" {
		d.Note(i18n.T(lang, "report.built", rep.CreatedBy, longDate(rep.CreatedAt, lang)))
	} else {
		d.Note(i18n.T(lang, "report.built_on", longDate(rep.CreatedAt, lang)))
	}
	return d.Bytes()
}

// codesText lists a product's codes: "SA H2 030799, H5 030792".
func codesText(p trade.Product, lang i18n.Lang) string {
	codes := make([]string, len(p.Codes))
	for i, c := range p.Codes {
		codes[i] = strings.TrimSpace(c.Classification + " " + c.Commodity)
	}
	return i18n.T(lang, "markets.hs_codes", strings.Join(codes, ", "))
}

// rankingTable is a ranking in thousands of US$ by year, with each row's
// share and (importers) CAGR, and the total.
func rankingTable(rk trade.Ranking, lang i18n.Lang, growth bool) render.Table {
	t := render.Table{Header: []string{i18n.T(lang, "markets.country")}, Widths: []float64{2.6}, Numeric: []bool{false}, Total: true}
	for _, y := range rk.Years {
		t.Header, t.Widths, t.Numeric = append(t.Header, strconv.Itoa(y)), append(t.Widths, 1), append(t.Numeric, true)
	}
	t.Header, t.Widths, t.Numeric = append(t.Header, i18n.T(lang, "markets.share")), append(t.Widths, 1), append(t.Numeric, true)
	if growth {
		t.Header, t.Widths, t.Numeric = append(t.Header, i18n.T(lang, "markets.cagr")), append(t.Widths, 1.6), append(t.Numeric, true)
	}
	add := func(name string, values map[int]float64, share string, cagr string) {
		row := []render.Cell{{Text: name}}
		for _, y := range rk.Years {
			row = append(row, render.Cell{Text: thousandsCell(values, y)})
		}
		row = append(row, render.Cell{Text: share})
		if growth {
			row = append(row, render.Cell{Text: cagr})
		}
		t.Rows = append(t.Rows, row)
	}
	for _, r := range rk.Rows {
		add(r.Partner.Name(string(lang)), r.Values, pctCell(r.Share), cagrCell(r.CAGR, r.CAGRSpan, rk.Years))
	}
	total := i18n.T(lang, "production.total")
	if growth {
		total = i18n.T(lang, "markets.world")
	}
	add(total, rk.World.Values, "100.0 %", cagrCell(rk.World.CAGR, rk.World.CAGRSpan, rk.Years))
	return t
}

func ReportTitle(rep trade.IntelligenceReport) string {
	return i18n.T(i18n.Lang(rep.Lang), "report.heading", rep.Period)
}

func RankText(n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(n)
}
