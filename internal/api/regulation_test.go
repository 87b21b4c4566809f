package api

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/regulation"
	"sriim/internal/seeding"
	"sriim/internal/trade"
	"sriim/internal/workdays"
)

// TestProcedureFiguresContract: GET /api/v1/procedures/{code} answers the
// issue's JSON over the cases of known durations in
// ../regulation/testdata (business days 1, 2, 5 and 10 in 2025, one of
// them across 28–29 July; one case across the new year in 2026).
func TestProcedureFiguresContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		acc := accounts.New(d)
		if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d),
			Planning: planning.New(d, t.TempDir()), Trade: trade.New(d)}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		direpro, err := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
		if err != nil {
			t.Fatal(err)
		}
		p := auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
		svc := regulation.New(d, workdays.New(d))
		for _, file := range []struct {
			name string
			run  func(context.Context, auth.Principal, io.Reader, string) (regulation.ImportReport, error)
		}{{"procedimientos.csv", svc.ImportProcedures}, {"casos.csv", svc.ImportCases}} {
			f, err := os.Open("../regulation/testdata/" + file.name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = file.run(ctx, p, f, file.name)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		h := newTestServer(t, d)
		want := `{"code":"REG-SAN","name":"Registro sanitario de productos pesqueros","legal_days":30,"fee":{"pen":535,"uit_share":0.1},` +
			`"observed":{"n":4,"business_days":{"median":2,"p90":10},"calendar_days":{"median":6,"p90":14},"within_legal_share":1}}`
		if got := strings.TrimSpace(body(t, get(t, h, "/api/v1/procedures/REG-SAN?year=2025"))); got != want {
			t.Errorf("2025:\n got %s\nwant %s", got, want)
		}
		if got := body(t, get(t, h, "/api/v1/procedures/REG-SAN?year=2026")); !strings.Contains(got, `"n":1,"business_days":{"median":3,"p90":3}`) {
			t.Errorf("2026: %s", got)
		}
		if res := get(t, h, "/api/v1/procedures/REG-SAN?year=1800"); res.StatusCode != 422 {
			t.Errorf("a year out of range: %d", res.StatusCode)
		}
		// The public reads the figures, never the cases.
		if got := body(t, get(t, h, "/api/v1/procedures/REG-SAN/cases")); got != "{\"cases\":[]}\n" {
			t.Errorf("anonymous cases: %s", got)
		}
	})
}
