package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

// loadZones imports the zones module's test files and registers the holder
// of DA-ILO-001 in the registry of actors. AP-ILO-02 is closed from
// 2026-02-20 with no end: closed today.
func loadZones(t *testing.T, in *instance) {
	t.Helper()
	testdata := "../internal/zones/testdata/"
	in.run(t, "import", "zones", "--layer", "production-areas", testdata+"areas-produccion.geojson")
	in.run(t, "import", "zones", "--layer", "aquaculture-rights", testdata+"derechos.geojson")
	in.run(t, "import", "zones", "--layer", "suitable-zones", testdata+"zonas-aptas.geojson")
	in.run(t, "import", "closures", testdata+"cierres.csv")
	holder := filepath.Join(t.TempDir(), "titular.csv")
	if err := os.WriteFile(holder, []byte("nombre,tipos,ruc\nMaricultura del Sur S.A.C.,maricultor_pequeno,20456123784\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in.run(t, "import", "actors", holder)
}

// A visitor opens /zonas, sees the map and the areas closed today, and
// follows a right to its holder's page, which lists the right.
func TestZonesFromMapToHolderInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	loadZones(t, in)
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/zonas"), chromedp.WaitVisible(".zonemap svg")); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".closed-today"); !strings.Contains(got, "AP-ILO-02") || !strings.Contains(got, "marea roja") || strings.Contains(got, "AP-ILO-01") {
		t.Errorf("closed today: %q", got)
	}
	// Every feature on the map is a link to its page.
	links := evaluate[[]string](t, ctx, `[...document.querySelectorAll(".zonemap svg a")].map(a => a.getAttribute("href"))`)
	if !strings.Contains(strings.Join(links, " "), "/zonas/derechos/DA-ILO-001") || len(links) < 7 {
		t.Errorf("map links: %v", links)
	}
	screenshot(t, ctx, "zones")
	if err := chromedp.Do(ctx,
		chromedp.Click(`main table a[href="/zonas/derechos"]`),
		chromedp.WaitVisible(`main table a[href="/zonas/derechos/DA-ILO-001"]`),
		chromedp.Click(`main table a[href="/zonas/derechos/DA-ILO-001"]`),
		chromedp.WaitVisible(`.facts a[href^="/actores/"]`),
		chromedp.Click(`.facts a[href^="/actores/"]`),
		chromedp.WaitVisible(`a[href="/zonas/derechos/DA-ILO-001"]`),
	); err != nil {
		t.Fatal(err)
	}
	if h1 := text(t, ctx, "h1"); h1 != "Maricultura del Sur S.A.C." {
		t.Errorf("the holder's page: %q", h1)
	}
	screenshot(t, ctx, "zones-holder")
	// The home page shows the closed-today panel too.
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/"), chromedp.WaitVisible(".closed-today")); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".closed-today"); !strings.Contains(got, "AP-ILO-02") {
		t.Errorf("home closed today: %q", got)
	}
}

// axe-core finds no WCAG 2 A or AA violation on the zones' public pages, in
// both languages.
func TestZonesPagesHaveNoAccessibilityViolations(t *testing.T) {
	axe := axeScript(t)
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	loadZones(t, in)
	for _, lang := range []string{"es", "en"} {
		for _, path := range []string{"/zonas", "/zonas/derechos", "/zonas/derechos/DA-ILO-002", "/zonas/areas/AP-ILO-01", "/zonas/cierres",
			"/zonas/desembarcaderos/DPA-ILO", "/zonas/punto?lat=-17.66&lon=-71.38"} {
			url := in.URL + path
			if strings.Contains(path, "?") {
				url += "&lang=" + lang
			} else {
				url += "?lang=" + lang
			}
			checkAxe(t, ctx, axe, url)
		}
	}
}
