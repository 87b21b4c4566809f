package trade_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/trade"
)

// legacyRows is a Comtrade legacy CSV of n distinct rows.
func legacyRows(n int) []byte {
	var countries []trade.Partner
	for _, p := range trade.Partners() {
		if !p.Aggregate && p.ISO != "" {
			countries = append(countries, p)
		}
	}
	var buf bytes.Buffer
	buf.WriteString("Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO," +
		"Partner Code,Partner,Partner ISO,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag\n")
	for i := 0; i < n; i++ {
		p, year := countries[i%len(countries)], 1992+(i/len(countries))%25
		code := 30700 + (i/len(countries)/25)%99
		fmt.Fprintf(&buf, "H4,%d,%d,%d,6,1,1,Import,392,Japan,JPN,%d,\"%s\",%s,0%d,\"Molluscs, n.e.s.\",8,Weight in kilograms,%d,%d,%d,0\n",
			year, year, year, p.Code, p.NameEN, p.ISO, code, 1000+i, 1000+i, 5000+i)
	}
	return buf.Bytes()
}

// BenchmarkLegacy compares reading a Comtrade legacy file (its peer) with
// importing it into SQLite, its rows in order and shuffled: what the import
// adds to the parser's cost.
func BenchmarkLegacy(b *testing.B) {
	const rows = 20000
	file := legacyRows(rows)
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			r, err := trade.Open(trade.FormatLegacy, bytes.NewReader(file))
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.Next(); err == io.EOF {
					break
				} else if err != nil && !trade.Skipped(err) {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	for name, body := range map[string][]byte{"import-sqlite": file, "import-sqlite-shuffled": shuffled(file)} {
		b.Run(name, func(b *testing.B) {
			s := trade.New(dbtest.Open(b, db.SQLite))
			for b.Loop() {
				batch, err := s.Start(context.Background(), mesa, trade.FormatLegacy, "bench.csv", "benchmark")
				if err == nil {
					_, err = s.Import(context.Background(), mesa, batch, bytes.NewReader(body))
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
