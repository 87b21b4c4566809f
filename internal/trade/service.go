package trade

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// Service is the markets module.
type Service struct {
	db   *db.DB
	Now  func() time.Time
	jobs sync.Map // batch id → *Progress, for imports running in this process
}

// New returns the markets service over d.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC() }}
}

// Batch is an imported file.
type Batch struct {
	ID         int64      `json:"id"`
	Format     string     `json:"format"`
	Name       string     `json:"name"`
	Source     string     `json:"source,omitempty"`
	Rows       int64      `json:"rows"`
	State      string     `json:"state"` // running, done, failed
	Error      string     `json:"error,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Read is how many rows an import running in this process has read.
	Read int64 `json:"read,omitempty"`
	// Storing says that such an import has read its whole file and is
	// storing the rows (on PostgreSQL, the longest step of a large file).
	Storing bool `json:"storing,omitempty"`
}

// Progress is a running import's count of rows read, and whether it has
// moved on to storing them.
type Progress struct {
	mu      sync.Mutex
	rows    int64
	storing bool
}

func (p *Progress) set(n int64) {
	p.mu.Lock()
	p.rows = n
	p.mu.Unlock()
}

func (p *Progress) setStoring() {
	p.mu.Lock()
	p.storing = true
	p.mu.Unlock()
}

func (p *Progress) get() (rows int64, storing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rows, p.storing
}

// MaxProblems is how many bad rows an import reports before it stops reading.
const MaxProblems = 200

// CanImport reports whether p may import trade statistics (shared reference data).
func CanImport(p auth.Principal) bool { return auth.Can(p, auth.Owner{Reference: true}) }

// Start records a new batch for a file; Import then fills it.
func (s *Service) Start(ctx context.Context, p auth.Principal, format, name, source string) (Batch, error) {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return Batch{}, err
	}
	if format != FormatLegacy && format != FormatV1 && format != FormatSRIIM {
		return Batch{}, errs.Fields("unknown format", map[string]string{"format": "comtrade-legacy, comtrade-v1 or sriim"})
	}
	b := Batch{Format: format, Name: strings.TrimSpace(name), Source: source, State: "running", CreatedBy: p.Email, CreatedAt: s.Now()}
	if b.Name == "" {
		return b, errs.Fields("the file needs a name", map[string]string{"name": "required"})
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO trade_batches (format, name, source, state, created_by, created_at)
			VALUES ($1, $2, $3, 'running', $4, $5) RETURNING id`, b.Format, b.Name, b.Source, b.CreatedBy, b.CreatedAt).Scan(&b.ID)
	})
	if err != nil {
		return b, errs.Wrap(err, "start import")
	}
	s.jobs.Store(b.ID, &Progress{})
	return b, nil
}

// Import reads the batch's file and stores its flows, all or nothing, in
// one transaction: rows of an earlier import of the same file (same format
// and name) are replaced; a row that repeats an earlier row of the same file
// is an error; every problem is reported with its row and column (up to
// MaxProblems). It reads in constant memory.
func (s *Service) Import(ctx context.Context, p auth.Principal, b Batch, r io.Reader) (Batch, error) {
	prog, _ := s.jobs.LoadOrStore(b.ID, &Progress{})
	defer s.jobs.Delete(b.ID)
	stopPublishing := s.publishProgress(ctx, b.ID, prog.(*Progress))
	var stored int64
	err := s.importRows(ctx, p, b, r, prog.(*Progress), &stored)
	stopPublishing()
	now := s.Now()
	state, msg := "done", ""
	if err != nil {
		state, msg = "failed", err.Error()
		if e, ok := err.(*errs.Error); ok {
			// The message, then each problem on a line of its own, for the progress page.
			lines := []string{e.Message}
			for where, what := range e.Fields {
				lines = append(lines, where+": "+what)
			}
			sort.Strings(lines[1:])
			msg = strings.Join(lines, "\n")
		}
	}
	if ferr := s.db.Tx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE trade_batches SET state = $1, error = $2, rows = $3, finished_at = $4 WHERE id = $5",
			state, msg, stored, now, b.ID)
		return err
	}); ferr != nil && err == nil {
		err = errs.Wrap(ferr, "finish import")
	}
	b.State, b.Error, b.Rows, b.FinishedAt = state, msg, stored, &now
	return b, err
}

// progressEvery is how often a running import publishes its progress.
const progressEvery = time.Second

// publishProgress writes a running import's progress to its batch every
// progressEvery, for the other app instances, until the returned function
// is called. Only on PostgreSQL: SQLite serves one instance, which knows its
// imports' progress, and its single writer is busy with the import.
func (s *Service) publishProgress(ctx context.Context, id int64, prog *Progress) (stop func()) {
	if s.db.Dialect != db.Postgres {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		var lastRows int64
		var lastStoring bool
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			rows, storing := prog.get()
			if rows == lastRows && storing == lastStoring {
				continue
			}
			// Progress is a courtesy: a failed write is tried again at the next tick.
			if s.db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE trade_batches SET rows_read = $1, storing = $2 WHERE id = $3 AND state = 'running'", rows, storing, id)
				return err
			}) == nil {
				lastRows, lastStoring = rows, storing
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func (s *Service) importRows(ctx context.Context, p auth.Principal, b Batch, r io.Reader, prog *Progress, stored *int64) error {
	reader, err := Open(b.Format, r)
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return errs.Fields("the file cannot be read", map[string]string{fmt.Sprintf("fila %d", re.Line): re.Msg})
		}
		return errs.E(errs.Invalid, "the file cannot be read: %v", err)
	}
	return s.db.TxConn(ctx, func(tx *sql.Tx, conn *sql.Conn) error {
		// The file's earlier import goes; this one takes its place.
		earlier := `(SELECT id FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3)`
		for _, q := range []string{
			"DELETE FROM trade_flows WHERE batch_id IN " + earlier,
			"DELETE FROM trade_totals WHERE batch_id IN " + earlier,
			"DELETE FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3 AND state <> 'running'",
		} {
			if _, err := tx.ExecContext(ctx, q, b.Format, b.Name, b.ID); err != nil {
				return errs.Wrap(err, "replace earlier import")
			}
		}
		in := &rowSource{ctx: ctx, reader: reader, prog: prog, problems: map[string]string{}, batch: b.ID}
		var err error
		if s.db.Dialect == db.Postgres {
			*stored, err = copyRows(ctx, tx, conn, in)
		} else {
			*stored, err = insertRows(ctx, tx, in)
		}
		if err != nil {
			return err
		}
		if len(in.problems) > 0 {
			return errs.Fields(fmt.Sprintf("the file has %d problems; nothing was imported", len(in.problems)), in.problems)
		}
		return audit.Record(ctx, tx, p, audit.Create, "trade_batch", b.ID, nil, map[string]any{"format": b.Format, "name": b.Name, "rows": *stored})
	})
}

// rowSource reads a file's flows for storing: it counts progress and
// collects the bad rows' problems (after the first, rows are only checked).
type rowSource struct {
	ctx      context.Context
	reader   Reader
	prog     *Progress
	problems map[string]string
	batch    int64
	read     int64
	flow     Flow
}

// next moves to the next good row, false at the end of the file or when
// there are too many problems to go on.
func (in *rowSource) next() (bool, error) {
	for len(in.problems) < MaxProblems {
		f, err := in.reader.Next()
		if err == io.EOF {
			in.prog.set(in.read)
			return false, nil
		}
		in.read++
		if in.read%10000 == 0 {
			in.prog.set(in.read)
			if err := in.ctx.Err(); err != nil {
				return false, err
			}
		}
		var re *RowError
		switch {
		case Skipped(err):
		case errors.As(err, &re):
			in.problem(re)
		case err != nil:
			return false, errs.E(errs.Invalid, "the file stops being readable after %d rows: %v", in.read, err)
		case len(in.problems) == 0: // once the import fails, rows are only checked
			in.flow = f
			return true, nil
		}
	}
	in.problems["…"] = "more problems not listed"
	return false, nil
}

func (in *rowSource) problem(re *RowError) {
	key := fmt.Sprintf("fila %d", re.Line)
	if re.Column != "" {
		key += ", columna " + re.Column
	}
	in.problems[key] = re.Msg
}

const msgRepeated = "repeats an earlier row of the file (same reporter, partner, flow, code and period)"

// flowKey is the condition on trade_flows' natural key, from $1 to $8.
const flowKey = "reporter = $1 AND flow = $2 AND commodity = $3 AND year = $4 AND month = $5 AND partner = $6 AND partner2 = $7 AND classification = $8"

// insertRows stores the rows one statement at a time (SQLite: no network
// round trip, and the unique key names a repeated row as it comes). A row
// that another batch gave already is taken over, and leaves that batch's totals.
func insertRows(ctx context.Context, tx *sql.Tx, in *rowSource) (int64, error) {
	insert, err := tx.PrepareContext(ctx, `INSERT INTO trade_flows (reporter, flow, commodity, year, month, partner, partner2, classification,
		batch_id, value_usd, value_basis, net_weight_kg, qty, qty_unit, flag)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, errs.Wrap(err, "prepare import")
	}
	defer insert.Close()
	totals := newTotalParts()
	var stored int64
	for {
		ok, err := in.next()
		if err != nil {
			return stored, err
		}
		if !ok {
			if len(in.problems) > 0 {
				return stored, nil
			}
			in.prog.setStoring()
			return stored, totals.finish(ctx, tx)
		}
		f := &in.flow
		key := []any{f.Reporter, f.Flow, f.Commodity, f.Year, f.Month, f.Partner, f.Partner2, f.Classification}
		values := []any{in.batch, f.Value, f.ValueBasis, f.NetWeight, f.Qty, f.QtyUnit, f.Flag}
		res, err := insert.ExecContext(ctx, append(key, values...)...)
		if err != nil {
			return stored, errs.Wrap(err, "store row %d", in.reader.Line())
		}
		if n, _ := res.RowsAffected(); n == 0 {
			was := *f // the row as the other batch gave it
			var wasBatch int64
			if err := tx.QueryRowContext(ctx, "SELECT batch_id, value_usd FROM trade_flows WHERE "+flowKey, key...).Scan(&wasBatch, &was.Value); err != nil {
				return stored, errs.Wrap(err, "store row %d", in.reader.Line())
			}
			if wasBatch == in.batch {
				in.problem(&RowError{Line: in.reader.Line(), Msg: msgRepeated})
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE trade_flows SET batch_id = $9, value_usd = $10, value_basis = $11, net_weight_kg = $12,
				qty = $13, qty_unit = $14, flag = $15 WHERE `+flowKey, append(key, values...)...); err != nil {
				return stored, errs.Wrap(err, "store row %d", in.reader.Line())
			}
			if err := totals.add(ctx, tx, wasBatch, &was, -1); err != nil {
				return stored, err
			}
		}
		if err := totals.add(ctx, tx, in.batch, f, 1); err != nil {
			return stored, err
		}
		stored++
	}
}

const batchColumns = "id, format, name, source, rows, state, error, created_by, created_at, finished_at, rows_read, storing"

func scanBatch(row interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var fin sql.NullTime
	var read int64
	var storing bool
	err := row.Scan(&b.ID, &b.Format, &b.Name, &b.Source, &b.Rows, &b.State, &b.Error, &b.CreatedBy, &b.CreatedAt, &fin, &read, &storing)
	if fin.Valid {
		b.FinishedAt = &fin.Time
	}
	if b.State == "running" {
		b.Read, b.Storing = read, storing
	}
	return b, err
}

// Batch returns an import, with its progress: as of now when it runs in
// this process, else as its instance last published it.
func (s *Service) Batch(ctx context.Context, id int64) (Batch, error) {
	b, err := scanBatch(s.db.Read().QueryRowContext(ctx, "SELECT "+batchColumns+" FROM trade_batches WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, errs.E(errs.NotFound, "no import %d", id)
	}
	if err != nil {
		return b, errs.Wrap(err, "read import")
	}
	if p, ok := s.jobs.Load(id); ok {
		b.Read, b.Storing = p.(*Progress).get()
	}
	return b, nil
}

// Batches lists the imports, newest first.
func (s *Service) Batches(ctx context.Context) ([]Batch, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+batchColumns+" FROM trade_batches ORDER BY id DESC LIMIT 200")
	if err != nil {
		return nil, errs.Wrap(err, "list imports")
	}
	defer rows.Close()
	out := []Batch{}
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, errs.Wrap(err, "list imports")
		}
		out = append(out, b)
	}
	return out, errs.Wrap(rows.Err(), "list imports")
}

// copyRows streams the rows into a temporary table with COPY, then moves them
// into trade_flows and their totals into trade_totals, a statement each
// (PostgreSQL: no round trip per row). A row that another batch gave already
// is taken over, and leaves that batch's totals; a repeated row fails the
// move, and is then looked for to be named.
func copyRows(ctx context.Context, tx *sql.Tx, conn *sql.Conn, in *rowSource) (int64, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE trade_import (LIKE trade_flows INCLUDING DEFAULTS, line BIGINT NOT NULL) ON COMMIT DROP`); err != nil {
		return 0, errs.Wrap(err, "prepare import")
	}
	src := &copySource{in: in}
	if _, err := db.CopyFrom(ctx, conn, "trade_import", []string{"reporter", "flow", "commodity", "year", "month", "partner", "partner2", "classification",
		"batch_id", "value_usd", "value_basis", "net_weight_kg", "qty", "qty_unit", "flag", "line"}, src); err != nil {
		if src.err != nil {
			return 0, src.err
		}
		return 0, errs.Wrap(err, "store rows")
	}
	if len(in.problems) > 0 {
		return 0, nil
	}
	in.prog.setStoring()
	// Autovacuum never analyzes a temporary table; without statistics the
	// planner would guess its size when joining and grouping millions of rows.
	if _, err := tx.ExecContext(ctx, "ANALYZE trade_import"); err != nil {
		return 0, errs.Wrap(err, "store rows")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO trade_totals (commodity, flow, year, reporter, classification, batch_id,
		world_rows, world_usd, partner_rows, partner_usd)
		SELECT commodity, flow, year, reporter, classification, $1, `+totalSums("")+`
		FROM trade_import WHERE month = 0 AND partner2 = 0 GROUP BY commodity, flow, year, reporter, classification`, in.batch); err != nil {
		return 0, errs.Wrap(err, "store totals")
	}
	// Rows other batches gave leave their totals (looked for only when this
	// batch's totals meet another batch's: the join costs).
	var overlap bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM trade_totals t JOIN trade_totals o
		USING (commodity, flow, year, reporter, classification) WHERE t.batch_id = $1 AND o.batch_id <> $1)`, in.batch).Scan(&overlap); err != nil {
		return 0, errs.Wrap(err, "store totals")
	}
	if overlap {
		if _, err := tx.ExecContext(ctx, `INSERT INTO trade_totals AS t (commodity, flow, year, reporter, classification, batch_id,
			world_rows, world_usd, partner_rows, partner_usd)
			SELECT commodity, flow, year, reporter, classification, batch_id, -w, -wv, -p, -pv FROM (
				SELECT f.commodity, f.flow, f.year, f.reporter, f.classification, f.batch_id, `+totalSums("f.")+`
				FROM trade_flows f JOIN trade_import i USING (reporter, flow, commodity, year, month, partner, partner2, classification)
				WHERE f.month = 0 AND f.partner2 = 0 GROUP BY 1, 2, 3, 4, 5, 6) AS x (commodity, flow, year, reporter, classification, batch_id, w, wv, p, pv)
			`+addToTotals); err != nil {
			return 0, errs.Wrap(err, "store totals")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM trade_totals WHERE world_rows = 0 AND partner_rows = 0"); err != nil {
			return 0, errs.Wrap(err, "store totals")
		}
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT move"); err != nil {
		return 0, errs.Wrap(err, "store rows")
	}
	columns := "reporter, flow, commodity, year, month, partner, partner2, classification, batch_id, value_usd, value_basis, net_weight_kg, qty, qty_unit, flag"
	res, err := tx.ExecContext(ctx, `INSERT INTO trade_flows (`+columns+`) SELECT `+columns+` FROM trade_import
		ON CONFLICT (reporter, flow, commodity, year, month, partner, partner2, classification) DO UPDATE SET
		batch_id = excluded.batch_id, value_usd = excluded.value_usd, value_basis = excluded.value_basis,
		net_weight_kg = excluded.net_weight_kg, qty = excluded.qty, qty_unit = excluded.qty_unit, flag = excluded.flag`)
	if db.IsCardinalityViolation(err) { // the statement met a row it had written: a repeated row
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT move"); err != nil {
			return 0, errs.Wrap(err, "store rows")
		}
		return 0, repeatedRows(ctx, tx, in)
	}
	if err != nil {
		return 0, errs.Wrap(err, "store rows")
	}
	return res.RowsAffected()
}

// totalSums are a total's columns (world_rows, world_usd, partner_rows,
// partner_usd) summed over the flows of table alias t.
func totalSums(t string) string {
	return strings.NewReplacer("$t", t).Replace(`SUM(CASE WHEN $tpartner = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN $tpartner = 0 THEN $tvalue_usd ELSE 0 END),
		SUM(CASE WHEN $tpartner <> 0 THEN 1 ELSE 0 END), SUM(CASE WHEN $tpartner <> 0 THEN $tvalue_usd ELSE 0 END)`)
}

// repeatedRows names the rows that repeat an earlier row of the file.
func repeatedRows(ctx context.Context, tx *sql.Tx, in *rowSource) error {
	rows, err := tx.QueryContext(ctx, `SELECT line FROM (SELECT line, row_number() OVER (
		PARTITION BY reporter, flow, commodity, year, month, partner, partner2, classification ORDER BY line) AS n FROM trade_import) d
		WHERE n > 1 ORDER BY line LIMIT $1`, MaxProblems)
	if err != nil {
		return errs.Wrap(err, "look for repeated rows")
	}
	defer rows.Close()
	for rows.Next() {
		var line int
		if err := rows.Scan(&line); err != nil {
			return errs.Wrap(err, "look for repeated rows")
		}
		in.problem(&RowError{Line: line, Msg: msgRepeated})
	}
	return errs.Wrap(rows.Err(), "look for repeated rows")
}

// copySource hands the good rows of a file to COPY.
type copySource struct {
	in  *rowSource
	err error
}

func (c *copySource) Next() bool {
	ok, err := c.in.next()
	c.err = err
	return ok
}

func (c *copySource) Values() ([]any, error) {
	f := &c.in.flow
	return []any{f.Reporter, f.Flow, f.Commodity, f.Year, f.Month, f.Partner, f.Partner2, f.Classification,
		c.in.batch, f.Value, f.ValueBasis, f.NetWeight, f.Qty, f.QtyUnit, f.Flag, c.in.reader.Line()}, nil
}

func (c *copySource) Err() error { return c.err }
