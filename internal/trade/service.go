package trade

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	// Classification is how the file's figures are classified (HS revisions
	// by reporter and year), given by Batch.
	Classification *BatchClassification `json:"classification,omitempty"`
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
			return errs.FileProblems([]errs.Problem{re.Problem()}, "the file cannot be read")
		}
		if errors.Is(err, io.EOF) {
			return errs.E(errs.Invalid, "the file is empty")
		}
		var e *errs.Error
		if errors.As(err, &e) { // the reader's own message: a limit passed
			return e
		}
		return errs.E(errs.Invalid, "the file cannot be read").Because(err)
	}
	return s.db.TxConn(ctx, func(tx *sql.Tx, conn *sql.Conn) error {
		// The file's earlier import goes; this one takes its place.
		for _, q := range []string{
			"DELETE FROM trade_series WHERE batch_id IN (SELECT id FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3)",
			"DELETE FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3 AND state <> 'running'",
		} {
			if _, err := tx.ExecContext(ctx, q, b.Format, b.Name, b.ID); err != nil {
				return errs.Wrap(err, "replace earlier import")
			}
		}
		in := &rowSource{ctx: ctx, reader: reader, prog: prog, problems: map[string]errs.Problem{}, batch: b.ID}
		// One goroutine reads the file into series while this one stores them.
		readCtx, stopReading := context.WithCancel(ctx)
		parts := make(chan []seriesPart, 4)
		go func() {
			defer close(parts)
			in.readErr = in.readSeries(readCtx, parts)
		}()
		var err error
		if s.db.Dialect == db.Postgres {
			*stored, err = copySeries(ctx, tx, conn, in, parts)
		} else {
			*stored, err = insertSeries(ctx, tx, in, parts)
		}
		stopReading()
		for range parts { // let the reader finish
		}
		if err == nil {
			err = in.readErr
		}
		if err != nil {
			return err
		}
		if in.failed() {
			list := make([]errs.Problem, 0, len(in.problems))
			for _, p := range in.problems {
				list = append(list, p)
			}
			return errs.FileProblems(list, "the file has %d problems; nothing was imported", len(in.problems))
		}
		in.prog.setStoring()
		if err := takeOver(ctx, tx, b.ID); err != nil {
			return err
		}
		if err := storeRevisions(ctx, tx, b.ID, reader); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Create, "trade_batch", b.ID, nil, map[string]any{"format": b.Format, "name": b.Name, "rows": *stored})
	})
}

// rowSource reads a file's flows for storing: it counts progress and
// collects the bad rows' problems (after the first, rows are only checked).
// The reader and the storer both report problems.
type rowSource struct {
	ctx      context.Context
	reader   Reader
	prog     *Progress
	batch    int64
	read     int64
	flow     Flow
	mu       sync.Mutex
	problems map[string]errs.Problem // by place: a place's last problem
	count    atomic.Int32            // len(problems), read without the lock
	readErr  error                   // why reading stopped early; set before the parts' channel closes
}

// next moves to the next good row, false at the end of the file or when
// there are too many problems to go on.
func (in *rowSource) next() (bool, error) {
	for in.count.Load() < MaxProblems {
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
		case errs.Is(err, errs.TooLarge): // the upload passed its limit
			return false, err
		case err != nil:
			var e *errs.Error
			if errors.As(err, &e) { // the reader's own message for the whole file
				return false, e
			}
			return false, errs.E(errs.Invalid, "the file stops being readable after %d rows", in.read).Because(err)
		case !in.failed(): // once the import fails, rows are only checked
			in.flow = f
			return true, nil
		}
	}
	in.mu.Lock()
	in.problems["…"] = errs.Problem{Msg: errs.Msg{Format: "more problems not listed"}}
	in.mu.Unlock()
	return false, nil
}

func (in *rowSource) failed() bool { return in.count.Load() > 0 }

func (in *rowSource) problem(re *RowError) {
	p := re.Problem()
	in.mu.Lock()
	in.problems[p.Key()] = p
	in.count.Store(int32(len(in.problems)))
	in.mu.Unlock()
}

const msgRepeated = "repeats an earlier row of the file (same reporter, partner, flow, code and period)"

// insertSeriesSQL stores a series: its key, batch and values ($1 to $14).
const insertSeriesSQL = `INSERT INTO trade_series (` + seriesColumns + `, batch_id, ` + valueColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`

// insertSeries stores the parts one statement at a time (SQLite: no network
// round trip). A later part of a series already stored joins it.
func insertSeries(ctx context.Context, tx *sql.Tx, in *rowSource, parts <-chan []seriesPart) (int64, error) {
	insert, err := tx.PrepareContext(ctx, insertSeriesSQL+" ON CONFLICT DO NOTHING")
	if err != nil {
		return 0, errs.Wrap(err, "prepare import")
	}
	defer insert.Close()
	var stored int64
	var buf []byte
	for chunk := range parts {
		if in.failed() {
			continue // the import fails: the reader goes on only to check the rows
		}
		for i := range chunk {
			p := &chunk[i]
			p.dropRepeated(in)
			var values []any
			buf, values = seriesValues(buf, p.figures)
			res, err := insert.ExecContext(ctx, append(append(p.key.args(), in.batch), values...)...)
			if err != nil {
				return stored, errs.Wrap(err, "store row %d", p.figures[0].line)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				if err := joinStored(ctx, tx, in, p); err != nil {
					return stored, err
				}
			}
			stored += int64(len(p.figures))
		}
	}
	return stored, nil
}

// joinStored merges a later part of a series into what this import stored of it.
func joinStored(ctx context.Context, tx *sql.Tx, in *rowSource, p *seriesPart) error {
	var id int64
	var text string
	var c seriesCommon
	if err := tx.QueryRowContext(ctx, "SELECT id, figures, value_basis, qty_unit, flag FROM trade_series WHERE ("+seriesColumns+", batch_id) = ($1, $2, $3, $4, $5, $6, $7, $8)",
		append(p.key.args(), in.batch)...).Scan(&id, &text, &c.Basis, &c.Unit, &c.Flag); err != nil {
		return errs.Wrap(err, "store row %d", p.figures[0].line)
	}
	figs, err := decodeFigures(text, c)
	if err != nil {
		return errs.Wrap(err, "store row %d", p.figures[0].line)
	}
	return errs.Wrap(setFigures(ctx, tx, id, mergeFigures(in, figs, p.figures)), "store row %d", p.figures[0].line)
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
	if b.State == "done" {
		bc, err := s.batchClassification(ctx, id)
		if err != nil {
			return b, err
		}
		b.Classification = &bc
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

// copySeries streams the parts into a temporary table with COPY, then moves
// them into trade_series (PostgreSQL: no round trip per series). Parts of a
// series that are apart in the file are merged on the way.
func copySeries(ctx context.Context, tx *sql.Tx, conn *sql.Conn, in *rowSource, parts <-chan []seriesPart) (int64, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE series_import (reporter INTEGER, flow TEXT, commodity TEXT, year INTEGER, month INTEGER,
		partner2 INTEGER, classification TEXT, batch_id BIGINT, world_usd DOUBLE PRECISION, partner_usd DOUBLE PRECISION,
		value_basis TEXT, qty_unit TEXT, flag TEXT, figures JSON,
		line BIGINT, lines BIGINT[]) ON COMMIT DROP`); err != nil {
		return 0, errs.Wrap(err, "prepare import")
	}
	src := &seriesCopy{in: in, parts: parts}
	if _, err := db.CopyFrom(ctx, conn, "series_import", []string{"reporter", "flow", "commodity", "year", "month", "partner2", "classification",
		"batch_id", "world_usd", "partner_usd", "value_basis", "qty_unit", "flag", "figures", "line", "lines"}, src); err != nil {
		return 0, errs.Wrap(err, "store rows")
	}
	if in.failed() || in.readErr != nil {
		return 0, nil
	}
	in.prog.setStoring()
	// Autovacuum never analyzes a temporary table; the planner needs its size.
	if _, err := tx.ExecContext(ctx, "ANALYZE series_import"); err != nil {
		return 0, errs.Wrap(err, "store rows")
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE series_apart ON COMMIT DROP AS
		SELECT `+seriesColumns+` FROM series_import GROUP BY `+seriesColumns+` HAVING count(*) > 1`); err != nil {
		return 0, errs.Wrap(err, "store rows")
	}
	move := "INSERT INTO trade_series (" + seriesColumns + ", batch_id, " + valueColumns + ") SELECT " + seriesColumns +
		", batch_id, " + valueColumns + " FROM series_import i"
	if _, err := tx.ExecContext(ctx, move+" WHERE NOT EXISTS (SELECT 1 FROM series_apart a WHERE ("+seriesColumns+") = (i."+
		strings.ReplaceAll(seriesColumns, ", ", ", i.")+"))"); err != nil {
		return 0, errs.Wrap(err, "store rows")
	}
	if err := mergeApart(ctx, tx, in); err != nil {
		return 0, err
	}
	return src.stored, nil
}

// mergeApart stores the series whose parts are apart in the file, each
// merged from its parts in the file's order.
func mergeApart(ctx context.Context, tx *sql.Tx, in *rowSource) error {
	if _, err := tx.ExecContext(ctx, `DECLARE apart NO SCROLL CURSOR FOR SELECT `+seriesColumns+`, value_basis, qty_unit, flag, figures, to_json(lines)
		FROM series_import JOIN series_apart USING (`+seriesColumns+`) ORDER BY `+seriesColumns+`, line`); err != nil {
		return errs.Wrap(err, "merge series")
	}
	var merged *seriesPart
	store := func() error {
		_, values := seriesValues(nil, merged.figures)
		_, err := tx.ExecContext(ctx, insertSeriesSQL, append(append(merged.key.args(), in.batch), values...)...)
		return errs.Wrap(err, "merge series")
	}
	for {
		page, err := fetchParts(ctx, tx)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			if merged == nil {
				return nil
			}
			return store()
		}
		for i := range page {
			p := &page[i]
			if merged != nil && merged.key == p.key {
				merged.figures = mergeFigures(in, merged.figures, p.figures)
				continue
			}
			if merged != nil {
				if err := store(); err != nil {
					return err
				}
			}
			merged = p
		}
	}
}

// fetchParts reads the next page of mergeApart's cursor.
func fetchParts(ctx context.Context, tx *sql.Tx) ([]seriesPart, error) {
	rows, err := tx.QueryContext(ctx, "FETCH 500 FROM apart")
	if err != nil {
		return nil, errs.Wrap(err, "merge series")
	}
	defer rows.Close()
	var page []seriesPart
	for rows.Next() {
		var p seriesPart
		var text, linesJSON string
		var lines []int
		var c seriesCommon
		k := &p.key
		err := rows.Scan(&k.Reporter, &k.Flow, &k.Commodity, &k.Year, &k.Month, &k.Partner2, &k.Classification,
			&c.Basis, &c.Unit, &c.Flag, &text, &linesJSON)
		if err == nil {
			err = json.Unmarshal([]byte(linesJSON), &lines)
		}
		if err == nil {
			p.figures, err = decodeFigures(text, c)
		}
		if err != nil {
			return nil, errs.Wrap(err, "merge series")
		}
		for i := range p.figures {
			p.figures[i].line = lines[i]
		}
		page = append(page, p)
	}
	return page, errs.Wrap(rows.Err(), "merge series")
}

// seriesCopy hands the parts to COPY, with their lines, for merging.
type seriesCopy struct {
	in     *rowSource
	parts  <-chan []seriesPart
	chunk  []seriesPart
	stored int64
	buf    []byte
	lines  []int64
}

func (c *seriesCopy) Next() bool {
	for {
		if len(c.chunk) > 1 {
			c.chunk = c.chunk[1:]
		} else {
			var ok bool
			if c.chunk, ok = <-c.parts; !ok {
				return false
			}
		}
		p := &c.chunk[0]
		p.dropRepeated(c.in)
		if len(p.figures) > 0 && !c.in.failed() {
			c.stored += int64(len(p.figures))
			return true
		}
	}
}

func (c *seriesCopy) Values() ([]any, error) {
	p := &c.chunk[0]
	var values []any
	c.buf, values = seriesValues(c.buf, p.figures)
	c.lines = c.lines[:0]
	for _, f := range p.figures {
		c.lines = append(c.lines, int64(f.line))
	}
	return append(append(append(p.key.args(), c.in.batch), values...), c.lines[0], c.lines), nil
}

func (c *seriesCopy) Err() error { return nil }
