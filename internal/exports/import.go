package exports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// Batch is an imported file of declarations.
type Batch struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Source     string     `json:"source,omitempty"`
	State      string     `json:"state"` // running, done, failed, replaced
	Rows       int64      `json:"rows"`
	Error      string     `json:"error,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Read is how many rows an import running in this process has read.
	Read int64 `json:"read,omitempty"`
	// Exporters and Leads, after an import: the file's exporters, and how
	// many of them the registry does not hold (listed by Leads).
	Exporters int `json:"exporters,omitempty"`
	Leads     int `json:"leads,omitempty"`
}

// CanImport reports whether p may import export declarations (shared
// reference data, as trade statistics).
func CanImport(p auth.Principal) bool { return auth.Can(p, auth.Owner{Reference: true}) }

// Start records a new batch for a file; Import then fills it.
func (s *Service) Start(ctx context.Context, p auth.Principal, name, source string) (Batch, error) {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return Batch{}, err
	}
	b := Batch{Name: strings.TrimSpace(name), Source: strings.TrimSpace(source), State: "running", CreatedBy: p.Email, CreatedAt: s.Now()}
	if b.Name == "" {
		return b, errs.Fields("the file needs a name", map[string]string{"name": "required"})
	}
	if err := s.failAbandoned(ctx); err != nil {
		return b, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO export_batches (name, source, state, created_by, created_at, heartbeat_at)
			VALUES ($1, $2, 'running', $3, $4, $4) RETURNING id`, b.Name, b.Source, b.CreatedBy, b.CreatedAt).Scan(&b.ID)
	})
	if err != nil {
		return b, errs.Wrap(err, "start import")
	}
	s.jobs.Store(b.ID, &atomic.Int64{})
	return b, nil
}

// Import reads the batch's file (CSV or XLSX, by its name or first bytes)
// and publishes its declarations, all or nothing: every bad row is reported
// with its row and column (up to MaxProblems) and then nothing is kept. It
// reads in bounded memory and writes in short transactions, unseen until
// the batch is published in one; publishing replaces the declarations of an
// earlier import of the same file (same name).
func (s *Service) Import(ctx context.Context, p auth.Principal, b Batch, r io.Reader) (Batch, error) {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return b, err
	}
	counter, _ := s.jobs.LoadOrStore(b.ID, &atomic.Int64{})
	defer s.jobs.Delete(b.ID)
	stopBeating := s.heartbeat(ctx, b.ID)
	imp := &importRun{s: s, batch: b, read: counter.(*atomic.Int64), sums: map[sumKey]*yearSums{}}
	err := imp.run(ctx, r)
	stopBeating()
	if err == nil {
		err = s.publish(ctx, p, imp)
	}
	if err != nil {
		return s.fail(ctx, b, err), err
	}
	return s.Batch(ctx, b.ID)
}

// heartbeatEvery is how often a running import says it is alive;
// abandonedAfter is how long a silent one is left before it is failed.
const (
	heartbeatEvery = 15 * time.Second
	abandonedAfter = 2 * time.Minute
)

// heartbeat keeps the batch's heartbeat_at current until stopped, so that
// other instances see that its import is alive.
func (s *Service) heartbeat(ctx context.Context, id int64) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(heartbeatEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			// A missed beat is tried again at the next tick.
			_ = s.db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE export_batches SET heartbeat_at = $1 WHERE id = $2 AND state = 'running'", s.Now(), id)
				return err
			})
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// failAbandoned fails the imports whose process stopped beating (killed
// mid-import) and removes what they wrote.
func (s *Service) failAbandoned(ctx context.Context) error {
	var ids []int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE export_batches SET state = 'failed', error = $1, finished_at = $2
			WHERE state = 'running' AND heartbeat_at < $3 RETURNING id`,
			"the import stopped before it finished (its process ended); nothing was imported", s.Now(), s.Now().Add(-abandonedAfter))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return errs.Wrap(err, "fail abandoned imports")
	}
	for _, id := range ids {
		if err := s.purge(ctx, id, false); err != nil {
			return err
		}
	}
	return nil
}

// fail marks a batch failed with err's message (and each problem on a line
// of its own) and removes what it wrote.
func (s *Service) fail(ctx context.Context, b Batch, err error) Batch {
	ctx = context.WithoutCancel(ctx)
	msg := err.Error()
	var e *errs.Error
	if errors.As(err, &e) {
		lines := []string{e.Message}
		for where, what := range e.Fields {
			lines = append(lines, where+": "+what)
		}
		sort.Strings(lines[1:])
		msg = strings.Join(lines, "\n")
	}
	now := s.Now()
	_ = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE export_batches SET state = 'failed', error = $1, rows = 0, finished_at = $2 WHERE id = $3 AND state = 'running'",
			msg, now, b.ID)
		return err
	})
	_ = s.purge(ctx, b.ID, false)
	b.State, b.Error, b.Rows, b.FinishedAt = "failed", msg, 0, &now
	return b
}

// purgePage bounds the rows one transaction of purge deletes.
const purgePage = 20000

// purge deletes a batch's declarations and sums a page at a time (and the
// batch itself when whole is set).
func (s *Service) purge(ctx context.Context, id int64, whole bool) error {
	page := strconv.Itoa(purgePage)
	for _, q := range []string{
		"DELETE FROM export_blocks WHERE id IN (SELECT id FROM export_blocks WHERE batch_id = $1 LIMIT " + page + ")",
		"DELETE FROM export_years WHERE (" + sumKeyColumns + ") IN (SELECT " + sumKeyColumns + " FROM export_years WHERE batch_id = $1 LIMIT " + page + ")",
		"DELETE FROM export_exporter_years WHERE (region, year, ruc, batch_id, part) IN (SELECT region, year, ruc, batch_id, part FROM export_exporter_years WHERE batch_id = $1 LIMIT " + page + ")",
	} {
		for {
			var n int64
			err := s.db.Tx(ctx, func(tx *sql.Tx) error {
				res, err := tx.ExecContext(ctx, q, id)
				if err == nil {
					n, err = res.RowsAffected()
				}
				return err
			})
			if err != nil {
				return errs.Wrap(err, "remove import %d", id)
			}
			if n < purgePage {
				break
			}
		}
	}
	if !whole {
		return nil
	}
	return errs.Wrap(s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM export_batches WHERE id = $1", id)
		return err
	}), "remove import %d", id)
}

// sumKeyColumns are export_years' primary key.
const sumKeyColumns = "region, year, ruc, destination, subpartida, batch_id, part"

// sumKey is what the sums of declarations are kept by.
type sumKey struct {
	region, ruc, subpartida string
	year, destination       int
}

func (k *sumKey) less(o *sumKey) bool {
	switch {
	case k.region != o.region:
		return k.region < o.region
	case k.year != o.year:
		return k.year < o.year
	case k.ruc != o.ruc:
		return k.ruc < o.ruc
	case k.destination != o.destination:
		return k.destination < o.destination
	}
	return k.subpartida < o.subpartida
}

type sums struct {
	fob, kg float64
	n       int64
}

func (a *sums) add(d *Declaration) {
	a.fob += d.FOB
	a.kg += d.NetKg
	a.n++
}

// yearSums are a key's sums in a year and in the months it has (most keys
// have few: a slice is smaller than twelve sums).
type yearSums struct {
	sums
	months []monthSums
}

type monthSums struct {
	month int
	sums
}

func (y *yearSums) addMonth(d *Declaration) {
	for i := range y.months {
		if y.months[i].month == d.Month {
			y.months[i].add(d)
			return
		}
	}
	y.months = append(y.months, monthSums{month: d.Month})
	y.months[len(y.months)-1].add(d)
}

// Sizes that bound an import's memory and its transactions.
const (
	blockSize      = 256    // declarations per stored block
	blocksPerTx    = 32     // blocks per write transaction (about 8,000 declarations)
	maxSumKeys     = 300000 // sums held before they are written (about 600 bytes each on the heap: some 180 MB)
	sumRowsPerTx   = 20000  // sums per write transaction
	chunksInFlight = 4
)

// importRun is one import: the reader's results and the storer's state.
type importRun struct {
	s        *Service
	batch    Batch
	read     *atomic.Int64
	stored   int64
	names    map[string]string // RUC → the exporter's name, the file's last
	problems []rowProblem
	sums     map[sumKey]*yearSums
	parts    int // how many times the sums were written
	blocks   [][]any
	buf      []byte
	free     chan []Declaration // chunks stored, for the reader to fill again
}

// run reads the file in one goroutine and stores its declarations in this one.
func (imp *importRun) run(ctx context.Context, r io.Reader) error {
	rows, err := openRows(r, imp.batch.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	head, _, err := rows.Next()
	if err == io.EOF {
		return errs.E(errs.Invalid, "the file is empty")
	}
	if err != nil {
		return err
	}
	cols, err := readHeader(head)
	if err != nil {
		return err
	}
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	chunks := make(chan []Declaration, chunksInFlight)
	imp.free = make(chan []Declaration, chunksInFlight+2)
	var readErr error
	go func() {
		defer close(chunks)
		readErr = imp.readAll(readCtx, rows, newParser(cols), chunks)
	}()
	var storeErr error
	for chunk := range chunks {
		if storeErr == nil {
			storeErr = imp.store(ctx, chunk)
		}
		if storeErr != nil {
			stopReading()
		}
	}
	switch {
	case storeErr != nil:
		return storeErr
	case readErr != nil:
		return readErr
	case len(imp.problems) > 0:
		return imp.problemsError()
	}
	if imp.stored == 0 {
		return errs.E(errs.Invalid, "the file has no declarations")
	}
	if err := imp.flushBlocks(ctx); err != nil {
		return err
	}
	return imp.flushSums(ctx)
}

// readAll parses the rows and sends the good ones a block at a time; after
// the first bad row it only checks the rest (up to MaxProblems).
func (imp *importRun) readAll(ctx context.Context, rows rowReader, p *parser, out chan<- []Declaration) error {
	imp.names = map[string]string{}
	chunk := make([]Declaration, 0, blockSize)
	var d Declaration
	var n int64
	for len(imp.problems) < MaxProblems {
		rec, line, err := rows.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if blank(rec) {
			continue
		}
		if n++; n%10000 == 0 {
			imp.read.Store(n)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if pr := p.parse(rec, line, &d); pr != nil {
			imp.problems = append(imp.problems, *pr)
			continue
		}
		if d.Name != "" && imp.names[d.RUC] != d.Name {
			imp.names[strings.Clone(d.RUC)] = strings.Clone(d.Name)
		}
		if len(imp.problems) > 0 {
			continue
		}
		chunk = append(chunk, d)
		if len(chunk) == blockSize {
			select {
			case out <- chunk:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case chunk = <-imp.free:
			default:
				chunk = make([]Declaration, 0, blockSize)
			}
		}
	}
	imp.read.Store(n)
	if len(chunk) > 0 && len(imp.problems) == 0 {
		select {
		case out <- chunk:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func (imp *importRun) problemsError() error {
	list := make([]errs.Problem, 0, len(imp.problems)+1)
	for _, pr := range imp.problems {
		list = append(list, errs.Problem{Line: pr.line, Column: pr.column, Msg: pr.msg})
	}
	if len(imp.problems) >= MaxProblems {
		list = append(list, errs.Problem{Msg: errs.Msg{Format: "more problems not listed"}})
	}
	return errs.FileProblems(list, "the file has %d problems; nothing was imported", len(imp.problems))
}

// store encodes a block, adds it to the sums, and writes what is due.
func (imp *importRun) store(ctx context.Context, chunk []Declaration) error {
	imp.buf = appendBlock(imp.buf[:0], chunk)
	imp.blocks = append(imp.blocks, []any{imp.batch.ID, int64(chunk[0].Line), string(imp.buf)})
	for i := range chunk {
		d := &chunk[i]
		k := sumKey{region: d.Region, ruc: d.RUC, subpartida: d.Subpartida, year: d.Year, destination: d.Destination}
		y := imp.sums[k]
		if y == nil {
			y = &yearSums{}
			imp.sums[k] = y
		}
		y.add(d)
		y.addMonth(d)
	}
	imp.free <- chunk[:0]
	imp.stored += int64(len(chunk))
	if len(imp.blocks) >= blocksPerTx {
		if err := imp.flushBlocks(ctx); err != nil {
			return err
		}
	}
	if len(imp.sums) >= maxSumKeys {
		return imp.flushSums(ctx)
	}
	return nil
}

func (imp *importRun) flushBlocks(ctx context.Context) error {
	if len(imp.blocks) == 0 {
		return nil
	}
	err := imp.s.insertRows(ctx, "export_blocks", []string{"batch_id", "first_line", "declarations"}, imp.blocks)
	imp.blocks = imp.blocks[:0]
	return err
}

// flushSums writes the sums held, in the table's order (an append to its
// B-tree), and forgets them; a key met again later is written again, as
// another part, which readers add up.
func (imp *importRun) flushSums(ctx context.Context) error {
	keys := make([]sumKey, 0, len(imp.sums))
	for k := range imp.sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(&keys[j]) })
	cols := []string{"region", "year", "ruc", "destination", "subpartida", "batch_id", "part", "fob_usd", "net_kg", "declarations", "months"}
	rows := make([][]any, 0, min(len(keys), sumRowsPerTx))
	var buf []byte
	// The exporters' sums follow the keys' order: region, year, ruc, destination.
	exporterCols := []string{"region", "year", "ruc", "batch_id", "part", "fob_usd", "net_kg", "declarations", "destinations"}
	var exporterRows [][]any
	var ex sums
	var dests []byte
	lastDest := -1
	for i, k := range keys {
		y := imp.sums[k]
		buf = appendMonths(buf[:0], y.months)
		rows = append(rows, []any{k.region, k.year, k.ruc, k.destination, k.subpartida, imp.batch.ID, imp.parts, y.fob, y.kg, y.n, string(buf)})
		if len(rows) == sumRowsPerTx || i == len(keys)-1 {
			if err := imp.s.insertRows(ctx, "export_years", cols, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
		ex.fob, ex.kg, ex.n = ex.fob+y.fob, ex.kg+y.kg, ex.n+y.n
		if k.destination != lastDest {
			if lastDest >= 0 {
				dests = append(dests, ',')
			}
			dests = strconv.AppendInt(dests, int64(k.destination), 10)
			lastDest = k.destination
		}
		if i == len(keys)-1 || keys[i+1].region != k.region || keys[i+1].year != k.year || keys[i+1].ruc != k.ruc {
			exporterRows = append(exporterRows, []any{k.region, k.year, k.ruc, imp.batch.ID, imp.parts, ex.fob, ex.kg, ex.n, "[" + string(dests) + "]"})
			ex, dests, lastDest = sums{}, dests[:0], -1
			if len(exporterRows) == sumRowsPerTx || i == len(keys)-1 {
				if err := imp.s.insertRows(ctx, "export_exporter_years", exporterCols, exporterRows); err != nil {
					return err
				}
				exporterRows = exporterRows[:0]
			}
		}
	}
	imp.parts++
	clear(imp.sums)
	return nil
}

// appendMonths appends export_years.months' JSON: 12 elements, each null or
// [fob_usd, net_kg, declarations].
func appendMonths(b []byte, list []monthSums) []byte {
	var months [12]sums
	for _, m := range list {
		months[m.month-1] = m.sums
	}
	b = append(b, '[')
	for i := range months {
		m := &months[i]
		if i > 0 {
			b = append(b, ',')
		}
		if m.n == 0 {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		b = appendNumber(b, m.fob)
		b = append(b, ',')
		b = appendNumber(b, m.kg)
		b = append(b, ',')
		b = strconv.AppendInt(b, m.n, 10)
		b = append(b, ']')
	}
	return append(b, ']')
}

// insertRows writes rows into table in one transaction: on PostgreSQL with
// COPY, on SQLite one prepared statement at a time (no round trips there).
func (s *Service) insertRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	return errs.Wrap(s.db.TxConn(ctx, func(tx *sql.Tx, conn *sql.Conn) error {
		if s.db.Dialect == db.Postgres {
			_, err := db.CopyFrom(ctx, conn, table, cols, &sliceSource{rows: rows, i: -1})
			return err
		}
		ph := make([]string, len(cols))
		for i := range ph {
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.Join(ph, ", ")+")")
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range rows {
			if _, err := stmt.ExecContext(ctx, r...); err != nil {
				return err
			}
		}
		return nil
	}), "store declarations")
}

// sliceSource hands rows to COPY.
type sliceSource struct {
	rows [][]any
	i    int
}

func (c *sliceSource) Next() bool             { c.i++; return c.i < len(c.rows) }
func (c *sliceSource) Values() ([]any, error) { return c.rows[c.i], nil }
func (c *sliceSource) Err() error             { return nil }

// appendBlock appends declarations as export_blocks.declarations' JSON:
// [line, ruc, dua, serie, subpartida, destination, port, fob_usd, net_kg,
// gross_kg, quantity, unit, shipped_on, region].
func appendBlock(b []byte, decls []Declaration) []byte {
	b = append(b, '[')
	for i := range decls {
		d := &decls[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(d.Line), 10)
		for _, s := range []string{d.RUC, d.DUA, d.Serie, d.Subpartida} {
			b = append(b, ',')
			b = appendString(b, s)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(d.Destination), 10)
		b = append(b, ',')
		b = appendString(b, d.Port)
		for _, v := range []float64{d.FOB, d.NetKg, d.GrossKg, d.Quantity} {
			b = append(b, ',')
			b = appendNumber(b, v)
		}
		b = append(b, ',')
		b = appendString(b, d.Unit)
		b = append(b, ",\""...)
		b = appendDate(b, d.Year, d.Month, d.Day)
		b = append(b, "\","...)
		b = appendString(b, d.Region)
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendDate appends yyyy-mm-dd.
func appendDate(b []byte, y, m, d int) []byte {
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+m/10), byte('0'+m%10), '-')
	return append(b, byte('0'+d/10), byte('0'+d%10))
}

// appendNumber appends v as a JSON number (null for NaN); whole numbers,
// most weights and many values, as integers: faster than float formatting.
func appendNumber(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "null"...)
	case v == math.Trunc(v) && math.Abs(v) < 1<<53:
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendString appends s as a JSON string; plain ASCII, the usual, directly.
func appendString(b []byte, s string) []byte {
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
