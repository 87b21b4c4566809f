package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/query"
	"sriim/internal/render"
	"sriim/internal/render/reports"
	"sriim/internal/trade"
)

func init() { filterMessages[query.MsgPeriod] = "filter.period" }

// exportsRoutes registers the regional exports' pages: the analysis by
// year, destination, exporter and product line, its chart and downloads,
// the leads for editors, the web import, and an exporter's exports by
// market beside its registry page.
func (s *Server) exportsRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /mercados/exportaciones", s.exportsPage)
	mux.HandleFunc("GET /mercados/exportaciones/grafico.svg", s.exportsChart)
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /mercados/exportaciones/datos."+format, s.exportsTable(format))
		mux.HandleFunc("GET /mercados/exportaciones/plantilla."+format, s.exportsTemplate(format))
	}
	mux.HandleFunc("GET /mercados/exportaciones/prospectos", s.exportLeadsPage)
	imp := s.exportsImport()
	mux.HandleFunc("GET /mercados/exportaciones/importar", s.importForm(imp))
	mux.HandleFunc("POST /mercados/exportaciones/importar", s.startImport(imp), httpkit.Upload(math.MaxInt64, exports.CanImport))
	mux.HandleFunc("GET /mercados/exportaciones/importaciones/{id}", s.exportsBatchPage)
	mux.HandleFunc("GET /actores/{id}/exportaciones", s.exporterMarketsPage)
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /actores/{id}/exportaciones/datos."+format, s.exporterMarketsTable(format))
	}
	mux.HandleFunc("POST /actores/{id}/exportaciones/visibilidad", s.exporterVisibility)
}

// exportsView is the regional analysis page.
type exportsView struct {
	Query       exports.Query
	Periods     []string // the table's columns: the query's years or months
	Result      exports.Result
	Changes     []exports.DestinationChange // by destination: new and lost ones
	Published   []exports.Published         // the region's figures a source gives without declarations, in the query's years
	Lines       []trade.Product
	Departments []exports.Department
	Batches     []exports.Batch
	CanImport   bool
	CanLeads    bool
}

// Name names a row for the page.
func (v exportsView) Name(k exports.Key, lang i18n.Lang) string {
	return reports.ExportRowName(k, lang)
}

// Unit is the analysis' unit.
func (v exportsView) Unit() string { return reports.MeasureUnit(v.Query.Measure) }

func (s *Server) exportsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, problems, err := readFilters(r, func(v url.Values) (exports.Query, error) { return query.Regional(ctx, v, s.Exports) })
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	p := httpkit.Principal(r)
	v := exportsView{Query: q, Lines: trade.ProductLines(), Departments: exports.Departments, CanImport: exports.CanImport(p),
		CanLeads: p.Has(auth.ReadPrivate)}
	v.Result, err = s.Exports.Regional(ctx, p, q)
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Invalid && len(e.Fields) > 0 {
		// The domain's own checks (by=, measure=, a span too long): show the
		// page's default analysis with the problems by their fields.
		_, problems = s.k.PageError(r, e)
		q, err = query.Regional(ctx, url.Values{}, s.Exports)
		if err == nil {
			v.Query = q
			v.Result, err = s.Exports.Regional(ctx, p, q)
		}
	}
	if err == nil && q.By == exports.ByDestination {
		v.Changes, err = s.Exports.DestinationChanges(ctx, p, q)
	}
	if err == nil {
		v.Batches, err = s.Exports.Batches(ctx)
	}
	var published []exports.Published
	if err == nil && q.Region != "PE" {
		published, err = s.Exports.PublishedFigures(ctx, q.Region)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, f := range published {
		if f.Year >= q.From.Year && f.Year <= q.To.Year {
			v.Published = append(v.Published, f)
		}
	}
	v.Query = q
	v.Periods = reports.PeriodLabels(q.From, q.To)
	lang := httpkit.Lang(r)
	title := i18n.T(lang, "exports.title", reports.ExportRegionName(q.Region, lang))
	s.renderFiltered(w, r, "exports_regional.html", Page{Title: title, Data: v, Description: i18n.T(lang, "exports.lead")}, problems)
}

// exportsChart draws the analysis' chart (reports.ExportsChart).
func (s *Server) exportsChart(w http.ResponseWriter, r *http.Request) {
	q, err := query.Regional(r.Context(), r.URL.Query(), s.Exports)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	res, err := s.Exports.Regional(r.Context(), httpkit.Principal(r), q)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	c, err := reports.ExportsChart(q, res, httpkit.Lang(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	svg, err := c.Draw(render.SVG)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
}

// exportsTable downloads the analysis as CSV or XLSX: each row's key, its
// values by period (empty when it has none), share and growth, then the total.
func (s *Server) exportsTable(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := query.Regional(r.Context(), r.URL.Query(), s.Exports)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		res, err := s.Exports.Regional(r.Context(), httpkit.Principal(r), q)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		sh := regionalSheet(q, res, httpkit.Lang(r))
		s.writeTable(w, r, format, "exportaciones-"+q.By, sh.Header, sh.Rows, sh.Numeric)
	}
}

// regionalSheet is an analysis as a table for CSV and XLSX.
func regionalSheet(q exports.Query, res exports.Result, lang i18n.Lang) importer.Sheet {
	periods := reports.PeriodLabels(q.From, q.To)
	sh := importer.Sheet{Header: []string{"clave", "nombre"}, Numeric: map[string]bool{}}
	sh.Header = append(sh.Header, periods...)
	sh.Header = append(sh.Header, "participacion_pct", "tcac_pct", "tcac_desde", "tcac_hasta", "mercados", "fuente")
	for _, h := range sh.Header[2 : len(sh.Header)-1] {
		sh.Numeric[h] = true
	}
	pct := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 2, 64)
	}
	cells := func(values map[string]float64) []string {
		out := make([]string, len(periods))
		for i, p := range periods {
			if v, ok := values[p]; ok {
				out[i] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return out
	}
	for _, row := range res.Rows {
		k := row.Key
		key := k.Region + k.ISO + k.RUC + k.Line + k.Subpartida
		from, to := "", ""
		if row.CAGRSpan != nil {
			from, to = strconv.Itoa(row.CAGRSpan[0]), strconv.Itoa(row.CAGRSpan[1])
		}
		markets := ""
		if k.Markets > 0 {
			markets = strconv.Itoa(k.Markets)
		}
		source := k.Source
		if k.Section != "" {
			source += ", " + k.Section
		}
		line := append([]string{key, reports.ExportRowName(k, lang)}, cells(row.Values)...)
		sh.Rows = append(sh.Rows, append(line, pct(row.Share), pct(row.CAGR), from, to, markets, source))
	}
	total := append([]string{"total", i18n.T(lang, "production.total")}, cells(res.Total.Values)...)
	sh.Rows = append(sh.Rows, append(total, "", "", "", "", "", ""))
	return sh
}

func (s *Server) exportsTemplate(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := exports.WriteTemplate(&buf, format); err != nil {
			s.k.Fail(w, r, err)
			return
		}
		ctype := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="plantilla-exportaciones.`+format+`"`)
		_, _ = w.Write(buf.Bytes())
	}
}

// exportLeadsPage lists the exporters the registry lacks (editors only).
func (s *Server) exportLeadsPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	region := r.URL.Query().Get("region")
	if region == "" {
		region = exports.DefaultRegion
	}
	if region == "PE" {
		region = ""
	}
	leads, err := s.Exports.Leads(r.Context(), httpkit.Principal(r), region)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "exports_leads.html", i18n.T(httpkit.Lang(r), "exports.leads"), struct {
		Region      string
		Leads       []exports.Lead
		Departments []exports.Department
	}{region, leads, exports.Departments})
}

// exportsImport is the web import of export declarations, as the trade
// import runs (the form's source names the file's publisher).
func (s *Server) exportsImport() backgroundImport {
	return backgroundImport{log: "exports", can: exports.CanImport, refused: errs.E(errs.Forbidden, "your role does not import export declarations"),
		form: "exports_import.html", title: "exports.import", page: "/mercados/exportaciones/importaciones/%d",
		start: func(r *http.Request, p auth.Principal, name string) (int64, func(context.Context, io.Reader) error, error) {
			b, err := s.Exports.Start(r.Context(), p, name, r.PostFormValue("source"))
			return b.ID, func(ctx context.Context, file io.Reader) error {
				_, err := s.Exports.Import(ctx, p, b, file)
				return err
			}, err
		}}
}

func (s *Server) exportsBatchPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	b, err := s.Exports.Batch(r.Context(), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	problems := followBatch(w, r, b.State, &b.Error, &b.CreatedBy)
	s.render(w, r, http.StatusOK, "exports_batch.html", i18n.T(httpkit.Lang(r), "markets.batch", b.ID), struct {
		Batch    exports.Batch
		Problems []string
	}{b, problems})
}

// exporterMarketsView is an exporter's exports by market.
type exporterMarketsView struct {
	ActorID    int64
	Name       string
	Query      exports.Query
	Periods    []string
	Result     exports.Result
	Visibility exports.Visibility
	CanChoose  bool // its members and its institution's editors choose whether everyone sees them
}

// RowName names a row for the page.
func (v exporterMarketsView) RowName(k exports.Key, lang i18n.Lang) string {
	return reports.ExportRowName(k, lang)
}

// exporterMarketsPage shows an exporter's exports by destination, to its
// own members and editors, and to everyone when it chose so.
func (s *Server) exporterMarketsPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	ctx, p := r.Context(), httpkit.Principal(r)
	a, err := s.Actors.Actor(ctx, p, id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	q, problems, err := readFilters(r, func(v url.Values) (exports.Query, error) { return query.ExporterMarkets(ctx, v, s.Exports, p, id) })
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := exporterMarketsView{ActorID: id, Name: a.Name, Query: q, Periods: reports.PeriodLabels(q.From, q.To), CanChoose: auth.Can(p, a.Owner())}
	if v.Visibility, err = s.Exports.Visibility(ctx, id); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Result, err = s.Exports.ExporterMarkets(ctx, p, id, q); err != nil {
		if p.Anonymous() && errs.Is(err, errs.Unauthenticated) && s.requireLogin(w, r) == nil {
			return
		}
		s.k.Fail(w, r, err)
		return
	}
	s.renderFiltered(w, r, "exports_exporter.html", Page{Title: i18n.T(httpkit.Lang(r), "exports.by_market", a.Name), Data: v}, problems)
}

// exporterMarketsTable downloads an exporter's exports by market as CSV or
// XLSX, to whoever may see them on its page.
func (s *Server) exporterMarketsTable(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		ctx := r.Context()
		q, err := query.ExporterMarkets(ctx, r.URL.Query(), s.Exports, httpkit.Principal(r), id)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		res, err := s.Exports.ExporterMarkets(ctx, httpkit.Principal(r), id, q)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		q.By = exports.ByDestination
		sh := regionalSheet(q, res, httpkit.Lang(r))
		s.writeTable(w, r, format, fmt.Sprintf("exportaciones-actor-%d", id), sh.Header, sh.Rows, sh.Numeric)
	}
}

// exporterSummaryYears is how many years an exporter's own pages show of
// its exports by market; its exports page shows more.
const exporterSummaryYears = 3

// exporterSummary is an exporter's exports by market in the last years, as
// its registry and offer pages show them (the exporter_markets partial).
type exporterSummary struct {
	Lang    i18n.Lang
	ActorID int64
	Periods []string
	Result  exports.Result
	Public  bool // everyone sees them: the exporter chose so
}

// T translates key into the summary's language.
func (e exporterSummary) T(key string, args ...any) string { return i18n.T(e.Lang, key, args...) }

// RowName names a row in the summary's language.
func (e exporterSummary) RowName(k exports.Key) string { return reports.ExportRowName(k, e.Lang) }

// exporterSummary reads actor's exports by market in its last
// exporterSummaryYears years of exports for r's visitor: nil when it has
// no RUC or no exports, or when the visitor may not see them (only its
// members and editors do, unless it chose to show them to everyone). A page showing private figures is marked private, so that
// neither the public page cache nor a shared cache keeps it for others.
func (s *Server) exporterSummary(w http.ResponseWriter, r *http.Request, actorID int64, ruc string) (*exporterSummary, error) {
	if ruc == "" {
		return nil, nil
	}
	ctx, p := r.Context(), httpkit.Principal(r)
	vis, err := s.Exports.Visibility(ctx, actorID)
	if err != nil || !exports.CanSeeExporter(p, actorID, vis.Public) {
		return nil, err
	}
	// The years up to its own last one: an exporter that stopped before
	// the others still shows what it exported.
	last, err := s.Exports.ExporterLastYear(ctx, p, actorID)
	if err != nil || last == 0 {
		return nil, err
	}
	q := exports.Query{From: exports.Period{Year: last - exporterSummaryYears + 1}, To: exports.Period{Year: last}}
	res, err := s.Exports.ExporterMarkets(ctx, p, actorID, q)
	if err != nil || len(res.Rows) == 0 {
		return nil, err
	}
	if !vis.Public {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	return &exporterSummary{Lang: httpkit.Lang(r), ActorID: actorID, Periods: reports.PeriodLabels(q.From, q.To), Result: res, Public: vis.Public}, nil
}

// exporterVisibility records whether an exporter shows its exports by
// market to everyone (the form's hidden version guards against a choice
// made meanwhile).
func (s *Server) exporterVisibility(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	f := httpkit.PostForm(r)
	if _, err := s.Exports.SetVisibility(r.Context(), httpkit.Principal(r), id, f.Text("public") == "1", f.Version()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/actores/%d/exportaciones?ok=saved", id), http.StatusSeeOther)
}
