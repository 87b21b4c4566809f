package trade

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
)

// An import goes in steps, none of which holds the database for long:
//
//  1. it reads the file and sorts its figures by block (in memory, or in
//     runs on disk for a large file), checking every row;
//  2. it takes the import lock (one import stores at a time, on every
//     instance), then writes its blocks unseen in short transactions, with
//     unseen copies of the other batches' blocks that lose the figures it
//     gives now;
//  3. it publishes them in one short transaction: its blocks are shown, the
//     copies replace their originals, and an earlier import of the same
//     file is hidden;
//  4. it removes what is hidden from then on, in short transactions.
//
// A failed or killed import leaves nothing seen; what it left unseen is
// removed when it fails, or when it is found abandoned (FailAbandoned), or
// by the next import.

// writeBudget is how long an import holds a write transaction, about: a
// login or another write waits at most that long for it.
const writeBudget = 100 * time.Millisecond

// heartbeatEvery is how often a running import records its progress and
// that it is alive.
const heartbeatEvery = time.Second

// lockPoll is how often an import waiting for the import lock tries again.
const lockPoll = 200 * time.Millisecond

// Import reads the batch's file and stores its flows, all or nothing: rows
// of an earlier import of the same file (same format and name) are
// replaced; a row that repeats an earlier row of the same file is an error;
// every problem is reported with its row and column (up to MaxProblems). It
// reads in bounded memory whatever the size and order of the file.
func (s *Service) Import(ctx context.Context, p auth.Principal, b Batch, r io.Reader) (Batch, error) {
	prog, _ := s.jobs.LoadOrStore(b.ID, &Progress{})
	defer s.jobs.Delete(b.ID)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	in := &rowSource{ctx: ctx, prog: prog.(*Progress), problems: map[string]errs.Problem{}}
	stopBeating := s.heartbeat(ctx, b.ID, in.prog, cancel)
	err := s.importFile(ctx, p, b, r, in)
	stopBeating()
	if err == nil {
		return s.Batch(context.WithoutCancel(ctx), b.ID)
	}
	if cause := context.Cause(ctx); errors.Is(cause, errStopped) {
		err = cause
	}
	now := s.Now()
	msg := err.Error()
	if e, ok := err.(*errs.Error); ok {
		// The message, then each problem on a line of its own, for the progress page.
		lines := []string{e.Message}
		for where, what := range e.Fields {
			lines = append(lines, where+": "+what)
		}
		sort.Strings(lines[1:])
		msg = strings.Join(lines, "\n")
	}
	bg := context.WithoutCancel(ctx)
	read := in.read
	if ferr := s.writeTx(bg, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(bg, `UPDATE trade_batches SET state = 'failed', error = $1, rows = 0, rows_read = $2, storing = FALSE, finished_at = $3
			WHERE id = $4 AND state = 'running'`, msg, read, now, b.ID)
		return err
	}); ferr != nil {
		err = errors.Join(err, errs.Wrap(ferr, "finish import"))
	}
	b.State, b.Error, b.Rows, b.Read, b.Storing, b.FinishedAt = "failed", msg, 0, read, false, &now
	return b, err
}

// errStopped ends an import that another process has marked failed.
var errStopped = errs.E(errs.Conflict, "the import was stopped: another instance took it for abandoned")

func (s *Service) importFile(ctx context.Context, p auth.Principal, b Batch, r io.Reader, in *rowSource) (err error) {
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
	in.reader = reader
	so := &sorter{pool: newSlicePool(), records: s.sortRecords, fanIn: s.sortFanIn}
	defer so.close()
	src, err := s.readSorted(ctx, in, so)
	if err != nil {
		return err
	}
	if in.failed() {
		return in.problemsError()
	}
	in.prog.setStoring()
	unlock, err := s.lock(ctx, b.ID)
	if err != nil {
		return err
	}
	defer unlock()
	defer func() {
		if err != nil { // what the import wrote goes, before another import takes the lock
			if perr := s.purge(context.WithoutCancel(ctx), b.ID); perr != nil {
				err = errors.Join(err, perr)
			}
		}
	}()
	if err := s.tidy(ctx); err != nil {
		return err
	}
	stored, err := s.store(ctx, b, in, src)
	if err != nil {
		return err
	}
	if in.failed() {
		return in.problemsError()
	}
	if s.beforePublish != nil {
		s.beforePublish(ctx)
	}
	if err := s.publish(ctx, p, b, in.reader, stored, in.read); err != nil {
		return err
	}
	// What is hidden from now on goes; an error leaves it for the next import.
	_ = s.tidy(ctx)
	return nil
}

// rowSource reads a file's flows for storing: it counts progress and
// collects the bad rows' problems (after the first, rows are only checked).
type rowSource struct {
	ctx      context.Context
	reader   Reader
	prog     *Progress
	read     int64 // rows read; the reading goroutine's until it ends
	flow     Flow
	prev     Flow // the last good row's, to catch a row repeated at once
	mu       sync.Mutex
	problems map[string]errs.Problem // by place: a place's last problem
	count    atomic.Int32            // len(problems), read without the lock
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
			in.problem(re.Problem())
		case errs.Is(err, errs.TooLarge): // the upload passed its limit
			return false, err
		case err != nil:
			var e *errs.Error
			if errors.As(err, &e) { // the reader's own message for the whole file
				return false, e
			}
			return false, errs.E(errs.Invalid, "the file stops being readable after %d rows", in.read).Because(err)
		case sameFigure(&f, &in.prev):
			// A repeat anywhere is found once the figures are sorted; one
			// right after its row is found now, so that a file of one row
			// repeated stops at MaxProblems, not at its end.
			in.problem(errs.Problem{Line: in.reader.Line(), Msg: errs.Msg{Format: msgRepeated}})
		case !in.failed(): // once the import fails, rows are only checked
			in.flow, in.prev = f, f
			return true, nil
		default:
			in.prev = f
		}
	}
	in.mu.Lock()
	in.problems["…"] = errs.Problem{Msg: errs.Msg{Format: "more problems not listed"}}
	in.mu.Unlock()
	return false, nil
}

// sameFigure says whether a and b are the same figure: the same reporter,
// partners, flow, code and period.
func sameFigure(a, b *Flow) bool {
	return a.Reporter == b.Reporter && a.Partner == b.Partner && a.Partner2 == b.Partner2 && a.Year == b.Year && a.Month == b.Month &&
		a.Flow == b.Flow && a.Commodity == b.Commodity && a.Classification == b.Classification
}

func (in *rowSource) failed() bool { return in.count.Load() > 0 }

func (in *rowSource) problem(p errs.Problem) {
	in.mu.Lock()
	in.problems[p.Key()] = p
	in.count.Store(int32(len(in.problems)))
	in.mu.Unlock()
}

func (in *rowSource) problemsError() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	list := make([]errs.Problem, 0, len(in.problems))
	for _, p := range in.problems {
		list = append(list, p)
	}
	n := len(list)
	if _, more := in.problems["…"]; more {
		n--
	}
	return errs.FileProblems(list, "the file has %d problems; nothing was imported", n)
}

const msgRepeated = "repeats an earlier row of the file (same reporter, partner, flow, code and period)"

// readSorted reads the whole file and returns its good figures sorted. One
// goroutine reads rows into a run while this one sorts and writes out the
// previous run.
func (s *Service) readSorted(ctx context.Context, in *rowSource, so *sorter) (figureSource, error) {
	full := make(chan *run)
	free := make(chan *run, 2)
	stop := make(chan struct{}) // closed when sorting fails
	var last *run
	var readErr error
	go func() {
		defer close(full)
		cur := newRun(so.records)
		for {
			ok, err := in.next()
			if err != nil {
				readErr = err
				return
			}
			if !ok {
				break
			}
			if cur.full() {
				select {
				case full <- cur:
				case <-stop:
					return
				case <-ctx.Done():
					readErr = ctx.Err()
					return
				}
				select {
				case cur = <-free:
					cur.reset()
				default:
					cur = newRun(so.records)
				}
			}
			cur.add(&in.flow, int64(in.reader.Line()))
		}
		last = cur
	}()
	var err error
	for r := range full {
		if err == nil && !in.failed() {
			if err = so.spillRun(r); err != nil {
				close(stop)
			}
		}
		free <- r
	}
	if err == nil {
		err = readErr
	}
	if err != nil || in.failed() {
		return nil, err
	}
	return so.finish(last)
}

// writeTx runs fn in a write transaction and keeps the longest such
// transaction an import held.
func (s *Service) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var start time.Time
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		start = time.Now()
		return fn(tx)
	})
	if !start.IsZero() {
		d := int64(time.Since(start))
		for {
			old := s.longestWrite.Load()
			if d <= old || s.longestWrite.CompareAndSwap(old, d) {
				break
			}
		}
	}
	return err
}

// heartbeat records the import's progress and that it is alive every
// heartbeatEvery, until the returned function is called. When the batch is
// no longer running (another process took it for abandoned), it stops the
// import.
func (s *Service) heartbeat(ctx context.Context, id int64, prog *Progress, stop context.CancelCauseFunc) (done func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(heartbeatEvery)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rows, storing := prog.get()
			var n int64
			var state string
			// A failed write is tried again at the next beat.
			if s.db.Tx(ctx, func(tx *sql.Tx) error {
				res, err := tx.ExecContext(ctx, "UPDATE trade_batches SET rows_read = $1, storing = $2, heartbeat_at = $3 WHERE id = $4 AND state = 'running'",
					rows, storing, s.Now(), id)
				if err == nil {
					if n, _ = res.RowsAffected(); n == 0 {
						err = tx.QueryRowContext(ctx, "SELECT state FROM trade_batches WHERE id = $1", id).Scan(&state)
					}
				}
				return err
			}) == nil && n == 0 {
				if state != "done" { // not published a moment ago: failed by another process
					stop(errStopped)
				}
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}

// lock takes the import lock for batch id, waiting while another running
// import holds it; unlock gives it back.
func (s *Service) lock(ctx context.Context, id int64) (unlock func(), err error) {
	lastReap := time.Now()
	for {
		var got int64
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE trade_import_lock SET batch_id = $1 WHERE id = 1
				AND (batch_id IS NULL OR batch_id = $1 OR batch_id NOT IN (SELECT id FROM trade_batches WHERE state = 'running'))`, id)
			if err == nil {
				got, _ = res.RowsAffected()
			}
			return err
		})
		if err != nil {
			return nil, errs.Wrap(err, "wait for other imports")
		}
		if got == 1 {
			return func() {
				bg := context.WithoutCancel(ctx)
				_ = s.writeTx(bg, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(bg, "UPDATE trade_import_lock SET batch_id = NULL WHERE id = 1 AND batch_id = $1", id)
					return err
				})
			}, nil
		}
		// A holder whose process died is failed here too, not only at the next start.
		if time.Since(lastReap) > 10*time.Second {
			if _, err := s.FailAbandoned(ctx); err != nil {
				return nil, err
			}
			lastReap = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(lockPoll):
		}
	}
}

// publish shows the batch's blocks and the copies its take-over made, and
// hides the blocks they replace and the file's earlier import, in one
// transaction that also keeps the HS revisions the file stated.
func (s *Service) publish(ctx context.Context, p auth.Principal, b Batch, reader Reader, stored, read int64) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE trade_batches SET state = 'done', rows = $1, rows_read = $2, storing = FALSE, finished_at = $3
			WHERE id = $4 AND state = 'running'`, stored, read, s.Now(), b.ID)
		if err != nil {
			return errs.Wrap(err, "publish import")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errStopped
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM trade_published WHERE batch_id IN (SELECT id FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3)",
			b.Format, b.Name, b.ID); err != nil {
			return errs.Wrap(err, "publish import")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO trade_published (batch_id) VALUES ($1)", b.ID); err != nil {
			return errs.Wrap(err, "publish import")
		}
		// The file's failed imports are of no more use.
		if _, err := tx.ExecContext(ctx, "DELETE FROM trade_batches WHERE format = $1 AND name = $2 AND id <> $3 AND state = 'failed'",
			b.Format, b.Name, b.ID); err != nil {
			return errs.Wrap(err, "publish import")
		}
		if err := storeRevisions(ctx, tx, b.ID, reader); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Create, "trade_batch", b.ID, nil, map[string]any{"format": b.Format, "name": b.Name, "rows": stored})
	})
}

// tidyPage bounds the blocks a tidying transaction changes.
const tidyPage = 500

// tidy removes what no reader sees any more: blocks replaced by a
// published import, the marks and copies of imports that failed or are
// gone, and imports replaced by a newer import of their file (with their
// blocks); and it makes the copies of published imports plain blocks of
// their batch. Each step is a series of short transactions.
func (s *Service) tidy(ctx context.Context) error {
	for _, q := range []string{
		`DELETE FROM trade_blocks WHERE id IN (SELECT id FROM trade_blocks
			WHERE replaced_by IN (SELECT batch_id FROM trade_published) LIMIT ` + itoa(tidyPage) + `)`,
		`UPDATE trade_blocks SET published_by = NULL WHERE id IN (SELECT id FROM trade_blocks
			WHERE published_by IN (SELECT batch_id FROM trade_published) LIMIT ` + itoa(tidyPage) + `)`,
		// Copies and marks of imports removed from the list.
		`DELETE FROM trade_blocks WHERE id IN (SELECT id FROM trade_blocks
			WHERE published_by IS NOT NULL AND published_by NOT IN (SELECT id FROM trade_batches) LIMIT ` + itoa(tidyPage) + `)`,
		`UPDATE trade_blocks SET replaced_by = NULL WHERE id IN (SELECT id FROM trade_blocks
			WHERE replaced_by IS NOT NULL AND replaced_by NOT IN (SELECT id FROM trade_batches) LIMIT ` + itoa(tidyPage) + `)`,
	} {
		if err := s.repeat(ctx, q); err != nil {
			return err
		}
	}
	// Failed imports that left something, and replaced ones.
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, state FROM trade_batches t
		WHERE (state = 'done' AND id NOT IN (SELECT batch_id FROM trade_published))
			OR (state = 'failed' AND (EXISTS (SELECT 1 FROM trade_blocks WHERE batch_id = t.id)
				OR EXISTS (SELECT 1 FROM trade_blocks WHERE published_by = t.id) OR EXISTS (SELECT 1 FROM trade_blocks WHERE replaced_by = t.id)))`)
	if err != nil {
		return errs.Wrap(err, "tidy imports")
	}
	type gone struct {
		id       int64
		replaced bool
	}
	var list []gone
	for rows.Next() {
		var g gone
		var state string
		if err := rows.Scan(&g.id, &state); err != nil {
			rows.Close()
			return errs.Wrap(err, "tidy imports")
		}
		g.replaced = state == "done"
		list = append(list, g)
	}
	rows.Close()
	for _, g := range list {
		if err := s.purge(ctx, g.id); err != nil {
			return err
		}
		if g.replaced {
			if err := s.writeTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "DELETE FROM trade_batches WHERE id = $1 AND state = 'done' AND id NOT IN (SELECT batch_id FROM trade_published)", g.id)
				return err
			}); err != nil {
				return errs.Wrap(err, "tidy imports")
			}
		}
	}
	return nil
}

// purge removes the blocks of an import that is not shown (failed, or
// replaced), the copies its take-over made and its marks on other blocks.
func (s *Service) purge(ctx context.Context, id int64) error {
	for _, q := range []string{
		"DELETE FROM trade_blocks WHERE id IN (SELECT id FROM trade_blocks WHERE batch_id = $1 LIMIT " + itoa(tidyPage) + ")",
		"DELETE FROM trade_blocks WHERE id IN (SELECT id FROM trade_blocks WHERE published_by = $1 LIMIT " + itoa(tidyPage) + ")",
		"UPDATE trade_blocks SET replaced_by = NULL WHERE id IN (SELECT id FROM trade_blocks WHERE replaced_by = $1 LIMIT " + itoa(tidyPage) + ")",
	} {
		if err := s.repeat(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// repeat runs a statement that changes up to tidyPage rows, each time in a
// transaction of its own, until it changes none.
func (s *Service) repeat(ctx context.Context, q string, args ...any) error {
	for {
		var n int64
		if err := s.writeTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, q, args...)
			if err == nil {
				n, _ = res.RowsAffected()
			}
			return err
		}); err != nil {
			return errs.Wrap(err, "tidy imports")
		}
		if n == 0 {
			return nil
		}
	}
}
