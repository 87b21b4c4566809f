package api

import (
	"net/http"

	"sriim/internal/httpkit"
	"sriim/internal/query"
	"sriim/internal/zones"
)

// The zones module's JSON API (its layers themselves are served as OGC API
// – Features under /ogc).
func (s *Server) zoneRoutes(mux *httpkit.Kernel) {
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

// pointAtOf is the API's view of what holds at a point.
func pointAtOf(rep zones.PointReport) pointAt {
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
	return out
}

func (s *Server) apiZonesAt(r *http.Request) (int, any, error) {
	p, err := query.Zones(r.URL.Query(), "date")
	if err != nil {
		return 0, nil, err
	}
	rep, err := s.Zones.At(r.Context(), p.Lat, p.Lon, p.Day)
	return http.StatusOK, pointAtOf(rep), err
}

// zoneDay reads the date parameter (YYYY-MM-DD; default today in Peru).
func (s *Server) zoneDay(r *http.Request) (string, error) {
	f := httpkit.NewForm(r.URL.Query())
	day := f.Text("date")
	if day == "" {
		return s.Zones.Today(), nil
	}
	f.Date("date")
	return day, f.Err("the date is not valid")
}

func (s *Server) apiZonesClosed(r *http.Request) (int, any, error) {
	day, err := s.zoneDay(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := s.Zones.ClosedOn(r.Context(), day)
	return http.StatusOK, map[string]any{"date": day, "closures": list}, err
}

func (s *Server) apiZonesIndicators(r *http.Request) (int, any, error) {
	day, err := s.zoneDay(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := s.Zones.Indicators(r.Context(), day)
	return http.StatusOK, map[string]any{"date": day, "indicators": list}, err
}
