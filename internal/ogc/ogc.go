// Package ogc serves the zones layers as OGC API – Features (Part 1 Core
// with GeoJSON, and Part 2 CRS by reference) — what GDAL's OAPIF driver,
// QGIS and other GIS clients read. It is a self-contained http.Handler over
// a narrow interface of the zones service: one collection per layer, with
// the layer's id.
package ogc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"

	"sriim/internal/errs"
	"sriim/internal/geo"
	"sriim/internal/zones"
)

// Source is what the API reads: the zones service.
type Source interface {
	Collections(ctx context.Context) ([]zones.Collection, error)
	Items(ctx context.Context, q zones.Query) (zones.Items, error)
	Item(ctx context.Context, layer string, id int64) (zones.Item, error)
}

// Conformance classes the API implements.
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
}

// crsList are the systems features can be asked in (Part 2): CRS84 first
// (the default), then EPSG:4326 with latitude first and the UTM zones.
var crsList = func() []string {
	out := []string{geo.CRS84, "http://www.opengis.net/def/crs/EPSG/0/4326"}
	for _, s := range geo.Supported {
		if s.Projected() {
			out = append(out, s.URI())
		}
	}
	return out
}()

// Handler serves the API under a path prefix ("/ogc").
type Handler struct {
	src    Source
	prefix string
	base   func(r *http.Request) string
	mux    *http.ServeMux
}

// New returns the API over src, served under prefix. Its links are
// absolute (GDAL's OAPIF driver does not resolve a path against its base):
// base gives the site's public address ("https://sriim.example.org"); nil
// takes it from the request, scheme from TLS or X-Forwarded-Proto.
func New(src Source, prefix string, base func(r *http.Request) string) *Handler {
	if base == nil {
		base = requestBase
	}
	h := &Handler{src: src, prefix: strings.TrimSuffix(prefix, "/"), base: base, mux: http.NewServeMux()}
	p := h.prefix
	h.mux.HandleFunc("GET "+p+"/{$}", h.landing)
	h.mux.HandleFunc("GET "+p+"/conformance", h.conformance)
	h.mux.HandleFunc("GET "+p+"/api", h.api)
	h.mux.HandleFunc("GET "+p+"/collections", h.collections)
	h.mux.HandleFunc("GET "+p+"/collections/{id}", h.collection)
	h.mux.HandleFunc("GET "+p+"/collections/{id}/items", h.items)
	h.mux.HandleFunc("GET "+p+"/collections/{id}/items/{fid}", h.item)
	h.mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the API is read-only")
			return
		}
		h.fail(w, http.StatusNotFound, "NotFound", "no such resource")
	})
	return h
}

func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// root is the API's absolute address.
func (h *Handler) root(r *http.Request) string { return strings.TrimSuffix(h.base(r), "/") + h.prefix }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == h.prefix {
		r.URL.Path += "/"
	}
	h.mux.ServeHTTP(w, r)
}

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

const (
	typeJSON    = "application/json"
	typeGeoJSON = "application/geo+json"
	typeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
)

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail writes an OGC exception.
func (h *Handler) fail(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, typeJSON, map[string]string{"code": code, "description": description})
}

// failErr maps a service error to an exception.
func (h *Handler) failErr(w http.ResponseWriter, err error) {
	var e *errs.Error
	switch {
	case errs.Is(err, errs.NotFound):
		h.fail(w, http.StatusNotFound, "NotFound", err.(*errs.Error).Message)
	case errors.As(err, &e) && e.Kind == errs.Invalid:
		msg := e.Message
		for k, v := range e.Fields {
			msg += "; " + k + ": " + v
		}
		h.fail(w, http.StatusBadRequest, "InvalidParameterValue", msg)
	default:
		h.fail(w, http.StatusInternalServerError, "ServerError", "the server failed; the failure is logged")
	}
}

// checkParams refuses parameters the resource does not know (Part 1, /req/core/query-param-unknown).
func (h *Handler) checkParams(w http.ResponseWriter, r *http.Request, known ...string) bool {
	for k := range r.URL.Query() {
		if k == "f" || contains(known, k) {
			continue
		}
		h.fail(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("unknown parameter %q", k))
		return false
	}
	if f := r.URL.Query().Get("f"); f != "" && f != "json" && f != "geojson" {
		h.fail(w, http.StatusNotAcceptable, "InvalidParameterValue", "only JSON is served: f=json")
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (h *Handler) landing(w http.ResponseWriter, r *http.Request) {
	if !h.checkParams(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, typeJSON, map[string]any{
		"title":       "SRIIM – zonas y catastro acuícola / zones and aquaculture cadastre",
		"description": "Aquaculture rights, production areas with their sanitary class and closures, natural banks, landing sites and suitable zones of the Moquegua Region (Peru), kept by SRIIM.",
		"links": []link{
			{Href: h.root(r) + "/", Rel: "self", Type: typeJSON, Title: "this document"},
			{Href: h.root(r) + "/api", Rel: "service-desc", Type: typeOpenAPI, Title: "the API's OpenAPI document"},
			{Href: h.root(r) + "/conformance", Rel: "conformance", Type: typeJSON, Title: "conformance classes"},
			{Href: h.root(r) + "/collections", Rel: "data", Type: typeJSON, Title: "the layers"},
		},
	})
}

// api is the OpenAPI document of the API's paths and parameters.
func (h *Handler) api(w http.ResponseWriter, r *http.Request) {
	if !h.checkParams(w, r) {
		return
	}
	param := func(name, in, desc string) map[string]any {
		return map[string]any{"name": name, "in": in, "required": in == "path", "description": desc, "schema": map[string]string{"type": "string"}}
	}
	ok := func(desc, media string) map[string]any {
		return map[string]any{"200": map[string]any{"description": desc, "content": map[string]any{media: map[string]any{}}}}
	}
	collection, feature := param("collectionId", "path", "a layer's id"), param("featureId", "path", "a feature's id")
	writeJSON(w, http.StatusOK, typeOpenAPI, map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]string{"title": "SRIIM – OGC API – Features", "version": "1.0"},
		"servers": []map[string]string{{"url": h.root(r)}},
		"paths": map[string]any{
			"/":                           map[string]any{"get": map[string]any{"operationId": "landing", "responses": ok("landing page", typeJSON)}},
			"/conformance":                map[string]any{"get": map[string]any{"operationId": "conformance", "responses": ok("conformance classes", typeJSON)}},
			"/collections":                map[string]any{"get": map[string]any{"operationId": "collections", "responses": ok("the layers", typeJSON)}},
			"/collections/{collectionId}": map[string]any{"get": map[string]any{"operationId": "collection", "parameters": []any{collection}, "responses": ok("a layer", typeJSON)}},
			"/collections/{collectionId}/items/{featureId}": map[string]any{"get": map[string]any{"operationId": "feature", "parameters": []any{collection, feature, param("crs", "query", "output CRS")}, "responses": ok("a feature", typeGeoJSON)}},
			"/collections/{collectionId}/items": map[string]any{"get": map[string]any{"operationId": "items", "parameters": []any{collection,
				param("bbox", "query", "min x, min y, max x, max y"), param("bbox-crs", "query", "the CRS of bbox"),
				param("limit", "query", fmt.Sprintf("features per page, 1 to %d (default 10)", zones.MaxLimit)),
				param("datetime", "query", "a date or an interval of dates: features valid (closures in force) then"),
				param("crs", "query", "output CRS"), param("cursor", "query", "the next page, as the next link gives it")},
				"responses": ok("features", typeGeoJSON)}},
		},
	})
}

func (h *Handler) conformance(w http.ResponseWriter, r *http.Request) {
	if !h.checkParams(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, typeJSON, map[string]any{"conformsTo": conformance})
}

func (h *Handler) collectionDoc(r *http.Request, c zones.Collection) map[string]any {
	base := h.root(r) + "/collections/" + c.ID
	doc := map[string]any{
		"id": c.ID, "title": c.TitleES + " / " + c.TitleEN, "description": c.Description, "itemType": "feature",
		"crs": crsList, "storageCrs": geo.CRS84,
		"links": []link{
			{Href: base, Rel: "self", Type: typeJSON},
			{Href: base + "/items", Rel: "items", Type: typeGeoJSON, Title: "the features"},
		},
	}
	extent := map[string]any{}
	if c.Bound != nil {
		extent["spatial"] = map[string]any{"bbox": [][4]float64{{c.Bound.Min[0], c.Bound.Min[1], c.Bound.Max[0], c.Bound.Max[1]}}, "crs": geo.CRS84}
	}
	if c.From != "" || c.To != "" {
		var interval [2]any
		if c.From != "" {
			interval[0] = c.From + "T00:00:00Z"
		}
		if c.To != "" {
			interval[1] = c.To + "T23:59:59Z"
		}
		extent["temporal"] = map[string]any{"interval": [][2]any{interval}, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
	}
	if len(extent) > 0 {
		doc["extent"] = extent
	}
	return doc
}

func (h *Handler) collections(w http.ResponseWriter, r *http.Request) {
	if !h.checkParams(w, r) {
		return
	}
	list, err := h.src.Collections(r.Context())
	if err != nil {
		h.failErr(w, err)
		return
	}
	docs := make([]map[string]any, len(list))
	for i, c := range list {
		docs[i] = h.collectionDoc(r, c)
	}
	writeJSON(w, http.StatusOK, typeJSON, map[string]any{
		"links":       []link{{Href: h.root(r) + "/collections", Rel: "self", Type: typeJSON}},
		"collections": docs,
		"crs":         crsList,
	})
}

// find returns the collection the path names; with counts and extents
// only when full (they cost a pass over the layer).
func (h *Handler) find(w http.ResponseWriter, r *http.Request, full bool) (zones.Collection, bool) {
	id := r.PathValue("id")
	l, ok := zones.LayerByID(id)
	if !ok {
		h.fail(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no collection %q", id))
		return zones.Collection{}, false
	}
	if !full {
		return zones.Collection{Layer: l}, true
	}
	list, err := h.src.Collections(r.Context())
	if err != nil {
		h.failErr(w, err)
		return zones.Collection{}, false
	}
	for _, c := range list {
		if c.ID == id {
			return c, true
		}
	}
	return zones.Collection{Layer: l}, true
}

func (h *Handler) collection(w http.ResponseWriter, r *http.Request) {
	if !h.checkParams(w, r) {
		return
	}
	if c, ok := h.find(w, r, true); ok {
		writeJSON(w, http.StatusOK, typeJSON, h.collectionDoc(r, c))
	}
}

// parseCRS reads a crs or bbox-crs parameter; CRS84 when empty. latFirst
// is EPSG:4326's axis order, latitude first.
func parseCRS(s string) (srs geo.SRS, latFirst bool, err error) {
	if s == "" || s == geo.CRS84 {
		return geo.WGS84, false, nil
	}
	if !contains(crsList, s) {
		return 0, false, fmt.Errorf("unsupported crs %q: use one of %s", s, strings.Join(crsList, ", "))
	}
	srs, err = geo.ParseSRS(s)
	return srs, srs == geo.WGS84, err
}

// parseBBox reads bbox (four or six numbers) in bbox-crs to WGS84.
func parseBBox(s, crs string) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, fmt.Errorf("bbox takes four numbers: min x, min y, max x, max y")
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("bbox: %q is not a number", p)
		}
		v[i] = f
	}
	if len(v) == 6 { // with heights
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	srs, latFirst, err := parseCRS(crs)
	if err != nil {
		return nil, err
	}
	if latFirst {
		v[0], v[1], v[2], v[3] = v[1], v[0], v[3], v[2]
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil, fmt.Errorf("bbox: the minimum exceeds the maximum")
	}
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	if srs.Projected() {
		corners := orb.MultiPoint{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}}
		b = srs.ToWGS84Geometry(corners).Bound()
	}
	return &b, nil
}

// parseDatetime reads an instant or an interval ("a/b", "../b", "a/..")
// of dates or RFC 3339 times as a span of days.
func parseDatetime(s string) (from, to string, err error) {
	if s == "" {
		return "", "", nil
	}
	day := func(x string) (string, error) {
		if x == ".." || x == "" {
			return "", nil
		}
		if t, err := time.Parse(time.RFC3339, x); err == nil {
			return t.UTC().Format(time.DateOnly), nil
		}
		if t, err := time.Parse(time.DateOnly, x); err == nil {
			return t.Format(time.DateOnly), nil
		}
		return "", fmt.Errorf("datetime: %q is neither a date nor an RFC 3339 time", x)
	}
	a, b, interval := strings.Cut(s, "/")
	if from, err = day(a); err != nil {
		return "", "", err
	}
	if !interval {
		if from == "" {
			return "", "", fmt.Errorf("datetime: an instant cannot be open")
		}
		return from, from, nil
	}
	if to, err = day(b); err != nil {
		return "", "", err
	}
	if from != "" && to != "" && to < from {
		return "", "", fmt.Errorf("datetime: the interval ends before it starts")
	}
	return from, to, nil
}

// feature renders one feature, its geometry in srs.
func feature(it zones.Item, srs geo.SRS, latFirst bool, links []link) (map[string]any, error) {
	g := json.RawMessage(it.Geometry)
	if srs.Projected() || latFirst {
		decoded, err := geojson.UnmarshalGeometry(it.Geometry)
		if err != nil {
			return nil, err
		}
		out := srs.FromWGS84Geometry(decoded.Geometry())
		if latFirst {
			out = swap(out)
		}
		if g, err = json.Marshal(geojson.NewGeometry(out)); err != nil {
			return nil, err
		}
	}
	f := map[string]any{"type": "Feature", "id": it.ID, "geometry": g, "properties": it.Properties}
	if links != nil {
		f["links"] = links
	}
	return f, nil
}

// swap puts latitude first, EPSG:4326's axis order.
func swap(g orb.Geometry) orb.Geometry {
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
}

func (h *Handler) items(w http.ResponseWriter, r *http.Request) {
	c, ok := h.find(w, r, false)
	if !ok {
		return
	}
	params := r.URL.Query()
	if !h.checkParams(w, r, append([]string{"bbox", "bbox-crs", "limit", "datetime", "crs", "cursor"}, c.Queryables...)...) {
		return
	}
	q := zones.Query{Layer: c.ID, Limit: 10, Filters: map[string]string{}}
	bad := func(err error) { h.fail(w, http.StatusBadRequest, "InvalidParameterValue", err.Error()) }
	var err error
	if v := params.Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 {
			bad(fmt.Errorf("limit must be a whole number from 1 to %d", zones.MaxLimit))
			return
		}
		q.Limit = min(q.Limit, zones.MaxLimit)
	}
	if v := params.Get("cursor"); v != "" {
		if q.After, err = strconv.ParseInt(v, 10, 64); err != nil || q.After < 0 {
			bad(fmt.Errorf("cursor is not one this API gave"))
			return
		}
	}
	if q.BBox, err = parseBBox(params.Get("bbox"), params.Get("bbox-crs")); err != nil {
		bad(err)
		return
	}
	if q.From, q.To, err = parseDatetime(params.Get("datetime")); err != nil {
		bad(err)
		return
	}
	srs, latFirst, err := parseCRS(params.Get("crs"))
	if err != nil {
		bad(err)
		return
	}
	for _, k := range c.Queryables {
		if v := params.Get(k); v != "" {
			q.Filters[k] = v
		}
	}
	page, err := h.src.Items(r.Context(), q)
	if err != nil {
		h.failErr(w, err)
		return
	}
	features := make([]map[string]any, 0, len(page.Items))
	for _, it := range page.Items {
		f, err := feature(it, srs, latFirst, nil)
		if err != nil {
			h.failErr(w, err)
			return
		}
		features = append(features, f)
	}
	base := h.root(r) + "/collections/" + c.ID
	self := base + "/items"
	if len(params) > 0 {
		self += "?" + params.Encode()
	}
	links := []link{
		{Href: self, Rel: "self", Type: typeGeoJSON},
		{Href: base, Rel: "collection", Type: typeJSON},
	}
	if page.Next != 0 {
		next := url.Values{}
		for k, v := range params {
			next[k] = v
		}
		next.Set("cursor", strconv.FormatInt(page.Next, 10))
		links = append(links, link{Href: base + "/items?" + next.Encode(), Rel: "next", Type: typeGeoJSON})
	}
	w.Header().Set("Content-Crs", "<"+crsURI(srs, latFirst)+">")
	writeJSON(w, http.StatusOK, typeGeoJSON, map[string]any{
		"type": "FeatureCollection", "features": features, "links": links,
		"numberReturned": len(features), "timeStamp": time.Now().UTC().Format(time.RFC3339),
	})
}

func crsURI(srs geo.SRS, latFirst bool) string {
	if latFirst {
		return "http://www.opengis.net/def/crs/EPSG/0/4326"
	}
	return srs.URI()
}

func (h *Handler) item(w http.ResponseWriter, r *http.Request) {
	c, ok := h.find(w, r, false)
	if !ok || !h.checkParams(w, r, "crs") {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	if err != nil {
		h.fail(w, http.StatusNotFound, "NotFound", "no such feature")
		return
	}
	srs, latFirst, err := parseCRS(r.URL.Query().Get("crs"))
	if err != nil {
		h.fail(w, http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	it, err := h.src.Item(r.Context(), c.ID, id)
	if err != nil {
		h.failErr(w, err)
		return
	}
	base := h.root(r) + "/collections/" + c.ID
	f, err := feature(it, srs, latFirst, []link{
		{Href: base + "/items/" + strconv.FormatInt(id, 10), Rel: "self", Type: typeGeoJSON},
		{Href: base, Rel: "collection", Type: typeJSON},
	})
	if err != nil {
		h.failErr(w, err)
		return
	}
	w.Header().Set("Content-Crs", "<"+crsURI(srs, latFirst)+">")
	writeJSON(w, http.StatusOK, typeGeoJSON, f)
}
