package fulltext

import (
	"slices"
	"strings"
	"testing"

	"sriim/internal/vocab"
)

func TestFold(t *testing.T) {
	for _, s := range []string{"Exportación", "AÑO PESQUERO", "Pingüino", "Çà et là", "ﬁn"} {
		if got, want := Fold(s), vocab.Fold(s); got != want {
			t.Errorf("Fold(%q) = %q, vocab.Fold gives %q", s, got, want)
		}
	}
}

func terms(text, lang string) []string {
	var out []string
	Terms(text, lang, func(t string) { out = append(out, t) })
	return out
}

func TestStemsJoinForms(t *testing.T) {
	for _, tc := range []struct {
		lang  string
		forms []string
	}{
		{"es", []string{"exportaciones", "exportación", "EXPORTACION", "exportar", "exportadores", "exportador"}},
		{"es", []string{"moluscos", "molusco", "Moluscos"}},
		{"es", []string{"producción", "produccion", "producciones"}},
		{"es", []string{"tecnología", "tecnologia", "tecnologías"}},
		{"es", []string{"acuicultura", "Acuicultura"}},
		{"en", []string{"exports", "exporting", "exported", "export"}},
	} {
		var first string
		for i, f := range tc.forms {
			got := terms(f, tc.lang)
			if len(got) != 1 {
				t.Fatalf("%s: %q gives terms %v, want one", tc.lang, f, got)
			}
			if i == 0 {
				first = got[0]
			} else if got[0] != first {
				t.Errorf("%s: %q stems to %q, %q to %q: want one term", tc.lang, tc.forms[0], first, f, got[0])
			}
		}
	}
}

func TestTermsLeaveOutStopWordsAndKeepNumbers(t *testing.T) {
	got := terms("La exportación de los moluscos en 2006: partida 0307.99", "es")
	want := []string{"export", "molusc", "2006", "part", "0307", "99"}
	if !slices.Equal(got, want) {
		t.Errorf("terms = %v, want %v", got, want)
	}
}

func TestParseQuery(t *testing.T) {
	q := ParseQuery("Exportaciones de LOCO, exportar  loco!")
	if len(q) != 2 {
		t.Fatalf("query %+v, want two words (stop word and repeats left out)", q)
	}
	if !slices.Contains(q[0].Terms, "export") || !slices.Contains(q[1].Terms, "loc") {
		t.Errorf("query terms %v", q.Terms())
	}
	if q := ParseQuery("de la y el the of"); len(q) != 0 {
		t.Errorf("a query of stop words gives %+v, want nothing", q)
	}
	long := strings.Repeat("palabra", 10) + " " + strings.Repeat("x ", 10) + strings.Repeat("uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece ", 3)
	if n := len(ParseQuery(long)); n > MaxQueryWords {
		t.Errorf("a long query gives %d words, want at most %d", n, MaxQueryWords)
	}
}

func TestSnippet(t *testing.T) {
	text := "Introducción. Capítulo <uno> & otros.\n\nLas Exportaciones de loco congelado crecieron; " +
		strings.Repeat("relleno sin interés ", 40) + "al final se habla de exportar otra vez."
	got, ok := Snippet(text, "es", ParseQuery("exportación loco"))
	if !ok {
		t.Fatal("no snippet")
	}
	for _, want := range []string{"<mark>Exportaciones</mark>", "<mark>loco</mark>", "… Capítulo &lt;uno&gt; &amp; otros. Las <mark>"} {
		if !strings.Contains(got, want) {
			t.Errorf("snippet %q lacks %q", got, want)
		}
	}
	if !strings.HasSuffix(got, " …") || strings.Contains(got, "<uno>") {
		t.Errorf("snippet %q: want the rest escaped and an ellipsis where the text goes on", got)
	}
	// The passage with both words wins over the one with one.
	got, _ = Snippet(strings.Repeat("palabras ", 50)+"exportar "+strings.Repeat("palabras ", 50)+"loco y exportación", "es", ParseQuery("loco exportar"))
	if !strings.HasPrefix(got, "… ") || !strings.Contains(got, "<mark>loco</mark> y <mark>exportación</mark>") {
		t.Errorf("snippet %q: want the passage holding both words", got)
	}
	if _, ok := Snippet("nada que ver", "es", ParseQuery("loco")); ok {
		t.Error("a text without the words gave a snippet")
	}
}

// A snippet of a 20 KB text (what an archive's search makes for each of
// its 20 hits) whose query words are far apart, so that the whole text is
// scanned.
func BenchmarkSnippet(b *testing.B) {
	text := strings.Repeat("La crianza de la concha de abanico en linternas, en la bahía de Ilo. ", 290) + "Exportaciones al Japón."
	q := ParseQuery("crianza japón")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, ok := Snippet(text, "es", q); !ok {
			b.Fatal("no snippet")
		}
	}
}

// TestIgnored: the words a search leaves out are listed, as typed, so that
// a caller can say why the search found everything; repeats of a word
// looked for are not.
func TestIgnored(t *testing.T) {
	long := strings.Repeat("a", MaxWordBytes+1)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"de", []string{"de"}},
		{"De la y " + long, []string{"De", "la", "y", long}},
		{"Exportaciones de LOCO, exportar loco!", []string{"de"}},
		{"loco", nil},
		{"alfa bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike", []string{"mike"}},
	} {
		if got := Ignored(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Ignored(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}
