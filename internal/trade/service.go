package trade

import (
	"context"
	"database/sql"
	"errors"
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
	// runner names this process in the batches it runs (see runner.go).
	runner string
	// longestWrite is the longest write transaction an import has held, in
	// nanoseconds: what a login waits for at most meanwhile.
	longestWrite atomic.Int64
	// sortRecords and sortFanIn size an import's sort (runRecords, maxRuns;
	// smaller in tests).
	sortRecords, sortFanIn int
	// beforePublish, when set (by tests), runs when an import has stored
	// its blocks, unseen, and is about to publish them.
	beforePublish func(ctx context.Context)
}

// New returns the markets service over d.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC() }, runner: thisRunner(), sortRecords: runRecords, sortFanIn: maxRuns}
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
	// Read is how many rows a running import has read so far, or a failed
	// one read in all (it stored none).
	Read int64 `json:"read,omitempty"`
	// Storing says that a running import has read its whole file and is
	// storing the rows.
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
		return tx.QueryRowContext(ctx, `INSERT INTO trade_batches (format, name, source, state, created_by, created_at, runner, heartbeat_at)
			VALUES ($1, $2, $3, 'running', $4, $5, $6, $5) RETURNING id`, b.Format, b.Name, b.Source, b.CreatedBy, b.CreatedAt, s.runner).Scan(&b.ID)
	})
	if err != nil {
		return b, errs.Wrap(err, "start import")
	}
	s.jobs.Store(b.ID, &Progress{})
	return b, nil
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
	switch b.State {
	case "running":
		b.Read, b.Storing = read, storing
	case "failed":
		b.Read = read
	}
	return b, err
}

// Batch returns an import, with its progress: as of now when it runs in
// this process, else as its process last published it.
func (s *Service) Batch(ctx context.Context, id int64) (Batch, error) {
	b, err := scanBatch(s.db.Read().QueryRowContext(ctx, "SELECT "+batchColumns+" FROM trade_batches WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, errs.E(errs.NotFound, "no import %d", id)
	}
	if err != nil {
		return b, errs.Wrap(err, "read import")
	}
	if p, ok := s.jobs.Load(id); ok && b.State == "running" {
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

// Batches lists the imports, newest first; a file's import that a newer
// one has just replaced is left out.
func (s *Service) Batches(ctx context.Context) ([]Batch, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+batchColumns+` FROM trade_batches
		WHERE state <> 'done' OR id IN (SELECT batch_id FROM trade_published) ORDER BY id DESC LIMIT 200`)
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

// DeleteBatch removes a failed import from the list (it stored nothing).
func (s *Service) DeleteBatch(ctx context.Context, p auth.Principal, id int64) error {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return err
	}
	b, err := s.Batch(ctx, id)
	if err != nil {
		return err
	}
	if b.State != "failed" {
		return errs.E(errs.Conflict, "only a failed import can be removed; import the file again to replace a finished one")
	}
	// What it left unseen goes first, in short transactions.
	if err := s.purge(ctx, id); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM trade_batches WHERE id = $1 AND state = 'failed'", id)
		if err != nil {
			return errs.Wrap(err, "remove import")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "no import %d", id)
		}
		return audit.Record(ctx, tx, p, audit.Delete, "trade_batch", id, b, nil)
	})
}

// staleAfter is how long an import may go without a heartbeat before
// another process takes it for dead (it beats every heartbeatEvery).
const staleAfter = time.Minute

// msgAbandoned is the error of an import whose process ended without finishing it.
const msgAbandoned = "the import stopped before it finished (its process ended); nothing was imported"

// FailAbandoned marks failed the running imports whose process is gone: on
// this host, a process that no longer runs; anywhere, one whose heartbeat
// is older than staleAfter. An import that another live instance runs is
// left alone. What the failed imports left unseen is then removed. It
// returns how many imports it failed.
func (s *Service) FailAbandoned(ctx context.Context) (int, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT id, runner, heartbeat_at, rows_read FROM trade_batches WHERE state = 'running'")
	if err != nil {
		return 0, errs.Wrap(err, "look for abandoned imports")
	}
	type running struct {
		id, read  int64
		runner    string
		heartbeat sql.NullTime
	}
	var list []running
	for rows.Next() {
		var r running
		if err := rows.Scan(&r.id, &r.runner, &r.heartbeat, &r.read); err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "look for abandoned imports")
		}
		list = append(list, r)
	}
	rows.Close()
	now, failed := s.Now(), 0
	for _, r := range list {
		if _, mine := s.jobs.Load(r.id); mine {
			continue
		}
		stale := !r.heartbeat.Valid || now.Sub(r.heartbeat.Time) > staleAfter
		if !stale && !runnerGone(r.runner) {
			continue
		}
		var n int64
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			// Unless it has beaten since it was read.
			res, err := tx.ExecContext(ctx, `UPDATE trade_batches SET state = 'failed', error = $1, rows = 0, finished_at = $2
				WHERE id = $3 AND state = 'running' AND runner = $4 AND (heartbeat_at IS NULL OR heartbeat_at <= $5)`,
				msgAbandoned, now, r.id, r.runner, r.heartbeat)
			if err == nil {
				n, _ = res.RowsAffected()
			}
			return err
		})
		if err != nil {
			return failed, errs.Wrap(err, "fail an abandoned import")
		}
		if n == 1 {
			failed++
			if err := s.purge(ctx, r.id); err != nil {
				return failed, err
			}
		}
	}
	return failed, nil
}

// RunReaper calls FailAbandoned now and then every interval until ctx ends,
// so that an instance notices another one's death; errors go to report.
func (s *Service) RunReaper(ctx context.Context, every time.Duration, report func(error)) {
	for {
		if _, err := s.FailAbandoned(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
