package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

// axeScript is axe-core from the npm registry: SRIIM_AXE names axe.min.js
// (the README's test command installs it); without it the test is skipped.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SRIIM_AXE")
	if path == "" {
		t.Skip("SRIIM_AXE is not set")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type axeViolation struct {
	ID          string
	Impact      string
	Description string
	Nodes       []struct{ Target []string }
}

// checkAxe opens url and reports each violation of axe-core's WCAG 2 A and
// AA rules as an error.
func checkAxe(t *testing.T, ctx context.Context, axe, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	checkAxeHere(t, ctx, axe, url)
}

// checkAxeHere is checkAxe on the page the browser shows, as it is now
// (after the test has waited for what its scripts draw).
func checkAxeHere(t *testing.T, ctx context.Context, axe, url string) {
	t.Helper()
	raw := evaluate[string](t, ctx, axe+`; (async () => {
		const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
		return JSON.stringify(r.violations);
	})()`)
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: %s (%s): %s — %s", url, v.ID, v.Impact, v.Description, strings.Join(where, "; "))
	}
}

// TestPublicPagesHaveNoAccessibilityViolations runs axe-core's WCAG 2 A and
// AA rules on the home page, the catalogue, an exporter page and a product
// page, in both languages.
func TestPublicPagesHaveNoAccessibilityViolations(t *testing.T) {
	axe := axeScript(t)
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	fixture, _ := filepath.Abs("../internal/actors/testdata/actores.csv")
	in.run(t, "import", "actors", fixture)
	pw := in.addUser(t, "mesa@example.org", "admin")
	loginInBrowser(t, ctx, in, "mesa@example.org", pw)
	// The exporter of the fixture (no. 2) publishes a product, in Spanish only: the English page falls back visibly.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/oferta/exportadores/2/productos/nuevo"),
		chromedp.SetValue("#species", "SNE"),
		chromedp.SetValue("#presentation", "frozen"),
		chromedp.SendKeys("#hs_code", "0307992000"),
		chromedp.SendKeys("#name_es", "Loco congelado IQF"),
		chromedp.SendKeys("#description_es", "Carne de loco cocida y congelada, calibrada."),
		chromedp.Click(`input[name="markets"][value="TWN"]`),
		chromedp.Submit("#species"),
		chromedp.WaitVisible(`.product`),
		chromedp.Click(`form[action="/salir"] button`),
		chromedp.WaitVisible(`a[href="/entrar"]`),
	); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"es", "en"} {
		for _, path := range []string{"/", "/oferta", "/oferta/exportadores/2", "/oferta/productos/SNE"} {
			checkAxe(t, ctx, axe, fmt.Sprintf("%s%s?lang=%s", in.URL, path, lang))
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/oferta/exportadores/2?lang=en")); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".product .fallback"); got != "(in Spanish only)" {
		t.Errorf("the English page does not mark the Spanish description: %q", got)
	}
	screenshot(t, ctx, "exporter-en")
}
