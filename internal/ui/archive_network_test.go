package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/network"
)

// confirmByLink opens a confirmation link, which only asks, and presses the
// page's button; it returns the page that answers.
func confirmByLink(t *testing.T, b *browser, link string) string {
	t.Helper()
	status, page, csrf := b.get(link)
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
	if status != 200 || tok == nil || !strings.Contains(page, `action="/red/confirmar"`) {
		t.Fatalf("the confirmation link: %d, no button\n%s", status, page)
	}
	res, page := b.send(network.ConfirmPath, url.Values{"csrf_token": {csrf}, "token": {tok[1]}})
	if res.StatusCode != 200 {
		t.Fatalf("confirm: %d\n%s", res.StatusCode, page)
	}
	return page
}

// The confirmation link, opened (a mail scanner opens links), confirms
// nothing: it shows what it would confirm, and the page's button (with its
// CSRF field) does; the link then is spent, and a second press says so.
func TestNetworkConfirmLinkOnlyAsks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		sent := &networkMail{}
		site.srv.Network = network.New(d, sent, site.http.URL)
		b := site.browser()
		_, _, token := b.get("/red")
		if res, page := b.send("/red", url.Values{"csrf_token": {token}, "email": {"ana@example.org"}, "topics": {"closures"}, "species": {"SCQ"}}); res.StatusCode != 200 {
			t.Fatalf("subscribe: %d\n%s", res.StatusCode, page)
		}
		link := strings.TrimPrefix(regexp.MustCompile(`https?://\S+/red/confirmar\?token=\S+`).FindString(sent.sent[0].Body), site.http.URL)
		active := func() int {
			var n int
			if err := d.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM network_subscribers WHERE state = 'active'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		scanner := site.browser()
		for range 2 {
			res, err := scanner.client.Get(site.http.URL + link)
			if err != nil {
				t.Fatal(err)
			}
			page := body(t, res)
			if res.StatusCode != 200 || !strings.Contains(page, "Confirmar la suscripción") || !strings.Contains(page, "ana@example.org") ||
				!strings.Contains(page, "Vedas y cierres") || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
				t.Fatalf("the link: %d %q\n%s", res.StatusCode, res.Header.Get("Cache-Control"), page)
			}
		}
		if n := active(); n != 0 {
			t.Fatalf("opening the link confirmed the address: %d members", n)
		}
		_, page, csrf := b.get(link)
		tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)[1]
		if res, _ := b.send(network.ConfirmPath, url.Values{"token": {tok}}); res.StatusCode != http.StatusForbidden || active() != 0 {
			t.Errorf("a confirmation without the form's CSRF field: %d", res.StatusCode)
		}
		if res, page := b.send(network.ConfirmPath, url.Values{"csrf_token": {csrf}, "token": {tok}}); res.StatusCode != 200 ||
			!strings.Contains(page, "Suscripción confirmada") || active() != 1 {
			t.Fatalf("the button: %d, %d members\n%s", res.StatusCode, active(), page)
		}
		if res, page := b.send(network.ConfirmPath, url.Values{"csrf_token": {csrf}, "token": {tok}}); res.StatusCode != 404 || !strings.Contains(page, "ya venció") {
			t.Errorf("pressed again: %d\n%s", res.StatusCode, page)
		}
		if status, page, _ := b.get(link); status != 404 || !strings.Contains(page, "ya venció") {
			t.Errorf("the spent link: %d\n%s", status, page)
		}
		for _, bad := range []string{network.ConfirmPath, network.ConfirmPath + "?token=x", network.ConfirmPath + "?token=" + strings.Repeat("a", 10000)} {
			if status, _, _ := site.browser().get(bad); status != 404 {
				t.Errorf("%.40s: %d", bad, status)
			}
		}
	})
}

// The forms' lists are bounded before the subscriptions, a product of the
// topics and the species, are made: repeats are dropped, and species beyond
// network.MaxSpecies get a message that says so, in the page's language.
func TestNetworkFormsAreBounded(t *testing.T) {
	form := url.Values{}
	for range 300 {
		form.Add("topics", "news")
		form.Add("urgent", "news")
		form.Add("species", "SNE")
	}
	r, _ := http.NewRequest(http.MethodPost, "/red", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	if subs := readNetworkForm(r).subscriptions(); len(subs) != 1 {
		t.Errorf("300 times the same topic and species: %d subscriptions; want 1", len(subs))
	}

	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	sent := &networkMail{}
	site.srv.Network = network.New(site.db, sent, site.http.URL)
	b := site.browser()
	_, _, token := b.get("/red")
	many := url.Values{"csrf_token": {token}, "email": {"ana@example.org"}, "topics": {"news", "news", "documents"}, "species": {"SNE", "SCQ"}}
	for i := range 60 {
		many.Add("species", "Z"+strings.Repeat("X", i%5)+string(rune('A'+i%26))+string(rune('A'+i/26)))
	}
	res, page := b.send("/red", many)
	if res.StatusCode != 422 || !strings.Contains(page, "como máximo 50 especies") || len(sent.sent) != 0 {
		t.Errorf("62 species: %d\n%s", res.StatusCode, page)
	}
	many.Set("csrf_token", token)
	many.Set("email", strings.Repeat("a", 300)+"@example.org")
	many["species"] = []string{"SNE"}
	if res, page := b.send("/red?lang=en", many); res.StatusCode != 422 || !strings.Contains(page, "at most 254 characters") {
		t.Errorf("a long address: %d\n%s", res.StatusCode, page)
	}
}
