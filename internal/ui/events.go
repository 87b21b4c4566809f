package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/events"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/planning"
	"sriim/internal/reference"
	"sriim/internal/vocab"
)

// eventRoutes are the events' pages: the public calendar and its iCalendar
// feed, a page per event, the editors' form and the attendance import with
// its confirmation step for near matches.
func (s *Server) eventRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /eventos", s.eventsPage)
	mux.HandleFunc("GET /eventos.ics", s.eventsCalendar)
	mux.HandleFunc("GET /eventos/nuevo", s.eventNew)
	mux.HandleFunc("POST /eventos", s.eventSave)
	mux.HandleFunc("GET /eventos/{id}", s.eventPage)
	mux.HandleFunc("GET /eventos/{id}/editar", s.eventEdit)
	mux.HandleFunc("POST /eventos/{id}", s.eventSave)
	mux.HandleFunc("POST /eventos/{id}/borrar", s.eventDelete)
	mux.HandleFunc("POST /eventos/{id}/asistencia", s.attendanceUpload, httpkit.Upload(importer.MaxBytes, events.CanCreate))
	mux.HandleFunc("GET /eventos-asistencia/{sid}", s.attendancePage)
	mux.HandleFunc("POST /eventos-asistencia/{sid}", s.attendanceApply)
	mux.HandleFunc("POST /eventos-asistencia/{sid}/descartar", s.attendanceDiscard)
	mux.HandleFunc("POST /eventos-participantes/{pid}/quitar", s.participantRemove)
}

// eventNames are what event pages name by code or id: places, institutions,
// plan activities and species, in the page's language.
type eventNames struct {
	lang         i18n.Lang
	places       map[string]reference.Place
	institutions map[int64]accounts.Institution
	activities   map[int64]planning.Activity
	species      map[string]reference.Species
}

func (s *Server) eventNames(ctx context.Context, lang i18n.Lang) (eventNames, error) {
	n := eventNames{lang: lang, places: map[string]reference.Place{}, institutions: map[int64]accounts.Institution{}, activities: map[int64]planning.Activity{},
		species: map[string]reference.Species{}}
	places, err := s.Reference.Places(ctx)
	if err != nil {
		return n, err
	}
	for _, p := range places {
		n.places[p.Code] = p
	}
	insts, err := s.Accounts.Institutions(ctx)
	if err != nil {
		return n, err
	}
	for _, i := range insts {
		n.institutions[i.ID] = i
	}
	species, err := s.Reference.Species(ctx)
	if err != nil {
		return n, err
	}
	for _, sp := range species {
		n.species[sp.Code] = sp
	}
	acts, err := s.Planning.ActivityIndex(ctx)
	for _, a := range acts {
		n.activities[a.ID] = a
	}
	return n, err
}

// Place names a district.
func (n eventNames) Place(code string) string {
	if p, ok := n.places[code]; ok {
		return p.Name(n.lang)
	}
	return code
}

// Institution is an organiser.
func (n eventNames) Institution(id int64) accounts.Institution {
	if i, ok := n.institutions[id]; ok {
		return i
	}
	return accounts.Institution{ID: id, Name: strconv.FormatInt(id, 10)}
}

// Activity is a plan activity an event serves.
func (n eventNames) Activity(id int64) planning.Activity {
	if a, ok := n.activities[id]; ok {
		return a
	}
	return planning.Activity{ID: id, Code: strconv.FormatInt(id, 10)}
}

// Species names a species.
func (n eventNames) Species(code string) string {
	if sp, ok := n.species[code]; ok {
		return sp.Name(n.lang)
	}
	return code
}

// eventsFilter is the calendar's selection: a year's events, an
// activity's, or the coming ones.
type eventsFilter struct {
	Year     int
	Kind     string
	Activity int64
}

func readEventsFilter(q url.Values) (eventsFilter, error) {
	f := httpkit.NewForm(q)
	ef := eventsFilter{Year: f.Year("anio"), Activity: int64(f.Int("actividad", 0))}
	if v := f.Text("tipo"); v != "" {
		code, ok := events.Kinds.Parse(v)
		if !ok {
			f.Problem("tipo", msgChoice)
		}
		ef.Kind = code
	}
	return ef, f.Err("invalid parameter")
}

type eventsView struct {
	Filter    eventsFilter
	Events    []events.Event
	Kinds     vocab.List
	CanCreate bool
	Names     eventNames
}

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	f, problems, err := readFilters(r, readEventsFilter)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := eventsView{Filter: f, Kinds: events.Kinds, CanCreate: events.CanCreate(httpkit.Principal(r))}
	ef := events.Filter{Kind: f.Kind, ActivityID: f.Activity, Limit: 500}
	switch {
	case f.Year != 0:
		ef.From, ef.To = strconv.Itoa(f.Year)+"-01-01", strconv.Itoa(f.Year)+"-12-31"
	case f.Activity == 0:
		ef.From = s.Events.Now().Format("2006-01-02")
	}
	if v.Events, err = s.Events.List(r.Context(), ef); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Names, err = s.eventNames(r.Context(), httpkit.Lang(r)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	lang := httpkit.Lang(r)
	s.renderFiltered(w, r, "events_calendar.html", Page{Title: i18n.T(lang, "events.title"), Description: i18n.T(lang, "events.lead"), Data: v}, problems)
}

// eventsCalendar is the coming events as an iCalendar feed, in the
// visitor's language.
func (s *Server) eventsCalendar(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := s.Events.Calendar(r.Context(), &buf, string(httpkit.Lang(r)), httpkit.BaseURL(r)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="eventos.ics"`)
	httpkit.WriteWithETag(w, r, http.StatusOK, buf.Bytes())
}

type eventView struct {
	Event        events.Event
	Names        eventNames
	CanChange    bool
	Participants []events.Participant // nil for those who may not read personal data
	Error        string
	Fields       map[string]string
}

// Women counts the participants listed as women, and Men as men.
func (v eventView) Women() int { return v.countSex("F") }

// Men counts the participants listed as men.
func (v eventView) Men() int { return v.countSex("M") }

func (v eventView) countSex(sex string) int {
	n := 0
	for _, p := range v.Participants {
		if p.Person.Sex == sex {
			n++
		}
	}
	return n
}

func (s *Server) eventView(r *http.Request) (eventView, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return eventView{}, err
	}
	var v eventView
	if v.Event, err = s.Events.Event(r.Context(), id); err != nil {
		return v, err
	}
	if v.Names, err = s.eventNames(r.Context(), httpkit.Lang(r)); err != nil {
		return v, err
	}
	p := httpkit.Principal(r)
	v.CanChange = v.Event.CanChange(p)
	if p.Has(auth.ReadPrivate) {
		if v.Participants, err = s.Events.Participants(r.Context(), p, id); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.eventView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderEvent(w, r, http.StatusOK, v)
}

func (s *Server) renderEvent(w http.ResponseWriter, r *http.Request, status int, v eventView) {
	e := v.Event
	ld := map[string]any{"@context": "https://schema.org", "@type": "Event", "name": e.Title, "startDate": e.StartsOn, "endDate": e.EndsOn,
		"url": httpkit.BaseURL(r) + "/eventos/" + strconv.FormatInt(e.ID, 10)}
	if e.District != "" || e.Venue != "" {
		ld["location"] = map[string]any{"@type": "Place", "name": strings.Trim(e.Venue+", "+v.Names.Place(e.District), ", ")}
	}
	s.renderPage(w, r, status, "events_event.html", Page{Title: e.TitleIn(string(httpkit.Lang(r))), Description: e.Description, LD: ld, Data: v})
}

// eventFormView is the form that creates or changes an event.
type eventFormView struct {
	Event        events.Event
	Kinds        vocab.List
	Districts    []reference.Place
	Institutions []accounts.Institution
	Activities   []planning.Activity
	Species      []reference.Species
	Topics       string // one a line
	Materials    string // "title | link, file hash or archive document number", one a line
	Error        string
	Errors       map[string]string
	Conflict     *conflictView
}

// HasOrganiser, HasActivity and HasSpecies say what the form has chosen.
func (v eventFormView) HasOrganiser(id int64) bool { return slices.Contains(v.Event.Organisers, id) }

// HasActivity reports whether the event serves the activity.
func (v eventFormView) HasActivity(id int64) bool { return slices.Contains(v.Event.Activities, id) }

// HasSpecies reports whether the event is about the species.
func (v eventFormView) HasSpecies(code string) bool { return slices.Contains(v.Event.Species, code) }

func (s *Server) eventFormView(ctx context.Context, e events.Event) (eventFormView, error) {
	v := eventFormView{Event: e, Kinds: events.Kinds, Topics: strings.Join(e.Topics, "\n")}
	var lines []string
	for _, m := range e.Materials {
		lines = append(lines, m.Title+" | "+m.Ref)
	}
	v.Materials = strings.Join(lines, "\n")
	places, err := s.Reference.Places(ctx)
	if err != nil {
		return v, err
	}
	for _, p := range places {
		if p.Kind == "district" {
			v.Districts = append(v.Districts, p)
		}
	}
	if v.Institutions, err = s.Accounts.Institutions(ctx); err != nil {
		return v, err
	}
	if v.Species, err = s.Reference.Species(ctx); err != nil {
		return v, err
	}
	v.Activities, err = s.Planning.ActivityIndex(ctx)
	return v, err
}

func (s *Server) eventNew(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if !events.CanCreate(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not add events"))
		return
	}
	today := s.Events.Now().Format("2006-01-02")
	e := events.Event{Kind: "course", StartsOn: today, EndsOn: today}
	// ?actividad=ID: the event is added from that activity's page.
	if id := httpkit.NewForm(r.URL.Query()).ID("actividad"); id != 0 {
		e.Activities = []int64{id}
	}
	v, err := s.eventFormView(r.Context(), e)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "events_form.html", i18n.T(httpkit.Lang(r), "events.new"), v)
}

func (s *Server) eventEdit(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	e, err := s.Events.Event(r.Context(), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if !e.CanChange(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "only the editors of the institutions that organise an event change it"))
		return
	}
	v, err := s.eventFormView(r.Context(), e)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "events_form.html", e.TitleIn(string(httpkit.Lang(r))), v)
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// eventFromForm reads the event form; a choice that is not one is left
// for the service to refuse by its field.
func eventFromForm(r *http.Request) events.Event {
	f := httpkit.PostForm(r)
	e := events.Event{Kind: f.String("tipo"), Title: f.String("titulo"), TitleEN: f.String("titulo_en"), Description: f.Text("descripcion"),
		DescriptionEN: f.Text("descripcion_en"), StartsOn: f.String("desde"), EndsOn: f.String("hasta"), District: f.String("distrito"),
		Venue: f.Text("lugar"), Organisers: f.IDs("organizadores"), Activities: f.IDs("actividades"), Species: f.Strings("especies"),
		Version: f.Version()}
	for line := range strings.Lines(f.String("temas")) {
		e.Topics = append(e.Topics, strings.Split(line, ",")...)
	}
	for line := range strings.Lines(f.String("materiales")) {
		title, ref, ok := strings.Cut(line, "|")
		if !ok {
			title, ref = "", title
		}
		if ref = strings.TrimSpace(ref); ref == "" {
			continue
		}
		m := events.Material{Title: strings.TrimSpace(title), Ref: ref, Kind: "document"}
		switch {
		case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
			m.Kind = "url"
		case sha256Hex.MatchString(ref):
			m.Kind = "file"
		}
		e.Materials = append(e.Materials, m)
	}
	return e
}

// eventColumns are the form's fields as a stale save compares them.
var eventColumns = []string{"kind", "title", "title_en", "starts_on", "ends_on", "district", "venue", "description", "description_en", "organisers", "activities", "topics", "species"}

func (s *Server) eventSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	in := eventFromForm(r)
	var out events.Event
	var err error
	id := int64(0)
	if r.PathValue("id") != "" {
		if id, err = httpkit.PathID(r, "id"); err != nil {
			s.k.Fail(w, r, err)
			return
		}
		out, err = s.Events.Update(r.Context(), httpkit.Principal(r), id, in)
	} else {
		out, err = s.Events.Create(r.Context(), httpkit.Principal(r), in)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/eventos/%d?ok=saved", out.ID), http.StatusSeeOther)
		return
	}
	var e *errs.Error
	st := httpkit.StaleOf(err)
	if st == nil && (!errors.As(err, &e) || e.Kind != errs.Invalid) {
		s.k.Fail(w, r, err)
		return
	}
	in.ID = id
	v, verr := s.eventFormView(r.Context(), in)
	if verr != nil {
		s.k.Fail(w, r, verr)
		return
	}
	v.Topics, v.Materials = r.PostFormValue("temas"), r.PostFormValue("materiales")
	title := i18n.T(httpkit.Lang(r), "events.new")
	if id != 0 {
		title = in.Title
	}
	if st != nil {
		// Changed by someone else since the form was opened: both side by side.
		v.Conflict = newConflict(r, st, eventColumns, jsonCells(st.Read), jsonCells(st.Current), jsonCells(in))
		v.Event.Version = st.CurrentVersion
		s.render(w, r, http.StatusConflict, "events_form.html", title, v)
		return
	}
	v.Error, v.Errors = s.k.PageError(r, e)
	s.render(w, r, http.StatusUnprocessableEntity, "events_form.html", title, v)
}

func (s *Server) eventDelete(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err == nil {
		err = s.Events.Delete(r.Context(), httpkit.Principal(r), id)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/eventos?ok=deleted", http.StatusSeeOther)
}

// attendanceUpload stages an attendance sheet and shows what it will do,
// with the near matches to confirm.
func (s *Server) attendanceUpload(w http.ResponseWriter, r *http.Request) {
	v, err := s.eventView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	file, hdr, err := r.FormFile("archivo")
	if err != nil {
		v.Error = i18n.T(httpkit.Lang(r), "import.nofile")
		s.renderEvent(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	defer file.Close()
	st, err := s.Events.Stage(r.Context(), httpkit.Principal(r), v.Event.ID, file, hdr.Filename)
	var e *errs.Error
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/eventos-asistencia/%d", st.ID), http.StatusSeeOther)
	case errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.TooLarge):
		v.Error, v.Fields = s.k.PageError(r, e)
		s.renderEvent(w, r, httpkit.StatusOf(e.Kind), v)
	default:
		s.k.Fail(w, r, err)
	}
}

type attendanceView struct {
	Staged   events.Staged
	Event    events.Event
	Warnings []string
	Error    string
	Fields   map[string]string
	// Answers are the confirmations given, by proposal index ("si", "no").
	Answers map[string]string
}

// Answer is the answer given for a near match, "" when none.
func (v attendanceView) Answer(i int) string { return v.Answers[strconv.Itoa(i)] }

func (s *Server) attendanceView(r *http.Request) (attendanceView, error) {
	sid, err := httpkit.PathID(r, "sid")
	if err != nil {
		return attendanceView{}, err
	}
	var v attendanceView
	if v.Staged, err = s.Events.StagedImport(r.Context(), httpkit.Principal(r), sid); err != nil {
		return v, err
	}
	if v.Event, err = s.Events.Event(r.Context(), v.Staged.EventID); err != nil {
		return v, err
	}
	lang := httpkit.Lang(r)
	for _, p := range v.Staged.Warnings {
		v.Warnings = append(v.Warnings, i18n.Place(lang, p.Line, p.Column)+": "+i18n.Message(lang, p.Msg.Format, p.Msg.Args...))
	}
	return v, nil
}

func (s *Server) attendancePage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	v, err := s.attendanceView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "events_attendance.html", i18n.T(httpkit.Lang(r), "events.attendance_check"), v)
}

// attendanceApply writes a staged sheet with the answers for its near
// matches (field confirmar_N: si or no, for the N-th proposal).
func (s *Server) attendanceApply(w http.ResponseWriter, r *http.Request) {
	v, err := s.attendanceView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	confirmations := map[string]bool{}
	v.Answers = map[string]string{}
	f := httpkit.PostForm(r)
	for i, p := range v.Staged.Proposals {
		switch answer := f.String("confirmar_" + strconv.Itoa(i)); answer {
		case "si", "no":
			confirmations[p.Key] = answer == "si"
			v.Answers[strconv.Itoa(i)] = answer
		}
	}
	_, err = s.Events.Apply(r.Context(), httpkit.Principal(r), v.Staged.ID, confirmations)
	var e *errs.Error
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/eventos/%d?ok=attendance#participantes", v.Event.ID), http.StatusSeeOther)
	case errors.As(err, &e) && e.Kind == errs.Invalid:
		v.Error, v.Fields = s.k.PageError(r, e)
		s.render(w, r, http.StatusUnprocessableEntity, "events_attendance.html", i18n.T(httpkit.Lang(r), "events.attendance_check"), v)
	default:
		s.k.Fail(w, r, err)
	}
}

func (s *Server) attendanceDiscard(w http.ResponseWriter, r *http.Request) {
	sid, err := httpkit.PathID(r, "sid")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	st, err := s.Events.StagedImport(r.Context(), httpkit.Principal(r), sid)
	if err == nil {
		err = s.Events.Discard(r.Context(), httpkit.Principal(r), sid)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/eventos/%d?ok=discarded", st.EventID), http.StatusSeeOther)
}

func (s *Server) participantRemove(w http.ResponseWriter, r *http.Request) {
	pid, err := httpkit.PathID(r, "pid")
	if err == nil {
		err = s.Events.RemoveParticipant(r.Context(), httpkit.Principal(r), pid)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	event := httpkit.PostForm(r).ID("evento")
	if event == 0 {
		http.Redirect(w, r, "/eventos?ok=deleted", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/eventos/%d?ok=deleted#participantes", event), http.StatusSeeOther)
}
