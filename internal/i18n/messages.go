package i18n

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"sriim/internal/errs"
)

// messages holds each language's message catalogue: English format string →
// its translation (a format with the same verbs, in any order with %[n]s).
var messages = map[Lang]map[string]entry{}

// Term is an interface-catalogue key given as a message argument when the
// argument is a word of the interface ("state.approved"), so that the word is
// translated with the message: "the report is %s" with Term("state.approved")
// reads "el informe está aprobado". Printed with %s it is the English word.
type Term string

func (t Term) String() string { return T(EN, string(t)) }

// Message is format, a message id, in lang, filled with args: the message
// catalogue's translation of format (format itself when there is none, as in
// English), with each Term argument in lang, and each errs.Msg argument too. A message with plural forms
// takes the form of its first integer argument. Without arguments the text
// is returned as it is, not formatted.
func Message(lang Lang, format string, args ...any) string {
	s := translation(lang, format, args)
	if len(args) == 0 {
		return s
	}
	local := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case Term:
			local[i] = T(lang, string(a))
		case errs.Msg: // a message inside another ("… (%s)" with "each year")
			local[i] = Message(lang, a.Format, a.Args...)
		default:
			local[i] = a
		}
	}
	return fmt.Sprintf(s, local...)
}

// Say writes a message in lang, as Message words it, and a new line: what
// the command line prints.
func Say(w io.Writer, lang Lang, format string, args ...any) {
	fmt.Fprintln(w, Message(lang, format, args...))
}

func translation(lang Lang, format string, args []any) string {
	if e, ok := messages[lang][format]; ok {
		return e.form(lang, args)
	}
	return format
}

// MessageIDs returns the message ids that lang's catalogue translates.
func MessageIDs(lang Lang) []string {
	var ids []string
	for id := range messages[lang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Text translates s, English text that is either a message id or a message
// already formatted with its arguments (field messages are kept as such
// text): an id is looked up; a formatted message is recognised by the
// message id it fits, whose translation gets the same argument texts. Text
// that fits no message is returned as it is.
func Text(lang Lang, s string) string {
	if _, ok := messages[lang][s]; ok {
		return translation(lang, s, nil)
	}
	if s == "" || !strings.ContainsAny(s, " ") {
		return s
	}
	for _, p := range loadPatterns() {
		if !strings.Contains(s, p.longest) {
			continue
		}
		m := p.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		var args []any
		texts := m[1:]
		for i, a := range texts {
			if n, err := strconv.Atoi(a); err == nil {
				args = append(args, n)
			}
			if p.nested[i] {
				// A message inside another ("polygon 2: %s"), or other text.
				texts[i] = Text(lang, a)
			}
		}
		return substitute(translation(lang, p.id, args), texts)
	}
	return s
}

// pattern recognises a formatted message: its id as a regular expression
// with a group for each verb's text.
type pattern struct {
	id      string
	re      *regexp.Regexp
	longest string // the longest literal part, a quick test before the expression
	literal int    // the literal parts' length: longer patterns are tried first
	nested  []bool // by group: a %s or %v, whose text may be a message too
}

var (
	patternsOnce sync.Once
	patterns     []pattern
)

// loadPatterns makes a pattern of every message id with verbs and enough
// literal text to be told apart ("%s" alone would fit anything).
func loadPatterns() []pattern {
	patternsOnce.Do(func() {
		seen := map[string]bool{}
		for _, m := range messages {
			for id := range m {
				if seen[id] {
					continue
				}
				seen[id] = true
				if p, ok := compilePattern(id); ok {
					patterns = append(patterns, p)
				}
			}
		}
		sort.Slice(patterns, func(i, j int) bool {
			if patterns[i].literal != patterns[j].literal {
				return patterns[i].literal > patterns[j].literal
			}
			return patterns[i].id < patterns[j].id
		})
	})
	return patterns
}

func compilePattern(id string) (pattern, bool) {
	p := pattern{id: id}
	var re strings.Builder
	re.WriteString("^")
	verbs := 0
	for _, part := range splitFormat(id) {
		if !part.verb {
			re.WriteString(regexp.QuoteMeta(part.text))
			p.literal += len(part.text)
			if len(part.text) > len(p.longest) {
				p.longest = part.text
			}
			continue
		}
		verbs++
		if strings.HasSuffix(part.text, "d") {
			re.WriteString(`(-?\d+)`)
		} else {
			re.WriteString(`(.+?)`)
		}
		p.nested = append(p.nested, strings.HasSuffix(part.text, "s") || strings.HasSuffix(part.text, "v"))
	}
	re.WriteString("$")
	if verbs == 0 || p.literal < 6 {
		return p, false
	}
	p.re = regexp.MustCompile(re.String())
	return p, true
}

// formatPart is a literal run of a format or one verb ("%q", "%[2]s", "%.1f").
type formatPart struct {
	text string
	verb bool
	arg  int // the verb's argument, counted from 0
}

// splitFormat splits a format into literal text ("%%" becomes "%") and verbs.
func splitFormat(format string) []formatPart {
	var parts []formatPart
	var lit strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			lit.WriteByte(format[i])
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		j := i + 1
		arg := next
		for j < len(format) && strings.IndexByte("+-# 0123456789.[]", format[j]) >= 0 {
			if format[j] == '[' {
				if k := strings.IndexByte(format[j:], ']'); k > 0 {
					if n, err := strconv.Atoi(format[j+1 : j+k]); err == nil {
						arg = n - 1
					}
				}
			}
			j++
		}
		if j >= len(format) {
			lit.WriteString(format[i:])
			break
		}
		if lit.Len() > 0 {
			parts = append(parts, formatPart{text: lit.String()})
			lit.Reset()
		}
		parts = append(parts, formatPart{text: format[i : j+1], verb: true, arg: arg})
		next = arg + 1
		i = j
	}
	if lit.Len() > 0 {
		parts = append(parts, formatPart{text: lit.String()})
	}
	return parts
}

// substitute fills format's verbs with texts already formatted, by their
// argument's position.
func substitute(format string, texts []string) string {
	var b strings.Builder
	for _, part := range splitFormat(format) {
		switch {
		case !part.verb:
			b.WriteString(part.text)
		case part.arg >= 0 && part.arg < len(texts):
			b.WriteString(texts[part.arg])
		default:
			b.WriteString(part.text)
		}
	}
	return b.String()
}

// Place names a row, and a column, of a file in lang: "fila 3, columna ruc".
func Place(lang Lang, line int, column string) string {
	if column == "" {
		return Message(lang, "row %d", line)
	}
	return Message(lang, "row %d, column %s", line, column)
}

// legacyPlace is how code that predates Place keys a file's problems;
// featurePlace is how a map file's problems are keyed, by feature (its
// number, and its code when it has one) and attribute.
var (
	legacyPlace  = regexp.MustCompile(`^fila (\d+)(?:, columna (.+))?$`)
	featurePlace = regexp.MustCompile(`^feature (\d+)(?: \((.*)\))?(?:, attribute (.+))?$`)
)

// FieldName is a field key in lang: a file's place ("fila 3, columna ruc",
// as errs keys them; "feature 2, attribute kind") in lang's words;
// any other key (a form field's name) as it is.
func FieldName(lang Lang, key string) string {
	if m := featurePlace.FindStringSubmatch(key); m != nil {
		n, _ := strconv.Atoi(m[1])
		where := Message(lang, "feature %d", n)
		if m[2] != "" {
			where = Message(lang, "feature %d (%s)", n, m[2])
		}
		if m[3] == "" {
			return where
		}
		return Message(lang, "%s, attribute %s", where, m[3])
	}
	m := legacyPlace.FindStringSubmatch(key)
	if m == nil {
		return key
	}
	line, _ := strconv.Atoi(m[1])
	return Place(lang, line, m[2])
}

// ErrorText is e's message and fields in lang. Problems in a file are keyed
// by their place in lang's words; the other fields keep their key (a form
// field's name) and have their message translated.
func ErrorText(lang Lang, e *errs.Error) (message string, fields map[string]string) {
	message = msgText(lang, e.Msg, e.Message)
	if len(e.Fields) == 0 {
		return message, nil
	}
	fields = make(map[string]string, len(e.Fields))
	fromProblems := map[string]bool{}
	for _, p := range e.Problems {
		key := "…"
		if p.Line > 0 {
			key = Place(lang, p.Line, p.Column)
		}
		text := msgText(lang, p.Msg, p.Msg.String())
		if old, ok := fields[key]; ok {
			text = old + "; " + text
		}
		fields[key] = text
		fromProblems[p.Key()] = true
	}
	for key, text := range e.Fields {
		if !fromProblems[key] {
			fields[FieldName(lang, key)] = Text(lang, text)
		}
	}
	return message, fields
}

// msgText is m in lang. english is m in English as the code that holds m
// has it: when it is no longer what m says (code reworded it), or when m
// has no arguments (its format may be a message already formatted), the
// English text is what is translated.
func msgText(lang Lang, m errs.Msg, english string) string {
	if len(m.Args) == 0 || m.String() != english {
		return Text(lang, english)
	}
	if !strings.ContainsFunc(verbs.ReplaceAllString(m.Format, ""), unicode.IsLetter) {
		// A format of verbs only ("%s") passes text on: the text is the message.
		args := make([]any, len(m.Args))
		for i, a := range m.Args {
			if s, ok := a.(string); ok {
				a = Text(lang, s)
			}
			args[i] = a
		}
		return fmt.Sprintf(m.Format, args...)
	}
	return Message(lang, m.Format, m.Args...)
}

var verbs = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)

// FieldsText is a map of field messages in lang (see ErrorText).
func FieldsText(lang Lang, fields map[string]string) map[string]string {
	if fields == nil {
		return nil
	}
	out := make(map[string]string, len(fields))
	for key, text := range fields {
		out[FieldName(lang, key)] = Text(lang, text)
	}
	return out
}
