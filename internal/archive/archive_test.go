package archive_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

type fixture struct {
	svc     *archive.Service
	d       *db.DB
	direpro auth.Principal // editor of DIREPRO Ilo
	imarpe  auth.Principal // editor of IMARPE
	member  auth.Principal // signed in, of no institution
	mesa    auth.Principal // administrator
	anon    auth.Principal
	files   string
	plan    *planning.Service
}

var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{d: d, files: t.TempDir()}
	acc := accounts.New(d)
	f.plan = planning.New(d, f.files)
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d), Planning: f.plan, Trade: trade.New(d)},
		slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	f.svc = archive.New(d, f.files)
	f.svc.Now = func() time.Time { return now }
	direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	imarpe, _ := acc.InstitutionByCode(ctx, "IMARPE")
	f.direpro = auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
	f.imarpe = auth.Principal{UserID: 2, Email: "ed@imarpe", Role: auth.Editor, Institutions: []int64{imarpe.ID}}
	f.member = auth.Principal{UserID: 3, Email: "m@x", Role: auth.Member, ActorID: 9}
	f.mesa = auth.Principal{UserID: 4, Email: "mesa", Role: auth.Admin}
	return f
}

func text(s string) archive.Upload { return archive.Upload{Name: "texto.txt", R: strings.NewReader(s)} }

func (f fixture) create(t *testing.T, p auth.Principal, in archive.Input, files ...archive.Upload) archive.Document {
	t.Helper()
	if in.Kind == "" {
		in.Kind = "estudio"
	}
	if in.Year == 0 {
		in.Year = 2005
	}
	d, err := f.svc.Create(context.Background(), p, in, files)
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	return d
}

func titles(hits []archive.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Title)
	}
	return out
}

// corpus adds the documents the search tests look for.
func (f fixture) corpus(t *testing.T) {
	f.create(t, f.direpro, archive.Input{Title: "Exportación de loco congelado al Japón", Species: []string{"SNE"}, Keywords: []string{"mercados"},
		Institutions: []string{"DIREPRO-ILO"}, Activities: []string{"2.1.4"}, Abstract: "Estudio de los mercados del loco."},
		text("El Japón compra loco congelado de Ilo desde 1998."))
	f.create(t, f.direpro, archive.Input{Title: "Manual de crianza de concha de abanico", Kind: "manual", Year: 2006, Species: []string{"SCQ"},
		Institutions: []string{"DIREPRO-ILO"}, Activities: []string{"1.1.2"}},
		text("La crianza en linterna. Luego vendrá la etapa de EXPORTAR la concha: <script>alert(1)</script> & más."))
	f.create(t, f.imarpe, archive.Input{Title: "Informe de la campaña de pulpo", Kind: "informe", Year: 2006, Institutions: []string{"IMARPE"}},
		text("Desembarques de pulpo en Ilo."))
	f.create(t, f.imarpe, archive.Input{Title: "Exportaciones reservadas de IMARPE", Access: "institution", Institutions: []string{"IMARPE"}},
		text("Cifras de exportación que solo ve IMARPE."))
	f.create(t, f.imarpe, archive.Input{Title: "Exportaciones para usuarios registrados", Access: "signed_in"})
}

func TestSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.corpus(t)
		ctx := context.Background()
		search := func(p auth.Principal, q archive.SearchQuery) archive.Results {
			t.Helper()
			res, err := f.svc.Search(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}

		// Stemming, accents and case: "EXPORTACIONES" finds "Exportación"
		// and "EXPORTAR"; the title match ranks above the body match.
		res := search(f.anon, archive.SearchQuery{Q: "EXPORTACIONES"})
		want := []string{"Exportación de loco congelado al Japón", "Manual de crianza de concha de abanico"}
		if got := titles(res.Hits); !slices.Equal(got, want) || res.Total != 2 {
			t.Fatalf("anonymous search for EXPORTACIONES: %d %v, want %v", res.Total, got, want)
		}
		if res.Hits[0].Score != 10 || res.Hits[1].Score != 1 {
			t.Errorf("scores %v and %v, want 10 (title) and 1 (body)", res.Hits[0].Score, res.Hits[1].Score)
		}
		for _, q := range []string{"exportacion", "Exportar", "exportadores"} {
			if got := titles(search(f.anon, archive.SearchQuery{Q: q}).Hits); !slices.Equal(got, want) {
				t.Errorf("search for %q: %v, want %v", q, got, want)
			}
		}
		// The snippet says why: the matching word marked, the rest escaped.
		if s := res.Hits[1].Snippet; !strings.Contains(s, "<mark>EXPORTAR</mark>") || !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; más") {
			t.Errorf("snippet %q", s)
		}
		if s := res.Hits[0].Snippet; !strings.Contains(s, "<mark>Exportación</mark>") {
			t.Errorf("snippet of a title match %q", s)
		}
		// Every word must be there; a word found by species name counts as a keyword.
		res = search(f.anon, archive.SearchQuery{Q: "exportación loco"})
		if got := titles(res.Hits); len(got) != 1 || res.Hits[0].Score != 10 {
			t.Errorf("two words: %v (score %v)", got, res.Hits)
		}
		res = search(f.anon, archive.SearchQuery{Q: "chanque"}) // another name of the loco, in the species list
		if got := titles(res.Hits); len(got) != 1 || res.Hits[0].Score != 6 {
			t.Errorf("species name: %v", res.Hits)
		}

		// Access: an institution's document exists only for its members (and
		// the Mesa de Trabajo); signed-in documents only for the signed-in.
		for _, tc := range []struct {
			who   string
			p     auth.Principal
			total int
		}{{"anonymous", f.anon, 2}, {"member", f.member, 3}, {"DIREPRO", f.direpro, 3}, {"IMARPE", f.imarpe, 4}, {"Mesa", f.mesa, 4}} {
			if res := search(tc.p, archive.SearchQuery{Q: "exportaciones"}); res.Total != tc.total || len(res.Hits) != tc.total {
				t.Errorf("%s finds %d documents (%v), want %d", tc.who, res.Total, titles(res.Hits), tc.total)
			}
		}
		if res := search(f.anon, archive.SearchQuery{}); res.Total != 3 {
			t.Errorf("anonymous list: %d documents, want the 3 public ones", res.Total)
		}

		// Facets count what was found; a facet narrows.
		res = search(f.direpro, archive.SearchQuery{})
		if res.Total != 4 {
			t.Fatalf("list: %d", res.Total)
		}
		facets := map[string][]archive.Facet{"kind": res.Facets.Kinds, "year": res.Facets.Years, "species": res.Facets.Species,
			"institution": res.Facets.Institutions, "activity": res.Facets.Activities}
		wantFacets := map[string][]archive.Facet{
			"kind":        {{"study", 2}, {"manual", 1}, {"report", 1}},
			"year":        {{"2006", 2}, {"2005", 2}},
			"species":     {{"SCQ", 1}, {"SNE", 1}},
			"institution": {{"DIREPRO-ILO", 2}, {"IMARPE", 1}},
			"activity":    {{"1.1.2", 1}, {"2.1.4", 1}},
		}
		for k, w := range wantFacets {
			if !slices.Equal(facets[k], w) {
				t.Errorf("facet %s: %v, want %v", k, facets[k], w)
			}
		}
		for _, q := range []archive.SearchQuery{{Kind: "manual"}, {Kind: "Manual", Year: 2006}, {Species: "scq"}, {Activity: "1.1.2"}, {Q: "crianza", Institution: "DIREPRO-ILO"}} {
			if got := titles(search(f.direpro, q).Hits); !slices.Equal(got, []string{"Manual de crianza de concha de abanico"}) {
				t.Errorf("%+v: %v", q, got)
			}
		}
		if _, err := f.svc.Search(ctx, f.anon, archive.SearchQuery{Kind: "novela"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("unknown kind: %v", err)
		}
		docs, err := f.svc.ForActivity(ctx, f.anon, "2.1.4")
		if err != nil || len(docs) != 1 || docs[0].Title != "Exportación de loco congelado al Japón" {
			t.Errorf("documents of activity 2.1.4: %v %v", docs, err)
		}
	})
}

func TestDocumentFilesAndVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		pdf, err := os.ReadFile("../extract/testdata/muestra.pdf")
		if err != nil {
			t.Fatal(err)
		}
		doc := f.create(t, f.direpro, archive.Input{Title: "Guía de habilitación", Kind: "guia"},
			archive.Upload{Name: "guia.pdf", R: strings.NewReader(string(pdf))},
			archive.Upload{Name: "escaneo.pdf", R: strings.NewReader("%PDF-1.4\nnot really a PDF\n%%EOF")})
		if len(doc.Files) != 2 || doc.Files[0].TextStatus != "ok" || doc.Files[1].TextStatus != "failed" || doc.Files[1].TextProblem == "" {
			t.Fatalf("files %+v: want the PDF read and the damaged one listed, flagged", doc.Files)
		}
		// The PDF's text is searchable.
		res, _ := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "pingüino"})
		if len(res.Hits) != 1 || !strings.Contains(res.Hits[0].Snippet, "<mark>Pingüino</mark>") {
			t.Errorf("search in the PDF's text: %+v", res.Hits)
		}
		// Someone else's editor may not add files.
		if _, err := f.svc.AddFile(ctx, f.imarpe, doc.ID, 1, text("otra")); !errs.Is(err, errs.Forbidden) {
			t.Errorf("IMARPE adds a file to DIREPRO's document: %v", err)
		}
		// A new version of the first file keeps the old one.
		doc, err = f.svc.AddFile(ctx, f.direpro, doc.ID, 1, archive.Upload{Name: "guia-2.txt", R: strings.NewReader("Nueva versión sobre la depuración de bivalvos.")})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Files) != 2 || doc.Files[0].Version != 2 || len(doc.Files[0].Previous) != 1 || doc.Files[0].Previous[0].Name != "guia.pdf" {
			t.Fatalf("after a new version: %+v", doc.Files)
		}
		// The search follows the current version: the old text is gone from it.
		if res, _ := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "pingüino"}); res.Total != 0 {
			t.Errorf("the replaced version's text is still found")
		}
		if res, _ := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "depuración"}); res.Total != 1 {
			t.Errorf("the new version's text is not found")
		}
		// Both versions download; downloads are counted by month.
		old := doc.Files[0].Previous[0]
		if _, path, err := f.svc.Download(ctx, f.anon, old.ID); err != nil || path == "" {
			t.Fatalf("old version: %v", err)
		}
		f.svc.Now = func() time.Time { return now.AddDate(0, 1, 0) }
		for range 2 {
			if _, _, err := f.svc.Download(ctx, f.anon, doc.Files[0].ID); err != nil {
				t.Fatal(err)
			}
		}
		months, err := f.svc.Downloads(ctx, f.anon, doc.ID)
		if err != nil || !slices.Equal(months, []archive.MonthCount{{Month: "2026-03", N: 1}, {Month: "2026-04", N: 2}}) {
			t.Errorf("downloads by month: %v %v", months, err)
		}
		doc, _ = f.svc.Document(ctx, f.anon, doc.ID)
		if doc.Files[0].Downloads != 2 || doc.Files[0].Previous[0].Downloads != 1 {
			t.Errorf("downloads per file: %+v", doc.Files[0])
		}
	})
}

// The LibreOffice fixtures in DOCX and ODT (made from the same page as the
// PDF) are read and indexed on both backends: a word of their text, in
// another case and without its accent, finds each, with a snippet.
func TestOfficeFilesAreIndexed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		for _, name := range []string{"muestra.docx", "muestra.odt"} {
			b, err := os.ReadFile("../extract/testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			doc := f.create(t, f.direpro, archive.Input{Title: "Documento " + name, Kind: "manual"}, archive.Upload{Name: name, R: strings.NewReader(string(b))})
			if len(doc.Files) != 1 || doc.Files[0].TextStatus != "ok" {
				t.Fatalf("%s: %+v", name, doc.Files)
			}
		}
		res, err := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "PINGUINO"})
		if err != nil || res.Total != 2 {
			t.Fatalf("search in the DOCX and ODT texts: %+v %v", res, err)
		}
		for _, h := range res.Hits {
			if !strings.Contains(h.Snippet, "<mark>Pingüino</mark>") {
				t.Errorf("%s: snippet %q", h.Title, h.Snippet)
			}
		}
	})
}

func TestInstitutionDocumentsStayHidden(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		doc := f.create(t, f.imarpe, archive.Input{Title: "Reservado", Access: "institucion"}, text("secreto"))
		file := doc.Files[0].ID
		for who, p := range map[string]auth.Principal{"anonymous": f.anon, "member": f.member, "DIREPRO": f.direpro} {
			if _, err := f.svc.Document(ctx, p, doc.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reads the document: %v", who, err)
			}
			if _, _, err := f.svc.Download(ctx, p, file); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s downloads its file: %v", who, err)
			}
			if titles, _ := f.svc.Titles(ctx, p, []int64{doc.ID}); len(titles) != 0 {
				t.Errorf("%s gets its title", who)
			}
			if latest, _ := f.svc.Latest(ctx, p, time.Time{}, 10); len(latest) != 0 {
				t.Errorf("%s sees it among the latest", who)
			}
		}
		for who, p := range map[string]auth.Principal{"IMARPE": f.imarpe, "Mesa": f.mesa} {
			if _, err := f.svc.Document(ctx, p, doc.ID); err != nil {
				t.Errorf("%s cannot read it: %v", who, err)
			}
		}
		if _, err := f.svc.Create(ctx, f.direpro, archive.Input{Title: "x", Kind: "otro", Year: 2000, InstitutionID: f.imarpe.Institutions[0]}, nil); !errs.Is(err, errs.Forbidden) {
			t.Errorf("DIREPRO files a document for IMARPE: %v", err)
		}
		if _, err := f.svc.Create(ctx, f.anon, archive.Input{Title: "x", Kind: "otro", Year: 2000}, nil); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous create: %v", err)
		}
	})
}

func TestUpdateIsVersionedAndReindexed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		doc := f.create(t, f.direpro, archive.Input{Title: "Borrador", Kind: "otro"})
		in := archive.Input{Title: "Estudio de mercado del pulpo", Kind: "estudio", Year: 2004, Version: doc.Version}
		updated, err := f.svc.Update(ctx, f.direpro, doc.ID, in)
		if err != nil || updated.Version != doc.Version+1 {
			t.Fatalf("update: %v %+v", err, updated)
		}
		if res, _ := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "pulpo"}); res.Total != 1 {
			t.Errorf("the new title is not found")
		}
		if res, _ := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "borrador"}); res.Total != 0 {
			t.Errorf("the old title is still found")
		}
		// A save based on the version before is refused, with what changed.
		in.Title = "Otro título"
		_, err = f.svc.Update(ctx, f.direpro, doc.ID, in)
		var e *errs.Error
		if !errs.Is(err, errs.Conflict) || !errorsAs(err, &e) || e.Stale == nil || e.Stale.CurrentVersion != updated.Version {
			t.Fatalf("stale update: %v", err)
		}
		if err := f.svc.Delete(ctx, f.direpro, doc.ID, updated.Version); err != nil {
			t.Fatal(err)
		}
		if res, _ := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "pulpo"}); res.Total != 0 {
			t.Errorf("a deleted document is still found")
		}
	})
}

func errorsAs(err error, target **errs.Error) bool { return errors.As(err, target) }

func TestImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		dir := t.TempDir()
		pdf, _ := os.ReadFile("../extract/testdata/muestra.pdf")
		odt, _ := os.ReadFile("../extract/testdata/muestra.odt")
		_ = os.MkdirAll(dir+"/informes", 0o755)
		_ = os.WriteFile(dir+"/informes/manual.pdf", pdf, 0o644)
		_ = os.WriteFile(dir+"/manual.odt", odt, 0o644)
		_ = os.WriteFile(dir+"/nota.txt", []byte("Nota técnica sobre la veda del pulpo."), 0o644)
		_ = os.WriteFile(dir+"/foto.jpg", []byte("\xff\xd8\xff\xe0 not a document"), 0o644)
		header := "archivo,titulo,tipo,autores,institucion,anio,idioma,resumen,palabras_clave,especies,actividades,acceso\n"
		good := header +
			`informes/manual.pdf,Manual de crianza (PDF),manual,"Pérez, J.; Gómez, A.",DIREPRO-ILO,2006,es,Crianza en linternas.,crianza; linternas,SCQ,1.1.2,público` + "\n" +
			`manual.odt,Manual de crianza (ODT),manual,,IMARPE,2006,es,,,,,` + "\n" +
			`nota.txt,Nota sobre la veda,norma técnica,,,2007,es,,veda,QDM,,registrados` + "\n"
		bad := header +
			`informes/manual.pdf,Manual de crianza (PDF),manual,,DIREPRO-ILO,2006,es,,,SCQ,1.1.2,público` + "\n" +
			`falta.pdf,,novela,,,dos mil,es,,,XXX,9.9.9,secreto` + "\n" +
			`foto.jpg,Foto,otro,,,2006,es,,,,,` + "\n" +
			`../fuera.pdf,Fuera,otro,,,2006,es,,,,,` + "\n"
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		_, err = f.svc.Import(ctx, f.direpro, strings.NewReader(bad), "lote.csv", root.FS())
		var e *errs.Error
		if !errorsAs(err, &e) || e.Kind != errs.Invalid {
			t.Fatalf("bad batch: %v", err)
		}
		for _, key := range []string{"fila 3, columna archivo", "fila 3, columna titulo", "fila 3, columna tipo", "fila 3, columna anio",
			"fila 3, columna especies", "fila 3, columna actividades", "fila 3, columna acceso", "fila 4, columna archivo", "fila 5, columna archivo"} {
			if e.Fields[key] == "" {
				t.Errorf("no problem reported at %s: %v", key, e.Fields)
			}
		}
		if res, _ := f.svc.Search(ctx, f.mesa, archive.SearchQuery{}); res.Total != 0 {
			t.Fatalf("a bad batch imported %d documents", res.Total)
		}
		// Two files of the same content: found once the files are read,
		// each reported, and nothing written, not even the rows before.
		_ = os.WriteFile(dir+"/copia.txt", []byte("Nota técnica sobre la veda del pulpo."), 0o644)
		_ = os.WriteFile(dir+"/copia2.txt", []byte("Nota técnica sobre la veda del pulpo."), 0o644)
		twice := header + `manual.odt,Manual,manual,,,2006,es,,,,,` + "\n" + `nota.txt,Nota,otro,,,2007,es,,,,,` + "\n" +
			`copia.txt,Copia,otro,,,2007,es,,,,,` + "\n" + `copia2.txt,Otra copia,otro,,,2007,es,,,,,` + "\n"
		_, err = f.svc.Import(ctx, f.direpro, strings.NewReader(twice), "lote.csv", root.FS())
		if !errorsAs(err, &e) || e.Kind != errs.Invalid || len(e.Fields) != 2 ||
			!strings.Contains(e.Fields["fila 4, columna archivo"], "3") || !strings.Contains(e.Fields["fila 5, columna archivo"], "3") {
			t.Fatalf("files of the same content: %v %v", err, e.Fields)
		}
		if res, _ := f.svc.Search(ctx, f.mesa, archive.SearchQuery{}); res.Total != 0 {
			t.Fatalf("a batch with files of the same content imported %d documents", res.Total)
		}

		rep, err := f.svc.Import(ctx, f.direpro, strings.NewReader(good), "lote.csv", root.FS())
		if err != nil || rep != (archive.ImportReport{Rows: 3, Created: 3}) {
			t.Fatalf("import: %+v %v", rep, err)
		}
		res, _ := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "pingüino"})
		// Equal scores (the word is in both bodies): the later document first.
		if got := titles(res.Hits); !slices.Equal(got, []string{"Manual de crianza (ODT)", "Manual de crianza (PDF)"}) {
			t.Errorf("imported files' text: %v", got)
		}
		doc, _ := f.svc.Document(ctx, f.direpro, res.Hits[1].ID)
		if !slices.Equal(doc.Authors, []string{"Pérez, J.", "Gómez, A."}) || doc.Access != "public" || doc.Institutions[0].Code != "DIREPRO-ILO" ||
			doc.InstitutionID != f.direpro.Institutions[0] || !slices.Equal(doc.Species, []string{"SCQ"}) {
			t.Errorf("imported metadata: %+v", doc)
		}

		// The same batch again changes nothing; an edited row updates its document.
		rep, err = f.svc.Import(ctx, f.direpro, strings.NewReader(good), "lote.csv", root.FS())
		if err != nil || rep != (archive.ImportReport{Rows: 3, Unchanged: 3}) {
			t.Fatalf("import again: %+v %v", rep, err)
		}
		edited := strings.Replace(good, "Nota sobre la veda", "Nota sobre la veda del pulpo", 1)
		rep, err = f.svc.Import(ctx, f.direpro, strings.NewReader(edited), "lote.csv", root.FS())
		if err != nil || rep != (archive.ImportReport{Rows: 3, Updated: 1, Unchanged: 2}) {
			t.Fatalf("import edited: %+v %v", rep, err)
		}
		if res, _ := f.svc.Search(ctx, f.mesa, archive.SearchQuery{}); res.Total != 3 {
			t.Errorf("after three imports: %d documents, want 3", res.Total)
		}
		// Another institution's editor may not update DIREPRO's documents through a batch.
		if _, err := f.svc.Import(ctx, f.imarpe, strings.NewReader(edited), "lote.csv", root.FS()); !errs.Is(err, errs.Forbidden) {
			t.Errorf("IMARPE re-imports DIREPRO's batch: %v", err)
		}
	})
}

func TestDocumentAsEvidence(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.plan.Documents = f.svc
		plans, _ := f.plan.Plans(ctx)
		act, err := f.plan.Activity(ctx, plans[0].ID, "1.1.1", 2008)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := f.plan.SaveReport(ctx, f.direpro, act.ID, planning.ReportInput{Period: "2008", Status: "in_progress"})
		if err != nil {
			t.Fatal(err)
		}
		guide := f.create(t, f.direpro, archive.Input{Title: "Guía de buenas prácticas", Kind: "guia", Activities: []string{"1.1.1"}})
		hidden := f.create(t, f.imarpe, archive.Input{Title: "Reservado", Access: "institution"})
		e, err := f.plan.AddDocumentEvidence(ctx, f.direpro, rep.ID, guide.ID)
		if err != nil || e.DocumentID != guide.ID || e.Name != "" {
			t.Fatalf("document as evidence: %v %+v", err, e)
		}
		if _, err := f.plan.AddDocumentEvidence(ctx, f.direpro, rep.ID, hidden.ID); !errs.Is(err, errs.Invalid) {
			t.Errorf("a document DIREPRO may not see as evidence: %v", err)
		}
		r, _, err := f.plan.Report(ctx, f.direpro, rep.ID)
		if err != nil || len(r.Evidence) != 1 || r.Evidence[0].DocumentID != guide.ID {
			t.Errorf("report evidence: %+v", r.Evidence)
		}
		// The activity lists the documents that serve it.
		docs, err := f.svc.ForActivity(ctx, f.anon, act.Code)
		if err != nil || len(docs) != 1 || docs[0].ID != guide.ID {
			t.Errorf("documents of %s: %v %v", act.Code, docs, err)
		}
		// A document given as evidence stays.
		if err := f.svc.Delete(ctx, f.direpro, guide.ID, 0); !errs.Is(err, errs.Conflict) {
			t.Errorf("deleting evidence: %v", err)
		}
	})
}
