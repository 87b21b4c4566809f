package zones

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/mail"
)

// Service is the zones module.
type Service struct {
	db  *db.DB
	Now func() time.Time
	// Mailer sends closure notices; nil when no SMTP server is configured.
	Mailer mail.Sender
	Log    *slog.Logger
}

// New returns the zones service over d.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC() }, Log: slog.New(slog.DiscardHandler)}
}

// peru is Peru's time (UTC−5, no daylight saving): closures are Peruvian days.
var peru = time.FixedZone("PET", -5*3600)

// Today is the date in Peru, YYYY-MM-DD.
func (s *Service) Today() string { return s.Now().In(peru).Format(time.DateOnly) }

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// columns are a feature's columns; the holder's actor comes from the
// registry by RUC (actors.ruc is unique).
const columns = `z.id, z.layer, z.code, z.name, z.geometry, z.source_geometry, z.source_srs, z.min_lon, z.min_lat,
	z.max_lon, z.max_lat, z.hectares, z.valid_from, z.valid_to, z.species, z.kind, z.holder, z.holder_ruc,
	COALESCE((SELECT a.id FROM actors a WHERE a.ruc = z.holder_ruc AND z.holder_ruc <> ''), 0),
	z.resolution, z.resolution_date, z.hectares_declared, z.status, z.class, z.class_date, z.district, z.operator,
	z.vessels, z.fishers, z.notes, z.source, z.institution_id, z.created_at, z.updated_at, z.version`

func scan(row interface{ Scan(...any) error }) (Feature, error) {
	var f Feature
	var geom, src, species string
	var hectares, declared sql.NullFloat64
	var vessels, fishers, inst sql.NullInt64
	err := row.Scan(&f.ID, &f.Layer, &f.Code, &f.Name, &geom, &src, &f.SourceSRS, &f.Bound.Min[0], &f.Bound.Min[1],
		&f.Bound.Max[0], &f.Bound.Max[1], &hectares, &f.ValidFrom, &f.ValidTo, &species, &f.Kind, &f.Holder, &f.HolderRUC,
		&f.HolderActorID, &f.Resolution, &f.ResolutionDate, &declared, &f.Status, &f.Class, &f.ClassDate, &f.District,
		&f.Operator, &vessels, &fishers, &f.Notes, &f.DataSource, &inst, &f.CreatedAt, &f.UpdatedAt, &f.Version)
	f.Geometry, f.SourceGeometry = []byte(geom), []byte(src)
	f.Species = splitList(species)
	if hectares.Valid {
		f.Hectares = &hectares.Float64
	}
	if declared.Valid {
		f.HectaresDeclared = &declared.Float64
	}
	if vessels.Valid {
		f.Vessels = &vessels.Int64
	}
	if fishers.Valid {
		f.Fishers = &fishers.Int64
	}
	f.InstitutionID = inst.Int64
	return f, err
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Feature returns one feature of a layer.
func (s *Service) Feature(ctx context.Context, layer string, id int64) (Feature, error) {
	return feature(ctx, s.db.Read(), "z.layer = $1 AND z.id = $2", layer, id)
}

// FeatureByCode returns the feature of a layer with the given code.
func (s *Service) FeatureByCode(ctx context.Context, layer, code string) (Feature, error) {
	return feature(ctx, s.db.Read(), "z.layer = $1 AND z.code = $2", layer, code)
}

func feature(ctx context.Context, q querier, where string, args ...any) (Feature, error) {
	f, err := scan(q.QueryRowContext(ctx, "SELECT "+columns+" FROM zones z WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return f, errs.E(errs.NotFound, "no such feature")
	}
	return f, errs.Wrap(err, "read feature")
}

// The grid that indexes bounding boxes: cells of cellSize degrees, a cell
// numbered column×cellRow + row; a box touching more than maxCells cells is
// filed under bigCell and read by every query.
const (
	cellSize = 0.02
	cellRow  = 100000
	maxCells = 1024
	bigCell  = -1
)

func cellIndex(v, origin float64) int64 { return int64(math.Floor((v + origin) / cellSize)) }

// cellRanges are, for each grid column a box touches, the first and last
// cell it touches in that column (cells of a column are consecutive).
func cellRanges(b orb.Bound) [][2]int64 {
	x0, x1 := cellIndex(b.Min[0], 180), cellIndex(b.Max[0], 180)
	y0, y1 := cellIndex(b.Min[1], 90), cellIndex(b.Max[1], 90)
	var out [][2]int64
	for x := x0; x <= x1; x++ {
		out = append(out, [2]int64{x*cellRow + y0, x*cellRow + y1})
	}
	return out
}

// cellCount is how many cells a box touches.
func cellCount(b orb.Bound) int64 {
	return (cellIndex(b.Max[0], 180) - cellIndex(b.Min[0], 180) + 1) * (cellIndex(b.Max[1], 90) - cellIndex(b.Min[1], 90) + 1)
}

// fileCells lists feature id under the cells its box touches, replacing
// what it had unless it is new.
func fileCells(ctx context.Context, tx *sql.Tx, layer string, id int64, b orb.Bound, isNew bool) error {
	if !isNew {
		if _, err := tx.ExecContext(ctx, "DELETE FROM zone_cells WHERE zone_id = $1", id); err != nil {
			return errs.Wrap(err, "index feature")
		}
	}
	if cellCount(b) > maxCells {
		_, err := tx.ExecContext(ctx, "INSERT INTO zone_cells (layer, cell, zone_id) VALUES ($1, $2, $3)", layer, bigCell, id)
		return errs.Wrap(err, "index feature")
	}
	var cells []any
	for _, r := range cellRanges(b) {
		for c := r[0]; c <= r[1]; c++ {
			cells = append(cells, c)
		}
	}
	// A few statements of up to 100 rows each.
	for len(cells) > 0 {
		n := min(len(cells), 100)
		var sb strings.Builder
		args := []any{layer, id}
		sb.WriteString("INSERT INTO zone_cells (layer, cell, zone_id) VALUES ")
		for i, c := range cells[:n] {
			if i > 0 {
				sb.WriteString(", ")
			}
			args = append(args, c)
			sb.WriteString("($1, $" + strconv.Itoa(len(args)) + ", $2)")
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return errs.Wrap(err, "index feature")
		}
		cells = cells[n:]
	}
	return nil
}

// maxCandidates is the most features the grid hands a box query; past
// it the box is large and the bounding-box columns do as well.
const maxCandidates = 5000

// candidates returns the ids after after of the layer's features filed
// under the cells a box touches (a superset of those whose box meets it,
// in no order), and false when the box is too large for the grid to help.
// The cursor is applied here, not in SQL: a condition on zone_id would
// tempt the planner into walking the zone_id index.
func candidates(ctx context.Context, q querier, layer string, b orb.Bound, after int64) ([]int64, bool, error) {
	ranges := cellRanges(b)
	if len(ranges) > 256 {
		return nil, false, nil
	}
	// One range scan of the (layer, cell) index per grid column: planners
	// do not turn an OR of ranges into that.
	args := []any{layer, int64(bigCell)}
	var sb strings.Builder
	sb.WriteString("SELECT zone_id FROM zone_cells WHERE layer = $1 AND cell = $2")
	for _, r := range ranges {
		args = append(args, r[0], r[1])
		sb.WriteString(" UNION SELECT zone_id FROM zone_cells WHERE layer = $1 AND cell BETWEEN $" +
			strconv.Itoa(len(args)-1) + " AND $" + strconv.Itoa(len(args)))
	}
	rows, err := q.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, false, errs.Wrap(err, "read the grid")
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, errs.Wrap(err, "read the grid")
		}
		if id > after {
			ids = append(ids, id)
		}
		if len(ids) > maxCandidates {
			return nil, false, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, errs.Wrap(err, "read the grid")
	}
	return ids, true, nil
}

// inList is the condition "col IN (ids…)", binding the ids through arg.
func inList(col string, ids []int64, arg func(any) string) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = arg(id)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}
