package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/vocab"
)

// foreignText finds, in a page's text, the catalogue text of languages
// other than the page's: each interface text and message of another
// language that its own catalogues do not also have, as a pattern (its
// verbs match what fills them), looked up by its longest word.
type foreignText struct {
	byWord map[string][]foreignPattern
}

type foreignPattern struct {
	text, lang string
	re         *regexp.Regexp
}

// shortText is how many words a catalogue text may have and still be a word
// that data can hold ("Producción" in "Ministerio de la Producción"): such a
// text is found only when it is all a text node holds.
const shortText = 2

var wordRE = regexp.MustCompile(`[\p{L}]{3,}`)

func newForeignText(page i18n.Lang) *foreignText {
	own := map[string]bool{}
	for _, s := range i18n.Texts(page) {
		own[s] = true
	}
	if page == i18n.EN {
		// English is the message catalogues' source: their ids are its text.
		for _, lang := range i18n.Supported {
			for _, id := range i18n.MessageIDs(lang) {
				own[id] = true
			}
		}
	}
	f := &foreignText{byWord: map[string][]foreignPattern{}}
	add := func(lang i18n.Lang, s string) {
		if own[s] {
			return
		}
		words := wordRE.FindAllString(verbRE.ReplaceAllString(s, " "), -1)
		if len(words) == 0 {
			return // codes, numbers, punctuation: not one language's
		}
		longest := ""
		for _, w := range words {
			if len(w) > len(longest) {
				longest = w
			}
		}
		var re strings.Builder
		start, end := `(?:^|[^\pL\pN])`, `(?:$|[^\pL\pN])`
		if len(words) <= shortText {
			start, end = `^[^\pL]*`, `[^\pL]*$`
		}
		re.WriteString(start)
		verbs := verbRE.FindAllString(s, -1)
		for i, lit := range verbRE.Split(s, -1) {
			if i > 0 {
				switch verbs[i-1][len(verbs[i-1])-1] {
				case 'd', 'f':
					re.WriteString(`[\d.,]+`) // a number
				default:
					re.WriteString(`.+?`)
				}
			}
			re.WriteString(regexp.QuoteMeta(lit))
		}
		re.WriteString(end)
		f.byWord[longest] = append(f.byWord[longest], foreignPattern{s, string(lang), regexp.MustCompile(re.String())})
	}
	for _, lang := range i18n.Supported {
		if lang == page {
			continue
		}
		for _, s := range i18n.Texts(lang) {
			add(lang, s)
		}
		if lang == i18n.EN {
			for _, other := range i18n.Supported {
				for _, id := range i18n.MessageIDs(other) {
					add(lang, id)
				}
			}
		}
	}
	return f
}

var verbRE = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)

// find returns the foreign catalogue text that s holds, if any.
func (f *foreignText) find(s string) (foreignPattern, bool) {
	for _, w := range wordRE.FindAllString(s, -1) {
		for _, p := range f.byWord[w] {
			if p.re.MatchString(s) {
				return p, true
			}
		}
	}
	return foreignPattern{}, false
}

// humanAttrs are the attributes whose text people read or hear.
var humanAttrs = map[string]bool{"alt": true, "title": true, "aria-label": true, "placeholder": true}

// otherLanguageText lists the texts of a page in its language (elements
// marked with another lang attribute excepted) that are another language's
// catalogue text.
func otherLanguageText(t *testing.T, page i18n.Lang, foreign *foreignText, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	check := func(s string) {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" || !strings.ContainsFunc(s, unicode.IsLetter) {
			return
		}
		if p, ok := foreign.find(s); ok {
			found = append(found, fmt.Sprintf("%q (%s catalogue: %q)", s, p.lang, p.text))
		}
	}
	var walk func(n *html.Node, lang string)
	walk = func(n *html.Node, lang string) {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "style" || n.Data == "code" {
				return
			}
			for _, a := range n.Attr {
				if a.Key == "lang" {
					lang = a.Val
				}
			}
			if lang == string(page) {
				for _, a := range n.Attr {
					if humanAttrs[a.Key] {
						check(a.Val)
					}
				}
			}
		}
		if n.Type == html.TextNode && lang == string(page) {
			check(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, lang)
		}
	}
	walk(doc, "")
	return found
}

// rawCodes are the codes and Spanish vocabulary words that public pages
// must show by their names: each vocabulary term whose name in lang is not
// the code itself, and the species codes.
func rawCodes(t *testing.T, site *testSite, lang i18n.Lang) map[string]bool {
	t.Helper()
	codes := map[string]bool{}
	for prefix, list := range map[string]vocab.List{"presentation": production.Presentations, "origin": production.Origins,
		"measure": production.Measures, "status": production.Statuses} {
		for _, term := range list {
			name := strings.ToLower(i18n.T(lang, prefix+"."+term.Code))
			for _, raw := range []string{term.Code, term.ES} {
				if raw != name {
					codes[raw] = true
				}
			}
		}
	}
	species, err := site.srv.Reference.Species(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range species {
		codes[sp.Code] = true
	}
	places, err := site.srv.Reference.Places(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range places {
		if pl.Name(lang) != pl.Code {
			codes[pl.Code] = true
		}
	}
	return codes
}

// rawCodesShown lists the text nodes of a page (outside <code>) that are
// only a raw code.
func rawCodesShown(t *testing.T, codes map[string]bool, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "code" || n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode {
			if s := strings.Trim(n.Data, " \n\t()·—:,."); codes[s] {
				found = append(found, s)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// TestEveryPageSpeaksOneLanguage renders every page of the route table in
// each language, as an administrator, with sample data and with forms that
// failed (a domain package's validation error, a failed import, a refused
// change), and fails when a page shows text of another language's
// catalogue outside an element marked with that language.
func TestEveryPageSpeaksOneLanguage(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	ctx := context.Background()
	importFixtureActors(t, site)
	exporter, product := site.exporterWithProduct()
	admin, editor := site.users["admin"].Principal(), site.users["editor"].Principal()

	plans, err := site.srv.Planning.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	planID := plans[0].ID
	act, err := site.srv.Planning.Activity(ctx, planID, "1.1.1", 2008)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := site.srv.Planning.SaveReport(ctx, editor, act.ID, planning.ReportInput{Period: "2008", Status: "in_progress",
		Narrative: "Avance de prueba.", Values: map[int64]float64{act.Indicators[1].ID: 12}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := site.srv.Planning.AddEvidence(ctx, editor, rep.ID, "acta.txt", "", "text/plain", strings.NewReader("acta"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.srv.Planning.Submit(ctx, editor, rep.ID); err != nil {
		t.Fatal(err)
	}
	market, err := site.srv.Trade.BuildReport(ctx, admin, "2006-S1", "es", nil)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := os.Open("../trade/testdata/comtrade-legacy-bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	batch, err := site.srv.Trade.Start(ctx, admin, "comtrade-legacy", "comtrade-legacy-bad.csv", "UN Comtrade")
	if err != nil {
		t.Fatal(err)
	}
	if batch, _ = site.srv.Trade.Import(ctx, admin, batch, bad); batch.State != "failed" {
		t.Fatalf("the bad trade file imported: %+v", batch)
	}
	var observation int64
	if err := site.db.Read().QueryRowContext(ctx, "SELECT min(id) FROM production_observations").Scan(&observation); err != nil {
		t.Fatal(err)
	}
	regulationFixture(t, site)
	otherActor, _, err := site.srv.Actors.Create(ctx, auth.Principal{Email: "seed", Role: auth.Admin, Institutions: []int64{site.institution("IMARPE")}},
		actors.Actor{Name: "Laboratorio Costero", Kinds: []string{"laboratory"}})
	if err != nil {
		t.Fatal(err)
	}

	event, staged := site.eventWithAttendance(planID, "1.3.1")
	doc, item := site.archiveSamples()
	site.importDeclarations()
	exportBatches, err := site.srv.Exports.Batches(ctx)
	if err != nil || len(exportBatches) == 0 {
		t.Fatalf("export declarations: %v", err)
	}

	// Where each route with wildcards is visited; a route without one here
	// fails the test, so that every new page is checked.
	samples := map[string]string{
		"GET /actores/{id}":                                       fmt.Sprintf("/actores/%d", exporter.ID),
		"GET /actores/{id}/editar":                                fmt.Sprintf("/actores/%d/editar", exporter.ID),
		"GET /actores/{id}/exportaciones":                         fmt.Sprintf("/actores/%d/exportaciones?from=2004&to=2006", exporter.ID),
		"GET /actores/{id}/exportaciones/datos.csv":               "",
		"GET /actores/{id}/exportaciones/datos.xlsx":              "",
		"GET /mercados/exportaciones/importaciones/{id}":          fmt.Sprintf("/mercados/exportaciones/importaciones/%d", exportBatches[0].ID),
		"GET /mercados/exportaciones?by=destination":              "/mercados/exportaciones?from=2004&to=2006&by=destination",
		"GET /mercados/exportaciones?by=exporter":                 "/mercados/exportaciones?from=2004&to=2006&by=exporter",
		"GET /mercados/precios/{species}":                         "/mercados/precios/SNE?from=2004&to=2006",
		"GET /mercados/precios/{species}/grafico.svg":             "",
		"GET /mercados/precios/{species}/serie.csv":               "",
		"GET /mercados/precios/{species}/serie.xlsx":              "",
		"GET /mercados/precios/{id}/editar":                       "/mercados/precios/1/editar",
		"GET /admin/usuarios/{id}":                                fmt.Sprintf("/admin/usuarios/%d", site.users["editor"].ID),
		"GET /instituciones/{id}":                                 fmt.Sprintf("/instituciones/%d", site.institution("DIREPRO-ILO")),
		"GET /mercados/importaciones/{id}":                        fmt.Sprintf("/mercados/importaciones/%d", batch.ID),
		"GET /mercados/informes/{id}":                             fmt.Sprintf("/mercados/informes/%d", market.ID),
		"GET /mercados/informes/{id}/anexo.xlsx":                  "",
		"GET /mercados/informes/{id}/informe.pdf":                 "",
		"GET /mercados/informes/{id}/graficos/{line}":             "",
		"GET /oferta/exportadores/{id}":                           fmt.Sprintf("/oferta/exportadores/%d", exporter.ID),
		"GET /oferta/exportadores/{id}/mensajes":                  fmt.Sprintf("/oferta/exportadores/%d/mensajes", exporter.ID),
		"GET /oferta/exportadores/{id}/productos/nuevo":           fmt.Sprintf("/oferta/exportadores/%d/productos/nuevo", exporter.ID),
		"GET /oferta/fotos/{name}":                                "",
		"GET /oferta/productos-exportador/{pid}":                  fmt.Sprintf("/oferta/productos-exportador/%d", product.ID),
		"GET /oferta/productos/{species}":                         "/oferta/productos/SNE",
		"GET /plan-evidencias/{eid}":                              fmt.Sprintf("/plan-evidencias/%d", ev.ID),
		"GET /plan-reportes/{rid}":                                fmt.Sprintf("/plan-reportes/%d", rep.ID),
		"GET /plan-reportes/{rid}/reporte.pdf":                    "",
		"GET /plan-reportes/{rid}/reporte.xlsx":                   "",
		"GET /plan/{id}":                                          fmt.Sprintf("/plan/%d?anio=2008", planID),
		"GET /plan/{id}/actividades/{code}":                       fmt.Sprintf("/plan/%d/actividades/1.1.1?anio=2008", planID),
		"GET /plan/{id}/actividades/{code}/indicadores/{iid}":     "",
		"GET /plan/{id}/cronograma.svg":                           "",
		"GET /plan/{id}/pendientes":                               fmt.Sprintf("/plan/%d/pendientes?anio=2008", planID),
		"GET /plan/{id}/plan.pdf":                                 "",
		"GET /plan/{id}/plan.xlsx":                                "",
		"GET /plan/{id}/poa":                                      fmt.Sprintf("/plan/%d/poa?anio=2008", planID),
		"GET /produccion/observaciones/{id}":                      fmt.Sprintf("/produccion/observaciones/%d", observation),
		"GET /static/{hash}/{name...}":                            "",
		"GET /eventos/{id}":                                       fmt.Sprintf("/eventos/%d", event.ID),
		"GET /eventos/{id}/editar":                                fmt.Sprintf("/eventos/%d/editar", event.ID),
		"GET /eventos-asistencia/{sid}":                           fmt.Sprintf("/eventos-asistencia/%d", staged.ID),
		"GET /plan/{id}/indicadores":                              fmt.Sprintf("/plan/%d/indicadores", planID),
		"GET /plan/{id}/completitud":                              fmt.Sprintf("/plan/%d/completitud?anio=2008", planID),
		"GET /plan/{id}/tablero":                                  fmt.Sprintf("/plan/%d/tablero?desde=2005&hasta=2010", planID),
		"GET /plan/{id}/tablero/{key}":                            "",
		"GET /eventos?anio=2009&tipo=taller":                      "/eventos?anio=2009&tipo=taller",
		"GET /zonas/{layer}":                                      "/zonas/desembarcaderos",
		"GET /zonas/{layer}/{code}":                               "/zonas/desembarcaderos/DPA-ILO",
		"GET /zonas/{layer}/datos.csv":                            "",
		"GET /zonas/{layer}/datos.geojson":                        "",
		"GET /zonas/{layer}/datos.xlsx":                           "",
		"GET /normas/{code}":                                      "/normas/DL-25977",
		"GET /normas/procedimientos/{code}":                       "/normas/procedimientos/REG-SAN",
		"GET /normas/editar/{code}":                               "/normas/editar/DL-25977",
		"GET /normas/procedimientos/{code}/editar":                "/normas/procedimientos/REG-SAN/editar",
		"GET /normas/requisitos?mercado=JPN":                      "/normas/requisitos?producto=loco_congelado&mercado=JPN",
		"GET /normas/requisitos/{code}/editar":                    "/normas/requisitos/HK-0307-SAN/editar",
		"GET /normas/feriados/{day}/editar":                       "/normas/feriados/2026-07-28/editar",
		"GET /normas/uit/{year}/editar":                           "/normas/uit/2026/editar",
		"GET /normas/texto/{code}":                                "",
		"GET /archivo/{id}":                                       fmt.Sprintf("/archivo/%d", doc),
		"GET /archivo/editar/{id}":                                fmt.Sprintf("/archivo/editar/%d", doc),
		"GET /archivo/archivos/{id}":                              "",
		"GET /noticias/{id}":                                      fmt.Sprintf("/noticias/%d", item),
		"GET /noticias/editar/{id}":                               fmt.Sprintf("/noticias/editar/%d", item),
		"GET /noticias/fotos/{id}":                                "",
		"GET /produccion?especie=SNE&desde=1997&hasta=2003":       "/produccion?especie=SNE&lugar=PE-MOQ&desde=1997&hasta=2003",
		"GET /mercados?hs=030799&desde=2000&hasta=2005&anio=2004": "/mercados?desde=2000&hasta=2005&anio=2004",
	}
	var paths []string
	for _, pattern := range site.srv.k.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || method != http.MethodGet || strings.HasPrefix(path, "/api/") {
			continue
		}
		path = strings.TrimSuffix(path, "{$}")
		if !strings.Contains(path, "{") {
			paths = append(paths, path)
			continue
		}
		sample, ok := samples[pattern]
		if !ok {
			t.Errorf("%s: add a sample address for it to this test (\"\" for a file that is not a page)", pattern)
		}
		if sample != "" {
			paths = append(paths, sample)
		}
	}
	for pattern, sample := range samples {
		if !strings.Contains(pattern, "{") {
			paths = append(paths, sample) // a page with a selection
		}
	}
	paths = append(paths, "/no-such-page")
	sort.Strings(paths)

	csv := func(s string) []byte { return []byte(s) }
	// Forms sent with mistakes, and what each must show.
	type post struct {
		path   string
		form   url.Values
		file   []byte // uploaded as "archivo" when not nil
		name   string
		status int
	}
	posts := []post{
		// A domain package's validation error: the RUC's check digit.
		{path: "/actores", form: url.Values{"nombre": {"Pesquera Norte SAC"}, "ruc": {"20100000002"}, "tipos": {"exporter"}, "correo": {"no es un correo"}}, status: 422},
		{path: "/actores/importar", file: csv("nombre,tipos,ruc,distrito\nA,exportador,20100000002,Ilo\nB,no_es_tipo,,Marte\nA,exportador,20100000002,Ilo\n"), name: "actores.csv", status: 422},
		{path: "/actores/importar", file: csv("nombre,tipos\n\"A,exportador\n"), name: "roto.csv", status: 422},
		{path: "/actores/importar", file: csv("PK\x03\x04garbage"), name: "roto.xlsx", status: 422},
		{path: "/produccion/importar", file: csv("especie,presentacion,origen,lugar,medida,anio,valor,unidad,fuente\nCLM,fresco,extraccion,PE-MOQ,cantidad,2005,cinco,t,X\nXXX,fresco,extraccion,PE-MARS,cantidad,2005,5,t,X\n"), name: "p.csv", status: 422},
		{path: "/produccion/observaciones", form: url.Values{"especie": {"XXX"}, "valor": {"diez"}}, status: 422},
		{path: fmt.Sprintf("/plan/%d/actividades/1.1.1/reportes", planID), form: url.Values{"period": {"2008-S3"}, "status": {"done"}}, status: 422},
		{path: fmt.Sprintf("/plan/%d/actividades/1.1.1/reportes", planID), form: url.Values{"period": {"2008"}, "status": {"done"}}, status: 409},
		{path: fmt.Sprintf("/oferta/exportadores/%d/contacto", exporter.ID), form: url.Values{"name": {""}, "email": {"x"}, "message": {"corto"}}, status: 422},
		{path: fmt.Sprintf("/oferta/exportadores/%d/productos", exporter.ID), form: url.Values{"species": {"XXX"}, "presentation": {"raw"}, "markets": {"japan"}}, status: 422},
		{path: "/normas/procedimientos/importar", file: csv("codigo,nombre,institucion,dias_habiles,silencio,tasa_soles,requisitos\nX-1,Trámite,NO-EXISTE,treinta,quizás,,\n"), name: "tupa.csv", status: 422},
		{path: "/normas/procedimientos/REG-SAN", form: url.Values{"code": {"REG-SAN"}, "name": {"Registro"}, "authority": {"NO-EXISTE"}, "legal_days": {"treinta"}}, status: 422},
		{path: "/normas", form: url.Values{"kind": {"ley"}, "number": {"29999"}, "title": {"Ley de prueba"}, "deroga": {"NO-EXISTE"}}, status: 422},
		{path: "/normas/requisitos", form: url.Values{"code": {"X-1"}, "product": {"loco_congelado"}, "market": {"Japón"}, "kind": {"sanitary_certificate"}}, status: 422},
		{path: "/normas/feriados", form: url.Values{"day": {"mañana"}, "name": {""}, "kind": {"regional"}}, status: 422},
		{path: "/normas/uit", form: url.Values{"year": {"dos mil"}, "value_pen": {"mucho"}}, status: 422},
		{path: "/normas/procedimientos/REG-SAN/casos", form: url.Values{"presentado": {"2025-05-10"}, "resuelto": {"2025-05-02"}, "ruc": {"123"}}, status: 422},
		{path: "/instituciones", form: url.Values{"code": {"con espacio"}, "kind": {"otra"}, "website": {"ftp://x"}}, status: 422},
		{path: "/admin/usuarios", form: url.Values{"email": {"x"}, "role": {"jefe"}, "lang": {"fr"}}, status: 422},
		{path: "/cuenta/clave", form: url.Values{"password": {"corta"}}, status: 422},
		{path: "/eventos", form: url.Values{"tipo": {"fiesta"}, "titulo": {""}, "desde": {"2009-13-01"}}, status: 422},
		{path: fmt.Sprintf("/eventos/%d/asistencia", event.ID), file: csv("nombre,documento,sexo,edad\nAna,1234,X,cien\n"), name: "asistencia.csv", status: 422},
		{path: "/clave/restablecer", form: url.Values{"token": {"no-existe"}, "password": {"una contraseña larga"}}, status: 422},
	}
	// A change the editor may not make: an actor of another institution.
	editorPosts := []post{
		{path: fmt.Sprintf("/actores/%d", otherActor.ID), form: url.Values{"nombre": {"Otro nombre"}, "tipos": {"exporter"}}, status: 403},
	}

	foreign := map[i18n.Lang]*foreignText{}
	for _, lang := range i18n.Supported {
		foreign[lang] = newForeignText(lang)
	}
	pageLang := regexp.MustCompile(`<html lang="([^"]+)"`)
	for _, lang := range i18n.Supported {
		t.Run(string(lang), func(t *testing.T) {
			codes := rawCodes(t, site, lang)
			visit := func(b *browser, what string, status int, ctype, body string) {
				t.Helper()
				if !strings.HasPrefix(ctype, "text/html") || status/100 == 3 {
					return
				}
				in := lang
				if m := pageLang.FindStringSubmatch(body); m == nil || m[1] != string(lang) {
					// A market report is shown in the language it was written in.
					if m == nil || !strings.HasPrefix(what, "GET /mercados/informes/") {
						t.Errorf("%s: the page is not in %s", what, lang)
						return
					}
					in = i18n.Lang(m[1])
				}
				for _, f := range otherLanguageText(t, in, foreign[in], body) {
					t.Errorf("%s (%d): %s", what, status, f)
				}
			}
			for _, as := range []string{"", "admin", "editor"} {
				b := site.browser()
				if as != "" {
					b.login(as+"@example.org", testPassword)
				}
				b.get("/?lang=" + string(lang))
				send := func(p post) {
					_, _, token := b.get("/actores")
					form := url.Values{"csrf_token": {token}}
					for k, v := range p.form {
						form[k] = v
					}
					var res *http.Response
					var body string
					if p.file != nil {
						res, body = b.upload(p.path, form, "archivo", p.name, p.file)
					} else {
						res, body = b.send(p.path, form)
					}
					if res.StatusCode != p.status {
						t.Errorf("POST %s as %s: %d, want %d", p.path, as, res.StatusCode, p.status)
					}
					visit(b, "POST "+p.path+" as "+as, res.StatusCode, res.Header.Get("Content-Type"), body)
				}
				if as == "editor" {
					for _, p := range editorPosts {
						send(p)
					}
					continue
				}
				for _, path := range paths {
					if as == "" {
						path += "#anonymous"
					}
					res, err := b.client.Get(site.http.URL + path)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					visit(b, "GET "+path, res.StatusCode, res.Header.Get("Content-Type"), string(body))
					if as == "" && strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
						for _, code := range rawCodesShown(t, codes, string(body)) {
							t.Errorf("GET %s shows the code %q, not its name", path, code)
						}
					}
				}
				if as == "admin" {
					for _, p := range posts {
						send(p)
					}
				}
			}
		})
	}
}

// The API answers in English unless Accept-Language asks for another
// language; its kinds never change.
func TestAPIErrorsInTheLanguageAsked(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	tests := []struct {
		accept, message, field, problem string
	}{
		{"", "the file has 2 problems; nothing was imported", "row 2, column valor", `"cinco" is not a number`},
		{"es-PE,es;q=0.9", "el archivo tiene 2 problemas; no se importó nada", "fila 2, columna valor", `"cinco" no es un número`},
		{"fr-FR", "the file has 2 problems; nothing was imported", "row 2, column valor", `"cinco" is not a number`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/production/import?filename=x.csv", strings.NewReader(
			"especie,presentacion,origen,lugar,medida,anio,valor,unidad,fuente\nCLM,fresco,extraccion,PE-MOQ,cantidad,2005,cinco,t,X\nXXX,fresco,extraccion,PE-MOQ,cantidad,2005,5,t,X\n"))
		req.Header.Set("Authorization", "Bearer "+site.tokens["editor"])
		if tt.accept != "" {
			req.Header.Set("Accept-Language", tt.accept)
		}
		res, err := site.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body httpkit.ErrorBody
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 422 || body.Error.Kind != "invalid" || body.Error.Message != tt.message || body.Error.Fields[tt.field] != tt.problem {
			t.Errorf("Accept-Language %q: %d %+v", tt.accept, res.StatusCode, body)
		}
	}
}

// Text that exists in one language only is shown in it on the other
// language's pages, marked with its language and a visible note: the plan's
// text (Spanish) on English pages, its source notes (English) on Spanish ones.
func TestPlanTextMarkedWithItsLanguage(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	_, en, _ := b.get("/plan/1?lang=en")
	for _, want := range []string{
		`<p lang="es">Lograr una oferta estratégicamente diversificada`,
		`<p class="strategy" lang="es">Disponer y difundir información actualizada`,
		`<td lang="es">Elaborar una base de datos de zonas aptas`,
		`Activity <small class="fallback" lang="en">(in Spanish only)</small>`,
		`<ol lang="es"><li>Abundante variedad de especies nativas.`,
	} {
		if !strings.Contains(en, want) {
			t.Errorf("the English plan page lacks %s", want)
		}
	}
	if _, act, _ := b.get("/plan/1/actividades/1.1.1?lang=en"); !strings.Contains(act, `<span lang="es">Elaborar una base de datos`) {
		t.Error("the English activity page does not mark its Spanish title")
	}
	_, es, _ := b.get("/plan/1?lang=es")
	for _, want := range []string{
		`<span lang="en">Plan Operativo de Moluscos – Región Moquegua (MINCETUR, October 2006)`,
		`<small class="fallback" lang="es">(solo en inglés)</small>`,
	} {
		if !strings.Contains(es, want) {
			t.Errorf("the Spanish plan page lacks %s", want)
		}
	}
	if strings.Contains(es, `lang="es">Lograr`) || strings.Contains(es, "(solo en español)") {
		t.Error("the Spanish plan page marks its own language")
	}
}

// English pages use English names: HS codes, the loco's one English name,
// and counts in the singular when they are one.
func TestEnglishNamesOnEnglishPages(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	a, _ := site.exporterWithProduct()
	b := site.browser()
	_, en, _ := b.get("/oferta?lang=en")
	for _, want := range []string{"(HS 1605.57)", "1 exporter.", "Loco (false abalone): product page"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English catalogue lacks %q", want)
		}
	}
	if _, page, _ := b.get(fmt.Sprintf("/oferta/exportadores/%d?lang=en", a.ID)); !strings.Contains(page, "HS 1605.57") || strings.Contains(page, "SA 1605") {
		t.Error("the English exporter page does not say HS")
	}
	if _, home, _ := b.get("/?lang=en"); !strings.Contains(home, "registered exporter<") {
		t.Error("the English home page counts 1 exporters")
	}
	_, es, _ := b.get("/oferta?lang=es")
	for _, want := range []string{"(SA 1605.57)", "1 exportador."} {
		if !strings.Contains(es, want) {
			t.Errorf("the Spanish catalogue lacks %q", want)
		}
	}
	for _, text := range i18n.Texts(i18n.EN) {
		if strings.Contains(text, "abalone") && !strings.Contains(text, "false abalone") {
			t.Errorf("en.json names the loco otherwise: %q", text)
		}
	}
}
