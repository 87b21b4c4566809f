package workdays

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/importer"
)

// Service keeps the holidays.
type Service struct{ db *db.DB }

// New returns the holidays service over d.
func New(d *db.DB) *Service { return &Service{db: d} }

// owner: the calendar is the administrators' to change.
var owner = auth.Owner{AdminOnly: true}

// CanEdit reports whether p may change the holidays.
func CanEdit(p auth.Principal) bool { return auth.Can(p, owner) }

const columns = "day, name, kind, source, version"

func scan(row interface{ Scan(...any) error }) (Holiday, error) {
	var h Holiday
	err := row.Scan(&h.Day, &h.Name, &h.Kind, &h.Source, &h.Version)
	return h, err
}

// Holidays lists the days off of a year (every year when year is 0), in order.
func (s *Service) Holidays(ctx context.Context, year int) ([]Holiday, error) {
	q, args := "SELECT "+columns+" FROM holidays ORDER BY day", []any{}
	if year != 0 {
		q, args = "SELECT "+columns+" FROM holidays WHERE day >= $1 AND day < $2 ORDER BY day",
			[]any{time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format(Layout), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC).Format(Layout)}
	}
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "read holidays")
	}
	defer rows.Close()
	var out []Holiday
	for rows.Next() {
		h, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap(err, "read holidays")
		}
		out = append(out, h)
	}
	return out, errs.Wrap(rows.Err(), "read holidays")
}

// Calendar is the calendar of every holiday stored.
func (s *Service) Calendar(ctx context.Context) (Calendar, error) {
	all, err := s.Holidays(ctx, 0)
	return NewCalendar(all), err
}

// validate checks a holiday and returns it in its stored form.
func (h Holiday) validate() (Holiday, map[string]string) {
	problems := map[string]string{}
	h.Name, h.Source = strings.TrimSpace(h.Name), strings.TrimSpace(h.Source)
	if d, err := ParseDate(strings.TrimSpace(h.Day)); err != nil {
		problems["day"] = "a date (YYYY-MM-DD)"
	} else {
		h.Day = d.Format(Layout)
	}
	if h.Name == "" {
		problems["name"] = "required"
	}
	if kind, ok := Kinds.Parse(h.Kind); ok {
		h.Kind = kind
	} else {
		problems["kind"] = "one of " + Kinds.Words()
	}
	if h.Source == "" {
		problems["source"] = "required: the norm that makes the day a holiday"
	}
	return h, problems
}

// Put adds a holiday or changes the one of its day. version is the version
// the change is based on (0 for a new day); a change based on an older one
// is refused with what changed.
func (s *Service) Put(ctx context.Context, p auth.Principal, h Holiday) (Holiday, error) {
	if err := auth.Authorize(p, owner); err != nil {
		return h, err
	}
	h, problems := h.validate()
	if len(problems) > 0 {
		return h, errs.Fields("the holiday has invalid fields", problems)
	}
	var out Holiday
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, _, err = s.put(ctx, tx, p, h, true)
		return err
	})
	return out, err
}

// put writes h in tx; checkVersion compares h.Version with the stored one.
// changed is false when the stored holiday already says the same.
func (s *Service) put(ctx context.Context, tx *sql.Tx, p auth.Principal, h Holiday, checkVersion bool) (Holiday, bool, error) {
	before, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM holidays WHERE day = $1", h.Day))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if checkVersion && h.Version != 0 {
			return h, false, errs.E(errs.NotFound, "no holiday on %s", h.Day)
		}
		out, err := scan(tx.QueryRowContext(ctx, "INSERT INTO holidays (day, name, kind, source) VALUES ($1, $2, $3, $4) RETURNING "+columns,
			h.Day, h.Name, h.Kind, h.Source))
		if err != nil {
			return out, false, errs.Wrap(err, "add holiday")
		}
		return out, true, audit.Record(ctx, tx, p, audit.Create, "holiday", out.Day, nil, out)
	case err != nil:
		return h, false, errs.Wrap(err, "read holiday")
	}
	if checkVersion && h.Version != before.Version {
		return h, false, audit.Stale(ctx, tx, "holiday", h.Day, h.Version, before.Version, before)
	}
	if before.Name == h.Name && before.Kind == h.Kind && before.Source == h.Source {
		return before, false, nil
	}
	out, err := scan(tx.QueryRowContext(ctx, `UPDATE holidays SET name = $1, kind = $2, source = $3, version = version + 1
		WHERE day = $4 AND version = $5 RETURNING `+columns, h.Name, h.Kind, h.Source, h.Day, before.Version))
	if errors.Is(err, sql.ErrNoRows) {
		// Another instance changed the day after this transaction read it.
		current, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM holidays WHERE day = $1", h.Day))
		if err != nil {
			return h, false, errs.Wrap(err, "read holiday")
		}
		return h, false, audit.Stale(ctx, tx, "holiday", h.Day, before.Version, current.Version, current)
	}
	if err != nil {
		return out, false, errs.Wrap(err, "change holiday")
	}
	return out, true, audit.Record(ctx, tx, p, audit.Update, "holiday", out.Day, before, out)
}

// Delete makes a day a business day again; version, when not 0, is the
// version the deletion is based on.
func (s *Service) Delete(ctx context.Context, p auth.Principal, day string, version int64) error {
	if err := auth.Authorize(p, owner); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM holidays WHERE day = $1", day))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no holiday on %s", day)
		}
		if err != nil {
			return errs.Wrap(err, "read holiday")
		}
		if version != 0 && version != before.Version {
			return audit.Stale(ctx, tx, "holiday", day, version, before.Version, before)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM holidays WHERE day = $1", day); err != nil {
			return errs.Wrap(err, "delete holiday")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "holiday", day, before, nil)
	})
}

// Columns are the holidays file's columns (data/seed/holidays-pe.csv).
var Columns = []string{"fecha", "nombre", "tipo", "fuente"}

// Import reads a holidays file (CSV or XLSX, Columns) and writes all of it
// or nothing; a day already stored is updated, so a corrected file can be
// imported again. It returns how many days it added or changed.
func (s *Service) Import(ctx context.Context, p auth.Principal, r io.Reader, filename string) (int, error) {
	if err := auth.Authorize(p, owner); err != nil {
		return 0, err
	}
	t, err := importer.Read(r, filename, Columns)
	if err != nil {
		return 0, err
	}
	var problems importer.Problems
	var days []Holiday
	first := map[string]int{}
	field := map[string]string{"day": "fecha", "name": "nombre", "kind": "tipo", "source": "fuente"}
	for _, row := range t.Rows {
		h, pr := Holiday{Day: row.Get("fecha"), Name: row.Get("nombre"), Kind: row.Get("tipo"), Source: row.Get("fuente")}.validate()
		for f, msg := range pr {
			problems.Add(row.Line, field[f], "%s", msg)
		}
		if len(pr) == 0 {
			if line, dup := first[h.Day]; dup {
				problems.Add(row.Line, "fecha", "repeats the day of row %d", line)
			}
			first[h.Day] = row.Line
		}
		days = append(days, h)
	}
	if err := problems.Err(); err != nil {
		return 0, err
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		stored := map[string]Holiday{}
		rows, err := tx.QueryContext(ctx, "SELECT "+columns+" FROM holidays")
		if err != nil {
			return errs.Wrap(err, "read holidays")
		}
		for rows.Next() {
			h, err := scan(rows)
			if err != nil {
				rows.Close()
				return errs.Wrap(err, "read holidays")
			}
			stored[h.Day] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "read holidays")
		}
		var added []Holiday
		for _, h := range days {
			if _, ok := stored[h.Day]; !ok {
				h.Version = 1
				added = append(added, h)
				continue
			}
			_, changed, err := s.put(ctx, tx, p, h, false)
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		// A calendar is hundreds of days: they go in fifty to a statement.
		items := make([]audit.Item, 0, len(added))
		for start := 0; start < len(added); start += 50 {
			var values []string
			var args []any
			for _, h := range added[start:min(start+50, len(added))] {
				values = append(values, fmt.Sprintf("($%d, $%d, $%d, $%d)", len(args)+1, len(args)+2, len(args)+3, len(args)+4))
				args = append(args, h.Day, h.Name, h.Kind, h.Source)
				items = append(items, audit.Item{ID: h.Day, After: h})
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO holidays (day, name, kind, source) VALUES "+strings.Join(values, ", "), args...); err != nil {
				return errs.Wrap(err, "add holidays")
			}
		}
		n += len(added)
		return audit.RecordAll(ctx, tx, p, audit.Create, "holiday", items)
	})
	return n, err
}
