package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
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

// tileServer answers every tile with one small PNG and counts the tiles asked.
func tileServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{0xdc, 0xec, 0xf7, 0xff}}, image.Point{}, draw.Src)
	var tile bytes.Buffer
	if err := png.Encode(&tile, img); err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(tile.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

// With a tile server configured, /zonas shows a Leaflet map over its tiles
// with the SVG map's features, today's closed area apart, a feature's
// popup linking to its page, and the legend; axe (with SRIIM_AXE) finds
// nothing on it. With JavaScript off the SVG map is what shows.
func TestZonesSlippyMapInChromium(t *testing.T) {
	ctx := browser(t)
	tiles, asked := tileServer(t)
	in := start(t, dbtest.Backends()[0], "--map-tiles", tiles.URL+"/{z}/{x}/{y}.png", "--map-attribution", "Teselas de prueba")
	loadZones(t, in)
	var problems []string
	var mu sync.Mutex
	// Refused images or scripts (the Content-Security-Policy), exceptions
	// and the script's own console errors.
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				problems = append(problems, ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, fmt.Sprintf("%s %v", ev.ExceptionDetails.Text, ev.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, fmt.Sprintf("console.error %v", ev.Args))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/zonas"),
		chromedp.WaitVisible(".slippy .leaflet-tile-loaded"), chromedp.WaitVisible(".slippy path.closed")); err != nil {
		t.Fatalf("%v; browser: %v", err, problems)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll(".slippy path.leaflet-interactive").length`); n < 7 {
		t.Errorf("%d features on the slippy map, want at least the SVG map's 7", n)
	}
	if got := evaluate[bool](t, ctx, `getComputedStyle(document.querySelector(".zonemap > svg")).display === "none"`); !got {
		t.Error("the SVG map is still shown beside the slippy map")
	}
	if asked.Load() == 0 {
		t.Error("no tile was asked of the tile server")
	}
	legend := text(t, ctx, ".slippy-legend")
	attribution := text(t, ctx, ".leaflet-control-attribution")
	if !strings.Contains(legend, "Área cerrada hoy") || !strings.Contains(attribution, "Teselas de prueba") {
		t.Errorf("legend %q, attribution %q", legend, attribution)
	}
	// The closed area is drawn where a visitor sees it (what is at its
	// middle is the area), and its popup links to its page.
	if !evaluate[bool](t, ctx, `(() => {
		const p = document.querySelector(".slippy path.closed"), r = p.getBoundingClientRect();
		const x = r.x + r.width / 2, y = r.y + r.height / 2;
		return document.elementFromPoint(x, y) === p && p.dispatchEvent(new MouseEvent("click", {bubbles: true, clientX: x, clientY: y}));
	})()`) {
		t.Fatal("the closed area is not visible on the slippy map")
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`.leaflet-popup-content a[href="/zonas/areas/AP-ILO-02"]`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "zones-slippy")
	if os.Getenv("SRIIM_AXE") != "" {
		checkAxeHere(t, ctx, axeScript(t), in.URL+"/zonas")
	}
	mu.Lock()
	if len(problems) > 0 {
		t.Errorf("the browser reported: %v", problems)
	}
	mu.Unlock()

	// Without JavaScript: the SVG map, its links, no slippy map.
	noScript := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	}
	if err := chromedp.Do(ctx, noScript, chromedp.Navigate(in.URL+"/zonas"),
		chromedp.WaitVisible(".zonemap > svg")); err != nil {
		t.Fatal(err)
	}
	// (The test's own evaluation runs even so, as DevTools' console does.)
	if n := evaluate[int](t, ctx, `document.querySelectorAll(".zonemap svg a").length`); n < 7 {
		t.Errorf("without JavaScript: %d links on the SVG map", n)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll(".slippy").length`); n != 0 {
		t.Error("without JavaScript there is a slippy map")
	}
}
