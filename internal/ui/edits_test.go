package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/production"
)

// postStatus sends a form and returns the answer's status and body.
func (b *browser) postStatus(path string, form url.Values) (int, string) {
	res, body := b.send(path, form)
	return res.StatusCode, body
}

// openForm loads an edit page and returns its form's fields as a person
// would send them back unchanged: text inputs, hidden fields, checked boxes
// and selected options.
func (b *browser) openForm(path string) url.Values {
	b.site.t.Helper()
	status, page, token := b.get(path)
	if status != 200 {
		b.site.t.Fatalf("%s: %d", path, status)
	}
	form := url.Values{"csrf_token": {token}}
	for _, tag := range regexp.MustCompile(`<input[^>]*>|<textarea[^>]*>[^<]*</textarea>|<select[^>]*name="[^"]+"[^>]*>.*?</select>`).FindAllString(page, -1) {
		name := attr(tag, "name")
		switch {
		case name == "" || name == "csrf_token" || strings.Contains(tag, " disabled"):
		case strings.HasPrefix(tag, "<select"):
			if m := regexp.MustCompile(`<option value="([^"]*)"[^>]*selected`).FindStringSubmatch(tag); m != nil {
				form.Add(name, unescape(m[1]))
			}
		case strings.HasPrefix(tag, "<textarea"):
			form.Add(name, unescape(regexp.MustCompile(`>([^<]*)</textarea>`).FindStringSubmatch(tag)[1]))
		case strings.Contains(tag, `type="checkbox"`):
			if strings.Contains(tag, " checked") {
				form.Add(name, cmp.Or(attr(tag, "value"), "on"))
			}
		case strings.Contains(tag, `type="file"`), strings.Contains(tag, `type="submit"`):
		default:
			form.Add(name, unescape(attr(tag, "value")))
		}
	}
	return form
}

func attr(tag, name string) string {
	if m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag); m != nil {
		return m[1]
	}
	return ""
}

func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&#43;", "+").Replace(s)
}

// TestStaleActorFormKeepsBothEdits: two editors open the same actor; the
// first saves a new phone, the second (with the form read before) a new
// name. The second save is refused with 409 and a page that shows the
// stored phone beside the second editor's values; nothing is overwritten,
// and saving again from that page stores the second editor's change.
func TestStaleActorFormKeepsBothEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		page, _ := site.srv.Actors.List(context.Background(), auth.System, actors.Filter{Q: "Mariscos del Sur"})
		id := page.Actors[0].ID
		first, second := site.browser(), site.browser()
		first.login("editor@example.org", testPassword)
		second.login("admin@example.org", testPassword)
		edit := fmt.Sprintf("/actores/%d/editar", id)
		f1, f2 := first.openForm(edit), second.openForm(edit)
		if f1.Get("version") != "1" || f2.Get("version") != "1" {
			t.Fatalf("the edit form carries version %q, want 1", f1.Get("version"))
		}
		f1.Set("telefono", "053-481111")
		if status, body := first.postStatus(fmt.Sprintf("/actores/%d", id), f1); status != http.StatusSeeOther {
			t.Fatalf("first save: %d %s", status, body)
		}
		f2.Set("nombre", "Mariscos del Sur SAC")
		status, body := second.postStatus(fmt.Sprintf("/actores/%d", id), f2)
		if status != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", status)
		}
		for _, want := range []string{`id="conflicto"`, "053-481111", "Mariscos del Sur SAC", `value="Mariscos del Sur SAC"`, `name="version" value="2"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the conflict page lacks %q", want)
			}
		}
		a, _ := site.srv.Actors.Actor(context.Background(), auth.System, id)
		if a.Phone != "053-481111" || a.Name != "Mariscos del Sur Exportadora SAC" || a.Version != 2 {
			t.Fatalf("after the refused save: %q %q version %d", a.Phone, a.Name, a.Version)
		}
		// The second editor, having seen the stored phone, takes it and saves again.
		f2.Set("version", "2")
		f2.Set("telefono", a.Phone)
		if status, body := second.postStatus(fmt.Sprintf("/actores/%d", id), f2); status != http.StatusSeeOther {
			t.Fatalf("saving again: %d %s", status, body)
		}
		a, _ = site.srv.Actors.Actor(context.Background(), auth.System, id)
		if a.Phone != "053-481111" || a.Name != "Mariscos del Sur SAC" || a.Version != 3 {
			t.Fatalf("both edits are not kept: %q %q version %d", a.Phone, a.Name, a.Version)
		}
	})
}

// TestStaleObservationFormKeepsBothEdits: the same for a production figure.
func TestStaleObservationFormKeepsBothEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		o, err := site.srv.Production.Create(context.Background(), site.users["editor"].Principal(), production.Observation{Species: "SNE",
			Presentation: "fresh", Origin: "capture", Place: "PE-MOQ", Measure: "quantity", Year: 2005, Value: 100, Unit: "t", Source: "DIREPRO", Status: "provisional"})
		if err != nil {
			t.Fatal(err)
		}
		first, second := site.browser(), site.browser()
		first.login("editor@example.org", testPassword)
		second.login("admin@example.org", testPassword)
		path := fmt.Sprintf("/produccion/observaciones/%d", o.ID)
		f1, f2 := first.openForm(path), second.openForm(path)
		f1.Set("valor", "120")
		if status, body := first.postStatus(path, f1); status != http.StatusSeeOther {
			t.Fatalf("first save: %d %s", status, body)
		}
		f2.Set("nota", "Revisado con el anuario")
		status, body := second.postStatus(path, f2)
		if status != http.StatusConflict || !strings.Contains(body, `id="conflicto"`) || !strings.Contains(body, "120") ||
			!strings.Contains(body, "Revisado con el anuario") {
			t.Fatalf("stale save: %d, or the page lacks both values", status)
		}
		if got, _ := site.srv.Production.Observation(context.Background(), o.ID); got.Value != 120 || got.Note != "" {
			t.Fatalf("after the refused save: value %v, note %q", got.Value, got.Note)
		}
	})
}

// apiPut sends a PUT with an optional If-Match and returns status, ETag and body.
func (s *testSite) apiPut(as, path, ifMatch string, body any) (int, string, string) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPut, s.http.URL+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.tokens[as])
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	res, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("ETag"), string(out)
}

// TestEveryPutRefusesAStaleWrite reads each kind of record the API changes
// twice, as two editors would, and writes both: the first write passes, the
// second (based on the version read before it) is a 409 that names the
// field the first one changed, with both values, and the first write stays.
func TestEveryPutRefusesAStaleWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		importFixtureActors(t, site)
		editor := site.users["editor"].Principal()
		list, _ := site.srv.Actors.List(ctx, auth.System, actors.Filter{Q: "Mariscos del Sur"})
		exporter := list.Actors[0].ID
		o, err := site.srv.Production.Create(ctx, editor, production.Observation{Species: "SNE", Presentation: "fresh", Origin: "capture",
			Place: "PE-MOQ", Measure: "quantity", Year: 2005, Value: 100, Unit: "t", Source: "DIREPRO", Status: "provisional"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := site.srv.Offer.Save(ctx, editor, offer.Product{ActorID: exporter, Species: "SNE", Presentation: "frozen", Markets: []string{"JPN"}})
		if err != nil {
			t.Fatal(err)
		}
		plans, _ := site.srv.Planning.Plans(ctx)
		a, _ := site.srv.Planning.Activity(ctx, plans[0].ID, "1.1.1", 2008)
		if _, err := site.srv.Planning.SetAnnualItem(ctx, editor, planning.AnnualItem{ActivityID: a.ID, Year: 2008, FundingSource: "GORE"}); err != nil {
			t.Fatal(err)
		}
		annual := fmt.Sprintf("/api/v1/plans/%d/annual/2008/1.1.1", plans[0].ID)
		direpro := site.institution("DIREPRO-ILO")
		granted := site.users["granted"].ID
		tests := []struct {
			name, path, field string
			first, second     any
			read              func() map[string]any // the record as GET gives it
		}{
			{"actor", fmt.Sprintf("/api/v1/actors/%d", exporter), "phone", "053-481111", "+51 53 999999",
				func() map[string]any { return site.record(fmt.Sprintf("/api/v1/actors/%d", exporter), "") }},
			{"observation", fmt.Sprintf("/api/v1/production/observations/%d", o.ID), "value", 120.0, 90.0,
				func() map[string]any { return site.record(fmt.Sprintf("/api/v1/production/observations/%d", o.ID), "") }},
			{"offer product", fmt.Sprintf("/api/v1/offer/products/%d", p.ID), "seasons", "todo el año", "abril a diciembre",
				func() map[string]any { return site.record(fmt.Sprintf("/api/v1/offer/products/%d", p.ID), "") }},
			{"institution", fmt.Sprintf("/api/v1/institutions/%d", direpro), "website", "https://direpro.example.org", "https://gore.example.org",
				func() map[string]any { return site.record(fmt.Sprintf("/api/v1/institutions/%d", direpro), "") }},
			{"user", fmt.Sprintf("/api/v1/users/%d", granted), "name", "Estadística IMARPE", "Oficina IMARPE", func() map[string]any {
				u, _ := site.srv.Accounts.User(ctx, granted)
				b, _ := json.Marshal(u)
				var m map[string]any
				_ = json.Unmarshal(b, &m)
				return m
			}},
			{"POA entry", annual, "responsible_person", "Ing. Flores", "Lic. Ramos", func() map[string]any {
				var m map[string]any
				status, body := site.apiCall("admin", "GET", fmt.Sprintf("/api/v1/plans/%d/annual/2008", plans[0].ID), nil)
				var poa struct{ Items []map[string]any }
				if json.Unmarshal([]byte(body), &poa) != nil || status != 200 || len(poa.Items) != 1 {
					t.Fatalf("POA: %d %s", status, body)
				}
				m = poa.Items[0]
				return m
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				mine, theirs := tt.read(), tt.read()
				read := mine["version"]
				mine[tt.field] = tt.first
				status, etag, body := site.apiPut("admin", tt.path, "", mine)
				if status != 200 || etag != fmt.Sprintf(`"%v"`, read.(float64)+1) {
					t.Fatalf("first write: %d, ETag %s: %s", status, etag, body)
				}
				theirs[tt.field] = tt.second
				status, _, body = site.apiPut("admin", tt.path, fmt.Sprintf(`"%v"`, read), theirs)
				var got httpkit.ErrorBody
				_ = json.Unmarshal([]byte(body), &got)
				c := got.Error.Conflict
				if status != http.StatusConflict || c == nil || c.ReadVersion != int64(read.(float64)) || c.CurrentVersion != c.ReadVersion+1 {
					t.Fatalf("stale write: %d %s", status, body)
				}
				found := false
				for _, ch := range c.Changes {
					if ch.Field == tt.field && fmt.Sprint(ch.Current) == fmt.Sprint(tt.first) {
						found = true
					}
				}
				if !found {
					t.Fatalf("the conflict does not say that %s became %v: %s", tt.field, tt.first, body)
				}
				if now := tt.read(); fmt.Sprint(now[tt.field]) != fmt.Sprint(tt.first) {
					t.Fatalf("the first write was lost: %s = %v", tt.field, now[tt.field])
				}
			})
		}
	})
}

// TestPutWithMissingFieldsChangesNothing: a PUT without "active" (or any
// other field GET always gives), or without a version, is a 422 naming it;
// it used to deactivate the actor.
func TestPutWithMissingFieldsChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		list, _ := site.srv.Actors.List(context.Background(), auth.System, actors.Filter{Q: "Mariscos del Sur"})
		path := fmt.Sprintf("/api/v1/actors/%d", list.Actors[0].ID)
		rec := site.record(path, "editor")
		if status, etag, _ := func() (int, string, string) {
			req, _ := http.NewRequest(http.MethodGet, site.http.URL+path, nil)
			res, err := site.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode, res.Header.Get("ETag"), ""
		}(); status != 200 || etag != `"1"` || rec["version"] != 1.0 {
			t.Fatalf("GET: %d, ETag %s, version %v", status, etag, rec["version"])
		}
		delete(rec, "active")
		rec["name"] = "Renamed"
		status, _, body := site.apiPut("editor", path, "", rec)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"active":"required`) {
			t.Fatalf("PUT without active: %d %s", status, body)
		}
		rec = site.record(path, "editor")
		delete(rec, "version")
		if status, _, body := site.apiPut("editor", path, "", rec); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"version":"required`) {
			t.Fatalf("PUT without a version: %d %s", status, body)
		}
		if status, _, body := site.apiPut("editor", path, `W/"1"`, rec); status != http.StatusUnprocessableEntity {
			t.Fatalf("PUT with a weak If-Match: %d %s", status, body)
		}
		a, _ := site.srv.Actors.Actor(context.Background(), auth.System, list.Actors[0].ID)
		if !a.Active || a.Name != "Mariscos del Sur Exportadora SAC" || a.Version != 1 {
			t.Fatalf("a refused PUT changed the actor: active %v, %q, version %d", a.Active, a.Name, a.Version)
		}
		// The record as GET gives it, sent back whole with If-Match, is accepted.
		rec["name"] = "Renamed"
		if status, etag, body := site.apiPut("editor", path, `"1"`, rec); status != 200 || etag != `"2"` {
			t.Fatalf("whole PUT: %d %s %s", status, etag, body)
		}
		// DELETE honours If-Match too.
		req, _ := http.NewRequest(http.MethodDelete, site.http.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+site.tokens["editor"])
		req.Header.Set("If-Match", `"1"`)
		res, err := site.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale DELETE: %d", res.StatusCode)
		}
	})
}

// TestMemberCannotSetKindsThePlanCounts: a member may edit its own actor,
// but not tag it as a public institution or a financing source (which the
// plan's indicators count); its editors may.
func TestMemberCannotSetKindsThePlanCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		direpro := site.institution("DIREPRO-ILO")
		own, _, err := site.srv.Actors.Create(ctx, auth.Principal{Email: "seed", Role: auth.Editor, Institutions: []int64{direpro}},
			actors.Actor{Name: "Exportadora Ilo SAC", Kinds: []string{"exporter"}})
		if err != nil {
			t.Fatal(err)
		}
		member := site.users["member"]
		member.ActorID = own.ID
		if _, err := site.srv.Accounts.UpdateUser(ctx, auth.System, member.ID, accounts.UserInput{Email: member.Email, Name: member.Name,
			Role: auth.Member, ActorID: own.ID, Active: true, Lang: "es"}); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/actors/%d", own.ID)
		before := indicatorTotals(t, site)
		for _, kind := range []string{"public_institution", "financing_source"} {
			rec := site.record(path, "member")
			rec["kinds"] = []string{"exporter", kind}
			status, _, body := site.apiPut("member", path, "", rec)
			if status != http.StatusForbidden || !strings.Contains(body, `"kinds"`) {
				t.Fatalf("member tagged its actor %s: %d %s", kind, status, body)
			}
		}
		if after := indicatorTotals(t, site); after != before {
			t.Fatalf("the plan's indicators moved: %v → %v", before, after)
		}
		// Its other fields it may change, and the form offers the counted kinds locked.
		rec := site.record(path, "member")
		rec["description"] = "Loco en conserva"
		if status, _, body := site.apiPut("member", path, "", rec); status != 200 {
			t.Fatalf("member's own description: %d %s", status, body)
		}
		b := site.browser()
		b.login("member@example.org", testPassword)
		form := b.openForm(fmt.Sprintf("/actores/%d/editar", own.ID))
		form.Add("tipos", "public_institution")
		if status, body := b.postStatus(fmt.Sprintf("/actores/%d", own.ID), form); status != http.StatusForbidden || !strings.Contains(body, "institucion_publica") {
			t.Fatalf("member's form with a counted kind: %d", status)
		}
		// The editors of its institution may.
		rec = site.record(path, "editor")
		rec["kinds"] = []string{"exporter", "public_institution"}
		if status, _, body := site.apiPut("editor", path, "", rec); status != 200 {
			t.Fatalf("editor: %d %s", status, body)
		}
	})
}

func indicatorTotals(t *testing.T, site *testSite) string {
	t.Helper()
	ind, err := site.srv.Actors.Indicators(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range ind {
		out = append(out, fmt.Sprintf("%s=%d", i.Name, i.Total))
	}
	return strings.Join(out, " ")
}

// TestSharedActivityReportsBelongToTheirInstitution: on 1.3.4, shared by
// DIREPRO and IMARPE, IMARPE's editor neither sees DIREPRO's draft nor
// overwrites, adds evidence to or submits it; once submitted, it reads it.
func TestSharedActivityReportsBelongToTheirInstitution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		plans, _ := site.srv.Planning.Plans(ctx)
		reports := fmt.Sprintf("/api/v1/plans/%d/activities/1.3.4/reports", plans[0].ID)
		status, body := site.apiCall("editor", "POST", reports, map[string]any{"period": "2008", "status": "in_progress", "narrative": "Borrador de DIREPRO"})
		var draft planning.Report
		if err := json.Unmarshal([]byte(body), &draft); status != 200 || err != nil {
			t.Fatalf("DIREPRO's draft: %d %s", status, body)
		}
		if _, body := site.apiCall("granted", "GET", reports, nil); strings.Contains(body, "Borrador de DIREPRO") {
			t.Fatal("IMARPE reads DIREPRO's draft")
		}
		for name, call := range map[string]func() (int, string){
			"overwrite": func() (int, string) {
				return site.apiCall("granted", "POST", reports, map[string]any{"period": "2008", "status": "done", "narrative": "IMARPE", "version": draft.Version})
			},
			"add evidence": func() (int, string) {
				return site.apiCall("granted", "POST", fmt.Sprintf("/api/v1/reports/%d/evidence", draft.ID), map[string]any{"name": "x", "url": "https://example.org/x"})
			},
			"submit": func() (int, string) {
				return site.apiCall("granted", "POST", fmt.Sprintf("/api/v1/reports/%d/submit", draft.ID), nil)
			},
		} {
			if status, body := call(); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("IMARPE could %s DIREPRO's draft: %d %s", name, status, body)
			}
		}
		r, _, err := site.srv.Planning.Report(ctx, site.users["editor"].Principal(), draft.ID)
		if err != nil || r.Narrative != "Borrador de DIREPRO" || r.State != "draft" || len(r.Evidence) != 0 || r.Version != draft.Version {
			t.Fatalf("DIREPRO's draft changed: %+v %v", r, err)
		}
		if status, body := site.apiCall("editor", "POST", fmt.Sprintf("/api/v1/reports/%d/submit", draft.ID), nil); status != 200 {
			t.Fatalf("DIREPRO submits: %d %s", status, body)
		}
		if _, body := site.apiCall("granted", "GET", reports, nil); !strings.Contains(body, "Borrador de DIREPRO") {
			t.Fatal("IMARPE does not read DIREPRO's submitted report")
		}
		// The activity page offers IMARPE no controls on it.
		b := site.browser()
		b.login("granted@example.org", testPassword)
		if _, page, _ := b.get(fmt.Sprintf("/plan/%d/actividades/1.3.4", plans[0].ID)); strings.Contains(page, fmt.Sprintf("/plan-reportes/%d/evidencias", draft.ID)) {
			t.Fatal("IMARPE is offered evidence on DIREPRO's report")
		}
	})
}
