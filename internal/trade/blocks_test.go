package trade

import (
	"database/sql"
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// TestFiguresRoundTrip: what an import writes into trade_blocks.series is
// valid JSON and reads back as the same series, with the block's common
// values or their own; totals holds each series' World figure and the sum
// of the others.
func TestFiguresRoundTrip(t *testing.T) {
	kg, qty, zero, big, whole, negative := 1234.5, 1e21, 0.0, float64(1<<53-1), 2932.0, -17.0
	for _, ss := range [][]series{
		{{reporter: 4, figures: []figure{{Partner: 0, Value: 250.5, Basis: "cif"}}}},
		{{reporter: 392, figures: []figure{{Partner: 604, Value: 0.1 + 0.2, Basis: "fob", Weight: sql.NullFloat64{Float64: kg, Valid: true}, Qty: sql.NullFloat64{Float64: qty, Valid: true}, Unit: "Weight in kilograms", Flag: "0"},
			{Partner: 490, Value: 5e-324, Weight: sql.NullFloat64{Float64: zero, Valid: true}, Unit: `kg "neto"\`, Flag: "ñ\n\u2028<&>"},
			{Partner: 2000, Value: 1.7976931348623157e308, Basis: "fob", Unit: "Weight in kilograms", Flag: "0"}}},
			{reporter: 410, figures: []figure{{Partner: 4, Value: math.Copysign(0, -1), Weight: sql.NullFloat64{Float64: big, Valid: true}, Qty: sql.NullFloat64{Float64: whole, Valid: true}},
				{Partner: 8, Value: 1 << 53, Weight: sql.NullFloat64{Float64: negative, Valid: true}}}}},
	} {
		b := block{slice: sliceKey{Commodity: "030799", Flow: "import", Classification: "H2", Year: 2004}, batch: 7, series: ss}
		values, _ := blockValues(nil, nil, &b)
		if len(values) != blockColumnCount {
			t.Fatalf("%d values for %d columns", len(values), blockColumnCount)
		}
		totals, text := values[12].(string), values[13].(string)
		if !json.Valid([]byte(text)) || !json.Valid([]byte(totals)) {
			t.Fatalf("not JSON: %s %s", text, totals)
		}
		got, err := decodeSeries(text, seriesCommon{values[9].(string), values[10].(string), values[11].(string)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ss) {
			t.Fatalf("%s read back as %+v, want %+v", text, got, ss)
		}
		var sums [][]*float64
		if err := json.Unmarshal([]byte(totals), &sums); err != nil || len(sums) != len(ss) {
			t.Fatalf("totals %s: %v", totals, err)
		}
		for i, s := range ss {
			world, partners := seriesSums(s.figures)
			if *sums[i][0] != float64(s.reporter) || (sums[i][1] != nil) != world.Valid || *sums[i][2] != partners {
				t.Fatalf("totals of %d: %s", s.reporter, totals)
			}
		}
		if values[7] != ss[0].reporter || values[8] != ss[len(ss)-1].reporter {
			t.Fatalf("reporters %v to %v", values[7], values[8])
		}
	}
}
