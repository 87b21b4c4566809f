package ui

import (
	"bytes"
	"net/http"

	"sriim/internal/atom"
	"sriim/internal/httpkit"
	"sriim/internal/zones"
)

// closuresFeedEntries is how many closures the Atom feed holds.
const closuresFeedEntries = 50

func (s *Server) zoneFeedRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET "+zones.ClosuresFeedPath, s.closuresFeed)
}

// closuresFeed is the Atom feed of the production areas' closures, in the
// page's language.
func (s *Server) closuresFeed(w http.ResponseWriter, r *http.Request) {
	feed, err := s.Zones.ClosuresFeed(r.Context(), httpkit.BaseURL(r), httpkit.Lang(r), closuresFeedEntries,
		func(code string) string { return zoneHref(zones.ProductionArea, code) })
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := feed.Write(&buf); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", atom.MediaType)
	httpkit.WriteWithETag(w, r, http.StatusOK, buf.Bytes())
}
