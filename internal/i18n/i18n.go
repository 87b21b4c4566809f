// Package i18n holds SRIIM's text for people in Spanish (the default) and
// English, and picks the language of a request.
//
// Two kinds of catalogue, one file per language each, so that another
// language is new files and no code:
//   - xx.json: the interface text of pages and documents, by key ("home.title").
//   - messages/xx.json: the messages of errors and of the command line, keyed
//     by their English format string, gettext style (see Message). English
//     needs entries only for plural forms.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Lang is a supported interface language.
type Lang string

// The languages the code names; Spanish is the default.
const (
	ES Lang = "es"
	EN Lang = "en"
)

// Supported lists the languages in the order the interface offers them:
// Spanish, then every other language that has an interface catalogue.
var Supported []Lang

//go:embed *.json messages
var files embed.FS

// catalog holds each language's interface text by key.
var catalog = map[Lang]map[string]entry{}

// entry is a catalogue value: one text, or one per plural form. A plural
// entry is {"one": "%d fila", "other": "%d filas"}: CLDR's plural
// categories of the language (zero, one, two, few, many, other), chosen by
// the first integer argument, or by the argument that "count" numbers
// (from 1) when the count is not the first.
type entry struct {
	text   string
	plural map[string]string
}

func (e *entry) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, &e.plural)
	}
	return json.Unmarshal(b, &e.text)
}

func init() {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		l := Lang(strings.TrimSuffix(name, ".json"))
		catalog[l] = readCatalogue(name)
		messages[l] = map[string]entry{}
		if _, err := fs.Stat(files, path.Join("messages", name)); err == nil {
			messages[l] = readCatalogue(path.Join("messages", name))
		}
		if l != ES {
			Supported = append(Supported, l)
		}
	}
	if catalog[ES] == nil {
		panic("i18n: no es.json")
	}
	slices.Sort(Supported)
	Supported = append([]Lang{ES}, Supported...)
	tags := make([]language.Tag, len(Supported))
	for i, l := range Supported {
		tags[i] = language.Make(string(l))
	}
	matcher = language.NewMatcher(tags)
}

func readCatalogue(name string) map[string]entry {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	m := map[string]entry{}
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("i18n: %s: %v", name, err))
	}
	return m
}

// T returns the text for key in lang, formatted with args. A key missing in
// lang falls back to Spanish, then to the key itself, so a gap shows up on the
// page instead of breaking it. A key with plural forms takes the form of its
// first integer argument (see entry).
func T(lang Lang, key string, args ...any) string {
	e, ok := catalog[lang][key]
	if !ok {
		if e, ok = catalog[ES][key]; !ok {
			e = entry{text: key}
		} else {
			lang = ES
		}
	}
	s := e.form(lang, args)
	// A plural form may leave its count out ("exportador registrado").
	if len(args) > 0 && strings.Contains(s, "%") {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// form is the entry's text for the plural category of the first integer in
// args ("other" when there is none or the category has no text).
func (e entry) form(lang Lang, args []any) string {
	if e.plural == nil {
		return e.text
	}
	if i, err := strconv.Atoi(e.plural["count"]); err == nil && i >= 1 && i <= len(args) {
		args = args[i-1:]
	}
	if n, ok := firstInt(args); ok {
		if s, ok := e.plural[pluralCategory(lang, n)]; ok {
			return s
		}
	}
	return e.plural["other"]
}

// forms are the entry's texts: its text, or each plural form's.
func (e entry) forms() []string {
	if e.plural == nil {
		return []string{e.text}
	}
	var out []string
	for category, s := range e.plural {
		if category != "count" {
			out = append(out, s)
		}
	}
	return out
}

func firstInt(args []any) (int, bool) {
	for _, a := range args {
		switch n := a.(type) {
		case int:
			return n, true
		case int64:
			return int(n), true
		case int32:
			return int(n), true
		case uint:
			return int(n), true
		case uint64:
			return int(n), true
		}
	}
	return 0, false
}

// pluralCategory is CLDR's cardinal plural category of the integer n in lang.
func pluralCategory(lang Lang, n int) string {
	if n < 0 {
		n = -n
	}
	switch plural.Cardinal.MatchPlural(language.Make(string(lang)), n, 0, 0, 0, 0) {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// Has reports whether key is in the interface catalogue (of Spanish, which
// every other language falls back to), for text chosen by a request's
// parameters: an unknown one is left out rather than shown as its key.
func Has(key string) bool {
	_, ok := catalog[ES][key]
	return ok
}

// Keys returns the keys of lang's catalogue, for tests that compare catalogues.
func Keys(lang Lang) map[string]bool {
	keys := make(map[string]bool, len(catalog[lang]))
	for k := range catalog[lang] {
		keys[k] = true
	}
	return keys
}

// Texts returns every text of lang's interface and message catalogues (each
// plural form apart), for tests that look for one language's text on
// another's pages.
func Texts(lang Lang) []string {
	var out []string
	add := func(e entry) { out = append(out, e.forms()...) }
	for _, e := range catalog[lang] {
		add(e)
	}
	for _, e := range messages[lang] {
		add(e)
	}
	return out
}

// Parse accepts a supported language in any case and region ("en-GB").
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

var matcher language.Matcher

// FromAcceptLanguage picks the best supported language for an
// Accept-Language header, Spanish when nothing matches.
func FromAcceptLanguage(header string) Lang {
	if l, ok := Match(header); ok {
		return l
	}
	return ES
}

// Match picks the best supported language for an Accept-Language header;
// false when the header asks for none of them.
func Match(header string) (Lang, bool) {
	if header == "" {
		return "", false
	}
	// Browsers send a handful of distinct headers; parsing one costs more
	// than serving a cached page, so remember the answers (a bounded few).
	if l, ok := acceptLanguageSeen.Load(header); ok {
		l := l.(Lang)
		return l, l != ""
	}
	var lang Lang
	if tags, _, err := language.ParseAcceptLanguage(header); err == nil && len(tags) > 0 {
		if _, index, conf := matcher.Match(tags...); conf != language.No {
			lang = Supported[index]
		}
	}
	if len(header) <= 256 && acceptLanguageCount.Add(1) <= 1024 {
		acceptLanguageSeen.Store(header, lang)
	}
	return lang, lang != ""
}

var (
	acceptLanguageSeen  sync.Map // header → Lang ("" for none)
	acceptLanguageCount atomic.Int64
)
