// Package accounts holds SRIIM's users, the institutions they belong to,
// their sessions, API tokens and password resets.
//
// Passwords are hashed with bcrypt (golang.org/x/crypto/bcrypt): a
// well-reviewed implementation whose cost can be raised as machines get faster.
// Session, token and reset secrets are random and stored only as SHA-256 hashes.
package accounts

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// Service is the accounts module.
type Service struct {
	db *db.DB
	// BcryptCost is the password hashing cost; tests lower it.
	BcryptCost int
	// Now is the clock; tests move it.
	Now func() time.Time

	dummyOnce sync.Once
	dummy     []byte // see dummyHash
}

// New returns the accounts service over d.
func New(d *db.DB) *Service {
	return &Service{db: d, BcryptCost: 12, Now: func() time.Time { return time.Now().UTC() }}
}

// Institution is a public or private body that takes part in the chain.
type Institution struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	NameEN      string    `json:"name_en"`
	Kind        string    `json:"kind"`
	Website     string    `json:"website"`
	Description string    `json:"description"`
	Source      string    `json:"source"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Version rises by one with every change.
	Version int64 `json:"version"`
}

// InstitutionKinds are the kinds of institution.
var InstitutionKinds = []string{"working_group", "public", "regional_government", "academic", "ngo", "private", "producers"}

// InstitutionInput is what a form or the API may set on an institution.
type InstitutionInput struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	NameEN      string `json:"name_en"`
	Kind        string `json:"kind"`
	Website     string `json:"website"`
	Description string `json:"description"`
	// Version is the version a change is based on (UpdateInstitution); 0 skips the check.
	Version int64 `json:"version,omitempty"`
}

func (in *InstitutionInput) validate() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.NameEN = strings.TrimSpace(in.NameEN)
	in.Website = strings.TrimSpace(in.Website)
	fields := map[string]string{}
	if in.Code == "" || len(in.Code) > 40 || strings.ContainsAny(in.Code, " \t/?#") {
		fields["code"] = "required: up to 40 letters, digits or dashes, no spaces"
	}
	if in.Name == "" {
		fields["name"] = "required"
	}
	if !slices.Contains(InstitutionKinds, in.Kind) {
		fields["kind"] = "one of " + strings.Join(InstitutionKinds, ", ")
	}
	if in.Website != "" && !strings.HasPrefix(in.Website, "https://") && !strings.HasPrefix(in.Website, "http://") {
		fields["website"] = "must start with https:// or http://"
	}
	if len(fields) > 0 {
		return errs.Fields("the institution has invalid fields", fields)
	}
	return nil
}

// InstitutionOwner is who may change institution id: its own editors, and
// those who write reference data.
func InstitutionOwner(id int64) auth.Owner { return auth.Owner{Reference: true, Institution: id} }

const institutionColumns = "id, code, name, name_en, kind, website, description, source, created_at, updated_at, version"

func scanInstitution(row interface{ Scan(...any) error }) (Institution, error) {
	var i Institution
	err := row.Scan(&i.ID, &i.Code, &i.Name, &i.NameEN, &i.Kind, &i.Website, &i.Description, &i.Source, &i.CreatedAt, &i.UpdatedAt, &i.Version)
	return i, err
}

// Institutions lists all institutions by name.
func (s *Service) Institutions(ctx context.Context) ([]Institution, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+institutionColumns+" FROM institutions ORDER BY name")
	if err != nil {
		return nil, errs.Wrap(err, "list institutions")
	}
	defer rows.Close()
	var out []Institution
	for rows.Next() {
		i, err := scanInstitution(rows)
		if err != nil {
			return nil, errs.Wrap(err, "list institutions")
		}
		out = append(out, i)
	}
	return out, errs.Wrap(rows.Err(), "list institutions")
}

// Institution returns one institution.
func (s *Service) Institution(ctx context.Context, id int64) (Institution, error) {
	i, err := scanInstitution(s.db.Read().QueryRowContext(ctx, "SELECT "+institutionColumns+" FROM institutions WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, errs.E(errs.NotFound, "no institution %d", id)
	}
	return i, errs.Wrap(err, "read institution")
}

// InstitutionByCode returns the institution with this code.
func (s *Service) InstitutionByCode(ctx context.Context, code string) (Institution, error) {
	i, err := scanInstitution(s.db.Read().QueryRowContext(ctx, "SELECT "+institutionColumns+" FROM institutions WHERE code = $1", strings.ToUpper(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return i, errs.E(errs.NotFound, "no institution %s", code)
	}
	return i, errs.Wrap(err, "read institution")
}

// CreateInstitution adds an institution; institutions are shared reference data.
func (s *Service) CreateInstitution(ctx context.Context, p auth.Principal, in InstitutionInput) (Institution, error) {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return Institution{}, err
	}
	if err := in.validate(); err != nil {
		return Institution{}, err
	}
	var out Institution
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.insertInstitution(ctx, tx, p, in, "")
		return err
	})
	return out, err
}

func (s *Service) insertInstitution(ctx context.Context, tx *sql.Tx, p auth.Principal, in InstitutionInput, source string) (Institution, error) {
	now := s.Now()
	row := tx.QueryRowContext(ctx, `INSERT INTO institutions (code, name, name_en, kind, website, description, source, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING `+institutionColumns,
		in.Code, in.Name, in.NameEN, in.Kind, in.Website, in.Description, source, now)
	i, err := scanInstitution(row)
	if err != nil {
		if db.IsUniqueViolation(err) {
			return i, errs.Fields("an institution with this code exists", map[string]string{"code": "already used"})
		}
		return i, errs.Wrap(err, "create institution")
	}
	return i, audit.Record(ctx, tx, p, audit.Create, "institution", i.ID, nil, i)
}

// staleInstitution is the Conflict of a change based on version read of institution id.
func staleInstitution(ctx context.Context, tx *sql.Tx, id, read int64) error {
	current, err := scanInstitution(tx.QueryRowContext(ctx, "SELECT "+institutionColumns+" FROM institutions WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "no institution %d", id)
	}
	if err != nil {
		return errs.Wrap(err, "read institution")
	}
	return audit.Stale(ctx, tx, "institution", id, read, current.Version, current)
}

// UpdateInstitution changes an institution's fields; in.Version is the
// version the change is based on, as for actors.
func (s *Service) UpdateInstitution(ctx context.Context, p auth.Principal, id int64, in InstitutionInput) (Institution, error) {
	if err := auth.Authorize(p, InstitutionOwner(id)); err != nil {
		return Institution{}, err
	}
	if err := in.validate(); err != nil {
		return Institution{}, err
	}
	var out Institution
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := scanInstitution(tx.QueryRowContext(ctx, "SELECT "+institutionColumns+" FROM institutions WHERE id = $1", id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no institution %d", id)
		}
		if err != nil {
			return errs.Wrap(err, "read institution")
		}
		if in.Version != 0 && in.Version != before.Version {
			return staleInstitution(ctx, tx, id, in.Version)
		}
		out, err = scanInstitution(tx.QueryRowContext(ctx, `UPDATE institutions SET code = $1, name = $2, name_en = $3, kind = $4,
			website = $5, description = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9 RETURNING `+institutionColumns,
			in.Code, in.Name, in.NameEN, in.Kind, in.Website, in.Description, s.Now(), id, before.Version))
		if errors.Is(err, sql.ErrNoRows) {
			return staleInstitution(ctx, tx, id, before.Version)
		}
		if db.IsUniqueViolation(err) {
			return errs.Fields("an institution with this code exists", map[string]string{"code": "already used"})
		}
		if err != nil {
			return errs.Wrap(err, "update institution")
		}
		return audit.Record(ctx, tx, p, audit.Update, "institution", id, before, out)
	})
	return out, err
}

// LoadInstitutions adds the institutions of a seed CSV file
// (code,name,name_en,kind,source) whose code is not there yet, and returns
// how many it added. Running it again adds nothing.
func (s *Service) LoadInstitutions(ctx context.Context, r io.Reader) (int, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return 0, errs.Wrap(err, "read institutions file")
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "code,name,name_en,kind,source" {
		return 0, errs.E(errs.Invalid, "institutions file: header must be code,name,name_en,kind,source")
	}
	added := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for n, rec := range recs[1:] {
			in := InstitutionInput{Code: rec[0], Name: rec[1], NameEN: rec[2], Kind: rec[3]}
			if err := in.validate(); err != nil {
				return errs.E(errs.Invalid, "institutions file, row %d: %v", n+2, err)
			}
			var exists int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM institutions WHERE code = $1", in.Code).Scan(&exists); err != nil {
				return errs.Wrap(err, "load institutions")
			}
			if exists > 0 {
				continue
			}
			if _, err := s.insertInstitution(ctx, tx, auth.System, in, rec[4]); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, err
}
