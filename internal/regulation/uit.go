package regulation

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/importer"
)

// UIT is the unidad impositiva tributaria of a year, set each year by a
// decreto supremo (data/seed/uit-pe.csv): TUPA fees are shares of it.
type UIT struct {
	Year     int     `json:"year"`
	ValuePEN float64 `json:"value_pen"`
	Source   string  `json:"source"`
	Version  int64   `json:"version"`
}

// uitOwner: the UIT table is the administrators' to change.
var uitOwner = auth.Owner{AdminOnly: true}

// UITColumns are the UIT file's columns.
var UITColumns = []string{"anio", "valor_soles", "fuente"}

// UITs lists the UIT of every year recorded, the latest first.
func (s *Service) UITs(ctx context.Context) ([]UIT, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT year, value_pen, source, version FROM uit_values ORDER BY year DESC")
	if err != nil {
		return nil, errs.Wrap(err, "read UIT")
	}
	defer rows.Close()
	out := []UIT{}
	for rows.Next() {
		var u UIT
		if err := rows.Scan(&u.Year, &u.ValuePEN, &u.Source, &u.Version); err != nil {
			return nil, errs.Wrap(err, "read UIT")
		}
		out = append(out, u)
	}
	return out, errs.Wrap(rows.Err(), "read UIT")
}

func uitOf(ctx context.Context, q querier, year int) (UIT, bool, error) {
	u := UIT{Year: year}
	err := q.QueryRowContext(ctx, "SELECT value_pen, source, version FROM uit_values WHERE year = $1", year).Scan(&u.ValuePEN, &u.Source, &u.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return u, false, nil
	}
	return u, err == nil, errs.Wrap(err, "read UIT")
}

// fee is a procedure's fee in soles and as a share of the UIT of its year
// (rounded to six decimals: TUPA shares are given to four), with that UIT;
// the share is nil when the fee or that year's UIT is not known.
func (s *Service) fee(ctx context.Context, c Procedure) (Fee, *UIT, error) {
	f := Fee{PEN: c.FeePEN}
	if c.FeePEN == nil {
		return f, nil, nil
	}
	u, ok, err := uitOf(ctx, s.db.Read(), c.FeeYear)
	if err != nil || !ok {
		return f, nil, err
	}
	share := math.Round(*c.FeePEN/u.ValuePEN*1e6) / 1e6
	f.UITShare = &share
	return f, &u, nil
}

// PutUIT records the UIT of a year or changes it; u.Version is the
// version the change is based on (0 for a year not recorded yet).
func (s *Service) PutUIT(ctx context.Context, p auth.Principal, u UIT) (UIT, error) {
	if err := auth.Authorize(p, uitOwner); err != nil {
		return u, err
	}
	if problems := u.check(); len(problems) > 0 {
		return u, errs.Fields("the UIT has invalid fields", problems)
	}
	var out UIT
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, _, err = putUIT(ctx, tx, p, u, true)
		return err
	})
	return out, err
}

// UIT returns the UIT of a year.
func (s *Service) UIT(ctx context.Context, year int) (UIT, error) {
	u, ok, err := uitOf(ctx, s.db.Read(), year)
	if err == nil && !ok {
		err = errs.E(errs.NotFound, "no UIT for %d", year)
	}
	return u, err
}

// DeleteUIT removes the UIT of a year (the fees of that year then have no
// share); version, when not 0, is the version the deletion is based on.
func (s *Service) DeleteUIT(ctx context.Context, p auth.Principal, year int, version int64) error {
	if err := auth.Authorize(p, uitOwner); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, ok, err := uitOf(ctx, tx, year)
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.NotFound, "no UIT for %d", year)
		}
		if version != 0 && version != before.Version {
			return audit.Stale(ctx, tx, "uit_value", year, version, before.Version, before)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM uit_values WHERE year = $1", year); err != nil {
			return errs.Wrap(err, "delete UIT")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "uit_value", year, before, nil)
	})
}

func (u *UIT) check() map[string]string {
	p := map[string]string{}
	u.Source = strings.TrimSpace(u.Source)
	if u.Year < 1990 || u.Year > 2100 {
		p["year"] = "a year between 1990 and 2100"
	}
	if u.ValuePEN <= 0 {
		p["value_pen"] = "an amount in soles, more than 0"
	}
	if u.Source == "" {
		p["source"] = "required: the decreto supremo that sets it"
	}
	return p
}

// putUIT writes u in tx; changed is false when the stored value says the same.
func putUIT(ctx context.Context, tx *sql.Tx, p auth.Principal, u UIT, checkVersion bool) (UIT, bool, error) {
	before, ok, err := uitOf(ctx, tx, u.Year)
	if err != nil {
		return u, false, err
	}
	if !ok {
		if checkVersion && u.Version != 0 {
			return u, false, errs.E(errs.NotFound, "no UIT for %d", u.Year)
		}
		u.Version = 1
		if _, err := tx.ExecContext(ctx, "INSERT INTO uit_values (year, value_pen, source) VALUES ($1, $2, $3)", u.Year, u.ValuePEN, u.Source); err != nil {
			return u, false, errs.Wrap(err, "add UIT")
		}
		return u, true, audit.Record(ctx, tx, p, audit.Create, "uit_value", u.Year, nil, u)
	}
	if checkVersion && u.Version != before.Version {
		return u, false, audit.Stale(ctx, tx, "uit_value", u.Year, u.Version, before.Version, before)
	}
	if before.ValuePEN == u.ValuePEN && before.Source == u.Source {
		return before, false, nil
	}
	res, err := tx.ExecContext(ctx, "UPDATE uit_values SET value_pen = $1, source = $2, version = version + 1 WHERE year = $3 AND version = $4",
		u.ValuePEN, u.Source, u.Year, before.Version)
	if err != nil {
		return u, false, errs.Wrap(err, "change UIT")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		current, _, err := uitOf(ctx, tx, u.Year)
		if err != nil {
			return u, false, err
		}
		return u, false, audit.Stale(ctx, tx, "uit_value", u.Year, before.Version, current.Version, current)
	}
	u.Version = before.Version + 1
	return u, true, audit.Record(ctx, tx, p, audit.Update, "uit_value", u.Year, before, u)
}

// ImportUIT reads a UIT file (UITColumns) and writes all of it or nothing;
// a year recorded already is updated. It returns how many years changed.
func (s *Service) ImportUIT(ctx context.Context, p auth.Principal, r io.Reader, filename string) (int, error) {
	if err := auth.Authorize(p, uitOwner); err != nil {
		return 0, err
	}
	t, err := importer.Read(r, filename, UITColumns)
	if err != nil {
		return 0, err
	}
	var problems importer.Problems
	var list []UIT
	first := map[int]int{}
	column := map[string]string{"year": "anio", "value_pen": "valor_soles", "source": "fuente"}
	for _, row := range t.Rows {
		u := UIT{Source: row.Get("fuente")}
		year, yerr := strconv.Atoi(row.Get("anio"))
		value, vok := parseAmount(row.Get("valor_soles"))
		u.Year, u.ValuePEN = year, value
		pr := u.check()
		if yerr != nil {
			pr["year"] = "a year between 1990 and 2100"
		}
		if !vok {
			pr["value_pen"] = "an amount in soles, more than 0"
		}
		for f, msg := range pr {
			problems.Add(row.Line, column[f], "%s", msg)
		}
		if line, dup := first[u.Year]; dup && len(pr) == 0 {
			problems.Add(row.Line, "anio", "repeats the year of row %d", line)
		}
		first[u.Year] = row.Line
		list = append(list, u)
	}
	if err := problems.Err(); err != nil {
		return 0, err
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, u := range list {
			_, changed, err := putUIT(ctx, tx, p, u, false)
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		return nil
	})
	return n, err
}
