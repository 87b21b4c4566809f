package trade

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Flows are stored in blocks (migration 00013): a row of trade_blocks holds
// the series of consecutive reporters that share a code, flow, period,
// second partner and classification in one batch, with each series'
// partners' figures. A figure is shown from one batch only: the latest
// import that gave it.

// blockFigures is about how many figures a block holds: a block ends after
// the series that reaches it (a series is never split).
const blockFigures = 256

// figure is one partner's figure in a series, and the file line it came from
// (0 when read back from the database).
type figure struct {
	Partner     int
	Value       float64
	Basis       string
	Weight, Qty sql.NullFloat64
	Unit, Flag  string
	line        int64
}

// series is one reporter's figures in a block, by partner.
type series struct {
	reporter int
	figures  []figure
}

// block is a row of trade_blocks.
type block struct {
	slice  sliceKey
	batch  int64
	series []series
	// publishedBy is the batch whose publication shows the block, when it
	// is not its own (a copy made by another batch's take-over).
	publishedBy sql.NullInt64
}

// blockColumns are trade_blocks' columns that an import writes, in
// blockValues' order.
const blockColumns = "batch_id, commodity, flow, year, month, partner2, classification, first_reporter, last_reporter, " +
	"value_basis, qty_unit, flag, totals, series, published_by"

const blockColumnCount = 15

// blockValues appends b's values, in blockColumns' order; the JSON is
// written into buf, returned for reuse.
func blockValues(args []any, buf []byte, b *block) ([]any, []byte) {
	var c seriesCommon
	if len(b.series) > 0 && len(b.series[0].figures) > 0 {
		f := &b.series[0].figures[0]
		c = seriesCommon{f.Basis, f.Unit, f.Flag}
	}
	start := len(buf)
	buf = append(buf, '[')
	for i := range b.series {
		s := &b.series[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		world, partners := seriesSums(s.figures)
		buf = append(buf, '[')
		buf = strconv.AppendInt(buf, int64(s.reporter), 10)
		buf = append(buf, ',')
		buf = appendJSONNumber(buf, world)
		buf = append(buf, ',')
		buf = appendNumber(buf, partners)
		buf = append(buf, ']')
	}
	buf = append(buf, ']')
	totals := string(buf[start:])
	start = len(buf)
	buf = append(buf, '[')
	for i := range b.series {
		s := &b.series[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		buf = strconv.AppendInt(buf, int64(s.reporter), 10)
		buf = append(buf, ',')
		buf = appendFigures(buf, s.figures, c)
		buf = append(buf, ']')
	}
	buf = append(buf, ']')
	k := &b.slice
	first, last := 0, 0
	if len(b.series) > 0 {
		first, last = b.series[0].reporter, b.series[len(b.series)-1].reporter
	}
	return append(args, b.batch, k.Commodity, k.Flow, k.Year, k.Month, k.Partner2, k.Classification, first, last,
		c.Basis, c.Unit, c.Flag, totals, string(buf[start:]), b.publishedBy), buf
}

// seriesSums are a series' World figure (NULL when it has none) and the sum
// of its other figures: its part of the reporter's total.
func seriesSums(figs []figure) (world sql.NullFloat64, partners float64) {
	for _, f := range figs {
		if f.Partner == 0 {
			world = sql.NullFloat64{Float64: f.Value, Valid: true}
		} else {
			partners += f.Value
		}
	}
	return world, partners
}

// appendFigures appends figs as JSON: [partner, value_usd, net_weight_kg,
// qty], and value_basis, qty_unit and flag after them when they differ from
// the block's common ones.
func appendFigures(b []byte, figs []figure, c seriesCommon) []byte {
	b = append(b, '[')
	for i := range figs {
		f := &figs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(f.Partner), 10)
		b = append(b, ',')
		b = appendNumber(b, f.Value)
		b = append(b, ',')
		b = appendJSONNumber(b, f.Weight)
		b = append(b, ',')
		b = appendJSONNumber(b, f.Qty)
		if f.Basis != c.Basis || f.Unit != c.Unit || f.Flag != c.Flag {
			b = append(b, ',')
			b = appendJSONString(b, f.Basis)
			b = append(b, ',')
			b = appendJSONString(b, f.Unit)
			b = append(b, ',')
			b = appendJSONString(b, f.Flag)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendJSONNumber(b []byte, v sql.NullFloat64) []byte {
	if !v.Valid {
		return append(b, "null"...)
	}
	return appendNumber(b, v.Float64)
}

// appendNumber appends v as a JSON number that reads back as v. Whole
// numbers, most trade figures, are written as integers: several times
// faster than the shortest float formatting.
func appendNumber(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 && (v != 0 || !math.Signbit(v)) {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendJSONString quotes s; plain ASCII, by far the usual, directly.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// decodeSeries reads trade_blocks.series of a block whose common values are c.
func decodeSeries(text string, c seriesCommon) ([]series, error) {
	var raw [][]json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("read a block's series: %w", err)
	}
	out := make([]series, len(raw))
	for i, r := range raw {
		if len(r) != 2 {
			return nil, fmt.Errorf("read a block's series: a series of %d values", len(r))
		}
		if err := json.Unmarshal(r[0], &out[i].reporter); err != nil {
			return nil, fmt.Errorf("read a block's series: %w", err)
		}
		figs, err := decodeFigures(r[1], c)
		if err != nil {
			return nil, err
		}
		out[i].figures = figs
	}
	return out, nil
}

// decodeFigures reads a series' figures.
func decodeFigures(text []byte, c seriesCommon) ([]figure, error) {
	var raw [][]any
	if err := json.Unmarshal(text, &raw); err != nil {
		return nil, fmt.Errorf("read a series' figures: %w", err)
	}
	figs := make([]figure, len(raw))
	for i, r := range raw {
		if len(r) != 4 && len(r) != 7 {
			return nil, fmt.Errorf("read a series' figures: a figure of %d values", len(r))
		}
		partner, _ := r[0].(float64)
		value, _ := r[1].(float64)
		f := &figs[i]
		f.Partner, f.Value = int(partner), value
		f.Weight.Float64, f.Weight.Valid = r[2].(float64)
		f.Qty.Float64, f.Qty.Valid = r[3].(float64)
		f.Basis, f.Unit, f.Flag = c.Basis, c.Unit, c.Flag
		if len(r) == 7 {
			f.Basis, _ = r[4].(string)
			f.Unit, _ = r[5].(string)
			f.Flag, _ = r[6].(string)
		}
	}
	return figs, nil
}
