package ui

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/url"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/query"
	"sriim/internal/render"
	"sriim/internal/render/reports"
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
	imp := s.tradeImport()
	mux.HandleFunc("GET /mercados/importar", s.importForm(imp))
	mux.HandleFunc("POST /mercados/importar", s.startImport(imp), httpkit.Upload(math.MaxInt64, trade.CanImport))
	mux.HandleFunc("GET /mercados/importaciones/{id}", s.tradeBatchPage)
	mux.HandleFunc("POST /mercados/importaciones/{id}/eliminar", s.tradeBatchDelete)
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
	mq, problems, err := readFilters(r, func(q url.Values) (query.Market, error) { return query.ReadMarket(q, s.Portal.Defaults) })
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
						if v.Competition, err = s.Trade.Competitors(ctx, mq.Product, s.Portal.Defaults.Competitors, mq.From, mq.To, 5); err == nil {
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

// marketTable downloads the importers' ranking or the destinations as CSV or XLSX.
func (s *Server) marketTable(kind, format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mq, err := query.ReadMarket(r.URL.Query(), s.Portal.Defaults)
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
		sh := reports.RankingSheet("", rk, httpkit.Lang(r))
		name := map[string]string{"importers": "importadores", "destinations": "destinos"}[kind]
		s.writeTable(w, r, format, name, sh.Header, sh.Rows, sh.Numeric)
	}
}

func (s *Server) tradeTemplate(format string) http.HandlerFunc {
	header := []string{"reportero", "socio", "socio2", "flujo", "clasificacion", "codigo", "anio", "mes", "valor_usd", "base_valor", "peso_neto_kg", "cantidad", "unidad", "bandera"}
	example := []string{"PER", "TWN", "", "exportacion", "PE", "0307992000", "2007", "", "5205000", "fob", "", "", "", ""}
	return func(w http.ResponseWriter, r *http.Request) {
		s.writeTable(w, r, format, "plantilla-comercio", header, [][]string{example}, map[string]bool{"valor_usd": true, "anio": true})
	}
}

// tradeImport is the web import of trade files (the form's format and
// source name the file's layout and its publisher).
func (s *Server) tradeImport() backgroundImport {
	return backgroundImport{log: "trade", can: trade.CanImport, refused: errs.E(errs.Forbidden, "your role does not import trade data"),
		form: "trade_import.html", title: "markets.import", page: "/mercados/importaciones/%d",
		start: func(r *http.Request, p auth.Principal, name string) (int64, func(context.Context, io.Reader) error, error) {
			b, err := s.Trade.Start(r.Context(), p, r.PostFormValue("format"), name, r.PostFormValue("source"))
			return b.ID, func(ctx context.Context, file io.Reader) error {
				_, err := s.Trade.Import(ctx, p, b, file)
				return err
			}, err
		}}
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
	v := tradeBatchView{Batch: b, CanRemove: b.State == "failed" && trade.CanImport(httpkit.Principal(r))}
	v.Problems = followBatch(w, r, b.State, &v.Batch.Error, &v.Batch.CreatedBy)
	s.render(w, r, http.StatusOK, "trade_batch.html", i18n.T(httpkit.Lang(r), "markets.batch", b.ID), v)
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
	id, err := httpkit.PathID(r, "id")
	if err == nil {
		err = s.Trade.DeleteBatch(r.Context(), httpkit.Principal(r), id)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mercados#importaciones", http.StatusSeeOther)
}

// importersChart draws the five largest importers' values by year.
func (s *Server) importersChart(w http.ResponseWriter, r *http.Request) {
	mq, err := query.ReadMarket(r.URL.Query(), s.Portal.Defaults)
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
	svg, err := reports.ImportersChart(rk, httpkit.Lang(r)).Draw(render.SVG)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
}
