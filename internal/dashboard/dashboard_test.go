package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/dashboard"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/i18n"
	"sriim/internal/indicators"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

// TestDashboard builds the chain's series on the seed's data: production and
// exports by year from their sources, a series whose module is not there
// said so, the plan's progress by year, and small SVG charts of them.
func TestDashboard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		prod, tr, plans := production.New(d), trade.New(d), planning.New(d, t.TempDir())
		if err := seeding.Load(ctx, d, seeding.Services{Accounts: accounts.New(d), Reference: reference.New(d), Production: prod, Planning: plans, Trade: tr},
			slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		reg := indicators.NewRegistry(prod.Source(), tr.Source(), actors.New(d).Source())
		list, _ := plans.Plans(ctx)
		db := dashboard.New(reg, plans)
		dash, err := db.Build(ctx, list[0].ID, 2000, 2008, i18n.EN)
		if err != nil {
			t.Fatal(err)
		}
		series := map[string]dashboard.Series{}
		for _, s := range dash.Chain {
			series[s.Key] = s
		}
		if s := series["production"]; !s.Available || s.Values["2003"] != 861 || s.Unit != "t" || !strings.Contains(s.Computation, "production series") {
			t.Errorf("production: %+v", s)
		}
		if s := series["exports"]; s.Source != "trade.exports" || s.Values["2005"] != 10899000 {
			t.Errorf("exports: %+v", s)
		}
		if s := series["areas_closed"]; s.Available || !strings.Contains(s.Computation, "zones.closed_areas") {
			t.Errorf("areas closed: %+v", s)
		}
		if s := series["people_trained"]; s.Available {
			t.Errorf("people trained without the events module: %+v", s)
		}
		if len(dash.Plan) != 9 || dash.Plan[8].Year != 2008 || dash.Plan[8].Rollup.Total != 61 || dash.Plan[0].Rollup.NotStarted != 61 {
			t.Errorf("plan progress: %+v", dash.Plan)
		}
		svg, err := dash.Chart(series["production"], "Production", "Source: DIREPRO", nil)
		if err != nil || !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), ">2004<") || !strings.Contains(string(svg), "Source: DIREPRO") {
			t.Fatalf("chart: %v %s", err, svg)
		}
		if svg, err = dash.PlanChart("Plan", "SRIIM"); err != nil || !strings.Contains(string(svg), ">2008<") {
			t.Fatalf("plan chart: %v", err)
		}
		if _, err := db.Build(ctx, 0, 2010, 2000, i18n.EN); err == nil {
			t.Error("years out of order accepted")
		}
	})
}
