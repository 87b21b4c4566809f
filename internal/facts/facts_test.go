package facts_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"sriim/data/seed"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/facts"
	"sriim/internal/seedtext"
)

func seedFacts(t *testing.T) []facts.Fact {
	t.Helper()
	b, err := seed.Files.ReadFile("facts.csv")
	if err != nil {
		t.Fatal(err)
	}
	list, err := facts.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// written lists the ways the seed writes a number: 1,700; 2,3 (a decimal
// comma); 1.300 (a thousands dot); 14.2.
func written(v float64) []string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	out := []string{s, strings.Replace(s, ".", ",", 1)}
	if v >= 1000 && v == float64(int(v)) {
		n := strconv.Itoa(int(v))
		out = append(out, n[:len(n)-3]+","+n[len(n)-3:], n[:len(n)-3]+"."+n[len(n)-3:])
	}
	return out
}

// TestFactsMatchSeed checks the data file against the seed's text: each
// statement is the seed's wording, in the section named, and holds the
// figure as the seed writes it; the figures the text gives that the issue
// names are all there.
func TestFactsMatchSeed(t *testing.T) {
	text := seedtext.Squash(seedtext.Text(t))
	list := seedFacts(t)
	headings := []string{"2.1 Situación de la producción", "2.2 Situación de la gestión organizacional",
		"2.3 Situación de la proveeduría", "2.4.1 Mercado Nacional y Regional", "2.4.2 Mercado Internacional",
		"2.5.1. Exportaciones Nacionales", "2.5.2 Exportaciones regionales", "2.6 La cadena de valor"}
	sections := map[string]string{}
	for i, h := range headings[:len(headings)-1] {
		body := text[strings.LastIndex(text, h):]
		sections[strings.TrimSuffix(h[:strings.IndexByte(h, ' ')], ".")] = body[:strings.Index(body, headings[i+1])]
	}
	for _, f := range list {
		number := strings.TrimSuffix(f.Section[:strings.IndexByte(f.Section, ' ')], ".")
		body, ok := sections[number]
		if !ok {
			t.Fatalf("%s: section %q", f.Measure, f.Section)
		}
		if !strings.Contains(body, seedtext.Squash(f.Statement)) {
			t.Errorf("%s: %q is not the wording of section %s", f.Measure, f.Statement, number)
		}
		found := false
		for _, w := range written(f.Value) {
			found = found || strings.Contains(f.Statement, w)
		}
		if !found {
			t.Errorf("%s: the statement %q does not give %v", f.Measure, f.Statement, f.Value)
		}
		if want := map[bool]string{true: facts.Markets, false: facts.Production}[strings.HasPrefix(number, "2.4") || strings.HasPrefix(number, "2.5")]; f.Topic != want {
			t.Errorf("%s: topic %s, want %s (section %s)", f.Measure, f.Topic, want, number)
		}
	}
	// The figures issue 14 names.
	for _, want := range []struct {
		section string
		value   float64
	}{{"2.2", 347}, {"2.2", 56}, {"2.2", 42}, {"2.2", 2}, {"2.2", 1700}, {"2.2", 12}, {"2.2", 313}, {"2.4.1", 2.3}, {"2.4.1", 760},
		{"2.4.1", 14.2}, {"2.4.1", 8}, {"2.4.2", 8.4}, {"2.4.2", 6}, {"2.4.2", -0.7}, {"2.4.2", 445}, {"2.4.2", 409}, {"2.5.2", 31500}} {
		found := false
		for _, f := range list {
			found = found || strings.HasPrefix(f.Section, want.section+" ") && f.Value == want.value
		}
		if !found {
			t.Errorf("no fact of %s gives %v", want.section, want.value)
		}
	}
}

func TestLoadAndList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := facts.New(d)
		ctx := context.Background()
		b, _ := seed.Files.ReadFile("facts.csv")
		if _, err := s.Load(ctx, auth.Principal{Role: auth.Editor}, bytes.NewReader(b)); err == nil {
			t.Fatal("an editor loaded facts")
		}
		n, err := s.Load(ctx, auth.System, bytes.NewReader(b))
		if err != nil || n != len(seedFacts(t)) {
			t.Fatalf("loaded %d, %v", n, err)
		}
		prod, err := s.List(ctx, facts.Production)
		if err != nil || len(prod) == 0 || prod[0].Value != 347 || prod[0].Unit != "embarcaciones" {
			t.Fatalf("production facts: %+v %v", prod, err)
		}
		markets, _ := s.List(ctx, facts.Markets)
		all, _ := s.List(ctx, "")
		if len(prod)+len(markets) != n || len(all) != n {
			t.Fatalf("%d + %d facts of %d", len(prod), len(markets), n)
		}
		for _, f := range markets {
			if f.Topic != facts.Markets || (f.ValueTo != nil) != (f.Measure == "Precio del chanque y del pulpo" || strings.HasPrefix(f.Measure, "Crecimiento de las importaciones de moluscos de Francia")) {
				t.Errorf("market fact %+v", f)
			}
		}
	})
}
