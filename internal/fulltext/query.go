package fulltext

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQueryWords is how many words of a query are looked for; the rest are ignored.
const MaxQueryWords = 12

// QueryWord is a word of a query and the terms that match it: its Spanish
// and its English stem (one term when they agree).
type QueryWord struct {
	Word  string   `json:"word"` // folded
	Terms []string `json:"terms"`
}

// Query is a parsed search: a document matches when it holds every word.
type Query []QueryWord

// ParseQuery reads what someone typed into the words to look for, leaving
// out stop words and repeats.
func ParseQuery(s string) Query {
	if len(s) > 1000 {
		s = s[:1000]
	}
	var q Query
	Words(s, func(w Word) bool {
		if !searchable(w.Folded) {
			return true
		}
		terms := []string{Stem(w.Folded, "es")}
		if t := Stem(w.Folded, English); t != terms[0] {
			terms = append(terms, t)
		}
		for _, prev := range q {
			for _, t := range terms {
				if slices.Contains(prev.Terms, t) {
					return true // a repeat: any text that holds prev holds it
				}
			}
		}
		q = append(q, QueryWord{Word: w.Folded, Terms: terms})
		return len(q) < MaxQueryWords
	})
	return q
}

// searchable reports whether a search looks for a folded word: not a single
// letter, nor a stop word in either language (a Spanish text indexes no
// "de", and an English one no "the").
func searchable(folded string) bool {
	return utf8.RuneCountInString(folded) >= 2 && !stopWord(folded, "es") && !stopWord(folded, English)
}

// MaxIgnored is how many ignored words Ignored lists.
const MaxIgnored = 20

// Ignored lists the words of s, as typed and each once, that a search
// parsed by ParseQuery does not look for: stop words, single letters,
// words too long to be indexed (MaxWordBytes) and those past
// MaxQueryWords. A repeat of a word looked for ("exportar exportaciones")
// is looked for. It lets a caller say why a search found everything.
func Ignored(s string) []string {
	if len(s) > 1000 {
		s = s[:1000]
	}
	q := ParseQuery(s)
	var out []string
	for _, field := range strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) }) {
		if len(out) == MaxIgnored {
			break
		}
		if !utf8.ValidString(field) || slices.Contains(out, field) {
			continue
		}
		looked := false
		Words(field, func(w Word) bool {
			if !searchable(w.Folded) {
				return false
			}
			for _, qw := range q {
				if slices.Contains(qw.Terms, Stem(w.Folded, "es")) || slices.Contains(qw.Terms, Stem(w.Folded, English)) {
					looked = true
				}
			}
			return false
		})
		if !looked {
			out = append(out, field)
		}
	}
	return out
}

// Terms lists every term of the query once, in order.
func (q Query) Terms() []string {
	var out []string
	for _, w := range q {
		for _, t := range w.Terms {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// match returns which word of q a folded word of a text in lang stands for,
// or -1. Only words that start like a term are looked up: a stem keeps the
// start of its word.
func (q Query) match(folded []byte, lang string) int {
	candidate := false
	for _, w := range q {
		for _, t := range w.Terms {
			n := min(2, len(t), len(folded))
			if string(folded[:n]) == t[:n] {
				candidate = true
			}
		}
	}
	if !candidate {
		return -1
	}
	t := term(folded, lang)
	if t == "" {
		return -1
	}
	for i, w := range q {
		if slices.Contains(w.Terms, t) {
			return i
		}
	}
	return -1
}

// SnippetWords is how many words a snippet shows.
const SnippetWords = 30

// Snippet returns the passage of text (in lang) that holds the most
// different words of q, as HTML: the matching words in <mark>, everything
// else escaped, "…" where the text goes on. ok is false when no word of q
// is in text.
func Snippet(text, lang string, q Query) (snippet string, ok bool) {
	if len(q) == 0 {
		return "", false
	}
	// Room for the words of a text of average words, up front: growing
	// the list as a long text is scanned was a fifth of a search's time.
	words := make([]spot, 0, min(len(text)/6+1, 1<<14))
	var matches []int // indexes into words
	stopAt := -1      // scan this many words, once a window holds every query word
	scan(text, func(start, end int, folded []byte) bool {
		m := q.match(folded, lang)
		words = append(words, spot{start, end, m})
		if m >= 0 {
			matches = append(matches, len(words)-1)
			if stopAt < 0 && distinct(words, matches, len(words)-1, len(q)) == len(q) {
				stopAt = len(words) + SnippetWords
			}
		}
		return stopAt < 0 || len(words) < stopAt
	})
	if len(matches) == 0 {
		return "", false
	}
	// The best window starts a few words before a match and holds the most
	// different query words, then the most matches.
	bestStart, bestDistinct, bestCount := 0, -1, -1
	for i, first := range matches {
		seen := map[int]bool{}
		count := 0
		for _, j := range matches[i:] {
			if j >= first+SnippetWords-4 {
				break
			}
			seen[words[j].match] = true
			count++
		}
		if len(seen) > bestDistinct || (len(seen) == bestDistinct && count > bestCount) {
			bestStart, bestDistinct, bestCount = max(0, first-4), len(seen), count
		}
	}
	end := min(len(words), bestStart+SnippetWords)
	var b strings.Builder
	from := words[bestStart].start
	if bestStart > 0 {
		b.WriteString("… ")
	}
	at := from
	for _, w := range words[bestStart:end] {
		b.WriteString(html.EscapeString(collapse(text[at:w.start])))
		if w.match >= 0 {
			b.WriteString("<mark>" + html.EscapeString(text[w.start:w.end]) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(text[w.start:w.end]))
		}
		at = w.end
	}
	if end < len(words) || at < len(text) && strings.TrimSpace(text[at:]) != "" {
		b.WriteString(" …")
	}
	return b.String(), true
}

// spot is a word of a text being searched for a snippet.
type spot struct {
	start, end int
	match      int // the query word, or -1
}

// distinct counts the different query words among the matches within a
// window's reach before words[last].
func distinct(words []spot, matches []int, last, want int) int {
	seen := map[int]bool{}
	for k := len(matches) - 1; k >= 0 && matches[k] > last-SnippetWords+4; k-- {
		seen[words[matches[k]].match] = true
		if len(seen) == want {
			break
		}
	}
	return len(seen)
}

// collapse turns the space between two words (line breaks, tabs) into what
// a one-line snippet shows.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// Excerpt returns the first n words of text as HTML (escaped), with "…"
// when the text goes on.
func Excerpt(text string, n int) string {
	end, count := len(text), 0
	Words(text, func(w Word) bool {
		if count == n {
			end = w.Start
			return false
		}
		count++
		return true
	})
	out := html.EscapeString(collapse(strings.TrimSpace(text[:end])))
	if strings.TrimSpace(text[end:]) != "" {
		out += " …"
	}
	return out
}
