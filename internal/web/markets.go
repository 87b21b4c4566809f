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
	"sriim/internal/i18n"
	"sriim/internal/trade"
)

func (s *Server) marketRoutes(mux *http.ServeMux) {
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
		exporters := []int{604, 152}
		for _, c := range listParam(r.URL.Query(), "exporters") {
			if len(exporters) == 2 {
				exporters = nil
			}
			n, err := strconv.Atoi(c)
			if err != nil {
				return 0, nil, errs.Fields("invalid exporters", map[string]string{"exporters": "Comtrade codes, comma-separated"})
			}
			exporters = append(exporters, n)
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
		return http.StatusOK, map[string]any{"imports": b}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/imports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.trade.Batch(r.Context(), id)
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

// marketQuery is a market analysis as the page and the API ask for it.
type marketQuery struct {
	Product          trade.Product
	Line, HS         string
	Flow             string
	From, To, Year   int
	Top              int
	Market, Reporter int
}

func intParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errs.Fields("invalid parameter", map[string]string{name: "a whole number"})
	}
	return n, nil
}

// readMarketQuery reads hs= (codes as reported, comma-separated) or line=
// (a product line); by default the frozen-loco line, 2000–2005, Peru.
func readMarketQuery(q url.Values) (marketQuery, error) {
	mq := marketQuery{Line: q.Get("line"), HS: strings.TrimSpace(q.Get("hs")), Flow: q.Get("flow")}
	switch {
	case mq.HS != "":
		mq.Product = trade.AsReported(strings.Split(mq.HS, ",")...)
	default:
		if mq.Line == "" {
			mq.Line = "loco_congelado"
		}
		p, ok := trade.ProductLine(mq.Line)
		if !ok {
			return mq, errs.Fields("unknown product line", map[string]string{"line": "see /api/v1/markets/product-lines"})
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
		return mq, errs.Fields("invalid years", map[string]string{"from": "from ≤ to, at most 60 years"})
	}
	return mq, nil
}

// apiRanked is a ranked row in the API's shape: the reporter (importers)
// or partner (destinations) with its values by year, share and growth.
func apiRanked(rows []trade.Ranked, key string, lang string) []map[string]any {
	out := []map[string]any{}
	for _, r := range rows {
		out = append(out, map[string]any{key: map[string]any{"code": r.Partner.Code, "iso": r.Partner.ISO, "name": r.Partner.Name(lang),
			"aggregate": r.Partner.Aggregate}, "values": r.Values, "share": r.Share, "cagr": r.CAGR, "trend_growth": r.TrendGrowth})
	}
	return out
}

func rankingBody(rk trade.Ranking, key, lang string) map[string]any {
	return map[string]any{"product": rk.Product, "flow": rk.Flow, "years": rk.Years, "rows": apiRanked(rk.Rows, key, lang),
		"world": rk.World, "methods": map[string]string{
			"total":        "a reporter's total is its partner-World row when given, else the sum of its partner rows; the world total sums the reporters that are not aggregates",
			"share":        "percent of the last year's total",
			"cagr":         "(v_last / v_first)^(1 / (last_year - first_year)) - 1, percent",
			"trend_growth": "e^b - 1, b the least-squares slope of ln(value) on year over the years with a positive value, percent"}}
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
	Selection    string
	CanImport    bool
}

func (s *Server) marketsPage(w http.ResponseWriter, r *http.Request) {
	mq, err := readMarketQuery(r.URL.Query())
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
						v.Competition, err = s.trade.Competitors(ctx, mq.Product, []int{604, 152}, mq.From, mq.To, 5)
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
	q := r.URL.Query()
	q.Del("lang")
	v.Selection = q.Encode()
	s.render(w, r, http.StatusOK, "markets.html", i18n.T(langOf(r), "module.markets"), v)
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
	names := make([]string, len(rk.Rows))
	values := make([][]float64, len(rk.Rows))
	for i, row := range rk.Rows {
		names[i] = row.Partner.Name(string(langOf(r)))
		values[i] = make([]float64, len(rk.Years))
		for j, y := range rk.Years {
			v, ok := row.Values[y]
			if !ok {
				v = math.NaN()
			}
			values[i][j] = v / 1e6
		}
	}
	svg, err := lineChart(rk.Years, names, values, "M US$")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSVG(w, svg)
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
		header := []string{"codigo", "iso", "pais"}
		numeric := map[string]bool{}
		for _, y := range rk.Years {
			header = append(header, strconv.Itoa(y))
			numeric[strconv.Itoa(y)] = true
		}
		header = append(header, "participacion_pct", "tcac_pct", "tendencia_pct")
		for _, k := range []string{"participacion_pct", "tcac_pct", "tendencia_pct"} {
			numeric[k] = true
		}
		f := func(p *float64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatFloat(*p, 'f', 2, 64)
		}
		var rows [][]string
		for _, row := range rk.Rows {
			cells := []string{strconv.Itoa(row.Partner.Code), row.Partner.ISO, row.Partner.Name(string(langOf(r)))}
			for _, y := range rk.Years {
				if v, ok := row.Values[y]; ok {
					cells = append(cells, strconv.FormatFloat(v, 'f', -1, 64))
				} else {
					cells = append(cells, "")
				}
			}
			rows = append(rows, append(cells, f(row.Share), f(row.CAGR), f(row.TrendGrowth)))
		}
		name := map[string]string{"importers": "importadores", "destinations": "destinos"}[kind]
		s.writeTable(w, r, format, name, header, rows, numeric)
	}
}

func (s *Server) tradeTemplate(format string) http.HandlerFunc {
	header := []string{"reportero", "socio", "socio2", "flujo", "clasificacion", "codigo", "anio", "mes", "valor_usd", "base_valor", "peso_neto_kg", "cantidad", "unidad", "bandera"}
	example := []string{"PER", "TWN", "", "exportacion", "PE", "0307992000", "2007", "", "5205000", "fob", "", "", "", ""}
	return func(w http.ResponseWriter, r *http.Request) {
		s.writeTable(w, r, format, "plantilla-comercio", header, [][]string{example}, map[string]bool{"valor_usd": true, "anio": true})
	}
}

func (s *Server) tradeImportPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	s.render(w, r, http.StatusOK, "trade_import.html", i18n.T(langOf(r), "markets.import"), nil)
}

// tradeImport starts an import in the background and sends the browser to
// its progress page; the upload is kept in a temporary file meanwhile.
func (s *Server) tradeImport(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
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
	if b.State == "running" {
		// The page reloads itself until the import ends; no script needed.
		w.Header().Set("Refresh", "2")
	}
	v := tradeBatchView{Batch: b, CanRemove: b.State == "failed" && trade.CanImport(principal(r))}
	if b.State == "failed" {
		v.Problems = strings.Split(b.Error, "\n")[1:]
		v.Batch.Error = strings.Split(b.Error, "\n")[0]
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
	b, err = s.trade.Import(r.Context(), principal(r), b, http.MaxBytesReader(nil, r.Body, 4<<30))
	return http.StatusOK, b, err
}
