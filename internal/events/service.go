package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sriim/internal/actors"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// Service is the events module.
type Service struct {
	db     *db.DB
	actors *actors.Service
	Now    func() time.Time
}

// New returns the events service over d; registry matches the
// organisations of attendance sheets.
func New(d *db.DB, registry *actors.Service) *Service {
	return &Service{db: d, actors: registry, Now: func() time.Time { return time.Now().UTC() }}
}

const columns = `id, kind, title, title_en, description, description_en, starts_on, ends_on, COALESCE(district, ''), venue,
	institution_id, created_at, updated_at, version,
	(SELECT COUNT(*) FROM event_participants p WHERE p.event_id = events.id)`

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var inst sql.NullInt64
	err := row.Scan(&e.ID, &e.Kind, &e.Title, &e.TitleEN, &e.Description, &e.DescriptionEN, &e.StartsOn, &e.EndsOn, &e.District,
		&e.Venue, &inst, &e.CreatedAt, &e.UpdatedAt, &e.Version, &e.Participants)
	e.InstitutionID = inst.Int64
	return e, err
}

// details loads the organisers, activities, topics, species and materials of the events.
func details(ctx context.Context, q querier, list []Event) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*Event{}
	var ph []string
	var args []any
	for i := range list {
		e := &list[i]
		e.Organisers, e.Activities, e.Topics, e.Species, e.Materials = []int64{}, []int64{}, []string{}, []string{}, []Material{}
		byID[e.ID] = e
		args = append(args, e.ID)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	in := " IN (" + strings.Join(ph, ", ") + ")"
	for _, part := range []struct {
		query string
		add   func(rows *sql.Rows) error
	}{
		{"SELECT event_id, institution_id FROM event_organisers WHERE event_id" + in + " ORDER BY institution_id", func(rows *sql.Rows) error {
			var id, v int64
			err := rows.Scan(&id, &v)
			byID[id].Organisers = append(byID[id].Organisers, v)
			return err
		}},
		{"SELECT event_id, activity_id FROM event_activities WHERE event_id" + in + " ORDER BY activity_id", func(rows *sql.Rows) error {
			var id, v int64
			err := rows.Scan(&id, &v)
			byID[id].Activities = append(byID[id].Activities, v)
			return err
		}},
		{"SELECT event_id, topic FROM event_topics WHERE event_id" + in + " ORDER BY topic", func(rows *sql.Rows) error {
			var id int64
			var v string
			err := rows.Scan(&id, &v)
			byID[id].Topics = append(byID[id].Topics, v)
			return err
		}},
		{"SELECT event_id, species FROM event_species WHERE event_id" + in + " ORDER BY species", func(rows *sql.Rows) error {
			var id int64
			var v string
			err := rows.Scan(&id, &v)
			byID[id].Species = append(byID[id].Species, v)
			return err
		}},
		{"SELECT event_id, title, kind, ref FROM event_materials WHERE event_id" + in + " ORDER BY event_id, position", func(rows *sql.Rows) error {
			var id int64
			var m Material
			err := rows.Scan(&id, &m.Title, &m.Kind, &m.Ref)
			byID[id].Materials = append(byID[id].Materials, m)
			return err
		}},
	} {
		rows, err := q.QueryContext(ctx, part.query, args...)
		if err != nil {
			return errs.Wrap(err, "read event details")
		}
		for rows.Next() {
			if err := part.add(rows); err != nil {
				rows.Close()
				return errs.Wrap(err, "read event details")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "read event details")
		}
	}
	return nil
}

func getEvent(ctx context.Context, q querier, id int64) (Event, error) {
	e, err := scanEvent(q.QueryRowContext(ctx, "SELECT "+columns+" FROM events WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, errs.E(errs.NotFound, "no event %d", id)
	}
	if err != nil {
		return e, errs.Wrap(err, "read event")
	}
	list := []Event{e}
	err = details(ctx, q, list)
	return list[0], err
}

// Event returns one event. Events are public.
func (s *Service) Event(ctx context.Context, id int64) (Event, error) {
	return getEvent(ctx, s.db.Read(), id)
}

// Filter selects events; zero fields select everything.
type Filter struct {
	From, To   string // YYYY-MM-DD: events that end on or after From and start on or before To
	Kind       string
	ActivityID int64
	Limit      int // default 100, at most 1000
}

// List returns the events the filter selects, soonest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Event, error) {
	var cond []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.From != "" {
		cond = append(cond, "ends_on >= "+arg(f.From))
	}
	if f.To != "" {
		cond = append(cond, "starts_on <= "+arg(f.To))
	}
	if f.Kind != "" {
		code, ok := Kinds.Parse(f.Kind)
		if !ok {
			return nil, errs.Fields("the filter has invalid fields", map[string]string{"kind": "one of " + Kinds.Words()})
		}
		cond = append(cond, "kind = "+arg(code))
	}
	if f.ActivityID != 0 {
		cond = append(cond, "EXISTS (SELECT 1 FROM event_activities ea WHERE ea.event_id = events.id AND ea.activity_id = "+arg(f.ActivityID)+")")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	where := ""
	if len(cond) > 0 {
		where = " WHERE " + strings.Join(cond, " AND ")
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM events"+where+" ORDER BY starts_on, id LIMIT "+strconv.Itoa(min(f.Limit, 1000)), args...)
	if err != nil {
		return nil, errs.Wrap(err, "list events")
	}
	list := []Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "list events")
		}
		list = append(list, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "list events")
	}
	return list, details(ctx, s.db.Read(), list)
}

// Upcoming lists the events that have not ended by today, soonest first.
func (s *Service) Upcoming(ctx context.Context, limit int) ([]Event, error) {
	return s.List(ctx, Filter{From: s.Now().Format("2006-01-02"), Limit: limit})
}

// check validates the references of an event against the database.
func check(ctx context.Context, q querier, e Event, problems map[string]string) error {
	exists := func(query string, arg any) (bool, error) {
		var n int
		err := q.QueryRowContext(ctx, query, arg).Scan(&n)
		return n > 0, errs.Wrap(err, "check event")
	}
	if e.District != "" {
		ok, err := exists("SELECT COUNT(*) FROM places WHERE code = $1 AND kind IN ('district', 'province', 'region', 'landing_site')", e.District)
		if err != nil {
			return err
		}
		if !ok {
			problems["district"] = fmt.Sprintf("%q is not a district of the region", e.District)
		}
	}
	for _, id := range e.Organisers {
		if ok, err := exists("SELECT COUNT(*) FROM institutions WHERE id = $1", id); err != nil {
			return err
		} else if !ok {
			problems["organisers"] = fmt.Sprintf("no institution %d", id)
		}
	}
	for _, id := range e.Activities {
		if ok, err := exists("SELECT COUNT(*) FROM plan_activities WHERE id = $1", id); err != nil {
			return err
		} else if !ok {
			problems["activities"] = fmt.Sprintf("no plan activity %d", id)
		}
	}
	for _, sp := range e.Species {
		if ok, err := exists("SELECT COUNT(*) FROM species WHERE code = $1", sp); err != nil {
			return err
		} else if !ok {
			problems["species"] = fmt.Sprintf("%q is not in the species list", sp)
		}
	}
	return nil
}

// institutionFor is the institution that keeps what p creates.
func institutionFor(p auth.Principal) int64 {
	if len(p.Institutions) > 0 {
		return p.Institutions[0]
	}
	return 0
}

// CanCreate reports whether p may add events.
func CanCreate(p auth.Principal) bool {
	return auth.Can(p, auth.Owner{Institution: institutionFor(p)})
}

// Create adds an event, kept by the acting user's institution.
func (s *Service) Create(ctx context.Context, p auth.Principal, e Event) (Event, error) {
	e.ID, e.InstitutionID = 0, institutionFor(p)
	if err := auth.Authorize(p, auth.Owner{Institution: e.InstitutionID}); err != nil {
		return e, err
	}
	var out Event
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		problems := e.normalize()
		if err := check(ctx, tx, e, problems); err != nil {
			return err
		}
		if len(problems) > 0 {
			return errs.Fields("the event has invalid fields", problems)
		}
		now := s.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (kind, title, title_en, description, description_en, starts_on, ends_on, district,
			venue, institution_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			e.Kind, e.Title, e.TitleEN, e.Description, e.DescriptionEN, e.StartsOn, e.EndsOn, nullString(e.District), e.Venue,
			nullID(e.InstitutionID), now).Scan(&e.ID); err != nil {
			return errs.Wrap(err, "create event")
		}
		if err := writeDetails(ctx, tx, e); err != nil {
			return err
		}
		var err error
		if out, err = getEvent(ctx, tx, e.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Create, "event", out.ID, nil, out)
	})
	return out, err
}

// Update replaces an event's fields (its attendance stays). e.Version is
// the version the change is based on: an event changed since is refused
// with a Conflict that lists what changed.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, e Event) (Event, error) {
	var out Event
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		if !before.CanChange(p) {
			return auth.Authorize(p, auth.Owner{Institution: before.InstitutionID})
		}
		if e.Version != before.Version {
			return audit.Stale(ctx, tx, "event", id, e.Version, before.Version, before)
		}
		e.ID, e.InstitutionID = id, before.InstitutionID
		problems := e.normalize()
		if err := check(ctx, tx, e, problems); err != nil {
			return err
		}
		if len(problems) > 0 {
			return errs.Fields("the event has invalid fields", problems)
		}
		res, err := tx.ExecContext(ctx, `UPDATE events SET kind = $1, title = $2, title_en = $3, description = $4, description_en = $5,
			starts_on = $6, ends_on = $7, district = $8, venue = $9, updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12`,
			e.Kind, e.Title, e.TitleEN, e.Description, e.DescriptionEN, e.StartsOn, e.EndsOn, nullString(e.District), e.Venue, s.Now(), id, before.Version)
		if err != nil {
			return errs.Wrap(err, "update event")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			current, err := getEvent(ctx, tx, id)
			if err != nil {
				return err
			}
			return audit.Stale(ctx, tx, "event", id, before.Version, current.Version, current)
		}
		for _, table := range []string{"event_organisers", "event_activities", "event_topics", "event_species", "event_materials"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE event_id = $1", id); err != nil {
				return errs.Wrap(err, "update event")
			}
		}
		if err := writeDetails(ctx, tx, e); err != nil {
			return err
		}
		if out, err = getEvent(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Update, "event", id, before, out)
	})
	return out, err
}

// Delete removes an event with its attendance (the people stay: they may
// have attended others). Its keepers and administrators delete.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, auth.Owner{Institution: before.InstitutionID}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM events WHERE id = $1", id); err != nil {
			return errs.Wrap(err, "delete event")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "event", id, before, nil)
	})
}

func writeDetails(ctx context.Context, tx *sql.Tx, e Event) error {
	for _, o := range e.Organisers {
		if _, err := tx.ExecContext(ctx, "INSERT INTO event_organisers (event_id, institution_id) VALUES ($1, $2)", e.ID, o); err != nil {
			return errs.Wrap(err, "save event")
		}
	}
	for _, a := range e.Activities {
		if _, err := tx.ExecContext(ctx, "INSERT INTO event_activities (event_id, activity_id) VALUES ($1, $2)", e.ID, a); err != nil {
			return errs.Wrap(err, "save event")
		}
	}
	for _, t := range e.Topics {
		if _, err := tx.ExecContext(ctx, "INSERT INTO event_topics (event_id, topic) VALUES ($1, $2)", e.ID, t); err != nil {
			return errs.Wrap(err, "save event")
		}
	}
	for _, sp := range e.Species {
		if _, err := tx.ExecContext(ctx, "INSERT INTO event_species (event_id, species) VALUES ($1, $2)", e.ID, sp); err != nil {
			return errs.Wrap(err, "save event")
		}
	}
	for i, m := range e.Materials {
		if _, err := tx.ExecContext(ctx, "INSERT INTO event_materials (event_id, position, title, kind, ref) VALUES ($1, $2, $3, $4, $5)",
			e.ID, i, m.Title, m.Kind, m.Ref); err != nil {
			return errs.Wrap(err, "save event")
		}
	}
	return nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
func nullID(id int64) sql.NullInt64      { return sql.NullInt64{Int64: id, Valid: id != 0} }
