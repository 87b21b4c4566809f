// Package i18n holds SRIIM's user-interface text in Spanish (the default) and
// English, and picks the language of a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
)

// Lang is a supported interface language.
type Lang string

// The supported languages; Spanish is the default.
const (
	ES Lang = "es"
	EN Lang = "en"
)

// Supported lists the languages in the order the interface offers them.
var Supported = []Lang{ES, EN}

//go:embed es.json en.json
var files embed.FS

var catalog = map[Lang]map[string]string{}

func init() {
	for _, l := range Supported {
		b, err := files.ReadFile(string(l) + ".json")
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s.json: %v", l, err))
		}
		catalog[l] = m
	}
}

// T returns the text for key in lang, formatted with args. A key missing in
// lang falls back to Spanish, then to the key itself, so a gap shows up on the
// page instead of breaking it.
func T(lang Lang, key string, args ...any) string {
	s, ok := catalog[lang][key]
	if !ok {
		if s, ok = catalog[ES][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Keys returns the keys of lang's catalogue, for tests that compare catalogues.
func Keys(lang Lang) map[string]bool {
	keys := make(map[string]bool, len(catalog[lang]))
	for k := range catalog[lang] {
		keys[k] = true
	}
	return keys
}

// Parse accepts "es" or "en" (any case, any region: "en-GB").
func Parse(s string) (Lang, bool) {
	tag, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	base, _ := tag.Base()
	for _, l := range Supported {
		if base.String() == string(l) {
			return l, true
		}
	}
	return "", false
}

var matcher = language.NewMatcher([]language.Tag{language.Spanish, language.English})

// FromAcceptLanguage picks the best supported language for an
// Accept-Language header, Spanish when nothing matches.
func FromAcceptLanguage(header string) Lang {
	if header == "" {
		return ES
	}
	// Browsers send a handful of distinct headers; parsing one costs more
	// than serving a cached page, so remember the answers (a bounded few).
	if l, ok := acceptLanguageSeen.Load(header); ok {
		return l.(Lang)
	}
	lang := ES
	if tags, _, err := language.ParseAcceptLanguage(header); err == nil && len(tags) > 0 {
		if _, index, conf := matcher.Match(tags...); conf != language.No {
			lang = Supported[index]
		}
	}
	if len(header) <= 256 && acceptLanguageCount.Add(1) <= 1024 {
		acceptLanguageSeen.Store(header, lang)
	}
	return lang
}

var (
	acceptLanguageSeen  sync.Map // header → Lang
	acceptLanguageCount atomic.Int64
)
