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
}

// Progress is a running import's count of rows read.
type Progress struct {
	mu   sync.Mutex
	rows int64
}

func (p *Progress) set(n int64) {
	p.mu.Lock()
	p.rows = n
	p.mu.Unlock()
}

func (p *Progress) get() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rows
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
	var stored int64
	err := s.importRows(ctx, p, b, r, prog.(*Progress), &stored)
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

func (s *Service) importRows(ctx context.Context, p auth.Principal, b Batch, r io.Reader, prog *Progress, stored *int64) error {
	reader, err := Open(b.Format, r)
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return errs.Fields("the file cannot be read", map[string]string{fmt.Sprintf("fila %d", re.Line): re.Msg})
		}
		return errs.E(errs.Invalid, "the file cannot be read: %v", err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The file's earlier import goes; this one takes its place.
		if _, err := tx.ExecContext(ctx, `DELETE FROM trade_flows WHERE batch_id IN
			(SELECT id FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3)`, b.Format, b.Name, b.ID); err != nil {
			return errs.Wrap(err, "replace earlier import")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3 AND state <> 'running'",
			b.Format, b.Name, b.ID); err != nil {
			return errs.Wrap(err, "replace earlier import")
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO trade_flows (batch_id, reporter, partner, partner2, flow, classification,
			commodity, year, month, value_usd, value_basis, net_weight_kg, qty, qty_unit, flag)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (commodity, flow, year, month, reporter, partner, partner2, classification) DO UPDATE SET
			batch_id = excluded.batch_id, value_usd = excluded.value_usd, value_basis = excluded.value_basis,
			net_weight_kg = excluded.net_weight_kg, qty = excluded.qty, qty_unit = excluded.qty_unit, flag = excluded.flag
			WHERE trade_flows.batch_id <> excluded.batch_id`)
		if err != nil {
			return errs.Wrap(err, "prepare import")
		}
		defer stmt.Close()
		problems := map[string]string{}
		var read int64
		for {
			f, err := reader.Next()
			if err == io.EOF {
				break
			}
			read++
			if read%10000 == 0 {
				prog.set(read)
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var re *RowError
			switch {
			case Skipped(err):
				continue
			case errors.As(err, &re):
				addProblem(problems, re)
			case err != nil:
				return errs.E(errs.Invalid, "the file stops being readable after %d rows: %v", read, err)
			default:
				if len(problems) > 0 {
					continue // the import fails anyway: only look for more problems
				}
				res, err := stmt.ExecContext(ctx, b.ID, f.Reporter, f.Partner, f.Partner2, f.Flow, f.Classification, f.Commodity,
					f.Year, f.Month, f.Value, f.ValueBasis, f.NetWeight, f.Qty, f.QtyUnit, f.Flag)
				if err != nil {
					return errs.Wrap(err, "store row %d", read+1)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					addProblem(problems, &RowError{Line: reader.Line(), Msg: "repeats an earlier row of the file (same reporter, partner, flow, code and period)"})
					continue
				}
				*stored++
			}
			if len(problems) >= MaxProblems {
				problems["…"] = "more problems not listed"
				break
			}
		}
		prog.set(read)
		if len(problems) > 0 {
			return errs.Fields(fmt.Sprintf("the file has %d problems; nothing was imported", len(problems)), problems)
		}
		return audit.Record(ctx, tx, p, audit.Create, "trade_batch", b.ID, nil, map[string]any{"format": b.Format, "name": b.Name, "rows": *stored})
	})
}

func addProblem(problems map[string]string, re *RowError) {
	key := fmt.Sprintf("fila %d", re.Line)
	if re.Column != "" {
		key += ", columna " + re.Column
	}
	problems[key] = re.Msg
}

const batchColumns = "id, format, name, source, rows, state, error, created_by, created_at, finished_at"

func scanBatch(row interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var fin sql.NullTime
	err := row.Scan(&b.ID, &b.Format, &b.Name, &b.Source, &b.Rows, &b.State, &b.Error, &b.CreatedBy, &b.CreatedAt, &fin)
	if fin.Valid {
		b.FinishedAt = &fin.Time
	}
	return b, err
}

// Batch returns an import, with its progress when it runs in this process.
func (s *Service) Batch(ctx context.Context, id int64) (Batch, error) {
	b, err := scanBatch(s.db.Read().QueryRowContext(ctx, "SELECT "+batchColumns+" FROM trade_batches WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, errs.E(errs.NotFound, "no import %d", id)
	}
	if err != nil {
		return b, errs.Wrap(err, "read import")
	}
	if p, ok := s.jobs.Load(id); ok {
		b.Read = p.(*Progress).get()
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
