package trade

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"sriim/internal/errs"
)

// Flows are stored as series (migration 00010): one row of trade_series per
// reporter, flow, code, period, second partner and batch, holding its
// partners' figures as a JSON array. A figure is held by one batch only: the
// latest import that gave it.

// seriesKey is what the figures of a series share.
type seriesKey struct {
	Reporter, Year, Month, Partner2 int
	Flow, Classification, Commodity string
}

// seriesColumns are trade_series' columns for a seriesKey, in args' order.
const seriesColumns = "reporter, flow, commodity, year, month, partner2, classification"

// sameSeries joins trade_series o to trade_series n on their series key.
const sameSeries = `o.reporter = n.reporter AND o.flow = n.flow AND o.commodity = n.commodity AND o.year = n.year
	AND o.month = n.month AND o.partner2 = n.partner2 AND o.classification = n.classification`

func (k *seriesKey) args() []any {
	return []any{k.Reporter, k.Flow, k.Commodity, k.Year, k.Month, k.Partner2, k.Classification}
}

// figure is one partner's figure in a series, and the file line it came from
// (0 when read back from the database).
type figure struct {
	Partner     int
	Value       float64
	Basis       string
	Weight, Qty sql.NullFloat64
	Unit, Flag  string
	line        int
}

// seriesPart is a series as a file gives it in consecutive rows. Files come
// sorted, so a series is usually one part; a series whose rows are apart in
// the file comes in several parts, which the import merges.
type seriesPart struct {
	key     seriesKey
	figures []figure
}

// partsPerChunk is how many parts the file's reader hands the storer at a time.
const partsPerChunk = 256

// readSeries reads the file's good rows into series parts and sends them to
// out, a chunk at a time, until the end of the file, a failure, or ctx's end.
// It runs beside the storer: reading and storing each take one core.
func (in *rowSource) readSeries(ctx context.Context, out chan<- []seriesPart) error {
	chunk := make([]seriesPart, 0, partsPerChunk)
	send := func() error {
		select {
		case out <- chunk:
			chunk = make([]seriesPart, 0, partsPerChunk)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var lastLen int
	for {
		ok, err := in.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		f := &in.flow
		k := seriesKey{Reporter: f.Reporter, Year: f.Year, Month: f.Month, Partner2: f.Partner2,
			Flow: f.Flow, Classification: f.Classification, Commodity: f.Commodity}
		if n := len(chunk); n == 0 || chunk[n-1].key != k {
			if n > 0 {
				lastLen = len(chunk[n-1].figures)
			}
			if n == partsPerChunk {
				if err := send(); err != nil {
					return err
				}
			}
			// The previous series' size is a good guess for the next one's.
			chunk = append(chunk, seriesPart{key: k, figures: make([]figure, 0, max(lastLen, 8))})
		}
		p := &chunk[len(chunk)-1]
		if len(p.figures) > maxCode {
			// More figures than partners: some repeat. Dropping them here
			// (the storer would) bounds the part whatever the file.
			p.dropRepeated(in)
		}
		p.figures = append(p.figures, figure{Partner: f.Partner, Value: f.Value, Basis: f.ValueBasis, Weight: f.NetWeight, Qty: f.Qty,
			Unit: f.QtyUnit, Flag: f.Flag, line: in.reader.Line()})
	}
	if len(chunk) > 0 {
		return send()
	}
	return nil
}

// dropRepeated removes the figures that repeat an earlier partner of the
// part, and reports them as problems.
func (p *seriesPart) dropRepeated(in *rowSource) {
	var seenPartners [(maxCode + 64) / 64]uint64 // as bits: Flow.validate keeps partners from 0 to maxCode
	kept := p.figures[:0]
	for _, f := range p.figures {
		word, bit := f.Partner/64, uint64(1)<<(f.Partner%64)
		seen := seenPartners[word]&bit != 0
		seenPartners[word] |= bit
		if seen {
			in.problem(&RowError{Line: f.line, Msg: msgRepeated})
			continue
		}
		kept = append(kept, f)
	}
	p.figures = kept
}

// mergeFigures adds a later part of a series to what is stored of it; a
// figure whose partner is there already is a repeated row, reported.
func mergeFigures(in *rowSource, stored, later []figure) []figure {
	partners := make(map[int]bool, len(stored))
	for _, f := range stored {
		partners[f.Partner] = true
	}
	for _, f := range later {
		if partners[f.Partner] {
			in.problem(&RowError{Line: f.line, Msg: msgRepeated})
			continue
		}
		partners[f.Partner] = true
		stored = append(stored, f)
	}
	return stored
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

// seriesCommon is what a series' figures usually share (its first figure's):
// stored once in the series, and in a figure only when it differs.
type seriesCommon struct{ Basis, Unit, Flag string }

// valueColumns are trade_series' columns after the key and batch, in
// seriesValues' order.
const valueColumns = "world_usd, partner_usd, value_basis, qty_unit, flag, figures"

// seriesValues returns the stored values of a series made of figs, in
// valueColumns' order; the figures' JSON is written into buf, returned for reuse.
func seriesValues(buf []byte, figs []figure) ([]byte, []any) {
	world, partners := seriesSums(figs)
	var c seriesCommon
	if len(figs) > 0 {
		c = seriesCommon{figs[0].Basis, figs[0].Unit, figs[0].Flag}
	}
	buf = appendFigures(buf[:0], figs, c)
	return buf, []any{world, partners, c.Basis, c.Unit, c.Flag, string(buf)}
}

// appendFigures appends figs as trade_series.figures' JSON: [partner,
// value_usd, net_weight_kg, qty], and value_basis, qty_unit and flag after
// them when they differ from the series' common ones.
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

// decodeFigures reads trade_series.figures of a series whose common values are c.
func decodeFigures(text string, c seriesCommon) ([]figure, error) {
	var raw [][]any
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
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

// setFigures rewrites a stored series, or deletes it when no figure is left.
func setFigures(ctx context.Context, tx *sql.Tx, id int64, figs []figure) error {
	if len(figs) == 0 {
		_, err := tx.ExecContext(ctx, "DELETE FROM trade_series WHERE id = $1", id)
		return err
	}
	_, values := seriesValues(nil, figs)
	_, err := tx.ExecContext(ctx, "UPDATE trade_series SET ("+valueColumns+") = ($1, $2, $3, $4, $5, $6) WHERE id = $7", append(values, id)...)
	return err
}

// takeOverPage bounds the pairs of series the take-over holds at a time.
const takeOverPage = 500

// takeOver removes from other batches' series the figures that batch gives
// now: the latest import of a figure holds it.
func takeOver(ctx context.Context, tx *sql.Tx, batch int64) error {
	var others bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM trade_series WHERE batch_id <> $1)", batch).Scan(&others); err != nil {
		return errs.Wrap(err, "look for figures of other imports")
	}
	if !others {
		return nil
	}
	type pair struct {
		newID, oldID           int64
		newFigures, oldFigures string
		old                    seriesCommon
	}
	var after pair
	for {
		rows, err := tx.QueryContext(ctx, `SELECT n.id, o.id, n.figures, o.figures, o.value_basis, o.qty_unit, o.flag FROM trade_series n JOIN trade_series o ON `+sameSeries+`
			AND o.batch_id <> n.batch_id WHERE n.batch_id = $1 AND (n.id > $2 OR (n.id = $2 AND o.id > $3))
			ORDER BY n.id, o.id LIMIT $4`, batch, after.newID, after.oldID, takeOverPage)
		if err != nil {
			return errs.Wrap(err, "look for figures of other imports")
		}
		var pairs []pair
		for rows.Next() {
			var p pair
			if err := rows.Scan(&p.newID, &p.oldID, &p.newFigures, &p.oldFigures, &p.old.Basis, &p.old.Unit, &p.old.Flag); err != nil {
				rows.Close()
				return errs.Wrap(err, "look for figures of other imports")
			}
			pairs = append(pairs, p)
		}
		if err := rows.Close(); err != nil {
			return errs.Wrap(err, "look for figures of other imports")
		}
		for _, p := range pairs {
			newFigs, err := decodeFigures(p.newFigures, seriesCommon{}) // only its partners count
			if err != nil {
				return errs.Wrap(err, "take figures over")
			}
			oldFigs, err := decodeFigures(p.oldFigures, p.old)
			if err != nil {
				return errs.Wrap(err, "take figures over")
			}
			given := make(map[int]bool, len(newFigs))
			for _, f := range newFigs {
				given[f.Partner] = true
			}
			kept := oldFigs[:0]
			for _, f := range oldFigs {
				if !given[f.Partner] {
					kept = append(kept, f)
				}
			}
			if len(kept) == len(oldFigs) {
				continue
			}
			if err := setFigures(ctx, tx, p.oldID, kept); err != nil {
				return errs.Wrap(err, "take figures over")
			}
		}
		if len(pairs) < takeOverPage {
			return nil
		}
		after = pairs[len(pairs)-1]
	}
}
