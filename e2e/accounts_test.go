package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

func TestFirstStartSaysHowToCreateAnAdministrator(t *testing.T) {
	in := start(t, dbtest.Backends()[0])
	// A built binary, run by name: the hint gives its own command, not go run's.
	if !strings.Contains(in.Logs(), "create one with: sriim user add --email") {
		t.Fatalf("first start does not say how to create an administrator:\n%s", in.Logs())
	}
	// The public page of a server that sends no email sends the visitor to a person, not to a terminal.
	if code, body := in.get(t, "/clave/olvido"); code != 200 || strings.Contains(body, "sriim ") || !strings.Contains(body, "administr") {
		t.Fatalf("forgot-password page without email: %d\n%s", code, body)
	}
	if code, body := in.get(t, "/instituciones"); code != 200 || !strings.Contains(body, "DIREPRO") {
		t.Fatalf("seed institutions not loaded: %d", code)
	}
}

func TestLogInEditAndSeeItInTheAuditPage(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	password := in.addUser(t, "mesa@example.org", "admin", "--name", "Mesa de Trabajo")
	loginInBrowser(t, ctx, in, "mesa@example.org", password)

	// Open IMARPE from the institutions list and change its description.
	const note = "Laboratorio costero de Ilo"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/instituciones"),
		chromedp.Click(`//a[contains(., "IMARPE")]`),
		chromedp.WaitVisible("#description"),
		chromedp.SendKeys("#description", note),
		chromedp.Submit("#description"),
		chromedp.WaitVisible(`.notice`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".notice"); got != "Cambios guardados." {
		t.Fatalf("after saving: %q", got)
	}
	screenshot(t, ctx, "institution-saved")

	// The audit page, reached from the header, shows who changed what.
	if err := chromedp.Do(ctx,
		chromedp.Click(`//header//a[contains(., "Auditoría")]`),
		chromedp.WaitVisible("table.audit"),
	); err != nil {
		t.Fatal(err)
	}
	table := text(t, ctx, "table.audit tbody")
	if !strings.Contains(table, note) || !strings.Contains(table, "mesa@example.org") || !strings.Contains(table, "institution") {
		t.Fatalf("audit page does not show the edit:\n%s", table)
	}
	screenshot(t, ctx, "audit")
}
