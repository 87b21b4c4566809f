package ui

import (
	"context"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/regulation"
)

// TestRegulationAuditIsReadAsTheRecords: the audit log shows another
// institution's editor the published norms and the holidays, never a draft
// norm nor the cases of a procedure it does not keep; their own editor
// sees both.
func TestRegulationAuditIsReadAsTheRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		regulationFixture(t, site)
		editor := site.users["editor"].Principal()
		if _, err := site.srv.Regulation.CreateNorm(context.Background(), editor, regulation.Norm{Kind: "ordenanza_regional",
			Number: "001-2027-CR/GRM", Title: "Proyecto reservado de ordenanza", Draft: true}); err != nil {
			t.Fatal(err)
		}
		read := func(as, entity string) string {
			t.Helper()
			status, body := site.apiCall(as, "GET", "/api/v1/audit?entity="+entity, nil)
			if status != 200 {
				t.Fatalf("%s reads the %s audit: %d %s", as, entity, status, body)
			}
			return body
		}
		if body := read("granted", "norm"); strings.Contains(body, "Proyecto reservado") || !strings.Contains(body, "RM-383-2004-PRODUCE") {
			t.Errorf("IMARPE's editor: the draft shown, or the published norms hidden: %.300s", body)
		}
		if body := read("granted", "procedure_case"); strings.Contains(body, "E-6") {
			t.Errorf("IMARPE's editor reads DIREPRO's cases in the audit")
		}
		if body := read("granted", "holiday"); !strings.Contains(body, "Fiestas Patrias") {
			t.Errorf("the holidays' audit is hidden: %.300s", body)
		}
		if body := read("editor", "norm"); !strings.Contains(body, "Proyecto reservado") {
			t.Errorf("the draft's editor does not see its audit")
		}
		if body := read("editor", "procedure_case"); !strings.Contains(body, "E-6") {
			t.Errorf("the procedure's editor does not see its cases' audit")
		}
	})
}
