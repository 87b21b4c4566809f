package seeding_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

func services(t *testing.T, d *db.DB) seeding.Services {
	t.Helper()
	s := seeding.Services{Accounts: accounts.New(d), Reference: reference.New(d), Production: production.New(d), Planning: planning.New(d, t.TempDir()),
		Trade: trade.New(d), Actors: actors.New(d), Offer: offer.New(d, t.TempDir())}
	if err := seeding.Load(context.Background(), d, s, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	return s
}

// contents lists what a visitor or reviewer could meet: every actor, product
// and report by name, and whether each is a demonstration one.
func contents(t *testing.T, d *db.DB) (demo, real []string) {
	t.Helper()
	for _, q := range []string{"SELECT name FROM actors", "SELECT name_es FROM offer_products", "SELECT narrative FROM plan_reports"} {
		rows, err := d.Read().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			if strings.HasPrefix(s, "DEMO · ") {
				demo = append(demo, s)
			} else {
				real = append(real, s)
			}
		}
		rows.Close()
	}
	return demo, real
}

func TestDemoDatasetLoadsOnceAndLeavesWithNothingElse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := services(t, d)
		if loaded, err := seeding.DemoLoaded(ctx, d); err != nil || loaded {
			t.Fatalf("demo loaded by default: %v %v", loaded, err)
		}
		realExporter, _, err := s.Actors.Create(ctx, auth.System, actors.Actor{Name: "Pesquera Verdadera SAC", Kinds: []string{"exporter"}})
		if err != nil {
			t.Fatal(err)
		}

		n, err := seeding.LoadDemo(ctx, d, s)
		if err != nil || n != 9 {
			t.Fatalf("load: %d records, %v", n, err)
		}
		demo, _ := contents(t, d)
		if len(demo) != 9 {
			t.Fatalf("demo records by name: %v", demo)
		}
		if loaded, _ := seeding.DemoLoaded(ctx, d); !loaded {
			t.Fatal("the demo dataset is not reported loaded")
		}
		if queue, err := s.Planning.PendingReview(ctx, auth.System); err != nil || len(queue) != 1 {
			t.Fatalf("the review queue has %d reports (%v), want the demo's one", len(queue), err)
		}
		for _, a := range demo {
			if strings.Contains(a, "SAC") || strings.Contains(a, "SRL") {
				page, err := s.Actors.List(ctx, auth.System, actors.Filter{Q: strings.TrimPrefix(a, "DEMO · ")})
				if err != nil || len(page.Actors) != 1 || actors.ValidRUC(page.Actors[0].RUC) != nil || !strings.HasPrefix(page.Actors[0].RUC, "200000000") {
					t.Errorf("%s: RUC %+v %v", a, page.Actors, err)
				}
			}
		}

		// Loading again adds nothing.
		if n, err := seeding.LoadDemo(ctx, d, s); err != nil || n != 0 {
			t.Fatalf("second load: %d records, %v", n, err)
		}
		if again, _ := contents(t, d); len(again) != 9 {
			t.Fatalf("second load duplicated: %v", again)
		}

		// Real records added meanwhile, beside the demo ones.
		if _, _, err := s.Actors.Create(ctx, auth.System, actors.Actor{Name: "Buzos Reales de Ilo", Kinds: []string{"extractor"}, District: "180301"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Offer.Save(ctx, auth.System, offer.Product{ActorID: realExporter.ID, Species: "SNE", Presentation: "frozen", NameES: "Loco congelado real"}); err != nil {
			t.Fatal(err)
		}
		plans, _ := s.Planning.Plans(ctx)
		a, _ := s.Planning.Activity(ctx, plans[0].ID, "1.1.1", 2008)
		if _, err := s.Planning.SaveReport(ctx, auth.System, a.ID, planning.ReportInput{Period: "2008", Status: "done", Narrative: "Reporte real"}); err != nil {
			t.Fatal(err)
		}
		_, realBefore := contents(t, d)

		if n, err := seeding.RemoveDemo(ctx, d, s); err != nil || n != 9 {
			t.Fatalf("remove: %d records, %v", n, err)
		}
		demo, realAfter := contents(t, d)
		if len(demo) != 0 {
			t.Errorf("demo records left: %v", demo)
		}
		if strings.Join(realAfter, "|") != strings.Join(realBefore, "|") {
			t.Errorf("real records changed:\nbefore %v\nafter  %v", realBefore, realAfter)
		}
		if loaded, _ := seeding.DemoLoaded(ctx, d); loaded {
			t.Error("the demo dataset is still reported loaded")
		}
		var deletions int
		if err := d.Read().QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'delete'").Scan(&deletions); err != nil || deletions != 9 {
			t.Errorf("removals in the audit log: %d (%v)", deletions, err)
		}

		// And it can come back.
		if n, err := seeding.LoadDemo(ctx, d, s); err != nil || n != 9 {
			t.Fatalf("load after removal: %d records, %v", n, err)
		}
	})
}
