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
	scan(text, func(start, end int, folded []byte) bool {
		return fn(Word{Start: start, End: end, Folded: string(folded)})
	})
}

// scan calls fn with the place of each word of text and its folded form
// (in a buffer reused for the next word), until fn returns false. It is the
// hot loop of indexing and of snippets: a table for the runes of the Latin
// alphabets, no allocation per word.
func scan(text string, fn func(start, end int, folded []byte) bool) {
	buf := make([]byte, 0, 64)
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(text[i:]); !isWordRune(r) {
			i += size
			continue
		}
		start := i
		buf = buf[:0]
		for i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				if !asciiWord[c] {
					break
				}
				buf = append(buf, asciiLower[c])
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			buf = appendFolded(buf, r)
			i += size
		}
		if len(buf) == 0 || len(buf) > MaxWordBytes {
			continue
		}
		if !fn(start, i, buf) {
			return
		}
	}
}

// Tables for the hot loop: which ASCII bytes are word characters, their
// lower case, and each rune of the Latin alphabets (below latinEnd) folded.
const latinEnd = 0x250

var (
	asciiWord  [utf8.RuneSelf]bool
	asciiLower [utf8.RuneSelf]byte
	latinWord  [latinEnd]bool
	latinFold  [latinEnd]string
)

func init() {
	for c := range utf8.RuneSelf {
		r := rune(c)
		asciiWord[c] = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		asciiLower[c] = byte(unicode.ToLower(r))
	}
	for r := rune(utf8.RuneSelf); r < latinEnd; r++ {
		latinWord[r] = wordRune(r)
		latinFold[r] = foldRune(r)
	}
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isWordRune(r rune) bool {
	if r < latinEnd {
		return r < utf8.RuneSelf && asciiWord[r] || r >= utf8.RuneSelf && latinWord[r]
	}
	return wordRune(r)
}

// foldRune is a rune lower-cased, without its marks.
func foldRune(r rune) string {
	var b strings.Builder
	for _, x := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, x) {
			b.WriteRune(unicode.ToLower(x))
		}
	}
	return b.String()
}

func appendFolded(buf []byte, r rune) []byte {
	if r < latinEnd {
		return append(buf, latinFold[r]...)
	}
	return append(buf, foldRune(r)...)
}

// Fold lower-cases s and removes its accents and other combining marks
// ("Año Pesquero" → "ano pesquero"), as vocab.Fold does.
func Fold(s string) string {
	buf := make([]byte, 0, len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			buf = append(buf, asciiLower[r])
		} else {
			buf = appendFolded(buf, r)
		}
	}
	return string(buf)
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

// stemCache remembers the term of each folded word of a language ("" for a
// stop word): a language has far fewer distinct words than a text has
// words, and stemming is the costly step of indexing. It stops growing at
// maxCached words.
type stemCache struct {
	mu sync.RWMutex
	m  map[string]string
}

const maxCached = 1 << 20

var caches = map[string]*stemCache{"es": {m: map[string]string{}}, English: {m: map[string]string{}}}

// term returns the term a folded word is indexed under in a text of lang,
// or "" for a stop word or a single letter.
func term(folded []byte, lang string) string {
	c := caches["es"]
	if lang == English {
		c = caches[English]
	}
	c.mu.RLock()
	t, ok := c.m[string(folded)]
	c.mu.RUnlock()
	if ok {
		return t
	}
	word := string(folded)
	if utf8.RuneCountInString(word) >= 2 && !stopWord(word, lang) {
		t = stem(word, lang)
	}
	c.mu.Lock()
	if len(c.m) < maxCached {
		c.m[word] = t
	}
	c.mu.Unlock()
	return t
}

// Stem is the term a folded word is indexed under in a text of lang: its
// stem, folded; a word with digits is its own term.
func Stem(folded, lang string) string {
	if t := term([]byte(folded), lang); t != "" {
		return t
	}
	return stem(folded, lang)
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
	scan(text, func(_, _ int, folded []byte) bool {
		if t := term(folded, lang); t != "" {
			fn(t)
		}
		return true
	})
}
