package zones

import (
	"context"
	"database/sql"
	"io"
	"strconv"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/importer"
)

// Closure closes a production area from a day to a day (both included;
// To is empty while it lasts).
type Closure struct {
	ID            int64     `json:"id"`
	AreaID        int64     `json:"area_id"`
	AreaCode      string    `json:"area"`
	AreaName      string    `json:"area_name,omitempty"`
	Reason        string    `json:"reason"`
	From          string    `json:"from"`
	To            string    `json:"to,omitempty"`
	Resolution    string    `json:"resolution,omitempty"`
	Notes         string    `json:"notes,omitempty"`
	InstitutionID int64     `json:"institution_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// Covers reports whether the closure covers day (YYYY-MM-DD).
func (c Closure) Covers(day string) bool { return c.From <= day && (c.To == "" || c.To >= day) }

// Owner says who may change the closure: the institution that keeps it.
func (c Closure) Owner() auth.Owner { return auth.Owner{Institution: c.InstitutionID} }

const closureColumns = `c.id, c.area_id, z.code, z.name, c.reason, c.starts, c.ends, c.resolution, c.notes, c.institution_id,
	c.created_at, c.updated_at, c.version`

func scanClosure(row interface{ Scan(...any) error }) (Closure, error) {
	var c Closure
	var inst sql.NullInt64
	err := row.Scan(&c.ID, &c.AreaID, &c.AreaCode, &c.AreaName, &c.Reason, &c.From, &c.To, &c.Resolution, &c.Notes, &inst,
		&c.CreatedAt, &c.UpdatedAt, &c.Version)
	c.InstitutionID = inst.Int64
	return c, err
}

func closures(ctx context.Context, q querier, where string, args ...any) ([]Closure, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+closureColumns+" FROM zone_closures c JOIN zones z ON z.id = c.area_id WHERE "+
		where+" ORDER BY c.starts DESC, c.id DESC", args...)
	if err != nil {
		return nil, errs.Wrap(err, "read closures")
	}
	defer rows.Close()
	out := []Closure{}
	for rows.Next() {
		c, err := scanClosure(rows)
		if err != nil {
			return nil, errs.Wrap(err, "read closures")
		}
		out = append(out, c)
	}
	return out, errs.Wrap(rows.Err(), "read closures")
}

// AreaClosures lists a production area's closures, newest first.
func (s *Service) AreaClosures(ctx context.Context, areaID int64) ([]Closure, error) {
	return closures(ctx, s.db.Read(), "c.area_id = $1", areaID)
}

// ClosedOn lists the closures in force on day, by area code: what the
// "closed today" panels show.
func (s *Service) ClosedOn(ctx context.Context, day string) ([]Closure, error) {
	list, err := closures(ctx, s.db.Read(), "c.starts <= $1 AND (c.ends = '' OR c.ends >= $1)", day)
	if err != nil {
		return nil, err
	}
	// One line per area: the latest closure that covers the day.
	seen := map[int64]bool{}
	out := list[:0]
	for _, c := range list {
		if !seen[c.AreaID] {
			seen[c.AreaID] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// closuresOn returns, for each of the areas that a closure covers on day,
// the latest such closure.
func closuresOn(ctx context.Context, q querier, areaIDs []int64, day string) (map[int64]Closure, error) {
	out := map[int64]Closure{}
	if len(areaIDs) == 0 {
		return out, nil
	}
	args := []any{day}
	var ph []string
	for _, id := range areaIDs {
		args = append(args, id)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	list, err := closures(ctx, q, "c.starts <= $1 AND (c.ends = '' OR c.ends >= $1) AND c.area_id IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if _, ok := out[c.AreaID]; !ok {
			out[c.AreaID] = c
		}
	}
	return out, nil
}

// ClosureColumns are the columns of a closures file.
var ClosureColumns = []string{"area", "motivo", "desde", "hasta", "resolucion", "notas"}

// ImportClosures reads closures from a CSV or XLSX file with the columns
// area (a production area's code), motivo, desde, hasta, resolucion and
// notas: all of them or none, every problem reported by row and column. A
// closure of the same area from the same day updates the one stored.
func (s *Service) ImportClosures(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	if p.Anonymous() {
		return ImportReport{}, errs.E(errs.Unauthenticated, "log in to import")
	}
	t, err := importer.Read(r, filename, ClosureColumns[:3])
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Features: len(t.Rows)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var probs importer.Problems
		list := make([]Closure, len(t.Rows))
		first := map[string]int{}
		for i, row := range t.Rows {
			c := Closure{InstitutionID: institutionFor(p), AreaCode: row.Get("area"), Resolution: row.Get("resolucion"), Notes: row.Get("notas")}
			if c.AreaCode == "" {
				probs.Add(row.Line, "area", "required")
			} else if area, err := feature(ctx, tx, "z.layer = $1 AND z.code = $2", ProductionArea, c.AreaCode); errs.Is(err, errs.NotFound) {
				probs.Add(row.Line, "area", "%q is not a production area's code", c.AreaCode)
			} else if err != nil {
				return err
			} else {
				c.AreaID = area.ID
			}
			var bad *errs.Error
			if c.Reason, bad = parseTerm(Reasons, row.Get("motivo")); bad != nil {
				probs.Add(row.Line, "motivo", bad.Msg.Format, bad.Msg.Args...)
			}
			if c.From, bad = parseDate(row.Get("desde")); bad != nil {
				probs.Add(row.Line, "desde", bad.Msg.Format, bad.Msg.Args...)
			} else if c.From == "" {
				probs.Add(row.Line, "desde", "required")
			}
			if c.To, bad = parseDate(row.Get("hasta")); bad != nil {
				probs.Add(row.Line, "hasta", bad.Msg.Format, bad.Msg.Args...)
			} else if c.To != "" && c.To < c.From {
				probs.Add(row.Line, "hasta", "ends (%s) before it starts (%s)", c.To, c.From)
			}
			key := c.AreaCode + "\x00" + c.From
			if line, dup := first[key]; dup {
				probs.Add(row.Line, "", "repeats the closure of row %d", line)
			}
			first[key] = row.Line
			list[i] = c
		}
		if probs.Len() > 0 {
			return probs.Err()
		}
		var forbidden importer.Problems
		for i, c := range list {
			line := t.Rows[i].Line
			found, err := closures(ctx, tx, "c.area_id = $1 AND c.starts = $2", c.AreaID, c.From)
			if err != nil {
				return err
			}
			if len(found) == 0 {
				if !auth.Can(p, c.Owner()) {
					forbidden.Add(line, "", "you may not add closures")
					continue
				}
				if err := s.insertClosure(ctx, tx, p, c); err != nil {
					return err
				}
				rep.Created++
				continue
			}
			before := found[0]
			if before.Reason == c.Reason && before.To == c.To && before.Resolution == c.Resolution && before.Notes == c.Notes {
				rep.Unchanged++
				continue
			}
			if !auth.Can(p, before.Owner()) {
				forbidden.Add(line, "", "the closure is kept by another institution")
				continue
			}
			if err := s.updateClosure(ctx, tx, p, before, c); err != nil {
				return err
			}
			rep.Updated++
		}
		if forbidden.Len() > 0 {
			return forbidden.Err().(*errs.Error).Reword(errs.Forbidden, "you may not change some of these closures; nothing was imported")
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

func (s *Service) insertClosure(ctx context.Context, tx *sql.Tx, p auth.Principal, c Closure) error {
	now := s.Now()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO zone_closures (area_id, reason, starts, ends, resolution, notes, institution_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		c.AreaID, c.Reason, c.From, c.To, c.Resolution, c.Notes, nullID(c.InstitutionID), now).Scan(&id)
	if err != nil {
		return errs.Wrap(err, "store closure")
	}
	out, err := closures(ctx, tx, "c.id = $1", id)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, p, audit.Create, "zone_closure", id, nil, out[0])
}

func (s *Service) updateClosure(ctx context.Context, tx *sql.Tx, p auth.Principal, before, c Closure) error {
	res, err := tx.ExecContext(ctx, `UPDATE zone_closures SET reason = $1, ends = $2, resolution = $3, notes = $4, updated_at = $5,
		version = version + 1 WHERE id = $6 AND version = $7`, c.Reason, c.To, c.Resolution, c.Notes, s.Now(), before.ID, before.Version)
	if err != nil {
		return errs.Wrap(err, "update closure")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "the closure of %s from %s changed while importing: import again", before.AreaCode, before.From)
	}
	out, err := closures(ctx, tx, "c.id = $1", before.ID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, p, audit.Update, "zone_closure", before.ID, before, out[0])
}
