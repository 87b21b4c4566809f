package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestPageCacheKeepsNoPrivatePage: a cacheable page that its handler marked
// private (figures this visitor may see and others may not) is never kept
// for the next visitor; the next plain page is.
func TestPageCacheKeepsNoPrivatePage(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	visits := 0
	h := s.cachePublicPages(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		visits++
		if visits == 1 {
			w.Header().Set("Cache-Control", "private, no-store")
		}
		fmt.Fprintf(w, "visit %d", visits)
	}))
	for i, want := range []string{"visit 1", "visit 2", "visit 2"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/oferta", nil))
		if got := rec.Body.String(); got != want {
			t.Errorf("request %d: %q, want %q", i+1, got, want)
		}
	}
}
