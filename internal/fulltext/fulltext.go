// Package fulltext turns text into the terms a search index stores and a
// query into the terms it looks for, and highlights why a text matched.
//
// All of the language work happens here, in Go, so that SQLite (FTS5) and
// PostgreSQL (tsvector) index the same terms and answer a query alike: a
// word is folded (lower case, accents removed: "Exportación" → "exportacion"),
// Spanish and English stop words are left out, and the rest is stemmed with
// the Snowball stemmer of the text's language (github.com/kljensen/snowball;
// Snowball's Spanish stemmer is also the one PostgreSQL's "spanish"
// configuration uses), so that "exportaciones", "exportación" and "exportar"
// are one term, "export". A query word is looked up by its Spanish and its
// English stem, so a query finds documents in either language.
package fulltext

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/spanish"
	"golang.org/x/text/unicode/norm"
)

// MaxWordBytes is the longest word indexed (folded, in bytes); longer runs
// of letters are not words people search for (encoded data, URLs run together).
const MaxWordBytes = 40

// English is the language code whose texts get the English stemmer; every
// other text is treated as Spanish, the system's language.
const English = "en"

// Word is a run of letters and digits in a text: its place (byte offsets)
// and its folded form.
type Word struct {
	Start, End int
	Folded     string
}

// Words calls fn for each word of text, in order, until fn returns false.
// A word is a run of letters, digits and combining marks.
func Words(text string, fn func(w Word) bool) {
	var buf []byte
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		ascii := true
		for i < len(text) {
			r, size = rune(text[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(text[i:])
				ascii = false
			}
			if !isWordRune(r) {
				break
			}
			i += size
		}
		var folded string
		if ascii {
			buf = buf[:0]
			for j := start; j < i; j++ {
				c := text[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf = append(buf, c)
			}
			folded = string(buf)
		} else {
			folded = Fold(text[start:i])
		}
		if folded == "" || len(folded) > MaxWordBytes {
			continue
		}
		if !fn(Word{Start: start, End: i, Folded: folded}) {
			return
		}
	}
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// Fold lower-cases s and removes its accents and other combining marks
// ("Año Pesquero" → "ano pesquero"), as vocab.Fold does.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// stopWord reports whether a folded word is a stop word in the language.
func stopWord(folded, lang string) bool {
	if lang == English {
		return english.IsStopWord(folded)
	}
	return spanish.IsStopWord(folded)
}

// reaccent gives a folded Spanish word back the accent of the Snowball
// suffixes that are only listed with one ("-ación", "-ución", "-logía"), so
// that "exportacion" typed without its accent stems as "exportación" does.
var reaccent = []struct{ plain, accented string }{
	{"acion", "ación"}, {"ucion", "ución"}, {"logias", "logías"}, {"logia", "logía"},
}

// stems caches the stem of each (language, folded word): a language has far
// fewer distinct words than a text has words, and stemming is the costly
// step of indexing. The cache stops growing at maxCached entries.
var (
	stems     sync.Map
	cached    atomic.Int64
	maxCached = int64(1 << 20)
)

// Stem is the term a folded word is indexed under in a text of lang: its
// stem, folded; a word with digits is its own term.
func Stem(folded, lang string) string {
	key := folded
	if lang == English {
		key = "en:" + folded
	}
	if s, ok := stems.Load(key); ok {
		return s.(string)
	}
	s := stem(folded, lang)
	if cached.Load() < maxCached {
		if _, loaded := stems.LoadOrStore(key, s); !loaded {
			cached.Add(1)
		}
	}
	return s
}

func stem(folded, lang string) string {
	if strings.IndexFunc(folded, func(r rune) bool { return '0' <= r && r <= '9' }) >= 0 {
		return folded
	}
	if lang == English {
		return Fold(english.Stem(folded, true))
	}
	w := folded
	for _, ra := range reaccent {
		if strings.HasSuffix(w, ra.plain) {
			w = w[:len(w)-len(ra.plain)] + ra.accented
			break
		}
	}
	return Fold(spanish.Stem(w, true))
}

// Terms calls fn with the term of each word of text that is indexed (not a
// stop word, at least two letters), in order, with repeats.
func Terms(text, lang string, fn func(term string)) {
	Words(text, func(w Word) bool {
		if utf8.RuneCountInString(w.Folded) >= 2 && !stopWord(w.Folded, lang) {
			fn(Stem(w.Folded, lang))
		}
		return true
	})
}
