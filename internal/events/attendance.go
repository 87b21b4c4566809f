package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"sriim/internal/actors"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/importer"
	"sriim/internal/vocab"
)

// Person is someone who took part in events, once however many.
type Person struct {
	ID           int64  `json:"id"`
	Document     string `json:"document"`      // normalised: the DNI's digits, or type and number ("CE 001234567")
	DocumentType string `json:"document_type"` // dni, ce, passport, other
	Name         string `json:"name"`
	Sex          string `json:"sex,omitempty"` // F, M or empty
}

// Participant is a person's attendance at an event.
type Participant struct {
	ID      int64  `json:"id"`
	EventID int64  `json:"event_id"`
	Person  Person `json:"person"`
	// ActorID is the registered actor the person represented (0: none);
	// Organisation and RUC are as the sheet wrote them.
	ActorID      int64  `json:"actor_id,omitempty"`
	ActorName    string `json:"actor_name,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	RUC          string `json:"ruc,omitempty"`
	Role         string `json:"role,omitempty"`
	AgeBand      string `json:"age_band,omitempty"`
}

// AgeBands are the age bands kept (an age given in years goes to its band).
var AgeBands = []string{"under_18", "18_29", "30_44", "45_59", "60_plus"}

// AttendanceColumns are the columns of an attendance sheet.
var AttendanceColumns = []string{"nombre", "documento", "sexo", "edad", "organizacion", "ruc", "cargo"}

var (
	dniRE     = regexp.MustCompile(`^[0-9]{8}$`)
	docTypeRE = regexp.MustCompile(`^(DNI|CE|C\.E\.|CARNE DE EXTRANJERIA|PAS|PASAPORTE|PP|OTRO)[\s.:-]*([A-Z0-9][A-Z0-9-]*)$`)
	bandRE    = regexp.MustCompile(`^(\d{1,2})\s*(?:-|a|–)\s*(\d{1,2})$`)
)

// parseDocument reads an identity document as people write it: a DNI's
// eight digits, or a type and a number ("CE 001234567", "Pasaporte
// AB123456"). msg says what is wrong when ok is false.
func parseDocument(s string) (doc, kind, msg string) {
	s = strings.ToUpper(strings.Join(strings.Fields(vocab.Fold(s)), " "))
	if s == "" {
		return "", "", "required: the person's DNI or other identity document"
	}
	plain := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(s)
	if dniRE.MatchString(plain) {
		return plain, "dni", ""
	}
	if digitsRE.MatchString(plain) {
		return "", "", "a DNI has 8 digits; write another document with its type (CE 001234567, PASAPORTE AB123456)"
	}
	m := docTypeRE.FindStringSubmatch(s)
	if m == nil {
		return "", "", "a DNI has 8 digits; write another document with its type (CE 001234567, PASAPORTE AB123456)"
	}
	switch m[1] {
	case "DNI":
		return "", "", "a DNI has 8 digits; write another document with its type (CE 001234567, PASAPORTE AB123456)"
	case "CE", "C.E.", "CARNE DE EXTRANJERIA":
		return "CE " + m[2], "ce", ""
	case "PAS", "PASAPORTE", "PP":
		return "PASAPORTE " + m[2], "passport", ""
	}
	return "OTRO " + m[2], "other", ""
}

// parseSex reads F or M as people write it.
func parseSex(s string) (string, bool) {
	switch vocab.Fold(s) {
	case "":
		return "", true
	case "f", "mujer", "femenino", "fem":
		return "F", true
	case "m", "hombre", "varon", "masculino", "masc":
		return "M", true
	}
	return "", false
}

// parseAge reads an age in years (to its band) or a band ("30-44", "60+").
func parseAge(s string) (string, bool) {
	s = strings.TrimSpace(vocab.Fold(s))
	if s == "" {
		return "", true
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "anos"), " ")
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 120 {
		switch {
		case n < 18:
			return "under_18", true
		case n < 30:
			return "18_29", true
		case n < 45:
			return "30_44", true
		case n < 60:
			return "45_59", true
		}
		return "60_plus", true
	}
	switch s {
	case "<18", "menor de 18", "menos de 18", "under_18":
		return "under_18", true
	case "60+", "60 a mas", "60 o mas", "60_plus", "mas de 60":
		return "60_plus", true
	}
	if m := bandRE.FindStringSubmatch(s); m != nil {
		band := m[1] + "_" + m[2]
		for _, b := range AgeBands {
			if b == band {
				return band, true
			}
		}
	}
	return "", false
}

// StagedRow is a checked row of an attendance sheet.
type StagedRow struct {
	Line         int    `json:"line"`
	Name         string `json:"name"`
	Document     string `json:"document"`
	DocumentType string `json:"document_type"`
	Sex          string `json:"sex,omitempty"`
	AgeBand      string `json:"age_band,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	RUC          string `json:"ruc,omitempty"`
	Role         string `json:"role,omitempty"`
	// Match is how the organisation was matched to the registry; ActorID
	// is the actor (for a near match, the one proposed).
	Match   string `json:"match"`
	ActorID int64  `json:"actor_id,omitempty"`
	// PersonID is the person the document is registered as (0: a new person).
	PersonID int64 `json:"person_id,omitempty"`
}

// Proposal is a near match of an organisation of the sheet (every row that
// writes it so) to a registered actor, for a person to confirm or reject.
type Proposal struct {
	Key          string   `json:"key"` // what the confirmations name it by
	Organisation string   `json:"organisation"`
	ActorID      int64    `json:"actor_id"`
	ActorName    string   `json:"actor_name"`
	ActorKinds   []string `json:"actor_kinds,omitempty"`
	Lines        []int    `json:"lines"`
}

// Staged is an attendance sheet read and checked, not applied yet.
type Staged struct {
	ID        int64       `json:"id"`
	EventID   int64       `json:"event_id"`
	Filename  string      `json:"filename"`
	State     string      `json:"state"` // staged, applied, discarded
	Rows      []StagedRow `json:"rows"`
	Proposals []Proposal  `json:"proposals"`
	// Warnings are things a person should look at that do not stop the import.
	Warnings []errs.Problem `json:"warnings,omitempty"`
	// Counts.
	NewPeople    int       `json:"new_people"`   // documents not registered yet
	KnownPeople  int       `json:"known_people"` // people who attended another event (or this one) before
	Matched      int       `json:"matched"`      // rows whose organisation is a registered actor (by RUC or name)
	Unregistered int       `json:"unregistered"` // rows whose organisation is not in the registry
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// proposalKey names an organisation of a sheet: its name folded, or its RUC.
func proposalKey(organisation, ruc string) string {
	if ruc != "" {
		return "ruc:" + ruc
	}
	return vocab.Fold(strings.Join(strings.Fields(organisation), " "))
}

// Stage reads an attendance sheet (CSV or XLSX with the columns nombre,
// documento, sexo, edad, organizacion, ruc, cargo) for an event, checks it
// whole — every problem reported by row and column, and then nothing is
// kept — and matches each organisation to the registry: by RUC, by name, or
// as a near match that a person must confirm (Apply). A person is matched
// by identity document to one who attended before.
func (s *Service) Stage(ctx context.Context, p auth.Principal, eventID int64, r io.Reader, filename string) (Staged, error) {
	ev, err := s.Event(ctx, eventID)
	if err != nil {
		return Staged{}, err
	}
	if !ev.CanChange(p) {
		return Staged{}, auth.Authorize(p, auth.Owner{Institution: ev.InstitutionID})
	}
	t, err := importer.Read(r, filename, []string{"nombre", "documento"})
	if err != nil {
		return Staged{}, err
	}
	matcher, err := s.actors.Matcher(ctx)
	if err != nil {
		return Staged{}, err
	}
	st := Staged{EventID: eventID, Filename: filename, State: "staged", Rows: []StagedRow{}, Proposals: []Proposal{}, CreatedBy: p.Email, CreatedAt: s.Now()}
	var problems importer.Problems
	seen := map[string]int{}
	proposals := map[string]int{}
	for _, row := range t.Rows {
		sr := StagedRow{Line: row.Line, Name: strings.Join(strings.Fields(row.Get("nombre")), " "), Organisation: strings.Join(strings.Fields(row.Get("organizacion")), " "),
			RUC: strings.TrimSpace(row.Get("ruc")), Role: strings.TrimSpace(row.Get("cargo"))}
		if sr.Name == "" {
			problems.Add(row.Line, "nombre", "required")
		}
		var msg string
		if sr.Document, sr.DocumentType, msg = parseDocument(row.Get("documento")); msg != "" {
			problems.Add(row.Line, "documento", "%s", msg)
		} else if line, dup := seen[sr.Document]; dup {
			problems.Add(row.Line, "documento", "the same person as row %d", line)
		} else {
			seen[sr.Document] = row.Line
		}
		var ok bool
		if sr.Sex, ok = parseSex(row.Get("sexo")); !ok {
			problems.Add(row.Line, "sexo", "F or M (mujer, hombre)")
		}
		if sr.AgeBand, ok = parseAge(row.Get("edad")); !ok {
			problems.Add(row.Line, "edad", "an age in years, or a band: <18, 18-29, 30-44, 45-59, 60+")
		}
		if sr.RUC != "" {
			if err := actors.ValidRUC(sr.RUC); err != nil {
				problems.Add(row.Line, "ruc", "%s", err.Message)
			}
		}
		if len(sr.Name) > 200 || len(sr.Organisation) > 300 || len(sr.Role) > 200 {
			problems.Add(row.Line, "", "a cell is too long")
		}
		if sr.Organisation != "" || sr.RUC != "" {
			m := matcher.Match(sr.RUC, sr.Organisation)
			sr.Match, sr.ActorID = m.By, m.ActorID
			switch m.By {
			case actors.MatchNear:
				key := proposalKey(sr.Organisation, sr.RUC)
				i, ok := proposals[key]
				if !ok {
					i = len(st.Proposals)
					proposals[key] = i
					st.Proposals = append(st.Proposals, Proposal{Key: key, Organisation: sr.Organisation, ActorID: m.ActorID, ActorName: m.Name, ActorKinds: m.Kinds})
				}
				st.Proposals[i].Lines = append(st.Proposals[i].Lines, row.Line)
			case actors.MatchRUC, actors.MatchName:
				st.Matched++
			default:
				st.Unregistered++
			}
		}
		st.Rows = append(st.Rows, sr)
	}
	if problems.Len() > 0 {
		return Staged{}, problems.Err()
	}
	if len(st.Rows) == 0 {
		return Staged{}, errs.E(errs.Invalid, "the sheet has no rows")
	}
	people, err := s.peopleByDocument(ctx, s.db.Read(), st.Rows)
	if err != nil {
		return Staged{}, err
	}
	for i := range st.Rows {
		sr := &st.Rows[i]
		if known, ok := people[sr.Document]; ok {
			sr.PersonID = known.ID
			st.KnownPeople++
			if vocab.Fold(known.Name) != vocab.Fold(sr.Name) {
				st.Warnings = append(st.Warnings, errs.Problem{Line: sr.Line, Column: "nombre",
					Msg: errs.Msg{Format: "document %s is registered as %q: that name is kept", Args: []any{sr.Document, known.Name}}})
			}
		} else {
			st.NewPeople++
		}
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return Staged{}, errs.Wrap(err, "stage attendance")
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO attendance_imports (event_id, filename, state, payload, created_by, created_at)
			VALUES ($1, $2, 'staged', $3, $4, $5) RETURNING id`, eventID, filename, string(payload), p.Email, st.CreatedAt).Scan(&st.ID); err != nil {
			return errs.Wrap(err, "stage attendance")
		}
		return audit.Record(ctx, tx, p, audit.Create, "attendance_import", st.ID, nil, map[string]any{"event_id": eventID, "filename": filename, "rows": len(st.Rows)})
	})
	return st, err
}

// StagedImport returns a staged import, for the page that confirms its near matches.
func (s *Service) StagedImport(ctx context.Context, p auth.Principal, id int64) (Staged, error) {
	var st Staged
	var payload, state string
	err := s.db.Read().QueryRowContext(ctx, "SELECT event_id, state, payload FROM attendance_imports WHERE id = $1", id).Scan(&st.EventID, &state, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return st, errs.E(errs.NotFound, "no attendance import %d", id)
	}
	if err != nil {
		return st, errs.Wrap(err, "read attendance import")
	}
	ev, err := s.Event(ctx, st.EventID)
	if err != nil {
		return st, err
	}
	if !ev.CanChange(p) {
		return Staged{}, errs.E(errs.NotFound, "no attendance import %d", id)
	}
	if err := json.Unmarshal([]byte(payload), &st); err != nil {
		return st, errs.Wrap(err, "read attendance import")
	}
	st.ID, st.State = id, state
	return st, nil
}

// AttendanceReport says what applying an attendance sheet did.
type AttendanceReport struct {
	Rows      int `json:"rows"`
	Added     int `json:"added"`     // new participants of the event
	Updated   int `json:"updated"`   // participants already listed, whose row changed
	Unchanged int `json:"unchanged"` // participants already listed as the row says
	NewPeople int `json:"new_people"`
	Linked    int `json:"linked"` // rows linked to a registered actor
}

// Apply writes a staged attendance sheet: confirmations say, for each near
// match (by its key), whether the organisation is the actor proposed (true)
// or not (false); every near match needs an answer. All rows are written
// or none; applying the same sheet again changes nothing.
func (s *Service) Apply(ctx context.Context, p auth.Principal, id int64, confirmations map[string]bool) (AttendanceReport, error) {
	var rep AttendanceReport
	st, err := s.StagedImport(ctx, p, id)
	if err != nil {
		return rep, err
	}
	if st.State != "staged" {
		return rep, settled(st.State)
	}
	ev, err := s.Event(ctx, st.EventID)
	if err != nil {
		return rep, err
	}
	if !ev.CanChange(p) {
		return rep, auth.Authorize(p, auth.Owner{Institution: ev.InstitutionID})
	}
	fields := map[string]string{}
	near := map[string]Proposal{}
	for _, pr := range st.Proposals {
		near[pr.Key] = pr
		if _, ok := confirmations[pr.Key]; !ok {
			fields[pr.Organisation] = "confirm or reject the near match"
		}
	}
	if len(fields) > 0 {
		return rep, errs.Fields("say for each near match whether it is the registered actor", fields)
	}
	rep.Rows = len(st.Rows)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var state string
		if err := tx.QueryRowContext(ctx, "SELECT state FROM attendance_imports WHERE id = $1", id).Scan(&state); err != nil {
			return errs.Wrap(err, "read attendance import")
		}
		if state != "staged" {
			return settled(state)
		}
		people, err := s.peopleByDocument(ctx, tx, st.Rows)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, sr := range st.Rows {
			actorID := int64(0)
			switch sr.Match {
			case actors.MatchRUC, actors.MatchName:
				actorID = sr.ActorID
			case actors.MatchNear:
				if confirmations[proposalKey(sr.Organisation, sr.RUC)] {
					actorID = near[proposalKey(sr.Organisation, sr.RUC)].ActorID
				}
			}
			if actorID != 0 {
				// The actor may have left the registry since the sheet was staged.
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM actors WHERE id = $1", actorID).Scan(&n); err != nil {
					return errs.Wrap(err, "read actor")
				}
				if n == 0 {
					actorID = 0
				}
			}
			person, ok := people[sr.Document]
			if !ok {
				person = Person{Document: sr.Document, DocumentType: sr.DocumentType, Name: sr.Name, Sex: sr.Sex}
				if err := tx.QueryRowContext(ctx, `INSERT INTO people (document, document_type, name, sex, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, person.Document, person.DocumentType, person.Name, person.Sex, now).Scan(&person.ID); err != nil {
					return errs.Wrap(err, "save person")
				}
				if err := audit.Record(ctx, tx, p, audit.Create, "person", person.ID, nil, person); err != nil {
					return err
				}
				people[sr.Document] = person
				rep.NewPeople++
			} else if person.Sex == "" && sr.Sex != "" {
				before := person
				person.Sex = sr.Sex
				if _, err := tx.ExecContext(ctx, "UPDATE people SET sex = $1, updated_at = $2 WHERE id = $3", person.Sex, now, person.ID); err != nil {
					return errs.Wrap(err, "save person")
				}
				if err := audit.Record(ctx, tx, p, audit.Update, "person", person.ID, before, person); err != nil {
					return err
				}
				people[sr.Document] = person
			}
			part := Participant{EventID: st.EventID, Person: person, ActorID: actorID, Organisation: sr.Organisation, RUC: sr.RUC, Role: sr.Role, AgeBand: sr.AgeBand}
			if actorID != 0 {
				rep.Linked++
			}
			changed, created, err := s.saveParticipant(ctx, tx, p, part)
			if err != nil {
				return err
			}
			switch {
			case created:
				rep.Added++
			case changed:
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE attendance_imports SET state = 'applied', applied_at = $1 WHERE id = $2", now, id); err != nil {
			return errs.Wrap(err, "apply attendance")
		}
		return audit.Record(ctx, tx, p, audit.Update, "attendance_import", id, map[string]any{"state": "staged"},
			map[string]any{"state": "applied", "confirmations": confirmations, "report": rep})
	})
	if err != nil {
		return AttendanceReport{}, err
	}
	return rep, nil
}

// settled is the Conflict of a change to a sheet applied or discarded already.
func settled(state string) error {
	if state == "discarded" {
		return errs.E(errs.Conflict, "this attendance sheet was discarded")
	}
	return errs.E(errs.Conflict, "this attendance sheet was applied already")
}

// Discard drops a staged sheet without applying it.
func (s *Service) Discard(ctx context.Context, p auth.Principal, id int64) error {
	st, err := s.StagedImport(ctx, p, id)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE attendance_imports SET state = 'discarded' WHERE id = $1 AND state = 'staged'", id)
		if err != nil {
			return errs.Wrap(err, "discard attendance")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return settled(st.State)
		}
		return audit.Record(ctx, tx, p, audit.Update, "attendance_import", id, map[string]any{"state": "staged"}, map[string]any{"state": "discarded"})
	})
}

// saveParticipant adds a person to an event, or updates their attendance
// when they are listed already; it reports whether anything changed and
// whether the participant is new.
func (s *Service) saveParticipant(ctx context.Context, tx *sql.Tx, p auth.Principal, part Participant) (changed, created bool, err error) {
	before, err := participant(ctx, tx, "p.event_id = $1 AND p.person_id = $2", part.EventID, part.Person.ID)
	switch {
	case errs.Is(err, errs.NotFound):
		if err := tx.QueryRowContext(ctx, `INSERT INTO event_participants (event_id, person_id, actor_id, organisation, ruc, role, age_band, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, part.EventID, part.Person.ID, nullID(part.ActorID), part.Organisation, part.RUC,
			part.Role, part.AgeBand, s.Now()).Scan(&part.ID); err != nil {
			return false, false, errs.Wrap(err, "save participant")
		}
		return true, true, audit.Record(ctx, tx, p, audit.Create, "event_participant", part.ID, nil, part)
	case err != nil:
		return false, false, err
	}
	part.ID = before.ID
	if before.ActorID == part.ActorID && before.Organisation == part.Organisation && before.RUC == part.RUC && before.Role == part.Role && before.AgeBand == part.AgeBand {
		return false, false, nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE event_participants SET actor_id = $1, organisation = $2, ruc = $3, role = $4, age_band = $5 WHERE id = $6",
		nullID(part.ActorID), part.Organisation, part.RUC, part.Role, part.AgeBand, part.ID); err != nil {
		return false, false, errs.Wrap(err, "save participant")
	}
	before.ActorName = ""
	return true, false, audit.Record(ctx, tx, p, audit.Update, "event_participant", part.ID, before, part)
}

const participantColumns = `p.id, p.event_id, p.actor_id, COALESCE(a.name, ''), p.organisation, p.ruc, p.role, p.age_band,
	pe.id, pe.document, pe.document_type, pe.name, pe.sex`

func scanParticipant(row interface{ Scan(...any) error }) (Participant, error) {
	var part Participant
	var actor sql.NullInt64
	err := row.Scan(&part.ID, &part.EventID, &actor, &part.ActorName, &part.Organisation, &part.RUC, &part.Role, &part.AgeBand,
		&part.Person.ID, &part.Person.Document, &part.Person.DocumentType, &part.Person.Name, &part.Person.Sex)
	part.ActorID = actor.Int64
	return part, err
}

func participant(ctx context.Context, q querier, where string, args ...any) (Participant, error) {
	part, err := scanParticipant(q.QueryRowContext(ctx, "SELECT "+participantColumns+` FROM event_participants p
		JOIN people pe ON pe.id = p.person_id LEFT JOIN actors a ON a.id = p.actor_id WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return part, errs.E(errs.NotFound, "no such participant")
	}
	return part, errs.Wrap(err, "read participant")
}

// peopleByDocument returns the registered people among the rows' documents.
func (s *Service) peopleByDocument(ctx context.Context, q querier, rows []StagedRow) (map[string]Person, error) {
	out := map[string]Person{}
	for start := 0; start < len(rows); start += 500 {
		batch := rows[start:min(start+500, len(rows))]
		var ph []string
		var args []any
		for _, r := range batch {
			args = append(args, r.Document)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		list, err := q.QueryContext(ctx, "SELECT id, document, document_type, name, sex FROM people WHERE document IN ("+strings.Join(ph, ", ")+")", args...)
		if err != nil {
			return nil, errs.Wrap(err, "read people")
		}
		for list.Next() {
			var pe Person
			if err := list.Scan(&pe.ID, &pe.Document, &pe.DocumentType, &pe.Name, &pe.Sex); err != nil {
				list.Close()
				return nil, errs.Wrap(err, "read people")
			}
			out[pe.Document] = pe
		}
		list.Close()
		if err := list.Err(); err != nil {
			return nil, errs.Wrap(err, "read people")
		}
	}
	return out, nil
}

// Participants lists who took part in an event. Their names and documents
// are personal data: only those who may read private data see them.
func (s *Service) Participants(ctx context.Context, p auth.Principal, eventID int64) ([]Participant, error) {
	if err := auth.Require(p, auth.ReadPrivate); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+participantColumns+` FROM event_participants p
		JOIN people pe ON pe.id = p.person_id LEFT JOIN actors a ON a.id = p.actor_id WHERE p.event_id = $1 ORDER BY pe.name, p.id`, eventID)
	if err != nil {
		return nil, errs.Wrap(err, "list participants")
	}
	defer rows.Close()
	out := []Participant{}
	for rows.Next() {
		part, err := scanParticipant(rows)
		if err != nil {
			return nil, errs.Wrap(err, "list participants")
		}
		out = append(out, part)
	}
	return out, errs.Wrap(rows.Err(), "list participants")
}

// PersonEvents lists the events a person took part in, for those who may read private data.
func (s *Service) PersonEvents(ctx context.Context, p auth.Principal, personID int64) ([]Event, error) {
	if err := auth.Require(p, auth.ReadPrivate); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT event_id FROM event_participants WHERE person_id = $1", personID)
	if err != nil {
		return nil, errs.Wrap(err, "list events")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "list events")
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []Event
	for _, id := range ids {
		e, err := getEvent(ctx, s.db.Read(), id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartsOn < out[j].StartsOn })
	return out, nil
}

// RemoveParticipant takes a person off an event's list.
func (s *Service) RemoveParticipant(ctx context.Context, p auth.Principal, participantID int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := participant(ctx, tx, "p.id = $1", participantID)
		if err != nil {
			return err
		}
		ev, err := getEvent(ctx, tx, before.EventID)
		if err != nil {
			return err
		}
		if !ev.CanChange(p) {
			return auth.Authorize(p, auth.Owner{Institution: ev.InstitutionID})
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM event_participants WHERE id = $1", participantID); err != nil {
			return errs.Wrap(err, "remove participant")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "event_participant", participantID, before, nil)
	})
}
