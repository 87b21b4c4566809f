package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sriim/internal/db/dbtest"
)

// htmlPages lists every page of the route table that renders HTML, read from
// the ui package's source as the route table declares it, with path
// parameters replaced by samples. A new page without a sample fails the test.
func htmlPages(t *testing.T, samples map[string]string, extra []string) []string {
	t.Helper()
	files, err := filepath.Glob("../internal/ui/*.go")
	if err != nil {
		t.Fatal(err)
	}
	route := regexp.MustCompile(`"GET (/[^"]*)"`)
	notHTML := regexp.MustCompile(`^/(api/|static/|healthz|metrics|favicon|robots|sitemap|oferta/fotos/|plan-evidencias/|archivo/archivos/|normas/texto/|noticias/fotos/)|/indicadores/\{iid\}$|/graficos/\{line\}$|/tablero/\{key\}$|\.(svg|csv|xlsx|pdf|xml|txt|ico|geojson|atom|ics)$`)
	seen := map[string]bool{}
	var pages []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			pages = append(pages, p)
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			p := strings.TrimSuffix(m[1], "{$}")
			if notHTML.MatchString(p) {
				continue
			}
			if strings.Contains(p, "{") {
				sample, ok := samples[p]
				if !ok {
					t.Errorf("no sample address for the page %s: add one", p)
					continue
				}
				p = sample
			}
			add(p)
		}
	}
	for _, p := range extra {
		add(p)
	}
	if len(pages) < 30 {
		t.Fatalf("found only %d pages; the route pattern no longer matches the source", len(pages))
	}
	sort.Strings(pages)
	return pages
}

// overflowing names the elements that stick out to the right of a phone's
// screen (outside any box that scrolls on its own), or "" when the page
// does not scroll sideways.
const overflowing = `(() => {
	const w = window.innerWidth;
	if (document.documentElement.scrollWidth <= w) return "";
	const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + [...el.classList].map(c => "." + c).join("");
	const path = el => { const p = []; for (let e = el; e && e !== document.body; e = e.parentElement) p.unshift(name(e)); return p.join(" > "); };
	const sticksOut = r => r.width > 0 && r.right > w + 0.5;
	const clipped = el => { for (let p = el; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== "visible") return true; return false; };
	const found = [];
	for (const el of document.querySelectorAll("body *")) {
		// Name the innermost: skip an element whose child sticks out too.
		if (!sticksOut(el.getBoundingClientRect()) || clipped(el.parentElement) || [...el.children].some(c => sticksOut(c.getBoundingClientRect()))) continue;
		found.push(path(el) + " (right edge " + Math.round(el.getBoundingClientRect().right) + " px)");
	}
	// Text too long for its box (a long word, an address) sticks out of no element.
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const range = document.createRange();
		range.selectNodeContents(n);
		if (sticksOut(range.getBoundingClientRect()) && !clipped(n.parentElement)) found.push("text \"" + n.textContent.trim().slice(0, 40) + "\" in " + path(n.parentElement));
	}
	return "page " + document.documentElement.scrollWidth + " px wide: " + (found.slice(0, 5).join("; ") || "no element found");
})()`

// TestNoPageScrollsSidewaysOnAPhone opens every HTML page at 390×844, with
// the demonstration dataset and the actors' fixture loaded so that tables are
// full, as a visitor and as the Mesa de Trabajo, and fails on any page wider
// than the screen, naming the element that sticks out.
func TestNoPageScrollsSidewaysOnAPhone(t *testing.T) {
	ctx := browserWithin(t, 10*time.Minute)
	in := start(t, dbtest.Backends()[0])
	fixture, _ := filepath.Abs("../internal/actors/testdata/actores.csv")
	in.run(t, "import", "actors", fixture)
	in.run(t, "seed", "--demo")
	procedures, _ := filepath.Abs("../internal/regulation/testdata/procedimientos.csv")
	cases, _ := filepath.Abs("../internal/regulation/testdata/casos.csv")
	in.run(t, "import", "procedures", procedures)
	in.run(t, "import", "procedure-cases", cases)
	pw := in.addUser(t, "mesa@example.org", "admin", "--name", "Mesa de Trabajo")
	loginInBrowser(t, ctx, in, "mesa@example.org", pw)
	in.run(t, "import", "documents", "--metadata", archiveBatch(t))
	// A market report and a news item, for their pages.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/noticias/nueva"),
		chromedp.SendKeys("#title_es", "Moquegua exporta concha de abanico"),
		chromedp.Submit("#title_es"),
		chromedp.WaitVisible(".body"),
		chromedp.Navigate(in.URL+"/mercados/informes"),
		chromedp.Submit("#period"),
		chromedp.WaitVisible("main h1"),
		chromedp.Navigate(in.URL+"/eventos/nuevo"),
		chromedp.SendKeys("#titulo", "Taller de buenas prácticas de manipulación de moluscos bivalvos"),
		chromedp.SetValue("#desde", "2026-05-10"),
		chromedp.Submit("#titulo"),
		chromedp.WaitVisible(`a[href="/eventos/1/editar"]`),
	); err != nil {
		t.Fatal(err)
	}
	// Exporter 2 is the fixture's (Mariscos del Sur); actors 6 to 9 and
	// products 1 to 3 are the demonstration dataset's.
	samples := map[string]string{
		"/actores/{id}":                             "/actores/6",
		"/actores/{id}/editar":                      "/actores/6/editar",
		"/instituciones/{id}":                       "/instituciones/1",
		"/admin/usuarios/{id}":                      "/admin/usuarios/1",
		"/mercados/importaciones/{id}":              "/mercados/importaciones/1",
		"/mercados/informes/{id}":                   "/mercados/informes/1",
		"/oferta/exportadores/{id}":                 "/oferta/exportadores/6",
		"/oferta/exportadores/{id}/mensajes":        "/oferta/exportadores/6/mensajes",
		"/oferta/exportadores/{id}/productos/nuevo": "/oferta/exportadores/6/productos/nuevo",
		"/oferta/productos-exportador/{pid}":        "/oferta/productos-exportador/1",
		"/oferta/productos/{species}":               "/oferta/productos/SNE",
		"/plan/{id}":                                "/plan/1",
		"/plan/{id}/pendientes":                     "/plan/1/pendientes",
		"/plan/{id}/poa":                            "/plan/1/poa",
		"/plan/{id}/actividades/{code}":             "/plan/1/actividades/2.3.2?anio=2007",
		"/plan-reportes/{rid}":                      "/plan-reportes/1",
		"/produccion/observaciones/{id}":            "/produccion/observaciones/1",
		"/zonas/{layer}":                            "/zonas/desembarcaderos",
		"/zonas/{layer}/{code}":                     "/zonas/desembarcaderos/DPA-ILO",
		"/normas/{code}":                            "/normas/RM-383-2004-PRODUCE",
		"/normas/procedimientos/{code}":             "/normas/procedimientos/REG-SAN",
		"/normas/editar/{code}":                     "/normas/editar/RM-383-2004-PRODUCE",
		"/normas/procedimientos/{code}/editar":      "/normas/procedimientos/REG-SAN/editar",
		"/normas/requisitos/{code}/editar":          "/normas/requisitos/HK-0307-SAN/editar",
		"/normas/feriados/{day}/editar":             "/normas/feriados/2026-07-28/editar",
		"/normas/uit/{year}/editar":                 "/normas/uit/2026/editar",
		"/archivo/{id}":                             "/archivo/1",
		"/archivo/editar/{id}":                      "/archivo/editar/1",
		"/noticias/{id}":                            "/noticias/1",
		"/noticias/editar/{id}":                     "/noticias/editar/1",
		"/actores/{id}/exportaciones":               "/actores/6/exportaciones",
		"/actores/{id}/exportaciones/datos.":        "/actores/6/exportaciones",
		"/eventos/{id}":                             "/eventos/1",
		"/eventos/{id}/editar":                      "/eventos/1/editar",
		// A staged attendance sheet needs an upload: its table has the
		// columns of the event page's participants, checked there.
		"/eventos-asistencia/{sid}":          "/eventos/1",
		"/plan/{id}/indicadores":             "/plan/1/indicadores",
		"/plan/{id}/completitud":             "/plan/1/completitud?anio=2008",
		"/plan/{id}/tablero":                 "/plan/1/tablero?desde=2000&hasta=2010",
		"/mercados/precios/{species}":        "/mercados/precios/SNE",
		"/mercados/precios/{species}/serie.": "/mercados/precios/SNE?by=month",
		"/mercados/precios/{id}/editar":      "/mercados/precios/1/editar",
		// No declarations are imported here: the analysis' widest table instead.
		"/mercados/exportaciones/importaciones/{id}": "/mercados/exportaciones?from=2000&to=2006&by=destination",
	}
	// Pages registered by loops and helpers, and filtered selections with wide tables.
	extra := []string{"/zonas", "/archivo", "/normas", "/actores/importar", "/produccion/importar",
		"/produccion?especie=SNE&presentacion=fresh&presentacion=frozen&presentacion=canned&desde=1990",
		"/mercados?from=1990&to=2005", "/plan/1/actividades/1.3.3?anio=2007", "/admin/auditoria?entity=actor",
		"/normas/requisitos?producto=loco_congelado&mercado=JPN", "/normas/importar"}
	pages := htmlPages(t, samples, extra)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	check := func(who string) {
		for _, lang := range []string{"es", "en"} {
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+p+sep+"lang="+lang)); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if wide := evaluate[string](t, ctx, overflowing); wide != "" {
					t.Errorf("%s, %s, %s: %s", who, lang, p, wide)
				}
			}
		}
	}
	check("Mesa de Trabajo")
	screenshot(t, ctx, "phone-mercados")
	if err := chromedp.Do(ctx, chromedp.Navigate(in.URL+"/cuenta"), chromedp.Click(`form[action="/salir"] button`), chromedp.WaitVisible(`a[href="/entrar"]`)); err != nil {
		t.Fatal(err)
	}
	check("visitor")
}
