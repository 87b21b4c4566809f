package planning

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"time"

	"sriim/internal/auth"
	"sriim/internal/errs"
)

// ReportsDue is when the reports on a year are due: the last day of the
// following January.
func ReportsDue(year int) time.Time { return time.Date(year+1, time.January, 31, 0, 0, 0, 0, time.UTC) }

// Completeness is an institution's reporting for a year: the reports it
// owes on the plan's activities, how many were sent, approved and late.
type Completeness struct {
	InstitutionID int64  `json:"institution_id"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	Year          int    `json:"year"`
	DueOn         string `json:"due_on"` // YYYY-MM-DD
	Due           int    `json:"due"`
	Submitted     int    `json:"submitted"` // sent to the Mesa de Trabajo (approved ones included)
	Approved      int    `json:"approved"`
	Late          int    `json:"late"`    // not sent by the due date (still missing after it, or sent after it)
	Missing       int    `json:"missing"` // not sent yet
	// Percent is the share of due reports sent, rounded to one decimal.
	Percent float64            `json:"percent"`
	Items   []CompletenessItem `json:"items"`
}

// CompletenessItem is one report an institution owes.
type CompletenessItem struct {
	ActivityID    int64      `json:"activity_id"`
	ActivityCode  string     `json:"activity_code"`
	ActivityTitle string     `json:"activity_title"`
	State         string     `json:"state"` // missing, draft, returned, submitted, approved
	SubmittedAt   *time.Time `json:"submitted_at,omitempty"`
	Late          bool       `json:"late"`
}

// Sent reports whether the report has reached the Mesa de Trabajo.
func (c CompletenessItem) Sent() bool { return c.State == "submitted" || c.State == "approved" }

// stateRank orders a year's reports of an activity: the furthest along counts.
var stateRank = map[string]int{"draft": 1, "returned": 2, "submitted": 3, "approved": 4}

// Completeness lists, for each institution taking part in the plan's
// activities that run in year, the reports it owes on that year (one per
// activity: its annual plan's responsible institution owes it, else each
// linked institution, and any of them may send it), and which were sent,
// approved and late as of now (reports are due by ReportsDue). An activity
// reported done or cancelled in an earlier year owes nothing. The Mesa de
// Trabajo sees every institution; an editor, their own.
func (s *Service) Completeness(ctx context.Context, p auth.Principal, planID int64, year int) ([]Completeness, error) {
	if p.Anonymous() {
		return nil, errs.E(errs.Unauthenticated, "log in first")
	}
	acts, err := s.activities(ctx, planID, year, "", false)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	responsible := map[int64]int64{}
	rows, err := q.QueryContext(ctx, `SELECT i.activity_id, i.responsible_institution_id FROM plan_annual_items i
		JOIN plan_activities a ON a.id = i.activity_id WHERE a.plan_id = $1 AND i.year = $2 AND i.responsible_institution_id IS NOT NULL`, planID, year)
	if err != nil {
		return nil, errs.Wrap(err, "read annual plan")
	}
	for rows.Next() {
		var act, inst int64
		if err := rows.Scan(&act, &inst); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read annual plan")
		}
		responsible[act] = inst
	}
	rows.Close()
	type report struct {
		state     string
		submitted sql.NullTime
	}
	reports := map[int64]report{}
	rows, err = q.QueryContext(ctx, `SELECT r.activity_id, r.state, r.submitted_at FROM plan_reports r
		JOIN plan_activities a ON a.id = r.activity_id WHERE a.plan_id = $1 AND r.year = $2`, planID, year)
	if err != nil {
		return nil, errs.Wrap(err, "read reports")
	}
	for rows.Next() {
		var id int64
		var r report
		if err := rows.Scan(&id, &r.state, &r.submitted); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read reports")
		}
		if prev, ok := reports[id]; !ok || stateRank[r.state] > stateRank[prev.state] {
			reports[id] = r
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read reports")
	}
	names := map[int64][2]string{}
	rows, err = q.QueryContext(ctx, "SELECT id, code, name FROM institutions")
	if err != nil {
		return nil, errs.Wrap(err, "read institutions")
	}
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read institutions")
		}
		names[id] = [2]string{code, name}
	}
	rows.Close()
	due := ReportsDue(year)
	now := s.Now()
	byInst := map[int64]*Completeness{}
	for _, a := range acts {
		if year < a.StartYear || year > a.EndYear {
			continue
		}
		if (a.LastStatus == "done" || a.LastStatus == "cancelled") && len(a.LastPeriod) >= 4 && a.LastPeriod[:4] < itoa(year) {
			continue
		}
		owers := a.institutionIDs()
		if inst, ok := responsible[a.ID]; ok {
			owers = []int64{inst}
		}
		r := reports[a.ID]
		item := CompletenessItem{ActivityID: a.ID, ActivityCode: a.Code, ActivityTitle: a.Title, State: "missing"}
		if r.state != "" {
			item.State = r.state
		}
		if r.submitted.Valid && item.Sent() {
			at := r.submitted.Time.UTC()
			item.SubmittedAt = &at
		}
		item.Late = (!item.Sent() && now.After(due)) || (item.SubmittedAt != nil && item.SubmittedAt.After(due))
		seen := map[int64]bool{}
		for _, inst := range owers {
			if inst == 0 || seen[inst] {
				continue
			}
			seen[inst] = true
			if p.Role != auth.Admin && !p.Has(auth.ApproveReports) && !slices.Contains(p.Institutions, inst) {
				continue
			}
			c := byInst[inst]
			if c == nil {
				c = &Completeness{InstitutionID: inst, Code: names[inst][0], Name: names[inst][1], Year: year, DueOn: due.Format("2006-01-02"), Items: []CompletenessItem{}}
				byInst[inst] = c
			}
			c.Items = append(c.Items, item)
			c.Due++
			if item.Sent() {
				c.Submitted++
			} else {
				c.Missing++
			}
			if item.State == "approved" {
				c.Approved++
			}
			if item.Late {
				c.Late++
			}
		}
	}
	out := []Completeness{}
	for _, c := range byInst {
		c.Percent = float64(int(float64(c.Submitted)/float64(c.Due)*1000+0.5)) / 10
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Percent != out[j].Percent {
			return out[i].Percent < out[j].Percent // the least complete first
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}
