package regulation_test

import (
	"context"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/trade"
)

// TestRequirementMarketsOfAProduct: the markets a product page links to are
// those with requirements that cover the product, a draft's only for its
// editors.
func TestRequirementMarketsOfAProduct(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		if _, err := f.svc.ImportRequirements(ctx, f.editor, csvFile(
			"codigo,producto,mercado,tipo,documento,borrador",
			"KR-SAN,0307,KOR,certificado_sanitario,Certificado sanitario,si",
			"US-SAN,1604,USA,certificado_sanitario,Certificado sanitario,",
		), "r.csv"); err != nil {
			t.Fatal(err)
		}
		names := func(list []trade.Partner) string {
			var out []string
			for _, p := range list {
				out = append(out, p.ISO)
			}
			return strings.Join(out, " ")
		}
		// The seed's requirements (China, the European Union, Hong Kong, Japan) cover frozen loco (0307); the
		// United States' are for another heading.
		got, err := f.svc.RequirementMarkets(ctx, f.anon, "loco_congelado")
		if err != nil || names(got) != "CHN HKG JPN EUR" {
			t.Errorf("anonymous: %q, %v", names(got), err)
		}
		if got, _ := f.svc.RequirementMarkets(ctx, f.editor, "loco_congelado"); names(got) != "CHN KOR HKG JPN EUR" {
			t.Errorf("the draft's editor: %q", names(got))
		}
		if _, err := f.svc.RequirementMarkets(ctx, f.anon, "perlas"); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown product: %v", err)
		}
	})
}
