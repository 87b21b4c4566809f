// Package planning follows an operating plan (POP): objectives → strategies
// → activities with periods, targets, indicators and participating
// institutions; annual operating plans (POA); and progress reports that
// institutions submit and the Mesa de Trabajo approves (seed activities 4.1.1
// and 4.1.3, "red electrónica para seguimiento de ejecución del POP y POAs").
package planning

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sriim/internal/errs"
)

// File is the data-file format of a plan (data/seed/plan-pop-moluscos.json);
// another region's or chain's plan in the same format can be imported.
type File struct {
	Code       string              `json:"code"`
	Title      string              `json:"title"`
	TitleEN    string              `json:"title_en"`
	Issuer     string              `json:"issuer"`
	Published  string              `json:"published"`
	StartYear  int                 `json:"start_year"`
	EndYear    int                 `json:"end_year"`
	Source     string              `json:"source"`
	Notes      string              `json:"notes,omitempty"`
	Aliases    map[string][]string `json:"institution_aliases"` // institution as the plan names it → institution codes
	Objectives []FileObjective     `json:"objectives"`
	Analysis   *Analysis           `json:"analysis,omitempty"`
}

// Analysis is the competitiveness analysis a plan rests on: its FODA
// (SWOT) and the competitiveness diamond's attributes with their ratings.
type Analysis struct {
	Source        string          `json:"source"`
	Note          string          `json:"note,omitempty"`
	Strengths     []string        `json:"strengths"`
	Weaknesses    []string        `json:"weaknesses"`
	Opportunities []string        `json:"opportunities"`
	Threats       []string        `json:"threats"`
	Diamond       []DiamondFactor `json:"diamond"`
}

// DiamondFactor is a component of the competitiveness diamond.
type DiamondFactor struct {
	Component  string             `json:"component"`
	Level      string             `json:"level,omitempty"`
	Attributes []DiamondAttribute `json:"attributes"`
}

// DiamondAttribute is an attribute of a component, with its rating as printed.
type DiamondAttribute struct {
	Name   string `json:"name"`
	Rating string `json:"rating"`
}

// FileObjective is a strategic objective in a plan file: its short name
// ("Desarrollo de la oferta exportable") and its statement.
type FileObjective struct {
	Code       string         `json:"code"`
	Name       string         `json:"name,omitempty"`
	Statement  string         `json:"statement"`
	Strategies []FileStrategy `json:"strategies"`
}

// FileStrategy is a strategy in a plan file.
type FileStrategy struct {
	Code       string         `json:"code"`
	Title      string         `json:"title"`
	Activities []FileActivity `json:"activities"`
}

// FileActivity is an activity ("acción específica") in a plan file.
type FileActivity struct {
	Code         string       `json:"code"`
	Title        string       `json:"title"`
	Period       string       `json:"period"` // as the plan writes it
	StartYear    int          `json:"start_year"`
	EndYear      int          `json:"end_year"`
	Targets      []FileTarget `json:"targets"`
	Indicators   []string     `json:"indicators"`
	Institutions []string     `json:"institutions"`
}

// FileTarget is a target in a plan file: a statement (a JSON string), whose
// year and number ParseTarget reads, or, for a statement with several
// milestones ("Al 2007 … dos Convenios y al 2008 dos más"), an object with
// the statement and each milestone.
type FileTarget struct {
	Statement  string      `json:"statement"`
	Milestones []Milestone `json:"milestones,omitempty"`
}

// UnmarshalJSON reads a target given as a string or as an object.
func (t *FileTarget) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		t.Milestones = nil
		return json.Unmarshal(b, &t.Statement)
	}
	type plain FileTarget
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(t))
}

// Target is a dated statement of what an activity should achieve.
type Target struct {
	Statement  string   `json:"statement"`
	Year       int      `json:"year"`
	YearStated bool     `json:"year_stated"` // false: the statement gives no year (see ParseTarget)
	Value      *float64 `json:"value,omitempty"`
	Unit       string   `json:"unit,omitempty"`
	// Later are the statement's further milestones, after the one above.
	Later []Milestone `json:"later_milestones,omitempty"`
}

// Milestone is a year a target names, with the number it sets for it.
type Milestone struct {
	Year  int      `json:"year"`
	Value *float64 `json:"value,omitempty"`
	Unit  string   `json:"unit,omitempty"`
}

// Milestones lists every milestone of the target, its first included.
func (t Target) Milestones() []Milestone {
	return append([]Milestone{{Year: t.Year, Value: t.Value, Unit: t.Unit}}, t.Later...)
}

// Years lists the target's years, once each.
func (t Target) Years() []int {
	var out []int
	for _, m := range t.Milestones() {
		if !slices.Contains(out, m.Year) {
			out = append(out, m.Year)
		}
	}
	return out
}

// target reads a file's target: its milestones as given, else as ParseTarget reads them.
func (ft FileTarget) target(endYear, horizon int) Target {
	if len(ft.Milestones) == 0 {
		return ParseTarget(ft.Statement, endYear, horizon)
	}
	first := ft.Milestones[0]
	return Target{Statement: strings.TrimSpace(ft.Statement), Year: first.Year, YearStated: true, Value: first.Value, Unit: first.Unit,
		Later: ft.Milestones[1:]}
}

var (
	yearRE    = regexp.MustCompile(`\b(19|20)\d{2}\b`)
	rangeRE   = regexp.MustCompile(`(?i)^\s*del\s+(?:19|20)\d{2}\s+al\s+((?:19|20)\d{2})`)
	percentRE = regexp.MustCompile(`(\d+(?:[.,]\d+)?)\s*%`)
	// laterRE is a statement about the years after the activity's first:
	// "Los años siguientes se actualiza periódicamente".
	laterRE = regexp.MustCompile(`(?i)\baños\s+(siguientes|posteriores)\b`)
)

// ParseTarget reads a target statement: its year ("Al 2009 …" → 2009; "Del
// 2008 al 2010 …" → 2010; "Los años siguientes …" → the plan's horizon;
// none → the activity's last year), and its number and unit when it gives a
// percentage ("… el 90% de las asociaciones" → 90 %).
func ParseTarget(statement string, endYear, horizon int) Target {
	t := Target{Statement: strings.TrimSpace(statement), Year: endYear}
	if laterRE.MatchString(statement) && horizon > endYear {
		t.Year = horizon
	}
	if m := rangeRE.FindStringSubmatch(statement); m != nil {
		t.Year, _ = strconv.Atoi(m[1])
		t.YearStated = true
	} else if y := yearRE.FindString(statement); y != "" {
		t.Year, _ = strconv.Atoi(y)
		t.YearStated = true
	}
	if m := percentRE.FindStringSubmatch(statement); m != nil {
		v, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
		if err == nil {
			t.Value, t.Unit = &v, "%"
		}
	}
	return t
}

// Indicator is something an activity's progress is measured by.
type Indicator struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"` // count, percent, document, yes_no, amount, days
	Unit string `json:"unit,omitempty"`
	// Source is "computed" when the indicator is bound to the system's data
	// (SourceID names the data source), "reported" when it is typed into
	// progress reports.
	Source   string `json:"source"`
	SourceID string `json:"source_id,omitempty"`
}

// IndicatorKind guesses how an indicator named in the plan is measured.
func IndicatorKind(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case strings.Contains(n, "días") || strings.HasPrefix(n, "tiempo"):
		return "days"
	case strings.HasPrefix(n, "número") || strings.HasPrefix(n, "numero") || strings.HasPrefix(n, "tiraje"):
		return "count"
	case strings.HasPrefix(n, "monto") || strings.HasPrefix(n, "costo") || strings.HasPrefix(n, "volumen"):
		return "amount"
	case strings.Contains(n, "%") || strings.HasPrefix(n, "porcentaje"):
		return "percent"
	case strings.HasPrefix(n, "ley aprobada") || strings.HasPrefix(n, "un comité"):
		return "yes_no"
	}
	return "document"
}

// MaxFileBytes bounds a plan data file (the seed's plan has 60 kB).
const MaxFileBytes = 4 << 20

// ReadFile decodes a plan data file of at most MaxFileBytes. (Nesting is
// bounded by the File type, which refuses unknown fields, and by
// encoding/json's own limit.)
func ReadFile(r io.Reader) (File, error) {
	var f File
	lr := &io.LimitedReader{R: r, N: MaxFileBytes + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	err := dec.Decode(&f)
	switch {
	case lr.N == 0:
		return f, errs.E(errs.TooLarge, "the plan file is larger than the limit of %d MiB", MaxFileBytes>>20)
	case errs.Is(err, errs.TooLarge):
		return f, err
	case err != nil:
		// The decoder's words are for the log; people get the catalogue's.
		return f, errs.E(errs.Invalid, "the plan file is not valid JSON in the format of data/seed/plan-pop-moluscos.json").Because(err)
	}
	return f, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
