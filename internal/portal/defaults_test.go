package portal

import (
	"slices"
	"testing"
	"testing/fstest"

	"sriim/data/seed"
)

// TestDefaultsAreTheSeedPlans: the defaults the pages and the API fall back
// on come from data/seed/portal.json and are the seed plan's.
func TestDefaultsAreTheSeedPlans(t *testing.T) {
	d, err := ReadDefaults(seed.Files, "portal.json")
	if err != nil {
		t.Fatal(err)
	}
	if d.Reporter != 604 || !slices.Equal(d.Competitors, []int{604, 152}) || d.Market != 392 || d.From != 2000 || d.To != 2005 ||
		d.ProductLine != "loco_congelado" || d.HomeExports.Source != "PROMPEX" || len(d.SpeciesLines["SNE"]) != 3 ||
		!slices.Equal(d.Production.Places, []string{"PE-MOQ"}) {
		t.Fatalf("defaults: %+v", d)
	}
	for _, bad := range []string{`{}`, `{"reporter":604,"competitors":[604],"market":392,"from":2005,"to":2000,"product_line":"x"}`, `{`} {
		if _, err := ReadDefaults(fstest.MapFS{"p.json": {Data: []byte(bad)}}, "p.json"); err == nil {
			t.Errorf("%s was taken", bad)
		}
	}
}
