package regulation_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/filestore"
	"sriim/internal/regulation"
)

func TestANormsTextFileIsKeptSearchedAndGuarded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		dir := filepath.Join(t.TempDir(), "files")
		svc := f.svc.KeepFilesIn(filestore.New(dir))
		loco, err := svc.Norm(ctx, f.anon, "RM-383-2004-PRODUCE")
		if err != nil {
			t.Fatal(err)
		}
		body := "Artículo 1.- Declárese al recurso loco en recuperación; se prohíbe su extracción en Moquegua y Tacna."

		// Who does not keep the norm is refused before anything is stored.
		if _, err := svc.AttachText(ctx, f.other, loco.Code, loco.Version, "rm.txt", strings.NewReader(body)); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another institution's editor: %v, want Forbidden", err)
		}
		if _, err := svc.AttachText(ctx, f.anon, loco.Code, loco.Version, "rm.txt", strings.NewReader(body)); err == nil {
			t.Fatal("an anonymous visitor attached a text")
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("refused uploads left %d files in the store", len(entries))
		}
		// Not a text: a spreadsheet, and a ".pdf" that is not a PDF.
		for name, content := range map[string]string{"rm.xlsx": "PK\x03\x04 a sheet", "rm.pdf": "not a pdf"} {
			if _, err := svc.AttachText(ctx, f.editor, loco.Code, 0, name, strings.NewReader(content)); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: %v, want Invalid", name, err)
			}
		}
		// Too large: refused, nothing kept.
		big := bytes.Repeat([]byte("loco "), regulation.MaxTextBytes/5+1)
		if _, err := svc.AttachText(ctx, f.editor, loco.Code, 0, "big.txt", bytes.NewReader(big)); !errs.Is(err, errs.Invalid) {
			t.Errorf("a file over %d bytes: %v, want Invalid", regulation.MaxTextBytes, err)
		}
		// A change based on an old version is stale.
		if _, err := svc.AttachText(ctx, f.editor, loco.Code, loco.Version+7, "rm.txt", strings.NewReader(body)); !errs.Is(err, errs.Conflict) {
			t.Errorf("an old version: %v, want Conflict", err)
		}

		n, err := svc.AttachText(ctx, f.editor, loco.Code, loco.Version, `C:\docs\RM 383-2004.txt`, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if n.Text.Name != "RM 383-2004.txt" || len(n.Text.SHA256) != 64 || n.Version != loco.Version+1 {
			t.Errorf("attached: %+v (version %d, was %d)", n.Text, n.Version, loco.Version)
		}
		file, err := svc.NormText(ctx, f.anon, loco.Code)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(file.Path); string(got) != body || file.MediaType != "text/plain" || file.Name != "RM 383-2004.txt" {
			t.Errorf("download: %q as %s named %q", got, file.MediaType, file.Name)
		}
		// The file's words are found by the search (the summary has none of them).
		hits, err := svc.Search(ctx, f.anon, "prohibe extraccion", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].Code != loco.Code {
			t.Errorf("search for the text's words: %+v", hits)
		}
		// Saving the norm keeps its file, whatever a form or the API says of it.
		n.Text.SHA256, n.Text.Name, n.Text.URL = strings.Repeat("0", 64), "other.pdf", "https://example.org/rm"
		if n, err = svc.UpdateNorm(ctx, f.editor, loco.Code, n); err != nil {
			t.Fatal(err)
		}
		if n.Text.SHA256 != file.Path[len(file.Path)-64:] || n.Text.Name != "RM 383-2004.txt" || n.Text.URL != "https://example.org/rm" {
			t.Errorf("after a save: %+v", n.Text)
		}
		if hits, _ := svc.Search(ctx, f.anon, "prohibe extraccion", 10); len(hits) != 1 {
			t.Errorf("after a save the text is no longer found: %+v", hits)
		}
		// A new norm cannot point at a stored file.
		created, err := svc.CreateNorm(ctx, f.editor, regulation.Norm{Kind: "law", Number: "99999", Title: "Ley de prueba", Status: "in_force",
			Draft: true, Text: regulation.Text{SHA256: n.Text.SHA256, Name: "stolen.txt"}})
		if err != nil {
			t.Fatal(err)
		}
		if created.Text.SHA256 != "" {
			t.Errorf("a new norm points at a stored file: %+v", created.Text)
		}
		// A draft's file is its editors' only.
		if _, err := svc.AttachText(ctx, f.editor, created.Code, created.Version, "ley.txt", strings.NewReader("texto del borrador")); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.NormText(ctx, f.anon, created.Code); !errs.Is(err, errs.NotFound) {
			t.Errorf("an anonymous visitor downloads a draft's text: %v", err)
		}
		if _, err := svc.NormText(ctx, f.other, created.Code); !errs.Is(err, errs.NotFound) {
			t.Errorf("another institution downloads a draft's text: %v", err)
		}
		if _, err := svc.NormText(ctx, f.editor, created.Code); err != nil {
			t.Errorf("its editor cannot download a draft's text: %v", err)
		}
		if hits, _ := svc.Search(ctx, f.anon, "borrador", 10); len(hits) != 0 {
			t.Errorf("a draft's text is found by anonymous visitors: %+v", hits)
		}
	})
}
