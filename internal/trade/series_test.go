package trade

import (
	"database/sql"
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// TestFiguresRoundTrip: what an import writes into trade_series.figures is
// valid JSON and reads back as the same figures, with the series' common
// values or their own.
func TestFiguresRoundTrip(t *testing.T) {
	kg, qty, zero, big, whole, negative := 1234.5, 1e21, 0.0, float64(1<<53-1), 2932.0, -17.0
	for _, figs := range [][]figure{
		{},
		{{Partner: 0, Value: 250.5, Basis: "cif"}},
		{{Partner: 604, Value: 0.1 + 0.2, Basis: "fob", Weight: sql.NullFloat64{Float64: kg, Valid: true}, Qty: sql.NullFloat64{Float64: qty, Valid: true}, Unit: "Weight in kilograms", Flag: "0"},
			{Partner: 490, Value: 5e-324, Weight: sql.NullFloat64{Float64: zero, Valid: true}, Unit: `kg "neto"\`, Flag: "ñ\n\u2028<&>"},
			{Partner: 2000, Value: 1.7976931348623157e308, Basis: "fob", Unit: "Weight in kilograms", Flag: "0"},
			{Partner: 4, Value: math.Copysign(0, -1), Weight: sql.NullFloat64{Float64: big, Valid: true}, Qty: sql.NullFloat64{Float64: whole, Valid: true}}, {Partner: 8, Value: 1 << 53, Weight: sql.NullFloat64{Float64: negative, Valid: true}}},
	} {
		text, values := seriesValues(nil, figs)
		if !json.Valid(text) {
			t.Fatalf("not JSON: %s", text)
		}
		got, err := decodeFigures(string(text), seriesCommon{values[2].(string), values[3].(string), values[4].(string)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, figs) {
			t.Fatalf("%s read back as %+v, want %+v", text, got, figs)
		}
	}
}
