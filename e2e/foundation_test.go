package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

func TestBinaryServesOnEveryBackend(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			in := start(t, dialect)
			if code, body := in.get(t, "/"); code != 200 || !strings.Contains(body, "Moluscos de Moquegua") {
				t.Errorf("home: %d", code)
			}
			if code, body := in.get(t, "/no-such-page", "Accept-Language", "en-GB,en"); code != 404 || !strings.Contains(body, "We could not find that page.") {
				t.Errorf("404 in English: %d %s", code, body)
			}
			if code, body := in.get(t, "/api/v1/nothing"); code != 404 || !strings.Contains(body, `"kind":"not_found"`) {
				t.Errorf("API 404: %d %s", code, body)
			}
			if code, _ := in.get(t, "/healthz"); code != 200 {
				t.Errorf("healthz: %d", code)
			}
			if code, body := in.get(t, "/api/v1/openapi.json"); code != 200 || !strings.Contains(body, `"openapi": "3.1.0"`) {
				t.Errorf("openapi: %d", code)
			}
		})
	}
}

func TestHomePageInBothLanguagesInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/")); err != nil {
		t.Fatal(err)
	}
	h1 := text(t, ctx, "h1")
	lang := evaluate[string](t, ctx, `document.documentElement.lang`)
	if lang != "es" || h1 != "Moluscos de Moquegua" {
		t.Fatalf("default page: lang %q, h1 %q", lang, h1)
	}
	screenshot(t, ctx, "home-es")
	// Switch language the way a visitor does: by the link in the header.
	if err := chromedp.Do(ctx,
		chromedp.Click(`.langs a[hreflang="en"]`),
		chromedp.WaitVisible(`html[lang="en"]`),
	); err != nil {
		t.Fatal(err)
	}
	h1 = text(t, ctx, "h1")
	if h1 != "Molluscs from Moquegua" {
		t.Fatalf("English page h1 %q", h1)
	}
	screenshot(t, ctx, "home-en")
	// The choice sticks: the next page without ?lang is still English.
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/mercados")); err != nil {
		t.Fatal(err)
	}
	lang = evaluate[string](t, ctx, `document.documentElement.lang`)
	if lang != "en" {
		t.Fatalf("language not remembered: %q", lang)
	}
}
