package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/events"
)

// TestEventsAPI: an editor adds an event, a stale change is refused with
// the conflict, an attendance sheet is staged, refused until its near
// match is answered, applied once and only once; participants are
// personal data; the feed parses back.
func TestEventsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		status, body := site.apiCall("editor", "POST", "/api/v1/events", map[string]any{"kind": "asistencia_tecnica", "title": "Asistencia en sanidad de moluscos",
			"starts_on": "2030-03-10", "ends_on": "2030-03-12", "district": "180301", "topics": []string{"sanidad"}})
		var e events.Event
		if err := json.Unmarshal([]byte(body), &e); status != http.StatusCreated || err != nil || e.Kind != "technical_assistance" || e.Version != 1 {
			t.Fatalf("create: %d %s", status, body)
		}
		if status, _ := site.apiCall("member", "POST", "/api/v1/events", map[string]any{"kind": "curso", "title": "x", "starts_on": "2030-01-01"}); status != http.StatusForbidden {
			t.Fatalf("a member added an event: %d", status)
		}
		path := fmt.Sprintf("/api/v1/events/%d", e.ID)
		mine, theirs := site.record(path, ""), site.record(path, "")
		mine["venue"] = "Muelle Fiscal"
		if status, etag, body := site.apiPut("editor", path, "", mine); status != 200 || etag != `"2"` {
			t.Fatalf("update: %d %s %s", status, etag, body)
		}
		theirs["venue"] = "Auditorio"
		if status, _, body := site.apiPut("editor", path, `"1"`, theirs); status != http.StatusConflict || !strings.Contains(body, "Muelle Fiscal") {
			t.Fatalf("stale update: %d %s", status, body)
		}
		if status, body := site.apiCall("", "GET", "/api/v1/events?from=2030-01-01&kind=asistencia_tecnica", nil); status != 200 || !strings.Contains(body, "Muelle Fiscal") {
			t.Fatalf("list: %d %s", status, body)
		}
		if status, _ := site.apiCall("", "GET", "/api/v1/events?from=ayer", nil); status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad date: %d", status)
		}

		status, body = site.apiUpload("editor", path+"/attendance?filename=asistencia.csv", "text/csv", strings.NewReader(attendanceSheet))
		var st events.Staged
		if err := json.Unmarshal([]byte(body), &st); status != http.StatusCreated || err != nil || len(st.Proposals) != 1 || st.NewPeople != 3 {
			t.Fatalf("stage: %d %s", status, body)
		}
		apply := fmt.Sprintf("/api/v1/attendance-imports/%d/apply", st.ID)
		if status, body := site.apiCall("editor", "POST", apply, nil); status != http.StatusUnprocessableEntity {
			t.Fatalf("apply without answers: %d %s", status, body)
		}
		status, body = site.apiCall("editor", "POST", apply, map[string]any{"confirmations": map[string]bool{st.Proposals[0].Key: true}})
		var rep events.AttendanceReport
		if err := json.Unmarshal([]byte(body), &rep); status != 200 || err != nil || rep.Added != 3 || rep.Linked != 2 {
			t.Fatalf("apply: %d %s", status, body)
		}
		if status, _ := site.apiCall("editor", "POST", apply, map[string]any{"confirmations": map[string]bool{st.Proposals[0].Key: true}}); status != http.StatusConflict {
			t.Fatalf("applied twice: %d", status)
		}
		if status, _ := site.apiCall("", "GET", path+"/participants", nil); status != http.StatusUnauthorized {
			t.Fatalf("participants for a visitor: %d", status)
		}
		status, body = site.apiCall("admin", "GET", path+"/participants", nil)
		if status != 200 || !strings.Contains(body, "Buzos de Ilo") || strings.Count(body, `"document":`) != 3 {
			t.Fatalf("participants: %d %s", status, body)
		}
		if status, body := site.apiCall("", "GET", path, nil); status != 200 || !strings.Contains(body, `"participants":3`) || strings.Contains(body, "Quispe") {
			t.Fatalf("the public event: %d %s", status, body)
		}

		res := get(t, site.srv, "/eventos.ics?lang=en", nil)
		cal, err := ics.ParseCalendar(res.Body)
		if err != nil || len(cal.Events()) != 1 {
			t.Fatalf("feed: %v", err)
		}
		if loc := cal.Events()[0].GetProperty(ics.ComponentPropertyLocation); loc == nil || !strings.HasPrefix(loc.Value, "Muelle Fiscal") {
			t.Fatalf("feed location: %+v", loc)
		}
		if status, _ := site.apiCall("member", "DELETE", path, nil); status != http.StatusForbidden {
			t.Fatalf("a member deleted the event: %d", status)
		}
		if status, _ := site.apiCall("editor", "DELETE", path, nil); status != http.StatusNoContent {
			t.Fatalf("delete: %d", status)
		}
	})
}
