package planning_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sriim/internal/accounts"
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
	svc      *planning.Service
	planID   int64
	direpro  auth.Principal // editor of DIREPRO Ilo, which takes part in 1.1.1
	imarpe   auth.Principal // editor of IMARPE, which does not
	mesa     auth.Principal // administrator: the Mesa de Trabajo
	files    string
	accounts *accounts.Service
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{files: t.TempDir(), accounts: accounts.New(d)}
	f.svc = planning.New(d, f.files)
	f.svc.Now = func() time.Time { return time.Date(2008, 6, 1, 0, 0, 0, 0, time.UTC) }
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: f.accounts, Reference: reference.New(d), Production: production.New(d), Planning: f.svc, Trade: trade.New(d)},
		slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	plans, err := f.svc.Plans(ctx)
	if err != nil || len(plans) != 1 {
		t.Fatalf("plans: %v %v", plans, err)
	}
	f.planID = plans[0].ID
	direpro, _ := f.accounts.InstitutionByCode(ctx, "DIREPRO-ILO")
	imarpe, _ := f.accounts.InstitutionByCode(ctx, "IMARPE")
	f.direpro = auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
	f.imarpe = auth.Principal{UserID: 2, Email: "ed@imarpe", Role: auth.Editor, Institutions: []int64{imarpe.ID}}
	f.mesa = auth.Principal{UserID: 3, Email: "mesa", Role: auth.Admin}
	return f
}

func TestSeedPlanIsLoaded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		p, err := f.svc.Plan(context.Background(), f.planID, 2008)
		if err != nil {
			t.Fatal(err)
		}
		strategies, activities := 0, 0
		for _, o := range p.Objectives {
			strategies += len(o.Strategies)
			for _, s := range o.Strategies {
				activities += len(s.Activities)
			}
		}
		if len(p.Objectives) != 4 || strategies != 16 || activities != 61 || p.Rollup.Total != 61 {
			t.Fatalf("%d objectives, %d strategies, %d activities", len(p.Objectives), strategies, activities)
		}
		an := p.Analysis
		if an == nil || len(an.Strengths) != 16 || len(an.Weaknesses) != 25 || len(an.Opportunities) != 6 || len(an.Threats) != 6 ||
			len(an.Diamond) != 6 || an.Diamond[2].Level != "ALTO" || an.Diamond[2].Attributes[0].Rating != "+ +" ||
			an.Strengths[0] != "Abundante variedad de especies nativas." {
			t.Fatalf("analysis: %+v", an)
		}
		a, err := f.svc.Activity(context.Background(), f.planID, "1.2.5", 2008)
		if err != nil {
			t.Fatal(err)
		}
		if a.Period != "2007-2009" || len(a.Targets) != 2 || a.Targets[1].Year != 2009 || *a.Targets[1].Value != 90 || a.Targets[1].Unit != "%" {
			t.Fatalf("1.2.5: %+v", a)
		}
		for _, i := range a.Institutions {
			if i.InstitutionID == 0 { // "Asociación de productores" too: the producers' organisations
				t.Fatalf("1.2.5 institutions: %+v", a.Institutions)
			}
		}
		// The plan as the seed prints it: ten years, the objectives' names,
		// both milestones of a target, «los años siguientes» after 2007, and
		// "Universidades y ONGs" of 1.1.3 once, linked to both.
		if p.EndYear != 2016 || p.Objectives[0].Name != "Desarrollo de la oferta exportable" {
			t.Errorf("plan %d–%d, first objective %q", p.StartYear, p.EndYear, p.Objectives[0].Name)
		}
		acts, err := f.svc.Activities(context.Background(), f.planID, 2008)
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]planning.Activity{}
		for _, a := range acts {
			byCode[a.Code] = a
		}
		if tg := byCode["1.4.2"].Targets[0]; fmt.Sprint(tg.Years()) != "[2007 2008]" {
			t.Errorf("1.4.2: %+v", tg)
		}
		if tg := byCode["1.5.3"].Targets[0]; len(tg.Milestones()) != 2 || *tg.Milestones()[1].Value != 80 {
			t.Errorf("1.5.3: %+v", tg)
		}
		if tg := byCode["3.3.1"].Targets[1]; tg.Year != 2016 || tg.YearStated {
			t.Errorf("3.3.1 «Los años siguientes»: %+v", tg)
		}
		if in := byCode["1.1.3"].Institutions; len(in) != 3 || in[2].Name != "Universidades y ONGs" || len(in[2].InstitutionIDs) != 2 {
			t.Errorf("1.1.3 institutions: %+v", in)
		}
		// A target's second milestone with a number is checked too.
		checks := planning.CheckTargets(planning.Activity{Indicators: []planning.Indicator{{ID: 1, Kind: "percent"}}, Targets: byCode["1.5.3"].Targets},
			map[int64][]planning.IndicatorPoint{1: {{Period: "2010", Value: 60}}}, 2011)
		if len(checks) != 2 || !checks[0].Met || checks[1].Met {
			t.Errorf("1.5.3 checks: %+v", checks)
		}
	})
}

func TestReportChangesTheLightAndApprovalLocksThePeriod(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a, _ := f.svc.Activity(ctx, f.planID, "1.1.1", 2008)
		if a.Light != planning.LightOnTrack {
			t.Fatalf("before any report: %s", a.Light)
		}
		if late, _ := f.svc.Activity(ctx, f.planID, "2.1.2", 2008); late.Light != planning.LightLate {
			t.Fatalf("2.1.2 (2007 only) in 2008: %s", late.Light)
		}
		r, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: "2008", Status: "done", Narrative: "Base de datos en línea",
			Values: map[int64]float64{a.Indicators[1].ID: 42}})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != "draft" || r.Values[a.Indicators[1].ID] != 42 {
			t.Fatalf("report %+v", r)
		}
		ev, err := f.svc.AddEvidence(ctx, f.direpro, r.ID, "acta.pdf", "", "application/pdf", strings.NewReader("%PDF-1.4 evidencia"))
		if err != nil || ev.Size != 18 {
			t.Fatalf("evidence: %+v %v", ev, err)
		}
		if _, err := os.Stat(filepath.Join(f.files, ev.SHA256)); err != nil {
			t.Fatalf("evidence file not stored: %v", err)
		}
		if _, err := f.svc.Review(ctx, f.mesa, r.ID, true, ""); !errs.Is(err, errs.Conflict) {
			t.Fatalf("approving a draft: %v", err)
		}
		if _, err := f.svc.Submit(ctx, f.direpro, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Review(ctx, f.direpro, r.ID, true, ""); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an editor approved: %v", err)
		}
		// Not approved yet: the light does not change, and visitors do not see it.
		if a, _ = f.svc.Activity(ctx, f.planID, "1.1.1", 2008); a.Light != planning.LightOnTrack {
			t.Fatalf("submitted report changed the light: %s", a.Light)
		}
		if list, _ := f.svc.Reports(ctx, auth.Principal{}, a); len(list) != 0 {
			t.Fatal("a visitor sees an unapproved report")
		}
		if _, err := f.svc.Review(ctx, f.mesa, r.ID, true, "Conforme"); err != nil {
			t.Fatal(err)
		}
		if a, _ = f.svc.Activity(ctx, f.planID, "1.1.1", 2008); a.Light != planning.LightDone || a.LastStatus != "done" {
			t.Fatalf("after approval: %s", a.Light)
		}
		p, _ := f.svc.Plan(ctx, f.planID, 2008)
		if p.Objectives[0].Strategies[0].Rollup.Done != 1 || p.Objectives[0].Strategies[0].Rollup.PercentDone != 33.3 {
			t.Fatalf("strategy 1.1 rollup %+v", p.Objectives[0].Strategies[0].Rollup)
		}
		// The approved period is locked.
		if _, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: "2008", Status: "delayed"}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("edit of a locked period: %v", err)
		}
		if _, err := f.svc.AddEvidence(ctx, f.direpro, r.ID, "", "https://example.org/acta", "", nil); !errs.Is(err, errs.Conflict) {
			t.Fatalf("evidence on a locked report: %v", err)
		}
		// A report that is sent back can be corrected and submitted again.
		r2, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: "2009-S1", Status: "in_progress"})
		if err != nil {
			t.Fatal(err)
		}
		f.svc.Submit(ctx, f.direpro, r2.ID)
		if pending, err := f.svc.PendingReview(ctx, f.mesa); err != nil || len(pending) != 1 || pending[0].ID != r2.ID || pending[0].ActivityCode != a.Code || pending[0].Institution == "" {
			t.Fatalf("review queue: %+v %v", pending, err)
		}
		if n, _ := f.svc.CountPendingReview(ctx, f.mesa); n != 1 {
			t.Fatalf("count to review: %d", n)
		}
		// Returning says why: without a note the report stays under review.
		if _, err := f.svc.Review(ctx, f.mesa, r2.ID, false, "  "); !errs.Is(err, errs.Invalid) {
			t.Fatalf("return without a note: %v", err)
		}
		if r2, err = f.svc.Review(ctx, f.mesa, r2.ID, false, "Falta el acta"); err != nil || r2.State != "returned" || r2.ReviewNote != "Falta el acta" {
			t.Fatalf("return: %+v %v", r2, err)
		}
		if _, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: "2009-S1", Status: "in_progress", Narrative: "Con acta", Version: r2.Version}); err != nil {
			t.Fatalf("correcting a returned report: %v", err)
		}
	})
}

func TestOnlyTheActivitysInstitutionsReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a, _ := f.svc.Activity(ctx, f.planID, "1.1.1", 2008) // Mesa de Trabajo, DR PRODUCE
		if _, err := f.svc.SaveReport(ctx, f.imarpe, a.ID, planning.ReportInput{Period: "2008", Status: "in_progress"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("IMARPE reported on 1.1.1: %v", err)
		}
		if _, err := f.svc.SaveReport(ctx, auth.Principal{}, a.ID, planning.ReportInput{Period: "2008", Status: "in_progress"}); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("anonymous reported: %v", err)
		}
		b, _ := f.svc.Activity(ctx, f.planID, "1.3.4", 2008) // IMARPE takes part
		if _, err := f.svc.SaveReport(ctx, f.imarpe, b.ID, planning.ReportInput{Period: "2008", Status: "in_progress"}); err != nil {
			t.Fatalf("IMARPE on 1.3.4: %v", err)
		}
		for _, in := range []planning.ReportInput{{Period: "2008-S3", Status: "done"}, {Period: "08", Status: "done"}, {Period: "2008", Status: "finished"}} {
			if _, err := f.svc.SaveReport(ctx, f.imarpe, b.ID, in); !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v accepted: %v", in, err)
			}
		}
		due, err := f.svc.Due(ctx, f.imarpe, f.planID, 2008)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, a := range due {
			codes = append(codes, a.Code)
		}
		if strings.Join(codes, ",") != "3.1.4,1.3.4,2.1.1" { // earliest deadline first
			t.Fatalf("IMARPE's due in 2008: %v", codes)
		}
	})
}

func TestImportRefusesABadOrRepeatedPlan(t *testing.T) {
	f := setup(t, dbtest.Open(t, db.SQLite))
	ctx := context.Background()
	plan := planning.File{Code: "POP-OTRO", Title: "Otro", StartYear: 2010, EndYear: 2012, Objectives: []planning.FileObjective{{Code: "1", Statement: "x",
		Strategies: []planning.FileStrategy{{Code: "1.1", Title: "y", Activities: []planning.FileActivity{{Code: "1.1.1", Title: "z", Period: "2010", StartYear: 2010, EndYear: 2010}}}}}}}
	if _, err := f.svc.Import(ctx, f.direpro, plan); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("an editor imported a plan: %v", err)
	}
	if _, err := f.svc.Import(ctx, f.mesa, plan); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Import(ctx, f.mesa, plan); !errs.Is(err, errs.Conflict) {
		t.Fatalf("same plan twice: %v", err)
	}
	bad := plan
	bad.Code = "POP-MALO"
	bad.Objectives[0].Strategies[0].Activities[0].Code = "2.1.1"
	if _, err := f.svc.Import(ctx, f.mesa, bad); !errs.Is(err, errs.Invalid) {
		t.Fatalf("activity outside its strategy: %v", err)
	}
}

func TestAnnualPlanAndIndicatorHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a, _ := f.svc.Activity(ctx, f.planID, "1.1.1", 2008)
		budget := 15000.0
		direproID := f.direpro.Institutions[0]
		item := planning.AnnualItem{ActivityID: a.ID, Year: 2008, Budget: &budget, FundingSource: "Presupuesto participativo", ResponsibleInstitutionID: direproID}
		if _, err := f.svc.SetAnnualItem(ctx, f.imarpe, item); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("IMARPE planned 1.1.1: %v", err)
		}
		bad := item
		bad.Year = 2020
		if _, err := f.svc.SetAnnualItem(ctx, f.direpro, bad); !errs.Is(err, errs.Invalid) {
			t.Fatalf("a year outside the period: %v", err)
		}
		saved, err := f.svc.SetAnnualItem(ctx, f.direpro, item)
		if err != nil {
			t.Fatal(err)
		}
		budget = 18000
		item.Version = saved.Version
		if _, err := f.svc.SetAnnualItem(ctx, f.direpro, item); err != nil {
			t.Fatal(err)
		}
		poa, err := f.svc.AnnualPlan(ctx, f.planID, 2008)
		if err != nil || len(poa) != 1 || *poa[0].Budget != 18000 || poa[0].ResponsibleInstitution == "" || poa[0].Currency != "PEN" {
			t.Fatalf("POA 2008: %+v %v", poa, err)
		}
		// Indicator history: only approved values count.
		ind := a.Indicators[1].ID
		for i, period := range []string{"2008-S1", "2008-S2"} {
			r, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: period, Status: "in_progress", Values: map[int64]float64{ind: float64(10 * (i + 1))}})
			if err != nil {
				t.Fatal(err)
			}
			f.svc.Submit(ctx, f.direpro, r.ID)
			if i == 0 {
				f.svc.Review(ctx, f.mesa, r.ID, true, "")
			}
		}
		hist, err := f.svc.IndicatorHistory(ctx, a)
		if err != nil || len(hist[ind]) != 1 || hist[ind][0].Period != "2008-S1" || hist[ind][0].Value != 10 {
			t.Fatalf("history: %+v %v", hist, err)
		}
	})
}

// TestSharedActivityReportBelongsToItsInstitution: on 1.3.4 (DIREPRO and
// IMARPE), IMARPE neither sees DIREPRO's draft nor changes it in any way;
// a stale save by DIREPRO itself is refused; once submitted, IMARPE reads it.
func TestSharedActivityReportBelongsToItsInstitution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a, _ := f.svc.Activity(ctx, f.planID, "1.3.4", 2008)
		draft, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: "2008", Status: "in_progress", Narrative: "DIREPRO"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Report(ctx, f.imarpe, draft.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("IMARPE reads DIREPRO's draft: %v", err)
		}
		tests := map[string]func() error{
			"overwrite": func() error {
				_, err := f.svc.SaveReport(ctx, f.imarpe, a.ID, planning.ReportInput{Period: "2008", Status: "done", Narrative: "IMARPE", Version: draft.Version})
				return err
			},
			"add evidence": func() error {
				_, err := f.svc.AddEvidence(ctx, f.imarpe, draft.ID, "acta", "https://example.org/acta", "", nil)
				return err
			},
			"submit": func() error { _, err := f.svc.Submit(ctx, f.imarpe, draft.ID); return err },
		}
		for name, call := range tests {
			if err := call(); !errs.Is(err, errs.Forbidden) && !errs.Is(err, errs.NotFound) {
				t.Errorf("IMARPE could %s DIREPRO's draft: %v", name, err)
			}
		}
		// DIREPRO's own save based on no report, or an older version, is a conflict too.
		if _, err := f.svc.SaveReport(ctx, f.direpro, a.ID, planning.ReportInput{Period: "2008", Status: "done"}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a blind save over a draft: %v", err)
		}
		r, _, err := f.svc.Report(ctx, f.direpro, draft.ID)
		if err != nil || r.Narrative != "DIREPRO" || r.State != "draft" || len(r.Evidence) != 0 || r.Version != draft.Version {
			t.Fatalf("DIREPRO's draft changed: %+v %v", r, err)
		}
		if _, err := f.svc.Submit(ctx, f.direpro, draft.ID); err != nil {
			t.Fatal(err)
		}
		if r, _, err := f.svc.Report(ctx, f.imarpe, draft.ID); err != nil || r.Narrative != "DIREPRO" {
			t.Fatalf("IMARPE cannot read the submitted report: %v", err)
		}
	})
}
