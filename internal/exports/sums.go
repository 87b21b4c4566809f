package exports

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/trade"
)

// MonthSums are the declarations of a month: FOB value, net weight and count.
type MonthSums struct {
	Year, Month  int
	FOB, Kg      float64
	Declarations int64
}

// MonthlySums sums by month the published declarations of product lines
// (across HS revisions) from a region ("PE" for all) to a destination (0
// for all), for the prices module's export unit values.
func (s *Service) MonthlySums(ctx context.Context, lines []string, region string, destination int, fromYear, toYear int) ([]MonthSums, error) {
	args := []any{fromYear, toYear}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	cond := []string{"t.year BETWEEN $1 AND $2"}
	if region != "PE" && region != "" {
		cond = append(cond, "t.region = "+arg(region))
	}
	if destination != 0 {
		cond = append(cond, "t.destination = "+arg(destination))
	}
	var or []string
	for _, l := range lines {
		if p, ok := trade.ProductLine(l); ok {
			or = append(or, lineCondition(p, fromYear, toYear, arg))
		}
	}
	if len(or) == 0 {
		return nil, nil
	}
	cond = append(cond, "("+strings.Join(or, " OR ")+")")
	rows, err := s.db.Read().QueryContext(ctx, `SELECT t.year, t.months FROM export_years t
		JOIN export_batches b ON b.id = t.batch_id AND b.state = 'done' WHERE `+strings.Join(cond, " AND "), args...)
	if err != nil {
		return nil, errs.Wrap(err, "sum exports by month")
	}
	defer rows.Close()
	byMonth := map[[2]int]*MonthSums{}
	for rows.Next() {
		var year int
		var text string
		var months [12][3]*float64
		if err := rows.Scan(&year, &text); err != nil {
			return nil, errs.Wrap(err, "sum exports by month")
		}
		if err := json.Unmarshal([]byte(text), &months); err != nil {
			return nil, errs.Wrap(err, "sum exports by month")
		}
		for i, m := range months {
			if m[0] == nil {
				continue
			}
			k := [2]int{year, i + 1}
			ms := byMonth[k]
			if ms == nil {
				ms = &MonthSums{Year: year, Month: i + 1}
				byMonth[k] = ms
			}
			ms.FOB += *m[0]
			ms.Kg += *m[1]
			ms.Declarations += int64(*m[2])
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "sum exports by month")
	}
	out := make([]MonthSums, 0, len(byMonth))
	for _, m := range byMonth {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year*100+out[i].Month < out[j].Year*100+out[j].Month })
	return out, nil
}
