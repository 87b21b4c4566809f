package events_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/events"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

type fixture struct {
	d        *db.DB
	svc      *events.Service
	actors   *actors.Service
	editor   auth.Principal // editor of DIREPRO Ilo
	outsider auth.Principal // editor of IMARPE
	activity map[string]int64
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	acc := accounts.New(d)
	plans := planning.New(d, t.TempDir())
	f := fixture{d: d, actors: actors.New(d), activity: map[string]int64{}}
	f.svc = events.New(d, f.actors)
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d), Planning: plans, Trade: trade.New(d)},
		slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
	imarpe, _ := acc.InstitutionByCode(ctx, "IMARPE")
	f.editor = auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
	f.outsider = auth.Principal{UserID: 2, Email: "ed@imarpe", Role: auth.Editor, Institutions: []int64{imarpe.ID}}
	list, _ := plans.Plans(ctx)
	acts, err := plans.Activities(ctx, list[0].ID, 2008)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		f.activity[a.Code] = a.ID
	}
	return f
}

// ruc makes a valid RUC from ten digits.
func ruc(first10 string) string { return first10 + string(actors.RUCCheckDigit(first10)) }

func (f fixture) actor(t *testing.T, name, ruc string, kinds ...string) actors.Actor {
	t.Helper()
	a, _, err := f.actors.Create(context.Background(), f.editor, actors.Actor{Name: name, RUC: ruc, Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f fixture) event(t *testing.T, kind, title, day string, activities ...string) events.Event {
	t.Helper()
	e := events.Event{Kind: kind, Title: title, StartsOn: day, District: "180301"}
	for _, code := range activities {
		e.Activities = append(e.Activities, f.activity[code])
	}
	e, err := f.svc.Create(context.Background(), f.editor, e)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEventsAreKeptWithVersionsAndPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		e := f.event(t, "Curso", "Curso de BPM y HACCP", "2008-05-10", "1.3.3")
		if e.Kind != "course" || e.EndsOn != "2008-05-10" || e.Version != 1 || len(e.Activities) != 1 {
			t.Fatalf("created: %+v", e)
		}
		e.Topics, e.Materials = []string{"HACCP", "haccp", "BPM"}, []events.Material{{Title: "Manual", Kind: "url", Ref: "https://example.org/manual.pdf"}}
		e.EndsOn = "2008-05-12"
		updated, err := f.svc.Update(ctx, f.editor, e.ID, e)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Version != 2 || len(updated.Topics) != 2 || len(updated.Materials) != 1 || updated.EndsOn != "2008-05-12" {
			t.Fatalf("updated: %+v", updated)
		}
		if _, err := f.svc.Update(ctx, f.editor, e.ID, e); !errs.Is(err, errs.Conflict) { // based on version 1
			t.Fatalf("stale update: %v", err)
		}
		if _, err := f.svc.Update(ctx, f.outsider, e.ID, updated); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another institution's editor: %v", err)
		}
		bad := events.Event{Kind: "fiesta", Title: "", StartsOn: "2008-13-01", Materials: []events.Material{{Kind: "file", Ref: "x"}}}
		_, err = f.svc.Create(ctx, f.editor, bad)
		var e2 *errs.Error
		if !errs.Is(err, errs.Invalid) || !asError(err, &e2) || e2.Fields["kind"] == "" || e2.Fields["title"] == "" || e2.Fields["starts_on"] == "" || e2.Fields["materials"] == "" {
			t.Fatalf("invalid event: %v", err)
		}
	})
}

func asError(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	*target = e
	return ok
}

// TestAttendanceImport imports the sheets of two events: organisations
// matched by RUC, by name and — after a person confirms — by a near name;
// a person who attended both is one person; applying again changes nothing;
// a sheet with problems names each by row and column and keeps nothing.
func TestAttendanceImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		pinos := f.actor(t, "Asociación de Maricultores Los Pinos", "", "organizacion_productores")
		sur := f.actor(t, "Pesquera Sur S.A.C.", ruc("2012345678"), "planta_procesadora")
		course := f.event(t, "curso", "Curso de BPM", "2008-05-10", "1.3.3")

		sheet := "nombre,documento,sexo,edad,organizacion,ruc,cargo\n" +
			"Ana Quispe,12345678,F,34,Pesquera del Sur," + sur.RUC + ",operaria\n" +
			"Luis Mamani,87654321,M,52,Asociacion de Maricultores Los Pino,,presidente\n" +
			"Rosa Flores,CE 00123456,mujer,60+,Cooperativa Nueva,,socia\n" +
			"José Pérez,11223344,,,,,\n"
		st, err := f.svc.Stage(ctx, f.editor, course.ID, strings.NewReader(sheet), "asistencia.csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Proposals) != 1 || st.Proposals[0].ActorID != pinos.ID || st.Matched != 1 || st.Unregistered != 1 || st.NewPeople != 4 {
			t.Fatalf("staged: %+v", st)
		}
		if _, err := f.svc.Stage(ctx, f.outsider, course.ID, strings.NewReader(sheet), "asistencia.csv"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another institution stages: %v", err)
		}
		// Every near match needs an answer.
		if _, err := f.svc.Apply(ctx, f.editor, st.ID, nil); !errs.Is(err, errs.Invalid) {
			t.Fatalf("applied without confirming: %v", err)
		}
		rep, err := f.svc.Apply(ctx, f.editor, st.ID, map[string]bool{st.Proposals[0].Key: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != 4 || rep.NewPeople != 4 || rep.Linked != 2 {
			t.Fatalf("applied: %+v", rep)
		}
		if _, err := f.svc.Apply(ctx, f.editor, st.ID, map[string]bool{st.Proposals[0].Key: true}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("applied twice: %v", err)
		}
		parts, err := f.svc.Participants(ctx, f.editor, course.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]events.Participant{}
		for _, p := range parts {
			byName[p.Person.Name] = p
		}
		if byName["Luis Mamani"].ActorID != pinos.ID || byName["Ana Quispe"].ActorID != sur.ID || byName["Rosa Flores"].ActorID != 0 ||
			byName["Rosa Flores"].Person.Document != "CE 00123456" || byName["Rosa Flores"].AgeBand != "60_plus" || byName["Ana Quispe"].AgeBand != "30_44" {
			t.Fatalf("participants: %+v", parts)
		}
		if _, err := f.svc.Participants(ctx, auth.Principal{}, course.ID); err == nil {
			t.Fatal("anonymous visitors read the participants' names")
		}

		// The same sheet again, with the near match rejected this time: the
		// participants are there, Luis no longer linked.
		again, err := f.svc.Stage(ctx, f.editor, course.ID, strings.NewReader(sheet), "asistencia.csv")
		if err != nil {
			t.Fatal(err)
		}
		if again.KnownPeople != 4 || again.NewPeople != 0 {
			t.Fatalf("staged again: %+v", again)
		}
		rep, err = f.svc.Apply(ctx, f.editor, again.ID, map[string]bool{again.Proposals[0].Key: false})
		if err != nil || rep.Added != 0 || rep.Updated != 1 || rep.Unchanged != 3 {
			t.Fatalf("applied again: %+v %v", rep, err)
		}

		// Ana at a second event is the same person, her DNI written with dots.
		workshop := f.event(t, "taller", "Taller de costos", "2009-03-02", "1.3.3")
		second := "nombre,documento,sexo,edad,organizacion,ruc,cargo\n" +
			"ANA QUISPE H.,12.345.678,F,35,Pesquera Sur SAC,,jefa de planta\n" +
			"Pedro Ramos,44556677,M,29,Pesquera Sur S.A.C.,,operario\n"
		st2, err := f.svc.Stage(ctx, f.editor, workshop.ID, strings.NewReader(second), "taller.csv")
		if err != nil {
			t.Fatal(err)
		}
		if st2.KnownPeople != 1 || st2.NewPeople != 1 || st2.Matched != 2 || len(st2.Proposals) != 0 || len(st2.Warnings) != 1 {
			t.Fatalf("second sheet: %+v", st2)
		}
		if rep, err := f.svc.Apply(ctx, f.editor, st2.ID, nil); err != nil || rep.NewPeople != 1 || rep.Added != 2 {
			t.Fatalf("second sheet applied: %+v %v", rep, err)
		}
		var people int
		if err := d.Read().QueryRow("SELECT COUNT(*) FROM people").Scan(&people); err != nil || people != 5 {
			t.Fatalf("%d people (%v), want 5: a person attending two events is one", people, err)
		}
		ana := byName["Ana Quispe"].Person.ID
		attended, err := f.svc.PersonEvents(ctx, f.editor, ana)
		if err != nil || len(attended) != 2 {
			t.Fatalf("Ana's events: %v %v", attended, err)
		}

		// A sheet with problems: each by row and column, nothing kept.
		var before int
		_ = d.Read().QueryRow("SELECT COUNT(*) FROM attendance_imports").Scan(&before)
		bad := "nombre,documento,sexo,edad,organizacion,ruc,cargo\n" +
			"Ana,1234567,F,,,,\n" +
			"Luis,87654321,X,,,,\n" +
			"Luis otra vez,87654321,M,,,20123456780,\n" +
			",55667788,M,ciento,,,\n"
		_, err = f.svc.Stage(ctx, f.editor, course.ID, strings.NewReader(bad), "mala.csv")
		var e *errs.Error
		if !asError(err, &e) || e.Kind != errs.Invalid {
			t.Fatalf("bad sheet: %v", err)
		}
		for _, key := range []string{"fila 2, columna documento", "fila 3, columna sexo", "fila 4, columna documento", "fila 4, columna ruc", "fila 5, columna nombre", "fila 5, columna edad"} {
			if e.Fields[key] == "" {
				t.Errorf("no problem at %s: %v", key, e.Fields)
			}
		}
		var after int
		_ = d.Read().QueryRow("SELECT COUNT(*) FROM attendance_imports").Scan(&after)
		if after != before {
			t.Fatalf("a sheet with problems was staged")
		}
	})
}

// TestCalendarParsesBack writes the coming events as iCalendar and reads
// them back with the same library: all-day dates (the end exclusive), the
// kind and title in each language, the place, escaped text.
func TestCalendarParsesBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.svc.Now = func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
		f.event(t, "curso", "Curso pasado", "2026-04-01")
		fair := events.Event{Kind: "feria", Title: "Feria «Moluscos del Sur», Ilo; 3 días", TitleEN: "Southern Molluscs Fair", StartsOn: "2026-06-10", EndsOn: "2026-06-12",
			District: "180301", Venue: "Malecón de Ilo", Description: "Primera línea\nsegunda línea", Topics: []string{"exportación", "loco"}}
		fair, err := f.svc.Create(ctx, f.editor, fair)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"es", "en"} {
			var b bytes.Buffer
			if err := f.svc.Calendar(ctx, &b, lang, "https://sriim.example.org"); err != nil {
				t.Fatal(err)
			}
			text := b.String()
			for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
				if len(line) > 75 || strings.Contains(line, "\n") {
					t.Fatalf("%s: a line is not folded at 75 octets or not ended by CRLF: %q", lang, line)
				}
			}
			cal, err := ics.ParseCalendar(strings.NewReader(text))
			if err != nil {
				t.Fatalf("%s: %v\n%s", lang, err, text)
			}
			evs := cal.Events()
			if len(evs) != 1 {
				t.Fatalf("%s: %d events, want the coming one only", lang, len(evs))
			}
			ev := evs[0]
			start, err1 := ev.GetAllDayStartAt()
			end, err2 := ev.GetAllDayEndAt()
			if err1 != nil || err2 != nil || start.Format("2006-01-02") != "2026-06-10" || end.Format("2006-01-02") != "2026-06-13" {
				t.Fatalf("%s: %v %v %v %v", lang, start, end, err1, err2)
			}
			summary := ics.FromText(ev.GetProperty(ics.ComponentPropertySummary).Value)
			want := "Feria: Feria «Moluscos del Sur», Ilo; 3 días"
			if lang == "en" {
				want = "Fair: Southern Molluscs Fair"
			}
			if summary != want {
				t.Errorf("%s: summary %q, want %q", lang, summary, want)
			}
			if loc := ics.FromText(ev.GetProperty(ics.ComponentPropertyLocation).Value); loc != "Malecón de Ilo, Ilo" {
				t.Errorf("%s: location %q", lang, loc)
			}
			if desc := ics.FromText(ev.GetProperty(ics.ComponentPropertyDescription).Value); desc != "Primera línea\nsegunda línea" {
				t.Errorf("%s: description %q", lang, desc)
			}
			if u := ev.GetProperty(ics.ComponentPropertyUrl).Value; !strings.HasSuffix(strings.Split(u, "?")[0], "/eventos/"+itoa(fair.ID)) {
				t.Errorf("%s: url %q", lang, u)
			}
			if ev.Id() != "event-"+itoa(fair.ID)+"@sriim.example.org" {
				t.Errorf("%s: uid %q", lang, ev.Id())
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
