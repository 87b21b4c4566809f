package trade

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"sriim/internal/db"
	"sriim/internal/errs"
)

// write is one change an import makes, unseen until it publishes: a block
// to insert (its values, in blockColumns' order), or a block of another
// batch to mark replaced.
type write struct {
	values  []any
	replace int64
}

// insertRows is how many blocks one INSERT statement writes.
const insertRows = 32

// store writes the sorted figures as the batch's blocks, unseen, with the
// take-over's copies and marks, and returns how many figures it stored. It
// builds and encodes the blocks on this goroutine while another writes
// them in transactions of about writeBudget.
func (s *Service) store(ctx context.Context, b Batch, in *rowSource, src figureSource) (int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	writes := make(chan []write, 4)
	var writeErr error
	written := make(chan struct{})
	go func() {
		defer close(written)
		if writeErr = s.writeAll(ctx, b.ID, writes); writeErr != nil {
			cancel(writeErr)
			for range writes { // let the builder finish
			}
		}
	}()
	bl := &builder{ctx: ctx, in: in, batch: b.ID, out: writes}
	var err error
	if bl.take, err = s.newTakeover(ctx, b, bl.emit); err == nil {
		err = bl.run(src)
	}
	close(writes)
	<-written
	if writeErr != nil {
		return bl.stored, writeErr
	}
	return bl.stored, err
}

// pgWriteBudget is writeBudget on PostgreSQL, where the rows an import
// writes block no one: fewer, longer transactions.
const pgWriteBudget = 2 * time.Second

// writeAll applies the writes it receives until the channel closes.
func (s *Service) writeAll(ctx context.Context, batch int64, in <-chan []write) error {
	budget, waitInside := writeBudget, false
	if s.db.Dialect == db.Postgres {
		budget, waitInside = pgWriteBudget, true
	}
	for {
		var chunk []write
		var ok bool
		select {
		case chunk, ok = <-in:
			if !ok {
				return nil
			}
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		closed := false
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			start := time.Now()
			for {
				if err := applyWrites(ctx, tx, batch, chunk); err != nil {
					return err
				}
				if time.Since(start) > budget {
					return nil
				}
				// Go on while writes wait; on SQLite, never hold the
				// transaction (the database's one writer) waiting for them.
				if waitInside {
					select {
					case chunk, ok = <-in:
					case <-ctx.Done():
						return context.Cause(ctx)
					}
				} else {
					select {
					case chunk, ok = <-in:
					default:
						return nil
					}
				}
				if !ok {
					closed = true
					return nil
				}
			}
		})
		if err != nil {
			return errs.Wrap(err, "store rows")
		}
		if closed {
			return nil
		}
	}
}

// applyWrites inserts blocks insertRows at a time and marks the replaced ones.
func applyWrites(ctx context.Context, tx *sql.Tx, batch int64, ws []write) error {
	var args []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		q := "INSERT INTO trade_blocks (" + blockColumns + ") VALUES " + placeholders(rows, blockColumnCount)
		_, err := tx.ExecContext(ctx, q, args...)
		args, rows = args[:0], 0
		return err
	}
	for _, w := range ws {
		if w.replace != 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE trade_blocks SET replaced_by = $1 WHERE id = $2", batch, w.replace); err != nil {
				return err
			}
			continue
		}
		args = append(args, w.values...)
		if rows++; rows == insertRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// placeholders returns "($1, …, $cols), (…)" for rows rows.
func placeholders(rows, cols int) string {
	var b strings.Builder
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(itoa(r*cols + c + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// builder turns the sorted figures into the batch's blocks. A repeated
// partner in a series is a problem of its later row; once the file has a
// problem, it only looks for more.
type builder struct {
	ctx     context.Context
	in      *rowSource
	batch   int64
	take    *takeover
	out     chan<- []write
	pending []write
	cur     block
	count   int // figures in cur
	buf     []byte
	stored  int64
}

func (bl *builder) run(src figureSource) error {
	var prev sorted
	first := true
	for bl.in.count.Load() < MaxProblems {
		ok, err := src.next()
		if err != nil {
			return errs.Wrap(err, "sort the file")
		}
		if !ok {
			break
		}
		f := src.current()
		newSlice := first || (f.slice != prev.slice && *f.slice != *prev.slice)
		newSeries := newSlice || f.reporter != prev.reporter
		if !newSeries && f.partner == prev.partner {
			bl.in.problem(errs.Problem{Line: int(f.line), Msg: errs.Msg{Format: msgRepeated}})
			continue
		}
		prev, first = *f, false
		if bl.in.failed() {
			continue
		}
		if newSeries {
			if err := bl.endSeries(); err != nil {
				return err
			}
			if newSlice || bl.count >= blockFigures {
				if err := bl.endBlock(); err != nil {
					return err
				}
			}
			if newSlice {
				bl.cur.slice = *f.slice
				if err := bl.take.startSlice(bl.cur.slice); err != nil {
					return err
				}
			}
			bl.cur.series = append(bl.cur.series, series{reporter: f.reporter})
		}
		s := &bl.cur.series[len(bl.cur.series)-1]
		s.figures = append(s.figures, figure{Partner: f.partner, Value: f.value, Basis: f.common.Basis, Weight: f.weight, Qty: f.qty,
			Unit: f.common.Unit, Flag: f.common.Flag, line: f.line})
		bl.count++
	}
	if bl.in.failed() {
		return nil
	}
	if err := bl.endSeries(); err != nil {
		return err
	}
	if err := bl.endBlock(); err != nil {
		return err
	}
	if err := bl.take.startSlice(sliceKey{}); err != nil { // finishes the last slice
		return err
	}
	return bl.send()
}

// endSeries hands the series just completed to the take-over.
func (bl *builder) endSeries() error {
	if n := len(bl.cur.series); n > 0 {
		s := &bl.cur.series[n-1]
		return bl.take.addSeries(s.reporter, s.figures)
	}
	return nil
}

// endBlock encodes the block being filled, if any, and starts the next one.
func (bl *builder) endBlock() error {
	if len(bl.cur.series) == 0 {
		return nil
	}
	bl.cur.batch = bl.batch
	var values []any
	values, bl.buf = blockValues(make([]any, 0, blockColumnCount), bl.buf[:0], &bl.cur)
	bl.stored += int64(bl.count)
	if err := bl.emit(write{values: values}); err != nil {
		return err
	}
	bl.cur.series, bl.count = nil, 0
	return nil
}

// emit queues a write, sending a statement's worth at a time.
func (bl *builder) emit(w write) error {
	bl.pending = append(bl.pending, w)
	if len(bl.pending) < insertRows {
		return nil
	}
	return bl.send()
}

func (bl *builder) send() error {
	if len(bl.pending) == 0 {
		return nil
	}
	select {
	case bl.out <- bl.pending:
		bl.pending = nil
		return nil
	case <-bl.ctx.Done():
		return context.Cause(bl.ctx)
	}
}

// takeover finds, slice by slice, the blocks of the other shown batches
// (but the file's earlier import, which goes as a whole) that hold figures
// the batch gives now, and prepares their replacement: a copy without them
// (when any figure is left), shown when the batch is published, and a mark
// that hides the block from then on.
type takeover struct {
	s     *Service
	ctx   context.Context
	batch Batch
	emit  func(write) error
	// others are the codes (code, flow, classification) of which other
	// batches have blocks: only their slices are looked up.
	others map[[3]string]bool
	slice  sliceKey
	cands  []*candidate
}

// candidate is a block of another batch in the current slice, and the
// figures (reporter, partner) the batch gives of its reporters.
type candidate struct {
	id, batch   int64
	first, last int
	taken       map[[2]int]bool
}

// notThisFile excludes the file's earlier imports ($1: format, $2: name).
const notThisFile = "batch_id NOT IN (SELECT id FROM trade_batches WHERE format = $1 AND name = $2)"

func (s *Service) newTakeover(ctx context.Context, b Batch, emit func(write) error) (*takeover, error) {
	t := &takeover{s: s, ctx: ctx, batch: b, emit: emit, others: map[[3]string]bool{}}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT DISTINCT commodity, flow, classification FROM trade_blocks_shown WHERE "+notThisFile, b.Format, b.Name)
	if err != nil {
		return nil, errs.Wrap(err, "look for figures of other imports")
	}
	defer rows.Close()
	for rows.Next() {
		var k [3]string
		if err := rows.Scan(&k[0], &k[1], &k[2]); err != nil {
			return nil, errs.Wrap(err, "look for figures of other imports")
		}
		t.others[k] = true
	}
	return t, errs.Wrap(rows.Err(), "look for figures of other imports")
}

// startSlice finishes the previous slice and looks up the other batches'
// blocks of k.
func (t *takeover) startSlice(k sliceKey) error {
	for _, c := range t.cands {
		if err := t.finish(c); err != nil {
			return err
		}
	}
	t.slice, t.cands = k, t.cands[:0]
	if !t.others[[3]string{k.Commodity, k.Flow, k.Classification}] {
		return nil
	}
	rows, err := t.s.db.Read().QueryContext(t.ctx, `SELECT id, batch_id, first_reporter, last_reporter FROM trade_blocks_shown
		WHERE `+notThisFile+` AND commodity = $3 AND flow = $4 AND year = $5 AND month = $6 AND partner2 = $7 AND classification = $8`,
		append([]any{t.batch.Format, t.batch.Name}, k.args()...)...)
	if err != nil {
		return errs.Wrap(err, "look for figures of other imports")
	}
	defer rows.Close()
	for rows.Next() {
		c := &candidate{taken: map[[2]int]bool{}}
		if err := rows.Scan(&c.id, &c.batch, &c.first, &c.last); err != nil {
			return errs.Wrap(err, "look for figures of other imports")
		}
		t.cands = append(t.cands, c)
	}
	return errs.Wrap(rows.Err(), "look for figures of other imports")
}

// addSeries notes the figures a series of the batch gives of the
// candidates' reporters. Series come by reporter: a candidate that ends
// before this one is finished.
func (t *takeover) addSeries(reporter int, figs []figure) error {
	kept := t.cands[:0]
	for _, c := range t.cands {
		if c.last < reporter {
			if err := t.finish(c); err != nil {
				return err
			}
			continue
		}
		if c.first <= reporter {
			for _, f := range figs {
				c.taken[[2]int{reporter, f.Partner}] = true
			}
		}
		kept = append(kept, c)
	}
	t.cands = kept
	return nil
}

// finish replaces a candidate that loses figures.
func (t *takeover) finish(c *candidate) error {
	if len(c.taken) == 0 {
		return nil
	}
	var text string
	var common seriesCommon
	if err := t.s.db.Read().QueryRowContext(t.ctx, "SELECT series, value_basis, qty_unit, flag FROM trade_blocks WHERE id = $1", c.id).
		Scan(&text, &common.Basis, &common.Unit, &common.Flag); err != nil {
		return errs.Wrap(err, "take figures over")
	}
	old, err := decodeSeries(text, common)
	if err != nil {
		return errs.Wrap(err, "take figures over")
	}
	copied := block{slice: t.slice, batch: c.batch, publishedBy: sql.NullInt64{Int64: t.batch.ID, Valid: true}}
	lost := false
	for _, s := range old {
		var figs []figure
		for _, f := range s.figures {
			if c.taken[[2]int{s.reporter, f.Partner}] {
				lost = true
			} else {
				figs = append(figs, f)
			}
		}
		if len(figs) > 0 {
			copied.series = append(copied.series, series{reporter: s.reporter, figures: figs})
		}
	}
	if !lost {
		return nil
	}
	if err := t.emit(write{replace: c.id}); err != nil {
		return err
	}
	if len(copied.series) == 0 {
		return nil
	}
	values, _ := blockValues(make([]any, 0, blockColumnCount), nil, &copied)
	return t.emit(write{values: values})
}
