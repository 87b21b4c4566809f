package archive_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"sriim/internal/archive"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// TestDocumentsSource: the public documents that serve an activity, by their
// year; the others (another activity, restricted access) do not count.
func TestDocumentsSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		guide := f.create(t, f.direpro, archive.Input{Title: "Guía de buenas prácticas", Kind: "guia", Year: 2008, Activities: []string{"3.3.3"}})
		f.create(t, f.direpro, archive.Input{Title: "Estudio de costos", Year: 2008, Activities: []string{"3.3.3", "2.3.1"}})
		f.create(t, f.direpro, archive.Input{Title: "Guía anterior", Kind: "guia", Year: 2006, Activities: []string{"3.3.3"}})
		f.create(t, f.imarpe, archive.Input{Title: "Guía reservada", Kind: "guia", Year: 2008, Access: "institution", Activities: []string{"3.3.3"}})
		f.create(t, f.imarpe, archive.Input{Title: "Guía para registrados", Kind: "guia", Year: 2009, Access: "signed_in", Activities: []string{"3.3.3"}})
		f.create(t, f.imarpe, archive.Input{Title: "Guía de otra actividad", Kind: "guia", Year: 2009, Activities: []string{"1.1.2"}})
		src := f.svc.Sources()[0]
		if src.ID() != "archive.documents" {
			t.Fatalf("source %s", src.ID())
		}
		compute := func(params url.Values, activity string) indicators.Result {
			t.Helper()
			res, err := src.Compute(context.Background(), indicators.Query{Activity: indicators.Activity{Code: activity}, Params: params, From: 2007, To: 2009})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		for _, tc := range []struct {
			name     string
			params   url.Values
			activity string
			want     map[int]float64
		}{
			{"3.3.3", nil, "3.3.3", map[int]float64{2007: 0, 2008: 2, 2009: 0}},
			{"3.3.3's guides", url.Values{"kind": {"guia"}}, "3.3.3", map[int]float64{2007: 0, 2008: 1, 2009: 0}},
			{"3.3.3's guides and studies", url.Values{"kind": {"guia,estudio"}}, "3.3.3", map[int]float64{2007: 0, 2008: 2, 2009: 0}},
			{"3.3.3 cumulative", url.Values{"cumulative": {"true"}}, "3.3.3", map[int]float64{2007: 0, 2008: 2, 2009: 2}},
			{"every activity", url.Values{"activity": {"any"}}, "3.3.3", map[int]float64{2007: 0, 2008: 2, 2009: 1}},
			{"the dashboard", nil, "", map[int]float64{2007: 0, 2008: 2, 2009: 1}},
		} {
			res := compute(tc.params, tc.activity)
			if len(res.Values) != len(tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, res.Values, tc.want)
			}
			for y, v := range tc.want {
				if res.Values[y] != v {
					t.Errorf("%s: %d has %v, want %v", tc.name, y, res.Values[y], v)
				}
			}
		}
		// The records are the last year's documents, linked to their pages.
		res := compute(url.Values{"kind": {"guia"}, "cumulative": {"true"}}, "3.3.3")
		if len(res.Records) != 1 || res.Records[0] != (indicators.Record{Entity: "document", ID: guide.ID, Label: "Guía de buenas prácticas"}) {
			t.Errorf("records: %+v", res.Records)
		}
		if len(res.Computation.Args) == 0 || !strings.Contains(res.Computation.Format, "by the year of the document") {
			t.Errorf("computation: %+v", res.Computation)
		}
		// Every activity's count says so in words, not as the binding's code.
		if c := compute(url.Values{"activity": {"any"}}, "3.3.3").Computation; c.Format != "%s, by the year of the document (%s)" ||
			fmt.Sprint(c.Args...) == "" || strings.Contains(fmt.Sprint(c.Args...), "activity=") {
			t.Errorf("computation of every activity: %+v", c)
		}
		for _, bad := range []url.Values{{"kind": {"novela"}}, {"activity": {"1.1.2"}}, {"topic": {"x"}}} {
			if _, err := src.Compute(context.Background(), indicators.Query{Params: bad, From: 2007, To: 2008}); !errs.Is(err, errs.Invalid) {
				t.Errorf("%v: %v", bad, err)
			}
		}
	})
}
