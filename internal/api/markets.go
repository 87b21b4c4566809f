package api

import (
	"math"
	"net/http"

	"sriim/internal/httpkit"
	"sriim/internal/portal"
	"sriim/internal/query"
	"sriim/internal/trade"
)

func (s *Server) marketRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/markets/importers", s.api(s.apiImporters))
	mux.HandleFunc("GET /api/v1/markets/suppliers", s.api(s.apiSuppliers))
	mux.HandleFunc("GET /api/v1/markets/destinations", s.api(s.apiDestinations))
	mux.HandleFunc("GET /api/v1/markets/competitors", s.api(func(r *http.Request) (int, any, error) {
		mq, err := query.ReadMarket(r.URL.Query(), s.Portal.Defaults)
		if err != nil {
			return 0, nil, err
		}
		exporters, err := httpkit.IntList(r.URL.Query(), "exporters", query.MaxExporters)
		if err != nil {
			return 0, nil, err
		}
		if len(exporters) == 0 {
			exporters = s.Portal.Defaults.Competitors // Peru and its main competitor, Chile, by default
		}
		m, err := s.Trade.Competitors(r.Context(), mq.Product, exporters, mq.From, mq.To, min(mq.Top, 20))
		return http.StatusOK, map[string]any{"markets": m}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/unit-values", s.api(func(r *http.Request) (int, any, error) {
		mq, err := query.ReadMarket(r.URL.Query(), s.Portal.Defaults)
		if err != nil {
			return 0, nil, err
		}
		uv, err := s.Trade.UnitValues(r.Context(), mq.Product, mq.Market, mq.From, mq.To)
		return http.StatusOK, map[string]any{"market": mq.Market, "unit": "US$/kg", "rows": apiRanked(uv, "partner", string(httpkit.Lang(r)))}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/product-lines", s.api(func(*http.Request) (int, any, error) {
		return http.StatusOK, map[string]any{"product_lines": trade.ProductLines()}, nil
	}))
	mux.HandleFunc("GET /api/v1/markets/partners", s.api(func(*http.Request) (int, any, error) {
		return http.StatusOK, map[string]any{"partners": trade.Partners()}, nil
	}))
	mux.HandleFunc("GET /api/v1/markets/published-shares", s.api(func(r *http.Request) (int, any, error) {
		sh, err := s.Trade.PublishedShares(r.Context())
		return http.StatusOK, map[string]any{"shares": sh}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/imports", s.api(func(r *http.Request) (int, any, error) {
		b, err := s.Trade.Batches(r.Context())
		for i := range b {
			b[i].CreatedBy = portal.PersonShown(httpkit.Principal(r), b[i].CreatedBy)
		}
		return http.StatusOK, map[string]any{"imports": b}, err
	}))
	mux.HandleFunc("GET /api/v1/markets/imports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		b, err := s.Trade.Batch(r.Context(), id)
		b.CreatedBy = portal.PersonShown(httpkit.Principal(r), b.CreatedBy)
		return http.StatusOK, b, err
	}))
	mux.HandleFunc("DELETE /api/v1/markets/imports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.Trade.DeleteBatch(r.Context(), httpkit.Principal(r), id)
	}))
	mux.HandleFunc("POST /api/v1/markets/imports", s.api(s.apiTradeImport), httpkit.Upload(math.MaxInt64, trade.CanImport))
}

func (s *Server) marketReportRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/markets/reports", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.Trade.Reports(r.Context())
		for i := range list {
			list[i].CreatedBy = portal.PersonShown(httpkit.Principal(r), list[i].CreatedBy)
		}
		return http.StatusOK, map[string]any{"reports": list}, err
	}))
	mux.HandleFunc("POST /api/v1/markets/reports", s.api(func(r *http.Request) (int, any, error) {
		var in struct {
			Period string   `json:"period"`
			Lang   string   `json:"lang"`
			Lines  []string `json:"lines"`
		}
		if err := httpkit.DecodeJSON(r, &in); err != nil {
			return 0, nil, err
		}
		rep, err := s.Trade.BuildReport(r.Context(), httpkit.Principal(r), in.Period, in.Lang, in.Lines)
		return http.StatusCreated, rep, err
	}))
	mux.HandleFunc("GET /api/v1/markets/reports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		rep, err := s.Trade.Report(r.Context(), id)
		rep.CreatedBy = portal.PersonShown(httpkit.Principal(r), rep.CreatedBy)
		return http.StatusOK, rep, err
	}))
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

func (s *Server) apiImporters(r *http.Request) (int, any, error) {
	mq, err := query.ReadMarket(r.URL.Query(), s.Portal.Defaults)
	if err != nil {
		return 0, nil, err
	}
	rk, err := s.Trade.Importers(r.Context(), mq.Product, mq.Flow, mq.From, mq.To, mq.Top)
	return http.StatusOK, rankingBody(rk, "reporter", string(httpkit.Lang(r))), err
}

func (s *Server) apiDestinations(r *http.Request) (int, any, error) {
	mq, err := query.ReadMarket(r.URL.Query(), s.Portal.Defaults)
	if err != nil {
		return 0, nil, err
	}
	rk, err := s.Trade.Destinations(r.Context(), mq.Product, mq.Reporter, mq.From, mq.To)
	return http.StatusOK, rankingBody(rk, "partner", string(httpkit.Lang(r))), err
}

func (s *Server) apiSuppliers(r *http.Request) (int, any, error) {
	mq, err := query.ReadMarket(r.URL.Query(), s.Portal.Defaults)
	if err != nil {
		return 0, nil, err
	}
	sup, total, err := s.Trade.Suppliers(r.Context(), mq.Product, mq.Market, mq.Year, mq.Top)
	if err != nil {
		return 0, nil, err
	}
	rows := []map[string]any{}
	for _, x := range sup {
		rows = append(rows, map[string]any{"partner": map[string]any{"code": x.Partner.Code, "iso": x.Partner.ISO, "name": x.Partner.Name(string(httpkit.Lang(r)))},
			"value": x.Value, "share": x.Share})
	}
	m, _ := trade.PartnerByCode(mq.Market)
	return http.StatusOK, map[string]any{"market": m, "year": mq.Year, "product": mq.Product, "total": total, "rows": rows}, nil
}

// apiTradeImport imports the body synchronously (?format=&name=).
func (s *Server) apiTradeImport(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	b, err := s.Trade.Start(r.Context(), httpkit.Principal(r), q.Get("format"), q.Get("name"), q.Get("source"))
	if err != nil {
		return 0, nil, err
	}
	b, err = s.Trade.Import(r.Context(), httpkit.Principal(r), b, r.Body)
	return http.StatusOK, b, err
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
