// Package workdays counts terms in business days as Peru's administrative
// procedure law does (Ley 27444, TUO D.S. 004-2019-JUS, arts. 144–145): a
// term runs from the business day after the one it starts on, and business
// days leave out Saturdays, Sundays and the holidays — national (Decreto
// Legislativo 713, art. 6, and the laws that added days to it, Holy
// Thursday and Good Friday included), regional, and the days off decreed
// for the public sector. The holidays are data (data/seed/holidays-pe.csv,
// each with its legal source), kept in the database and edited by
// administrators, so a new year or a decreed day off needs no release.
package workdays

import (
	"fmt"
	"time"

	"sriim/internal/vocab"
)

// Layout is how dates are written in the database, files and the API.
const Layout = "2006-01-02"

// Kinds are the kinds of day off, in the order pages list them.
var Kinds = vocab.List{{Code: "national", ES: "feriado_nacional"}, {Code: "regional", ES: "feriado_regional"},
	{Code: "non_working", ES: "no_laborable"}}

// Holiday is a day that is not a business day besides weekends.
type Holiday struct {
	Day     string `json:"day"` // YYYY-MM-DD
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Source  string `json:"source"` // the legal source
	Version int64  `json:"version"`
}

// Calendar knows the days off of the years it covers.
type Calendar struct {
	off   map[string]bool
	years map[int]bool
}

// NewCalendar is the calendar of the given holidays. A year is covered when
// the list has any day of it: a year's national holidays always include
// New Year's Day, so a year left out of the data is not taken for a year
// without holidays.
func NewCalendar(holidays []Holiday) Calendar {
	c := Calendar{off: map[string]bool{}, years: map[int]bool{}}
	for _, h := range holidays {
		if d, err := time.Parse(Layout, h.Day); err == nil {
			c.off[h.Day] = true
			c.years[d.Year()] = true
		}
	}
	return c
}

// Covers reports whether the calendar has the holidays of year.
func (c Calendar) Covers(year int) bool { return c.years[year] }

// UncoveredError says that a count needs a year the calendar lacks.
type UncoveredError struct{ Year int }

func (e UncoveredError) Error() string {
	return fmt.Sprintf("the holiday calendar does not cover %d", e.Year)
}

// BusinessDay reports whether day is a business day (not a weekend, not a day off).
func (c Calendar) BusinessDay(day time.Time) bool {
	switch day.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.off[day.Format(Layout)]
}

// Between counts the business days after from up to and including to, as
// the law counts a term that starts on from and ends on to: filed on a
// Friday and resolved on the Monday after is one business day. It is 0
// when to is not after from, and an UncoveredError when a day counted falls
// in a year the calendar does not cover.
func (c Calendar) Between(from, to time.Time) (int, error) {
	from, to = dateOf(from), dateOf(to)
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if !c.years[d.Year()] {
			return 0, UncoveredError{d.Year()}
		}
		if c.BusinessDay(d) {
			n++
		}
	}
	return n, nil
}

// Add returns the day a term of n business days that starts on from ends:
// its last day, counted as Between counts.
func (c Calendar) Add(from time.Time, n int) (time.Time, error) {
	d := dateOf(from)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if !c.years[d.Year()] {
			return time.Time{}, UncoveredError{d.Year()}
		}
		if c.BusinessDay(d) {
			n--
		}
	}
	return d, nil
}

// CalendarDays is the number of days from from to to (to − from).
func CalendarDays(from, to time.Time) int {
	return int(dateOf(to).Sub(dateOf(from)).Hours()/24 + 0.5)
}

// dateOf is t's calendar day at midnight UTC, so that days are whole.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDate reads a date as people write it in spreadsheets: 2024-07-29,
// 29/07/2024 or 29-07-2024 (day first, as in Peru). A year of two digits
// is refused rather than guessed.
func ParseDate(s string) (time.Time, error) {
	for _, layout := range []string{Layout, "2/1/2006", "2-1-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}
