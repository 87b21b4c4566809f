package regulation

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/vocab"
)

// Procedure is an administrative procedure as a TUPA (texto único de
// procedimientos administrativos) lists it.
type Procedure struct {
	ID            int64  `json:"id"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	Authority     string `json:"authority"`      // the code of the institution that runs it
	AuthorityName string `json:"authority_name"` // read only
	LegalDays     int    `json:"legal_days"`     // the legal term, in business days
	// Silence is what the applicant may take when the term passes without
	// an answer: approval (positive), denial (negative), or nothing to
	// wait for (automatic approval on filing).
	Silence      string   `json:"silence"`
	FeePEN       *float64 `json:"fee_pen"`  // soles; nil when not known, 0 when free
	FeeYear      int      `json:"fee_year"` // the year the fee is of (its UIT)
	Requirements []string `json:"requirements"`
	Steps        []string `json:"steps"`
	LegalBasis   []string `json:"legal_basis"` // norm codes
	Activities   []string `json:"activities"`  // plan activity codes (1.3.4, 3.4.3)
	Source       string   `json:"source"`
	Draft        bool     `json:"draft"`
	// InstitutionID is the institution that keeps the record.
	InstitutionID int64     `json:"institution_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// Owner is who may change the procedure and its cases: the institution
// that keeps the record.
func (p Procedure) Owner() auth.Owner { return keeper(p.InstitutionID) }

func (p Procedure) stamp() (id, version int64) { return p.ID, p.Version }

func (p *Procedure) keep(institution int64) { p.InstitutionID = institution }

// Silences are what silence means, with the Spanish words of the TUPA.
var Silences = vocab.List{{Code: "positive", ES: "positivo"}, {Code: "negative", ES: "negativo"}, {Code: "automatic", ES: "automatico"}}

// procedureKnown is what validating a procedure checks against.
type procedureKnown struct {
	institutions map[string]int64
	names        map[int64][2]string
	norms        map[string]int64
	activities   map[string]bool
}

func loadProcedureKnown(ctx context.Context, q querier) (procedureKnown, error) {
	var k procedureKnown
	var err error
	if k.institutions, k.names, err = institutionIDs(ctx, q); err != nil {
		return k, err
	}
	if k.norms, err = normCodes(ctx, q); err != nil {
		return k, err
	}
	k.activities, err = stringSet(ctx, q, "SELECT DISTINCT code FROM plan_activities")
	return k, err
}

// normalize puts a procedure in its stored form and returns the problems
// by JSON field.
func (c *Procedure) normalize(k procedureKnown, thisYear int) map[string]string {
	p := map[string]string{}
	c.Code, c.Name, c.Source = normalCode(c.Code), strings.TrimSpace(c.Name), strings.TrimSpace(c.Source)
	if msg := checkCode(c.Code); msg != "" {
		p["code"] = msg
	}
	if c.Name == "" {
		p["name"] = "required"
	}
	if id, ok := lookupInstitution(k.institutions, c.Authority); ok {
		c.Authority, c.AuthorityName = k.names[id][0], k.names[id][1]
	} else {
		p["authority"] = "the code of a registered institution (ITP, PRODUCE, DIREPRO-ILO…)"
	}
	if c.LegalDays < 0 || c.LegalDays > 3650 {
		p["legal_days"] = "a number of business days from 0 to 3650"
	}
	switch vocab.Fold(c.Silence) {
	case "si", "yes":
		c.Silence = "positive"
	case "no":
		c.Silence = "negative"
	}
	var ok bool
	if c.Silence, ok = Silences.Parse(c.Silence); !ok {
		p["silence"] = "one of " + Silences.Words()
	}
	if c.FeePEN != nil && *c.FeePEN < 0 {
		p["fee_pen"] = "an amount in soles, 0 or more"
	}
	if c.FeePEN == nil {
		c.FeeYear = 0
	} else if c.FeeYear == 0 {
		c.FeeYear = thisYear
	}
	if c.FeeYear != 0 && (c.FeeYear < 1990 || c.FeeYear > 2100) {
		p["fee_year"] = "a year between 1990 and 2100"
	}
	c.Requirements, c.Steps = cleanItems(c.Requirements), cleanItems(c.Steps)
	c.LegalBasis = sortedSet(c.LegalBasis, normalCode)
	for _, code := range c.LegalBasis {
		if k.norms[code] == 0 {
			p["legal_basis"] = "unknown norm " + code + ": give the codes of recorded norms"
		}
	}
	c.Activities = sortedSet(c.Activities, strings.TrimSpace)
	for _, a := range c.Activities {
		if !k.activities[a] {
			p["activities"] = "unknown plan activity " + a + ": use activity codes such as 3.4.3"
		}
	}
	return p
}

// cleanItems is a list's items trimmed, without empty ones, in order.
func cleanItems(items []string) []string {
	out := []string{}
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

const procedureColumns = `c.id, c.code, c.name, i.code, i.name, c.legal_days, c.silence, c.fee_pen, c.fee_year, c.source, c.draft,
	c.institution_id, c.created_at, c.updated_at, c.version`

const procedureFrom = " FROM procedures c JOIN institutions i ON i.id = c.authority_id"

func scanProcedure(row interface{ Scan(...any) error }) (Procedure, error) {
	var c Procedure
	var fee sql.NullFloat64
	var year, inst sql.NullInt64
	err := row.Scan(&c.ID, &c.Code, &c.Name, &c.Authority, &c.AuthorityName, &c.LegalDays, &c.Silence, &fee, &year, &c.Source,
		&c.Draft, &inst, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	if fee.Valid {
		c.FeePEN = &fee.Float64
	}
	c.FeeYear, c.InstitutionID = int(year.Int64), inst.Int64
	c.Requirements, c.Steps, c.LegalBasis, c.Activities = []string{}, []string{}, []string{}, []string{}
	return c, err
}

// loadProcedures reads the procedures a condition selects, with their lists.
func loadProcedures(ctx context.Context, q querier, where string, args ...any) ([]Procedure, error) {
	out, at, err := readRecords(ctx, q, "SELECT "+procedureColumns+procedureFrom+where+" ORDER BY c.code", args, scanProcedure)
	if err != nil || len(out) == 0 {
		return out, err
	}
	filter, fargs := "", []any{}
	if len(out) == 1 {
		filter, fargs = " WHERE x.procedure_id = $1", []any{out[0].ID}
	}
	for _, list := range []struct {
		query string
		add   func(c *Procedure, v string)
	}{
		{"SELECT x.procedure_id, x.kind || ' ' || x.text FROM procedure_items x" + filter + " ORDER BY x.procedure_id, x.kind, x.position",
			func(c *Procedure, v string) {
				kind, text, _ := strings.Cut(v, " ")
				if kind == "step" {
					c.Steps = append(c.Steps, text)
				} else {
					c.Requirements = append(c.Requirements, text)
				}
			}},
		{"SELECT x.procedure_id, n.code FROM procedure_norms x JOIN norms n ON n.id = x.norm_id" + filter + " ORDER BY n.code",
			func(c *Procedure, v string) { c.LegalBasis = append(c.LegalBasis, v) }},
		{"SELECT x.procedure_id, x.activity FROM procedure_activities x" + filter + " ORDER BY x.activity",
			func(c *Procedure, v string) { c.Activities = append(c.Activities, v) }},
	} {
		if err := eachPair(ctx, q, list.query, fargs, func(id int64, v string) {
			if i, ok := at[id]; ok {
				list.add(&out[i], v)
			}
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// procedure reads one procedure by code.
func procedure(ctx context.Context, q querier, code string) (Procedure, error) {
	list, err := loadProcedures(ctx, q, " WHERE c.code = $1", normalCode(code))
	if err != nil {
		return Procedure{}, err
	}
	if len(list) == 0 {
		return Procedure{}, errs.E(errs.NotFound, "no procedure %s", code)
	}
	return list[0], nil
}

// Fee is a procedure's fee in soles and as a share of the UIT of its year.
type Fee struct {
	PEN      *float64 `json:"pen"`
	UITShare *float64 `json:"uit_share"`
}

// ProcedureView is a procedure as pages show it.
type ProcedureView struct {
	Procedure
	Fee        Fee       `json:"fee"`
	UIT        *UIT      `json:"uit,omitempty"` // the UIT the share is of
	LegalNorms []NormRef `json:"legal_norms"`
}

// Procedure returns a procedure as p may see it (a draft only to who may
// change it), with its fee as a share of the UIT and its legal basis.
func (s *Service) Procedure(ctx context.Context, p auth.Principal, code string) (ProcedureView, error) {
	c, err := procedure(ctx, s.db.Read(), code)
	if err != nil {
		return ProcedureView{}, err
	}
	if !shown(p, c.Draft, c.Owner()) {
		return ProcedureView{}, errs.E(errs.NotFound, "no procedure %s", code)
	}
	g, err := loadGraph(ctx, s.db.Read())
	if err != nil {
		return ProcedureView{}, err
	}
	return s.procedureView(ctx, p, g, c)
}

func (s *Service) procedureView(ctx context.Context, p auth.Principal, g normGraph, c Procedure) (ProcedureView, error) {
	v := ProcedureView{Procedure: c, LegalNorms: []NormRef{}}
	for _, code := range c.LegalBasis {
		if n := g.byCode[code]; shown(p, n.Draft, n.Owner()) {
			v.LegalNorms = append(v.LegalNorms, g.ref(code))
		}
	}
	fee, uit, err := s.fee(ctx, c)
	v.Fee, v.UIT = fee, uit
	return v, err
}

// Procedures lists the procedures p may see, by code; authority, when not
// "", keeps those of one institution (by code).
func (s *Service) Procedures(ctx context.Context, p auth.Principal, authority string) ([]ProcedureView, error) {
	where, args := "", []any{}
	if authority != "" {
		where, args = " WHERE i.code = $1", []any{strings.ToUpper(authority)}
	}
	list, err := loadProcedures(ctx, s.db.Read(), where, args...)
	if err != nil {
		return nil, err
	}
	g, err := loadGraph(ctx, s.db.Read())
	if err != nil {
		return nil, err
	}
	out := []ProcedureView{}
	for _, c := range list {
		if !shown(p, c.Draft, c.Owner()) {
			continue
		}
		v, err := s.procedureView(ctx, p, g, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// CreateProcedure adds a procedure, kept by p's institution.
func (s *Service) CreateProcedure(ctx context.Context, p auth.Principal, c Procedure) (Procedure, error) {
	return s.saveProcedure(ctx, p, "", c)
}

// UpdateProcedure changes the procedure code; c.Version is the version
// the change is based on (0 skips the check).
func (s *Service) UpdateProcedure(ctx context.Context, p auth.Principal, code string, c Procedure) (Procedure, error) {
	return s.saveProcedure(ctx, p, code, c)
}

// saveProcedure adds c (code "") or writes it over the procedure code.
func (s *Service) saveProcedure(ctx context.Context, p auth.Principal, code string, c Procedure) (Procedure, error) {
	var out Procedure
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := keptBefore(ctx, tx, p, "procedure", code, &c, func() (Procedure, error) { return procedure(ctx, tx, code) })
		if err != nil {
			return err
		}
		k, err := loadProcedureKnown(ctx, tx)
		if err != nil {
			return err
		}
		if problems := c.normalize(k, s.Now().Year()); len(problems) > 0 {
			return errs.Fields("the procedure has invalid fields", problems)
		}
		out, err = s.writeProcedure(ctx, tx, p, before, c, k)
		return err
	})
	return out, err
}

// DeleteProcedure removes a procedure without cases that no requirement
// cites; version, when not 0, is the version the deletion is based on.
func (s *Service) DeleteProcedure(ctx context.Context, p auth.Principal, code string, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := procedure(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := changeable(ctx, tx, p, "procedure", before, version); err != nil {
			return err
		}
		var cases, cited int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM procedure_cases WHERE procedure_id = $1),
			(SELECT COUNT(*) FROM export_requirements WHERE procedure_id = $1)`, before.ID).Scan(&cases, &cited); err != nil {
			return errs.Wrap(err, "read procedure")
		}
		if cases > 0 {
			return errs.E(errs.Conflict, "the procedure has %d cases: delete them first", cases)
		}
		if cited > 0 {
			return errs.E(errs.Conflict, "%d export requirements cite the procedure: change them first", cited)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM procedures WHERE id = $1 AND version = $2", before.ID, before.Version)
		if err != nil {
			return errs.Wrap(err, "delete procedure")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleProcedure(ctx, tx, before)
		}
		if err := s.unindex(ctx, tx, "procedure", before.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Delete, "procedure", before.ID, before, nil)
	})
}

func staleProcedure(ctx context.Context, tx *sql.Tx, before Procedure) error {
	return stale(ctx, tx, "procedure", before, func() (Procedure, error) { return procedure(ctx, tx, before.Code) })
}

// writeProcedure adds c (before nil) or writes it over before, with its
// lists, index and audit entry.
func (s *Service) writeProcedure(ctx context.Context, tx *sql.Tx, p auth.Principal, before *Procedure, c Procedure, k procedureKnown) (Procedure, error) {
	authority, _ := lookupInstitution(k.institutions, c.Authority)
	var id int64
	var err error
	if before == nil {
		now := s.Now()
		err = tx.QueryRowContext(ctx, `INSERT INTO procedures (code, name, authority_id, legal_days, silence, fee_pen, fee_year, source,
			draft, institution_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			c.Code, c.Name, authority, c.LegalDays, c.Silence, c.FeePEN, nullYear(c.FeeYear), c.Source, c.Draft, nullID(c.InstitutionID),
			now).Scan(&id)
	} else {
		err = tx.QueryRowContext(ctx, `UPDATE procedures SET code = $1, name = $2, authority_id = $3, legal_days = $4, silence = $5,
			fee_pen = $6, fee_year = $7, source = $8, draft = $9, updated_at = $10, version = version + 1
			WHERE id = $11 AND version = $12 RETURNING id`,
			c.Code, c.Name, authority, c.LegalDays, c.Silence, c.FeePEN, nullYear(c.FeeYear), c.Source, c.Draft, s.Now(),
			before.ID, before.Version).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return c, staleProcedure(ctx, tx, *before)
		}
	}
	if db.IsUniqueViolation(err) {
		return c, errs.Fields("another procedure has this code", map[string]string{"code": "taken by another procedure: edit that one instead"})
	}
	if err != nil {
		return c, errs.Wrap(err, "write procedure")
	}
	if before != nil {
		for _, table := range []string{"procedure_items", "procedure_norms", "procedure_activities"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE procedure_id = $1", id); err != nil {
				return c, errs.Wrap(err, "write procedure")
			}
		}
	}
	for kind, items := range map[string][]string{"requirement": c.Requirements, "step": c.Steps} {
		for i, text := range items {
			if _, err := tx.ExecContext(ctx, "INSERT INTO procedure_items (procedure_id, kind, position, text) VALUES ($1, $2, $3, $4)",
				id, kind, i+1, text); err != nil {
				return c, errs.Wrap(err, "write procedure")
			}
		}
	}
	for _, code := range c.LegalBasis {
		if _, err := tx.ExecContext(ctx, "INSERT INTO procedure_norms (procedure_id, norm_id) VALUES ($1, $2)", id, k.norms[code]); err != nil {
			return c, errs.Wrap(err, "write procedure")
		}
	}
	for _, a := range c.Activities {
		if _, err := tx.ExecContext(ctx, "INSERT INTO procedure_activities (procedure_id, activity) VALUES ($1, $2)", id, a); err != nil {
			return c, errs.Wrap(err, "write procedure")
		}
	}
	out, err := procedure(ctx, tx, c.Code)
	if err != nil {
		return out, err
	}
	if err := s.index(ctx, tx, "procedure", out.ID, field{out.Name, weightTitle},
		field{strings.Join(slices.Concat([]string{out.Code, out.Authority, out.AuthorityName}, out.Requirements, out.Steps), " "), weightBody}); err != nil {
		return out, err
	}
	if before == nil {
		return out, audit.Record(ctx, tx, p, audit.Create, "procedure", out.ID, nil, out)
	}
	return out, audit.Record(ctx, tx, p, audit.Update, "procedure", out.ID, *before, out)
}

func nullYear(y int) sql.NullInt64 { return sql.NullInt64{Int64: int64(y), Valid: y != 0} }

// sameProcedure reports whether two procedures say the same.
func sameProcedure(a, b Procedure) bool {
	for _, c := range []*Procedure{&a, &b} {
		c.ID, c.CreatedAt, c.UpdatedAt, c.Version, c.InstitutionID = 0, time.Time{}, time.Time{}, 0, 0
	}
	return reflect.DeepEqual(a, b)
}
