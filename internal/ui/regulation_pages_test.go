package ui

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/regulation"
)

// regulationFixture is a procedure kept by DIREPRO Ilo (the test editor's
// institution) with cases of known durations (../regulation/testdata):
//
//	filed        resolved     business  calendar
//	2025-03-03   2025-03-04   1         1
//	2025-07-25   2025-07-31   2         6   (28 and 29 July are holidays)
//	2025-03-03   2025-03-10   5         7
//	2025-03-03   2025-03-17   10        14
//	2025-12-30   2026-01-05   3         6   (across the new year: 1 January)
//	2025-01-06   —                          (open, long past its 30 days)
//
// For 2025: median the 2nd of 1 2 5 10 (2), 90th percentile the 4th (10);
// calendar 1 6 7 14 (6 and 14).
func regulationFixture(t *testing.T, site *testSite) {
	t.Helper()
	ctx := context.Background()
	editor := site.users["editor"].Principal()
	// The procedures first: the cases name them.
	for _, file := range []struct {
		name string
		run  func(context.Context, auth.Principal, io.Reader, string) (regulation.ImportReport, error)
	}{{"procedimientos.csv", site.srv.Regulation.ImportProcedures}, {"casos.csv", site.srv.Regulation.ImportCases}} {
		f, err := os.Open("../regulation/testdata/" + file.name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = file.run(ctx, editor, f, file.name)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file.name, err)
		}
	}
}

// TestProcedureFiguresThroughTheAPIAndThePage: the contract for GET
// /api/v1/procedures/{code}, the fee as a share of the year's UIT, and the
// page with its figures, its trend and (for its editors only) its cases
// with the late one marked.
func TestProcedureFiguresThroughTheAPIAndThePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		regulationFixture(t, site)
		status, body := site.apiCall("", "GET", "/api/v1/procedures/reg-san?year=2025", nil)
		want := `{"code":"REG-SAN","name":"Registro sanitario de productos pesqueros","legal_days":30,"fee":{"pen":535,"uit_share":0.1},` +
			`"observed":{"n":4,"business_days":{"median":2,"p90":10},"calendar_days":{"median":6,"p90":14},"within_legal_share":1}}`
		if status != 200 || strings.TrimSpace(body) != want {
			t.Errorf("2025: %d\n got %s\nwant %s", status, body, want)
		}
		// The case across the new year: 31 December and 2 and 5 January.
		_, body = site.apiCall("", "GET", "/api/v1/procedures/REG-SAN?year=2026", nil)
		if !strings.Contains(body, `"n":1,"business_days":{"median":3,"p90":3},"calendar_days":{"median":6,"p90":6}`) {
			t.Errorf("2026: %s", body)
		}
		if status, body := site.apiCall("", "GET", "/api/v1/procedures/REG-SAN?year=dos", nil); status != 422 || !strings.Contains(body, `"year"`) {
			t.Errorf("a bad year: %d %s", status, body)
		}
		if status, _ := site.apiCall("", "GET", "/api/v1/procedures/NO-SUCH", nil); status != 404 {
			t.Errorf("an unknown procedure: %d", status)
		}
		_, body = site.apiCall("", "GET", "/api/v1/procedures/REG-SAN/trend", nil)
		if !strings.Contains(body, `{"year":2025,"observed":{"n":4,`) || !strings.Contains(body, `{"year":2026,"observed":{"n":1,`) {
			t.Errorf("trend: %s", body)
		}
		// Cases are their keepers' (and applicants'): the public sees only the figures.
		if _, body := site.apiCall("", "GET", "/api/v1/procedures/REG-SAN/cases", nil); body != "{\"cases\":[]}\n" {
			t.Errorf("anonymous reads cases: %s", body)
		}
		if _, body := site.apiCall("editor", "GET", "/api/v1/procedures/REG-SAN/cases", nil); strings.Count(body, `"file_number"`) != 6 {
			t.Errorf("the editor's cases: %s", body)
		}

		_, page, _ := site.browser().get("/normas/procedimientos/REG-SAN?anio=2025&lang=es")
		for _, s := range []string{"30 días hábiles", "S/ 535 — 10 % de la UIT de 2025 (S/ 5,350)", "☐ Análisis de laboratorio",
			"<dd>2 / 10</dd>", "<dd>6 / 14</dd>", "<dd>100 %</dd>", `<th scope="row">2026</th>`, "D.L. N° 25977"} {
			if !strings.Contains(page, s) {
				t.Errorf("the procedure page lacks %q", s)
			}
		}
		if strings.Contains(page, "E-6") || strings.Contains(page, "Registrar un expediente") {
			t.Error("the public page shows cases or the case form")
		}
		b := site.browser()
		b.login("editor@example.org", testPassword)
		_, page, token := b.get("/normas/procedimientos/REG-SAN?lang=es")
		if !strings.Contains(page, "E-6") || strings.Count(page, "fuera de plazo") != 1 || !strings.Contains(page, "Registrar un expediente") {
			t.Errorf("the editor's page: cases, the late one marked, the form:\n%s", page)
		}
		// A case entered in the form: a bad one is refused by its fields, a good one recorded.
		res, page := b.send("/normas/procedimientos/REG-SAN/casos", url.Values{"csrf_token": {token}, "presentado": {"2025-05-10"},
			"resuelto": {"2025-05-02"}, "resultado": {"aprobado"}, "ruc": {"123"}})
		if res.StatusCode != 422 || !strings.Contains(page, `value="2025-05-02"`) || strings.Count(page, `<p class="errors">`) < 2 {
			t.Errorf("a bad case: %d", res.StatusCode)
		}
		before := site.auditCount()
		res = b.post("/normas/procedimientos/REG-SAN/casos", url.Values{"csrf_token": {token}, "presentado": {"2025-05-05"},
			"resuelto": {"2025-05-12"}, "resultado": {"aprobado"}, "expediente": {"E-7"}})
		if res.StatusCode != http.StatusSeeOther || site.auditCount() != before+1 {
			t.Errorf("a good case: %d, audit %d → %d", res.StatusCode, before, site.auditCount())
		}
		_, body = site.apiCall("", "GET", "/api/v1/procedures/REG-SAN?year=2025", nil)
		if !strings.Contains(body, `"n":5,`) {
			t.Errorf("the new case does not count: %s", body)
		}
		// Another institution's editor neither sees the cases nor adds one.
		other := site.browser()
		other.login("granted@example.org", testPassword)
		_, page, token = other.get("/normas/procedimientos/REG-SAN")
		if strings.Contains(page, "E-6") {
			t.Error("IMARPE's editor reads DIREPRO's cases")
		}
		if res := other.post("/normas/procedimientos/REG-SAN/casos", url.Values{"csrf_token": {token}, "presentado": {"2025-05-05"}}); res.StatusCode != 403 {
			t.Errorf("IMARPE's editor adds a case: %d", res.StatusCode)
		}
		// The editors' worklist.
		_, page, _ = b.get("/normas/casos?lang=es")
		if !strings.Contains(page, "1 fuera de plazo") || !strings.Contains(page, "E-6") {
			t.Errorf("the cases page:\n%s", page)
		}
		if code, _, _ := site.browser().get("/normas/casos"); code != http.StatusSeeOther {
			t.Errorf("anonymous cases page: %d", code)
		}
	})
}

// TestNormPagesShowRelationsBothWaysAndDrafts: a norm repealed by another
// is shown repealed, naming the norm that repeals it, which says what it
// repeals; a draft is seen only by its institution's editors and the
// administrators.
func TestNormPagesShowRelationsBothWaysAndDrafts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		editor := site.users["editor"].Principal()
		if _, err := site.srv.Regulation.CreateNorm(ctx, editor, regulation.Norm{Kind: "ordenanza_regional", Number: "005-2006-CR/GRM",
			Title: "Ordenanza sobre la extracción de loco", Status: "vigente", Published: "2006-05-10"}); err != nil {
			t.Fatal(err)
		}
		if _, err := site.srv.Regulation.CreateNorm(ctx, editor, regulation.Norm{Kind: "ordenanza_regional", Number: "010-2008-CR/GRM",
			Title: "Nueva ordenanza sobre el loco", Published: "2008-03-01", Relations: []regulation.Relation{{Kind: "deroga", Norm: "OR-005-2006-CR-GRM"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := site.srv.Regulation.CreateNorm(ctx, editor, regulation.Norm{Kind: "ordenanza_regional", Number: "001-2027-CR/GRM",
			Title: "Proyecto de ordenanza de ordenamiento acuícola", Draft: true}); err != nil {
			t.Fatal(err)
		}
		anon := site.browser()
		_, old, _ := anon.get("/normas/OR-005-2006-CR-GRM?lang=es")
		for _, s := range []string{"derogada por", `href="/normas/OR-010-2008-CR-GRM">O.R. N° 010-2008-CR/GRM</a>`, "Derogada por", "registrada como vigente"} {
			if !strings.Contains(old, s) {
				t.Errorf("the repealed norm's page lacks %q", s)
			}
		}
		_, repealing, _ := anon.get("/normas/OR-010-2008-CR-GRM?lang=en")
		if !strings.Contains(repealing, `Repeals <a href="/normas/OR-005-2006-CR-GRM">O.R. N° 005-2006-CR/GRM</a>`) {
			t.Errorf("the repealing norm does not say what it repeals:\n%s", repealing)
		}
		_, list, _ := anon.get("/normas?estado=derogada&lang=es")
		if !strings.Contains(list, "O.R. N° 005-2006-CR/GRM") || strings.Contains(list, "O.R. N° 010-2008-CR/GRM") {
			t.Errorf("the repealed norms: %s", list)
		}
		if code, _, _ := anon.get("/normas?estado=anulada"); code != 422 {
			t.Errorf("an unknown status: %d", code)
		}
		// The search finds a word in any form.
		_, found, _ := anon.get("/normas?q=ordenanzas+extraccion")
		if !strings.Contains(found, `href="/normas/OR-005-2006-CR-GRM"`) {
			t.Errorf("the search:\n%s", found)
		}
		// The draft.
		for _, as := range []string{"", "granted", "member"} {
			b := site.browser()
			if as != "" {
				b.login(as+"@example.org", testPassword)
			}
			if code, _, _ := b.get("/normas/OR-001-2027-CR-GRM"); code != 404 {
				t.Errorf("%q opens the draft: %d", as, code)
			}
			if _, list, _ := b.get("/normas?q=acuicola"); strings.Contains(list, "001-2027") {
				t.Errorf("%q finds the draft", as)
			}
			if status, _ := site.apiCall(as, "GET", "/api/v1/norms/OR-001-2027-CR-GRM", nil); status != 404 {
				t.Errorf("%q reads the draft through the API: %d", as, status)
			}
		}
		for _, as := range []string{"editor", "admin"} {
			b := site.browser()
			b.login(as+"@example.org", testPassword)
			if code, page, _ := b.get("/normas/OR-001-2027-CR-GRM?lang=es"); code != 200 || !strings.Contains(page, "Borrador") {
				t.Errorf("%s cannot open the draft: %d", as, code)
			}
		}
		if _, sitemap, _ := anon.get("/sitemap.xml"); !strings.Contains(sitemap, "/normas/OR-005-2006-CR-GRM</loc>") ||
			strings.Contains(sitemap, "001-2027") {
			t.Errorf("the sitemap lists the published norms and not the draft:\n%s", sitemap)
		}
		// Publishing it through the API: the version is required, and the change is audited.
		rec := site.record("/api/v1/norms/OR-001-2027-CR-GRM", "editor")
		rec["draft"] = false
		for _, k := range []string{"citation", "effective_status", "links", "procedures", "requirements"} {
			delete(rec, k) // what GET gives that a PUT does not take
		}
		if status, body := site.apiCall("granted", "PUT", "/api/v1/norms/OR-001-2027-CR-GRM", rec); status != 403 {
			t.Errorf("IMARPE publishes DIREPRO's draft: %d %s", status, body)
		}
		if status, body := site.apiCall("editor", "PUT", "/api/v1/norms/OR-001-2027-CR-GRM", rec); status != 200 {
			t.Errorf("publish: %d %s", status, body)
		}
		if code, _, _ := anon.get("/normas/OR-001-2027-CR-GRM"); code != 200 {
			t.Errorf("the published norm: %d", code)
		}
	})
}

// TestRequirementsOfAProductInAMarket: the species page links to what each
// market asks of its lines, and that page lists Japan's documents (the
// seed's) in the page's language, and refuses a market it does not know
// by its field.
func TestRequirementsOfAProductInAMarket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		b := site.browser()
		_, species, _ := b.get("/oferta/productos/SNE?lang=en")
		link := `href="/normas/requisitos?producto=loco_congelado&amp;mercado=JPN">Japan</a>`
		if !strings.Contains(species, link) {
			t.Fatalf("the species page does not link to Japan's requirements:\n%s", species)
		}
		code, page, _ := b.get("/normas/requisitos?producto=loco_congelado&mercado=JPN&lang=en")
		for _, s := range []string{"Exporting Locos, frozen, dried, salted or in brine to Japan", "Certificate of origin", "Labelling"} {
			if code != 200 || !strings.Contains(page, s) {
				t.Errorf("Japan's requirements in English lack %q (%d)", s, code)
			}
		}
		_, page, _ = b.get("/normas/requisitos?producto=loco_congelado&mercado=JPN&lang=es")
		if !strings.Contains(page, "Exportar Locos congelados, secos, salados o en salmuera a Japón") || !strings.Contains(page, "Certificado de origen") {
			t.Errorf("Japan's requirements in Spanish:\n%s", page)
		}
		code, page, _ = b.get("/normas/requisitos?producto=loco_congelado&mercado=Atlantida&lang=es")
		if code != 422 || !strings.Contains(page, `aria-invalid="true"`) {
			t.Errorf("an unknown market: %d", code)
		}
		status, body := site.apiCall("", "GET", "/api/v1/requirements?product=loco_congelado&market=JPN", nil)
		if status != 200 || !strings.Contains(body, `"market":{"code":392,"iso":"JPN"`) || !strings.Contains(body, `"kind":"origin_certificate"`) {
			t.Errorf("the API: %d %s", status, body)
		}
		if status, body := site.apiCall("", "GET", "/api/v1/requirements?product=perlas", nil); status != 422 || !strings.Contains(body, `"market"`) {
			t.Errorf("the API without a market: %d %s", status, body)
		}
	})
}

// TestRegulationImportsThroughTheWeb: an editor's file with a bad row is
// refused whole, by row and column; a good one is written and audited;
// anonymous visitors and members cannot import.
func TestRegulationImportsThroughTheWeb(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		b := site.browser()
		b.login("editor@example.org", testPassword)
		_, _, token := b.get("/normas/procedimientos/importar")
		bad := "codigo,nombre,institucion,dias_habiles,silencio,tasa_soles,requisitos\n" +
			"LIC-PLANTA,Licencia de operación de planta,DIREPRO-ILO,30,positivo,\"362,60\",Solicitud; Plano de la planta\n" +
			"HAB-SAN,Habilitación sanitaria de planta,SANIPES-X,treinta,quizás,,Solicitud\n"
		res, page := b.upload("/normas/procedimientos/importar", url.Values{"csrf_token": {token}}, "archivo", "tupa.csv", []byte(bad))
		if res.StatusCode != 422 || !strings.Contains(page, "fila 3") || !strings.Contains(page, "dias_habiles") {
			t.Errorf("a bad row: %d\n%s", res.StatusCode, page)
		}
		if list, _ := site.srv.Regulation.Procedures(ctx, auth.System, ""); len(list) != 0 {
			t.Fatalf("the bad file wrote %d procedures", len(list))
		}
		before := site.auditCount()
		good := strings.Split(bad, "\n")
		res, page = b.upload("/normas/procedimientos/importar", url.Values{"csrf_token": {token}}, "archivo", "tupa.csv", []byte(good[0]+"\n"+good[1]+"\n"))
		if res.StatusCode != 200 || site.auditCount() != before+1 {
			t.Errorf("a good file: %d, audit %d → %d\n%s", res.StatusCode, before, site.auditCount(), page)
		}
		// The procedure with its fee as a share of the UIT of this year.
		if _, list, _ := b.get("/normas/procedimientos?lang=es"); !strings.Contains(list, "Licencia de operación de planta") {
			t.Errorf("the procedures page:\n%s", list)
		}
		member := site.browser()
		member.login("member@example.org", testPassword)
		if code, _, _ := member.get("/normas/procedimientos/importar"); code != 403 {
			t.Errorf("a member opens the import: %d", code)
		}
		if code, _, _ := site.browser().get("/normas/importar"); code != http.StatusSeeOther {
			t.Errorf("anonymous opens the import: %d", code)
		}
		if code, body, _ := site.browser().get("/normas/requisitos/plantilla.csv"); code != 200 || !strings.Contains(body, "codigo,producto,mercado,tipo") {
			t.Errorf("the template: %d %q", code, body)
		}
	})
}

// TestNormPageNamesItsSpecies: the seed's loco norm links to the species
// page by the species' name, in the page's language.
func TestNormPageNamesItsSpecies(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	_, page, _ := site.browser().get("/normas/RM-383-2004-PRODUCE?lang=en")
	if !strings.Contains(page, `<a href="/oferta/productos/SNE">Loco (false abalone)</a>`) {
		t.Errorf("the loco norm does not name its species:\n%s", page)
	}
}

// TestNormAndProcedureForms: an editor adds a norm and a procedure in the
// web (the fee read as Spanish spreadsheets write it); a save over a change
// made meanwhile keeps both; another institution's editor cannot open the
// form.
func TestNormAndProcedureForms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		b := site.browser()
		b.login("editor@example.org", testPassword)
		form := b.openForm("/normas/nueva")
		form.Set("kind", "regional_ordinance")
		form.Set("number", "007-2009-CR/GRM")
		form.Set("title", "Ordenanza de ordenamiento del loco")
		form.Set("deroga", "RM-383-2004-PRODUCE")
		form.Set("activities", "4.3.2")
		before := site.auditCount()
		if res := b.post("/normas", form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/normas/OR-007-2009-CR-GRM?ok=saved" {
			t.Fatalf("new norm: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if site.auditCount() != before+1 {
			t.Error("the new norm is not audited")
		}
		if _, page, _ := b.get("/normas/RM-383-2004-PRODUCE?lang=es"); !strings.Contains(page, "derogada por") {
			t.Error("the repealed norm does not say so")
		}
		// Two editors open the form; the second save is refused with both values.
		first, second := b.openForm("/normas/editar/OR-007-2009-CR-GRM"), b.openForm("/normas/editar/OR-007-2009-CR-GRM")
		first.Set("issuer", "Consejo Regional de Moquegua")
		if res := b.post("/normas/OR-007-2009-CR-GRM", first); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save: %d", res.StatusCode)
		}
		second.Set("issuer", "Gobierno Regional de Moquegua")
		status, page := b.postStatus("/normas/OR-007-2009-CR-GRM", second)
		if status != http.StatusConflict || !strings.Contains(page, "Consejo Regional de Moquegua") || !strings.Contains(page, `value="Gobierno Regional de Moquegua"`) {
			t.Errorf("stale save: %d", status)
		}
		proc := b.openForm("/normas/procedimientos/nuevo")
		for k, v := range map[string]string{"code": "lic-planta", "name": "Licencia de operación de planta", "authority": "DIREPRO-ILO",
			"legal_days": "30", "silence": "positive", "fee_pen": "362,60", "fee_year": "2025",
			"requirements": "Solicitud\nPlano de la planta\n", "legal_basis": "DL-25977"} {
			proc.Set(k, v)
		}
		if res := b.post("/normas/procedimientos", proc); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new procedure: %d", res.StatusCode)
		}
		_, body := site.apiCall("", "GET", "/api/v1/procedures/LIC-PLANTA", nil)
		if !strings.Contains(body, `"fee":{"pen":362.6,"uit_share":0.067776}`) {
			t.Errorf("the procedure's fee: %s", body)
		}
		proc.Set("legal_days", "treinta")
		if status, _ := b.postStatus("/normas/procedimientos", proc); status != 422 {
			t.Errorf("a bad term: %d", status)
		}
		other := site.browser()
		other.login("granted@example.org", testPassword)
		for _, path := range []string{"/normas/editar/OR-007-2009-CR-GRM", "/normas/procedimientos/LIC-PLANTA/editar"} {
			if code, _, _ := other.get(path); code != 403 {
				t.Errorf("IMARPE's editor opens %s: %d", path, code)
			}
		}
		// The pages link their forms only for who may use them.
		for path, link := range map[string]string{"/normas/OR-007-2009-CR-GRM": `href="/normas/editar/OR-007-2009-CR-GRM"`,
			"/normas/procedimientos/LIC-PLANTA": `href="/normas/procedimientos/LIC-PLANTA/editar"`} {
			if _, page, _ := b.get(path); !strings.Contains(page, link) {
				t.Errorf("%s does not link its form for its editor", path)
			}
			if _, page, _ := other.get(path); strings.Contains(page, link) {
				t.Errorf("%s links its form for another institution's editor", path)
			}
		}
	})
}

// An editor uploads a norm's full text from its page: the page then links
// the file's stable address, the API's norm gives it as file_url, the
// download is an attachment, and the norm's search finds the file's words.
func TestANormsTextFileFromItsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		const code = "RM-383-2004-PRODUCE"
		b := site.browser()
		b.login("editor@example.org", testPassword)
		_, page, token := b.get("/normas/" + code)
		if !strings.Contains(page, `action="`+regulation.TextPath(code)+`"`) {
			t.Fatal("the norm's page offers its editor no upload of the text")
		}
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
		if version == nil {
			t.Fatal("the upload form has no version")
		}
		text := "Artículo 1.- Se prohíbe la extracción del recurso loco en el litoral de Moquegua."
		res, body := b.multipartForm(regulation.TextPath(code), url.Values{"csrf_token": {token}, "version": {version[1]}},
			map[string]map[string]string{"file": {"rm-383.txt": text}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", res.StatusCode, body)
		}
		// A second upload based on the version read before the first is stale.
		res, _ = b.multipartForm(regulation.TextPath(code), url.Values{"csrf_token": {token}, "version": {version[1]}},
			map[string]map[string]string{"file": {"rm-383.txt": "otro texto"}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("an upload over a newer version: %d, want 409", res.StatusCode)
		}
		visitor := site.browser()
		_, page, _ = visitor.get("/normas/" + code)
		if !strings.Contains(page, `href="`+regulation.TextPath(code)+`" download>rm-383.txt</a>`) || strings.Contains(page, `type="file"`) {
			t.Errorf("the visitor's page lacks the file's link or offers an upload")
		}
		req, _ := http.NewRequest(http.MethodGet, site.http.URL+regulation.TextPath(code), nil)
		got, err := site.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if got.StatusCode != 200 || string(raw) != text || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") ||
			got.Header.Get("Content-Security-Policy") != "sandbox" {
			t.Errorf("download: %d %q %v", got.StatusCode, raw, got.Header)
		}
		_, js := site.getAs("", "/api/v1/norms/"+code)
		if !strings.Contains(js, `"file_url":"`+site.http.URL+regulation.TextPath(code)+`"`) {
			t.Errorf("the API's norm lacks its file_url: %s", js)
		}
		_, page, _ = visitor.get("/normas?q=prohibe+extraccion")
		if !strings.Contains(page, `href="/normas/`+code+`"`) {
			t.Errorf("the search does not find the file's words")
		}
		// The API takes a file as the body, for whom may change the norm.
		put := func(as string) int {
			req, _ := http.NewRequest(http.MethodPut, site.http.URL+"/api/v1/norms/"+code+"/text?name=rm.html",
				strings.NewReader("<p>Reglamento de ordenamiento del marisco</p>"))
			if as != "" {
				req.Header.Set("Authorization", "Bearer "+site.tokens[as])
			}
			res, err := site.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if status := put(""); status != http.StatusUnauthorized {
			t.Errorf("an anonymous PUT of the text: %d", status)
		}
		if status := put("editor"); status != http.StatusOK {
			t.Errorf("the editor's PUT of the text: %d", status)
		}
		if _, js := site.getAs("", "/api/v1/norms/"+code); !strings.Contains(js, `"name":"rm.html"`) {
			t.Errorf("after the API's upload: %s", js)
		}
		// An anonymous upload is refused before its body is read.
		res, _ = visitor.multipartForm(regulation.TextPath(code), url.Values{}, map[string]map[string]string{"file": {"x.txt": "x"}})
		if res.StatusCode < 400 {
			t.Errorf("an anonymous upload: %d", res.StatusCode)
		}
		if status, _ := site.getAs("", regulation.TextPath("DL-25977")); status != 404 {
			t.Errorf("a norm without a file: %d, want 404", status)
		}
	})
}
