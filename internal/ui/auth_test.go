package ui

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/seeding"
)

// testSite is a server on a real listener with the seed institutions and
// one user (with an API token) per role.
type testSite struct {
	t      testing.TB
	db     *db.DB
	srv    *testServer
	http   *httptest.Server
	users  map[string]accounts.User
	tokens map[string]string
}

const testPassword = "correct horse battery"

func newSite(t testing.TB, d *db.DB, tls bool) *testSite {
	t.Helper()
	seeded := dbtest.Cached(t, d, "ui.newSite", func() (siteAccounts, error) { return seedSite(t, d) })
	s := newTestServer(t, d)
	site := &testSite{t: t, db: d, srv: s, users: map[string]accounts.User{}, tokens: map[string]string{}}
	for name, u := range seeded.users {
		site.users[name], site.tokens[name] = u, seeded.tokens[name]
	}
	if tls {
		site.http = httptest.NewTLSServer(s)
	} else {
		site.http = httptest.NewServer(s)
	}
	t.Cleanup(site.http.Close)
	return site
}

// siteAccounts are a test site's users and their API tokens by role name.
type siteAccounts struct {
	users  map[string]accounts.User
	tokens map[string]string
}

// seedSite loads the seed datasets and makes one user (with an API token)
// per role; newSite does it once per test binary and copies the result.
func seedSite(t testing.TB, d *db.DB) (siteAccounts, error) {
	s := newTestServer(t, d)
	ctx := context.Background()
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: s.Accounts, Reference: s.Reference, Production: s.Production, Planning: s.Planning, Trade: s.Trade, Zones: s.Zones}, s.Logger); err != nil {
		return siteAccounts{}, err
	}
	institution := func(code string) []int64 {
		i, err := s.Accounts.InstitutionByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		return []int64{i.ID}
	}
	inputs := map[string]accounts.UserInput{
		"admin":   {Role: auth.Admin},
		"editor":  {Role: auth.Editor, Institutions: institution("DIREPRO-ILO")},
		"granted": {Role: auth.Editor, Institutions: institution("IMARPE"), ReferenceGrant: true},
		"member":  {Role: auth.Member, ActorID: 7},
	}
	made := siteAccounts{users: map[string]accounts.User{}, tokens: map[string]string{}}
	for name, in := range inputs {
		in.Email, in.Name, in.Password = name+"@example.org", name, testPassword
		u, err := s.Accounts.CreateUser(ctx, auth.System, in)
		if err != nil {
			return made, err
		}
		secret, _, err := s.Accounts.CreateToken(ctx, u.Principal(), "test")
		if err != nil {
			return made, err
		}
		made.users[name], made.tokens[name] = u, secret
	}
	return made, nil
}

func (s *testSite) institution(code string) int64 {
	list, err := s.srv.Accounts.Institutions(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	for _, i := range list {
		if i.Code == code {
			return i.ID
		}
	}
	s.t.Fatalf("no institution %s", code)
	return 0
}

func (s *testSite) auditCount() int {
	entries, err := audit.List(context.Background(), s.db, audit.Filter{Limit: 10000})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(entries)
}

// apiCall sends a JSON request as the named user ("" for anonymous).
func (s *testSite) apiCall(as, method, path string, body any) (int, string) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, s.http.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[as])
	}
	res, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// record reads one record from the API as an administrator (or as the
// named user), as a map: what a script changes and sends back with PUT.
func (s *testSite) record(path, as string) map[string]any {
	s.t.Helper()
	status, body := s.apiCall(cmp.Or(as, "admin"), "GET", path, nil)
	var rec map[string]any
	if err := json.Unmarshal([]byte(body), &rec); status != 200 || err != nil {
		s.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if o, ok := rec["observation"].(map[string]any); ok {
		return o
	}
	return rec
}

// userVersion is the current version of a test user's account.
func (s *testSite) userVersion(name string) int64 {
	u, err := s.srv.Accounts.User(context.Background(), s.users[name].ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.Version
}

// browser is a cookie-keeping client that fills in forms as a person does.
type browser struct {
	site   *testSite
	client *http.Client
}

func (s *testSite) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := *s.http.Client() // a copy: the server's client is shared, and each browser keeps its own cookies
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{site: s, client: &c}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// get loads a page and returns its status, body and the CSRF token of its forms.
func (b *browser) get(path string) (int, string, string) {
	b.site.t.Helper()
	res, err := b.client.Get(b.site.http.URL + path)
	if err != nil {
		b.site.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	token := ""
	if m := csrfField.FindSubmatch(body); m != nil {
		token = strings.ReplaceAll(string(m[1]), "&#43;", "+")
	}
	return res.StatusCode, string(body), token
}

func (b *browser) post(path string, form url.Values) *http.Response {
	b.site.t.Helper()
	res, _ := b.send(path, form)
	return res
}

// send posts a form and returns the answer with its body read.
func (b *browser) send(path string, form url.Values) (*http.Response, string) {
	b.site.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.site.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.site.http.URL)
	res, err := b.client.Do(req)
	if err != nil {
		b.site.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// upload posts a multipart form with fields and one file, as a form with a
// file input does, and returns the answer with its body read.
func (b *browser) upload(path string, fields url.Values, field, filename string, content []byte) (*http.Response, string) {
	b.site.t.Helper()
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, filename)
	_, _ = fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.site.http.URL+path, &form)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.site.http.URL)
	res, err := b.client.Do(req)
	if err != nil {
		b.site.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) login(email, password string) *http.Response {
	_, _, token := b.get("/entrar")
	return b.post("/entrar", url.Values{"email": {email}, "password": {password}, "csrf_token": {token}, "next": {"/cuenta"}})
}

func TestAuthorizationMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		direpro, imarpe := site.institution("DIREPRO-ILO"), site.institution("IMARPE")
		inst := func(code string) map[string]any {
			return map[string]any{"code": code, "name": "Institución " + code, "kind": "public", "name_en": "", "website": "", "description": ""}
		}
		// instPut is a whole institution to PUT, at its current version.
		instPut := func(id int64, code string) map[string]any {
			body := inst(code)
			body["version"] = site.record(fmt.Sprintf("/api/v1/institutions/%d", id), "")["version"]
			return body
		}
		user := func(email string) map[string]any {
			return map[string]any{"email": email, "name": "X", "password": "long enough pw", "role": "editor", "institutions": []int64{direpro}, "active": true}
		}
		victim, err := site.srv.Accounts.CreateUser(context.Background(), auth.System, accounts.UserInput{
			Email: "victim@example.org", Name: "Victim", Password: testPassword, Role: auth.Member, ActorID: 8})
		if err != nil {
			t.Fatal(err)
		}
		otherToken := func() int64 {
			_, tok, err := site.srv.Accounts.CreateToken(context.Background(), victim.Principal(), "victim")
			if err != nil {
				t.Fatal(err)
			}
			return tok.ID
		}
		type action struct {
			name    string
			call    func(as string, n int) (int, string)
			allowed map[string]bool
		}
		actions := []action{
			{"create institution", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", "/api/v1/institutions", inst(fmt.Sprintf("NEW-%d", n)))
			}, map[string]bool{"admin": true, "granted": true}},
			{"update own institution (DIREPRO)", func(as string, n int) (int, string) {
				return site.apiCall(as, "PUT", fmt.Sprintf("/api/v1/institutions/%d", direpro), instPut(direpro, "DIREPRO-ILO"))
			}, map[string]bool{"admin": true, "editor": true, "granted": true}},
			{"update another institution (IMARPE)", func(as string, n int) (int, string) {
				return site.apiCall(as, "PUT", fmt.Sprintf("/api/v1/institutions/%d", imarpe), instPut(imarpe, "IMARPE"))
			}, map[string]bool{"admin": true, "granted": true}},
			{"create user", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", "/api/v1/users", user(fmt.Sprintf("new%d@example.org", n)))
			}, map[string]bool{"admin": true}},
			{"update user", func(as string, n int) (int, string) {
				return site.apiCall(as, "PUT", fmt.Sprintf("/api/v1/users/%d", site.users["granted"].ID),
					map[string]any{"email": "granted@example.org", "name": fmt.Sprintf("renamed %d", n), "role": "editor", "institutions": []int64{imarpe},
						"can_edit_reference": true, "active": true, "lang": "es", "version": site.userVersion("granted")})
			}, map[string]bool{"admin": true}},
			{"create own API token", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", "/api/v1/tokens", map[string]string{"name": "script"})
			}, map[string]bool{"admin": true, "editor": true, "granted": true, "member": true}},
			{"revoke someone else's token", func(as string, n int) (int, string) {
				return site.apiCall(as, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", otherToken()), nil)
			}, map[string]bool{"admin": true}},
		}
		obs := func(year int) map[string]any {
			return map[string]any{"species": "UCH", "presentation": "fresh", "origin": "capture", "place": "PE-MOQ",
				"measure": "quantity", "year": year, "value": 10, "unit": "t", "source": "DIREPRO", "status": "provisional"}
		}
		// direproObservation is a fresh figure kept by DIREPRO, for each update or delete.
		direproObservation := func(year int) int64 {
			o, err := site.srv.Production.Create(context.Background(), auth.Principal{Email: "seed", Role: auth.Admin, Institutions: []int64{direpro}},
				production.Observation{Species: "CLM", Presentation: "fresh", Origin: "capture", Place: "PE-MOQ", Measure: "quantity",
					Year: year, Value: 1, Unit: "t", Source: "DIREPRO", Status: "final"})
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		actions = append(actions,
			action{"create production observation", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", "/api/v1/production/observations", obs(1900+n))
			}, map[string]bool{"admin": true, "editor": true, "granted": true}},
			action{"update DIREPRO's observation", func(as string, n int) (int, string) {
				body := obs(1900 + n)
				body["version"] = 1
				return site.apiCall(as, "PUT", fmt.Sprintf("/api/v1/production/observations/%d", direproObservation(1900+n)), body)
			}, map[string]bool{"admin": true, "editor": true}},
			action{"delete DIREPRO's observation", func(as string, n int) (int, string) {
				return site.apiCall(as, "DELETE", fmt.Sprintf("/api/v1/production/observations/%d", direproObservation(1900+n)), nil)
			}, map[string]bool{"admin": true, "editor": true}},
			action{"import production file", func(as string, n int) (int, string) {
				req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/production/import?filename=x.csv", strings.NewReader(
					"especie,presentacion,origen,lugar,medida,anio,valor,unidad,fuente\nMSC,fresco,extraccion,PE-MOQ,cantidad,"+fmt.Sprint(1900+n)+",5,t,X\n"))
				if as != "" {
					req.Header.Set("Authorization", "Bearer "+site.tokens[as])
				}
				res, err := site.http.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}, map[string]bool{"admin": true, "editor": true, "granted": true}},
		)
		// direproActor is a fresh actor kept by DIREPRO, represented by the member (actor 7 is the member's).
		direproActor := func(n int) int64 {
			a, _, err := site.srv.Actors.Create(context.Background(), auth.Principal{Email: "seed", Role: auth.Admin, Institutions: []int64{direpro}},
				actors.Actor{Name: fmt.Sprintf("Exportadora %d SAC", n), Kinds: []string{"exporter"}})
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		memberActor := direproActor(0)
		member := site.users["member"]
		member.ActorID = memberActor
		if _, err := site.srv.Accounts.UpdateUser(context.Background(), auth.System, member.ID, accounts.UserInput{Email: member.Email, Name: member.Name,
			Role: auth.Member, ActorID: memberActor, Active: true, Lang: "es"}); err != nil {
			t.Fatal(err)
		}
		actorBody := func(n int) map[string]any {
			return map[string]any{"name": fmt.Sprintf("Actor %d", n), "kinds": []string{"exporter"}, "district": "Ilo"}
		}
		// actorPut is actor id as GET gives it, renamed: a whole record to PUT.
		actorPut := func(id int64, n int) map[string]any {
			body := site.record(fmt.Sprintf("/api/v1/actors/%d", id), "")
			body["name"] = fmt.Sprintf("Actor %d", n)
			return body
		}
		actions = append(actions,
			action{"register actor", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", "/api/v1/actors", actorBody(n))
			}, map[string]bool{"admin": true, "editor": true, "granted": true}},
			action{"update DIREPRO's actor", func(as string, n int) (int, string) {
				id := direproActor(n)
				return site.apiCall(as, "PUT", fmt.Sprintf("/api/v1/actors/%d", id), actorPut(id, n))
			}, map[string]bool{"admin": true, "editor": true}},
			action{"member's own actor profile", func(as string, n int) (int, string) {
				return site.apiCall(as, "PUT", fmt.Sprintf("/api/v1/actors/%d", memberActor), actorPut(memberActor, n))
			}, map[string]bool{"admin": true, "editor": true, "member": true}},
			action{"deactivate DIREPRO's actor", func(as string, n int) (int, string) {
				return site.apiCall(as, "DELETE", fmt.Sprintf("/api/v1/actors/%d", direproActor(n)), nil)
			}, map[string]bool{"admin": true, "editor": true}},
			action{"offer a product of the member's exporter", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", "/api/v1/offer/products", map[string]any{"actor_id": memberActor, "species": "SNE", "presentation": "canned"})
			}, map[string]bool{"admin": true, "editor": true, "member": true}},
			action{"change a product of DIREPRO's exporter", func(as string, n int) (int, string) {
				p, err := site.srv.Offer.Save(context.Background(), auth.Principal{Email: "seed", Role: auth.Admin},
					offer.Product{ActorID: direproActor(100 + n), Species: "SNE", Presentation: "frozen"})
				if err != nil {
					t.Fatal(err)
				}
				return site.apiCall(as, "PUT", fmt.Sprintf("/api/v1/offer/products/%d", p.ID), map[string]any{"species": "SNE", "presentation": "canned", "markets": []string{}, "version": p.Version})
			}, map[string]bool{"admin": true, "editor": true}},
		)
		plans, _ := site.srv.Planning.Plans(context.Background())
		planURL := fmt.Sprintf("/api/v1/plans/%d/activities/1.1.1/reports", plans[0].ID) // Mesa de Trabajo and DR PRODUCE take part
		// submittedReport is a fresh report of DIREPRO's on 1.1.1, waiting for review.
		submittedReport := func(n int) int64 {
			a, _ := site.srv.Planning.Activity(context.Background(), plans[0].ID, "1.1.1", 2008)
			ed := site.users["editor"].Principal()
			r, err := site.srv.Planning.SaveReport(context.Background(), ed, a.ID, planning.ReportInput{Period: fmt.Sprint(1990 + n), Status: "done"})
			if err == nil {
				_, err = site.srv.Planning.Submit(context.Background(), ed, r.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		actions = append(actions,
			action{"report progress on 1.1.1", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", planURL, map[string]any{"period": fmt.Sprint(1990 + n), "status": "in_progress"})
			}, map[string]bool{"admin": true, "editor": true}},
			action{"import trade statistics", func(as string, n int) (int, string) {
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/markets/imports?format=sriim&name=t%d.csv", site.http.URL, n), strings.NewReader(
					"reportero,socio,flujo,clasificacion,codigo,anio,valor_usd\nPER,JPN,exportacion,PE,0307992000,"+fmt.Sprint(1990+n)+",1000\n"))
				if as != "" {
					req.Header.Set("Authorization", "Bearer "+site.tokens[as])
				}
				res, err := site.http.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}, map[string]bool{"admin": true, "granted": true}},
			action{"approve a report", func(as string, n int) (int, string) {
				return site.apiCall(as, "POST", fmt.Sprintf("/api/v1/reports/%d/approve", submittedReport(n)), nil)
			}, map[string]bool{"admin": true}},
		)
		n := 0
		for _, a := range actions {
			for _, role := range []string{"admin", "editor", "granted", "member", ""} {
				n++
				name := role
				if name == "" {
					name = "anonymous"
				}
				t.Run(a.name+"/"+name, func(t *testing.T) {
					before := site.auditCount()
					status, body := a.call(role, n)
					after := site.auditCount()
					if a.name == "revoke someone else's token" || strings.HasSuffix(a.name, "DIREPRO's observation") || strings.HasSuffix(a.name, "DIREPRO's actor") {
						before++ // making the record to act on is itself audited
					}
					if a.name == "approve a report" || strings.HasSuffix(a.name, "DIREPRO's exporter") {
						before += 2 // so are saving and submitting the report to approve, or the exporter and its product
					}
					switch {
					case a.allowed[role]:
						if status >= 300 {
							t.Fatalf("allowed, but got %d: %s", status, body)
						}
						if after != before+1 {
							t.Fatalf("allowed write left %d audit rows, want 1", after-before)
						}
					case role == "":
						if status != http.StatusUnauthorized || after != before {
							t.Fatalf("anonymous: %d (audit +%d): %s", status, after-before, body)
						}
					default:
						if status != http.StatusForbidden || !strings.Contains(body, `"kind":"forbidden"`) {
							t.Fatalf("forbidden, but got %d: %s", status, body)
						}
						if after != before {
							t.Fatalf("a refused write changed the audit log (+%d)", after-before)
						}
					}
				})
			}
		}
		// Refused updates changed nothing.
		got, _ := site.srv.Accounts.Institution(context.Background(), imarpe)
		if got.Name != "Institución IMARPE" {
			t.Fatalf("IMARPE name %q", got.Name)
		}
	})
}

func TestFormPostWithoutCSRFTokenIsRefused(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	if res := b.login("admin@example.org", testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	before := site.auditCount()
	form := url.Values{"code": {"CSRF-TEST"}, "name": {"X"}, "kind": {"public"}}
	if res := b.post("/instituciones", form); res.StatusCode != http.StatusForbidden {
		t.Fatalf("post without token: %d", res.StatusCode)
	}
	form.Set("csrf_token", "forged")
	if res := b.post("/instituciones", form); res.StatusCode != http.StatusForbidden {
		t.Fatalf("post with a forged token: %d", res.StatusCode)
	}
	if site.auditCount() != before {
		t.Fatal("a refused form changed something")
	}
	_, _, token := b.get("/instituciones/nueva")
	form.Set("csrf_token", token)
	if res := b.post("/instituciones", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post with the form's token: %d", res.StatusCode)
	}
	// A cross-site post with a valid token is refused too (Origin check).
	req, _ := http.NewRequest(http.MethodPost, site.http.URL+"/instituciones", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin post: %d", res.StatusCode)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	for _, tls := range []bool{false, true} {
		site := newSite(t, dbtest.Open(t, db.SQLite), tls)
		b := site.browser()
		res := b.login("editor@example.org", testPassword)
		var c *http.Cookie
		for _, k := range res.Cookies() {
			if k.Name == httpkit.SessionCookie {
				c = k
			}
		}
		if c == nil {
			t.Fatalf("tls=%v: no session cookie (status %d)", tls, res.StatusCode)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tls {
			t.Errorf("tls=%v: cookie HttpOnly=%v SameSite=%v Secure=%v", tls, c.HttpOnly, c.SameSite, c.Secure)
		}
		// Logging in again gives a new session; the old one stops working.
		old := c.Value
		b.login("editor@example.org", testPassword)
		if _, err := site.srv.Accounts.SessionUser(context.Background(), old); err == nil {
			t.Errorf("tls=%v: old session survives a new login", tls)
		}
	}
}

func TestSixthWrongPasswordIsThrottled(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	for i := 1; i <= 5; i++ {
		if res := b.login("editor@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	if res := b.login("editor@example.org", testPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: %d, want 429", res.StatusCode)
	}
}

func TestAPITokensWorkAndCanBeRevoked(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	status, body := site.apiCall("editor", "POST", "/api/v1/tokens", map[string]string{"name": "nightly import"})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var created struct {
		Secret string
		Token  accounts.Token
	}
	_ = json.Unmarshal([]byte(body), &created)
	site.tokens["script"] = created.Secret
	if status, body := site.apiCall("script", "GET", "/api/v1/me", nil); status != 200 || !strings.Contains(body, "editor@example.org") {
		t.Fatalf("me with the new token: %d %s", status, body)
	}
	if status, _ := site.apiCall("script", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.Token.ID), nil); status != http.StatusNoContent {
		t.Fatalf("revoke: %d", status)
	}
	if status, _ := site.apiCall("script", "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", status)
	}
	if status, _ := site.apiCall("", "GET", "/api/v1/institutions", nil); status != 200 {
		t.Fatalf("anonymous read of public data: %d", status)
	}
}

func TestAuditPageAndCSV(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	id := site.institution("IMARPE")
	imarpe := site.record(fmt.Sprintf("/api/v1/institutions/%d", id), "")
	imarpe["name"] = "IMARPE renamed"
	site.apiCall("admin", "PUT", fmt.Sprintf("/api/v1/institutions/%d", id), imarpe)
	if status, body := site.apiCall("member", "GET", "/api/v1/audit", nil); status != http.StatusForbidden {
		t.Fatalf("member reads audit: %d %s", status, body)
	}
	// An editor reads the change; who made it is the administrators' to see.
	status, body := site.apiCall("editor", "GET", fmt.Sprintf("/api/v1/audit?entity=institution&entity_id=%d", id), nil)
	if status != 200 || !strings.Contains(body, "IMARPE renamed") || !strings.Contains(body, `"user":""`) {
		t.Fatalf("audit API: %d %s", status, body)
	}
	if status, body := site.apiCall("admin", "GET", fmt.Sprintf("/api/v1/audit?entity=institution&entity_id=%d", id), nil); status != 200 || !strings.Contains(body, `"user":"admin@example.org"`) {
		t.Fatalf("audit API for the administrator: %d %s", status, body)
	}
	b := site.browser()
	b.login("admin@example.org", testPassword)
	if status, page, _ := b.get("/admin/auditoria?entity=institution"); status != 200 || !strings.Contains(page, "IMARPE renamed") {
		t.Fatalf("audit page: %d", status)
	}
	res, err := b.client.Get(site.http.URL + "/admin/auditoria?entity=institution&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	csvBody, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(csvBody), "\xef\xbb\xbfid,at,user_id,user,action") {
		t.Fatalf("csv: %s", csvBody)
	}
}

func TestLoginRedirectsOnlyToLocalPaths(t *testing.T) {
	for next, want := range map[string]string{"/admin/usuarios": "/admin/usuarios", "https://evil.example/": "/cuenta", "//evil.example": "/cuenta", "/\\evil": "/cuenta"} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}
