package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"sriim/internal/errs"
	"sriim/internal/number"
)

// The zones module's JSON API (its layers themselves are served as OGC API
// – Features under /ogc).
func (s *Server) zoneAPIRoutes(mux *routeTable) {
	mux.HandleFunc("GET /api/v1/zones/at", s.api(s.apiZonesAt))
	mux.HandleFunc("GET /api/v1/zones/closed", s.api(s.apiZonesClosed))
	mux.HandleFunc("GET /api/v1/zones/indicators", s.api(s.apiZonesIndicators))
}

// pointAt is the answer of /api/v1/zones/at, exactly as issue 16 names it.
type pointAt struct {
	ProductionArea *areaAt   `json:"production_area"`
	Rights         []rightAt `json:"rights"`
	SuitableZone   *zoneAt   `json:"suitable_zone"`
}

type areaAt struct {
	Code    string     `json:"code"`
	Name    string     `json:"name"`
	Class   *string    `json:"class"`
	Status  string     `json:"status"`
	Closure *closureAt `json:"closure"`
}

type closureAt struct {
	Reason     string  `json:"reason"`
	From       string  `json:"from"`
	To         *string `json:"to"` // null while it lasts
	Resolution string  `json:"resolution"`
	Notes      string  `json:"notes"`
}

type rightAt struct {
	Code   string `json:"code"`
	Holder string `json:"holder"`
	Status string `json:"status"`
}

type zoneAt struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// coordinate reads a latitude or longitude parameter with the one number
// parser (a decimal point or comma, "−" accepted).
func coordinate(q url.Values, name string) (float64, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return 0, errs.Fields("the point is not valid", map[string]string{name: "required"})
	}
	f, err := number.Parse(v)
	if err != nil {
		return 0, errs.Fields("the point is not valid", map[string]string{name: number.Hint})
	}
	return f, nil
}

// zonesAt is what holds at the query's point (lat, lon) on its date.
func (s *Server) zonesAt(r *http.Request, q url.Values) (pointAt, error) {
	lat, err := coordinate(q, "lat")
	if err != nil {
		return pointAt{}, err
	}
	lon, err := coordinate(q, "lon")
	if err != nil {
		return pointAt{}, err
	}
	rep, err := s.zones.At(r.Context(), lat, lon, strings.TrimSpace(q.Get("date")))
	if err != nil {
		return pointAt{}, err
	}
	out := pointAt{Rights: make([]rightAt, len(rep.Rights))}
	for i, ra := range rep.Rights {
		out.Rights[i] = rightAt{Code: ra.Code, Holder: ra.Holder, Status: ra.Status}
	}
	if z := rep.SuitableZone; z != nil {
		out.SuitableZone = &zoneAt{Code: z.Code, Name: z.Name}
	}
	if a := rep.ProductionArea; a != nil {
		out.ProductionArea = &areaAt{Code: a.Code, Name: a.Name, Class: a.Class, Status: a.Status}
		if c := a.Closure; c != nil {
			ca := &closureAt{Reason: c.Reason, From: c.From, Resolution: c.Resolution, Notes: c.Notes}
			if c.To != "" {
				ca.To = &c.To
			}
			out.ProductionArea.Closure = ca
		}
	}
	return out, nil
}

func (s *Server) apiZonesAt(r *http.Request) (int, any, error) {
	out, err := s.zonesAt(r, r.URL.Query())
	return http.StatusOK, out, err
}

// apiDay reads the date parameter (YYYY-MM-DD; default today in Peru).
func (s *Server) apiDay(q url.Values) (string, error) {
	day := strings.TrimSpace(q.Get("date"))
	if day == "" {
		return s.zones.Today(), nil
	}
	if t, err := time.Parse(time.DateOnly, day); err != nil || t.Format(time.DateOnly) != day {
		return "", errs.Fields("the date is not valid", map[string]string{"date": msgDate})
	}
	return day, nil
}

func (s *Server) apiZonesClosed(r *http.Request) (int, any, error) {
	day, err := s.apiDay(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	list, err := s.zones.ClosedOn(r.Context(), day)
	return http.StatusOK, map[string]any{"date": day, "closures": list}, err
}

func (s *Server) apiZonesIndicators(r *http.Request) (int, any, error) {
	day, err := s.apiDay(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	list, err := s.zones.Indicators(r.Context(), day)
	return http.StatusOK, map[string]any{"date": day, "indicators": list}, err
}
