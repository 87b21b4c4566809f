package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/events"
	"sriim/internal/indicators"
)

// attendanceSheet has a near match ("Buso" for the registry's "Buzos") on
// two rows and an organisation outside the registry.
const attendanceSheet = "nombre,documento,sexo,edad,organizacion,ruc,cargo\n" +
	"Ana Quispe,12345678,F,34,Asociación de Pescadores Artesanales Buso de Ilo,,socia\n" +
	"Luis Mamani,87654321,M,52,Asociación de Pescadores Artesanales Buso de Ilo,,presidente\n" +
	"Rosa Flores,CE 00123456,mujer,60+,Cooperativa Nueva,,socia\n"

// eventWithAttendance adds a workshop in 2009 serving the activity coded
// code, with the sheet above applied (the near match confirmed), and a
// second sheet staged and not applied.
func (s *testSite) eventWithAttendance(planID int64, code string) (events.Event, events.Staged) {
	s.t.Helper()
	ctx := context.Background()
	editor := s.users["editor"].Principal()
	a, err := s.srv.Planning.Activity(ctx, planID, code, 2009)
	if err != nil {
		s.t.Fatal(err)
	}
	e, err := s.srv.Events.Create(ctx, editor, events.Event{Kind: "taller", Title: "Taller de buenas prácticas de extracción", StartsOn: "2009-05-12",
		EndsOn: "2009-05-13", District: "180301", Venue: "Auditorio DIREPRO", Activities: []int64{a.ID}, Organisers: []int64{s.institution("DIREPRO-ILO")},
		Topics: []string{"buenas prácticas"}, Species: []string{"CLM"}})
	if err != nil {
		s.t.Fatal(err)
	}
	st, err := s.srv.Events.Stage(ctx, editor, e.ID, strings.NewReader(attendanceSheet), "asistencia.csv")
	if err != nil {
		s.t.Fatal(err)
	}
	confirm := map[string]bool{}
	for _, p := range st.Proposals {
		confirm[p.Key] = true
	}
	if _, err := s.srv.Events.Apply(ctx, editor, st.ID, confirm); err != nil {
		s.t.Fatal(err)
	}
	staged, err := s.srv.Events.Stage(ctx, editor, e.ID, strings.NewReader(attendanceSheet), "asistencia.csv")
	if err != nil {
		s.t.Fatal(err)
	}
	return e, staged
}

var valueCell = regexp.MustCompile(`<th scope="row">2009</th><td class="num value">([^<]*)</td>`)

// indicatorValue is the 2009 value an activity page shows for an indicator ("" when none).
func indicatorValue(t *testing.T, page string, indicatorID int64) string {
	t.Helper()
	start := strings.Index(page, fmt.Sprintf(`id="indicador-%d"`, indicatorID))
	if start < 0 {
		t.Fatalf("the activity page does not show indicator %d:\n%s", indicatorID, page)
	}
	section := page[start:]
	section = section[:strings.Index(section, "</section>")]
	if m := valueCell.FindStringSubmatch(section); m != nil {
		return m[1]
	}
	return ""
}

// TestEditorImportsAttendanceWithANearMatch: an editor adds a workshop for
// activity 1.3.1 with the form, uploads the attendance sheet, must answer
// the near match before anything is written, and then the activity's
// computed indicator counts the people; a second event with a repeated
// person counts that person once.
func TestEditorImportsAttendanceWithANearMatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		ctx := context.Background()
		plans, _ := site.srv.Planning.Plans(ctx)
		planID := plans[0].ID
		a, err := site.srv.Planning.Activity(ctx, planID, "1.3.1", 2009)
		if err != nil {
			t.Fatal(err)
		}
		var participants int64 // the indicator "Número de participantes", bound to events.people
		for _, ind := range a.Indicators {
			if ind.Name == "Número de participantes" {
				participants = ind.ID
			}
		}
		if participants == 0 {
			t.Fatalf("1.3.1 has no indicator «Número de participantes»: %+v", a.Indicators)
		}
		if _, err := site.srv.Indicators.Bind(ctx, site.users["admin"].Principal(), indicators.Binding{IndicatorID: participants, Source: "events.people", Params: "kind=curso,taller"}); err != nil {
			t.Fatal(err)
		}
		activityPage := fmt.Sprintf("/plan/%d/actividades/1.3.1?anio=2009", planID)
		b := site.browser()
		b.login("editor@example.org", testPassword)
		_, page, _ := b.get(activityPage)
		if v := indicatorValue(t, page, participants); v != "0" {
			t.Fatalf("before any event the indicator shows %q", v)
		}

		_, _, token := b.get("/eventos/nuevo")
		res, _ := b.send("/eventos", url.Values{"csrf_token": {token}, "tipo": {"taller"}, "titulo": {"Taller de manipulación de moluscos"},
			"desde": {"2009-06-02"}, "hasta": {"2009-06-03"}, "distrito": {"180301"}, "actividades": {fmt.Sprint(a.ID)},
			"organizadores": {fmt.Sprint(site.institution("DIREPRO-ILO"))}, "temas": {"higiene, cadena de frío"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create event: %d", res.StatusCode)
		}
		eventPath := strings.TrimSuffix(res.Header.Get("Location"), "?ok=saved")
		_, page, token = b.get(eventPath)
		if !strings.Contains(page, `action="`+eventPath+`/asistencia"`) {
			t.Fatal("the event page offers its editor no attendance upload")
		}
		res, _ = b.upload(eventPath+"/asistencia", url.Values{"csrf_token": {token}}, "archivo", "asistencia.csv", []byte(attendanceSheet))
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/eventos-asistencia/") {
			t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		staged := res.Header.Get("Location")
		_, page, token = b.get(staged)
		if !strings.Contains(page, "Buso de Ilo") || !strings.Contains(page, `name="confirmar_0"`) || strings.Contains(page, `name="confirmar_1"`) {
			t.Fatal("the confirmation page does not ask about the one near match")
		}
		// Without an answer nothing is written.
		if status, _ := b.postStatus(staged, url.Values{"csrf_token": {token}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("apply without answering: %d", status)
		}
		if _, page, _ = b.get(activityPage); indicatorValue(t, page, participants) != "0" {
			t.Fatal("an unanswered sheet was counted")
		}
		res, _ = b.send(staged, url.Values{"csrf_token": {token}, "confirmar_0": {"si"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), eventPath+"?ok=attendance") {
			t.Fatalf("apply: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, page, _ = b.get(activityPage); indicatorValue(t, page, participants) != "3" {
			t.Fatalf("after the sheet the indicator shows %q, want 3", indicatorValue(t, page, participants))
		}
		if _, page, _ = site.browser().get(fmt.Sprintf("/eventos?actividad=%d", a.ID)); !strings.Contains(page, `href="`+eventPath+`"`) {
			t.Fatal("the activity's events do not list the workshop")
		}
		// The association is linked on the event's page (administrators read personal data).
		admin := site.browser()
		admin.login("admin@example.org", testPassword)
		if _, page, _ = admin.get(eventPath); !strings.Contains(page, "Buzos de Ilo</a>") || !strings.Contains(page, "Ana Quispe") {
			t.Fatal("the event page does not list the participants with their actor")
		}
		// A visitor sees the event, not who took part.
		if _, page, _ = site.browser().get(eventPath); strings.Contains(page, "Ana Quispe") || strings.Contains(page, "12345678") {
			t.Fatal("personal data on the public event page")
		}

		// A second workshop: Ana again, and one new person: 4 people in 2009.
		second, err := site.srv.Events.Create(ctx, site.users["editor"].Principal(), events.Event{Kind: "curso", Title: "Curso de depuración",
			StartsOn: "2009-09-01", Activities: []int64{a.ID}})
		if err != nil {
			t.Fatal(err)
		}
		_, _, token = b.get(fmt.Sprintf("/eventos/%d", second.ID))
		res, _ = b.upload(fmt.Sprintf("/eventos/%d/asistencia", second.ID), url.Values{"csrf_token": {token}}, "archivo", "curso.csv",
			[]byte("nombre,documento,sexo\nAna Quispe,12345678,F\nPedro Ccama,44556677,M\n"))
		staged = res.Header.Get("Location")
		_, page, token = b.get(staged)
		if !strings.Contains(page, "ya registrada") {
			t.Fatal("the confirmation page does not say that Ana took part before")
		}
		if res, _ = b.send(staged, url.Values{"csrf_token": {token}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply the second sheet: %d", res.StatusCode)
		}
		if _, page, _ = b.get(activityPage); indicatorValue(t, page, participants) != "4" {
			t.Fatalf("with a repeated person the indicator shows %q, want 4", indicatorValue(t, page, participants))
		}
	})
}

// TestEventsCalendarAndFeed: the calendar lists a coming event, its page
// is public, and /eventos.ics parses back with the event in the language asked.
func TestEventsCalendarAndFeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		next := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02")
		e, err := site.srv.Events.Create(ctx, site.users["editor"].Principal(), events.Event{Kind: "feria", Title: "Feria de productos hidrobiológicos",
			TitleEN: "Seafood fair", StartsOn: next, Venue: "Plaza de Armas", District: "180301"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := site.srv.Events.Create(ctx, site.users["editor"].Principal(), events.Event{Kind: "curso", Title: "Curso pasado", StartsOn: "2009-01-01"}); err != nil {
			t.Fatal(err)
		}
		status, page, _ := site.browser().get("/eventos")
		if status != 200 || !strings.Contains(page, fmt.Sprintf(`href="/eventos/%d"`, e.ID)) || strings.Contains(page, "Curso pasado") {
			t.Fatalf("calendar: %d, lists the fair and not the past course?", status)
		}
		if _, page, _ = site.browser().get("/eventos?anio=2009"); !strings.Contains(page, "Curso pasado") {
			t.Fatal("the year's events are not listed")
		}
		for _, tt := range []struct{ lang, summary string }{{"es", "Feria: Feria de productos hidrobiológicos"}, {"en", "Fair: Seafood fair"}} {
			res := get(t, site.srv, "/eventos.ics?lang="+tt.lang, nil)
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
				t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			cal, err := ics.ParseCalendar(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			evs := cal.Events()
			if len(evs) != 1 {
				t.Fatalf("%s feed holds %d events, want the coming one", tt.lang, len(evs))
			}
			if got := evs[0].GetProperty(ics.ComponentPropertySummary).Value; got != tt.summary {
				t.Fatalf("%s summary %q, want %q", tt.lang, got, tt.summary)
			}
			if u := evs[0].GetProperty(ics.ComponentPropertyUrl); u == nil || !strings.HasSuffix(strings.Split(u.Value, "?")[0], fmt.Sprintf("/eventos/%d", e.ID)) {
				t.Fatalf("%s feed: no link to the event's page", tt.lang)
			}
		}
	})
}

// TestStaleEventFormKeepsBothEdits: two editors open the same event; the
// first saves a venue, the second (with the form read before) a title. The
// second save is a 409 page with the stored venue beside their values, and
// nothing is overwritten; saving again from that page keeps both.
func TestStaleEventFormKeepsBothEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		plans, _ := site.srv.Planning.Plans(context.Background())
		e, _ := site.eventWithAttendance(plans[0].ID, "1.3.1")
		first, second := site.browser(), site.browser()
		first.login("editor@example.org", testPassword)
		second.login("admin@example.org", testPassword)
		edit, save := fmt.Sprintf("/eventos/%d/editar", e.ID), fmt.Sprintf("/eventos/%d", e.ID)
		f1, f2 := first.openForm(edit), second.openForm(edit)
		if f1.Get("version") != "1" || f1.Get("temas") != "buenas prácticas" || f1.Get("distrito") != "180301" {
			t.Fatalf("the edit form: %v", f1)
		}
		f1.Set("lugar", "Muelle Fiscal de Ilo")
		if status, body := first.postStatus(save, f1); status != http.StatusSeeOther {
			t.Fatalf("first save: %d %s", status, body)
		}
		f2.Set("titulo", "Taller de buenas prácticas")
		status, body := second.postStatus(save, f2)
		if status != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", status)
		}
		for _, want := range []string{`id="conflicto"`, "Muelle Fiscal de Ilo", `value="Taller de buenas prácticas"`, `name="version" value="2"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the conflict page lacks %q", want)
			}
		}
		f2.Set("version", "2")
		f2.Set("lugar", "Muelle Fiscal de Ilo")
		if status, body := second.postStatus(save, f2); status != http.StatusSeeOther {
			t.Fatalf("saving again: %d %s", status, body)
		}
		got, _ := site.srv.Events.Event(context.Background(), e.ID)
		if got.Venue != "Muelle Fiscal de Ilo" || got.Title != "Taller de buenas prácticas" || got.Version != 3 || len(got.Activities) != 1 || got.Participants != 3 {
			t.Fatalf("both edits are not kept: %+v", got)
		}
	})
}

// TestCompletenessPage: the table is for those logged in; an editor sees
// their institution's row.
func TestCompletenessPage(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	plans, _ := site.srv.Planning.Plans(context.Background())
	path := fmt.Sprintf("/plan/%d/completitud?anio=2008", plans[0].ID)
	if status, _, _ := site.browser().get(path); status != http.StatusSeeOther {
		t.Fatalf("a visitor: %d", status)
	}
	b := site.browser()
	b.login("editor@example.org", testPassword)
	status, page, _ := b.get(path)
	if status != 200 || !strings.Contains(page, `id="inst-DIREPRO-ILO"`) || strings.Count(page, `<tr id="inst-`) != 1 {
		t.Fatalf("editor: %d, one row for DIREPRO-ILO?", status)
	}
}
