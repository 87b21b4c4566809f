package seeding

import (
	"regexp"
	"strings"
	"testing"

	"sriim/data/seed"
	"sriim/internal/seedtext"
)

var quotation = regexp.MustCompile(`«([^»]+)»`)

// TestNotesQuoteTheSeed checks that what the seed's notes and references
// quote (between « and ») is the seed's wording: the text's figures that a
// table contradicts (Cuadro 1's 2003 total, Cuadro 3's blocks) are quoted
// as printed.
func TestNotesQuoteTheSeed(t *testing.T) {
	text := seedtext.Squash(seedtext.Text(t))
	quoted := map[string]string{"cuadro3Note": cuadro3Note}
	for _, file := range []string{"production.csv", "facts.csv"} {
		b, err := seed.Files.ReadFile(file)
		if err != nil {
			continue
		}
		quoted[file] = string(b)
	}
	n := 0
	for where, s := range quoted {
		for _, m := range quotation.FindAllStringSubmatch(s, -1) {
			q := seedtext.Squash(strings.ReplaceAll(m[1], `""`, `"`))
			if len(strings.Fields(q)) < 3 {
				continue // a name, not a quotation
			}
			n++
			if !strings.Contains(text, q) {
				t.Errorf("%s quotes %q, which the seed does not say", where, q)
			}
		}
	}
	if !strings.Contains(cuadro3Note, "2.4.2") || !strings.Contains(cuadro3Note, "6 millones") {
		t.Error("Cuadro 3's note does not record the text's contradiction")
	}
	if n < 5 {
		t.Errorf("%d quotations checked", n)
	}
}
