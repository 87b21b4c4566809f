package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

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

// chartTexts is the text of the page's first chart as the browser loads it
// from the page's own <img src>: title, legend and axis labels.
const chartTexts = `(async () => {
	const img = document.querySelector("figure.chart img");
	await img.decode();
	const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), "image/svg+xml");
	return [...svg.querySelectorAll("text")].map(t => t.textContent);
})()`

// loaded waits until the page at an address with query in it has loaded
// (after a form is sent); the old page's context may vanish meanwhile.
func loaded(query string) chromedp.Action[chromedp.Void] {
	check := chromedp.Evaluate[bool](`location.search.includes(` + strconv.Quote(query) + `) && document.readyState === "complete"`)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, err := check(ctx, t)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the page with %s did not load: %v", query, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// chartYears keeps the texts that are years (a line chart's category axis).
func chartYears(texts []string) []string {
	var out []string
	for _, s := range texts {
		if len(s) == 4 && (strings.HasPrefix(s, "19") || strings.HasPrefix(s, "20")) {
			out = append(out, s)
		}
	}
	return out
}

func TestProductionChartFollowsTheFiltersInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	// A person narrows the selection with the form: two presentations, from 2000.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/produccion"),
		chromedp.WaitVisible("figure.chart img"),
		chromedp.Click(`input[name=presentacion][value=frozen]`),
		chromedp.Click(`input[name=presentacion][value=canned]`),
		chromedp.SendKeys(`input[name=desde]`, "2000"),
		chromedp.Submit(`input[name=desde]`),
		loaded("desde=2000"),
		chromedp.WaitVisible("figure.chart img"),
	); err != nil {
		t.Fatal(err)
	}
	tableYears := evaluate[[]string](t, ctx, `[...document.querySelectorAll("#series tbody th")].map(th => th.innerText.trim())`)
	chart := evaluate[[]string](t, ctx, chartTexts)
	if strings.Join(chartYears(chart), ",") != "2000,2001,2002,2003" || strings.Join(tableYears, ",") != "2000,2001,2002,2003" {
		t.Fatalf("chart years %v, table years %v", chartYears(chart), tableYears)
	}
	legend := strings.Join(chart, "|")
	if !strings.Contains(legend, "|Congelado|") || !strings.Contains(legend, "|Conservas|") || strings.Contains(legend, "Fresco / refrigerado") {
		t.Fatalf("chart series: %q", chart)
	}
	screenshot(t, ctx, "production-filtered")
}
