package actors_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/importer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

func TestValidRUC(t *testing.T) {
	tests := map[string]bool{
		"20131312955":  true, // SUNAT
		"20100047218":  true, // a bank's RUC
		"10467793549":  true,
		"10467793548":  false, // bad check digit
		"20131312954":  false, // check digit off by one
		"2013131295":   false, // 10 digits
		"201313129555": false,
		"30131312955":  false, // unknown prefix
		"2013131295X":  false,
	}
	for ruc, ok := range tests {
		if err := actors.ValidRUC(ruc); (err == nil) != ok {
			t.Errorf("ValidRUC(%s) = %v, want valid %v", ruc, err, ok)
		}
	}
}

type fixture struct {
	svc     *actors.Service
	editor  auth.Principal
	other   auth.Principal
	admin   auth.Principal
	direpro int64
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	acc := accounts.New(d)
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d), Planning: planning.New(d, t.TempDir()), Trade: trade.New(d)},
		slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	imarpe, _ := acc.InstitutionByCode(ctx, "IMARPE")
	return fixture{svc: actors.New(d), direpro: direpro.ID,
		editor: auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}},
		other:  auth.Principal{UserID: 2, Email: "ed@imarpe", Role: auth.Editor, Institutions: []int64{imarpe.ID}},
		admin:  auth.Principal{UserID: 3, Email: "admin", Role: auth.Admin}}
}

func (f fixture) importFile(t *testing.T, name string) actors.ImportReport {
	t.Helper()
	file, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rep, err := f.svc.Import(context.Background(), f.editor, file, name)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

func TestImportCSVAndLibreOfficeXLSX(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		if rep := f.importFile(t, "actores-libreoffice.xlsx"); rep.Created != 5 {
			t.Fatalf("xlsx: %+v", rep)
		}
		// The same actors as CSV: nothing new, nothing changed.
		if rep := f.importFile(t, "actores.csv"); rep.Created != 0 || rep.Unchanged != 5 {
			t.Fatalf("csv after xlsx: %+v", rep)
		}
		page, err := f.svc.List(ctx, f.admin, actors.Filter{Q: "mariscos"})
		if err != nil || page.Total != 1 {
			t.Fatalf("search: %+v %v", page, err)
		}
		a := page.Actors[0]
		if a.RUC != "20100047218" || a.District != "180301" || len(a.Certifications) != 2 || a.Certifications[0].Kind != "plant_licence" ||
			!a.HasKind("exporter") || !a.HasKind("processor") || strings.Join(a.Species, ",") != "QDM,SNE,UCH" {
			t.Fatalf("imported exporter: %+v", a)
		}
	})
}

func TestImportIsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		head := "nombre,ruc,tipos,distrito\n"
		bad := head + "Uno SAC,20131312955,exportador,Ilo\nDos SAC,20131312954,exportador,Ilo\nTres,,nadie,Lima\nCuatro,,extractor,Ilo\n"
		_, err := f.svc.Import(ctx, f.editor, strings.NewReader(bad), "a.csv")
		e, ok := err.(*errs.Error)
		if !ok || e.Kind != errs.Invalid || e.Fields["fila 3, columna ruc"] == "" || e.Fields["fila 4, columna tipos"] == "" || e.Fields["fila 4, columna distrito"] == "" {
			t.Fatalf("bad file: %v", err)
		}
		if page, _ := f.svc.List(ctx, f.admin, actors.Filter{}); page.Total != 0 {
			t.Fatalf("a refused import wrote %d actors", page.Total)
		}
		good := head + "Uno SAC,20131312955,exportador,Ilo\nCuatro,,extractor,Ilo\n"
		rep, err := f.svc.Import(ctx, f.editor, strings.NewReader(good), "a.csv")
		if err != nil || rep.Created != 2 {
			t.Fatalf("good: %+v %v", rep, err)
		}
		rep, err = f.svc.Import(ctx, f.editor, strings.NewReader(good), "a.csv")
		if err != nil || rep.Unchanged != 2 {
			t.Fatalf("again: %+v %v", rep, err)
		}
		// A changed name with the same RUC updates, not duplicates.
		renamed := strings.Replace(good, "Uno SAC", "Uno Exportaciones SAC", 1)
		if rep, err = f.svc.Import(ctx, f.editor, strings.NewReader(renamed), "a.csv"); err != nil || rep.Updated != 1 || rep.Unchanged != 1 {
			t.Fatalf("renamed: %+v %v", rep, err)
		}
		if page, _ := f.svc.List(ctx, f.admin, actors.Filter{}); page.Total != 2 {
			t.Fatalf("%d actors after re-imports, want 2", page.Total)
		}
		// Another institution may not change DIREPRO's actor (matched by RUC).
		if _, err := f.svc.Import(ctx, f.other, strings.NewReader(strings.Replace(renamed, "Uno Exportaciones SAC", "Uno Otro SAC", 1)), "a.csv"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another institution rewrote DIREPRO's actor: %v", err)
		}
	})
}

func TestSearchWithAndWithoutAccents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ctx := context.Background()
		for q, want := range map[string]int{"Ilo": 1, "ILO": 1, "pescadores": 2, "PESCADORES": 2, "buzos de ilo": 1, "asociacion": 1, "Asociación": 1,
			"promperu": 1, "PROMPERÚ": 1, "loco": 2, "nada-que-ver": 0, "20100047218": 1, "100%": 0} {
			page, err := f.svc.List(ctx, auth.Principal{}, actors.Filter{Q: q})
			if err != nil || page.Total != want {
				t.Errorf("search %q: %d results, want %d (%v)", q, page.Total, want, err)
			}
		}
		page, _ := f.svc.List(ctx, auth.Principal{}, actors.Filter{Kind: "exportador", Species: "SNE", District: "180301", Certification: "haccp"})
		if page.Total != 1 {
			t.Errorf("filters: %d", page.Total)
		}
		page, _ = f.svc.List(ctx, auth.Principal{}, actors.Filter{PerPage: 2, Page: 3})
		if page.Total != 5 || len(page.Actors) != 1 || page.Pages() != 3 {
			t.Errorf("pagination: total %d, %d on page 3 of %d", page.Total, len(page.Actors), page.Pages())
		}
	})
}

func TestPrivateContactsAreHiddenFromVisitors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ctx := context.Background()
		find := func(p auth.Principal) actors.Actor {
			page, _ := f.svc.List(ctx, p, actors.Filter{Q: "buzos de ilo"})
			if page.Total != 1 {
				t.Fatalf("found %d", page.Total)
			}
			return page.Actors[0]
		}
		anon := find(auth.Principal{})
		if anon.Email != "" || anon.Phone != "" || anon.ContactName != "Juan Quispe" {
			t.Fatalf("a visitor sees private contacts: %+v", anon)
		}
		ed := find(f.other)
		if ed.Email != "buzos.ilo@example.org" || ed.Phone == "" {
			t.Fatalf("an editor does not see contacts: %+v", ed)
		}
		member := auth.Principal{UserID: 9, Email: "m", Role: auth.Member, ActorID: anon.ID}
		if got, _ := f.svc.Actor(ctx, member, anon.ID); got.Email == "" {
			t.Fatal("the actor's own member does not see its contacts")
		}
		stranger := auth.Principal{UserID: 10, Email: "s", Role: auth.Member, ActorID: anon.ID + 100}
		if got, _ := f.svc.Actor(ctx, stranger, anon.ID); got.Email != "" {
			t.Fatal("another actor's member sees private contacts")
		}
	})
}

func TestMemberEditsOnlyItsOwnProfile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ctx := context.Background()
		page, _ := f.svc.List(ctx, f.admin, actors.Filter{Kind: "exporter"})
		own := page.Actors[0]
		member := auth.Principal{UserID: 9, Email: "ventas@example.org", Role: auth.Member, ActorID: own.ID}
		own.Description = "Nueva descripción"
		if _, err := f.svc.Update(ctx, member, own.ID, own); err != nil {
			t.Fatalf("member edits own profile: %v", err)
		}
		other, _ := f.svc.List(ctx, f.admin, actors.Filter{Kind: "financing_source"})
		if _, err := f.svc.Update(ctx, member, other.Actors[0].ID, other.Actors[0]); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member edited another actor: %v", err)
		}
		if _, _, err := f.svc.Create(ctx, member, actors.Actor{Name: "X", Kinds: []string{"exporter"}}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member registered an actor: %v", err)
		}
		if _, err := f.svc.SetActive(ctx, f.other, own.ID, false, 0); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another institution deactivated: %v", err)
		}
		if _, err := f.svc.SetActive(ctx, f.editor, own.ID, false, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Actor(ctx, auth.Principal{}, own.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a deactivated actor is public: %v", err)
		}
	})
}

func TestCreateWarnsAboutDuplicates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ctx := context.Background()
		_, _, err := f.svc.Create(ctx, f.editor, actors.Actor{Name: "Otra SAC", RUC: "20100047218", Kinds: []string{"exporter"}})
		if e, ok := err.(*errs.Error); !ok || e.Fields["ruc"] == "" {
			t.Fatalf("same RUC: %v", err)
		}
		_, warnings, err := f.svc.Create(ctx, f.editor, actors.Actor{Name: "Maricultura Pacoha EIRL", District: "Pacocha", Kinds: []string{"mariculturist_small"}})
		if err != nil || len(warnings) != 1 {
			t.Fatalf("similar name: %v %v", warnings, err)
		}
		_, warnings, _ = f.svc.Create(ctx, f.editor, actors.Actor{Name: "Maricultura Pacocha EIRL", District: "Ilo", Kinds: []string{"mariculturist_small"}})
		if len(warnings) != 0 {
			t.Fatalf("same name, another district: %v", warnings)
		}
	})
}

func TestIndicators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ind, err := f.svc.Indicators(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"producers": 2, "processors": 1, "financing_sources": 1, "institutions": 1, "market_information_sources": 1}
		for _, i := range ind {
			if i.Total != want[i.Name] || i.ByYear[f.svc.Now().Year()] != want[i.Name] {
				t.Errorf("%s (%s): %d, by year %v; want %d", i.Name, i.Activity, i.Total, i.ByYear, want[i.Name])
			}
		}
	})
}

func TestExportImportsBackUnchanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ctx := context.Background()
		for _, format := range []string{"csv", "xlsx"} {
			head, rows, err := f.svc.Export(ctx, f.admin)
			if err != nil || len(rows) != 5 {
				t.Fatalf("export: %d rows %v", len(rows), err)
			}
			var buf bytes.Buffer
			if format == "csv" {
				err = importer.WriteCSV(&buf, head, rows)
			} else {
				err = importer.WriteXLSX(&buf, "actores", head, rows, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			rep, err := f.svc.Import(ctx, f.editor, &buf, "export."+format)
			if err != nil || rep.Unchanged != 5 {
				t.Fatalf("%s re-import: %+v %v", format, rep, err)
			}
		}
	})
}

func TestActorsAreReadTogetherAsEachVisitorMaySee(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ctx := context.Background()
		page, err := f.svc.List(ctx, f.admin, actors.Filter{PerPage: 3, Sort: "name"})
		if err != nil || len(page.Actors) < 3 {
			t.Fatalf("list: %v %d", err, len(page.Actors))
		}
		a, b, c := page.Actors[0], page.Actors[1], page.Actors[2]
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec("UPDATE actors SET active = $1 WHERE id = $2", false, b.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		ids := []int64{c.ID, b.ID, 999999, a.ID}
		got, err := f.svc.Actors(ctx, auth.Principal{}, ids)
		if err != nil || len(got) != 2 || got[0].ID != c.ID || got[1].ID != a.ID {
			t.Fatalf("a visitor got %v %v, want %d and %d in that order, without the inactive one", got, err, c.ID, a.ID)
		}
		for _, x := range got {
			if x.Email != "" || x.Phone != "" {
				t.Fatalf("a visitor sees private contacts: %+v", x)
			}
			if len(x.Kinds) == 0 {
				t.Fatalf("without its details: %+v", x)
			}
		}
		if got, _ := f.svc.Actors(ctx, f.admin, ids); len(got) != 3 || got[1].ID != b.ID {
			t.Fatalf("the administrator got %d actors", len(got))
		}
	})
}

// TestStaleUpdateNamesWhatChanged: an update based on a version that is no
// longer current is a Conflict that lists each field changed since, with
// its value in the version read and now, and changes nothing.
func TestStaleUpdateNamesWhatChanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a, _, err := f.svc.Create(ctx, f.editor, actors.Actor{Name: "Exportadora Ilo SAC", Kinds: []string{"exporter"}, Phone: "053-000000"})
		if err != nil || a.Version != 1 {
			t.Fatalf("create: version %d, %v", a.Version, err)
		}
		mine, theirs := a, a
		mine.Phone = "053-481111"
		if mine, err = f.svc.Update(ctx, f.editor, a.ID, mine); err != nil || mine.Version != 2 {
			t.Fatalf("first update: version %d, %v", mine.Version, err)
		}
		theirs.Name = "Exportadora Ilo"
		_, err = f.svc.Update(ctx, f.admin, a.ID, theirs)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Conflict || e.Stale == nil || e.Stale.ReadVersion != 1 || e.Stale.CurrentVersion != 2 {
			t.Fatalf("stale update: %v", err)
		}
		if len(e.Stale.Changes) != 1 || e.Stale.Changes[0] != (errs.Change{Field: "phone", Read: "053-000000", Current: "053-481111"}) {
			t.Fatalf("changes %+v", e.Stale.Changes)
		}
		if now, _ := f.svc.Actor(ctx, f.admin, a.ID); now.Name != "Exportadora Ilo SAC" || now.Phone != "053-481111" || now.Version != 2 {
			t.Fatalf("the stale update changed the actor: %+v", now)
		}
	})
}

// TestOnlyEditorsSetKindsThePlanCounts: an actor's member may not add or
// remove a kind that the plan's indicators count, by form, API or import.
func TestOnlyEditorsSetKindsThePlanCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a, _, err := f.svc.Create(ctx, f.editor, actors.Actor{Name: "Fondo Regional", Kinds: []string{"consultant"}})
		if err != nil {
			t.Fatal(err)
		}
		member := auth.Principal{UserID: 9, Email: "socio", Role: auth.Member, ActorID: a.ID}
		for _, kinds := range [][]string{{"consultant", "financing_source"}, {"consultant", "public_institution"}, {"consultant", "processor"}} {
			b := a
			b.Kinds = kinds
			if _, err := f.svc.Update(ctx, member, a.ID, b); !errs.Is(err, errs.Forbidden) {
				t.Errorf("member set %v: %v", kinds, err)
			}
		}
		csv := "clave,nombre,tipos\n" + a.Key + ",Fondo Regional,consultor; fuente_financiamiento\n"
		if _, err := f.svc.Import(ctx, member, strings.NewReader(csv), "actores.csv"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("member imported a counted kind: %v", err)
		}
		b := a
		b.Kinds, b.Description = []string{"consultant", "laboratory"}, "Análisis de agua"
		if b, err = f.svc.Update(ctx, member, a.ID, b); err != nil {
			t.Fatalf("member's own fields and other kinds: %v", err)
		}
		b.Kinds = []string{"consultant", "financing_source"}
		if _, err := f.svc.Update(ctx, f.editor, a.ID, b); err != nil {
			t.Fatalf("editor: %v", err)
		}
	})
}

func TestListSurvivesHostileQueries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.importFile(t, "actores.csv")
		ctx := context.Background()
		var words []string
		for i := range 1000 {
			words = append(words, fmt.Sprintf("palabra%d", i))
		}
		for name, filter := range map[string]actors.Filter{
			"a thousand words":         {Q: strings.Join(words, " ")},
			"one word of 60,000 bytes": {Q: strings.Repeat("x", 60000)},
			"the last page of int64":   {Page: 92233720368547758},
			"a page past every int":    {Page: math.MaxInt, PerPage: 200},
		} {
			page, err := f.svc.List(ctx, auth.Principal{}, filter)
			if err != nil || len(page.Actors) != 0 {
				t.Errorf("%s: %d actors, %v", name, len(page.Actors), err)
			}
		}
		// The first twenty different words are searched, the rest not.
		var twenty []string
		for i := 1; i <= 10; i++ {
			twenty = append(twenty, "asociacion"[:i], "pescadores"[:i])
		}
		q := strings.Join(append(twenty, "buzos", "nada-que-ver"), " ")
		if page, err := f.svc.List(ctx, auth.Principal{}, actors.Filter{Q: q}); err != nil || page.Total != 1 {
			t.Errorf("%q: %d actors, %v", q, page.Total, err)
		}
	})
}
