// Package zonemap draws the zones map: a small server-side SVG of the
// coast of southern Peru with the layers on it, a legend, each feature a
// link, and the production areas closed today standing out. It works
// without JavaScript and weighs a few tens of kilobytes.
package zonemap

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"sriim/data/coast"
	"sriim/internal/i18n"
	"sriim/internal/zones"
)

// Feature is one feature to draw.
type Feature struct {
	Layer    string // a zones layer id
	Code     string
	Label    string // shown in its tooltip after the code
	Class    string // a production area's sanitary class ("" when not classified)
	Closed   bool   // a production area closed today
	Geometry orb.Geometry
	Href     string // where the feature links to; "" for no link
}

// Map is what to draw.
type Map struct {
	Lang     i18n.Lang
	Features []Feature
	// View is the area shown; the zero value fits the features (or, with
	// none, the coast of Moquegua).
	View  orb.Bound
	Width int // pixels; default 720
}

// Moquegua is the coast of the Moquegua Region, the map's default view.
var Moquegua = orb.Bound{Min: orb.Point{-71.75, -18.05}, Max: orb.Point{-70.95, -17.25}}

// styles of each layer, drawn in this order (bottom first).
var styles = []struct {
	layer string
	css   string
}{
	{zones.SuitableZones, "fill:#2e7d32;fill-opacity:.12;stroke:#2e7d32;stroke-dasharray:4 3"},
	{zones.ProductionArea, "fill:#1565c0;fill-opacity:.12;stroke:#1565c0"},
	{zones.NaturalBanks, "fill:#8d6e63;fill-opacity:.35;stroke:#5d4037"},
	{zones.Rights, "fill:#6a1b9a;fill-opacity:.45;stroke:#4a148c"},
	{zones.LandingSites, "fill:#000;stroke:#fff"},
}

// classFill colours production areas by sanitary class.
var classFill = map[string]string{"A": "#2e7d32", "B": "#f9a825", "C": "#ef6c00", "": "#757575"}

const closedCSS = "fill:#c62828;fill-opacity:.35;stroke:#b71c1c;stroke-width:2.5"

// Render writes the map as an SVG document.
func Render(w io.Writer, m Map) error {
	if m.Width <= 0 {
		m.Width = 720
	}
	view := m.View
	if view.IsZero() {
		view = Fit(m.Features)
	}
	// An equirectangular projection, true to scale at the view's middle latitude.
	k := math.Cos((view.Min[1] + view.Max[1]) / 2 * math.Pi / 180)
	scale := float64(m.Width) / ((view.Max[0] - view.Min[0]) * k)
	height := int(math.Ceil((view.Max[1] - view.Min[1]) * scale))
	px := func(p orb.Point) (float64, float64) {
		return (p[0] - view.Min[0]) * k * scale, (view.Max[1] - p[1]) * scale
	}
	bw := bufio.NewWriter(w)
	title := i18n.T(m.Lang, "zones.map.title")
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="group" aria-labelledby="zm-t" font-family="sans-serif" font-size="12">`,
		m.Width, height, m.Width, height)
	fmt.Fprintf(bw, `<title id="zm-t">%s</title><rect width="100%%" height="100%%" fill="#dcecf7"/>`, html.EscapeString(title))
	// The land, clipped to the view and simplified to half a pixel.
	landTol := 0.5 / scale
	fmt.Fprint(bw, `<path fill="#f3efe4" stroke="#9e9481" stroke-width=".8" d="`)
	for _, p := range coast.Land() {
		clipped := clip.Polygon(view.Pad(landTol*4), p.Clone())
		if len(clipped) == 0 {
			continue
		}
		writePath(bw, simplify.DouglasPeucker(landTol).Polygon(clipped), px)
	}
	fmt.Fprint(bw, `"/>`)
	for _, st := range styles {
		fmt.Fprintf(bw, `<g class="%s"%s>`, st.layer, attrs(st.css))
		for _, f := range m.Features {
			if f.Layer != st.layer || f.Geometry == nil {
				continue
			}
			drawFeature(bw, f, px)
		}
		fmt.Fprint(bw, `</g>`)
	}
	legend(bw, m.Lang, height)
	fmt.Fprint(bw, `</svg>`)
	return bw.Flush()
}

// Layers are the layers the map draws, bottom first.
func Layers() []string {
	out := make([]string, len(styles))
	for i, st := range styles {
		out[i] = st.layer
	}
	return out
}

// Fit is the area the map shows by default: the box of the features,
// padded by a tenth, at least 0.2° wide; the coast of Moquegua without any.
func Fit(features []Feature) orb.Bound {
	var b orb.Bound
	for i, f := range features {
		if f.Geometry == nil {
			continue
		}
		if i == 0 || b.IsZero() {
			b = f.Geometry.Bound()
		} else {
			b = b.Union(f.Geometry.Bound())
		}
	}
	if b.IsZero() {
		return Moquegua
	}
	c := b.Center()
	half := math.Max(math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])*0.6, 0.1)
	return orb.Bound{Min: orb.Point{c[0] - half, c[1] - half}, Max: orb.Point{c[0] + half, c[1] + half}}
}

func drawFeature(w *bufio.Writer, f Feature, px func(orb.Point) (float64, float64)) {
	if f.Href != "" {
		fmt.Fprintf(w, `<a href="%s">`, html.EscapeString(f.Href))
	}
	tip := f.Code
	if f.Label != "" {
		tip += " – " + f.Label
	}
	style := ""
	switch {
	case f.Layer == zones.ProductionArea && f.Closed:
		style = attrs(closedCSS)
	case f.Layer == zones.ProductionArea:
		style = attrs("stroke:" + classFill[f.Class] + ";fill:" + classFill[f.Class])
	}
	if pt, ok := f.Geometry.(orb.Point); ok {
		x, y := px(pt)
		fmt.Fprintf(w, `<circle cx="%s" cy="%s" r="5"%s><title>%s</title></circle>`, num(x), num(y), style, html.EscapeString(tip))
	} else {
		fmt.Fprintf(w, `<path%s d="`, style)
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			writePath(w, g, px)
		case orb.MultiPolygon:
			for _, p := range g {
				writePath(w, p, px)
			}
		}
		fmt.Fprintf(w, `"><title>%s</title></path>`, html.EscapeString(tip))
	}
	if f.Href != "" {
		fmt.Fprint(w, `</a>`)
	}
}

// writePath writes a polygon's rings as path commands, a tenth of a pixel
// at most, skipping points that fall on the previous one.
func writePath(w *bufio.Writer, p orb.Polygon, px func(orb.Point) (float64, float64)) {
	for _, r := range p {
		last := ""
		for i, pt := range r {
			x, y := px(pt)
			s := num(x) + " " + num(y)
			if s == last {
				continue
			}
			if i == 0 {
				w.WriteString("M")
			} else {
				w.WriteString("L")
			}
			w.WriteString(s)
			last = s
		}
		w.WriteString("Z")
	}
}

// attrs writes a style ("fill:#000;stroke:#fff") as presentation
// attributes ( fill="#000" stroke="#fff"): a page's Content-Security-Policy
// (style-src 'self') ignores style attributes in an SVG drawn inline, but
// not these.
func attrs(css string) string { return attrsOf(styleOf(css)) }

// attrsOf writes declarations as presentation attributes, in name order.
func attrsOf(style map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(style)) {
		b.WriteString(" " + k + `="` + html.EscapeString(style[k]) + `"`)
	}
	return b.String()
}

func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// Symbol is one entry of the map's legend: what it stands for and how it
// is drawn, for a map drawn elsewhere (the slippy map on /zonas) to look
// the same.
type Symbol struct {
	// Key is a layer id, "class-A", "class-B", "class-C" (production areas
	// by sanitary class) or "closed" (a production area closed today).
	Key   string            `json:"key"`
	Label string            `json:"label"`
	Style map[string]string `json:"style"` // SVG presentation attributes
	Point bool              `json:"point,omitempty"`
}

// Legend is the map's key in lang, in the order it is drawn.
func Legend(lang i18n.Lang) []Symbol {
	class := func(c string) Symbol {
		return Symbol{Key: "class-" + c, Label: i18n.T(lang, "zones.map.class_"+strings.ToLower(c)),
			Style: styleOf("fill:" + classFill[c] + ";fill-opacity:.12;stroke:" + classFill[c])}
	}
	layer := func(i int) Symbol {
		return Symbol{Key: styles[i].layer, Label: i18n.T(lang, "zones.layer."+styles[i].layer), Style: styleOf(styles[i].css),
			Point: styles[i].layer == zones.LandingSites}
	}
	return []Symbol{layer(0), class("A"), class("B"), class("C"),
		{Key: "closed", Label: i18n.T(lang, "zones.map.closed_today"), Style: styleOf(closedCSS)},
		layer(2), layer(3), layer(4)}
}

// styleOf reads a style ("fill:#000;stroke:#fff") into its declarations.
func styleOf(css string) map[string]string {
	out := map[string]string{}
	for _, decl := range strings.Split(css, ";") {
		if k, v, ok := strings.Cut(decl, ":"); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// legend draws the key in the lower left corner.
func legend(w *bufio.Writer, lang i18n.Lang, height int) {
	entries := Legend(lang)
	h := len(entries)*18 + 10
	fmt.Fprintf(w, `<g transform="translate(8 %d)"><rect width="250" height="%d" fill="#fff" fill-opacity=".9" stroke="#999"/>`, height-h-8, h)
	for i, e := range entries {
		y := 8 + i*18
		if e.Point {
			fmt.Fprintf(w, `<circle cx="17" cy="%d" r="5"%s/>`, y+6, attrsOf(e.Style))
		} else {
			fmt.Fprintf(w, `<rect x="8" y="%d" width="18" height="12"%s/>`, y, attrsOf(e.Style))
		}
		fmt.Fprintf(w, `<text x="32" y="%d">%s</text>`, y+10, html.EscapeString(e.Label))
	}
	fmt.Fprint(w, `</g>`)
}

// Source is what Features reads: the zones service.
type Source interface {
	Items(ctx context.Context, q zones.Query) (zones.Items, error)
}

// Features reads every feature of the drawn layers, with today's state of
// the production areas; href gives a feature's link.
func Features(ctx context.Context, src Source, href func(layer, code string) string) ([]Feature, error) {
	var out []Feature
	for _, st := range styles {
		q := zones.Query{Layer: st.layer, Limit: zones.MaxLimit}
		for {
			page, err := src.Items(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, it := range page.Items {
				g, err := geojson.UnmarshalGeometry(it.Geometry)
				if err != nil {
					return nil, err
				}
				code, _ := it.Properties["code"].(string)
				label, _ := it.Properties["name"].(string)
				if holder, ok := it.Properties["holder"].(string); ok {
					label = holder
				}
				class, _ := it.Properties["class"].(string)
				out = append(out, Feature{Layer: st.layer, Code: code, Label: label, Class: class,
					Closed: it.Properties["status"] == "closed", Geometry: g.Geometry(), Href: href(st.layer, code)})
			}
			if page.Next == 0 {
				break
			}
			q.After = page.Next
		}
	}
	return out, nil
}
