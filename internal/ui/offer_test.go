package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gen2brain/webp"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/offer"
)

// Private details of the test exporter, which no public page may show.
const (
	privateEmail   = "gerencia-privada@exportadora.example"
	privatePhone   = "+51 53 999 111 222"
	privateContact = "Juana Reservada Quispe"
)

// exporterWithProduct registers an exporter kept by DIREPRO with private
// contacts, a Spanish-only description and one product.
func (s *testSite) exporterWithProduct() (actors.Actor, offer.Product) {
	s.t.Helper()
	ctx := context.Background()
	keeper := auth.Principal{Email: "seed", Role: auth.Admin, Institutions: []int64{s.institution("DIREPRO-ILO")}}
	a, _, err := s.srv.Actors.Create(ctx, keeper, actors.Actor{Name: "Mariscos del Sur SAC", Kinds: []string{"exporter"}, District: "Ilo",
		Description: "Exportamos loco en conserva desde Ilo.", ContactName: privateContact, Email: privateEmail, Phone: privatePhone})
	if err != nil {
		s.t.Fatal(err)
	}
	p, err := s.srv.Offer.Save(ctx, keeper, offer.Product{ActorID: a.ID, Species: "SNE", Presentation: "canned", HSCode: "1605.57",
		NameES: "Loco en conserva", DescriptionES: "Latas de 425 g, producto de extracción autorizada.", Markets: []string{"JPN", "TWN"}})
	if err != nil {
		s.t.Fatal(err)
	}
	return a, p
}

func (s *testSite) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func TestContactFormSpamTrapAndRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		a, _ := site.exporterWithProduct()
		page := fmt.Sprintf("/oferta/exportadores/%d", a.ID)
		b := site.browser()
		_, _, token := b.get(page)
		send := func(trap string) *http.Response {
			return b.post(page+"/contacto", url.Values{"csrf_token": {token}, "name": {"Buyer"}, "email": {"buyer@example.com"},
				"company": {"Taipei Seafood"}, "message": {"We would like 2 t of canned loco a month."}, "website": {trap}})
		}

		res := send("http://spam.example")
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "ok=sent") {
			t.Fatalf("a trapped message is not answered like a sent one: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if n := site.count("SELECT count(*) FROM offer_messages"); n != 0 {
			t.Fatalf("the spam trap stored %d messages", n)
		}

		for i := 0; i < offer.MaxMessagesPerAddress; i++ {
			if res := send(""); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("message %d: %d", i+1, res.StatusCode)
			}
		}
		if res := send(""); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("message %d past the limit: %d", offer.MaxMessagesPerAddress+1, res.StatusCode)
		}
		if n := site.count("SELECT count(*) FROM offer_messages WHERE actor_id = $1", a.ID); n != offer.MaxMessagesPerAddress {
			t.Fatalf("stored %d messages, want %d", n, offer.MaxMessagesPerAddress)
		}

		// The messages wait for the exporter's keepers, not for anyone else.
		if status, _, _ := site.browser().get(page + "/mensajes"); status != http.StatusSeeOther {
			t.Fatalf("anonymous messages page: %d", status)
		}
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		if status, body, _ := editor.get(page + "/mensajes"); status != 200 || !strings.Contains(body, "buyer@example.com") {
			t.Fatalf("the keeping editor does not see the messages: %d", status)
		}
		granted := site.browser()
		granted.login("granted@example.org", testPassword)
		if status, _, _ := granted.get(page + "/mensajes"); status != http.StatusForbidden {
			t.Fatalf("another institution's editor reads the messages: %d", status)
		}
	})
}

func TestPrivateContactsNeverPublic(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	anon := site.browser()
	paths := []string{"/", "/oferta", "/oferta?lang=en", "/oferta?species=SNE&presentation=canned&market=JPN",
		fmt.Sprintf("/oferta/exportadores/%d", a.ID), fmt.Sprintf("/oferta/exportadores/%d?lang=en", a.ID),
		"/oferta/productos/SNE", "/oferta/productos/SNE?lang=en", "/sitemap.xml", "/actores", fmt.Sprintf("/actores/%d", a.ID)}
	for _, p := range paths {
		status, body, _ := anon.get(p)
		if status != 200 {
			t.Fatalf("%s: %d", p, status)
		}
		for _, secret := range []string{privateEmail, privatePhone, privateContact} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows the private %q", p, secret)
			}
		}
	}
	for _, p := range []string{"/api/v1/offer/products", "/api/v1/offer/products?species=SNE", fmt.Sprintf("/api/v1/actors/%d", a.ID), "/api/v1/actors"} {
		status, body := site.apiCall("", "GET", p, nil)
		if status != 200 {
			t.Fatalf("%s: %d", p, status)
		}
		for _, secret := range []string{privateEmail, privatePhone, privateContact} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows the private %q", p, secret)
			}
		}
	}
	// The same details, once made public, do show: the check above looks in the right places.
	a.EmailPublic = true
	if _, err := site.srv.Actors.Update(context.Background(), auth.Principal{Role: auth.Admin, Email: "admin"}, a.ID, a); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := anon.get(fmt.Sprintf("/oferta/exportadores/%d", a.ID)); !strings.Contains(body, privateEmail) {
		t.Fatal("a public email is not shown")
	}
}

func TestEnglishPageFallsBackToSpanishVisibly(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	_, en, _ := site.browser().get(fmt.Sprintf("/oferta/exportadores/%d?lang=en", a.ID))
	for _, want := range []string{
		`<p class="lead" lang="es">Exportamos loco en conserva desde Ilo. <small class="fallback" lang="en">(in Spanish only)</small>`,
		`<h3 lang="es">Loco en conserva <small class="fallback" lang="en">(in Spanish only)</small>`,
		`<p lang="es">Latas de 425 g, producto de extracción autorizada. <small class="fallback" lang="en">(in Spanish only)</small>`,
		"Contact this exporter",
	} {
		if !strings.Contains(en, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	_, es, _ := site.browser().get(fmt.Sprintf("/oferta/exportadores/%d", a.ID))
	if strings.Contains(es, `class="fallback"`) {
		t.Error("the Spanish page marks its own language as a fallback")
	}
}

func TestPublicReadsAnswerNotModified(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	client := site.http.Client()
	for _, p := range []string{"/", "/oferta", "/oferta?lang=en", "/oferta/productos/SNE", "/api/v1/offer/products"} {
		res, err := client.Get(site.http.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || etag == "" {
			t.Fatalf("%s: %d, ETag %q", p, res.StatusCode, etag)
		}
		req, _ := http.NewRequest("GET", site.http.URL+p, nil)
		req.Header.Set("If-None-Match", etag)
		res, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified || n != 0 {
			t.Errorf("%s with its ETag: %d and %d bytes", p, res.StatusCode, n)
		}
	}
	// A change to the offer changes the answer.
	res, _ := client.Get(site.http.URL + "/api/v1/offer/products")
	res.Body.Close()
	before := res.Header.Get("ETag")
	if _, err := site.srv.Offer.Save(context.Background(), auth.Principal{Role: auth.Admin, Email: "admin"},
		offer.Product{ActorID: a.ID, Species: "SNE", Presentation: "frozen", NameES: "Loco congelado"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", site.http.URL+"/api/v1/offer/products", nil)
	req.Header.Set("If-None-Match", before)
	if res, _ = client.Do(req); res.StatusCode != 200 {
		t.Fatalf("changed offer answered %d", res.StatusCode)
	}
	res.Body.Close()
}

func TestSitemapAndRobots(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	_, sitemap, _ := site.browser().get("/sitemap.xml")
	base := site.http.URL
	for _, want := range []string{
		`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">`,
		"<loc>" + base + "/oferta</loc>",
		fmt.Sprintf("<loc>%s/oferta/exportadores/%d</loc>", base, a.ID),
		fmt.Sprintf(`<xhtml:link rel="alternate" hreflang="en" href="%s/oferta/exportadores/%d?lang=en">`, base, a.ID),
		"<loc>" + base + "/oferta/productos/SNE</loc>",
	} {
		if !strings.Contains(sitemap, want) {
			t.Errorf("sitemap lacks %s", want)
		}
	}
	if _, en, _ := site.browser().get("/oferta?lang=en"); !strings.Contains(en, `<link rel="canonical" href="`+base+`/oferta?lang=en">`) {
		t.Error("the English catalogue's canonical address is not its own")
	}
	_, robots, _ := site.browser().get("/robots.txt")
	if !strings.Contains(robots, "Sitemap: "+base+"/sitemap.xml") || !strings.Contains(robots, "Disallow: /api/") {
		t.Errorf("robots.txt: %s", robots)
	}
	_, page, _ := site.browser().get(fmt.Sprintf("/oferta/exportadores/%d", a.ID))
	for _, want := range []string{`<link rel="alternate" hreflang="en" href="` + base, `"@type":"Organization"`,
		fmt.Sprintf(`<link rel="canonical" href="%s/oferta/exportadores/%d">`, base, a.ID), `<meta property="og:title" content="Mariscos del Sur SAC`} {
		if !strings.Contains(page, want) {
			t.Errorf("exporter page lacks %s", want)
		}
	}
}

func TestProductPhotoBecomesSmallWebP(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, p := site.exporterWithProduct()
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for x := 0; x < 1600; x++ {
		for y := 0; y < 1200; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var upload bytes.Buffer
	if err := png.Encode(&upload, img); err != nil {
		t.Fatal(err)
	}

	b := site.browser()
	b.login("editor@example.org", testPassword)
	_, _, token := b.get(fmt.Sprintf("/oferta/exportadores/%d", a.ID))
	photoForm := fmt.Sprintf("/oferta/productos-exportador/%d/foto", p.ID)
	if res, _ := b.upload(photoForm, url.Values{"csrf_token": {token}}, "photo", "loco.png", upload.Bytes()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}

	saved, err := site.srv.Offer.Product(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.PhotoWidth != offer.PhotoMaxWidth || saved.PhotoHeight != 600 {
		t.Fatalf("photo is %d×%d, want %d×600", saved.PhotoWidth, saved.PhotoHeight, offer.PhotoMaxWidth)
	}
	_, page, _ := site.browser().get(fmt.Sprintf("/oferta/exportadores/%d", a.ID))
	if want := fmt.Sprintf(`<img src="/oferta/fotos/%s.webp" width="800" height="600"`, saved.Photo); !strings.Contains(page, want) || !strings.Contains(page, `loading="lazy"`) {
		t.Fatalf("exporter page lacks %s, lazily loaded", want)
	}
	res, err := site.http.Client().Get(site.http.URL + "/oferta/fotos/" + saved.Photo + ".webp")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	photo, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Type") != "image/webp" || len(photo) >= upload.Len() {
		t.Fatalf("photo: %s, %d bytes from %d", res.Header.Get("Content-Type"), len(photo), upload.Len())
	}
	cfg, err := webp.DecodeConfig(bytes.NewReader(photo))
	if err != nil || cfg.Width != 800 || cfg.Height != 600 {
		t.Fatalf("served photo: %+v %v", cfg, err)
	}

	// Someone who does not keep the exporter cannot change its photo.
	other := site.browser()
	other.login("granted@example.org", testPassword)
	_, _, token = other.get("/cuenta")
	if res, _ := other.upload(photoForm, url.Values{"csrf_token": {token}}, "photo", "x.png", upload.Bytes()); res.StatusCode != http.StatusForbidden {
		t.Fatalf("another institution's editor changed the photo: %v", res.StatusCode)
	}
}

func TestPublicPageCache(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	client := site.http.Client()
	fetch := func(path string, header map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", site.http.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	first, page := fetch("/oferta", nil)
	again, cached := fetch("/oferta", nil)
	if page != cached || first.Header.Get("ETag") != again.Header.Get("ETag") || !strings.Contains(cached, "Loco en conserva") {
		t.Fatalf("the cached catalogue differs from the rendered one: %q %q %d %d", first.Header.Get("ETag"), again.Header.Get("ETag"), len(page), len(cached))
	}
	if again.Header.Get("Set-Cookie") != "" || again.Header.Get("Content-Security-Policy") == "" || again.Header.Get("X-Request-ID") == "" {
		t.Fatalf("cached answer headers: %v", again.Header)
	}
	// Go's client asks for gzip and decodes it, and says so.
	if !again.Uncompressed {
		t.Error("the cached catalogue was not sent compressed")
	}
	if res, _ := fetch("/oferta", map[string]string{"If-None-Match": again.Header.Get("ETag")}); res.StatusCode != http.StatusNotModified {
		t.Errorf("cached page with its ETag: %d", res.StatusCode)
	}
	if _, en := fetch("/oferta", map[string]string{"Accept-Language": "en-US,en;q=0.9"}); !strings.Contains(en, `lang="en"`) {
		t.Error("the English visitor got the Spanish page from the cache")
	}

	// A change made through this instance shows at once.
	status, _ := site.apiCall("admin", "POST", "/api/v1/offer/products", map[string]any{"actor_id": a.ID, "species": "QDM", "presentation": "frozen", "name_es": "Pulpo congelado"})
	if status != http.StatusCreated {
		t.Fatalf("add product: %d", status)
	}
	if _, page := fetch("/oferta", nil); !strings.Contains(page, "Pulpo congelado") {
		t.Fatal("the catalogue still shows the old offer after a change")
	}
	// A refused write (here a failed login) leaves the cache as it was.
	b := site.browser()
	writes := site.srv.publicPages.writes.Load()
	if res := b.login("editor@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("failed login: %d", res.StatusCode)
	}
	if site.srv.publicPages.writes.Load() != writes {
		t.Error("a failed login emptied the page cache")
	}
	// A logged-in editor never gets the anonymous page.
	b.login("editor@example.org", testPassword)
	if _, page, _ := b.get("/"); !strings.Contains(page, "editor") {
		t.Fatal("the logged-in home page came from the anonymous cache")
	}
}
