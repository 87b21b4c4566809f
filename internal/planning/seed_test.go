package planning

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sriim/data/seed"
	"sriim/internal/seedtext"
)

// TestDataFileMatchesSeedMatrix checks, for every activity of the data file,
// that the seed's planning matrix has an activity with that code, in that
// order, whose text holds the file's period, its institutions as written, and
// the start of its title.
func TestDataFileMatchesSeedMatrix(t *testing.T) {
	text := seedtext.Text(t)
	text = text[strings.Index(text, "MATRIZ DE PLANIFICACIÓN"):]
	f := seedPlan(t)
	var acts []FileActivity
	for _, o := range f.Objectives {
		for _, s := range o.Strategies {
			acts = append(acts, s.Activities...)
		}
	}
	// Where each activity's block starts: its code at the start of a line,
	// after the previous activity's.
	starts := make([]int, len(acts)+1)
	from := 0
	for i, a := range acts {
		re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(a.Code) + `(\s|$)`)
		loc := re.FindStringIndex(text[from:])
		if loc == nil {
			t.Fatalf("activity %s is not in the seed's matrix after %d", a.Code, from)
		}
		starts[i] = from + loc[0]
		from += loc[1]
	}
	starts[len(acts)] = len(text)
	for i, a := range acts {
		block := seedtext.Squash(text[starts[i]:starts[i+1]])
		if !strings.Contains(block, seedtext.Squash(a.Period)) {
			t.Errorf("%s: period %q is not in the seed's text for it", a.Code, a.Period)
		}
		for _, inst := range a.Institutions {
			if !strings.Contains(block, seedtext.Squash(inst)) {
				t.Errorf("%s: institution %q is not in the seed's text for it", a.Code, inst)
			}
		}
		words := strings.Fields(a.Title)
		if head := strings.Join(words[:min(5, len(words))], " "); !strings.Contains(block, head) {
			t.Errorf("%s: title %q does not start as the seed's", a.Code, head)
		}
		if a.StartYear < 2007 || a.EndYear < a.StartYear {
			t.Errorf("%s: years %d–%d", a.Code, a.StartYear, a.EndYear)
		}
		// An open period ("2007 después actualización periódica") runs to the plan's horizon.
		if open := openPeriod.MatchString(a.Period); open != (a.EndYear == f.EndYear) && (open || a.EndYear > 2011) {
			t.Errorf("%s: period %q ends %d; the plan's horizon is %d", a.Code, a.Period, a.EndYear, f.EndYear)
		}
		for _, ft := range a.Targets {
			// Its start: the PDF's columns interleave the rest with other cells.
			if words := strings.Fields(ft.Statement); !strings.Contains(block, strings.Join(words[:min(6, len(words))], " ")) {
				t.Errorf("%s: target %q does not start as the seed's", a.Code, ft.Statement)
			}
			checkMilestones(t, a, ft, f.EndYear)
		}
	}
}

var (
	openPeriod = regexp.MustCompile(`(?i)después|posteriores`)
	// budgetYears are the years a statement names that are not its own
	// milestones: "proyectos para Presupuesto Participativo de los años 2008 y 2009".
	budgetYears = regexp.MustCompile(`años (?:19|20)\d{2}(?: y (?:19|20)\d{2})?`)
	rangeStart  = regexp.MustCompile(`(?i)^\s*del\s+(?:19|20)\d{2}\s+al`)
)

// checkMilestones checks that a target keeps every milestone its statement
// states: each year ("Al 2007 … y al 2008 dos más": 2007 and 2008) and each
// percentage ("un 50 % de los criadores y un 80 % de procesadores"), and
// that a target about «los años siguientes» is not dated by the activity's
// first year.
func checkMilestones(t *testing.T, a FileActivity, ft FileTarget, horizon int) {
	t.Helper()
	stated := rangeStart.ReplaceAllString(budgetYears.ReplaceAllString(ft.Statement, ""), "")
	var years []int
	for _, y := range yearRE.FindAllString(stated, -1) {
		n, _ := strconv.Atoi(y)
		if !slices.Contains(years, n) {
			years = append(years, n)
		}
	}
	var values []float64
	for _, m := range percentRE.FindAllStringSubmatch(ft.Statement, -1) {
		v, _ := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
		values = append(values, v)
	}
	tg := ft.target(a.EndYear, horizon)
	var gotValues []float64
	for _, m := range tg.Milestones() {
		if m.Value != nil {
			gotValues = append(gotValues, *m.Value)
		}
	}
	if len(years) > 0 && !slices.Equal(years, tg.Years()) || !slices.Equal(values, gotValues) {
		t.Errorf("%s: target %q states years %v and values %v; the plan keeps %v and %v", a.Code, ft.Statement, years, values, tg.Years(), gotValues)
	}
	if laterRE.MatchString(ft.Statement) && tg.Year <= a.StartYear {
		t.Errorf("%s: target %q is dated %d, the activity's first year", a.Code, ft.Statement, tg.Year)
	}
}

// TestPlanFileMatchesSeedText checks the plan's own facts against the
// seed: its horizon («El horizonte de tiempo del Plan Operativo es de 10
// años», the chain of 2016), its objectives' short names as section 4
// lists them, and that every institution it names is linked to one.
func TestPlanFileMatchesSeedText(t *testing.T) {
	text := seedtext.Squash(seedtext.Text(t))
	f := seedPlan(t)
	m := regexp.MustCompile(`horizonte de tiempo del Plan Operativo es de (\d+) años`).FindStringSubmatch(text)
	future := regexp.MustCompile(`CADENA EXPORTADORA FUTURA \((\d{4})\)`).FindStringSubmatch(text)
	if m == nil || future == nil {
		t.Fatal("the seed's horizon is not found")
	}
	if years, _ := strconv.Atoi(m[1]); f.EndYear-f.StartYear+1 != years || strconv.Itoa(f.EndYear) != future[1] {
		t.Errorf("plan %d–%d; the seed's horizon is %s years, to %s", f.StartYear, f.EndYear, m[1], future[1])
	}
	for _, o := range f.Objectives {
		re := regexp.MustCompile(`Objetivo (?:estratégico|Estratégico) ` + o.Code + `:? +(.+?) \S? ?(?:Objetivo|En base)`)
		m := re.FindStringSubmatch(text)
		if m == nil || o.Name != strings.TrimSpace(m[1]) {
			t.Errorf("objective %s is named %q; the seed: %q", o.Code, o.Name, m)
		}
	}
	b, _ := seed.Files.ReadFile("institutions.csv")
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, r := range recs[1:] {
		codes[r[0]] = true
	}
	aliases := map[string][]string{}
	for name, list := range f.Aliases {
		aliases[strings.ToLower(name)] = list
	}
	for _, o := range f.Objectives {
		for _, s := range o.Strategies {
			for _, a := range s.Activities {
				for _, name := range a.Institutions {
					list := aliases[strings.ToLower(name)]
					if len(list) == 0 {
						t.Errorf("%s: %q links to no institution", a.Code, name)
					}
					for _, c := range list {
						if !codes[c] {
							t.Errorf("%s: %q links to %s, not in institutions.csv", a.Code, name, c)
						}
					}
				}
			}
		}
	}
}
