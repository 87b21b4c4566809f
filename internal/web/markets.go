package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/facts"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/render"
	"sriim/internal/stats"
	"sriim/internal/trade"
)

func (s *Server) marketRoutes(mux *routeTable) {
	mux.HandleFunc("GET /mercados", s.marketsPage)
	mux.HandleFunc("GET /mercados/importadores.svg", s.importersChart)
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /mercados/importadores."+format, s.marketTable("importers", format))
		mux.HandleFunc("GET /mercados/destinos."+format, s.marketTable("destinations", format))
		mux.HandleFunc("GET /mercados/plantilla."+format, s.tradeTemplate(format))
	}
	mux.HandleFunc("GET /mercados/importar", s.tradeImportPage)
	mux.HandleFunc("POST /mercados/importar", s.tradeImport)
	mux.HandleFunc("GET /mercados/importaciones/{id}", s.tradeBatchPage)
	mux.HandleFunc("POST /mercados/importaciones/{id}/eliminar", s.tradeBatchDelete)

	mux.HandleFunc("GET /api/v1/markets/importers", s.api(s.apiImporters))
	mux.HandleFunc("GET /api/v1/markets/suppliers", s.api(s.apiSuppliers))
	mux.HandleFunc("GET /api/v1/markets/destinations", s.api(s.apiDestinations))
	mux.HandleFunc("GET /api/v1/markets/competitors", s.api(func(r *http.Request) (int, any, error) {
		mq, err := readMarketQuery(r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		exporters, err := intListParam(r.URL.Query(), "exporters", maxExporters)
		if err != nil {
			return 0, nil, err
		}
		if len(exporters) == 0 {
			exporters = []int{604, 152} // Peru and its main competitor, Chile
		}
		m, err := s.trade.Competitors(r.Context(), mq.Product, exporters, mq.From, mq.To, min(mq.Top, 20))
		return http.StatusOK, map[string]any{"markets": m}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/unit-values", s.api(func(r *http.Request) (int, any, error) {
		mq, err := readMarketQuery(r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		uv, err := s.trade.UnitValues(r.Context(), mq.Product, mq.Market, mq.From, mq.To)
		return http.StatusOK, map[string]any{"market": mq.Market, "unit": "US$/kg", "rows": apiRanked(uv, "partner", string(langOf(r)))}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/product-lines", s.api(func(*http.Request) (int, any, error) {
		return http.StatusOK, map[string]any{"product_lines": trade.ProductLines()}, nil
	}))
	mux.HandleFunc("GET /api/v1/markets/partners", s.api(func(*http.Request) (int, any, error) {
		return http.StatusOK, map[string]any{"partners": trade.Partners()}, nil
	}))
	mux.HandleFunc("GET /api/v1/markets/published-shares", s.api(func(r *http.Request) (int, any, error) {
		sh, err := s.trade.PublishedShares(r.Context())
		return http.StatusOK, map[string]any{"shares": sh}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/imports", s.api(func(r *http.Request) (int, any, error) {
		b, err := s.trade.Batches(r.Context())
		for i := range b {
			b[i].CreatedBy = personShown(principal(r), b[i].CreatedBy)
		}
		return http.StatusOK, map[string]any{"imports": b}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/imports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.trade.Batch(r.Context(), id)
		b.CreatedBy = personShown(principal(r), b.CreatedBy)
		return http.StatusOK, b, err
	}))
	mux.HandleFunc("DELETE /api/v1/markets/imports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.trade.DeleteBatch(r.Context(), principal(r), id)
	}))
	mux.HandleFunc("POST /api/v1/markets/imports", s.api(s.apiTradeImport))
}

// maxExporters bounds the exporters one competitors query compares.
const maxExporters = 20

// marketQuery is a market analysis as the page and the API ask for it.
type marketQuery struct {
	Product          trade.Product
	Line, HS         string
	Flow             string
	From, To, Year   int
	Top              int
	Market, Reporter int
}

// readMarketQuery reads hs= (codes as reported, comma-separated) or line=
// (a product line); by default the frozen-loco line, 2000–2005, Peru.
func readMarketQuery(q url.Values) (marketQuery, error) {
	hs := listParam(q, "hs")
	mq := marketQuery{Line: q.Get("line"), HS: strings.Join(hs, ","), Flow: q.Get("flow")}
	switch {
	case len(hs) > 0:
		for _, c := range hs {
			if len(c) < 2 || len(c) > 10 || strings.Trim(c, "0123456789") != "" {
				return mq, errs.Fields("invalid HS codes", map[string]string{"hs": msgHS})
			}
		}
		mq.Product = trade.AsReported(hs...)
	default:
		if mq.Line == "" {
			mq.Line = "loco_congelado"
		}
		p, ok := trade.ProductLine(mq.Line)
		if !ok {
			return mq, errs.Fields("unknown product line", map[string]string{"line": msgLine})
		}
		mq.Product = p
	}
	if mq.Flow == "" {
		mq.Flow = "import"
	}
	var err error
	for _, p := range []struct {
		name string
		dst  *int
		def  int
	}{{"from", &mq.From, 2000}, {"to", &mq.To, 2005}, {"top", &mq.Top, 20}, {"market", &mq.Market, 392}, {"reporter", &mq.Reporter, 604}, {"year", &mq.Year, 0}} {
		if *p.dst, err = intParam(q, p.name, p.def); err != nil {
			return mq, err
		}
	}
	if mq.Year == 0 {
		mq.Year = mq.To
	}
	if mq.From > mq.To || mq.To-mq.From > 60 {
		return mq, errs.Fields("invalid years", map[string]string{"from": msgYears, "to": msgYears})
	}
	return mq, nil
}

// apiRanked is a ranked row in the API's shape: the reporter (importers)
// or partner (destinations) with its values by year, share and growth.
func apiRanked(rows []trade.Ranked, key string, lang string) []map[string]any {
	out := []map[string]any{}
	for _, r := range rows {
		out = append(out, map[string]any{key: map[string]any{"code": r.Partner.Code, "iso": r.Partner.ISO, "name": r.Partner.Name(lang),
			"aggregate": r.Partner.Aggregate}, "values": r.Values, "share": r.Share, "cagr": r.CAGR, "cagr_span": r.CAGRSpan, "trend_growth": r.TrendGrowth})
	}
	return out
}

func rankingBody(rk trade.Ranking, key, lang string) map[string]any {
	body := map[string]any{"product": rk.Product, "flow": rk.Flow, "years": rk.Years, "rows": apiRanked(rk.Rows, key, lang),
		"world": rk.World, "methods": map[string]string{
			"total":        "a reporter's total is its partner-World row when given (a published total, with partners_sum beside it), else the sum of its partner rows; the world total sums the reporters that are not aggregates",
			"share":        "percent of the last year's total",
			"cagr":         "(v_last / v_first)^(1 / (last_year - first_year)) - 1, percent",
			"trend_growth": "e^b - 1, b the least-squares slope of ln(value) on year over the years with a positive value, percent"}}
	if len(rk.Sources) > 0 {
		body["sources"] = rk.Sources
	}
	if len(rk.Notes) > 0 {
		body["notes"] = rk.Notes
	}
	return body
}

func (s *Server) apiImporters(r *http.Request) (int, any, error) {
	mq, err := readMarketQuery(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	rk, err := s.trade.Importers(r.Context(), mq.Product, mq.Flow, mq.From, mq.To, mq.Top)
	return http.StatusOK, rankingBody(rk, "reporter", string(langOf(r))), err
}

func (s *Server) apiDestinations(r *http.Request) (int, any, error) {
	mq, err := readMarketQuery(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	rk, err := s.trade.Destinations(r.Context(), mq.Product, mq.Reporter, mq.From, mq.To)
	return http.StatusOK, rankingBody(rk, "partner", string(langOf(r))), err
}

func (s *Server) apiSuppliers(r *http.Request) (int, any, error) {
	mq, err := readMarketQuery(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	sup, total, err := s.trade.Suppliers(r.Context(), mq.Product, mq.Market, mq.Year, mq.Top)
	if err != nil {
		return 0, nil, err
	}
	rows := []map[string]any{}
	for _, x := range sup {
		rows = append(rows, map[string]any{"partner": map[string]any{"code": x.Partner.Code, "iso": x.Partner.ISO, "name": x.Partner.Name(string(langOf(r)))},
			"value": x.Value, "share": x.Share})
	}
	m, _ := trade.PartnerByCode(mq.Market)
	return http.StatusOK, map[string]any{"market": m, "year": mq.Year, "product": mq.Product, "total": total, "rows": rows}, nil
}

type marketsView struct {
	Query        marketQuery
	Lines        []trade.Product
	Importers    trade.Ranking
	Destinations trade.Ranking
	Suppliers    []trade.Supplier
	MarketTotal  float64
	Market       trade.Partner
	Markets      []trade.Partner // the ranked importers, to pick a market from
	Shares       []trade.PublishedShare
	Competition  []trade.Market
	Batches      []trade.Batch
	TextFacts    []facts.Fact // figures of the source's text on markets
	CanImport    bool
}

func (s *Server) marketsPage(w http.ResponseWriter, r *http.Request) {
	mq, problems, err := readFilters(r, readMarketQuery)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := marketsView{Query: mq, Lines: trade.ProductLines(), CanImport: trade.CanImport(principal(r))}
	ctx := r.Context()
	if v.Importers, err = s.trade.Importers(ctx, mq.Product, "import", mq.From, mq.To, mq.Top); err == nil {
		if v.Destinations, err = s.trade.Destinations(ctx, mq.Product, mq.Reporter, mq.From, mq.To); err == nil {
			if v.Suppliers, v.MarketTotal, err = s.trade.Suppliers(ctx, mq.Product, mq.Market, mq.Year, 10); err == nil {
				if v.Shares, err = s.trade.PublishedShares(ctx); err == nil {
					if v.Batches, err = s.trade.Batches(ctx); err == nil {
						if v.Competition, err = s.trade.Competitors(ctx, mq.Product, []int{604, 152}, mq.From, mq.To, 5); err == nil {
							v.TextFacts, err = s.facts.List(ctx, facts.Markets)
						}
					}
				}
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Market, _ = trade.PartnerByCode(mq.Market)
	for _, row := range v.Importers.Rows {
		v.Markets = append(v.Markets, row.Partner)
	}
	s.renderFiltered(w, r, "markets.html", Page{Title: i18n.T(langOf(r), "module.markets"), Data: v}, problems)
}

// importersChart draws the five largest importers' values by year.
func (s *Server) importersChart(w http.ResponseWriter, r *http.Request) {
	mq, err := readMarketQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rk, err := s.trade.Importers(r.Context(), mq.Product, "import", mq.From, mq.To, 5)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(rk.Rows) == 0 {
		s.fail(w, r, errs.E(errs.NotFound, "no importers for this selection"))
		return
	}
	svg, err := importersChart(rk, langOf(r)).Draw(render.SVG)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSVG(w, svg)
}

// importersChart draws a ranking's importers' values by year, in millions
// of US$, titled with the product and the years.
func importersChart(rk trade.Ranking, lang i18n.Lang) render.Lines {
	names := make([]string, len(rk.Rows))
	values := make([][]float64, len(rk.Rows))
	for i, row := range rk.Rows {
		names[i] = row.Partner.Name(string(lang))
		values[i] = make([]float64, len(rk.Years))
		for j, y := range rk.Years {
			v, ok := row.Values[y]
			if !ok {
				v = math.NaN()
			}
			values[i][j] = v / 1e6
		}
	}
	labels := make([]string, len(rk.Years))
	for i, y := range rk.Years {
		labels[i] = strconv.Itoa(y)
	}
	title := i18n.T(lang, "markets.chart_title", productName(rk.Product, lang), yearSpan(rk.From, rk.To))
	if n := len(rk.Years); n > 0 {
		title = i18n.T(lang, "markets.chart_title", productName(rk.Product, lang), yearSpan(rk.Years[0], rk.Years[n-1]))
	}
	return render.Lines{Title: title, Labels: labels, Names: names, Values: values, Number: formatNumber}
}

// productName names a product line, or the HS codes of a product as reported.
func productName(p trade.Product, lang i18n.Lang) string {
	if p.Line != "" {
		if lang == i18n.EN {
			return p.NameEN
		}
		return p.NameES
	}
	codes := make([]string, len(p.Codes))
	for i, c := range p.Codes {
		codes[i] = c.Commodity
	}
	return i18n.T(lang, "markets.hs_codes", strings.Join(codes, ", "))
}

// marketTable downloads the importers' ranking or the destinations as CSV or XLSX.
func (s *Server) marketTable(kind, format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mq, err := readMarketQuery(r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var rk trade.Ranking
		if kind == "importers" {
			rk, err = s.trade.Importers(r.Context(), mq.Product, "import", mq.From, mq.To, mq.Top)
		} else {
			rk, err = s.trade.Destinations(r.Context(), mq.Product, mq.Reporter, mq.From, mq.To)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sh := rankingSheet("", rk, langOf(r))
		name := map[string]string{"importers": "importadores", "destinations": "destinos"}[kind]
		s.writeTable(w, r, format, name, sh.Header, sh.Rows, sh.Numeric)
	}
}

// rankingSheet is a ranking as a table for CSV and XLSX: each country's
// values by year (a year without a value is an empty cell, never 0), its
// share, its CAGR with the years it spans, and its trend growth.
func rankingSheet(name string, rk trade.Ranking, lang i18n.Lang) importer.Sheet {
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

func (s *Server) tradeTemplate(format string) http.HandlerFunc {
	header := []string{"reportero", "socio", "socio2", "flujo", "clasificacion", "codigo", "anio", "mes", "valor_usd", "base_valor", "peso_neto_kg", "cantidad", "unidad", "bandera"}
	example := []string{"PER", "TWN", "", "exportacion", "PE", "0307992000", "2007", "", "5205000", "fob", "", "", "", ""}
	return func(w http.ResponseWriter, r *http.Request) {
		s.writeTable(w, r, format, "plantilla-comercio", header, [][]string{example}, map[string]bool{"valor_usd": true, "anio": true})
	}
}

// mayImportTrade reports whether the request's user may import trade files;
// otherwise it has answered (the login page, or forbidden).
func (s *Server) mayImportTrade(w http.ResponseWriter, r *http.Request) bool {
	if s.requireLogin(w, r) == nil {
		return false
	}
	if !trade.CanImport(principal(r)) {
		s.fail(w, r, errs.E(errs.Forbidden, "your role does not import trade data"))
		return false
	}
	return true
}

func (s *Server) tradeImportPage(w http.ResponseWriter, r *http.Request) {
	if !s.mayImportTrade(w, r) {
		return
	}
	s.render(w, r, http.StatusOK, "trade_import.html", i18n.T(langOf(r), "markets.import"), nil)
}

// tradeImport starts an import in the background and sends the browser to
// its progress page. A large upload waits in a temporary file, which
// guardBodies removes when the request ends: the import's open handle keeps
// reading it until the import closes it.
func (s *Server) tradeImport(w http.ResponseWriter, r *http.Request) {
	if !s.mayImportTrade(w, r) {
		return
	}
	file, hdr, err := r.FormFile("archivo")
	if err != nil {
		s.fail(w, r, errs.Fields("choose a file", map[string]string{"archivo": "required"}))
		return
	}
	b, err := s.trade.Start(r.Context(), principal(r), r.PostFormValue("format"), filepath.Base(hdr.Filename), r.PostFormValue("source"))
	if err != nil {
		file.Close()
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	go func() {
		defer file.Close()
		if _, err := s.trade.Import(context.Background(), p, b, file); err != nil {
			s.log.Info("trade import failed", "batch", b.ID, "err", err)
		}
	}()
	http.Redirect(w, r, fmt.Sprintf("/mercados/importaciones/%d", b.ID), http.StatusSeeOther)
}

func (s *Server) tradeBatchPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.trade.Batch(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b.CreatedBy = personShown(principal(r), b.CreatedBy)
	if b.State == "running" {
		// The page reloads itself until the import ends; no script needed.
		w.Header().Set("Refresh", "2")
	}
	v := tradeBatchView{Batch: b, CanRemove: b.State == "failed" && trade.CanImport(principal(r))}
	if b.State == "failed" {
		v.Batch.Error, v.Problems = batchError(langOf(r), b.Error)
	}
	s.render(w, r, http.StatusOK, "trade_batch.html", i18n.T(langOf(r), "markets.batch", b.ID), v)
}

// tradeBatchView is an import's page: its state, its problems one by one,
// and whether the visitor may remove it (a failed import).
type tradeBatchView struct {
	Batch     trade.Batch
	Problems  []string
	CanRemove bool
}

// tradeBatchDelete removes a failed import from the list.
func (s *Server) tradeBatchDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.trade.DeleteBatch(r.Context(), principal(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mercados#importaciones", http.StatusSeeOther)
}

// apiTradeImport imports the body synchronously (?format=&name=).
func (s *Server) apiTradeImport(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	b, err := s.trade.Start(r.Context(), principal(r), q.Get("format"), q.Get("name"), q.Get("source"))
	if err != nil {
		return 0, nil, err
	}
	b, err = s.trade.Import(r.Context(), principal(r), b, r.Body)
	return http.StatusOK, b, err
}

// batchError is a failed import's stored error in lang: its message, and
// each problem ("fila 5, columna X: what") on a line of its own.
func batchError(lang i18n.Lang, stored string) (string, []string) {
	lines := strings.Split(stored, "\n")
	problems := lines[1:]
	for i, p := range problems {
		if where, what, ok := strings.Cut(p, ": "); ok {
			problems[i] = i18n.FieldName(lang, where) + ": " + i18n.Text(lang, what)
		}
	}
	return i18n.Text(lang, lines[0]), problems
}
