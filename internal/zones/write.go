package zones

import (
	"context"
	"database/sql"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
)

const writeColumns = `layer, code, name, geometry, source_geometry, source_srs, min_lon, min_lat, max_lon, max_lat,
	hectares, valid_from, valid_to, species, kind, holder, holder_ruc, resolution, resolution_date, hectares_declared,
	status, class, class_date, district, operator, vessels, fishers, notes, source`

func (f Feature) writeArgs() []any {
	return []any{f.Layer, f.Code, f.Name, string(f.Geometry), string(f.SourceGeometry), f.SourceSRS,
		f.Bound.Min[0], f.Bound.Min[1], f.Bound.Max[0], f.Bound.Max[1], nullFloat(f.Hectares), f.ValidFrom, f.ValidTo,
		strings.Join(f.Species, ","), f.Kind, f.Holder, f.HolderRUC, f.Resolution, f.ResolutionDate,
		nullFloat(f.HectaresDeclared), f.Status, f.Class, f.ClassDate, f.District, f.Operator, nullInt(f.Vessels),
		nullInt(f.Fishers), f.Notes, f.DataSource}
}

// insert stores a new feature with its grid cells and, for a production
// area, its first class; audited.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, p auth.Principal, f Feature) (Feature, error) {
	now := s.Now()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO zones (`+writeColumns+`, institution_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
		$24, $25, $26, $27, $28, $29, $30, $31, $31) RETURNING id`, append(f.writeArgs(), nullID(f.InstitutionID), now)...).Scan(&id)
	if err != nil {
		return f, errs.Wrap(err, "store feature")
	}
	out := f
	out.ID, out.CreatedAt, out.UpdatedAt, out.Version = id, now, now, 1
	if err := fileCells(ctx, tx, out.Layer, out.ID, out.Bound, true); err != nil {
		return out, err
	}
	if out.Layer == ProductionArea && (out.Class != "" || out.ClassDate != "") {
		if err := s.recordClass(ctx, tx, out); err != nil {
			return out, err
		}
	}
	return out, audit.Record(ctx, tx, p, audit.Create, "zone", out.ID, nil, out)
}

// update stores f over before (read in tx), keeping a production area's
// earlier class in its history; audited.
func (s *Service) update(ctx context.Context, tx *sql.Tx, p auth.Principal, before, f Feature) (Feature, error) {
	res, err := tx.ExecContext(ctx, `UPDATE zones SET (`+writeColumns+`, updated_at, version) =
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
		$24, $25, $26, $27, $28, $29, $30, version + 1) WHERE id = $31 AND version = $32`,
		append(f.writeArgs(), s.Now(), before.ID, before.Version)...)
	if err != nil {
		return f, errs.Wrap(err, "update feature")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		current, err := feature(ctx, tx, "z.id = $1", before.ID)
		if err != nil {
			return f, err
		}
		return f, audit.Stale(ctx, tx, "zone", before.ID, before.Version, current.Version, current)
	}
	out, err := feature(ctx, tx, "z.id = $1", before.ID)
	if err != nil {
		return out, err
	}
	if out.Bound != before.Bound {
		if err := fileCells(ctx, tx, out.Layer, out.ID, out.Bound, false); err != nil {
			return out, err
		}
	}
	if out.Layer == ProductionArea && (out.Class != before.Class || out.ClassDate != before.ClassDate || out.Resolution != before.Resolution) {
		if err := s.recordClass(ctx, tx, out); err != nil {
			return out, err
		}
	}
	return out, audit.Record(ctx, tx, p, audit.Update, "zone", out.ID, before, out)
}

func (s *Service) recordClass(ctx context.Context, tx *sql.Tx, f Feature) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO zone_class_history (zone_id, class, class_date, resolution, recorded_at)
		VALUES ($1, $2, $3, $4, $5)`, f.ID, f.Class, f.ClassDate, f.Resolution, s.Now())
	return errs.Wrap(err, "record the class")
}

// ClassChange is a sanitary class a production area had from a date.
type ClassChange struct {
	Class      string `json:"class"` // "" when not classified
	Date       string `json:"date"`
	Resolution string `json:"resolution"`
}

// ClassHistory lists a production area's classes, oldest first.
func (s *Service) ClassHistory(ctx context.Context, areaID int64) ([]ClassChange, error) {
	return classHistory(ctx, s.db.Read(), areaID)
}

func classHistory(ctx context.Context, q querier, areaID int64) ([]ClassChange, error) {
	rows, err := q.QueryContext(ctx, `SELECT class, class_date, resolution FROM zone_class_history
		WHERE zone_id = $1 ORDER BY class_date, id`, areaID)
	if err != nil {
		return nil, errs.Wrap(err, "read class history")
	}
	defer rows.Close()
	out := []ClassChange{}
	for rows.Next() {
		var c ClassChange
		if err := rows.Scan(&c.Class, &c.Date, &c.Resolution); err != nil {
			return nil, errs.Wrap(err, "read class history")
		}
		out = append(out, c)
	}
	return out, errs.Wrap(rows.Err(), "read class history")
}

// classOn is the class an area had on day according to its history (the
// latest change dated on or before day; a change without a date counts
// from always).
func classOn(history []ClassChange, day string) string {
	class := ""
	for _, c := range history {
		if c.Date <= day {
			class = c.Class
		}
	}
	return class
}
