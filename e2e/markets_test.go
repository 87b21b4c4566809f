package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

func TestImportTradeFollowProgressAndSeeImportersInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	pw := in.addUser(t, "mesa@example.org", "admin")
	loginInBrowser(t, ctx, in, "mesa@example.org", pw)
	file, err := filepath.Abs("../internal/trade/testdata/comtrade-legacy.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/mercados/importar"),
		chromedp.SetValue("#format", "comtrade-legacy"),
		chromedp.SendKeys("#source", "UN Comtrade, muestra"),
		chromedp.SetUploadFiles("#archivo", []string{file}),
		chromedp.Submit("#archivo"),
		// The progress page reloads itself until the import is done.
		chromedp.WaitVisible(`#batch-state .light-done`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#batch-state"); !strings.Contains(got, "50 filas guardadas") {
		t.Fatalf("progress page: %q", got)
	}
	screenshot(t, ctx, "trade-import-done")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/mercados?hs=030799&from=2000&to=2004"),
		chromedp.WaitVisible(`#importers`),
	); err != nil {
		t.Fatal(err)
	}
	first := text(t, ctx, `#importers tbody tr:first-child th`)
	if first != "Japón" {
		t.Fatalf("first importer %q", first)
	}
	if w := evaluate[int](t, ctx, `(async () => { const img = document.querySelector("figure.chart img"); await img.decode(); return img.naturalWidth })()`); w == 0 {
		t.Fatal("the importers chart did not render")
	}
	screenshot(t, ctx, "markets-importers")
	// The years asked in the form reach the chart.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`input[name=from]`, "2001"),
		chromedp.SetValue(`input[name=to]`, "2003"),
		chromedp.Submit(`input[name=to]`),
		loaded("from=2001"),
		chromedp.WaitVisible(`#importers`),
	); err != nil {
		t.Fatal(err)
	}
	chart := evaluate[[]string](t, ctx, chartTexts)
	if got := strings.Join(chartYears(chart), ","); got != "2001,2002,2003" || !strings.Contains(chart[0], "030799") {
		t.Fatalf("chart after filtering: %q", chart)
	}
	for _, country := range evaluate[[]string](t, ctx, `[...document.querySelectorAll("#importers tbody tr:not(.total) th")].map(th => th.innerText.trim())`) {
		if !strings.Contains(strings.Join(chart, "|"), country) {
			t.Errorf("chart lacks the importer %s: %q", country, chart)
		}
	}
}
