package exports

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"sync/atomic"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
)

// publish makes an import's declarations seen, in one transaction: the
// batch is done, an earlier import of the same file is replaced, and the
// file's exporters' names are kept. The replaced batch is then removed.
func (s *Service) publish(ctx context.Context, p auth.Principal, imp *importRun) error {
	b := imp.batch
	var replaced []int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE export_batches SET state = 'done', rows = $1, finished_at = $2, heartbeat_at = $2
			WHERE id = $3 AND state = 'running'`, imp.stored, now, b.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "the import was stopped before it finished; nothing was imported")
		}
		rows, err := tx.QueryContext(ctx, `UPDATE export_batches SET state = 'replaced', finished_at = $1
			WHERE name = $2 AND state = 'done' AND id <> $3 RETURNING id`, now, b.Name, b.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			replaced = append(replaced, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rucs := make([]string, 0, len(imp.names))
		for ruc := range imp.names {
			rucs = append(rucs, ruc)
		}
		sort.Strings(rucs)
		for _, ruc := range rucs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO export_exporters (ruc, name, batch_id) VALUES ($1, $2, $3)
				ON CONFLICT (ruc) DO UPDATE SET name = excluded.name, batch_id = excluded.batch_id`, ruc, imp.names[ruc], b.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, p, audit.Create, "export_batch", b.ID, nil,
			map[string]any{"name": b.Name, "source": b.Source, "rows": imp.stored, "replaces": replaced})
	})
	if err != nil {
		return errs.Wrap(err, "publish import")
	}
	for _, id := range replaced {
		if err := s.purge(ctx, id, true); err != nil {
			return err
		}
	}
	return nil
}

const batchColumns = "id, name, source, state, rows, error, created_by, created_at, finished_at"

func scanBatch(row interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var fin sql.NullTime
	err := row.Scan(&b.ID, &b.Name, &b.Source, &b.State, &b.Rows, &b.Error, &b.CreatedBy, &b.CreatedAt, &fin)
	if fin.Valid {
		b.FinishedAt = &fin.Time
	}
	return b, err
}

// Batch returns an import, with its exporters and leads when it is
// published, and the rows read so far when it runs in this process.
func (s *Service) Batch(ctx context.Context, id int64) (Batch, error) {
	b, err := scanBatch(s.db.Read().QueryRowContext(ctx, "SELECT "+batchColumns+" FROM export_batches WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, errs.E(errs.NotFound, "no import %d", id)
	}
	if err != nil {
		return b, errs.Wrap(err, "read import")
	}
	if c, ok := s.jobs.Load(id); ok {
		b.Read = c.(*atomic.Int64).Load()
	}
	if b.State == "done" {
		err = s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) - COUNT(a.id) FROM export_exporters e
			LEFT JOIN actors a ON a.ruc = e.ruc WHERE e.batch_id = $1`, id).Scan(&b.Exporters, &b.Leads)
	}
	return b, errs.Wrap(err, "read import")
}

// Batches lists the imports, newest first.
func (s *Service) Batches(ctx context.Context) ([]Batch, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+batchColumns+" FROM export_batches ORDER BY id DESC LIMIT 200")
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

// Lead is an exporter the declarations name that the registry does not
// hold: who to invite, with its name as customs gives it.
type Lead struct {
	RUC      string  `json:"ruc"`
	Name     string  `json:"name"`
	FOB      float64 `json:"fob_usd"`   // its published exports (from the region asked for)
	LastYear int     `json:"last_year"` // its latest year of exports
}

// Leads lists the exporters of a region ("" for all) that the registry
// lacks, the largest first. Only editors read it: it is the registry's
// work list.
func (s *Service) Leads(ctx context.Context, p auth.Principal, region string) ([]Lead, error) {
	if err := auth.Require(p, auth.ReadPrivate); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT e.ruc, e.name, SUM(y.fob_usd) AS fob, MAX(y.year)
		FROM export_exporters e JOIN export_years y ON y.ruc = e.ruc JOIN export_batches b ON b.id = y.batch_id AND b.state = 'done'
		WHERE NOT EXISTS (SELECT 1 FROM actors a WHERE a.ruc = e.ruc) AND ($1 = '' OR y.region = $1)
		GROUP BY e.ruc, e.name ORDER BY fob DESC, e.ruc`, region)
	if err != nil {
		return nil, errs.Wrap(err, "list leads")
	}
	defer rows.Close()
	out := []Lead{}
	for rows.Next() {
		var l Lead
		if err := rows.Scan(&l.RUC, &l.Name, &l.FOB, &l.LastYear); err != nil {
			return nil, errs.Wrap(err, "list leads")
		}
		out = append(out, l)
	}
	return out, errs.Wrap(rows.Err(), "list leads")
}
