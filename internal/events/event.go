// Package events keeps the plan's events — courses, workshops, technical
// assistance, technology missions, fairs, business rounds, congresses,
// contests and meetings of the Mesa de Trabajo (about twenty of the seed
// plan's activities are such events) — with who took part: each person once,
// by identity document, with the actor they represented. Attendance is
// imported from the sheets organisers keep, matching organisations to the
// registry of actors with a confirmation step for near matches. The
// participants and the associations reached compute the plan's indicators
// (Sources), and coming events make an iCalendar feed (Calendar).
package events

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"sriim/internal/auth"
	"sriim/internal/vocab"
)

// Kinds of event.
var Kinds = vocab.List{
	{Code: "course", ES: "curso"},
	{Code: "workshop", ES: "taller"},
	{Code: "technical_assistance", ES: "asistencia_tecnica"},
	{Code: "technology_mission", ES: "mision_tecnologica"},
	{Code: "fair", ES: "feria"},
	{Code: "business_round", ES: "rueda_de_negocios"},
	{Code: "congress", ES: "congreso"},
	{Code: "contest", ES: "concurso"},
	{Code: "mesa_meeting", ES: "reunion_de_la_mesa"},
}

// kindNames are the kinds as the calendar writes them.
var kindNames = map[string][2]string{ // code → Spanish, English
	"course": {"Curso", "Course"}, "workshop": {"Taller", "Workshop"}, "technical_assistance": {"Asistencia técnica", "Technical assistance"},
	"technology_mission": {"Misión tecnológica", "Technology mission"}, "fair": {"Feria", "Fair"},
	"business_round": {"Rueda de negocios", "Business round"}, "congress": {"Congreso", "Congress"}, "contest": {"Concurso", "Contest"},
	"mesa_meeting": {"Reunión de la Mesa de Trabajo", "Meeting of the Mesa de Trabajo"},
}

// Material kinds: a stored file (its SHA-256), a link, or a document of the archive (its id).
var MaterialKinds = []string{"file", "url", "document"}

// Material is something an event handed out or produced.
type Material struct {
	Title string `json:"title"`
	Kind  string `json:"kind"` // file, url or document
	Ref   string `json:"ref"`  // the file's SHA-256, the URL, or the archive document's id
}

// Event is one event.
type Event struct {
	ID            int64  `json:"id"`
	Kind          string `json:"kind"`
	Title         string `json:"title"`
	TitleEN       string `json:"title_en,omitempty"`
	Description   string `json:"description,omitempty"`
	DescriptionEN string `json:"description_en,omitempty"`
	StartsOn      string `json:"starts_on"` // YYYY-MM-DD
	EndsOn        string `json:"ends_on"`   // YYYY-MM-DD, the last day
	District      string `json:"district,omitempty"`
	Venue         string `json:"venue,omitempty"`
	// InstitutionID keeps the record: its editors (and the organisers') change it.
	InstitutionID int64      `json:"institution_id,omitempty"`
	Organisers    []int64    `json:"organisers"` // institutions
	Activities    []int64    `json:"activities"` // plan activities it serves
	Topics        []string   `json:"topics"`
	Species       []string   `json:"species"`
	Materials     []Material `json:"materials"`
	// Participants is how many people took part.
	Participants int       `json:"participants"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Version rises by one with every change of the event's own fields.
	Version int64 `json:"version"`
}

// Owners are who may change the event: the editors of the institution that
// keeps it and of its organisers (and administrators).
func (e Event) Owners() []auth.Owner {
	out := []auth.Owner{{Institution: e.InstitutionID}}
	for _, o := range e.Organisers {
		out = append(out, auth.Owner{Institution: o})
	}
	return out
}

// CanChange reports whether p may change the event and its attendance.
func (e Event) CanChange(p auth.Principal) bool {
	for _, o := range e.Owners() {
		if auth.Can(p, o) {
			return true
		}
	}
	return false
}

// TitleIn returns the event's title in lang ("en": the English one when it has one).
func (e Event) TitleIn(lang string) string {
	if lang == "en" && e.TitleEN != "" {
		return e.TitleEN
	}
	return e.Title
}

// Year is the year the event starts.
func (e Event) Year() int {
	y, _ := strconv.Atoi(e.StartsOn[:min(4, len(e.StartsOn))])
	return y
}

var (
	sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
)

// normalize tidies the event's fields and returns the problems, keyed by JSON field name.
func (e *Event) normalize() map[string]string {
	p := map[string]string{}
	e.Title = strings.Join(strings.Fields(e.Title), " ")
	e.TitleEN = strings.Join(strings.Fields(e.TitleEN), " ")
	if e.Title == "" {
		p["title"] = "required"
	}
	if len(e.Title) > 300 || len(e.TitleEN) > 300 {
		p["title"] = "at most 300 characters"
	}
	if len(e.Description) > 20000 || len(e.DescriptionEN) > 20000 {
		p["description"] = "at most 20000 characters"
	}
	if code, ok := Kinds.Parse(e.Kind); ok {
		e.Kind = code
	} else {
		p["kind"] = "one of " + Kinds.Words()
	}
	e.StartsOn, e.EndsOn = strings.TrimSpace(e.StartsOn), strings.TrimSpace(e.EndsOn)
	if e.EndsOn == "" {
		e.EndsOn = e.StartsOn
	}
	start, err1 := time.Parse("2006-01-02", e.StartsOn)
	end, err2 := time.Parse("2006-01-02", e.EndsOn)
	switch {
	case err1 != nil:
		p["starts_on"] = "a date as YYYY-MM-DD"
	case err2 != nil:
		p["ends_on"] = "a date as YYYY-MM-DD"
	case end.Before(start):
		p["ends_on"] = "not before the first day"
	case start.Year() < 1990 || end.Year() > 2100:
		p["starts_on"] = "a date between 1990 and 2100"
	}
	topics := []string{}
	for _, t := range e.Topics {
		t = strings.Join(strings.Fields(t), " ")
		if t != "" && !slices.ContainsFunc(topics, func(x string) bool { return vocab.Fold(x) == vocab.Fold(t) }) {
			topics = append(topics, t)
		}
	}
	if len(topics) > 30 {
		p["topics"] = "at most 30 topics"
	}
	e.Topics = topics
	species := []string{}
	for _, sp := range e.Species {
		sp = strings.TrimSpace(sp)
		if len(sp) == 3 {
			sp = strings.ToUpper(sp)
		}
		if sp != "" && !slices.Contains(species, sp) {
			species = append(species, sp)
		}
	}
	e.Species = species
	if len(e.Materials) > 100 {
		p["materials"] = "at most 100 materials"
	}
	for i, m := range e.Materials {
		m.Title, m.Ref = strings.TrimSpace(m.Title), strings.TrimSpace(m.Ref)
		switch m.Kind {
		case "file":
			if !sha256RE.MatchString(m.Ref) {
				p["materials"] = "a file is named by its SHA-256 (64 hexadecimal digits)"
			}
		case "url":
			if !strings.HasPrefix(m.Ref, "https://") && !strings.HasPrefix(m.Ref, "http://") {
				p["materials"] = "a link starts with https://"
			}
		case "document":
			if !digitsRE.MatchString(m.Ref) {
				p["materials"] = "a document of the archive is named by its number"
			}
		default:
			p["materials"] = "a material is a file, a link or a document"
		}
		if m.Title == "" {
			m.Title = m.Ref
		}
		e.Materials[i] = m
	}
	if e.Materials == nil {
		e.Materials = []Material{}
	}
	e.Organisers, e.Activities = uniqueIDs(e.Organisers), uniqueIDs(e.Activities)
	return p
}

func uniqueIDs(ids []int64) []int64 {
	out := []int64{}
	for _, id := range ids {
		if id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
