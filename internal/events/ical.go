package events

import (
	"context"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"sriim/internal/errs"
)

// CalendarOptions say how the iCalendar feed is written.
type CalendarOptions struct {
	Lang string // "es" (default) or "en": titles, kinds and the calendar's name
	// Base is the public address of SRIIM ("https://sriim.example.org"),
	// for each event's page (/eventos/{id}) and its UID's domain; empty
	// leaves the pages out.
	Base string
	// Place names a district code in Lang.
	Place func(code string) string
	// Stamp is when the feed is written (DTSTAMP).
	Stamp time.Time
}

// WriteCalendar writes events as an iCalendar feed (RFC 5545, with
// golang-ical): one all-day VEVENT per event — its kind and title, its
// days (DTEND is the day after the last, as RFC 5545 has it), its place,
// description, topics as categories and its page.
func WriteCalendar(w io.Writer, list []Event, o CalendarOptions) error {
	en := o.Lang == "en"
	cal := ics.NewCalendarFor("SRIIM")
	cal.SetMethod(ics.MethodPublish)
	name := "SRIIM: eventos de la cadena de moluscos de Moquegua"
	if en {
		name = "SRIIM: events of Moquegua's mollusc chain"
	}
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone("America/Lima")
	domain := "sriim"
	if u, err := url.Parse(o.Base); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	clean := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n") }
	for _, e := range list {
		start, err1 := time.Parse("2006-01-02", e.StartsOn)
		end, err2 := time.Parse("2006-01-02", e.EndsOn)
		if err1 != nil || err2 != nil {
			return errs.E(errs.Invalid, "event %d has no valid dates", e.ID)
		}
		v := cal.AddEvent("event-" + strconv.FormatInt(e.ID, 10) + "@" + domain)
		v.SetDtStampTime(o.Stamp)
		v.SetModifiedAt(e.UpdatedAt)
		v.SetSequence(int(e.Version - 1))
		v.SetAllDayStartAt(start)
		v.SetAllDayEndAt(end.AddDate(0, 0, 1))
		kind := kindNames[e.Kind]
		word, title, desc := kind[0], e.Title, e.Description
		if en {
			word = kind[1]
			if e.TitleEN != "" {
				title = e.TitleEN
			}
			if e.DescriptionEN != "" {
				desc = e.DescriptionEN
			}
		}
		v.SetSummary(clean(word + ": " + title))
		if desc != "" {
			v.SetDescription(clean(desc))
		}
		var place []string
		if e.Venue != "" {
			place = append(place, e.Venue)
		}
		if e.District != "" && o.Place != nil {
			place = append(place, o.Place(e.District))
		}
		if len(place) > 0 {
			v.SetLocation(clean(strings.Join(place, ", ")))
		}
		v.AddProperty(ics.ComponentPropertyCategories, word)
		for _, t := range e.Topics {
			v.AddProperty(ics.ComponentPropertyCategories, clean(t))
		}
		if o.Base != "" {
			page := strings.TrimSuffix(o.Base, "/") + "/eventos/" + strconv.FormatInt(e.ID, 10)
			if en {
				page += "?lang=en"
			}
			v.SetURL(page)
		}
	}
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}

// Calendar writes the coming events (those that have not ended) as an
// iCalendar feed, with their districts' names from the reference list.
func (s *Service) Calendar(ctx context.Context, w io.Writer, lang, base string) error {
	list, err := s.Upcoming(ctx, 500)
	if err != nil {
		return err
	}
	names := map[string]string{}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT code, name_es, name_en FROM places WHERE kind IN ('district', 'province', 'region', 'landing_site')")
	if err != nil {
		return errs.Wrap(err, "read places")
	}
	for rows.Next() {
		var code, es, en string
		if err := rows.Scan(&code, &es, &en); err != nil {
			rows.Close()
			return errs.Wrap(err, "read places")
		}
		names[code] = es
		if lang == "en" && en != "" {
			names[code] = en
		}
	}
	rows.Close()
	return WriteCalendar(w, list, CalendarOptions{Lang: lang, Base: base, Stamp: s.Now(), Place: func(code string) string {
		if n, ok := names[code]; ok {
			return n
		}
		return code
	}})
}
