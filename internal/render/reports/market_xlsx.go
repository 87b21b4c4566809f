package reports

import (
	"bytes"
	"strconv"

	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/stats"
	"sriim/internal/trade"
)

// MarketXLSX is the report's annex: a sheet of each table's rows.
func MarketXLSX(rep trade.IntelligenceReport) ([]byte, error) {
	lang := i18n.Lang(rep.Lang)
	var sheets []importer.Sheet
	for _, sec := range rep.Sections {
		sheets = append(sheets, RankingSheet(sheetName(sec.Product.Line+"-importadores"), sec.Importers, lang),
			RankingSheet(sheetName(sec.Product.Line+"-destinos"), sec.Destinations, lang))
		comp := importer.Sheet{Name: sheetName(sec.Product.Line + "-competidores"), Header: []string{"mercado", "exportador", "puesto", "anio", "valor_usd",
			"participacion_pct", "usd_kg", "tcac_pct", "tcac_desde", "tcac_hasta"},
			Numeric: map[string]bool{"puesto": true, "anio": true, "valor_usd": true, "participacion_pct": true, "usd_kg": true, "tcac_pct": true, "tcac_desde": true, "tcac_hasta": true}}
		for _, m := range sec.Markets {
			for _, c := range m.Competitors {
				cagr, from, to := "", "", ""
				if c.CAGR != nil {
					cagr = strconv.FormatFloat(*c.CAGR, 'f', 2, 64)
					from, to = spanCells(c.CAGRSpan)
				}
				for y := rep.From; y <= rep.To; y++ {
					if _, ok := c.Values[y]; ok {
						comp.Rows = append(comp.Rows, []string{m.Market.Name(rep.Lang), c.Partner.Name(rep.Lang), rankCell(c.Rank), strconv.Itoa(y),
							yearValue(c.Values, y), yearValue(c.Shares, y), yearValue(c.UnitValue, y), cagr, from, to})
					}
				}
			}
		}
		sheets = append(sheets, comp)
	}
	var buf bytes.Buffer
	err := importer.WriteXLSXSheets(&buf, sheets)
	return buf.Bytes(), err
}

// rankCell is a rank for a download: empty when absent from the market.
func rankCell(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// sheetName keeps to XLSX's 31-character limit.
func sheetName(s string) string {
	if len(s) > 31 {
		return s[:31]
	}
	return s
}

// RankingSheet is a ranking as a table for CSV and XLSX: each country's
// values by year (a year without a value is an empty cell, never 0), its
// share, its CAGR with the years it spans, and its trend growth.
func RankingSheet(name string, rk trade.Ranking, lang i18n.Lang) importer.Sheet {
	sh := importer.Sheet{Name: name, Header: []string{"codigo", "iso", "pais"}, Numeric: map[string]bool{}}
	for _, y := range rk.Years {
		sh.Header = append(sh.Header, strconv.Itoa(y))
	}
	sh.Header = append(sh.Header, "participacion_pct", "tcac_pct", "tcac_desde", "tcac_hasta", "tendencia_pct")
	for _, h := range sh.Header[3:] {
		sh.Numeric[h] = true
	}
	pct := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 2, 64)
	}
	for _, row := range rk.Rows {
		cells := []string{strconv.Itoa(row.Partner.Code), row.Partner.ISO, row.Partner.Name(string(lang))}
		for _, y := range rk.Years {
			cells = append(cells, yearValue(row.Values, y))
		}
		from, to := spanCells(row.CAGRSpan)
		sh.Rows = append(sh.Rows, append(cells, pct(row.Share), pct(row.CAGR), from, to, pct(row.TrendGrowth)))
	}
	return sh
}

// yearValue is a year's figure for a download: empty when the year has none.
func yearValue(values map[int]float64, year int) string {
	if v, ok := values[year]; ok {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// spanCells are a growth rate's first and last years, empty when none.
func spanCells(span *stats.Span) (from, to string) {
	if span == nil {
		return "", ""
	}
	return strconv.Itoa(span[0]), strconv.Itoa(span[1])
}
