package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/indicators"
	"sriim/internal/planning"
)

// participantsOf13_1 binds activity 1.3.1's «Número de participantes» to
// the events' people with target, and returns its id.
func (s *testSite) participantsOf13_1(planID int64, target string) int64 {
	s.t.Helper()
	ctx := context.Background()
	a, err := s.srv.Planning.Activity(ctx, planID, "1.3.1", 2009)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, ind := range a.Indicators {
		if ind.Name == "Número de participantes" {
			b := indicators.Binding{IndicatorID: ind.ID, Source: "events.people", Params: "kind=curso,taller", Target: target}
			if _, err := s.srv.Indicators.Bind(ctx, s.users["admin"].Principal(), b); err != nil {
				s.t.Fatal(err)
			}
			return ind.ID
		}
	}
	s.t.Fatal("1.3.1 has no indicator «Número de participantes»")
	return 0
}

// TestActivityAPIListsEachIndicatorWithItsSource: GET
// /api/v1/plans/{id}/activities/{code} gives each indicator as
// {"name","source","values","target","computation"}: the bound one computed
// from the workshop's attendance (3 people in 2009), whose target reached
// turns the activity's light to done; the other reported by hand.
func TestActivityAPIListsEachIndicatorWithItsSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		plans, _ := site.srv.Planning.Plans(context.Background())
		planID := plans[0].ID
		path := fmt.Sprintf("/api/v1/plans/%d/activities/1.3.1?year=2009", planID)
		light := func() string {
			var a struct{ Light string }
			_, body := site.apiCall("", "GET", path, nil)
			_ = json.Unmarshal([]byte(body), &a)
			return a.Light
		}
		if got := light(); got != "on_track" {
			t.Fatalf("light before: %s", got)
		}
		id := site.participantsOf13_1(planID, "2009:3")
		site.eventWithAttendance(planID, "1.3.1")

		status, body := site.apiCall("", "GET", path, nil)
		var got struct {
			Code       string
			Light      string
			Indicators []map[string]json.RawMessage
		}
		if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil || got.Code != "1.3.1" || len(got.Indicators) != 2 {
			t.Fatalf("activity: %d %s", status, body)
		}
		for _, ind := range got.Indicators {
			for _, key := range []string{"name", "source", "values", "target", "computation"} {
				if _, ok := ind[key]; !ok {
					t.Errorf("an indicator lacks %q: %s", key, body)
				}
			}
			var name, source string
			_ = json.Unmarshal(ind["name"], &name)
			_ = json.Unmarshal(ind["source"], &source)
			switch name {
			case "Número de participantes":
				var values map[string]float64
				var target planning.IndicatorTarget
				_ = json.Unmarshal(ind["values"], &values)
				_ = json.Unmarshal(ind["target"], &target)
				if source != "computed" || values["2009"] != 3 || !target.Reached || target.Value != 3 || !strings.Contains(string(ind["computation"]), "people") {
					t.Errorf("computed indicator: %s", body)
				}
			default:
				if source != "reported" || string(ind["target"]) != "null" {
					t.Errorf("reported indicator %s: %s", name, body)
				}
			}
		}
		if got.Light != "done" {
			t.Errorf("with its computed target reached the activity is %s, want done", got.Light)
		}

		// The overview says which are computed.
		status, body = site.apiCall("", "GET", fmt.Sprintf("/api/v1/plans/%d/indicators", planID), nil)
		var overview struct {
			Computed, Reported int
		}
		if err := json.Unmarshal([]byte(body), &overview); status != 200 || err != nil || overview.Computed != 1 || overview.Reported < 100 {
			t.Fatalf("overview: %d %+v", status, overview)
		}
		// Only the Mesa de Trabajo binds; a stale binding is refused.
		binding := fmt.Sprintf("/api/v1/indicators/%d/binding", id)
		b := map[string]any{"source": "events.people", "params": "kind=curso", "version": 1}
		if status, _, _ := site.apiPut("editor", binding, "", b); status != http.StatusForbidden {
			t.Fatalf("an editor bound an indicator: %d", status)
		}
		if status, etag, body := site.apiPut("admin", binding, "", b); status != 200 || etag != `"2"` {
			t.Fatalf("bind: %d %s", status, body)
		}
		if status, _, _ := site.apiPut("admin", binding, `"1"`, b); status != http.StatusConflict {
			t.Fatalf("stale bind: %d", status)
		}
		if status, _ := site.apiCall("admin", "DELETE", binding, nil); status != http.StatusNoContent {
			t.Fatalf("unbind: %d", status)
		}
		if _, body := site.apiCall("", "GET", path, nil); strings.Contains(body, `"source":"computed"`) {
			t.Fatalf("an unbound indicator is still computed: %s", body)
		}
	})
}

// TestCompletenessAndDashboardAPI: completeness is for those logged in, an
// editor sees their own institution; the dashboard counts the people trained.
func TestCompletenessAndDashboardAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		importFixtureActors(t, site)
		plans, _ := site.srv.Planning.Plans(context.Background())
		planID := plans[0].ID
		site.eventWithAttendance(planID, "1.3.1")
		path := fmt.Sprintf("/api/v1/plans/%d/completeness?year=2008", planID)
		if status, _ := site.apiCall("", "GET", path, nil); status != http.StatusUnauthorized {
			t.Fatalf("completeness for a visitor: %d", status)
		}
		var c struct {
			Year         int
			Institutions []planning.Completeness
		}
		for as, want := range map[string]func(n int) bool{"editor": func(n int) bool { return n == 1 }, "admin": func(n int) bool { return n > 1 }} {
			status, body := site.apiCall(as, "GET", path, nil)
			if err := json.Unmarshal([]byte(body), &c); status != 200 || err != nil || c.Year != 2008 || !want(len(c.Institutions)) {
				t.Fatalf("%s: %d %s", as, status, body)
			}
		}
		status, body := site.apiCall("", "GET", fmt.Sprintf("/api/v1/plans/%d/dashboard?from=2008&to=2010", planID), nil)
		var dash struct {
			Chain []struct {
				Key    string
				Values map[string]float64
			}
			Plan []planning.YearProgress
		}
		if err := json.Unmarshal([]byte(body), &dash); status != 200 || err != nil || len(dash.Plan) != 3 {
			t.Fatalf("dashboard: %d %s", status, body)
		}
		found := false
		for _, sr := range dash.Chain {
			if sr.Key == "people_trained" {
				found = sr.Values["2009"] == 3
			}
		}
		if !found {
			t.Fatalf("the dashboard does not count the 3 people trained in 2009: %s", body)
		}
		// The page draws each series.
		if res := get(t, site.srv, fmt.Sprintf("/plan/%d/tablero/people_trained?desde=2008&hasta=2010", planID), nil); res.StatusCode != 200 ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "image/svg+xml") {
			t.Fatalf("chart: %d", res.StatusCode)
		}
	})
}
