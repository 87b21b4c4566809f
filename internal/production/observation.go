// Package production holds statistics of production, landings and harvests:
// observations by species, presentation, origin, place and period, their
// revisions, and the series, growth rates and shares computed from them
// (activity 2.1.1-ii of the seed plan, "desempeño de la producción").
package production

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"sriim/internal/auth"
	"sriim/internal/number"
	"sriim/internal/vocab"
)

// Observation is one figure: a quantity in a year (or month), an average
// over a period, a share of a whole or a growth rate — each stored as what
// the source gives, never turned into a series it does not give.
type Observation struct {
	ID            int64     `json:"id"`
	Species       string    `json:"species"`
	Presentation  string    `json:"presentation"`
	Origin        string    `json:"origin"`
	Place         string    `json:"place"`
	Measure       string    `json:"measure"`
	Year          int       `json:"year,omitempty"`
	Month         int       `json:"month,omitempty"`
	YearTo        int       `json:"year_to,omitempty"`
	PeriodText    string    `json:"period_text,omitempty"`
	ShareOf       string    `json:"share_of,omitempty"`
	Value         float64   `json:"value"`
	Unit          string    `json:"unit"`
	Amount        *float64  `json:"amount,omitempty"`
	Currency      string    `json:"currency,omitempty"`
	Source        string    `json:"source"`
	SourceRef     string    `json:"source_ref,omitempty"`
	Status        string    `json:"status"`
	Note          string    `json:"note,omitempty"`
	InstitutionID int64     `json:"institution_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Version rises by one with every change; a change names the version it
	// was based on, and is refused when the figure has moved on since.
	Version int64 `json:"version"`
}

// Owner is who may change the observation: the institution that keeps it.
func (o Observation) Owner() auth.Owner { return auth.Owner{Institution: o.InstitutionID} }

// key is the natural key: re-importing a figure updates it instead of adding it again.
func (o Observation) key() string {
	return strings.Join([]string{o.Species, o.Presentation, o.Origin, o.Place, o.Measure,
		strconv.Itoa(o.Year), strconv.Itoa(o.Month), strconv.Itoa(o.YearTo), o.ShareOf, o.Source}, "|")
}

// sameFigure reports whether o and n say the same thing (nothing to revise).
func (o Observation) sameFigure(n Observation) bool {
	amount := func(a *float64) string {
		if a == nil {
			return ""
		}
		return strconv.FormatFloat(*a, 'g', -1, 64)
	}
	return o.Value == n.Value && o.Unit == n.Unit && amount(o.Amount) == amount(n.Amount) && o.Currency == n.Currency &&
		o.Status == n.Status && o.SourceRef == n.SourceRef && o.Note == n.Note && o.PeriodText == n.PeriodText
}

// The vocabularies, in the order pages show them (Cuadro 1's order for presentations).
var (
	Presentations = vocab.List{{Code: "all", ES: "todas"}, {Code: "fresh", ES: "fresco"}, {Code: "canned", ES: "conservas"}, {Code: "frozen", ES: "congelado"}, {Code: "dried_salted", ES: "seco_salado"}}
	Origins       = vocab.List{{Code: "all", ES: "todos"}, {Code: "capture", ES: "extraccion"}, {Code: "aquaculture", ES: "acuicultura"}}
	Measures      = vocab.List{{Code: "quantity", ES: "cantidad"}, {Code: "average_quantity", ES: "promedio_anual"}, {Code: "share", ES: "participacion"}, {Code: "growth_rate", ES: "tasa_crecimiento"}}
	Statuses      = vocab.List{{Code: "final", ES: "definitivo"}, {Code: "provisional", ES: "provisional"}, {Code: "estimated", ES: "estimado"}, {Code: "revised", ES: "revisado"}}
)

// Columns are the import template's columns, in order; they are also the
// names of the observation form's fields.
var Columns = []string{"especie", "presentacion", "origen", "lugar", "medida", "anio", "mes", "anio_hasta", "periodo",
	"parte_de", "valor", "unidad", "monto", "moneda", "fuente", "referencia", "estado", "nota"}

// requiredColumns must be in every imported file's header.
var requiredColumns = []string{"especie", "presentacion", "origen", "lugar", "medida", "valor", "unidad", "fuente"}

// jsonField names each column's field in the JSON API, for error messages.
var jsonField = map[string]string{"especie": "species", "presentacion": "presentation", "origen": "origin", "lugar": "place",
	"medida": "measure", "anio": "year", "mes": "month", "anio_hasta": "year_to", "periodo": "period_text", "parte_de": "share_of",
	"valor": "value", "unidad": "unit", "monto": "amount", "moneda": "currency", "fuente": "source", "referencia": "source_ref",
	"estado": "status", "nota": "note"}

func parseInt(s string) (int, error) {
	if s = strings.TrimSpace(s); s == "" {
		return 0, nil
	}
	f, err := number.Parse(s)
	if err != nil || f != float64(int(f)) {
		return 0, fmt.Errorf("not a whole number")
	}
	return int(f), nil
}

// FromCells reads an observation from a form's fields, named by Columns,
// and returns the problems by field.
func FromCells(cells map[string]string) (Observation, map[string]string) {
	return fromCells(func(c string) string { return strings.TrimSpace(cells[c]) })
}

// FormProblems renames problems from JSON field names back to the form's
// (and the template's) column names.
func FormProblems(fields map[string]string) map[string]string {
	out := map[string]string{}
	for col, field := range jsonField {
		if msg, ok := fields[field]; ok {
			out[col] = msg
		}
	}
	return out
}

// fromCells reads an observation from a row of cells named by Columns, and
// returns the problems by column.
func fromCells(get func(string) string) (Observation, map[string]string) {
	o := Observation{Species: get("especie"), Place: strings.ToUpper(get("lugar")), PeriodText: get("periodo"),
		ShareOf: get("parte_de"), Unit: get("unidad"), Currency: strings.ToUpper(get("moneda")), Source: get("fuente"),
		SourceRef: get("referencia"), Note: get("nota")}
	problems := map[string]string{}
	var ok bool
	if o.Presentation, ok = Presentations.Parse(get("presentacion")); !ok {
		problems["presentacion"] = "one of " + Presentations.Words()
	}
	if o.Origin, ok = Origins.Parse(get("origen")); !ok {
		problems["origen"] = "one of " + Origins.Words()
	}
	if o.Measure, ok = Measures.Parse(get("medida")); !ok {
		problems["medida"] = "one of " + Measures.Words()
	}
	status := get("estado")
	if status == "" {
		status = "definitivo"
	}
	if o.Status, ok = Statuses.Parse(status); !ok {
		problems["estado"] = "one of " + Statuses.Words()
	}
	for col, dst := range map[string]*int{"anio": &o.Year, "mes": &o.Month, "anio_hasta": &o.YearTo} {
		n, err := parseInt(get(col))
		if err != nil {
			problems[col] = "a whole number"
		}
		*dst = n
	}
	if v := get("valor"); v == "" {
		problems["valor"] = "required"
	} else if f, err := number.Parse(v); err != nil {
		problems["valor"] = fmt.Sprintf("%q is not a number", v)
	} else {
		o.Value = f
	}
	if v := get("monto"); v != "" {
		f, err := number.Parse(v)
		if err != nil {
			problems["monto"] = fmt.Sprintf("%q is not a number", v)
		}
		o.Amount = &f
	}
	// Spanish species keys are lower case, FAO codes upper case.
	if sp := strings.TrimSpace(o.Species); len(sp) == 3 {
		o.Species = strings.ToUpper(sp)
	}
	return o, problems
}

// Cells is the spreadsheet row of an observation, in Columns order.
func (o Observation) Cells() []string {
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	amount := ""
	if o.Amount != nil {
		amount = strconv.FormatFloat(*o.Amount, 'f', -1, 64)
	}
	return []string{o.Species, Presentations.Spanish(o.Presentation), Origins.Spanish(o.Origin), o.Place,
		Measures.Spanish(o.Measure), num(o.Year), num(o.Month), num(o.YearTo), o.PeriodText, o.ShareOf,
		strconv.FormatFloat(o.Value, 'f', -1, 64), o.Unit, amount, o.Currency, o.Source, o.SourceRef,
		Statuses.Spanish(o.Status), o.Note}
}

// known is what validation checks codes against.
type known struct {
	species, places map[string]bool
}

// validate checks an observation whose vocabulary fields are codes; problems
// are keyed by the template's column names.
func (o *Observation) validate(k known) map[string]string {
	p := map[string]string{}
	if !k.species[o.Species] {
		p["especie"] = fmt.Sprintf("unknown species %q: use a code of the species list", o.Species)
	}
	if !k.places[o.Place] {
		p["lugar"] = fmt.Sprintf("unknown place %q: use a code of the places list", o.Place)
	}
	if _, ok := Presentations.Parse(o.Presentation); !ok {
		p["presentacion"] = "one of " + Presentations.Words()
	}
	if _, ok := Origins.Parse(o.Origin); !ok {
		p["origen"] = "one of " + Origins.Words()
	}
	if _, ok := Statuses.Parse(o.Status); !ok {
		p["estado"] = "one of " + Statuses.Words()
	}
	switch o.Measure {
	case "quantity":
		if o.Year == 0 {
			p["anio"] = "a quantity needs its year"
		}
		if o.Value < 0 {
			p["valor"] = "a quantity cannot be negative"
		}
	case "average_quantity":
		if o.Value < 0 {
			p["valor"] = "a quantity cannot be negative"
		}
	case "share":
		if o.Value < 0 || o.Value > 100 {
			p["valor"] = "a share is between 0 and 100"
		}
		if o.ShareOf == "" {
			p["parte_de"] = "a share says what it is a share of (a species or group code)"
		}
	case "growth_rate":
	default:
		p["medida"] = "one of " + Measures.Words()
	}
	if o.Year != 0 && (o.Year < 1900 || o.Year > 2100) {
		p["anio"] = "a year between 1900 and 2100"
	}
	if o.Month < 0 || o.Month > 12 {
		p["mes"] = "a month from 1 to 12"
	} else if o.Month != 0 && o.Year == 0 {
		p["mes"] = "a month needs its year"
	}
	if o.YearTo != 0 && o.YearTo < o.Year {
		p["anio_hasta"] = "not before the year"
	}
	if strings.TrimSpace(o.Unit) == "" {
		p["unidad"] = "required (t, kg, %, …)"
	}
	if strings.TrimSpace(o.Source) == "" {
		p["fuente"] = "required: who published the figure"
	}
	if o.Amount != nil && o.Currency == "" {
		p["moneda"] = "an amount needs its currency (USD, PEN)"
	}
	return p
}
