package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

// TestRegionalExportsAndPricesInChromium: an administrator imports export
// declarations from the browser and follows the import, reads Moquegua's
// exports by destination and by exporter with their chart, records a beach
// price and asks for a price alert; the new public pages pass axe.
func TestRegionalExportsAndPricesInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	pw := in.addUser(t, "mesa@example.org", "admin")
	loginInBrowser(t, ctx, in, "mesa@example.org", pw)
	file, err := filepath.Abs("../internal/exports/testdata/declaraciones.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/mercados/exportaciones/importar"),
		chromedp.SendKeys("#source", "SUNAT, muestra"),
		chromedp.SetUploadFiles("#archivo", []string{file}),
		chromedp.Submit("#archivo"),
		// The progress page reloads itself until the import is done.
		chromedp.WaitVisible(`#batch-state .light-done`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#exporters"); !strings.Contains(got, "3 exportadores") {
		t.Fatalf("the import's page: %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/mercados/exportaciones?from=2004&to=2006&by=destination"),
		chromedp.WaitVisible(`#regional`),
	); err != nil {
		t.Fatal(err)
	}
	if first := text(t, ctx, `#regional tbody tr:first-child th`); first != "Japón" {
		t.Fatalf("first destination %q", first)
	}
	chart := evaluate[[]string](t, ctx, chartTexts)
	if got := strings.Join(chartYears(chart), ","); got != "2004,2005,2006" || !strings.Contains(strings.Join(chart, "|"), "Japón") {
		t.Fatalf("the destinations' chart: %q", chart)
	}
	screenshot(t, ctx, "exports-by-destination")
	// The breakdown's tabs keep the selection.
	if err := chromedp.Do(ctx,
		chromedp.Click(`ul.tabs a[href*="by=exporter"]`),
		loaded("by=exporter"),
		chromedp.WaitVisible(`#regional`),
	); err != nil {
		t.Fatal(err)
	}
	if rows := evaluate[[]string](t, ctx, `[...document.querySelectorAll("#regional tbody tr:not(.total) th")].map(th => th.innerText.trim())`); len(rows) != 2 ||
		!strings.Contains(rows[0], "Pesquera Sur") || !strings.Contains(rows[0], "20000000010") {
		t.Fatalf("an editor's ranking of exporters: %q", rows)
	}
	// A beach price, then an alert on the species' page.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/mercados/precios/nuevo?species=SNE"),
		chromedp.SendKeys("#lugar", "DPA-ILO"),
		chromedp.SendKeys("#fecha", "15/03/2023"),
		chromedp.SendKeys("#precio", "11,5"),
		chromedp.SendKeys("#cantidad_kg", "200"),
		chromedp.SendKeys("#fuente", "DIREPRO Ilo, encuesta en playa"),
		chromedp.Submit("#precio"),
		loaded("ok=saved"),
		chromedp.WaitVisible(`#levels`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".prices-latest tbody tr:first-child"); !strings.Contains(got, "2023-03-15") || !strings.Contains(got, "S/ 11.5") {
		t.Fatalf("the latest price: %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue("#alert-place", "DPA-ILO"),
		chromedp.SetValue("#alert-pct", "15"),
		chromedp.Submit("#alert-pct"),
		loaded("ok=alert"),
		chromedp.WaitVisible(`#alertas`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#alertas + ul"); !strings.Contains(got, "± 15 %") {
		t.Fatalf("the alert is not listed: %q", got)
	}
	screenshot(t, ctx, "prices-species")
	axePages(t, ctx, in.URL, "/mercados/precios/SNE")
	if err := chromedp.Do(ctx,
		chromedp.Click(`form[action="/salir"] button`),
		chromedp.WaitVisible(`a[href="/entrar"]`),
	); err != nil {
		t.Fatal(err)
	}
	axePages(t, ctx, in.URL, "/mercados/exportaciones?from=2004&to=2006&by=destination", "/mercados/exportaciones?from=2004&to=2006&by=exporter",
		"/mercados/precios", "/mercados/precios/SNE?from=2023-01&to=2023-12&by=month&constant=2020")
}

// axePages runs axe-core's WCAG 2 A and AA rules on pages, in both
// languages (skipped without SRIIM_AXE).
func axePages(t *testing.T, ctx context.Context, base string, paths ...string) {
	t.Helper()
	axe := axeScript(t)
	for _, lang := range []string{"es", "en"} {
		for _, path := range paths {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			url := fmt.Sprintf("%s%s%slang=%s", base, path, sep, lang)
			checkAxe(t, ctx, axe, url)
		}
	}
}
