package api

import (
	"math"
	"net/http"
	"path/filepath"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/prices"
	"sriim/internal/query"
)

// pricesRoutes registers the prices' JSON API.
func (s *Server) pricesRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/prices", s.api(func(r *http.Request) (int, any, error) {
		q, err := query.PriceSeries(r.Context(), r.URL.Query(), s.Prices)
		if err != nil {
			return 0, nil, err
		}
		series, err := s.Prices.Series(r.Context(), q)
		return http.StatusOK, series, err
	}))
	mux.HandleFunc("GET /api/v1/prices/margin", s.api(func(r *http.Request) (int, any, error) {
		m, err := query.PriceMargin(r.Context(), r.URL.Query(), s.Prices)
		if err != nil {
			return 0, nil, err
		}
		points, err := s.Prices.Margin(r.Context(), m.Species, m.Place, m.Destination, m.From, m.To, m.By)
		return http.StatusOK, map[string]any{"species": m.Species, "place": m.Place, "destination": m.Destination, "by": m.By,
			"unit": "S/ per kg", "points": points}, err
	}))
	mux.HandleFunc("GET /api/v1/prices/records", s.api(func(r *http.Request) (int, any, error) {
		q := r.URL.Query()
		limit, err := httpkit.Int(q, "limit", 100)
		if err != nil {
			return 0, nil, err
		}
		list, err := s.Prices.List(r.Context(), prices.ListQuery{Species: strings.ToUpper(q.Get("species")), Level: q.Get("level"), Place: q.Get("place"), Limit: limit})
		return http.StatusOK, map[string]any{"prices": list}, err
	}))
	mux.HandleFunc("POST /api/v1/prices/records", s.api(func(r *http.Request) (int, any, error) {
		if httpkit.Principal(r).Anonymous() {
			return 0, nil, errs.E(errs.Unauthenticated, "log in to make changes")
		}
		var p prices.Price
		if err := httpkit.DecodeJSON(r, &p); err != nil {
			return 0, nil, err
		}
		p, err := s.Prices.Create(r.Context(), httpkit.Principal(r), p)
		return http.StatusCreated, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("GET /api/v1/prices/records/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		p, err := s.Prices.Price(r.Context(), id)
		return http.StatusOK, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/prices/records/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		var p prices.Price
		version, err := httpkit.DecodePut(r, &p, false, "id", "created_at", "updated_at", "institution_id")
		if err != nil {
			return 0, nil, err
		}
		p.Version = version
		p, err = s.Prices.Update(r.Context(), httpkit.Principal(r), id, p)
		return http.StatusOK, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/prices/records/{id}", s.deleteByID(s.Prices.Delete))
	// An import's body is the file (CSV or XLSX in the template's columns), ?name= its name.
	mux.HandleFunc("POST /api/v1/prices/imports", s.api(func(r *http.Request) (int, any, error) {
		rep, err := s.Prices.Import(r.Context(), httpkit.Principal(r), r.Body, filepath.Base(r.URL.Query().Get("name")))
		return http.StatusOK, rep, err
	}), httpkit.Upload(math.MaxInt64, prices.CanCreate))
	// An index series' body is a CSV file: anio,mes,valor,fuente for pen-usd
	// (soles per US dollar; mes 0 for a yearly average), anio,mes,variacion_pct,fuente for cpi-lima.
	mux.HandleFunc("POST /api/v1/prices/indices/{series}", s.api(func(r *http.Request) (int, any, error) {
		var n int
		var err error
		switch series := r.PathValue("series"); series {
		case prices.CPISeries:
			n, err = s.Prices.LoadCPI(r.Context(), httpkit.Principal(r), r.Body)
		case prices.ExchangeSeries:
			n, err = s.Prices.LoadIndex(r.Context(), httpkit.Principal(r), series, r.Body)
		default:
			return 0, nil, errs.E(errs.NotFound, "no index series %s", series)
		}
		return http.StatusOK, map[string]int{"stored": n}, err
	}), httpkit.Upload(4<<20, mayLoadIndex))
	mux.HandleFunc("GET /api/v1/prices/alerts", s.api(func(r *http.Request) (int, any, error) {
		if httpkit.Principal(r).Anonymous() {
			return 0, nil, errs.E(errs.Unauthenticated, "log in to ask for price alerts")
		}
		list, err := s.Prices.Alerts(r.Context(), httpkit.Principal(r))
		return http.StatusOK, map[string]any{"alerts": list}, err
	}))
	mux.HandleFunc("POST /api/v1/prices/alerts", s.api(func(r *http.Request) (int, any, error) {
		if httpkit.Principal(r).Anonymous() {
			return 0, nil, errs.E(errs.Unauthenticated, "log in to ask for price alerts")
		}
		var body struct {
			Species      string  `json:"species"`
			Place        string  `json:"place"`
			ThresholdPct float64 `json:"threshold_pct"`
		}
		if err := httpkit.DecodeJSON(r, &body); err != nil {
			return 0, nil, err
		}
		a, err := s.Prices.Subscribe(r.Context(), httpkit.Principal(r), strings.ToUpper(body.Species), body.Place, body.ThresholdPct)
		return http.StatusCreated, a, err
	}))
	mux.HandleFunc("DELETE /api/v1/prices/alerts/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.Prices.Unsubscribe(r.Context(), httpkit.Principal(r), id)
	}))
}

// mayLoadIndex reports whether p may load an index series (shared
// reference data: administrators, and editors granted it).
func mayLoadIndex(p auth.Principal) bool { return auth.Can(p, auth.Owner{Reference: true}) }
