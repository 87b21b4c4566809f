package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/query"
	"sriim/internal/zones"
	"sriim/internal/zones/zonemap"
)

// zoneSlugs are the layers' path segments under /zonas.
var zoneSlugs = []struct{ slug, layer string }{
	{"derechos", zones.Rights}, {"areas", zones.ProductionArea}, {"bancos", zones.NaturalBanks},
	{"desembarcaderos", zones.LandingSites}, {"aptas", zones.SuitableZones}, {"cierres", zones.Closures},
}

func layerOfSlug(slug string) (zones.Layer, bool) {
	for _, z := range zoneSlugs {
		if z.slug == slug {
			return zones.LayerByID(z.layer)
		}
	}
	return zones.Layer{}, false
}

func slugOf(layer string) string {
	for _, z := range zoneSlugs {
		if z.layer == layer {
			return z.slug
		}
	}
	return ""
}

// errNoZoneLayer answers an address under /zonas that names no layer.
var errNoZoneLayer = errs.E(errs.NotFound, "no such page or resource")

// zoneHref is a feature's page.
func zoneHref(layer, code string) string {
	return "/zonas/" + slugOf(layer) + "/" + url.PathEscape(code)
}

// layerTitle is a layer's name in lang.
func layerTitle(lang i18n.Lang, l zones.Layer) string {
	if lang == i18n.ES {
		return l.TitleES
	}
	return l.TitleEN
}

func (s *Server) zoneRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /zonas", s.zonesPage)
	mux.HandleFunc("GET /zonas/punto", s.zonesPointPage)
	mux.HandleFunc("GET /zonas/{layer}", s.zoneLayerPage)
	mux.HandleFunc("GET /zonas/{layer}/{code}", s.zoneFeaturePage)
	mux.HandleFunc("GET /zonas/{layer}/datos.geojson", s.zoneGeoJSON)
	mux.HandleFunc("GET /zonas/{layer}/datos.csv", s.zoneTable("csv"))
	mux.HandleFunc("GET /zonas/{layer}/datos.xlsx", s.zoneTable("xlsx"))
	s.zoneFeedRoutes(mux)
	s.zoneImportRoutes(mux)
	s.zoneFollowRoutes(mux)
}

// layerSummary is a layer as /zonas lists it.
type layerSummary struct {
	Slug, Title string
	Count       int
}

type zonesView struct {
	Map template.HTML
	// Slippy configures the slippy map drawn over the SVG map's place where
	// JavaScript runs; nil when no tile server is configured.
	Slippy     *slippyMap
	Layers     []layerSummary
	Closed     []zones.Closure // closed today
	Today      string
	Indicators []zones.Indicator
	CanImport  bool
}

// mapLayerSize is the most features of a layer the /zonas map draws: a
// region's cadastre is a few hundred rights; a page of a hundred thousand
// paths would help nobody (the layers' lists and OGC API have them all).
const mapLayerSize = 2000

// firstPage reads only the first mapLayerSize features of each layer.
type firstPage struct{ z *zones.Service }

func (f firstPage) Items(ctx context.Context, q zones.Query) (zones.Items, error) {
	q.Limit = mapLayerSize
	page, err := f.z.Items(ctx, q)
	page.Next = 0
	return page, err
}

// slippyMap is what static/zonemap.js reads from the page (JSON) to draw
// the SVG map's layers, legend and links over the configured tiles.
type slippyMap struct {
	Tiles       string            `json:"tiles"`
	Attribution string            `json:"attribution"`
	CSS         []string          `json:"css"` // Leaflet's and the map's style sheets, added by the script
	Items       string            `json:"items"`
	Limit       int               `json:"limit"`
	Layers      []slippyLayer     `json:"layers"` // bottom first
	View        [4]float64        `json:"view"`   // lon, lat, lon, lat: the SVG map's
	Legend      []zonemap.Symbol  `json:"legend"`
	Labels      map[string]string `json:"labels"`
}

type slippyLayer struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
}

// slippy is the slippy map's configuration for the features on the SVG map.
func (s *Server) slippy(lang i18n.Lang, features []zonemap.Feature) (*slippyMap, error) {
	var css []string
	for _, name := range []string{"leaflet/leaflet.css", "zonemap.css"} {
		u, err := s.assets.url(name)
		if err != nil {
			return nil, err
		}
		css = append(css, u)
	}
	view := zonemap.Fit(features)
	m := &slippyMap{Tiles: s.Tiles.URL, Attribution: s.Tiles.Attribution, CSS: css, Items: "/ogc/collections/{id}/items",
		Limit: mapLayerSize, View: [4]float64{view.Min[0], view.Min[1], view.Max[0], view.Max[1]}, Legend: zonemap.Legend(lang),
		Labels: map[string]string{"map": i18n.T(lang, "zones.map.title"), "legend": i18n.T(lang, "zones.map.legend")}}
	for _, l := range zonemap.Layers() {
		m.Layers = append(m.Layers, slippyLayer{ID: l, Slug: slugOf(l)})
	}
	return m, nil
}

// zoneMap draws features on the SVG map; the map's text is escaped by
// zonemap, so it goes into the page as it is.
func zoneMap(lang i18n.Lang, features []zonemap.Feature) (template.HTML, error) {
	var buf bytes.Buffer
	if err := zonemap.Render(&buf, zonemap.Map{Lang: lang, Features: features}); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

func (s *Server) zonesPage(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), httpkit.Lang(r)
	v := zonesView{Today: s.Zones.Today(), CanImport: zones.CanImport(httpkit.Principal(r))}
	features, err := zonemap.Features(ctx, firstPage{s.Zones}, zoneHref)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Map, err = zoneMap(lang, features); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if s.Tiles.URL != "" {
		if v.Slippy, err = s.slippy(lang, features); err != nil {
			s.k.Fail(w, r, err)
			return
		}
		httpkit.AllowImagesFrom(w, s.Tiles.Source)
	}
	cols, err := s.Zones.Collections(ctx)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, c := range cols {
		v.Layers = append(v.Layers, layerSummary{Slug: slugOf(c.ID), Title: layerTitle(lang, c.Layer), Count: c.Count})
	}
	if v.Closed, err = s.Zones.ClosedOn(ctx, v.Today); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Indicators, err = s.Zones.Indicators(ctx, v.Today); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderPublic(w, r, "zones.html", i18n.T(lang, "module.zones"), i18n.T(lang, "module.zones.desc"), v, nil, "")
}

// zoneRow is a feature as a layer's list shows it.
type zoneRow struct {
	Code, Href, Label, Status, Class string
	Hectares                         *float64
	From, To                         string
	Warn                             bool
	// A closure's area and reason.
	Area, AreaHref, Reason string
}

type zoneLayerView struct {
	Slug, Title string
	Layer       zones.Layer
	Rows        []zoneRow
	Next        string // the next page's address; "" on the last
}

// zoneListSize is how many features a list page shows.
const zoneListSize = 100

func (s *Server) zoneLayerPage(w http.ResponseWriter, r *http.Request) {
	l, ok := layerOfSlug(r.PathValue("layer"))
	if !ok {
		s.k.Fail(w, r, errNoZoneLayer)
		return
	}
	after, err := httpkit.Int(r.URL.Query(), "despues", 0)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	page, err := s.Zones.Items(r.Context(), zones.Query{Layer: l.ID, After: int64(after), Limit: zoneListSize})
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	lang := httpkit.Lang(r)
	v := zoneLayerView{Slug: slugOf(l.ID), Title: layerTitle(lang, l), Layer: l}
	for _, it := range page.Items {
		v.Rows = append(v.Rows, rowOf(l.ID, it.Properties))
	}
	if page.Next != 0 {
		next, _ := withQuery(r.URL.Path, nil, "despues", page.Next)
		v.Next = string(next)
	}
	s.renderPublic(w, r, "zones_layer.html", v.Title, l.Description, v, nil, "")
}

// rowOf reads a list row from a feature's properties (zones.Feature.Properties).
func rowOf(layer string, p map[string]any) zoneRow {
	str := func(k string) string { v, _ := p[k].(string); return v }
	row := zoneRow{Code: str("code"), Label: str("name"), Status: str("status"), Class: str("class"), From: str("valid_from"), To: str("valid_to")}
	if h, ok := p["hectares_computed"].(float64); ok {
		row.Hectares = &h
	}
	switch layer {
	case zones.Rights:
		row.Label = str("holder")
		_, row.Warn = p["hectares_warning"]
	case zones.Closures:
		row.Area, row.Reason, row.From, row.To = str("area"), str("reason"), str("from"), str("to")
		row.Label, row.AreaHref = str("area_name"), zoneHref(zones.ProductionArea, row.Area)
		if p["in_force"] == true {
			row.Status = "closed"
		}
		return row
	}
	row.Href = zoneHref(layer, row.Code)
	return row
}

type zoneFeatureView struct {
	zones.Feature
	Slug, Title string
	Today       string
	Status      string  // a right's status today
	Gap         float64 // a right's declared hectares over its geometry's, in %
	Warn        bool
	Map         template.HTML
	Names       map[string]string // species and place codes → names
	// A production area's class history, closures and today's closure.
	History   []zones.ClassChange
	Closures  []zones.Closure
	ClosedNow *zones.Closure
	Following bool
}

func (s *Server) zoneFeaturePage(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), httpkit.Lang(r)
	l, ok := layerOfSlug(r.PathValue("layer"))
	if !ok || l.ID == zones.Closures {
		s.k.Fail(w, r, errNoZoneLayer)
		return
	}
	f, err := s.Zones.FeatureByCode(ctx, l.ID, r.PathValue("code"))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := zoneFeatureView{Feature: f, Slug: slugOf(l.ID), Title: layerTitle(lang, l), Today: s.Zones.Today()}
	refs, err := s.refLists(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Names = refs.Names
	if f.Layer == zones.Rights {
		v.Status = f.StatusOn(v.Today)
		gap, warn := f.HectaresGap()
		v.Gap, v.Warn = math.Round(gap*1000)/10, warn
	}
	if f.Layer == zones.ProductionArea {
		if v.History, err = s.Zones.ClassHistory(ctx, f.ID); err != nil {
			s.k.Fail(w, r, err)
			return
		}
		if v.Closures, err = s.Zones.AreaClosures(ctx, f.ID); err != nil {
			s.k.Fail(w, r, err)
			return
		}
		for i, c := range v.Closures {
			if c.Covers(v.Today) {
				v.ClosedNow = &v.Closures[i]
				break
			}
		}
		if u := httpkit.CurrentUser(r); u != nil {
			subs, err := s.Zones.Following(ctx, u.Principal())
			if err != nil {
				s.k.Fail(w, r, err)
				return
			}
			for _, sub := range subs {
				v.Following = v.Following || sub.AreaID == f.ID
			}
		}
	}
	g, err := f.Geom()
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	label := f.Name
	if f.Holder != "" {
		label = f.Holder
	}
	if v.Map, err = zoneMap(lang, []zonemap.Feature{{Layer: f.Layer, Code: f.Code, Label: label, Class: f.Class,
		Closed: v.ClosedNow != nil, Geometry: g}}); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	title := f.Code
	if label != "" {
		title += " – " + label
	}
	s.renderPublic(w, r, "zones_feature.html", title, v.Title+": "+title, v, nil, "")
}

// zonePointView is the point query's form and answer.
type zonePointView struct {
	Lat, Lon, Date string
	Asked          bool
	At             zones.PointReport
}

func (s *Server) zonesPointPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := zonePointView{Lat: q.Get("lat"), Lon: q.Get("lon"), Date: q.Get("fecha")}
	if v.Date == "" {
		v.Date = s.Zones.Today()
	}
	title := i18n.T(httpkit.Lang(r), "zones.point.title")
	p := Page{Title: title, Data: &v}
	if v.Lat != "" || v.Lon != "" {
		at, err := s.zonesAt(r, url.Values{"lat": {v.Lat}, "lon": {v.Lon}, "fecha": {v.Date}})
		var e *errs.Error
		switch {
		case err == nil:
			v.Asked, v.At = true, at
		case errors.As(err, &e) && e.Kind == errs.Invalid:
			_, fields := s.k.PageError(r, e)
			s.renderFiltered(w, r, "zones_point.html", p, fields)
			return
		default:
			s.k.Fail(w, r, err)
			return
		}
	}
	s.renderPage(w, r, http.StatusOK, "zones_point.html", p)
}

// zonesAt is what holds at the query's point (lat, lon) on its day (fecha).
func (s *Server) zonesAt(r *http.Request, q url.Values) (zones.PointReport, error) {
	p, err := query.Zones(q, "fecha")
	if err != nil {
		return zones.PointReport{}, err
	}
	return s.Zones.At(r.Context(), p.Lat, p.Lon, p.Day)
}

// zoneGeoJSON sends a layer as one GeoJSON FeatureCollection (RFC 7946),
// its statuses today, written a page of features at a time.
func (s *Server) zoneGeoJSON(w http.ResponseWriter, r *http.Request) {
	l, ok := layerOfSlug(r.PathValue("layer"))
	if !ok {
		s.k.Fail(w, r, errNoZoneLayer)
		return
	}
	q := zones.Query{Layer: l.ID, Limit: zones.MaxLimit}
	page, err := s.Zones.Items(r.Context(), q)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+l.ID+`.geojson"`)
	_, _ = w.Write([]byte(`{"type":"FeatureCollection","name":` + strconv.Quote(l.ID) + `,"features":[`))
	first := true
	for {
		for _, it := range page.Items {
			b, err := json.Marshal(map[string]any{"type": "Feature", "id": it.ID, "geometry": it.Geometry, "properties": it.Properties})
			if err != nil {
				s.Logger.ErrorContext(r.Context(), "write GeoJSON", "layer", l.ID, "err", err)
				return
			}
			if !first {
				_, _ = w.Write([]byte(",\n"))
			}
			first = false
			if _, err := w.Write(b); err != nil {
				return
			}
		}
		if page.Next == 0 {
			break
		}
		q.After = page.Next
		if page, err = s.Zones.Items(r.Context(), q); err != nil {
			// The answer has started: all that is left is to log and cut it short.
			s.Logger.ErrorContext(r.Context(), "read features", "layer", l.ID, "err", err)
			return
		}
	}
	_, _ = w.Write([]byte("]}\n"))
}

// zoneNumeric are the attribute tables' numeric columns.
var zoneNumeric = map[string]bool{"hectareas": true, "hectareas_calculadas": true, "embarcaciones": true, "pescadores": true,
	"longitud": true, "latitud": true}

// zoneTable sends a layer's attribute table as CSV or XLSX, in the
// Spanish columns its import reads back.
func (s *Server) zoneTable(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l, ok := layerOfSlug(r.PathValue("layer"))
		if !ok {
			s.k.Fail(w, r, errNoZoneLayer)
			return
		}
		header, rows, err := s.Zones.Export(r.Context(), l.ID)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		s.writeTable(w, r, format, l.ID, header, rows, zoneNumeric)
	}
}
