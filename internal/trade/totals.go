package trade

import (
	"context"
	"database/sql"
	"strings"

	"sriim/internal/errs"
)

// totalKey is one batch's part of a reporter's annual total for a flow and
// code: a row of trade_totals.
type totalKey struct {
	batch                           int64
	reporter, year                  int
	flow, classification, commodity string
}

// totalPart is what a batch's rows add to a total: its World row and its
// partner rows, as counts and sums (negative for rows another batch took over).
type totalPart struct {
	worldRows, partnerRows int64
	worldUSD, partnerUSD   float64
}

// maxTotalParts bounds the parts kept in memory before they are written:
// about 10 MB, whatever the file's size.
const maxTotalParts = 1 << 16

// totalParts accumulates the parts of trade_totals a SQLite import changes
// and adds them to the table in bulk, since a file holds many partner rows
// for each total. (On PostgreSQL the import sums them in SQL after COPY.)
type totalParts struct {
	parts   map[totalKey]*totalPart
	strings map[string]string // interned codes: a parsed field may pin its whole line
	batches map[int64]bool    // batches whose parts went down
}

func newTotalParts() *totalParts {
	return &totalParts{parts: map[totalKey]*totalPart{}, strings: map[string]string{}, batches: map[int64]bool{}}
}

func (t *totalParts) intern(s string) string {
	if v, ok := t.strings[s]; ok {
		return v
	}
	s = strings.Clone(s)
	t.strings[s] = s
	return s
}

// add counts flow f as a row of batch (sign 1) or as a row batch no longer
// holds (sign -1). Only annual figures without a second partner make totals.
func (t *totalParts) add(ctx context.Context, tx *sql.Tx, batch int64, f *Flow, sign int64) error {
	if f.Month != 0 || f.Partner2 != 0 {
		return nil
	}
	k := totalKey{batch: batch, reporter: f.Reporter, year: f.Year, flow: f.Flow,
		classification: t.intern(f.Classification), commodity: t.intern(f.Commodity)}
	p := t.parts[k]
	if p == nil {
		if len(t.parts) >= maxTotalParts {
			if err := t.flush(ctx, tx); err != nil {
				return err
			}
		}
		p = &totalPart{}
		t.parts[k] = p
	}
	if sign < 0 {
		t.batches[batch] = true
	}
	if f.Partner == 0 {
		p.worldRows += sign
		p.worldUSD += float64(sign) * f.Value
	} else {
		p.partnerRows += sign
		p.partnerUSD += float64(sign) * f.Value
	}
	return nil
}

// addToTotals ends an INSERT INTO trade_totals AS t: a part adds to the
// batch's part already there. A sum whose rows all went is set to 0, not
// left with rounding residue.
const addToTotals = `ON CONFLICT (commodity, flow, year, reporter, classification, batch_id) DO UPDATE SET
	world_rows = t.world_rows + excluded.world_rows,
	world_usd = CASE WHEN t.world_rows + excluded.world_rows = 0 THEN 0 ELSE t.world_usd + excluded.world_usd END,
	partner_rows = t.partner_rows + excluded.partner_rows,
	partner_usd = CASE WHEN t.partner_rows + excluded.partner_rows = 0 THEN 0 ELSE t.partner_usd + excluded.partner_usd END`

// flush adds the parts in memory to trade_totals.
func (t *totalParts) flush(ctx context.Context, tx *sql.Tx) error {
	if len(t.parts) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO trade_totals AS t (commodity, flow, year, reporter, classification, batch_id,
		world_rows, world_usd, partner_rows, partner_usd) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) `+addToTotals)
	if err != nil {
		return errs.Wrap(err, "store totals")
	}
	defer stmt.Close()
	for k, p := range t.parts {
		if _, err := stmt.ExecContext(ctx, k.commodity, k.flow, k.year, k.reporter, k.classification, k.batch,
			p.worldRows, p.worldUSD, p.partnerRows, p.partnerUSD); err != nil {
			return errs.Wrap(err, "store totals")
		}
	}
	clear(t.parts)
	return nil
}

// finish writes what is left and drops the parts of other batches that
// no longer hold any row.
func (t *totalParts) finish(ctx context.Context, tx *sql.Tx) error {
	if err := t.flush(ctx, tx); err != nil {
		return err
	}
	for batch := range t.batches {
		if _, err := tx.ExecContext(ctx, "DELETE FROM trade_totals WHERE batch_id = $1 AND world_rows = 0 AND partner_rows = 0", batch); err != nil {
			return errs.Wrap(err, "store totals")
		}
	}
	return nil
}
