package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/exports"
)

// exportsAPIRoutes registers the regional exports' JSON API.
func (s *Server) exportsAPIRoutes(mux *routeTable) {
	mux.HandleFunc("GET /api/v1/exports/regional", s.api(func(r *http.Request) (int, any, error) {
		q, err := s.regionalQuery(r.Context(), r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		res, err := s.exports.Regional(r.Context(), principal(r), q)
		return http.StatusOK, res, err
	}))
	mux.HandleFunc("GET /api/v1/exports/regional/destination-changes", s.api(func(r *http.Request) (int, any, error) {
		q, err := s.regionalQuery(r.Context(), r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		ch, err := s.exports.DestinationChanges(r.Context(), principal(r), q)
		return http.StatusOK, map[string]any{"changes": ch}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/published", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.exports.PublishedFigures(r.Context(), r.URL.Query().Get("region"))
		return http.StatusOK, map[string]any{"figures": list}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/departments", s.api(func(*http.Request) (int, any, error) {
		out := make([]map[string]string, len(exports.Departments))
		for i, d := range exports.Departments {
			out[i] = map[string]string{"code": d.Code, "ubigeo": d.Ubigeo, "name": d.NameES}
		}
		return http.StatusOK, map[string]any{"departments": out}, nil
	}))
	mux.HandleFunc("GET /api/v1/exports/leads", s.api(func(r *http.Request) (int, any, error) {
		leads, err := s.exports.Leads(r.Context(), principal(r), r.URL.Query().Get("region"))
		return http.StatusOK, map[string]any{"leads": leads}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/exporters/{id}/markets", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		q, err := s.exporterQuery(r.Context(), r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		res, err := s.exports.ExporterMarkets(r.Context(), principal(r), id, q)
		return http.StatusOK, res, err
	}))
	mux.HandleFunc("GET /api/v1/exports/exporters/{id}/visibility", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		v, err := s.exports.Visibility(r.Context(), id)
		return http.StatusOK, versioned{v, v.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/exports/exporters/{id}/visibility", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		var body struct {
			Public bool `json:"public"`
		}
		version, err := decodePut(r, &body, true)
		if err != nil {
			return 0, nil, err
		}
		v, err := s.exports.SetVisibility(r.Context(), principal(r), id, body.Public, version)
		return http.StatusOK, versioned{v, v.Version}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/imports", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.exports.Batches(r.Context())
		for i := range list {
			list[i].CreatedBy = personShown(principal(r), list[i].CreatedBy)
		}
		return http.StatusOK, map[string]any{"imports": list}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/imports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.exports.Batch(r.Context(), id)
		b.CreatedBy = personShown(principal(r), b.CreatedBy)
		return http.StatusOK, b, err
	}))
	// An import through the API runs while the request waits: the body is
	// the file (CSV or XLSX), ?name= its name (a file imported again under
	// the same name replaces its rows).
	mux.HandleFunc("POST /api/v1/exports/imports", s.api(func(r *http.Request) (int, any, error) {
		q := r.URL.Query()
		b, err := s.exports.Start(r.Context(), principal(r), q.Get("name"), q.Get("source"))
		if err != nil {
			return 0, nil, err
		}
		b, err = s.exports.Import(r.Context(), principal(r), b, r.Body)
		return http.StatusOK, b, err
	}))
}

// regionalQuery reads the analysis the API and the pages ask for:
// region=PE-MOQ&from=2004&to=2006&by=year|destination|exporter|line, with
// line= and measure=. Without from and to it gives the region's last five
// years with exports (this year's five when it has none).
func (s *Server) regionalQuery(ctx context.Context, v url.Values) (exports.Query, error) {
	q := exports.Query{Region: strings.ToUpper(strings.TrimSpace(v.Get("region"))), By: v.Get("by"), Line: v.Get("line"), Measure: v.Get("measure")}
	if q.Region == "" {
		q.Region = exports.DefaultRegion
	}
	if err := s.readPeriods(ctx, v, q.Region, &q); err != nil {
		return q, err
	}
	return q, nil
}

// exporterQuery reads an exporter's analysis: from and to, and region
// (every department unless one is named).
func (s *Server) exporterQuery(ctx context.Context, v url.Values) (exports.Query, error) {
	q := exports.Query{Region: strings.ToUpper(strings.TrimSpace(v.Get("region")))}
	return q, s.readPeriods(ctx, v, "PE", &q)
}

// readPeriods reads from and to, each defaulting to the span of the
// region's exports (this year's when it has none).
func (s *Server) readPeriods(ctx context.Context, v url.Values, region string, q *exports.Query) error {
	var err error
	q.From, q.To, err = readSpan(v, func() (int, error) {
		_, last, err := s.exports.Years(ctx, region)
		if last == 0 {
			last = s.exports.Now().Year()
		}
		return last, err
	})
	return err
}

// readSpan reads from and to (a year, or a month as 2004-03). Without
// both, the span is five years: up to the one given, from the one given to
// the last year with data (lastYear, asked only then), or up to that year.
func readSpan(v url.Values, lastYear func() (int, error)) (from, to exports.Period, err error) {
	problems := map[string]string{}
	for _, p := range []struct {
		name string
		dst  *exports.Period
	}{{"from", &from}, {"to", &to}} {
		if raw := v.Get(p.name); raw != "" {
			if *p.dst, err = exports.ParsePeriod(raw); err != nil {
				problems[p.name] = msgPeriod
			}
		}
	}
	if len(problems) > 0 {
		return from, to, errs.Fields("invalid parameter", problems)
	}
	if from.Year != 0 && to.Year != 0 {
		return from, to, nil
	}
	if to.Year != 0 {
		return exports.Period{Year: to.Year - 4, Month: min(to.Month, 1)}, to, nil
	}
	last, err := lastYear()
	if err != nil {
		return from, to, err
	}
	if from.Year != 0 {
		return from, exports.Period{Year: max(last, from.Year), Month: 12 * min(from.Month, 1)}, nil
	}
	return exports.Period{Year: last - 4}, exports.Period{Year: last}, nil
}
