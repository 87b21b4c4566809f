package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

func TestReportApproveAndSeeTheStatusInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	editorPW := in.addUser(t, "estadistica@direpro.example.org", "editor", "--name", "Estadística DIREPRO", "--institution", "DIREPRO-ILO")
	adminPW := in.addUser(t, "mesa@example.org", "admin", "--name", "Mesa de Trabajo")
	evidence := filepath.Join(t.TempDir(), "acta-base-de-datos.pdf")
	if err := os.WriteFile(evidence, []byte("%PDF-1.4\n% acta de entrega de la base de datos\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The editor reports 1.1.1 as done in 2010, attaches the evidence and submits.
	loginInBrowser(t, ctx, in, "estadistica@direpro.example.org", editorPW)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/plan"),
		chromedp.Click(`a[href^="/plan/1/actividades/1.1.1?"]`),
		chromedp.WaitVisible("#period"),
		chromedp.SetValue("#period", "2010"),
		chromedp.SetValue("#status", "done"),
		chromedp.SendKeys("#narrative", "Base de datos de zonas, productores y procesadores publicada en SRIIM."),
		chromedp.Submit("#period"),
		chromedp.WaitVisible(`.report input[name="archivo"]`),
		chromedp.SetUploadFiles(`.report input[name="archivo"]`, []string{evidence}),
		chromedp.Submit(`.report input[name="archivo"]`),
		chromedp.WaitVisible(`.report a.evidence`),
		chromedp.Click(`button[id^="enviar-"]`),
		chromedp.WaitVisible(`.state-submitted`),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "plan-report-submitted")
	if err := chromedp.Do(ctx, chromedp.Click(`form[action="/salir"] button`), chromedp.WaitVisible(`a[href="/entrar"]`)); err != nil {
		t.Fatal(err)
	}

	// The Mesa de Trabajo finds it in its queue, linked with a count from the
	// navigation, and sends it back with a note.
	loginInBrowser(t, ctx, in, "mesa@example.org", adminPW)
	if nav := text(t, ctx, "#nav-revision"); nav != "Reportes por revisar (1)" {
		t.Fatalf("navigation: %q", nav)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click("#nav-revision"),
		chromedp.WaitVisible(`.review textarea[name="note"]`),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "plan-review-queue")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`.review textarea[name="note"]`, "Adjunte el acta firmada."),
		chromedp.Click(`button[id^="devolver-"]`),
		chromedp.WaitVisible(`main > .notice`),
		chromedp.Click(`form[action="/salir"] button`),
		chromedp.WaitVisible(`a[href="/entrar"]`),
	); err != nil {
		t.Fatal(err)
	}

	// The editor reads the note and submits again; the Mesa approves from the queue.
	loginInBrowser(t, ctx, in, "estadistica@direpro.example.org", editorPW)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/plan/1/actividades/1.1.1"),
		chromedp.WaitVisible(`.state-returned`),
	); err != nil {
		t.Fatal(err)
	}
	if report := text(t, ctx, ".report"); !strings.Contains(report, "Adjunte el acta firmada.") {
		t.Fatalf("the returned report does not show the note: %q", report)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`button[id^="enviar-"]`),
		chromedp.WaitVisible(`.state-submitted`),
		chromedp.Click(`form[action="/salir"] button`),
		chromedp.WaitVisible(`a[href="/entrar"]`),
	); err != nil {
		t.Fatal(err)
	}
	loginInBrowser(t, ctx, in, "mesa@example.org", adminPW)
	if err := chromedp.Do(ctx,
		chromedp.Click("#nav-revision"),
		chromedp.Click(`button[id^="aprobar-"]`),
		chromedp.WaitVisible(`main > .notice`),
	); err != nil {
		t.Fatal(err)
	}
	if nav := text(t, ctx, "#nav-revision"); nav != "Reportes por revisar (0)" {
		t.Fatalf("navigation after approving: %q", nav)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`form[action="/salir"] button`),
		chromedp.WaitVisible(`a[href="/entrar"]`),
	); err != nil {
		t.Fatal(err)
	}

	// A visitor sees 1.1.1 done on the public plan page, with the evidence.
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/plan/1?anio=2010"), chromedp.WaitVisible(`#a-1\.1\.1`)); err != nil {
		t.Fatal(err)
	}
	if row := text(t, ctx, `#a-1\.1\.1`); !strings.Contains(row, "Cumplida") || !strings.Contains(row, "2010") {
		t.Fatalf("plan row for 1.1.1: %q", row)
	}
	screenshot(t, ctx, "plan-public")
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/plan/1/actividades/1.1.1")); err != nil {
		t.Fatal(err)
	}
	if links := evaluate[int](t, ctx, `document.querySelectorAll(".report a.evidence").length`); links != 1 {
		t.Fatalf("evidence links visible to a visitor: %d", links)
	}
}
