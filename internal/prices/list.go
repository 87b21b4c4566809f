package prices

import (
	"context"
	"strconv"
	"strings"

	"sriim/internal/errs"
)

// ListQuery selects recorded prices; an empty field selects all.
type ListQuery struct {
	Species, Level, Place string
	Limit                 int // at most MaxList; 0 for MaxList
}

// MaxList bounds the prices one list gives.
const MaxList = 500

// List gives the recorded prices a query selects, the latest first (by
// their day, month or year, then the last recorded): a species' latest
// prices for its pages.
func (s *Service) List(ctx context.Context, q ListQuery) ([]Price, error) {
	var cond []string
	var args []any
	if q.Level != "" {
		lv, ok := Levels.Parse(q.Level)
		if !ok {
			return nil, errs.Fields("the prices cannot be listed", map[string]string{"level": "playa, mayorista, minorista or exportacion_fob"})
		}
		q.Level = lv
	}
	for _, f := range []struct{ col, v string }{{"species", q.Species}, {"level", q.Level}, {"place", q.Place}} {
		if f.v != "" {
			args = append(args, f.v)
			cond = append(cond, f.col+" = $"+strconv.Itoa(len(args)))
		}
	}
	if q.Limit <= 0 || q.Limit > MaxList {
		q.Limit = MaxList
	}
	where := ""
	if len(cond) > 0 {
		where = " WHERE " + strings.Join(cond, " AND ")
	}
	args = append(args, q.Limit)
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM prices"+where+
		" ORDER BY year DESC, month DESC, day DESC, id DESC LIMIT $"+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, errs.Wrap(err, "list prices")
	}
	defer rows.Close()
	out := []Price{}
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap(err, "list prices")
		}
		out = append(out, p)
	}
	return out, errs.Wrap(rows.Err(), "list prices")
}

// FromForm reads a price from a form whose fields are the template's
// columns (especie, nivel, lugar, fecha, moneda, precio…), as an import
// reads a row: a form and a file say the same things the same way.
func FromForm(get func(string) string) (Price, error) {
	pr, bad := fromRow(func(col string) string { return strings.TrimSpace(get(col)) })
	if len(bad) > 0 {
		return pr, errs.Fields("the price has invalid fields", bad)
	}
	return pr, nil
}
