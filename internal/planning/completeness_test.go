package planning_test

import (
	"context"
	"testing"
	"time"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/planning"
)

// TestCompleteness counts, per institution, the reports owed on 2008: one
// approved on time, one sent after the due date, the others missing and
// late; a shared activity's report counts for each of its institutions,
// unless the annual plan names the one responsible.
func TestCompleteness(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		now := time.Date(2008, 12, 1, 0, 0, 0, 0, time.UTC)
		f.svc.Now = func() time.Time { return now }
		report := func(code string) planning.Report {
			a, err := f.svc.Activity(ctx, f.planID, code, 2008)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: "2008", Status: "in_progress"})
			if err != nil {
				t.Fatal(err)
			}
			if r, err = f.svc.Submit(ctx, f.direpro, r.ID); err != nil {
				t.Fatal(err)
			}
			return r
		}
		if _, err := f.svc.Review(ctx, f.mesa, report("1.1.1").ID, true, ""); err != nil {
			t.Fatal(err)
		}
		now = time.Date(2009, 2, 10, 0, 0, 0, 0, time.UTC) // after 2009-01-31
		report("1.2.4")                                    // DR PRODUCE and FONCODES
		now = time.Date(2009, 2, 15, 0, 0, 0, 0, time.UTC)

		list, err := f.svc.Completeness(ctx, f.mesa, f.planID, 2008)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]planning.Completeness{}
		for _, c := range list {
			rows[c.Code] = c
		}
		dp := rows["DIREPRO-ILO"]
		if dp.Due < 5 || dp.Submitted != 2 || dp.Approved != 1 || dp.Missing != dp.Due-2 || dp.Late != dp.Due-1 || dp.DueOn != "2009-01-31" {
			t.Fatalf("DIREPRO: %+v", dp)
		}
		items := map[string]planning.CompletenessItem{}
		for _, it := range dp.Items {
			items[it.ActivityCode] = it
		}
		if it := items["1.1.1"]; it.State != "approved" || it.Late || it.SubmittedAt == nil {
			t.Errorf("1.1.1: %+v", it)
		}
		if it := items["1.2.4"]; it.State != "submitted" || !it.Late {
			t.Errorf("1.2.4, sent after the due date: %+v", it)
		}
		fon := rows["FONCODES"]
		if fon.Submitted < 1 {
			t.Errorf("FONCODES shares 1.2.4's report: %+v", fon)
		}
		// The annual plan names DR PRODUCE responsible for 1.2.4: FONCODES owes it no more.
		a, _ := f.svc.Activity(ctx, f.planID, "1.2.4", 2008)
		if _, err := f.svc.SetAnnualItem(ctx, f.mesa, planning.AnnualItem{ActivityID: a.ID, Year: 2008, Currency: "PEN",
			ResponsibleInstitutionID: f.direpro.Institutions[0]}); err != nil {
			t.Fatal(err)
		}
		list, _ = f.svc.Completeness(ctx, f.mesa, f.planID, 2008)
		for _, c := range list {
			if c.Code == "FONCODES" && c.Due != fon.Due-1 {
				t.Errorf("FONCODES after the POA: %+v", c)
			}
		}
		// An editor sees their own institution; nobody logged in, nothing.
		mine, err := f.svc.Completeness(ctx, f.imarpe, f.planID, 2008)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range mine {
			if c.InstitutionID != f.imarpe.Institutions[0] {
				t.Errorf("IMARPE's editor sees %s", c.Code)
			}
		}
		if _, err := f.svc.Completeness(ctx, auth.Principal{}, f.planID, 2008); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous: %v", err)
		}
	})
}
