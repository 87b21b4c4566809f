package ui

import (
	"net/http"

	"sriim/internal/httpkit"
	"sriim/internal/zones"
)

// An account follows a production area to get an e-mail when it closes or
// opens (sent by the server with SMTP configured: see zones.Announce).
func (s *Server) zoneFollowRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("POST /zonas/areas/{code}/seguir", s.followArea(true))
	mux.HandleFunc("POST /zonas/areas/{code}/dejar-de-seguir", s.followArea(false))
}

func (s *Server) followArea(follow bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := s.requireLogin(w, r)
		if u == nil {
			return
		}
		code := r.PathValue("code")
		var err error
		flash := "followed"
		if follow {
			err = s.Zones.Follow(r.Context(), u.Principal(), code)
		} else {
			err, flash = s.Zones.Unfollow(r.Context(), u.Principal(), code), "unfollowed"
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, zoneHref(zones.ProductionArea, code)+"?ok="+flash, http.StatusSeeOther)
	}
}
