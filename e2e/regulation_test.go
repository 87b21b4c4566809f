package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

// TestSpeciesPageLeadsToJapansRequirements: a buyer's path from the loco's
// page to what Japan asks of frozen loco, with the sanitary procedure's
// term and figures a click away, in Spanish and in English.
func TestSpeciesPageLeadsToJapansRequirements(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	for _, lang := range []struct{ code, market, heading, document string }{
		{"es", "Japón", "Exportar Locos congelados, secos, salados o en salmuera a Japón", "Certificado de origen"},
		{"en", "Japan", "Exporting Locos, frozen, dried, salted or in brine to Japan", "Certificate of origin"},
	} {
		link := `#requisitos + p + ul a[href="/normas/requisitos?producto=loco_congelado&mercado=JPN"]`
		if err := chromedp.Do(ctx,
			chromedp.Navigate(in.URL+"/oferta/productos/SNE?lang="+lang.code),
			chromedp.WaitVisible(link),
		); err != nil {
			t.Fatalf("%s: the species page has no link to Japan's requirements: %v", lang.code, err)
		}
		if got := text(t, ctx, link); got != lang.market {
			t.Errorf("%s: the link reads %q", lang.code, got)
		}
		if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible("#documentos")); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, "main h1"); got != lang.heading {
			t.Errorf("%s: the requirements page is titled %q", lang.code, got)
		}
		if got := text(t, ctx, "main"); !strings.Contains(got, lang.document) {
			t.Errorf("%s: Japan's requirements lack %q", lang.code, lang.document)
		}
		screenshot(t, ctx, "requirements-jpn-"+lang.code)
	}
}

// TestRegulationPagesHaveNoAccessibilityViolations runs axe-core's WCAG 2
// A and AA rules on the module's public pages, in both languages.
func TestRegulationPagesHaveNoAccessibilityViolations(t *testing.T) {
	axe := axeScript(t)
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	for _, name := range []string{"procedimientos", "casos"} {
		what := map[string]string{"procedimientos": "procedures", "casos": "procedure-cases"}[name]
		file, _ := filepath.Abs("../internal/regulation/testdata/" + name + ".csv")
		in.run(t, "import", what, file)
	}
	pages := []string{"/normas", "/normas?q=loco", "/normas/RM-383-2004-PRODUCE", "/normas/procedimientos", "/normas/procedimientos/REG-SAN",
		"/normas/requisitos?producto=loco_congelado&mercado=JPN", "/normas/feriados", "/oferta/productos/SNE"}
	for _, lang := range []string{"es", "en"} {
		for _, path := range pages {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			url := fmt.Sprintf("%s%s%slang=%s", in.URL, path, sep, lang)
			checkAxe(t, ctx, axe, url)
		}
	}
	// The administrators' forms, and a norm's page with its upload form.
	pw := in.addUser(t, "mesa@example.org", "admin", "--name", "Mesa de Trabajo")
	loginInBrowser(t, ctx, in, "mesa@example.org", pw)
	for _, lang := range []string{"es", "en"} {
		for _, path := range []string{"/normas/RM-383-2004-PRODUCE", "/normas/feriados", "/normas/feriados/2026-07-28/editar", "/normas/uit/nuevo",
			"/normas/requisitos/HK-0307-SAN/editar"} {
			checkAxe(t, ctx, axe, in.URL+path+"?lang="+lang)
		}
	}
}
