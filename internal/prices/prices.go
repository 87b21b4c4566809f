// Package prices keeps the prices of the chain's species from the beach to
// the export market (the seed's section 2.4.1: intermediaries set the
// prices; FODA weakness 17 and opportunity 5): series by species,
// presentation, market level, place, day or month, currency and source;
// monthly means weighted by quantity; constant soles with INEI's consumer
// price index of Lima Metropolitana; the margin between the beach and the
// export price; and alerts when a beach price moves.
package prices

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/exports"
	"sriim/internal/mail"
	"sriim/internal/vocab"
)

// Levels are the market levels a price is taken at.
var Levels = vocab.List{
	{Code: "beach", ES: "playa"}, // first sale, at the landing site
	{Code: "beach", ES: "primera_venta"},
	{Code: "wholesale", ES: "mayorista"},
	{Code: "retail", ES: "minorista"},
	{Code: "export_fob", ES: "exportacion_fob"},
}

// Currencies are the currencies prices are kept in, per kg.
var Currencies = map[string]string{"pen": "PEN", "s/": "PEN", "s/.": "PEN", "soles": "PEN", "usd": "USD", "us$": "USD", "dolares": "USD"}

// Price is one price observation: a species' price per kg at a market
// level and place on a day, in a month (Day 0) or a year (Month 0).
type Price struct {
	ID           int64     `json:"id"`
	Species      string    `json:"species"`
	Presentation string    `json:"presentation,omitempty"` // fresh, frozen, canned, dried_salted; "" when the source does not say
	Level        string    `json:"level"`
	Place        string    `json:"place"` // a place's code (landing site, market, port) or a destination country's ISO alpha-3 code
	Year         int       `json:"year"`
	Month        int       `json:"month,omitempty"`
	Day          int       `json:"day,omitempty"`
	Currency     string    `json:"currency"` // PEN or USD
	Unit         string    `json:"unit"`     // kg
	Price        float64   `json:"price"`
	PriceTo      *float64  `json:"price_to,omitempty"`    // the upper end, when the source gives a range
	QuantityKg   *float64  `json:"quantity_kg,omitempty"` // what was sold at that price
	Source       string    `json:"source"`
	SourceRef    string    `json:"source_ref,omitempty"`
	Note         string    `json:"note,omitempty"`
	Institution  int64     `json:"institution_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int64     `json:"version"`
}

// Owner is who may change the price: the institution that recorded it.
func (p Price) Owner() auth.Owner { return auth.Owner{Institution: p.Institution} }

// Date is the price's day, month or year as yyyy-mm-dd, yyyy-mm or yyyy.
func (p Price) Date() string {
	switch {
	case p.Month == 0:
		return fmt.Sprint(p.Year)
	case p.Day == 0:
		return fmt.Sprintf("%d-%02d", p.Year, p.Month)
	}
	return fmt.Sprintf("%d-%02d-%02d", p.Year, p.Month, p.Day)
}

// ExportSums is what the export declarations give for prices: FOB values,
// net weights and declarations of a species' product lines by month.
type ExportSums interface {
	MonthlySums(ctx context.Context, lines []string, region string, destination int, fromYear, toYear int) ([]exports.MonthSums, error)
}

// Service is the prices module.
type Service struct {
	db      *db.DB
	exports ExportSums
	mailer  mail.Sender
	Now     func() time.Time
}

// New returns the prices service; mailer may be nil (no alerts are sent).
func New(d *db.DB, ex ExportSums, mailer mail.Sender) *Service {
	return &Service{db: d, exports: ex, mailer: mailer, Now: func() time.Time { return time.Now().UTC() }}
}

// parseDate reads a price's day (dd/mm/yyyy, yyyy-mm-dd), month (yyyy-mm,
// mm/yyyy) or year (yyyy).
func parseDate(s string) (year, month, day int, ok bool) {
	s = strings.TrimSpace(s)
	var err error
	switch {
	case len(s) == 4:
		_, err = fmt.Sscanf(s, "%4d", &year)
	case len(s) == 7 && s[4] == '-':
		_, err = fmt.Sscanf(s, "%4d-%2d", &year, &month)
	case len(s) == 7 && s[2] == '/':
		_, err = fmt.Sscanf(s, "%2d/%4d", &month, &year)
	case len(s) == 10 && s[4] == '-':
		_, err = fmt.Sscanf(s, "%4d-%2d-%2d", &year, &month, &day)
	case len(s) == 10 && s[2] == '/':
		_, err = fmt.Sscanf(s, "%2d/%2d/%4d", &day, &month, &year)
	default:
		return 0, 0, 0, false
	}
	if err != nil || year < 1990 || year > 2100 || month < 0 || month > 12 || day < 0 || (month == 0 && day != 0) {
		return 0, 0, 0, false
	}
	if day > 0 && time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() != day {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

// formatNumber writes v as exports do: the shortest form that reads back as v.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
