package planning

import (
	"regexp"
	"strings"
	"testing"

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
	}
}
