// Package vocab holds SRIIM's controlled vocabularies — each term a code,
// stored and used by the API, with the Spanish word that spreadsheets and
// forms use — and Fold, how words typed by people are compared.
package vocab

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Term is a code with its Spanish word.
type Term struct{ Code, ES string }

// List is a vocabulary.
type List []Term

// Parse returns the code that s names, as a code or as the Spanish word,
// in any case, with or without accents, with spaces for underscores.
func (v List) Parse(s string) (string, bool) {
	s = strings.ReplaceAll(Fold(s), " ", "_")
	for _, t := range v {
		if s == t.Code || s == t.ES {
			return t.Code, true
		}
	}
	return "", false
}

// Spanish is a code's Spanish word (the code itself when it is not in v).
func (v List) Spanish(code string) string {
	for _, t := range v {
		if t.Code == code {
			return t.ES
		}
	}
	return code
}

// Words lists the Spanish words, for an error message.
func (v List) Words() string {
	var s []string
	for _, t := range v {
		s = append(s, t.ES)
	}
	return strings.Join(s, ", ")
}

// Fold lower-cases s, trims it and removes its accents, so that
// "Asociación" and "ASOCIACION" compare equal.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}
