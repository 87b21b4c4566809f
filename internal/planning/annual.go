package planning

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// AnnualItem is an activity chosen for a year's operating plan (POA), with
// its budget, funding source and who is responsible.
type AnnualItem struct {
	ActivityID               int64    `json:"activity_id"`
	ActivityCode             string   `json:"activity_code"`
	ActivityTitle            string   `json:"activity_title"`
	Year                     int      `json:"year"`
	Budget                   *float64 `json:"budget,omitempty"`
	Currency                 string   `json:"currency"`
	FundingSource            string   `json:"funding_source"`
	ResponsibleInstitutionID int64    `json:"responsible_institution_id,omitempty"`
	ResponsibleInstitution   string   `json:"responsible_institution,omitempty"`
	ResponsiblePerson        string   `json:"responsible_person"`
	// Version rises by one with every change. Setting an entry names the
	// version it changes, as read (0: the activity is not in the year's POA
	// yet); an entry that has moved on is not overwritten.
	Version int64 `json:"version"`
}

// AnnualPlan lists a year's POA of a plan, in the plan's order.
func (s *Service) AnnualPlan(ctx context.Context, planID int64, year int) ([]AnnualItem, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT a.id, a.code, a.title, i.year, i.budget, i.currency, i.funding_source,
		i.responsible_institution_id, COALESCE(inst.name, ''), i.responsible_person, i.version `+annualFrom+`
		WHERE a.plan_id = $1 AND i.year = $2 ORDER BY a.position`, planID, year)
	if err != nil {
		return nil, errs.Wrap(err, "read annual plan")
	}
	defer rows.Close()
	out := []AnnualItem{}
	for rows.Next() {
		it, err := scanAnnualItem(rows)
		if err != nil {
			return nil, errs.Wrap(err, "read annual plan")
		}
		out = append(out, it)
	}
	return out, errs.Wrap(rows.Err(), "read annual plan")
}

const annualFrom = `FROM plan_annual_items i JOIN plan_activities a ON a.id = i.activity_id
	LEFT JOIN institutions inst ON inst.id = i.responsible_institution_id`

func scanAnnualItem(row interface{ Scan(...any) error }) (AnnualItem, error) {
	var it AnnualItem
	var budget sql.NullFloat64
	var inst sql.NullInt64
	err := row.Scan(&it.ActivityID, &it.ActivityCode, &it.ActivityTitle, &it.Year, &budget, &it.Currency, &it.FundingSource,
		&inst, &it.ResponsibleInstitution, &it.ResponsiblePerson, &it.Version)
	if budget.Valid {
		it.Budget = &budget.Float64
	}
	it.ResponsibleInstitutionID = inst.Int64
	return it, err
}

// annualItem reads an activity's entry in a year's POA (ok false when there is none).
func annualItem(ctx context.Context, q querier, activityID int64, year int) (it AnnualItem, ok bool, err error) {
	it, err = scanAnnualItem(q.QueryRowContext(ctx, `SELECT a.id, a.code, a.title, i.year, i.budget, i.currency, i.funding_source,
		i.responsible_institution_id, COALESCE(inst.name, ''), i.responsible_person, i.version `+annualFrom+`
		WHERE i.activity_id = $1 AND i.year = $2`, activityID, year))
	if errors.Is(err, sql.ErrNoRows) {
		return it, false, nil
	}
	return it, err == nil, errs.Wrap(err, "read annual plan")
}

// SetAnnualItem puts an activity in a year's POA (or changes its entry);
// the activity's institutions and administrators may.
func (s *Service) SetAnnualItem(ctx context.Context, p auth.Principal, it AnnualItem) (AnnualItem, error) {
	a, err := s.activityByID(ctx, it.ActivityID, it.Year)
	if err != nil {
		return it, err
	}
	if !a.CanReport(p) {
		if p.Anonymous() {
			return it, errs.E(errs.Unauthenticated, "log in first")
		}
		return it, errs.E(errs.Forbidden, "only the institutions taking part in activity %s plan it", a.Code)
	}
	problems := map[string]string{}
	if it.Year < a.StartYear-1 || it.Year > a.EndYear+1 || it.Year < 1990 {
		problems["year"] = "a year within the activity's period"
	}
	if it.Budget != nil && *it.Budget < 0 {
		problems["budget"] = "not negative"
	}
	if it.Currency = strings.ToUpper(strings.TrimSpace(it.Currency)); it.Currency == "" {
		it.Currency = "PEN"
	}
	if it.ResponsibleInstitutionID != 0 && !containsID(a.institutionIDs(), it.ResponsibleInstitutionID) {
		problems["responsible_institution_id"] = "one of the activity's institutions"
	}
	if len(problems) > 0 {
		return it, errs.Fields("the annual plan entry has invalid fields", problems)
	}
	auditID := a.Code + "/" + itoa(it.Year)
	var out AnnualItem
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, exists, err := annualItem(ctx, tx, it.ActivityID, it.Year)
		if err != nil {
			return err
		}
		stale := func(read int64) error {
			current, _, err := annualItem(ctx, tx, it.ActivityID, it.Year)
			if err != nil {
				return err
			}
			return audit.Stale(ctx, tx, "plan_annual_item", auditID, read, current.Version, current)
		}
		inst := sql.NullInt64{Int64: it.ResponsibleInstitutionID, Valid: it.ResponsibleInstitutionID != 0}
		if exists {
			if it.Version != before.Version {
				return stale(it.Version)
			}
			res, err := tx.ExecContext(ctx, `UPDATE plan_annual_items SET budget = $1, currency = $2, funding_source = $3,
				responsible_institution_id = $4, responsible_person = $5, version = version + 1
				WHERE activity_id = $6 AND year = $7 AND version = $8`,
				it.Budget, it.Currency, strings.TrimSpace(it.FundingSource), inst, strings.TrimSpace(it.ResponsiblePerson), it.ActivityID, it.Year, before.Version)
			if err != nil {
				return errs.Wrap(err, "save annual plan")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return stale(before.Version)
			}
		} else {
			_, err := tx.ExecContext(ctx, `INSERT INTO plan_annual_items (activity_id, year, budget, currency, funding_source,
				responsible_institution_id, responsible_person) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				it.ActivityID, it.Year, it.Budget, it.Currency, strings.TrimSpace(it.FundingSource), inst, strings.TrimSpace(it.ResponsiblePerson))
			if db.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "someone else has just put activity %s in the POA of %d: reload the page to see it", a.Code, it.Year)
			}
			if err != nil {
				return errs.Wrap(err, "save annual plan")
			}
		}
		if out, _, err = annualItem(ctx, tx, it.ActivityID, it.Year); err != nil {
			return err
		}
		if !exists {
			return audit.Record(ctx, tx, p, audit.Create, "plan_annual_item", auditID, nil, out)
		}
		return audit.Record(ctx, tx, p, audit.Update, "plan_annual_item", auditID, before, out)
	})
	return out, err
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// IndicatorPoint is an indicator's value in an approved report.
type IndicatorPoint struct {
	Period string  `json:"period"`
	Value  float64 `json:"value"`
}

// IndicatorHistory returns each indicator's values in the activity's
// approved reports, by period; a computed indicator's are its computed
// values, by year (when a was read with them, as Activity reads it).
func (s *Service) IndicatorHistory(ctx context.Context, a Activity) (map[int64][]IndicatorPoint, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT v.indicator_id, r.period, v.value FROM plan_report_values v
		JOIN plan_reports r ON r.id = v.report_id WHERE r.activity_id = $1 AND r.state = 'approved'`, a.ID)
	if err != nil {
		return nil, errs.Wrap(err, "read indicator history")
	}
	defer rows.Close()
	out := map[int64][]IndicatorPoint{}
	for rows.Next() {
		var id int64
		var pt IndicatorPoint
		if err := rows.Scan(&id, &pt.Period, &pt.Value); err != nil {
			return nil, errs.Wrap(err, "read indicator history")
		}
		out[id] = append(out[id], pt)
	}
	for id, v := range a.computed {
		if !v.Available {
			continue
		}
		out[id] = nil
		for y, value := range v.Values {
			out[id] = append(out[id], IndicatorPoint{Period: strconv.Itoa(y), Value: value})
		}
	}
	for _, pts := range out {
		sort.Slice(pts, func(i, j int) bool { return pts[i].Period < pts[j].Period })
	}
	return out, errs.Wrap(rows.Err(), "read indicator history")
}

// TargetCheck compares a target that states a number with what the approved
// reports say.
type TargetCheck struct {
	Target      Target   `json:"target"`
	IndicatorID int64    `json:"indicator_id"`
	Reported    *float64 `json:"reported,omitempty"` // the latest approved value up to the target's year
	Period      string   `json:"period,omitempty"`   // of that value
	Met         bool     `json:"met"`
	Due         bool     `json:"due"` // the target's year has passed (for year)
}

// measurable are the indicator kinds a target's number can be compared with.
var measurable = map[string]bool{"count": true, "percent": true, "amount": true, "days": true}

// CheckTargets compares an activity's targets that state a number with the
// latest approved value of its one measurable indicator (when it has exactly
// one: otherwise which indicator a target means is not known, and the target
// is left out). A target is met when the value reaches it (days: when it
// does not exceed it).
func CheckTargets(a Activity, history map[int64][]IndicatorPoint, year int) []TargetCheck {
	var ind *Indicator
	for i := range a.Indicators {
		if measurable[a.Indicators[i].Kind] {
			if ind != nil {
				return nil
			}
			ind = &a.Indicators[i]
		}
	}
	if ind == nil {
		return nil
	}
	var out []TargetCheck
	for _, tg := range a.Targets {
		for _, m := range tg.Milestones() { // each milestone with a number is checked on its own
			if m.Value == nil {
				continue
			}
			t := Target{Statement: tg.Statement, Year: m.Year, YearStated: tg.YearStated, Value: m.Value, Unit: m.Unit}
			out = append(out, checkTarget(t, ind, history[ind.ID], year))
		}
	}
	return out
}

// checkTarget compares one target with the indicator's approved values.
func checkTarget(t Target, ind *Indicator, history []IndicatorPoint, year int) TargetCheck {
	c := TargetCheck{Target: t, IndicatorID: ind.ID, Due: year > t.Year}
	for _, pt := range history {
		if py, err := periodYear(pt.Period); err == nil && py <= t.Year {
			v := pt.Value
			c.Reported, c.Period = &v, pt.Period
		}
	}
	if c.Reported != nil {
		if ind.Kind == "days" {
			c.Met = *c.Reported <= *t.Value
		} else {
			c.Met = *c.Reported >= *t.Value
		}
	}
	return c
}
