package ui

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sriim/internal/httpkit"
)

// pageCache keeps, for a short time, the public pages that anonymous
// visitors read most (home, catalogue, species pages), already compressed:
// a buyer on a weak phone and a crawler get the same bytes without a query.
// Any write through this instance (a request other than GET or HEAD that
// is not refused with a 4xx status) empties it at once; writes by other
// instances and background imports show within pageCacheTTL. It sits
// outside the rest of the chain, so that a hit costs little more than
// nginx serving a file; hits are still counted and logged.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*cachedPage
	writes  atomic.Uint64 // bumped by every request that may write
}

type cachedPage struct {
	header http.Header
	body   []byte
	gz     []byte
	route  string
	at     time.Time
	writes uint64
	// refreshing is set when a visitor is rendering the page anew.
	refreshing atomic.Bool
}

const (
	pageCacheTTL = time.Second
	pageCacheMax = 512 // entries; the cache starts over when full
)

// cacheablePage reports whether a path is a public page without forms.
func cacheablePage(path string) bool {
	return path == "/" || path == "/oferta" || strings.HasPrefix(path, "/oferta/productos/")
}

// cachedFor reports the cache key of a request that can be answered from
// the cache: a GET of a cacheable page by a visitor with neither session
// nor token, who is not choosing a language (that sets a cookie).
func cachedFor(r *http.Request) (string, bool) {
	if r.Method != http.MethodGet || !cacheablePage(r.URL.Path) || r.Header.Get("Authorization") != "" {
		return "", false
	}
	if _, err := r.Cookie(httpkit.SessionCookie); err == nil {
		return "", false
	}
	lang, chosen := httpkit.RequestLang(r)
	if chosen {
		return "", false
	}
	// The pages hold absolute links to the site (baseURL): one Host must not
	// fill the cache for another.
	return string(lang) + " " + httpkit.BaseURL(r) + r.URL.RequestURI(), true
}

func (s *Server) cachePublicPages(next http.Handler) http.Handler {
	c := &s.publicPages
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			rec := &httpkit.StatusRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			// A refused request (bad form, failed login, rate limit) wrote
			// nothing, so a bot posting in a loop does not empty the cache.
			if rec.Status < 400 || rec.Status >= 500 {
				c.writes.Add(1)
			}
			return
		}
		key, ok := cachedFor(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		writes := c.writes.Load()
		c.mu.Lock()
		page := c.entries[key]
		c.mu.Unlock()
		// A page older than pageCacheTTL is refreshed by one visitor while
		// the others still get it; after a write, everyone waits for the new one.
		if page == nil || page.writes != writes || (time.Since(page.at) > pageCacheTTL && page.refreshing.CompareAndSwap(false, true)) {
			if page = c.fill(w, next, r, writes); page == nil {
				c.mu.Lock()
				delete(c.entries, key) // no longer a plain page: nothing to keep
				c.mu.Unlock()
				return
			}
			c.mu.Lock()
			if c.entries == nil || len(c.entries) >= pageCacheMax {
				c.entries = map[string]*cachedPage{}
			}
			c.entries[key] = page
			c.mu.Unlock()
			page.serve(w, r)
			return
		}
		start := time.Now()
		status := page.serve(w, r)
		s.k.RecordRequest(r, page.route, status, time.Since(start))
	})
}

// fill runs the rest of the chain into a buffer, uncompressed. When the
// answer is not a 200 page, or is one the page marked as not for others
// (Cache-Control private or no-store: figures only some visitors may see),
// it passes it on to w as it was and returns nil.
func (c *pageCache) fill(w http.ResponseWriter, next http.Handler, r *http.Request, writes uint64) *cachedPage {
	rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
	route := ""
	whole := r.Clone(httpkit.WithRouteReport(r.Context(), &route))
	whole.Header.Del("If-None-Match") // the cache needs the whole page
	whole.Header.Del("Accept-Encoding")
	next.ServeHTTP(rec, whole)
	if cc := rec.header.Get("Cache-Control"); rec.status != http.StatusOK || strings.Contains(cc, "private") || strings.Contains(cc, "no-store") {
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return nil
	}
	delete(rec.header, "Set-Cookie") // the cached pages have no forms, so need no CSRF cookie
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(rec.body.Bytes())
	_ = zw.Close()
	return &cachedPage{header: rec.header, body: rec.body.Bytes(), gz: gz.Bytes(), route: route, at: time.Now(), writes: writes}
}

// serve answers from the cache: 304 to a matching If-None-Match, gzip to
// whoever accepts it. It returns the status sent.
func (p *cachedPage) serve(w http.ResponseWriter, r *http.Request) int {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	if etag := p.header.Get("ETag"); etag != "" && r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	body := p.body
	if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
	return http.StatusOK
}

// pageRecorder is the ResponseWriter a page is rendered into.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header         { return p.header }
func (p *pageRecorder) WriteHeader(status int)      { p.status = status }
func (p *pageRecorder) Write(b []byte) (int, error) { return p.body.Write(b) }
