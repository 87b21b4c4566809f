package ui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/render"
	"sriim/internal/trade"
)

func (s *Server) marketReportRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /mercados/informes", s.marketReportsPage)
	mux.HandleFunc("POST /mercados/informes", s.marketReportBuild)
	mux.HandleFunc("GET /mercados/informes/{id}", s.marketReportPage)
	mux.HandleFunc("GET /mercados/informes/{id}/informe.pdf", s.marketReportFile("pdf"))
	mux.HandleFunc("GET /mercados/informes/{id}/anexo.xlsx", s.marketReportFile("xlsx"))
	mux.HandleFunc("GET /mercados/informes/{id}/graficos/{line}", s.marketReportChart)
}

// currentSemester is the semester of now, "2026-S2".
func (s *Server) currentSemester() string {
	now := s.Trade.Now()
	half := 1
	if now.Month() > 6 {
		half = 2
	}
	return fmt.Sprintf("%d-S%d", now.Year(), half)
}

func (s *Server) marketReportsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.Trade.Reports(r.Context())
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "market_reports.html", i18n.T(httpkit.Lang(r), "report.title"), struct {
		Reports  []trade.ReportSummary
		Lines    []trade.Product
		Period   string
		CanBuild bool
	}{list, trade.ProductLines(), s.currentSemester(), trade.CanImport(httpkit.Principal(r))})
}

func (s *Server) marketReportBuild(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	rep, err := s.Trade.BuildReport(r.Context(), httpkit.Principal(r), r.PostFormValue("period"), r.PostFormValue("lang"), httpkit.List(r.PostForm, "lines"))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/mercados/informes/%d", rep.ID), http.StatusSeeOther)
}

func (s *Server) loadReport(r *http.Request) (trade.IntelligenceReport, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return trade.IntelligenceReport{}, err
	}
	return s.Trade.Report(r.Context(), id)
}

func reportTitle(rep trade.IntelligenceReport) string {
	return i18n.T(i18n.Lang(rep.Lang), "report.heading", rep.Period)
}

// marketReportPage shows a report in its own language.
func (s *Server) marketReportPage(w http.ResponseWriter, r *http.Request) {
	rep, err := s.loadReport(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := reportView{IntelligenceReport: rep, Charts: map[string]template.URL{}}
	for _, sec := range rep.Sections {
		if len(sec.Importers.Rows) > 0 {
			v.Charts[sec.Product.Line] = template.URL(fmt.Sprintf("/mercados/informes/%d/graficos/%s.svg", rep.ID, url.PathEscape(sec.Product.Line)))
		}
	}
	s.render(w, r.WithContext(httpkit.WithLang(r.Context(), i18n.Lang(rep.Lang))), http.StatusOK, "market_report.html", reportTitle(rep), v)
}

// reportView is a report with the address of each section's chart.
type reportView struct {
	trade.IntelligenceReport
	Charts map[string]template.URL // product line → chart
}

// marketReportChart draws a report's section's importers, as stored.
func (s *Server) marketReportChart(w http.ResponseWriter, r *http.Request) {
	rep, err := s.loadReport(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	line := strings.TrimSuffix(r.PathValue("line"), ".svg")
	for _, sec := range rep.Sections {
		if sec.Product.Line == line && len(sec.Importers.Rows) > 0 {
			svg, err := reportChart(sec, i18n.Lang(rep.Lang)).Draw(render.SVG)
			if err != nil {
				s.k.Fail(w, r, err)
				return
			}
			httpkit.WriteSVG(w, svg)
			return
		}
	}
	s.k.Fail(w, r, errs.E(errs.NotFound, "no chart %s in report %d", line, rep.ID))
}

// reportChart is a report section's chart: its five largest importers.
func reportChart(sec trade.ReportSection, lang i18n.Lang) render.Lines {
	rk := sec.Importers
	rk.Rows = rk.Rows[:min(5, len(rk.Rows))]
	return importersChart(rk, lang)
}

func (s *Server) marketReportFile(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rep, err := s.loadReport(r)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		var b []byte
		if kind == "pdf" {
			b, err = marketReportPDF(rep)
		} else {
			b, err = marketReportXLSX(rep)
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		name := "informe-mercados-" + rep.Period
		if kind == "pdf" {
			writePDF(w, name, b)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-anexo.xlsx"`, name))
		_, _ = w.Write(b)
	}
}

// MarketReportFiles renders a report as a standalone HTML page, a PDF and
// an XLSX annex (for the command line).
func MarketReportFiles(rep trade.IntelligenceReport) (html, pdf, xlsx []byte, err error) {
	a, err := loadAssets()
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := template.New("market_report.html").Funcs(templateFuncs(a)).ParseFS(embedded, "templates/standalone/market_report.html", "templates/partials/*.html")
	if err != nil {
		return nil, nil, nil, err
	}
	var buf bytes.Buffer
	// The standalone page carries its charts inside, as data: addresses.
	v := reportView{IntelligenceReport: rep, Charts: map[string]template.URL{}}
	for _, sec := range rep.Sections {
		if len(sec.Importers.Rows) > 0 {
			svg, err := reportChart(sec, i18n.Lang(rep.Lang)).Draw(render.SVG)
			if err != nil {
				return nil, nil, nil, err
			}
			v.Charts[sec.Product.Line] = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))
		}
	}
	doc := struct {
		Page
		Style template.CSS
	}{Page{Lang: i18n.Lang(rep.Lang), Title: reportTitle(rep), Data: v}, template.CSS(a["app.css"].body)}
	if err := t.Execute(&buf, doc); err != nil {
		return nil, nil, nil, err
	}
	if pdf, err = marketReportPDF(rep); err != nil {
		return nil, nil, nil, err
	}
	xlsx, err = marketReportXLSX(rep)
	return buf.Bytes(), pdf, xlsx, err
}

func rankText(n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(n)
}

// marketReportXLSX is the report's annex: a sheet of each table's rows.
func marketReportXLSX(rep trade.IntelligenceReport) ([]byte, error) {
	lang := i18n.Lang(rep.Lang)
	var sheets []importer.Sheet
	for _, sec := range rep.Sections {
		sheets = append(sheets, rankingSheet(sheetName(sec.Product.Line+"-importadores"), sec.Importers, lang),
			rankingSheet(sheetName(sec.Product.Line+"-destinos"), sec.Destinations, lang))
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
