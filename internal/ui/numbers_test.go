package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestFormsReadNumbersOneWay: every form that takes a number reads the
// Spanish and the English way of writing it alike.
func TestFormsReadNumbersOneWay(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	ctx := context.Background()
	_, prod := site.exporterWithProduct()
	act, _ := site.srv.Planning.Activity(ctx, 1, "1.1.1", 2008)
	ind := act.Indicators[1].ID
	b := site.browser()
	b.login("admin@example.org", testPassword)
	_, _, token := b.get("/plan/1/poa?anio=2008")
	forms := []struct {
		name string
		// save posts the typed text and returns the number stored.
		save func(t *testing.T, typed string) float64
	}{
		{"annual plan budget", func(t *testing.T, typed string) float64 {
			// Each save is based on the entry as it is now (its version; 0: none yet).
			version := int64(0)
			items, _ := site.srv.Planning.AnnualPlan(ctx, 1, 2008)
			for _, it := range items {
				if it.ActivityID == act.ID {
					version = it.Version
				}
			}
			res := b.post("/plan/1/poa?anio=2008", url.Values{"csrf_token": {token}, "activity_id": {strconv.FormatInt(act.ID, 10)}, "budget": {typed}, "currency": {"PEN"},
				"version": {strconv.FormatInt(version, 10)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d", res.StatusCode)
			}
			items, _ = site.srv.Planning.AnnualPlan(ctx, 1, 2008)
			for _, it := range items {
				if it.ActivityID == act.ID && it.Budget != nil {
					return *it.Budget
				}
			}
			t.Fatal("no budget stored")
			return 0
		}},
		{"progress report indicator value", func(t *testing.T, typed string) float64 {
			version := int64(0)
			if reps, _ := site.srv.Planning.Reports(ctx, site.users["admin"].Principal(), act); len(reps) > 0 {
				version = reps[0].Version
			}
			res := b.post("/plan/1/actividades/1.1.1/reportes", url.Values{"csrf_token": {token}, "period": {"2008"}, "status": {"in_progress"},
				fmt.Sprintf("value_%d", ind): {typed}, "version": {strconv.FormatInt(version, 10)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d", res.StatusCode)
			}
			reps, _ := site.srv.Planning.Reports(ctx, site.users["admin"].Principal(), act)
			return reps[0].Values[ind]
		}},
		{"offer product capacity", func(t *testing.T, typed string) float64 {
			res := b.post(fmt.Sprintf("/oferta/productos-exportador/%d", prod.ID), url.Values{"csrf_token": {token}, "species": {"SNE"},
				"presentation": {"canned"}, "name_es": {"Loco en conserva"}, "capacity": {typed}, "markets": {"JPN"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d", res.StatusCode)
			}
			p, err := site.srv.Offer.Product(ctx, prod.ID)
			if err != nil || p.Capacity == nil {
				t.Fatalf("product: %v %+v", err, p)
			}
			return *p.Capacity
		}},
		{"production observation value", func(t *testing.T, typed string) float64 {
			res := b.post("/produccion/observaciones", url.Values{"csrf_token": {token}, "especie": {"SNE"}, "presentacion": {"todas"},
				"origen": {"todos"}, "lugar": {"PE-MOQ"}, "medida": {"cantidad"}, "anio": {"2011"}, "valor": {typed}, "unidad": {"t"},
				"fuente": {"Prueba " + typed}, "estado": {"provisional"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d", res.StatusCode)
			}
			id, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/produccion/observaciones/"), 10, 64)
			o, err := site.srv.Production.Observation(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return o.Value
		}},
	}
	for _, f := range forms {
		for typed, want := range map[string]float64{"2,5": 2.5, "2.5": 2.5, "1.234,5": 1234.5, "1,234.5": 1234.5, "1,234": 1234, "1 234,75": 1234.75} {
			t.Run(f.name+" "+typed, func(t *testing.T) {
				if got := f.save(t, typed); got != want {
					t.Errorf("%q stored as %v, want %v", typed, got, want)
				}
			})
		}
	}

	// What is no number is refused with how to write one, not dropped.
	for path, field := range map[string]string{"/plan/1/poa?anio=2008": "budget", fmt.Sprintf("/oferta/productos-exportador/%d", prod.ID): "capacity"} {
		form := url.Values{"csrf_token": {token}, "activity_id": {strconv.FormatInt(act.ID, 10)}, "species": {"SNE"}, "presentation": {"canned"},
			"name_es": {"Loco en conserva"}, "markets": {"JPN"}, field: {"dos mil"}}
		if res := b.post(path, form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s %q: status %d, want 422", field, "dos mil", res.StatusCode)
		}
	}
}
