package web

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/prices"
)

// pricesAPIRoutes registers the prices' JSON API.
func (s *Server) pricesAPIRoutes(mux *routeTable) {
	mux.HandleFunc("GET /api/v1/prices", s.api(func(r *http.Request) (int, any, error) {
		q, err := s.seriesQuery(r.Context(), r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		series, err := s.prices.Series(r.Context(), q)
		return http.StatusOK, series, err
	}))
	mux.HandleFunc("GET /api/v1/prices/margin", s.api(func(r *http.Request) (int, any, error) {
		m, err := s.readMargin(r.Context(), r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		points, err := s.prices.Margin(r.Context(), m.Species, m.Place, m.Destination, m.From, m.To, m.By)
		return http.StatusOK, map[string]any{"species": m.Species, "place": m.Place, "destination": m.Destination, "by": m.By,
			"unit": "S/ per kg", "points": points}, err
	}))
	mux.HandleFunc("GET /api/v1/prices/records", s.api(func(r *http.Request) (int, any, error) {
		q := r.URL.Query()
		limit, err := intParam(q, "limit", 100)
		if err != nil {
			return 0, nil, err
		}
		list, err := s.prices.List(r.Context(), prices.ListQuery{Species: strings.ToUpper(q.Get("species")), Level: q.Get("level"), Place: q.Get("place"), Limit: limit})
		return http.StatusOK, map[string]any{"prices": list}, err
	}))
	mux.HandleFunc("POST /api/v1/prices/records", s.api(func(r *http.Request) (int, any, error) {
		if principal(r).Anonymous() {
			return 0, nil, errs.E(errs.Unauthenticated, "log in to make changes")
		}
		var p prices.Price
		if err := decodeJSON(r, &p); err != nil {
			return 0, nil, err
		}
		p, err := s.prices.Create(r.Context(), principal(r), p)
		return http.StatusCreated, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("GET /api/v1/prices/records/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		p, err := s.prices.Price(r.Context(), id)
		return http.StatusOK, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/prices/records/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		var p prices.Price
		version, err := decodePut(r, &p, false, "id", "created_at", "updated_at", "institution_id")
		if err != nil {
			return 0, nil, err
		}
		p.Version = version
		p, err = s.prices.Update(r.Context(), principal(r), id, p)
		return http.StatusOK, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/prices/records/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		version, err := deleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.prices.Delete(r.Context(), principal(r), id, version)
	}))
	// An import's body is the file (CSV or XLSX in the template's columns), ?name= its name.
	mux.HandleFunc("POST /api/v1/prices/imports", s.api(func(r *http.Request) (int, any, error) {
		rep, err := s.prices.Import(r.Context(), principal(r), r.Body, filepath.Base(r.URL.Query().Get("name")))
		return http.StatusOK, rep, err
	}))
	// An index series' body is a CSV file: anio,mes,valor,fuente for pen-usd
	// (soles per US dollar; mes 0 for a yearly average), anio,mes,variacion_pct,fuente for cpi-lima.
	mux.HandleFunc("POST /api/v1/prices/indices/{series}", s.api(func(r *http.Request) (int, any, error) {
		var n int
		var err error
		switch series := r.PathValue("series"); series {
		case prices.CPISeries:
			n, err = s.prices.LoadCPI(r.Context(), principal(r), r.Body)
		case prices.ExchangeSeries:
			n, err = s.prices.LoadIndex(r.Context(), principal(r), series, r.Body)
		default:
			return 0, nil, errs.E(errs.NotFound, "no index series %s", series)
		}
		return http.StatusOK, map[string]int{"stored": n}, err
	}))
	mux.HandleFunc("GET /api/v1/prices/alerts", s.api(func(r *http.Request) (int, any, error) {
		if principal(r).Anonymous() {
			return 0, nil, errs.E(errs.Unauthenticated, "log in to ask for price alerts")
		}
		list, err := s.prices.Alerts(r.Context(), principal(r))
		return http.StatusOK, map[string]any{"alerts": list}, err
	}))
	mux.HandleFunc("POST /api/v1/prices/alerts", s.api(func(r *http.Request) (int, any, error) {
		if principal(r).Anonymous() {
			return 0, nil, errs.E(errs.Unauthenticated, "log in to ask for price alerts")
		}
		var body struct {
			Species      string  `json:"species"`
			Place        string  `json:"place"`
			ThresholdPct float64 `json:"threshold_pct"`
		}
		if err := decodeJSON(r, &body); err != nil {
			return 0, nil, err
		}
		a, err := s.prices.Subscribe(r.Context(), principal(r), strings.ToUpper(body.Species), body.Place, body.ThresholdPct)
		return http.StatusCreated, a, err
	}))
	mux.HandleFunc("DELETE /api/v1/prices/alerts/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.prices.Unsubscribe(r.Context(), principal(r), id)
	}))
}

// seriesQuery reads a price series as the API and the pages ask for it:
// species=SNE&level=playa&place=DPA-ILO&from=2024-01&to=2024-12&by=month,
// with presentation=, currency= and constant= (a year: constant soles).
// Without from and to it gives the five years up to the species' latest price.
func (s *Server) seriesQuery(ctx context.Context, v url.Values) (prices.SeriesQuery, error) {
	q := prices.SeriesQuery{Species: strings.ToUpper(strings.TrimSpace(v.Get("species"))), Level: v.Get("level"), Place: v.Get("place"),
		Presentation: v.Get("presentation"), Currency: v.Get("currency"), By: v.Get("by")}
	if q.Level == "" {
		q.Level = "playa"
	}
	var err error
	if q.ConstantYear, err = intParam(v, "constant", 0); err != nil {
		return q, err
	}
	q.From, q.To, err = s.priceSpan(ctx, v, q.Species)
	return q, err
}

// priceSpan reads from and to, each defaulting to the five years up to a
// species' latest price (this year when it has none).
func (s *Server) priceSpan(ctx context.Context, v url.Values, species string) (from, to exports.Period, err error) {
	return readSpan(v, func() (int, error) {
		last := s.prices.Now().Year()
		if species == "" {
			return last, nil
		}
		latest, err := s.prices.List(ctx, prices.ListQuery{Species: species, Limit: 1})
		if len(latest) > 0 {
			last = latest[0].Year
		}
		return last, err
	})
}

// marginQuery is a margin between the beach and the export price as asked for.
type marginQuery struct {
	Species, Place, Destination string
	From, To                    exports.Period
	By                          string
}

// readMargin reads species=&place=&destination=&from=&to=&by= (by year
// unless by=month; the beach price at every landing site unless place= names one).
func (s *Server) readMargin(ctx context.Context, v url.Values) (marginQuery, error) {
	m := marginQuery{Species: strings.ToUpper(strings.TrimSpace(v.Get("species"))), Place: v.Get("place"),
		Destination: strings.ToUpper(v.Get("destination")), By: v.Get("by")}
	if m.Species == "" {
		return m, errs.Fields("invalid parameter", map[string]string{"species": "required"})
	}
	if m.By == "" {
		m.By = "year"
	}
	var err error
	m.From, m.To, err = s.priceSpan(ctx, v, m.Species)
	return m, err
}

// priceLevels are the market levels as the pages show them side by side,
// from the beach to the export market.
var priceLevels = []string{"beach", "wholesale", "retail", "export_fob"}

// levelName is a level's Spanish word, as the API and the files take it.
func levelName(code string) string { return prices.Levels.Spanish(code) }
