package reports

import (
	"bytes"
	"embed"
	"encoding/base64"
	"html/template"

	"sriim/internal/i18n"
	"sriim/internal/render"
	"sriim/internal/trade"
)

var (
	//go:embed templates/market_report.html templates/market_report_body.html
	htmlFiles embed.FS

	// DocumentCSS is the style SRIIM's HTML documents share with its pages
	// (colours, type, tables, charts): a standalone document carries it
	// inside, and the pages' stylesheet begins with it.
	//
	//go:embed document.css
	DocumentCSS string

	marketTemplates = template.Must(template.New("").Funcs(template.FuncMap{
		"num":       render.FormatNumber,
		"thousands": render.Thousands,
		"pct":       render.Percent,
		"span":      render.GrowthSpan,
	}).ParseFS(htmlFiles, "templates/*.html"))
)

// marketHTML is what the report's templates receive: the report (Data) in
// its own language.
type marketHTML struct {
	Lang  i18n.Lang
	Title string
	Data  marketView
	Style template.CSS
}

// T translates key into the report's language.
func (m marketHTML) T(key string, args ...any) string { return i18n.T(m.Lang, key, args...) }

// marketView is a report with the address of each section's chart.
type marketView struct {
	trade.IntelligenceReport
	Charts map[string]template.URL // product line → chart
}

// MarketHTMLBody is a report's sections as HTML, in the report's language,
// for a page that puts its own heading and frame around them; chart gives
// the address of a section's chart (sections without importers have none).
func MarketHTMLBody(rep trade.IntelligenceReport, chart func(trade.ReportSection) (template.URL, error)) (template.HTML, error) {
	m, err := newMarketHTML(rep, chart)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	err = marketTemplates.ExecuteTemplate(&buf, "market_report_body", m)
	// The template escaped every value it wrote.
	return template.HTML(buf.String()), err
}

// MarketHTML is a report as a standalone HTML page: its sections with the
// documents' style and the charts inside (as data: addresses), for the
// command line.
func MarketHTML(rep trade.IntelligenceReport) ([]byte, error) {
	m, err := newMarketHTML(rep, func(sec trade.ReportSection) (template.URL, error) {
		svg, err := ReportChart(sec, i18n.Lang(rep.Lang)).Draw(render.SVG)
		return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg)), err
	})
	if err != nil {
		return nil, err
	}
	m.Style = template.CSS(DocumentCSS)
	var buf bytes.Buffer
	err = marketTemplates.ExecuteTemplate(&buf, "market_report.html", m)
	return buf.Bytes(), err
}

func newMarketHTML(rep trade.IntelligenceReport, chart func(trade.ReportSection) (template.URL, error)) (marketHTML, error) {
	v := marketView{IntelligenceReport: rep, Charts: map[string]template.URL{}}
	for _, sec := range rep.Sections {
		if len(sec.Importers.Rows) > 0 {
			u, err := chart(sec)
			if err != nil {
				return marketHTML{}, err
			}
			v.Charts[sec.Product.Line] = u
		}
	}
	return marketHTML{Lang: i18n.Lang(rep.Lang), Title: ReportTitle(rep), Data: v}, nil
}
