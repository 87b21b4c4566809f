package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/i18n"
	"sriim/internal/mail"
	"sriim/internal/network"
	"sriim/internal/planning"
)

// archiveSamples adds a public document with a file, and a published news
// item, for the tests that visit every page.
func (s *testSite) archiveSamples() (doc, item int64) {
	s.t.Helper()
	ctx := context.Background()
	editor, admin := s.users["editor"].Principal(), s.users["admin"].Principal()
	d, err := s.srv.Archive.Create(ctx, editor, archive.Input{Title: "Guía de manejo de la concha de abanico", Kind: "guia", Year: 2006,
		Abstract: "Cómo manejar los cultivos.", Species: []string{"SCQ"}, Activities: []string{"1.1.2"}},
		[]archive.Upload{{Name: "guia.txt", R: strings.NewReader("Manejo de sistemas suspendidos.")}})
	if err != nil {
		s.t.Fatal(err)
	}
	n, err := s.srv.Archive.CreateNews(ctx, editor, archive.NewsInput{Kind: "news", Texts: map[string]archive.NewsText{
		"es": {Title: "Se abrió el archivo técnico", Summary: "Ya se puede buscar.", Body: "El archivo **técnico** está abierto."}},
		Links: []archive.NewsLink{{Kind: "document", Ref: fmt.Sprint(d.ID)}, {Kind: "species", Ref: "SCQ"}, {Kind: "activity", Ref: "1.1.2"}}})
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.srv.Archive.SubmitNews(ctx, editor, n.ID); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.srv.Archive.ReviewNews(ctx, admin, n.ID, true, ""); err != nil {
		s.t.Fatal(err)
	}
	return d.ID, n.ID
}

// getAs reads a page or an API answer as the named user ("" anonymous).
func (s *testSite) getAs(as, path string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.http.URL+path, nil)
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

// An institution's document does not exist for anyone else: not in the
// search page, the API, the feed, the sitemap, nor at its own addresses.
// Its institution's editors and the Mesa de Trabajo find it.
func TestInstitutionDocumentNeverShownToOthers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		editor := site.users["editor"].Principal()
		public, err := site.srv.Archive.Create(ctx, editor, archive.Input{Title: "Exportaciones de concha de abanico", Kind: "estudio", Year: 2005}, nil)
		if err != nil {
			t.Fatal(err)
		}
		internal, err := site.srv.Archive.Create(ctx, editor, archive.Input{Title: "Informe interno de exportaciones", Kind: "informe", Year: 2006, Access: "institucion"},
			[]archive.Upload{{Name: "interno.txt", R: strings.NewReader("Cifras reservadas de exportación.")}})
		if err != nil {
			t.Fatal(err)
		}
		file := internal.Files[0].ID
		for _, as := range []string{"", "granted", "member"} {
			for _, path := range []string{"/archivo?q=exportaciones", "/archivo", "/api/v1/documents?q=exportar", "/api/v1/documents", "/archivo.atom",
				"/sitemap.xml", "/archivo?tipo=informe", "/api/v1/documents?kind=informe"} {
				status, body := site.getAs(as, path)
				if status != 200 || strings.Contains(body, "Informe interno") || strings.Contains(body, archive.DocumentPath(internal.ID)+"<") {
					t.Errorf("%s as %q: %d, shows the institution's document", path, as, status)
				}
				if (strings.Contains(path, "?q=") || path == "/archivo.atom" || path == "/sitemap.xml") && !strings.Contains(body, archive.DocumentPath(public.ID)) {
					t.Errorf("%s as %q: the public document is missing", path, as)
				}
			}
			for _, path := range []string{archive.DocumentPath(internal.ID), fmt.Sprintf("/api/v1/documents/%d", internal.ID),
				archive.FilePath(file), fmt.Sprintf("/api/v1/documents/%d/downloads", internal.ID)} {
				if status, _ := site.getAs(as, path); status != http.StatusNotFound {
					t.Errorf("%s as %q: %d, want 404", path, as, status)
				}
			}
		}
		for _, as := range []string{"editor", "admin"} {
			if _, body := site.getAs(as, "/api/v1/documents?q=exportaciones"); !strings.Contains(body, "Informe interno") {
				t.Errorf("%s does not find its institution's document: %s", as, body)
			}
			if status, body := site.getAs(as, archive.FilePath(file)); status != 200 || body != "Cifras reservadas de exportación." {
				t.Errorf("%s downloads: %d %q", as, status, body)
			}
		}
	})
}

// The API's PUT takes back what GET gave (institutions as objects), names
// the version, and refuses a stale one.
func TestDocumentsAPIPutTakesBackWhatGetGives(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	status, raw := site.apiCall("editor", "POST", "/api/v1/documents", map[string]any{"title": "Norma sanitaria", "kind": "norma_tecnica",
		"authors": []string{}, "year": 2004, "language": "es", "keywords": []string{"sanidad"}, "access": "public",
		"institutions": []string{"IMARPE"}, "species": []string{}, "activities": []string{}, "links": []any{}})
	if status != 201 {
		t.Fatalf("create: %d %s", status, raw)
	}
	var doc map[string]any
	_ = json.Unmarshal([]byte(raw), &doc)
	path := fmt.Sprintf("/api/v1/documents/%v", doc["id"])
	doc["title"] = "Norma sanitaria de moluscos"
	if status, raw := site.apiCall("editor", "PUT", path, doc); status != 200 || !strings.Contains(raw, "de moluscos") || !strings.Contains(raw, `"IMARPE"`) {
		t.Fatalf("put: %d %s", status, raw)
	}
	if status, raw := site.apiCall("editor", "PUT", path, doc); status != 409 {
		t.Errorf("stale put: %d %s", status, raw)
	}
	if status, _ := site.apiCall("granted", "DELETE", path, nil); status != 403 {
		t.Errorf("another institution deletes: %d", status)
	}
}

// atomFeed is the structure of an Atom 1.0 feed (RFC 4287) that readers
// rely on; decoding checks the namespace.
type atomFeed struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Author  []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID      string     `xml:"id"`
		Title   string     `xml:"title"`
		Updated string     `xml:"updated"`
		Links   []atomLink `xml:"link"`
		Content *struct {
			Type string `xml:"type,attr"`
			Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

func hasLink(links []atomLink, rel string) bool {
	for _, l := range links {
		if (l.Rel == rel || l.Rel == "" && rel == "alternate") && strings.HasPrefix(l.Href, "http") {
			return true
		}
	}
	return false
}

// Both feeds are Atom 1.0 in each language: a feed and each entry have an
// absolute id, a title, an RFC 3339 updated time and their links; the feed
// an author (or every entry one).
func TestFeedsAreAtom(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	doc, item := site.archiveSamples()
	for _, path := range []string{"/archivo.atom", "/noticias.atom"} {
		for _, lang := range []string{"es", "en"} {
			res, err := site.http.Client().Get(site.http.URL + path + "?lang=" + lang)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "application/atom+xml") {
				t.Fatalf("%s: %d %s", path, res.StatusCode, ct)
			}
			var f atomFeed
			if err := xml.Unmarshal(raw, &f); err != nil {
				t.Fatalf("%s?lang=%s is not an Atom feed: %v\n%s", path, lang, err, raw)
			}
			if !strings.HasPrefix(f.ID, "http") || f.Title == "" || !hasLink(f.Links, "self") || len(f.Author) == 0 {
				t.Errorf("%s: feed %+v", path, f)
			}
			if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
				t.Errorf("%s: updated %q", path, f.Updated)
			}
			if len(f.Entries) != 1 {
				t.Fatalf("%s: %d entries", path, len(f.Entries))
			}
			e := f.Entries[0]
			if _, err := time.Parse(time.RFC3339, e.Updated); err != nil || e.Title == "" || !strings.HasPrefix(e.ID, "http") || !hasLink(e.Links, "alternate") {
				t.Errorf("%s: entry %+v", path, e)
			}
			want := archive.DocumentPath(doc)
			if path == "/noticias.atom" {
				want = archive.NewsPath(item)
				if e.Content == nil || e.Content.Type != "html" || !strings.Contains(e.Content.Body, "<strong>técnico</strong>") {
					t.Errorf("news content: %+v", e.Content)
				}
				// The body's links to the site ("/archivo/1") resolve
				// against the site, whichever reader shows them.
				if e.Content != nil && e.Content.Base != site.http.URL+"/" {
					t.Errorf("news content's xml:base %q, want %q", e.Content.Base, site.http.URL+"/")
				}
			}
			if !strings.Contains(e.ID, want) {
				t.Errorf("%s: entry id %s, want …%s", path, e.ID, want)
			}
			// Each language's feed is its own: a reader must not take
			// them for one.
			if !strings.HasSuffix(f.ID, path+"?lang="+lang) {
				t.Errorf("%s?lang=%s: feed id %s, want one of its language", path, lang, f.ID)
			}
		}
	}
}

// An empty archive says it has no documents yet, not that the visitor's
// (absent) search found none; and a link's made-up ok=… shows no raw key.
func TestEmptyArchiveSaysSo(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	for _, tc := range []struct{ path, want, not string }{
		{"/archivo", "El archivo aún no tiene documentos.", "Ningún documento coincide"},
		{"/archivo?lang=en", "The archive has no documents yet.", "No document matches"},
		{"/archivo?q=loco", "Ningún documento coincide con la búsqueda.", "aún no tiene documentos"},
		{"/archivo?ok=inventado", "El archivo aún no tiene documentos.", "flash."},
		// A search of only common words looks for nothing, and says so.
		{"/archivo?q=de+la", "Las palabras buscadas son demasiado comunes o cortas", "aún no tiene documentos"},
		{"/archivo?q=the&lang=en", "The words searched for are too common", "The archive has no documents yet."},
		{"/archivo?q=+", "El archivo aún no tiene documentos.", "demasiado comunes"},
	} {
		status, page, _ := site.browser().get(tc.path)
		if status != 200 || !strings.Contains(page, tc.want) || strings.Contains(page, tc.not) {
			t.Errorf("%s: %d, want %q and not %q:\n%s", tc.path, status, tc.want, tc.not, page)
		}
	}
}

// The search page shows each hit's snippet with the words marked, and
// facets whose links narrow the search.
func TestArchiveSearchPageFacetsAndSnippets(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	ctx := context.Background()
	editor := site.users["editor"].Principal()
	for _, in := range []archive.Input{
		{Title: "Guía de depuración", Kind: "guia", Year: 2006, Abstract: "Depuración de moluscos bivalvos antes de su exportación.", Species: []string{"SCQ"}},
		{Title: "Estudio de mercado", Kind: "estudio", Year: 2005, Abstract: "Los mercados de exportación del loco."},
	} {
		if _, err := site.srv.Archive.Create(ctx, editor, in, nil); err != nil {
			t.Fatal(err)
		}
	}
	b := site.browser()
	// A search that finds nothing says so; the archive is not empty.
	if _, page, _ := b.get("/archivo?q=ballenas"); !strings.Contains(page, "Ningún documento coincide con la búsqueda.") || strings.Contains(page, "El archivo aún no tiene documentos.") {
		t.Errorf("a search that finds nothing:\n%s", page)
	}
	status, page, _ := b.get("/archivo?q=exportacion")
	if status != 200 || !strings.Contains(page, "<mark>exportación</mark>") || !strings.Contains(page, "2 documentos") {
		t.Fatalf("search page: %d\n%s", status, page)
	}
	facet := regexp.MustCompile(`href="(/archivo\?[^"]*tipo=guide[^"]*)"`).FindStringSubmatch(page)
	if facet == nil {
		t.Fatalf("no facet link for the guides:\n%s", page)
	}
	_, narrowed, _ := b.get(strings.ReplaceAll(facet[1], "&amp;", "&"))
	if !strings.Contains(narrowed, "Guía de depuración") || strings.Contains(narrowed, "Estudio de mercado") || !strings.Contains(narrowed, "1 documento") {
		t.Errorf("the kind's facet does not narrow:\n%s", narrowed)
	}
	if status, page, _ := b.get("/archivo?anio=dos&tipo=nada"); status != 422 || !strings.Contains(page, `aria-invalid="true"`) {
		t.Errorf("bad filters: %d", status)
	}
}

// multipartForm posts fields and files (field → name → content) as a form
// with file inputs does.
func (b *browser) multipartForm(path string, fields url.Values, files map[string]map[string]string) (*http.Response, string) {
	b.site.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for field, named := range files {
		for name, content := range named {
			fw, _ := mw.CreateFormFile(field, name)
			_, _ = io.WriteString(fw, content)
		}
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.site.http.URL+path, &buf)
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

// An editor adds a document with its file from the form, then a new
// version of the file: the old version stays downloadable at its address,
// and each download is counted in its month.
func TestNewVersionKeepsTheOldOneDownloadable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		b := site.browser()
		b.login("editor@example.org", testPassword)
		_, _, token := b.get("/archivo/nuevo")
		res, body := b.multipartForm("/archivo", url.Values{"csrf_token": {token}, "title": {"Plan de manejo"}, "kind": {"manual"}, "year": {"2007"},
			"language": {"es"}, "access": {"public"}, "keywords": {"manejo; bancos naturales"}, "species": {"SCQ"}, "activities": {"1.1.2"}},
			map[string]map[string]string{"files": {"plan.txt": "primera versión"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", res.StatusCode, body)
		}
		docPath := strings.TrimSuffix(res.Header.Get("Location"), "?ok=saved")
		var id int64
		fmt.Sscanf(docPath, "/archivo/%d", &id)
		doc, err := site.srv.Archive.Document(context.Background(), auth.Principal{}, id)
		if err != nil || len(doc.Files) != 1 {
			t.Fatalf("%v %+v", err, doc)
		}
		first := doc.Files[0]
		_, page, token := b.get(docPath)
		res, body = b.multipartForm(docPath+"/archivos", url.Values{"csrf_token": {token}, "slot": {fmt.Sprint(first.Slot)}},
			map[string]map[string]string{"file": {"plan.txt": "segunda versión"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new version: %d\n%s\n%s", res.StatusCode, body, page)
		}
		doc, _ = site.srv.Archive.Document(context.Background(), auth.Principal{}, id)
		if len(doc.Files) != 1 || doc.Files[0].Version != 2 || len(doc.Files[0].Previous) != 1 {
			t.Fatalf("files: %+v", doc.Files)
		}
		// A file the archive does not take is refused on the document's own
		// page, saying why, with its forms to choose another; nothing changes.
		_, _, token = b.get(docPath)
		res, body = b.multipartForm(docPath+"/archivos", url.Values{"csrf_token": {token}, "slot": {fmt.Sprint(first.Slot)}},
			map[string]map[string]string{"file": {"programa.exe": "MZ\x90\x00"}})
		if res.StatusCode != 422 || !strings.Contains(body, "el archivo acepta archivos PDF, DOCX, ODT, XLSX, HTML y TXT") ||
			!strings.Contains(body, `action="`+docPath+`/archivos"`) || strings.Contains(body, "Cambios guardados") {
			t.Errorf("a file of the wrong type: %d\n%s", res.StatusCode, body)
		}
		if again, _ := site.srv.Archive.Document(context.Background(), auth.Principal{}, id); len(again.Files) != 1 || again.Files[0].Version != 2 {
			t.Errorf("a refused file changed the files: %+v", again.Files)
		}
		visitor := site.browser()
		_, page, _ = visitor.get(docPath)
		for _, want := range []string{archive.FilePath(first.ID), archive.FilePath(doc.Files[0].ID), "versión 2"} {
			if !strings.Contains(page, want) {
				t.Errorf("the document's page lacks %s", want)
			}
		}
		for f, want := range map[int64]string{first.ID: "primera versión", doc.Files[0].ID: "segunda versión"} {
			if status, got := site.getAs("", archive.FilePath(f)); status != 200 || got != want {
				t.Errorf("%s: %d %q", archive.FilePath(f), status, got)
			}
		}
		site.getAs("", archive.FilePath(first.ID))
		_, raw := site.getAs("", fmt.Sprintf("/api/v1/documents/%d/downloads", id))
		month := site.srv.Archive.Now().Format("2006-01")
		if !strings.Contains(raw, `{"month":"`+month+`","n":3}`) {
			t.Errorf("downloads: %s", raw)
		}
		if _, page, _ = visitor.get(docPath); !strings.Contains(page, "Descargas por mes") {
			t.Errorf("the page does not count the downloads")
		}
	})
}

// A batch from the web with a bad row imports nothing and names the row
// and the column; a good one imports every row.
func TestBatchImportFromTheWeb(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		b := site.browser()
		b.login("editor@example.org", testPassword)
		header := strings.Join(archive.ImportColumns, ",") + "\n"
		send := func(metadata string, files map[string]string) (int, string) {
			_, _, token := b.get("/archivo/importar")
			res, body := b.multipartForm("/archivo/importar", url.Values{"csrf_token": {token}},
				map[string]map[string]string{"metadata": {"lote.csv": header + metadata}, "files": files})
			return res.StatusCode, body
		}
		status, body := send("a.txt,Estudio A,estudio,Ana,IMARPE,2005,es,,,SCQ,1.1.2,publico\nb.txt,Estudio B,revista,,,2005,es,,,,,publico\n",
			map[string]string{"a.txt": "texto a", "b.txt": "texto b"})
		if status != 422 || !strings.Contains(body, "fila 3, columna tipo") {
			t.Fatalf("bad row: %d\n%s", status, body)
		}
		// Nothing was saved, and the page does not say it was.
		if strings.Contains(body, "Listo:") || strings.Contains(body, "Cambios guardados") || !strings.Contains(body, "no se importó nada") {
			t.Errorf("the page of a refused batch:\n%s", body)
		}
		// The problems are listed in the file's order: row 3 before row 11,
		// not as text ("fila 11" < "fila 3").
		rows := "a.txt,Estudio A,estudio,Ana,IMARPE,2005,es,,,SCQ,1.1.2,publico\nb.txt,Estudio B,revista,,,2005,es,,,,,publico\n"
		files := map[string]string{"a.txt": "texto a", "b.txt": "texto b"}
		for i := 4; i <= 11; i++ {
			name := fmt.Sprintf("c%d.txt", i)
			year := "2005"
			if i == 11 {
				year = "20x5"
			}
			rows += fmt.Sprintf("%s,Estudio %d,estudio,,,%s,es,,,,,publico\n", name, i, year)
			files[name] = fmt.Sprintf("texto %d", i)
		}
		status, body = send(rows, files)
		third, eleventh := strings.Index(body, "fila 3, columna tipo"), strings.Index(body, "fila 11, columna anio")
		if status != 422 || third < 0 || eleventh < 0 || third > eleventh {
			t.Errorf("problems out of order (row 3 at %d, row 11 at %d): %d\n%s", third, eleventh, status, body)
		}
		// The same batch as XLSX: the same row and column, nothing kept.
		wb := excelize.NewFile()
		for i, line := range strings.Split(strings.TrimSpace(header+"a.txt,Estudio A,estudio,Ana,IMARPE,2005,es,,,SCQ,1.1.2,publico\nb.txt,Estudio B,revista,,,2005,es,,,,,publico"), "\n") {
			cells := strings.Split(line, ",")
			row := make([]any, len(cells))
			for j, c := range cells {
				row[j] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := wb.SetSheetRow("Sheet1", cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		var xlsx bytes.Buffer
		if err := wb.Write(&xlsx); err != nil {
			t.Fatal(err)
		}
		_, _, token := b.get("/archivo/importar")
		res, body := b.multipartForm("/archivo/importar", url.Values{"csrf_token": {token}},
			map[string]map[string]string{"metadata": {"lote.xlsx": xlsx.String()}, "files": {"a.txt": "texto a", "b.txt": "texto b"}})
		if res.StatusCode != 422 || !strings.Contains(body, "fila 3, columna tipo") || strings.Contains(body, "Listo:") {
			t.Errorf("bad XLSX row: %d\n%s", res.StatusCode, body)
		}
		if res, _ := site.srv.Archive.Search(context.Background(), auth.System, archive.SearchQuery{}); res.Total != 0 {
			t.Fatalf("a bad batch kept %d documents", res.Total)
		}
		if res, _ := site.srv.Archive.Search(context.Background(), auth.System, archive.SearchQuery{}); res.Total != 0 {
			t.Fatalf("a bad batch kept %d documents", res.Total)
		}
		status, body = send("carpeta/a.txt,Estudio A,estudio,Ana,IMARPE,2005,es,,,SCQ,1.1.2,publico\nb.txt,Estudio B,informe,,,2005,es,,,,,publico\n",
			map[string]string{"a.txt": "texto a", "b.txt": "texto b"})
		if status != 200 || !strings.Contains(body, "2 filas") || !strings.Contains(body, "2 nuevas") {
			t.Fatalf("good batch: %d\n%s", status, body)
		}
		if status, _, _ := site.browser().get("/archivo/importar"); status != http.StatusSeeOther {
			t.Errorf("anonymous import page: %d", status)
		}
	})
}

// A news item's page links the documents it is about, by their titles.
func TestNewsItemLinksItsDocuments(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	doc, item := site.archiveSamples()
	_, page, _ := site.browser().get(archive.NewsPath(item))
	want := fmt.Sprintf(`Documento: <a href="/archivo/%d">Guía de manejo de la concha de abanico</a>`, doc)
	if !strings.Contains(page, want) {
		t.Errorf("the news item does not link its document (%s):\n%s", want, page)
	}
}

// An editor writes a news item, which nobody else sees until the Mesa de
// Trabajo publishes it; its Markdown is rendered and sanitised.
func TestNewsFromDraftToPublished(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	editor := site.browser()
	editor.login("editor@example.org", testPassword)
	_, _, token := editor.get("/noticias/nueva")
	res, body := editor.send("/noticias", url.Values{"csrf_token": {token}, "kind": {"press"}, "date": {"2026-03-01"},
		"title_es": {"Primera exportación de Ilo"}, "summary_es": {"Un hito."},
		"body_es": {"La planta **exportó** a Francia.<script>alert(1)</script>\n\n[más](javascript:alert(1))"}, "species": {"SNE"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, body)
	}
	path := strings.TrimSuffix(res.Header.Get("Location"), "?ok=saved")
	visitor := site.browser()
	if status, _, _ := visitor.get(path); status != 404 {
		t.Errorf("a draft is public: %d", status)
	}
	// A photo, with its description; nobody else sees it before publication.
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 6)))
	_, _, token = editor.get(path)
	if res, body := editor.multipartForm(path+"/fotos", url.Values{"csrf_token": {token}, "alt_es": {"El embarque en el muelle"}},
		map[string]map[string]string{"photo": {"muelle.png": buf.String()}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("photo: %d\n%s", res.StatusCode, body)
	}
	_, page, _ := editor.get(path)
	photo := regexp.MustCompile(`<img src="(/noticias/fotos/\d+)" width="8" height="6" alt="El embarque en el muelle"`).FindStringSubmatch(page)
	if photo == nil {
		t.Fatalf("no photo on the page:\n%s", page)
	}
	if status, _, _ := visitor.get(photo[1]); status != 404 {
		t.Errorf("a draft's photo is public: %d", status)
	}
	if res := editor.post(path+"/enviar", url.Values{"csrf_token": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.StatusCode)
	}
	admin := site.browser()
	admin.login("admin@example.org", testPassword)
	_, page, token = admin.get(path)
	if !strings.Contains(page, `value="publish"`) {
		t.Fatalf("the Mesa de Trabajo is not offered the review:\n%s", page)
	}
	// The error page, with no form to go back to, names the field by its
	// label in the page's language, not by its name.
	if status, page := admin.postStatus(path+"/revision", url.Values{"csrf_token": {token}, "decision": {"return"}}); status != 422 ||
		!strings.Contains(page, "<li><strong>Nota</strong>: obligatorio</li>") || strings.Contains(page, ">note<") {
		t.Errorf("sent back without a note: %d\n%s", status, page)
	}
	if status, page := admin.postStatus(path+"/revision?lang=en", url.Values{"csrf_token": {token}, "decision": {"return"}}); status != 422 ||
		!strings.Contains(page, "<li><strong>Note</strong>: required</li>") {
		t.Errorf("sent back without a note, in English: %d\n%s", status, page)
	}
	if res := admin.post(path+"/revision", url.Values{"csrf_token": {token}, "decision": {"publish"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	status, page, _ := visitor.get(path)
	if status != 200 || !strings.Contains(page, "<strong>exportó</strong>") || strings.Contains(page, "<script>alert") || strings.Contains(page, "javascript:") {
		t.Errorf("published item: %d\n%s", status, page)
	}
	if status, _, _ := visitor.get(photo[1]); status != 200 {
		t.Errorf("the published item's photo: %d", status)
	}
	for _, list := range []string{"/noticias", "/", "/noticias.atom"} {
		if _, page, _ := visitor.get(list); !strings.Contains(page, "Primera exportación de Ilo") {
			t.Errorf("%s does not list the published item", list)
		}
	}
	// On the English pages, the Spanish-only item is marked as Spanish.
	if _, page, _ := visitor.get(path + "?lang=en"); !strings.Contains(page, `<h1 lang="es">Primera exportación de Ilo</h1>`) {
		t.Errorf("the English page does not mark the Spanish text")
	}
}

// networkMail keeps the network's mails.
type networkMail struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (m *networkMail) SendMessage(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

// Anyone subscribes from the page without an account; the address is
// confirmed by the mailed link; the unsubscribe link asks first, and a mail
// client's one-click POST (RFC 8058, no cookie, no form token) unsubscribes.
func TestNetworkSubscribeConfirmUnsubscribe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		sent := &networkMail{}
		site.srv.Network = network.New(d, sent, site.http.URL)
		b := site.browser()
		_, page, token := b.get("/red")
		if !strings.Contains(page, `name="topics" value="news"`) {
			t.Fatalf("no form:\n%s", page)
		}
		res, page := b.send("/red", url.Values{"csrf_token": {token}, "email": {"no es un correo"}, "topics": {"news"}})
		if res.StatusCode != 422 || !strings.Contains(page, `value="no es un correo"`) {
			t.Errorf("bad address: %d", res.StatusCode)
		}
		res, page = b.send("/red", url.Values{"csrf_token": {token}, "email": {"Ana@Example.org"}, "topics": {"news", "documents"}, "urgent": {"news"}, "species": {"SNE"}})
		if res.StatusCode != 200 || !strings.Contains(page, "Ana@Example.org") || len(sent.sent) != 1 {
			t.Fatalf("subscribe: %d, %d mails\n%s", res.StatusCode, len(sent.sent), page)
		}
		confirm := regexp.MustCompile(`https?://\S+/red/confirmar\?token=\S+`).FindString(sent.sent[0].Body)
		if confirm == "" {
			t.Fatalf("no confirmation link in %q", sent.sent[0].Body)
		}
		page = confirmByLink(t, b, strings.TrimPrefix(confirm, site.http.URL))
		if !strings.Contains(page, "Suscripción confirmada") || !strings.Contains(page, "aviso inmediato") {
			t.Fatalf("confirm:\n%s", page)
		}
		unsubscribe := strings.Trim(sent.sent[0].Headers["List-Unsubscribe"], "<>")
		if sent.sent[0].Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || !strings.Contains(unsubscribe, "/red/baja?token=") {
			t.Fatalf("headers %v", sent.sent[0].Headers)
		}
		// Opening the link (a mail scanner does) only asks.
		if _, page, _ = site.browser().get(strings.TrimPrefix(unsubscribe, site.http.URL)); !strings.Contains(page, "Darme de baja") {
			t.Errorf("the unsubscribe link does not ask:\n%s", page)
		}
		members := func() int {
			var n int
			if err := d.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM network_subscribers WHERE state = 'active'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if members() != 1 {
			t.Fatalf("%d members after confirming", members())
		}
		req, _ := http.NewRequest(http.MethodPost, unsubscribe, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		oneClick, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		oneClick.Body.Close()
		if oneClick.StatusCode != 200 || members() != 0 {
			t.Errorf("one-click unsubscribe: %d, %d members", oneClick.StatusCode, members())
		}
	})
}

// The subscriber's page, without an account: the confirmation page and
// every mail link to it (the token in the address); it changes topics,
// species, immediate notices, the digest and the language of the mails
// (at once: the link proves the address) through a form with its CSRF
// field, in Spanish and English; a wrong token, or that of an address that
// unsubscribed, gets a page that says so.
func TestNetworkManagePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		sent := &networkMail{}
		site.srv.Network = network.New(d, sent, site.http.URL)
		b := site.browser()
		_, _, token := b.get("/red")
		if res, page := b.send("/red", url.Values{"csrf_token": {token}, "email": {"ana@example.org"}, "topics": {"news"}}); res.StatusCode != 200 {
			t.Fatalf("subscribe: %d\n%s", res.StatusCode, page)
		}
		body := sent.sent[0].Body
		manage := regexp.MustCompile(`https?://\S+/red/suscripcion\?token=\S+`).FindString(body)
		if manage == "" {
			t.Fatalf("no link to the subscriber's page in the mail:\n%s", body)
		}
		manage = strings.TrimPrefix(manage, site.http.URL)
		confirm := regexp.MustCompile(`https?://\S+/red/confirmar\?token=\S+`).FindString(body)
		if page := confirmByLink(t, b, strings.TrimPrefix(confirm, site.http.URL)); !strings.Contains(page, `href="`+strings.ReplaceAll(manage, "&", "&amp;")+`"`) {
			t.Fatalf("the confirmation page does not link to the subscriber's page %s:\n%s", manage, page)
		}

		visitor := site.browser() // the link opened elsewhere: no cookie of the subscription
		status, page, token := visitor.get(manage)
		if status != 200 || !strings.Contains(page, "ana@example.org") || !strings.Contains(page, `name="topics" value="news" checked`) ||
			!strings.Contains(page, `name="digest" value="1" checked`) || !strings.Contains(page, `<option value="es" selected>`) || token == "" {
			t.Fatalf("the subscriber's page: %d\n%s", status, page)
		}
		tok := strings.TrimPrefix(manage, "/red/suscripcion?token=")
		change := url.Values{"token": {tok}, "topics": {"closures", "documents"}, "urgent": {"closures"}, "species": {"SCQ"}, "lang": {"en"}}
		if res, _ := visitor.send(network.ManagePath, change); res.StatusCode != http.StatusForbidden {
			t.Errorf("a change without the form's CSRF field: %d", res.StatusCode)
		}
		change.Set("csrf_token", token)
		res, page := visitor.send(network.ManagePath, change)
		if res.StatusCode != 200 || !strings.Contains(page, "Cambios guardados") || !strings.Contains(page, `name="topics" value="closures" checked`) ||
			strings.Contains(page, `name="digest" value="1" checked`) || !strings.Contains(page, `<option value="en" selected>`) {
			t.Fatalf("save: %d\n%s", res.StatusCode, page)
		}
		sub, err := site.srv.Network.Manage(context.Background(), tok)
		want := []network.Subscription{{Topic: "closures", Species: "SCQ", Urgent: true}, {Topic: "documents", Species: "SCQ"}}
		if err != nil || !reflect.DeepEqual(sub.Subscriptions, want) || sub.Digest || sub.Lang != "en" {
			t.Errorf("saved: %+v %v", sub, err)
		}
		if res, page := visitor.send(network.ManagePath, url.Values{"csrf_token": {token}, "token": {tok}}); res.StatusCode != 422 || !strings.Contains(page, "siga al menos un tema") {
			t.Errorf("nothing followed: %d\n%s", res.StatusCode, page)
		}
		if _, page, _ := visitor.get(manage + "&lang=en"); !strings.Contains(page, "Your subscription") || !strings.Contains(page, "Save the changes") {
			t.Errorf("the page in English:\n%s", page)
		}

		for _, bad := range []string{"/red/suscripcion", "/red/suscripcion?token=x", manage + "0"} {
			if status, page, _ := site.browser().get(bad); status != 404 || !strings.Contains(page, "este enlace a una suscripción no es válido") {
				t.Errorf("%s: %d\n%s", bad, status, page)
			}
		}
		if res, page := visitor.send(network.ManagePath, url.Values{"csrf_token": {token}, "token": {"x"}, "topics": {"news"}}); res.StatusCode != 404 || !strings.Contains(page, "is not valid") {
			t.Errorf("a change with a wrong token: %d\n%s", res.StatusCode, page)
		}
		// The page's own button unsubscribes; the link then no longer works.
		if res, _ := visitor.send(network.UnsubscribePath, url.Values{"token": {tok}}); res.StatusCode != 200 {
			t.Fatalf("unsubscribe: %d", res.StatusCode)
		}
		if status, page, _ := visitor.get(manage + "&lang=en"); status != 404 || !strings.Contains(page, "this link no longer works") {
			t.Errorf("the page of an address gone: %d\n%s", status, page)
		}
	})
}

// Without mail the subscription is stored, and the page says so.
func TestNetworkWithoutMailStoresTheSubscription(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	_, page, token := b.get("/red?lang=en")
	if !strings.Contains(page, "Sending mail is not configured") {
		t.Errorf("the page does not say mail is off")
	}
	res, page := b.send("/red", url.Values{"csrf_token": {token}, "email": {"ana@example.org"}, "topics": {"closures"}})
	if res.StatusCode != 200 || !strings.Contains(page, "Your subscription is stored") {
		t.Errorf("%d\n%s", res.StatusCode, page)
	}
}

// An activity's page lists the documents that serve it (those the visitor
// may see), and a report's evidence may be one of them.
func TestActivityShowsItsDocuments(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	ctx := context.Background()
	editor := site.users["editor"].Principal()
	public, _ := site.srv.Archive.Create(ctx, editor, archive.Input{Title: "Base de datos de investigaciones", Kind: "informe", Year: 2007, Activities: []string{"1.1.2"}}, nil)
	hidden, _ := site.srv.Archive.Create(ctx, editor, archive.Input{Title: "Borrador reservado", Kind: "informe", Year: 2007, Activities: []string{"1.1.2"}, Access: "institution"}, nil)
	plans, _ := site.srv.Planning.Plans(ctx)
	path := fmt.Sprintf("/plan/%d/actividades/1.1.2", plans[0].ID)
	_, page, _ := site.browser().get(path)
	if !strings.Contains(page, archive.DocumentPath(public.ID)) || strings.Contains(page, "Borrador reservado") {
		t.Errorf("the activity's documents for a visitor:\n%s", page)
	}
	b := site.browser()
	b.login("editor@example.org", testPassword)
	if _, page, _ := b.get(path); !strings.Contains(page, archive.DocumentPath(hidden.ID)) {
		t.Errorf("the institution's editor does not see its document")
	}
	// The editor gives the document, by its number, as a report's evidence.
	act, err := site.srv.Planning.Activity(ctx, plans[0].ID, "1.1.2", 2008)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := site.srv.Planning.SaveReport(ctx, editor, act.ID, planning.ReportInput{Period: "2008", Status: "in_progress", Narrative: "Base publicada."})
	if err != nil {
		t.Fatal(err)
	}
	_, _, token := b.get(path)
	if res := b.post(fmt.Sprintf("/plan-reportes/%d/evidencias", rep.ID), url.Values{"csrf_token": {token}, "document_id": {fmt.Sprint(public.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("evidence: %d", res.StatusCode)
	}
	// A number that is no document is refused by the report's evidence
	// form, on the activity's page, not on a page of its own.
	res, body := b.send(fmt.Sprintf("/plan-reportes/%d/evidencias", rep.ID), url.Values{"csrf_token": {token}, "document_id": {"999999"}})
	if res.StatusCode != 422 || !strings.Contains(body, `<span class="errors" role="alert" id="evidencia-error-`+fmt.Sprint(rep.ID)+`">ese documento no está en el archivo</span>`) ||
		!strings.Contains(body, fmt.Sprintf(`action="/plan-reportes/%d/evidencias"`, rep.ID)) || strings.Contains(body, "document_id:") {
		t.Errorf("evidence of no document: %d\n%s", res.StatusCode, body)
	}
	_, page, _ = b.get(path + "?anio=2008")
	if !strings.Contains(page, `<a href="`+archive.DocumentPath(public.ID)+`">Base de datos de investigaciones</a>`) {
		t.Errorf("the report does not link its evidence to the archive:\n%s", page)
	}
}

// The brochure's link leads to the newest edition's file in the page's
// language.
func TestBrochureLinkGoesToTheNewestEdition(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	if status, _, _ := site.browser().get("/archivo/brochure"); status != 404 {
		t.Errorf("no brochure yet: %d", status)
	}
	var newest archive.Document
	for _, edition := range []string{"2025", "2026"} {
		var files []archive.Upload
		for _, lang := range []string{"es", "en"} {
			files = append(files, archive.Upload{Name: "brochure-" + edition + "-" + lang + ".pdf", R: strings.NewReader("%PDF-1.4 " + edition + lang)})
		}
		var err error
		year := 2025
		if edition == "2026" {
			year = 2026
		}
		newest, err = site.srv.Archive.Keep(context.Background(), auth.System, "brochure:"+edition, archive.Input{Title: "Brochure " + edition, Kind: "presentation", Year: year}, files)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, page, _ := site.browser().get("/archivo"); !strings.Contains(page, `href="/archivo/brochure"`) {
		t.Errorf("the archive does not link the brochure")
	}
	res, err := site.browser().client.Get(site.http.URL + "/archivo/brochure?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != archive.FilePath(newest.Files[1].ID) {
		t.Errorf("%d → %s, want %s", res.StatusCode, loc, archive.FilePath(newest.Files[1].ID))
	}
}

// The error page shows a field without a label by its problem alone (no
// "document_id: …"), and a place in a file as it is.
func TestErrorPageFieldLabels(t *testing.T) {
	got := fieldProblems(i18n.ES, map[string]string{"document_id": "un documento del archivo", "report_id": "obligatorio", "fila 3, columna ruc": "ya registrado"})
	want := []fieldProblem{{"Documento del archivo", "un documento del archivo"}, {"fila 3, columna ruc", "ya registrado"}, {"", "obligatorio"}}
	if !slices.Equal(got, want) {
		t.Errorf("fieldProblems: %q, want %q", got, want)
	}
	if got := fieldProblems(i18n.EN, map[string]string{"document_id": "a document of the archive"}); got[0].Label != "Archive document" {
		t.Errorf("in English: %q", got)
	}
}
