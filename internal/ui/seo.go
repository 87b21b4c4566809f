package ui

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/offer"
)

// seoRoutes serve what search engines read: the sitemap (every public page
// in both languages) and robots.txt.
func (s *Server) seoRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /sitemap.xml", s.sitemap)
	mux.HandleFunc("GET /robots.txt", s.robots)
}

type sitemapURL struct {
	Loc       string        `xml:"loc"`
	Alternate []sitemapLink `xml:"xhtml:link"`
}

type sitemapLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// sitemap lists the public pages, each with its Spanish and English addresses.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	base := httpkit.BaseURL(r)
	paths := []string{"/", "/oferta", "/actores", "/produccion", "/mercados", "/plan", "/instituciones", "/mercados/informes"}
	products, err := s.Offer.Products(r.Context(), offer.Filter{})
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	seen := map[string]bool{}
	for _, p := range products {
		for _, path := range []string{fmt.Sprintf("/oferta/exportadores/%d", p.ActorID), "/oferta/productos/" + p.Species} {
			if !seen[path] {
				seen[path] = true
				paths = append(paths, path)
			}
		}
	}
	if !slices.Contains(paths, "/oferta/productos/SNE") {
		paths = append(paths, "/oferta/productos/SNE")
	}
	type urlset struct {
		XMLName xml.Name     `xml:"urlset"`
		NS      string       `xml:"xmlns,attr"`
		XHTML   string       `xml:"xmlns:xhtml,attr"`
		URLs    []sitemapURL `xml:"url"`
	}
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
	for _, p := range paths {
		u := sitemapURL{Loc: base + p}
		for _, l := range i18n.Supported {
			u.Alternate = append(u.Alternate, sitemapLink{Rel: "alternate", Hreflang: string(l), Href: base + p + "?lang=" + url.QueryEscape(string(l))})
		}
		set.URLs = append(set.URLs, u)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(set)
}

func (s *Server) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /admin/\nDisallow: /cuenta\nDisallow: /entrar\nDisallow: /api/\nSitemap: %s/sitemap.xml\n", httpkit.BaseURL(r))
}
