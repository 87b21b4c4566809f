package api

import (
	"net/http"

	"sriim/internal/httpkit"
	"sriim/internal/offer"
)

func (s *Server) offerRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/offer/products", s.api(func(r *http.Request) (int, any, error) {
		q := r.URL.Query()
		list, err := s.Offer.Products(r.Context(), offer.Filter{Species: q.Get("species"), Presentation: q.Get("presentation"),
			Certification: q.Get("certification"), Market: q.Get("market")})
		return http.StatusOK, map[string]any{"products": list}, err
	}))
	mux.HandleFunc("POST /api/v1/offer/products", s.api(func(r *http.Request) (int, any, error) {
		var p offer.Product
		if err := httpkit.DecodeJSON(r, &p); err != nil {
			return 0, nil, err
		}
		p.ID = 0
		p, err := s.Offer.Save(r.Context(), httpkit.Principal(r), p)
		return http.StatusCreated, p, err
	}))
	mux.HandleFunc("PUT /api/v1/offer/products/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		var p offer.Product
		if p.Version, err = httpkit.DecodePut(r, &p, false, "id", "actor_id", "created_at", "updated_at"); err != nil {
			return 0, nil, err
		}
		p.ID = id
		p, err = s.Offer.Save(r.Context(), httpkit.Principal(r), p)
		return http.StatusOK, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("GET /api/v1/offer/products/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		p, err := s.Offer.Product(r.Context(), id)
		return http.StatusOK, versioned{p, p.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/offer/products/{id}", s.deleteByID(s.Offer.Delete))
}
