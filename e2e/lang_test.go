package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

// A validation error raised by a domain package (the actors registry's RUC
// check) reads in the page's language, in Spanish and in English, and the
// page holds no message of the other language.
func TestValidationErrorInThePagesLanguageInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	password := in.addUser(t, "editora@direpro.example.org", "editor", "--name", "Editora DIREPRO", "--institution", "DIREPRO-ILO")
	loginInBrowser(t, ctx, in, "editora@direpro.example.org", password)
	for _, tt := range []struct {
		lang, ruc, alert, notWanted string
	}{
		{"es", "el dígito verificador no coincide: ¿error de digitación?", "Los datos enviados no son válidos.", "the check digit"},
		{"en", "the check digit does not match: mistyped?", "The data sent is not valid.", "dígito verificador"},
	} {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(in.URL+"/actores/nuevo?lang="+tt.lang),
			chromedp.SendKeys("#nombre", "Conservera Pacífico Sur SAC"),
			// 20131312955 with its last digit mistyped.
			chromedp.SendKeys("#ruc", "20131312956"),
			chromedp.Click(`input[name="tipos"][value="exporter"]`),
			chromedp.Submit("#nombre"),
			chromedp.WaitVisible(`#ruc ~ p.errors`),
		); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, "#ruc ~ p.errors"); got != tt.ruc {
			t.Errorf("%s: the RUC's error reads %q, want %q", tt.lang, got, tt.ruc)
		}
		if got := text(t, ctx, `p.errors[role="alert"]`); got != tt.alert {
			t.Errorf("%s: the form's error reads %q, want %q", tt.lang, got, tt.alert)
		}
		if lang := evaluate[string](t, ctx, `document.documentElement.lang`); lang != tt.lang {
			t.Errorf("the page is in %q, want %s", lang, tt.lang)
		}
		if body := text(t, ctx, "main"); strings.Contains(body, tt.notWanted) {
			t.Errorf("%s: the page holds the other language's message: %s", tt.lang, body)
		}
		screenshot(t, ctx, "validation-error-"+tt.lang)
	}
}
