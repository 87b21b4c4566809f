package trade

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// IntelligenceReport is a semester's market-intelligence report (seed
// activity 2.1.5): for each product line, the importers' ranking and growth,
// Peru's position and its competitors' in the main markets, the
// destinations of Peru's exports, and what changed since the previous report.
type IntelligenceReport struct {
	ID        int64           `json:"id"`
	Period    string          `json:"period"` // 2026-S1
	Lang      string          `json:"lang"`
	From      int             `json:"from"`
	To        int             `json:"to"`
	Sections  []ReportSection `json:"sections"`
	Changes   []string        `json:"changes"`
	Batches   []int64         `json:"batches"` // the imports the report was built from
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// ReportSection is one product line's part of a report.
type ReportSection struct {
	Product      Product  `json:"product"`
	Importers    Ranking  `json:"importers"`
	Markets      []Market `json:"markets"` // Peru and Chile in the main markets
	Destinations Ranking  `json:"destinations"`
}

// Exporters compared in every report: Peru and its main competitor, Chile.
var reportExporters = []int{604, 152}

// ParsePeriod reads a semester, "2026-S1".
func ParsePeriod(p string) (year, half int, err error) {
	var h string
	if n, _ := fmt.Sscanf(p, "%4d-%s", &year, &h); n != 2 || (h != "S1" && h != "S2") || year < 1990 || year > 2100 {
		return 0, 0, errs.Fields("invalid period", map[string]string{"period": "a semester: 2026-S1 or 2026-S2"})
	}
	return year, int(h[1] - '0'), nil
}

// BuildReport makes and stores the report of a period for product lines
// (all when none are given), in Spanish or English. It covers the five
// years up to the latest year with data before the period's year.
func (s *Service) BuildReport(ctx context.Context, p auth.Principal, period, lang string, lines []string) (IntelligenceReport, error) {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return IntelligenceReport{}, err
	}
	year, _, err := ParsePeriod(period)
	if err != nil {
		return IntelligenceReport{}, err
	}
	if lang != "en" {
		lang = "es"
	}
	var products []Product
	if len(lines) == 0 {
		products = ProductLines()
	}
	for _, l := range lines {
		prod, ok := ProductLine(strings.TrimSpace(l))
		if !ok {
			return IntelligenceReport{}, errs.Fields("unknown product line", map[string]string{"lines": l})
		}
		products = append(products, prod)
	}
	r := IntelligenceReport{Period: period, Lang: lang, CreatedBy: p.Email, CreatedAt: s.Now()}
	// The latest year with data before the period's year.
	for _, prod := range products {
		args := []any{year}
		var last sql.NullInt64
		if err := s.db.Read().QueryRowContext(ctx, "SELECT MAX(year) FROM trade_blocks_shown WHERE year < $1 AND month = 0 AND partner2 = 0 AND "+prod.where(&args), args...).Scan(&last); err != nil {
			return r, errs.Wrap(err, "find the latest year")
		}
		r.To = max(r.To, int(last.Int64))
	}
	if r.To == 0 {
		return r, errs.E(errs.Conflict, "there is no trade data before %d for these products", year)
	}
	r.From = r.To - 4
	batches := map[int64]bool{}
	for _, prod := range products {
		sec := ReportSection{Product: prod}
		if sec.Importers, err = s.Importers(ctx, prod, "import", r.From, r.To, 10); err != nil {
			return r, err
		}
		if sec.Markets, err = s.Competitors(ctx, prod, reportExporters, r.From, r.To, 5); err != nil {
			return r, err
		}
		if sec.Destinations, err = s.Destinations(ctx, prod, 604, r.From, r.To); err != nil {
			return r, err
		}
		args := []any{r.From, r.To}
		rows, err := s.db.Read().QueryContext(ctx, "SELECT DISTINCT batch_id FROM trade_blocks_shown WHERE year BETWEEN $1 AND $2 AND month = 0 AND partner2 = 0 AND "+prod.where(&args), args...)
		if err != nil {
			return r, errs.Wrap(err, "list batches")
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err == nil {
				batches[id] = true
			}
		}
		rows.Close()
		r.Sections = append(r.Sections, sec)
	}
	for id := range batches {
		r.Batches = append(r.Batches, id)
	}
	sort.Slice(r.Batches, func(i, j int) bool { return r.Batches[i] < r.Batches[j] })
	prev, err := s.previousReport(ctx, period)
	if err != nil {
		return r, err
	}
	r.Changes = changesSince(prev, r)
	data, err := json.Marshal(r)
	if err != nil {
		return r, errs.Wrap(err, "encode report")
	}
	lineKeys := make([]string, len(products))
	for i, prod := range products {
		lineKeys[i] = prod.Line
	}
	batchIDs, _ := json.Marshal(r.Batches)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO market_reports (period, lang, lines, batches, data, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.Period, r.Lang, strings.Join(lineKeys, ","), string(batchIDs), string(data),
			r.CreatedBy, r.CreatedAt).Scan(&r.ID); err != nil {
			return errs.Wrap(err, "store report")
		}
		return audit.Record(ctx, tx, p, audit.Create, "market_report", r.ID, nil, map[string]any{"period": r.Period, "lines": lineKeys, "batches": r.Batches})
	})
	return r, err
}

func (s *Service) previousReport(ctx context.Context, period string) (*IntelligenceReport, error) {
	var data string
	err := s.db.Read().QueryRowContext(ctx, "SELECT data FROM market_reports WHERE period < $1 ORDER BY period DESC, id DESC LIMIT 1", period).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "read previous report")
	}
	var r IntelligenceReport
	return &r, errs.Wrap(json.Unmarshal([]byte(data), &r), "read previous report")
}

// changesSince says, in the report's language, what moved since the
// previous report: importers entering or leaving the top five, and Peru's
// share in each main market.
func changesSince(prev *IntelligenceReport, r IntelligenceReport) []string {
	es := r.Lang != "en"
	lang := i18n.Lang(r.Lang)
	if prev == nil {
		return []string{i18n.Message(lang, "First report: there is no earlier one to compare with.")}
	}
	var out []string
	for _, sec := range r.Sections {
		var old *ReportSection
		for i := range prev.Sections {
			if prev.Sections[i].Product.Line == sec.Product.Line {
				old = &prev.Sections[i]
			}
		}
		if old == nil {
			continue
		}
		name := sec.Product.NameES
		if !es {
			name = sec.Product.NameEN
		}
		top := func(rk Ranking) map[int]string {
			m := map[int]string{}
			for i, row := range rk.Rows {
				if i < 5 {
					m[row.Partner.Code] = row.Partner.Name(r.Lang)
				}
			}
			return m
		}
		before, now := top(old.Importers), top(sec.Importers)
		for code, n := range now {
			if _, ok := before[code]; !ok {
				out = append(out, i18n.Message(lang, "%s: %s enters the five largest importers.", name, n))
			}
		}
		for code, n := range before {
			if _, ok := now[code]; !ok {
				out = append(out, i18n.Message(lang, "%s: %s leaves the five largest importers.", name, n))
			}
		}
		for _, m := range sec.Markets {
			for _, om := range old.Markets {
				if om.Market.Code != m.Market.Code || len(m.Competitors) == 0 || len(om.Competitors) == 0 {
					continue
				}
				nowShare, oldShare := m.Competitors[0].Shares[r.To], om.Competitors[0].Shares[prev.To]
				if nowShare != oldShare {
					out = append(out, i18n.Message(lang, "%s: Peru's share in %s goes from %s %% to %s %%.",
						name, m.Market.Name(r.Lang), strconv.FormatFloat(oldShare, 'f', 2, 64), strconv.FormatFloat(nowShare, 'f', 2, 64)))
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, i18n.Message(lang, "No change in the largest importers nor in Peru's shares."))
	}
	sort.Strings(out)
	return out
}

// ReportSummary is a stored report without its data.
type ReportSummary struct {
	ID        int64     `json:"id"`
	Period    string    `json:"period"`
	Lang      string    `json:"lang"`
	Lines     string    `json:"lines"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Reports lists the stored reports, newest first.
func (s *Service) Reports(ctx context.Context) ([]ReportSummary, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT id, period, lang, lines, created_by, created_at FROM market_reports ORDER BY period DESC, id DESC")
	if err != nil {
		return nil, errs.Wrap(err, "list reports")
	}
	defer rows.Close()
	out := []ReportSummary{}
	for rows.Next() {
		var r ReportSummary
		if err := rows.Scan(&r.ID, &r.Period, &r.Lang, &r.Lines, &r.CreatedBy, &r.CreatedAt); err != nil {
			return nil, errs.Wrap(err, "list reports")
		}
		out = append(out, r)
	}
	return out, errs.Wrap(rows.Err(), "list reports")
}

// Report returns a stored report exactly as it was built.
func (s *Service) Report(ctx context.Context, id int64) (IntelligenceReport, error) {
	var data string
	err := s.db.Read().QueryRowContext(ctx, "SELECT data FROM market_reports WHERE id = $1", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return IntelligenceReport{}, errs.E(errs.NotFound, "no report %d", id)
	}
	if err != nil {
		return IntelligenceReport{}, errs.Wrap(err, "read report")
	}
	var r IntelligenceReport
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return r, errs.Wrap(err, "read report")
	}
	r.ID = id
	return r, nil
}
