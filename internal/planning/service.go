package planning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// Service is the plan-monitoring module.
type Service struct {
	db    *db.DB
	files string // directory of evidence files, named by content hash
	Now   func() time.Time
	// Indicators computes the indicators bound to the system's data; nil
	// leaves every indicator reported by hand.
	Indicators Indicators
}

// New returns the planning service; evidence files go under filesDir.
func New(d *db.DB, filesDir string) *Service {
	return &Service{db: d, files: filesDir, Now: func() time.Time { return time.Now().UTC() }}
}

// Plan is an operating plan with its tree.
type Plan struct {
	ID         int64       `json:"id"`
	Code       string      `json:"code"`
	Title      string      `json:"title"`
	TitleEN    string      `json:"title_en,omitempty"`
	Issuer     string      `json:"issuer"`
	Published  string      `json:"published"`
	StartYear  int         `json:"start_year"`
	EndYear    int         `json:"end_year"`
	Source     string      `json:"source"`
	Objectives []Objective `json:"objectives,omitempty"`
	Rollup     Rollup      `json:"rollup"`
	Analysis   *Analysis   `json:"analysis,omitempty"`
}

// Objective is a strategic objective, with its short name.
type Objective struct {
	Code       string     `json:"code"`
	Name       string     `json:"name,omitempty"`
	Statement  string     `json:"statement"`
	Strategies []Strategy `json:"strategies"`
	Rollup     Rollup     `json:"rollup"`
}

// Strategy groups activities.
type Strategy struct {
	Code       string     `json:"code"`
	Title      string     `json:"title"`
	Activities []Activity `json:"activities,omitempty"`
	Rollup     Rollup     `json:"rollup"`
}

// ActivityInstitution is a participating institution as the plan names it,
// with the institution it is linked to (0 when none is); a mention that
// names two ("Universidades y ONGs") is one, linked to both.
type ActivityInstitution struct {
	Name           string  `json:"name"`
	InstitutionID  int64   `json:"institution_id,omitempty"`  // the first linked
	InstitutionIDs []int64 `json:"institution_ids,omitempty"` // every linked one
}

// Activity is an "acción específica" of the plan.
type Activity struct {
	ID            int64                 `json:"id"`
	PlanID        int64                 `json:"plan_id"`
	Code          string                `json:"code"`
	StrategyCode  string                `json:"strategy_code"`
	ObjectiveCode string                `json:"objective_code"`
	Title         string                `json:"title"`
	Period        string                `json:"period"`
	StartYear     int                   `json:"start_year"`
	EndYear       int                   `json:"end_year"`
	Targets       []Target              `json:"targets"`
	Indicators    []Indicator           `json:"indicators"`
	Institutions  []ActivityInstitution `json:"institutions"`
	Light         Light                 `json:"light"`
	LastStatus    string                `json:"last_status,omitempty"` // of the latest approved report
	LastPeriod    string                `json:"last_period,omitempty"`

	computed map[int64]indicators.Value // the bound indicators' values, by indicator id
}

// institutionIDs are the linked institutions taking part in the activity.
func (a Activity) institutionIDs() []int64 {
	var ids []int64
	for _, i := range a.Institutions {
		ids = append(ids, i.InstitutionIDs...)
	}
	return ids
}

// CanReport reports whether p may report progress on the activity: an
// editor of one of its institutions, or an administrator.
func (a Activity) CanReport(p auth.Principal) bool {
	for _, id := range a.institutionIDs() {
		if auth.Can(p, auth.Owner{Institution: id}) {
			return true
		}
	}
	return p.Role == auth.Admin
}

// involves reports whether one of p's institutions takes part in the activity.
func (a Activity) involves(p auth.Principal) bool {
	for _, id := range a.institutionIDs() {
		for _, mine := range p.Institutions {
			if id == mine {
				return true
			}
		}
	}
	return false
}

// Light is an activity's traffic light.
type Light string

// The traffic lights.
const (
	LightNotStarted Light = "not_started" // its period has not begun
	LightOnTrack    Light = "on_track"    // in its period, not reported late
	LightLate       Light = "late"        // past its period and not done, or reported delayed
	LightDone       Light = "done"
	LightCancelled  Light = "cancelled"
)

// lightFor decides an activity's light in year from its latest approved
// report's status ("" when there is none).
func lightFor(start, end, year int, lastStatus string) Light {
	switch lastStatus {
	case "done":
		return LightDone
	case "cancelled":
		return LightCancelled
	case "delayed":
		return LightLate
	}
	switch {
	case year < start:
		return LightNotStarted
	case year > end:
		return LightLate
	}
	return LightOnTrack
}

// Rollup counts the lights under an objective, a strategy or the plan.
type Rollup struct {
	Total       int     `json:"total"`
	Done        int     `json:"done"`
	OnTrack     int     `json:"on_track"`
	Late        int     `json:"late"`
	NotStarted  int     `json:"not_started"`
	Cancelled   int     `json:"cancelled"`
	PercentDone float64 `json:"percent_done"` // of the activities not cancelled
}

func (r *Rollup) add(l Light) {
	r.Total++
	switch l {
	case LightDone:
		r.Done++
	case LightOnTrack:
		r.OnTrack++
	case LightLate:
		r.Late++
	case LightNotStarted:
		r.NotStarted++
	case LightCancelled:
		r.Cancelled++
	}
	if n := r.Total - r.Cancelled; n > 0 {
		r.PercentDone = float64(int(float64(r.Done)/float64(n)*1000+0.5)) / 10
	}
}

// ImportOwner is who may load a plan: the Mesa de Trabajo (administrators).
var ImportOwner = auth.Owner{AdminOnly: true}

// Import loads a plan from its data file; only administrators may. A plan
// whose code is loaded already is refused. Institutions are linked through
// the file's aliases (by institution code).
func (s *Service) Import(ctx context.Context, p auth.Principal, f File) (Plan, error) {
	if err := auth.Authorize(p, ImportOwner); err != nil {
		return Plan{}, err
	}
	if problems := f.validate(); len(problems) > 0 {
		return Plan{}, errs.Fields("the plan file has problems", problems)
	}
	var out Plan
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		codes := map[string]int64{}
		rows, err := tx.QueryContext(ctx, "SELECT code, id FROM institutions")
		if err != nil {
			return errs.Wrap(err, "read institutions")
		}
		for rows.Next() {
			var c string
			var id int64
			if err := rows.Scan(&c, &id); err != nil {
				rows.Close()
				return errs.Wrap(err, "read institutions")
			}
			codes[c] = id
		}
		rows.Close()
		aliases := map[string][]int64{}
		for name, list := range f.Aliases {
			for _, c := range list {
				if id, ok := codes[c]; ok {
					aliases[strings.ToLower(name)] = append(aliases[strings.ToLower(name)], id)
				}
			}
		}
		var planID int64
		err = tx.QueryRowContext(ctx, `INSERT INTO plans (code, title, title_en, issuer, published, start_year, end_year, source, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			f.Code, f.Title, f.TitleEN, f.Issuer, f.Published, f.StartYear, f.EndYear, f.Source, s.Now()).Scan(&planID)
		if db.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "a plan with code %s is loaded already", f.Code)
		}
		if err != nil {
			return errs.Wrap(err, "create plan")
		}
		position := 0
		for _, o := range f.Objectives {
			var objID int64
			if err := tx.QueryRowContext(ctx, "INSERT INTO plan_objectives (plan_id, code, name, statement) VALUES ($1, $2, $3, $4) RETURNING id",
				planID, o.Code, strings.TrimSpace(o.Name), o.Statement).Scan(&objID); err != nil {
				return errs.Wrap(err, "create objective")
			}
			for _, st := range o.Strategies {
				var stID int64
				if err := tx.QueryRowContext(ctx, "INSERT INTO plan_strategies (objective_id, code, title) VALUES ($1, $2, $3) RETURNING id",
					objID, st.Code, st.Title).Scan(&stID); err != nil {
					return errs.Wrap(err, "create strategy")
				}
				for _, a := range st.Activities {
					position++
					if err := insertActivity(ctx, tx, planID, stID, position, a, aliases, f.EndYear); err != nil {
						return err
					}
				}
			}
		}
		if f.Analysis != nil {
			if err := insertAnalysis(ctx, tx, planID, *f.Analysis); err != nil {
				return err
			}
			// The analysis's source and note go with the plan's source.
			if _, err := tx.ExecContext(ctx, "UPDATE plans SET source = $1 WHERE id = $2",
				strings.TrimSpace(f.Source+"\n"+f.Analysis.Source+"\n"+f.Analysis.Note), planID); err != nil {
				return errs.Wrap(err, "create plan")
			}
		}
		out = Plan{ID: planID, Code: f.Code, Title: f.Title, StartYear: f.StartYear, EndYear: f.EndYear}
		return audit.Record(ctx, tx, p, audit.Create, "plan", planID, nil, map[string]any{"code": f.Code, "title": f.Title, "activities": position})
	})
	return out, err
}

// insertActivity stores an activity; horizon is the plan's last year, for
// targets about the years after the activity's ("Los años siguientes …").
func insertActivity(ctx context.Context, tx *sql.Tx, planID, strategyID int64, position int, a FileActivity, aliases map[string][]int64, horizon int) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO plan_activities (plan_id, strategy_id, code, title, period, start_year, end_year, position)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, planID, strategyID, a.Code, a.Title, a.Period, a.StartYear, a.EndYear, position).Scan(&id); err != nil {
		if db.IsUniqueViolation(err) {
			return errs.E(errs.Invalid, "activity %s appears twice", a.Code)
		}
		return errs.Wrap(err, "create activity %s", a.Code)
	}
	for _, ft := range a.Targets {
		t := ft.target(a.EndYear, horizon)
		for i, m := range t.Milestones() {
			if _, err := tx.ExecContext(ctx, "INSERT INTO plan_targets (activity_id, statement, year, year_stated, value, unit, milestone) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				id, t.Statement, m.Year, t.YearStated, m.Value, m.Unit, i); err != nil {
				return errs.Wrap(err, "create target")
			}
		}
	}
	for _, name := range a.Indicators {
		if _, err := tx.ExecContext(ctx, "INSERT INTO plan_indicators (activity_id, name, kind) VALUES ($1, $2, $3)",
			id, strings.TrimSpace(name), IndicatorKind(name)); err != nil {
			return errs.Wrap(err, "create indicator")
		}
	}
	for i, name := range a.Institutions {
		ids := aliases[strings.ToLower(name)]
		if len(ids) == 0 {
			ids = []int64{0}
		}
		for _, inst := range ids {
			if _, err := tx.ExecContext(ctx, "INSERT INTO plan_activity_institutions (activity_id, name, institution_id, position) VALUES ($1, $2, $3, $4)",
				id, name, sql.NullInt64{Int64: inst, Valid: inst != 0}, i); err != nil {
				return errs.Wrap(err, "link institution")
			}
		}
	}
	return nil
}

func (f File) validate() map[string]string {
	p := map[string]string{}
	if f.Code == "" || f.Title == "" {
		p["code"] = "a plan needs a code and a title"
	}
	if f.StartYear == 0 || f.EndYear < f.StartYear {
		p["end_year"] = "start_year and end_year, in order"
	}
	seen := map[string]bool{}
	for _, o := range f.Objectives {
		for _, s := range o.Strategies {
			if !strings.HasPrefix(s.Code, o.Code+".") {
				p["strategy "+s.Code] = "its code must start with its objective's, " + o.Code
			}
			for _, a := range s.Activities {
				if !strings.HasPrefix(a.Code, s.Code+".") {
					p["activity "+a.Code] = "its code must start with its strategy's, " + s.Code
				}
				if seen[a.Code] {
					p["activity "+a.Code] = "appears twice"
				}
				seen[a.Code] = true
				if a.StartYear == 0 || a.EndYear < a.StartYear {
					p["activity "+a.Code] = "start_year and end_year, in order"
				}
			}
		}
	}
	if len(seen) == 0 {
		p["objectives"] = "the plan has no activities"
	}
	return p
}

// PlanSummary is a plan without its tree.
type PlanSummary struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Title      string `json:"title"`
	TitleEN    string `json:"title_en,omitempty"`
	StartYear  int    `json:"start_year"`
	EndYear    int    `json:"end_year"`
	Activities int    `json:"activities"`
}

// Plans lists the loaded plans.
func (s *Service) Plans(ctx context.Context) ([]PlanSummary, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT p.id, p.code, p.title, p.title_en, p.start_year, p.end_year,
		(SELECT count(*) FROM plan_activities a WHERE a.plan_id = p.id) FROM plans p ORDER BY p.id`)
	if err != nil {
		return nil, errs.Wrap(err, "list plans")
	}
	defer rows.Close()
	out := []PlanSummary{}
	for rows.Next() {
		var p PlanSummary
		if err := rows.Scan(&p.ID, &p.Code, &p.Title, &p.TitleEN, &p.StartYear, &p.EndYear, &p.Activities); err != nil {
			return nil, errs.Wrap(err, "list plans")
		}
		out = append(out, p)
	}
	return out, errs.Wrap(rows.Err(), "list plans")
}

// Plan returns a plan with its tree, every activity's light in year and the
// roll-ups of its strategies, objectives and the whole plan.
func (s *Service) Plan(ctx context.Context, id int64, year int) (Plan, error) {
	var p Plan
	err := s.db.Read().QueryRowContext(ctx, "SELECT id, code, title, title_en, issuer, published, start_year, end_year, source FROM plans WHERE id = $1", id).
		Scan(&p.ID, &p.Code, &p.Title, &p.TitleEN, &p.Issuer, &p.Published, &p.StartYear, &p.EndYear, &p.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "no plan %d", id)
	}
	if err != nil {
		return p, errs.Wrap(err, "read plan")
	}
	objectives, err := s.tree(ctx, id)
	if err != nil {
		return p, err
	}
	acts, err := s.Activities(ctx, id, year)
	if err != nil {
		return p, err
	}
	byStrategy := map[string][]Activity{}
	for _, a := range acts {
		byStrategy[a.StrategyCode] = append(byStrategy[a.StrategyCode], a)
	}
	for i := range objectives {
		o := &objectives[i]
		for j := range o.Strategies {
			st := &o.Strategies[j]
			st.Activities = byStrategy[st.Code]
			for _, a := range st.Activities {
				st.Rollup.add(a.Light)
				o.Rollup.add(a.Light)
				p.Rollup.add(a.Light)
			}
		}
	}
	p.Objectives = objectives
	p.Analysis, err = s.analysis(ctx, id)
	return p, err
}

func insertAnalysis(ctx context.Context, tx *sql.Tx, planID int64, a Analysis) error {
	pos := 0
	insert := func(kind, component, level, text, rating string) error {
		pos++
		_, err := tx.ExecContext(ctx, "INSERT INTO plan_analysis_items (plan_id, kind, component, level, text, rating, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			planID, kind, component, level, text, rating, pos)
		return errs.Wrap(err, "save analysis")
	}
	for kind, list := range map[string][]string{"strength": a.Strengths, "weakness": a.Weaknesses, "opportunity": a.Opportunities, "threat": a.Threats} {
		for _, text := range list {
			if err := insert(kind, "", "", text, ""); err != nil {
				return err
			}
		}
	}
	for _, f := range a.Diamond {
		for _, at := range f.Attributes {
			if err := insert("diamond", f.Component, f.Level, at.Name, at.Rating); err != nil {
				return err
			}
		}
	}
	return nil
}

// analysis reads a plan's competitiveness analysis (nil when it has none).
func (s *Service) analysis(ctx context.Context, planID int64) (*Analysis, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT kind, component, level, text, rating FROM plan_analysis_items WHERE plan_id = $1 ORDER BY position", planID)
	if err != nil {
		return nil, errs.Wrap(err, "read analysis")
	}
	defer rows.Close()
	a := &Analysis{}
	n := 0
	for rows.Next() {
		var kind, component, level, text, rating string
		if err := rows.Scan(&kind, &component, &level, &text, &rating); err != nil {
			return nil, errs.Wrap(err, "read analysis")
		}
		n++
		switch kind {
		case "strength":
			a.Strengths = append(a.Strengths, text)
		case "weakness":
			a.Weaknesses = append(a.Weaknesses, text)
		case "opportunity":
			a.Opportunities = append(a.Opportunities, text)
		case "threat":
			a.Threats = append(a.Threats, text)
		case "diamond":
			if len(a.Diamond) == 0 || a.Diamond[len(a.Diamond)-1].Component != component {
				a.Diamond = append(a.Diamond, DiamondFactor{Component: component, Level: level})
			}
			last := &a.Diamond[len(a.Diamond)-1]
			last.Attributes = append(last.Attributes, DiamondAttribute{Name: text, Rating: rating})
		}
	}
	if n == 0 {
		return nil, rows.Err()
	}
	return a, errs.Wrap(rows.Err(), "read analysis")
}

func (s *Service) tree(ctx context.Context, planID int64) ([]Objective, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT o.code, o.name, o.statement, st.code, st.title FROM plan_objectives o
		JOIN plan_strategies st ON st.objective_id = o.id WHERE o.plan_id = $1 ORDER BY o.id, st.id`, planID)
	if err != nil {
		return nil, errs.Wrap(err, "read plan tree")
	}
	defer rows.Close()
	var out []Objective
	for rows.Next() {
		var oc, on, os, sc, stt string
		if err := rows.Scan(&oc, &on, &os, &sc, &stt); err != nil {
			return nil, errs.Wrap(err, "read plan tree")
		}
		if len(out) == 0 || out[len(out)-1].Code != oc {
			out = append(out, Objective{Code: oc, Name: on, Statement: os})
		}
		out[len(out)-1].Strategies = append(out[len(out)-1].Strategies, Strategy{Code: sc, Title: stt})
	}
	return out, errs.Wrap(rows.Err(), "read plan tree")
}

// Activities returns every activity of a plan, in the plan's order, with its
// targets, indicators, institutions and light in year (which its computed
// indicators' targets take part in).
func (s *Service) Activities(ctx context.Context, planID int64, year int) ([]Activity, error) {
	return s.activities(ctx, planID, year, "", true)
}

// activities is Activities computing the bound indicators (when compute is
// set) of the activity coded code only, or of every one when code is "".
func (s *Service) activities(ctx context.Context, planID int64, year int, code string, compute bool) ([]Activity, error) {
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.plan_id, a.code, st.code, o.code, a.title, a.period, a.start_year, a.end_year
		FROM plan_activities a JOIN plan_strategies st ON st.id = a.strategy_id JOIN plan_objectives o ON o.id = st.objective_id
		WHERE a.plan_id = $1 ORDER BY a.position`, planID)
	if err != nil {
		return nil, errs.Wrap(err, "read activities")
	}
	var acts []Activity
	index := map[int64]int{}
	for rows.Next() {
		var a Activity
		if err := rows.Scan(&a.ID, &a.PlanID, &a.Code, &a.StrategyCode, &a.ObjectiveCode, &a.Title, &a.Period, &a.StartYear, &a.EndYear); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read activities")
		}
		a.Targets, a.Indicators, a.Institutions = []Target{}, []Indicator{}, []ActivityInstitution{}
		index[a.ID] = len(acts)
		acts = append(acts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read activities")
	}
	lastPosition := map[int64]int{} // of each activity's last institution read
	for _, part := range []struct {
		query string
		add   func(rows *sql.Rows) error
	}{
		{`SELECT t.activity_id, t.statement, t.year, t.year_stated, t.value, t.unit, t.milestone FROM plan_targets t
			JOIN plan_activities a ON a.id = t.activity_id WHERE a.plan_id = $1 ORDER BY t.id`, func(rows *sql.Rows) error {
			var id int64
			var t Target
			var v sql.NullFloat64
			var milestone int
			err := rows.Scan(&id, &t.Statement, &t.Year, &t.YearStated, &v, &t.Unit, &milestone)
			if v.Valid {
				t.Value = &v.Float64
			}
			targets := &acts[index[id]].Targets
			if milestone > 0 && len(*targets) > 0 { // a further milestone of the statement before
				last := &(*targets)[len(*targets)-1]
				last.Later = append(last.Later, Milestone{Year: t.Year, Value: t.Value, Unit: t.Unit})
				return err
			}
			*targets = append(*targets, t)
			return err
		}},
		{`SELECT i.activity_id, i.id, i.name, i.kind, i.unit FROM plan_indicators i
			JOIN plan_activities a ON a.id = i.activity_id WHERE a.plan_id = $1 ORDER BY i.id`, func(rows *sql.Rows) error {
			var id int64
			var ind Indicator
			err := rows.Scan(&id, &ind.ID, &ind.Name, &ind.Kind, &ind.Unit)
			acts[index[id]].Indicators = append(acts[index[id]].Indicators, ind)
			return err
		}},
		{`SELECT ai.activity_id, ai.position, ai.name, ai.institution_id FROM plan_activity_institutions ai
			JOIN plan_activities a ON a.id = ai.activity_id WHERE a.plan_id = $1 ORDER BY ai.activity_id, ai.position, ai.institution_id`, func(rows *sql.Rows) error {
			var id int64
			var position int
			var ai ActivityInstitution
			var inst sql.NullInt64
			err := rows.Scan(&id, &position, &ai.Name, &inst)
			list := &acts[index[id]].Institutions
			// One row per linked institution: a mention naming two has two rows at one position.
			if n := len(*list); n > 0 && lastPosition[id] == position {
				(*list)[n-1].InstitutionIDs = append((*list)[n-1].InstitutionIDs, inst.Int64)
				return err
			}
			if inst.Valid {
				ai.InstitutionID, ai.InstitutionIDs = inst.Int64, []int64{inst.Int64}
			}
			*list = append(*list, ai)
			lastPosition[id] = position
			return err
		}},
		{`SELECT r.activity_id, r.period, r.status FROM plan_reports r JOIN plan_activities a ON a.id = r.activity_id
			WHERE a.plan_id = $1 AND r.state = 'approved' ORDER BY r.year, r.period`, func(rows *sql.Rows) error {
			var id int64
			var period, status string
			err := rows.Scan(&id, &period, &status)
			acts[index[id]].LastPeriod, acts[index[id]].LastStatus = period, status // the latest wins
			return err
		}},
	} {
		rows, err := q.QueryContext(ctx, part.query, planID)
		if err != nil {
			return nil, errs.Wrap(err, "read activities")
		}
		for rows.Next() {
			if err := part.add(rows); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "read activities")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "read activities")
		}
	}
	if err := s.bind(ctx, planID, acts, year, code, compute); err != nil {
		return nil, err
	}
	for i := range acts {
		acts[i].Light = acts[i].light(year)
	}
	return acts, nil
}

// Activity returns one activity of a plan by its code.
func (s *Service) Activity(ctx context.Context, planID int64, code string, year int) (Activity, error) {
	return s.activity(ctx, planID, code, year, true)
}

func (s *Service) activity(ctx context.Context, planID int64, code string, year int, compute bool) (Activity, error) {
	acts, err := s.activities(ctx, planID, year, code, compute)
	if err != nil {
		return Activity{}, err
	}
	for _, a := range acts {
		if a.Code == code {
			return a, nil
		}
	}
	return Activity{}, errs.E(errs.NotFound, "no activity %s in plan %d", code, planID)
}

// Due lists the activities of p's institutions that run in year and have
// no approved report for it yet: what p's institution owes the Mesa de Trabajo.
func (s *Service) Due(ctx context.Context, p auth.Principal, planID int64, year int) ([]Activity, error) {
	acts, err := s.Activities(ctx, planID, year)
	if err != nil {
		return nil, err
	}
	approved := map[int64]bool{}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT r.activity_id FROM plan_reports r JOIN plan_activities a ON a.id = r.activity_id
		WHERE a.plan_id = $1 AND r.state = 'approved' AND r.year = $2`, planID, year)
	if err != nil {
		return nil, errs.Wrap(err, "read reports")
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read reports")
		}
		approved[id] = true
	}
	rows.Close()
	var out []Activity
	for _, a := range acts {
		if year >= a.StartYear && year <= a.EndYear && !approved[a.ID] && a.Light != LightDone && a.Light != LightCancelled && a.involves(p) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EndYear < out[j].EndYear })
	return out, nil
}

func periodYear(period string) (int, *errs.Error) {
	var year int
	var half string
	n, _ := fmt.Sscanf(period, "%4d-%s", &year, &half)
	switch {
	case n == 2 && (half == "S1" || half == "S2") && year >= 1990 && year <= 2100:
		return year, nil
	case len(period) == 4:
		if _, err := fmt.Sscanf(period, "%4d", &year); err == nil && year >= 1990 && year <= 2100 {
			return year, nil
		}
	}
	return 0, errs.E(errs.Invalid, "a year (2008) or a semester (2008-S1)")
}
