package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

func TestRegisterImportAndSearchActorsInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	password := in.addUser(t, "editora@direpro.example.org", "editor", "--name", "Editora DIREPRO", "--institution", "DIREPRO-ILO")
	loginInBrowser(t, ctx, in, "editora@direpro.example.org", password)

	// Register an exporter through the form.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/actores/nuevo"),
		chromedp.SendKeys("#nombre", "Conservera Pacífico Sur SAC"),
		chromedp.SendKeys("#ruc", "20131312955"),
		chromedp.Click(`input[name="tipos"][value="exporter"]`),
		chromedp.SetValue("#distrito", "180301"),
		chromedp.Click(`input[name="especies"][value="SNE"]`),
		chromedp.Submit("#nombre"),
		chromedp.WaitVisible(`.notice`),
	); err != nil {
		t.Fatal(err)
	}
	if h1 := text(t, ctx, "h1"); h1 != "Conservera Pacífico Sur SAC" {
		t.Fatalf("after saving: %q", h1)
	}
	screenshot(t, ctx, "actor-created")

	// Import five actors from a CSV file.
	fixture, err := filepath.Abs("../internal/actors/testdata/actores.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/actores/importar"),
		chromedp.SetUploadFiles("#archivo", []string{fixture}),
		chromedp.Submit("#archivo"),
		chromedp.WaitVisible(`.notice`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".notice"); !strings.Contains(got, "5 nuevas") {
		t.Fatalf("import: %q", got)
	}

	// Search without the accent and in other case: one result.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/actores"),
		chromedp.SendKeys(`input[name="q"]`, "ASOCIACION DE PESCADORES"),
		chromedp.Submit(`input[name="q"]`),
		chromedp.WaitVisible(`.actors`),
	); err != nil {
		t.Fatal(err)
	}
	names := evaluate[[]string](t, ctx, `[...document.querySelectorAll(".actors h2 a")].map(a => a.textContent)`)
	if len(names) != 1 || names[0] != "Asociación de Pescadores Artesanales Buzos de Ilo" {
		t.Fatalf("search found %v", names)
	}
	screenshot(t, ctx, "actors-search")
}
