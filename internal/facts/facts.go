// Package facts keeps the figures a source states in its text that fit no
// series — the fleet, the fishers, the hectares in concessions, prices,
// market sizes of the seed's sections 2.2, 2.4 and 2.5 — each with the
// source's own words and the section that says it, so that the pages on
// production and markets can list them as the source gives them.
package facts

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// The topics a fact belongs to: the page that lists it.
const (
	Production = "production" // /produccion
	Markets    = "markets"    // /mercados
)

// topics maps the data file's Spanish topics to the stored ones.
var topics = map[string]string{"produccion": Production, "mercados": Markets}

// Fact is a figure as a source states it.
type Fact struct {
	ID        int64    `json:"id"`
	Topic     string   `json:"topic"`
	Section   string   `json:"section"`   // where the source says it: "2.2 Situación de la gestión organizacional"
	Measure   string   `json:"measure"`   // what the figure is
	Statement string   `json:"statement"` // the source's own words
	Value     float64  `json:"value"`
	ValueTo   *float64 `json:"value_to,omitempty"` // the upper end of a range ("entre 8 a 12 soles/Kg")
	Unit      string   `json:"unit"`
	Period    string   `json:"period,omitempty"`
	Source    string   `json:"source"`
	Note      string   `json:"note,omitempty"`
}

// Service keeps the facts.
type Service struct{ db *db.DB }

// New returns the facts service.
func New(d *db.DB) *Service { return &Service{db: d} }

// header is the data file's header (data/seed/facts.csv).
const header = "tema,seccion,medida,valor,valor_hasta,unidad,periodo,enunciado,fuente,nota"

// Read reads a facts file, checking every row.
func Read(r io.Reader) ([]Fact, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, errs.Wrap(err, "read facts file")
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != header {
		return nil, errs.E(errs.Invalid, "facts file: the header must be %s", header)
	}
	var out []Fact
	for i, rec := range recs[1:] {
		f := Fact{Topic: topics[rec[0]], Section: rec[1], Measure: rec[2], Unit: rec[5], Period: rec[6], Statement: rec[7], Source: rec[8], Note: rec[9]}
		v, err := strconv.ParseFloat(rec[3], 64)
		if err != nil || f.Topic == "" || f.Section == "" || f.Measure == "" || f.Statement == "" || f.Source == "" {
			return nil, errs.E(errs.Invalid, "facts file, row %d: a topic (produccion, mercados), section, measure, value, statement and source are needed", i+2)
		}
		f.Value = v
		if rec[4] != "" {
			to, err := strconv.ParseFloat(rec[4], 64)
			if err != nil {
				return nil, errs.E(errs.Invalid, "facts file, row %d: valor_hasta is not a number", i+2)
			}
			f.ValueTo = &to
		}
		out = append(out, f)
	}
	return out, nil
}

// Load stores the facts of a file; only the system and administrators may.
func (s *Service) Load(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	if err := auth.Authorize(p, auth.Owner{AdminOnly: true}); err != nil {
		return 0, err
	}
	list, err := Read(r)
	if err != nil {
		return 0, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var next int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), 0) FROM facts").Scan(&next); err != nil {
			return errs.Wrap(err, "load facts")
		}
		for _, f := range list {
			next++
			if _, err := tx.ExecContext(ctx, `INSERT INTO facts (topic, section, measure, statement, value, value_to, unit, period, source, note, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, f.Topic, f.Section, f.Measure, f.Statement, f.Value, f.ValueTo,
				f.Unit, f.Period, f.Source, f.Note, next); err != nil {
				return errs.Wrap(err, "load facts")
			}
		}
		return audit.Record(ctx, tx, p, audit.Create, "facts", "seed", nil, map[string]int{"rows": len(list)})
	})
	return len(list), err
}

// List returns the facts of a topic ("" for all), in the source's order.
func (s *Service) List(ctx context.Context, topic string) ([]Fact, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, topic, section, measure, statement, value, value_to, unit, period, source, note
		FROM facts WHERE $1 = '' OR topic = $1 ORDER BY position`, topic)
	if err != nil {
		return nil, errs.Wrap(err, "read facts")
	}
	defer rows.Close()
	out := []Fact{}
	for rows.Next() {
		var f Fact
		var to sql.NullFloat64
		if err := rows.Scan(&f.ID, &f.Topic, &f.Section, &f.Measure, &f.Statement, &f.Value, &to, &f.Unit, &f.Period, &f.Source, &f.Note); err != nil {
			return nil, errs.Wrap(err, "read facts")
		}
		if to.Valid {
			f.ValueTo = &to.Float64
		}
		out = append(out, f)
	}
	return out, errs.Wrap(rows.Err(), "read facts")
}
