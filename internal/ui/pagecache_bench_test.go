package ui

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// BenchmarkPublicPage measures the whole middleware chain for an anonymous
// visitor's read of the home page and of the catalogue, as served from the
// page cache; its peer is the same request with the cache emptied each time.
func BenchmarkPublicPage(b *testing.B) {
	for _, path := range []string{"/", "/oferta"} {
		site := newSite(b, dbtest.Open(b, db.SQLite), false)
		for _, cached := range []bool{true, false} {
			name := path + "/cached"
			if !cached {
				name = path + "/rendered"
			}
			b.Run(name, func(b *testing.B) {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				req.Header.Set("Accept-Language", "es-PE,es;q=0.9,en;q=0.8")
				b.ReportAllocs()
				for b.Loop() {
					if !cached {
						site.srv.publicPages.writes.Add(1)
					}
					w := httptest.NewRecorder()
					site.srv.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatal(w.Code)
					}
				}
			})
		}
	}
}
