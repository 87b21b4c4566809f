package trade_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/trade"
)

// TestImportSaysHowAFileIsClassified: a batch says which HS revision each
// reporter used each year where its file says so, and whether rows are in
// HS as reported without a revision; a SITC file fails naming SITC.
func TestImportSaysHowAFileIsClassified(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		b, err := importFile(t, s, trade.FormatV1, "comtrade-v1-hs.json", "v1-hs.json")
		if err != nil {
			t.Fatal(err)
		}
		b, err = s.Batch(ctx, b.ID)
		if err != nil || b.Classification == nil {
			t.Fatalf("batch: %+v %v", b, err)
		}
		got := fmt.Sprint(b.Classification.Revisions)
		if !strings.Contains(got, "{H4 HS2012 [2016]} {H5 HS2017 [2017]}") || !strings.Contains(got, "{H4 HS2012 [2016 2017]}") || b.Classification.AsReported {
			t.Errorf("v1 file searched as HS: %s, as reported %v", got, b.Classification.AsReported)
		}
		// Stored in the revision the reporter used, so product lines find them.
		rk, err := s.Importers(ctx, mustLine(t, "loco_congelado"), "import", 2016, 2017, 10)
		if err != nil || len(rk.Rows) != 2 || rk.Rows[0].Values[2017] != 1100000 {
			t.Errorf("frozen loco across HS2012 and HS2017: %+v %v", rk.Rows, err)
		}

		b, err = importFile(t, s, trade.FormatLegacy, "comtrade-legacy-hs.csv", "legacy-hs.csv")
		if err != nil || b.Rows != 4 {
			t.Fatalf("legacy file in HS as reported: %+v %v", b, err)
		}
		b, _ = s.Batch(ctx, b.ID)
		if !b.Classification.AsReported || len(b.Classification.Revisions) != 0 {
			t.Errorf("legacy HS batch: %+v", b.Classification)
		}
		rk, err = s.Importers(ctx, trade.AsReported("030799"), "import", 2000, 2000, 10)
		if err != nil || len(rk.Rows) != 1 || rk.Rows[0].Values[2000] != 65e6 {
			t.Errorf("HS as reported, by code: %+v %v", rk.Rows, err)
		}

		b, err = importFile(t, s, trade.FormatLegacy, "comtrade-legacy-sitc.csv", "sitc.csv")
		if err == nil || b.State != "failed" || !strings.Contains(b.Error, "S3 (SITC Rev. 3)") {
			t.Errorf("SITC file: %+v %v", b, err)
		}
	})
}

func mustLine(t *testing.T, key string) trade.Product {
	t.Helper()
	p, ok := trade.ProductLine(key)
	if !ok {
		t.Fatalf("no product line %s", key)
	}
	return p
}
