package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

func TestProductionPageAndChartInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/produccion"),
		chromedp.WaitVisible("figure.chart img"),
	); err != nil {
		t.Fatal(err)
	}
	rows := evaluate[[]string](t, ctx, `[...document.querySelectorAll("#series tbody tr")].map(tr => tr.innerText.replace(/\s+/g, " ").trim())`)
	want := []string{"1997 390 56 252 698", "1998 584 201 216 1,001", "1999 560 0 32 592", "2000 534 0 28 562",
		"2001 336 2 367 705", "2002 398 7 61 466", "2003 362 145 354 861"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Fatalf("Cuadro 1 as shown:\n%s", strings.Join(rows, "\n"))
	}
	// The chart image loaded and has a size.
	if w := evaluate[int](t, ctx, `(async () => { const img = document.querySelector("figure.chart img"); await img.decode(); return img.naturalWidth })()`); w == 0 {
		t.Fatal("chart did not render")
	}
	// One line per presentation: the SVG's data lines (paths of more than
	// two points, unfilled) and its legend.
	series := evaluate[map[string]any](t, ctx, `(async () => {
		const src = document.querySelector("figure.chart img").src;
		const svg = new DOMParser().parseFromString(await (await fetch(src)).text(), "image/svg+xml");
		const lines = [...svg.querySelectorAll("path")].filter(p =>
			(p.getAttribute("style") || "").includes("fill:none") && (p.getAttribute("d").match(/L/g) || []).length >= 6);
		const legend = [...svg.querySelectorAll("text")].map(t => t.textContent)
			.filter(t => ["Fresco / refrigerado", "Conservas", "Congelado"].includes(t));
		return {lines: lines.length, legend: legend};
	})()`)
	if series["lines"] != float64(3) || len(series["legend"].([]any)) != 3 {
		t.Fatalf("chart series: %v", series)
	}
	screenshot(t, ctx, "production")
}
