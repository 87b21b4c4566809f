package reports

import (
	"encoding/base64"
	"fmt"
	stdhtml "html"
	"html/template"
	"os"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/trade"
)

// TestMarketHTMLBodyMatchesItsReference: the report's sections, as the page
// /mercados/informes/{id} and the standalone report show them, in the
// report's language, with each section's chart at the address given.
func TestMarketHTMLBodyMatchesItsReference(t *testing.T) {
	for _, lang := range []string{"es", "en"} {
		t.Run(lang, func(t *testing.T) {
			body, err := MarketHTMLBody(testReport(lang), func(sec trade.ReportSection) (template.URL, error) {
				return template.URL("/charts/" + sec.Product.Line + ".svg"), nil
			})
			if err != nil {
				t.Fatal(err)
			}
			ref := "testdata/market-report-body-" + lang + ".html"
			if *updateReferences {
				if err := os.WriteFile(ref, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(ref)
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != string(want) {
				t.Errorf("the report's sections differ from %s (go test -update rewrites it):\n%s", ref, body)
			}
		})
	}
}

// TestMarketHTMLStandsAlone: the command line's report page carries its
// style and its charts inside, so that it reads offline, in its language.
func TestMarketHTMLStandsAlone(t *testing.T) {
	b, err := MarketHTML(testReport("en"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{`<html lang="en">`, "<title>Market-intelligence report 2005-S2 · SRIIM</title>",
		"<style>" + DocumentCSS + "</style>", `id="report-importers-loco_congelado"`, "Republic of Korea"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	charts := regexp.MustCompile(`<img src="(data:[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(charts) != 1 {
		t.Fatalf("%d charts inside, want the section's one", len(charts))
	}
	data, ok := strings.CutPrefix(stdhtml.UnescapeString(charts[0][1]), "data:image/svg+xml;base64,")
	svg, err := base64.StdEncoding.DecodeString(data)
	if !ok {
		err = fmt.Errorf("not an SVG: %.40s", charts[0][1])
	}
	if err != nil || !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), "Japan") {
		t.Errorf("the chart inside is not the section's importers: %v %.200s", err, svg)
	}
	if strings.Contains(page, `href="/`) || strings.Contains(page, `src="/`) {
		t.Error("the standalone page links to the site")
	}
}
