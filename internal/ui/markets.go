package ui

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/portal"
	"sriim/internal/query"
	"sriim/internal/render"
	"sriim/internal/stats"
	"sriim/internal/trade"
)

func (s *Server) marketRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /mercados", s.marketsPage)
	mux.HandleFunc("GET /mercados/importadores.svg", s.importersChart)
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /mercados/importadores."+format, s.marketTable("importers", format))
		mux.HandleFunc("GET /mercados/destinos."+format, s.marketTable("destinations", format))
		mux.HandleFunc("GET /mercados/plantilla."+format, s.tradeTemplate(format))
	}
	mux.HandleFunc("GET /mercados/importar", s.tradeImportPage)
	mux.HandleFunc("POST /mercados/importar", s.tradeImport, httpkit.Upload(math.MaxInt64, trade.CanImport))
	mux.HandleFunc("GET /mercados/importaciones/{id}", s.tradeBatchPage)
}

type marketsView struct {
	Query        query.Market
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
	mq, problems, err := readFilters(r, query.ReadMarket)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := marketsView{Query: mq, Lines: trade.ProductLines(), CanImport: trade.CanImport(httpkit.Principal(r))}
	ctx := r.Context()
	if v.Importers, err = s.Trade.Importers(ctx, mq.Product, "import", mq.From, mq.To, mq.Top); err == nil {
		if v.Destinations, err = s.Trade.Destinations(ctx, mq.Product, mq.Reporter, mq.From, mq.To); err == nil {
			if v.Suppliers, v.MarketTotal, err = s.Trade.Suppliers(ctx, mq.Product, mq.Market, mq.Year, 10); err == nil {
				if v.Shares, err = s.Trade.PublishedShares(ctx); err == nil {
					if v.Batches, err = s.Trade.Batches(ctx); err == nil {
						if v.Competition, err = s.Trade.Competitors(ctx, mq.Product, []int{604, 152}, mq.From, mq.To, 5); err == nil {
							v.TextFacts, err = s.Facts.List(ctx, facts.Markets)
						}
					}
				}
			}
		}
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Market, _ = trade.PartnerByCode(mq.Market)
	for _, row := range v.Importers.Rows {
		v.Markets = append(v.Markets, row.Partner)
	}
	s.renderFiltered(w, r, "markets.html", Page{Title: i18n.T(httpkit.Lang(r), "module.markets"), Data: v}, problems)
}

// importersChart draws the five largest importers' values by year.
func (s *Server) importersChart(w http.ResponseWriter, r *http.Request) {
	mq, err := query.ReadMarket(r.URL.Query())
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	rk, err := s.Trade.Importers(r.Context(), mq.Product, "import", mq.From, mq.To, 5)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if len(rk.Rows) == 0 {
		s.k.Fail(w, r, errs.E(errs.NotFound, "no importers for this selection"))
		return
	}
	svg, err := importersChart(rk, httpkit.Lang(r)).Draw(render.SVG)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
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
		mq, err := query.ReadMarket(r.URL.Query())
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		var rk trade.Ranking
		if kind == "importers" {
			rk, err = s.Trade.Importers(r.Context(), mq.Product, "import", mq.From, mq.To, mq.Top)
		} else {
			rk, err = s.Trade.Destinations(r.Context(), mq.Product, mq.Reporter, mq.From, mq.To)
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		sh := rankingSheet("", rk, httpkit.Lang(r))
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
	if !trade.CanImport(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not import trade data"))
		return false
	}
	return true
}

func (s *Server) tradeImportPage(w http.ResponseWriter, r *http.Request) {
	if !s.mayImportTrade(w, r) {
		return
	}
	s.render(w, r, http.StatusOK, "trade_import.html", i18n.T(httpkit.Lang(r), "markets.import"), nil)
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
		s.k.Fail(w, r, errs.Fields("choose a file", map[string]string{"archivo": "required"}))
		return
	}
	b, err := s.Trade.Start(r.Context(), httpkit.Principal(r), r.PostFormValue("format"), filepath.Base(hdr.Filename), r.PostFormValue("source"))
	if err != nil {
		file.Close()
		s.k.Fail(w, r, err)
		return
	}
	p := httpkit.Principal(r)
	go func() {
		defer file.Close()
		if _, err := s.Trade.Import(context.Background(), p, b, file); err != nil {
			s.Logger.Info("trade import failed", "batch", b.ID, "err", err)
		}
	}()
	http.Redirect(w, r, fmt.Sprintf("/mercados/importaciones/%d", b.ID), http.StatusSeeOther)
}

func (s *Server) tradeBatchPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	b, err := s.Trade.Batch(r.Context(), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	b.CreatedBy = portal.PersonShown(httpkit.Principal(r), b.CreatedBy)
	if b.State == "running" {
		// The page reloads itself until the import ends; no script needed.
		w.Header().Set("Refresh", "2")
	}
	var problems []string
	if b.State == "failed" {
		b.Error, problems = batchError(httpkit.Lang(r), b.Error)
	}
	s.render(w, r, http.StatusOK, "trade_batch.html", i18n.T(httpkit.Lang(r), "markets.batch", b.ID), struct {
		Batch    trade.Batch
		Problems []string
	}{b, problems})
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
