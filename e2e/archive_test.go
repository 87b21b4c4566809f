package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sriim/internal/archive"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/network"
)

// archiveBatch writes a metadata file and its documents' files for
// `sriim import documents --metadata`, and returns the metadata file.
func archiveBatch(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"estudio.txt": "Las exportaciones de concha de abanico desde Ilo crecieron; exportar congelado exige planta habilitada.",
		"guia.txt":    "Guía de depuración de moluscos bivalvos.",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	metadata := strings.Join(archive.ImportColumns, ",") + "\n" +
		"estudio.txt,Estudio de exportaciones de Moquegua,estudio,Ana Quispe,IMARPE,2005,es,Mercados y volúmenes exportados.,exportación; mercados,SCQ,1.1.2,publico\n" +
		"guia.txt,Guía de depuración,guia,,DIREPRO-ILO,2006,es,,depuración,SCQ,2.1.1,publico\n"
	path := filepath.Join(dir, "lote.csv")
	if err := os.WriteFile(path, []byte(metadata), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The archive, the news and the information network through Chromium: a
// batch imported with the command line is found by a search in another
// form of its words (with the words marked), the Mesa de Trabajo writes and
// publishes a news item, a visitor subscribes without an account; and the
// new public pages pass axe in both languages.
func TestArchiveNewsAndNetworkInChromium(t *testing.T) {
	ctx := browser(t)
	in := start(t, dbtest.Backends()[0])
	out := in.run(t, "import", "documents", "--metadata", archiveBatch(t))
	if !strings.Contains(out, "2") {
		t.Fatalf("import: %s", out)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/archivo"),
		chromedp.SendKeys(`input[name="q"]`, "exportar"),
		chromedp.Submit(`input[name="q"]`),
		chromedp.WaitVisible(`.hits mark`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, ".hits h3"); got != "Estudio de exportaciones de Moquegua" {
		t.Errorf("first hit: %q", got)
	}
	if got := text(t, ctx, ".hits mark"); !strings.HasPrefix(strings.ToLower(got), "export") {
		t.Errorf("marked: %q", got)
	}
	screenshot(t, ctx, "archive-search")

	pw := in.addUser(t, "mesa@example.org", "admin", "--name", "Mesa de Trabajo")
	loginInBrowser(t, ctx, in, "mesa@example.org", pw)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/noticias/nueva"),
		chromedp.SendKeys("#title_es", "Moquegua exporta concha de abanico"),
		chromedp.SendKeys("#summary_es", "Primer embarque del año."),
		chromedp.SendKeys("#body_es", "El embarque salió de **Ilo**."),
		chromedp.SendKeys("#title_en", "Moquegua exports scallops"),
		chromedp.SendKeys("#documents", "1"),
		chromedp.Submit("#title_es"),
		chromedp.WaitVisible(`form[action$="/enviar"] button`),
		chromedp.Click(`form[action$="/enviar"] button`),
		chromedp.WaitVisible(`button[value="publish"]`),
		chromedp.Click(`button[value="publish"]`),
		chromedp.WaitVisible(`.body strong`),
		chromedp.Click(`form[action="/salir"] button`),
		chromedp.WaitVisible(`a[href="/entrar"]`),
	); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/?lang=en"), chromedp.WaitVisible(`a[href="/noticias/1"]`)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `a[href="/noticias/1"]`); got != "Moquegua exports scallops" {
		t.Errorf("the home page's news in English: %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/red?lang=es"),
		chromedp.SendKeys("#email", "lector@example.org"),
		chromedp.Click(`input[name="topics"][value="closures"]`),
		chromedp.Click(`input[name="urgent"][value="closures"]`),
		chromedp.Click(`input[name="species"][value="SCQ"]`),
		chromedp.Submit("#email"),
		chromedp.WaitVisible(`p.notice[role="status"]`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `p.notice[role="status"]`); !strings.Contains(got, "Su suscripción está guardada") {
		t.Errorf("subscribed without mail: %q", got)
	}
	// The subscriber's page, by the token its mails' links carry (read from
	// the database here: mail is off): it changes what the reader follows.
	d, err := db.Open(context.Background(), in.DSN)
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	err = d.Read().QueryRow("SELECT unsubscribe_token FROM network_subscribers WHERE email = 'lector@example.org'").Scan(&tok)
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	manage := network.ManagePath + "?token=" + tok
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+manage),
		chromedp.Click(`input[name="topics"][value="market_reports"]`),
		chromedp.Click(`input[name="digest"]`),
		chromedp.Submit(`input[name="digest"]`),
		chromedp.WaitVisible(`p.notice[role="status"]`),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `p.notice[role="status"]`); !strings.Contains(got, "Cambios guardados") {
		t.Errorf("saved: %q", got)
	}
	if checked := evaluate[bool](t, ctx, `document.querySelector('input[name="topics"][value="market_reports"]').checked && !document.querySelector('input[name="digest"]').checked`); !checked {
		t.Errorf("the page does not show the change")
	}

	axe := axeScript(t)
	for _, lang := range []string{"es", "en"} {
		for _, path := range []string{"/archivo", "/archivo?q=exportacion&especie=SCQ", "/archivo/1", "/noticias", "/noticias/1", "/red", "/red/baja?token=x", "/red/confirmar?token=x", manage, "/red/suscripcion?token=x"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			url := in.URL + path + sep + "lang=" + lang
			checkAxe(t, ctx, axe, url)
		}
	}
	screenshot(t, ctx, "archive-network")
}
