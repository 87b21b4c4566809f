package zonemap

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"sriim/internal/zones"
)

func square(lon, lat, d float64) orb.Polygon {
	return orb.Polygon{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}
}

func TestRender(t *testing.T) {
	features := []Feature{
		{Layer: zones.SuitableZones, Code: "ZA-ILO-01", Geometry: square(-71.40, -17.66, 0.04), Href: "/zonas/aptas/ZA-ILO-01"},
		{Layer: zones.ProductionArea, Code: "AP-ILO-01", Label: "Bahía de Ilo", Class: "A", Closed: true, Geometry: square(-71.42, -17.68, 0.05), Href: "/zonas/areas/AP-ILO-01"},
		{Layer: zones.ProductionArea, Code: "AP-ILO-02", Class: "B", Geometry: square(-71.37, -17.75, 0.05), Href: "/zonas/areas/AP-ILO-02"},
		{Layer: zones.Rights, Code: "DA-ILO-001", Label: "Maricultura del Sur <S.A.C.>", Geometry: square(-71.385, -17.658, 0.003), Href: "/zonas/derechos/DA-ILO-001"},
		{Layer: zones.LandingSites, Code: "DPA-ILO", Geometry: orb.Point{-71.3437, -17.6431}, Href: "/zonas/desembarcaderos/DPA-ILO"},
	}
	var buf bytes.Buffer
	if err := Render(&buf, Map{Lang: "es", Features: features, View: Moquegua}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if dir := os.Getenv("SRIIM_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(dir+"/zonemap.svg", buf.Bytes(), 0o644)
	}
	// Well-formed XML, every feature a link, the closed area drawn apart, the legend in Spanish.
	d := xml.NewDecoder(strings.NewReader(svg))
	links := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "a" {
			links++
		}
	}
	if links != len(features) {
		t.Errorf("%d links, want %d", links, len(features))
	}
	for _, want := range []string{`href="/zonas/areas/AP-ILO-01"><path` + attrs(closedCSS), `Área cerrada hoy`, `Derecho acuícola`,
		`<title>DA-ILO-001 – Maricultura del Sur &lt;S.A.C.&gt;</title>`, `<circle`, `role="group"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the map lacks %q", want)
		}
	}
	if strings.Contains(svg, `href="/zonas/areas/AP-ILO-02"><path`+attrs(closedCSS)) {
		t.Error("an open area is drawn as closed")
	}
	// The coast is drawn, and the whole map stays small.
	if !strings.Contains(svg, `<path fill="#f3efe4"`) || strings.Count(svg, "L") < 100 {
		t.Error("no coast")
	}
	if strings.Contains(svg, "style=") {
		t.Error("a style attribute: pages' Content-Security-Policy ignores it")
	}
	if len(svg) > 40<<10 {
		t.Errorf("the map weighs %d bytes", len(svg))
	}
	t.Logf("%d bytes", len(svg))
}

func TestFit(t *testing.T) {
	if got := Fit(nil); got != Moquegua {
		t.Errorf("Fit(nil) = %v", got)
	}
	b := Fit([]Feature{{Geometry: orb.Point{-71.34, -17.64}}})
	if !b.Contains(orb.Point{-71.34, -17.64}) || b.Max[0]-b.Min[0] < 0.19 {
		t.Errorf("fit of a point = %v", b)
	}
}

// pages is a Source of one production area per page, the second closed today.
type pages struct{}

func (pages) Items(_ context.Context, q zones.Query) (zones.Items, error) {
	if q.Layer != zones.ProductionArea {
		return zones.Items{}, nil
	}
	geom := []byte(`{"type":"Polygon","coordinates":[[[-71.4,-17.7],[-71.3,-17.7],[-71.3,-17.6],[-71.4,-17.7]]]}`)
	if q.After == 0 {
		return zones.Items{Items: []zones.Item{{ID: 1, Geometry: geom, Properties: map[string]any{"code": "AP-1", "class": "A", "status": "open"}}}, Next: 1}, nil
	}
	return zones.Items{Items: []zones.Item{{ID: 2, Geometry: geom, Properties: map[string]any{"code": "AP-2", "name": "Sur", "status": "closed"}}}}, nil
}

func TestFeaturesFollowPages(t *testing.T) {
	list, err := Features(context.Background(), pages{}, func(layer, code string) string { return "/zonas/" + layer + "/" + code })
	if err != nil || len(list) != 2 {
		t.Fatalf("%+v, %v", list, err)
	}
	if a, b := list[0], list[1]; a.Code != "AP-1" || a.Class != "A" || a.Closed || !b.Closed || b.Label != "Sur" || b.Href != "/zonas/production-areas/AP-2" {
		t.Errorf("features %+v", list)
	}
}
