package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

// participants2009 is the 2009 value that activity 1.3.1's page shows for
// its indicator «Número de participantes» (computed from the events).
const participants2009 = `(() => {
	for (const s of document.querySelectorAll("section.indicator")) {
		if (!s.querySelector("h3").textContent.startsWith("Número de participantes")) continue;
		for (const row of s.querySelectorAll("tbody tr")) {
			if (row.querySelector("th").textContent === "2009") return row.querySelector("td.value").textContent.trim();
		}
		return "no 2009 row";
	}
	return "no indicator";
})()`

// TestEditorImportsAttendanceAndTheIndicatorChanges: an editor adds a
// workshop for activity 1.3.1, uploads its attendance sheet, confirms the
// near match of an association, and the activity's computed indicator
// «Número de participantes» goes from 0 to 3. The new public pages pass
// axe's WCAG rules in both languages.
func TestEditorImportsAttendanceAndTheIndicatorChanges(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	fixture, _ := filepath.Abs("../internal/actors/testdata/actores.csv")
	in.run(t, "import", "actors", fixture)
	pw := in.addUser(t, "capacitacion@direpro.example.org", "editor", "--name", "Capacitación DIREPRO", "--institution", "DIREPRO-ILO")
	sheet := filepath.Join(t.TempDir(), "asistencia-taller.csv")
	if err := os.WriteFile(sheet, []byte("nombre,documento,sexo,edad,organizacion,ruc,cargo\n"+
		"Ana Quispe,12345678,F,34,Asociación de Pescadores Artesanales Buso de Ilo,,socia\n"+
		"Luis Mamani,87654321,M,52,Asociación de Pescadores Artesanales Buso de Ilo,,presidente\n"+
		"Rosa Flores,CE 00123456,mujer,60+,Cooperativa Nueva,,socia\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	loginInBrowser(t, ctx, in, "capacitacion@direpro.example.org", pw)
	activity := in.URL + "/plan/1/actividades/1.3.1?anio=2009"
	if err := chromedp.Do(ctx, chromedp.Navigate(activity), chromedp.WaitVisible("section.indicator")); err != nil {
		t.Fatal(err)
	}
	if got := evaluate[string](t, ctx, participants2009); got != "0" {
		t.Fatalf("before the workshop the indicator shows %q", got)
	}
	// From the activity's page, as an editor adding the workshop it held.
	if err := chromedp.Do(ctx,
		chromedp.Click(`a[href^="/eventos/nuevo?actividad="]`),
		chromedp.WaitVisible("#titulo"),
		chromedp.SetValue("#tipo", "workshop"),
		chromedp.SendKeys("#titulo", "Taller de manipulación y depuración de moluscos"),
		chromedp.SetValue("#desde", "2009-06-02"),
		chromedp.SetValue("#hasta", "2009-06-03"),
	); err != nil {
		t.Fatal(err)
	}
	if got := evaluate[string](t, ctx, `Array.from(document.querySelectorAll("#actividades option:checked")).map(o => o.textContent.split(" ")[0]).join()`); got != "1.3.1" {
		t.Fatalf("the form has chosen the activities %q, want 1.3.1", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Submit("#titulo"),
		chromedp.WaitVisible("#archivo-asistencia"),
		chromedp.SetUploadFiles("#archivo-asistencia", []string{sheet}),
		chromedp.Click("#subir-asistencia"),
		chromedp.WaitVisible("#aplicar-asistencia"),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#propuesta-0 legend"); !strings.Contains(got, "Buso de Ilo") || !strings.Contains(got, "Buzos de Ilo") {
		t.Fatalf("the near match asked: %q", got)
	}
	screenshot(t, ctx, "attendance-confirm")
	if err := chromedp.Do(ctx,
		chromedp.Click(`#propuesta-0 input[value="si"]`),
		chromedp.Click("#aplicar-asistencia"),
		chromedp.WaitVisible(`main > .notice`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#participantes-total"); got != "3" {
		t.Fatalf("the event counts %q participants", got)
	}
	eventURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(activity), chromedp.WaitVisible("section.indicator")); err != nil {
		t.Fatal(err)
	}
	if got := evaluate[string](t, ctx, participants2009); got != "3" {
		t.Fatalf("after the attendance the indicator shows %q, want 3", got)
	}
	screenshot(t, ctx, "activity-computed-indicator")
	eventPath := strings.TrimPrefix(strings.Split(eventURL, "?")[0], in.URL)

	// The new public pages, as a visitor sees them.
	if err := chromedp.Do(ctx, chromedp.Click(`form[action="/salir"] button`), chromedp.WaitVisible(`a[href="/entrar"]`)); err != nil {
		t.Fatal(err)
	}
	axe := axeScript(t)
	for _, lang := range []string{"es", "en"} {
		for _, path := range []string{"/eventos?anio=2009", eventPath, "/plan/1/actividades/1.3.1?anio=2009", "/plan/1/indicadores", "/plan/1/tablero?desde=2007&hasta=2010"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			checkAxe(t, ctx, axe, fmt.Sprintf("%s%s%slang=%s", in.URL, path, sep, lang))
		}
	}
}
