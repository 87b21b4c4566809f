package regulation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sriim/internal/actors"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/vocab"
	"sriim/internal/workdays"
)

// Case is one file filed under a procedure: who filed it, when, when the
// authority observed it and when it was resolved, with what outcome.
type Case struct {
	ID            int64  `json:"id"`
	Procedure     string `json:"procedure"`   // the procedure's code
	FileNumber    string `json:"file_number"` // the authority's expediente
	ApplicantRUC  string `json:"applicant_ruc"`
	ApplicantName string `json:"applicant_name"`
	// ActorID and ActorName are the registered actor with the applicant's
	// RUC, when there is one (read only).
	ActorID   int64  `json:"actor_id,omitempty"`
	ActorName string `json:"actor_name,omitempty"`
	Filed     string `json:"filed"`    // YYYY-MM-DD
	Observed  string `json:"observed"` // "" when the authority raised no observation
	Resolved  string `json:"resolved"` // "" while the case is open
	Outcome   string `json:"outcome"`  // "" while open
	Note      string `json:"note"`
	// InstitutionID is the institution that keeps the procedure, and so the case.
	InstitutionID int64     `json:"institution_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// Owner is who may change the case: the keeper of its procedure.
func (c Case) Owner() auth.Owner { return keeper(c.InstitutionID) }

func (c Case) stamp() (id, version int64) { return c.ID, c.Version }

// shownTo reports whether p may read the case: who may change it, and the
// members of the applicant actor. The public sees only the figures.
func (c Case) shownTo(p auth.Principal) bool {
	return auth.Can(p, c.Owner()) || (c.ActorID != 0 && p.Role == auth.Member && p.ActorID == c.ActorID)
}

// Outcomes are how a case ends.
var Outcomes = vocab.List{{Code: "approved", ES: "aprobado"}, {Code: "denied", ES: "denegado"},
	{Code: "withdrawn", ES: "desistido"}, {Code: "abandoned", ES: "abandono"}}

// CaseView is a case with its durations.
type CaseView struct {
	Case
	CalendarDays *int `json:"calendar_days"` // resolved − filed; nil while open
	BusinessDays *int `json:"business_days"` // business days after filing up to resolution
	// Due is the last day of the legal term.
	Due         string `json:"due"`
	WithinLegal *bool  `json:"within_legal"`
}

const caseColumns = `c.id, p.code, c.file_number, c.applicant_ruc, c.applicant_name, COALESCE(a.id, 0), COALESCE(a.name, ''),
	c.filed, c.observed, c.resolved, c.outcome, c.note, p.institution_id, c.created_at, c.updated_at, c.version`

const caseFrom = ` FROM procedure_cases c JOIN procedures p ON p.id = c.procedure_id
	LEFT JOIN actors a ON a.ruc = c.applicant_ruc AND c.applicant_ruc <> ''`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var inst sql.NullInt64
	err := row.Scan(&c.ID, &c.Procedure, &c.FileNumber, &c.ApplicantRUC, &c.ApplicantName, &c.ActorID, &c.ActorName,
		&c.Filed, &c.Observed, &c.Resolved, &c.Outcome, &c.Note, &inst, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	c.InstitutionID = inst.Int64
	return c, err
}

func loadCases(ctx context.Context, q querier, where string, args ...any) ([]Case, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+caseColumns+caseFrom+where+" ORDER BY c.filed, c.id", args...)
	if err != nil {
		return nil, errs.Wrap(err, "read cases")
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, errs.Wrap(err, "read cases")
		}
		out = append(out, c)
	}
	return out, errs.Wrap(rows.Err(), "read cases")
}

func loadCase(ctx context.Context, q querier, id int64) (Case, error) {
	list, err := loadCases(ctx, q, " WHERE c.id = $1", id)
	if err != nil {
		return Case{}, err
	}
	if len(list) == 0 {
		return Case{}, errs.E(errs.NotFound, "no case %d", id)
	}
	return list[0], nil
}

// durations fills a case's durations from the calendar.
func durations(c Case, legalDays int, cal workdays.Calendar) (CaseView, error) {
	v := CaseView{Case: c}
	filed, err := time.Parse(workdays.Layout, c.Filed)
	if err != nil {
		return v, errs.Wrap(err, "read case %d", c.ID)
	}
	if due, err := cal.Add(filed, legalDays); err == nil {
		v.Due = due.Format(workdays.Layout)
	}
	if c.Resolved == "" {
		return v, nil
	}
	resolved, err := time.Parse(workdays.Layout, c.Resolved)
	if err != nil {
		return v, errs.Wrap(err, "read case %d", c.ID)
	}
	bd, err := cal.Between(filed, resolved)
	var uncovered workdays.UncoveredError
	if errors.As(err, &uncovered) {
		return v, errs.E(errs.Conflict, "the holiday calendar does not cover %d: an administrator adds its holidays first", uncovered.Year)
	}
	cd := workdays.CalendarDays(filed, resolved)
	within := bd <= legalDays
	v.CalendarDays, v.BusinessDays, v.WithinLegal = &cd, &bd, &within
	return v, nil
}

// Cases lists the cases of a procedure that p may read, by filing date.
func (s *Service) Cases(ctx context.Context, p auth.Principal, procedureCode string) ([]CaseView, error) {
	c, err := procedure(ctx, s.db.Read(), procedureCode)
	if err != nil {
		return nil, err
	}
	if !shown(p, c.Draft, c.Owner()) {
		return nil, errs.E(errs.NotFound, "no procedure %s", procedureCode)
	}
	list, err := loadCases(ctx, s.db.Read(), " WHERE c.procedure_id = $1", c.ID)
	if err != nil {
		return nil, err
	}
	cal, err := s.days.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	out := []CaseView{}
	for _, k := range list {
		if !k.shownTo(p) {
			continue
		}
		v, err := durations(k, c.LegalDays, cal)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Case returns one case, to who may read it.
func (s *Service) Case(ctx context.Context, p auth.Principal, id int64) (CaseView, error) {
	k, err := loadCase(ctx, s.db.Read(), id)
	if err != nil {
		return CaseView{}, err
	}
	if !k.shownTo(p) {
		return CaseView{}, errs.E(errs.NotFound, "no case %d", id)
	}
	c, err := procedure(ctx, s.db.Read(), k.Procedure)
	if err != nil {
		return CaseView{}, err
	}
	cal, err := s.days.Calendar(ctx)
	if err != nil {
		return CaseView{}, err
	}
	return durations(k, c.LegalDays, cal)
}

// caseKnown is what validating a case checks against.
type caseKnown struct {
	procedures map[string]Procedure
	calendar   workdays.Calendar
	today      string
}

func (s *Service) loadCaseKnown(ctx context.Context, q querier) (caseKnown, error) {
	k := caseKnown{procedures: map[string]Procedure{}, today: s.Now().Format(workdays.Layout)}
	rows, err := q.QueryContext(ctx, "SELECT "+procedureColumns+procedureFrom)
	if err != nil {
		return k, errs.Wrap(err, "read procedures")
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanProcedure(rows)
		if err != nil {
			return k, errs.Wrap(err, "read procedures")
		}
		k.procedures[c.Code] = c
	}
	if err := rows.Err(); err != nil {
		return k, errs.Wrap(err, "read procedures")
	}
	k.calendar, err = s.days.Calendar(ctx)
	return k, err
}

// normalize puts a case in its stored form and returns the problems by
// JSON field; it sets the case's keeper from its procedure.
func (c *Case) normalize(k caseKnown) map[string]string {
	p := map[string]string{}
	c.Procedure = normalCode(c.Procedure)
	c.FileNumber, c.ApplicantName, c.Note = strings.TrimSpace(c.FileNumber), strings.TrimSpace(c.ApplicantName), strings.TrimSpace(c.Note)
	c.ApplicantRUC = strings.TrimSpace(c.ApplicantRUC)
	if proc, ok := k.procedures[c.Procedure]; ok {
		c.InstitutionID = proc.InstitutionID
	} else {
		p["procedure"] = "the code of a recorded procedure"
	}
	if c.ApplicantRUC != "" {
		if err := actors.ValidRUC(c.ApplicantRUC); err != nil {
			p["applicant_ruc"] = err.Message
		}
	}
	var ok bool
	for _, d := range []struct {
		field string
		value *string
	}{{"filed", &c.Filed}, {"observed", &c.Observed}, {"resolved", &c.Resolved}} {
		if *d.value, ok = parseDate(*d.value); !ok {
			p[d.field] = dateHint
		} else if *d.value > k.today {
			p[d.field] = "not after today"
		}
	}
	switch {
	case c.Filed == "" && p["filed"] == "":
		p["filed"] = "required: the day the case was filed"
	case c.Observed != "" && c.Observed < c.Filed:
		p["observed"] = "not before the day it was filed"
	case c.Resolved != "" && c.Resolved < c.Filed:
		p["resolved"] = "not before the day it was filed"
	case c.Resolved != "" && c.Observed > c.Resolved:
		p["observed"] = "not after the day it was resolved"
	}
	if c.Outcome = strings.TrimSpace(c.Outcome); c.Outcome != "" {
		if c.Outcome, ok = Outcomes.Parse(c.Outcome); !ok {
			p["outcome"] = "one of " + Outcomes.Words()
		}
	}
	switch {
	case c.Resolved != "" && c.Outcome == "" && p["outcome"] == "":
		p["outcome"] = "a resolved case has an outcome: one of " + Outcomes.Words()
	case c.Resolved == "" && c.Outcome != "":
		p["resolved"] = "a case with an outcome has the day it was resolved"
	}
	if len(p) == 0 && c.Resolved != "" {
		filed, _ := time.Parse(workdays.Layout, c.Filed)
		resolved, _ := time.Parse(workdays.Layout, c.Resolved)
		var uncovered workdays.UncoveredError
		if _, err := k.calendar.Between(filed, resolved); errors.As(err, &uncovered) {
			p["resolved"] = fmt.Sprintf("the holiday calendar does not cover %d: an administrator adds its holidays first", uncovered.Year)
		}
	}
	c.ActorID, c.ActorName = 0, ""
	return p
}

// CreateCase records a case of a procedure that p may change.
func (s *Service) CreateCase(ctx context.Context, p auth.Principal, c Case) (Case, error) {
	return s.saveCase(ctx, p, 0, c)
}

// UpdateCase changes a case; c.Version is the version the change is
// based on (0 skips the check). A case stays with its procedure's keeper.
func (s *Service) UpdateCase(ctx context.Context, p auth.Principal, id int64, c Case) (Case, error) {
	return s.saveCase(ctx, p, id, c)
}

// saveCase adds c (id 0) or writes it over the case id; p must be able to
// change the case's procedure (both of them, when it moves).
func (s *Service) saveCase(ctx context.Context, p auth.Principal, id int64, c Case) (Case, error) {
	if p.Anonymous() {
		return c, errs.E(errs.Unauthenticated, "log in to make changes")
	}
	var out Case
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var before *Case
		if id != 0 {
			b, err := loadCase(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := changeable(ctx, tx, p, "procedure_case", b, c.Version); err != nil {
				return err
			}
			before = &b
		}
		k, err := s.loadCaseKnown(ctx, tx)
		if err != nil {
			return err
		}
		problems := c.normalize(k)
		if proc, ok := k.procedures[c.Procedure]; ok {
			if err := auth.Authorize(p, proc.Owner()); err != nil {
				return err
			}
		}
		if len(problems) > 0 {
			return errs.Fields("the case has invalid fields", problems)
		}
		out, err = s.writeCase(ctx, tx, p, before, c, k)
		return err
	})
	return out, err
}

// DeleteCase removes a case; version, when not 0, is the version the
// deletion is based on.
func (s *Service) DeleteCase(ctx context.Context, p auth.Principal, id, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := loadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := changeable(ctx, tx, p, "procedure_case", before, version); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM procedure_cases WHERE id = $1 AND version = $2", id, before.Version)
		if err != nil {
			return errs.Wrap(err, "delete case")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleCase(ctx, tx, before)
		}
		return audit.Record(ctx, tx, p, audit.Delete, "procedure_case", id, before, nil)
	})
}

func staleCase(ctx context.Context, tx *sql.Tx, before Case) error {
	return stale(ctx, tx, "procedure_case", before, func() (Case, error) { return loadCase(ctx, tx, before.ID) })
}

// writeCase adds c (before nil) or writes it over before, and records it.
func (s *Service) writeCase(ctx context.Context, tx *sql.Tx, p auth.Principal, before *Case, c Case, k caseKnown) (Case, error) {
	proc := k.procedures[c.Procedure]
	var id int64
	var err error
	if before == nil {
		now := s.Now()
		err = tx.QueryRowContext(ctx, `INSERT INTO procedure_cases (procedure_id, file_number, applicant_ruc, applicant_name, filed,
			observed, resolved, outcome, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			proc.ID, c.FileNumber, c.ApplicantRUC, c.ApplicantName, c.Filed, c.Observed, c.Resolved, c.Outcome, c.Note, now).Scan(&id)
	} else {
		err = tx.QueryRowContext(ctx, `UPDATE procedure_cases SET procedure_id = $1, file_number = $2, applicant_ruc = $3,
			applicant_name = $4, filed = $5, observed = $6, resolved = $7, outcome = $8, note = $9, updated_at = $10,
			version = version + 1 WHERE id = $11 AND version = $12 RETURNING id`,
			proc.ID, c.FileNumber, c.ApplicantRUC, c.ApplicantName, c.Filed, c.Observed, c.Resolved, c.Outcome, c.Note, s.Now(),
			before.ID, before.Version).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return c, staleCase(ctx, tx, *before)
		}
	}
	if db.IsUniqueViolation(err) {
		return c, errs.Fields("another case of this procedure has this file number", map[string]string{"file_number": "taken by another case"})
	}
	if err != nil {
		return c, errs.Wrap(err, "write case")
	}
	out, err := loadCase(ctx, tx, id)
	if err != nil {
		return out, err
	}
	if before == nil {
		return out, audit.Record(ctx, tx, p, audit.Create, "procedure_case", id, nil, out)
	}
	return out, audit.Record(ctx, tx, p, audit.Update, "procedure_case", id, *before, out)
}

// sameCase reports whether two cases say the same.
func sameCase(a, b Case) bool {
	return a.Procedure == b.Procedure && a.FileNumber == b.FileNumber && a.ApplicantRUC == b.ApplicantRUC &&
		a.ApplicantName == b.ApplicantName && a.Filed == b.Filed && a.Observed == b.Observed && a.Resolved == b.Resolved &&
		a.Outcome == b.Outcome && a.Note == b.Note
}
