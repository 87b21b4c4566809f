package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/portal"
	"sriim/internal/render"
	"sriim/internal/render/reports"
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
	for i := range list {
		list[i].CreatedBy = portal.PersonShown(httpkit.Principal(r), list[i].CreatedBy)
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
	rep, err := s.Trade.Report(r.Context(), id)
	rep.CreatedBy = portal.PersonShown(httpkit.Principal(r), rep.CreatedBy)
	return rep, err
}

// marketReportPage shows a report in its own language, its sections drawn by
// internal/render/reports as in the report's standalone page.
func (s *Server) marketReportPage(w http.ResponseWriter, r *http.Request) {
	rep, err := s.loadReport(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	body, err := reports.MarketHTMLBody(rep, func(sec trade.ReportSection) (template.URL, error) {
		return template.URL(fmt.Sprintf("/mercados/informes/%d/graficos/%s.svg", rep.ID, url.PathEscape(sec.Product.Line))), nil
	})
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r.WithContext(httpkit.WithLang(r.Context(), i18n.Lang(rep.Lang))), http.StatusOK, "market_report.html", reports.ReportTitle(rep), struct {
		ID   int64
		Body template.HTML
	}{rep.ID, body})
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
			svg, err := reports.ReportChart(sec, i18n.Lang(rep.Lang)).Draw(render.SVG)
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

func (s *Server) marketReportFile(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rep, err := s.loadReport(r)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		var b []byte
		if kind == "pdf" {
			b, err = reports.MarketPDF(rep)
		} else {
			b, err = reports.MarketXLSX(rep)
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
