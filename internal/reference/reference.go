// Package reference holds the shared reference lists other modules point
// to: species (FAO ASFIS 3-alpha codes, and groups such as all molluscs) and
// places (the world, countries, regions, provinces, landing sites).
package reference

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// Species is a species or a group of species.
type Species struct {
	Code           string `json:"code"`
	Kind           string `json:"kind"`
	ScientificName string `json:"scientific_name"`
	NameES         string `json:"name_es"`
	NameEN         string `json:"name_en"`
	ISSCAAP        string `json:"isscaap"`
	Source         string `json:"source"`
}

// Name is the species' name in lang.
func (s Species) Name(lang i18n.Lang) string {
	if lang == i18n.EN && s.NameEN != "" {
		return s.NameEN
	}
	return s.NameES
}

// Place is somewhere statistics refer to.
type Place struct {
	Code   string `json:"code"`
	Kind   string `json:"kind"`
	Parent string `json:"parent,omitempty"`
	NameES string `json:"name_es"`
	NameEN string `json:"name_en"`
	Source string `json:"source"`
}

// Name is the place's name in lang.
func (p Place) Name(lang i18n.Lang) string {
	if lang == i18n.EN && p.NameEN != "" {
		return p.NameEN
	}
	return p.NameES
}

// Service is the reference module.
type Service struct{ db *db.DB }

// New returns the reference service over d.
func New(d *db.DB) *Service { return &Service{db: d} }

// Species lists species and groups, groups first.
func (s *Service) Species(ctx context.Context) ([]Species, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT code, kind, scientific_name, name_es, name_en, isscaap, source
		FROM species ORDER BY kind, name_es`)
	if err != nil {
		return nil, errs.Wrap(err, "list species")
	}
	defer rows.Close()
	var out []Species
	for rows.Next() {
		var sp Species
		if err := rows.Scan(&sp.Code, &sp.Kind, &sp.ScientificName, &sp.NameES, &sp.NameEN, &sp.ISSCAAP, &sp.Source); err != nil {
			return nil, errs.Wrap(err, "list species")
		}
		out = append(out, sp)
	}
	return out, errs.Wrap(rows.Err(), "list species")
}

// Places lists places from the widest to the narrowest.
func (s *Service) Places(ctx context.Context) ([]Place, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT code, kind, COALESCE(parent, ''), name_es, name_en, source FROM places
		ORDER BY CASE kind WHEN 'world' THEN 0 WHEN 'country' THEN 1 WHEN 'region' THEN 2 WHEN 'province' THEN 3 WHEN 'district' THEN 4 ELSE 5 END, name_es`)
	if err != nil {
		return nil, errs.Wrap(err, "list places")
	}
	defer rows.Close()
	var out []Place
	for rows.Next() {
		var p Place
		if err := rows.Scan(&p.Code, &p.Kind, &p.Parent, &p.NameES, &p.NameEN, &p.Source); err != nil {
			return nil, errs.Wrap(err, "list places")
		}
		out = append(out, p)
	}
	return out, errs.Wrap(rows.Err(), "list places")
}

// LoadSpecies adds the species of a seed CSV file whose code is missing.
func (s *Service) LoadSpecies(ctx context.Context, r io.Reader) (int, error) {
	return s.load(ctx, r, "code,kind,scientific_name,name_es,name_en,isscaap,source", "species",
		"INSERT INTO species (code, kind, scientific_name, name_es, name_en, isscaap, source) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
		func(rec []string) []any { return []any{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6]} })
}

// LoadPlaces adds the places of a seed CSV file whose code is missing;
// parents must come before their children.
func (s *Service) LoadPlaces(ctx context.Context, r io.Reader) (int, error) {
	return s.load(ctx, r, "code,kind,parent,name_es,name_en,source", "place",
		"INSERT INTO places (code, kind, parent, name_es, name_en, source) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
		func(rec []string) []any {
			parent := sql.NullString{String: rec[2], Valid: rec[2] != ""}
			return []any{rec[0], rec[1], parent, rec[3], rec[4], rec[5]}
		})
}

func (s *Service) load(ctx context.Context, r io.Reader, header, entity, insert string, args func([]string) []any) (int, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return 0, errs.Wrap(err, "read %s file", entity)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != header {
		return 0, errs.E(errs.Invalid, "%s file: header must be %s", entity, header)
	}
	added := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, rec := range recs[1:] {
			res, err := tx.ExecContext(ctx, insert, args(rec)...)
			if err != nil {
				return errs.Wrap(err, "load %s %s", entity, rec[0])
			}
			if n, _ := res.RowsAffected(); n == 1 {
				added++
				if err := audit.Record(ctx, tx, auth.System, audit.Create, entity, rec[0], nil, rec); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return added, err
}
