package trade

import (
	"database/sql"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSorterHandsBackEveryFigureInOrder sorts random figures (some with
// codes beyond 32 bits, which take the slower comparison) in memory and in
// small runs through temporary files, with slices pooled or not: each comes
// back once, in order, with its values.
func TestSorterHandsBackEveryFigureInOrder(t *testing.T) {
	for _, tt := range []struct {
		name          string
		records, fans int
		wide          bool
		pooled        int
	}{{"memory", 1 << 20, 64, false, maxPooled}, {"files", 37, 3, false, maxPooled}, {"memory, wide codes", 1 << 20, 64, true, maxPooled},
		{"files, wide codes", 50, 4, true, maxPooled}, {"files, few slices pooled", 41, 5, false, 3}} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			so := &sorter{pool: newSlicePool(), records: tt.records, fanIn: tt.fans}
			so.pool.max = tt.pooled
			defer so.close()
			const n = 2000
			cur := newRun(so.records)
			want := map[int64]Flow{}
			for line := int64(2); line < n+2; line++ {
				f := Flow{Commodity: []string{"030799", "160590", "0307992000"}[rng.IntN(3)], Flow: []string{"import", "export"}[rng.IntN(2)],
					Classification: "H2", Year: 2000 + rng.IntN(3), Reporter: rng.IntN(5), Partner: rng.IntN(40), Value: float64(line),
					ValueBasis: "cif", Flag: []string{"", "E"}[rng.IntN(2)]}
				if line%3 == 0 {
					f.Qty = sql.NullFloat64{Float64: 1.5, Valid: true}
				}
				if line%5 == 0 {
					f.NetWeight = sql.NullFloat64{Float64: -2, Valid: true}
				}
				if tt.wide && line%7 == 0 {
					f.Reporter, f.Partner = math.MaxInt32+rng.IntN(3), -math.MaxInt32-5
				}
				want[line] = f
				if cur.full() {
					if err := so.spillRun(cur); err != nil {
						t.Fatal(err)
					}
					cur = newRun(so.records)
				}
				cur.add(&f, line)
			}
			src, err := so.finish(cur)
			if err != nil {
				t.Fatal(err)
			}
			var prev sorted
			got := 0
			for {
				ok, err := src.next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				s := src.current()
				if got > 0 && cmpSorted(&prev, s) >= 0 {
					t.Fatalf("line %d after line %d", s.line, prev.line)
				}
				f, ok := want[s.line]
				if !ok || *s.slice != (sliceKey{f.Commodity, f.Flow, f.Classification, f.Year, f.Month, f.Partner2}) || s.reporter != f.Reporter ||
					s.partner != f.Partner || s.value != f.Value || s.qty != f.Qty || s.weight != f.NetWeight || *s.common != (seriesCommon{f.ValueBasis, f.QtyUnit, f.Flag}) {
					t.Fatalf("line %d came back as %+v, want %+v", s.line, s, f)
				}
				delete(want, s.line)
				prev = *s
				got++
			}
			if len(want) != 0 || got != n {
				t.Fatalf("%d figures came back, %d missing", got, len(want))
			}
		})
	}
}
