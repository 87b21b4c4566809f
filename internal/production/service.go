package production

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/importer"
)

// Service is the production module.
type Service struct {
	db  *db.DB
	Now func() time.Time
}

// New returns the production service over d.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC() }}
}

const columns = `id, species, presentation, origin, place, measure, year, month, year_to, period_text, share_of,
	value, unit, amount, currency, source, source_ref, status, note, institution_id, created_at, updated_at, version`

func scan(row interface{ Scan(...any) error }) (Observation, error) {
	var o Observation
	var amount sql.NullFloat64
	var inst sql.NullInt64
	err := row.Scan(&o.ID, &o.Species, &o.Presentation, &o.Origin, &o.Place, &o.Measure, &o.Year, &o.Month, &o.YearTo,
		&o.PeriodText, &o.ShareOf, &o.Value, &o.Unit, &amount, &o.Currency, &o.Source, &o.SourceRef, &o.Status, &o.Note,
		&inst, &o.CreatedAt, &o.UpdatedAt, &o.Version)
	if amount.Valid {
		o.Amount = &amount.Float64
	}
	o.InstitutionID = inst.Int64
	return o, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) known(ctx context.Context, q querier) (known, error) {
	k := known{species: map[string]bool{}, places: map[string]bool{}}
	for table, set := range map[string]map[string]bool{"species": k.species, "places": k.places} {
		rows, err := q.QueryContext(ctx, "SELECT code FROM "+table)
		if err != nil {
			return k, errs.Wrap(err, "read %s", table)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return k, errs.Wrap(err, "read %s", table)
			}
			set[c] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return k, errs.Wrap(err, "read %s", table)
		}
	}
	return k, nil
}

// Observation returns one observation.
func (s *Service) Observation(ctx context.Context, id int64) (Observation, error) {
	return observation(ctx, s.db.Read(), id)
}

func observation(ctx context.Context, q querier, id int64) (Observation, error) {
	o, err := scan(q.QueryRowContext(ctx, "SELECT "+columns+" FROM production_observations WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.E(errs.NotFound, "no observation %d", id)
	}
	return o, errs.Wrap(err, "read observation")
}

// changeable reads, in tx, an observation p may change.
func changeable(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64) (Observation, error) {
	o, err := observation(ctx, tx, id)
	if err != nil {
		return o, err
	}
	return o, auth.Authorize(p, o.Owner())
}

// stale is the Conflict of a change based on version read of observation id.
func stale(ctx context.Context, tx *sql.Tx, id, read int64) error {
	current, err := observation(ctx, tx, id)
	if err != nil {
		return err
	}
	return audit.Stale(ctx, tx, "production_observation", id, read, current.Version, current)
}

// Revision is an earlier value of an observation.
type Revision struct {
	Value      float64   `json:"value"`
	Unit       string    `json:"unit"`
	Status     string    `json:"status"`
	SourceRef  string    `json:"source_ref"`
	Note       string    `json:"note"`
	ReplacedAt time.Time `json:"replaced_at"`
	ReplacedBy string    `json:"replaced_by"`
}

// History lists an observation's earlier values, newest first.
func (s *Service) History(ctx context.Context, id int64) ([]Revision, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT value, unit, status, source_ref, note, replaced_at, replaced_by
		FROM production_revisions WHERE observation_id = $1 ORDER BY id DESC`, id)
	if err != nil {
		return nil, errs.Wrap(err, "read revisions")
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		if err := rows.Scan(&r.Value, &r.Unit, &r.Status, &r.SourceRef, &r.Note, &r.ReplacedAt, &r.ReplacedBy); err != nil {
			return nil, errs.Wrap(err, "read revisions")
		}
		out = append(out, r)
	}
	return out, errs.Wrap(rows.Err(), "read revisions")
}

// institutionFor is the institution that will own what p creates: the
// first of p's institutions (an administrator may have none).
func institutionFor(p auth.Principal) int64 {
	if len(p.Institutions) > 0 {
		return p.Institutions[0]
	}
	return 0
}

// NewOwner is the owner of the figures p adds: p's institution.
func NewOwner(p auth.Principal) auth.Owner {
	return Observation{InstitutionID: institutionFor(p)}.Owner()
}

// CanCreate reports whether p may add production figures.
func CanCreate(p auth.Principal) bool { return auth.Can(p, NewOwner(p)) }

// apiProblems renames problems from template columns to JSON field names.
func apiProblems(p map[string]string) map[string]string {
	out := map[string]string{}
	for col, msg := range p {
		out[jsonField[col]] = msg
	}
	return out
}

// Create adds one observation, owned by the acting user's institution.
func (s *Service) Create(ctx context.Context, p auth.Principal, o Observation) (Observation, error) {
	o.InstitutionID = institutionFor(p)
	if err := auth.Authorize(p, o.Owner()); err != nil {
		return o, err
	}
	var out Observation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := s.known(ctx, tx)
		if err != nil {
			return err
		}
		if problems := o.validate(k); len(problems) > 0 {
			return errs.Fields("the observation has invalid fields", apiProblems(problems))
		}
		out, err = s.insert(ctx, tx, p, o)
		return err
	})
	return out, err
}

func (s *Service) insert(ctx context.Context, tx *sql.Tx, p auth.Principal, o Observation) (Observation, error) {
	now := s.Now()
	out, err := scan(tx.QueryRowContext(ctx, `INSERT INTO production_observations (species, presentation, origin, place, measure,
		year, month, year_to, period_text, share_of, value, unit, amount, currency, source, source_ref, status, note,
		institution_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
		RETURNING `+columns,
		o.Species, o.Presentation, o.Origin, o.Place, o.Measure, o.Year, o.Month, o.YearTo, o.PeriodText, o.ShareOf,
		o.Value, o.Unit, o.Amount, o.Currency, o.Source, o.SourceRef, o.Status, o.Note, nullID(o.InstitutionID), now))
	if db.IsUniqueViolation(err) {
		return out, errs.E(errs.Conflict, "this figure (species, presentation, origin, place, measure, period and source) is already recorded: edit it instead")
	}
	if err != nil {
		return out, errs.Wrap(err, "create observation")
	}
	return out, audit.Record(ctx, tx, p, audit.Create, "production_observation", out.ID, nil, out)
}

// Update changes an observation; the previous value goes to its history.
// o.Version is the version the change is based on: when the figure has
// changed since, Update refuses with a Conflict that lists what changed (0
// skips this check; forms and the API always give it).
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, o Observation) (Observation, error) {
	var out Observation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := changeable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if o.Version != 0 && o.Version != before.Version {
			return stale(ctx, tx, id, o.Version)
		}
		k, err := s.known(ctx, tx)
		if err != nil {
			return err
		}
		if problems := o.validate(k); len(problems) > 0 {
			return errs.Fields("the observation has invalid fields", apiProblems(problems))
		}
		o.InstitutionID = before.InstitutionID
		out, err = s.update(ctx, tx, p, before, o)
		return err
	})
	return out, err
}

func (s *Service) update(ctx context.Context, tx *sql.Tx, p auth.Principal, before, o Observation) (Observation, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO production_revisions (observation_id, value, unit, status, source_ref, note, replaced_at, replaced_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, before.ID, before.Value, before.Unit, before.Status, before.SourceRef, before.Note, s.Now(), p.Email); err != nil {
		return o, errs.Wrap(err, "keep revision")
	}
	out, err := scan(tx.QueryRowContext(ctx, `UPDATE production_observations SET species = $1, presentation = $2, origin = $3,
		place = $4, measure = $5, year = $6, month = $7, year_to = $8, period_text = $9, share_of = $10, value = $11, unit = $12,
		amount = $13, currency = $14, source = $15, source_ref = $16, status = $17, note = $18, updated_at = $19, version = version + 1
		WHERE id = $20 AND version = $21 RETURNING `+columns,
		o.Species, o.Presentation, o.Origin, o.Place, o.Measure, o.Year, o.Month, o.YearTo, o.PeriodText, o.ShareOf,
		o.Value, o.Unit, o.Amount, o.Currency, o.Source, o.SourceRef, o.Status, o.Note, s.Now(), before.ID, before.Version))
	if errors.Is(err, sql.ErrNoRows) {
		// Another instance changed the figure after this transaction read it.
		return out, stale(ctx, tx, before.ID, before.Version)
	}
	if db.IsUniqueViolation(err) {
		return out, errs.E(errs.Conflict, "another observation already records this figure")
	}
	if err != nil {
		return out, errs.Wrap(err, "update observation")
	}
	return out, audit.Record(ctx, tx, p, audit.Update, "production_observation", out.ID, before, out)
}

// Delete removes an observation and its history; version, when not 0, is
// the version the deletion is based on, as for Update.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := changeable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if version != 0 && version != before.Version {
			return stale(ctx, tx, id, version)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM production_observations WHERE id = $1 AND version = $2", id, before.Version)
		if err != nil {
			return errs.Wrap(err, "delete observation")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return stale(ctx, tx, id, before.Version)
		}
		return audit.Record(ctx, tx, p, audit.Delete, "production_observation", id, before, nil)
	})
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Encoding is "windows-1252" when a CSV file was read as such (it was not UTF-8).
	Encoding string `json:"encoding,omitempty"`
}

// Import reads a CSV or XLSX file in the template's format and writes all
// of it or nothing: every problem is reported with its row and column. A
// row whose figure is already recorded (same species, presentation, origin,
// place, measure, period and source) updates it, keeping the old value in
// its history, so importing the same file twice adds nothing.
func (s *Service) Import(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	var rep ImportReport
	if p.Anonymous() {
		return rep, errs.E(errs.Unauthenticated, "log in to import")
	}
	t, err := importer.Read(r, filename, requiredColumns)
	if err != nil {
		return rep, err
	}
	return s.importTable(ctx, p, t, institutionFor(p))
}

func (s *Service) importTable(ctx context.Context, p auth.Principal, t *importer.Table, institution int64) (ImportReport, error) {
	rep := ImportReport{Rows: len(t.Rows), Encoding: t.Encoding}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := s.known(ctx, tx)
		if err != nil {
			return err
		}
		var problems importer.Problems
		obs := make([]Observation, len(t.Rows))
		firstLine := map[string]int{}
		for i, row := range t.Rows {
			o, pr := fromCells(row.Get)
			if len(pr) == 0 {
				pr = o.validate(k)
			}
			for col, msg := range pr {
				problems.Add(row.Line, col, "%s", msg)
			}
			if len(pr) == 0 {
				if line, dup := firstLine[o.key()]; dup {
					problems.Add(row.Line, "", "repeats the figure of row %d", line)
				}
				firstLine[o.key()] = row.Line
			}
			o.InstitutionID = institution
			obs[i] = o
		}
		if problems.Len() > 0 {
			return problems.Err()
		}
		var forbidden importer.Problems
		for i, o := range obs {
			existing, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+` FROM production_observations
				WHERE species = $1 AND presentation = $2 AND origin = $3 AND place = $4 AND measure = $5 AND year = $6
				AND month = $7 AND year_to = $8 AND share_of = $9 AND source = $10`,
				o.Species, o.Presentation, o.Origin, o.Place, o.Measure, o.Year, o.Month, o.YearTo, o.ShareOf, o.Source))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if !auth.Can(p, o.Owner()) {
					forbidden.Add(t.Rows[i].Line, "", "you may not add production figures")
					continue
				}
				if _, err := s.insert(ctx, tx, p, o); err != nil {
					return err
				}
				rep.Created++
			case err != nil:
				return errs.Wrap(err, "look up observation")
			case existing.sameFigure(o):
				rep.Unchanged++
			default:
				if !auth.Can(p, existing.Owner()) {
					forbidden.Add(t.Rows[i].Line, "", "the figure is kept by another institution")
					continue
				}
				o.InstitutionID = existing.InstitutionID
				if _, err := s.update(ctx, tx, p, existing, o); err != nil {
					return err
				}
				rep.Updated++
			}
		}
		if forbidden.Len() > 0 {
			return forbidden.Err().(*errs.Error).Reword(errs.Forbidden, "you may not change some of these figures; nothing was imported")
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// LoadSeed imports the seed's production figures as the system, owned by institution.
func (s *Service) LoadSeed(ctx context.Context, r io.Reader, institution int64) (int, error) {
	t, err := importer.Read(r, "production.csv", requiredColumns)
	if err != nil {
		return 0, err
	}
	rep, err := s.importTable(ctx, auth.System, t, institution)
	return rep.Created, err
}

// Filter selects observations for export; empty fields select everything.
type Filter struct {
	Species, Places []string
	From, To        int
}

// Export returns the template's header and the matching observations as rows.
func (s *Service) Export(ctx context.Context, f Filter) ([]string, [][]string, error) {
	where, args := f.where()
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM production_observations"+where+
		" ORDER BY place, species, measure, presentation, origin, year, month, source", args...)
	if err != nil {
		return nil, nil, errs.Wrap(err, "export observations")
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, nil, errs.Wrap(err, "export observations")
		}
		out = append(out, o.Cells())
	}
	return Columns, out, errs.Wrap(rows.Err(), "export observations")
}

// where builds the SQL condition of a filter.
func (f Filter) where() (string, []any) {
	var cond []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		var ph []string
		for _, v := range vals {
			args = append(args, v)
			ph = append(ph, "$"+itoa(len(args)))
		}
		cond = append(cond, col+" IN ("+strings.Join(ph, ", ")+")")
	}
	in("species", f.Species)
	in("place", f.Places)
	if f.From != 0 {
		args = append(args, f.From)
		cond = append(cond, "year >= $"+itoa(len(args)))
	}
	if f.To != 0 {
		args = append(args, f.To)
		cond = append(cond, "year <= $"+itoa(len(args)))
	}
	if len(cond) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(cond, " AND "), args
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
