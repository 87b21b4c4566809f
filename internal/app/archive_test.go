package app

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	sriimmail "sriim/internal/mail"
	"sriim/internal/network"
	"sriim/internal/seeding"
)

// The commands of the archive: a batch import (refused whole for a bad
// row), the brochure kept in the archive, and the digest, which needs mail.
func TestArchiveCommands(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			dsn, data, dir := dbtest.DSN(t, dialect), t.TempDir(), t.TempDir()
			run := func(want int, args ...string) string {
				t.Helper()
				var out, errOut bytes.Buffer
				if code := Main(context.Background(), append(args, "--db", dsn, "--data-dir", data), &out, &errOut); code != want {
					t.Fatalf("%v: exit %d, want %d: %s%s", args, code, want, out.String(), errOut.String())
				}
				return out.String() + errOut.String()
			}
			pdf, _ := os.ReadFile("../extract/testdata/muestra.pdf")
			_ = os.WriteFile(filepath.Join(dir, "manual.pdf"), pdf, 0o644)
			header := "archivo,titulo,tipo,autores,institucion,anio,idioma,resumen,palabras_clave,especies,actividades,acceso\n"
			meta := filepath.Join(dir, "lote.csv")
			_ = os.WriteFile(meta, []byte(header+"manual.pdf,Manual de crianza,manual,,IMARPE,2006,es,,,SCQ,1.1.2,público\n"+
				"otro.pdf,Otro,tesis,,,2006,es,,,,,\n"), 0o644)
			// The problem is named by row and column ("fila 3, columna archivo", or in English "row 3, column archivo").
			if out := run(1, "import", "documents", "--metadata", meta); !strings.Contains(out, "3, column") || !strings.Contains(out, "archivo") {
				t.Errorf("bad batch: %s", out)
			}
			_ = os.WriteFile(meta, []byte(header+"manual.pdf,Manual de crianza,manual,,IMARPE,2006,es,,,SCQ,1.1.2,público\n"), 0o644)
			if out := run(0, "import", "documents", "--metadata", meta); !strings.Contains(out, "1 documents; 1 new") {
				t.Errorf("import: %s", out)
			}

			out := run(0, "brochure", "--edition", "2026", "--out", dir)
			if !strings.Contains(out, "kept in the archive as document") {
				t.Errorf("brochure: %s", out)
			}
			for _, name := range []string{"brochure-2026-es.pdf", "brochure-2026-en.pdf"} {
				if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() < 2000 {
					t.Errorf("%s: %v", name, err)
				}
			}
			run(0, "brochure", "--edition", "2026", "--out", dir)

			d, err := db.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			svc, err := buildModules(d, config.Config{DataDir: data}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := svc.Archive.Search(context.Background(), auth.Principal{}, archive.SearchQuery{Q: "brochure"})
			if err != nil || len(res.Hits) != 1 {
				t.Fatalf("the brochure in the archive: %+v %v", res, err)
			}
			doc, _ := svc.Archive.Document(context.Background(), auth.Principal{}, res.Hits[0].ID)
			// One document per edition; a file that came out different is a new version.
			if len(doc.Files) != 2 || doc.Files[0].Name != "brochure-2026-es.pdf" || doc.Files[1].Name != "brochure-2026-en.pdf" ||
				len(doc.Files[0].Previous) != doc.Files[0].Version-1 || doc.Kind != "presentation" || doc.Activities[0] != "2.3.4" {
				t.Errorf("brochure document: %+v", doc)
			}

			// Documents without an entry in PostgreSQL's index (every one,
			// after migration 00025 rebuilt its tables) are indexed at the
			// next start.
			clear := "DELETE FROM archive_search_docs"
			if dialect != db.Postgres {
				clear = "SELECT 1" // SQLite's index needs no repair
			}
			err = d.Tx(context.Background(), func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(context.Background(), clear); err != nil {
					return err
				}
				_, err := tx.ExecContext(context.Background(), "UPDATE archive_state SET generation = generation + 1")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if out := run(1, "digest"); !strings.Contains(out, "mail is off") {
				t.Errorf("digest without mail: %s", out)
			}
			res, err = svc.Archive.Search(context.Background(), auth.Principal{}, archive.SearchQuery{Q: "brochure"})
			if err != nil || len(res.Hits) != 1 || res.Hits[0].Score != 10 {
				t.Errorf("the brochure after a start that indexed it again: %+v %v", res, err)
			}
		})
	}
}

// The network announces what the archive publishes: a published news
// item and a new public document reach a member's digest; a document kept
// for an institution does not.
func TestNetworkAnnouncesTheArchive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		log := slog.New(slog.DiscardHandler)
		cfg := config.Config{DB: "unused", DataDir: t.TempDir(), PublicURL: "https://sriim.example.org"}
		box := &inbox{}
		srv := smtp.NewServer(box)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		sender, _ := sriimmail.NewSMTP("smtp://" + ln.Addr().String() + "?from=red@sriim.test")
		// The network as every command builds it: the archive's announcements are wired by modules.Build.
		svc, err := buildModules(d, cfg, sender, log)
		if err != nil {
			t.Fatal(err)
		}
		n := svc.Network
		if err := seeding.Load(ctx, d, seeding.Services{Accounts: svc.Accounts, Reference: svc.Reference, Production: svc.Production,
			Planning: svc.Planning, Trade: svc.Trade}, log); err != nil {
			t.Fatal(err)
		}

		if err := n.Subscribe(ctx, "ana@example.org", "es", []network.Subscription{{Topic: "news"}, {Topic: "documents"}}, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		confirm := box.take()
		start := strings.Index(confirm, "?token=")
		if _, err := n.Confirm(ctx, strings.Fields(confirm[start+7:])[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Archive.Create(ctx, auth.System, archive.Input{Title: "Guía de depuración", Kind: "guia", Year: 2026}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Archive.Create(ctx, auth.System, archive.Input{Title: "Documento interno", Kind: "otro", Year: 2026, Access: "signed_in"}, nil); err != nil {
			t.Fatal(err)
		}
		item, err := svc.Archive.CreateNews(ctx, auth.System, archive.NewsInput{Kind: "news", Texts: map[string]archive.NewsText{"es": {Title: "Nueva planta en Ilo"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Archive.SubmitNews(ctx, auth.System, item.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Archive.ReviewNews(ctx, auth.System, item.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		from, to, name := network.Week(time.Now())
		rep, err := n.DigestOf(ctx, from, to, name)
		if err != nil || rep.Sent != 1 {
			t.Fatalf("digest: %+v %v", rep, err)
		}
		body := box.take()
		for _, want := range []string{"Nueva planta en Ilo", "https://sriim.example.org/noticias/", "Guía de depuración", "https://sriim.example.org/archivo/"} {
			if !strings.Contains(body, want) {
				t.Errorf("digest lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "Documento interno") {
			t.Errorf("a document for the signed-in only went out in a digest")
		}
	})
}

// inbox is a local SMTP server that keeps the bodies it receives.
type inbox struct {
	mu     sync.Mutex
	bodies []string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return b, nil }
func (b *inbox) Reset()                                      {}
func (b *inbox) Logout() error                               { return nil }
func (b *inbox) Mail(string, *smtp.MailOptions) error        { return nil }
func (b *inbox) Rcpt(string, *smtp.RcptOptions) error        { return nil }
func (b *inbox) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(msg.Body)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bodies = append(b.bodies, strings.ReplaceAll(string(body), "\r\n", "\n"))
	return nil
}

// take returns the bodies received so far, joined, and forgets them.
func (b *inbox) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := strings.Join(b.bodies, "\n")
	b.bodies = nil
	return out
}
